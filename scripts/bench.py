"""Benchmark of tfcourse's training, measured side by side in one run, reported as ratios.

    .venv/bin/python scripts/bench.py                   # everything, 1 GB CSV
    .venv/bin/python scripts/bench.py --csv_mb 50 --rows 200000 --cols 50   # a quick run
    .venv/bin/python scripts/bench.py --skip course --skip fullbatch --skip stream \
        --skip startup --skip cluster                    # the CSV reader alone (6 and 7)

Sections (each can be skipped with --skip NAME):
  course     µs per step on the course case (--steps): tfcourse with its defaults (a loss point
             every step, histograms every 1000, checkpoints every 60 s), without checkpoints,
             without checkpoints and summaries, with the old defaults (summaries every 10,
             checkpoint every 500); the course's style (one session.run per step with merged
             summaries written every step), the bare in-graph loop and the numpy reference;
             all alternated in --rounds rounds; and the events file's bytes per 10,000 steps
  fullbatch  ms per full-batch step on N x D float32 in memory: tfcourse against numpy
  standardize  ms per full-batch step and peak resident memory while training, with
             standardize: true against false, for each way of standardising: in every step
             (x - mean) / std (the old graph), once when the data are stored in the session,
             folded into the linear map (tfcourse); each in a process of its own
             (--std_rows, --std_cols size it; default 1,000,000 x 100)
  stream     rows/s training from a generated CSV streamed from disk against reading the same
             file with pandas alone, and the peak resident memory of each (1 GB and 10 MB files)
  startup    seconds for `tfcourse --help` and a 1-step train against `python -c "import tensorflow"`,
             alternated in --rounds rounds (the console script as scripts/setup.sh writes it)
  cluster    global steps/s of 1 ps + 2 workers (scripts/cluster.py) against one process on the
             course data; on one 2-core machine this measures the overhead, not a speed-up
  csvload    rows/s loading a generated CSV into memory (--csv_rows x --csv_cols floats) with
             tfcourse's checked reader against pandas.read_csv on the same file
  badcell    seconds until tfcourse reports a bad cell near the end of a --bad_mb CSV, read
             whole and streamed, against pandas.read_csv reading the same file
  optimum    time to quality of the shipped configs against scikit-learn (whole processes),
             and learning_rate auto against the best of a 10-rate grid in steps to within 1 %
             of the optimum (scripts/bench_optimum.py)
The machine is shared and noisy: medians of repeated measurements, compared within this run only.
A child process's peak memory is its own (GNU time's %M), not read after it exits from here.
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from tfcourse import config as config_lib, data, graph as graph_lib  # noqa: E402
from tfcourse.errors import DataError  # noqa: E402
from tfcourse.tf_compat import TF_VERSION, tf  # noqa: E402

import bench_course  # noqa: E402  (scripts/bench_course.py: sections 1 and 4)

BIN = os.path.dirname(sys.executable)


def median_time(function, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_fullbatch(rows, cols):
    rng = np.random.RandomState(0)
    x = rng.normal(size=(rows, cols)).astype(np.float32)
    y = x.dot(rng.normal(size=(cols, 1))).astype(np.float32) + np.float32(0.5)
    state = {"w": np.zeros((cols, 1), np.float32), "b": np.float32(0.0)}

    def numpy_step():
        residual = x.dot(state["w"]) + state["b"] - y
        state["w"] = state["w"] - np.float32(0.01 * 2.0 / rows) * x.T.dot(residual)
        state["b"] = state["b"] - np.float32(0.01 * 2.0) * residual.mean()
    numpy_ms = median_time(numpy_step, 5) * 1e3
    tg = graph_lib.build("linear", cols, 0.01, seed=1)
    with tf.Session(graph=tg.graph, config=graph_lib.session_config()) as session:
        session.run(tg.init_op)
        graph_lib.load_data(session, tg, data.numeric_dataset(x, y))
        session.run(tg.train_loop, {tg.steps: 1})
        tf_ms = median_time(lambda: session.run(tg.train_loop, {tg.steps: 1}), 5) * 1e3
    print("\n## 2. Full batch in memory, {} x {} float32 ({:.0f} MB), ms per step".format(
        rows, cols, x.nbytes / 1e6))
    print("  tfcourse {:8.1f} ms   numpy {:8.1f} ms   tfcourse / numpy {:.2f}x   (target <= 1.0)"
          .format(tf_ms, numpy_ms, tf_ms / numpy_ms))


STANDARDIZE_VARIANTS = ("raw", "per_step", "stored", "folded")


def _vm_kb(field):
    """A field of /proc/self/status in kB (VmRSS, VmHWM)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _handmade_graph(variant, rows, cols, learning_rate):
    """The two ways of standardising that tfcourse does not use, on the same linear model:
    ``per_step`` computes (x - mean) / std in every step; ``stored`` stores (x - mean) / std
    in the data variable once. Returns ``(graph, init, x_init, y_init, mean, std, step,
    weights, bias)``."""
    graph = tf.Graph()
    with graph.as_default():
        x_init = tf.placeholder(tf.float32, [None, cols])
        y_init = tf.placeholder(tf.float32, [None, 1])
        mean = tf.Variable(tf.zeros([cols]), trainable=False)
        std = tf.Variable(tf.ones([cols]), trainable=False)
        local = [tf.GraphKeys.LOCAL_VARIABLES]
        stored = (x_init - mean) / std if variant == "stored" else x_init
        x_data = tf.Variable(stored, trainable=False, validate_shape=False, collections=local)
        y_data = tf.Variable(y_init, trainable=False, validate_shape=False, collections=local)
        x_value, y_value = tf.identity(x_data), tf.identity(y_data)
        x_value.set_shape([rows, cols])  # static shapes, as tfcourse's graph has (_with_rows)
        y_value.set_shape([rows, 1])
        features = x_value if variant == "stored" else (x_value - mean) / std
        weights = tf.Variable(tf.random_normal([cols, 1], seed=1))
        bias = tf.Variable(tf.random_normal([1], seed=2))
        loss = tf.reduce_mean(tf.square(tf.matmul(features, weights) + bias - y_value))
        step = tf.train.GradientDescentOptimizer(learning_rate).minimize(loss)
        init = tf.global_variables_initializer()
    return graph, init, x_init, y_init, mean, std, step, weights, bias


