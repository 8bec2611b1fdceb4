"""Exporting a trained model as a SavedModel for TensorFlow Serving and ``saved_model_cli``.

The SavedModel holds the restored inference graph (``tfcourse.graph.build_inference``: no
optimizer, training loop or data variables) under tag ``serve``, with signatures
(method ``tensorflow/serving/predict``):

- ``serving_default``: one input per raw column of the model's CSV file, each ``[None]``
  (one value per row): float32 for a numeric column (NaN where missing), string for a
  boolean, date or categorical one (its cells as the file spells them; an empty cell or
  one of ``data.na_values`` is missing, a category the training rows did not have is
  ``<other>``). Keys: ``input_keys``. Encoding, filling and standardisation happen in the
  graph, as in training. Outputs: ``predictions`` (``[None, 1]`` float32: the value, or a
  classifier's class index), for a classifier ``probabilities`` (``[None, 1]`` P(y = 1),
  or ``[None, K]`` per class) and ``label`` (``[None]`` string: the predicted class as
  the label column spells it).
- ``matrix``, only when every column is numeric: input ``x``, the columns stacked in
  order, ``[None, n_columns]`` float32 (the course's feature matrix); the same outputs.

Loading it restores the variables and then runs its main op (collection
``saved_model_main_op``), the inference graph's ``table_init``
(``tf.tables_initializer()``): it initialises the categorical columns' lookup tables and
needs no feed. With no main op, TensorFlow 2's ``tf.saved_model.load`` would run
``Scaffold.default_local_init_op()`` instead (local variables, tables and local
resources), which fails on any init that reads a placeholder (``UnliftableError``);
TensorFlow Serving runs the main op as the loaders do. Default-valued attributes are
stripped (``strip_default_attrs``), so an export from a newer TensorFlow loads in an
older one as long as it uses no op or non-default attribute the older one lacks:
exports from TensorFlow 1.12 and 2.21 each load and give the same outputs in the other
(``tests/test_cross_leg_export.py``).

The export is assembled in a hidden ``.<name>.export-<pid>-*`` directory beside
``export_dir`` and renamed into place once complete, so a failure leaves the
previous export (if any) intact and never a half-written one.
"""

import collections
import keyword
import os
import re

from tfcourse import files, features
from tfcourse.commands import restore
from tfcourse.errors import DataError, UsageError, reason_of
from tfcourse.tf_compat import tf

SERVING_TAG = "serve"
SIGNATURE_KEY = "serving_default"
MATRIX_KEY = "matrix"
# Python 3's keywords, whichever Python runs: async and await are keywords from 3.7 on.
KEYWORDS = frozenset(keyword.kwlist) | frozenset(["async", "await"])
SAVED_MODEL_FILES = ("saved_model.pb", "saved_model.pbtxt")


def _written(export_dir, write):
    """Runs ``write()``; a failure (disk full, read-only, ...) becomes one ``DataError`` naming
    ``export_dir`` (never the staging directory's name) and the reason."""
    try:
        write()
    except (OSError, tf.errors.OpError) as err:
        raise DataError("export_dir {}: cannot write the SavedModel: {}".format(
            export_dir, reason_of(err)))


def check_export_dir(export_dir, overwrite):
    """Checks that ``export_dir`` may be written, before anything is created.

    Args:
        export_dir: where the SavedModel goes (str).
        overwrite: whether an existing SavedModel there may be replaced.

    Raises:
        UsageError: ``export_dir`` is a file; or a non-empty directory and
            ``overwrite`` is False; or a non-empty directory that holds no
            SavedModel (``saved_model.pb``), which is never replaced.
    """
    if os.path.islink(export_dir):
        raise UsageError("export_dir {} is a symlink; it is never replaced: give the directory "
                         "it points to".format(export_dir))
    if os.path.exists(export_dir) and not os.path.isdir(export_dir):
        raise UsageError("export_dir {} is a file; expected a directory for the SavedModel".format(
            export_dir))
    files.check_output_dir(export_dir, "export_dir")
    if not os.path.isdir(export_dir) or not os.listdir(export_dir):
        return
    if not overwrite:
        raise UsageError("export_dir {} is not empty; give --overwrite to replace the "
                         "SavedModel in it, or choose another --export_dir".format(export_dir))
    if not any(os.path.exists(os.path.join(export_dir, name)) for name in SAVED_MODEL_FILES):
        raise UsageError("export_dir {} is not empty and holds no SavedModel (saved_model.pb); "
                         "it is not replaced: choose another --export_dir".format(export_dir))


def input_keys(names):
    """The ``serving_default`` input key of each raw column.

    A key is the column's op name (``features.op_name``: the placeholder is
    ``inputs/<op name>``) with ``.`` and ``-`` made ``_`` and a ``c`` before a leading
    digit or ``_``, so it is a Python identifier (a keyword argument of TensorFlow 2's
    signature function) and a ``saved_model_cli --input_exprs`` key; a Python keyword
    gets a trailing ``_`` (``class`` -> ``class_``). Columns whose names clean to the same
    key are told apart in column order: the first keeps it, the next get ``_2``, ``_3``,
    ... (the first such key no earlier column has taken): ``a b``, ``a_b``, ``a.b`` ->
    ``a_b``, ``a_b_2``, ``a_b_3``.

    Args:
        names: the model's column names in order (str).

    Returns:
        OrderedDict column name -> key (str), in column order.
    """
    keys = collections.OrderedDict()
    for name in names:
        key = re.sub(r"[.\-]", "_", features.op_name(name))
        if not key[0].isalpha():
            key = "c" + key
        if key in KEYWORDS:
            key += "_"
        base, number = key, 1
        while key in keys.values():
            number += 1
            key = "{}_{}".format(base, number)
        keys[name] = key
    return keys


