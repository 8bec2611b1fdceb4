"""Section ``optimum`` of ``scripts/bench.py``: training to the optimum.

  (a) time to quality: whole-process wall time of ``tfcourse train --config configs/X.yaml``
      (which ends by itself once its tolerance or early stopping says so, and prints its
      relative gap to the optimum) against a scikit-learn process fitting the same training
      rows (pandas read, standardisation, ``LinearRegression`` or ``LogisticRegression`` with
      the same L2 strength, imports included); rounds alternate, medians compared.
  (b) steps to within 1 % of the optimum objective: gradient descent at ``learning_rate: auto``
      (1/L) against the best of 10 fixed rates log-spaced from 0.001 to 10, on each shipped
      and built-in data set. The steps are those of tfcourse's graph computed in float64 numpy
      (``tests/test_optimizers.py`` checks the graph against the same update); a rate whose
      objective ever rises (diverges) never counts.

    .venv/bin/python scripts/bench.py --skip course --skip fullbatch --skip standardize \\
        --skip stream --skip startup --skip cluster --skip csvload --skip badcell --skip typed
"""

import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np

from tfcourse import config as config_lib, data, graph as graph_lib, optimum
from tfcourse.data import split as split_lib
from tfcourse.tf_compat import tf
from tfcourse.training import certificate, trainer

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHIPPED = ("diabetes", "breast_cancer", "penguins")
GRID = np.logspace(-3, 1, 10)
MAX_STEPS = 20000

SKLEARN = r"""
import sys
import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression, LogisticRegression
path, label, rows_file, model, l2 = sys.argv[1:6]
frame = pd.read_csv(path).iloc[np.load(rows_file)]
frame = frame[frame[label].notna()]
y = frame.pop(label)
x = pd.get_dummies(frame, dummy_na=False).astype(float)
x = x.fillna(x.mean())
x = ((x - x.mean()) / x.std(ddof=0).replace(0, 1)).values
if model == "linear":
    fit = LinearRegression().fit(x, y)
else:
    fit = LogisticRegression(C=1.0 / (2 * float(l2) * len(x)), max_iter=1000).fit(x, y)
print("fitted", len(x), "rows", getattr(fit, "n_iter_", [0])[0] if model != "linear" else 0)
"""


def shipped_config(name, workdir):
    return config_lib.resolve(os.path.join(REPO, "configs", name + ".yaml"), {
        "model_dir": os.path.join(workdir, name), "summary_dir": os.path.join(workdir, "s")})


def training_problem(config):
    """The ``optimum.Problem`` tfcourse's certificate builds for ``config``'s training rows."""
    split, spec = trainer.load_data(config)
    tg = graph_lib.build_for(config, spec, n_rows=data.n_train(split.train))
    with tf.Session(graph=tg.graph) as session:
        session.run(tg.init_op)
        graph_lib.load_data(session, tg, split.train)
        if spec.standardize:
            graph_lib.set_standardization(session, tg, split.mean, split.std)
        return certificate.gather(session, tg, split, spec, config)


DIVERGED = "diverged"


def steps_to_one_percent(p, rate):
    """Gradient-descent steps from 0 until the relative gap (as the certificate scales it) is
    below 1 %; ``DIVERGED`` when the objective rises, None when not within ``MAX_STEPS``."""
    best = optimum.objective(p, optimum.solve(p))
    scale = max(abs(best), 1e-6 * optimum.null_loss(p))
    theta = np.zeros((p.gram.shape[0], p.n_classes))
    mask = np.ones_like(theta)
    mask[-1] = 0.0
    previous = np.inf
    for step in range(MAX_STEPS + 1):
        value = optimum.objective(p, theta)
        if not value <= previous:
            return DIVERGED
        if (value - best) / scale < 0.01:
            return step
        previous = value
        v = theta - rate * optimum.smooth_gradient(p, theta)
        theta = np.sign(v) * np.maximum(np.abs(v) - rate * p.l1 * mask, 0.0)
    return None


