"""The one CSV reader: pandas' C parser over blocks of the file, their structure checked.

A file is read in blocks of whole records (``BLOCK_BYTES`` read whole,
``STREAM_BLOCK_BYTES`` streamed); ``tfcourse.data.layout`` finds each block's records,
their lines and field counts with numpy, and pandas parses the columns asked for
(``tfcourse.data.cells``: numbers or text, missing cells as NaN). In memory the blocks'
rows are joined; when streaming they are consumed one block at a time, in constant
memory. Both paths run the same code, so they accept and refuse the same files with the
same message. What each cell must be is for the column's type to say
(``tfcourse.data.column_types``).

Checks, in reading order: a NUL byte, a byte that is not UTF-8, a row with more or fewer
fields than the header. Before the rows: an empty file, empty or duplicate column names;
after them: a header without rows.

Accepted, as the csv module accepts them: a UTF-8 byte-order mark, LF, CRLF or CR line
ends, blank lines anywhere (line numbers stay those of the file), quoted fields (also
over several lines), spaces around numbers and names; fields separated by a comma, or
by the ``delimiter`` the header was read with (``read_header``).
"""

import collections
import csv
import io

import numpy as np

from tfcourse.data import cells, layout
from tfcourse.errors import DataError

BLOCK_BYTES = 16 * 2 ** 20  # reading a file whole: its layout, block after block
# Streaming: parsing a block takes about 4 bytes per byte of it at once (pandas' parser
# and its columns), kept by the allocator of each thread that reads; 4 MiB blocks keep a
# 1 GB file's peak near a 10 MB file's, for a fifth more parsing time than 16 MiB (2 MiB:
# two fifths; measured on the course's 11-column files).
STREAM_BLOCK_BYTES = 4 * 2 ** 20
BOM = b"\xef\xbb\xbf"

Header = collections.namedtuple("Header", "path names line delimiter")
Header.__doc__ = """A CSV file's checked header: ``names`` (tuple of str, stripped) on ``line``,
fields separated by ``delimiter`` (a one-character str)."""

Chunk = collections.namedtuple("Chunk", "values lines")
Chunk.__doc__ = """Rows of a block: ``values`` a list with one pandas column per column asked
for (``cells.columns``: numbers, or text, NaN where missing) and ``lines`` ``[rows]`` int64,
the 1-based line where each row starts."""

DELIMITERS = (",", ";", "\t")  # what ``delimiter="auto"`` chooses from


def _blocks(path, block_bytes, delimiter=","):
    """Yields ``(block, first_line, Layout)`` for consecutive blocks of whole records.

    Raises:
        DataError: the file cannot be read.
    """
    try:
        with open(path, "rb") as handle:
            carry = handle.read(len(BOM))
            if carry == BOM:
                carry = b""
            line, final = 1, False
            while not final:
                block = bytearray(len(carry) + block_bytes)  # the carry, then a new piece
                block[:len(carry)] = carry
                size = len(carry) + handle.readinto(memoryview(block)[len(carry):])
                final = size < len(block)
                del block[size:]
                found = layout.scan_block(block, line, final, ord(delimiter))
                yield block, line, found
                carry, line = bytes(block[found.used:]), line + found.n_lines
    except OSError as err:
        raise DataError("{}: cannot read: {}".format(path, err.strerror or err))


def _structural_error(path, block, line, found, first, n_fields, delimiter=","):
    """``(byte offset, message)`` of the block's first NUL, non-UTF-8 byte or ragged record
    (records from index ``first`` on), or None.

    A NUL or non-UTF-8 byte comes before a ragged record on the same line: it is the
    cause (it can end or split the record).
    """
    problems = []
    if found.nul is not None:
        nul_line = layout.line_of(block, found.nul, line)
        problems.append((nul_line, 0, found.nul, "{}:{}:{}: malformed CSV: line contains NULL "
                         "byte".format(path, nul_line, _field_at(block, found.nul, delimiter))))
    if found.bad_utf8 is not None:
        bad_line = layout.line_of(block, found.bad_utf8, line)
        problems.append((bad_line, 0, found.bad_utf8, "{}:{}:{}: not UTF-8 text (byte {{}})".format(
            path, bad_line, _field_at(block, found.bad_utf8, delimiter))))
    records = found.records
    ragged = np.flatnonzero(records.n_fields[first:] != n_fields)
    if len(ragged):
        k = first + ragged[0]
        problems.append((int(records.lines[k]), 1, int(records.starts[k]),
                         "{}:{}: expected {} fields as in the header, found {}".format(
                             path, records.lines[k], n_fields, records.n_fields[k])))
    if not problems:
        return None
    _, _, offset, message = min(problems)
    return offset, message


def _field_at(block, offset, delimiter=","):
    """The 1-based field (column) of byte ``offset`` on its line: delimiters before it, plus one."""
    start = max(block.rfind(b"\n", 0, offset), block.rfind(b"\r", 0, offset)) + 1
    return block.count(delimiter.encode(), start, offset) + 1


def read_header(path, delimiter=","):
    """Reads and checks the header row (the file's first non-blank record).

    Args:
        delimiter: the field separator (one character), or "auto": the one of
            ``DELIMITERS`` found most often in the header line (a comma when none is).

    Raises:
        DataError: unreadable or empty file, a NUL or non-UTF-8 byte before the header's
            end, empty or duplicate column names.
    """
    offset = 0
    for block, line, found in _blocks(path, 2 ** 20):
        if len(found.records.starts):
            end = int(found.records.ends[0])
            problem = _structural_error(path, block, line, found, len(found.records.starts), 0)
            if problem is not None and problem[0] <= end:
                raise DataError(_with_offset(problem[1], path, offset + problem[0]))
            text = block[found.records.starts[0]:end].decode("utf-8")
            if delimiter == "auto":
                delimiter = max(DELIMITERS, key=lambda candidate: (text.count(candidate),
                                                                   candidate == ","))
            names = next(csv.reader(io.StringIO(text), delimiter=delimiter))
            return Header(path, _check_names(path, int(found.records.lines[0]), names),
                          int(found.records.lines[0]), delimiter)
        offset += found.used
    raise DataError("{}: empty file, expected a header row".format(path))


