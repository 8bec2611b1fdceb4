"""Checkpoints cross the TensorFlow legs, and both legs learn the same values.

"This leg" is the interpreter pytest runs on (in-process calls to tfcourse);
"the other leg" is the other venv's ``tfcourse`` console script, run as a real
process: ``.venv-modern`` when this is the reference leg (Python 3.6,
TensorFlow 1.12), ``.venv`` when this is the modern one. Without the other
venv the tests are skipped and say how to create it.

Both legs run this checkout's code: the other leg's processes get it first on
``PYTHONPATH``.

Checked in both directions: the course model trained on one leg restores,
predicts, evaluates and resumes on the other; the CSV configs (diabetes,
breast cancer) trained with the same config and seed on both legs hold the
same weights and standardisation statistics within float32 tolerance, and
either leg's evaluate of either checkpoint gives the same metrics. SavedModels
crossing the legs: ``test_cross_leg_export.py``.
"""

import csv
import os
import re
import shutil
import sys

import numpy as np
import pytest

from tfcourse import config as config_lib
from tfcourse.commands import predict
from tfcourse.commands import restore as restore_lib
from tfcourse.training import trainer
from tfcourse.tf_compat import tf

from saved_models import run_process

pytestmark = pytest.mark.slow  # starts servers, browsers or the other leg's processes

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THIS_IS_REFERENCE = sys.version_info[:2] == (3, 6)
THIS_LEG = "reference" if THIS_IS_REFERENCE else "modern"
OTHER_LEG = "modern" if THIS_IS_REFERENCE else "reference"
OTHER_VENV = os.path.join(REPO, ".venv-modern" if THIS_IS_REFERENCE else ".venv")
OTHER_TFCOURSE = os.path.join(OTHER_VENV, "bin", "tfcourse")
OTHER_PYTHON = os.path.join(OTHER_VENV, "bin", "python")
OTHER_SETUP = "LEG={} scripts/setup.sh".format(OTHER_LEG)

COURSE_STEPS = 1000   # the course case: w, b within 1e-3 of 0.8, 0.7
RESUME_STEPS = 1500
CSV_STEPS = 500       # enough to be far from the initial values, short enough for CI
PREDICT = "1.0,2.5"
PREDICT_X = np.array([[1.0], [2.5]], dtype=np.float32)

# Per config: the model's variable scope, the tolerances of weights/bias and of the
# standardisation statistics (read from the checkpoints), and whether the predicted
# classes must be identical.
CSV_CASES = {
    # diabetes' serum columns are nearly collinear: along that flat direction of the loss the
    # legs' kernels round differently and the weights drift apart by up to ~3e-5 relative,
    # while predictions agree to ~1e-6 (test_csv_model_evaluates_the_same_on_both_legs).
    "diabetes": dict(scope="linear_model", weights=dict(rtol=1e-4, atol=1e-6),
                     statistics=dict(rtol=1e-5, atol=1e-6), classes=False),
    "breast_cancer": dict(scope="logistic_model", weights=dict(rtol=1e-5, atol=1e-5),
                          statistics=dict(rtol=1e-5, atol=1e-6), classes=True),
}
METRICS_REL = 1e-5    # evaluate prints 6 significant digits: rounding is at most 5e-6


# ----------------------------------------------------------------------------- helpers

def run_other(cwd, *args):
    """Runs the other leg's ``tfcourse`` in ``cwd``; returns its stdout (exit 0 asserted)."""
    return run_process([OTHER_TFCOURSE] + list(args), cwd)


def train_here(config_path=None, **overrides):
    """Trains on this leg in-process; returns ``(TrainResult, output lines)``."""
    lines = []
    overrides = dict((name, str(value) if name.endswith("_dir") else value)
                     for name, value in overrides.items())
    result = trainer.train(config_lib.resolve(config_path, overrides), out=lines.append,
                           warn=lines.append)
    return result, lines


