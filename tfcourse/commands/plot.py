"""One PNG figure of a trained model: its fit to the data and its learning curves.

Data panel: with one feature, the data points and the fitted line (linear) or
sigmoid P(y = 1 | x) (logistic); with more, predicted against actual values
and the y = x diagonal (linear), or the ROC curve and the confusion matrix
(logistic); softmax regression: the confusion matrix of its classes, whatever
the number of features. Last panel: train and eval ``loss/loss`` read back from
the events files of the model's training runs (listed in its ``model.json``;
``tfcourse.commands.curves``).
"""

import collections
import os
import textwrap

import matplotlib
matplotlib.use("Agg")
import numpy as np  # noqa: E402
from matplotlib import figure as mpl_figure, ticker  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

from tfcourse import files, models  # noqa: E402
from tfcourse import model_dir as model_dir_lib
from tfcourse.commands import restore
from tfcourse.data.types import rows_of
from tfcourse.commands.curves import (  # noqa: F401, E402  (read_loss, LOSS_TAG: API)
    LOSS_TAG, learning_curves, read_loss)
from tfcourse.errors import UsageError  # noqa: E402

FIGSIZE, DPI = (12.0, 4.5), 100  # inches, dots per inch: the PNG is 1200 x 450 pixels
GRID_POINTS = 200  # points of the fitted line or sigmoid
MAX_POINTS = 5000  # rows per set drawn in a scatter (evenly spaced rows beyond that)

PlotResult = collections.namedtuple("PlotResult", "output size panel data curves run_dir notes")
PlotResult.__doc__ = """What ``plot`` drew.

Attributes:
    output: the PNG file written (str); size: ``(width, height)`` in pixels.
    panel: "fit" (one feature), "predicted_vs_actual" (linear), "roc"
        (logistic, with a confusion matrix), "confusion" (softmax), or None (no data).
    data: dict of the arrays plotted (1-D float arrays): fit: ``train_x``,
        ``train_y``, ``validation_x``, ``validation_y`` (None without a
        validation split), ``line_x``, ``line_y`` (predictions, or
        probabilities for logistic regression); predicted_vs_actual:
        ``train_actual``, ``train_predicted``, ``validation_actual``,
        ``validation_predicted``; roc: ``set`` ("validation" or "train"),
        ``fpr``, ``tpr``, ``auc`` (float; all None with one class),
        ``confusion`` (``[2, 2]`` int counts, rows actual 0/1, columns predicted 0/1)
        and ``classes`` (the class names, ``("0", "1")``); confusion: ``set``,
        ``confusion`` (``[K, K]`` int counts, rows actual, columns predicted class
        0..K-1) and ``classes`` (K names).
    curves: dict "train" / "eval" -> ``(steps, losses)`` arrays (those found).
    run_dir: the run directory the curves come from, or None.
    notes: list of str, what could not be plotted and why.
"""


def check_output(output, overwrite):
    """Raises UsageError unless ``output`` is a .png name in an existing directory that
    does not exist yet (or ``overwrite``)."""
    if not output.lower().endswith(".png"):
        raise UsageError("output {}: the figure is PNG; give a name ending in .png".format(output))
    files.check_output(output, overwrite)


def model_data(loaded):
    """``(split, None)``: the model's ``data.Split``; ``(None, note)`` when streamed or gone."""
    split, missing = restore.training_data(loaded)
    if missing == "streamed":
        return None, "data streamed from {}: not plotted".format(loaded.config.data.path)
    if missing is not None:
        return None, "training data not available ({}): not plotted".format(missing)
    return split, None


def _sets(split):
    """``(name, dataset)`` of the training and validation rows, at most ``MAX_POINTS`` each."""
    for name, dataset in (("train", split.train), ("validation", split.validation)):
        if dataset is not None:
            rows = np.unique(np.linspace(0, len(dataset.x) - 1, MAX_POINTS).astype(int))
            yield name, rows_of(dataset, rows)


def fit_data(loaded, split):
    """Points and the fitted line (linear) or sigmoid (logistic) of a one-feature model."""
    values = {"validation_x": None, "validation_y": None}
    for name, dataset in _sets(split):
        values[name + "_x"], values[name + "_y"] = dataset.x[:, 0], dataset.y[:, 0]
    shown = [v for k, v in values.items() if k.endswith("_x") and v is not None]
    low, high = min(v.min() for v in shown), max(v.max() for v in shown)
    low, high = (low - 1.0, high + 1.0) if low == high else (low, high)
    values["line_x"] = np.linspace(low, high, GRID_POINTS, dtype=np.float32)
    score = models.get(loaded.spec.model).score(loaded.tg.model)
    line_x = values["line_x"].reshape(-1, 1)
    values["line_y"] = loaded.session.run(score, {loaded.tg.x: line_x})[:, 0]
    return values


