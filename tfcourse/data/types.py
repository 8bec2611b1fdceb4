"""The data package's records: a data set in memory, a streamed file, a split."""

import collections

Dataset = collections.namedtuple("Dataset", "x y feature_names label source")
Dataset.__doc__ = """A data set in memory.

Attributes:
    x: ``[n_samples, n_features]`` float32 features.
    y: ``[n_samples, 1]`` float32 targets or 0./1. labels, or None when
        the data have no label column (prediction input).
    feature_names: tuple of str, one per column of ``x``.
    label: name of the target (str).
    source: where the data came from, for messages (str).
"""

Streamed = collections.namedtuple(
    "Streamed", "header columns feature_names label n_rows n_train validation_fraction seed "
                "source")
Streamed.__doc__ = """A CSV file checked for streaming (its rows stay on disk).

Attributes:
    header: the file's ``csv_reader.Header`` (``header.path`` is the file).
    columns: 0-based CSV columns read: the features, then the label.
    feature_names: tuple of str; label: str.
    n_rows, n_train: data rows in the file, and of them rows for training.
    validation_fraction, seed: what decides the held-out rows (``split.is_validation``).
    source: the file, for messages.
"""

Split = collections.namedtuple("Split", "train validation mean std")
Split.__doc__ = """Training and validation data with the training rows' statistics.

Attributes:
    train: a ``Dataset`` in memory, or a ``Streamed`` file.
    validation: a ``Dataset`` of the held-out rows, or None (no validation split).
    mean, std: ``[n_features]`` float32 z-score statistics of the training rows (the std
        of a constant column is 1), the same for both kinds of ``train``.
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
