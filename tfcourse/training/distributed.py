"""Training on TensorFlow's own distributed runtime: parameter servers (ps) and workers.

A ps task serves the variables (``tf.train.Server`` + ``join``); a worker trains
the single-process model, built by ``tfcourse.graph.build`` under
``tf.train.replica_device_setter``, with ``tf.train.MonitoredTrainingSession``,
asynchronously or with ``tf.train.SyncReplicasOptimizer``. The chief (the
``chief`` task, else worker 0) initialises or restores the variables and alone
writes checkpoints, summaries (``run-<time>/train``), validation metrics
(``run-<time>/eval``, as a single process does), ``config.yaml`` and
``model.json``: an ordinary tfcourse model directory.

    TF_CONFIG='{"cluster": {"ps": ["h:2222"], "worker": ["h:2223", "h:2224"]},
                "task": {"type": "worker", "index": 0}}' \\
        tfcourse train --config configs/linear.yaml

or with the classic flags ``--ps_hosts --worker_hosts --job_name --task_index``.
"""

import os
import time

import numpy as np

from tfcourse import graph as graph_lib, locks
from tfcourse import model_dir as model_dir_lib
from tfcourse.data import batches
from tfcourse.training import loop, trainer
from tfcourse.training.worker_hooks import Progress, SyncHook, Watchdog
from tfcourse.training.cluster import (  # noqa: F401  (TaskSpec, cluster_from: part of this API)
    TaskSpec, cluster_from, replica_count, replica_index, wait_for_ps)
from tfcourse.errors import DataError, UsageError
from tfcourse.tf_compat import tf

def worker_batches(split, spec, config):
    """The endless ``(x, [text,] y)`` minibatches this worker trains on: its shard of each epoch's
    training rows, in memory or streamed from the file (``tfcourse.data.batches``)."""
    return batches.sharded_batches(split.train, replica_index(spec), replica_count(spec.cluster),
                                   config.data.batch_size, config.seed, config.data.shuffle_buffer)


def build_worker_graph(config, model_spec, spec, sync=False):
    """The single-process training graph (``tfcourse.graph.build_for``) with its variables on
    the ps tasks and its ops on this worker; minibatches are fed to ``x``, ``x_text`` and ``y``."""
    setter = tf.train.replica_device_setter(
        worker_device="/job:{}/task:{}".format(spec.job_name, spec.task_index),
        cluster=tf.train.ClusterSpec(spec.cluster))
    return graph_lib.build_for(config, model_spec, device_fn=setter,
                               sync_replicas=replica_count(spec.cluster) if sync else 0)


def session_config(spec, wait_secs, log_device_placement=False):
    """Sessions see only the ps tasks and this task; every op times out after ``wait_secs``."""
    filters = ["/job:ps", "/job:{}/task:{}".format(spec.job_name, spec.task_index)]
    return tf.ConfigProto(device_filters=filters, log_device_placement=log_device_placement,
                          operation_timeout_in_ms=int(wait_secs * 1000))


def _check_model_dir(model_dir, spec):
    """Refuses a model directory that is not a tfcourse one or holds another model."""
    if os.path.exists(model_dir) and not os.path.isdir(model_dir):
        raise UsageError("model_dir {} is a file, expected a directory".format(model_dir))
    if model_dir_lib.holds_model(model_dir):  # (a checkpoint may not exist yet: chief restarts)
        model_dir_lib.check_compatible(model_dir_lib.read_metadata(model_dir)[1], spec, model_dir)


def _load(config):
    """The data split (``split.validation`` may be None) and the model spec, as one process
    loads them (``trainer.load_data``)."""
    split, spec = trainer.load_data(config)
    batches.check_batch_size(split.train, config.data.batch_size)  # as in one process
    return split, spec