def predicted_vs_actual(loaded, split):
    """Actual and predicted values of the training and validation rows (linear)."""
    values = {"validation_actual": None, "validation_predicted": None}
    for name, dataset in _sets(split):
        values[name + "_actual"] = dataset.y[:, 0]
        values[name + "_predicted"] = restore.run_outputs(loaded, dataset)["predictions"][:, 0]
    return values


def roc_data(loaded, split):
    """ROC curve, AUC and confusion matrix on the validation rows (else the training rows)."""
    from sklearn import metrics as sk_metrics  # as tfcourse.metrics: imported when needed
    name, dataset = (("validation", split.validation) if split.validation is not None
                     else ("train", split.train))
    outputs = restore.run_outputs(loaded, dataset)
    predictions, probabilities = outputs["predictions"], outputs["probabilities"]
    y = dataset.y[:, 0].astype(int)
    values = {"set": name, "fpr": None, "tpr": None, "auc": None, "classes": loaded.spec.classes,
              "confusion": sk_metrics.confusion_matrix(y, predictions[:, 0].astype(int),
                                                       labels=[0, 1])}
    if len(np.unique(y)) == 2:
        values["fpr"], values["tpr"], _ = sk_metrics.roc_curve(y, probabilities[:, 0])
        values["auc"] = float(sk_metrics.roc_auc_score(y, probabilities[:, 0]))
    return values


def confusion_data(loaded, split):
    """Confusion matrix of the K classes on the validation rows (else the training rows)."""
    from sklearn import metrics as sk_metrics  # as tfcourse.metrics: imported when needed
    name, dataset = (("validation", split.validation) if split.validation is not None
                     else ("train", split.train))
    outputs = restore.run_outputs(loaded, dataset)
    predictions, n_classes = outputs["predictions"], outputs["probabilities"].shape[1]
    confusion = sk_metrics.confusion_matrix(dataset.y[:, 0].astype(int),
                                            predictions[:, 0].astype(int),
                                            labels=list(range(n_classes)))
    return {"set": name, "confusion": confusion,
            "classes": loaded.spec.classes}


def _note(ax, text):
    ax.set_axis_off()
    ax.text(0.5, 0.5, textwrap.fill(text, 50), ha="center", va="center",
            transform=ax.transAxes).set_in_layout(False)


def _scatter(ax, values, x_key, y_key):
    for name, colour in (("train", "tab:blue"), ("validation", "tab:orange")):
        if values[name + x_key] is not None:
            ax.scatter(values[name + x_key], values[name + y_key], s=12, alpha=0.6, color=colour,
                       label=name)


def _draw_fit(ax, values, spec):
    _scatter(ax, values, "_x", "_y")
    fitted = models.get(spec.model).FITTED.format(label=spec.label)
    ax.plot(values["line_x"], values["line_y"], color="tab:red", linewidth=2, label=fitted)
    ax.set(xlabel=spec.feature_names[0], ylabel=spec.label, title="data and fit")
    ax.legend(fontsize="small")


def _draw_predicted(ax, values, spec):
    _scatter(ax, values, "_actual", "_predicted")
    shown = [v for v in values.values() if v is not None]
    low, high = min(v.min() for v in shown), max(v.max() for v in shown)
    ax.plot([low, high], [low, high], color="gray", linestyle="--", label="y = x")
    ax.set(xlabel="actual " + spec.label, ylabel="predicted " + spec.label,
           title="predicted vs actual")
    ax.legend(fontsize="small")


def _draw_roc(ax, values):
    if values["auc"] is None:
        return _note(ax, "no ROC curve: the {} rows hold one class only".format(values["set"]))
    ax.plot(values["fpr"], values["tpr"], linewidth=2,
            label="{} (AUC {:.3f})".format(values["set"], values["auc"]))
    ax.plot([0, 1], [0, 1], color="gray", linestyle="--", label="chance")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC curve")
    ax.legend(fontsize="small", loc="lower right")


def _draw_confusion(ax, values):
    counts, ticks = values["confusion"], list(range(len(values["classes"])))
    ax.imshow(counts, cmap="Blues")
    for (row, col), count in np.ndenumerate(counts):
        ax.text(col, row, str(count), ha="center", va="center",
                fontsize="large" if len(ticks) <= 5 else "small",
                color="white" if count > counts.max() / 2 else "black")
    ax.set(xticks=ticks, yticks=ticks, xlabel="predicted", ylabel="actual",
           title="confusion matrix ({})".format(values["set"]))
    ax.set_xticklabels(values["classes"])
    ax.set_yticklabels(values["classes"])


