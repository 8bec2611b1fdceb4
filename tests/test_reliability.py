"""Crash safety, signals, divergence, reproducibility and checkpoint checks, with real processes."""

import json
import os
import random
import re
import shutil
import signal
import subprocess
import time

import numpy as np
import pytest

from conftest import TFCOURSE, tree
from tfcourse import config as config_lib
from tfcourse.training import trainer
from tfcourse.errors import DataError
from tfcourse.tf_compat import tf

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_config(tmp_path, **overrides):
    overrides.setdefault("model_dir", str(tmp_path / "model"))
    overrides.setdefault("summary_dir", str(tmp_path / "summary"))
    return config_lib.resolve(overrides.pop("config", None), overrides)


def quiet(line):
    pass


def weights_of(model_dir):
    return (tf.train.load_variable(model_dir, "linear_model/weights"),
            tf.train.load_variable(model_dir, "linear_model/bias"),
            tf.train.load_variable(model_dir, "global_step"))


def start(args, cwd):
    return subprocess.Popen([TFCOURSE, "train"] + args, cwd=str(cwd), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True)


def wait_for_line(proc, pattern, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = proc.stdout.readline()
        if re.search(pattern, line):
            return line
        if not line and proc.poll() is not None:
            break
    raise AssertionError("no line matching {!r}; stderr: {}".format(pattern, proc.stderr.read()))


@pytest.mark.slow
@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_saves_a_checkpoint_closes_writers_and_exits(tmp_path, signum, code):
    proc = start(["--max_step=100000000", "--log_every=2000", "--save_every=100000000"], tmp_path)
    try:
        wait_for_line(proc, r"^step 2000/")
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == code
    match = re.match(r"tfcourse train: error: interrupted by (SIG\w+) at global step (\d+); "
                     r"saved (\S+)\n$", err)
    assert match, err
    assert match.group(1) == signal.Signals(signum).name
    step = int(match.group(2))
    assert match.group(3) == "./tmp/model/model.ckpt-{}".format(step)
    assert weights_of(str(tmp_path / "tmp" / "model"))[2] == step
    events = [path for path in tree(tmp_path) if "tfevents" in path]
    assert len(events) == 1
    last = list(tf.train.summary_iterator(str(tmp_path / events[0])))[-1]
    assert last.step <= step  # readable to its end: the writer was flushed and closed


@pytest.mark.slow
def test_sigkill_at_random_moments_then_restart_matches_an_uninterrupted_run(tmp_path):
    args = ["--max_step=30000", "--save_every=250", "--log_every=5000", "--summary_every=1000",
            "--learning_rate=0.001"]
    reference = tmp_path / "reference"
    reference.mkdir()
    assert subprocess.call([TFCOURSE, "train"] + args, cwd=str(reference),
                           stdout=subprocess.DEVNULL) == 0
    rng = random.Random(1234)
    killed = tmp_path / "killed"
    killed.mkdir()
    for _ in range(4):
        proc = start(args, killed)
        time.sleep(rng.uniform(0.5, 3.0))
        proc.kill()
        proc.communicate()
    final = start(args, killed)
    final.communicate(timeout=120)
    assert final.returncode == 0
    expected = weights_of(str(reference / "tmp" / "model"))
    got = weights_of(str(killed / "tmp" / "model"))
    assert got[2] == expected[2] == 30000
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
    assert not [name for name in os.listdir(str(killed / "tmp")) if "staging" in name]


def test_divergence_is_caught_before_any_checkpoint(tmp_path):
    (tmp_path / "c.yaml").write_text("data:\n  path: {}\n  label: progression\n"
                                     "  standardize: false\n".format(
                                         os.path.join(REPO, "data", "diabetes.csv")))
    with pytest.raises(DataError) as info:
        trainer.train(make_config(tmp_path, config=str(tmp_path / "c.yaml"),
                                  check_learning_rate=False), out=quiet)
    message = str(info.value)
    assert re.match(r"training diverged at step \d+: loss (inf|nan) ", message), message
    assert "lower learning_rate (now 0.01) or set data.standardize: true" in message
    assert "no checkpoint was written" in message
    assert not os.path.exists(str(tmp_path / "model"))


def test_divergence_keeps_the_last_finite_checkpoint_latest(tmp_path):
    trainer.train(make_config(tmp_path, max_step=100), out=quiet)
    before = weights_of(str(tmp_path / "model"))
    with pytest.raises(DataError, match=r"the latest checkpoint stays .*model.ckpt-100"):
        trainer.train(make_config(tmp_path, max_step=100000, learning_rate=1e6,
                                  check_learning_rate=False), out=quiet)
    after = weights_of(str(tmp_path / "model"))
    assert after[2] == 100 and np.array_equal(before[0], after[0])
    assert np.all(np.isfinite(after[0]))


def test_same_seed_bit_identical_whatever_the_cadences(tmp_path):
    first = trainer.train(make_config(tmp_path / "a", max_step=700, config=os.path.join(
        REPO, "configs", "logistic.yaml")), out=quiet)
    second = trainer.train(make_config(tmp_path / "b", max_step=700, summary_every=3,
                                       log_every=7, save_every=50, eval_every=11,
                                       config=os.path.join(REPO, "configs", "logistic.yaml")),
                           out=quiet)
    assert first.loss == second.loss
    assert np.array_equal(first.weights, second.weights)
    assert np.array_equal(first.bias, second.bias)
    other = trainer.train(make_config(tmp_path / "c", max_step=700, seed=7, config=os.path.join(
        REPO, "configs", "logistic.yaml")), out=quiet)
    assert not np.array_equal(first.weights, other.weights)


def test_moved_model_dir_restores_and_resumes(tmp_path, tfcourse, workdir):
    assert tfcourse("train", "--max_step=50", "--model_dir=a").code == 0
    shutil.move("a", "b")
    restored = tfcourse("restore", "--ckpt", "b")
    assert restored.code == 0 and "b/model.ckpt-50 (global_step 50)" in restored.out
    assert tfcourse("train", "--max_step=60", "--model_dir=b").code == 0
    assert weights_of("b")[2] == 60


@pytest.mark.parametrize("damage, message", [
    ("data", r"checkpoint .*model.ckpt-20 cannot be (read|restored)"),
    ("index", r"checkpoint .*model.ckpt-20 cannot be read"),
])
def test_truncated_checkpoint_is_refused(tmp_path, tfcourse, workdir, damage, message):
    assert tfcourse("train", "--max_step=20").code == 0
    path = [p for p in os.listdir("tmp/model") if p.startswith("model.ckpt-20." + damage)][0]
    with open(os.path.join("tmp/model", path), "r+b") as handle:
        handle.truncate(max(os.path.getsize(os.path.join("tmp/model", path)) // 2, 1))
    before = tree(workdir)
    for args in (["restore", "--ckpt", "tmp/model"], ["train", "--max_step=30"]):
        outcome = tfcourse(*args)
        assert outcome.code == 1, outcome
        assert re.search(message, outcome.err), outcome.err
        assert outcome.err.count("\n") == 1
    assert tree(workdir) == before


def test_checkpoint_that_does_not_fit_the_model_is_refused(tmp_path, tfcourse, workdir):
    assert tfcourse("train", "--max_step=5").code == 0
    outcome = tfcourse("train", "--model=logistic", "--max_step=10")
    assert outcome.code == 1
    assert "holds a model with model 'linear', but this run asks for 'logistic'" in outcome.err
    with open("tmp/model/model.json") as handle:
        spec = json.load(handle)
    spec["feature_names"].append("z")
    spec["columns"].append(dict(spec["columns"][0], name="z"))
    with open("tmp/model/model.json", "w") as handle:
        json.dump(spec, handle)
    outcome = tfcourse("restore", "--ckpt", "tmp/model")
    assert outcome.code == 1
    assert re.search(r"variable linear_model/weights has shape \[1, 1\], the model expects "
                     r"\[2, 1\]", outcome.err), outcome.err


def test_separable_logistic_data_warns(tmp_path, capsys):
    path = tmp_path / "separable.csv"
    path.write_text("x,y\n" + "".join("{},{}\n".format(v, int(v > 0)) for v in range(-5, 6) if v))
    (tmp_path / "c.yaml").write_text("model: logistic\nmax_step: 200\nlearning_rate: 1.0\n"
                                     "data:\n  path: separable.csv\n  label: y\n"
                                     "  validation_fraction: 0\n")
    trainer.train(make_config(tmp_path, config=str(tmp_path / "c.yaml")), out=quiet)
    err = capsys.readouterr().err
    assert re.match(r"warning: the training data are linearly separable: the weights grow without "
                    r"bound \(\|W\| = [\d.]+ at step 200\)", err), err


def test_stale_staging_directory_of_a_dead_process_is_removed(tmp_path):
    stale = tmp_path / ".model.staging-999999-abc"
    stale.mkdir()
    (stale / "model.ckpt-1.index").write_text("partial")
    trainer.train(make_config(tmp_path, max_step=1), out=quiet)
    assert not stale.exists()


def test_resume_with_other_settings_warns_and_leftovers_are_removed(tmp_path, capsys):
    trainer.train(make_config(tmp_path, max_step=10), out=quiet)
    leftover = tmp_path / "model" / "checkpoint.tmp0123abcd"
    leftover.write_text("partial")
    trainer.train(make_config(tmp_path, max_step=20, seed=7, learning_rate=0.02), out=quiet)
    assert capsys.readouterr().err == (
        "warning: resuming keeps the model's split (seed 42, data.validation_fraction 0.0): "
        "seed 7 ignored, so no held-out row is trained on; train a new --model_dir for "
        "another split\n"
        "warning: resuming with settings other than the checkpoint's: "
        "learning_rate 0.01 -> 0.02\n")
    assert not leftover.exists()


def test_new_model_dir_follows_the_umask_and_a_failed_run_removes_the_parents_it_made(tmp_path):
    old = os.umask(0o022)
    try:
        trainer.train(make_config(tmp_path, max_step=1), out=quiet)
    finally:
        os.umask(old)
    assert os.stat(str(tmp_path / "model")).st_mode & 0o777 == 0o755

    def explode(line):
        if line.startswith("step 0/"):
            raise RuntimeError("stop here")
    with pytest.raises(RuntimeError):
        trainer.train(make_config(tmp_path, max_step=5, model_dir=str(tmp_path / "a" / "b" / "m")),
                      out=explode)
    assert not (tmp_path / "a").exists()
