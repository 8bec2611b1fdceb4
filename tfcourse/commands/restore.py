"""Restoring a trained model: rebuild its graph from the saved config, restore, report, predict."""

import collections
import contextlib

import numpy as np

from tfcourse import data, graph as graph_lib, metrics, models
from tfcourse import model_dir as model_dir_lib
from tfcourse.errors import TfcourseError, UsageError
from tfcourse.tf_compat import tf

LoadedModel = collections.namedtuple("LoadedModel", "spec config tg session checkpoint global_step")
LoadedModel.__doc__ = """A restored model in an open session (see ``open_model``); ``tg`` is its
``tfcourse.graph.InferenceGraph``."""

RestoreResult = collections.namedtuple(
    "RestoreResult", "checkpoint global_step weights bias loss predictions probabilities")
RestoreResult.__doc__ = """What a restore found.

Attributes:
    checkpoint: the checkpoint prefix restored (str).
    global_step: int.
    weights: ``[n_features, K]`` float32; bias: ``[K]`` float32 (K = 1, or a softmax
        model's classes).
    loss: float, the loss on the model's training data (None if they are gone).
    predictions: ``[n_rows, 1]`` float32 for the rows asked for, or None.
    probabilities: for those rows, logistic regression's P(y = 1) ``[n_rows, 1]``, a
        softmax model's ``[n_rows, K]``, else None.
"""


@contextlib.contextmanager
def open_model(ckpt):
    """Builds the inference graph a model directory describes and restores the checkpoint.

    The inference graph (``tfcourse.graph.build_inference``) has no optimizer,
    training loop or data variables; its variables have the training graph's names.

    Args:
        ckpt: a model directory (its latest checkpoint) or a checkpoint prefix.

    Yields:
        a ``LoadedModel``; feed raw features to ``tg.x`` (standardisation is in the graph).

    Raises:
        DataError: no checkpoint at ``ckpt``, or not a tfcourse model directory.
    """
    model_dir, prefix = model_dir_lib.find_checkpoint(ckpt)
    config, spec = model_dir_lib.read_metadata(model_dir)
    tg = graph_lib.build_inference_for(config, spec, checkpoint_classes(prefix, spec))
    with tf.Session(graph=tg.graph, config=graph_lib.session_config()) as session:
        session.run(tg.init_op)
        model_dir_lib.restore(tg.saver, session, prefix, tg.saved_variables)
        yield LoadedModel(spec=spec, config=config, tg=tg, session=session, checkpoint=prefix,
                          global_step=int(session.run(tg.global_step)))


def checkpoint_classes(prefix, spec):
    """The number of classes of a softmax model: the columns of the checkpoint's weights
    (2 when they cannot be read: restoring then names the problem). Other models ignore it."""
    try:
        shapes = tf.train.NewCheckpointReader(prefix).get_variable_to_shape_map()
    except (tf.errors.OpError, ValueError, IndexError):
        return 2
    shape = shapes.get(models.get(spec.model).SCOPE + "/weights")
    return max(2, shape[1]) if shape is not None and len(shape) == 2 else 2


def run_outputs(loaded, x):
    """The model's outputs for raw features ``x`` ``[n, n_features]`` float32.

    Returns:
        ``(predictions, probabilities)``, ``[n, 1]`` float32 each (a softmax model's
        probabilities ``[n, K]``); probabilities is None for a model without that output.
    """
    values = loaded.session.run(loaded.tg.outputs, feed_dict={loaded.tg.x: x})
    return values["predictions"], values.get("probabilities")


def parse_rows(text, n_features):
    """Parses ``--predict`` text into a ``[n_rows, n_features]`` float32 array.

    Rows are separated by ``;`` and values by ``,``. With one feature, commas
    separate rows too: ``1.0,2.5`` is two rows.

    Raises:
        UsageError: a value is not a number or not finite, or a row has the wrong length.
    """
    if n_features == 1:
        text = text.replace(";", ",")
    rows = []
    for row_text in text.split(";"):
        row = []
        for cell in row_text.split(","):
            if not cell.strip():
                raise UsageError("flag --predict: empty value in {!r}".format(text))
            try:
                row.append(float(cell))
            except ValueError:
                raise UsageError("flag --predict: {!r} is not a number".format(cell.strip()))
        rows.append(row)
    if n_features > 1 and any(len(row) != n_features for row in rows):
        raise UsageError("flag --predict: each row needs {} comma-separated values "
                         "(rows separated by ';'), got {!r}".format(n_features, text))
    if not np.all(np.isfinite(rows)):
        raise UsageError("flag --predict: values must be finite, got {!r}".format(text))
    with np.errstate(over="ignore"):
        values = np.array(rows, dtype=np.float32).reshape(-1, n_features)
    if not np.all(np.isfinite(values)):
        raise UsageError("flag --predict: {!r} holds a value out of float32 range".format(text))
    return values


