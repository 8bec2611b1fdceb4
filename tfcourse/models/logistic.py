"""Logistic regression graph: logits = x·W + b, sigmoid cross-entropy loss."""

from tfcourse.models import Model
from tfcourse.tf_compat import tf


def build(x, y, n_features, seed):
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

    Returns:
        a ``Model`` with logits, probabilities (sigmoid) and predictions
        (1. where the probability is above 0.5, else 0.).
    """
    with tf.variable_scope("logistic_model"):
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
        loss = tf.reduce_mean(
            tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits), name="log_loss")
    return Model(predictions=predictions, loss=loss, weights=weights, bias=bias,
                 logits=logits, probabilities=probabilities)
