"""The one CSV reader: pandas' C parser over blocks of the file, every cell checked.

A file is read in blocks of whole records (``BLOCK_BYTES`` read whole,
``STREAM_BLOCK_BYTES`` streamed); ``tfcourse.data.layout`` finds each block's records,
their lines and field counts with numpy, and pandas parses the numbers of the columns
asked for. In memory the blocks' rows are joined; when streaming they are consumed one
block at a time, in constant memory. Both paths run the same code, so they accept and
refuse the same files with the same message.

Checks, in reading order (the first problem of the file is the one reported):
a NUL byte, a byte that is not UTF-8, a row with more or fewer fields than the header,
a missing cell, a cell that is not a number to pandas (``'1_000'``, ``'0x10'``,
``'٣'``) or not finite as float32 (``nan``, ``inf``, ``1e39``). Before the rows: an
empty file, empty or duplicate column names; after them: a header without rows.
When a block holds a bad cell it is parsed again as text and ``pd.to_numeric``
(vectorised, per column) finds the first bad cell for the message.

Accepted, as the csv module accepts them: a UTF-8 byte-order mark, LF, CRLF or CR line
ends, blank lines anywhere (line numbers stay those of the file), quoted fields (also
over several lines), spaces around numbers and names.
"""

import collections
import csv
import io
import warnings

import numpy as np

from tfcourse.data import layout
from tfcourse.errors import DataError

BLOCK_BYTES = 16 * 2 ** 20  # reading a file whole: its layout, block after block
# Streaming: parsing a block takes about 4 bytes per byte of it at once (pandas' parser
# and its columns), kept by the allocator of each thread that reads; 4 MiB blocks keep a
# 1 GB file's peak near a 10 MB file's, for a fifth more parsing time than 16 MiB (2 MiB:
# two fifths; measured on the course's 11-column files).
STREAM_BLOCK_BYTES = 4 * 2 ** 20
BOM = b"\xef\xbb\xbf"

Header = collections.namedtuple("Header", "path names line")
Header.__doc__ = """A CSV file's checked header: ``names`` (tuple of str, stripped) on ``line``."""

Chunk = collections.namedtuple("Chunk", "values lines")
Chunk.__doc__ = """Rows of a block: ``values`` ``[rows, columns]`` float32 (finite) and
``lines`` ``[rows]`` int64, the 1-based line where each row starts."""


def _pandas():
    """pandas, imported when a file is read (it costs a third of a second at start-up)."""
    import pandas as pd
    return pd


def _parse_options(pd):
    """pandas < 1.3 rounds with a fast, inexact converter unless asked for "high"."""
    major, minor = (int(part) for part in pd.__version__.split(".")[:2])
    return {"float_precision": "high"} if (major, minor) < (1, 3) else {}


def _blocks(path, block_bytes):
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
                found = layout.scan_block(block, line, final)
                yield block, line, found
                carry, line = bytes(block[found.used:]), line + found.n_lines
    except OSError as err:
        raise DataError("{}: cannot read: {}".format(path, err.strerror or err))


def _structural_error(path, block, line, found, first, n_fields):
    """``(byte offset, message)`` of the block's first NUL, non-UTF-8 byte or ragged record
    (records from index ``first`` on), or None.

    A NUL or non-UTF-8 byte comes before a ragged record on the same line: it is the
    cause (it can end or split the record).
    """
    problems = []
    if found.nul is not None:
        nul_line = layout.line_of(block, found.nul, line)
        problems.append((nul_line, 0, found.nul, "{}:{}:{}: malformed CSV: line contains NULL "
                         "byte".format(path, nul_line, _field_at(block, found.nul))))
    if found.bad_utf8 is not None:
        bad_line = layout.line_of(block, found.bad_utf8, line)
        problems.append((bad_line, 0, found.bad_utf8, "{}:{}:{}: not UTF-8 text (byte {{}})".format(
            path, bad_line, _field_at(block, found.bad_utf8))))
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


def _field_at(block, offset):
    """The 1-based field (column) of byte ``offset`` on its line: commas before it, plus one."""
    start = max(block.rfind(b"\n", 0, offset), block.rfind(b"\r", 0, offset)) + 1
    return block.count(b",", start, offset) + 1


