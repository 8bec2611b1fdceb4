"""A column's cells summarised chunk after chunk: missing cells, numbers, values, dates.

``Summary`` holds what the checking pass (``tfcourse.data.reading``) learns of one column:
the statistics of its training rows and the first bad cell of all its rows, the same
whether the file is read whole or streamed. The helpers read a pandas column's cells as
missing, numbers or text.
"""

import collections

import numpy as np

from tfcourse.data import columns, dates

TYPO_SHARE = 0.1  # non-numbers under this share of a column's cells are typos, not categories
MAX_DISTINCT = 100000  # distinct values counted per column (beyond: counted as <other>)


class Moments(columns.Moments):
    """``columns.Moments`` of one column of numbers (1-D arrays)."""

    def __init__(self):
        super(Moments, self).__init__(1)

    def add(self, values):
        super(Moments, self).add(np.asarray(values, np.float64).reshape(-1, 1))

    def mean_var(self):
        """``(mean, population variance)`` as float (0. without numbers)."""
        mean, var = super(Moments, self).mean_var()
        return float(mean[0]), float(var[0])


def as_text(values):
    """A pandas column's cells as an object array of str (bools as ``True``/``False``, NaN
    kept as NaN)."""
    if values.dtype.kind == "O":
        return values
    if values.dtype.kind == "b":
        return np.where(values, "True", "False").astype(object)
    text = values.astype(str).astype(object)
    if values.dtype.kind == "f":
        text[np.isnan(values)] = np.nan
    return text


def _only_str(pd, values):
    """Whether an object column holds only str cells (and missing ones): pandas' C check."""
    return pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")


def str_cells(pd, values):
    """The present (not missing) cells of a pandas column as an object array of str."""
    values = as_text(values)
    if _only_str(pd, values):
        return np.asarray(values, object)
    return np.asarray(pd.Series(values).astype(str).values, object)


def missing_mask(pd, values):
    """``[rows]`` bool: cells pandas read as missing (``data.na_values``, an empty cell; the
    reader skips the spaces that begin a cell, so a blank one is empty too)."""
    if values.dtype.kind in "iub":
        return np.zeros(len(values), bool)
    if values.dtype.kind == "f":
        return np.isnan(values)
    return np.asarray(pd.isna(values), bool)


def numbers_of(pd, values):
    """float64 numbers of a pandas column (NaN where a cell is not a number; pandas' parser
    takes spaces around a number)."""
    if values.dtype.kind in "iuf":
        return values.astype(np.float64)
    if values.dtype.kind == "b":
        return np.full(len(values), np.nan)
    if pd.api.types.infer_dtype(values, skipna=True) == "boolean":  # True/False: never numbers
        return np.full(len(values), np.nan)
    return np.asarray(pd.to_numeric(pd.Series(values, dtype=object), errors="coerce"),
                      np.float64)


class Summary(object):
    """What one column holds, added chunk after chunk: statistics of its training rows, and
    the first bad cell of all its rows (so that a file read whole and streamed report the
    same one).

    Attributes:
        n, n_missing: training rows seen and of them missing cells.
        numbers: ``Moments`` of the training cells that are numbers; n_text: cells that are not.
        first_text: ``(line, cell)`` of the first cell (any row) that is not a number;
            first_infinite: of the first number not finite as float32; first_non_date: of
            the first cell that is not a date (None when there is none).
        counts: Counter of the training cells' text (at most ``MAX_DISTINCT`` distinct
            values; ``n_uncounted`` cells with values beyond); dates: ``Moments`` of the
            days of training cells that are dates, of which there were ``n_dates``.
        numeric_chunks: the numbers of a chunk are not in ``counts`` (pandas read the chunk
            as numbers, or it held numbers but for a few typos); a column then typed as text
            is read again as text (``read_as_text``), which counts every cell.
    """

    def __init__(self, name, read_as_text=False):
        self.name, self.read_as_text = name, read_as_text
        self.n = self.n_missing = self.n_text = self.n_dates = self.n_uncounted = 0
        self.numbers, self.dates = Moments(), Moments()
        self.first_text = self.first_infinite = self.first_non_date = None
        self.counts = collections.Counter()
        self.numeric_chunks = False

    def add(self, pd, values, missing, lines, train):
        """Adds a chunk: ``values`` (a pandas column), ``missing`` its mask, ``lines``
        ``[rows]`` the lines the rows start on, ``train`` ``[rows]`` bool: training rows."""
        self.n += int(train.sum())
        self.n_missing += int((missing & train).sum())
        present = ~missing
        numbers = numbers_of(pd, values[present])
        is_number = ~np.isnan(numbers)
        lines, train = lines[present], train[present]
        with np.errstate(over="ignore"):
            infinite = is_number & ~np.isfinite(numbers.astype(np.float32))
        if self.first_infinite is None and infinite.any():
            row = int(np.argmax(infinite))
            self.first_infinite = (int(lines[row]), _cell_text(values[present][row]))
        self.numbers.add(numbers[is_number & train & ~infinite])
        if values.dtype.kind in "iuf":
            self.numeric_chunks = self.numeric_chunks or bool(present.any())
            return
        cells = as_text(values[present])  # str, or (parts pandas typed as numbers) numbers
        not_number = np.flatnonzero(~is_number)
        text = str_cells(pd, cells[not_number])  # a number is never a date: only these parsed
        if self.first_text is None and len(not_number):
            self.first_text = (int(lines[not_number[0]]), text[0])
        self.n_text += int((~is_number & train).sum())
        if self.read_as_text or len(not_number) >= TYPO_SHARE * len(cells):
            self._count(pd, cells[train])
        else:  # numbers with a few typos: their numbers are counted only if read again as text
            self._count(pd, cells[not_number[train[not_number]]])
            self.numeric_chunks = True
        days = np.full(len(cells), np.nan)
        days[not_number] = dates.days(text)
        is_date = ~np.isnan(days)
        if self.first_non_date is None and not is_date.all():
            row = int(np.argmax(~is_date))
            self.first_non_date = (int(lines[row]), _cell_text(cells[row]))
        self.n_dates += int((is_date & train).sum())
        self.dates.add(days[is_date & train])

    def _count(self, pd, cells):
        """Counts the cells' values by their text (pandas' hashing; new values beyond
        ``MAX_DISTINCT`` are only counted in ``n_uncounted``)."""
        found = pd.Series(cells, dtype=object).value_counts(sort=False)
        if not len(found):
            return
        if not _only_str(pd, found.index.values):  # cells pandas typed as numbers: their text
            found = found.groupby(str_cells(pd, found.index.values)).sum()
        known = found.index.isin(list(self.counts)) if self.counts else np.zeros(len(found), bool)
        new = np.flatnonzero(~known)
        room = max(MAX_DISTINCT - len(self.counts), 0)
        take = np.concatenate([np.flatnonzero(known), new[:room]])
        self.n_uncounted += int(found.values[new[room:]].sum())
        self.counts.update(dict(zip(found.index[take].tolist(), found.values[take].tolist())))

    @property
    def n_present(self):
        return self.n - self.n_missing


def _cell_text(value):
    return value if isinstance(value, str) else str(value)
