"""Evaluation metrics, computed with scikit-learn from numpy arrays.

Regression: MSE, RMSE, MAE, R² (coefficient of determination, 1 - SS_res / SS_tot).
Classification: log loss, accuracy, precision, recall, F1 (positive class 1)
and ROC AUC; precision and F1 are 0 when nothing is predicted positive, ROC AUC
is NaN when the labels hold one class only.
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


def regression(y_true, y_pred):
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
    mse = sk_metrics.mean_squared_error(y_true, y_pred)
    r2 = sk_metrics.r2_score(y_true, y_pred) if np.ptp(y_true) > 0 else float("nan")
    return collections.OrderedDict([
        ("mse", float(mse)), ("rmse", math.sqrt(mse)),
        ("mae", float(sk_metrics.mean_absolute_error(y_true, y_pred))), ("r2", float(r2))])


def classification(y_true, probabilities, threshold=0.5):
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
    return collections.OrderedDict([
        ("log_loss", float(sk_metrics.log_loss(y_true, probabilities, labels=[0, 1]))),
        ("accuracy", float(sk_metrics.accuracy_score(y_true, y_pred))),
        ("precision", float(sk_metrics.precision_score(y_true, y_pred, zero_division=0))),
        ("recall", float(sk_metrics.recall_score(y_true, y_pred, zero_division=0))),
        ("f1", float(sk_metrics.f1_score(y_true, y_pred, zero_division=0))),
        ("roc_auc", float(sk_metrics.roc_auc_score(y_true, probabilities)) if both
         else float("nan")),
    ])


def format_metrics(values):
    """One line: ``mse 0.0123  rmse 0.111 ...``."""
    return "  ".join("{} {:.6g}".format(name, value) for name, value in values.items())
