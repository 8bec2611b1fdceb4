"""The real TensorBoard serves what tfcourse writes: runs, scalars, histograms and the graph.

Two training runs are written once per module into one summary directory: the
course's linear regression (a train run only) and logistic regression on
``configs/breast_cancer.yaml`` (a train and an eval run). The venv's own
``tensorboard`` is started on them and every check goes through its HTTP data
endpoints (TensorBoard 1.12.2 names), against what the events files hold:

    /data/runs                                           run names
    /data/plugin/scalars/tags                            {run: {tag: {...}}}
    /data/plugin/scalars/scalars?run=R&tag=T             [[wall_time, step, value], ...]
    /data/plugin/histograms/tags                         {run: {tag: {...}}}
    /data/plugin/histograms/histograms?run=R&tag=T       [[wall_time, step, [[left, right, count], ...]], ...]
    /data/plugin/graphs/runs, /data/plugin/graphs/graph?run=R   the GraphDef as pbtxt
"""

import collections
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import numpy as np
import pytest

import tensorboard_screenshots as screenshots  # scripts/, on the path by conftest.py
from tfcourse import config as config_lib
from tfcourse.training import trainer
from tfcourse.tf_compat import tf

pytestmark = pytest.mark.slow  # starts servers, browsers or the other leg's processes

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TENSORBOARD = os.path.join(os.path.dirname(sys.executable), "tensorboard")
DEADLINE = 60.0  # seconds to wait for TensorBoard to answer, and then to serve the data

Run = collections.namedtuple("Run", "name config result scope scalars histograms")


def read_events(run_dir):
    """Scalars and histograms of one run directory's events files.

    Returns:
        ``(scalars, histograms)``: dicts tag -> list of ``(step, value)``, where
        value is the float of a scalar or the ``HistogramProto`` of a histogram.
    """
    scalars, histograms = collections.defaultdict(list), collections.defaultdict(list)
    for name in sorted(os.listdir(run_dir)):
        if not name.startswith("events.out.tfevents"):
            continue
        for event in tf.train.summary_iterator(os.path.join(run_dir, name)):
            for value in event.summary.value:
                if value.HasField("simple_value"):
                    scalars[value.tag].append((event.step, value.simple_value))
                elif value.HasField("histo"):
                    histograms[value.tag].append((event.step, value.histo))
    return dict(scalars), dict(histograms)


def expected_steps(every, max_step):
    """Steps a cadence summarises: 0 (the initial values), each multiple of ``every``, the last step."""
    return sorted(set(range(0, max_step + 1, every)) | {max_step})


def served_buckets(histo):
    """The ``[left, right, count]`` buckets TensorBoard 1.12 serves for a ``HistogramProto``.

    Its ``data_compat._migrate_histogram_value``: lefts are ``[min] + limits[:-1]``,
    rights ``limits[:-1] + [max]`` (the last limit, DBL_MAX, is dropped).
    """
    limits = list(histo.bucket_limit)
    lefts = [histo.min] + limits[:-1]
    rights = limits[:-1] + [histo.max]
    return [[left, right, count] for left, right, count in zip(lefts, rights, histo.bucket)]


class TensorBoard(screenshots.TensorBoard):
    """The venv's ``tensorboard`` process, started and stopped by scripts/tensorboard_screenshots.py's
    helper (a process group of its own, SIGTERM then SIGKILL, always reaped), with a JSON/text client
    of its HTTP endpoints."""

    def __init__(self, logdir, log_path):
        assert screenshots.find_tensorboard() == TENSORBOARD  # the venv's own, not one on PATH
        super(TensorBoard, self).__init__(logdir, screenshots.free_port(), log_path)

    def log(self):
        with open(self.log_path) as log:
            return log.read()

    def get(self, path, **params):
        url = self.url + path + ("?" + urllib.parse.urlencode(params) if params else "")
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")

    def json(self, path, **params):
        return json.loads(self.get(path, **params))

    def wait(self, ready, what):
        """Polls ``ready()`` (exceptions count as not ready) until it is true, at most DEADLINE seconds."""
        deadline = time.time() + DEADLINE
        while True:
            if self.process.poll() is not None:
                pytest.fail("tensorboard exited with {} while waiting for {}:\n{}".format(
                    self.process.returncode, what, self.log()))
            try:
                if ready():
                    return
            except (urllib.error.URLError, ConnectionError, socket.timeout, ValueError):
                pass
            if time.time() > deadline:
                pytest.fail("tensorboard did not serve {} within {:.0f} s:\n{}".format(
                    what, DEADLINE, self.log()))
            time.sleep(0.25)


