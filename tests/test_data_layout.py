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
