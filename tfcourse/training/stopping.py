"""Stopping before ``max_step``: convergence (``tolerance``) and early stopping on a validation
metric, with the best evaluated checkpoint kept in ``<model_dir>/best/``.

Convergence: every ``WINDOW`` steps the training objective (data loss plus penalties: on
every training row in memory; the mean of the window's minibatch losses when training on
minibatches) is compared with its value ``WINDOW`` steps before; training stops when it fell
by less than ``tolerance`` of it (scikit-learn's ``tol`` on the loss, as its SGD estimators
use it, over a window of steps).

Early stopping: at every evaluation (``eval_every`` steps) the validation metric is compared
with the best so far; a strictly better value (Keras' ``EarlyStopping`` with ``min_delta=0``)
is saved as ``best/``, a complete model directory (checkpoint, ``config.yaml``, ``model.json``
with ``"best": {step, metric, value}``) that every ``--ckpt`` command takes, assembled beside
it and renamed into place, written by its own saver so that ``max_to_keep`` never removes it;
after ``early_stopping_patience`` evaluations without one, training stops. The model
directory's latest checkpoint is the step where training stopped (as ``tf.estimator``'s
``stop_if_no_decrease_hook`` leaves it); ``best/`` holds what Keras'
``restore_best_weights=True`` would restore. A resumed run starts from the best recorded there.
"""

import os

import numpy as np

from tfcourse import files, graph as graph_lib, models
from tfcourse import model_dir as model_dir_lib
from tfcourse.errors import UsageError

WINDOW = 100  # steps between two values of the objective the tolerance compares
LOWER_IS_BETTER = ("loss", "log_loss", "mse", "rmse", "mae")


def check_metric(config, session, tg, spec, validation):
    """Checks the early-stopping settings before anything is written.

    Raises:
        UsageError: early stopping without a validation split, or a metric the model does
            not report (naming those it does).
    """
    if not config.early_stopping_patience:
        return
    if validation is None:
        raise UsageError("early_stopping_patience = {}: early stopping needs a validation split "
                         "(data.validation_fraction > 0)".format(config.early_stopping_patience))
    model = models.get(spec.model)
    scores = session.run(model.score(tg.model), graph_lib.feed_rows(session, tg, validation))
    names = ["loss"] + list(model.metrics(validation.y, scores, validation.weight, spec.classes))
    if config.early_stopping_metric not in names:
        raise UsageError("early_stopping_metric = {!r}: not a metric of {} regression; one "
                         "of: {}".format(config.early_stopping_metric, spec.model,
                                         ", ".join(names)))


def _better(value, best, lower):
    return best is None or (value < best if lower else value > best)


class Stopping(object):
    """The stopping rules of one training run (``TrainingRun.stopping``)."""

    def __init__(self, config, minibatch=False):
        self.config = config
        self.minibatch = minibatch
        self.lower = config.early_stopping_metric in LOWER_IS_BETTER
        self.best = None  # (step, value)
        self.waited = 0
        self.reason = None
        self.previous = None
        self.window_losses = []
        best_dir = os.path.join(config.model_dir, model_dir_lib.BEST_DIR)
        recorded = model_dir_lib.read_record(best_dir, "best")
        if (config.early_stopping_patience and isinstance(recorded, dict) and
                recorded.get("metric") == config.early_stopping_metric):
            self.best = (recorded.get("step"), recorded.get("value"))

    @property
    def stopped(self):
        return self.reason is not None

    def next_check(self, step):
        """The next step at which the objective is compared (``max_step`` when never)."""
        if not self.config.tolerance:
            return self.config.max_step
        return min((step // WINDOW + 1) * WINDOW, self.config.max_step)

    def after_steps(self, loss):
        """Notes a minibatch loss (the loss the last step of a ``session.run`` started from)."""
        if self.config.tolerance and self.minibatch:
            self.window_losses.append(float(loss))

    def at_boundary(self, step, session, tg):
        """Compares the objective at a window's end with the window's start."""
        if not self.config.tolerance or step % WINDOW:
            return
        if self.minibatch:
            if not self.window_losses:
                return
            loss, penalty = np.mean(self.window_losses), session.run(tg.penalty)
            self.window_losses = []
        else:
            loss, penalty = session.run([tg.model.loss, tg.penalty])
        value = float(loss + penalty)
        if self.previous is not None:
            decrease = (self.previous - value) / max(abs(self.previous), 1e-300)
            if decrease < self.config.tolerance:
                self.reason = ("converged: the training objective fell by {:.2g} of its value "
                               "over the last {} steps, less than tolerance {:g}".format(
                                   decrease, WINDOW, self.config.tolerance))
        self.previous = value

    def after_evaluation(self, step, loss, metrics, run):
        """Keeps the best checkpoint and counts evaluations without one."""
        if not self.config.early_stopping_patience:
            return
        name = self.config.early_stopping_metric
        value = float(loss if name == "loss" else metrics[name])
        if _better(value, None if self.best is None else self.best[1], self.lower):
            save_best(run, step, name, value)
            self.best, self.waited = (step, value), 0
            return
        self.waited += 1
        if self.waited >= self.config.early_stopping_patience:
            self.reason = ("early stopping: validation {} did not improve for {} "
                           "evaluations".format(name, self.waited))

    def final_line(self, step):
        """The run's last line: why it stopped and the best checkpoint, or None."""
        parts = []
        if self.stopped:
            parts.append("stopped at step {} of {} ({})".format(step, self.config.max_step,
                                                                 self.reason))
        if self.config.early_stopping_patience and self.best is not None:
            parts.append("best validation {} {:.6g} at step {}: {}".format(
                self.config.early_stopping_metric, self.best[1], self.best[0],
                os.path.join(self.config.model_dir, model_dir_lib.BEST_DIR)))
        return "; ".join(parts) or None


def save_best(run, step, metric, value):
    """Writes ``<model_dir>/best/`` (inside the staging directory of a new model directory):
    assembled beside it, then renamed over the previous one."""
    parent = run.stage.directory if run.stage else run.config.model_dir
    staged = files.StagedDirectory(os.path.join(parent, model_dir_lib.BEST_DIR), "staging")
    try:
        run.tg.best_saver.save(run.session, os.path.join(staged.directory,
                                                         model_dir_lib.CHECKPOINT_NAME),
                               global_step=step, write_meta_graph=False)
        run.tg.best_saver.recover_last_checkpoints([])  # each best/ holds its own only
        model_dir_lib.write_metadata(staged.directory, run.config, run.spec, [run.run_dir])
        model_dir_lib.record(staged.directory, "best",
                             {"step": int(step), "metric": metric, "value": value})
        staged.publish(replace=True)
    except BaseException:
        staged.discard()
        raise
