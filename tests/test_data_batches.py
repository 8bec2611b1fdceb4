"""Tests of tfcourse.data.batches: minibatches in memory, streamed, sharded; the batch source."""

import itertools

import numpy as np
import pytest

from tfcourse import config as config_lib, data
from tfcourse.data import batches
from tfcourse.errors import DataError, UsageError

from csv_files import data_config as resolved_data_config, make_file, table, write

FRACTION = 0.2
SEED = 7


def ids_of(batch_list):
    return np.concatenate([x[:, 0] for x, _ in batch_list]).astype(np.int64)


def take(generator, start, stop):
    return list(itertools.islice(generator, start, stop))


def check_batch_rows(batch_list, values, batch_size, n_features):
    """Every batch holds ``batch_size`` whole rows of the file, features and label together."""
    for x, y in batch_list:
        assert x.shape == (batch_size, n_features) and y.shape == (batch_size, 1)
        assert x.dtype == np.float32 and y.dtype == np.float32
        rows = x[:, 0].astype(np.int64)
        np.testing.assert_array_equal(x, values[rows, :-1])
        np.testing.assert_array_equal(y, values[rows, -1:])


def data_config(**values):
    fields = dict((key.name, key.default) for key in config_lib.DATA_SCHEMA)
    fields.update(validation_fraction=FRACTION, standardize=True, stream=False)
    fields.update(values)
    return config_lib.DataConfig(**fields)


@pytest.fixture
def scanned(tmp_path):
    path, values = make_file(tmp_path, n_rows=1000)
    split = data.scan(resolved_data_config(path=path, label="y", validation_fraction=FRACTION),
                      "number", SEED, block_bytes=2000)
    held = data.split.is_validation(np.arange(1000), FRACTION, SEED)
    return split.train, values, held


# --- streamed ------------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_size, shuffle_buffer", [(32, 100), (30, 7), (17, 0), (64, 1000)])
def test_streamed_batches_cover_each_training_row_once_per_epoch(scanned, batch_size,
                                                                 shuffle_buffer):
    streamed, values, held = scanned
    per_epoch = streamed.n_train // batch_size
    generator = batches.streamed_batches(streamed, batch_size, shuffle_buffer, SEED)
    epochs = [take(generator, 0, per_epoch) for _ in range(2)]
    train_ids = np.flatnonzero(~held)
    for epoch in epochs:
        check_batch_rows(epoch, values, batch_size, 3)
        ids = ids_of(epoch)
        assert len(np.unique(ids)) == len(ids) == per_epoch * batch_size  # each row at most once
        assert not held[ids].any()  # never a validation row
        dropped = np.setdiff1d(train_ids, ids)
        assert len(dropped) == streamed.n_train % batch_size < batch_size  # only the tail
    if shuffle_buffer:
        first, second = ids_of(epochs[0]), ids_of(epochs[1])
        assert not np.array_equal(first, np.sort(first))  # shuffled
        assert not np.array_equal(first, second)  # reshuffled every epoch
    else:
        for epoch in epochs:  # file order
            np.testing.assert_array_equal(ids_of(epoch), train_ids[:per_epoch * batch_size])


def test_streamed_batches_shuffle_only_within_the_buffer(scanned):
    streamed, _, held = scanned
    ids = ids_of(take(batches.streamed_batches(streamed, 10, 100, SEED), 0,
                      streamed.n_train // 10))
    # The buffer holds 100 training rows: each block of 100 is yielded before the one after next.
    blocks = np.searchsorted(np.flatnonzero(~held), ids) // 100
    for k in range(blocks.max() - 1):
        assert np.flatnonzero(blocks == k).max() < np.flatnonzero(blocks == k + 2).min()


def test_streamed_batches_are_a_function_of_the_seed(scanned):
    streamed, _, _ = scanned
    first = take(batches.streamed_batches(streamed, 32, 100, SEED), 0, 40)
    again = take(batches.streamed_batches(streamed, 32, 100, SEED), 0, 40)
    for (x1, y1), (x2, y2) in zip(first, again):
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1, y2)
    other = take(batches.streamed_batches(streamed, 32, 100, SEED + 1), 0, 40)
    assert not np.array_equal(ids_of(first), ids_of(other))


@pytest.mark.parametrize("skip", [1, 7, 24, 25, 26, 60])  # 25 batches of 32 in an epoch
@pytest.mark.parametrize("shuffle_buffer", [100, 0])
def test_streamed_batches_skip_continues_exactly(scanned, skip, shuffle_buffer):
    streamed, _, _ = scanned
    assert streamed.n_train // 32 == 25
    straight = take(batches.streamed_batches(streamed, 32, shuffle_buffer, SEED), skip, skip + 5)
    skipped = take(batches.streamed_batches(streamed, 32, shuffle_buffer, SEED, skip=skip), 0, 5)
    assert len(skipped) == 5
    for (x1, y1), (x2, y2) in zip(straight, skipped):
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1, y2)


