"""The course case and start-up sections of ``scripts/bench.py``: every configuration measured
in alternating rounds in one run (round r runs each once, in an order rotated per round), so
load on the machine falls on all of them alike; medians over the rounds.
"""

import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time

from tfcourse import config as config_lib, data, reference
from tfcourse.tf_compat import tf
from tfcourse.training import loop, trainer

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.dirname(sys.executable)
OFF = {"save_every": None, "save_every_secs": None}  # no checkpoints but the last


def tfcourse_run(workdir, steps, overrides=None):
    """One ``tfcourse train`` of the course case (in this process): ``(µs per step, events
    bytes per 10,000 steps)``. The time is the steady state between the progress lines at
    1/2 and 3/4 of ``steps`` (log lines every 100 steps, the default, or every quarter when
    that does not divide), leaving out the one-off costs of the first runs (TensorFlow
    prepares each new combination of fetches once) and the last checkpoint; start-up is a
    section of its own. The events size counts the whole train/ file without the graph."""
    marks = {}
    quarter = steps // 4
    settings = {"max_step": steps, "model_dir": tempfile.mkdtemp(dir=workdir),
                "summary_dir": tempfile.mkdtemp(dir=workdir)}
    settings.update(overrides or {})
    if quarter % settings.get("log_every", 100):
        settings["log_every"] = quarter

    def out(line):
        if line.startswith("step {}/".format(2 * quarter)):
            marks["start"] = time.perf_counter()
        if line.startswith("step {}/".format(3 * quarter)):
            marks["end"] = time.perf_counter()
    result = trainer.train(config_lib.resolve(None, settings), out=out)
    return (marks["end"] - marks["start"]) / quarter * 1e6, events_bytes(result.run_dir, steps)


def events_bytes(run_dir, steps):
    """Bytes of the run's train events file per 10,000 steps, without the graph event."""
    path, = glob.glob(os.path.join(run_dir, "train", "events.out.tfevents.*"))
    graph = sum(len(event.graph_def) for event in tf.train.summary_iterator(path))
    return (os.path.getsize(path) - graph) * 10000.0 / steps


def course_style_us(workdir, steps):
    """The course's loop: placeholders fed every step, merged summaries run and written every
    step (a scalar and two histograms), as the course's notebook does."""
    dataset = data.course_data(100, seed=42)
    graph = tf.Graph()
    with graph.as_default():
        with tf.variable_scope("original_data"):
            x = tf.placeholder(tf.float32, [None, 1], name="x")
            y = tf.placeholder(tf.float32, [None, 1], name="y")
        with tf.variable_scope("linear_model"):
            weights = tf.Variable(tf.random_normal([1, 1]), name="weights")
            bias = tf.Variable(tf.random_normal([1]), name="bias")
            predictions = tf.matmul(x, weights) + bias
        with tf.variable_scope("loss"):
            loss = tf.reduce_mean(tf.square(predictions - y))
            tf.summary.scalar("loss", loss)
        tf.summary.histogram("weights", weights)
        tf.summary.histogram("bias", bias)
        with tf.variable_scope("optimizer"):
            train_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
        merged = tf.summary.merge_all()
        with tf.Session() as session:
            writer = tf.summary.FileWriter(tempfile.mkdtemp(dir=workdir), graph)
            session.run(tf.global_variables_initializer())
            feed = {x: dataset.x, y: dataset.y}
            started = time.perf_counter()
            for step in range(steps):
                _, summary = session.run([train_op, merged], feed_dict=feed)
                writer.add_summary(summary, step)
            elapsed = time.perf_counter() - started
            writer.close()
    return elapsed / steps * 1e6


def bare_loop_us(steps, runs=5):
    """The bare in-graph loop: ``steps`` gradient-descent steps per session.run, nothing else;
    the time of ``runs`` runs in a row after a first one, per step: a window as long as the
    one ``tfcourse_run`` times (its runs of 1000 steps between two progress lines), so that
    both are as exposed to the machine's load."""
    dataset = data.course_data(100, seed=42)
    graph = tf.Graph()
    with graph.as_default():
        x = tf.Variable(dataset.x, trainable=False)
        y = tf.Variable(dataset.y, trainable=False)
        weights = tf.Variable(tf.random_normal([1, 1]))
        bias = tf.Variable(tf.random_normal([1]))
        optimizer = tf.train.GradientDescentOptimizer(0.01)

        def body(i):
            loss = tf.reduce_mean(tf.square(tf.matmul(x, weights) + bias - y))
            with tf.control_dependencies([optimizer.minimize(loss)]):
                return i + 1
        loop = tf.while_loop(lambda i: i < steps, body, [tf.constant(0)], parallel_iterations=1,
                             back_prop=False)
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            session.run(loop)
            started = time.perf_counter()
            for _ in range(runs):
                session.run(loop)
            return (time.perf_counter() - started) / (runs * steps) * 1e6


def numpy_us(steps):
    dataset = data.course_data(100, seed=42)
    X, Y = dataset.x.T.astype(np.float64), dataset.y.T.astype(np.float64)
    started = time.perf_counter()
    reference.linear_optimize(np.zeros((1, 1)), 0.0, X, Y, steps, 0.01)
    return (time.perf_counter() - started) / steps * 1e6


