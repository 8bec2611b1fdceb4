"""Rows as a model takes them: the numeric columns as ``x``, the others as ``text``.

``model_inputs`` turns the pandas columns of some rows into the raw inputs every graph
takes (``tfcourse.data.types.Column``); the model's graph encodes them
(``tfcourse.features``). ``unseen`` counts what the training rows never had.
"""

import numpy as np

from tfcourse.data import dates
from tfcourse.data.summary import as_text, missing_mask, numbers_of
from tfcourse.data.types import numeric_columns, text_columns
from tfcourse.errors import DataError


def model_inputs(pd, values, lines, columns, where):
    """``(x, text)`` of rows read for ``columns``.

    Args:
        pd: pandas.
        values: one pandas column per ``Column``, in order.
        lines: ``[rows]`` the lines the rows start on.
        columns: tuple of ``Column``.
        where: ``where(column_name)`` -> ``"<file>:{}:<n> (column '<name>')"`` with ``{}``
            for the line.

    Returns:
        ``x`` ``[rows, n_numeric]`` float32 (NaN where missing) and ``text``
        ``[rows, n_text]`` object array of str ("" where missing), or None without text
        columns.

    Raises:
        DataError: a numeric cell is not a number or not finite as float32, or missing in
            a column the model cannot fill (naming the first, with its line).
    """
    by_name = dict(zip((column.name for column in columns), values))
    numeric = numeric_columns(columns)
    x = np.empty((len(lines), len(numeric)), np.float32)
    for j, column in enumerate(numeric):
        x[:, j] = numbers(pd, by_name[column.name], lines, where(column.name),
                          column.fill is not None)
    texts = text_columns(columns)
    if not texts:
        return x, None
    text = np.empty((len(lines), len(texts)), object)
    for j, column in enumerate(texts):
        raw = by_name[column.name]
        cells = as_text(raw).copy()
        cells[missing_mask(pd, raw)] = ""
        if pd.api.types.infer_dtype(cells, skipna=False) != "string":
            cells = pd.Series(cells).astype(str).values  # pandas typed a large file's parts
        text[:, j] = cells
    return x, text


def numbers(pd, raw, lines, where, allow_missing=True):
    """``[rows]`` float32 numbers of a pandas column (NaN where missing).

    Args:
        where: ``"<file>:{}:<n> (column '<name>')"`` with ``{}`` for the line.
        allow_missing: False: a missing cell is an error.

    Raises:
        DataError: the first cell that is not a number, not finite as float32, or missing
            when not allowed (naming its line).
    """
    missing = missing_mask(pd, raw)
    parsed = numbers_of(pd, raw)
    with np.errstate(over="ignore", invalid="ignore"):
        values = parsed.astype(np.float32)
    bad = ~missing & ~np.isfinite(values)
    if not allow_missing:
        bad |= missing
    if bad.any():
        row = int(np.argmax(bad))
        cell = as_text(raw[row:row + 1])[0]
        problem = ("missing value" if missing[row] else
                   "{!r} is not a number".format(cell) if np.isnan(parsed[row]) else
                   "{!r} is not finite (as float32)".format(cell))
        raise DataError("{}: {}".format(where.format(lines[row]), problem))
    values[missing] = np.nan
    return values


def unseen(columns, text):
    """Cells (not missing) of text columns the model does not know: a category outside the
    vocabulary (never seen in training, or beyond ``data.max_categories``), an unknown
    boolean spelling or a cell that is not a date.

    Args:
        text: ``[rows, n_text]`` object array, as ``model_inputs`` gives it (or None).

    Returns:
        list of ``(column name, count, examples)`` for columns with such cells, where
        ``examples`` is a sorted tuple of at most three of the values.
    """
    found = []
    for j, column in enumerate(text_columns(columns)):
        cells = text[:, j]
        present = cells != ""
        if column.kind == "categorical":
            new = present & ~np.isin(cells, list(column.vocabulary))
        elif column.kind == "boolean":
            new = present & ~np.isin(cells, list(column.true_values + column.false_values))
        else:
            new = present & np.isnan(dates.days(cells))
        if new.any():
            found.append((column.name, int(new.sum()), tuple(sorted(set(cells[new]))[:3])))
    return found
