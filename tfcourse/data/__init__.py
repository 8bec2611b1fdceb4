"""Data sets as float32 numpy arrays: the course data, synthetic classes, CSV files.

Data never becomes a graph constant: the trainer places these arrays in the
session once (see ``tfcourse.graph``). CSV files are parsed with the standard
library's ``csv`` module, which keeps exact line numbers for error messages;
every check runs before anything is created on disk.
"""

import collections
import contextlib
import csv
import math

import numpy as np

from tfcourse.errors import DataError, UsageError

TRUE_WEIGHT = 0.8
TRUE_BIAS = 0.7
CLASSIFICATION_FEATURES = 5

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

Split = collections.namedtuple("Split", "train validation")
Split.__doc__ = """Training data and validation data (``validation`` is None when not split)."""


def course_data(n_samples, seed):
    """The course's linear-regression data: x ~ N(0, 1), y = 0.8·x + 0.7, no noise.

    Returns:
        a ``Dataset`` with one feature ``x`` and target ``y``.
    """
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(n_samples, 1)).astype(np.float32)
    y = (TRUE_WEIGHT * x + TRUE_BIAS).astype(np.float32)
    return Dataset(x=x, y=y, feature_names=("x",), label="y",
                   source="built-in course data (y = 0.8*x + 0.7)")


def classification_data(n_samples, seed):
    """A synthetic two-class set: x ~ N(0, I_5), P(y = 1 | x) = sigmoid(x·w + 0.5).

    ``w`` is drawn from N(0, 1) with the same seed; labels are sampled, so the
    classes overlap (the data are not linearly separable).

    Returns:
        a ``Dataset`` with features ``x1..x5`` and 0./1. labels ``y``.
    """
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(n_samples, CLASSIFICATION_FEATURES))
    true_weights = rng.normal(size=(CLASSIFICATION_FEATURES, 1))
    probabilities = 1.0 / (1.0 + np.exp(-(x.dot(true_weights) + 0.5)))
    y = (rng.uniform(size=(n_samples, 1)) < probabilities).astype(np.float32)
    names = tuple("x{}".format(i + 1) for i in range(CLASSIFICATION_FEATURES))
    return Dataset(x=x.astype(np.float32), y=y, feature_names=names, label="y",
                   source="built-in two-class data")


Table = collections.namedtuple("Table", "path header rows lines")
Table.__doc__ = """A CSV file's text: ``header`` (list of str), ``rows`` (lists of str) and the
1-based line number where each row starts (``lines``)."""


def read_table(path):
    """Reads a CSV file with a header row (UTF-8, an optional byte-order mark, any line endings).

    Blank lines are skipped; every other row must have as many fields as the header.

    Raises:
        DataError: unreadable or empty file, duplicate or empty column names,
            or a ragged row (naming the file and line).
    """
    with open_rows(path) as (header, rows_with_lines):
        rows, lines = [], []
        for line, row in rows_with_lines:
            rows.append(row)
            lines.append(line)
    if not rows:
        raise DataError("{}: no data rows after the header".format(path))
    return Table(path=path, header=header, rows=rows, lines=lines)