def bench_auto_vs_grid(workdir):
    print("\n## optimum (b): steps to within 1 % of the optimum objective, learning_rate auto "
          "against the best of 10 rates log-spaced 0.001..10")
    configs = [("course (linear)", config_lib.resolve(None, {}))]
    configs += [(name, shipped_config(name, workdir)) for name in SHIPPED]
    configs += [("built-in logistic, l2 1e-3", config_lib.resolve(None, {
        "model": "logistic", "l2": 1e-3}))]
    configs += [("built-in softmax, l2 1e-3", config_lib.resolve(None, {
        "model": "softmax", "l2": 1e-3}))]
    for name, config in configs:
        p = training_problem(config)
        auto = 1.0 / optimum.lipschitz(p.model, p.gram, p.l2)
        auto_steps = steps_to_one_percent(p, auto)
        grid = [(steps_to_one_percent(p, rate), rate) for rate in GRID]
        reached = [(steps, rate) for steps, rate in grid if steps not in (None, DIVERGED)]
        best_steps, best_rate = min(reached)
        print("  {:28s} auto 1/L = {:.4g}: {} steps   best grid rate {:.4g}: {} steps   ratio "
              "{:.2f} (target <= 2)   grid rates: {} diverge, {} not within {} steps".format(
                  name, auto, auto_steps, best_rate, best_steps,
                  auto_steps / max(best_steps, 1),
                  sum(1 for steps, _ in grid if steps == DIVERGED),
                  sum(1 for steps, _ in grid if steps is None), MAX_STEPS))


def _train_rows_file(config, workdir):
    """A .npy of the file rows (0-based, after the header) tfcourse trains on."""
    n_rows = sum(1 for _ in open(config.data.path)) - 1
    held = split_lib.is_validation(np.arange(n_rows), config.data.validation_fraction,
                                   config.seed)
    path = os.path.join(workdir, os.path.basename(config.data.path) + ".rows.npy")
    np.save(path, np.flatnonzero(~held))
    return path


def _timed(args):
    started = time.perf_counter()
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    seconds = time.perf_counter() - started
    if proc.returncode:
        raise RuntimeError("{} failed: {}".format(args[:3], proc.stdout[-500:]))
    return seconds, proc.stdout


def bench_time_to_quality(workdir, rounds=3):
    print("\n## optimum (a): time to quality, whole process (median of {} alternating "
          "rounds)".format(rounds))
    tfcourse = os.path.join(os.path.dirname(sys.executable), "tfcourse")
    script = os.path.join(workdir, "sklearn_fit.py")
    with open(script, "w") as handle:
        handle.write(SKLEARN)
    for name in SHIPPED:
        config = shipped_config(name, workdir)
        rows = _train_rows_file(config, workdir)
        ours, theirs, out = [], [], ""
        for number in range(rounds):
            model_dir = os.path.join(workdir, "{}-{}".format(name, number))
            seconds, out = _timed([tfcourse, "train", "--config", os.path.join(
                REPO, "configs", name + ".yaml"), "--model_dir", model_dir,
                "--summary_dir", os.path.join(workdir, "s")])
            ours.append(seconds)
            theirs.append(_timed([sys.executable, script, config.data.path, config.data.label,
                                  rows, config.model, str(config.l2 or 0.0)])[0])
        gap = re.search(r"relative gap ([0-9.e+-]+)", out)
        step = re.findall(r"(?:stopped at step |model\.ckpt-)(\d+)", out)
        print("  {:14s} tfcourse {:.2f} s ({} steps, relative gap {})   scikit-learn {:.2f} s   "
              "ratio {:.2f} (target <= 2)".format(
                  name, statistics.median(ours), step[-1] if step else "?",
                  gap.group(1) if gap else "?", statistics.median(theirs),
                  statistics.median(ours) / statistics.median(theirs)))


def bench_optimum(workdir):
    bench_time_to_quality(workdir)
    bench_auto_vs_grid(workdir)
