"""Distributed training on TensorFlow's runtime: real ps and worker processes on 127.0.0.1.

Every process is started in a process group of its own by the ``tasks`` fixture
(or ``launch``), waited for with a timeout, and killed in ``finally``.
"""

import glob
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import yaml

from tfcourse import config as config_lib, data
from tfcourse.commands import restore
from tfcourse.training import trainer
from tfcourse.training import distributed
from tfcourse.training.distributed import TaskSpec, cluster_from
from tfcourse.errors import UsageError
from tfcourse.tf_compat import tf

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAUNCHER = os.path.join(REPO, "scripts", "cluster.py")
MODERN = not sys.version_info[:2] == (3, 6)
TIMEOUT = 120 if MODERN else 60  # seconds any one process may take
TFCOURSE = os.path.join(os.path.dirname(sys.executable), "tfcourse")  # the console script


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def gone(pid):
    """Whether no process of the group ``pid`` is left."""
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


class Task(object):
    """One process; threads collect its stdout lines and its stderr."""

    def __init__(self, args, env=None, cwd=None):
        self.proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, universal_newlines=True,
                                     start_new_session=True)
        self.lines, self.errors = [], []
        self.readers = [threading.Thread(target=self._read, args=(pipe, kept), daemon=True)
                        for pipe, kept in ((self.proc.stdout, self.lines),
                                           (self.proc.stderr, self.errors))]
        for reader in self.readers:
            reader.start()
        self.reader = self.readers[0]

    @staticmethod
    def _read(pipe, kept):
        for line in pipe:
            kept.append(line)

    def wait_for(self, pattern, timeout=TIMEOUT):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for line in list(self.lines):
                match = re.search(pattern, line.rstrip("\n"))
                if match:
                    return match
            if self.proc.poll() is not None and not self.reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError("no line {!r} in {}".format(pattern, self.lines))

    def finish(self, timeout=TIMEOUT):
        """Waits for the exit; returns ``(code, stderr)``."""
        self.proc.wait(timeout=timeout)
        for reader in self.readers:
            reader.join(5)
        self.err = "".join(self.errors)
        return self.proc.returncode, self.err

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


@pytest.fixture
def tasks():
    """``start(job, index, cluster, *flags)`` runs ``tfcourse train`` with TF_CONFIG; every
    process started is killed at the end of the test."""
    started = []

    def start(job, index, cluster, *flags):
        env = dict(os.environ, TF_CONFIG=json.dumps(
            {"cluster": cluster, "task": {"type": job, "index": index}}))
        task = Task([TFCOURSE, "train"] + list(flags), env=env)
        started.append(task)
        return task
    try:
        yield start
    finally:
        for task in started:
            task.kill()
        assert all(gone(task.proc.pid) for task in started)


def local_cluster(n_ps, n_workers):
    ports = ["127.0.0.1:{}".format(port) for port in free_ports(n_ps + n_workers)]
    return {"ps": ports[:n_ps], "worker": ports[n_ps:]}


def launch(*flags):
    """Runs scripts/cluster.py to its end; returns ``(code, stdout, stderr, seconds)``."""
    started = time.time()
    task = Task([sys.executable, LAUNCHER] + list(flags), cwd=REPO)
    try:
        code, err = task.finish()
    finally:
        task.kill()
    pids = [int(pid) for pid in re.findall(r"\(pid (\d+)\)", "".join(task.lines))]
    assert pids and all(gone(pid) for pid in pids)  # no child left behind
    return code, "".join(task.lines), err, time.time() - started


def checkpoint_step(model_dir):
    """The step of the latest checkpoint, read from the ``checkpoint`` state file."""
    try:
        with open(os.path.join(model_dir, "checkpoint")) as handle:
            return int(re.search(r'^model_checkpoint_path: ".*-(\d+)"', handle.read(),
                                 re.M).group(1))
    except (OSError, AttributeError):
        return -1


def quiet(line):
    pass


