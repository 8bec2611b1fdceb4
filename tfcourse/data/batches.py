"""Minibatches of the training rows: in memory, streamed from the file, or sharded.

Every generator is a function of the seed alone (and of ``skip``, the batches already
trained on), so a resumed run continues exactly where it stopped.

    memory_batches     a new permutation of the rows every epoch (seeded with (seed, epoch))
    streamed_batches   the file read again chunk by chunk, each chunk of ``shuffle_buffer``
                       training rows permuted (seeded with (seed, epoch, chunk))
    sharded_batches    worker ``index`` of ``count`` takes every ``count``-th row of each
                       shuffled part: disjoint shards that together cover each epoch
"""

import numpy as np

from tfcourse.data import cells, csv_reader, reading, split as split_lib
from tfcourse.data.types import Streamed
from tfcourse.errors import DataError, UsageError

UNSHUFFLED_CHUNK_ROWS = 65536


def _arrays(dataset):
    """A ``Dataset``'s rows as the tuple of arrays a batch is: ``(x, [text,] y, [weight])``,
    text and weight when the data have them (``tfcourse.graph.unpack`` reads it)."""
    return tuple(array for array in (dataset.x, dataset.text, dataset.y, dataset.weight)
                 if array is not None)


def _take(rows, index):
    return tuple(array[index] for array in rows)


def _join(parts):
    if len(parts) == 1:
        return parts[0]
    return tuple(np.concatenate([part[j] for part in parts]) for j in range(len(parts[0])))


def memory_batches(dataset, batch_size, seed, skip=0):
    """Minibatches of an in-memory ``Dataset``: a new permutation (seeded with
    ``(seed, epoch)``) every epoch, a short tail dropped; forever, after ``skip`` batches.

    Yields:
        ``(x, [text,] y, [weight])``: ``batch_size`` rows of each (see ``Dataset``).
    """
    rows = _arrays(dataset)
    per_epoch = len(dataset.x) // batch_size
    epoch, first = divmod(skip, per_epoch)
    while True:
        order = np.random.RandomState([seed, epoch]).permutation(len(dataset.x))
        for number in range(first, per_epoch):
            yield _take(rows, order[number * batch_size:(number + 1) * batch_size])
        epoch, first = epoch + 1, 0


def _training_chunks(streamed, chunk_rows):
    """The training rows of a streamed file as tuples of arrays (``_arrays``), in chunks
    of ``chunk_rows`` rows (the last may be shorter), in file order.

    Raises:
        DataError: the file no longer reads as it did when it was checked.
    """
    pd, plan, header = cells.pandas(), streamed.plan, streamed.header
    index, carry, n = 0, [], 0
    try:
        for chunk in csv_reader.read_chunks(header, plan.indices, csv_reader.STREAM_BLOCK_BYTES,
                                             plan.text_indices, plan.na_values):
            keep = reading.kept_rows(pd, plan, header.names, chunk)[0]
            held = split_lib.is_validation(np.arange(index, index + len(chunk.lines)),
                                           streamed.validation_fraction, streamed.seed)
            index += len(chunk.lines)
            found = reading.rows(pd, plan, header.names, chunk, streamed.decided, keep)
            train = ~held[keep]
            carry.append(_take(tuple(array for array in found[:4] if array is not None), train))
            n += int(train.sum())
            rows = _join(carry)
            whole = n // chunk_rows * chunk_rows
            for start in range(0, whole, chunk_rows):
                yield _take(rows, slice(start, start + chunk_rows))
            carry, n = [_take(rows, slice(whole, None))], n - whole
    except DataError:
        raise DataError("{}: the file changed since it was checked".format(header.path))
    if index != streamed.n_rows:
        raise DataError("{}: the file changed since it was checked".format(header.path))
    if n:
        yield carry[0]


def one_pass(streamed, chunk_rows=UNSHUFFLED_CHUNK_ROWS):
    """The training rows of a ``Streamed`` file once, in file order, as ``(x, [text,] y,
    [weight])`` chunks of ``chunk_rows`` rows (the statistics pass of ``learning_rate: auto``
    and of the optimality certificate).

    Raises:
        DataError: the file no longer reads as it did when it was checked.
    """
    return _training_chunks(streamed, chunk_rows)