def signatures(tg):
    """The SavedModel's signatures of an inference graph (see the module docstring).

    Args:
        tg: a ``tfcourse.graph.InferenceGraph`` (its ``inputs``, ``x``, ``x_text``, ``outputs``).

    Returns:
        dict signature key -> ``SignatureDef``: ``serving_default``, and ``matrix`` when
        the model has no text column (``tg.x_text`` is None).
    """
    keys = input_keys(tg.inputs)
    build = tf.saved_model.signature_def_utils.predict_signature_def
    found = {SIGNATURE_KEY: build(
        inputs=dict((keys[name], tensor) for name, tensor in tg.inputs.items()),
        outputs=dict(tg.outputs))}
    if tg.x_text is None:
        found[MATRIX_KEY] = build(inputs={"x": tg.x}, outputs=dict(tg.outputs))
    return found


def placeholders_needed(op):
    """Names of the ``Placeholder`` ops that running ``op`` needs fed, sorted.

    Follows data and control inputs transitively; a ``PlaceholderWithDefault``
    needs no feed and is not listed.
    """
    seen, stack, found = set(), [op], set()
    while stack:
        current = stack.pop()
        if current.name in seen:
            continue
        seen.add(current.name)
        if current.type == "Placeholder":
            found.add(current.name)
        stack.extend(tensor.op for tensor in current.inputs)
        stack.extend(current.control_inputs)
    return sorted(found)


def check_main_op(tg):
    """Checks the graph's ``saved_model_main_op`` collection: exactly ``tg.table_init``,
    which needs no placeholder fed (no loader or server feeds one).

    Raises:
        ValueError: the collection holds something else, or the main op needs a feed.
    """
    main_ops = tg.graph.get_collection(tf.saved_model.constants.MAIN_OP_KEY)
    if main_ops != [tg.table_init]:
        raise ValueError("the graph's saved_model_main_op collection holds {}, expected its "
                         "table_init {}".format([op.name for op in main_ops], tg.table_init.name))
    needed = placeholders_needed(tg.table_init)
    if needed:
        raise ValueError("the SavedModel's main op {} needs placeholder(s) {} fed; a server "
                         "feeds none".format(tg.table_init.name, ", ".join(needed)))


def write_saved_model(loaded, directory):
    """Writes ``loaded``'s inference graph and its session's variables as a SavedModel.

    The graph is written as it is (it is finalised: nothing is added to it), with the
    values the session holds (not the checkpoint's files, which may have been rotated
    away since), the main op its collection names (``check_main_op``) and
    default-valued attributes stripped. ``clear_devices`` stays off (tfcourse pins no
    devices).

    Args:
        loaded: a ``restore.LoadedModel`` (its ``tg`` and ``session``).
        directory: where the SavedModel goes; must not exist (str).

    Raises:
        ValueError: see ``check_main_op``; nothing is written then.
    """
    tg = loaded.tg
    check_main_op(tg)
    builder = tf.saved_model.builder.SavedModelBuilder(directory)
    with tg.graph.as_default():  # the Saver exports the default graph
        builder.add_meta_graph_and_variables(
            loaded.session, [SERVING_TAG], signature_def_map=signatures(tg),
            strip_default_attrs=True, saver=tg.saver)  # main op: already in the collection
    builder.save()


def _shape(tensor):
    """``[None, 3]``: a tensor's static shape as text."""
    return "[{}]".format(", ".join(str(size) for size in tensor.shape.as_list()))


def describe(tg):
    """The lines ``export`` prints about the signatures: each input (key, dtype, column)
    and each output (key, dtype, shape)."""
    keys = input_keys(tg.inputs)
    width = max(len(key) for key in keys.values())
    lines = ["  signature {} (tag {}): inputs, one per column, each [None]:".format(
        SIGNATURE_KEY, SERVING_TAG)]
    for name, tensor in tg.inputs.items():
        lines.append("    {}  {:7s}  column {}".format(keys[name].ljust(width),
                                                      tensor.dtype.name, name))
    lines.append("  outputs: {}".format(", ".join(
        "{} {} {}".format(key, tensor.dtype.name, _shape(tensor))
        for key, tensor in tg.outputs.items())))
    if tg.x_text is None:
        lines.append("  signature {}: input x float32 {} (the columns in order), the same "
                     "outputs".format(MATRIX_KEY, _shape(tg.x)))
    return lines


def export(ckpt, export_dir, overwrite=False, out=print):
    """Exports the tfcourse model at ``ckpt`` as a SavedModel in ``export_dir``.

    Args:
        ckpt: a tfcourse model directory (latest checkpoint) or checkpoint prefix.
        export_dir: directory to write the SavedModel into (str).
        overwrite: replace an existing SavedModel in ``export_dir``.
        out: callable taking one line of text.

    Returns:
        ``export_dir`` (str), which now holds ``saved_model.pb`` and
        ``variables/`` with the checkpoint's values.

    Raises:
        UsageError: ``export_dir`` may not be written (see ``check_export_dir``).
        DataError: no checkpoint at ``ckpt``, or not a tfcourse model directory.
    """
    export_dir = os.path.normpath(os.path.expanduser(export_dir))
    check_export_dir(export_dir, overwrite)
    with restore.open_model(ckpt) as loaded:
        stage = files.StagedDirectory(export_dir, "export")
        try:
            os.rmdir(stage.directory)  # SavedModelBuilder refuses a directory that exists
            _written(export_dir, lambda: (write_saved_model(loaded, stage.directory),
                                          stage.publish(replace=True)))
        finally:
            stage.discard()
        out("exported {} (global_step {}) to {}".format(loaded.checkpoint, loaded.global_step,
                                                        export_dir))
        for line in describe(loaded.tg):
            out(line)
    return export_dir
