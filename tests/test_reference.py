"""Tests for the NumPy reference implementation in tfcourse.reference."""
import contextlib
import math
import warnings

import numpy as np
import pytest

from tfcourse import reference as ref

# The course's tiny logistic-regression example.
W0 = np.array([[1.0], [2.0]])
B0 = 2.0
X0 = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]])
Y0 = np.array([[1, 0, 1]])


@contextlib.contextmanager
def _strict():
    """Turn numpy floating-point issues and all warnings into errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            yield


def _naive_logistic(w, b, X, Y):
    """Per-sample logistic cost and gradients with math.exp / math.log."""
    n_x, m = X.shape
    cost, dw, db = 0.0, [0.0] * n_x, 0.0
    for j in range(m):
        z = b + sum(w[k, 0] * X[k, j] for k in range(n_x))
        a = 1.0 / (1.0 + math.exp(-z))
        y = float(Y[0, j])
        cost -= y * math.log(a) + (1.0 - y) * math.log(1.0 - a)
        for k in range(n_x):
            dw[k] += X[k, j] * (a - y)
        db += a - y
    return np.array(dw).reshape(n_x, 1) / m, db / m, cost / m


def _random_problem(seed, n_x=4, m=7):
    rng = np.random.RandomState(seed)
    w = rng.randn(n_x, 1)
    b = float(rng.randn())
    X = rng.randn(n_x, m)
    return rng, w, b, X


def _finite_difference_grads(cost_fn, w, b, h=1e-5):
    dw = np.zeros_like(w)
    for k in range(w.shape[0]):
        step = np.zeros_like(w)
        step[k, 0] = h
        dw[k, 0] = (cost_fn(w + step, b) - cost_fn(w - step, b)) / (2 * h)
    db = (cost_fn(w, b + h) - cost_fn(w, b - h)) / (2 * h)
    return dw, db


# ---------------------------------------------------------------- sigmoid

def test_sigmoid_matches_closed_form():
    z = np.linspace(-20.0, 20.0, 81).reshape(9, 9)
    out = ref.sigmoid(z)
    assert out.shape == z.shape
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, 1.0 / (1.0 + np.exp(-z)), rtol=1e-12)
    assert ref.sigmoid(0.0) == 0.5


def test_sigmoid_extremes_exact_without_warnings():
    with _strict():
        out = ref.sigmoid(np.array([-1e4, 1e4]))
        out32 = ref.sigmoid(np.array([-1e4, -100.0, 100.0, 1e4], np.float32))
    assert out[0] == 0.0 and out[1] == 1.0
    assert out32.tolist() == [0.0, 0.0, 1.0, 1.0]


def test_sigmoid_dtypes():
    assert ref.sigmoid(np.array([1.0, -2.0], np.float32)).dtype == np.float32
    assert ref.sigmoid(np.array([1, -2])).dtype == np.float64
    np.testing.assert_allclose(ref.sigmoid(np.float32([-50.0])),
                               [1.9287498e-22], rtol=1e-5)


# -------------------------------------------------------------- propagate

def test_propagate_course_example():
    grads, cost = ref.propagate(W0, B0, X0, Y0)
    assert grads["dw"].shape == (2, 1)
    np.testing.assert_allclose(grads["dw"], [[0.99845601], [2.39507239]],
                               rtol=1e-7)
    assert grads["db"] == pytest.approx(0.00145557813678, rel=1e-7)
    assert cost == pytest.approx(5.801545319394553, rel=1e-7)
    assert isinstance(cost, float) and isinstance(grads["db"], float)


def test_propagate_matches_naive_computation():
    for w, b, X, Y in [(W0, B0, X0, Y0)] + [
            _random_problem(s)[1:] + (
                np.random.RandomState(s + 100).randint(0, 2, (1, 7)),)
            for s in range(3)]:
        grads, cost = ref.propagate(w, b, X, Y)
        dw, db, naive_cost = _naive_logistic(w, b, X, Y)
        np.testing.assert_allclose(grads["dw"], dw, rtol=1e-7)
        assert grads["db"] == pytest.approx(db, rel=1e-7)
        assert cost == pytest.approx(naive_cost, rel=1e-7)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("kind", ["logistic", "linear"])
def test_gradients_match_finite_differences(seed, kind):
    rng, w, b, X = _random_problem(seed)
    if kind == "logistic":
        fn, Y = ref.propagate, rng.randint(0, 2, (1, X.shape[1]))
    else:
        fn, Y = ref.linear_propagate, rng.randn(1, X.shape[1])
    grads, _ = fn(w, b, X, Y)
    dw, db = _finite_difference_grads(lambda w_, b_: fn(w_, b_, X, Y)[1], w, b)
    np.testing.assert_allclose(grads["dw"], dw, rtol=1e-6, atol=1e-9)
    assert grads["db"] == pytest.approx(db, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("z, y, expected", [
    (40.0, 0, 40.0), (-40.0, 1, 40.0), (-1e4, 1, 1e4), (1e4, 0, 1e4),
    (1e4, 1, 0.0), (-1e4, 0, 0.0)])
def test_propagate_stable_for_large_logits(z, y, expected):
    with _strict():
        grads, cost = ref.propagate([[1.0]], 0.0, [[z]], [[y]])
    assert cost == pytest.approx(expected, abs=1e-9)
    assert np.isfinite(grads["dw"]).all() and math.isfinite(grads["db"])
    assert grads["db"] == pytest.approx(float(z > 0) - y, abs=1e-12)


def test_linear_propagate_values():
    grads, cost = ref.linear_propagate([[2.0]], 1.0, [[0.0, 1.0, 2.0]],
                                       [[1.0, 2.0, 3.0]])
    # Z = [1, 3, 5], Z - Y = [0, 1, 2]
    assert cost == pytest.approx(5.0 / 3.0, rel=1e-12)
    np.testing.assert_allclose(grads["dw"], [[2.0 / 3.0 * 5.0]], rtol=1e-12)
    assert grads["db"] == pytest.approx(2.0, rel=1e-12)


# --------------------------------------------------------------- optimize

def test_optimize_course_example():
    params, grads, costs = ref.optimize(W0, B0, X0, Y0, 100, 0.009)
    np.testing.assert_allclose(params["w"], [[0.19033591], [0.12259159]],
                               rtol=1e-7)
    assert params["b"] == pytest.approx(1.92535983008, rel=1e-9)
    np.testing.assert_allclose(grads["dw"], [[0.67752042], [1.41625495]],
                               rtol=1e-7)
    assert grads["db"] == pytest.approx(0.219194504541, rel=1e-9)
    assert costs == [pytest.approx(5.801545319394553, rel=1e-12)]


def test_optimize_single_step_is_gradient_update():
    grads, cost = ref.propagate(W0, B0, X0, Y0)
    params, last_grads, costs = ref.optimize(W0, B0, X0, Y0, 1, 0.1)
    np.testing.assert_allclose(params["w"], W0 - 0.1 * grads["dw"])
    assert params["b"] == pytest.approx(B0 - 0.1 * grads["db"])
    np.testing.assert_array_equal(last_grads["dw"], grads["dw"])
    assert costs == [cost]


def test_optimize_records_every_100_and_decreases():
    params, _, costs = ref.optimize(W0, B0, X0, Y0, 250, 0.009)
    assert len(costs) == 3
    assert costs[0] > costs[1] > costs[2]
    assert ref.propagate(params["w"], params["b"], X0, Y0)[1] < costs[2]
    assert len(ref.optimize(W0, B0, X0, Y0, 100, 0.009)[2]) == 1
    assert len(ref.optimize(W0, B0, X0, Y0, 101, 0.009)[2]) == 2


@pytest.mark.parametrize("opt", [ref.optimize, ref.linear_optimize])
def test_optimize_does_not_mutate_inputs(opt):
    w, X, Y = W0.copy(), X0.copy(), Y0.copy()
    params, _, _ = opt(w, B0, X, Y, 5, 0.1)
    np.testing.assert_array_equal(w, W0)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y, Y0)
    assert params["w"] is not w
    assert not np.array_equal(params["w"], W0)


def test_optimize_print_cost(capsys):
    _, _, costs = ref.optimize(W0, B0, X0, Y0, 250, 0.009, print_cost=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["Cost after iteration %i: %f" % (i, c)
                     for i, c in zip([0, 100, 200], costs)]
    assert lines[0] == "Cost after iteration 0: 5.801545"
    ref.optimize(W0, B0, X0, Y0, 250, 0.009)
    assert capsys.readouterr().out == ""


def test_optimize_rejects_zero_iterations():
    with pytest.raises(ValueError, match="num_iterations"):
        ref.optimize(W0, B0, X0, Y0, 0, 0.1)


# ------------------------------------------------------- linear regression

def test_linear_optimize_recovers_line():
    x = np.random.RandomState(0).randn(1, 100)
    y = 0.8 * x + 0.7
    params, _, costs = ref.linear_optimize(np.zeros((1, 1)), 0.0, x, y,
                                           1000, 0.01)
    assert abs(params["w"][0, 0] - 0.8) < 1e-3
    assert abs(params["b"] - 0.7) < 1e-3
    assert len(costs) == 10 and costs == sorted(costs, reverse=True)
    np.testing.assert_allclose(ref.linear_predict(params["w"], params["b"], x),
                               y, atol=1e-3)


def test_linear_optimize_matches_least_squares():
    rng = np.random.RandomState(1)
    X = rng.randn(3, 200)
    Y = np.dot([[1.5, -2.0, 0.3]], X) - 0.4 + 0.1 * rng.randn(1, 200)
    params, _, _ = ref.linear_optimize(np.zeros((3, 1)), 0.0, X, Y, 3000, 0.05)
    design = np.hstack([X.T, np.ones((200, 1))])
    solution = np.linalg.lstsq(design, Y.T, rcond=None)[0]
    np.testing.assert_allclose(params["w"], solution[:3], atol=1e-8)
    assert params["b"] == pytest.approx(solution[3, 0], abs=1e-8)


def test_linear_predict_values():
    out = ref.linear_predict([[2.0], [-1.0]], 0.5, [[1.0, 0.0], [1.0, 3.0]])
    assert out.shape == (1, 2)
    np.testing.assert_allclose(out, [[1.5, -2.5]])


# ---------------------------------------------------------------- predict

def test_predict_course_example():
    w = np.array([[0.1124579], [0.23106775]])
    X = np.array([[1.0, -1.1, -3.2], [1.2, 2.0, 0.1]])
    out = ref.predict(w, -0.3, X)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[1.0, 1.0, 0.0]])


def test_predict_threshold_half_is_zero():
    # z = 0 gives probability exactly 0.5, which is not > 0.5.
    out = ref.predict([[1.0]], 0.0, [[0.0, 1e-12, -1e-12]])
    np.testing.assert_array_equal(out, [[0.0, 1.0, 0.0]])


# ------------------------------------------------------------ shape errors

ALL_WITH_Y = [ref.propagate, ref.linear_propagate,
              lambda w, b, X, Y: ref.optimize(w, b, X, Y, 1, 0.1),
              lambda w, b, X, Y: ref.linear_optimize(w, b, X, Y, 1, 0.1)]
ALL_WITHOUT_Y = [ref.predict, ref.linear_predict]


@pytest.mark.parametrize("fn", ALL_WITH_Y)
def test_shape_errors_name_argument(fn):
    with pytest.raises(ValueError,
                       match=r"^w must have shape \(n_x, 1\) = \(2, 1\), "
                             r"got \(1, 2\)$"):
        fn(W0.T, B0, X0, Y0)
    with pytest.raises(ValueError,
                       match=r"^Y must have shape \(1, m\) = \(1, 3\), "
                             r"got \(3,\)$"):
        fn(W0, B0, X0, Y0.ravel())
    with pytest.raises(ValueError, match=r"^X must be 2-D .*got \(3,\)$"):
        fn(W0, B0, X0[0], Y0)
    with pytest.raises(ValueError, match=r"^b must be a scalar.*\(2,\)"):
        fn(W0, np.array([1.0, 2.0]), X0, Y0)


@pytest.mark.parametrize("fn", ALL_WITHOUT_Y)
def test_predict_shape_errors(fn):
    with pytest.raises(ValueError, match=r"^w must have shape .* got \(3, 1\)"):
        fn(np.ones((3, 1)), B0, X0)
    with pytest.raises(ValueError, match=r"^X must be 2-D"):
        fn(W0, B0, np.ones((2, 3, 1)))


def test_size_one_bias_is_accepted():
    grads, cost = ref.propagate(W0, np.array([[B0]]), X0, Y0)
    assert cost == pytest.approx(5.801545319394553, rel=1e-12)
