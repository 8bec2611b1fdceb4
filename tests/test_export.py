"""tfcourse.commands.export: real SavedModels, checked with TensorFlow's saved_model_cli and loader."""

import collections
import contextlib
import csv
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from tfcourse import config as config_lib
from tfcourse.commands import export
from tfcourse.commands import restore
from tfcourse.train import trainer
from tfcourse.errors import DataError, UsageError
from tfcourse.tf_compat import tf

from conftest import tree

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAVED_MODEL_CLI = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
BREAST_CANCER = os.path.join(REPO, "data", "breast_cancer.csv")


def train(directory, config_path=None, **overrides):
    overrides.setdefault("model_dir", str(directory / "model"))
    overrides.setdefault("summary_dir", str(directory / "summary"))
    trainer.train(config_lib.resolve(config_path, overrides), out=lambda line: None)
    return str(directory / "model")


@pytest.fixture(scope="module")
def linear_model(tmp_path_factory):
    return train(tmp_path_factory.mktemp("linear"), max_step=30)


@pytest.fixture(scope="module")
def logistic_model(tmp_path_factory):
    return train(tmp_path_factory.mktemp("logistic"),
                 os.path.join(REPO, "configs", "breast_cancer.yaml"), max_step=50)


def breast_cancer_rows(feature_names, n_rows, start=0):
    """``n_rows`` rows of the CSV from ``start`` as raw float32 features, in the model's order."""
    with open(BREAST_CANCER) as handle:
        rows = list(csv.DictReader(handle))[start:start + n_rows]
    return np.array([[float(row[name]) for name in feature_names] for row in rows], np.float32)


def restore_features(ckpt):
    """The model's feature names, in input order."""
    with restore.open_model(ckpt) as loaded:
        return loaded.spec.feature_names


def expected_outputs(ckpt, x):
    with restore.open_model(ckpt) as loaded:
        return restore.run_outputs(loaded, x)


