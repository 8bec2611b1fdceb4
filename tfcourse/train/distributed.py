"""Training on TensorFlow's own distributed runtime: parameter servers (ps) and workers.

A ps task serves the variables (``tf.train.Server`` + ``join``); a worker trains
the single-process model under ``tf.train.replica_device_setter`` with
``tf.train.MonitoredTrainingSession``, asynchronously or with
``tf.train.SyncReplicasOptimizer``. The chief (the ``chief`` task, else worker 0)
initialises or restores the variables and alone writes checkpoints, summaries,
``config.yaml`` and ``model.json``: an ordinary tfcourse model directory.

    TF_CONFIG='{"cluster": {"ps": ["h:2222"], "worker": ["h:2223", "h:2224"]},
                "task": {"type": "worker", "index": 0}}' \\
        python -m tfcourse.train.distributed --config configs/linear.yaml
"""

import argparse
import collections
import os
import sys
import threading
import time

import numpy as np

from tfcourse import config as config_lib, data
from tfcourse import model_dir as model_dir_lib
from tfcourse.train import loop
from tfcourse.train.cluster import (  # noqa: F401  (TaskSpec: part of this module's API)
    TaskSpec, cluster_from, replica_count, replica_index, wait_for_ps)
from tfcourse.errors import DataError, TfcourseError, UsageError
from tfcourse import models
from tfcourse.graph import standardize_features
from tfcourse.tf_compat import tf

WorkerGraph = collections.namedtuple(
    "WorkerGraph", "graph x y model global_step train_op optimizer mean std saver ready")
WorkerGraph.__doc__ = """Handles on a worker's graph (variables placed on the ps tasks)."""


def shard_batches(train, replica, n_replicas, batch_size, seed):
    """Endless ``(x, y)`` minibatches (at most ``batch_size`` rows; None: the whole shard) of
    replica ``replica`` of ``n_replicas``: every epoch the rows of ``train`` (a ``Dataset``) are
    shuffled with ``(seed, epoch)``, the same order on every worker, and the replica takes the
    positions ``p % n_replicas == replica``: disjoint parts that together cover the data."""
    epoch = 0
    while True:
        order = np.random.RandomState([seed, epoch]).permutation(len(train.x))
        rows = order[replica::n_replicas]
        size = batch_size or len(rows)
        for start in range(0, len(rows), size):
            part = rows[start:start + size]
            yield train.x[part], train.y[part]
        epoch += 1


def _add_summaries(model):
    with tf.name_scope("loss/"):
        tf.summary.scalar("loss", model.loss)
    for variable in (model.weights, model.bias):
        tf.summary.histogram(variable.name.replace(":", "_"), variable)


def build_graph(config, spec, n_features, standardize, sync=False):
    """A ``WorkerGraph``: variables on the ps tasks, ops on this worker, minibatches fed to
    ``x`` ``[None, n_features]`` and ``y`` ``[None, 1]`` float32. Variable names are the
    single-process graph's (``global_step``, ``<model>_model/weights`` and ``bias``,
    ``standardize/mean`` and ``std``), so ``tfcourse.graph`` restores the checkpoints."""
    graph = tf.Graph()
    n_replicas = replica_count(spec.cluster)
    device = "/job:{}/task:{}".format(spec.job_name, spec.task_index)
    setter = tf.train.replica_device_setter(worker_device=device,
                                            cluster=tf.train.ClusterSpec(spec.cluster))
    with graph.as_default(), tf.device(setter):
        tf.set_random_seed(config.seed)
        global_step = tf.train.get_or_create_global_step()
        with tf.variable_scope("original_data"):
            x = tf.placeholder(tf.float32, [None, n_features], name="x")
            y = tf.placeholder(tf.float32, [None, 1], name="y")
        features, mean, std = (standardize_features(x, n_features) if standardize
                               else (x, None, None))
        model = models.get(config.model).build(features, y, n_features, config.seed)
        var_list = [var for name, var in (("weights", model.weights), ("bias", model.bias))
                    if name not in config.freeze]
        with tf.variable_scope("optimizer"):
            optimizer = tf.train.GradientDescentOptimizer(config.learning_rate)
            if sync:
                optimizer = tf.train.SyncReplicasOptimizer(
                    optimizer, replicas_to_aggregate=n_replicas, total_num_replicas=n_replicas)
            train_op = optimizer.minimize(model.loss, global_step=global_step,
                                          var_list=var_list, name="train")
        _add_summaries(model)
        saved = [global_step, model.weights, model.bias] + ([mean, std] if standardize else [])
        saver = tf.train.Saver(saved, max_to_keep=config.max_to_keep, sharded=True,
                               save_relative_paths=True)
        ready = tf.identity(tf.report_uninitialized_variables(tf.global_variables()), "ready")
    return WorkerGraph(graph, x, y, model, global_step, train_op, optimizer, mean, std, saver,
                       ready)