def variable(model_dir, name):
    """A variable of ``model_dir``'s latest checkpoint, read without building a graph."""
    prefix = tf.train.latest_checkpoint(str(model_dir))
    assert prefix, "no checkpoint in {}".format(model_dir)
    return tf.train.load_variable(prefix, name)


def parse_restore(stdout):
    """``tfcourse restore`` output -> (global_step, weight, bias, {x: prediction})."""
    step = int(re.search(r"^restored .* \(global_step (\d+)\)$", stdout, re.M).group(1))
    weight = float(re.search(r"^\s+weight\[x\] = (\S+)$", stdout, re.M).group(1))
    bias = float(re.search(r"^\s+bias = (\S+)$", stdout, re.M).group(1))
    predictions = dict((float(x), float(value)) for x, value in
                       re.findall(r"^prediction for x = (\S+): (\S+)$", stdout, re.M))
    return step, weight, bias, predictions


def parse_evaluate(stdout):
    """``tfcourse evaluate`` output -> (global_step, {metric: value})."""
    step = int(re.search(r"^evaluated .* \(global_step (\d+)\) on ", stdout, re.M).group(1))
    values = dict((name, float(value)) for name, value in
                  re.findall(r"^  (\w+)\s+(\S+)$", stdout, re.M))
    assert values, stdout
    return step, values


def assert_same_metrics(here, there, what):
    assert sorted(here) == sorted(there), what
    for name in here:
        assert here[name] == pytest.approx(there[name], rel=METRICS_REL, abs=1e-12), (
            "{}: {} here {!r}, {} leg {!r}".format(what, name, here[name], OTHER_LEG,
                                                    there[name]))


def read_column(path, name):
    with open(str(path), newline="", encoding="utf-8") as stream:
        return [row[name] for row in csv.DictReader(stream)]


