"""What commands write: a FIFO, a symlink to /dev/null or a directory as --output is refused and
left as it was; ``predict --output -`` writes the CSV to standard output; TensorFlow's own log
lines reach the terminal only with --verbose; ``tfcourse --version``."""

import csv
import io
import os
import platform
import stat

import numpy as np
import pytest

from tfcourse import config as config_lib
from tfcourse.tf_compat import TF_VERSION
from tfcourse.training import trainer

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIABETES = os.path.join(REPO, "data", "diabetes.csv")


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("outputs")
    config = config_lib.resolve(None, {"model_dir": str(tmp_path / "model"), "max_step": 20,
                                       "summary_dir": str(tmp_path / "summary")})
    trainer.train(config, out=lambda line: None)
    return str(tmp_path / "model")


def test_special_outputs_are_refused_and_unchanged(model, tfcourse, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("x\n1.0\n2.0\n")
    fifo, null, directory = tmp_path / "fifo.png", tmp_path / "null.png", tmp_path / "out.png"
    os.mkfifo(str(fifo))
    os.symlink(os.devnull, str(null))
    directory.mkdir()
    for path, kind in ((fifo, "a FIFO (named pipe)"), (null, "a symlink to a character device"),
                       (directory, "a directory")):
        for command in (["predict", "--input", rows], ["plot"]):
            for extra in ([], ["--overwrite"]):
                outcome = tfcourse(*(command + ["--ckpt", model, "--output", path] + extra))
                assert outcome.code == 2, outcome
                assert outcome.err == ("tfcourse {}: error: output {} is {}, not a regular "
                                       "file; it is never replaced: give a file name\n".format(
                                           command[0], path, kind))
    assert stat.S_ISFIFO(os.lstat(str(fifo)).st_mode)
    assert os.readlink(str(null)) == os.devnull
    assert os.listdir(str(directory)) == []
    assert sorted(os.listdir(str(tmp_path))) == ["fifo.png", "null.png", "out.png", "rows.csv"]


def test_predict_to_standard_output(model, tfcourse, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("x,note\n1.0,a\n2.5,b\n")
    outcome = tfcourse("predict", "--ckpt", model, "--input", rows, "--output", "-")
    assert outcome.code == 0, outcome
    table = list(csv.reader(io.StringIO(outcome.out)))
    assert table[0] == ["x", "note", "prediction"]
    assert [row[:2] for row in table[1:]] == [["1.0", "a"], ["2.5", "b"]]
    predictions = np.array([float(row[2]) for row in table[1:]])
    assert np.all(np.isfinite(predictions)) and predictions[1] > predictions[0]
    assert outcome.err.startswith("wrote 2 predictions of ") and outcome.err.endswith(
        " to standard output\n")
    assert os.listdir(str(tmp_path)) == ["rows.csv"]


@pytest.mark.parametrize("args", [["--version"], ["version"]])
def test_version(tfcourse, args):
    outcome = tfcourse(*args)
    assert outcome.code == 0 and outcome.err == ""
    assert outcome.out == "tfcourse 0.1.0, TensorFlow {}, Python {}, numpy {}\n".format(
        TF_VERSION, platform.python_version(), np.__version__)


def test_tf_log_lines_only_with_verbose(model, tfcourse_process, tmp_path):
    """A ``checkpoint`` state file naming files that are gone: TensorFlow logs "Couldn't match
    files for checkpoint"; tfcourse says it in its one line."""
    (tmp_path / "gone").mkdir()
    for name in ("model.json", "config.yaml"):
        with open(os.path.join(model, name)) as src:
            (tmp_path / "gone" / name).write_text(src.read())
    (tmp_path / "gone" / "checkpoint").write_text('model_checkpoint_path: "model.ckpt-9"\n')
    quiet = tfcourse_process("restore", "--ckpt", tmp_path / "gone")
    assert quiet.code == 1
    assert quiet.err.count("\n") == 1 and quiet.err.startswith("tfcourse restore: error: ")
    loud = tfcourse_process("restore", "--ckpt", tmp_path / "gone", "--verbose")
    assert loud.code == 1 and "Couldn't match files for checkpoint" in loud.err, loud.err
