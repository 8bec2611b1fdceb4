"""Evaluation metrics, computed with scikit-learn from numpy arrays.

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
import warnings

import numpy as np


def _sk_metrics():
    """``sklearn.metrics``, imported when first needed: it takes a third of a second, which
    a run without a validation split does not pay."""
    with warnings.catch_warnings():
        # scipy's compiled modules were built against a newer numpy header; harmless.
        warnings.filterwarnings("ignore", message="numpy.ufunc size changed")
        from sklearn import metrics
    return metrics


def regression(y_true, y_pred, sample_weight=None):
    """Regression metrics.

    Args:
        y_true: ``[n]`` or ``[n, 1]`` targets.
        y_pred: predictions of the same shape.

    Returns:
        OrderedDict of float: mse, rmse, mae, r2 (NaN for r2 when the
        targets are constant).
    """
    sk_metrics = _sk_metrics()
    y_true = np.ravel(y_true).astype(np.float64)
    y_pred = np.ravel(y_pred).astype(np.float64)
    sw = _weights(sample_weight)
    mse = sk_metrics.mean_squared_error(y_true, y_pred, sample_weight=sw)
    r2 = (sk_metrics.r2_score(y_true, y_pred, sample_weight=sw) if np.ptp(y_true) > 0
          else float("nan"))
    return collections.OrderedDict([
        ("mse", float(mse)), ("rmse", math.sqrt(mse)),
        ("mae", float(sk_metrics.mean_absolute_error(y_true, y_pred, sample_weight=sw))),
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
    sk_metrics = _sk_metrics()
    y_true = np.ravel(y_true).astype(np.int64)
    probabilities = np.ravel(probabilities).astype(np.float64)
    y_pred = (probabilities > threshold).astype(np.int64)
    both = len(np.unique(y_true)) == 2
    sw = _weights(sample_weight)
    return collections.OrderedDict([
        ("log_loss", float(sk_metrics.log_loss(y_true, probabilities, labels=[0, 1],
                                                     sample_weight=sw))),
        ("accuracy", float(sk_metrics.accuracy_score(y_true, y_pred, sample_weight=sw))),
        ("precision", float(sk_metrics.precision_score(y_true, y_pred, zero_division=0,
                                                         sample_weight=sw))),
        ("recall", float(sk_metrics.recall_score(y_true, y_pred, zero_division=0,
                                                   sample_weight=sw))),
        ("f1", float(sk_metrics.f1_score(y_true, y_pred, zero_division=0, sample_weight=sw))),
        ("roc_auc", float(sk_metrics.roc_auc_score(y_true, probabilities, sample_weight=sw)) if both
         else float("nan")),
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
    sk_metrics = _sk_metrics()
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
    labels = list(range(n_classes))
    y_pred = np.argmax(probabilities, axis=1)
    probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)
    sw = _weights(sample_weight)
    values = collections.OrderedDict([
        ("log_loss", float(sk_metrics.log_loss(y_true, probabilities, labels=labels,
                                                     sample_weight=sw))),
        ("accuracy", float(sk_metrics.accuracy_score(y_true, y_pred, sample_weight=sw))),
        ("f1_macro", float(sk_metrics.f1_score(y_true, y_pred, labels=labels, average="macro",
                                               zero_division=0, sample_weight=sw))),
    ])
    precision, recall, _, _ = sk_metrics.precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0, sample_weight=sw)
    for name, class_precision, class_recall in zip(names, precision, recall):
        values["precision[{}]".format(name)] = float(class_precision)
        values["recall[{}]".format(name)] = float(class_recall)
    return values


def _weights(sample_weight):
    """``[n]`` float64 row weights for scikit-learn's ``sample_weight``, or None."""
    return None if sample_weight is None else np.ravel(sample_weight).astype(np.float64)


def format_metrics(values):
    """One line: ``mse 0.0123  rmse 0.111 ...``."""
    return "  ".join("{} {:.6g}".format(name, value) for name, value in values.items())
