"""Tests of tfcourse.data (load, scan): the same rows, split and statistics in memory and streamed,
and training on a streamed file."""

import os

import numpy as np
import pytest

from tfcourse import config as config_lib, data
from tfcourse.data import batches
from tfcourse.errors import DataError, UsageError
from tfcourse.training import trainer
from tfcourse.tf_compat import tf

from csv_files import as_read, data_config, header_of, make_file, table, write_csv

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIABETES_YAML = os.path.join(REPO, "configs", "diabetes.yaml")
BREAST_CANCER = os.path.join(REPO, "data", "breast_cancer.csv")
FRACTION = 0.2
SEED = 7


# --- built-in data -------------------------------------------------------------------------------

def test_load_built_in_course_data():
    split = data.load(data_config(), seed=42)
    assert split.validation is None
    np.testing.assert_array_equal(split.train.x, data.course_data(100, 42).x)
    mean, std = data.standardization(split.train.x)
    np.testing.assert_array_equal(split.mean, mean)
    np.testing.assert_array_equal(split.std, std)


def test_load_built_in_classes():
    split = data.load(data_config("logistic"), 42, "classes", "binary")
    held = data.split.is_validation(np.arange(500), 0.2, 42)
    expected = data.classification_data(500, 42)
    np.testing.assert_array_equal(split.train.x, expected.x[~held])
    np.testing.assert_array_equal(split.validation.y, expected.y[held])
    assert len(split.validation.x) == held.sum() == 103  # about a fifth


def test_load_n_samples_and_fraction():
    split = data.load(data_config(n_samples=50, validation_fraction=0.1), 0)
    held = data.split.is_validation(np.arange(50), 0.1, 0)
    assert len(split.train.x) == 50 - held.sum() and len(split.validation.x) == held.sum() > 0


def test_split_too_small_and_stream_without_a_file():
    with pytest.raises(DataError) as error:
        data.load(data_config(n_samples=2, validation_fraction=0.2), 0)
    assert str(error.value) == (
        "built-in course data (y = 0.8*x + 0.7): validation_fraction 0.2 of 2 rows leaves 2 for "
        "validation and 0 for training; both need at least one")
    with pytest.raises(UsageError) as error:
        data.load(data_config(stream=True), 0)
    assert str(error.value) == "data.stream: true needs a CSV file in data.path"


def test_load_csv_needs_a_label(tmp_path):
    path, _ = make_file(tmp_path, n_rows=20)
    for stream in (False, True):
        with pytest.raises(UsageError) as error:
            data.load(data_config(path=path, stream=stream, validation_fraction=0.2), SEED)
        assert str(error.value) == (
            "data.label: the label column's name is needed with data.path ({}) (flag: --label "
            "NAME)".format(path))


def test_load_breast_cancer_with_chosen_features_and_no_validation():
    split = data.load(data_config(path=BREAST_CANCER, label="malignant", validation_fraction=0.0,
                                  features=("mean_radius", "worst_area")), 1, "classes", "binary")
    assert split.validation is None and split.train.x.shape == (569, 2)
    assert split.train.classes == ("0", "1") and split.train.y.sum() == 212


# --- in memory and streamed: the same rows, split and statistics ----------------------------------

def both(config, seed=SEED, **kwargs):
    return (data.load(config._replace(stream=False), seed, **kwargs),
            data.load(config._replace(stream=True), seed, **kwargs))


def streamed_rows(streamed):
    """All training rows of a ``Streamed`` in file order (one unshuffled epoch)."""
    x, y = next(batches.streamed_batches(streamed, streamed.n_train, 0, SEED))
    return x, y


def test_diabetes_streamed_and_in_memory_hold_out_the_same_rows_with_the_same_statistics():
    config = config_lib.resolve(DIABETES_YAML)
    memory, streamed = both(config.data, config.seed)
    assert isinstance(streamed.train, data.Streamed) and streamed.train.n_rows == 442
    assert len(memory.train.x) == streamed.train.n_train == 349  # about 80 % of 442
    np.testing.assert_array_equal(memory.validation.x, streamed.validation.x)
    np.testing.assert_array_equal(memory.validation.y, streamed.validation.y)
    x, y = streamed_rows(streamed.train)
    np.testing.assert_array_equal(memory.train.x, x)
    np.testing.assert_array_equal(memory.train.y, y)
    np.testing.assert_allclose(memory.mean, streamed.mean, rtol=1e-7)  # float32 rounding
    np.testing.assert_allclose(memory.std, streamed.std, rtol=1e-7)
    full = data.read_csv(config.data._replace(validation_fraction=0.0)).train
    held = data.split.is_validation(np.arange(442), 0.2, config.seed)
    np.testing.assert_array_equal(memory.validation.x, full.x[held])


