"""Streaming CSV files larger than memory: the checking pass, the minibatches, training on them.

Every file here is generated with numpy into ``tmp_path``; the expected values come from
numpy on the same arrays. Small ``chunk_rows`` and ``shuffle_buffer`` exercise chunk boundaries.
"""

import itertools

import numpy as np
import pytest

from tfcourse import config as config_lib, data
from tfcourse.data import stream
from tfcourse.train import trainer
from tfcourse.errors import DataError, UsageError
from tfcourse.tf_compat import tf

FRACTION = 0.2
SEED = 7


def write_csv(path, header, values, newline="\n", formats=None, blank_before=None,
              quote_at=None, cell_at=None):
    """Writes ``values`` (2-D) under ``header``; returns the 1-based line of each data row.

    Args:
        formats: one printf format per column (default ``%.4f``).
        blank_before: data row index before which a blank line is written.
        quote_at: ``(row, column)`` of a cell written between double quotes.
        cell_at: ``(row, column, text)``: a cell written as ``text`` instead of its value;
            ``text`` None drops the fields from that column on (a ragged row).
    """
    formats = formats or ["%.4f"] * len(header)
    lines, numbers, line = [",".join(header)], [], 1
    for i, row in enumerate(values):
        if i == blank_before:
            lines.append("")
            line += 1
        cells = [fmt % value for fmt, value in zip(formats, row)]
        if quote_at is not None and quote_at[0] == i:
            cells[quote_at[1]] = '"{}"'.format(cells[quote_at[1]])
        if cell_at is not None and cell_at[0] == i:
            if cell_at[2] is None:
                cells = cells[:cell_at[1]]
            else:
                cells[cell_at[1]] = cell_at[2]
        lines.append(",".join(cells))
        line += 1
        numbers.append(line)
    with open(str(path), "w", newline="") as handle:
        handle.write(newline.join(lines) + newline)
    return numbers


def table(n_rows, n_features=3, seed=0):
    """``[n_rows, n_features + 1]`` values with 4 decimals, as float32 the file holds them;
    column 0 is the row index (an identity for each row), the last column the label."""
    rng = np.random.RandomState(seed)
    values = np.round(rng.normal(3.0, 2.0, size=(n_rows, n_features + 1)), 4)
    values[:, 0] = np.arange(n_rows)
    return values


def header_of(values):
    return ["id"] + ["x{}".format(i) for i in range(1, values.shape[1] - 1)] + ["y"]


def as_read(values):
    """The float32 values the file's text holds (what pandas and the csv module read)."""
    return np.array([[np.float32(float("%.4f" % value)) for value in row] for row in values],
                    np.float32)


def make_file(tmp_path, n_rows=1000, n_features=3, seed=0, name="data.csv", **kwargs):
    values = table(n_rows, n_features, seed)
    path = str(tmp_path / name)
    write_csv(path, header_of(values), values, **kwargs)
    return path, as_read(values)


# --- should_stream and is_validation -------------------------------------------------------------

def data_config(**values):
    fields = dict((key.name, key.default) for key in config_lib.DATA_SCHEMA)
    fields.update(values)
    return config_lib.DataConfig(**fields)


def test_should_stream_follows_the_setting_or_the_file_size(tmp_path, monkeypatch):
    path, _ = make_file(tmp_path, n_rows=100)
    assert stream.should_stream(data_config(path=path, stream=True))
    assert not stream.should_stream(data_config(path=path, stream=False))
    assert not stream.should_stream(data_config(path=path))  # a few kB: not above 100 MiB
    assert not stream.should_stream(data_config())  # built-in data
    monkeypatch.setattr(stream, "STREAM_ABOVE_BYTES", 1000)
    assert stream.should_stream(data_config(path=path))
    assert not stream.should_stream(data_config(path=path, stream=False))
    assert not stream.should_stream(data_config(path=str(tmp_path / "missing.csv")))
    with pytest.raises(UsageError, match=r"data\.stream: true needs a CSV file in data\.path"):
        stream.should_stream(data_config(stream=True))


