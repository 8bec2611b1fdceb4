"""The training graph's penalties and learning-rate schedules against the numpy reference."""

import numpy as np
import pytest

from tfcourse import data, graph as graph_lib, reference
from tfcourse.graph import Regularization
from tfcourse.tf_compat import tf

REFERENCE = {"linear": reference.linear_optimize, "logistic": reference.optimize}


def problem(model, seed=0, n_features=5, m=80):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(m, n_features)).astype(np.float32)
    if model == "logistic":
        y = (x[:, :1] + rng.normal(size=(m, 1)) > 0).astype(np.float32)
    else:
        y = (x[:, :2].dot([[1.0], [0.5]]) + rng.normal(size=(m, 1))).astype(np.float32)
    return x, y


def trained(model, x, y, steps, rate, regularization, in_loop=False):
    """Weights, bias, learning rate and objective of the graph after ``steps`` steps from 0."""
    tg = graph_lib.build(model, x.shape[1], rate, seed=0, regularization=regularization)
    with tf.Session(graph=tg.graph) as session:
        session.run(tg.init_op)
        graph_lib.load_data(session, tg, data.numeric_dataset(x, y))
        tg.model.weights.load(np.zeros((x.shape[1], 1)), session)
        tg.model.bias.load(np.zeros([1]), session)
        if in_loop:
            values = session.run([tg.learning_rate, tg.objective], {tg.steps: steps})
        else:
            for _ in range(steps):
                session.run(tg.train_op)
            values = session.run([tg.learning_rate, tg.objective], {tg.steps: 0})
        weights, bias = session.run([tg.model.weights, tg.model.bias])
    return weights, bias, values[0], values[1]


@pytest.mark.parametrize("model", ["linear", "logistic"])
@pytest.mark.parametrize("in_loop", [False, True])
def test_l1_and_l2_steps_equal_the_reference(model, in_loop):
    x, y = problem(model, seed=4)
    l1, l2 = {"linear": 0.2, "logistic": 0.05}[model], 0.1
    weights, bias, rate, objective = trained(model, x, y, 30, 0.1,
                                             Regularization(l1, l2, "none", 0.96, 1000), in_loop)
    params, _, costs = REFERENCE[model](np.zeros((5, 1)), 0.0, x.T.astype(np.float64),
                                        y.T.astype(np.float64), 30, 0.1, l1=l1, l2=l2)
    np.testing.assert_allclose(weights, params["w"], rtol=1e-4, atol=1e-6)
    assert bias[0] == pytest.approx(params["b"], rel=1e-4, abs=1e-6)
    assert (weights == 0).sum() == (params["w"] == 0).sum() > 0  # L1 zeroes some exactly
    assert rate == pytest.approx(0.1)
    # the objective after the steps: data loss plus the penalty of the reached weights
    _, cost = (reference.linear_propagate if model == "linear" else reference.propagate)(
        params["w"], params["b"], x.T.astype(np.float64), y.T.astype(np.float64))
    assert objective == pytest.approx(cost + reference.penalty(params["w"], l1, l2), rel=1e-5)


@pytest.mark.parametrize("decay, expected", [
    ("exponential", lambda step: 0.2 * 0.5 ** (step / 10.0)),
    ("inverse_time", lambda step: 0.2 / (1 + 0.5 * step / 10.0)),
])
@pytest.mark.parametrize("in_loop", [False, True])
def test_decayed_rate_follows_the_global_step_inside_the_loop_too(decay, expected, in_loop):
    x, y = problem("linear", seed=1)
    weights, bias, rate, _ = trained("linear", x, y, 25, 0.2,
                                     Regularization(0.0, 0.0, decay, 0.5, 10), in_loop)
    assert rate == pytest.approx(expected(25), rel=1e-6)
    w, b = np.zeros((5, 1)), 0.0
    for step in range(25):  # gradient descent with the schedule's rate at each step
        grads, _ = reference.linear_propagate(w, b, x.T.astype(np.float64),
                                              y.T.astype(np.float64))
        w, b = w - expected(step) * grads["dw"], b - expected(step) * grads["db"]
    np.testing.assert_allclose(weights, w, rtol=1e-4, atol=1e-6)
    assert bias[0] == pytest.approx(b, rel=1e-4)
