"""Tests of tfcourse.data.layout: records, their lines and fields, found with numpy."""

import numpy as np

from tfcourse.data import layout


def test_records_lines_and_fields():
    block = b'a,b\r\n\r\n1,"x,\ny"\r\n  \n3\r4,5\n'
    found = layout.scan_block(block, 1, final=True)
    assert found.used == len(block) and found.n_lines == 7
    np.testing.assert_array_equal(found.records.lines, [1, 3, 6, 7])
    np.testing.assert_array_equal(found.records.n_fields, [2, 2, 1, 2])
    assert [block[s:e] for s, e in zip(found.records.starts, found.records.ends)] == [
        b"a,b\r", b'1,"x,\ny"\r', b"3", b"4,5"]
    assert found.nul is None and found.bad_utf8 is None


def test_a_block_leaves_its_unfinished_record():
    found = layout.scan_block(b'1,2\n3,"4\n5', 10, final=False)
    assert found.used == 4 and found.n_lines == 1
    np.testing.assert_array_equal(found.records.lines, [10])
    found = layout.scan_block(b"1,2\r", 1, final=False)  # maybe a CRLF: wait for the next byte
    assert found.used == 0


def test_nul_and_non_utf8_offsets():
    found = layout.scan_block(b"a\n\xc3\xa9\n\x00\n\xff\n", 1, final=True)
    assert (found.nul, found.bad_utf8) == (5, 7)
    assert layout.line_of(b"a\r\nb\rc\nd", 7, 1) == 4


def test_field_counts_across_the_pieces_summed_at_a_time():
    rng = np.random.RandomState(0)
    n_records = 2 * layout._SUM_RECORDS + 123
    fields = rng.randint(1, 6, size=n_records)
    rows = [",".join(str(k) * rng.randint(1, 4) for k in range(n)) for n in fields]
    rows[layout._SUM_RECORDS] = "   "  # a blank record at a piece boundary
    block = ("\n".join(rows) + "\n").encode()
    for final in (True, False):
        found = layout.scan_block(block, 1, final=final)
        kept = [n for k, n in enumerate(fields) if k != layout._SUM_RECORDS]
        np.testing.assert_array_equal(found.records.n_fields, kept)
        assert found.used == len(block) and found.bad_utf8 is None


def test_a_non_ascii_block_is_checked_as_utf8_at_its_first_bad_byte():
    block = "é,1\n".encode() * 3 + b"x\xe9,2\n" + b"y,\xff\n"
    found = layout.scan_block(block, 1, final=True)
    assert found.bad_utf8 == 16 and found.nul is None  # 3 rows of 5 bytes, then "x"
    assert layout.scan_block("é,1\n".encode(), 1, final=True).bad_utf8 is None
