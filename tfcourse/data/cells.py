"""A block's cells: pandas' C parser on its rows, every number checked, the first bad cell found.

``values`` parses the columns asked for as float32 in one pandas call; when pandas cannot
(a cell is not a number, or missing, or not finite as float32) the rows are parsed again
as text and ``pd.to_numeric`` (vectorised, per column) finds the first bad cell in reading
order for the message. ``tfcourse.data.csv_reader`` hands it blocks of whole records.
"""

import csv
import io
import warnings

import numpy as np

from tfcourse.errors import DataError


def pandas():
    """pandas, imported when a file is read (it costs a third of a second at start-up)."""
    import pandas as pd
    return pd


def parse_options(pd):
    """pandas < 1.3 rounds with a fast, inexact converter unless asked for "high"."""
    major, minor = (int(part) for part in pd.__version__.split(".")[:2])
    return {"float_precision": "high"} if (major, minor) < (1, 3) else {}


class Parse(object):
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


def values(pd, path, header, parse, record, lines):
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
        parsed = parse(keep_default_na=False, na_values=[""], **parse_options(pd))
    except (ValueError, OverflowError):  # pandas' ParserError is a ValueError
        parsed = None
    if parsed is not None and any(len(column) != len(lines) for column in parsed):
        raise RowCountDiffers()
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
        raise RowCountDiffers()
    raise first_bad_cell(pd, path, header, parse.columns, cells, lines)


class RowCountDiffers(Exception):
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


def first_bad_cell(pd, path, header, columns, cells, lines):
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
