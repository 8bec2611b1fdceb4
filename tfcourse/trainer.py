"""Training: owns the session, the loop, the summary writer and the checkpoints.

``train(config)`` loads and checks the data, then builds the graph, restores
the latest checkpoint of ``config.model_dir`` if there is one (training goes
on to ``config.max_step``), and runs gradient descent, writing summaries every
``summary_every`` steps into a run directory of its own under
``summary_dir``, a progress line every ``log_every`` steps and a checkpoint
every ``save_every`` steps and at the end.
"""

import collections
import datetime
import os
import time

import numpy as np

from tfcourse import checkpoints, data, graph as graph_lib
from tfcourse.tf_compat import tf

TrainResult = collections.namedtuple("TrainResult", "global_step loss weights bias run_dir checkpoint")
TrainResult.__doc__ = """What a training run ended with.

Attributes:
    global_step: int, the step reached.
    loss: float, the training loss at that step.
    weights: ``[n_features, 1]`` float32 numpy array; bias: ``[1]`` float32.
    run_dir: the run's TensorBoard directory, or None if nothing was trained.
    checkpoint: prefix of the latest checkpoint.
"""


def new_run_dir(summary_dir, now=None):
    """Creates and returns a run directory of its own: ``<summary_dir>/run-<time>[-<n>]/train``.

    The ``run-*`` directory is created exclusively, so two runs never share one.
    """
    stamp = (now or datetime.datetime.now()).strftime("run-%Y%m%d-%H%M%S")
    os.makedirs(summary_dir, exist_ok=True)
    for attempt in range(1, 1000):
        name = stamp if attempt == 1 else "{}-{}".format(stamp, attempt)
        try:
            os.mkdir(os.path.join(summary_dir, name))
        except FileExistsError:
            continue
        return os.path.join(summary_dir, name, "train")
    raise FileExistsError("no free run directory name under {}".format(summary_dir))


def _due(step, every, last_step):
    return step % every == 0 or step == last_step


def _next_boundary(step, config):
    """The first step after ``step`` where something is logged, saved or summarised."""
    candidates = [config.max_step]
    for every in (config.summary_every, config.save_every, config.log_every):
        candidates.append((step // every + 1) * every)
    return min(candidates)


def _format_values(array, limit=4):
    values = np.ravel(array)
    shown = " ".join("{:.4f}".format(value) for value in values[:limit])
    return "[{}{}]".format(shown, " ..." if values.size > limit else "")


class _Run(object):
    """One training invocation: session, writer, saver and cadences."""

    def __init__(self, config, train_graph, session, state, spec, out):
        self.config = config
        self.tg = train_graph
        self.session = session
        self.state = state
        self.spec = spec
        self.out = out
        self.stage = None if state.checkpoint else checkpoints.Stage(config.model_dir)
        self.checkpoint = state.checkpoint
        self.writer = None
        self.clock = (time.time(), 0)

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

    def log(self, step):
        loss, weights, bias = self.session.run(
            [self.tg.model.loss, self.tg.model.weights, self.tg.model.bias])
        then, then_step = self.clock
        now = time.time()
        self.clock = (now, step)
        speed = ("  {:.0f} steps/s".format((step - then_step) / max(now - then, 1e-9))
                 if step > then_step else "")
        self.out("step {}/{}  loss {:.6g}  weights {}  bias {}{}".format(
            step, self.config.max_step, loss, _format_values(weights), _format_values(bias), speed))

    def summarize(self, step):
        self.writer.add_summary(self.session.run(self.tg.summary_op), global_step=step)

    def after_step(self, step, first=False):
        config = self.config
        if _due(step, config.summary_every, config.max_step):
            self.summarize(step)
        if _due(step, config.log_every, config.max_step):
            self.log(step)
        if not first and _due(step, config.save_every, config.max_step):
            self.save(step)

    def loop(self, step):
        self.clock = (time.time(), step)
        self.after_step(step, first=True)
        while step < self.config.max_step:
            target = _next_boundary(step, self.config)
            for _ in range(target - step):
                self.session.run(self.tg.train_op)
            step = target
            self.after_step(step)
        return step

    def close(self):
        if self.writer is not None:
            self.writer.close()
        if self.stage is not None:
            self.stage.discard()


def train(config, out=print):
    """Trains the model ``config`` describes; see the module docstring.

    Args:
        config: a ``tfcourse.config.Config``.
        out: callable taking one line of progress text.

    Returns:
        a ``TrainResult``.

    Raises:
        UsageError: ``model_dir`` is a file or a foreign non-empty directory.
        DataError: the data are bad, or ``model_dir`` holds an incompatible model.
    """
    dataset = data.load(config.data, config.model, config.seed)
    spec = checkpoints.ModelSpec(model=config.model, feature_names=dataset.feature_names,
                                 label=dataset.label)
    state = checkpoints.inspect_model_dir(config.model_dir)
    if state.spec is not None:
        checkpoints.check_compatible(state.spec, spec, config.model_dir)
    tg = graph_lib.build(config.model, len(spec.feature_names), config.learning_rate,
                         config.seed, config.freeze, config.max_to_keep)
    with tf.Session(graph=tg.graph,
                    config=graph_lib.session_config(config.log_device_placement)) as session:
        session.run(tg.init_op)
        graph_lib.load_data(session, tg, dataset)
        step = 0
        if state.checkpoint:
            tg.saver.restore(session, state.checkpoint)
            tg.saver.recover_last_checkpoints(
                tf.train.get_checkpoint_state(config.model_dir).all_model_checkpoint_paths)
            step = int(session.run(tg.global_step))
            if step >= config.max_step:
                out("{} is already at global step {} (max_step {}): nothing to train".format(
                    config.model_dir, step, config.max_step))
                return _result(session, tg, step, None, state.checkpoint)
            out("resuming from {} at global step {}".format(state.checkpoint, step))
        run = _Run(config, tg, session, state, spec, out)
        try:
            run.writer = tf.summary.FileWriter(new_run_dir(config.summary_dir), tg.graph)
            out("training {} regression on {} ({} samples, {} feature{}); summaries in {}".format(
                config.model, dataset.source, len(dataset.x), len(spec.feature_names),
                "" if len(spec.feature_names) == 1 else "s",
                os.path.dirname(run.writer.get_logdir())))
            step = run.loop(step)
        finally:
            run.close()
        out("saved {}".format(run.checkpoint))
        return _result(session, tg, step, os.path.dirname(run.writer.get_logdir()),
                       run.checkpoint)


def _result(session, tg, step, run_dir, checkpoint):
    loss, weights, bias = session.run([tg.model.loss, tg.model.weights, tg.model.bias])
    return TrainResult(global_step=step, loss=float(loss), weights=weights, bias=bias,
                       run_dir=run_dir, checkpoint=checkpoint)