# (1) 1 ps + 2 workers train the course case as well as one process. Tolerance: 1e-2 on w and b
# (one process reaches 1e-3 at step 1000; asynchronous replicas apply slightly stale gradients).
@pytest.mark.slow
def test_course_case_on_one_ps_and_two_workers_matches_one_process(tmp_path):
    model_dir, summary_dir = str(tmp_path / "model"), str(tmp_path / "summary")
    code, out, err, seconds = launch("--ps", "1", "--workers", "2", "--config",
                                     "configs/linear.yaml", "--max_step", "1000",
                                     "--model_dir", model_dir, "--summary_dir", summary_dir)
    assert code == 0 and not err, err
    assert re.search(r"^worker 0 \(pid \d+\): exit 0$", out, re.M)
    assert re.search(r"^worker 1 \(pid \d+\): exit 0$", out, re.M)
    assert re.search(r"^ps 0 \(pid \d+\): stopped by SIGTERM$", out, re.M)
    result = restore.restore(model_dir, predict="1.0", out=quiet)
    assert result.global_step >= 1000
    assert abs(result.weights[0, 0] - 0.8) < 1e-2 and abs(result.bias[0] - 0.7) < 1e-2
    single = trainer.train(config_lib.resolve(None, {
        "model_dir": str(tmp_path / "single"), "summary_dir": summary_dir}), out=quiet)
    assert abs(result.weights[0, 0] - single.weights[0, 0]) < 1e-2
    assert abs(result.bias[0] - single.bias[0]) < 1e-2
    assert abs(result.predictions[0, 0] - 1.5) < 2e-2
    runs = os.listdir(summary_dir)
    assert any(os.listdir(os.path.join(summary_dir, run, "train")) for run in runs)


# (2) the diabetes CSV, standardised, 2 synchronous workers: training R2 within 0.05 of least
# squares.
@pytest.mark.slow
def test_diabetes_with_sync_replicas_reaches_least_squares_r2(tmp_path):
    model_dir = str(tmp_path / "diabetes")
    code, _, err, _ = launch("--config", "configs/diabetes.yaml", "--max_step", "1000", "--sync",
                             "--model_dir", model_dir, "--summary_dir", str(tmp_path / "s"))
    assert code == 0 and not err, err
    config = config_lib.resolve(os.path.join(REPO, "configs", "diabetes.yaml"))
    train = data.load(config.data, config.seed).train
    with restore.open_model(model_dir) as loaded:
        assert loaded.spec.standardize and loaded.global_step >= 1000
        predictions = restore.run_outputs(loaded, train)["predictions"]
    x = np.hstack([train.x, np.ones((len(train.x), 1))]).astype(np.float64)
    optimum = x.dot(np.linalg.lstsq(x, train.y.astype(np.float64), rcond=None)[0])

    def r2(fitted):
        return 1 - np.sum((train.y - fitted) ** 2) / np.sum((train.y - train.y.mean()) ** 2)
    assert r2(predictions) > r2(optimum) - 0.05, (r2(predictions), r2(optimum))
    # The chief wrote validation metrics into run-<time>/eval as one process does, up to the end.
    (run,) = os.listdir(str(tmp_path / "s"))
    assert sorted(os.listdir(str(tmp_path / "s" / run))) == ["eval", "train"]
    steps, tags = set(), set()
    for path in glob.glob(str(tmp_path / "s" / run / "eval" / "events.out.tfevents.*")):
        for event in tf.train.summary_iterator(path):
            steps.add(event.step)
            tags.update(value.tag for value in event.summary.value)
    assert {"loss/loss", "metrics/r2", "metrics/mse"} <= tags
    assert min(steps) == 0 and max(steps) >= 1000 and len(steps) >= 1000 // config.eval_every


# (2b) the same CSV streamed from disk: each of 2 workers trains on its own shard of the rows
# (tfcourse.data.batches.sharded_batches), minibatches of 32; the fit stays near least squares.
@pytest.mark.slow
def test_streamed_csv_is_sharded_across_workers(tmp_path):
    config_path = tmp_path / "streamed.yaml"
    config_path.write_text(u"learning_rate: 0.05\nlog_every: 500\ndata:\n  path: {}\n"
                           u"  label: progression\n  stream: true\n  batch_size: 32\n".format(
                               os.path.join(REPO, "data", "diabetes.csv")))
    model_dir = str(tmp_path / "model")
    code, out, err, _ = launch("--config", str(config_path), "--max_step", "1500", "--sync",
                               "--model_dir", model_dir, "--summary_dir", str(tmp_path / "s"))
    assert code == 0 and not err, err
    assert yaml.safe_load(open(os.path.join(model_dir, "config.yaml")))["data"]["stream"] is True
    config = config_lib.resolve(str(config_path), {"model_dir": model_dir})
    in_memory = config_lib.resolve(str(config_path))._replace(
        data=config.data._replace(stream=False, batch_size=None))
    split = data.load(in_memory.data, config.seed)
    with restore.open_model(model_dir) as loaded:
        assert loaded.global_step >= 1500
        predictions = restore.run_outputs(loaded, split.validation)["predictions"]
    train = split.train
    x = np.hstack([train.x, np.ones((len(train.x), 1))]).astype(np.float64)
    coefficients = np.linalg.lstsq(x, train.y.astype(np.float64), rcond=None)[0]
    optimum = np.hstack([split.validation.x, np.ones((len(split.validation.x), 1))]).dot(
        coefficients)
    y = split.validation.y

    def r2(fitted):
        return 1 - np.sum((y - fitted) ** 2) / np.sum((y - y.mean()) ** 2)
    assert r2(predictions) > r2(optimum) - 0.05, (r2(predictions), r2(optimum))
    (run,) = os.listdir(str(tmp_path / "s"))
    assert sorted(os.listdir(str(tmp_path / "s" / run))) == ["eval", "train"]