def _variant_session(variant, rows, cols):
    """Graph and session of one variant before any data: ``(session, load, step, weights,
    bias)``; ``load(x, y, mean, std)`` stores the data and statistics."""
    if variant in ("raw", "folded"):
        tg = graph_lib.build("linear", cols, 0.1, seed=1, standardize=variant == "folded",
                             n_rows=rows)
        session = tf.Session(graph=tg.graph, config=graph_lib.session_config())
        session.run(tg.init_op)

        def load(x, y, mean, std):
            if variant == "folded":
                graph_lib.set_standardization(session, tg, mean, std)
            graph_lib.load_data(session, tg, data.numeric_dataset(x, y))
        return (session, load, lambda: session.run(tg.train_loop, {tg.steps: 1}),
                tg.model.weights, tg.model.bias)
    graph, init, x_init, y_init, mean_var, std_var, train, weights, bias = _handmade_graph(
        variant, rows, cols, 0.1)
    session = tf.Session(graph=graph, config=graph_lib.session_config())
    session.run(init)

    def load(x, y, mean, std):
        mean_var.load(mean, session)
        std_var.load(std, session)
        local = graph.get_collection(tf.GraphKeys.LOCAL_VARIABLES)
        session.run([var.initializer for var in local], {x_init: x, y_init: y})
    return session, load, lambda: session.run(train), weights, bias


def standardize_variant(variant, rows, cols, steps):
    """Child process of ``bench_standardize``: prints ``ms peak_mb start_mb base_mb data_mb w0``
    (peak: the resident set's high-water mark during the steps; start: when they start; base:
    graph and session made, no data yet)."""
    session, load, step, weights, bias = _variant_session(variant, rows, cols)
    base_mb = _vm_kb("VmRSS") / 1024.0
    rng = np.random.RandomState(0)
    x = np.empty((rows, cols), np.float32)
    for start in range(0, rows, 100000):  # features of mean 5 and standard deviation 3
        part = x[start:start + 100000]
        part[...] = rng.normal(5.0, 3.0, size=part.shape)
    y = x.dot(rng.normal(size=(cols, 1)).astype(np.float32)) + np.float32(0.5)
    data_mb = (x.nbytes + y.nbytes) / 1e6
    load(x, y, *data.standardization(x))
    weights.load(np.zeros((cols, 1), np.float32), session)  # one start for every variant
    bias.load(np.zeros(1, np.float32), session)
    step()  # TensorFlow prepares the run once
    start_mb = _vm_kb("VmRSS") / 1024.0
    with open("/proc/self/clear_refs", "w") as handle:  # resets VmHWM to the current RSS
        handle.write("5")
    ms = median_time(step, steps) * 1e3
    peak_mb = _vm_kb("VmHWM") / 1024.0
    print("{:.3f} {:.1f} {:.1f} {:.1f} {:.1f} {:.9g}".format(
        ms, peak_mb, start_mb, base_mb, data_mb, float(session.run(weights)[0, 0])))


