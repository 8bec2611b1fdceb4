"""Column types from the training rows, and what each column teaches a model.

Every feature column is summarised over the training rows (``summary.Summary``, chunk
after chunk: the same in memory and when streaming), then given a type (``decide``):

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

import numpy as np

from tfcourse.data.summary import TYPO_SHARE
from tfcourse.data.types import Column
from tfcourse.errors import DataError

TRUE_WORDS = ("true", "yes", "t", "y")
FALSE_WORDS = ("false", "no", "f", "n")
IDENTIFIER_SHARE = 0.9  # distinct values on this share of the rows: an identifier


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
