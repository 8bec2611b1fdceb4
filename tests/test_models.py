"""The TF graphs against the course's numpy reference: loss, gradients, training steps."""

import numpy as np
import pytest

from tfcourse import data, graph as graph_lib, reference
from tfcourse.models import linear, logistic, softmax
from tfcourse.tf_compat import tf

BUILDERS = {"linear": linear.build, "logistic": logistic.build, "softmax": softmax.build}


def problem(model, seed=0, n_features=4, m=64):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(m, n_features)).astype(np.float32)
    if model == "logistic":
        y = (rng.uniform(size=(m, 1)) < 0.4).astype(np.float32)
    else:
        y = rng.normal(size=(m, 1)).astype(np.float32)
    return x, y


def graph_values(model, x, y, weights, bias, steps=0, learning_rate=0.1, n_classes=2):
    """Loss, weights and bias of the training graph set to (weights, bias), after ``steps``
    runs of its train_op."""
    tg = graph_lib.build(model, x.shape[1], learning_rate, seed=0, n_classes=n_classes)
    with tf.Session(graph=tg.graph) as session:
        session.run(tg.init_op)
        graph_lib.load_data(session, tg, data.numeric_dataset(x, y))
        tg.model.weights.load(weights, session)
        tg.model.bias.load(bias, session)
        for _ in range(steps):
            session.run(tg.train_op)
        return session.run([tg.model.loss, tg.model.weights, tg.model.bias])


def gradients(model, x, y, weights, bias, n_classes=2):
    """Loss and tf.gradients of the builder's graph at (weights, bias)."""
    with tf.Graph().as_default():
        built = BUILDERS[model](tf.constant(x), tf.constant(y), x.shape[1], seed=0,
                                n_classes=n_classes)
        grads = tf.gradients(built.loss, [built.weights, built.bias])
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            built.weights.load(weights, session)
            built.bias.load(bias, session)
            return session.run([built.loss] + grads)


REFERENCE = {"linear": (reference.linear_propagate, reference.linear_optimize),
             "logistic": (reference.propagate, reference.optimize)}


@pytest.mark.parametrize("model", ["linear", "logistic"])
@pytest.mark.parametrize("seed", [0, 1])
def test_loss_and_gradients_equal_the_reference(model, seed):
    x, y = problem(model, seed)
    rng = np.random.RandomState(seed + 10)
    weights = rng.normal(size=(x.shape[1], 1)).astype(np.float32)
    bias = np.array([0.3], np.float32)
    loss, d_weights, d_bias = gradients(model, x, y, weights, bias)
    grads, cost = REFERENCE[model][0](weights.astype(np.float64), float(bias[0]),
                                      x.T.astype(np.float64), y.T.astype(np.float64))
    assert loss == pytest.approx(cost, rel=1e-5)
    np.testing.assert_allclose(d_weights, grads["dw"], rtol=1e-5, atol=1e-7)
    assert d_bias[0] == pytest.approx(grads["db"], rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("model", ["linear", "logistic"])
def test_training_steps_equal_the_reference_optimize(model):
    x, y = problem(model, seed=3)
    weights = np.zeros((x.shape[1], 1), np.float32)
    bias = np.zeros([1], np.float32)
    _, tf_weights, tf_bias = graph_values(model, x, y, weights, bias, steps=5, learning_rate=0.1)
    params, _, _ = REFERENCE[model][1](weights.astype(np.float64), 0.0, x.T.astype(np.float64),
                                       y.T.astype(np.float64), 5, 0.1)
    np.testing.assert_allclose(tf_weights, params["w"], rtol=1e-5, atol=1e-7)
    assert tf_bias[0] == pytest.approx(params["b"], rel=1e-5, abs=1e-7)


def test_logistic_loss_stays_finite_for_confident_predictions():
    # A logit of 40 on a negative sample: log(1 - sigmoid(40)) would be log(0) = -inf.
    x = np.array([[40.0], [-40.0]], np.float32)
    y = np.array([[0.0], [1.0]], np.float32)
    loss, _, _ = graph_values("logistic", x, y, np.ones((1, 1), np.float32),
                              np.zeros([1], np.float32))
    assert loss == pytest.approx(40.0, rel=1e-6)
    _, cost = reference.propagate(np.ones((1, 1)), 0.0, x.T.astype(np.float64),
                                  y.T.astype(np.float64))
    assert cost == pytest.approx(40.0, rel=1e-12)


def test_logistic_outputs_are_sigmoid_and_threshold():
    tg = graph_lib.build("logistic", 2, 0.1, seed=0)
    x = np.array([[1.0, -2.0], [0.0, 0.0], [3.0, 1.0]], np.float32)
    with tf.Session(graph=tg.graph) as session:
        session.run(tg.init_op)
        tg.model.weights.load([[0.5], [1.0]], session)
        tg.model.bias.load([0.0], session)
        logits, probabilities, predictions = session.run(
            [tg.model.logits, tg.model.probabilities, tg.model.predictions], {tg.features: x})
    np.testing.assert_allclose(logits[:, 0], [-1.5, 0.0, 2.5], rtol=1e-6)
    np.testing.assert_allclose(probabilities, reference.sigmoid(logits.astype(np.float64)),
                               rtol=1e-6)
    np.testing.assert_array_equal(predictions[:, 0], [0.0, 0.0, 1.0])  # 0.5 exactly -> class 0