def session_config(spec, wait_secs, log_device_placement=False):
    """Sessions see only the ps tasks and this task; every op times out after ``wait_secs``."""
    filters = ["/job:ps", "/job:{}/task:{}".format(spec.job_name, spec.task_index)]
    return tf.ConfigProto(device_filters=filters, log_device_placement=log_device_placement,
                          operation_timeout_in_ms=int(wait_secs * 1000))


class _Progress(tf.train.SessionRunHook):
    """Records the global step at session start (stopping at once if ``max_step`` is
    already reached) and the final step, loss-free values, at the end."""

    def __init__(self, wg, max_step):
        self.wg, self.max_step = wg, max_step
        self.start_step = self.final = None

    def after_create_session(self, session, coord):
        self.start_step = int(session.run(self.wg.global_step))
        if self.start_step >= self.max_step:
            coord.request_stop()

    def end(self, session):
        self.final = session.run([self.wg.global_step, self.wg.model.weights, self.wg.model.bias])


class _SyncHook(tf.train.SessionRunHook):
    """``SyncReplicasOptimizer``'s hook, with the chief's queue runner under a coordinator of
    its own for which the cancellation at session close is a clean stop (the session's own
    coordinator would print a traceback of it)."""

    def __init__(self, optimizer, is_chief):
        self.hook = optimizer.make_session_run_hook(is_chief)
        self.coord = tf.train.Coordinator(
            clean_stop_exception_types=(tf.errors.OutOfRangeError, tf.errors.CancelledError))

    def begin(self):
        self.hook.begin()

    def after_create_session(self, session, coord):
        self.hook.after_create_session(session, self.coord)

    def end(self, session):
        self.coord.request_stop()


class _Watchdog(threading.Thread):
    """Exits the process (code 1, one line on stderr) when no step finishes for ``limit``
    seconds: TensorFlow cannot cancel a session that waits for a task that is gone."""

    def __init__(self, limit, name):
        super(_Watchdog, self).__init__(daemon=True)
        self.limit, self.task, self.last = limit, name, time.time()
        self.stopped = threading.Event()

    def feed(self):
        self.last = time.time()

    def run(self):
        while time.time() - self.last < self.limit:
            if self.stopped.wait(0.5):
                return
        sys.stderr.write("tfcourse distributed: error: {}: no progress for {:.0f} s (a ps or "
                         "worker task is unreachable)\n".format(self.task, self.limit))
        sys.stderr.flush()
        os._exit(1)


def _check_model_dir(model_dir, spec):
    """Refuses a model directory that is not a tfcourse one or holds another model."""
    if os.path.exists(model_dir) and not os.path.isdir(model_dir):
        raise UsageError("model_dir {} is a file, expected a directory".format(model_dir))
    if not os.path.isdir(model_dir) or not os.listdir(model_dir):
        return
    if not os.path.exists(os.path.join(model_dir, model_dir_lib.SPEC_FILE)):
        raise UsageError("model_dir {} is not empty and holds no tfcourse model; "
                         "choose another --model_dir".format(model_dir))
    model_dir_lib.check_compatible(model_dir_lib.read_metadata(model_dir)[1], spec, model_dir)


def _load(config):
    if config.data.stream:
        raise UsageError("data.stream: streamed CSV files are not supported by distributed "
                         "training; set data.stream: false")
    model = models.get(config.model)
    split = data.load(config.data, config.seed, model.BUILTIN_DATA, model.label_error)
    spec = model_dir_lib.ModelSpec(config.model, split.train.feature_names, split.train.label,
                                 config.data.standardize)
    return split.train, spec


