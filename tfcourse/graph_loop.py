"""The in-graph training loop: up to ``steps`` gradient-descent steps in one ``session.run``."""

import collections

from tfcourse.tf_compat import tf

LoopOutputs = collections.namedtuple("LoopOutputs", "steps_done loss finite")
LoopOutputs.__doc__ = """``steps_done`` int32; ``loss`` float32, the loss the last step started
from; ``finite`` bool, False when that loss or the parameters are not finite."""


def train_loop_ops(loss_fn, optimizer, var_list, global_step, model):
    """Up to ``steps`` gradient-descent steps in one ``session.run`` (a ``tf.while_loop``).

    Each iteration builds the loss anew on the same variables (``loss_fn``) and
    applies the optimizer to it: the same ops as ``train_op``, so K steps in
    one run are bit-identical to K runs of one step. The loop stops early
    after a step whose loss is not finite; ``global_step`` then advances by the
    steps done, and the outputs say whether the loss and the updated
    parameters are finite.

    Returns:
        ``(steps, LoopOutputs)``; ``steps`` an int32 scalar placeholder.
    """
    steps = tf.placeholder(tf.int32, [], name="steps")

    def cond(done, loss):
        return tf.logical_and(done < steps, tf.is_finite(loss))

    def body(done, loss):
        loss = loss_fn()
        step = optimizer.minimize(loss, var_list=var_list)
        with tf.control_dependencies([step]):
            return done + 1, tf.identity(loss)

    done, loss = tf.while_loop(cond, body, [tf.constant(0), tf.constant(0.0)],
                               parallel_iterations=1, back_prop=False, name="train_loop")
    advance = tf.assign_add(global_step, tf.cast(done, tf.int64))
    with tf.control_dependencies([advance]):
        checks = [tf.reduce_all(tf.is_finite(value)) for value in
                  (loss, model.weights.read_value(), model.bias.read_value())]
        outputs = LoopOutputs(steps_done=tf.identity(done), loss=tf.identity(loss),
                              finite=tf.reduce_all(tf.stack(checks), name="finite"))
    return steps, outputs
