"""tfcourse eject end to end: the script run as a process (this leg and the other) trains to
tfcourse's weights bit for bit, resumes from its own checkpoints, and tfcourse inspect reads
them."""

import os
import subprocess
import sys

import numpy as np
import pytest

from tfcourse import config as config_lib
from tfcourse.tf_compat import tf
from tfcourse.training import trainer

from saved_models import REPO
from test_cross_leg import OTHER_PYTHON, OTHER_TFCOURSE, run_other

pytestmark = pytest.mark.slow

CASES = {"course": (None, {}),  # the course's linear regression, built-in data
         "penguins": ("penguins.yaml", {"max_step": 300}),  # text columns and gaps, 3 classes
         "breast_cancer": ("breast_cancer.yaml", {"max_step": 300})}  # logistic


def run_script(python, script, cwd, *args):
    proc = subprocess.run([python, script] + list(args), cwd=str(cwd), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def variables(model_dir):
    prefix = tf.train.latest_checkpoint(str(model_dir))
    return dict((name, tf.train.load_variable(prefix, name))
                for name, _ in tf.train.list_variables(prefix))


def assert_same_variables(got, expected):
    assert sorted(got) == sorted(expected)
    for name in expected:
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)


def eject_case(case, cwd):
    """Writes the script of ``CASES[case]`` with ``tfcourse eject`` (in-process) into ``cwd``;
    returns ``(case, cwd, script path, config path, overrides)``."""
    from absl.testing import flagsaver
    from tfcourse import cli
    name, overrides = CASES[case]
    config = os.path.join(REPO, "configs", name) if name else None
    args = ["tfcourse", "eject", "--output", str(cwd / "script.py")]
    args += (["--config", config] if config else []) + [
        "--{}={}".format(key, value) for key, value in overrides.items()]
    with flagsaver.flagsaver():
        assert cli.main(args) == 0
    return case, cwd, str(cwd / "script.py"), config, overrides


@pytest.fixture(scope="module", params=sorted(CASES))
def ejected(request, tmp_path_factory):
    return eject_case(request.param, tmp_path_factory.mktemp(request.param))


def test_script_trains_to_tfcourses_weights_bit_for_bit_and_resumes(ejected, tfcourse):
    case, cwd, script, config, overrides = ejected
    resolved = config_lib.resolve(config, dict(overrides, model_dir=str(cwd / "tf"),
                                               summary_dir=str(cwd / "summary")))
    result = trainer.train(resolved, out=lambda line: None, warn=lambda line: None)
    expected = variables(cwd / "tf")
    half = resolved.max_step // 2
    out = run_script(sys.executable, script, cwd, "--model_dir", "first",
                     "--max_step", str(half))
    assert "step {}: loss".format(half) in out
    out = run_script(sys.executable, script, cwd, "--model_dir", "first")
    assert "restored" in out and "model.ckpt-{}".format(half) in out
    assert_same_variables(variables(cwd / "first"), expected)
    assert int(expected["global_step"]) == result.global_step == resolved.max_step
    if case == "course":
        np.testing.assert_allclose(expected["linear_model/weights"], [[0.8]], atol=1e-3)
    shown = tfcourse("inspect", "--ckpt", str(cwd / "first"))
    assert shown.code == 0 and "global step: {}".format(resolved.max_step) in shown.out
    assert "standardize/mean" in shown.out or case == "course"


def test_script_runs_on_the_other_leg_as_that_legs_tfcourse_trains(tmp_path):
    """The penguins (text columns and gaps): the script on the other leg, against that leg's
    tfcourse."""
    if not os.access(OTHER_TFCOURSE, os.X_OK):
        pytest.skip("needs the other leg's venv ({})".format(OTHER_PYTHON))
    _, cwd, script, config, overrides = eject_case("penguins", tmp_path)
    args = ["train", "--quiet", "--model_dir", "there", "--summary_dir", "summary"]
    args += (["--config", config] if config else []) + [
        "--{}={}".format(key, value) for key, value in overrides.items()]
    run_other(cwd, *args)
    run_script(OTHER_PYTHON, script, cwd, "--model_dir", "script_there")
    assert_same_variables(variables(cwd / "script_there"), variables(cwd / "there"))
