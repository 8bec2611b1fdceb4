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
