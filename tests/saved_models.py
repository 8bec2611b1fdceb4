"""Helpers of the SavedModel tests (test_export, test_export_serving, test_cross_leg_export):
train and export, the penguin rows and a client's signature inputs for them, what ``tfcourse
predict`` wrote read back as outputs, and three ways to run a SavedModel (this process's TF 1
loader, either leg's ``saved_model_cli run`` or ``LOADER`` script)."""

import collections
import contextlib
import csv
import os
import re
import subprocess
import sys

import numpy as np

from tfcourse import config as config_lib
from tfcourse import model_dir as model_dir_lib
from tfcourse.commands import export
from tfcourse.commands import restore
from tfcourse.data.types import TEXT_KINDS
from tfcourse.tf_compat import hash_table, tf
from tfcourse.training import trainer

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THIS_BIN = os.path.dirname(sys.executable)
PENGUINS = os.path.join(REPO, "data", "penguins.csv")
# Data rows of data/penguins.csv (1 = the first after the header): all three species, the
# all-NA row 4 (every measurement and sex missing), rows 9 and 179 without sex.
PENGUIN_ROWS = (1, 4, 9, 48, 179, 200, 290, 330)
# Made-up rows: a species and an island no training row has, an empty cell in a numeric
# column and in a categorical one, an NA measurement.
MADE_UP_ROWS = ("Emperor,Atlantis,48.0,15.0,220,5000,female,2008",
                "Chinstrap,Dream,49.5,NA,195,,,2009")

# Run by either leg's Python: argv holds groups of four (export_dir, signature key, inputs.npz,
# out.npz). Loads each SavedModel with that leg's loader (TF 2: tf.saved_model.load and the
# signature function called with keyword tensors; TF 1: the loader, after importing the
# GraphDef against that leg's op registry alone: no producer op list that would drop
# default-valued attributes it does not know) and saves the signature's outputs for the inputs
# (strings as str).
LOADER = """
import sys
import numpy as np
import tensorflow as tf


def text(value):
    return np.char.decode(value.astype(bytes), "utf-8") if value.dtype == object else value


for export_dir, key, inputs_path, out_path in zip(*[iter(sys.argv[1:])] * 4):
    with np.load(inputs_path) as stored:
        inputs = dict((name, stored[name]) for name in stored.files)
    if tf.__version__.startswith("1."):
        from tensorflow.core.protobuf import saved_model_pb2
        saved = saved_model_pb2.SavedModel()
        with open(export_dir + "/saved_model.pb", "rb") as handle:
            saved.ParseFromString(handle.read())
        with tf.Graph().as_default():
            tf.import_graph_def(saved.meta_graphs[0].graph_def, name="")
        with tf.Session(graph=tf.Graph()) as session:
            meta_graph = tf.saved_model.loader.load(session, ["serve"], export_dir)
            signature = meta_graph.signature_def[key]
            outputs = session.run(
                dict((name, info.name) for name, info in signature.outputs.items()),
                dict((signature.inputs[name].name, value) for name, value in inputs.items()))
    else:
        function = tf.saved_model.load(export_dir).signatures[key]
        tensors = function(**dict((name, tf.constant(value)) for name, value in inputs.items()))
        outputs = dict((name, value.numpy()) for name, value in tensors.items())
    np.savez(out_path, **dict((name, text(value)) for name, value in outputs.items()))
"""


def process_env():
    """This checkout's tfcourse first on the path; this interpreter's own settings dropped."""
    env = dict(os.environ, PYTHONPATH=REPO)
    for name in ("PYTHONHOME", "PYTHONSTARTUP"):
        env.pop(name, None)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def run_process(command, cwd):
    """Runs ``command`` (a list) in ``cwd``; returns stdout (exit 0 asserted)."""
    proc = subprocess.run([str(arg) for arg in command], cwd=str(cwd), env=process_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=300)
    assert proc.returncode == 0, "{} exited {}\n{}".format(command[:3], proc.returncode,
                                                          proc.stderr[-3000:])
    return proc.stdout


def train(directory, config_path=None, **overrides):
    overrides.setdefault("model_dir", str(directory / "model"))
    overrides.setdefault("summary_dir", str(directory / "summary"))
    trainer.train(config_lib.resolve(config_path, overrides), out=lambda line: None)
    return str(directory / "model")


def write_penguin_rows(path):
    """Writes ``PENGUIN_ROWS`` and ``MADE_UP_ROWS`` under the file's header to ``path``."""
    with open(PENGUINS) as handle:
        lines = handle.read().splitlines()
    with open(str(path), "w") as handle:
        handle.write("\n".join([lines[0]] + [lines[i] for i in PENGUIN_ROWS]
                               + list(MADE_UP_ROWS)) + "\n")
    return str(path)


