"""tfcourse.commands.inspect on real checkpoints: tfcourse's own and foreign ones."""

import os
import re
import shutil

import numpy as np
import pytest

from tfcourse import config as config_lib, graph as graph_lib
from tfcourse.commands import inspect as inspect_ckpt
from tfcourse.training import trainer
from tfcourse.errors import DataError
from tfcourse.tf_compat import tf

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINE = re.compile(r"^  (\S+)  \[([\d, ]*)\] (\w+)  = (.*)$")


def train(tmp_path, config_path=None, **overrides):
    overrides.setdefault("model_dir", str(tmp_path / "model"))
    overrides.setdefault("summary_dir", str(tmp_path / "summary"))
    return trainer.train(config_lib.resolve(config_path, overrides), out=lambda line: None)


def run(path, show_ops=False):
    lines = []
    result = inspect_ckpt.inspect(str(path), show_ops=show_ops, out=lines.append)
    return result, lines


def variable_lines(lines):
    """{name: (shape text, dtype, value text)} from inspect's variable lines."""
    found = {}
    for line in lines:
        match = LINE.match(line)
        if match:
            found[match.group(1)] = match.group(2, 3, 4)
    return found


def shown_numbers(text):
    """The numbers printed inside the value's brackets (before any '...')."""
    inside = text[text.index("[") + 1:text.index("]")] if text.startswith("[") else text
    return [float(cell) for cell in inside.split(", ") if cell and not cell.startswith("...")]