def read_header(path):
    """Reads and checks the header row (the file's first non-blank record).

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
            names = next(csv.reader(io.StringIO(text)))
            return Header(path, _check_names(path, int(found.records.lines[0]), names),
                          int(found.records.lines[0]))
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


def read_chunks(header, columns, block_bytes=BLOCK_BYTES):
    """Reads the file's rows, checked, one block at a time.

    Args:
        header: the file's ``Header`` (``read_header``).
        columns: 0-based column indices to read, in the order wanted.
        block_bytes: bytes read at a time.

    Yields:
        ``Chunk`` s in file order (a block without rows yields nothing).

    Raises:
        DataError: naming file, line and column of the file's first problem (see the
            module docstring), or a header without rows.
    """
    path, n_fields = header.path, len(header.names)
    pd = _pandas()
    offset, n_rows, skip_header = 0, 0, True
    for block, line, found in _blocks(path, block_bytes):
        records = found.records
        first = 0
        if skip_header and len(records.starts):
            first, skip_header = 1, False
        problem = _structural_error(path, block, line, found, first, n_fields)
        limit = problem[0] if problem else found.used + 1
        last = first + int(np.searchsorted(records.ends[first:], limit, side="left"))
        if last > first:
            lines = records.lines[first:last]
            starts, ends = records.starts[first:last], records.ends[first:last]
            parse = _Parse(pd, columns, text=memoryview(block)[starts[0]:ends[-1]])
            try:
                values = _values(pd, path, header, parse,
                                 lambda row: block[starts[row]:ends[row]], lines)
            except _RowCountDiffers:
                raise DataError("{}:{}: pandas could not read the rows from this line on".format(
                    path, lines[0]))
            n_rows += len(values)
            yield Chunk(values, lines)
        if problem is not None:
            raise DataError(_with_offset(problem[1], path, offset + problem[0]))
        offset += found.used
    if not n_rows:
        raise DataError("{}: no data rows after the header".format(path))


class _Parse(object):
    """Calls pandas' C parser on the rows of a block (``text``, a memoryview: one copy into
    the parser's buffer) or of a whole file (``path``, after its header), returning the
    ``columns`` (0-based indices) in the order asked for."""

    def __init__(self, pd, columns, text=None, path=None):
        self.pd, self.columns, self.text, self.path = pd, list(columns), text, path

    def __call__(self, **options):
        used = sorted(set(self.columns))
        if self.path is not None:  # pandas reads a path faster than it reads a buffer
            source, options = self.path, dict(options, header=0, encoding="utf-8-sig")
        else:
            source, options = io.BytesIO(self.text), dict(options, header=None, encoding="utf-8")
        with warnings.catch_warnings():  # mixed types in a column: reported as a bad cell
            warnings.simplefilter("ignore", self.pd.errors.DtypeWarning)
            frame = self.pd.read_csv(source, usecols=used, index_col=False, skip_blank_lines=True,
                                     engine="c", **options)
        return [frame.iloc[:, used.index(index)].values for index in self.columns]


def _values(pd, path, header, parse, record, lines):
    """``[rows, len(columns)]`` float32 of some rows; DataError for their first bad cell.

    Args:
        parse: ``parse(**read_csv_options)`` -> the rows' columns as pandas parses them.
        record: ``record(row)`` -> the text (bytes) of row ``row``, for the message.
        lines: ``[rows]`` the line where each row starts.

    A column pandas could not read as numbers goes through ``pd.to_numeric``; the first row
    holding a cell that is missing, not a number or not finite is checked again on its own
    text for the message.
    """
    try:
        parsed = parse(keep_default_na=False, na_values=[""], **_parse_options(pd))
    except (ValueError, OverflowError):  # pandas' ParserError is a ValueError
        parsed = None
    if parsed is not None and any(len(column) != len(lines) for column in parsed):
        raise _RowCountDiffers()
    if parsed is not None:
        values, suspect = _numbers(pd, parsed, len(lines))
        if not suspect.any():
            return values
        for row in np.flatnonzero(suspect):  # the first suspect row is normally the bad one
            error = _row_error(pd, path, header, parse.columns, record(row), lines[row])
            if error is not None:
                raise error
    cells = parse(dtype=object, na_filter=False)
    if any(len(column) != len(lines) for column in cells):
        raise _RowCountDiffers()
    raise _first_bad_cell(pd, path, header, parse.columns, cells, lines)


class _RowCountDiffers(Exception):
    """pandas found another number of rows than ``layout`` (not seen in practice)."""


def _numbers(pd, parsed, n_rows):
    """``(values, suspect)``: float32 ``[rows, columns]`` and the rows holding a cell that
    is not a finite float32 number (or could not be parsed as one)."""
    values = np.empty((n_rows, len(parsed)), np.float32)
    suspect = np.zeros(n_rows, bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for j, column in enumerate(parsed):
            if column.dtype.kind in "iuf":
                values[:, j] = column
            elif column.dtype.kind == "O":
                values[:, j] = pd.to_numeric(column, errors="coerce").astype(np.float64)
            else:  # e.g. a column of True / False
                values[:, j] = np.nan
            suspect |= ~np.isfinite(values[:, j])
    return values, suspect


def _cell_problem(pd, cell):
    """What is wrong with one cell's text as a float32 number, or None."""
    cell = cell.strip()
    if not cell:
        return "missing value"
    with np.errstate(over="ignore", invalid="ignore"):
        number = float(pd.to_numeric(pd.Series([cell], dtype=object), errors="coerce")[0])
        finite = np.isfinite(number) and np.isfinite(np.float32(number))
    if finite:
        return None
    if np.isnan(number) and cell.lower().lstrip("+-") != "nan":
        return "{!r} is not a number".format(cell)
    return "{!r} is not finite (as float32)".format(cell)