@pytest.mark.parametrize("block_bytes", [300, 4096, 2 ** 24])
def test_scan_statistics_are_numpys_on_exactly_the_training_rows(tmp_path, block_bytes):
    path, values = make_file(tmp_path, n_rows=1000)
    split = data.scan(data_config(path=path, label="y", validation_fraction=FRACTION), "number",
                      SEED, block_bytes=block_bytes)
    held = data.split.is_validation(np.arange(1000), FRACTION, SEED)
    train = values[~held, :-1].astype(np.float64)
    assert split.train.n_rows == 1000 and split.train.n_train == (~held).sum()
    np.testing.assert_allclose(split.mean, train.mean(axis=0).astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(split.std, train.std(axis=0).astype(np.float32), rtol=1e-5)
    np.testing.assert_array_equal(split.validation.x, values[held, :-1])
    np.testing.assert_array_equal(split.validation.y, values[held, -1:])


def test_scan_keeps_at_most_max_validation_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "MAX_VALIDATION_ROWS", 50)
    path, values = make_file(tmp_path, n_rows=1000)
    split = data.scan(data_config(path=path, label="y", validation_fraction=FRACTION,
                                  features=("x2",)), "number", SEED, block_bytes=500)
    held = np.flatnonzero(data.split.is_validation(np.arange(1000), FRACTION, SEED))
    assert tuple(column.name for column in split.train.decided.columns) == ("x2",)
    assert len(split.validation.x) == 50
    np.testing.assert_array_equal(split.validation.x[:, 0], values[held[:50], 2])


def test_constant_column_gets_std_one_on_both_paths(tmp_path):
    values = table(200)
    values[:, 2] = 5.25
    path = str(tmp_path / "constant.csv")
    write_csv(path, header_of(values), values)
    for split in both(data_config(path=path, label="y", validation_fraction=FRACTION)):
        assert split.std[2] == 1.0 and split.mean[2] == 5.25 and split.std[1] != 1.0


def test_both_paths_read_crlf_blank_lines_quotes_and_a_byte_order_mark(tmp_path):
    values = table(500)
    path = str(tmp_path / "messy.csv")
    write_csv(path, header_of(values), values, newline="\r\n", blank_before=123,
              quote_at=(40, 1))
    with open(path, "rb") as handle:
        raw = handle.read()
    with open(path, "wb") as handle:
        handle.write(b"\xef\xbb\xbf" + raw)
    memory, streamed = both(data_config(path=path, label="y", validation_fraction=FRACTION),
                            block_bytes=1000)
    held = data.split.is_validation(np.arange(500), FRACTION, SEED)
    expected = as_read(values)
    np.testing.assert_array_equal(memory.validation.x, expected[held, :-1])
    np.testing.assert_array_equal(streamed.validation.x, expected[held, :-1])
    np.testing.assert_array_equal(streamed_rows(streamed.train)[0], expected[~held, :-1])


def test_both_paths_need_a_training_row(tmp_path):
    path, _ = make_file(tmp_path, n_rows=1)
    assert data.split.is_validation(np.arange(1), 0.9, 0)[0]  # row 0 is held out with seed 0
    for stream in (False, True):
        with pytest.raises(DataError) as error:
            data.load(data_config(path=path, label="y", validation_fraction=0.9, stream=stream), 0)
        assert str(error.value) == ("{}: validation_fraction 0.9 of 1 rows leaves 1 for "
                                    "validation and 0 for training; both need at least "
                                    "one".format(path))


# --- training: the same first step on both paths; a streamed file learns --------------------------

def train_lines(config, tmp_path, name, **data_values):
    config = config._replace(model_dir=str(tmp_path / name), summary_dir=str(tmp_path / "s"),
                             data=config.data._replace(**data_values))
    lines = []
    return trainer.train(config, out=lines.append), lines


def test_diabetes_first_training_step_is_the_same_streamed_and_in_memory(tmp_path):
    config = config_lib.resolve(DIABETES_YAML, {"max_step": 1, "log_every": 1})
    memory, memory_lines = train_lines(config, tmp_path, "memory", stream=False)
    streamed, streamed_lines = train_lines(config, tmp_path, "streamed", stream=True,
                                           batch_size=349, shuffle_buffer=0)
    # The full batch logs its loss at step 0, a minibatch with the step it took: the loss of the
    # initial weights on the same 349 rows, standardised with the same statistics.
    first = [line.split()[3] for line in memory_lines if line.startswith("step 0/1")]
    assert first == [line.split()[3] for line in streamed_lines if line.startswith("step 1/1")]
    assert float(first[0]) > 1000
    np.testing.assert_allclose(memory.weights, streamed.weights, rtol=1e-5)
    np.testing.assert_allclose(memory.bias, streamed.bias, rtol=1e-6)
    for name in ("standardize/mean", "standardize/std"):
        np.testing.assert_allclose(tf.train.load_variable(memory.checkpoint, name),
                                   tf.train.load_variable(streamed.checkpoint, name), rtol=1e-7)


