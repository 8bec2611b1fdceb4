"""tfcourse.commands.export: real SavedModels, checked with TensorFlow's loader: the input keys,
the signatures, the variables, the export directory's life, the graph's ops, the main op (the
penguins' named inputs through saved_model_cli and either loader: test_export_serving.py)."""

import os
import re

import numpy as np
import pytest

from tfcourse.commands import export, predict, restore
from tfcourse.errors import DataError, UsageError
from tfcourse.tf_compat import tf

from conftest import tree
from saved_models import REPO, load_and_run, quiet_export, saved_meta_graph, table_model, train


@pytest.fixture(scope="module")
def linear_model(tmp_path_factory):
    return train(tmp_path_factory.mktemp("linear"), max_step=30)


@pytest.fixture(scope="module")
def logistic_model(tmp_path_factory):
    return train(tmp_path_factory.mktemp("logistic"),
                 os.path.join(REPO, "configs", "breast_cancer.yaml"), max_step=50)


def test_input_keys_are_identifiers_unique_in_column_order():
    names = ["bill length (mm)", "a b", "a_b", "a.b", "a-b_2", "class", "async", "1st", "",
             "_x", ".y", u"r\u00e9gion"]
    keys = export.input_keys(names)
    assert list(keys) == names
    assert list(keys.values()) == ["bill_length__mm_", "a_b", "a_b_2", "a_b_3", "a_b_2_2",
                                   "class_", "async_", "c1st", "c", "c_x", "c_y", "r_gion"]
    assert all(re.match(r"^[A-Za-z][A-Za-z0-9_]*$", key) for key in keys.values())
    assert list(export.input_keys(["x1", "age"]).values()) == ["x1", "age"]


def test_loader_in_fresh_graph_matches_open_model_on_raw_rows(logistic_model, tmp_path):
    path, _ = quiet_export(logistic_model, tmp_path / "served")
    with restore.open_model(logistic_model) as loaded:
        dataset, _ = predict.read_input(loaded, os.path.join(REPO, "data", "breast_cancer.csv"),
                                        False, warn=lambda line: None)
        expected = restore.run_outputs(loaded, dataset)
        keys = export.input_keys(loaded.spec.feature_names)
        inputs = dict((keys[name], dataset.x[:, j])
                      for j, name in enumerate(loaded.spec.feature_names))
    assert dataset.x.max() > 1000  # raw, unstandardised features (mean_area)
    got = load_and_run(path, inputs)
    assert sorted(got) == ["label", "predictions", "probabilities"]
    np.testing.assert_array_equal(got["predictions"], expected["predictions"])
    np.testing.assert_array_equal(got["probabilities"], expected["probabilities"])
    assert list(got["label"]) == [v.decode("utf-8") for v in expected["label"]]
    assert 0 < expected["predictions"].sum() < len(dataset.x)
    # The numeric-only model has a "matrix" signature too: the same rows as one [n, 30] input.
    matrix = load_and_run(path, {"x": dataset.x}, key="matrix")
    for key in got:
        np.testing.assert_array_equal(matrix[key], got[key])


def test_variables_hold_the_restored_values(logistic_model, tmp_path):
    path, _ = quiet_export(logistic_model, tmp_path / "served")
    exported = os.path.join(path, "variables", "variables")
    checkpoint = tf.train.latest_checkpoint(logistic_model)
    names = sorted(name for name, _ in tf.train.list_variables(checkpoint))
    assert sorted(name for name, _ in tf.train.list_variables(exported)) == names
    for name in names:
        np.testing.assert_array_equal(tf.train.load_variable(exported, name),
                                      tf.train.load_variable(checkpoint, name))


def test_non_empty_export_dir_is_refused_and_untouched(linear_model, tmp_path):
    target = tmp_path / "served"
    target.mkdir()
    (target / "keep.txt").write_text(u"mine")
    with pytest.raises(UsageError, match=re.escape(str(target)) + " is not empty.*--overwrite"):
        quiet_export(linear_model, target)
    quiet_export(linear_model, tmp_path / "first")
    before = tree(tmp_path)
    with pytest.raises(UsageError, match="is not empty"):
        quiet_export(linear_model, tmp_path / "first")
    with pytest.raises(UsageError, match="holds no SavedModel"):
        quiet_export(linear_model, target, overwrite=True)
    assert tree(tmp_path) == before
    assert (target / "keep.txt").read_text() == u"mine"


def test_overwrite_replaces_an_export(linear_model, logistic_model, tmp_path):
    target = tmp_path / "served"
    quiet_export(linear_model, target)
    (target / "stale.txt").write_text(u"old")
    quiet_export(logistic_model, target, overwrite=True)
    assert sorted(os.listdir(str(target))) == ["saved_model.pb", "variables"]
    x = np.zeros((2, 30), np.float32)
    assert sorted(load_and_run(str(target), {"x": x}, key="matrix")) == [
        "label", "predictions", "probabilities"]
    assert sorted(os.listdir(str(tmp_path))) == ["served"]  # no staging directory left