@contextlib.contextmanager
def open_rows(path):
    """Opens a CSV file for reading row by row, in constant memory.

    Yields:
        ``(header, rows)``: the checked header (list of str) and an iterator of
        ``(line, row)`` with the 1-based line where each non-blank row starts.

    Raises:
        DataError: as ``read_table``, when reached.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(_without_nul(path, handle))
            header = next(reader, None)
            while header == []:  # blank lines before the header
                header = next(reader, None)
            if not header:
                raise DataError("{}: empty file, expected a header row".format(path))
            header = _check_header(path, reader.line_num, header)
            yield header, _rows(path, reader, len(header))
    except OSError as err:
        raise DataError("{}: cannot read: {}".format(path, err.strerror or err))
    except UnicodeDecodeError:
        raise DataError(_not_utf8(path))
    except csv.Error as err:
        raise DataError("{}:{}: malformed CSV: {}".format(path, reader.line_num, err))


def _without_nul(path, lines):
    """The lines of a text file; a NUL character is an error on every Python.

    (The csv module refuses NUL up to Python 3.10, with a wording that varies, and reads it as
    text from 3.11 on.)

    Raises:
        DataError: naming the file and the line holding the NUL.
    """
    for number, line in enumerate(lines, 1):
        if "\0" in line:
            raise DataError("{}:{}: malformed CSV: line contains NULL byte".format(path, number))
        yield line


def _check_header(path, line, header):
    header = [name.strip() for name in header]
    for column, name in enumerate(header, 1):
        if not name:
            raise DataError("{}:{}:{}: empty column name".format(path, line, column))
        if header.index(name) != column - 1:
            raise DataError("{}:{}:{}: duplicate column name '{}'".format(
                path, line, column, name))
    return header


def _rows(path, reader, n_fields):
    line = reader.line_num + 1
    for row in reader:
        if row:
            if len(row) != n_fields:
                raise DataError("{}:{}: expected {} fields as in the header, found {}".format(
                    path, line, n_fields, len(row)))
            yield line, row
        line = reader.line_num + 1


def _not_utf8(path):
    """The message for a file that is not UTF-8, with the line and file offset of the first bad byte.

    (The text reader decodes in chunks, so its error offset is relative to a chunk.)
    """
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        raw.decode("utf-8")
        start = len(raw)
    except UnicodeDecodeError as err:
        start = err.start
    prefix = raw[:start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return "{}:{}: not UTF-8 text (byte {})".format(path, prefix.count(b"\n") + 1, start)


def _column(table, name):
    try:
        return table.header.index(name)
    except ValueError:
        return None


def cell_value(path, line, header, row, index):
    """The float value of ``row[index]``; DataError naming file, line and column if it is
    missing, not a number, or not finite in float32."""
    cell = row[index].strip()
    where = "{}:{}:{} (column '{}')".format(path, line, index + 1, header[index])
    if not cell:
        raise DataError("{}: missing value".format(where))
    try:
        if "_" in cell:  # float() accepts 1_000; a CSV number should not
            raise ValueError(cell)
        value = float(cell)
    except ValueError:
        raise DataError("{}: {!r} is not a number".format(where, cell))
    with np.errstate(over="ignore"):  # numpy >= 1.24 warns when the cast overflows
        as_float32 = np.float32(value)
    if not math.isfinite(value) or not math.isfinite(as_float32):
        raise DataError("{}: {!r} is not finite (as float32)".format(where, cell))
    return value


def _matrix(table, names):
    """The columns ``names`` as a ``[n_rows, len(names)]`` float32 array.

    Cells are checked in reading order, so the first bad cell of the file is the one reported.
    """
    indices = [_column(table, name) for name in names]
    values = np.empty((len(table.rows), len(names)), np.float32)
    for i in range(len(table.rows)):
        for j, index in enumerate(indices):
            values[i, j] = cell_value(table.path, table.lines[i], table.header, table.rows[i],
                                      index)
    return values


def select_features(table, label, features=None):
    """The feature column names: ``features`` if given, else every column but the label.

    Raises:
        DataError: a named column is missing, or no feature column is left.
    """
    if features:
        missing = [name for name in features if _column(table, name) is None]
        if missing:
            raise DataError("{}: feature column(s) {} not found; columns are: {}".format(
                table.path, ", ".join(repr(name) for name in missing), ", ".join(table.header)))
        if label in features:
            raise DataError("{}: column '{}' is both the label and a feature".format(
                table.path, label))
        repeated = sorted(set(name for name in features if features.count(name) > 1))
        if repeated:
            raise DataError("{}: feature column(s) {} listed more than once".format(
                table.path, ", ".join(repr(name) for name in repeated)))
        return tuple(features)
    names = tuple(name for name in table.header if name != label)
    if not names:
        raise DataError("{}: no feature column: the only column is the label '{}'".format(
            table.path, label))
    return names


def to_dataset(table, feature_names, label, model, require_label=True):
    """Converts a ``Table`` into a ``Dataset`` with the given feature columns.

    Args:
        table: a ``Table``.
        feature_names: the columns to use as features, in order.
        label: the label column's name.
        model: "linear" or "logistic" (logistic labels must be 0 or 1).
        require_label: when False, a missing label column gives ``y = None``.

    Raises:
        DataError: unknown label column, missing, non-numeric or non-finite
            cells, or labels other than 0/1 for logistic regression.
    """
    missing = [name for name in feature_names if _column(table, name) is None]
    if missing:
        raise DataError("{}: the model's feature column(s) {} are missing; the model has {}, "
                        "the file has {}".format(table.path, ", ".join(missing),
                                                 ", ".join(feature_names), ", ".join(table.header)))
    has_label = _column(table, label) is not None
    if require_label and not has_label:
        raise DataError("{}: label column '{}' not found; columns are: {}".format(
            table.path, label, ", ".join(table.header)))
    values = _matrix(table, list(feature_names) + ([label] if has_label else []))
    x, y = values[:, :len(feature_names)], None
    if has_label:
        y = values[:, -1:]
        if model == "logistic":
            _check_binary(table, label, y)
    return Dataset(x=np.ascontiguousarray(x), y=np.ascontiguousarray(y) if has_label else None,
                   feature_names=tuple(feature_names), label=label, source=table.path)


def _check_binary(table, label, y):
    bad = np.flatnonzero((y != 0) & (y != 1))
    if bad.size:
        found = ", ".join("{:g}".format(value) for value in np.unique(y[bad])[:5])
        raise DataError("{}:{}:{} (column '{}'): labels must be 0 or 1 for logistic regression, "
                        "found {}".format(table.path, table.lines[bad[0]],
                                          _column(table, label) + 1, label, found))


def read_csv(path, label, features=None, model="linear"):
    """Reads a labelled CSV file into a ``Dataset`` (see ``read_table``, ``to_dataset``)."""
    table = read_table(path)
    if _column(table, label) is None:
        raise DataError("{}: label column '{}' not found; columns are: {}".format(
            path, label, ", ".join(table.header)))
    return to_dataset(table, select_features(table, label, features), label, model)


def split(dataset, validation_fraction, seed):
    """Shuffles with ``seed`` and splits off ``validation_fraction`` of the rows.

    Returns:
        a ``Split``; ``validation`` is None when the fraction is 0.

    Raises:
        DataError: the fraction leaves no row on one side.
    """
    if not validation_fraction:
        return Split(dataset, None)
    n_samples = len(dataset.x)
    n_validation = int(round(n_samples * validation_fraction))
    if n_validation < 1 or n_validation >= n_samples:
        raise DataError("{}: validation_fraction {} of {} rows leaves {} for validation and {} for "
                        "training; both need at least one".format(
                            dataset.source, validation_fraction, n_samples, n_validation,
                            n_samples - n_validation))
    order = np.random.RandomState(seed).permutation(n_samples)
    parts = []
    for rows in (order[n_validation:], order[:n_validation]):
        parts.append(dataset._replace(x=dataset.x[rows], y=dataset.y[rows]))
    return Split(*parts)


def standardization(x):
    """Z-score statistics of ``x`` (``[n, d]``): per-column mean and standard deviation.

    A constant column gets a standard deviation of 1 so it maps to 0, not NaN.

    Returns:
        ``(mean, std)``, each ``[d]`` float32.
    """
    mean = x.mean(axis=0, dtype=np.float64)
    std = x.std(axis=0, dtype=np.float64)
    std[std == 0] = 1.0
    return mean.astype(np.float32), std.astype(np.float32)


def load(data_config, model, seed):
    """Loads and splits the data set a config asks for.

    Args:
        data_config: a ``tfcourse.config.DataConfig``.
        model: "linear" or "logistic".
        seed: the run's seed (int).

    Returns:
        a ``Split``.

    Raises:
        UsageError: ``data.label`` missing for a CSV file.
        DataError: the data fail a check (see ``read_table``, ``to_dataset``).
    """
    if data_config.path is None:
        n_samples = data_config.n_samples or (100 if model == "linear" else 500)
        if model == "linear":
            dataset = course_data(n_samples, seed)
        else:
            dataset = classification_data(n_samples, seed)
    else:
        if not data_config.label:
            raise UsageError("data.label: the label column's name is needed with data.path "
                             "({})".format(data_config.path))
        dataset = read_csv(data_config.path, data_config.label, data_config.features, model)
    return split(dataset, validation_fraction(data_config, model), seed)


def validation_fraction(data_config, model):
    """The configured fraction, or the default: 0 for the course's linear data, else 0.2."""
    if data_config.validation_fraction is not None:
        return data_config.validation_fraction
    return 0.0 if (data_config.path is None and model == "linear") else 0.2


def standardize_enabled(data_config):
    """The configured choice, or the default: on for CSV data, off for built-in data."""
    if data_config.standardize is not None:
        return data_config.standardize
    return data_config.path is not None
