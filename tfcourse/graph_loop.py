"""The in-graph training loop: ``steps`` gradient-descent steps in one ``session.run``, with
the loss of every step (and any other per-step scalar) recorded on the way."""

import collections

from tfcourse.tf_compat import tf

LoopOutputs = collections.namedtuple("LoopOutputs", "steps_done loss finite recorded global_step")
LoopOutputs.__doc__ = """What one run of the loop returns.

Attributes:
    steps_done: int32, the steps run (= ``steps``).
    loss: float32, the loss the last step started from.
    finite: bool, False when that loss or the parameters after the last step are not
        finite (checked once per run, after the loop; the recorded losses say which step).
    recorded: OrderedDict {name: ``[steps_done]`` float32}: per step, the value each
        recorded scalar had when that step started (``loss`` first: step i's loss is the
        loss at ``global_step`` + i before the run), in order of the steps.
    global_step: int64, its value after the steps (read from the increment itself: a read
        of the variable may be scheduled before the loop).
"""


def _buffer(name, steps):
    """A float32 variable of ``max(steps, 1)`` zeros, resized when the run starts (one
    ``scatter_update`` per step writes it: a ``TensorArray`` costs a loop variable, about
    5 µs a step on TensorFlow 1.12). Local: never saved, initialised with the graph."""
    buffer = tf.Variable(tf.zeros([1]), trainable=False, validate_shape=False,
                         collections=[tf.GraphKeys.GLOBAL_VARIABLES], name="record_" + name)
    reset = tf.assign(buffer, tf.zeros(tf.reshape(tf.maximum(steps, 1), [1])),
                      validate_shape=False)
    return buffer, reset


def _recorded(function, done, loss):
    """A recorded scalar of a step: ``function(done)``, or ``function(done, loss)`` when
    ``function.takes_loss`` (the penalised objective is the step's loss plus a penalty)."""
    return function(done, loss) if getattr(function, "takes_loss", False) else function(done)


def train_loop_ops(loss_fn, optimizer, var_list, global_step, model, record=None):
    """``steps`` gradient-descent steps in one ``session.run`` (a ``tf.while_loop``).

    Each iteration builds the loss anew on the same variables (``loss_fn``) and
    applies the optimizer to it: the same ops as ``train_op``, so K steps in
    one run are bit-identical to K runs of one step. The loss of every step goes
    into a buffer (a variable resized to ``steps`` when the run starts) fetched with
    the loop's result, as do the scalars of ``record``, so a caller writes a point per
    step without a ``session.run`` per point; the loop carries its step count alone. Nothing is checked inside the loop: after it, ``finite`` says whether
    the last loss and the parameters are finite (a step whose loss is not finite
    leaves non-finite parameters behind, and the recorded losses name that step).

    Args:
        loss_fn: callable building the loss (float32 scalar) of one step.
        optimizer: a ``tf.train.Optimizer``, or one with ``takes_steps_done`` (tfcourse's
            ``optimizers.GradientDescent``), whose ``minimize`` takes ``steps_done``, the
            step's offset in the run, for its learning-rate schedule.
        var_list: the variables to train.
        global_step: int64 variable, advanced by the steps done after the loop.
        model: the ``tfcourse.models.Model`` whose weights and bias are checked.
        record: OrderedDict {name: callable} of further per-step scalars (e.g. a
            learning rate that changes per step): each is called in the loop body, before
            the step's update, with the steps this run has done before it (int32 scalar:
            the step's global step is ``global_step`` + that; one marked ``takes_loss``
            also with the step's loss) and returns a float32 scalar tensor; None: the loss
            alone.

    Returns:
        ``(steps, LoopOutputs)``; ``steps`` an int32 scalar placeholder.
    """
    steps = tf.placeholder(tf.int32, [], name="steps")
    record = collections.OrderedDict(record or ())
    names = ["loss"] + [name for name in record if name != "loss"]
    buffers, resets = zip(*[_buffer(name, steps) for name in names])

    def body(done):
        loss = loss_fn()
        values = dict((name, _recorded(record[name], done, loss)) for name in names[1:])
        values["loss"] = loss
        offset = {"steps_done": done} if getattr(optimizer, "takes_steps_done", False) else {}
        step = optimizer.minimize(loss, var_list=var_list, **offset)
        writes = [tf.scatter_update(buffer, done, values[name]).op
                  for name, buffer in zip(names, buffers)]
        with tf.control_dependencies([step] + writes):
            return done + 1

    with tf.control_dependencies(resets):
        start = tf.constant(0)
    done = tf.while_loop(lambda done: done < steps, body, [start], parallel_iterations=1,
                         back_prop=False, name="train_loop")
    advance = tf.assign_add(global_step, tf.cast(done, tf.int64))
    with tf.control_dependencies([advance]):
        recorded = collections.OrderedDict(
            (name, tf.identity(buffer.read_value()[:done], name="recorded_" + name))
            for name, buffer in zip(names, buffers))
        loss = tf.identity(buffers[0].read_value()[tf.maximum(done, 1) - 1], name="loss")
        checks = [tf.reduce_all(tf.is_finite(value)) for value in
                  (loss, model.weights.read_value(), model.bias.read_value())]
        outputs = LoopOutputs(steps_done=tf.identity(done), loss=loss,
                              finite=tf.reduce_all(tf.stack(checks), name="finite"),
                              recorded=recorded, global_step=tf.identity(advance))
    return steps, outputs