def _epoch_parts(train, shuffle_buffer, seed, epoch):
    """The shuffled parts of one epoch of ``train`` (a ``Dataset`` or ``Streamed``) as
    tuples of arrays (``_arrays``)."""
    if not isinstance(train, Streamed):
        order = np.random.RandomState([seed, epoch]).permutation(len(train.x))
        yield _take(_arrays(train), order)
        return
    for number, rows in enumerate(_training_chunks(train, shuffle_buffer or
                                                   UNSHUFFLED_CHUNK_ROWS)):
        if shuffle_buffer:
            rows = _take(rows, np.random.RandomState([seed, epoch, number]).permutation(
                len(rows[0])))
        yield rows


def streamed_batches(streamed, batch_size, shuffle_buffer, seed, skip=0):
    """Minibatches of a ``Streamed`` file's training rows, epoch after epoch, forever.

    Each chunk of ``shuffle_buffer`` training rows (or 65536 when 0: no shuffling) is
    permuted with ``(seed, epoch, chunk)`` and cut into batches; a short tail is carried
    into the next chunk so that every batch has ``batch_size`` rows.

    Args:
        skip: number of batches to pass over first (a resumed run's global step).

    Yields:
        ``(x, [text,] y, [weight])``: ``batch_size`` rows of each.
    """
    produced, epoch = 0, 0
    while True:
        carry = None
        for rows in _epoch_parts(streamed, shuffle_buffer, seed, epoch):
            rows = rows if carry is None else _join([carry, rows])
            whole = len(rows[0]) // batch_size * batch_size
            for start in range(0, whole, batch_size):
                produced += 1
                if produced > skip:
                    yield _take(rows, slice(start, start + batch_size))
            carry = _take(rows, slice(whole, None))
        epoch += 1


def sharded_batches(train, index, count, batch_size, seed, shuffle_buffer=0):
    """Endless minibatches of worker ``index`` of ``count`` (distributed training).

    Every epoch the training rows of ``train`` (a ``Dataset`` or ``Streamed``) are shuffled
    as ``memory_batches`` / ``streamed_batches`` shuffle them, the same order on every
    worker, and worker ``index`` takes the rows at positions ``p % count == index`` of each
    shuffled part: the shards are disjoint and together cover each epoch's training rows.

    Args:
        batch_size: rows per batch (the last of an epoch may be shorter), or None: the
            whole shard (in memory only).

    Yields:
        ``(x, [text,] y, [weight])`` minibatches.
    """
    epoch = 0
    while True:
        carry = None
        for rows in _epoch_parts(train, shuffle_buffer, seed, epoch):
            rows = _take(rows, slice(index, None, count))
            rows = rows if carry is None else _join([carry, rows])
            size = batch_size or len(rows[0])
            whole = len(rows[0]) // size * size if size else 0
            for start in range(0, whole, size):
                yield _take(rows, slice(start, start + size))
            carry = _take(rows, slice(whole, None))
        if carry is not None and len(carry[0]):
            yield carry
        epoch += 1


class BatchSource(object):
    """The generator function for ``tf.data.Dataset.from_generator``; ``skip`` (batches
    already trained on) is read when the iterator is initialised, after a restore."""

    def __init__(self, make_batches, batch_size):
        self.make_batches = make_batches
        self.batch_size = batch_size
        self.skip = 0

    def __call__(self):
        return self.make_batches(self.skip)


def check_batch_size(train, batch_size):
    """Checks ``data.batch_size`` against the training rows of ``train`` (a ``Dataset`` or a
    ``Streamed`` file): at most their number; null (all rows) only in memory.

    Raises:
        UsageError: naming the value, the rows and the file.
    """
    streaming = isinstance(train, Streamed)
    if batch_size is None:
        if streaming:
            raise UsageError("data.batch_size: a streamed file needs a batch size")
        return
    n_train = train.n_train if streaming else len(train.x)
    if batch_size > n_train:
        raise UsageError("data.batch_size = {}: larger than the {} training rows of {}{}; give "
                         "data.batch_size <= {}".format(
                             batch_size, n_train, train.source,
                             " (4096 is the default when streaming)" if streaming else "",
                             n_train))


def batch_source(split, data_config, seed):
    """The ``BatchSource`` for minibatch training, or None for full-batch training
    (``data_config.batch_size`` null: all training rows).

    Raises:
        UsageError: ``batch_size`` larger than the training rows, or null when streaming.
    """
    train = split.train
    streaming = isinstance(train, Streamed)
    batch_size = data_config.batch_size
    check_batch_size(train, batch_size)
    if batch_size is None:
        return None
    if streaming:
        return BatchSource(lambda skip: streamed_batches(
            train, batch_size, data_config.shuffle_buffer, seed, skip), batch_size)
    return BatchSource(lambda skip: memory_batches(train, batch_size, seed, skip), batch_size)
