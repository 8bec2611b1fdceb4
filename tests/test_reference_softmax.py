"""Tests for the numpy softmax regression of tfcourse.reference (tfcourse/reference/softmax.py)."""
import math

import numpy as np
import pytest

from tfcourse import reference as ref


def _naive(w, b, X, labels):
    """Per-sample cost and gradients with math.exp / math.log; labels a list of class indices."""
    n_x, m = X.shape
    k = w.shape[1]
    cost, dw, db = 0.0, np.zeros((n_x, k)), np.zeros((k, 1))
    for j in range(m):
        z = [b[c] + sum(w[i, c] * X[i, j] for i in range(n_x)) for c in range(k)]
        total = sum(math.exp(v) for v in z)
        a = [math.exp(v) / total for v in z]
        cost -= math.log(a[labels[j]])
        for c in range(k):
            d = a[c] - (1.0 if c == labels[j] else 0.0)
            db[c, 0] += d
            for i in range(n_x):
                dw[i, c] += X[i, j] * d
    return dw / m, db / m, cost / m


def _problem(seed, n_x=3, m=7, k=4):
    rng = np.random.RandomState(seed)
    return (rng.randn(n_x, k), rng.randn(k), rng.randn(n_x, m),
            rng.randint(0, k, size=m))


def test_softmax_columns_are_probabilities():
    z = np.array([[1.0, 0.0, -1e4], [2.0, 0.0, 0.0], [3.0, 0.0, 1e4]])
    out = ref.softmax(z)
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(out[:, 0], e / e.sum(), rtol=1e-15)
    np.testing.assert_allclose(out[:, 1], [1 / 3.0] * 3, rtol=1e-15)
    assert out[:, 2].tolist() == [0.0, 0.0, 1.0]  # no overflow for a huge logit
    assert ref.softmax(np.float32([[1.0], [2.0]])).dtype == np.float32
    assert ref.softmax([[1], [1]]).tolist() == [[0.5], [0.5]]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_propagate_matches_naive_computation(seed):
    w, b, X, labels = _problem(seed)
    grads, cost = ref.propagate_softmax(w, b, X, labels[None, :])
    dw, db, naive_cost = _naive(w, b, X, labels.tolist())
    assert grads["dw"].shape == (3, 4) and grads["db"].shape == (4, 1)
    np.testing.assert_allclose(grads["dw"], dw, rtol=1e-10)
    np.testing.assert_allclose(grads["db"], db, rtol=1e-10)
    assert cost == pytest.approx(naive_cost, rel=1e-12) and isinstance(cost, float)


def test_gradients_match_finite_differences():
    w, b, X, labels = _problem(3)
    Y = labels[None, :]
    grads, _ = ref.propagate_softmax(w, b, X, Y)
    h = 1e-6
    for i in range(w.shape[0]):
        for c in range(w.shape[1]):
            step = np.zeros_like(w)
            step[i, c] = h
            numeric = (ref.propagate_softmax(w + step, b, X, Y)[1] -
                       ref.propagate_softmax(w - step, b, X, Y)[1]) / (2 * h)
            assert grads["dw"][i, c] == pytest.approx(numeric, rel=1e-6, abs=1e-9)
    for c in range(w.shape[1]):
        step = np.zeros_like(b)
        step[c] = h
        numeric = (ref.propagate_softmax(w, b + step, X, Y)[1] -
                   ref.propagate_softmax(w, b - step, X, Y)[1]) / (2 * h)
        assert grads["db"][c, 0] == pytest.approx(numeric, rel=1e-6, abs=1e-9)


def test_two_classes_are_logistic_regression():
    # softmax([0, z]) = (1 - sigmoid(z), sigmoid(z)): with w = [0, v], b = [0, c] the cost is
    # the logistic cost of (v, c), and the gradient of class 1's column is the logistic one.
    w, b, X, labels = _problem(4, k=2)
    v, c = w[:, 1:] - w[:, :1], b[1] - b[0]
    grads, cost = ref.propagate_softmax(np.hstack([np.zeros_like(v), v]), [0.0, c], X,
                                        labels[None, :])
    logistic_grads, logistic_cost = ref.propagate(v, c, X, labels[None, :])
    assert cost == pytest.approx(logistic_cost, rel=1e-12)
    np.testing.assert_allclose(grads["dw"][:, 1:], logistic_grads["dw"], rtol=1e-12)
    np.testing.assert_allclose(grads["dw"][:, :1], -logistic_grads["dw"], rtol=1e-12)
    assert grads["db"][1, 0] == pytest.approx(logistic_grads["db"], rel=1e-12)