def bench_standardize(rows, cols, steps=5):
    """Full-batch step time and peak RSS with and without standardisation, one process each."""
    results = {}
    for variant in STANDARDIZE_VARIANTS:
        out = subprocess.check_output([sys.executable, os.path.abspath(__file__),
                                       "--std_variant", variant, "--std_rows", str(rows),
                                       "--std_cols", str(cols)], universal_newlines=True)
        results[variant] = [float(value) for value in out.split()[-6:]]
    data_mb = results["raw"][4]
    print("\n## 2b. Standardisation, full batch {} x {} float32 (data {:.0f} MB), one process "
          "per row".format(rows, cols, data_mb))
    print("  {:9s} {:>8s} {:>7s} {:>14s} {:>24s} {:>21s}".format(
        "", "ms/step", "vs raw", "peak RSS (MB)", "(peak - no data) / data",
        "steps' growth / data"))
    for variant in STANDARDIZE_VARIANTS:
        ms, peak, start, base, _, _ = results[variant]
        print("  {:9s} {:8.1f} {:6.2f}x {:14.0f} {:23.2f}x {:20.2f}x".format(
            variant, ms, ms / results["raw"][0], peak, (peak - base) / data_mb,
            (peak - start) / data_mb))
    print("  (no data: graph and session made; the data are held twice while training: the "
          "numpy arrays and the session's variables)")
    folded, raw = results["folded"], results["raw"]
    print("  standardize true / false as tfcourse trains (folded / raw): {:.2f}x (target <= 1.2); "
          "its memory while training: {:.2f}x the data (target <= 2)".format(
              folded[0] / raw[0], (folded[1] - folded[3]) / data_mb))
    print("  first weight after {} steps from zero: folded {:.7g}, stored {:.7g}, per step "
          "{:.7g}".format(steps + 2, folded[5], results["stored"][5], results["per_step"][5]))


def write_csv(path, megabytes, cols=10):
    rng = np.random.RandomState(0)
    weights = rng.normal(size=cols)
    with open(path, "w") as handle:
        handle.write(",".join("f{}".format(i) for i in range(cols)) + ",label\n")
        while handle.tell() < megabytes * 1e6:
            x = rng.normal(size=(100000, cols))
            label = x.dot(weights) + 0.5 + 0.1 * rng.normal(size=100000)
            np.savetxt(handle, np.hstack([x, label[:, None]]), fmt="%.6f", delimiter=",")
    with open(path) as handle:
        return sum(1 for _ in handle) - 1


TIME = "/usr/bin/time"


def run_measured(args, cwd):
    """Runs a child process; returns (seconds, peak RSS in MB, stdout lines with their times).

    The peak is the child's own, measured by ``/usr/bin/time`` (GNU time's ``%M``, from the
    command's own ``wait4``): a child forked from this process would start from this
    process's resident set (fork copies it) and report it as its peak until it exec's.
    """
    peak_file = tempfile.mktemp(dir=cwd)
    started = time.perf_counter()
    proc = subprocess.Popen([TIME, "-f", "%M", "-o", peak_file] + args, cwd=cwd,
                            stdout=subprocess.PIPE, universal_newlines=True)
    lines = [(time.perf_counter(), line) for line in proc.stdout]
    if proc.wait() != 0:
        raise RuntimeError("{} failed: {}".format(" ".join(args), lines[-3:]))
    with open(peak_file) as handle:
        peak_kb = int(handle.read().split()[-1])
    os.remove(peak_file)
    return time.perf_counter() - started, peak_kb / 1024.0, lines