def test_streamed_batches_of_a_file_changed_after_the_scan(tmp_path):
    path, _ = make_file(tmp_path, n_rows=200)
    streamed = data.scan(resolved_data_config(path=path, label="y", validation_fraction=FRACTION),
                         "number", SEED).train
    with open(path, "a") as handle:
        handle.write("1,2,abc,4\n")
    with pytest.raises(DataError) as error:
        take(batches.streamed_batches(streamed, 16, 50, SEED), 0, 100)
    assert str(error.value) == "{}: the file changed since it was checked".format(path)


# --- in memory -----------------------------------------------------------------------------------

@pytest.fixture
def in_memory():
    values = table(500).astype(np.float32)
    columns = tuple(data.types.numeric_column(name, 0.0) for name in ("id", "x1", "x2"))
    dataset = data.Dataset(x=values[:, :-1], text=None, y=values[:, -1:], columns=columns,
                           label="y", classes=None, source="test")
    return data.split_dataset(dataset, FRACTION, SEED), values


def test_memory_batches_cover_each_training_row_once_per_epoch(in_memory):
    split, values = in_memory
    n_train = len(split.train.x)
    validation_ids = split.validation.x[:, 0].astype(np.int64)
    generator = batches.memory_batches(split.train, 32, SEED)
    per_epoch = n_train // 32
    epochs = [take(generator, 0, per_epoch) for _ in range(3)]
    for epoch in epochs:
        check_batch_rows(epoch, values, 32, 3)
        ids = ids_of(epoch)
        assert len(np.unique(ids)) == len(ids) == per_epoch * 32
        assert not np.intersect1d(ids, validation_ids).size
        assert len(np.setdiff1d(split.train.x[:, 0].astype(np.int64), ids)) == n_train % 32
    assert not np.array_equal(ids_of(epochs[0]), ids_of(epochs[1]))


def test_memory_batches_are_a_function_of_the_seed_and_skip_continues_exactly(in_memory):
    split, _ = in_memory
    per_epoch = len(split.train.x) // 32
    first = ids_of(take(batches.memory_batches(split.train, 32, SEED), 0, 30))
    np.testing.assert_array_equal(first, ids_of(take(batches.memory_batches(
        split.train, 32, SEED), 0, 30)))
    assert not np.array_equal(first, ids_of(take(batches.memory_batches(
        split.train, 32, SEED + 1), 0, 30)))
    for skip in (1, per_epoch - 1, per_epoch, per_epoch + 1, 3 * per_epoch + 2):
        straight = take(batches.memory_batches(split.train, 32, SEED), skip, skip + 5)
        skipped = take(batches.memory_batches(split.train, 32, SEED, skip=skip), 0, 5)
        for (x1, y1), (x2, y2) in zip(straight, skipped):
            np.testing.assert_array_equal(x1, x2)
            np.testing.assert_array_equal(y1, y2)


# --- sharded -------------------------------------------------------------------------------------

def share(n_train, part_rows, index, count):
    """Rows of an epoch worker ``index`` of ``count`` gets: every count-th row of each part."""
    parts = [part_rows] * (n_train // part_rows) + ([n_train % part_rows] if n_train % part_rows
                                                    else [])
    return sum(len(range(index, part, count)) for part in parts)


