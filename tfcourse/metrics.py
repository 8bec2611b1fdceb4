"""Evaluation metrics, computed with numpy from numpy arrays (microseconds for the sizes
tfcourse evaluates; the definitions are scikit-learn's, which the tests compare them with).

Regression: MSE, RMSE, MAE, R² (coefficient of determination, 1 - SS_res / SS_tot).
Classification: log loss, accuracy, precision, recall, F1 (positive class 1)
and ROC AUC; precision and F1 are 0 when nothing is predicted positive, ROC AUC
is NaN when the labels hold one class only. Every function takes ``sample_weight``
(``[n]`` or ``[n, 1]``, the ``data.weight`` column's values), as scikit-learn does.
Several classes: log loss, accuracy, macro F1 and each class's precision and recall
(0 for a class never predicted, or never present).
"""

import collections
import math

import numpy as np

_EPS = np.finfo(np.float64).eps  # probabilities are clipped to [eps, 1 - eps] for the log loss


def _ratio(numerator, denominator):
    """``numerator / denominator``, 0 where the denominator is 0 (scikit-learn's
    ``zero_division=0``)."""
    numerator, denominator = np.asarray(numerator, np.float64), np.asarray(denominator, np.float64)
    return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), 0.0)


def _counts(y_true, y_pred, n_classes, weights):
    """Per class ``(true positives, predicted, actual)`` weighted counts, ``[K]`` float64."""
    tp = np.bincount(y_true[y_true == y_pred], weights[y_true == y_pred], minlength=n_classes)
    predicted = np.bincount(y_pred, weights, minlength=n_classes)
    actual = np.bincount(y_true, weights, minlength=n_classes)
    return tp, predicted, actual


def _f1(tp, predicted, actual):
    """F1 = 2 tp / (2 tp + fp + fn) = 2 tp / (predicted + actual), 0 when both are 0."""
    return _ratio(2 * tp, predicted + actual)


def roc_auc(y_true, scores, weights):
    """Area under the ROC curve: trapezoids between the (false, true) positive rates at
    each distinct score, highest first (ties form one point), as scikit-learn's
    ``roc_auc_score``. ``y_true`` in {0, 1}, both present; ``weights`` ``[n]``."""
    order = np.argsort(-scores, kind="mergesort")
    scores, y_true, weights = scores[order], y_true[order], weights[order]
    last_of_value = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]
    tps = np.r_[0.0, np.cumsum(y_true * weights)[last_of_value]]
    fps = np.r_[0.0, np.cumsum((1 - y_true) * weights)[last_of_value]]
    area = np.sum(np.diff(fps) * (tps[1:] + tps[:-1]) / 2.0)
    return float(area / (tps[-1] * fps[-1]))


def regression(y_true, y_pred, sample_weight=None):
    """Regression metrics.

    Args:
        y_true: ``[n]`` or ``[n, 1]`` targets.
        y_pred: predictions of the same shape.

    Returns:
        OrderedDict of float: mse, rmse, mae, r2 (NaN for r2 when the
        targets are constant).
    """
    y_true = np.ravel(y_true).astype(np.float64)
    y_pred = np.ravel(y_pred).astype(np.float64)
    sw = _weights(sample_weight, len(y_true))
    mse = float(np.average((y_true - y_pred) ** 2, weights=sw))
    r2 = float("nan")
    if np.ptp(y_true) > 0:
        total = np.sum(sw * (y_true - np.average(y_true, weights=sw)) ** 2)
        r2 = 1.0 - np.sum(sw * (y_true - y_pred) ** 2) / total if total > 0 else float("nan")
    return collections.OrderedDict([
        ("mse", mse), ("rmse", math.sqrt(mse)),
        ("mae", float(np.average(np.abs(y_true - y_pred), weights=sw))),
        ("r2", float(r2))])


