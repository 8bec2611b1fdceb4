"""SavedModels cross the TensorFlow legs (see ``test_cross_leg.py`` for the legs and how the
other one is run; skipped without its venv).

A penguins model trained and exported on each leg (penguins_mass: linear, species, island
and sex categorical; penguins: softmax on species) loads and runs on the other: TensorFlow
2's ``tf.saved_model.load(d).signatures["serving_default"]`` called with keyword tensors on
the modern leg, the TF 1 loader on the reference one, and each leg's ``saved_model_cli run``
with the text columns as ``--input_exprs`` strings. The outputs equal what ``tfcourse
predict`` of the same model on the loading leg writes for the same rows (an unseen species
and island, NA and empty cells among them).
"""

import os
import sys

import numpy as np
import pytest

from tfcourse.commands import export as export_lib
from tfcourse.commands import predict

from test_cross_leg import (OTHER_LEG, OTHER_PYTHON, OTHER_VENV, THIS_LEG, other_leg,  # noqa
                            run_other, train_here)
from saved_models import (REPO, THIS_BIN, assert_outputs_equal, predicted, run_loader,
                         saved_model_cli_run, signature_inputs, table_model, write_penguin_rows)

pytestmark = pytest.mark.slow  # starts the other leg's processes

EXPORT_STEPS = 30  # far enough from the initial values for the rows' classes to differ
# A SavedModel run by either leg against tfcourse predict on that leg (9 significant digits,
# exact for float32): the same ops on the same kernels agree to the last bit here (tf_compat
# turns oneDNN's custom ops off, and the processes started here inherit that); the tolerance
# leaves room for a few float32 ulps (eps = 1.2e-7) should a kernel round differently.
EXPORT_RTOL = 1e-6
# The same model predicted by the two legs: their kernels round the softmax and the folded
# standardisation differently. A softmax probability's relative error is its logit's absolute
# error, and the logits are sums over raw columns in the thousands (body_mass_g): float32
# rounding of 1e-5 to 2.3e-5 measured (penguins, l2 1e-3, learning_rate auto).
LEGS_RTOL = 1e-4


@pytest.fixture(scope="module", params=["penguins_mass", "penguins"])
def exports(request, other_leg, tmp_path_factory):
    """A penguins config trained and exported on each leg, with ``tfcourse predict`` of each
    model on the rows by the leg that loads its export.

    Returns:
        dict: ``inputs`` (``serving_default``'s inputs for the rows), ``here``/``there``:
        dict(export (its directory), expected (the loading leg's predict, as outputs)), and
        ``here_home`` (this leg's predict of its own model).
    """
    cwd = tmp_path_factory.mktemp(request.param)
    config_path = os.path.join(REPO, "configs", request.param + ".yaml")
    rows = write_penguin_rows(cwd / "rows.csv")
    train_here(config_path, max_step=EXPORT_STEPS, model_dir=cwd / "here",
               summary_dir=cwd / "summary_here")
    export_lib.export(str(cwd / "here"), str(cwd / "here_export"), out=lambda line: None)
    run_other(cwd, "train", "--config", config_path, "--max_step", EXPORT_STEPS,
              "--model_dir", "there", "--summary_dir", "summary_there")
    run_other(cwd, "export", "--ckpt", "there", "--export_dir", "there_export")
    run_other(cwd, "predict", "--ckpt", "here", "--input", "rows.csv", "--output",
              "here_by_there.csv")
    for name in ("there", "here"):
        predict.predict(str(cwd / name), rows, str(cwd / "{}_by_here.csv".format(name)),
                        out=lambda line: None, warn=lambda line: None)
    inputs = signature_inputs(rows, cwd / "here")
    assert sorted(signature_inputs(rows, cwd / "there")) == sorted(inputs)
    return dict(inputs=inputs,
                here=dict(export=str(cwd / "here_export"),
                          expected=predicted(cwd / "here_by_there.csv", cwd / "here")),
                there=dict(export=str(cwd / "there_export"),
                           expected=predicted(cwd / "there_by_here.csv", cwd / "there")),
                here_home=predicted(cwd / "here_by_here.csv", cwd / "here"))


def max_relative(got, expected):
    return float(np.max(np.abs(got / expected - 1)))


def test_export_from_each_leg_loads_and_runs_on_the_other(exports, tmp_path):
    for name, python in (("here", OTHER_PYTHON), ("there", sys.executable)):
        got, = run_loader(python, [(exports[name]["export"], "serving_default",
                                    exports["inputs"])], tmp_path)
        what = "{} leg's export loaded by {}".format(
            THIS_LEG if name == "here" else OTHER_LEG, python)
        assert_outputs_equal(got, exports[name]["expected"], EXPORT_RTOL, what)
        numbers = "probabilities" if "probabilities" in got else "predictions"
        print("{}: max relative difference to predict {:.3g}".format(what, max_relative(
            got[numbers], exports[name]["expected"][numbers])))
    assert_outputs_equal(exports["here"]["expected"], exports["here_home"], LEGS_RTOL,
                         "this leg's model predicted by both legs")


def test_saved_model_cli_runs_the_other_legs_export(exports, tmp_path):
    for name, bin_dir in (("here", os.path.join(OTHER_VENV, "bin")), ("there", THIS_BIN)):
        got = saved_model_cli_run(bin_dir, exports[name]["export"], exports["inputs"], tmp_path)
        assert_outputs_equal(got, exports[name]["expected"], EXPORT_RTOL,
                             "{}'s saved_model_cli on the {} export".format(bin_dir, name))


def test_both_legs_loaders_run_the_main_op_that_initialises_tables(other_leg, tmp_path):
    export_dir = str(tmp_path / "export")
    with table_model(tmp_path) as loaded:
        export_lib.write_saved_model(loaded, export_dir)
    x = np.array([1.0, -4.0], np.float32)
    for python in (sys.executable, OTHER_PYTHON):  # TF 2's tf.saved_model.load on the modern leg
        named, matrix = run_loader(python, [(export_dir, "serving_default", {"x": x}),
                                            (export_dir, "matrix", {"x": x[:, None]})], tmp_path)
        np.testing.assert_array_equal(named["predictions"][:, 0], 3 * x + 2, err_msg=python)
        np.testing.assert_array_equal(matrix["predictions"][:, 0], 3 * x + 2, err_msg=python)
