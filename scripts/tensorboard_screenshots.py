#!/usr/bin/env python
"""Screenshots of TensorBoard's scalars and histograms dashboards, rendered by headless Chromium.

    .venv/bin/python scripts/tensorboard_screenshots.py --logdir ./tmp/summary/ [--out_dir ./tmp/screenshots]
    .venv/bin/python scripts/tensorboard_screenshots.py --logdir /tmp/bc --train configs/breast_cancer.yaml

Starts the venv's ``tensorboard`` on 127.0.0.1 (a free port unless ``--port`` is given), waits until it
serves the tags of every run directory of ``--logdir``, saves ``scalars.png`` and ``histograms.png``
(1280x900) into ``--out_dir``, stops tensorboard whatever happens and prints the paths of the images.
It trains nothing unless asked with ``--train CONFIG`` (the run's summaries go into ``--logdir``; its
checkpoints into a temporary directory that is removed).

Needs Chromium (Debian: ``apt-get install -y chromium``). Errors are one line on stderr, exit code 1.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

DASHBOARDS = ("scalars", "histograms")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1280,900", "--virtual-time-budget=15000"]


class ScreenshotError(Exception):
    """A failure reported as one line on stderr."""


def free_port():
    """A TCP port of 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_chromium(path=None):
    """The Chromium executable: ``path``, else /usr/bin/chromium, else ``chromium`` on PATH.

    Raises:
        ScreenshotError: none of them is an executable file.
    """
    candidates = [path] if path else ["/usr/bin/chromium", shutil.which("chromium")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise ScreenshotError("chromium not found ({}): install it with apt-get install chromium".format(
        path or "/usr/bin/chromium"))


def find_tensorboard():
    """The ``tensorboard`` beside this Python interpreter (the venv's), else the one on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), "tensorboard")
    found = beside if os.path.isfile(beside) else shutil.which("tensorboard")
    if not found:
        raise ScreenshotError("tensorboard not found beside {} nor on PATH".format(sys.executable))
    return found


def run_names(logdir):
    """Names TensorBoard gives the directories of ``logdir`` holding events files (``run-X/train``)."""
    names = set()
    for root, _, files in os.walk(logdir):
        if any(name.startswith("events.out.tfevents") for name in files):
            relative = os.path.relpath(root, logdir)
            names.add("." if relative == "." else relative.replace(os.sep, "/"))
    return sorted(names)


class TensorBoard(object):
    """The ``tensorboard`` process, in a process group of its own so that stop() ends all of it."""

    def __init__(self, logdir, port, log_path):
        self.url = "http://127.0.0.1:{}".format(port)
        self.log_path = log_path
        self._log = open(log_path, "w")
        self.process = subprocess.Popen(
            [find_tensorboard(), "--logdir", logdir, "--host", "127.0.0.1", "--port", str(port)],
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def json(self, path):
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.loads(response.read().decode("utf-8"))

    def wait_for_data(self, runs, timeout):
        """Waits until every run in ``runs`` has scalar tags, and its histogram tags when it is a
        training run (``*/train``): TensorBoard loads event files asynchronously.

        Raises:
            ScreenshotError: tensorboard exited, or did not serve them within ``timeout`` seconds.
        """
        deadline = time.time() + timeout
        missing = runs
        while True:
            if self.process.poll() is not None:
                with open(self.log_path) as log:
                    last = (log.read().strip().splitlines() or ["no output"])[-1]
                raise ScreenshotError("tensorboard exited with {}: {}".format(
                    self.process.returncode, last))
            try:
                scalars = self.json("/data/plugin/scalars/tags")
                histograms = self.json("/data/plugin/histograms/tags")
                missing = [run for run in runs if not scalars.get(run) or (
                    run.endswith("train") and not histograms.get(run))]
                if not missing:
                    return
            except (urllib.error.URLError, ConnectionError, socket.timeout, ValueError):
                pass
            if time.time() > deadline:
                raise ScreenshotError("tensorboard at {} served no data for {} within {:.0f} s".format(
                    self.url, ", ".join(missing), timeout))
            time.sleep(0.25)

    def stop(self):
        """SIGTERM to the process group, SIGKILL after 10 s; always reaps the process."""
        try:
            if self.process.poll() is None:
                try:
                    os.killpg(self.process.pid, signal.SIGTERM)
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.process.wait()
        finally:
            self._log.close()


def screenshot(chromium, url, path, timeout=120):
    """Renders ``url`` with headless Chromium into the PNG ``path`` (1280x900).

    Raises:
        ScreenshotError: Chromium failed, timed out or wrote no image.
    """
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        if os.path.exists(path):
            os.remove(path)
        command = [chromium] + CHROMIUM_FLAGS + ["--user-data-dir=" + profile,
                                                 "--screenshot=" + path, url]
        try:
            proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  universal_newlines=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ScreenshotError("chromium did not finish {} within {} s".format(url, timeout))
        if proc.returncode != 0 or not os.path.isfile(path) or os.path.getsize(path) == 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise ScreenshotError("chromium wrote no screenshot of {} (exit {}): {}".format(
                url, proc.returncode, last))
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def train(config_path, logdir, max_step=None):
    """Trains ``config_path`` with tfcourse, summaries into ``logdir``, checkpoints into a temp dir."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from tfcourse import config as config_lib
    from tfcourse.training import trainer
    model_dir = tempfile.mkdtemp(prefix="tfcourse-screenshots-")
    try:
        overrides = {"model_dir": os.path.join(model_dir, "model"), "summary_dir": logdir}
        if max_step is not None:
            overrides["max_step"] = max_step
        trainer.train(config_lib.resolve(config_path, overrides), out=lambda line: None)
    finally:
        shutil.rmtree(model_dir, ignore_errors=True)


def take_screenshots(logdir, out_dir, port=None, chromium=None, timeout=60.0):
    """Serves ``logdir`` with tensorboard and saves one PNG per dashboard; returns their paths."""
    chromium = find_chromium(chromium)
    runs = run_names(logdir) if os.path.isdir(logdir) else []
    if not runs:
        raise ScreenshotError("no events files under {}".format(os.path.abspath(logdir)))
    out_dir = os.path.abspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    log_dir = tempfile.mkdtemp(prefix="tensorboard-log-")
    try:
        # tensorboard gets --logdir as given (it shows it in the side panel), relative to our cwd.
        board = TensorBoard(logdir, port or free_port(), os.path.join(log_dir, "tensorboard.log"))
        try:
            board.wait_for_data(runs, timeout)
            paths = []
            for dashboard in DASHBOARDS:
                path = os.path.join(out_dir, dashboard + ".png")
                screenshot(chromium, "{}/#{}".format(board.url, dashboard), path)
                paths.append(path)
            return paths
        finally:
            board.stop()
    finally:
        shutil.rmtree(log_dir, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logdir", required=True, help="TensorBoard log directory (summary_dir)")
    parser.add_argument("--out_dir", default="./tmp/screenshots", help="where the PNGs go")
    parser.add_argument("--port", type=int, default=None, help="tensorboard port (default: a free one)")
    parser.add_argument("--chromium", default=None, help="Chromium executable (default /usr/bin/chromium)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds to wait for tensorboard to serve the runs")
    parser.add_argument("--train", metavar="CONFIG", default=None,
                        help="first train this tfcourse YAML config into --logdir")
    parser.add_argument("--max_step", type=int, default=None, help="max_step of the --train run")
    args = parser.parse_args(argv)
    try:
        find_chromium(args.chromium)  # before any training or server start
        if args.train:
            train(args.train, os.path.abspath(args.logdir), args.max_step)
        paths = take_screenshots(args.logdir, args.out_dir, args.port, args.chromium, args.timeout)
    except ScreenshotError as error:
        print("tensorboard_screenshots: error: {}".format(error), file=sys.stderr)
        return 1
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