def test_is_validation_is_deterministic_and_holds_out_the_fraction():
    indices = np.arange(100000)
    held = stream.is_validation(indices, 0.2, 42)
    assert held.dtype == bool and held.shape == (100000,)
    np.testing.assert_array_equal(held, stream.is_validation(indices, 0.2, 42))
    # The answer for a row depends on its index alone, not on the other indices asked about.
    np.testing.assert_array_equal(stream.is_validation(indices[500:700], 0.2, 42), held[500:700])
    for fraction in (0.05, 0.2, 0.5):
        for seed in (0, 42, 2 ** 32 - 1):
            share = stream.is_validation(indices, fraction, seed).mean()
            assert abs(share - fraction) < 0.02, (fraction, seed, share)
    other = stream.is_validation(indices, 0.2, 43)
    assert not np.array_equal(held, other)
    # Another seed holds out another set: about 2 f (1 - f) = 32 % of the rows change side.
    for a, b in ((42, 43), (0, 1), (7, 2 ** 32 - 1)):
        changed = np.mean(stream.is_validation(indices, 0.2, a) !=
                          stream.is_validation(indices, 0.2, b))
        assert 0.3 < changed < 0.34, (a, b, changed)
    assert not stream.is_validation(indices, 0.0, 42).any()
    assert not stream.is_validation(indices, 0, 42).any()


# --- scan: statistics, counts, validation rows ---------------------------------------------------