@pytest.fixture(scope="module")
def linear_dir(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("linear")
    train(tmp_path, max_step=30)
    return tmp_path / "model"


@pytest.fixture(scope="module")
def logistic_dir(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("logistic")
    train(tmp_path, os.path.join(REPO, "configs", "breast_cancer.yaml"), max_step=20)
    return tmp_path / "model"


def write_foreign(directory, write_meta_graph=True, write_state=True):
    """A checkpoint from a plain tf.train.Saver: a 1000-value variable, no global_step."""
    graph = tf.Graph()
    with graph.as_default():
        big = tf.Variable(np.arange(1000, dtype=np.float32).reshape(10, 100), name="big/var")
        counter = tf.Variable(3, dtype=tf.int32, name="counter")
        saver = tf.train.Saver([big, counter])
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            return saver.save(session, str(directory / "foreign"), global_step=7,
                              write_meta_graph=write_meta_graph, write_state=write_state)


def test_values_printed_equal_the_checkpoint(linear_dir):
    result, lines = run(linear_dir)
    prefix = str(linear_dir / "model.ckpt-30")
    assert result.prefix == prefix and lines[0] == "checkpoint: " + prefix
    assert result.global_step == 30 and "global step: 30" in lines
    assert [v.name for v in result.variables] == ["global_step", "linear_model/bias",
                                                  "linear_model/weights"]
    assert result.variables[2] == ("linear_model/weights", [1, 1], "float32")
    shown = variable_lines(lines)
    assert sorted(shown) == [v.name for v in result.variables]
    for name, (shape, dtype, value) in shown.items():
        expected = tf.train.load_variable(prefix, name)
        assert shape == ", ".join(str(n) for n in np.shape(expected))
        assert dtype == np.asarray(expected).dtype.name
        numbers = np.array(shown_numbers(value), dtype=np.asarray(expected).dtype)
        np.testing.assert_array_equal(numbers, np.ravel(expected))  # exact: shortest round trip
    assert shown["global_step"] == ("", "int64", "30")


def test_tfcourse_metadata_is_shown(logistic_dir):
    result, lines = run(logistic_dir)
    assert result.spec.model == "logistic" and len(result.spec.feature_names) == 30
    assert result.config.max_step == 20
    text = "\n".join(lines)
    assert "logistic regression, features [mean_radius, mean_texture" in text
    assert "label malignant, standardize True" in text
    assert "  max_step: 20" in lines and "  learning_rate: auto" in lines
    assert result.ops is None  # no graph unless asked


def test_big_tensors_are_truncated_with_statistics(logistic_dir, tmp_path):
    _, lines = run(logistic_dir)
    shown = variable_lines(lines)
    prefix = str(logistic_dir / "model.ckpt-20")
    for name in ("logistic_model/weights", "standardize/mean", "standardize/std"):
        expected = np.ravel(tf.train.load_variable(prefix, name))
        value = shown[name][2]
        assert "... (30 values)]" in value
        np.testing.assert_array_equal(np.float32(shown_numbers(value)), expected[:6])
        stats = dict(re.findall(r"(min|mean|max) (\S+)", value))
        assert float(stats["min"]) == pytest.approx(expected.min(), rel=1e-5)
        assert float(stats["mean"]) == pytest.approx(expected.astype(np.float64).mean(), rel=1e-5)
        assert float(stats["max"]) == pytest.approx(expected.max(), rel=1e-5)


def test_foreign_checkpoint(tmp_path):
    prefix = write_foreign(tmp_path)
    result, lines = run(tmp_path)
    assert result.prefix == prefix == str(tmp_path / "foreign-7")
    assert result.global_step is None and "global step: not in the checkpoint" in lines
    assert result.config is None and result.spec is None
    assert result.variables == [("big/var", [10, 100], "float32"), ("counter", [], "int32")]
    shown = variable_lines(lines)
    assert shown["counter"] == ("", "int32", "3")
    assert shown["big/var"] == ("10, 100", "float32", "[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, "
                                "... (1000 values)]  min 0  mean 499.5  max 999")


@pytest.mark.parametrize("suffix", ["", ".index", ".meta", ".data-00000-of-00001"])
def test_prefix_or_any_checkpoint_file(tmp_path, suffix):
    prefix = write_foreign(tmp_path)
    assert run(prefix + suffix)[0].prefix == prefix


def test_directory_without_state_file_names_its_prefixes(tmp_path):
    prefix = write_foreign(tmp_path, write_state=False)
    with pytest.raises(DataError, match="no 'checkpoint' state file.*" + re.escape(prefix)):
        run(tmp_path)


def test_show_ops_from_meta_file(linear_dir):
    result, lines = run(linear_dir, show_ops=True)
    assert "linear_model/weights:0" in result.ops and "original_data/x:0" in result.ops
    assert "init" in result.ops  # an op without outputs, by its name
    assert any(line.startswith("graph ({}.meta)".format(result.prefix)) for line in lines)
    assert "  original_data/x:0  Placeholder float32 [None, 1]" in lines


def test_show_ops_rebuilds_a_tfcourse_graph_without_meta(linear_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(str(linear_dir), str(copy))
    for name in os.listdir(str(copy)):
        if name.endswith(".meta"):
            os.remove(str(copy / name))
    result, lines = run(copy, show_ops=True)
    assert "linear_model/weights:0" in result.ops and "original_data/x:0" in result.ops
    assert any(line.startswith("graph (inference graph rebuilt from model.json)")
               for line in lines)
    # The inference graph: the training graph's model and variables, no optimizer, loop or data.
    from_meta = set(run(linear_dir, show_ops=True)[0].ops)
    assert {"linear_model/predictions:0", "loss/mse:0", "global_step:0",
            "save/restore_all"} <= set(result.ops) & from_meta
    assert "  original_data/x:0  Pack float32 [None, 1]" in lines
    assert not [name for name in result.ops if name.split("/")[0] in (
        "optimizer", "train_loop", "after_steps", "input") or "x_data" in name]
    assert any(name.startswith("optimizer/") for name in from_meta)


def test_show_ops_on_foreign_checkpoint(tmp_path):
    with_meta = tmp_path / "with_meta"
    without = tmp_path / "without_meta"
    with_meta.mkdir()
    without.mkdir()
    write_foreign(with_meta)
    write_foreign(without, write_meta_graph=False)
    assert "big/var:0" in run(with_meta, show_ops=True)[0].ops
    result, lines = run(without, show_ops=True)
    assert result.ops is None
    assert lines[-1].startswith("graph: not available (no {}.meta".format(result.prefix))


def test_listing_variables_builds_no_model(linear_dir, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("graph.build called")
    monkeypatch.setattr(graph_lib, "build", refuse)
    assert run(linear_dir)[0].global_step == 30


def test_missing_path_is_a_data_error(tmp_path):
    missing = str(tmp_path / "nowhere")
    with pytest.raises(DataError, match=re.escape(missing)):
        run(missing)


def test_empty_directory_and_not_a_checkpoint(tmp_path):
    with pytest.raises(DataError, match="no checkpoint found in directory " + re.escape(
            str(tmp_path))):
        run(tmp_path)
    text_file = tmp_path / "notes.txt"
    text_file.write_text(u"hello")
    with pytest.raises(DataError, match=re.escape(str(text_file)) + " is not a checkpoint"):
        run(text_file)


def test_damaged_checkpoint_is_a_data_error(tmp_path):
    prefix = write_foreign(tmp_path)
    data_file = prefix + ".data-00000-of-00001"
    with open(data_file, "r+b") as handle:
        handle.truncate(100)
    with pytest.raises(DataError, match="checkpoint {} cannot be read".format(re.escape(prefix))):
        run(prefix)


def table_rows(lines, title):
    """``{row name: [numbers]}`` and the header cells of the weights table after ``title``."""
    start = lines.index(title)
    header = lines[start + 1].split()
    rows = {}
    for line in lines[start + 2:]:
        cells = line.split()
        rows[cells[0]] = [float(cell) for cell in cells[1:]]
        if cells[0] == "(bias)":
            return header, rows
    raise AssertionError("no (bias) row")


def test_weights_table_of_a_linear_model(linear_dir):
    _, lines = run(linear_dir)
    header, rows = table_rows(lines, "weights by feature (linear_model/weights, "
                                     "linear_model/bias):")
    assert header == ["feature", "weight"] and sorted(rows) == ["(bias)", "x"]
    prefix = str(linear_dir / "model.ckpt-30")
    assert rows["x"] == [pytest.approx(tf.train.load_variable(prefix, "linear_model/weights")
                                       [0, 0], rel=1e-5)]
    assert rows["(bias)"] == [pytest.approx(tf.train.load_variable(prefix, "linear_model/bias")
                                            [0], rel=1e-5)]


def test_weights_table_of_a_standardised_logistic_model(logistic_dir):
    result, lines = run(logistic_dir)
    _, rows = table_rows(lines, "weights by feature (logistic_model/weights, logistic_model/bias; "
                                "of standardised features):")
    weights = tf.train.load_variable(result.prefix, "logistic_model/weights")
    assert list(rows)[:-1] == list(result.spec.feature_names)
    np.testing.assert_allclose([rows[name][0] for name in result.spec.feature_names],
                               weights[:, 0], rtol=1e-5)


def test_weights_table_of_a_softmax_model_and_its_rebuilt_graph(tmp_path):
    train(tmp_path, model="softmax", max_step=10)
    copy = tmp_path / "model"
    for name in os.listdir(str(copy)):
        if name.endswith(".meta"):
            os.remove(str(copy / name))
    result, lines = run(copy, show_ops=True)
    header, rows = table_rows(lines, "weights by feature and class (softmax_model/weights, "
                                     "softmax_model/bias):")
    assert header == ["feature", "class", "0", "class", "1", "class", "2"]
    weights = tf.train.load_variable(result.prefix, "softmax_model/weights")
    bias = tf.train.load_variable(result.prefix, "softmax_model/bias")
    np.testing.assert_allclose([rows["x1"], rows["x2"], rows["(bias)"]],
                               np.vstack([weights, bias]), rtol=1e-5)
    # without a .meta file the inference graph is rebuilt with the checkpoint's three classes
    assert "  softmax_model/probabilities:0  Softmax float32 [None, 3]" in lines


def test_weights_table_with_class_names():
    lines = inspect_ckpt.weights_table(np.array([[1.5, -0.25], [0.0, 2.0]]), np.array([0.5, -1.0]),
                                       ["height", "w"], class_names=["setosa", "virginica"])
    assert lines == ["  feature  setosa  virginica",
                     "  height      1.5      -0.25",
                     "  w             0          2",
                     "  (bias)      0.5         -1"]
