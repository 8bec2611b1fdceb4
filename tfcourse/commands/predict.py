"""Using a trained model on a CSV file: ``evaluate`` (metrics) and ``predict`` (a new CSV).

Both take the raw file as training read it (the model's columns by name, text and gaps
included: the graph encodes them); other columns are ignored.
"""

import csv
import sys

import numpy as np

from tfcourse import data, files, graph as graph_lib, models
from tfcourse.errors import UsageError
from tfcourse.commands.restore import open_model, run_outputs, warn, warn_unseen



def read_input(loaded, input_path, with_label, warn=warn):
    """The ``Dataset`` of a CSV file for a restored model (see ``data.read_model_input``),
    warning (one line each) about rows dropped for want of a label and about values the
    training rows never had (they count as ``<other>`` or missing).

    Raises:
        DataError: bad CSV, or its columns do not fit the model.
    """
    data_config = loaded.config.data
    dataset, header, dropped = data.read_model_input(
        input_path, loaded.spec, data_config.delimiter, data_config.na_values, with_label)
    if dropped:
        warn("{}: {} row{} without a label left out".format(input_path, dropped,
                                                           "" if dropped == 1 else "s"))
    warn_unseen(loaded.spec, dataset, input_path, warn)
    return dataset, header


def evaluate(ckpt, input_path, out=print, warn=warn):
    """Prints the model's loss and metrics on a labelled CSV file.

    Returns:
        OrderedDict of metrics (see the model module's ``metrics``), plus ``loss``.

    Raises:
        DataError: bad CSV, or its columns do not fit the model.
    """
    with open_model(ckpt) as loaded:
        spec, tg = loaded.spec, loaded.tg
        model = models.get(spec.model)
        dataset, _ = read_input(loaded, input_path, True, warn)
        loss, scores = loaded.session.run([tg.model.loss, model.score(tg.model)],
                                          graph_lib.feed(tg, dataset, labels=True))
    values = model.metrics(dataset.y, scores, dataset.weight, spec.classes)
    values["loss"] = float(loss)
    out("evaluated {} (global_step {}) on {} ({} rows)".format(
        loaded.checkpoint, loaded.global_step, input_path, len(dataset.x)))
    for name, value in values.items():
        out("  {:9s} {:.6g}".format(name, value))
    return values


def output_columns(spec, outputs):
    """``[(column name, [rows] str values)]`` of the model's outputs for the output CSV:
    ``prediction`` (the label's own value for a classifier), then ``probability`` (P of
    the positive class) or ``probability_<class>`` per class."""
    if "label" in outputs:
        columns = [("prediction", [value.decode("utf-8") for value in outputs["label"]])]
    else:
        columns = [("prediction", ["{:.9g}".format(v) for v in outputs["predictions"][:, 0]])]
    probabilities = outputs.get("probabilities")
    if probabilities is not None:
        if probabilities.shape[1] == 1:
            columns.append(("probability", ["{:.9g}".format(v) for v in probabilities[:, 0]]))
        else:
            for j, name in enumerate(spec.classes):
                columns.append(("probability_" + name,
                                ["{:.9g}".format(v) for v in probabilities[:, j]]))
    return columns


def _write_csv(stream, header, new, rows):
    writer = csv.writer(stream, delimiter=header.delimiter)
    writer.writerow(list(header.names) + [name for name, _ in new])
    for row, more in rows:
        writer.writerow(row + more)


def predict(ckpt, input_path, output_path, overwrite=False, out=print, warn=warn):
    """Writes ``output_path``: the input's rows and columns plus the model's outputs
    (``output_columns``); ``-`` writes them to standard output (and the report to stderr).

    The label column may be absent from the input. The output is written to a
    temporary file and renamed into place, so a failure leaves nothing behind; an
    existing path that is not a regular file is never replaced (``files.check_output``).

    Returns:
        the number of rows written.

    Raises:
        UsageError: ``output_path`` exists and ``overwrite`` is False, is not a regular
            file, or the input has a column named as an output.
        DataError: bad CSV, or its columns do not fit the model.
    """
    to_stdout = output_path == files.STDOUT
    if not to_stdout:
        files.check_output(output_path, overwrite)
    with open_model(ckpt) as loaded:
        dataset, header = read_input(loaded, input_path, False, warn)
        new = output_columns(loaded.spec, run_outputs(loaded, dataset))
    clash = [name for name, _ in new if name in header.names]
    if clash:
        raise UsageError("{}: already has a column named {}; rename it first".format(
            input_path, ", ".join(repr(name) for name in clash)))
    extra = np.array([values for _, values in new], object).T
    rows = zip(data.csv_reader.read_text(header).tolist(), extra.tolist())
    if to_stdout:
        _write_csv(sys.stdout, header, new, rows)
        sys.stdout.flush()
        out = files.report_line  # the CSV alone goes to standard output
    else:
        with files.atomic_write(output_path, "w", newline="", encoding="utf-8") as stream:
            _write_csv(stream, header, new, rows)
    out("wrote {} predictions of {} (global_step {}) to {}".format(
        len(dataset.x), loaded.checkpoint, loaded.global_step,
        "standard output" if to_stdout else output_path))
    return len(dataset.x)
