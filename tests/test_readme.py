"""The manual cannot drift: every command of README's "Use" section runs, in order, as written.

The commands of the section's fenced ``sh`` blocks run in a fresh directory holding a copy of
``configs/`` and ``data/`` (as the repository's root does), as written: no step counts are
changed. They run through ``tfcourse.cli.main`` in this process (the console script's own
entry, ``tests/test_cli.py`` runs it as a process): sixteen TensorFlow start-ups would cost
more than the training. A command may send its output to a file with ``> FILE``; anything
else a shell would do is refused here, so the section stays plain commands.
"""

import os
import re
import shlex
import shutil

import pytest

from conftest import REPO

PROGRAM = ".venv/bin/tfcourse"


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


def _run(tfcourse, command):
    """Runs one README command line; returns its ``Outcome``."""
    words = shlex.split(command, comments=True)
    assert words[0] == PROGRAM, command
    target = None
    if ">" in words:
        assert words.index(">") == len(words) - 2, command
        target = words[-1]
        words = words[:-2]
    assert not set(words) & {"|", "&&", ";", "<", ">>"}, command
    outcome = tfcourse(*words[1:])
    if target is not None:
        with open(target, "w") as handle:
            handle.write(outcome.out)
    return outcome


@pytest.mark.slow
def test_every_command_of_the_use_section_runs(workdir, tfcourse):
    commands = use_section_commands(open(os.path.join(REPO, "README.md")).read())
    for name in ("configs", "data"):
        shutil.copytree(os.path.join(REPO, name), name)
    for command in commands:
        outcome = _run(tfcourse, command)
        assert outcome.code == 0, "{}\n{}{}".format(command, outcome.out[-2000:], outcome.err)
        assert "error" not in outcome.err, (command, outcome.err)
    for made in ("tmp/model/model.ckpt-1500.index", "tmp/linear/model.ckpt-1000.index",
                 "tmp/species/config.yaml", "tmp/my_diabetes/model.json", "predictions.csv",
                 "diabetes.png", "tmp/export/saved_model.pb"):
        assert (workdir / made).exists(), made
    assert "softmax" in open("species.yaml").read()
