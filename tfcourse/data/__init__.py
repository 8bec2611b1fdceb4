"""Data for training and prediction: built-in sets and CSV files, in memory or streamed.

    builtin      the course's line and synthetic classes
    csv_reader   the one CSV reader (pandas over blocks of whole records; layout: where they are)
    columns      feature and label columns, the statistics, the model's label check
    split        the one split, decided per row by a seeded hash of its index
    batches      minibatches in memory, streamed, and sharded between workers

``load`` gives a ``Split`` for a resolved ``data`` config: the same rows, checks,
messages, held-out rows and statistics whether the file is read whole or streamed.
Data never become a graph constant: the trainer places arrays in the session once or
streams minibatches through ``tf.data``. This package imports neither TensorFlow nor
the models: a model's label check is handed in as ``label_error(y) -> None or
(row, message)``.
"""

import numpy as np

from tfcourse.data import builtin, columns, csv_reader, split as split_lib
from tfcourse.data.builtin import TRUE_BIAS, TRUE_WEIGHT, classification_data, course_data  # noqa
from tfcourse.data.columns import standardization  # noqa: F401  (part of this package's API)
from tfcourse.data.types import Dataset, Split, Streamed  # noqa: F401
from tfcourse.errors import UsageError

MAX_VALIDATION_ROWS = 100000


def load(data_config, seed, builtin_data="course", label_error=None, block_bytes=None):
    """Loads, checks and splits the data a resolved config asks for.

    Args:
        data_config: a resolved ``tfcourse.config.DataConfig`` (no nulls left but
            ``path``, ``label``, ``features``, ``batch_size``; see ``config.resolve``).
        seed: the run's seed (int): built-in data and the split.
        builtin_data: the model's built-in set without a CSV file ("course" or "classes").
        label_error: the model's label check (``label_error(y) -> None or (row, message)``
            on ``[n, 1]`` float32 labels), or None.
        block_bytes: bytes of the file read at a time, or None: ``csv_reader.BLOCK_BYTES``
            reading it whole, ``csv_reader.STREAM_BLOCK_BYTES`` streaming it.

    Returns:
        a ``Split``: ``train`` a ``Dataset``, or a ``Streamed`` file when
        ``data_config.stream``; validation at most ``MAX_VALIDATION_ROWS`` rows when streamed.

    Raises:
        UsageError: ``data.label`` missing for a CSV file, ``data.stream`` without a file.
        DataError: the data fail a check (see ``csv_reader``), or a side of the split is empty.
    """
    if data_config.path is None:
        if data_config.stream:
            raise UsageError("data.stream: true needs a CSV file in data.path")
        dataset = builtin.SETS[builtin_data](data_config.n_samples, seed)
        return split_dataset(dataset, data_config.validation_fraction, seed)
    if not data_config.label:
        raise UsageError("data.label: the label column's name is needed with data.path "
                         "({})".format(data_config.path))
    if data_config.stream:
        return scan(data_config.path, data_config.label, data_config.features, label_error,
                    data_config.validation_fraction, seed,
                    block_bytes or csv_reader.STREAM_BLOCK_BYTES)
    dataset = read_csv(data_config.path, data_config.label, data_config.features, label_error,
                       block_bytes or csv_reader.BLOCK_BYTES)
    return split_dataset(dataset, data_config.validation_fraction, seed)


def split_dataset(dataset, validation_fraction, seed):
    """Splits a ``Dataset`` with ``split.is_validation`` and computes the training statistics.

    Returns:
        a ``Split`` (``validation`` None when the fraction is 0).

    Raises:
        DataError: a side of the split is empty.
    """
    n_rows = len(dataset.x)
    held = split_lib.is_validation(np.arange(n_rows), validation_fraction, seed)
    split_lib.check_sizes(dataset.source, n_rows, int(held.sum()), validation_fraction)
    if validation_fraction:
        train = dataset._replace(x=dataset.x[~held], y=dataset.y[~held])
        validation = dataset._replace(x=dataset.x[held], y=dataset.y[held])
    else:
        train, validation = dataset, None
    mean, std = standardization(train.x)
    return Split(train=train, validation=validation, mean=mean, std=std)