def training_data(loaded):
    """The data the model at ``loaded`` was trained on, read again as training read them.

    Returns:
        ``(split, None)``; ``(None, "streamed")`` for a streamed file (not held in memory);
        ``(None, error)`` when the data can no longer be read (the ``TfcourseError``).
    """
    config = loaded.config
    if config.data.stream:
        return None, "streamed"
    model = models.get(loaded.spec.model)
    try:
        return data.load(config.data, config.seed, model.BUILTIN_DATA, model.label_error), None
    except TfcourseError as err:
        return None, err


def _report_data(loaded, out):
    """Prints loss (and validation metrics) on the model's own data; returns the loss."""
    split, missing = training_data(loaded)
    if missing == "streamed":
        out("training data are streamed from {}: loss not computed here "
            "(tfcourse evaluate computes metrics on a CSV file)".format(loaded.config.data.path))
        return None
    if missing is not None:
        out("training data not available ({}): loss not computed".format(missing))
        return None
    tg = loaded.tg
    loss = loaded.session.run(tg.model.loss, {tg.x: split.train.x, tg.y: split.train.y})
    out("loss on {} ({} training rows): {:.6g}".format(split.train.source, len(split.train.x),
                                                       loss))
    if split.validation is not None:
        model = models.get(loaded.spec.model)
        scores = loaded.session.run(model.score(tg.model), {tg.x: split.validation.x})
        values = model.metrics(split.validation.y, scores)
        out("validation ({} rows): {}".format(len(split.validation.x),
                                              metrics.format_metrics(values)))
    return float(loss)


def restore(ckpt, predict=None, out=print):
    """Restores the model at ``ckpt`` and prints what it learned.

    Args:
        ckpt: a model directory (latest checkpoint) or a checkpoint prefix.
        predict: optional ``--predict`` text; see ``parse_rows``.
        out: callable taking one line of text.

    Returns:
        a ``RestoreResult``.

    Raises:
        DataError: no checkpoint at ``ckpt``, or not a tfcourse model directory.
        UsageError: bad ``predict`` text.
    """
    with open_model(ckpt) as loaded:
        spec, tg = loaded.spec, loaded.tg
        rows = parse_rows(predict, len(spec.feature_names)) if predict else None
        weights, bias = loaded.session.run([tg.model.weights, tg.model.bias])
        out("restored {} (global_step {})".format(loaded.checkpoint, loaded.global_step))
        out("{} regression: {} -> {}{}".format(
            spec.model, ", ".join(spec.feature_names), spec.label,
            " (features standardised in the graph)" if spec.standardize else ""))
        for name, row in zip(spec.feature_names, weights):
            out("  weight[{}] = {}".format(name, ", ".join("{:.6f}".format(v) for v in row)))
        out("  bias = {}".format(", ".join("{:.6f}".format(v) for v in bias)))
        loss = _report_data(loaded, out)
        predictions = probabilities = None
        if rows is not None:
            predictions, probabilities = run_outputs(loaded, rows)
            for i, row in enumerate(rows):
                extra = ("" if probabilities is None else "  (probabilit{} {})".format(
                    "y" if probabilities.shape[1] == 1 else "ies",
                    ", ".join("{:.6f}".format(p) for p in probabilities[i])))
                out("prediction for {} = {}: {:.6g}{}".format(
                    ", ".join(spec.feature_names), ", ".join("{:g}".format(v) for v in row),
                    predictions[i, 0], extra))
    return RestoreResult(checkpoint=loaded.checkpoint, global_step=loaded.global_step,
                         weights=weights, bias=bias, loss=loss, predictions=predictions,
                         probabilities=probabilities)