@pytest.mark.slow
def test_text_columns_and_gaps_streamed_across_workers(tmp_path):
    # penguins: categorical island and sex, gaps, string classes; streamed and sharded,
    # categories and statistics from the one checking pass
    config_path = tmp_path / "penguins.yaml"
    config_path.write_text(u"model: softmax\nlearning_rate: 0.1\nlog_every: 500\ndata:\n"
                           u"  path: {}\n  label: species\n  stream: true\n  batch_size: 32\n".format(
                               os.path.join(REPO, "data", "penguins.csv")))
    model_dir = str(tmp_path / "model")
    code, out, err, _ = launch("--config", str(config_path), "--max_step", "400",
                               "--model_dir", model_dir, "--summary_dir", str(tmp_path / "s"))
    assert code == 0 and not err, err
    with open(os.path.join(model_dir, "model.json")) as handle:
        spec = json.load(handle)
    assert spec["classes"] == ["Adelie", "Chinstrap", "Gentoo"]
    assert [c["kind"] for c in spec["columns"] if c["name"] in ("island", "sex")] == [
        "categorical", "categorical"]
    config = config_lib.resolve(str(config_path), {"model_dir": model_dir})
    with restore.open_model(model_dir) as loaded:
        split = data.model_split(loaded.spec, config.data, config.seed)
        labels = restore.run_outputs(loaded, split.validation)["predictions"][:, 0]
    assert np.mean(labels == split.validation.y[:, 0]) >= 0.95


def _start_cluster(start, tmp_path, max_step):
    cluster = local_cluster(1, 2)
    flags = ["--max_step={}".format(max_step), "--save_every=200", "--log_every=100",
             "--model_dir=" + str(tmp_path / "model"), "--summary_dir=" + str(tmp_path / "s"),
             "--learning_rate=0.001"]
    ps = start("ps", 0, cluster, *flags)
    workers = [start("worker", index, cluster, *flags) for index in range(2)]
    return cluster, flags, ps, workers


# (3) a worker killed mid-run and started again: the job finishes.
@pytest.mark.slow
def test_worker_killed_and_restarted_lets_the_job_finish(tasks, tmp_path):
    max_step = 1500 if MODERN else 3000
    cluster, flags, _, workers = _start_cluster(tasks, tmp_path, max_step)
    killed_at = int(workers[1].wait_for(r"^worker 1: step (\d+)/").group(1))
    workers[1].kill()
    again = tasks("worker", 1, cluster, *flags)
    ready = int(again.wait_for(r"^worker 1: session ready at global step (\d+)").group(1))
    assert ready >= killed_at
    for worker in (workers[0], again):
        code, err = worker.finish()
        assert code == 0, err
    assert int(again.wait_for(r"done at global step (\d+)").group(1)) >= max_step
    assert checkpoint_step(str(tmp_path / "model")) >= max_step


# (4) the chief killed and restarted resumes from its last checkpoint.
@pytest.mark.slow
def test_chief_killed_and_restarted_resumes_from_its_checkpoint(tasks, tmp_path):
    max_step = 1000 if MODERN else 2000
    model_dir = str(tmp_path / "model")
    cluster, flags, _, workers = _start_cluster(tasks, tmp_path, max_step)
    deadline = time.time() + TIMEOUT
    while checkpoint_step(model_dir) < 200 and time.time() < deadline:
        time.sleep(0.05)
    workers[0].kill()
    saved = checkpoint_step(model_dir)
    assert 200 <= saved < max_step
    chief = tasks("worker", 0, cluster, *flags)
    assert int(chief.wait_for(r"^worker 0: session ready at global step (\d+)").group(1)) >= saved
    for worker in (chief, workers[1]):
        code, err = worker.finish()
        assert code == 0, err
    assert restore.restore(model_dir, out=quiet).global_step >= max_step