def _columns(path, label, features):
    header = csv_reader.read_header(path)
    columns.label_column(header, label)
    feature_names = columns.select_features(header, label, features)
    indices = [columns.index_of(header, name) for name in feature_names]
    return header, feature_names, indices + [columns.index_of(header, label)]


def read_csv(path, label, features=None, label_error=None, block_bytes=csv_reader.BLOCK_BYTES):
    """Reads a labelled CSV file whole into a ``Dataset``.

    Args:
        features: the feature columns in order, or None for every column but ``label``.
        label_error: the model's label check, or None.

    Raises:
        DataError: see ``csv_reader`` and ``columns``.
    """
    header, feature_names, indices = _columns(path, label, features)
    return _read_dataset(header, indices, feature_names, label, label_error, block_bytes)


def read_model_input(path, feature_names, label, label_error=None, require_label=True):
    """Reads a file for a trained model: its feature columns (by name) and label if present.

    Returns:
        ``(dataset, header)``: a ``Dataset`` (``y`` None without a label column) and the
        file's ``csv_reader.Header``.

    Raises:
        DataError: missing columns (the label only when ``require_label``), bad cells.
    """
    header = csv_reader.read_header(path)
    indices, has_label = columns.model_columns(header, feature_names, label, require_label)
    dataset = _read_dataset(header, indices, tuple(feature_names), label,
                            label_error if has_label else None, csv_reader.BLOCK_BYTES,
                            has_label)
    return dataset, header


def _read_dataset(header, indices, feature_names, label, label_error, block_bytes,
                  has_label=True):
    check = columns.LabelCheck(header, label, label_error)
    chunk = csv_reader.read_all(header, indices, block_bytes)
    values = chunk.values
    if has_label:
        check.add(values[:, -1], chunk.lines)
    if check.error() is not None:
        raise check.error()
    n_features = len(feature_names)
    return Dataset(x=np.ascontiguousarray(values[:, :n_features]),
                   y=np.ascontiguousarray(values[:, n_features:]) if has_label else None,
                   feature_names=tuple(feature_names), label=label, source=header.path)


def scan(path, label, features, label_error, validation_fraction, seed,
         block_bytes=csv_reader.STREAM_BLOCK_BYTES):
    """The checking pass over a file to be streamed: every check of ``read_csv``, the
    split's counts, the training statistics and the held-out rows, in constant memory.

    Returns:
        a ``Split`` with ``train`` a ``Streamed``.

    Raises:
        DataError: as ``read_csv``, naming the same first problem with the same message.
    """
    header, feature_names, indices = _columns(path, label, features)
    n_features = len(feature_names)
    check = columns.LabelCheck(header, label, label_error)
    moments = columns.Moments(n_features)
    n_rows, n_validation, held_out = 0, 0, []
    for chunk in csv_reader.read_chunks(header, indices, block_bytes):
        held = split_lib.is_validation(np.arange(n_rows, n_rows + len(chunk.values)),
                                       validation_fraction, seed)
        n_rows += len(chunk.values)
        n_validation += int(held.sum())
        check.add(chunk.values[:, -1], chunk.lines)
        moments.add(chunk.values[~held, :n_features])
        if held.any() and sum(len(part) for part in held_out) < MAX_VALIDATION_ROWS:
            held_out.append(chunk.values[held])
    if check.error() is not None:
        raise check.error()
    split_lib.check_sizes(path, n_rows, n_validation, validation_fraction)
    mean, std = moments.result()
    validation = None
    if held_out:
        rows = np.concatenate(held_out)[:MAX_VALIDATION_ROWS]
        validation = Dataset(x=np.ascontiguousarray(rows[:, :n_features]),
                             y=np.ascontiguousarray(rows[:, n_features:]),
                             feature_names=feature_names, label=label, source=path)
    streamed = Streamed(header=header, columns=tuple(indices), feature_names=feature_names,
                        label=label, n_rows=n_rows, n_train=n_rows - n_validation,
                        validation_fraction=validation_fraction, seed=seed,
                        source="{} (streamed)".format(path))
    return Split(train=streamed, validation=validation, mean=mean, std=std)


def n_train(train):
    """Training rows of a ``Dataset`` or ``Streamed``."""
    return train.n_train if isinstance(train, Streamed) else len(train.x)
