"""Linear regression, as in the course: y_hat = x·W + b, mean squared error."""

import collections

import numpy as np

from tfcourse import metrics as metrics_lib
from tfcourse.models.base import Model, mean_loss
from tfcourse.tf_compat import tf

NAME = "linear"
SCOPE = "linear_model"
LABELS = "number"  # what the label must be (tfcourse.data.labels.KINDS)
BUILTIN_DATA = "course"
PLOT_PANEL = "predicted_vs_actual"  # tfcourse plot, several features: predicted against actual
FITTED = "fitted line"  # tfcourse plot, one feature: legend of the fitted curve


def build(x, y, n_features, seed, n_classes=2, row_weights=None):
    """Builds linear regression in scopes ``linear_model`` and ``loss``.

    Args:
        x: ``[batch, n_features]`` float32 features.
        y: ``[batch, 1]`` float32 targets.
        n_features: number of features (int >= 1).
        seed: op-level seed (int) of the random-normal initialisers.
        n_classes: not used (the softmax model's number of classes).
        row_weights: ``[batch, 1]`` float32 weights of the rows' losses (>= 0), or None:
            the loss is their weighted mean (``base.mean_loss``).

    Returns:
        a ``Model``; ``loss`` is the mean squared error
        ``reduce_mean(square(x·W + b - y))``.
    """
    del n_classes
    with tf.variable_scope(SCOPE):
        weights = tf.get_variable(
            "weights", [n_features, 1], tf.float32,
            initializer=tf.random_normal_initializer(seed=seed))
        bias = tf.get_variable(
            "bias", [1], tf.float32, initializer=tf.random_normal_initializer(seed=seed + 1))
        predictions = tf.add(tf.matmul(x, weights), bias, name="predictions")
    with tf.variable_scope("loss"):
        loss = mean_loss(tf.square(predictions - y), row_weights, "mse")
    return Model(predictions=predictions, loss=loss, weights=weights, bias=bias,
                 logits=None, probabilities=None)


def fit_warning(labels, predictions, weights, step):
    """Least squares always has a minimum: nothing to warn about (None)."""
    del labels, predictions, weights, step
    return None


def outputs(model):
    """``{"predictions": [batch, 1] float32}``."""
    return collections.OrderedDict([("predictions", model.predictions)])


def score(model):
    """The predictions: regression metrics compare them with the targets."""
    return model.predictions


def metrics(y_true, scores, sample_weight=None, classes=None):
    """MSE, RMSE, MAE, R² of ``scores`` (predictions) against ``y_true`` (``tfcourse.metrics``),
    rows weighted by ``sample_weight`` (``[n, 1]``) if given (``classes``: not used)."""
    del classes
    return metrics_lib.regression(np.asarray(y_true), np.asarray(scores),
                                  sample_weight=sample_weight)