# (5) bad cluster specs: exit 2 (usage) or 1 (unreachable ps), one line on stderr, bounded time.
BAD = {
    "index out of range": ({"cluster": {"ps": ["127.0.0.1:1"], "worker": ["127.0.0.1:2"]},
                            "task": {"type": "worker", "index": 3}}, [], 2, r"task\.index = 3"),
    "unknown job name": (None, ["--ps_hosts=127.0.0.1:1", "--worker_hosts=127.0.0.1:2",
                                "--job_name=evaluator"], 2, r"--job_name = 'evaluator'"),
    "malformed TF_CONFIG": ('{"cluster": {"ps": [', [], 2, r"TF_CONFIG: not valid JSON"),
    "unreachable ps": ("ps", ["--wait_secs=3"], 1, r"ps 0 at 127\.0\.0\.1:\d+ is unreachable"),
}


@pytest.mark.slow
def test_bad_clusters_exit_with_one_line_in_bounded_time(tmp_path):
    """All cases at once (each process mostly waits for its TensorFlow import)."""
    started, running = time.time(), {}
    try:
        for case, (tf_config, flags, _, _) in sorted(BAD.items()):
            if tf_config == "ps":  # nothing listens on the ps port
                tf_config = {"cluster": local_cluster(1, 1),
                             "task": {"type": "worker", "index": 0}}
            env = dict(os.environ)
            env.pop("TF_CONFIG", None)
            if tf_config is not None:
                env["TF_CONFIG"] = (tf_config if isinstance(tf_config, str)
                                    else json.dumps(tf_config))
            model_dir = str(tmp_path / case.replace(" ", "_"))
            running[case] = Task([TFCOURSE, "train", "--model_dir=" + model_dir,
                                  "--summary_dir=" + str(tmp_path / "s")] + flags, env=env)
        for case, task in sorted(running.items()):
            code, err = task.finish(timeout=60)
            assert code == BAD[case][2], (case, err)
            assert err.count("\n") == 1 and err.startswith("tfcourse train: error: "), err
            assert re.search(BAD[case][3], err), err
    finally:
        for task in running.values():
            task.kill()
    assert time.time() - started < 30
    assert all(gone(task.proc.pid) for task in running.values())
    assert not os.listdir(str(tmp_path))  # no model directory, no summaries


@pytest.mark.slow
def test_launcher_refuses_bad_options_and_stops_children_on_sigterm(tmp_path):
    task = Task([sys.executable, LAUNCHER, "--workers", "0"], cwd=REPO)
    assert task.finish(timeout=30)[0] == 2 and task.err.count("\n") == 1
    task = Task([sys.executable, LAUNCHER, "--max_step", "100000000", "--model_dir",
                 str(tmp_path / "m"), "--summary_dir", str(tmp_path / "s")], cwd=REPO)
    try:
        task.wait_for(r"^worker 1: step")
        task.proc.send_signal(signal.SIGTERM)
        code, _ = task.finish(timeout=30)
    finally:
        task.kill()
    assert code == 143
    pids = [int(pid) for pid in re.findall(r"\(pid (\d+)\)", "".join(task.lines))]
    assert len(pids) == 3 and all(gone(pid) for pid in pids)


# (6) cluster_from
TF_CONFIG = {"cluster": {"chief": ["a:1"], "worker": ["b:2", "c:3"], "ps": ["d:4"]},
             "task": {"type": "worker", "index": 1}}


def test_cluster_from_tf_config_and_flags():
    spec = cluster_from(json.dumps(TF_CONFIG))
    assert spec == TaskSpec(TF_CONFIG["cluster"], "worker", 1, False)
    chief = dict(TF_CONFIG, task={"type": "chief", "index": 0})
    assert cluster_from(json.dumps(chief)).is_chief
    spec = cluster_from(None, "h:2222", "h:2223,[::1]:2224", "worker", "0")
    assert spec == TaskSpec({"ps": ["h:2222"], "worker": ["h:2223", "[::1]:2224"]},
                            "worker", 0, True)
    assert not cluster_from(None, "h:1", "h:2", "ps", 0).is_chief
    # flags win over TF_CONFIG
    assert cluster_from(json.dumps(TF_CONFIG), "h:1", "h:2", "ps").job_name == "ps"