@pytest.mark.parametrize("chunk_rows", [7, 64, 65536])
def test_scan_statistics_are_numpys_on_exactly_the_training_rows(tmp_path, chunk_rows):
    path, values = make_file(tmp_path, n_rows=1000)
    streamed, validation = stream.scan(path, "y", None, "linear", FRACTION, SEED,
                                       chunk_rows=chunk_rows)
    held = stream.is_validation(np.arange(1000), FRACTION, SEED)
    train = values[~held, :-1].astype(np.float64)
    assert streamed.feature_names == ("id", "x1", "x2")
    assert streamed.label == "y" and streamed.columns == ("id", "x1", "x2", "y")
    assert streamed.n_rows == 1000
    assert streamed.n_train == 1000 - held.sum()
    assert streamed.mean.dtype == np.float32 and streamed.std.dtype == np.float32
    np.testing.assert_allclose(streamed.mean, train.mean(axis=0).astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(streamed.std, train.std(axis=0).astype(np.float32), rtol=1e-6)
    # Not the statistics of every row: the held-out rows are left out.
    assert not np.allclose(streamed.mean, values[:, :-1].mean(axis=0), rtol=1e-6)
    assert validation.feature_names == streamed.feature_names and validation.label == "y"
    np.testing.assert_array_equal(validation.x, values[held, :-1])
    np.testing.assert_array_equal(validation.y, values[held, -1:])
    assert validation.x.dtype == np.float32 and validation.y.shape == (held.sum(), 1)


def test_scan_without_validation_and_with_chosen_features(tmp_path):
    path, values = make_file(tmp_path, n_rows=300)
    streamed, validation = stream.scan(path, "y", ["x2", "x1"], "linear", 0.0, SEED,
                                       chunk_rows=50)
    assert validation is None
    assert streamed.feature_names == ("x2", "x1") and streamed.columns == ("x2", "x1", "y")
    assert (streamed.n_rows, streamed.n_train) == (300, 300)
    expected = values[:, [2, 1]].astype(np.float64)
    np.testing.assert_allclose(streamed.mean, expected.mean(axis=0).astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(streamed.std, expected.std(axis=0).astype(np.float32), rtol=1e-6)
    assert streamed.source == path + " (streamed)"


def test_scan_keeps_at_most_max_validation_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "MAX_VALIDATION_ROWS", 25)
    path, values = make_file(tmp_path, n_rows=1000)
    streamed, validation = stream.scan(path, "y", None, "linear", FRACTION, SEED, chunk_rows=16)
    held = stream.is_validation(np.arange(1000), FRACTION, SEED)
    assert held.sum() > 100
    np.testing.assert_array_equal(validation.x, values[held, :-1][:25])
    np.testing.assert_array_equal(validation.y, values[held, -1:][:25])
    # The cap limits the rows kept, not the split: every held-out row stays out of training.
    assert streamed.n_train == 1000 - held.sum()
    train = values[~held, :-1].astype(np.float64)
    np.testing.assert_allclose(streamed.mean, train.mean(axis=0).astype(np.float32), rtol=1e-6)


def test_scan_gives_a_constant_column_std_one(tmp_path):
    values = table(200)
    values[:, 2] = 5.25
    path = str(tmp_path / "constant.csv")
    write_csv(path, header_of(values), values)
    streamed, _ = stream.scan(path, "y", None, "linear", FRACTION, SEED, chunk_rows=30)
    assert streamed.std[2] == 1.0 and streamed.mean[2] == 5.25
    assert streamed.std[1] != 1.0


def test_scan_needs_a_training_row(tmp_path):
    path, _ = make_file(tmp_path, n_rows=1)
    fraction = 0.9
    assert stream.is_validation(np.arange(1), fraction, 0)[0]  # row 0 is held out with seed 0
    with pytest.raises(DataError) as error:
        stream.scan(path, "y", None, "linear", fraction, 0)
    assert str(error.value) == "{}: no rows left for training (1 rows, validation_fraction " \
                               "0.9)".format(path)


def test_scan_reads_crlf_blank_lines_quotes_and_a_byte_order_mark(tmp_path):
    values = table(500)
    path = str(tmp_path / "messy.csv")
    write_csv(path, header_of(values), values, newline="\r\n", blank_before=123,
              quote_at=(40, 1))
    with open(path, "rb") as handle:
        raw = handle.read()
    with open(path, "wb") as handle:
        handle.write(b"\xef\xbb\xbf" + raw)
    streamed, validation = stream.scan(path, "y", None, "linear", FRACTION, SEED, chunk_rows=32)
    held = stream.is_validation(np.arange(500), FRACTION, SEED)
    expected = as_read(values)
    assert streamed.feature_names == ("id", "x1", "x2") and streamed.n_rows == 500
    np.testing.assert_array_equal(validation.x, expected[held, :-1])
    np.testing.assert_allclose(streamed.mean, expected[~held, :-1].astype(np.float64).mean(
        axis=0).astype(np.float32), rtol=1e-6)


# --- scan: bad files, with the exact message ------------------------------------------------------

BAD_ROW = 437  # in a late chunk of 50 rows


@pytest.mark.parametrize("column, text, model, problem", [
    (2, "abc", "linear", "'abc' is not a number"),
    (1, "", "linear", "missing value"),
    (3, "  ", "linear", "missing value"),
    (2, "inf", "linear", "'inf' is not finite (as float32)"),
    (1, "nan", "linear", "'nan' is not finite (as float32)"),
    (2, "1e39", "linear", "'1e39' is not finite (as float32)"),
    (2, "-1e39", "linear", "'-1e39' is not finite (as float32)"),
    (3, "2", "logistic", "labels must be 0 or 1 for logistic regression, found 2"),
    (3, "0.5", "logistic", "labels must be 0 or 1 for logistic regression, found 0.5"),
])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_scan_names_line_and_column_of_a_bad_cell(tmp_path, recwarn, column, text, model,
                                                  problem, newline):
    values = table(600)
    formats = None
    if model == "logistic":
        values[:, -1] = (values[:, -1] > 3).astype(float)
        formats = ["%.4f"] * 3 + ["%d"]
    path = str(tmp_path / "bad.csv")
    lines = write_csv(path, header_of(values), values, newline=newline, formats=formats,
                      blank_before=300, quote_at=(BAD_ROW - 5, column),
                      cell_at=(BAD_ROW, column, text))
    assert lines[BAD_ROW] == BAD_ROW + 3  # the header and the blank line come before
    with pytest.raises(DataError) as error:
        stream.scan(path, "y", None, model, FRACTION, SEED, chunk_rows=50)
    assert str(error.value) == "{}:{}:{} (column '{}'): {}".format(
        path, BAD_ROW + 3, column + 1, header_of(values)[column], problem)
    assert not [str(warning.message) for warning in recwarn]  # the error is the one line shown


def test_scan_reports_the_first_bad_cell_of_the_file(tmp_path):
    values = table(600)
    path = str(tmp_path / "bad.csv")
    write_csv(path, header_of(values), values, cell_at=(BAD_ROW, 1, "x"))
    with open(path) as handle:
        text = handle.read().splitlines()
    text[BAD_ROW + 5 + 1] = text[BAD_ROW + 5 + 1].replace(",", ",oops", 1)  # a later bad cell
    with open(path, "w") as handle:
        handle.write("\n".join(text) + "\n")
    with pytest.raises(DataError) as error:
        stream.scan(path, "y", None, "linear", FRACTION, SEED, chunk_rows=50)
    assert str(error.value) == "{}:{}:2 (column 'x1'): 'x' is not a number".format(
        path, BAD_ROW + 2)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_scan_names_the_line_of_a_row_with_too_few_fields(tmp_path, newline):
    values = table(600)
    path = str(tmp_path / "ragged.csv")
    write_csv(path, header_of(values), values, newline=newline, blank_before=100,
              quote_at=(BAD_ROW - 1, 2), cell_at=(BAD_ROW, 2, None))
    with pytest.raises(DataError) as error:
        stream.scan(path, "y", None, "linear", FRACTION, SEED, chunk_rows=50)
    assert str(error.value) == "{}:{}: expected 4 fields as in the header, found 2".format(
        path, BAD_ROW + 3)


def test_scan_ignores_bad_cells_of_columns_it_does_not_read(tmp_path):
    values = table(300)
    path = str(tmp_path / "extra.csv")
    write_csv(path, header_of(values), values, cell_at=(250, 1, "n/a"))
    streamed, _ = stream.scan(path, "y", ["x2"], "linear", FRACTION, SEED, chunk_rows=50)
    assert streamed.n_rows == 300 and streamed.feature_names == ("x2",)


def test_scan_refuses_an_unknown_label_an_empty_file_and_a_header_alone(tmp_path):
    path, _ = make_file(tmp_path, n_rows=20)
    with pytest.raises(DataError) as error:
        stream.scan(path, "target", None, "linear", FRACTION, SEED)
    assert str(error.value) == "{}: label column 'target' not found; columns are: id, x1, x2, " \
                               "y".format(path)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError) as error:
        stream.scan(str(empty), "y", None, "linear", FRACTION, SEED)
    assert str(error.value) == "{}: empty file, expected a header row".format(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text("x1,x2,y\r\n\r\n")
    with pytest.raises(DataError) as error:
        stream.scan(str(header_only), "y", None, "linear", FRACTION, SEED)
    assert str(error.value) == "{}: no data rows after the header".format(header_only)
    with pytest.raises(DataError) as error:
        stream.scan(path, "y", ["x1", "z"], "linear", FRACTION, SEED)
    assert str(error.value).startswith("{}: feature column(s) 'z' not found".format(path))


# --- batches ------------------------------------------------------------------------------------

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


@pytest.fixture
def scanned(tmp_path):
    path, values = make_file(tmp_path, n_rows=1000)
    streamed, _ = stream.scan(path, "y", None, "linear", FRACTION, SEED, chunk_rows=64)
    held = stream.is_validation(np.arange(1000), FRACTION, SEED)
    return streamed, values, held


@pytest.mark.parametrize("batch_size, shuffle_buffer", [(32, 100), (30, 7), (17, 0), (64, 1000)])
def test_batches_cover_each_training_row_once_per_epoch(scanned, batch_size, shuffle_buffer):
    streamed, values, held = scanned
    n_train = streamed.n_train
    per_epoch = n_train // batch_size
    generator = stream.batches(streamed, batch_size, shuffle_buffer, FRACTION, SEED)
    epochs = [take(generator, 0, per_epoch) for _ in range(2)]
    train_ids = np.flatnonzero(~held)
    for epoch in epochs:
        check_batch_rows(epoch, values, batch_size, 3)
        ids = ids_of(epoch)
        assert len(np.unique(ids)) == len(ids) == per_epoch * batch_size  # each row at most once
        assert not held[ids].any()  # never a validation row
        dropped = np.setdiff1d(train_ids, ids)
        assert len(dropped) == n_train % batch_size < batch_size  # only the tail is left out
    if shuffle_buffer:
        first, second = ids_of(epochs[0]), ids_of(epochs[1])
        assert not np.array_equal(first, np.sort(first))  # shuffled
        assert not np.array_equal(first, second)  # reshuffled every epoch
    else:
        for epoch in epochs:  # file order
            np.testing.assert_array_equal(ids_of(epoch), train_ids[:per_epoch * batch_size])


def test_batches_shuffle_only_within_the_buffer(scanned):
    streamed, values, held = scanned
    generator = stream.batches(streamed, 10, 100, FRACTION, SEED)
    ids = ids_of(take(generator, 0, streamed.n_train // 10))
    # Rows of file block k (rows 100k..100k+99) are all yielded before those of block k + 2.
    blocks = ids // 100
    for k in range(blocks.max() - 1):
        assert np.flatnonzero(blocks == k).max() < np.flatnonzero(blocks == k + 2).min()


def test_batches_are_a_function_of_the_seed(scanned):
    streamed, _, _ = scanned
    first = take(stream.batches(streamed, 32, 100, FRACTION, SEED), 0, 40)
    again = take(stream.batches(streamed, 32, 100, FRACTION, SEED), 0, 40)
    for (x1, y1), (x2, y2) in zip(first, again):
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1, y2)
    other = take(stream.batches(streamed, 32, 100, FRACTION, SEED + 1), 0, 40)
    assert not np.array_equal(ids_of(first), ids_of(other))


@pytest.mark.parametrize("skip", [1, 7, 24, 25, 26, 60])  # 25 batches of 32 in an epoch
@pytest.mark.parametrize("shuffle_buffer", [100, 0])
def test_batches_skip_continues_exactly(scanned, skip, shuffle_buffer):
    streamed, _, _ = scanned
    assert streamed.n_train // 32 == 25
    straight = take(stream.batches(streamed, 32, shuffle_buffer, FRACTION, SEED), skip, skip + 5)
    skipped = take(stream.batches(streamed, 32, shuffle_buffer, FRACTION, SEED, skip=skip), 0, 5)
    assert len(skipped) == 5
    for (x1, y1), (x2, y2) in zip(straight, skipped):
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1, y2)


def test_batches_of_a_file_changed_after_the_scan(tmp_path):
    path, _ = make_file(tmp_path, n_rows=200)
    streamed, _ = stream.scan(path, "y", None, "linear", FRACTION, SEED)
    with open(path, "a") as handle:
        handle.write("1,2,abc,4\n")
    with pytest.raises(DataError) as error:
        take(stream.batches(streamed, 16, 50, FRACTION, SEED), 0, 100)
    assert str(error.value) == "{}: the file changed since it was checked".format(path)


# --- memory_batches -----------------------------------------------------------------------------

@pytest.fixture
def in_memory():
    values = table(500).astype(np.float32)
    dataset = data.Dataset(x=values[:, :-1], y=values[:, -1:], feature_names=("id", "x1", "x2"),
                           label="y", source="test")
    split = data.split(dataset, FRACTION, SEED)
    return split, values


def test_memory_batches_cover_each_training_row_once_per_epoch(in_memory):
    split, values = in_memory
    n_train = len(split.train.x)
    validation_ids = split.validation.x[:, 0].astype(np.int64)
    generator = stream.memory_batches(split.train, 32, SEED)
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
    first = ids_of(take(stream.memory_batches(split.train, 32, SEED), 0, 30))
    np.testing.assert_array_equal(first, ids_of(take(stream.memory_batches(split.train, 32, SEED),
                                                     0, 30)))
    assert not np.array_equal(first, ids_of(take(stream.memory_batches(split.train, 32, SEED + 1),
                                                  0, 30)))
    for skip in (1, per_epoch - 1, per_epoch, per_epoch + 1, 3 * per_epoch + 2):
        straight = take(stream.memory_batches(split.train, 32, SEED), skip, skip + 5)
        skipped = take(stream.memory_batches(split.train, 32, SEED, skip=skip), 0, 5)
        for (x1, y1), (x2, y2) in zip(straight, skipped):
            np.testing.assert_array_equal(x1, x2)
            np.testing.assert_array_equal(y1, y2)


def test_batch_source_chooses_full_batch_memory_or_streamed_batches(tmp_path, in_memory):
    split, _ = in_memory
    assert stream.batch_source(split, data_config(), "linear", SEED) is None
    source = stream.batch_source(split, data_config(batch_size=50), "linear", SEED)
    assert source.batch_size == 50 and source.skip == 0
    x, y = next(source())
    np.testing.assert_array_equal(x, next(stream.memory_batches(split.train, 50, SEED))[0])
    source.skip = 3
    np.testing.assert_array_equal(next(source())[0],
                                  take(stream.memory_batches(split.train, 50, SEED), 3, 4)[0][0])
    with pytest.raises(UsageError) as error:
        stream.batch_source(split, data_config(batch_size=401), "linear", SEED)
    assert str(error.value) == "data.batch_size = 401: larger than the 400 training rows"
    path, _ = make_file(tmp_path, n_rows=300)
    config = data_config(path=path, label="y", stream=True, shuffle_buffer=40)
    streamed_split = stream.load(config, "linear", SEED)
    assert isinstance(streamed_split.train, stream.Streamed)
    assert streamed_split.train.n_train < stream.DEFAULT_BATCH_SIZE
    with pytest.raises(UsageError) as error:  # streaming defaults to batches of 4096 rows
        stream.batch_source(streamed_split, config, "linear", SEED)
    assert str(error.value).startswith("data.batch_size = 4096: larger than the ")
    source = stream.batch_source(streamed_split, config._replace(batch_size=20), "linear", SEED)
    source.skip = 4
    np.testing.assert_array_equal(
        next(source())[0], take(stream.batches(streamed_split.train, 20, 40, FRACTION, SEED),
                                4, 5)[0][0])


def test_load_needs_a_label(tmp_path):
    path, _ = make_file(tmp_path, n_rows=20)
    with pytest.raises(UsageError, match=r"^data\.label: the label column's name is needed"):
        stream.load(data_config(path=path, stream=True), "linear", SEED)


# --- training on a streamed file ----------------------------------------------------------------

TRUE_WEIGHTS = np.array([1.5, -2.0, 0.5, 3.0, -0.75])
TRUE_BIAS = 0.25


def linear_file(tmp_path, n_rows=20000, seed=3):
    rng = np.random.RandomState(seed)
    x = np.round(rng.normal(size=(n_rows, 5)), 5)
    y = x.dot(TRUE_WEIGHTS) + TRUE_BIAS + rng.normal(scale=0.01, size=n_rows)
    path = str(tmp_path / "linear.csv")
    write_csv(path, ["a", "b", "c", "d", "e", "target"], np.column_stack([x, y]),
              formats=["%.5f"] * 5 + ["%.6f"])
    return path


def yaml_config(tmp_path, csv_path, name="model", extra="", **overrides):
    """A config from a YAML file beside the CSV file (its data path relative to the YAML)."""
    yaml_path = tmp_path / "stream.yaml"
    yaml_path.write_text("data:\n  path: {}\n  label: target\n{}".format(
        csv_path.replace(str(tmp_path) + "/", ""), extra))
    overrides.setdefault("model_dir", str(tmp_path / name))
    overrides.setdefault("summary_dir", str(tmp_path / "summary"))
    overrides.setdefault("log_every", 10000)
    overrides.setdefault("eval_every", 10000)
    return config_lib.resolve(str(yaml_path), overrides)


STREAMED = "  stream: true\n  batch_size: 256\n  shuffle_buffer: 4096\n"


@pytest.fixture(scope="module")
def linear_csv(tmp_path_factory):
    """``(directory, path)`` of the generated linear CSV file, shared by the training tests."""
    directory = tmp_path_factory.mktemp("linear")
    return directory, linear_file(directory)


def test_streamed_linear_regression_learns_the_true_weights(linear_csv):
    tmp_path, linear_csv = linear_csv
    config = yaml_config(tmp_path, linear_csv, name="learn", extra=STREAMED, max_step=300,
                         learning_rate=0.1)
    assert config.data.path == linear_csv and config.data.stream
    lines = []
    result = trainer.train(config, out=lines.append)
    assert result.global_step == 300
    assert lines[0].startswith("training linear regression on {} (streamed) (".format(
        linear_csv))
    assert ", batches of 256);" in lines[0]
    streamed, validation = stream.scan(linear_csv, "target", None, "linear", 0.2, config.seed)
    assert "({} training rows, 5 features".format(streamed.n_train) in lines[0]
    # Standardised features: x_std = (x - mean) / std, so the model's weights are w * std and
    # its bias b + mean . w, where w and b are the true ones.
    np.testing.assert_array_equal(tf.train.load_variable(config.model_dir, "standardize/mean"),
                                  streamed.mean)
    np.testing.assert_array_equal(tf.train.load_variable(config.model_dir, "standardize/std"),
                                  streamed.std)
    learned = result.weights[:, 0] / streamed.std
    assert np.max(np.abs(learned - TRUE_WEIGHTS)) < 0.02, learned
    bias = result.bias[0] - np.dot(learned, streamed.mean)
    assert abs(bias - TRUE_BIAS) < 0.02, bias
    # The last step is logged with the loss of its minibatch (noise 0.01: MSE about 1e-4).
    last = [line for line in lines if line.startswith("step 300/300  loss ")]
    assert len(last) == 1 and float(last[0].split()[3]) < 1e-3, lines
    assert result.eval_metrics["r2"] > 0.999
    assert validation is not None and len(validation.x) == 20000 - streamed.n_train


def test_resumed_streamed_run_ends_bit_identical(linear_csv):
    tmp_path, linear_csv = linear_csv
    quiet = lambda line: None
    straight = trainer.train(yaml_config(tmp_path, linear_csv, name="straight", extra=STREAMED,
                                         max_step=80, save_every=1000), out=quiet)
    trainer.train(yaml_config(tmp_path, linear_csv, name="resumed", extra=STREAMED, max_step=40),
                  out=quiet)
    lines = []
    resumed = trainer.train(yaml_config(tmp_path, linear_csv, name="resumed", extra=STREAMED,
                                        max_step=80), out=lines.append)
    assert lines[0].startswith("resuming from ") and lines[0].endswith("at global step 40")
    assert resumed.global_step == straight.global_step == 80
    assert np.array_equal(resumed.weights, straight.weights)
    assert np.array_equal(resumed.bias, straight.bias)
    # About 62 batches of 256 make an epoch of the 16000 training rows: both halves of the
    # resumed run and the epoch boundary are covered.


def test_batch_size_larger_than_the_training_rows_is_a_usage_error(tmp_path):
    path = str(tmp_path / "small.csv")
    values = table(100)
    write_csv(path, ["id", "x1", "x2", "target"], values)
    config = yaml_config(tmp_path, path, extra="  stream: true\n  batch_size: 5000\n")
    n_train = 100 - stream.is_validation(np.arange(100), 0.2, config.seed).sum()
    with pytest.raises(UsageError) as error:
        trainer.train(config, out=lambda line: None)
    assert str(error.value) == "data.batch_size = 5000: larger than the {} training " \
                               "rows".format(n_train)
    assert not (tmp_path / "model").exists()


def test_stream_without_a_path_is_a_usage_error(tmp_path):
    yaml_path = tmp_path / "nopath.yaml"
    yaml_path.write_text("data:\n  stream: true\n")
    config = config_lib.resolve(str(yaml_path), {"model_dir": str(tmp_path / "model"),
                                                 "summary_dir": str(tmp_path / "summary")})
    with pytest.raises(UsageError) as error:
        trainer.train(config, out=lambda line: None)
    assert str(error.value) == "data.stream: true needs a CSV file in data.path"
    assert not (tmp_path / "model").exists()


def test_files_above_the_threshold_are_streamed(tmp_path, monkeypatch):
    values = table(400)
    path = str(tmp_path / "auto.csv")
    write_csv(path, ["id", "x1", "x2", "target"], values)
    config = yaml_config(tmp_path, path, extra="  batch_size: 32\n", max_step=3)
    assert config.data.stream is None
    lines = []
    trainer.train(config._replace(model_dir=str(tmp_path / "in_memory")), out=lines.append)
    assert "(streamed)" not in lines[0] and lines[0].startswith(
        "training linear regression on {} (".format(path))
    monkeypatch.setattr(stream, "STREAM_ABOVE_BYTES", 1024)
    assert stream.should_stream(config.data)
    lines = []
    result = trainer.train(config._replace(model_dir=str(tmp_path / "streamed")),
                           out=lines.append)
    assert lines[0].startswith("training linear regression on {} (streamed) (".format(path))
    assert ", batches of 32);" in lines[0]
    assert result.global_step == 3