def epoch_of_shards(train, count, batch_size, part_rows, shuffle_buffer=0, epochs=2):
    """The ids each of ``count`` workers sees in each of ``epochs`` epochs."""
    seen = []
    for index in range(count):
        generator = batches.sharded_batches(train, index, count, batch_size, SEED, shuffle_buffer)
        rows = share(data.n_train(train), part_rows, index, count)
        per_epoch = []
        for _ in range(epochs):
            ids = []
            while len(ids) < rows:
                x, y = next(generator)
                assert len(x) == len(y) and len(x) <= (batch_size or rows)
                ids.extend(x[:, 0].astype(int).tolist())
            assert len(ids) == rows  # no batch straddles two epochs
            per_epoch.append(ids)
        seen.append(per_epoch)
    return seen


@pytest.mark.parametrize("count, batch_size", [(2, 16), (3, 50), (3, None), (4, 1)])
def test_sharded_in_memory_batches_are_disjoint_and_cover_an_epoch(in_memory, count, batch_size):
    split, _ = in_memory
    train_ids = sorted(split.train.x[:, 0].astype(int).tolist())
    seen = epoch_of_shards(split.train, count, batch_size, len(train_ids))
    for epoch in range(2):
        shards = [set(worker[epoch]) for worker in seen]
        assert sum(len(shard) for shard in shards) == len(train_ids)  # disjoint
        assert sorted(set().union(*shards)) == train_ids  # covering
    assert seen[0][0] != seen[0][1]  # each epoch shuffled anew


@pytest.mark.parametrize("count, batch_size, shuffle_buffer", [(2, 16, 100), (3, 7, 0)])
def test_sharded_streamed_batches_are_disjoint_and_cover_an_epoch(scanned, count, batch_size,
                                                                  shuffle_buffer):
    streamed, _, held = scanned
    train_ids = np.flatnonzero(~held).tolist()
    seen = epoch_of_shards(streamed, count, batch_size, shuffle_buffer or 65536, shuffle_buffer)
    for epoch in range(2):
        shards = [set(worker[epoch]) for worker in seen]
        assert sum(len(shard) for shard in shards) == len(train_ids)
        assert sorted(set().union(*shards)) == train_ids


# --- batch_source --------------------------------------------------------------------------------

def test_batch_source_chooses_full_batch_memory_or_streamed_batches(tmp_path, in_memory):
    split, _ = in_memory
    assert batches.batch_source(split, data_config(), SEED) is None
    source = batches.batch_source(split, data_config(batch_size=50), SEED)
    assert source.batch_size == 50 and source.skip == 0
    np.testing.assert_array_equal(next(source())[0],
                                  next(batches.memory_batches(split.train, 50, SEED))[0])
    source.skip = 3
    np.testing.assert_array_equal(next(source())[0],
                                  take(batches.memory_batches(split.train, 50, SEED), 3, 4)[0][0])
    n_train = len(split.train.x)
    with pytest.raises(UsageError) as error:
        batches.batch_source(split, data_config(batch_size=n_train + 1), SEED)
    assert str(error.value) == (
        "data.batch_size = {}: larger than the {} training rows of {}; give data.batch_size <= "
        "{}".format(n_train + 1, n_train, split.train.source, n_train))
    path, _ = make_file(tmp_path, n_rows=300)
    config = data_config(path=path, label="y", stream=True, shuffle_buffer=40, batch_size=4096)
    streamed_split = data.load(config, SEED)
    assert isinstance(streamed_split.train, data.Streamed)
    with pytest.raises(UsageError) as error:
        batches.batch_source(streamed_split, config, SEED)
    assert str(error.value).startswith("data.batch_size = 4096: larger than the ")
    source = batches.batch_source(streamed_split, config._replace(batch_size=20), SEED)
    source.skip = 4
    np.testing.assert_array_equal(
        next(source())[0], take(batches.streamed_batches(streamed_split.train, 20, 40, SEED),
                                4, 5)[0][0])


# --- text columns: batches of (x, text, y), each row whole -----------------------------------------

COLORS = ("red", "green", "blue")