def test_one_hot_labels_equal_class_indices_and_soft_labels_work():
    w, b, X, labels = _problem(5)
    one_hot = np.eye(4)[:, labels]
    by_index = ref.propagate_softmax(w, b, X, labels[None, :])
    by_column = ref.propagate_softmax(w, b.reshape(4, 1), X, one_hot)
    assert by_index[1] == by_column[1]
    np.testing.assert_array_equal(by_index[0]["dw"], by_column[0]["dw"])
    uniform = ref.propagate_softmax(np.zeros((3, 4)), np.zeros(4), X, np.full((4, 7), 0.25))
    assert uniform[1] == pytest.approx(math.log(4.0), rel=1e-15)
    np.testing.assert_allclose(uniform[0]["dw"], 0.0, atol=1e-16)


def test_propagate_stable_for_large_logits():
    with np.errstate(all="raise"):
        grads, cost = ref.propagate_softmax([[1.0, 0.0, -1.0]], [0.0, 0.0, 0.0], [[1e4]], [[2]])
    assert cost == pytest.approx(2e4, rel=1e-12)
    np.testing.assert_allclose(grads["dw"], [[1e4, 0.0, -1e4]], rtol=1e-12)


def test_optimize_steps_are_gradient_updates_and_decrease_the_cost():
    w, b, X, labels = _problem(6)
    Y = labels[None, :]
    grads, cost = ref.propagate_softmax(w, b, X, Y)
    params, last, costs = ref.optimize_softmax(w, b, X, Y, 1, 0.1)
    np.testing.assert_allclose(params["w"], w - 0.1 * grads["dw"], rtol=1e-15)
    np.testing.assert_allclose(params["b"], b.reshape(4, 1) - 0.1 * grads["db"], rtol=1e-15)
    assert costs == [cost] and params["b"].shape == (4, 1)
    params, _, costs = ref.optimize_softmax(w, b, X, Y, 201, 0.5)
    assert len(costs) == 3 and costs[0] > costs[1] > costs[2]
    assert w.shape == (3, 4) and not np.array_equal(params["w"], w)  # inputs kept


def test_optimize_recovers_separated_classes():
    rng = np.random.RandomState(7)
    labels = rng.randint(0, 3, size=300)
    centres = np.array([[4.0, 0.0], [-4.0, 0.0], [0.0, 4.0]])
    X = (centres[labels] + rng.randn(300, 2) * 0.5).T
    params, _, _ = ref.optimize_softmax(np.zeros((2, 3)), np.zeros(3), X, labels[None, :],
                                        300, 0.5)
    np.testing.assert_array_equal(ref.predict_softmax(params["w"], params["b"], X),
                                  labels[None, :].astype(np.float64))


def test_predict_is_the_largest_logit_first_on_a_tie():
    out = ref.predict_softmax([[1.0, -1.0, 0.0]], [0.0, 0.0, 0.5], [[2.0, -2.0, 0.0, 0.5]])
    # logits per column: [2, -2, .5], [-2, 2, .5], [0, 0, .5], [.5, -.5, .5] (a tie)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[0.0, 1.0, 2.0, 0.0]])


W23, B3, X2, M1 = np.ones((2, 3)), np.zeros(3), [[1.0], [2.0]], r"^w must have shape "


@pytest.mark.parametrize("args, message", [
    (([[1.0], [2.0]], [0.0], X2, [[0]]), M1 + r"\(n_x, K\) = \(2, K\), K >= 2, got \(2, 1\)$"),
    ((np.ones((3, 2)), [0.0, 0.0], X2, [[0]]), M1 + r".* got \(3, 2\)$"),
    ((W23, [0.0, 0.0], X2, [[0]]), r"^b must have K = 3 values, got shape \(2,\)$"),
    ((W23, B3, X2, [[3]]), r"^Y must hold class indices 0..2$"),
    ((W23, B3, X2, [[0.5]]), r"^Y must hold class indices"),
    ((W23, B3, X2, np.ones((2, 1))),
     r"^Y must have shape \(1, m\) = \(1, 1\) or \(K, m\) = \(3, 1\), got \(2, 1\)$"),
    ((W23, B3, [1.0, 2.0], [[0]]), r"^X must be 2-D"),
])
def test_shape_errors_name_the_argument(args, message):
    with pytest.raises(ValueError, match=message):
        ref.propagate_softmax(*args)