def _draw_curves(ax, run_dir, curves):
    if not curves:
        return _note(ax, "no loss/loss events found in the model's training runs")
    for part, style in (("train", "-"), ("eval", "o-")):
        if part in curves:
            ax.plot(curves[part][0], curves[part][1], style, markersize=3, label=part)
    if all(np.all(losses > 0) for _, losses in curves.values()):
        ax.set_yscale("log")  # minor ticks labelled too when the losses span under 2 decades
        ax.yaxis.set_minor_formatter(ticker.LogFormatterSciNotation(labelOnlyBase=False,
                                                                    minor_thresholds=(2, 1)))
    ax.set(xlabel="global step", ylabel="loss", title="learning curves")
    ax.legend(fontsize="small", title=os.path.basename(run_dir), title_fontsize="small")


def _figure(loaded, panel, values, note, run_dir, curves):
    """Draws the panels into a new ``FIGSIZE`` figure."""
    figure = mpl_figure.Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, 3 if panel == "roc" else 2)
    spec = loaded.spec
    if panel == "fit":
        _draw_fit(axes[0], values, spec)
    elif panel == "predicted_vs_actual":
        _draw_predicted(axes[0], values, spec)
    elif panel == "roc":
        _draw_roc(axes[0], values)
        _draw_confusion(axes[1], values)
    elif panel == "confusion":
        _draw_confusion(axes[0], values)
    else:
        _note(axes[0], note)
    _draw_curves(axes[-1], run_dir, curves)
    features = (", ".join(spec.feature_names) if len(spec.feature_names) <= 3
                else "{} features".format(len(spec.feature_names)))
    figure.suptitle("{} regression: {} -> {} (global step {})".format(
        spec.model, features, spec.label, loaded.global_step))
    figure.tight_layout(rect=(0, 0, 1, 0.93))
    return figure


def _save(figure, output):
    """Writes the PNG to a temporary file beside ``output`` and renames it into place."""
    with files.atomic_write(output, "wb") as stream_:
        figure.savefig(stream_, format="png", dpi=DPI)


_PANELS = {"predicted_vs_actual": predicted_vs_actual, "roc": roc_data,
           "confusion": confusion_data}


def _data_panel(loaded, split):
    model = models.get(loaded.spec.model)
    columns = loaded.spec.columns
    if len(columns) == 1 and columns[0].kind == "numeric" and model.FITTED is not None:
        return "fit", fit_data(loaded, split)
    panel = model.PLOT_PANEL
    return panel, _PANELS[panel](loaded, split)


def plot(ckpt, output, overwrite=False, out=print):
    """Writes a 1200 x 450 pixel PNG (12 x 4.5 inches at 100 dpi) of the model at ``ckpt``.

    Args:
        ckpt: a model directory (latest checkpoint) or a checkpoint prefix.
        output: the PNG file to write; it appears only once complete.
        overwrite: replace ``output`` if it exists.
        out: callable taking one line of text.

    Returns:
        a ``PlotResult``.

    Raises:
        UsageError: ``output`` exists (without ``overwrite``), is a directory,
            does not end in .png, or its directory does not exist.
        DataError: no checkpoint at ``ckpt``, or not a tfcourse model directory.
    """
    check_output(output, overwrite)
    with restore.open_model(ckpt) as loaded:
        split, note = model_data(loaded)
        panel, values = _data_panel(loaded, split) if split is not None else (None, {})
    notes = [note] if note else []
    run_dirs = model_dir_lib.read_runs(os.path.dirname(loaded.checkpoint) or ".")
    run_dir, curves = learning_curves(run_dirs)
    if not curves:
        notes.append("no loss/loss events in the model's runs ({})".format(
            ", ".join(run_dirs) or "none recorded in model.json"))
    _save(_figure(loaded, panel, values, note, run_dir, curves), output)
    size = (int(FIGSIZE[0] * DPI), int(FIGSIZE[1] * DPI))
    out("wrote {} ({}x{} px) of {} (global_step {}){}".format(
        output, size[0], size[1], loaded.checkpoint, loaded.global_step,
        "; learning curves from {}".format(run_dir) if run_dir else ""))
    for line in notes:
        out("note: " + line)
    return PlotResult(output=output, size=size, panel=panel, data=values, curves=curves,
                      run_dir=run_dir, notes=notes)
