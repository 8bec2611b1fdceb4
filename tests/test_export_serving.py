"""The exported signatures on the raw penguins file: one named input per column (strings for
the categorical columns), run by ``saved_model_cli`` and by this leg's loaders, against
``tfcourse predict`` on the same rows; an unseen category and missing cells included."""

import collections
import os
import re
import sys

import numpy as np
import pytest

from tfcourse import graph_inference
from tfcourse.commands import export, predict, restore
from tfcourse.data.types import numeric_column
from tfcourse.tf_compat import tf

from saved_models import (REPO, THIS_BIN, assert_outputs_equal, load_and_run, predicted,
                         quiet_export, run_loader, run_process, saved_meta_graph,
                         saved_model_cli_run, signature_inputs, train, write_penguin_rows)

STEPS = 30  # far enough from the initial values for the classes to differ between rows
Case = collections.namedtuple("Case", "model_dir export_dir lines inputs expected")


@pytest.fixture(scope="module", params=["penguins_mass", "penguins"])
def case(request, tmp_path_factory):
    """A penguins config (penguins_mass: linear on body mass, species an input; penguins:
    softmax on species) trained ``STEPS`` steps and exported, with the rows' signature
    inputs and ``tfcourse predict``'s outputs for them."""
    cwd = tmp_path_factory.mktemp(request.param)
    model_dir = train(cwd, os.path.join(REPO, "configs", request.param + ".yaml"),
                      max_step=STEPS)
    export_dir, lines = quiet_export(model_dir, cwd / "export")
    rows = write_penguin_rows(cwd / "rows.csv")
    predict.predict(model_dir, rows, str(cwd / "predicted.csv"), out=lambda line: None,
                    warn=lambda line: None)
    return Case(model_dir=model_dir, export_dir=export_dir, lines=lines,
                inputs=signature_inputs(rows, model_dir),
                expected=predicted(cwd / "predicted.csv", model_dir))


def test_rows_hold_what_a_served_model_must_take(case):
    inputs = case.inputs
    assert "Atlantis" in inputs["island"] and "" in inputs["sex"] and "NA" in inputs["sex"]
    assert np.isnan(inputs["bill_length_mm"]).sum() == 1
    assert np.isnan(inputs["bill_depth_mm"]).sum() == 2
    if "label" in case.expected:
        assert set(case.expected["label"]) == {"Adelie", "Chinstrap", "Gentoo"}
    else:
        assert "Emperor" in inputs["species"]
        assert np.ptp(case.expected["predictions"]) > 500  # grams: rows far apart


def test_export_prints_each_input_and_output(case):
    lines = case.lines
    assert lines[0].startswith("exported {} (global_step {}) to {}".format(
        os.path.join(case.model_dir, "model.ckpt-{}".format(STEPS)), STEPS, case.export_dir))
    assert lines[1] == ("  signature serving_default (tag serve): inputs, one per column, "
                        "each [None]:")
    listed = [line.split() for line in lines[2:-1]]
    assert [row[0] for row in listed] == list(case.inputs)
    for row in listed:
        assert row[1:] == [{"U": "string", "f": "float32"}[case.inputs[row[0]].dtype.kind],
                           "column", row[0]]
    if "label" in case.expected:
        assert lines[-1] == ("  outputs: predictions float32 [None, 1], probabilities float32 "
                             "[None, 3], label string [None]")
    else:
        assert lines[-1] == "  outputs: predictions float32 [None, 1]"


@pytest.mark.slow
def test_saved_model_cli_shows_the_named_inputs(case):
    shown = run_process([os.path.join(THIS_BIN, "saved_model_cli"), "show", "--dir",
                         case.export_dir, "--all"], REPO)
    assert re.findall(r"signature_def\['(\w+)'\]", shown) == ["serving_default"]  # no matrix
    found = re.findall(r"(inputs|outputs)\['(\w+)'\] tensor_info:\n\s*dtype: (\w+)\n"
                       r"\s*shape: (\([-\d, ]*\))", shown)
    blocks = dict(((kind, key), (dtype, shape)) for kind, key, dtype, shape in found)
    for key, value in case.inputs.items():
        assert blocks[("inputs", key)] == (
            "DT_STRING" if value.dtype.kind == "U" else "DT_FLOAT", "(-1)")
    outputs = dict((key, info) for (kind, key), info in blocks.items() if kind == "outputs")
    if "label" in case.expected:
        assert outputs == {"predictions": ("DT_FLOAT", "(-1, 1)"),
                           "probabilities": ("DT_FLOAT", "(-1, 3)"),
                           "label": ("DT_STRING", "(-1)")}
    else:
        assert outputs == {"predictions": ("DT_FLOAT", "(-1, 1)")}


