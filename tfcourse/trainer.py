"""Training: owns the session, the loop, the summary writers and the checkpoints.

``train(config)`` loads and checks the data, then builds the graph, restores
the latest checkpoint of ``config.model_dir`` if there is one (training goes
on to ``config.max_step``), and runs gradient descent. Along the way it writes
summaries every ``summary_every`` steps into ``<summary_dir>/run-<time>/train``,
validation loss and metrics every ``eval_every`` steps into ``.../eval`` (when
there is a validation split), a progress line every ``log_every`` steps and a
checkpoint every ``save_every`` steps. The last step does all of these.
"""

import collections
import contextlib
import datetime
import os
import signal
import sys
import threading
import time

import numpy as np

from tfcourse import checkpoints, data, graph as graph_lib, metrics
from tfcourse.errors import DataError, Interrupted, UsageError
from tfcourse.tf_compat import tf

TrainResult = collections.namedtuple(
    "TrainResult", "global_step loss weights bias run_dir checkpoint eval_metrics")
TrainResult.__doc__ = """What a training run ended with.

Attributes:
    global_step: int, the step reached.
    loss: float, the training loss at that step.
    weights: ``[n_features, 1]`` float32 numpy array; bias: ``[1]`` float32.
    run_dir: the run's TensorBoard directory, or None if nothing was trained.
    checkpoint: prefix of the latest checkpoint.
    eval_metrics: OrderedDict of the last validation metrics, or None.
"""


def new_run_dir(summary_dir, now=None):
    """Creates and returns a run directory of its own: ``<summary_dir>/run-<time>[-<n>]``.

    It is created exclusively, so two runs never share one.
    """
    stamp = (now or datetime.datetime.now()).strftime("run-%Y%m%d-%H%M%S")
    os.makedirs(summary_dir, exist_ok=True)
    for attempt in range(1, 1000):
        name = stamp if attempt == 1 else "{}-{}".format(stamp, attempt)
        try:
            os.mkdir(os.path.join(summary_dir, name))
        except FileExistsError:
            continue
        return os.path.join(summary_dir, name)
    raise FileExistsError("no free run directory name under {}".format(summary_dir))


def _due(step, every, last_step):
    return step % every == 0 or step == last_step