def _single_process_settings(config, split, model_spec, out):
    """``learning_rate: auto`` made a number from the training rows; a warning for the
    stopping rules, which a distributed job does not apply (each worker trains to max_step)."""
    from tfcourse.training import certificate

    def warn(line):
        out("warning: " + line)
    for name in ("tolerance", "early_stopping_patience"):
        if getattr(config, name):
            warn("{} = {} is not applied in distributed training: the workers train to "
                 "max_step".format(name, getattr(config, name)))
    if config.learning_rate == "auto":
        config = config._replace(learning_rate=certificate.rate_in_own_graph(
            config, split, model_spec, out, warn))
    return config


def _start_server(spec, wait_secs):
    address = spec.cluster[spec.job_name][spec.task_index]
    try:
        return tf.train.Server(tf.train.ClusterSpec(spec.cluster), job_name=spec.job_name,
                               task_index=spec.task_index, start=True,
                               config=session_config(spec, wait_secs))
    except (tf.errors.OpError, ValueError) as err:
        raise DataError("{} {}: cannot start a server on {}: {}".format(
            spec.job_name, spec.task_index, address, str(err).strip().splitlines()[0]))


def _wait_for_chief(master, tg, config, wait_secs):
    """Polls until the chief has initialised or restored the variables (MonitoredTrainingSession's
    own wait sleeps 30 s between checks)."""
    deadline = time.time() + wait_secs
    with tf.Session(master, graph=tg.graph, config=config) as session:
        while len(session.run(tg.ready)):
            if time.time() > deadline:
                raise DataError("the chief did not initialise the variables within {:g} s".format(
                    wait_secs))
            time.sleep(0.2)


def _session(config, spec, master, tg, hooks, statistics, wait_secs, summary_dir):
    """The ``MonitoredTrainingSession``; the chief checkpoints and summarises into
    ``summary_dir``. New standardisation variables get their values in the chief's init run
    (``init_feed_dict``): no worker ever trains with placeholder statistics."""
    chief = spec.is_chief
    session_config_ = session_config(spec, wait_secs, config.log_device_placement)
    feed = ({} if tg.mean is None else
            {tg.mean.initial_value: statistics[0], tg.std.initial_value: statistics[1]})
    if not chief:
        _wait_for_chief(master, tg, session_config_, wait_secs)
    return tf.train.MonitoredTrainingSession(
        master=master, is_chief=chief, checkpoint_dir=config.model_dir if chief else None,
        scaffold=tf.train.Scaffold(saver=tg.saver, init_feed_dict=feed,
                                   ready_for_local_init_op=tg.ready), hooks=hooks,
        save_checkpoint_steps=_save_steps(config) if chief else None,
        save_checkpoint_secs=_save_secs(config) if chief else None,
        save_summaries_steps=config.histogram_every if chief else None, summary_dir=summary_dir,
        log_step_count_steps=config.log_every if chief else 0, max_wait_secs=wait_secs,
        stop_grace_period_secs=2, config=session_config_)


def _save_steps(config):
    """The chief's checkpoint cadence in steps: ``save_every``; with neither cadence set,
    ``max_step`` (TensorFlow's ``CheckpointSaverHook`` takes steps or seconds, not both, and
    saves the last step either way)."""
    if config.save_every is None and config.save_every_secs is None:
        return config.max_step
    return config.save_every


def _save_secs(config):
    """The chief's checkpoint cadence in seconds: ``save_every_secs`` when no step cadence."""
    return config.save_every_secs if config.save_every is None else None


