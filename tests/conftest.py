"""Shared fixtures: run the CLI in-process (flag state saved and restored) or as a real process."""

import collections
import os
import subprocess
import sys

import pytest
from absl.testing import flagsaver

from tfcourse import cli

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "scripts"))  # tests use the scripts' helpers, not copies
TFCOURSE = os.path.join(os.path.dirname(sys.executable), "tfcourse")

Outcome = collections.namedtuple("Outcome", "code out err")


def pytest_collection_modifyitems(items):
    """A test that runs the console script as a process is ``slow`` (see setup.cfg)."""
    for item in items:
        if "tfcourse_process" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A fresh current directory; ./tmp/model/ and ./tmp/summary/ land in it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def tfcourse(capsys):
    """Calls ``tfcourse.cli.main`` in-process; flag values never leak between calls."""
    def call(*args):
        with flagsaver.flagsaver():
            code = cli.main(["tfcourse"] + [str(arg) for arg in args])
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)
    return call


@pytest.fixture
def tfcourse_process():
    """Runs the installed ``tfcourse`` console script in a real process."""
    def call(*args, **kwargs):
        proc = subprocess.run([TFCOURSE] + [str(arg) for arg in args], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, **kwargs)
        return Outcome(proc.returncode, proc.stdout, proc.stderr)
    return call


def tree(path):
    """Every file and directory under ``path`` (relative paths), to show nothing was created."""
    found = []
    for root, dirs, files in os.walk(str(path)):
        for name in dirs + files:
            found.append(os.path.relpath(os.path.join(root, name), str(path)))
    return sorted(found)


def variables(model_dir):
    """Every variable of ``model_dir``'s latest checkpoint: name -> numpy array."""
    from tfcourse.tf_compat import tf
    reader = tf.train.load_checkpoint(model_dir)
    return dict((name, reader.get_tensor(name)) for name in reader.get_variable_to_shape_map())


def write_yaml(tmp_path, text, name="c.yaml"):
    """Writes ``text`` (UTF-8) to ``tmp_path/name`` and returns its path (str)."""
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)