@pytest.mark.parametrize("args, message", [
    (("{not json",), r"^TF_CONFIG: not valid JSON \(.*\): '\{not json'$"),
    (('{"task": {"type": "worker", "index": 0}}',), r"^TF_CONFIG: missing key 'cluster'"),
    (('{"cluster": {"ps": ["a:1"], "worker": ["b:2"]}}',), r"^TF_CONFIG: missing key 'task'"),
    ((json.dumps(dict(TF_CONFIG, task={"index": 0})),), r"TF_CONFIG task = .*'type'"),
    ((json.dumps(dict(TF_CONFIG, task={"type": "boss", "index": 0})),),
     r"^TF_CONFIG task\.type = 'boss': unknown job name"),
    ((json.dumps(dict(TF_CONFIG, task={"type": "worker", "index": 2})),),
     r"^TF_CONFIG task\.index = 2: out of range; job worker has 2 task\(s\), 0\.\.1$"),
    ((json.dumps(dict(TF_CONFIG, task={"type": "worker", "index": -1})),), r"index = -1"),
    ((json.dumps({"cluster": {"ps": [], "worker": ["b:2"]}, "task": {"type": "worker"}}),),
     r"^TF_CONFIG cluster\.ps = \[\]: expected a non-empty list of host:port$"),
    ((json.dumps({"cluster": {"ps": ["a:1"], "eval": ["b:2"]}, "task": {"type": "ps"}}),),
     r"^TF_CONFIG cluster\.eval: unknown job name 'eval'"),
    ((json.dumps({"cluster": {"ps": ["a:1"]}, "task": {"type": "ps"}}),),
     r"^TF_CONFIG cluster\.worker: missing"),
    ((None, "h:1", "h:2", "evaluator", 0), r"^flag --job_name = 'evaluator': unknown job name"),
    ((None, "h:1", "h:2", "worker", 1), r"^flag --task_index = 1: out of range"),
    ((None, "h:1", "h:2", "worker", "x"), r"^flag --task_index = 'x': expected an integer in 0\.\.0$"),
    ((None, "", "h:2", "worker", 0), r"^flag --ps_hosts = \[\]: expected a non-empty list"),
    ((None, "h:1", "h", "worker", 0), r"^flag --worker_hosts: malformed address 'h'"),
    ((None, "h:1", "h:99999", "worker", 0), r"malformed address 'h:99999'"),
    ((None, "h:1", "h:1", "worker", 0), r"address h:1 is given to more than one task"),
    ((None, None, "h:2", "worker", 0), r"^flag --ps_hosts is needed"),
    ((None,), r"^no cluster: set TF_CONFIG or give --ps_hosts"),
])
def test_cluster_from_refuses_bad_specs_in_one_line(args, message):
    with pytest.raises(UsageError) as caught:
        cluster_from(*args)
    assert "\n" not in str(caught.value)
    assert re.search(message, str(caught.value)), str(caught.value)


@pytest.mark.slow
def test_the_train_command_runs_a_task_from_its_cluster_flags(tmp_path):
    """``tfcourse train --job_name ... --task_index ...`` as in TensorFlow's distributed how-to."""
    tfcourse = TFCOURSE
    ps_port, worker_port = free_ports(2)
    hosts = ["--ps_hosts=127.0.0.1:{}".format(ps_port),
             "--worker_hosts=127.0.0.1:{}".format(worker_port)]
    ps = subprocess.Popen([tfcourse, "train", "--job_name=ps", "--task_index=0"] + hosts,
                          cwd=str(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          start_new_session=True)
    try:
        worker = subprocess.run([tfcourse, "train", "--job_name=worker", "--task_index=0",
                                 "--max_step=300"] + hosts, cwd=str(tmp_path),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, timeout=120)
    finally:
        os.killpg(ps.pid, signal.SIGKILL)
        ps.wait()
    assert worker.returncode == 0, worker.stderr
    assert "worker 0: done at global step 300" in worker.stdout
    assert tf.train.load_variable(str(tmp_path / "tmp" / "model"), "global_step") >= 300


def test_a_batch_size_larger_than_the_training_rows_is_refused_as_in_one_process(tmp_path):
    config_path = tmp_path / "streamed.yaml"
    config_path.write_text(u"data:\n  path: {}\n  label: progression\n  stream: true\n".format(
        os.path.join(REPO, "data", "diabetes.csv")))
    config = config_lib.resolve(str(config_path))
    with pytest.raises(UsageError, match=r"^data\.batch_size = 4096: larger than the 349 "):
        distributed._load(config)