def text_file(tmp_path, n_rows=600):
    """A file with a numeric id, a categorical colour (gaps on every 50th row), a date and a
    label; returns the path and the expected ``(text [n, 2], y [n])`` of each id."""
    dates = np.datetime64("2020-01-01") + np.arange(n_rows)
    colors = ["" if i % 50 == 0 else COLORS[i % 3] for i in range(n_rows)]
    lines = ["id,color,when,y"] + ["{},{},{},{}".format(i, colors[i], dates[i], i / 2.0)
                                  for i in range(n_rows)]
    path = write(tmp_path, "\n".join(lines) + "\n", "text.csv")
    text = np.array([[colors[i], str(dates[i])] for i in range(n_rows)], object)
    return path, text, np.arange(n_rows) / 2.0


def check_text_batch(batch, text, y, batch_size=None):
    x, batch_text, batch_y = batch
    assert batch_text.dtype == object and batch_text.shape == (len(x), 2)
    assert batch_size is None or len(x) == batch_size
    ids = x[:, 0].astype(np.int64)
    assert batch_text.tolist() == text[ids].tolist()
    np.testing.assert_array_equal(batch_y[:, 0], y[ids].astype(np.float32))
    return ids


def test_streamed_and_memory_batches_carry_the_text_columns(tmp_path):
    path, text, y = text_file(tmp_path)
    config = resolved_data_config(path=path, label="y", validation_fraction=FRACTION)
    streamed = data.scan(config, "number", SEED, block_bytes=1500)
    memory = data.read_csv(config, "number", SEED)
    columns = streamed.train.decided.columns
    assert [(c.name, c.kind) for c in columns] == [("id", "numeric"), ("color", "categorical"),
                                                   ("when", "date")]
    assert columns == memory.train.columns and columns[1].missing_category
    held = data.split.is_validation(np.arange(600), FRACTION, SEED)
    n_train = int((~held).sum())
    for generator in (batches.streamed_batches(streamed.train, 32, 100, SEED),
                      batches.memory_batches(memory.train, 32, SEED)):
        ids = np.concatenate([check_text_batch(batch, text, y, 32)
                              for batch in take(generator, 0, n_train // 32)])
        assert len(np.unique(ids)) == len(ids) and not held[ids].any()
    (x, batch_text, _), = take(batches.streamed_batches(streamed.train, n_train, 0, SEED), 0, 1)
    np.testing.assert_array_equal(x, memory.train.x)  # file order, unshuffled
    assert batch_text.tolist() == memory.train.text.tolist() == text[~held].tolist()
    assert streamed.validation.text.tolist() == memory.validation.text.tolist() == (
        text[held].tolist())


@pytest.mark.parametrize("shuffle_buffer", [0, 64])
def test_sharded_batches_with_text_columns_cover_an_epoch(tmp_path, shuffle_buffer):
    path, text, y = text_file(tmp_path, 300)
    config = resolved_data_config(path=path, label="y", validation_fraction=FRACTION)
    held = data.split.is_validation(np.arange(300), FRACTION, SEED)
    for train in (data.scan(config, "number", SEED, block_bytes=700).train,
                  data.read_csv(config, "number", SEED).train):
        seen = []
        for index in range(3):
            generator = batches.sharded_batches(train, index, 3, 10, SEED, shuffle_buffer)
            rows = share(int((~held).sum()), (shuffle_buffer or 65536)
                         if isinstance(train, data.Streamed) else int((~held).sum()), index, 3)
            ids = []
            while len(ids) < rows:
                ids.extend(check_text_batch(next(generator), text, y).tolist())
            seen.append(ids)
        assert sorted(sum(seen, [])) == np.flatnonzero(~held).tolist()


def test_batch_source_with_text_columns(tmp_path):
    path, text, y = text_file(tmp_path, 200)
    config = resolved_data_config(path=path, label="y", validation_fraction=FRACTION,
                                  batch_size=16, stream=True, shuffle_buffer=50)
    split = data.load(config, SEED)
    source = batches.batch_source(split, config, SEED)
    source.skip = 2
    first = next(source())
    assert len(first) == 3
    expected = take(batches.streamed_batches(split.train, 16, 50, SEED), 2, 3)[0]
    for got, want in zip(first, expected):
        assert got.tolist() == want.tolist()
    check_text_batch(first, text, y, 16)
