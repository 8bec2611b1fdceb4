"""The in-graph loop's per-step buffer: the loss of every step and any further scalar."""

import collections

import numpy as np

from tfcourse import data, graph_loop, reference
from tfcourse.tf_compat import tf


def course_loop(record=None):
    """The course's linear regression on its data, trained by ``train_loop_ops``."""
    dataset = data.course_data(100, seed=42)
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant(dataset.x)
        y = tf.constant(dataset.y)
        weights = tf.Variable([[0.5]], name="weights")
        bias = tf.Variable([-0.25], name="bias")
        global_step = tf.train.get_or_create_global_step()

        def loss_fn():
            return tf.reduce_mean(tf.square(tf.matmul(x, weights) + bias - y))
        model = collections.namedtuple("Model", "weights bias")(weights, bias)
        optimizer = tf.train.GradientDescentOptimizer(0.1)
        steps, outputs = graph_loop.train_loop_ops(loss_fn, optimizer, [weights, bias],
                                                   global_step, model, record)
        init = tf.global_variables_initializer()
    return graph, init, steps, outputs, dataset


def numpy_losses(dataset, steps, learning_rate=0.1):
    w, b = np.array([[0.5]]), -0.25
    X, Y = dataset.x.T.astype(np.float64), dataset.y.T.astype(np.float64)
    losses = []
    for _ in range(steps):
        grads, cost = reference.linear_propagate(w, b, X, Y)
        losses.append(cost)
        w, b = w - learning_rate * grads["dw"], b - learning_rate * grads["db"]
    return np.array(losses)


def test_every_step_of_every_run_is_recorded_in_order():
    record = collections.OrderedDict([("global_step", lambda done: tf.cast(
        tf.train.get_global_step() + tf.cast(done, tf.int64), tf.float32))])
    graph, init, steps, outputs, dataset = course_loop(record)
    with tf.Session(graph=graph) as session:
        session.run(init)
        runs = [session.run(outputs, {steps: k}) for k in (7, 0, 13)]
    assert [run.steps_done for run in runs] == [7, 0, 13]
    assert all(run.finite for run in runs)
    assert list(runs[0].recorded) == ["loss", "global_step"]
    np.testing.assert_array_equal(runs[0].recorded["global_step"], np.arange(7))
    np.testing.assert_array_equal(runs[2].recorded["global_step"], np.arange(7, 20))
    assert runs[1].recorded["loss"].shape == (0,)
    losses = np.concatenate([run.recorded["loss"] for run in runs])
    np.testing.assert_allclose(losses, numpy_losses(dataset, 20), rtol=1e-5)
    assert runs[2].loss == losses[-1]  # the loss the last step started from


def test_non_finite_steps_run_on_and_are_reported_after_the_loop():
    graph, init, steps, outputs, _ = course_loop()
    with graph.as_default():
        blow_up = tf.assign(tf.global_variables()[0], [[1e30]])
    with tf.Session(graph=graph) as session:
        session.run(init)
        session.run(blow_up)
        run = session.run(outputs, {steps: 5})
    assert run.steps_done == 5 and not run.finite  # no check inside the loop: all 5 ran
    assert not np.isfinite(run.recorded["loss"][0])
