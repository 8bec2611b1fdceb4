"""One training run: the loop over ``session.run`` calls and what happens at cadence boundaries.

``TrainingRun`` owns the summary writers, the checkpoints it saves and the
signal handling of one ``tfcourse train`` invocation; ``tfcourse.training.trainer``
prepares the data, graph and session it works on.
"""

import contextlib
import datetime
import os
import signal
import threading
import time

import numpy as np

from tfcourse import graph as graph_lib, metrics, models
from tfcourse import model_dir as model_dir_lib
from tfcourse.errors import DataError, Interrupted
from tfcourse.tf_compat import tf
from tfcourse.training import events
from tfcourse.training import saving
from tfcourse.training.summary_writer import CheckedEventsFile


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
    return step == last_step or (every is not None and step % every == 0)


def _next_boundary(step, config, validation=True):
    """The first step after ``step`` where something is logged, saved, evaluated or where
    histograms are written (scalars come from the loop's per-step buffer: no boundary)."""
    candidates = [config.max_step]
    for every in (config.histogram_every, config.save_every, config.log_every,
                  config.eval_every if validation else None):
        if every is not None:
            candidates.append((step // every + 1) * every)
    return min(candidates)


SCALAR_TAGS = {"loss": "loss/loss"}  # tags of the loop's per-step scalars; others: their name


def format_values(array, limit=4, style="{:.4f}"):
    values = np.ravel(array)
    shown = " ".join(style.format(value) for value in values[:limit])
    return "[{}{}]".format(shown, " ..." if values.size > limit else "")


class StepsPerRun(object):
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


class TrainingRun(object):
    """One training invocation: session, writers, saver and cadences."""

    def __init__(self, config, train_graph, session, spec, validation, out):
        self.config = config
        self.tg = train_graph
        self.session = session
        self.spec = spec
        self.validation = validation
        self.validation_feed = None
        self.out = out
        self.stage = None
        self.checkpoint = None
        self.run_dir = None
        self.writers = {}
        self.eval_metrics = None
        self.clock = (time.time(), 0)
        self.stop_signal = None
        self.start_step = 0
        self.minibatch = False
        self.saved_meta = False
        self.progress = None
        self.verbose = False
        self.last_loss = float("nan")
        self.last_save = time.time()
        self.data_record = None  # tfcourse.training.resume.fingerprint of the data, for data.json
        self.stopping = None  # a tfcourse.training.stopping.Stopping: tolerance, early stopping

    def open_writers(self, train=True):
        """Creates the run directory and its writers (``train`` False: only ``eval``, for a
        distributed chief whose session writes ``train``)."""
        self.run_dir = new_run_dir(self.config.summary_dir)
        if train:
            self.writers["train"] = CheckedEventsFile(os.path.join(self.run_dir, "train"),
                                                      self.tg.graph)
        if self.validation is not None:
            self.writers["eval"] = CheckedEventsFile(os.path.join(self.run_dir, "eval"))

    def save(self, step, last=False):
        """Saves a checkpoint; the .meta graph (8 ms here), config.yaml and model.json only with
        the run's first save (and the .meta also with its last)."""
        directory = self.stage.directory if self.stage else self.config.model_dir
        if not self.saved_meta:  # config.yaml and model.json: once per run
            earlier = [] if self.stage else model_dir_lib.read_runs(self.config.model_dir)
            saving.write_metadata(directory, self.config, self.spec, earlier + [self.run_dir],
                                  self.checkpoint, self.data_record)
        self.checkpoint = saving.save_checkpoint(
            self.tg.saver, self.session, directory, model_dir_lib.CHECKPOINT_NAME, step,
            last or not self.saved_meta, self.config.model_dir, self.checkpoint)
        self.saved_meta = True
        self.last_save = time.time()
        if self.stage:
            self.stage.publish()
            self.stage = None
            self.checkpoint = os.path.join(self.config.model_dir, os.path.basename(
                self.checkpoint))  # the published path (latest_checkpoint: 20 ms of parsing)
            self.tg.saver.recover_last_checkpoints([self.checkpoint])
        if self.verbose:
            self.out("saved {}".format(self.checkpoint))

    def log(self, step, loss, weights, bias):
        then, then_step = self.clock
        now = time.time()
        self.clock = (now, step)
        speed = ("  {:.0f} steps/s".format((step - then_step) / max(now - then, 1e-9))
                 if step > then_step else "")
        self.out("step {}/{}  loss {:.6g}  weights {}  bias {}{}".format(
            step, self.config.max_step, loss, format_values(weights), format_values(bias), speed))

    def evaluate(self, step):
        if self.validation_feed is None:  # encoded by the graph once
            self.validation_feed = graph_lib.feed_rows(self.session, self.tg, self.validation)
        feed = self.validation_feed
        model = models.get(self.spec.model)
        loss, scores = self.session.run([self.tg.model.loss, model.score(self.tg.model)], feed)
        self.eval_metrics = model.metrics(self.validation.y, scores, self.validation.weight,
                                          self.spec.classes)
        values = [("loss/loss", loss)] + [("metrics/" + name, value)
                                          for name, value in self.eval_metrics.items()]
        summary = tf.Summary(value=[tf.Summary.Value(tag=tag, simple_value=value)
                                    for tag, value in values])
        self.writers["eval"].add_summary(summary, global_step=step)
        self.out("eval step {} ({} validation rows)  loss {:.6g}  {}".format(
            step, len(self.validation.x), loss, metrics.format_metrics(self.eval_metrics)))
        if self.stopping is not None:
            self.stopping.after_evaluation(step, loss, self.eval_metrics, self)

    def run_steps(self, step, steps, report):
        """Runs ``steps`` steps in one ``session.run``, writes the scalars they recorded at
        their own steps and, with ``report``, the histograms and the log line due at the step
        reached (at ``max_step`` also the loss there). Returns that step.

        Raises:
            DataError: a loss or parameter of these steps is not finite (nothing is written).
        """
        config = self.config
        fetches = {"loop": self.tg.train_loop}
        end = step + steps
        if report and _due(end, config.histogram_every, config.max_step):
            fetches["histograms"] = self.histograms
        if report and (_due(end, config.log_every, config.max_step) or end == config.max_step):
            fetches["log"] = self.tg.after
            fetches["objective"] = self.tg.objective
        started = time.time()
        values = self.session.run(fetches, feed_dict={self.tg.steps: steps})
        loop = values["loop"]
        self.check_finite(step, loop)
        if steps:
            self.last_loss = float(loop.loss)
            if self.stopping is not None:
                self.stopping.after_steps(loop.loss)
        if self.progress is not None and steps:
            self.progress.update(end, config.max_step, loop.loss)
        self.write_scalars(step, loop.recorded, started, time.time())
        for summary in values.get("histograms", ()):
            self.writers["train"].add_summary(summary, end)
        if "log" in values and end == config.max_step and not self.minibatch:
            self.writers["train"].add_scalars(SCALAR_TAGS["loss"], [end], [values["log"].loss],
                                              [time.time()])  # whatever summary_every says
            if "loss/objective" in loop.recorded:  # a penalty: the objective there too
                self.writers["train"].add_scalars("loss/objective", [end], [values["objective"]],
                                                  [time.time()])
        if "log" in values and _due(end, config.log_every, config.max_step):
            self.log(end, *values["log"])
        return end

    def check_finite(self, step, loop):
        """Raises ``diverged`` when a recorded loss, the last loss or the parameters after
        ``loop`` (a fetched ``LoopOutputs`` of the run from ``step``) are not finite: one
        check per run, on the loop's buffer and outputs."""
        losses = loop.recorded["loss"]
        bad = np.flatnonzero(~np.isfinite(losses))
        if bad.size:
            raise self.diverged(step + int(bad[0]), losses[bad[0]])
        if not loop.finite:
            raise self.diverged(step + loop.steps_done, loop.loss)

    def write_scalars(self, step, recorded, started, ended):
        """Writes ``recorded`` ({name: values of steps ``step``, ``step + 1``...}) as scalars
        at their own steps, those of every ``summary_every``-th step; their wall times spread
        from ``started`` to ``ended`` (seconds), the span of the run that computed them."""
        every = self.config.summary_every
        for name, values in recorded.items():
            values = np.asarray(values, np.float32)
            steps = np.arange(step, step + values.size)
            times = np.linspace(started, ended, values.size + 1)[1:]
            kept = steps % every == 0
            if not kept.all():
                steps, values, times = steps[kept], values[kept], times[kept]
            self.writers["train"].add_scalars(SCALAR_TAGS.get(name, name), steps, values, times)

    def after_boundary(self, step):
        config = self.config
        if self.stopping is not None:
            self.stopping.at_boundary(step, self.session, self.tg)
        if self.validation is not None and _due(step, config.eval_every, config.max_step):
            self.evaluate(step)
        stopped = self.stopping is not None and self.stopping.stopped
        if (_due(step, config.save_every, config.max_step) or stopped) and step != self.start_step:
            self.save(step, last=step == config.max_step or stopped)

    def save_if_time(self, step):
        """Saves at ``step`` when ``save_every_secs`` have passed since the last save."""
        every = self.config.save_every_secs
        if every is not None and step != self.start_step and step < self.config.max_step and (
                time.time() - self.last_save >= every):
            self.save(step)

    def diverged(self, step, loss):
        """The error for a non-finite loss or parameter found at ``step``; nothing is saved."""
        weights, bias = self.session.run([self.tg.model.weights, self.tg.model.bias])
        last = saving.stays(self.checkpoint)
        csv_unscaled = self.config.data.path is not None and not self.spec.standardize
        hint = ("lower learning_rate (now {:g})".format(self.config.learning_rate) +
                (" or set data.standardize: true" if csv_unscaled else ""))
        return DataError("training diverged at step {}: loss {} (weights {}, bias {}); {}; "
                         "{}".format(step, loss, format_values(weights, style="{:.3g}"),
                                     format_values(bias, style="{:.3g}"), hint, last))

    def interrupted(self, step):
        self.save(step, last=True)
        name = signal.Signals(self.stop_signal).name
        return Interrupted("interrupted by {} at global step {}; saved {}".format(
            name, step, self.checkpoint), self.stop_signal)

    def loop(self, step):
        """Trains from ``step`` to ``max_step``, several steps per ``session.run`` but never
        across a cadence boundary; returns the step reached."""
        self.start_step = step
        self.clock = (time.time(), step)
        self.last_save = time.time()
        self.histograms = [tensor for tensor in self.tg.graph.get_collection(
            tf.GraphKeys.SUMMARIES) if tensor.op.type == "HistogramSummary"]
        self.run_steps(step, 0, report=not self.minibatch)  # a minibatch loss needs a step
        self.after_boundary(step)
        chooser = StepsPerRun(self.config.steps_per_run)
        while step < self.config.max_step and not (self.stopping and self.stopping.stopped):
            target = _next_boundary(step, self.config, self.validation is not None)
            if self.stopping is not None:
                target = min(target, self.stopping.next_check(step))
            while step < target:
                steps = min(chooser.steps, target - step)
                started = time.time()
                step = self.run_steps(step, steps, report=step + steps == target)
                chooser.update(steps, time.time() - started)
                if self.stop_signal is not None:
                    raise self.interrupted(step)
                self.save_if_time(step)
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
