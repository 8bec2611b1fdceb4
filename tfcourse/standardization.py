"""Standardisation inside the graph at no cost per step.

The statistics are variables saved in the checkpoint (``standardize/mean``,
``standardize/std``, ``[n_features]`` float32), and every graph takes raw
features. Instead of computing ``(x − mean)/std`` (a new ``[batch, n_features]``
tensor every step: 0.6–1.4 s per step on 1,000,000 × 100 rows against 0.1 s
without), the statistics are folded into the model's linear map:
``x·(W/std) + (b − mean·W/std)`` equals ``((x − mean)/std)·W + b``, and only
weight-sized tensors are new per step. ``scripts/bench.py`` (section
``standardize``) compares this with standardising per step and with storing
standardised rows once.

The weights are ``[n_features, K]`` and the bias ``[K]`` (K = 1 but for softmax
regression's K classes): ``W/std`` divides row i of W by ``std[i]``, and
``mean·(W/std)`` is a ``[K]`` shift of the bias, column by column.
"""

from tfcourse.tf_compat import tf


def standardization_variables(n_features):
    """The ``standardize/mean`` and ``standardize/std`` variables (``[n_features]`` float32,
    not trainable, saved in the checkpoint; 0 and 1 until set)."""
    with tf.variable_scope("standardize", reuse=tf.AUTO_REUSE):
        mean = tf.get_variable("mean", [n_features], tf.float32, tf.zeros_initializer(),
                               trainable=False)
        std = tf.get_variable("std", [n_features], tf.float32, tf.ones_initializer(),
                              trainable=False)
    return mean, std


def fold_standardization(mean, std, found):
    """A variable-scope custom getter that folds z-scores into the model's linear map.

    The model computes ``x·W + b``; with this getter it gets ``W/std`` for its
    ``weights`` and ``b − mean·(W/std)`` for its ``bias``, so it computes
    ``((x − mean)/std)·W + b`` from raw ``x`` without a standardised copy of
    ``x`` (a ``[batch, n_features]`` tensor per step). The variables, their
    names and their meaning (weights of standardised features) do not change.

    Args:
        mean, std: ``[n_features]`` float32 tensors (the weights are
            ``[n_features, K]``, the bias ``[K]``, for any K >= 1).
        found: dict filled with the real variables by their last name part
            (``"weights"``, ``"bias"``).

    Raises:
        ValueError: the model asks for its bias before its weights.
    """
    def folding_getter(getter, name, *args, **kwargs):
        variable = getter(name, *args, **kwargs)
        short = name.rsplit("/", 1)[-1]
        found[short] = variable
        if short == "weights":
            found["folded_weights"] = tf.div(variable, tf.expand_dims(std, 1),
                                             name="folded_weights")
            return found["folded_weights"]
        if short == "bias":
            if "folded_weights" not in found:
                raise ValueError("fold_standardization: bias requested before weights")
            shift = tf.matmul(tf.expand_dims(mean, 0), found.pop("folded_weights"))
            return tf.subtract(variable, tf.reshape(shift, tf.shape(variable)), name="folded_bias")
        return variable
    return folding_getter


def set_standardization(session, train_graph, mean, std):
    """Sets the standardisation variables (``[n_features]`` float32 each).

    Uses ``Variable.load``, which feeds the value: no constant joins the graph.
    """
    train_graph.mean.load(mean, session)
    train_graph.std.load(std, session)