class _Evaluation(object):
    """The chief's validation: ``TrainingRun.evaluate`` (the single-process code) every
    ``eval_every`` global steps and at the end, run on the raw session (no hooks)."""

    def __init__(self, run):
        self.run, self.next_step = run, 0

    def maybe(self, raw_session, step, last=False):
        if self.run is None or (step < self.next_step and not last):
            return
        self.run.session = raw_session
        self.run.evaluate(step)
        every = self.run.config.eval_every
        self.next_step = (step // every + 1) * every


def _loop(session, tg, batches, config, out, watchdog, evaluation):
    """Steps until a hook asks to stop; returns the number of local steps."""
    raw_session = session.run_step_fn(lambda step_context: step_context.session)
    if not session.should_stop():  # as one process does, at the step training starts from
        evaluation.maybe(raw_session, int(raw_session.run(tg.global_step)))
    steps, next_log = 0, 0
    while not session.should_stop():
        x, text, y, weight = graph_lib.unpack(next(batches), tg.x_text is not None,
                                              tg.w is not None)
        feed = {tg.x: x, tg.y: y}
        if text is not None:
            feed[tg.x_text] = text
        if weight is not None:
            feed[tg.w] = weight
        _, loss, step = session.run([tg.train_op, tg.model.loss, tg.global_step], feed)
        watchdog.feed()
        steps += 1
        if not np.isfinite(loss):
            raise DataError("loss is {} at global step {}: lower learning_rate or standardise "
                            "the features".format(loss, step))
        if step >= next_log:
            out("step {}/{}  loss {:.6g}".format(step, config.max_step, loss))
            next_log = (step // config.log_every + 1) * config.log_every
        if not session.should_stop():
            evaluation.maybe(raw_session, step)
    if steps:
        evaluation.maybe(raw_session, int(raw_session.run(tg.global_step)), last=True)
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
    if spec.is_chief:  # the chief alone writes model_dir: it holds the writer lock
        lock = locks.WriterLock(config.model_dir).acquire()
        try:
            return _run_worker(config, spec, out, sync, wait_secs, lock)
        finally:
            lock.release()
    return _run_worker(config, spec, out, sync, wait_secs)


def _run_worker(config, spec, out, sync, wait_secs, lock=None):
    """A worker's part of ``run``; the chief (``lock``: its ``locks.WriterLock``) also checks
    and writes ``model_dir``."""
    split, model_spec = _load(config)
    config = _single_process_settings(config, split, model_spec, out)
    if spec.is_chief:
        _check_model_dir(config.model_dir, model_spec)
    wait_for_ps(spec.cluster["ps"], wait_secs)
    server = _start_server(spec, wait_secs)
    tg = build_worker_graph(config, model_spec, spec, sync)
    if spec.is_chief:
        os.makedirs(config.model_dir, exist_ok=True)
        lock.take_inside(config.model_dir)
        model_dir_lib.remove_partial_files(config.model_dir)
        model_dir_lib.write_metadata(config.model_dir, config, model_spec)
    watchdog = Watchdog(2 * wait_secs + 5, "{} {}".format(spec.job_name, spec.task_index))
    watchdog.start()
    try:
        return _train(config, spec, server.target, tg, split, model_spec, sync, wait_secs, out,
                      watchdog)
    finally:
        watchdog.stopped.set()


def _chief_run(config, tg, model_spec, split, out):
    """The chief's ``TrainingRun``: its run directory and eval writer."""
    run = loop.TrainingRun(config, tg, None, model_spec, split.validation, out)
    run.open_writers(train=False)
    return run


def _train(config, spec, master, tg, split, model_spec, sync, wait_secs, out, watchdog):
    progress = Progress(tg, config.max_step)
    hooks = [tf.train.StopAtStepHook(last_step=config.max_step), progress]
    if sync:
        hooks.append(SyncHook(tg.optimizer, spec.is_chief))
    worker_rows = worker_batches(split, spec, config)
    started = time.time()
    run = _chief_run(config, tg, model_spec, split, out) if spec.is_chief else None
    evaluation = _Evaluation(run if split.validation is not None else None)
    try:
        with tg.graph.as_default():
            with _session(config, spec, master, tg, hooks, (split.mean, split.std), wait_secs,
                          os.path.join(run.run_dir, "train") if run else None) as session:
                out("session ready at global step {}".format(progress.start_step))
                watchdog.feed()
                evaluation.next_step = progress.start_step
                steps = _loop(session, tg, worker_rows, config, out, watchdog, evaluation)
    finally:
        if run is not None:
            run.close()
    seconds = time.time() - started
    step, weights, bias = progress.final
    out("done at global step {}: {} local steps in {:.2f} s ({:.0f} steps/s)  weights {}  "
        "bias {}".format(step, steps, seconds, steps / max(seconds, 1e-9),
                         loop.format_values(weights), loop.format_values(bias)))
    return int(step), steps, seconds
