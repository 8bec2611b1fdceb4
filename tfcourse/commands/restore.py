"""Restoring a trained model: rebuild its graph from the saved config, restore, report, predict."""

import collections
import contextlib
import sys

import numpy as np

from tfcourse import data, graph as graph_lib, metrics, models
from tfcourse import model_dir as model_dir_lib
from tfcourse.commands import pinned
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
    weights: ``[n_features, 1]`` float32; bias: ``[1]`` float32.
    loss: float, the loss on the model's training data (None if they are gone).
    predictions: ``[n_rows, 1]`` float32 for the rows asked for, or None.
    probabilities: the same for logistic regression's P(y = 1), else None.
"""


@contextlib.contextmanager
def open_model(ckpt):
    """Builds the inference graph a model directory describes and restores the checkpoint.

    The inference graph (``tfcourse.graph.build_inference``) has no optimizer,
    training loop or data variables; its variables have the training graph's names.

    Args:
        ckpt: a model directory (its latest checkpoint) or a checkpoint prefix.

    Yields:
        a ``LoadedModel`` of one complete checkpoint, the latest when reading began, also
        while ``tfcourse train`` saves into the directory (``pinned``); feed raw features to ``tg.x`` (standardisation is in the graph).

    Raises:
        DataError: no checkpoint at ``ckpt``, or not a tfcourse model directory.
    """
    model_dir = pinned.model_dir_of(ckpt)
    pinned.read(ckpt, lambda prefix: None)  # a checkpoint is there (else the reason why not)
    config, spec = model_dir_lib.read_metadata(model_dir)
    tg = graph_lib.build_inference_for(config, spec)
    with tf.Session(graph=tg.graph, config=graph_lib.session_config()) as session:
        session.run(tg.init_op)
        prefix, _ = pinned.read(ckpt, lambda prefix: model_dir_lib.restore(
            tg.saver, session, prefix, tg.saved_variables))
        yield LoadedModel(spec=spec, config=config, tg=tg, session=session, checkpoint=prefix,
                          global_step=int(session.run(tg.global_step)))


def run_outputs(loaded, dataset):
    """The model's outputs for a ``tfcourse.data.Dataset``'s raw inputs.

    Returns:
        OrderedDict name -> numpy array (``predictions`` ``[n, 1]`` float32, and as the
        model has them ``probabilities`` and ``label``: see ``InferenceGraph.outputs``).
    """
    return loaded.session.run(loaded.tg.outputs, feed_dict=graph_lib.feed(loaded.tg, dataset))


def parse_rows(text, columns, na_values=()):
    """Parses ``--predict`` text into a ``Dataset`` of raw inputs for ``columns``, and the
    rows' cells (lists of str).

    Rows are separated by ``;`` and values by ``,``, one value per input column (the
    model's columns in order: numbers for numeric columns, text for the others). With one
    column, commas separate rows too: ``1.0,2.5`` is two rows. An empty value or one of
    ``na_values`` is missing (the model fills it, as it fills a gap in a file).

    Raises:
        UsageError: a numeric value is not a number or not finite, or a row has the wrong
            length.
    """
    if len(columns) == 1:
        text = text.replace(",", ";")
    rows = [[cell.strip() for cell in row.split(",")] for row in text.split(";")]
    if any(len(row) != len(columns) for row in rows):
        raise UsageError("flag --predict: each row needs {} comma-separated values ({}; rows "
                         "separated by ';'), got {!r}".format(
                             len(columns), ", ".join(c.name for c in columns), text))
    numeric = [j for j, column in enumerate(columns) if column.kind not in data.TEXT_KINDS]
    x = np.zeros((len(rows), len(numeric)), np.float32)
    for k, j in enumerate(numeric):
        for i, row in enumerate(rows):
            if (not row[j] or row[j] in na_values) and columns[j].fill is not None:
                x[i, k] = np.nan
                continue
            try:
                value = float(row[j])
            except ValueError:
                raise UsageError("flag --predict: {!r} is not a number (column {})".format(
                    row[j], columns[j].name))
            with np.errstate(over="ignore"):
                x[i, k] = value
            if not np.isfinite(x[i, k]):
                raise UsageError("flag --predict: {!r} is not finite as float32 (column "
                                 "{})".format(row[j], columns[j].name))
    texts = [j for j in range(len(columns)) if j not in numeric]
    text_values = (np.array([[row[j] for j in texts] for row in rows], object)
                   if texts else None)
    return data.Dataset(x=x, text=text_values, y=None, columns=tuple(columns), label=None,
                        classes=None, source="--predict"), rows


def training_data(loaded):
    """The data the model at ``loaded`` was trained on, read again for the model: a CSV
    file's columns by name, encoded as the model encodes them, the rows training held out
    held out (``data.model_split``); built-in data made again.

    Returns:
        ``(split, None)``; ``(None, "streamed")`` for a streamed file (not held in memory);
        ``(None, error)`` when the data can no longer be read (the ``TfcourseError``).
    """
    config = loaded.config
    if config.data.stream:
        return None, "streamed"
    model = models.get(loaded.spec.model)
    try:
        if config.data.path is not None:
            return data.model_split(loaded.spec, config.data, config.seed), None
        return data.load(config.data, config.seed, model.BUILTIN_DATA, model.LABELS), None
    except TfcourseError as err:
        return None, err


def warn(line):
    """Writes ``warning: <line>`` on stderr."""
    sys.stderr.write("warning: " + line + "\n")


def warn_unseen(spec, dataset, source, warn=warn):
    """One warning line counting the values of ``dataset``'s text columns the model does not
    know (``data.unseen``: encoded as ``<other>`` or missing), if there are any."""
    found = data.unseen(spec.columns, dataset.text) if dataset.text is not None else []
    if found:
        warn("{}: values outside the model's categories and spellings (encoded as <other> or "
             "missing): {}".format(source, "; ".join(
                 "{} in {} row{} (e.g. {})".format(name, count, "" if count == 1 else "s",
                                                   ", ".join(repr(v) for v in examples))
                 for name, count, examples in found)))


def _values(array):
    """``0.123456``, or ``0.1, 0.2`` for several values."""
    return ", ".join("{:.6f}".format(value) for value in np.ravel(array))


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
    loss = loaded.session.run(tg.model.loss, graph_lib.feed(tg, split.train, labels=True))
    out("loss on {} ({} training rows): {:.6g}".format(split.train.source, len(split.train.x),
                                                       loss))
    if split.validation is not None:
        model = models.get(loaded.spec.model)
        scores = loaded.session.run(model.score(tg.model), graph_lib.feed(tg, split.validation))
        values = model.metrics(split.validation.y, scores, split.validation.weight,
                               loaded.spec.classes)
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
        rows, cells = (parse_rows(predict, spec.columns, loaded.config.data.na_values)
                       if predict else (None, None))
        if rows is not None:
            warn_unseen(spec, rows, "flag --predict")
        weights, bias = loaded.session.run([tg.model.weights, tg.model.bias])
        out("restored {} (global_step {})".format(loaded.checkpoint, loaded.global_step))
        out("{} regression: {} -> {}{}".format(
            spec.model, ", ".join(spec.feature_names), spec.label,
            " (features standardised in the graph)" if spec.standardize else ""))
        for name, value in zip(data.encoded_names(spec.columns), weights):
            out("  weight[{}] = {}".format(name, _values(value)))
        out("  bias = {}".format(_values(bias)))
        if spec.standardize:
            from tfcourse.commands import export_formats, inspect
            inspect.show_raw_coefficients(export_formats.folded_model(loaded), spec, out)
        loss = _report_data(loaded, out)
        predictions = probabilities = None
        if rows is not None:
            values = run_outputs(loaded, rows)
            predictions, probabilities = values["predictions"], values.get("probabilities")
            for i in range(len(predictions)):
                extra = ("" if probabilities is None else "  (probabilit{} {})".format(
                    "y" if probabilities.shape[1] == 1 else "ies", _values(probabilities[i])))
                shown = (values["label"][i].decode("utf-8") if "label" in values
                         else "{:.6g}".format(predictions[i, 0]))
                out("prediction for {} = {}: {}{}".format(
                    ", ".join(spec.feature_names), ", ".join(cells[i]), shown, extra))
    return RestoreResult(checkpoint=loaded.checkpoint, global_step=loaded.global_step,
                         weights=weights, bias=bias, loss=loss, predictions=predictions,
                         probabilities=probabilities)
