"""Where the records of a CSV text are: vectorised with numpy over the raw bytes.

pandas parses the numbers but neither counts a row's fields (a short row is filled
with empty cells) nor says on which line of the file a row began. This module finds,
for a block of bytes, the records (rows) it holds, the 1-based line each starts on,
how many fields each has, and the first NUL byte and the first byte that is not UTF-8
— all with whole-array numpy operations, never a Python loop per row or cell.

Rules (those of the csv module and of pandas' C parser alike): a record ends at an
LF, a CRLF or a lone CR outside double quotes; a comma outside double quotes separates
fields; a record of spaces, tabs and CRs alone is blank and skipped. Double quotes are
expected to enclose whole fields (``"1,5"``; a quote inside is doubled), as RFC 4180
writes them.
"""

import collections

import numpy as np

LF, CR, QUOTE, COMMA, SPACE, TAB = 10, 13, 34, 44, 32, 9
# Sums of commas per record: uint16 is the fastest from numpy 2 on, int32 before (measured).
_COUNT_DTYPE = np.uint16 if int(np.__version__.split(".")[0]) >= 2 else np.int32
# Records summed at a time: the sums cast their bytes to _COUNT_DTYPE, a copy of the
# piece (a whole 16 MiB block would take 64 MiB); pieces of 8192 records are also faster.
_SUM_RECORDS = 8192

Records = collections.namedtuple("Records", "starts ends lines n_fields")
Records.__doc__ = """The non-blank records of a block.

Attributes:
    starts, ends: ``[n]`` int64 byte offsets in the block (``ends`` excludes the terminator).
    lines: ``[n]`` int64 1-based lines of the file where each record starts.
    n_fields: ``[n]`` int64 fields of each record.
"""

Layout = collections.namedtuple("Layout", "records used n_lines nul bad_utf8")
Layout.__doc__ = """What ``scan_block`` found.

Attributes:
    records: the non-blank ``Records`` of ``block[:used]``.
    used: bytes of the block that hold whole records (the rest belongs to the next block).
    n_lines: line terminators in ``block[:used]`` (to number the next block's lines).
    nul, bad_utf8: byte offset in the block of the first NUL byte / of the first byte that
        is not UTF-8, in ``block[:used]``, or None.
"""


def _count_before(sorted_positions, positions):
    """How many of ``sorted_positions`` lie before each of ``positions`` (int64 arrays)."""
    return np.searchsorted(sorted_positions, positions, side="left")


def scan_block(block, first_line, final, delimiter=COMMA):
    """Finds the records of ``block`` (bytes).

    Args:
        block: raw bytes starting at a record boundary of the file.
        first_line: the file's line number (1-based) of ``block[0]``.
        final: True when the block runs to the end of the file; otherwise the bytes after
            the last record terminator outside quotes are left for the next block.
        delimiter: the byte value separating fields (a comma by default).

    Returns:
        a ``Layout``.
    """
    raw = np.frombuffer(block, np.uint8)
    size = len(raw)
    quoted = block.find(b'"') >= 0
    quotes = np.flatnonzero(raw == QUOTE) if quoted else None
    terminators = np.flatnonzero(raw == LF)
    if block.find(b"\r") >= 0:
        cr = np.flatnonzero(raw == CR)
        after = cr + 1
        crlf = np.zeros(len(cr), bool)
        crlf[after < size] = raw[after[after < size]] == LF
        lone_cr = cr[~crlf]
        if not final:  # a CR that ends the block may be the first half of a CRLF
            lone_cr = lone_cr[lone_cr != size - 1]
        if len(lone_cr):
            terminators = np.union1d(terminators, lone_cr)
    record_ends = terminators
    if quoted:
        record_ends = terminators[_count_before(quotes, terminators) % 2 == 0]
    if final:
        used = size
        ends = np.append(record_ends, size) if (not len(record_ends) or
                                                record_ends[-1] != size - 1) else record_ends
    else:
        used = int(record_ends[-1]) + 1 if len(record_ends) else 0
        ends = record_ends
    starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64) if len(ends) else ends
    ends = ends.astype(np.int64)
    n_lines = int(_count_before(terminators, np.array([used]))[0])
    lines = first_line + _count_before(terminators, starts)
    n_fields = _field_counts(raw[:used], starts, ends, quotes, delimiter)
    content = ends - starts
    if size:
        content = content - ((content > 0) & (raw[np.maximum(ends - 1, 0)] == CR))
    trimmed = content
    blank = (trimmed == 0)
    candidates = np.flatnonzero((n_fields == 1) & ~blank & (trimmed <= 64))
    if len(candidates):
        blank[candidates] = _whitespace_only(raw, starts[candidates], ends[candidates])
    keep = ~blank
    records = Records(starts=starts[keep], ends=ends[keep], lines=lines[keep],
                      n_fields=n_fields[keep])
    nul = block.find(b"\0", 0, used)
    return Layout(records=records, used=used, n_lines=n_lines, nul=None if nul < 0 else nul,
                  bad_utf8=_first_non_utf8(block, used))


def _field_counts(raw, starts, ends, quotes, delimiter=COMMA):
    """Fields of each record: delimiters (byte value) outside quotes + 1 (``quotes`` None:
    none in the block)."""
    if not len(starts):
        return np.zeros(0, np.int64)
    if quotes is None:  # the common case: sums over the records, no comma positions
        inside = np.flatnonzero(starts < len(raw))
        counts = np.zeros(len(starts), np.int64)
        for first in range(0, len(inside), _SUM_RECORDS):  # pieces: small temporaries
            part = inside[first:first + _SUM_RECORDS]
            begin, end = starts[part[0]], len(raw)
            if first + _SUM_RECORDS < len(inside):
                end = starts[inside[first + _SUM_RECORDS]]
            counts[part] = np.add.reduceat(raw[begin:end] == delimiter, starts[part] - begin,
                                           dtype=_COUNT_DTYPE)
        long = np.flatnonzero(ends - starts > np.iinfo(_COUNT_DTYPE).max)
        for k in long:  # records too long for the narrow sums (rare): counted exactly
            counts[k] = np.count_nonzero(raw[starts[k]:ends[k]] == delimiter)
        return counts + 1
    commas = np.flatnonzero(raw == delimiter)
    commas = commas[_count_before(quotes, commas) % 2 == 0]
    return np.bincount(_count_before(ends, commas), minlength=len(ends))[:len(ends)] + 1


def _whitespace_only(raw, starts, ends):
    """Whether each ``raw[starts[i]:ends[i]]`` (short records) holds only spaces, tabs, CRs."""
    width = int((ends - starts).max())
    index = starts[:, None] + np.arange(width)[None, :]
    inside = index < ends[:, None]
    values = raw[np.minimum(index, len(raw) - 1)]
    space = (values == SPACE) | (values == TAB) | (values == CR)
    return np.all(space | ~inside, axis=1)


def _first_non_utf8(block, used):
    """Offset of the first byte of ``block[:used]`` that is not UTF-8, or None; decoding
    (a copy of the block as bytes and as str) only when a byte is not ASCII."""
    if not used or np.frombuffer(block, np.uint8, used).max() < 0x80:
        return None
    try:
        block[:used].decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start
    return None


def line_of(block, offset, first_line):
    """The file's line (1-based) of byte ``offset`` of ``block`` (LF, CRLF and CR end lines)."""
    prefix = block[:offset]
    return first_line + prefix.count(b"\n") + prefix.count(b"\r") - prefix.count(b"\r\n")
