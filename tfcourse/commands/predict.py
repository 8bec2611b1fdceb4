"""Using a trained model on a CSV file: ``evaluate`` (metrics) and ``predict`` (a new CSV)."""

import csv

from tfcourse import data, files, models
from tfcourse.errors import UsageError
from tfcourse.commands.restore import open_model, run_outputs


def evaluate(ckpt, input_path, out=print):
    """Prints the model's loss and metrics on a labelled CSV file.

    The file needs the model's feature columns and its label column (by name;
    other columns are ignored).

    Returns:
        OrderedDict of metrics (see ``tfcourse.metrics``), plus ``loss``.

    Raises:
        DataError: bad CSV, or its columns do not fit the model.
    """
    with open_model(ckpt) as loaded:
        spec, tg = loaded.spec, loaded.tg
        model = models.get(spec.model)
        dataset, _ = data.read_model_input(input_path, spec.feature_names, spec.label,
                                           model.label_error)
        loss, scores = loaded.session.run([tg.model.loss, model.score(tg.model)],
                                          {tg.x: dataset.x, tg.y: dataset.y})
    values = model.metrics(dataset.y, scores)
    values["loss"] = float(loss)
    out("evaluated {} (global_step {}) on {} ({} rows)".format(
        loaded.checkpoint, loaded.global_step, input_path, len(dataset.x)))
    for name, value in values.items():
        out("  {:9s} {:.6g}".format(name, value))
    return values


def probability_columns(probabilities):
    """The output's probability columns: ``probability`` (logistic regression's P(y = 1)),
    ``probability_<k>`` for each class k of a softmax model, none without probabilities."""
    if probabilities is None:
        return []
    if probabilities.shape[1] == 1:
        return ["probability"]
    return ["probability_{}".format(k) for k in range(probabilities.shape[1])]


def predict(ckpt, input_path, output_path, overwrite=False, out=print):
    """Writes ``output_path``: the input's rows and columns plus ``prediction``
    (and ``probability`` for logistic regression, ``probability_<k>`` per class k for
    softmax regression).

    The label column may be absent from the input. The output is written to a
    temporary file and renamed into place, so a failure leaves nothing behind.

    Returns:
        the number of rows written.

    Raises:
        UsageError: ``output_path`` exists and ``overwrite`` is False, or it
            names an input column that would be overwritten.
        DataError: bad CSV, or its columns do not fit the model.
    """
    files.check_output(output_path, overwrite)
    with open_model(ckpt) as loaded:
        spec = loaded.spec
        dataset, header = data.read_model_input(input_path, spec.feature_names, spec.label,
                                                models.get(spec.model).label_error,
                                                require_label=False)
        predictions, probabilities = run_outputs(loaded, dataset.x)
    new_columns = ["prediction"] + probability_columns(probabilities)
    clash = [name for name in new_columns if name in header.names]
    if clash:
        raise UsageError("{}: already has a column named {}; rename it first".format(
            input_path, ", ".join(repr(name) for name in clash)))
    with files.atomic_write(output_path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(list(header.names) + new_columns)
        for i, row in enumerate(data.csv_reader.read_text(header).tolist()):
            extra = ["{:.9g}".format(predictions[i, 0])]
            if probabilities is not None:
                extra += ["{:.9g}".format(p) for p in probabilities[i]]
            writer.writerow(row + extra)
    out("wrote {} predictions of {} (global_step {}) to {}".format(
        len(dataset.x), loaded.checkpoint, loaded.global_step, output_path))
    return len(dataset.x)