@pytest.mark.slow
def test_saved_model_cli_run_on_strings_matches_predict(case, tmp_path):
    got = saved_model_cli_run(THIS_BIN, case.export_dir, case.inputs, tmp_path)
    assert_outputs_equal(got, case.expected)


def test_loader_in_fresh_graph_matches_predict(case):
    assert_outputs_equal(load_and_run(case.export_dir, case.inputs), case.expected)


@pytest.mark.slow
def test_this_legs_loader_matches_predict(case, tmp_path):
    """On the modern leg: tf.saved_model.load and the signature called with keyword tensors."""
    got, = run_loader(sys.executable, [(case.export_dir, "serving_default", case.inputs)],
                      tmp_path)
    assert_outputs_equal(got, case.expected)


def test_main_op_initialises_the_vocabularies_and_needs_no_feed(case):
    meta_graph = saved_meta_graph(case.export_dir)
    collections_saved = meta_graph.collection_def
    assert list(collections_saved["saved_model_main_op"].node_list.value) == ["init_all_tables"]
    assert "legacy_init_op" not in collections_saved
    assert "local_variables" not in collections_saved  # what TF 2's default init would run
    with tf.Graph().as_default() as graph:
        tf.train.import_meta_graph(meta_graph)
        main_op = graph.get_operation_by_name("init_all_tables")
        assert export.placeholders_needed(main_op) == []
        tables = sorted(op.name.split("/")[1] for op in main_op.control_inputs)
        n_text = sum(value.dtype.kind == "U" for value in case.inputs.values())
        assert tables == sorted(key for key, value in case.inputs.items()
                                if value.dtype.kind == "U") and len(tables) == n_text
        # The walk does find placeholders: the outputs need every column (and not the labels).
        signature = meta_graph.signature_def["serving_default"]
        for info in signature.outputs.values():
            assert export.placeholders_needed(graph.get_tensor_by_name(info.name).op) == sorted(
                info.name.split(":")[0] for info in signature.inputs.values())


COLUMNS = ("a b", "a_b", "a.b", "class", "1st", "a_b_2")
KEYS = ("a_b", "a_b_2", "a_b_3", "class_", "c1st", "a_b_2_2")
WEIGHTS = np.array([1.0, 10.0, 100.0, 1000.0, 10000.0, 100000.0], np.float32)


@pytest.fixture(scope="module")
def clashing_export(tmp_path_factory):
    """A linear model on columns whose names clean to the same key, each with its own
    weight (``WEIGHTS``, bias 0.5), exported: its directory."""
    export_dir = str(tmp_path_factory.mktemp("clashing") / "export")
    columns = tuple(numeric_column(name, 0.0) for name in COLUMNS)
    tg = graph_inference.build_inference("linear", columns, standardize=False)
    with tf.Session(graph=tg.graph) as session:
        session.run(tg.init_op)
        tg.model.weights.load(WEIGHTS[:, None], session)
        tg.model.bias.load([0.5], session)
        export.write_saved_model(restore.LoadedModel(spec=None, config=None, tg=tg,
                                                     session=session, checkpoint=None,
                                                     global_step=0), export_dir)
    return export_dir


def one_hot_rows():
    """Row i has 1. in column i, 0. elsewhere: its prediction is column i's weight + 0.5."""
    return dict((key, np.eye(len(KEYS), dtype=np.float32)[:, j]) for j, key in enumerate(KEYS))


def test_clashing_column_names_get_keys_that_reach_their_columns(clashing_export):
    assert tuple(export.input_keys(COLUMNS).values()) == KEYS
    got = load_and_run(clashing_export, one_hot_rows())
    np.testing.assert_array_equal(got["predictions"][:, 0], WEIGHTS + 0.5)
    matrix = load_and_run(clashing_export, {"x": np.eye(len(KEYS), dtype=np.float32)}, "matrix")
    np.testing.assert_array_equal(matrix["predictions"][:, 0], WEIGHTS + 0.5)


@pytest.mark.slow
def test_clashing_keys_as_keyword_arguments(clashing_export, tmp_path):
    """TF 2 calls the signature function with the keys as keyword arguments (``class_``)."""
    got, matrix = run_loader(sys.executable, [
        (clashing_export, "serving_default", one_hot_rows()),
        (clashing_export, "matrix", {"x": np.eye(len(KEYS), dtype=np.float32)})], tmp_path)
    np.testing.assert_array_equal(got["predictions"][:, 0], WEIGHTS + 0.5)
    np.testing.assert_array_equal(matrix["predictions"][:, 0], WEIGHTS + 0.5)
