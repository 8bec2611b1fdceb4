"""One writer per model directory, readers pinned to one complete checkpoint: the locks alone,
then real ``tfcourse`` processes (a second train, SIGKILL, readers under a saving writer)."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from conftest import TFCOURSE, tree, write_yaml
from tfcourse import locks
from tfcourse.errors import DataError

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIABETES = os.path.join(REPO, "data", "diabetes.csv")


def test_a_second_writer_is_refused_naming_the_holder(tmp_path):
    model_dir = str(tmp_path / "model")
    with locks.WriterLock(model_dir):
        assert os.path.exists(str(tmp_path / ".model.writer.lock"))  # staged: beside it
        with pytest.raises(DataError) as err:
            locks.WriterLock(model_dir).acquire()
        assert re.match(r"model_dir \S+/model is being written by another tfcourse train "
                        r"\(pid {} on \S+, since \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC\); "
                        .format(os.getpid()), str(err.value)), str(err.value)
    assert tree(tmp_path) == []  # released: the lock file is gone
    with locks.WriterLock(model_dir):  # and the lock can be taken again
        pass


def test_the_lock_follows_a_staged_directory_into_place(tmp_path):
    model_dir = tmp_path / "model"
    lock = locks.WriterLock(str(model_dir)).acquire()
    stage = tmp_path / ".model.staging-1"
    stage.mkdir()
    lock.take_inside(str(stage))
    (stage / "model.json").write_text("{}")
    stage.rename(model_dir)  # published
    lock.handles[0].close()  # the lock beside it released: the one inside still holds
    lock.handles = lock.handles[1:]
    with pytest.raises(DataError, match="being written by another"):
        locks.WriterLock(str(model_dir)).acquire()
    lock.release()
    assert sorted(os.listdir(str(model_dir))) == ["model.json"]
    locks.WriterLock(str(model_dir)).acquire().release()


def test_parents_made_for_the_lock_are_removed(tmp_path):
    with locks.WriterLock(str(tmp_path / "a" / "b" / "model")):
        assert os.path.isdir(str(tmp_path / "a" / "b"))
    assert tree(tmp_path) == []


def test_a_reader_waits_for_a_save_and_reads_without_the_lock_file(tmp_path):
    with locks.checkpoint_lock(str(tmp_path), shared=True) as held:
        assert held is False  # no lock file: an older or read-only model directory
    with locks.checkpoint_lock(str(tmp_path), shared=False):
        with locks.checkpoint_lock(str(tmp_path), shared=True, wait_secs=0.1) as held:
            assert held is False  # the save went on past wait_secs
    with locks.checkpoint_lock(str(tmp_path), shared=True) as held:
        assert held is True


def _start(args, cwd):
    return subprocess.Popen([TFCOURSE, "train"] + args, cwd=str(cwd), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True)


def _wait_for(path, timeout=60):
    deadline = time.time() + timeout
    while not os.path.exists(path):
        assert time.time() < deadline, path
        time.sleep(0.05)


@pytest.mark.slow
def test_two_trains_on_one_directory_then_sigkill(tmp_path):
    args = ["--model_dir=model", "--max_step=100000000", "--save_every=1000",
            "--log_every=100000000"]
    first = _start(args, tmp_path)
    try:
        _wait_for(str(tmp_path / "model" / "model.json"))
        started = time.time()  # start-up (TensorFlow's import) measured by --version
        subprocess.run([TFCOURSE, "--version"], stdout=subprocess.PIPE, timeout=120)
        start_up, started = time.time() - started, time.time()
        second = subprocess.run([TFCOURSE, "train"] + args, cwd=str(tmp_path),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, timeout=120)
        assert time.time() - started < start_up + 5
        assert second.returncode == 1
        assert re.match(r"tfcourse train: error: model_dir model is being written by another "
                        r"tfcourse train \(pid {} on \S+, since [\d: -]+ UTC\); wait for it to "
                        r"end or choose another --model_dir\n$".format(first.pid),
                        second.stderr), second.stderr
        assert first.poll() is None  # untouched: still training
        first.send_signal(signal.SIGINT)  # ends the first run, saving a checkpoint
        out, err = first.communicate(timeout=120)
    finally:
        first.kill()
    assert first.returncode == 130, err
    step = int(re.search(r"saved model/model\.ckpt-(\d+)", err).group(1))
    state = open(str(tmp_path / "model" / "checkpoint")).read()
    assert 'model_checkpoint_path: "model.ckpt-{}"'.format(step) in state
    kept = re.findall(r'all_model_checkpoint_paths: "model.ckpt-(\d+)"', state)
    assert len(kept) == 5 and int(kept[-1]) == step
    for kept_step in kept:  # intact: every checkpoint listed is there, none other
        assert os.path.exists(str(tmp_path / "model" / "model.ckpt-{}.index".format(kept_step)))
    assert len([name for name in os.listdir(str(tmp_path / "model")) if
                name.endswith(".index")]) == 5
    assert not os.path.exists(str(tmp_path / "model" / locks.WRITER_LOCK))
    # SIGKILL the holder: the kernel releases its lock, a new train takes it at once
    holder = _start(["--model_dir=model", "--max_step=100000000", "--save_every=100000000"],
                    tmp_path)
    try:
        _wait_for(str(tmp_path / "model" / locks.WRITER_LOCK))
        time.sleep(0.2)
        assert json.load(open(str(tmp_path / "model" / locks.WRITER_LOCK)))["pid"] == holder.pid
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        holder.kill()
    after = subprocess.run([TFCOURSE, "train", "--model_dir=model", "--max_step={}".format(
        step + 10), "--quiet"], cwd=str(tmp_path), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    assert after.returncode == 0, after.stderr
    assert "trained to global step {}".format(step + 10) in after.stdout


READER = """
import sys, time
from absl.testing import flagsaver
from tfcourse import cli
commands = [["restore", "--ckpt=model"],
            ["evaluate", "--ckpt=model", "--input={data}"],
            ["predict", "--ckpt=model", "--input={data}", "--output=-"]]