TRUE_WEIGHTS = np.array([1.5, -2.0, 0.5, 3.0, -0.75])
TRUE_BIAS = 0.25
STREAMED = "  stream: true\n  batch_size: 256\n  shuffle_buffer: 4096\n"


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
    assert lines[0] == "columns: a numeric, b numeric, c numeric, d numeric, e numeric"
    assert lines[1].startswith("training linear regression on {} (streamed) (".format(
        linear_csv))
    assert ", batches of 256);" in lines[1]
    split = data.scan(config.data, "number", config.seed)
    assert split.notes == lines[:1] and split.warnings == []
    assert "({} training rows, 5 features".format(split.train.n_train) in lines[1]
    np.testing.assert_array_equal(tf.train.load_variable(config.model_dir, "standardize/mean"),
                                  split.mean)
    np.testing.assert_array_equal(tf.train.load_variable(config.model_dir, "standardize/std"),
                                  split.std)
    # Standardised features: the model's weights are w * std, its bias b + mean . w.
    learned = result.weights[:, 0] / split.std
    assert np.max(np.abs(learned - TRUE_WEIGHTS)) < 0.02, learned
    bias = result.bias[0] - np.dot(learned, split.mean)
    assert abs(bias - TRUE_BIAS) < 0.02, bias
    last = [line for line in lines if line.startswith("step 300/300  loss ")]
    assert len(last) == 1 and float(last[0].split()[3]) < 1e-3, lines
    assert result.eval_metrics["r2"] > 0.999
    assert len(split.validation.x) == 20000 - split.train.n_train


def test_resumed_streamed_run_ends_bit_identical(linear_csv):
    tmp_path, linear_csv = linear_csv
    quiet = lambda line: None  # noqa: E731
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


def test_batch_size_larger_than_the_training_rows_is_a_usage_error(tmp_path):
    path = str(tmp_path / "small.csv")
    write_csv(path, ["id", "x1", "x2", "target"], table(100))
    config = yaml_config(tmp_path, path, extra="  stream: true\n")
    assert config.data.batch_size == 4096  # resolved: streaming defaults to batches of 4096
    n_train = 100 - data.split.is_validation(np.arange(100), 0.2, config.seed).sum()
    with pytest.raises(UsageError) as error:
        trainer.train(config, out=lambda line: None)
    assert str(error.value) == (
        "data.batch_size = 4096: larger than the {} training rows of {} (streamed) (4096 is the "
        "default when streaming); give data.batch_size <= {}".format(n_train, path, n_train))
    assert not (tmp_path / "model").exists()


def test_files_above_the_threshold_are_streamed(tmp_path, monkeypatch):
    path = str(tmp_path / "auto.csv")
    write_csv(path, ["id", "x1", "x2", "target"], table(400))
    config = yaml_config(tmp_path, path, extra="  batch_size: 32\n", max_step=3)
    assert config.data.stream is False
    lines = []
    trainer.train(config._replace(model_dir=str(tmp_path / "in_memory")), out=lines.append)
    assert lines[0] == "columns: id numeric, x1 numeric, x2 numeric"
    assert "(streamed)" not in lines[1] and lines[1].startswith(
        "training linear regression on {} (".format(path))
    monkeypatch.setattr(config_lib, "STREAM_ABOVE_BYTES", 1024)
    config = yaml_config(tmp_path, path, extra="  batch_size: 32\n", max_step=3,
                         model_dir=str(tmp_path / "streamed"))
    assert config.data.stream is True
    lines = []
    result = trainer.train(config, out=lines.append)
    assert lines[0] == "columns: id numeric, x1 numeric, x2 numeric"
    assert lines[1].startswith("training linear regression on {} (streamed) (".format(path))
    assert ", batches of 32);" in lines[1]
    assert result.global_step == 3
    saved = config_lib.from_dict(config.to_dict(), "saved")
    monkeypatch.setattr(config_lib, "STREAM_ABOVE_BYTES", 10 ** 9)
    assert saved.data.stream is True  # the saved config says it: never guessed again
