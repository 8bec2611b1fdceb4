"""CSV files larger than memory: one checking pass, then minibatches streamed into tf.data.

The checking pass reads the file in chunks with pandas' C parser. It counts the
rows, computes the standardisation statistics of the training rows, keeps the
validation rows (up to ``MAX_VALIDATION_ROWS``) and checks every value; when a
chunk holds a problem, the file is scanned again with the ``csv`` module up to
the first bad cell, for a message naming its line and column. Memory stays
flat in the file's size: one chunk, the validation rows and the statistics.

Training then reads the file again, chunk by chunk, shuffles the rows of each
chunk (``shuffle_buffer`` rows at a time) with a numpy generator seeded from
``seed`` and the epoch, and hands minibatches to ``tf.data.Dataset.from_generator``
with prefetching. The order of batches is a function of the seed alone, so a
resumed run skips the batches it has already trained on and continues exactly.

Which rows are held out for validation depends on the row's index and the seed
only (an integer hash), so both passes agree without remembering rows.
"""

import collections
import os

import numpy as np

from tfcourse import data
from tfcourse.errors import DataError, UsageError

MAX_VALIDATION_ROWS = 100000
STREAM_ABOVE_BYTES = 100 * 2 ** 20
DEFAULT_BATCH_SIZE = 4096

Streamed = collections.namedtuple(
    "Streamed", "path feature_names label columns n_rows n_train mean std source")
Streamed.__doc__ = """A CSV file checked for streaming.

Attributes:
    path: the file.
    feature_names: tuple of str; label: str.
    columns: the CSV columns read (features, then the label).
    n_rows, n_train: rows in the file, and of them rows for training.
    mean, std: ``[n_features]`` float32 statistics of the training rows
        (std of a constant column is 1).
    source: the file, for messages.
"""


def should_stream(data_config):
    """The configured choice, or the default: stream CSV files above 100 MiB."""
    if data_config.stream and data_config.path is None:
        raise UsageError("data.stream: true needs a CSV file in data.path")
    if data_config.stream is not None:
        return data_config.stream
    path = data_config.path
    return path is not None and os.path.isfile(path) and os.path.getsize(path) > STREAM_ABOVE_BYTES


def is_validation(indices, fraction, seed):
    """Whether rows at ``indices`` (int array, 0-based data rows) are held out for validation."""
    if not fraction:
        return np.zeros(len(indices), bool)
    # The seed goes through murmur3's 32-bit finaliser before and after it meets the index:
    # added as seed * constant, seeds 42 and 43 held out the same rows but for 3 in 100000.
    mixed = _mix32(np.asarray(indices, np.uint64) * np.uint64(2654435761) +
                   _mix32(np.full(1, seed, np.uint64)))
    return mixed.astype(np.float64) / 2 ** 32 < fraction


def _mix32(values):
    """murmur3's ``fmix32`` on the low 32 bits of uint64 ``values`` (a bijection of 32-bit ints)."""
    mask = np.uint64(0xFFFFFFFF)
    values = values & mask
    values = values ^ (values >> np.uint64(16))
    values = (values * np.uint64(0x85EBCA6B)) & mask
    values = values ^ (values >> np.uint64(13))
    values = (values * np.uint64(0xC2B2AE35)) & mask
    return values ^ (values >> np.uint64(16))


def _chunks(path, columns, chunk_rows):
    """Float32 chunks ``[rows, len(columns)]`` of the file; _BadChunk when pandas cannot parse.

    pandas is imported here, when a file is streamed: it costs a third of a second at start-up.
    """
    import pandas as pd
    reader = None
    try:
        reader = pd.read_csv(path, usecols=list(columns), dtype=np.float32, engine="c",
                             chunksize=chunk_rows, skip_blank_lines=True, encoding="utf-8-sig")
        while True:
            with np.errstate(over="ignore"):  # numpy >= 1.24 warns when 1e39 becomes float32 inf
                frame = next(reader, None)  # (the inf is found and reported by the checks)
            if frame is None:
                return
            yield frame[list(columns)].values
    except (ValueError, pd.errors.ParserError) as err:
        raise _BadChunk(err)
    finally:  # also when the caller stops early (a bad chunk, training ends): no open file left
        if reader is not None:
            reader.close()


