"""Exporting a trained model as a SavedModel for TensorFlow Serving and ``saved_model_cli``.

The SavedModel holds the restored inference graph (``tfcourse.graph.build_inference``: no
optimizer, training loop or data variables) under tag ``serve`` with one
signature, ``serving_default``: input ``x`` (``[None, n_features]`` float32,
raw features: standardisation is inside the graph), outputs ``predictions``
(``[None, 1]`` float32) and, for logistic regression, ``probabilities``.

Loading it restores the variables and then runs its main op (collection
``saved_model_main_op``), ``tf.tables_initializer()``: it initialises the
graph's lookup tables and needs no feed. With no main op, TensorFlow 2's
``tf.saved_model.load`` would run ``Scaffold.default_local_init_op()`` instead
(local variables, tables and local resources), which fails on any init that
reads a placeholder (``UnliftableError``); TensorFlow Serving runs the main
op as the loaders do. Default-valued attributes are stripped
(``strip_default_attrs``), so an export from a newer TensorFlow loads in an
older one as long as it uses no op or non-default attribute the older one lacks:
exports from TensorFlow 1.12 and 2.21 each load and give the same predictions
in the other (``tests/test_cross_leg.py``).

The export is assembled in a hidden ``.<name>.export-<pid>-*`` directory beside
``export_dir`` and renamed into place once complete, so a failure leaves the
previous export (if any) intact and never a half-written one.
"""

import os

from tfcourse import files, graph as graph_lib
from tfcourse.commands import restore
from tfcourse.errors import UsageError
from tfcourse.tf_compat import tf

SERVING_TAG = "serve"
SIGNATURE_KEY = "serving_default"
SAVED_MODEL_FILES = ("saved_model.pb", "saved_model.pbtxt")


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


def signature(loaded, graph=None):
    """The ``serving_default`` SignatureDef of a ``restore.LoadedModel``.

    Args:
        loaded: a ``restore.LoadedModel``.
        graph: a copy of ``loaded``'s graph whose tensors, found by name, the
            signature names (default: ``loaded``'s own graph).

    Returns:
        a ``SignatureDef`` (method ``tensorflow/serving/predict``): input ``x``
        ``[None, n_features]`` float32; outputs ``predictions`` ``[None, 1]``
        float32 and, for logistic regression, ``probabilities`` ``[None, 1]`` float32.
    """
    graph = graph or loaded.tg.graph
    outputs = dict((key, graph.get_tensor_by_name(tensor.name))
                   for key, tensor in loaded.tg.outputs.items())
    return tf.saved_model.signature_def_utils.predict_signature_def(
        inputs={"x": graph.get_tensor_by_name(loaded.tg.x.name)}, outputs=outputs)


def serving_graph(loaded):
    """A copy of ``loaded``'s graph with the SavedModel's main op added.

    The restored graph is finalised (no op may join it), so its MetaGraphDef
    is imported into a new ``tf.Graph``, where the main op,
    ``tf.tables_initializer()``, is built.

    Returns:
        ``(graph, saver, main_op)``: the copy, its ``tf.train.Saver`` (the
        checkpoint's variables, from the model's SaverDef) and the main op (an
        ``Operation``).
    """
    meta_graph_def = tf.train.export_meta_graph(graph=loaded.tg.graph,
                                                saver_def=loaded.tg.saver.saver_def)
    graph = tf.Graph()
    with graph.as_default():
        saver = tf.train.import_meta_graph(meta_graph_def)
        main_op = tf.tables_initializer()
    return graph, saver, main_op


def copy_variables(loaded, graph, session):
    """Sets every global variable of ``graph``, a copy of ``loaded``'s, in ``session`` to its
    value in ``loaded.session`` (by name; ``Variable.load`` feeds it: no constant is added)."""
    copies = graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)
    values = loaded.session.run([loaded.tg.graph.get_tensor_by_name(variable.name)
                                 for variable in copies])
    for variable, value in zip(copies, values):
        variable.load(value, session)


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


def write_saved_model(loaded, directory):
    """Writes ``loaded``'s graph and restored variables as a SavedModel into ``directory``.

    A copy of the graph (``serving_graph``) gets the restored variables' values
    (``copy_variables``: the checkpoint may have been rotated away since) in a
    session of its own, and is written with main op ``tf.tables_initializer()``
    and default-valued attributes stripped. ``clear_devices`` stays off
    (tfcourse pins no devices). ``directory`` must not exist.

    Raises:
        ValueError: the main op would need a placeholder fed (no server feeds it).
    """
    graph, saver, main_op = serving_graph(loaded)
    needed = placeholders_needed(main_op)
    if needed:
        raise ValueError("the SavedModel's main op {} needs placeholder(s) {} fed; a server "
                         "feeds none".format(main_op.name, ", ".join(needed)))
    builder = tf.saved_model.builder.SavedModelBuilder(directory)
    with graph.as_default(), tf.Session(graph=graph, config=graph_lib.session_config()) as session:
        copy_variables(loaded, graph, session)
        builder.add_meta_graph_and_variables(
            session, [SERVING_TAG], signature_def_map={SIGNATURE_KEY: signature(loaded, graph)},
            main_op=main_op, strip_default_attrs=True, saver=saver)
    builder.save()


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
            write_saved_model(loaded, stage.directory)
            stage.publish(replace=True)
        finally:
            stage.discard()
        outputs = sorted(signature(loaded).outputs)
        out("exported {} (global_step {}) to {}".format(loaded.checkpoint, loaded.global_step,
                                                        export_dir))
        out("  tag {}, signature {}: input x float32 [None, {}] ({}), outputs {}".format(
            SERVING_TAG, SIGNATURE_KEY, len(loaded.spec.feature_names),
            ", ".join(loaded.spec.feature_names), ", ".join(outputs)))
    return export_dir