def _start_server(spec, wait_secs):
    address = spec.cluster[spec.job_name][spec.task_index]
    try:
        return tf.train.Server(tf.train.ClusterSpec(spec.cluster), job_name=spec.job_name,
                               task_index=spec.task_index, start=True,
                               config=session_config(spec, wait_secs))
    except (tf.errors.OpError, ValueError) as err:
        raise DataError("{} {}: cannot start a server on {}: {}".format(
            spec.job_name, spec.task_index, address, str(err).strip().splitlines()[0]))


def _wait_for_chief(master, wg, config, wait_secs):
    """Polls until the chief has initialised or restored the variables (MonitoredTrainingSession's
    own wait sleeps 30 s between checks)."""
    deadline = time.time() + wait_secs
    with tf.Session(master, graph=wg.graph, config=config) as session:
        while len(session.run(wg.ready)):
            if time.time() > deadline:
                raise DataError("the chief did not initialise the variables within {:g} s".format(
                    wait_secs))
            time.sleep(0.2)


def _session(config, spec, master, wg, hooks, statistics, wait_secs):
    """The ``MonitoredTrainingSession``; the chief checkpoints and summarises. New standardisation
    variables get their values in the chief's init run (``init_feed_dict``): no worker ever
    trains with placeholder statistics."""
    chief = spec.is_chief
    session_config_ = session_config(spec, wait_secs, config.log_device_placement)
    feed = ({} if wg.mean is None else
            {wg.mean.initial_value: statistics[0], wg.std.initial_value: statistics[1]})
    if not chief:
        _wait_for_chief(master, wg, session_config_, wait_secs)
    summary_dir = (os.path.join(loop.new_run_dir(config.summary_dir), "train")
                   if chief else None)
    return tf.train.MonitoredTrainingSession(
        master=master, is_chief=chief, checkpoint_dir=config.model_dir if chief else None,
        scaffold=tf.train.Scaffold(saver=wg.saver, init_feed_dict=feed,
                                   ready_for_local_init_op=wg.ready), hooks=hooks,
        save_checkpoint_steps=config.save_every if chief else None,
        save_summaries_steps=config.summary_every if chief else None, summary_dir=summary_dir,
        log_step_count_steps=config.log_every, max_wait_secs=wait_secs,
        stop_grace_period_secs=2, config=session_config_)