def classification(y_true, probabilities, threshold=0.5, sample_weight=None):
    """Binary classification metrics.

    Args:
        y_true: ``[n]`` or ``[n, 1]`` labels in {0, 1}.
        probabilities: predicted P(y = 1), same shape.
        threshold: probabilities above it are predicted as class 1.

    Returns:
        OrderedDict of float: log_loss, accuracy, precision, recall, f1, roc_auc.
    """
    y_true = np.ravel(y_true).astype(np.int64)
    probabilities = np.ravel(probabilities).astype(np.float64)
    y_pred = (probabilities > threshold).astype(np.int64)
    sw = _weights(sample_weight, len(y_true))
    p = np.clip(probabilities, _EPS, 1 - _EPS)
    log_loss = -np.average(y_true * np.log(p) + (1 - y_true) * np.log(1 - p), weights=sw)
    tp, predicted, actual = _counts(y_true, y_pred, 2, sw)
    both = len(np.unique(y_true)) == 2
    return collections.OrderedDict([
        ("log_loss", float(log_loss)),
        ("accuracy", float(np.average(y_true == y_pred, weights=sw))),
        ("precision", float(_ratio(tp[1], predicted[1]))),
        ("recall", float(_ratio(tp[1], actual[1]))),
        ("f1", float(_f1(tp[1], predicted[1], actual[1]))),
        ("roc_auc", roc_auc(y_true, probabilities, sw) if both else float("nan")),
    ])


def multiclass(y_true, probabilities, class_names=None, sample_weight=None):
    """Metrics of K classes.

    The predicted class is the most probable one (the first on a tie). Macro F1 is
    the unweighted mean of the K classes' F1 scores (scikit-learn's
    ``f1_score(average="macro")`` over every class 0..K-1, present or not).

    Args:
        y_true: ``[n]`` or ``[n, 1]`` class indices 0..K-1 (any numeric dtype).
        probabilities: ``[n, K]`` predicted P(y = k) (each row is renormalised to sum
            to 1 in float64 before the log loss: float32 rows miss 1 by ~1e-7).
        class_names: K names (str) for the per-class keys, or None: the indices.

    Returns:
        OrderedDict of float: log_loss, accuracy, f1_macro, then per class
        ``precision[<name>]`` and ``recall[<name>]``.

    Raises:
        ValueError: ``class_names`` is not K names, or a label is not one of 0..K-1.
    """
    probabilities = np.asarray(probabilities, np.float64)
    n_classes = probabilities.shape[1]
    names = [str(k) for k in range(n_classes)] if class_names is None else list(class_names)
    if len(names) != n_classes:
        raise ValueError("class_names: {} names for {} classes".format(len(names), n_classes))
    y_true = np.ravel(y_true)
    outside = (y_true != np.round(y_true)) | (y_true < 0) | (y_true >= n_classes)
    if outside.any():
        raise ValueError("label {:g}: not a class index 0..{}".format(
            float(y_true[outside][0]), n_classes - 1))
    y_true = y_true.astype(np.int64)
    y_pred = np.argmax(probabilities, axis=1)
    sw = _weights(sample_weight, len(y_true))
    clipped = np.clip(probabilities, _EPS, 1 - _EPS)
    clipped = clipped / clipped.sum(axis=1, keepdims=True)
    tp, predicted, actual = _counts(y_true, y_pred, n_classes, sw)
    values = collections.OrderedDict([
        ("log_loss", float(-np.average(np.log(clipped[np.arange(len(y_true)), y_true]),
                                       weights=sw))),
        ("accuracy", float(np.average(y_true == y_pred, weights=sw))),
        ("f1_macro", float(np.mean(_f1(tp, predicted, actual)))),
    ])
    for name, class_precision, class_recall in zip(names, _ratio(tp, predicted),
                                                   _ratio(tp, actual)):
        values["precision[{}]".format(name)] = float(class_precision)
        values["recall[{}]".format(name)] = float(class_recall)
    return values


def _weights(sample_weight, n):
    """``[n]`` float64 row weights (ones when ``sample_weight`` is None)."""
    return (np.ones(n) if sample_weight is None
            else np.ravel(sample_weight).astype(np.float64))


def format_metrics(values):
    """One line: ``mse 0.0123  rmse 0.111 ...``."""
    return "  ".join("{} {:.6g}".format(name, value) for name, value in values.items())