PANDAS_READ = ("import sys, time, numpy, pandas\n"
               "started = time.perf_counter()\n"
               "for chunk in pandas.read_csv(sys.argv[1], chunksize=65536, dtype=numpy.float32):\n"
               "    pass\n"
               "print(time.perf_counter() - started)\n")


def bench_stream(workdir, megabytes, batch_size=4096):
    print("\n## 3. Streaming a generated CSV (11 float columns), batches of {}".format(batch_size))
    peaks = {}
    for size in (10, megabytes):
        path = os.path.join(workdir, "stream-{}mb.csv".format(size))
        rows = write_csv(path, size)
        config = os.path.join(workdir, "stream-{}.yaml".format(size))
        steps = rows // batch_size
        with open(config, "w") as handle:
            handle.write("max_step: {}\nlearning_rate: 0.1\nsummary_every: 1000\nlog_every: {}\n"
                         "eval_every: {}\nsave_every: {}\nmodel_dir: model-{}\nsummary_dir: sum\n"
                         "data:\n  path: {}\n  label: label\n  stream: true\n  batch_size: {}\n"
                         "  validation_fraction: 0\n".format(steps, steps, steps, steps, size,
                                                            path, batch_size))
        _, read_rss, read_lines = run_measured([sys.executable, "-c", PANDAS_READ, path], workdir)
        read_s = float(read_lines[-1][1])  # the reading alone, without starting Python
        total_s, train_rss, lines = run_measured([os.path.join(BIN, "tfcourse"), "train",
                                                  "--config", config], workdir)
        start = next(t for t, line in lines if line.startswith("training "))
        end = next(t for t, line in lines if line.startswith("saved "))
        trained = steps * batch_size
        peaks[size] = (read_rss, train_rss)
        print("  {:5d} MB, {} rows: pandas read {:.2f} M rows/s (peak {:.0f} MB); tfcourse "
              "training {:.2f} M rows/s (peak {:.0f} MB), {:.1f} s with the checking pass; "
              "training / pandas {:.2f}x (target >= 0.5)".format(
                  size, rows, rows / read_s / 1e6, read_rss, trained / (end - start) / 1e6,
                  train_rss, total_s, (trained / (end - start)) / (rows / read_s)))
    print("  peak RSS {} MB file / 10 MB file: tfcourse {:.2f}x (target <= 1.5), pandas {:.2f}x"
          .format(megabytes, peaks[megabytes][1] / peaks[10][1], peaks[megabytes][0] / peaks[10][0]))


def bench_cluster(workdir, steps=3000):
    """Global steps per second: a local cluster of 1 ps + 2 workers against one process."""
    args = ["--max_step", str(steps), "--summary_every", "1000", "--save_every", str(steps),
            "--log_every", str(steps)]
    _, _, lines = run_measured([sys.executable, os.path.join(HERE, "cluster.py"), "--ps", "1",
                                "--workers", "2", "--model_dir", "cluster-model",
                                "--summary_dir", "cluster-summary"] + args[:2], workdir)
    done = [line for _, line in lines if "done at global step" in line]
    rates = [float(line.split("(")[1].split()[0]) for line in done]
    single = bench_course.tfcourse_run(workdir, steps, {"save_every": steps,
                                                        "summary_every": 1000})[0]
    print("\n## 5. Distributed: 1 ps + 2 workers on 127.0.0.1 against one process, course case")
    print("  cluster {:.0f} global steps/s (workers: {})   one process {:.0f} steps/s   "
          "one process / cluster {:.0f}x".format(sum(rates), ", ".join("{:.0f}".format(r)
                                                                       for r in rates),
                                                1e6 / single, 1e6 / single / sum(rates)))
    print("  (one 2-core machine: this is the overhead of gRPC round trips, not a speed-up)")


def pandas_seconds(path, repeat=3):
    """Median seconds of ``pandas.read_csv(path)``, in this process as tfcourse's reader is."""
    import pandas

    def read():
        with warnings.catch_warnings():  # the bad cell's column has mixed types
            warnings.simplefilter("ignore", pandas.errors.DtypeWarning)
            return pandas.read_csv(path)
    return median_time(read, repeat)