def _row_error(pd, path, header, columns, record, line):
    """The DataError for the first bad cell (in file order) of one record (bytes), or None."""
    cells = next(csv.reader(io.StringIO(record.decode("utf-8"), newline="")))
    for index in sorted(set(columns)):
        problem = _cell_problem(pd, cells[index])
        if problem is not None:
            return DataError("{}:{}:{} (column '{}'): {}".format(
                path, line, index + 1, header.names[index], problem))
    return None


def _first_bad_cell(pd, path, header, columns, cells, lines):
    """The DataError for the first bad cell of rows pandas could not parse as numbers, found
    column by column with ``pd.to_numeric`` in ``cells`` (the columns read again as text)."""
    first = None
    for index, column in sorted(zip(columns, cells)):
        stripped = pd.Series(column).astype(str).str.strip()
        with np.errstate(over="ignore", invalid="ignore"):
            numbers = pd.to_numeric(stripped, errors="coerce").astype(np.float64).values
            bad = (stripped.values == "") | ~np.isfinite(numbers) | ~np.isfinite(
                numbers.astype(np.float32))
        if bad.any():
            row = int(np.argmax(bad))
            if first is None or row < first[0]:
                first = (row, index, stripped.values[row])
    if first is None:
        return DataError("{}:{}: pandas could not read the rows from this line on".format(
            path, lines[0]))
    row, index, cell = first
    return DataError("{}:{}:{} (column '{}'): {}".format(
        path, lines[row], index + 1, header.names[index], _cell_problem(pd, cell)))


def read_all(header, columns, block_bytes=BLOCK_BYTES):
    """Reads the whole file's rows, checked: one ``Chunk``, the same as joining
    ``read_chunks``' (same checks, same messages). When the file's records are sound, pandas
    parses the file in one call.

    Raises:
        DataError: as ``read_chunks``.
    """
    lines, starts, ends = [], [], []
    offset, skip_header = 0, True
    for block, line, found in _blocks(header.path, block_bytes):
        records = found.records
        first = 0
        if skip_header and len(records.starts):
            first, skip_header = 1, False
        if _structural_error(header.path, block, line, found, first, len(header.names)):
            break  # read_chunks finds what comes first: a bad cell or this problem
        lines.append(records.lines[first:])
        starts.append(offset + records.starts[first:])
        ends.append(offset + records.ends[first:])
        offset += found.used
    else:
        lines, starts, ends = (np.concatenate(part) for part in (lines, starts, ends))
        if not len(lines):
            raise DataError("{}: no data rows after the header".format(header.path))
        pd = _pandas()
        parse = _Parse(pd, columns, path=header.path)
        try:
            values = _values(pd, header.path, header, parse,
                             lambda row: _record(header.path, starts[row], ends[row]), lines)
            return Chunk(values, lines)
        except _RowCountDiffers:
            pass  # the blocks, parsed one by one, give the rows or the error
    chunks = list(read_chunks(header, columns, block_bytes))
    return Chunk(np.concatenate([chunk.values for chunk in chunks]),
                 np.concatenate([chunk.lines for chunk in chunks]))


def _record(path, start, end):
    """Bytes ``start:end`` of the file after its byte-order mark."""
    with open(path, "rb") as handle:
        bom = len(BOM) if handle.read(len(BOM)) == BOM else 0
        handle.seek(bom + int(start))
        return handle.read(int(end - start))


def read_text(header):
    """All cells of the file as read (str, not stripped), for writing them through.

    Returns:
        ``[rows, columns]`` object array of str, in file order.

    Raises:
        DataError: as ``read_chunks`` for the file's structure (not its numbers).
    """
    pd = _pandas()
    parts = []
    offset, skip_header = 0, True
    for block, line, found in _blocks(header.path, BLOCK_BYTES):
        records = found.records
        first = 0
        if skip_header and len(records.starts):
            first, skip_header = 1, False
        problem = _structural_error(header.path, block, line, found, first, len(header.names))
        if problem is not None:
            raise DataError(_with_offset(problem[1], header.path, offset + problem[0]))
        offset += found.used
        if len(records.starts) > first:
            text = block[records.starts[first]:records.ends[-1]]
            cells = _Parse(pd, range(len(header.names)), text=text)(dtype=object,
                                                                    na_filter=False)
            parts.append(np.stack(cells, axis=1).astype(object))
    return np.concatenate(parts) if parts else np.zeros((0, len(header.names)), object)