def _with_offset(message, path, offset):
    """Fills in the file offset of a non-UTF-8 byte (the BOM included)."""
    if "not UTF-8" not in message:
        return message
    with open(path, "rb") as handle:
        bom = len(BOM) if handle.read(len(BOM)) == BOM else 0
    return message.format(offset + bom)


def _check_names(path, line, names):
    names = tuple(name.strip() for name in names)
    for column, name in enumerate(names, 1):
        if not name:
            raise DataError("{}:{}:{}: empty column name".format(path, line, column))
        if names.index(name) != column - 1:
            raise DataError("{}:{}:{}: duplicate column name '{}'".format(path, line, column, name))
    return names


def _data_blocks(header, block_bytes):
    """The file's blocks with what every reader needs to know of them.

    Yields:
        ``(block, found, first, offset, problem)``: the block and its ``layout.Layout``,
        the index of its first data record (1 in the header's block), the block's byte
        offset in the file (after a byte-order mark), and its first structural problem
        ``(byte offset in the block, message)`` or None (see ``_structural_error``).
    """
    offset, skip_header = 0, True
    for block, line, found in _blocks(header.path, block_bytes, header.delimiter):
        first = 0
        if skip_header and len(found.records.starts):
            first, skip_header = 1, False
        yield block, found, first, offset, _structural_error(
            header.path, block, line, found, first, len(header.names), header.delimiter)
        offset += found.used


def read_chunks(header, columns, block_bytes=BLOCK_BYTES, text_columns=(), na_values=()):
    """Reads the file's rows, checked for their structure, one block at a time.

    Args:
        header: the file's ``Header`` (``read_header``).
        columns: 0-based column indices to read, in the order wanted.
        block_bytes: bytes read at a time.
        text_columns: indices of ``columns`` read as text whatever they hold.
        na_values: cells read as missing besides empty ones.

    Yields:
        ``Chunk`` s in file order (a block without rows yields nothing).

    Raises:
        DataError: naming file, line and column of the file's first structural problem
            (see the module docstring), or a header without rows.
    """
    path = header.path
    pd = cells.pandas()
    n_rows = 0
    for block, found, first, offset, problem in _data_blocks(header, block_bytes):
        records = found.records
        limit = problem[0] if problem else found.used + 1
        last = first + int(np.searchsorted(records.ends[first:], limit, side="left"))
        if last > first:
            lines = records.lines[first:last]
            starts, ends = records.starts[first:last], records.ends[first:last]
            parse = cells.Parse(pd, columns, text=memoryview(block)[starts[0]:ends[-1]],
                                text_columns=text_columns, sep=header.delimiter)
            try:
                values = cells.columns(pd, parse, len(lines), na_values)
            except cells.RowCountDiffers:
                raise DataError("{}:{}: pandas could not read the rows from this line on".format(
                    path, lines[0]))
            n_rows += len(lines)
            yield Chunk(values, lines)
        if problem is not None:
            raise DataError(_with_offset(problem[1], path, offset + problem[0]))
    if not n_rows:
        raise DataError("{}: no data rows after the header".format(path))


def read_all(header, columns, block_bytes=BLOCK_BYTES, text_columns=(), na_values=()):
    """Reads the whole file's rows: one ``Chunk``, the same as joining ``read_chunks``'
    (same checks, same messages). When the file's records are sound, pandas parses the
    file in one call.

    Raises:
        DataError: as ``read_chunks``.
    """
    lines = []
    for _, found, first, offset, problem in _data_blocks(header, block_bytes):
        if problem is not None:
            break  # read_chunks reads up to the problem, then reports it
        lines.append(found.records.lines[first:])
    else:
        lines = np.concatenate(lines)
        if not len(lines):
            raise DataError("{}: no data rows after the header".format(header.path))
        pd = cells.pandas()
        parse = cells.Parse(pd, columns, path=header.path, names=header.names,
                            text_columns=text_columns, sep=header.delimiter)
        try:
            return Chunk(cells.columns(pd, parse, len(lines), na_values), lines)
        except cells.RowCountDiffers:
            pass  # the blocks, parsed one by one, give the rows or the error
    chunks = list(read_chunks(header, columns, block_bytes, text_columns, na_values))
    return Chunk([np.concatenate([chunk.values[j] for chunk in chunks])
                  for j in range(len(columns))],
                 np.concatenate([chunk.lines for chunk in chunks]))


def read_text(header):
    """All cells of the file as read (str, not stripped), for writing them through.

    Returns:
        ``[rows, columns]`` object array of str, in file order.

    Raises:
        DataError: as ``read_chunks`` for the file's structure (not its numbers).
    """
    pd = cells.pandas()
    parts = []
    for block, found, first, offset, problem in _data_blocks(header, BLOCK_BYTES):
        if problem is not None:
            raise DataError(_with_offset(problem[1], header.path, offset + problem[0]))
        records = found.records
        if len(records.starts) > first:
            text = block[records.starts[first]:records.ends[-1]]
            texts = cells.Parse(pd, range(len(header.names)), text=text,
                                sep=header.delimiter)(dtype=object, na_filter=False)
            parts.append(np.stack(texts, axis=1).astype(object))
    return np.concatenate(parts) if parts else np.zeros((0, len(header.names)), object)