def signature_inputs(csv_path, model_dir):
    """``serving_default``'s inputs for a CSV file's rows, as a client would send them.

    Returns:
        OrderedDict input key -> ``[n_rows]`` array: str (unicode) cells as the file has
        them for a text column; float32 for a numeric one, NaN for an empty cell or one of
        the model's ``data.na_values``.
    """
    config, spec = model_dir_lib.read_metadata(str(model_dir))
    keys = export.input_keys([column.name for column in spec.columns])
    with open(str(csv_path), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    inputs = collections.OrderedDict()
    for column in spec.columns:
        cells = [row[column.name] for row in rows]
        if column.kind in TEXT_KINDS:
            inputs[keys[column.name]] = np.array(cells, dtype=str)
        else:
            inputs[keys[column.name]] = np.array(
                [np.nan if not cell or cell in config.data.na_values else float(cell)
                 for cell in cells], np.float32)
    return inputs


def predicted(csv_path, model_dir):
    """``tfcourse predict``'s output file read back as a signature's outputs: ``predictions``
    ``[n, 1]`` float32 (a classifier's class index), and for a classifier ``label`` ``[n]``
    str and ``probabilities`` ``[n, 1]`` or ``[n, K]`` float32."""
    _, spec = model_dir_lib.read_metadata(str(model_dir))
    with open(str(csv_path), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if spec.classes is None:
        return dict(predictions=np.array([[float(row["prediction"])] for row in rows], np.float32))
    names = (["probability"] if len(spec.classes) == 2 else
             ["probability_" + name for name in spec.classes])
    return dict(label=np.array([row["prediction"] for row in rows]),
                predictions=np.array([[spec.classes.index(row["prediction"])] for row in rows],
                                     np.float32),
                probabilities=np.array([[float(row[name]) for name in names] for row in rows],
                                       np.float32))


def assert_outputs_equal(got, expected, rtol=1e-6, what=""):
    """The same output keys; labels identical, numbers to float32 rounding (``rtol``)."""
    assert sorted(got) == sorted(expected), what
    for key in expected:
        if key == "label":
            assert [str(v) for v in got[key]] == list(expected[key]), what
        else:
            np.testing.assert_allclose(got[key], expected[key], rtol=rtol, atol=1e-7,
                                       err_msg="{} {}".format(what, key))


def text(array):
    """Bytes (a string output) decoded as str; other arrays as they are."""
    return np.char.decode(array.astype(bytes), "utf-8") if array.dtype == object else array


def saved_model_cli_run(bin_dir, export_dir, inputs, cwd, signature="serving_default"):
    """``saved_model_cli run`` of the venv ``bin_dir``: text inputs as ``--input_exprs``
    (Python lists of str), numbers as ``--inputs`` from an ``.npz`` file (a NaN has no
    literal); its outputs as {key: array}: numbers as it saves them (``--outdir``), strings
    as it prints them (it saves them pickled, which another numpy may not read)."""
    strings = [(key, value) for key, value in inputs.items() if value.dtype.kind == "U"]
    numbers = dict((key, value) for key, value in inputs.items() if value.dtype.kind != "U")
    command = [os.path.join(bin_dir, "saved_model_cli"), "run", "--dir", export_dir,
               "--tag_set", "serve", "--signature_def", signature, "--outdir", cwd / "out",
               "--overwrite"]
    if strings:
        command += ["--input_exprs", ";".join("{}={!r}".format(key, [str(v) for v in value])
                                              for key, value in strings)]
    if numbers:
        np.savez(str(cwd / "numbers.npz"), **numbers)
        command += ["--inputs", ";".join("{0}={1}[{0}]".format(key, cwd / "numbers.npz")
                                         for key in numbers)]
    shown = run_process(command, cwd)
    found = {}
    for key in re.findall(r"^Result for output key (\w+):", shown, re.M):
        try:
            found[key] = np.load(str(cwd / "out" / (key + ".npy")), allow_pickle=False)
        except ValueError:  # strings: a pickle of that leg's numpy; read what it printed
            printed = re.search(r"^Result for output key {}:\n(.*?)(?:^Output |^Result |\Z)".format(
                key), shown, re.M | re.S).group(1)
            found[key] = np.array(re.findall(r"b'([^'\\]*)'", printed))
    return found


def run_loader(python, jobs, cwd):
    """``LOADER`` run by ``python`` on ``jobs``, each ``(export_dir, signature key, inputs)``;
    returns each job's outputs ({key: array}), in order."""
    argv = []
    for i, (export_dir, key, inputs) in enumerate(jobs):
        np.savez(str(cwd / "in{}.npz".format(i)), **inputs)
        argv += [export_dir, key, cwd / "in{}.npz".format(i), cwd / "out{}.npz".format(i)]
    run_process([python, "-c", LOADER] + argv, cwd)
    found = []
    for i in range(len(jobs)):
        with np.load(str(cwd / "out{}.npz".format(i))) as outputs:
            found.append(dict((key, outputs[key]) for key in outputs.files))
    return found


def load_and_run(export_dir, inputs, key="serving_default"):
    """Runs a signature of a SavedModel in this process, fresh graph and session, with the
    TF 1 loader: {output key: array} (strings decoded)."""
    with tf.Session(graph=tf.Graph()) as session:
        signature = tf.saved_model.loader.load(session, ["serve"], export_dir).signature_def[key]
        assert sorted(signature.inputs) == sorted(inputs)
        outputs = session.run(dict((name, info.name) for name, info in signature.outputs.items()),
                              dict((signature.inputs[name].name, value)
                                   for name, value in inputs.items()))
    return dict((name, text(value)) for name, value in outputs.items())


def quiet_export(ckpt, export_dir, overwrite=False):
    lines = []
    path = export.export(ckpt, str(export_dir), overwrite=overwrite, out=lines.append)
    return path, lines



def saved_meta_graph(export_dir):
    """The one MetaGraphDef of the exported ``saved_model.pb``."""
    from tensorflow.core.protobuf import saved_model_pb2
    saved_model = saved_model_pb2.SavedModel()
    with open(os.path.join(export_dir, "saved_model.pb"), "rb") as handle:
        saved_model.ParseFromString(handle.read())
    assert len(saved_model.meta_graphs) == 1
    return saved_model.meta_graphs[0]


TableGraph = collections.namedtuple("TableGraph", "graph inputs x x_text outputs saver table_init")


@contextlib.contextmanager
def table_model(directory, keys_fed=False, main_op=True):
    """A restored model whose output reads a lookup table, as ``restore.open_model`` yields it.

    ``predictions = weight * x + table["c"]``: weight is saved as 3.0 (initialised
    to 2.0) and the table maps a, b, c to 0, 1, 2, so a SavedModel of it gives
    ``3x + 2`` only if the loader restores the variable and initialises the table.

    Args:
        directory: where the checkpoint goes (pathlib.Path).
        keys_fed: take the table's keys from a placeholder ``vocabulary``.
        main_op: put ``table_init`` in the graph's ``saved_model_main_op`` collection.

    Yields:
        a ``restore.LoadedModel`` in an open session holding the restored weight; its
        ``tg`` has one input ``x`` (``[None]`` float32) and so a ``matrix`` signature.
    """
    graph = tf.Graph()
    with graph.as_default():
        inputs = collections.OrderedDict(x=tf.placeholder(tf.float32, [None], name="inputs/x"))
        x = tf.stack(list(inputs.values()), axis=1, name="x")
        weight = tf.get_variable("weight", [], initializer=tf.constant_initializer(2.0))
        keys = (tf.placeholder(tf.string, [3], name="vocabulary") if keys_fed
                else tf.constant(["a", "b", "c"]))
        code = hash_table(keys, tf.constant([0, 1, 2], tf.int64), tf.constant(-1, tf.int64)
                          ).lookup(tf.constant(["c"]))
        predictions = tf.add(weight * x, tf.cast(code, tf.float32), name="predictions")
        saver = tf.train.Saver([weight])
        table_init = tf.tables_initializer()
        if main_op:
            tf.add_to_collection(tf.saved_model.constants.MAIN_OP_KEY, table_init)
        init_op = tf.global_variables_initializer()
    graph.finalize()
    with tf.Session(graph=graph) as session:
        session.run(init_op)
        weight.load(3.0, session)
        prefix = saver.save(session, str(directory / "model.ckpt"), write_meta_graph=False)
        session.run(init_op)
        saver.restore(session, prefix)
        os.remove(prefix + ".index")  # an export writes the session's values, not the files
        tg = TableGraph(graph=graph, inputs=inputs, x=x, x_text=None,
                        outputs=collections.OrderedDict(predictions=predictions), saver=saver,
                        table_init=table_init)
        yield restore.LoadedModel(spec=None, config=None, tg=tg, session=session,
                                  checkpoint=prefix, global_step=0)
