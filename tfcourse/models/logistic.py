"""Logistic regression: logits = x·W + b, sigmoid cross-entropy loss."""

import collections

import numpy as np

from tfcourse import metrics as metrics_lib
from tfcourse.models.base import Model, mean_loss
from tfcourse.tf_compat import tf

NAME = "logistic"
SCOPE = "logistic_model"
LABELS = "binary"  # what the label must be (tfcourse.data.labels.KINDS)
BUILTIN_DATA = "classes"
PLOT_PANEL = "roc"  # tfcourse plot, several features: ROC curve and confusion matrix
FITTED = "fitted P({label} = 1)"  # tfcourse plot, one feature: legend of the fitted sigmoid


def build(x, y, n_features, seed, n_classes=2, row_weights=None):
    """Builds logistic regression in scopes ``logistic_model`` and ``loss``.

    The loss is computed from the logits with
    ``tf.nn.sigmoid_cross_entropy_with_logits`` (max(z, 0) - z·y +
    log(1 + exp(-|z|))), never as the log of a probability, so confident
    predictions cannot turn it into NaN or inf.

    Args:
        x: ``[batch, n_features]`` float32 features.
        y: ``[batch, 1]`` float32 labels in {0., 1.}.
        n_features: number of features (int >= 1).
        seed: op-level seed (int) of the random-normal initialisers.
        n_classes: not used (the softmax model's number of classes).
        row_weights: ``[batch, 1]`` float32 weights of the rows' losses (>= 0), or None:
            the loss is their weighted mean (``base.mean_loss``).

    Returns:
        a ``Model`` with logits, probabilities (sigmoid) and predictions
        (1. where the probability is above 0.5, else 0.).
    """
    del n_classes
    with tf.variable_scope(SCOPE):
        weights = tf.get_variable(
            "weights", [n_features, 1], tf.float32,
            initializer=tf.random_normal_initializer(stddev=0.01, seed=seed))
        bias = tf.get_variable(
            "bias", [1], tf.float32, initializer=tf.random_normal_initializer(
                stddev=0.01, seed=seed + 1))
        logits = tf.add(tf.matmul(x, weights), bias, name="logits")
        probabilities = tf.sigmoid(logits, name="probabilities")
        predictions = tf.cast(probabilities > 0.5, tf.float32, name="predictions")
    with tf.variable_scope("loss"):
        loss = mean_loss(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits),
                         row_weights, "log_loss")
    return Model(predictions=predictions, loss=loss, weights=weights, bias=bias,
                 logits=logits, probabilities=probabilities)


def fit_warning(labels, predictions, weights, step):
    """A warning when every training row is classified right: on separable data the weights
    grow without bound (the loss has no minimum), so more steps never converge.

    Args:
        labels, predictions: ``[n, 1]`` float32 0./1.; weights: ``[n_features, 1]`` float32;
        step: the global step reached.

    Returns:
        the warning (str), or None.
    """
    if not np.array_equal(predictions, labels):
        return None
    return ("the training data are linearly separable: the weights grow without bound "
            "(|W| = {:.3g} at step {}) and the loss only approaches 0; more steps will not "
            "converge".format(float(np.linalg.norm(weights)), step))


def outputs(model):
    """``{"predictions": [batch, 1] 0./1., "probabilities": [batch, 1] P(y = 1)}``, float32."""
    return collections.OrderedDict([("predictions", model.predictions),
                                    ("probabilities", model.probabilities)])


def score(model):
    """P(y = 1): classification metrics need probabilities (log loss, ROC AUC)."""
    return model.probabilities


def metrics(y_true, scores, sample_weight=None, classes=None):
    """Log loss, accuracy, precision, recall, F1, ROC AUC of ``scores`` (probabilities), rows
    weighted by ``sample_weight`` (``[n, 1]``) if given (``classes``: not used; the positive
    class is the second)."""
    del classes
    return metrics_lib.classification(np.asarray(y_true), np.asarray(scores),
                                      sample_weight=sample_weight)
