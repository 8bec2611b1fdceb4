"""Columns: which CSV columns are features and label, and their statistics.

The statistics come from one routine (``Moments``) for data in memory and for a
streamed file alike, chunk after chunk.
"""

import difflib

import numpy as np

from tfcourse.errors import DataError


def index_of(header, name):
    """0-based index of column ``name`` in ``header`` (a ``csv_reader.Header``), or None."""
    return header.names.index(name) if name in header.names else None


def did_you_mean(header, names):
    """`` (did you mean 'year'?)`` for the first of ``names`` close to a column, or ""."""
    for name in names:
        close = difflib.get_close_matches(name, header.names, n=1)
        if close:
            return " (did you mean '{}'?)".format(close[0])
    return ""


def label_column(header, label):
    """The label's column index; DataError naming the columns when the file lacks it."""
    index = index_of(header, label)
    if index is None:
        raise DataError("{}: label column '{}' not found{}; columns are: {}".format(
            header.path, label, did_you_mean(header, [label]), ", ".join(header.names)))
    return index


def select_features(header, label, features=None):
    """The feature column names: ``features`` if given, else every column but the label.

    Raises:
        DataError: a named column is missing, the label is listed, a name repeats,
            or no feature column is left.
    """
    if features:
        missing = [name for name in features if index_of(header, name) is None]
        if missing:
            raise DataError("{}: feature column(s) {} not found; columns are: {}".format(
                header.path, ", ".join(repr(name) for name in missing), ", ".join(header.names)))
        if label in features:
            raise DataError("{}: column '{}' is both the label and a feature".format(
                header.path, label))
        repeated = sorted(set(name for name in features if list(features).count(name) > 1))
        if repeated:
            raise DataError("{}: feature column(s) {} listed more than once".format(
                header.path, ", ".join(repr(name) for name in repeated)))
        return tuple(features)
    names = tuple(name for name in header.names if name != label)
    if not names:
        raise DataError("{}: no feature column: the only column is the label '{}'".format(
            header.path, label))
    return names


def model_columns(header, feature_names, label, require_label=True):
    """Column indices of a trained model's features, then its label when the file has it.

    Returns:
        ``(indices, has_label)``.

    Raises:
        DataError: a feature column is missing, or the label when ``require_label``.
    """
    missing = [name for name in feature_names if index_of(header, name) is None]
    if missing:
        raise DataError("{}: the model's feature column(s) {} are missing; the model has {}, "
                        "the file has {}".format(header.path, ", ".join(missing),
                                                 ", ".join(feature_names), ", ".join(header.names)))
    has_label = index_of(header, label) is not None
    if require_label and not has_label:
        label_column(header, label)
    indices = [index_of(header, name) for name in feature_names]
    return indices + ([index_of(header, label)] if has_label else []), has_label


class Moments(object):
    """Mean and standard deviation of the rows ``add`` ed, chunk after chunk.

    Sums of ``x - shift`` in float64, where ``shift`` is the first row: exact for data far
    from 0, and independent of how the rows are cut into chunks up to float64 rounding.
    """

    def __init__(self, n_features):
        self.n = 0
        self.shift = None
        self.total = np.zeros(n_features)
        self.total_sq = np.zeros(n_features)

    def add(self, x):
        """Adds ``[rows, n_features]`` rows."""
        if not len(x):
            return
        x = np.asarray(x, np.float64)
        if self.shift is None:
            self.shift = x[0].copy()
        centred = x - self.shift
        self.n += len(x)
        self.total += centred.sum(axis=0)
        self.total_sq += (centred ** 2).sum(axis=0)

    def mean_var(self):
        """``(mean, population variance)``, each ``[n_features]`` float64 (0 without rows)."""
        if not self.n:
            return np.zeros_like(self.total), np.zeros_like(self.total)
        mean = self.total / self.n
        return self.shift + mean, np.maximum(self.total_sq / self.n - mean ** 2, 0.0)

    def result(self):
        """``(mean, std)``, each ``[n_features]`` float32; std 1 for a constant column."""
        mean = self.total / self.n
        std = np.sqrt(np.maximum(self.total_sq / self.n - mean ** 2, 0.0))
        std[std == 0] = 1.0
        return (self.shift + mean).astype(np.float32), std.astype(np.float32)


def standardization(x):
    """Z-score statistics of ``x`` (``[n, d]``): per-column mean and population standard deviation.

    Returns:
        ``(mean, std)``, each ``[d]`` float32 (std 1 for a constant column, so it maps to 0).
    """
    moments = Moments(x.shape[1])
    moments.add(x)
    return moments.result()
