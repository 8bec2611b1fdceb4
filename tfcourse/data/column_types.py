"""Column types from the training rows, and what each column teaches a model.

Every feature column is summarised over the training rows (``Summary``, chunk after
chunk: the same in memory and when streaming), then given a type (``decide``):

    numeric      every cell that is not missing is a number
    boolean      at most two values, spelled true/false, yes/no, t/f or y/n (any case)
    date         every cell is an ISO date ``2012-01-01`` or ``2012/01/01`` (a time may
                 follow); the model sees days since 1970-01-01 (``tfcourse.data.dates``)
    categorical  anything else (and integers when ``data.columns`` says so)
    ignore       only when ``data.columns`` or ``data.ignore`` says so, or no training row
                 has a value

A column whose cells are numbers but for a few (under ``TYPO_SHARE``) is numeric with a
bad cell: the first is reported with its line, and how to read the column as categories.
The encoded features' standardisation statistics follow from the summaries in closed
form (``encoded_statistics``), so streamed files need no second pass.
"""

import collections

import numpy as np

from tfcourse.data import columns, dates
from tfcourse.data.types import Column, MISSING_CATEGORY, OTHER_CATEGORY  # noqa: F401
from tfcourse.errors import DataError

TRUE_WORDS = ("true", "yes", "t", "y")
FALSE_WORDS = ("false", "no", "f", "n")
TYPO_SHARE = 0.1  # non-numbers under this share of a column's cells are typos, not categories
IDENTIFIER_SHARE = 0.9  # distinct values on this share of the rows: an identifier
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


def _boolean_spellings(summary):
    """``(true_values, false_values)`` when the column's values are boolean words, else None."""
    words = set(value.strip().lower() for value in summary.counts)
    if summary.n_uncounted or not words or not words <= set(TRUE_WORDS + FALSE_WORDS):
        return None
    if len(words) > 2 or (words & set(TRUE_WORDS) and len(words & set(TRUE_WORDS)) > 1):
        return None
    true, false = [], []
    for value in sorted(summary.counts):
        (true if value.strip().lower() in TRUE_WORDS else false).append(value)
    for found, words in ((true, TRUE_WORDS), (false, FALSE_WORDS)):  # the graph compares exact
        for word in words:  # strings: every boolean word in three cases, as well as the file's
            for spelling in (word, word.capitalize(), word.upper()):
                if spelling not in found:
                    found.append(spelling)
    return tuple(true), tuple(false)


def guess_kind(summary):
    """The type the training rows give a column (see the module docstring), or "ignore"
    when no row has a value."""
    if not summary.n_present:
        return "ignore"
    if not summary.n_text and summary.first_text is None:
        return "numeric"
    if _boolean_spellings(summary) is not None:
        return "boolean"
    if summary.n_dates >= (1 - TYPO_SHARE) * summary.n_present:
        return "date"  # a few cells that are not dates: reported as bad cells
    if summary.n_text < TYPO_SHARE * summary.n_present:
        return "numeric"  # a few typos in a numeric column: reported as bad cells
    return "categorical"