def test_failed_overwrite_leaves_the_old_export(linear_model, tmp_path, monkeypatch):
    target = tmp_path / "served"
    quiet_export(linear_model, target)
    before = tree(tmp_path)

    def half_written(loaded, directory):
        os.makedirs(directory)
        with open(os.path.join(directory, "saved_model.pb"), "w") as handle:
            handle.write("partial")
        raise RuntimeError("disk full")
    monkeypatch.setattr(export, "write_saved_model", half_written)
    with pytest.raises(RuntimeError, match="disk full"):
        quiet_export(linear_model, target, overwrite=True)
    assert tree(tmp_path) == before
    x = np.array([1.0, -2.0], np.float32)
    with restore.open_model(linear_model) as loaded:
        weights, bias = loaded.session.run([loaded.tg.model.weights, loaded.tg.model.bias])
    np.testing.assert_allclose(load_and_run(str(target), {"x": x})["predictions"][:, 0],
                               x * weights[0, 0] + bias[0], rtol=1e-6)


def test_empty_export_dir_is_used(linear_model, tmp_path):
    target = tmp_path / "served"
    target.mkdir()
    quiet_export(linear_model, target)
    assert sorted(os.listdir(str(target))) == ["saved_model.pb", "variables"]


def test_bad_arguments_create_nothing(linear_model, tmp_path):
    a_file = tmp_path / "a_file"
    a_file.write_text(u"x")
    with pytest.raises(UsageError, match=re.escape(str(a_file)) + " is a file"):
        quiet_export(linear_model, a_file)
    missing = str(tmp_path / "no_model")
    with pytest.raises(DataError, match=re.escape(missing)):
        quiet_export(missing, tmp_path / "served")
    assert tree(tmp_path) == ["a_file"]


@pytest.mark.parametrize("which", ["linear", "logistic"])
def test_saved_model_holds_no_optimizer_loop_or_data_ops(linear_model, logistic_model, tmp_path,
                                                         which):
    ckpt = linear_model if which == "linear" else logistic_model
    meta_graph = saved_meta_graph(quiet_export(ckpt, str(tmp_path / "export"))[0])
    ops = [(node.name, node.op) for node in meta_graph.graph_def.node]
    names = [name for name, _ in ops]
    types = {op for _, op in ops}
    assert not [name for name in names if name.split("/")[0] in (
        "optimizer", "train_loop", "after_steps", "input", "gradients")]
    assert not [name for name in names if "x_data" in name or "y_data" in name
                or "x_init" in name or "AssignAdd" in name]
    assert not types & {"ApplyGradientDescent", "AssignAdd", "While", "Enter", "Exit",
                        "NextIteration", "IteratorGetNext", "MergeSummary", "HistogramSummary"}
    scope = "linear_model" if which == "linear" else "logistic_model"
    assert {"original_data/x", scope + "/weights", scope + "/bias", "global_step"} <= set(names)
    # The training graph of the same model, from its .meta file, is several times larger.
    meta = tf.train.latest_checkpoint(ckpt) + ".meta"
    graph_def = tf.MetaGraphDef.FromString(open(meta, "rb").read()).graph_def
    assert any(node.name.startswith("optimizer/") for node in graph_def.node)
    assert len(ops) * 2 < len(graph_def.node)


def test_default_valued_attributes_are_stripped(linear_model, tmp_path):
    meta_graph = saved_meta_graph(quiet_export(linear_model, str(tmp_path / "export"))[0])
    assert meta_graph.meta_info_def.stripped_default_attrs
    matmuls = [node for node in meta_graph.graph_def.node if node.op == "MatMul"]
    assert [node.name for node in matmuls] == ["linear_model/MatMul"]
    for node in matmuls:  # transpose_a/b (and TF 2's grad_a/b) are false: their defaults
        assert sorted(name for name in node.attr if not name.startswith("_")) == ["T"]


def test_loader_initialises_the_graphs_tables(tmp_path):
    export_dir = str(tmp_path / "export")
    with table_model(tmp_path) as loaded:
        export.write_saved_model(loaded, export_dir)
    x = np.array([1.0, -4.0], np.float32)
    np.testing.assert_array_equal(load_and_run(export_dir, {"x": x})["predictions"][:, 0],
                                  3 * x + 2)
    np.testing.assert_array_equal(load_and_run(export_dir, {"x": x[:, None]}, "matrix")[
        "predictions"][:, 0], 3 * x + 2)


@pytest.mark.parametrize("keys_fed, main_op, message", [
    (True, True, "main op init_all_tables needs placeholder.* vocabulary"),
    (False, False, r"saved_model_main_op collection holds \[\], expected its table_init "
                   "init_all_tables")])
def test_a_main_op_that_needs_a_feed_or_is_not_the_table_init_is_refused(tmp_path, keys_fed,
                                                                          main_op, message):
    export_dir = str(tmp_path / "export")
    with table_model(tmp_path, keys_fed, main_op) as loaded, pytest.raises(
            ValueError, match=message):
        export.write_saved_model(loaded, export_dir)
    assert not os.path.exists(export_dir)