class _BadChunk(Exception):
    pass


def _checked(chunks, path):
    try:
        for chunk in chunks:
            yield chunk
    except _BadChunk:
        raise DataError("{}: the file changed since it was checked".format(path))


def _first_error(path, columns, model):
    """Scans the file with the csv module and returns the DataError for its first bad cell."""
    with data.open_rows(path) as (header, rows):
        indices = [header.index(name) for name in columns]
        for line, row in rows:
            for index in indices:
                value = data.cell_value(path, line, header, row, index)
                if model == "logistic" and index == indices[-1] and value not in (0.0, 1.0):
                    return DataError("{}:{}:{} (column '{}'): labels must be 0 or 1 for logistic "
                                     "regression, found {:g}".format(path, line, index + 1,
                                                                     header[index], value))
    return DataError("{}: pandas could not read the file, but no bad cell was found".format(path))


def _columns(path, label, features):
    with data.open_rows(path) as (header, rows):
        table = data.Table(path=path, header=header, rows=[], lines=[])
        if label not in header:
            raise DataError("{}: label column '{}' not found; columns are: {}".format(
                path, label, ", ".join(header)))
        if next(rows, None) is None:
            raise DataError("{}: no data rows after the header".format(path))
    return data.select_features(table, label, features)


def scan(path, label, features, model, validation_fraction, seed, chunk_rows=65536):
    """The checking pass (see the module docstring).

    Returns:
        ``(Streamed, validation)`` where ``validation`` is a ``data.Dataset`` of
        the held-out rows (at most ``MAX_VALIDATION_ROWS``) or None.

    Raises:
        DataError: naming file, line and column of the first bad cell, or the
            missing column; or when no row is left for training.
    """
    feature_names = _columns(path, label, features)
    columns = tuple(feature_names) + (label,)
    n_rows, n_features = 0, len(feature_names)
    total = np.zeros(n_features)
    total_sq = np.zeros(n_features)
    shift = None
    held_out = []
    try:
        for chunk in _chunks(path, columns, chunk_rows):
            if not np.all(np.isfinite(chunk)) or (
                    model == "logistic" and not np.all((chunk[:, -1] == 0) | (chunk[:, -1] == 1))):
                raise _BadChunk(None)
            held = is_validation(np.arange(n_rows, n_rows + len(chunk)), validation_fraction, seed)
            n_rows += len(chunk)
            train = chunk[~held, :n_features].astype(np.float64)
            if shift is None and len(train):
                shift = train.mean(axis=0)  # shifted sums keep the variance exact
            if len(train):
                total += (train - shift).sum(axis=0)
                total_sq += ((train - shift) ** 2).sum(axis=0)
            if held.any() and sum(len(part) for part in held_out) < MAX_VALIDATION_ROWS:
                held_out.append(chunk[held])
    except _BadChunk:
        raise _first_error(path, columns, model)
    n_validation = int(is_validation(np.arange(n_rows), validation_fraction, seed).sum())
    n_train = n_rows - n_validation
    if n_train < 1:
        raise DataError("{}: no rows left for training ({} rows, validation_fraction {})".format(
            path, n_rows, validation_fraction))
    mean = shift + total / n_train
    std = np.sqrt(np.maximum(total_sq / n_train - (total / n_train) ** 2, 0.0))
    std[std == 0] = 1.0
    validation = None
    if held_out:
        rows = np.concatenate(held_out)[:MAX_VALIDATION_ROWS]
        validation = data.Dataset(x=np.ascontiguousarray(rows[:, :n_features]),
                                  y=np.ascontiguousarray(rows[:, n_features:]),
                                  feature_names=feature_names, label=label, source=path)
    streamed = Streamed(path=path, feature_names=feature_names, label=label, columns=columns,
                        n_rows=n_rows, n_train=n_train, mean=mean.astype(np.float32),
                        std=std.astype(np.float32), source="{} (streamed)".format(path))
    return streamed, validation


