"""Learning curves: the ``loss/loss`` scalars of a model's training runs, read back from their
events files (``tfcourse plot`` draws them)."""

import os

import numpy as np

from tfcourse.tf_compat import tf

LOSS_TAG = "loss/loss"


def read_loss(directory):
    """``(steps, losses)`` arrays of the ``loss/loss`` scalars in a directory's events
    files, sorted by step; a truncated record (a killed run) ends a file quietly."""
    found = []
    for name in sorted(n for n in os.listdir(directory) if n.startswith("events.out.tfevents")):
        try:
            for event in tf.train.summary_iterator(os.path.join(directory, name)):
                found.extend((event.step, value.simple_value) for value in event.summary.value
                             if value.tag == LOSS_TAG)
        except tf.errors.OpError:
            pass
    found.sort(key=lambda pair: pair[0])
    return np.array([s for s, _ in found], np.int64), np.array([v for _, v in found])


def learning_curves(run_dirs):
    """The loss curves of a model's training runs, joined in order (a resumed model's runs
    continue each other; where two runs hold the same step, the later run's value is kept).

    Args:
        run_dirs: the model's ``run-*`` directories, oldest first (``model_dir_lib.read_runs``).

    Returns:
        ``(run_dir, curves)``: the newest run with events, and "train" / "eval" mapped to
        ``(steps, losses)``; ``(None, {})`` when no run has events.
    """
    joined, newest = {}, None
    for run_dir in run_dirs:
        for part in ("train", "eval"):
            path = os.path.join(run_dir, part)
            steps, losses = read_loss(path) if os.path.isdir(path) else ((), ())
            if len(steps):
                newest = run_dir
                joined.setdefault(part, {}).update(zip(steps.tolist(), losses.tolist()))
    curves = dict((part, (np.array(sorted(values), np.int64),
                          np.array([values[step] for step in sorted(values)])))
                  for part, values in joined.items())
    return newest, curves
