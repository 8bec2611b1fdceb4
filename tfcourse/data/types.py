"""The data package's records: a data set in memory, a streamed file, a split."""

import collections

import numpy as np

Dataset = collections.namedtuple("Dataset", "x text y columns label classes source weight")
Dataset.__new__.__defaults__ = (None,)  # weight
Dataset.__doc__ = """A data set in memory, as a model takes it.

Attributes:
    x: ``[n_samples, n_numeric]`` float32, the numeric columns (NaN where missing).
    text: ``[n_samples, n_text]`` object array of str, the boolean, date and categorical
        columns (empty where missing), or None when there are none.
    y: ``[n_samples, 1]`` float32 targets, or class indices (``classes``), or None when
        the data have no label column (prediction input).
    columns: tuple of ``Column``, the model's input columns in order.
    label: name of the target (str).
    classes: tuple of str, the label's classes in index order (``y`` indexes them), or
        None for a numeric target.
    source: where the data came from, for messages (str).
    weight: ``[n_samples, 1]`` float32 row weights (``data.weight``), or None (all 1).
"""

Streamed = collections.namedtuple(
    "Streamed", "header plan decided n_rows n_train validation_fraction seed source")
Streamed.__doc__ = """A CSV file checked for streaming (its rows stay on disk).

Attributes:
    header: the file's ``csv_reader.Header`` (``header.path`` is the file).
    plan: the ``reading.Plan`` it was read with; decided: the ``reading.Decided`` columns,
        classes and statistics of its checking pass.
    n_rows, n_train: data rows in the file, and of them training rows (rows dropped for
        missing values excluded).
    validation_fraction, seed: what decides the held-out rows (``split.is_validation``).
    source: the file, for messages.
"""

Split = collections.namedtuple("Split", "train validation mean std notes warnings class_weights")
Split.__new__.__defaults__ = (None,)  # class_weights
Split.__doc__ = """Training and validation data with the training rows' statistics.

Attributes:
    train: a ``Dataset`` in memory, or a ``Streamed`` file.
    validation: a ``Dataset`` of the held-out rows, or None (no validation split).
    mean, std: ``[n_encoded]`` float32 z-score statistics of the training rows' encoded
        features (``encoded_names``; the std of a constant feature is 1), the same for
        both kinds of ``train``.
    notes: lines worth printing once (the columns' types, rows dropped, the positive class).
    warnings: lines to print as warnings (a column that looks like an identifier).
    class_weights: a weight per class in the loss (``data.class_weight``), or None.
"""

Column = collections.namedtuple(
    "Column", "name kind fill indicator vocabulary true_values false_values missing_category other")
Column.__doc__ = """One input column of a model, with what its training rows taught (saved in
``model.json``; the graph's encoder, ``tfcourse.features``, applies it).

Attributes:
    name: the CSV column's name (str).
    kind: "numeric", "boolean", "date" or "categorical" (``KINDS``).
    fill: what a missing cell becomes (float): the training rows' mean of the column's
        numbers (a boolean's 1./0., a date's days since 1970-01-01); None for a
        categorical column, or for a numeric column of a model saved before missing
        values were accepted (a missing cell is then an error).
    indicator: bool; the training rows had gaps in this numeric, boolean or date column,
        so a ``<name>_missing`` feature (1. where the cell is missing) follows it.
    vocabulary: tuple of str (categorical): the categories, most frequent in the training
        rows first (ties in sorted order), at most ``data.max_categories``; () otherwise.
    true_values, false_values: tuples of str (boolean): the spellings read as 1. and 0.
    missing_category: bool (categorical): the training rows had gaps, so a
        ``<name>=<missing>`` feature follows the vocabulary's.
    other: bool (categorical): training rows held categories beyond the vocabulary, so an
        ``<name>=<other>`` feature (out-of-vocabulary bucket) comes last.

Raw inputs (what every graph takes): the numeric columns, in order, as ``x``
``[batch, n_numeric]`` float32 (NaN where missing); the boolean, date and categorical
columns, in order, as ``x_text`` ``[batch, n_text]`` string (a cell in ``na_values`` or
empty is missing). A category, boolean spelling or date the training rows did not have
counts as ``<other>`` (categorical, when the column has it; else all its features are 0)
or as missing (boolean, date).
"""

KINDS = ("numeric", "boolean", "date", "categorical")
TEXT_KINDS = ("boolean", "date", "categorical")
MISSING_CATEGORY = "<missing>"
OTHER_CATEGORY = "<other>"
# data.na_values' default: cells read as missing (an empty cell always is)
DEFAULT_NA_VALUES = ("NA", "N/A", "NaN", "nan", "null", "None", "?")


def numeric_column(name, fill=None, indicator=False):
    """A numeric ``Column`` (the only kind of a model saved before column types existed)."""
    return Column(name, "numeric", fill, indicator, (), (), (), False, False)


def as_columns(columns):
    """``columns`` (a sequence of ``Column``), or for an int n, n numeric columns
    ``x1``..``xn`` without gaps (fill 0.): the course's plain feature matrix."""
    if isinstance(columns, int):
        return tuple(numeric_column("x{}".format(i + 1), 0.0) for i in range(columns))
    return tuple(columns)


def numeric_dataset(x, y=None, label="y", source="arrays"):
    """A ``Dataset`` of a plain ``[n, d]`` float32 feature matrix (``as_columns(d)``)."""
    return Dataset(x=np.asarray(x, np.float32), text=None,
                   y=None if y is None else np.asarray(y, np.float32).reshape(-1, 1),
                   columns=as_columns(np.shape(x)[1]), label=label, classes=None, source=source)


def rows_of(dataset, index):
    """The ``Dataset`` of some of ``dataset``'s rows (``index``: ints, a slice or a mask)."""
    def part(array):
        return None if array is None else array[index]
    return dataset._replace(x=dataset.x[index], text=part(dataset.text), y=part(dataset.y),
                            weight=part(dataset.weight))


def numeric_columns(columns):
    """The columns read as numbers into ``x``, in order."""
    return tuple(column for column in columns if column.kind not in TEXT_KINDS)


def text_columns(columns):
    """The columns read as text into ``x_text``, in order."""
    return tuple(column for column in columns if column.kind in TEXT_KINDS)


def encoded_names(columns):
    """Names of the encoded features the model's weights belong to, in the graph's order.

    numeric, boolean, date: ``name`` (a date: days since 1970-01-01), then
    ``name_missing`` with ``indicator``; categorical: ``name=value`` for each category of
    the vocabulary, then ``name=<missing>`` and ``name=<other>`` when the column has them.
    """
    names = []
    for column in columns:
        if column.kind == "categorical":
            names += ["{}={}".format(column.name, value) for value in column.vocabulary]
            if column.missing_category:
                names.append("{}={}".format(column.name, MISSING_CATEGORY))
            if column.other:
                names.append("{}={}".format(column.name, OTHER_CATEGORY))
        else:
            names.append(column.name)
            if column.indicator:
                names.append(column.name + "_missing")
    return tuple(names)
