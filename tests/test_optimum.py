"""The float64 optimum and curvature bound against closed forms and scikit-learn."""

import os

import numpy as np
import pytest
from sklearn import linear_model

from tfcourse import optimum

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def csv_rows(name, label):
    table = np.genfromtxt(os.path.join(REPO, "data", name), delimiter=",", names=True)
    names = [column for column in table.dtype.names if column != label]
    x = np.stack([table[column] for column in names], axis=1)
    return x, table[label]


def standardised(x):
    return optimum.design_matrix(x, x.mean(axis=0), x.std(axis=0))


def solved(name, label, model, **penalty):
    """``(design, y, problem, theta*)`` of a data set's standardised rows."""
    x, y = csv_rows(name, label)
    design = standardised(x)
    p = optimum.problem(model, design, y, **penalty)
    return design, y, p, optimum.solve(p)


def test_lipschitz_is_the_closed_form_largest_eigenvalue():
    # orthogonal, centred columns: A^T A / n is diag(s^2, 1) (the bias column gives the 1)
    rng = np.random.RandomState(0)
    q, _ = np.linalg.qr(rng.normal(size=(400, 3)) - 0.0)
    q -= q.mean(axis=0)
    q, _ = np.linalg.qr(np.hstack([np.ones((400, 1)), q]))
    scales = np.array([3.0, 1.5, 0.5])
    x = q[:, 1:] * scales * np.sqrt(400)
    design = optimum.design_matrix(x)
    p = optimum.problem("linear", design, rng.normal(size=400))
    assert optimum.lipschitz("linear", p.gram) == pytest.approx(2 * 9.0, rel=1e-9)
    assert optimum.lipschitz("logistic", p.gram) == pytest.approx(9.0 / 4, rel=1e-9)
    assert optimum.lipschitz("softmax", p.gram) == pytest.approx(9.0 / 2, rel=1e-9)
    assert optimum.lipschitz("linear", p.gram, l2=0.5) == pytest.approx(18.0 + 1.0, rel=1e-9)


def test_linear_optimum_equals_scikit_learn_with_l2():
    l2 = 0.3
    design, y, p, theta = solved("diabetes.csv", "progression", "linear", l2=l2)
    n = len(y)
    ridge = linear_model.Ridge(alpha=n * l2).fit(design[:, :-1], y)  # sum r^2 + n l2 |w|^2
    np.testing.assert_allclose(theta[:-1, 0], ridge.coef_, rtol=1e-8, atol=1e-8)
    assert theta[-1, 0] == pytest.approx(ridge.intercept_, rel=1e-10)
    assert optimum.gradient_norm(p, theta) < 1e-8


def test_linear_optimum_with_l1_equals_scikit_learn_lasso():
    design, y, p, theta = solved("diabetes.csv", "progression", "linear", l1=2.0)
    # (1/n)|r|^2 + l1 |w|_1 = 2 ((1/2n)|r|^2 + (l1/2)|w|_1): Lasso's alpha = l1 / 2
    lasso = linear_model.Lasso(alpha=1.0, tol=1e-12, max_iter=100000).fit(design[:, :-1], y)
    np.testing.assert_allclose(theta[:-1, 0], lasso.coef_, atol=1e-5)
    assert (theta[:-1, 0] == 0).sum() == (lasso.coef_ == 0).sum() > 0
    assert optimum.gradient_norm(p, theta) < 1e-4  # of gradients of size ~1e4 at zero


def test_logistic_optimum_with_l2_equals_scikit_learn():
    l2 = 0.01
    design, y, p, theta = solved("breast_cancer.csv", "malignant", "logistic", l2=l2)
    n = len(y)
    # (1/n) sum loss + l2 |w|^2 = (2 l2) (C sum loss + |w|^2 / 2) with C = 1 / (2 l2 n)
    sk = linear_model.LogisticRegression(C=1.0 / (2 * l2 * n), tol=1e-12, max_iter=10000)
    sk.fit(design[:, :-1], y)
    np.testing.assert_allclose(theta[:-1, 0], sk.coef_[0], atol=1e-4)  # lbfgs stops near it
    assert theta[-1, 0] == pytest.approx(sk.intercept_[0], abs=1e-4)
    theirs = optimum.objective(p, np.vstack([sk.coef_.T, sk.intercept_[None]]))
    assert theirs - 1e-9 * theirs <= optimum.objective(p, theta) <= theirs
    assert optimum.gradient_norm(p, theta) < 1e-9


def test_softmax_optimum_with_l2_equals_scikit_learn():
    rng = np.random.RandomState(3)
    x = rng.normal(size=(300, 4))
    y = np.argmax(x[:, :3] + rng.normal(size=(300, 3)), axis=1).astype(float)
    design = optimum.design_matrix(x)
    n, l2 = len(x), 0.02
    p = optimum.problem("softmax", design, y, n_classes=3, l2=l2)
    theta = optimum.solve(p)
    sk = linear_model.LogisticRegression(C=1.0 / (2 * l2 * n), tol=1e-12, max_iter=10000)
    sk.fit(x, y)
    # the bias of softmax regression is determined up to a constant shift
    np.testing.assert_allclose(theta[:-1], sk.coef_.T, atol=1e-4)
    np.testing.assert_allclose(theta[-1] - theta[-1].mean(),
                               sk.intercept_ - sk.intercept_.mean(), atol=1e-4)
    theirs = optimum.objective(p, np.vstack([sk.coef_.T, sk.intercept_[None]]))
    assert theirs - 1e-9 * theirs <= optimum.objective(p, theta) <= theirs


def test_separable_rows_without_l2_have_no_optimum():
    x, y = csv_rows("breast_cancer.csv", "malignant")
    design = standardised(x)
    assert optimum.solve(optimum.problem("logistic", design, y)) is None
    assert optimum.solve(optimum.problem("logistic", design, y, l2=1e-3)) is not None
    rng = np.random.RandomState(0)
    noisy = rng.normal(size=(200, 2))
    labels = (noisy[:, 0] + rng.normal(size=200) > 0).astype(float)
    assert not optimum.separable(optimum.problem("logistic", optimum.design_matrix(noisy),
                                                 labels))