def write_float_csv(path, rows, cols):
    """``rows`` x ``cols`` normal floats (6 decimals), the last column named ``label``."""
    rng = np.random.RandomState(1)
    with open(path, "w") as handle:
        handle.write(",".join("f{}".format(i) for i in range(cols - 1)) + ",label\n")
        for start in range(0, rows, 100000):
            np.savetxt(handle, rng.normal(size=(min(100000, rows - start), cols)), fmt="%.6f",
                       delimiter=",")


def write_typed_csv(path, rows, seed=0):
    """A CSV of ``rows`` rows: 3 numeric columns with gaps, 2 categorical columns of 10
    categories, a yes/no column and a numeric label."""
    rng = np.random.RandomState(seed)
    numbers = rng.normal(size=(rows, 3))
    codes = rng.randint(10, size=(rows, 2))
    flags = rng.randint(2, size=rows)
    label = numbers.dot([1.0, -2.0, 0.5]) + codes[:, 0] * 0.1 + flags
    with open(path, "w") as handle:
        handle.write("a,b,c,colour,shape,member,y\n")
        for i in range(rows):
            cells = ["{:.5f}".format(v) for v in numbers[i]]
            if i % 13 == 0:
                cells[i % 3] = "NA"
            cells += ["c{}".format(codes[i, 0]), "s{}".format(codes[i, 1]),
                      "yes" if flags[i] else "no", "{:.5f}".format(label[i])]
            handle.write(",".join(cells) + "\n")


def _step_seconds(split, steps):
    """Median seconds of one full-batch step of linear regression on a split's training rows."""
    spec_columns = split.train.columns
    tg = graph_lib.build("linear", spec_columns, 0.01, seed=1, standardize=True,
                         n_rows=len(split.train.x))
    with tf.Session(graph=tg.graph, config=graph_lib.session_config()) as session:
        session.run(tg.init_op)
        graph_lib.set_standardization(session, tg, split.mean, split.std)
        graph_lib.load_data(session, tg, split.train)
        session.run(tg.train_loop, {tg.steps: steps})
        return median_time(lambda: session.run(tg.train_loop, {tg.steps: steps}), 5) / steps


def bench_typed(workdir, rows, steps=20):
    typed_path = os.path.join(workdir, "typed-{}.csv".format(rows))
    write_typed_csv(typed_path, rows)
    config = config_lib.resolve(None).data._replace(path=typed_path, label="y",
                                                     validation_fraction=0.0, standardize=True)
    typed = data.read_csv(config)
    encoded = data.encoded_names(typed.train.columns)
    numeric_path = os.path.join(workdir, "numeric-{}.csv".format(rows))
    write_float_csv(numeric_path, rows, len(encoded) + 1)  # the encoded width, and a label
    numeric = data.read_csv(config._replace(path=numeric_path, label="label"))
    typed_s, numeric_s = _step_seconds(typed, steps), _step_seconds(numeric, steps)
    print("\n## 8. Text columns and gaps, full batch, {} rows: {} columns encoded into {} "
          "features".format(rows, len(typed.train.columns), len(encoded)))
    print("  tfcourse step on the typed file {:.2f} ms   on a numeric file of {} columns {:.2f} ms"
          "   typed / numeric {:.2f}x (target <= 1.2: the rows are encoded once, when stored)".format(
              typed_s * 1e3, len(encoded), numeric_s * 1e3, typed_s / numeric_s))


def bench_csvload(workdir, rows, cols):
    path = os.path.join(workdir, "load-{}x{}.csv".format(rows, cols))
    write_float_csv(path, rows, cols)
    pandas_s = pandas_seconds(path)
    data_config = config_lib.resolve(None).data._replace(path=path, label="label",
                                                          validation_fraction=0.2)
    tfcourse_s = median_time(lambda: data.read_csv(data_config), 3)
    print("\n## 6. Loading a CSV into memory, {} x {} floats ({:.0f} MB), median of 3".format(
        rows, cols, os.path.getsize(path) / 1e6))
    print("  tfcourse {:.2f} M rows/s ({:.2f} s)   pandas.read_csv {:.2f} M rows/s ({:.2f} s)   "
          "tfcourse / pandas {:.2f}x (target >= 0.5)".format(
              rows / tfcourse_s / 1e6, tfcourse_s, rows / pandas_s / 1e6, pandas_s,
              pandas_s / tfcourse_s))