def _loop(session, wg, batches, config, out, watchdog):
    """Steps until a hook asks to stop; returns the number of local steps."""
    steps, next_log = 0, 0
    while not session.should_stop():
        x, y = next(batches)
        _, loss, step = session.run([wg.train_op, wg.model.loss, wg.global_step],
                                    {wg.x: x, wg.y: y})
        watchdog.feed()
        steps += 1
        if not np.isfinite(loss):
            raise DataError("loss is {} at global step {}: lower learning_rate or standardise "
                            "the features".format(loss, step))
        if step >= next_log:
            out("step {}/{}  loss {:.6g}".format(step, config.max_step, loss))
            next_log = (step // config.log_every + 1) * config.log_every
    return steps


def run(config, spec, out=print, sync=False, wait_secs=30.0):
    """Runs one task of a cluster: serves variables (ps) or trains (worker, chief).

    Args:
        config: a ``tfcourse.config.Config``; ``model_dir`` and ``summary_dir``
            are made absolute (the ps tasks write the checkpoint shards).
        spec: a ``TaskSpec`` from ``cluster_from``.
        out: callable taking one line of progress text.
        sync: aggregate the gradients of all replicas for each step
            (``tf.train.SyncReplicasOptimizer``) instead of asynchronous updates.
        wait_secs: how long to wait for the ps tasks, the chief's initialisation
            and any single operation (seconds); a stall of twice that exits the process.

    Returns:
        ``(global_step, local_steps, seconds)`` for a worker; a ps never returns.

    Raises:
        UsageError: a config TensorFlow's distributed runtime cannot train.
        DataError: bad data, an unreachable ps, an incompatible model directory,
            a failure while training.
    """
    config = config._replace(model_dir=os.path.abspath(config.model_dir),
                             summary_dir=os.path.abspath(config.summary_dir))
    if spec.job_name == "ps":
        server = _start_server(spec, wait_secs)
        out("serving {}".format(spec.cluster["ps"][spec.task_index]))
        server.join()
        return None
    train, model_spec = _load(config)
    if spec.is_chief:
        _check_model_dir(config.model_dir, model_spec)
    wait_for_ps(spec.cluster["ps"], wait_secs)
    server = _start_server(spec, wait_secs)
    wg = build_graph(config, spec, len(train.feature_names), model_spec.standardize, sync)
    if spec.is_chief:
        os.makedirs(config.model_dir, exist_ok=True)
        model_dir_lib.remove_partial_files(config.model_dir)
        model_dir_lib.write_metadata(config.model_dir, config, model_spec)
    watchdog = _Watchdog(2 * wait_secs + 5, "{} {}".format(spec.job_name, spec.task_index))
    watchdog.start()
    try:
        return _train(config, spec, server.target, wg, train, sync, wait_secs, out, watchdog)
    finally:
        watchdog.stopped.set()


def _train(config, spec, master, wg, train, sync, wait_secs, out, watchdog):
    progress = _Progress(wg, config.max_step)
    hooks = [tf.train.StopAtStepHook(last_step=config.max_step), progress]
    if sync:
        hooks.append(_SyncHook(wg.optimizer, spec.is_chief))
    batches = shard_batches(train, replica_index(spec), replica_count(spec.cluster),
                            config.data.batch_size, config.seed)
    started = time.time()
    statistics = data.standardization(train.x)
    with wg.graph.as_default():
        with _session(config, spec, master, wg, hooks, statistics, wait_secs) as session:
            out("session ready at global step {}".format(progress.start_step))
            watchdog.feed()
            steps = _loop(session, wg, batches, config, out, watchdog)
    seconds = time.time() - started
    step, weights, bias = progress.final
    out("done at global step {}: {} local steps in {:.2f} s ({:.0f} steps/s)  weights {}  "
        "bias {}".format(step, steps, seconds, steps / max(seconds, 1e-9),
                         loop.format_values(weights), loop.format_values(bias)))
    return int(step), steps, seconds


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


_OVERRIDES = ("max_step", "model_dir", "summary_dir", "learning_rate", "seed", "save_every",
              "summary_every", "log_every", "max_to_keep")


def _parse(argv):
    parser = _Parser(prog="python -m tfcourse.train.distributed",
                     description="one task of a distributed training job (TF_CONFIG or flags)")
    parser.add_argument("--config", help="YAML config file")
    for name in ("ps_hosts", "worker_hosts", "job_name", "task_index"):
        parser.add_argument("--" + name, help="cluster flag; overrides TF_CONFIG")
    parser.add_argument("--sync", action="store_true", help="synchronous replicas")
    parser.add_argument("--wait_secs", type=float, default=30.0,
                        help="wait for ps tasks, the chief and each operation (seconds)")
    kinds = {"int": int, "float": float, "path": str}
    for name in _OVERRIDES:
        parser.add_argument("--" + name, type=kinds[config_lib.ROOT_KEYS[name].kind])
    return parser.parse_args(argv)


def main(argv=None):
    """``python -m tfcourse.train.distributed [--config C] [cluster flags] [--sync]``; returns the exit
    code (0, 1 data or runtime error, 2 usage error, 130 interrupted); errors are one line."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = _parse(argv)
        overrides = dict((name, getattr(args, name)) for name in _OVERRIDES
                         if getattr(args, name) is not None)
        config = config_lib.resolve(args.config, overrides)
        spec = cluster_from(os.environ.get("TF_CONFIG"), args.ps_hosts, args.worker_hosts,
                            args.job_name, args.task_index)
        prefix = "{} {}: ".format(spec.job_name, spec.task_index)
        run(config, spec, lambda line: print(prefix + line, flush=True), args.sync, args.wait_secs)
        return 0
    except TfcourseError as err:
        return _fail(str(err), err.exit_code)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except tf.errors.OpError as err:
        return _fail("TensorFlow error: " + (err.message or str(err)).strip().splitlines()[0], 1)


def _fail(message, code):
    sys.stderr.write("tfcourse distributed: error: {}\n".format(" ".join(message.split())))
    sys.stderr.flush()
    return code


if __name__ == "__main__":
    sys.exit(main())