deadline, k = time.time() + float(sys.argv[1]), int(sys.argv[2])
while time.time() < deadline:
    command = commands[k % len(commands)]
    k += 1
    with flagsaver.flagsaver():
        code = cli.main(["tfcourse"] + command)
    sys.stdout.flush()
    sys.stderr.write("RESULT {{}} {{}}\\n".format(command[0], code))
    sys.stderr.flush()
"""

_NAMED = re.compile(r"(?:restored|evaluated|predictions of) model/model\.ckpt-(\d+) "
                    r"\(global_step (\d+)\)")


@pytest.mark.slow
def test_readers_never_fail_while_train_saves_every_5_steps(tmp_path):
    """Load: one train saving every 5 steps (max_to_keep 1) and 4 reader processes looping over
    restore, evaluate and predict for 60 s: no failure, each result a complete checkpoint's."""
    seconds = float(os.environ.get("LOAD_SECONDS", 60.0))
    config = write_yaml(tmp_path, "model: linear\ndata: {{path: {}, label: progression}}\n"
                        .format(json.dumps(DIABETES)))
    writer = _start(["--config=" + config, "--model_dir=model", "--max_step=100000000", "--save_every=5",
                     "--max_to_keep=1", "--log_every=100000000", "--summary_every=1000",
                     "--eval_every=100000000", "--learning_rate=0.1", "--quiet"], tmp_path)
    readers = []
    try:
        _wait_for(str(tmp_path / "model" / "checkpoint"))
        code = READER.format(data=DIABETES)
        readers = [subprocess.Popen([sys.executable, "-c", code, str(seconds), str(k)],
                                    cwd=str(tmp_path), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, universal_newlines=True)
                   for k in range(4)]
        outputs = [reader.communicate(timeout=seconds + 120) for reader in readers]
        print("reader exit codes", [reader.returncode for reader in readers])
        assert writer.poll() is None, writer.stderr.read()  # trained all along
    finally:
        writer.send_signal(signal.SIGTERM)
        writer.communicate(timeout=60)
        for reader in readers:
            reader.kill()
    served = failures = 0
    for out, err in outputs:
        results = re.findall(r"^RESULT (\w+) (\d+)$", err, re.M)
        served += len(results)
        failures += sum(code != "0" for _, code in results)
        named = _NAMED.findall(out + err)
        assert len(named) == len(results)
        assert all(step == global_step for step, global_step in named)
        assert "tensorflow" not in err.lower()
    print("load: {} requests served, {} failures in {:g} s (save_every 5, max_to_keep 1)".format(
        served, failures, seconds))
    assert failures == 0
    assert served >= 20


def test_a_distributed_chief_takes_the_writer_lock_before_loading_data(tmp_path):
    from tfcourse import config as config_lib
    from tfcourse.training import distributed
    config = config_lib.resolve(None, {"model_dir": str(tmp_path / "model"),
                                       "summary_dir": str(tmp_path / "summary")})
    chief = distributed.TaskSpec(cluster={"ps": ["127.0.0.1:1"], "worker": ["127.0.0.1:2"]},
                                 job_name="worker", task_index=0, is_chief=True)
    with locks.WriterLock(config.model_dir):
        started = time.time()
        with pytest.raises(DataError, match="model_dir .*/model is being written by another"):
            distributed.run(config, chief, out=lambda line: None, wait_secs=30)
        assert time.time() - started < 5  # refused at once: no waiting for the ps task