def saved_model_cli(*args):
    proc = subprocess.run([SAVED_MODEL_CLI] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def cli_results(text):
    """{output key: float array} parsed from ``saved_model_cli run``'s printed arrays."""
    found = {}
    for key, body in re.findall(r"Result for output key (\w+):\n(.*?)(?=Result for|\Z)", text,
                                re.S):
        numbers = re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", body)
        found[key] = np.array([float(number) for number in numbers])
    return found


def load_and_run(export_dir, x):
    """Runs the ``serving_default`` signature of a SavedModel in a fresh graph and session."""
    with tf.Session(graph=tf.Graph()) as session:
        meta_graph = tf.saved_model.loader.load(session, ["serve"], export_dir)
        sig = meta_graph.signature_def["serving_default"]
        keys = sorted(sig.outputs)
        values = session.run([sig.outputs[key].name for key in keys],
                             {sig.inputs["x"].name: x})
    return dict(zip(keys, values))


def quiet_export(ckpt, export_dir, overwrite=False):
    lines = []
    path = export.export(ckpt, str(export_dir), overwrite=overwrite, out=lines.append)
    return path, lines


@pytest.mark.slow
def test_signature_seen_by_saved_model_cli(logistic_model, tmp_path):
    path, lines = quiet_export(logistic_model, tmp_path / "served")
    assert path == str(tmp_path / "served")
    assert lines[0].startswith("exported {}".format(os.path.join(logistic_model, "model.ckpt-50")))
    shown = saved_model_cli("show", "--dir", path, "--tag_set", "serve",
                            "--signature_def", "serving_default")
    blocks = dict(re.findall(r"(?:inputs|outputs)\['(\w+)'\] tensor_info:\n(.*?)name:", shown,
                             re.S))
    assert sorted(blocks) == ["predictions", "probabilities", "x"]
    assert "dtype: DT_FLOAT" in blocks["x"] and "shape: (-1, 30)" in blocks["x"]
    for key in ("predictions", "probabilities"):
        assert "dtype: DT_FLOAT" in blocks[key] and "shape: (-1, 1)" in blocks[key]
    assert "Method name is: tensorflow/serving/predict" in shown


@pytest.mark.slow
def test_linear_signature_has_no_probabilities(linear_model, tmp_path):
    path, _ = quiet_export(linear_model, tmp_path / "served")
    shown = saved_model_cli("show", "--dir", path, "--tag_set", "serve",
                            "--signature_def", "serving_default")
    assert "outputs['predictions']" in shown and "probabilities" not in shown
    assert "shape: (-1, 1)" in shown and "name: original_data/x:0" in shown


@pytest.mark.slow
def test_saved_model_cli_run_matches_the_restored_model(linear_model, logistic_model, tmp_path):
    cases = ((linear_model, np.array([[1.0], [2.5], [-3.0]], np.float32)),
             (logistic_model, breast_cancer_rows(restore_features(logistic_model), 4, start=18)))
    for index, (ckpt, x) in enumerate(cases):
        path, _ = quiet_export(ckpt, tmp_path / "served{}".format(index))
        rows = ",".join("[{}]".format(",".join(repr(float(v)) for v in row)) for row in x)
        got = cli_results(saved_model_cli("run", "--dir", path, "--tag_set", "serve",
                                          "--signature_def", "serving_default",
                                          "--input_exprs", "x=[{}]".format(rows)))
        predictions, probabilities = expected_outputs(ckpt, x)
        np.testing.assert_allclose(got["predictions"], predictions[:, 0], rtol=1e-6)
        if probabilities is None:
            assert sorted(got) == ["predictions"]
        else:
            np.testing.assert_allclose(got["probabilities"], probabilities[:, 0], rtol=1e-6)
            assert 0 < probabilities.min() < 0.5 < probabilities.max() < 1  # rows of both classes


def test_loader_in_fresh_graph_matches_open_model_on_raw_rows(logistic_model, tmp_path):
    path, _ = quiet_export(logistic_model, tmp_path / "served")
    x = breast_cancer_rows(restore_features(logistic_model), 40)
    assert x.max() > 1000  # raw, unstandardised features (mean_area)
    got = load_and_run(path, x)
    predictions, probabilities = expected_outputs(logistic_model, x)
    np.testing.assert_array_equal(got["predictions"], predictions)
    np.testing.assert_array_equal(got["probabilities"], probabilities)  # same ops, same values
    assert 0 < predictions.sum() < len(x)


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
    assert sorted(load_and_run(str(target), breast_cancer_rows(
        restore_features(logistic_model), 2))) == ["predictions", "probabilities"]
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
    x = np.array([[1.0]], np.float32)
    np.testing.assert_array_equal(load_and_run(str(target), x)["predictions"],
                                  expected_outputs(linear_model, x)[0])


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


def saved_model_ops(export_dir):
    """``(name, type)`` of every op in the exported ``saved_model.pb``'s serving graph."""
    from tensorflow.core.protobuf import saved_model_pb2
    saved_model = saved_model_pb2.SavedModel()
    with open(os.path.join(export_dir, "saved_model.pb"), "rb") as handle:
        saved_model.ParseFromString(handle.read())
    assert len(saved_model.meta_graphs) == 1
    return [(node.name, node.op) for node in saved_model.meta_graphs[0].graph_def.node]


@pytest.mark.parametrize("which", ["linear", "logistic"])
def test_saved_model_holds_no_optimizer_loop_or_data_ops(linear_model, logistic_model, tmp_path,
                                                         which):
    ckpt = linear_model if which == "linear" else logistic_model
    ops = saved_model_ops(quiet_export(ckpt, str(tmp_path / "export"))[0])
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


def saved_meta_graph(export_dir):
    """The one MetaGraphDef of the exported ``saved_model.pb``."""
    from tensorflow.core.protobuf import saved_model_pb2
    saved_model = saved_model_pb2.SavedModel()
    with open(os.path.join(export_dir, "saved_model.pb"), "rb") as handle:
        saved_model.ParseFromString(handle.read())
    assert len(saved_model.meta_graphs) == 1
    return saved_model.meta_graphs[0]


@pytest.mark.parametrize("which", ["linear", "logistic"])
def test_main_op_initialises_tables_and_needs_no_feed(linear_model, logistic_model, tmp_path,
                                                      which):
    ckpt = linear_model if which == "linear" else logistic_model
    meta_graph = saved_meta_graph(quiet_export(ckpt, str(tmp_path / "export"))[0])
    collections_saved = meta_graph.collection_def
    assert list(collections_saved["saved_model_main_op"].node_list.value) == ["init_all_tables"]
    assert "legacy_init_op" not in collections_saved
    assert "local_variables" not in collections_saved  # what TF 2's default init would run
    with tf.Graph().as_default() as graph:
        tf.train.import_meta_graph(meta_graph)
        main_op = graph.get_operation_by_name("init_all_tables")
        assert export.placeholders_needed(main_op) == []
        # The walk does find placeholders: the predictions need x (and not the labels y).
        predictions = meta_graph.signature_def["serving_default"].outputs["predictions"].name
        assert export.placeholders_needed(graph.get_tensor_by_name(predictions).op) == [
            "original_data/x"]


def test_default_valued_attributes_are_stripped(linear_model, tmp_path):
    meta_graph = saved_meta_graph(quiet_export(linear_model, str(tmp_path / "export"))[0])
    assert meta_graph.meta_info_def.stripped_default_attrs
    matmuls = [node for node in meta_graph.graph_def.node if node.op == "MatMul"]
    assert [node.name for node in matmuls] == ["linear_model/MatMul"]
    for node in matmuls:  # transpose_a/b (and TF 2's grad_a/b) are false: their defaults
        assert sorted(name for name in node.attr if not name.startswith("_")) == ["T"]


TableGraph = collections.namedtuple("TableGraph", "graph x outputs saver")


def hash_table(keys, values):
    """A string -> int64 lookup table (default -1) whose initializer is in TABLE_INITIALIZERS."""
    lookup = tf.lookup if hasattr(tf, "lookup") else tf.contrib.lookup  # 2.x : 1.12
    table_class = getattr(lookup, "StaticHashTable", None) or lookup.HashTable
    return table_class(lookup.KeyValueTensorInitializer(keys, values), -1)


@contextlib.contextmanager
def table_model(directory, keys_fed=False):
    """A restored model whose output reads a lookup table, as ``restore.open_model`` yields it.

    ``predictions = weight * x + table["c"]``: weight is saved as 3.0 (initialised
    to 2.0) and the table maps a, b, c to 0, 1, 2, so a SavedModel of it gives
    ``3x + 2`` only if the loader restores the variable and initialises the table.

    Args:
        directory: where the checkpoint goes (pathlib.Path).
        keys_fed: take the table's keys from a placeholder ``vocabulary``.

    Yields:
        a ``restore.LoadedModel`` in an open session holding the restored weight.
    """
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 1], name="x")
        weight = tf.get_variable("weight", [], initializer=tf.constant_initializer(2.0))
        keys = (tf.placeholder(tf.string, [3], name="vocabulary") if keys_fed
                else tf.constant(["a", "b", "c"]))
        code = hash_table(keys, tf.constant([0, 1, 2], tf.int64)).lookup(tf.constant(["c"]))
        predictions = tf.add(weight * x, tf.cast(code, tf.float32), name="predictions")
        saver = tf.train.Saver([weight])
        init_op = tf.global_variables_initializer()
    graph.finalize()
    with tf.Session(graph=graph) as session:
        session.run(init_op)
        weight.load(3.0, session)
        prefix = saver.save(session, str(directory / "model.ckpt"), write_meta_graph=False)
        session.run(init_op)
        saver.restore(session, prefix)
        os.remove(prefix + ".index")  # an export copies the session's values, not the files
        tg = TableGraph(graph=graph, x=x, outputs=collections.OrderedDict(
            predictions=predictions), saver=saver)
        yield restore.LoadedModel(spec=None, config=None, tg=tg, session=session,
                                  checkpoint=prefix, global_step=0)


def test_loader_initialises_the_graphs_tables(tmp_path):
    export_dir = str(tmp_path / "export")
    with table_model(tmp_path) as loaded:
        export.write_saved_model(loaded, export_dir)
    x = np.array([[1.0], [-4.0]], np.float32)
    np.testing.assert_array_equal(load_and_run(export_dir, x)["predictions"], 3 * x + 2)


def test_main_op_that_needs_a_placeholder_is_refused(tmp_path):
    export_dir = str(tmp_path / "export")
    with table_model(tmp_path, keys_fed=True) as loaded, pytest.raises(
            ValueError, match="main op init_all_tables needs placeholder.* vocabulary"):
        export.write_saved_model(loaded, export_dir)
    assert not os.path.exists(export_dir)