def _train(name, config_path, overrides, summary_dir, tmp):
    overrides = dict(overrides, model_dir=str(tmp / (name + "_model")), summary_dir=str(summary_dir))
    config = config_lib.resolve(config_path, overrides)
    result = trainer.train(config, out=lambda line: None)
    return config, result


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Trains the two runs; returns ``(summary_dir, [Run, ...])``, one Run per train/eval directory."""
    tmp = tmp_path_factory.mktemp("tensorboard")
    summary_dir = tmp / "summary"
    found = []
    for name, config_path, overrides, scope in [
            ("course", None, {"max_step": 35}, "linear_model"),
            ("breast_cancer", os.path.join(REPO, "configs", "breast_cancer.yaml"), {"max_step": 210},
             "logistic_model")]:
        config, result = _train(name, config_path, overrides, summary_dir, tmp)
        for kind in sorted(os.listdir(result.run_dir)):
            run_dir = os.path.join(result.run_dir, kind)
            scalars, histograms = read_events(run_dir)
            run_name = os.path.relpath(run_dir, str(summary_dir)).replace(os.sep, "/")
            found.append(Run(run_name, config, result, scope, scalars, histograms))
    return summary_dir, found


@pytest.fixture(scope="module")
def tensorboard(runs, tmp_path_factory):
    """The venv's tensorboard on the runs, once it serves every run's tags; always stopped."""
    summary_dir, expected = runs
    board = TensorBoard(str(summary_dir), str(tmp_path_factory.mktemp("tensorboard_log") / "log"))
    try:
        board.wait(lambda: isinstance(board.json("/data/runs"), list), "/data/runs")

        def loaded():
            """Event files load asynchronously: every tag, and up to its last written step."""
            scalar_tags = board.json("/data/plugin/scalars/tags")
            histogram_tags = board.json("/data/plugin/histograms/tags")
            if not all(set(scalar_tags.get(run.name, {})) >= set(run.scalars)
                       and set(histogram_tags.get(run.name, {})) >= set(run.histograms)
                       for run in expected):
                return False
            for run in expected:
                for plugin, written in [("scalars", run.scalars), ("histograms", run.histograms)]:
                    for tag, values in written.items():
                        served = board.json("/data/plugin/{0}/{0}".format(plugin), run=run.name, tag=tag)
                        if not served or served[-1][1] != values[-1][0]:
                            return False
            return True
        board.wait(loaded, "every step of {}".format([run.name for run in expected]))
        yield board
    finally:
        board.stop()


def test_the_runs_are_train_and_eval_of_each_training_run(runs, tensorboard):
    _, expected = runs
    served = tensorboard.json("/data/runs")
    assert sorted(served) == sorted(run.name for run in expected)
    kinds = collections.Counter(name.rsplit("/", 1)[1] for name in served)
    assert kinds == {"train": 2, "eval": 1}  # the course's data have no validation split
    assert all(name.startswith("run-") for name in served)


def test_scalar_tags_per_run(runs, tensorboard):
    _, expected = runs
    tags = tensorboard.json("/data/plugin/scalars/tags")
    for run in expected:
        assert set(tags[run.name]) == set(run.scalars)
        if run.name.endswith("/train"):  # a penalty (l2 in configs/breast_cancer.yaml) adds
            penalised = run.config.l1 or run.config.l2  # the objective beside the data loss
            assert set(run.scalars) == {"loss/loss"} | ({"loss/objective"} if penalised else set())
        else:
            assert set(run.scalars) == {"loss/loss", "metrics/log_loss", "metrics/accuracy",
                                        "metrics/precision", "metrics/recall", "metrics/f1",
                                        "metrics/roc_auc"}


def test_scalars_at_the_cadence_steps_equal_the_events_files(runs, tensorboard):
    _, expected = runs
    for run in expected:
        every = run.config.summary_every if run.name.endswith("/train") else run.config.eval_every
        steps = expected_steps(every, run.config.max_step)
        for tag, written in run.scalars.items():
            assert [step for step, _ in written] == steps, (run.name, tag)
            served = tensorboard.json("/data/plugin/scalars/scalars", run=run.name, tag=tag)
            assert [(step, value) for _, step, value in served] == written, (run.name, tag)


def test_last_scalars_are_what_training_ended_with(runs, tensorboard):
    _, expected = runs
    for run in expected:
        result = run.result
        loss = tensorboard.json("/data/plugin/scalars/scalars", run=run.name, tag="loss/loss")[-1]
        assert loss[1] == result.global_step == run.config.max_step
        if run.name.endswith("/train"):
            assert loss[2] == result.loss
        else:
            # the eval loss is TensorFlow's (float32, from the logits), log_loss scikit-learn's
            # (float64, from the probabilities): the same value to float32 rounding
            assert loss[2] == pytest.approx(result.eval_metrics["log_loss"], rel=3e-7)
            for name, value in result.eval_metrics.items():
                last = tensorboard.json("/data/plugin/scalars/scalars", run=run.name,
                                        tag="metrics/" + name)[-1]
                assert last[1:] == [result.global_step, float(np.float32(value))], name
    breast_cancer = [run for run in expected if run.name.endswith("/eval")][0]
    assert breast_cancer.result.eval_metrics["accuracy"] > 0.9  # a real, learning run


def test_weight_and_bias_histograms(runs, tensorboard):
    _, expected = runs
    tags = tensorboard.json("/data/plugin/histograms/tags")
    for run in expected:
        wanted = set() if run.name.endswith("/eval") else {
            run.scope + "/weights_0", run.scope + "/bias_0"}
        assert set(tags.get(run.name, {})) == set(run.histograms) == wanted  # 2.x omits eval
        for tag, written in run.histograms.items():
            served = tensorboard.json("/data/plugin/histograms/histograms", run=run.name, tag=tag)
            steps = expected_steps(run.config.histogram_every, run.config.max_step)
            assert [step for _, step, _ in served] == [step for step, _ in written] == steps
            for (_, step, buckets), (_, histo) in zip(served, written):
                assert buckets == served_buckets(histo), (run.name, tag, step)
            # The last histogram holds the parameters training ended with.
            values = run.result.weights if tag.endswith("/weights_0") else run.result.bias
            last = served[-1][2]
            assert sum(count for _, _, count in last) == values.size
            assert last[0][0] == float(values.min()) and last[-1][1] == float(values.max())


def graph_runs(board):
    """Runs with a graph: ``/data/plugin/graphs/runs`` on TensorBoard 1.x, ``.../info`` on 2.x."""
    try:
        return board.json("/data/plugin/graphs/runs")
    except urllib.error.HTTPError:
        info = board.json("/data/plugin/graphs/info")
        return [name for name, run in info.items() if run.get("run_graph")]


def test_graph_has_the_course_scopes(runs, tensorboard):
    _, expected = runs
    train_runs = sorted(run.name for run in expected if run.name.endswith("/train"))
    assert sorted(graph_runs(tensorboard)) == train_runs
    for run in expected:
        if not run.name.endswith("/train"):
            continue
        pbtxt = tensorboard.get("/data/plugin/graphs/graph", run=run.name)
        assert pbtxt.lstrip().startswith("node {")
        for name in ["original_data/x", run.scope + "/weights", run.scope + "/bias", "loss/",
                     "optimizer/", "global_step"]:
            assert 'name: "{}'.format(name) in pbtxt, (run.name, name)
    assert "more than one graph event" not in tensorboard.log()
