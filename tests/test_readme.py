"""The manual cannot drift: every command of README's "Use" section runs, in order, as written.

The commands of the section's fenced ``sh`` blocks run in a shell, in a fresh directory holding
a copy of ``configs/`` and ``data/`` (as the repository's root does), with ``.venv/bin/``
standing for this leg's venv. They run as the README writes them: no step counts are changed.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import REPO

VENV_BIN = os.path.dirname(sys.executable)
TIMEOUT_SECS = 120  # per command; the slowest, a shipped config, takes a few seconds


def use_section_commands(readme):
    """The commands of the fenced ``sh`` blocks of ``readme``'s "## Use" section, in order."""
    section = re.search(r"^## Use\n(.*?)^## ", readme, re.S | re.M).group(1)
    blocks = re.findall(r"^```sh\n(.*?)^```", section, re.S | re.M)
    return [line for block in blocks for line in block.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_use_section_has_the_commands_people_copy():
    commands = use_section_commands(open(os.path.join(REPO, "README.md")).read())
    assert all(command.startswith(".venv/bin/tfcourse ") for command in commands), commands
    for needed in ("train --model linear", "--data data/", "--dry_run", "restore", "evaluate",
                   "predict", "plot", "inspect", "export"):
        assert any(needed in command for command in commands), needed


@pytest.mark.slow
def test_every_command_of_the_use_section_runs(tmp_path):
    commands = use_section_commands(open(os.path.join(REPO, "README.md")).read())
    for name in ("configs", "data"):
        shutil.copytree(os.path.join(REPO, name), str(tmp_path / name))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [REPO] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    for command in commands:
        shell = command.replace(".venv/bin/", VENV_BIN + "/")
        proc = subprocess.run(["bash", "-c", shell], cwd=str(tmp_path), env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=TIMEOUT_SECS)
        assert proc.returncode == 0, "{}\n{}{}".format(command, proc.stdout[-2000:], proc.stderr)
        assert "error" not in proc.stderr, (command, proc.stderr)
    for made in ("tmp/model/model.ckpt-1500.index", "tmp/linear/model.ckpt-1000.index",
                 "tmp/species/config.yaml", "tmp/my_diabetes/model.json", "predictions.csv",
                 "diabetes.png", "tmp/export/saved_model.pb"):
        assert (tmp_path / made).exists(), made