def memory_batches(dataset, batch_size, seed, skip=0):
    """Minibatches of an in-memory ``data.Dataset``: a new permutation (seeded with
    ``(seed, epoch)``) every epoch, a short tail dropped; forever, after ``skip`` batches."""
    per_epoch = len(dataset.x) // batch_size
    epoch, first = divmod(skip, per_epoch)
    while True:
        order = np.random.RandomState([seed, epoch]).permutation(len(dataset.x))
        for number in range(first, per_epoch):
            rows = order[number * batch_size:(number + 1) * batch_size]
            yield dataset.x[rows], dataset.y[rows]
        epoch, first = epoch + 1, 0


class BatchSource(object):
    """The generator function for ``tf.data.Dataset.from_generator``; ``skip`` (batches
    already trained on) is read when the iterator is initialised, after a restore."""

    def __init__(self, make_batches, batch_size):
        self.make_batches = make_batches
        self.batch_size = batch_size
        self.skip = 0

    def __call__(self):
        return self.make_batches(self.skip)


def batches(streamed, batch_size, shuffle_buffer, validation_fraction, seed, skip=0):
    """Minibatches of training rows, epoch after epoch, forever.

    Each chunk of ``shuffle_buffer`` rows (or 65536 when 0: no shuffling) is
    read, its validation rows dropped, its rows permuted by a generator seeded
    with ``(seed, epoch, chunk)``, and cut into batches; a short tail is
    carried into the next chunk so that every batch has ``batch_size`` rows.

    Args:
        skip: number of batches to pass over first (a resumed run's global step).

    Yields:
        ``(x, y)``: ``[batch_size, n_features]`` and ``[batch_size, 1]`` float32.
    """
    n_features = len(streamed.feature_names)
    chunk_rows = shuffle_buffer or 65536
    produced, epoch = 0, 0
    while True:
        index, carry = 0, np.empty((0, n_features + 1), np.float32)
        for number, chunk in enumerate(_checked(_chunks(streamed.path, streamed.columns,
                                                        chunk_rows), streamed.path)):
            held = is_validation(np.arange(index, index + len(chunk)), validation_fraction, seed)
            index += len(chunk)
            rows = chunk[~held]
            if shuffle_buffer:
                rows = rows[np.random.RandomState([seed, epoch, number]).permutation(len(rows))]
            rows = np.concatenate([carry, rows])
            whole = len(rows) // batch_size * batch_size
            for start in range(0, whole, batch_size):
                produced += 1
                if produced > skip:
                    part = rows[start:start + batch_size]
                    yield part[:, :n_features], part[:, n_features:]
            carry = rows[whole:]
        epoch += 1


def load(data_config, model, seed):
    """``data.load`` for a streamed CSV file: ``Split(train=Streamed, validation=Dataset or None)``.

    Raises:
        UsageError: ``data.label`` missing.
        DataError: see ``scan``.
    """
    if not data_config.label:
        raise UsageError("data.label: the label column's name is needed with data.path "
                         "({})".format(data_config.path))
    fraction = data.validation_fraction(data_config, model)
    streamed, validation = scan(data_config.path, data_config.label, data_config.features, model,
                                fraction, seed)
    return data.Split(streamed, validation)


def batch_source(split, data_config, model, seed):
    """The ``BatchSource`` for minibatch training, or None for full-batch training.

    Raises:
        UsageError: ``batch_size`` larger than the training rows.
    """
    streaming = isinstance(split.train, Streamed)
    batch_size = data_config.batch_size or (DEFAULT_BATCH_SIZE if streaming else None)
    if batch_size is None:
        return None
    n_train = split.train.n_train if streaming else len(split.train.x)
    if batch_size > n_train:
        raise UsageError("data.batch_size = {}: larger than the {} training rows".format(
            batch_size, n_train))
    if streaming:
        fraction = data.validation_fraction(data_config, model)
        return BatchSource(lambda skip: batches(split.train, batch_size, data_config.shuffle_buffer,
                                                fraction, seed, skip), batch_size)
    return BatchSource(lambda skip: memory_batches(split.train, batch_size, seed, skip), batch_size)
