"""Softmax (multinomial logistic) regression: logits = x·W + b, W ``[n_features, K]``,
softmax cross-entropy loss; the course's next lesson after logistic regression."""

import collections

import numpy as np

from tfcourse import metrics as metrics_lib
from tfcourse.models.base import Model, mean_loss
from tfcourse.tf_compat import tf

NAME = "softmax"
SCOPE = "softmax_model"
LABELS = "classes"  # what the label must be (tfcourse.data.labels.KINDS)
BUILTIN_DATA = "classes3"
PLOT_PANEL = "confusion"  # tfcourse plot: the confusion matrix of the K classes
FITTED = None  # no one-feature fit panel: the confusion matrix whatever the number of features


def build(x, y, n_features, seed, n_classes=2, row_weights=None):
    """Builds softmax regression in scopes ``softmax_model`` and ``loss``.

    The loss is the mean of ``tf.nn.softmax_cross_entropy_with_logits_v2`` on
    one-hot labels: ``-sum_k y_k·log softmax(z)_k`` computed from the logits
    (``logsumexp(z) - z_y``), never as the log of a probability, so confident
    predictions cannot turn it into NaN or inf. The one-hot labels are
    constants of the loss (``tf.stop_gradient``): only W and b are trained.

    Args:
        x: ``[batch, n_features]`` float32 features.
        y: ``[batch, 1]`` float32 class indices 0., 1., ..., n_classes - 1 (an
            index outside that range is an all-zero one-hot row: checked by the data side).
        n_features: number of features (int >= 1).
        seed: op-level seed (int) of the random-normal initialisers.
        n_classes: number of classes K (int >= 2).
        row_weights: ``[batch, 1]`` float32 weights of the rows' losses (>= 0), or None:
            the loss is their weighted mean (``base.mean_loss``).

    Returns:
        a ``Model`` with weights ``[n_features, K]``, bias ``[K]``, logits and
        probabilities (softmax) ``[batch, K]``, and predictions ``[batch, 1]``
        float32: the index of the largest logit (the first one on a tie).
    """
    with tf.variable_scope(SCOPE):
        weights = tf.get_variable(
            "weights", [n_features, n_classes], tf.float32,
            initializer=tf.random_normal_initializer(stddev=0.01, seed=seed))
        bias = tf.get_variable(
            "bias", [n_classes], tf.float32, initializer=tf.random_normal_initializer(
                stddev=0.01, seed=seed + 1))
        logits = tf.add(tf.matmul(x, weights), bias, name="logits")
        probabilities = tf.nn.softmax(logits, name="probabilities")
        predictions = tf.cast(tf.argmax(logits, axis=1)[:, None], tf.float32,
                              name="predictions")
    with tf.variable_scope("loss"):
        one_hot = tf.stop_gradient(tf.one_hot(tf.cast(y[:, 0], tf.int32), n_classes,
                                              dtype=tf.float32))
        loss = mean_loss(
            tf.nn.softmax_cross_entropy_with_logits_v2(labels=one_hot, logits=logits),
            row_weights, "cross_entropy")
    return Model(predictions=predictions, loss=loss, weights=weights, bias=bias,
                 logits=logits, probabilities=probabilities)


def fit_warning(labels, predictions, weights, step):
    """A warning when the training rows hold more than one class and every one is classified
    right: on separable data the weights grow without bound (the loss has no minimum), so
    more steps never converge.

    Args:
        labels, predictions: ``[n, 1]`` float32 class indices; weights: ``[n_features, K]``
        float32; step: the global step reached.

    Returns:
        the warning (str), or None.
    """
    if len(np.unique(labels)) < 2 or not np.array_equal(predictions, labels):
        return None
    return ("the training data are linearly separable: the weights grow without bound "
            "(|W| = {:.3g} at step {}) and the loss only approaches 0; more steps will not "
            "converge".format(float(np.linalg.norm(weights)), step))


def outputs(model):
    """``{"predictions": [batch, 1] class index, "probabilities": [batch, K] P(y = k)}``,
    float32."""
    return collections.OrderedDict([("predictions", model.predictions),
                                    ("probabilities", model.probabilities)])


def score(model):
    """The ``[batch, K]`` class probabilities (log loss needs them; argmax is the class)."""
    return model.probabilities


def metrics(y_true, scores, sample_weight=None, classes=None):
    """Log loss, accuracy, macro F1 and per-class precision and recall of ``scores``
    (``[n, K]`` probabilities) against ``y_true`` (``[n, 1]`` class indices), rows weighted
    by ``sample_weight`` if given; see ``tfcourse.metrics.multiclass`` (``classes``: the
    class names in the per-class keys, ``precision[Adelie]``)."""
    return metrics_lib.multiclass(np.asarray(y_true), np.asarray(scores), classes,
                                  sample_weight)