def bench_badcell(workdir, megabytes):
    path = os.path.join(workdir, "bad-{}mb.csv".format(megabytes))
    rows = write_csv(path, megabytes)
    with open(path, "a") as handle:
        handle.write("0.1,0.2,0.3,0.4,0.5,x,0.7,0.8,0.9,1.0,1.1\n" +
                     "1,2,3,4,5,6,7,8,9,10,11\n" * 1000)
    line = rows + 2
    pandas_s = pandas_seconds(path)
    results = {}
    for name, stream in (("in memory", False), ("streamed", True)):
        def report():
            try:
                data.load(config_lib.resolve(None).data._replace(
                    path=path, label="label", stream=stream, validation_fraction=0.2,
                    n_samples=None, standardize=True, batch_size=4096), 42)
            except DataError as err:
                results[name] = str(err)
        results[name + " s"] = median_time(report, 3)
    print("\n## 7. A bad cell near the end of a {:.0f} MiB CSV (line {}), median of 3".format(
        os.path.getsize(path) / 2 ** 20, line))
    for name in ("in memory", "streamed"):
        print("  tfcourse {:9s} reports it in {:.2f} s   pandas.read_csv reads the file in {:.2f} s"
              "   tfcourse / pandas {:.2f}x (target <= 3)".format(
                  name, results[name + " s"], pandas_s, results[name + " s"] / pandas_s))
    print("  message: {}".format(results["streamed"].replace(workdir + os.sep, "")))
    assert results["streamed"] == results["in memory"], results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20000, help="course-case steps")
    parser.add_argument("--rounds", type=int, default=7,
                        help="alternating rounds of the course and start-up sections")
    parser.add_argument("--rows", type=int, default=1000000, help="full-batch rows")
    parser.add_argument("--cols", type=int, default=100, help="full-batch columns")
    parser.add_argument("--csv_mb", type=int, default=1024, help="size of the streamed CSV (MB)")
    parser.add_argument("--std_rows", type=int, default=1000000,
                        help="standardize section: full-batch rows")
    parser.add_argument("--std_cols", type=int, default=100,
                        help="standardize section: full-batch columns")
    parser.add_argument("--std_variant", choices=STANDARDIZE_VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--csv_rows", type=int, default=200000, help="rows of the loaded CSV")
    parser.add_argument("--csv_cols", type=int, default=10, help="columns of the loaded CSV")
    parser.add_argument("--bad_mb", type=int, default=100,
                        help="size of the CSV with a bad cell near its end (MB)")
    parser.add_argument("--typed_rows", type=int, default=200000,
                        help="rows of the CSV with text columns and gaps")
    parser.add_argument("--skip", action="append", default=[],
                        choices=("course", "fullbatch", "standardize", "stream", "startup",
                                 "cluster", "csvload", "badcell", "typed", "optimum"))
    args = parser.parse_args()
    if args.std_variant:  # one measurement of bench_standardize, in this process
        standardize_variant(args.std_variant, args.std_rows, args.std_cols, steps=5)
        return
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    print("# tfcourse benchmark: Python {}, TensorFlow {}, numpy {}, {} ({} cores)".format(
        platform.python_version(), TF_VERSION, np.__version__, cpu, os.cpu_count()))
    workdir = tempfile.mkdtemp(prefix="tfcourse-bench-")
    try:
        if "course" not in args.skip:
            bench_course.bench_course(workdir, args.steps, args.rounds)
        if "fullbatch" not in args.skip:
            bench_fullbatch(args.rows, args.cols)
        if "standardize" not in args.skip:
            bench_standardize(args.std_rows, args.std_cols)
        if "stream" not in args.skip:
            bench_stream(workdir, args.csv_mb)
        if "startup" not in args.skip:
            bench_course.bench_startup(workdir, args.rounds)
        if "cluster" not in args.skip:
            bench_cluster(workdir)
        if "csvload" not in args.skip:
            bench_csvload(workdir, args.csv_rows, args.csv_cols)
        if "badcell" not in args.skip:
            bench_badcell(workdir, args.bad_mb)
        if "typed" not in args.skip:
            bench_typed(workdir, args.typed_rows)
        if "optimum" not in args.skip:
            from bench_optimum import bench_optimum
            bench_optimum(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
