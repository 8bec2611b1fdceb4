"""Every write failure is an error: a full disk (a small tmpfs mounted by the test, as root) under
the events, the checkpoints, predict, plot and export; a run directory removed while training."""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import TFCOURSE, tree

DISK_BYTES = 1 << 20


@contextlib.contextmanager
def small_disk(path):
    """A 1 MiB tmpfs mounted at ``path`` for the block; skips the test when it cannot be."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (the full-disk tests run as root in CI)")
    os.makedirs(path)
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "size={}".format(DISK_BYTES), "tmpfs",
                            path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True)
    if mount.returncode != 0:
        pytest.skip("cannot mount a tmpfs: {}".format(mount.stderr.strip()))
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", path])


def fill(disk, leave):
    """Fills ``disk`` up to ``leave`` free bytes with a file; returns its path."""
    filler = os.path.join(disk, "filler")
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    with open(filler, "ab") as handle:
        handle.write(b"\0" * max(free - leave, 0))
    return filler


def run(*args, **kwargs):
    proc = subprocess.run([TFCOURSE] + [str(arg) for arg in args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=180, **kwargs)
    return proc.returncode, proc.stdout, proc.stderr


def checkpoints(model_dir):
    """The steps of the checkpoints in ``model_dir``, each with its .index and .data files."""
    names = os.listdir(model_dir)
    steps = sorted(int(m.group(1)) for m in (re.match(r"model\.ckpt-(\d+)\.index$", n)
                                             for n in names) if m)
    for step in steps:
        assert "model.ckpt-{}.data-00000-of-00001".format(step) in names
    assert not [n for n in names if "tempstate" in n or n.startswith(("checkpoint.tmp", "."))
                and not n.endswith(".lock")], names
    return steps


@pytest.mark.slow
def test_full_disk_fails_every_write_with_the_users_path(tmp_path, tfcourse):
    disk = str(tmp_path / "disk")
    with small_disk(disk):
        # events: the disk fills during the run; a checkpoint of the step reached is saved
        filler = fill(disk, 80 * 1024)
        code, _, err = run("train", "--model_dir=model", "--summary_dir=" + disk + "/summary",
                           "--max_step=100000000", "--summary_every=1", "--save_every=100000000",
                           "--quiet", cwd=str(tmp_path))
        match = re.match(r"tfcourse train: error: cannot write events file ({}/summary/run-[\d-]+"
                         r"/train/events\.out\.tfevents\.\S+): (.*); training stopped at global "
                         r"step (\d+), saved model/model\.ckpt-(\d+)\n$".format(disk), err)
        assert code == 1 and match, err
        assert match.group(2) in ("No space left on device",) or "bytes written" in match.group(2)
        assert match.group(3) == match.group(4)
        assert checkpoints(str(tmp_path / "model")) == [int(match.group(3))]
        os.remove(filler)
        shutil.rmtree(disk + "/summary")

        # checkpoints: the disk fills while saving every 100 steps; the last good one stays
        filler = fill(disk, 300 * 1024)
        model_dir = disk + "/m"
        code, _, err = run("train", "--model_dir=" + model_dir, "--max_step=1000000",
                           "--save_every=100", "--max_to_keep=1000", "--quiet",
                           cwd=str(tmp_path))
        match = re.match(r"tfcourse train: error: cannot save checkpoint {0}/model\.ckpt-(\d+): "
                         r"No space left on device; the latest checkpoint stays "
                         r"{0}/model\.ckpt-(\d+)\n$".format(model_dir), err)
        assert code == 1 and match, err
        failed, latest = int(match.group(1)), int(match.group(2))
        assert failed == latest + 100
        assert checkpoints(model_dir)[-1] == latest  # nothing half-written
        assert "model_checkpoint_path: \"model.ckpt-{}\"".format(latest) in open(
            model_dir + "/checkpoint").read()

        # predict, plot and export: one line naming the user's path, nothing left behind
        before = sorted(os.listdir(disk))
        for args, path in ((["predict", "--input=" + str(tmp_path / "rows.csv"), "--output"],
                            disk + "/p.csv"),
                           (["plot", "--output"], disk + "/p.png"),
                           (["export", "--export_dir"], disk + "/export")):
            if args[0] == "predict":
                (tmp_path / "rows.csv").write_text("x\n" + "1.5\n" * 20000)
            fill(disk, 0)
            code, _, err = tfcourse(args[0], "--ckpt=" + model_dir, *(args[1:-1] + [
                args[-1] + "=" + path]))  # in this process: the files are what matters here
            assert code == 1, err
            assert re.match(r"tfcourse {}: error: (export_dir )?{}:? cannot write.*No space left "
                            r"on device\n$".format(args[0], re.escape(path)), err), err
            assert sorted(os.listdir(disk)) == before
        os.remove(filler)

        # space is back: training resumes from the last good checkpoint
        code, out, err = run("train", "--model_dir=" + model_dir, "--max_step={}".format(
            latest + 50), "--quiet", cwd=str(tmp_path))
        assert code == 0, err
        assert "trained to global step {}".format(latest + 50) in out


@pytest.mark.slow
def test_removed_run_directory_stops_training(tmp_path):
    proc = subprocess.Popen([TFCOURSE, "train", "--max_step=100000000", "--summary_every=10",
                             "--save_every=100000000", "--quiet"], cwd=str(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True)
    try:
        summary = tmp_path / "tmp" / "summary"
        deadline = time.time() + 60
        while not [p for p in tree(summary) if "tfevents" in p]:
            assert time.time() < deadline and proc.poll() is None
            time.sleep(0.05)
        time.sleep(0.5)  # training under way
        shutil.rmtree(str(summary))
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
    assert proc.returncode == 1
    match = re.match(r"tfcourse train: error: cannot write events file \./tmp/summary/run-[\d-]+/"
                     r"train/events\.out\.tfevents\.\S+: the file or its directory was removed; "
                     r"training stopped at global step (\d+), saved \./tmp/model/model\.ckpt-"
                     r"(\d+)\n$", err)
    assert match, err
    assert match.group(1) == match.group(2)
    assert [p for p in tree(tmp_path) if "model.ckpt" in p and p.endswith(".index")] == [
        "tmp/model/model.ckpt-{}.index".format(match.group(1))]