def _next_boundary(step, config):
    """The first step after ``step`` where something is logged, saved, evaluated or summarised."""
    candidates = [config.max_step]
    for every in (config.summary_every, config.save_every, config.log_every, config.eval_every):
        candidates.append((step // every + 1) * every)
    return min(candidates)


def _format_values(array, limit=4, style="{:.4f}"):
    values = np.ravel(array)
    shown = " ".join(style.format(value) for value in values[:limit])
    return "[{}{}]".format(shown, " ..." if values.size > limit else "")


def model_outputs(model):
    """The tensor metrics are computed from: predictions (linear) or probabilities (logistic)."""
    return model.predictions if model.probabilities is None else model.probabilities


class _StepsPerRun(object):
    """How many steps go into one ``session.run``.

    A fixed number when configured; otherwise (``None``) as many as take about
    ``target_seconds``, re-estimated after every run, between 1 and ``limit``:
    few session calls for small problems, and a prompt stop on Ctrl-C for big ones.
    """

    def __init__(self, configured, target_seconds=0.05, limit=10000):
        self.fixed = configured is not None
        self.steps = configured or 1
        self.target_seconds = target_seconds
        self.limit = limit

    def update(self, done, seconds):
        if not self.fixed and done:
            per_step = max(seconds / done, 1e-7)
            self.steps = int(min(max(self.target_seconds / per_step, 1), self.limit))


class _Run(object):
    """One training invocation: session, writers, saver and cadences."""

    def __init__(self, config, train_graph, session, spec, validation, out):
        self.config = config
        self.tg = train_graph
        self.session = session
        self.spec = spec
        self.validation = validation
        self.out = out
        self.stage = None
        self.checkpoint = None
        self.run_dir = None
        self.writers = {}
        self.eval_metrics = None
        self.clock = (time.time(), 0)
        self.stop_signal = None
        self.start_step = 0

    def open_writers(self):
        self.run_dir = new_run_dir(self.config.summary_dir)
        self.writers["train"] = tf.summary.FileWriter(os.path.join(self.run_dir, "train"),
                                                      self.tg.graph)
        if self.validation is not None:
            self.writers["eval"] = tf.summary.FileWriter(os.path.join(self.run_dir, "eval"))

    def save(self, step):
        directory = self.stage.directory if self.stage else self.config.model_dir
        checkpoints.write_metadata(directory, self.config, self.spec)
        self.checkpoint = self.tg.saver.save(
            self.session, os.path.join(directory, checkpoints.CHECKPOINT_NAME), global_step=step)
        if self.stage:
            self.stage.publish()
            self.stage = None
            self.checkpoint = tf.train.latest_checkpoint(self.config.model_dir)
            self.tg.saver.recover_last_checkpoints([self.checkpoint])

    def log(self, step, loss, weights, bias):
        then, then_step = self.clock
        now = time.time()
        self.clock = (now, step)
        speed = ("  {:.0f} steps/s".format((step - then_step) / max(now - then, 1e-9))
                 if step > then_step else "")
        self.out("step {}/{}  loss {:.6g}  weights {}  bias {}{}".format(
            step, self.config.max_step, loss, _format_values(weights), _format_values(bias), speed))

    def evaluate(self, step):
        feed = {self.tg.x: self.validation.x, self.tg.y: self.validation.y}
        loss, outputs = self.session.run([self.tg.model.loss, model_outputs(self.tg.model)], feed)
        self.eval_metrics = metrics.compute(self.spec.model, self.validation.y, outputs)
        values = [("loss/loss", loss)] + [("metrics/" + name, value)
                                          for name, value in self.eval_metrics.items()]
        summary = tf.Summary(value=[tf.Summary.Value(tag=tag, simple_value=value)
                                    for tag, value in values])
        self.writers["eval"].add_summary(summary, global_step=step)
        self.out("eval step {} ({} validation rows)  loss {:.6g}  {}".format(
            step, len(self.validation.x), loss, metrics.format_metrics(self.eval_metrics)))

    def run_steps(self, step, steps, report):
        """Runs ``steps`` steps in one ``session.run``; with ``report``, also fetches the
        summaries and log values that are due at the step reached. Returns that step."""
        config = self.config
        fetches = {"loop": self.tg.train_loop}
        end = step + steps
        if report and _due(end, config.summary_every, config.max_step):
            fetches["summary"] = self.tg.summary_op
        if report and _due(end, config.log_every, config.max_step):
            fetches["log"] = self.tg.after
        values = self.session.run(fetches, feed_dict={self.tg.steps: steps})
        loop = values["loop"]
        if not loop.finite:
            raise self.diverged(step + loop.steps_done, loop.loss)
        if "summary" in values:
            self.writers["train"].add_summary(values["summary"], global_step=end)
        if "log" in values:
            self.log(end, *values["log"])
        return end

    def after_boundary(self, step):
        config = self.config
        if self.validation is not None and _due(step, config.eval_every, config.max_step):
            self.evaluate(step)
        if _due(step, config.save_every, config.max_step) and step != self.start_step:
            self.save(step)

    def diverged(self, step, loss):
        """The error for a non-finite loss or parameter found at ``step``; nothing is saved."""
        weights, bias = self.session.run([self.tg.model.weights, self.tg.model.bias])
        last = ("the latest checkpoint stays {}".format(self.checkpoint) if self.checkpoint
                else "no checkpoint was written")
        hint = ("lower learning_rate (now {:g})".format(self.config.learning_rate) +
                ("" if self.spec.standardize else " or set data.standardize: true"))
        return DataError("training diverged at step {}: loss {} (weights {}, bias {}); {}; "
                         "{}".format(step, loss, _format_values(weights, style="{:.3g}"),
                                     _format_values(bias, style="{:.3g}"), hint, last))

    def interrupted(self, step):
        self.save(step)
        name = signal.Signals(self.stop_signal).name
        return Interrupted("interrupted by {} at global step {}; saved {}".format(
            name, step, self.checkpoint), self.stop_signal)

    def loop(self, step):
        """Trains from ``step`` to ``max_step``, several steps per ``session.run`` but never
        across a cadence boundary; returns the step reached."""
        self.start_step = step
        self.clock = (time.time(), step)
        self.run_steps(step, 0, report=True)
        self.after_boundary(step)
        chooser = _StepsPerRun(self.config.steps_per_run)
        while step < self.config.max_step:
            target = _next_boundary(step, self.config)
            while step < target:
                steps = min(chooser.steps, target - step)
                started = time.time()
                step = self.run_steps(step, steps, report=step + steps == target)
                chooser.update(steps, time.time() - started)
                if self.stop_signal is not None:
                    raise self.interrupted(step)
            self.after_boundary(step)
        return step

    @contextlib.contextmanager
    def stop_on_signals(self):
        """SIGINT and SIGTERM ask the loop to save and stop after the current step."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        def request_stop(signum, frame):
            self.stop_signal = signum
        previous = {signum: signal.signal(signum, request_stop)
                    for signum in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def close(self):
        for writer in self.writers.values():
            writer.close()
        if self.stage is not None:
            self.stage.discard()


def _check_output_dir(path, key):
    """``path`` must be a directory or creatable as one, in a writable place."""
    probe = os.path.abspath(path)
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        what = "is a file" if probe == os.path.abspath(path) else "is inside a file ({})".format(
            probe)
        raise UsageError("{} {} {}, expected a directory".format(key, path, what))
    if not os.access(probe, os.W_OK | os.X_OK):
        raise UsageError("{} {}: {} is not writable".format(key, path, probe))


def _prepare(config):
    """Everything that can fail on bad input, before anything is created."""
    _check_output_dir(config.model_dir, "model_dir")
    _check_output_dir(config.summary_dir, "summary_dir")
    split = data.load(config.data, config.model, config.seed)
    spec = checkpoints.ModelSpec(model=config.model, feature_names=split.train.feature_names,
                                 label=split.train.label,
                                 standardize=data.standardize_enabled(config.data))
    state = checkpoints.inspect_model_dir(config.model_dir)
    if state.spec is not None:
        checkpoints.check_compatible(state.spec, spec, config.model_dir)
    return split, spec, state


def _print(line):
    print(line, flush=True)  # progress reaches pipes and log files as it happens


def _warn(line):
    sys.stderr.write("warning: " + line + "\n")


def _warn_changes(saved, config, warn):
    """Warns when a resumed run trains with other settings than the checkpoint was trained with."""
    changes = ["{} {} -> {}".format(name, getattr(saved, name), getattr(config, name))
               for name in ("seed", "learning_rate", "freeze")
               if getattr(saved, name) != getattr(config, name)]
    changes += ["data.{} {} -> {}".format(name, old, new) for name, old, new in
                zip(config.data._fields, saved.data, config.data) if old != new]
    if changes:
        warn("resuming with settings other than the checkpoint's: " + ", ".join(changes))


def _check_separable(session, tg, config, warn):
    """Warns when logistic regression classifies every training row right: the weights then grow
    without bound (the loss has no minimum), so more steps never converge."""
    predictions, labels, weights = session.run([tg.model.predictions, tg.y, tg.model.weights])
    if config.model == "logistic" and np.array_equal(predictions, labels):
        warn("the training data are linearly separable: the weights grow without bound "
             "(|W| = {:.3g} at step {}) and the loss only approaches 0; more steps will not "
             "converge".format(float(np.linalg.norm(weights)), config.max_step))


def train(config, out=_print, warn=_warn):
    """Trains the model ``config`` describes; see the module docstring.

    Args:
        config: a ``tfcourse.config.Config``.
        out: callable taking one line of progress text.
        warn: callable taking one line of warning text.

    Returns:
        a ``TrainResult``.

    Raises:
        UsageError: ``model_dir`` is a file or a foreign non-empty directory.
        DataError: the data are bad, ``model_dir`` holds an incompatible or
            damaged model, or training diverged (nothing non-finite is saved).
        Interrupted: SIGINT or SIGTERM; a checkpoint of the step reached was saved.
    """
    split, spec, state = _prepare(config)
    tg = graph_lib.build(config.model, len(spec.feature_names), config.learning_rate,
                         config.seed, config.freeze, config.max_to_keep, spec.standardize)
    with tf.Session(graph=tg.graph,
                    config=graph_lib.session_config(config.log_device_placement)) as session:
        session.run(tg.init_op)
        graph_lib.load_data(session, tg, split.train)
        if spec.standardize:
            graph_lib.set_standardization(session, tg, *data.standardization(split.train.x))
        step = 0
        if state.checkpoint:
            checkpoints.restore(tg.saver, session, state.checkpoint, tg.saved_variables)
            tg.saver.recover_last_checkpoints(
                tf.train.get_checkpoint_state(config.model_dir).all_model_checkpoint_paths)
            step = int(session.run(tg.global_step))
            if step >= config.max_step:
                out("{} is already at global step {} (max_step {}): nothing to train".format(
                    config.model_dir, step, config.max_step))
                return _result(session, tg, step, None, state.checkpoint, None)
            out("resuming from {} at global step {}".format(state.checkpoint, step))
            checkpoints.remove_partial_files(config.model_dir)
            _warn_changes(state.config, config, warn)
        run = _Run(config, tg, session, spec, split.validation, out)
        run.checkpoint = state.checkpoint
        with run.stop_on_signals():
            try:
                if not state.checkpoint:
                    run.stage = checkpoints.Stage(config.model_dir)
                run.open_writers()
                out("training {} regression on {} ({} training rows, {} feature{}); "
                    "summaries in {}".format(config.model, split.train.source, len(split.train.x),
                                             len(spec.feature_names),
                                             "" if len(spec.feature_names) == 1 else "s",
                                             run.run_dir))
                step = run.loop(step)
            finally:
                run.close()
        out("saved {}".format(run.checkpoint))
        _check_separable(session, tg, config, warn)
        return _result(session, tg, step, run.run_dir, run.checkpoint, run.eval_metrics)


def _result(session, tg, step, run_dir, checkpoint, eval_metrics):
    loss, weights, bias = session.run([tg.model.loss, tg.model.weights, tg.model.bias])
    return TrainResult(global_step=step, loss=float(loss), weights=weights, bias=bias,
                       run_dir=run_dir, checkpoint=checkpoint, eval_metrics=eval_metrics)
