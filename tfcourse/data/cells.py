"""A block's cells: pandas' C parser on its rows, with the missing values asked for.

``columns`` parses the columns asked for in one pandas call: numbers as numbers, text as
text, a cell in ``na_values`` (or empty) as missing. What a cell means for a model is
decided later (``tfcourse.data.column_types``). ``tfcourse.data.csv_reader`` hands it
blocks of whole records.
"""

import io
import warnings


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
    ``columns`` (0-based indices) in the order asked for; ``text_columns`` (indices) are
    read as text, the others as pandas infers them."""

    def __init__(self, pd, columns, text=None, path=None, names=None, text_columns=(), sep=","):
        self.pd, self.columns, self.text, self.path = pd, list(columns), text, path
        self.names, self.text_columns, self.sep = names, tuple(text_columns), sep

    def __call__(self, **options):
        used = sorted(set(self.columns))
        if self.path is not None:  # pandas reads a path faster than it reads a buffer
            source, options = self.path, dict(options, header=0, encoding="utf-8-sig")
            keys = self.names
        else:
            source, options = io.BytesIO(self.text), dict(options, header=None, encoding="utf-8")
            keys = None
        if self.text_columns and "dtype" not in options:
            options["dtype"] = {(keys[index] if keys else index): str
                                for index in self.text_columns}
        with warnings.catch_warnings():  # mixed types in a column: pandas makes it text
            warnings.simplefilter("ignore", self.pd.errors.DtypeWarning)
            frame = self.pd.read_csv(source, usecols=used, index_col=False, skip_blank_lines=True,
                                     engine="c", sep=self.sep, **options)
        return [frame.iloc[:, used.index(index)].values for index in self.columns]


class RowCountDiffers(Exception):
    """pandas found another number of rows than ``layout`` (not seen in practice)."""


def columns(pd, parse, n_rows, na_values):
    """The rows' columns as pandas reads them: numbers (float64 with NaN for a missing
    cell, or int64) or text (object arrays of str, NaN for a missing cell).

    Args:
        parse: ``parse(**read_csv_options)`` -> the rows' columns.
        n_rows: rows ``layout`` found (pandas must find as many).
        na_values: cells read as missing (besides an empty one).

    Raises:
        RowCountDiffers: pandas found another number of rows.
    """
    options = dict(keep_default_na=False, na_values=[""] + list(na_values), skipinitialspace=True,
                   **parse_options(pd))
    try:
        parsed = parse(**options)
    except (ValueError, OverflowError):  # pandas' ParserError is a ValueError
        parsed = parse(dtype=object, keep_default_na=False, na_values=options["na_values"])
    if any(len(column) != n_rows for column in parsed):
        raise RowCountDiffers()
    return parsed