def decide(summary, kind, max_categories, path, column_number):
    """The ``Column`` for a summarised column of type ``kind`` (``guess_kind`` or
    ``data.columns``), and a warning or None.

    Raises:
        DataError: a numeric column holds a cell that is not a number (named with its line,
            and how to read the column as categories); a date or boolean column holds
            another value.
    """
    where = "{}:{}:{} (column '{}')".format(path, "{}", column_number, summary.name)
    indicator = summary.n_missing > 0
    if kind == "numeric":
        if summary.first_text is not None:
            line, cell = summary.first_text
            raise DataError("{}: {!r} is not a number ({} of the column's {} training values "
                            "are numbers; data.columns: {{{}: categorical}} reads it as "
                            "categories)".format(where.format(line), cell,
                                                 summary.n_present - summary.n_text,
                                                 summary.n_present, summary.name))
        if summary.first_infinite is not None:
            line, cell = summary.first_infinite
            raise DataError("{}: {!r} is not finite (as float32)".format(where.format(line), cell))
        return Column(summary.name, "numeric", summary.numbers.mean_var()[0], indicator, (), (),
                      (), False, False), None
    if kind == "boolean":
        spellings = _boolean_spellings(summary)
        if spellings is None:
            raise DataError("{}: expected boolean values (true/false, yes/no), found {}".format(
                "{} (column '{}')".format(path, summary.name), _some(summary.counts)))
        n_true = sum(count for value, count in summary.counts.items() if value in spellings[0])
        return Column(summary.name, "boolean", n_true / float(summary.n_present), indicator, (),
                      spellings[0], spellings[1], False, False), None
    if kind == "date":
        if summary.first_non_date is not None:
            line, cell = summary.first_non_date
            raise DataError("{}: {!r} is not a date (YYYY-MM-DD or YYYY/MM/DD; data.columns: "
                            "{{{}: categorical}} reads the column as categories)".format(
                                where.format(line), cell, summary.name))
        return Column(summary.name, "date", summary.dates.mean_var()[0], indicator, (), (), (),
                      False, False), None
    ranked = sorted(summary.counts.items(), key=lambda item: (-item[1], item[0]))
    vocabulary = tuple(value for value, _ in ranked[:max_categories])
    other = len(ranked) > max_categories or summary.n_uncounted > 0
    warning = None
    if (len(ranked) > max_categories and
            len(ranked) + summary.n_uncounted >= IDENTIFIER_SHARE * summary.n_present):
        warning = ("column '{}' looks like an identifier ({} distinct values in {} training "
                   "rows): add it to data.ignore unless it carries meaning".format(
                       summary.name, len(ranked) + (summary.n_uncounted and 1),
                       summary.n_present))
    elif other:
        kept = sum(count for _, count in ranked[:max_categories])
        warning = ("column '{}': {}{} categories; the {} most frequent cover {:.0%} of the "
                   "training rows with a value, the others share <other> (raise "
                   "data.max_categories to keep more)".format(
                       summary.name, "over " if summary.n_uncounted else "", len(ranked),
                       max_categories, kept / float(summary.n_present)))
    return Column(summary.name, "categorical", None, False, vocabulary, (), (), indicator,
                  other), warning


def _some(counts, limit=5):
    values = sorted(counts)[:limit]
    return ", ".join(repr(value) for value in values) + (", ..." if len(counts) > limit else "")


def encoded_statistics(columns, summaries):
    """Mean and standard deviation of each encoded feature over the training rows, in the
    order of ``types.encoded_names(columns)``, from the summaries alone.

    A filled numeric column keeps its mean and has variance ``var·n_present/n`` (each
    filled cell adds no deviation); an indicator or a one-hot feature with share ``p`` of
    the rows has mean ``p`` and variance ``p(1 - p)``.

    Returns:
        ``(mean, std)``, each ``[n_encoded]`` float32; the std of a constant feature is 1.
    """
    means, variances = [], []

    def share(count, n):
        p = count / float(n) if n else 0.0
        means.append(p)
        variances.append(p * (1.0 - p))

    for column, summary in zip(columns, summaries):
        n = summary.n
        if column.kind == "categorical":
            for value in column.vocabulary:
                share(summary.counts[value], n)
            if column.missing_category:
                share(summary.n_missing, n)
            if column.other:
                share(summary.n_present - sum(summary.counts[v] for v in column.vocabulary), n)
            continue
        if column.kind == "boolean":
            p = column.fill
            mean, var = p, p * (1.0 - p)
        else:
            mean, var = (summary.dates if column.kind == "date" else summary.numbers).mean_var()
        means.append(mean)
        variances.append(var * summary.n_present / float(n) if n else 0.0)
        if column.indicator:
            share(summary.n_missing, n)
    std = np.sqrt(np.asarray(variances, np.float64))
    std[std == 0] = 1.0
    return np.asarray(means, np.float32), std.astype(np.float32)


def describe(columns, ignored=()):
    """One line naming each column's type: ``island categorical (3), bill_length_mm numeric
    (gaps: mean + indicator), date date, ...``."""
    parts = []
    for column in columns:
        detail = ""
        if column.kind == "categorical":
            detail = " ({} categor{}{}{})".format(
                len(column.vocabulary), "y" if len(column.vocabulary) == 1 else "ies",
                ", <missing>" if column.missing_category else "",
                ", <other>" if column.other else "")
        elif column.indicator:
            detail = " (gaps: filled with the mean, plus {}_missing)".format(column.name)
        parts.append("{} {}{}".format(column.name, column.kind, detail))
    parts += ["{} ignored".format(name) for name in ignored]
    return ", ".join(parts)