def checkpoint_share(workdir, steps):
    """``(seconds in TrainingRun.save, seconds of the whole trainer.train)`` of a course-case run
    of ``steps`` with every default (in this process: the graph, session and data included,
    not Python's and TensorFlow's start-up)."""
    spent = []
    save = loop.TrainingRun.save

    def timed_save(run, *args, **kwargs):
        started = time.perf_counter()
        try:
            return save(run, *args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)
    loop.TrainingRun.save = timed_save
    try:
        started = time.perf_counter()
        trainer.train(config_lib.resolve(None, {
            "max_step": steps, "model_dir": tempfile.mkdtemp(dir=workdir),
            "summary_dir": tempfile.mkdtemp(dir=workdir)}), out=lambda line: None)
        return sum(spent), time.perf_counter() - started
    finally:
        loop.TrainingRun.save = save


def in_rounds(measures, rounds):
    """Runs every ``measures`` value (a function of nothing) once per round, the order
    rotated by one each round; returns {name: [values]}."""
    names = list(measures)
    values = dict((name, []) for name in names)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            values[name].append(measures[name]())
    return values


def _median(values, index=None):
    return statistics.median(values if index is None else [value[index] for value in values])


def bench_course(workdir, steps, rounds):
    """Section 1: the issue's table on the course case."""
    configurations = [
        ("tfcourse defaults", {}),
        ("no checkpoints", OFF),
        ("no checkpoints, no summaries", dict(OFF, summary_every=10 ** 9,
                                              histogram_every=10 ** 9)),
        ("old defaults (summaries every 10, checkpoint every 500)",
         {"summary_every": 10, "histogram_every": 10, "save_every": 500,
          "save_every_secs": None}),
    ]
    measures = dict((name, (lambda o=overrides: tfcourse_run(workdir, steps, o)))
                    for name, overrides in configurations)
    course_steps = min(steps, 3000)
    measures["course style (session.run + summaries every step)"] = lambda: (
        course_style_us(workdir, course_steps), None)
    measures["bare in-graph loop"] = lambda: (bare_loop_us(1000, steps // 4000), None)
    measures["numpy reference"] = lambda: (numpy_us(min(steps, 20000)), None)
    measures["checkpoints of a default run"] = lambda: checkpoint_share(workdir, 1000)
    values = in_rounds(measures, rounds)
    shares = values.pop("checkpoints of a default run")
    bare = _median(values["bare in-graph loop"], 0)
    print("\n## 1. Course case, µs per step ({} steps; course style {}), medians of {} "
          "alternating rounds".format(steps, course_steps, rounds))
    print("  {:58s} {:>9s} {:>12s} {:>22s}".format("configuration", "µs/step", "x bare loop",
                                                   "events bytes / 10k steps"))
    for name in values:
        us = _median(values[name], 0)
        size = values[name][0][1]
        print("  {:58s} {:9.1f} {:11.2f}x {:>22s}".format(
            name, us, us / bare, "{:,.0f}".format(size) if size is not None else ""))
    defaults = _median(values["tfcourse defaults"], 0)
    style = _median(values["course style (session.run + summaries every step)"], 0)
    print("  tfcourse defaults / bare loop   {:.2f}x   (target <= 1.3)".format(defaults / bare))
    print("  course style / tfcourse defaults {:.1f}x  (target >= 20; tfcourse writes a loss point "
          "for every step, the course style too)".format(style / defaults))
    print("  checkpoints of a default 1000-step run (the last one): {:.1f} ms of {:.0f} ms in "
          "trainer.train, {:.1f} % (target < 5 %)".format(
              _median(shares, 0) * 1e3, _median(shares, 1) * 1e3,
              100 * _median([saved / total for saved, total in shares])))
    return values


def direct_script(workdir):
    """The console script ``scripts/setup.sh`` writes (``scripts/console_script.py``), for
    this interpreter, in ``workdir``."""
    sys.path.insert(0, HERE)
    import console_script
    path = os.path.join(workdir, "tfcourse-direct")
    console_script.write(path)
    return path


def _seconds(args, workdir):
    started = time.perf_counter()
    subprocess.run(args, cwd=workdir, stdout=subprocess.DEVNULL, check=True,
                   env=dict(os.environ, PYTHONPATH=os.path.dirname(HERE)))
    return time.perf_counter() - started


def bench_startup(workdir, rounds):
    """Section 4: start-up against ``python -c "import tensorflow"``, alternated in rounds."""
    direct = direct_script(workdir)
    installed = os.path.join(BIN, "tfcourse")
    counter = iter(range(10 ** 6))
    train = ["train", "--max_step=1", "--summary_dir=startup-summary"]
    measures = {
        "import tensorflow": lambda: _seconds([sys.executable, "-c", "import tensorflow"],
                                              workdir),
        "tfcourse --help": lambda: _seconds([direct, "--help"], workdir),
        "1-step train": lambda: _seconds([direct] + train + [
            "--model_dir=startup-{}".format(next(counter))], workdir),
    }
    if os.path.exists(installed):
        measures["--help, the venv's installed script"] = lambda: _seconds(
            [installed, "--help"], workdir)
    values = in_rounds(measures, rounds)
    base = statistics.median(values["import tensorflow"])
    print("\n## 4. Start-up, seconds, medians of {} alternating rounds (console script as "
          "scripts/setup.sh writes it)".format(rounds))
    for name, times in values.items():
        print("  {:40s} {:6.2f} s  {:5.2f}x import tensorflow".format(
            name, statistics.median(times), statistics.median(times) / base))
    print("  targets: 1-step train <= 1.3x, --help <= 1.1x")