def write_noisy_line(path):
    """A labelled CSV (x, y) the course model does not fit exactly, so evaluate's metrics are
    well away from 0 and can be compared relatively."""
    rng = np.random.RandomState(7)
    x = rng.normal(size=50)
    y = 0.5 * x + 1.0 + 0.3 * rng.normal(size=50)
    with open(str(path), "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["x", "y"])
        writer.writerows(("{:.6f}".format(a), "{:.6f}".format(b)) for a, b in zip(x, y))
    return path


def assert_course_values(model_dir, step):
    assert variable(model_dir, "global_step") == step
    weights = variable(model_dir, "linear_model/weights")
    bias = variable(model_dir, "linear_model/bias")
    assert weights.shape == (1, 1) and bias.shape == (1,)
    assert abs(weights[0, 0] - 0.8) < 1e-3 and abs(bias[0] - 0.7) < 1e-3, (weights, bias)
    return weights, bias


# ----------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def other_leg():
    if not os.access(OTHER_TFCOURSE, os.X_OK):
        pytest.skip("cross-leg tests need the {} leg's venv {} (no {}): create it with "
                    "'{}'".format(OTHER_LEG, OTHER_VENV, OTHER_TFCOURSE, OTHER_SETUP))
    return OTHER_TFCOURSE


@pytest.fixture(scope="module")
def course_there(other_leg, tmp_path_factory):
    """The course model trained by the other leg: its model directory."""
    cwd = tmp_path_factory.mktemp("course_there")
    run_other(cwd, "train", "--max_step", COURSE_STEPS, "--model_dir", "A")
    return cwd / "A"


@pytest.fixture(scope="module")
def course_here(other_leg, tmp_path_factory):
    """The course model trained in-process by this leg: its model directory."""
    cwd = tmp_path_factory.mktemp("course_here")
    result, _ = train_here(max_step=COURSE_STEPS, model_dir=cwd / "A", summary_dir=cwd / "S")
    assert result.global_step == COURSE_STEPS
    return cwd / "A"


@pytest.fixture(scope="module", params=sorted(CSV_CASES))
def csv_models(request, other_leg, tmp_path_factory):
    """One CSV config trained on both legs: (name, this leg's model_dir, the other's)."""
    name = request.param
    cwd = tmp_path_factory.mktemp(name)
    config_path = os.path.join(REPO, "configs", name + ".yaml")
    run_other(cwd, "train", "--config", config_path, "--max_step", CSV_STEPS,
              "--model_dir", "there", "--summary_dir", "summary_there")
    train_here(config_path, max_step=CSV_STEPS, model_dir=cwd / "here",
               summary_dir=cwd / "summary_here")
    return name, cwd / "here", cwd / "there"


# ----------------------------------------------------------------------------- course model

def test_course_model_from_other_leg_restores_and_predicts_here(course_there):
    weights, bias = assert_course_values(course_there, COURSE_STEPS)
    lines = []
    result = restore_lib.restore(str(course_there), PREDICT, out=lines.append)
    assert result.global_step == COURSE_STEPS
    np.testing.assert_array_equal(result.weights, weights)
    np.testing.assert_array_equal(result.bias, bias)
    np.testing.assert_allclose(result.predictions, PREDICT_X * weights[0, 0] + bias[0],
                               rtol=1e-6)
    np.testing.assert_allclose(result.predictions[:, 0], [1.5, 2.7], atol=3e-3)
    text = "\n".join(lines)
    assert "(global_step {})".format(COURSE_STEPS) in text
    assert re.search(r"^prediction for x = 1\.0: 1\.5", text, re.M), text
    assert re.search(r"^prediction for x = 2\.5: 2\.(69|7)", text, re.M), text


def test_course_model_from_other_leg_resumes_here(course_there, tmp_path):
    model_dir = tmp_path / "A"
    shutil.copytree(str(course_there), str(model_dir))
    result, lines = train_here(max_step=RESUME_STEPS, model_dir=model_dir,
                               summary_dir=tmp_path / "S")
    assert any(line.startswith("resuming from ") and
               "at global step {}".format(COURSE_STEPS) in line for line in lines), lines
    assert result.global_step == RESUME_STEPS
    weights, bias = assert_course_values(model_dir, RESUME_STEPS)
    np.testing.assert_array_equal(result.weights, weights)
    np.testing.assert_array_equal(result.bias, bias)
    kept = tf.train.get_checkpoint_state(str(model_dir)).all_model_checkpoint_paths
    # checkpoints by time (every 60 s) and at the end: each short run saved its last step
    assert [os.path.basename(path) for path in kept] == ["model.ckpt-1000", "model.ckpt-1500"]


def test_course_model_from_here_restores_and_predicts_on_other_leg(course_here):
    weights, bias = assert_course_values(course_here, COURSE_STEPS)
    here = restore_lib.restore(str(course_here), PREDICT, out=lambda line: None)
    step, weight, bias_there, predictions = parse_restore(
        run_other(course_here.parent, "restore", "--ckpt", course_here, "--predict", PREDICT))
    assert step == COURSE_STEPS
    assert weight == pytest.approx(float(weights[0, 0]), abs=1e-6)  # printed with 6 decimals
    assert bias_there == pytest.approx(float(bias[0]), abs=1e-6)
    assert sorted(predictions) == [1.0, 2.5]
    for x, value in zip((1.0, 2.5), here.predictions[:, 0]):
        assert predictions[x] == pytest.approx(float(value), rel=1e-5)


def test_course_model_from_here_evaluates_the_same_on_other_leg(course_here, tmp_path):
    input_path = write_noisy_line(tmp_path / "noisy_line.csv")
    here = predict.evaluate(str(course_here), str(input_path), out=lambda line: None)
    step, there = parse_evaluate(
        run_other(tmp_path, "evaluate", "--ckpt", course_here, "--input", input_path))
    assert step == COURSE_STEPS
    assert here["mse"] > 0.01  # far from 0: the relative comparison means something
    assert_same_metrics(here, there, "course model evaluated on {}".format(input_path.name))


def test_course_model_from_here_resumes_on_other_leg(course_here, tmp_path):
    model_dir = tmp_path / "A"
    shutil.copytree(str(course_here), str(model_dir))
    stdout = run_other(tmp_path, "train", "--max_step", RESUME_STEPS, "--model_dir", model_dir,
                       "--summary_dir", tmp_path / "S")
    assert re.search(r"^resuming from .* at global step {}$".format(COURSE_STEPS), stdout,
                     re.M), stdout
    assert_course_values(model_dir, RESUME_STEPS)
    result = restore_lib.restore(str(model_dir), out=lambda line: None)
    assert result.global_step == RESUME_STEPS


def test_course_model_learns_the_same_values_on_both_legs(course_here, course_there):
    for name in ("linear_model/weights", "linear_model/bias"):
        np.testing.assert_allclose(variable(course_here, name), variable(course_there, name),
                                   rtol=1e-5, atol=1e-6, err_msg=name)


# ----------------------------------------------------------------------------- CSV models

def test_csv_model_weights_and_statistics_agree_between_legs(csv_models):
    name, here, there = csv_models
    case = CSV_CASES[name]
    for dir_ in (here, there):
        assert variable(dir_, "global_step") == CSV_STEPS
    listed = [sorted(tf.train.list_variables(tf.train.latest_checkpoint(str(dir_))))
              for dir_ in (here, there)]
    assert listed[0] == listed[1], "the legs' checkpoints hold different variables"
    diffs = []
    for var, tolerance in ((case["scope"] + "/weights", case["weights"]),
                           (case["scope"] + "/bias", case["weights"]),
                           ("standardize/mean", case["statistics"]),
                           ("standardize/std", case["statistics"])):
        mine, theirs = variable(here, var), variable(there, var)
        assert mine.shape == theirs.shape and mine.dtype == theirs.dtype == np.float32, var
        np.testing.assert_allclose(mine, theirs, err_msg="{} {}".format(name, var), **tolerance)
        diffs.append("{} {:.3g}".format(var, float(np.max(np.abs(mine - theirs)))))
    print("{}: max |this leg - {} leg|: {}".format(name, OTHER_LEG, ", ".join(diffs)))


def test_csv_model_evaluates_the_same_on_both_legs(csv_models):
    name, here, there = csv_models
    input_path = os.path.join(REPO, "data", name + ".csv")
    step, there_on_there = parse_evaluate(
        run_other(there.parent, "evaluate", "--ckpt", there, "--input", input_path))
    assert step == CSV_STEPS
    there_on_here = predict.evaluate(str(there), input_path, out=lambda line: None)
    assert_same_metrics(there_on_here, there_on_there,
                        "{}: the {} leg's model evaluated here".format(name, OTHER_LEG))
    here_on_here = predict.evaluate(str(here), input_path, out=lambda line: None)
    assert_same_metrics(here_on_here, there_on_there,
                        "{}: each leg's own model".format(name))


@pytest.mark.parametrize("csv_models", [name for name in sorted(CSV_CASES)
                                        if CSV_CASES[name]["classes"]], indirect=True)
def test_csv_classifier_predicts_the_same_classes_on_both_legs(csv_models, tmp_path):
    name, here, there = csv_models
    input_path = os.path.join(REPO, "data", name + ".csv")
    run_other(tmp_path, "predict", "--ckpt", there, "--input", input_path,
              "--output", "there_by_there.csv")
    predict.predict(str(there), input_path, str(tmp_path / "there_by_here.csv"),
                      out=lambda line: None)
    predict.predict(str(here), input_path, str(tmp_path / "here_by_here.csv"),
                      out=lambda line: None)
    expected = read_column(tmp_path / "there_by_there.csv", "prediction")
    assert len(expected) == 569 and set(expected) == {"0", "1"}
    for other in ("there_by_here.csv", "here_by_here.csv"):
        assert read_column(tmp_path / other, "prediction") == expected, other
    probabilities = [np.array(read_column(tmp_path / path, "probability"), dtype=np.float64)
                     for path in ("there_by_there.csv", "there_by_here.csv", "here_by_here.csv")]
    np.testing.assert_allclose(probabilities[1], probabilities[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(probabilities[2], probabilities[0], rtol=1e-5, atol=1e-6)
