"""Exporting a trained model as a SavedModel for TensorFlow Serving and ``saved_model_cli``.

The SavedModel holds the restored inference graph (``tfcourse.graph.build_inference``: no
optimizer, training loop or data variables) under tag ``serve`` with one
signature, ``serving_default``: input ``x`` (``[None, n_features]`` float32,
raw features: standardisation is inside the graph), outputs ``predictions``
(``[None, 1]`` float32) and, for logistic regression, ``probabilities``.

The export is assembled in a hidden ``.<name>.export-<pid>-*`` directory beside
``export_dir`` and renamed into place once complete, so a failure leaves the
previous export (if any) intact and never a half-written one.
"""

import os

from tfcourse import files
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


def signature(loaded):
    """The ``serving_default`` SignatureDef of a ``restore.LoadedModel``.

    Returns:
        a ``SignatureDef`` (method ``tensorflow/serving/predict``): input ``x``
        ``[None, n_features]`` float32; outputs ``predictions`` ``[None, 1]``
        float32 and, for logistic regression, ``probabilities`` ``[None, 1]`` float32.
    """
    return tf.saved_model.signature_def_utils.predict_signature_def(
        inputs={"x": loaded.tg.x}, outputs=dict(loaded.tg.outputs))


def write_saved_model(loaded, directory):
    """Writes ``loaded``'s graph and restored variables as a SavedModel into ``directory``.

    The model's own ``tf.train.Saver`` writes the variables: its graph is
    finalised, so the builder may not create one, and ``clear_devices`` stays
    off (it would modify a collection; tfcourse pins no devices anyway).
    ``directory`` must not exist.
    """
    builder = tf.saved_model.builder.SavedModelBuilder(directory)
    with loaded.tg.graph.as_default():
        builder.add_meta_graph_and_variables(
            loaded.session, [SERVING_TAG], signature_def_map={SIGNATURE_KEY: signature(loaded)},
            saver=loaded.tg.saver)
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
