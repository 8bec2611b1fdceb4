"""Restoring a trained model: rebuild its graph, restore the checkpoint, report, predict."""

import collections

import numpy as np

from tfcourse import checkpoints, data, graph as graph_lib
from tfcourse.errors import UsageError
from tfcourse.tf_compat import tf

RestoreResult = collections.namedtuple(
    "RestoreResult", "checkpoint global_step weights bias loss predictions")
RestoreResult.__doc__ = """What a restore found.

Attributes:
    checkpoint: the checkpoint prefix restored (str).
    global_step: int.
    weights: ``[n_features, 1]`` float32; bias: ``[1]`` float32.
    loss: float, the model's loss on its training data.
    predictions: ``[n_rows, 1]`` float32 for the rows asked for, or None.
"""


def parse_rows(text, n_features):
    """Parses ``--predict`` text into a ``[n_rows, n_features]`` float32 array.

    Rows are separated by ``;`` and values by ``,``. With one feature, commas
    separate rows too: ``1.0,2.5`` is two rows.

    Raises:
        UsageError: a value is not a number, or a row has the wrong length.
    """
    if n_features == 1:
        text = text.replace(";", ",")
    rows = []
    for row_text in text.split(";"):
        row = []
        for cell in row_text.split(","):
            try:
                row.append(float(cell))
            except ValueError:
                raise UsageError("flag --predict: {!r} is not a number".format(cell.strip()))
        rows.append(row)
    if n_features > 1 and any(len(row) != n_features for row in rows):
        raise UsageError("flag --predict: each row needs {} comma-separated values "
                         "(rows separated by ';'), got {!r}".format(n_features, text))
    values = np.array(rows, dtype=np.float32).reshape(-1, n_features)
    if not np.all(np.isfinite(values)):
        raise UsageError("flag --predict: values must be finite, got {!r}".format(text))
    return values


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
    model_dir, prefix = checkpoints.find_checkpoint(ckpt)
    config, spec = checkpoints.read_metadata(model_dir)
    rows = parse_rows(predict, len(spec.feature_names)) if predict else None
    dataset = data.load(config.data, config.model, config.seed)
    tg = graph_lib.build(config.model, len(spec.feature_names), config.learning_rate,
                         config.seed, config.freeze, config.max_to_keep)
    with tf.Session(graph=tg.graph, config=graph_lib.session_config()) as session:
        session.run(tg.init_op)
        graph_lib.load_data(session, tg, dataset)
        tg.saver.restore(session, prefix)
        step, loss, weights, bias = session.run(
            [tg.global_step, tg.model.loss, tg.model.weights, tg.model.bias])
        out("restored {} (global_step {})".format(prefix, step))
        out("{} regression: {} -> {}".format(spec.model, ", ".join(spec.feature_names),
                                             spec.label))
        for name, value in zip(spec.feature_names, weights[:, 0]):
            out("  weight[{}] = {:.6f}".format(name, value))
        out("  bias = {:.6f}".format(bias[0]))
        out("loss on {} ({} samples): {:.6g}".format(dataset.source, len(dataset.x), loss))
        predictions = None
        if rows is not None:
            predictions = session.run(tg.model.predictions, feed_dict={tg.x: rows})
            for row, value in zip(rows, predictions[:, 0]):
                out("prediction for {} = {}: {:.6f}".format(
                    ", ".join(spec.feature_names), ", ".join("{:g}".format(v) for v in row),
                    value))
    return RestoreResult(checkpoint=prefix, global_step=int(step), weights=weights, bias=bias,
                         loss=float(loss), predictions=predictions)
