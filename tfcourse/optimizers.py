"""Gradient descent as tfcourse trains with it: a learning-rate schedule over the global step,
an L2 penalty in the gradient and an L1 penalty by a proximal step, on the weights only.

The objective is ``loss + l2 * sum(W^2) + l1 * sum(|W|)`` (Keras' ``l1_l2`` regulariser
convention); the bias is never penalised. One step is

    W <- prox(W - rate * grad(loss + l2 * sum(W^2)))    prox(v) = sign(v) * max(|v| - rate * l1, 0)
    b <- b - rate * grad(loss)

which is ``tf.train.ProximalGradientDescentOptimizer`` with ``l1_regularization_strength`` on
the weights (its update is that soft-thresholding) and plain gradient descent on the bias.
"""

from tfcourse.tf_compat import tf

DECAYS = ("none", "exponential", "inverse_time")


def base_rate_variable(initial):
    """The ``optimizer/base_learning_rate`` variable: float32 scalar, not trained and not saved
    in the checkpoint (``learning_rate: auto`` loads its value computed from the data, see
    ``set_base_rate``)."""
    return tf.get_variable("base_learning_rate", [], tf.float32,
                           tf.constant_initializer(initial), trainable=False)


def set_base_rate(session, variable, rate):
    """Loads the base learning rate (a float) into ``variable`` (by a feed: no new op)."""
    variable.load(rate, session)


def scheduled_rate(base, step, decay="none", decay_rate=0.96, decay_steps=1000):
    """The learning rate at ``step`` (int64 scalar tensor).

    ``exponential``: ``base * decay_rate^(step / decay_steps)``; ``inverse_time``:
    ``base / (1 + decay_rate * step / decay_steps)``; ``none``: ``base``: the formulas of
    ``tf.train.exponential_decay`` and ``tf.train.inverse_time_decay`` (``staircase=False``),
    written out so that the schedule is one expression on both TensorFlow legs.

    Returns:
        float32 scalar tensor.
    """
    progress = tf.cast(step, tf.float32) / float(decay_steps)
    if decay == "exponential":
        return tf.multiply(base, tf.pow(float(decay_rate), progress), name="learning_rate")
    if decay == "inverse_time":
        return tf.divide(base, 1.0 + float(decay_rate) * progress, name="learning_rate")
    return tf.identity(base, name="learning_rate")


def penalty(weights, l1=0.0, l2=0.0):
    """``l2 * sum(W^2) + l1 * sum(|W|)`` of ``weights`` (float32 scalar tensor; 0 when both
    strengths are 0)."""
    total = tf.constant(0.0)
    if l2:
        total += l2 * tf.reduce_sum(tf.square(weights))
    if l1:
        total += l1 * tf.reduce_sum(tf.abs(weights))
    return total


class GradientDescent(object):
    """Gradient descent on ``loss + penalty`` with the L1 part by a proximal step.

    Args:
        rate_at: function of an int64 step tensor giving the float32 learning rate.
        global_step: the int64 global step variable.
        weights: the model's weights variable (the only penalised one).
        l1, l2: penalty strengths (floats >= 0).
    """

    takes_steps_done = True  # graph_loop passes the step's offset in the run to minimize

    def __init__(self, rate_at, global_step, weights, l1=0.0, l2=0.0):
        self.rate_at = rate_at
        self.global_step = global_step
        self.weights = weights
        self.l1 = l1
        self.l2 = l2

    def smooth_loss(self, loss):
        """``loss + l2 * sum(W^2)``: what the gradient is taken of."""
        return loss + self.l2 * tf.reduce_sum(tf.square(self.weights)) if self.l2 else loss

    def plain(self):
        """A ``tf.train.GradientDescentOptimizer`` at the current global step's rate, for
        wrappers that need a ``tf.train.Optimizer`` (``SyncReplicasOptimizer``); minimise
        ``smooth_loss`` with it (L1 is not available there)."""
        return tf.train.GradientDescentOptimizer(self.rate_at(self.global_step))

    def minimize(self, loss, var_list, global_step=None, name=None, steps_done=None):
        """One step on ``var_list``; the learning rate is the schedule's at ``global_step``
        plus ``steps_done`` (int32 tensor: the steps an in-graph loop did before this one).

        Returns:
            the step's op (it increments ``global_step`` when given).
        """
        step = tf.identity(self.global_step)
        if steps_done is not None:
            step += tf.cast(steps_done, tf.int64)
        rate = self.rate_at(step)
        gradients = tf.gradients(self.smooth_loss(loss), var_list)
        proximal = [(g, v) for g, v in zip(gradients, var_list) if self.l1 and v is self.weights]
        plain = [(g, v) for g, v in zip(gradients, var_list) if not (self.l1 and v is self.weights)]
        updates = []
        if proximal:
            updates.append(tf.train.ProximalGradientDescentOptimizer(
                rate, l1_regularization_strength=self.l1).apply_gradients(proximal))
        if plain:
            updates.append(tf.train.GradientDescentOptimizer(rate).apply_gradients(plain))
        if global_step is None:
            return tf.group(*updates, name=name)
        with tf.control_dependencies(updates):
            return tf.assign_add(global_step, 1, name=name).op
