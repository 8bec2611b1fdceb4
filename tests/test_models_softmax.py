"""Softmax regression's TF graph against the numpy reference: loss, gradients, training steps,
outputs, and what the model module says about labels, fit and metrics."""

import numpy as np
import pytest

from tfcourse import graph as graph_lib, metrics, reference
from tfcourse.models import softmax
from tfcourse.tf_compat import tf

from test_models import graph_values, gradients as graph_gradients


def problem(seed, n_features=4, m=64, n_classes=3):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(m, n_features)).astype(np.float32)
    y = rng.randint(n_classes, size=(m, 1)).astype(np.float32)
    weights = rng.normal(size=(n_features, n_classes)).astype(np.float32)
    bias = rng.normal(size=n_classes).astype(np.float32)
    return x, y, weights, bias


def gradients(x, y, weights, bias):
    """Loss and tf.gradients of the softmax builder's graph at (weights, bias)."""
    return graph_gradients("softmax", x, y, weights, bias, n_classes=weights.shape[1])


def trained(x, y, weights, bias, steps, learning_rate):
    """Weights and bias after ``steps`` runs of the training graph's train_op."""
    return graph_values("softmax", x, y, weights, bias, steps, learning_rate,
                        n_classes=weights.shape[1])[1:]


def reference_of(x, y):
    return x.T.astype(np.float64), y.T.astype(np.float64)


@pytest.mark.parametrize("seed, n_classes", [(0, 3), (1, 3), (2, 2), (3, 5)])
def test_loss_and_gradients_equal_the_reference(seed, n_classes):
    x, y, weights, bias = problem(seed, n_classes=n_classes)
    loss, d_weights, d_bias = gradients(x, y, weights, bias)
    X, Y = reference_of(x, y)
    grads, cost = reference.propagate_softmax(weights.astype(np.float64), bias, X, Y)
    assert d_weights.shape == grads["dw"].shape == (4, n_classes)
    assert d_bias.shape == (n_classes,) and grads["db"].shape == (n_classes, 1)
    assert loss == pytest.approx(cost, rel=1e-5)
    np.testing.assert_allclose(d_weights, grads["dw"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(d_bias, grads["db"][:, 0], rtol=1e-5, atol=1e-6)


def test_training_steps_equal_the_reference_optimize():
    x, y, _, _ = problem(4)
    weights, bias = np.zeros((4, 3), np.float32), np.zeros(3, np.float32)
    tf_weights, tf_bias = trained(x, y, weights, bias, steps=20, learning_rate=0.5)
    X, Y = reference_of(x, y)
    params, _, costs = reference.optimize_softmax(np.zeros((4, 3)), np.zeros((3, 1)), X, Y, 20,
                                                  0.5)
    assert costs == [pytest.approx(np.log(3.0), rel=1e-12)]  # uniform start: log K
    assert np.abs(params["w"]).max() > 0.1  # the steps went somewhere
    np.testing.assert_allclose(tf_weights, params["w"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(tf_bias, params["b"][:, 0], rtol=1e-5, atol=1e-6)


def test_outputs_are_softmax_and_argmax():
    tg = graph_lib.build("softmax", 2, 0.1, seed=0, n_classes=3)
    x = np.array([[1.0, -2.0], [0.0, 0.0], [3.0, 1.0], [-1.0, 4.0]], np.float32)
    weights = np.array([[0.5, -1.0, 0.0], [1.0, 0.0, 0.5]], np.float32)
    bias = np.array([0.0, 0.0, 0.0], np.float32)
    with tf.Session(graph=tg.graph) as session:
        session.run(tg.init_op)
        tg.model.weights.load(weights, session)
        tg.model.bias.load(bias, session)
        values = session.run(softmax.outputs(tg.model), {tg.features: x})
        logits = session.run(tg.model.logits, {tg.features: x})
    np.testing.assert_allclose(logits, x.dot(weights), rtol=1e-6)
    assert list(values) == ["predictions", "probabilities"]
    np.testing.assert_allclose(values["probabilities"],
                               reference.softmax(logits.T.astype(np.float64)).T, rtol=1e-6)
    # logits [-1.5, -1, -1], [0, 0, 0] (a tie: the first class), [2.5, -3, 0.5], [3.5, 1, 2]
    assert values["predictions"].dtype == np.float32
    np.testing.assert_array_equal(values["predictions"], [[1.0], [0.0], [0.0], [0.0]])
    np.testing.assert_array_equal(
        values["predictions"].T,
        reference.predict_softmax(weights.astype(np.float64), bias, x.T.astype(np.float64)))


def test_loss_stays_finite_for_confident_predictions():
    # Logits [100, 0, -100] on a row of class 2: log(softmax) would be log(0) = -inf.
    x = np.array([[100.0]], np.float32)
    y = np.array([[2.0]], np.float32)
    weights = np.array([[1.0, 0.0, -1.0]], np.float32)
    loss, d_weights, _ = gradients(x, y, weights, np.zeros(3, np.float32))
    assert loss == pytest.approx(200.0, rel=1e-6)
    np.testing.assert_allclose(d_weights, [[100.0, 0.0, -100.0]], rtol=1e-6)


def test_labels_enter_the_loss_as_one_hot_constants():
    x, y, weights, bias = problem(5, m=6)
    with tf.Graph().as_default():
        y_tensor = tf.constant(y)
        built = softmax.build(tf.constant(x), y_tensor, 4, seed=0, n_classes=3)
        assert tf.gradients(built.loss, y_tensor) == [None]
        assert built.loss.name == "loss/cross_entropy:0"
        assert built.weights.name == "softmax_model/weights:0"
        assert built.weights.shape.as_list() == [4, 3] and built.bias.shape.as_list() == [3]


def test_separable_warning_needs_all_right_and_two_classes():
    labels = np.array([[0.0], [2.0], [1.0]], np.float32)
    weights = np.array([[3.0, 0.0, -4.0]], np.float32)
    message = softmax.fit_warning(labels, labels.copy(), weights, 700)
    assert message.startswith("the training data are linearly separable")
    assert "(|W| = 5 at step 700)" in message
    assert softmax.fit_warning(labels, np.array([[0.0], [2.0], [2.0]], np.float32),
                               weights, 700) is None
    one_class = np.zeros((3, 1), np.float32)
    assert softmax.fit_warning(one_class, one_class.copy(), weights, 700) is None


def test_metrics_are_the_multiclass_metrics_with_class_names():
    y = np.array([[0.0], [1.0], [2.0], [2.0]], np.float32)
    scores = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.2, 0.6], [0.1, 0.1, 0.8]],
                      np.float32)
    values = softmax.metrics(y, scores, classes=("a", "b", "c"))
    assert values == metrics.multiclass(y, scores, ("a", "b", "c"))
    assert values["accuracy"] == 0.75 and values["recall[b]"] == 0.0
