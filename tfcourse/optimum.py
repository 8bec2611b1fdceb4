"""The exact optimum of tfcourse's training objectives in float64 numpy, and the curvature bound
that gives gradient descent's safe learning rate.

A problem is the design matrix ``A = [Z, 1]`` (``[n, d + 1]``: the standardised encoded
features and the bias column), the labels and the rows' weights ``r`` normalised to sum 1;
parameters ``theta`` are ``[d + 1, K]`` (the weights, then the bias row). The objective is

    f(theta) = sum_i r_i loss_i(A_i theta) + l2 * |W|^2 + l1 * |W|_1        (W = theta[:d])

with the model's loss: squared error (linear), sigmoid cross-entropy (logistic), softmax
cross-entropy (softmax). Its smooth part has a Hessian bounded by ``L * I``,
``L = c * lambda_max(A^T R A) + 2 * l2`` with ``c`` = 2 (squared error: exact), 1/4 (the
sigmoid's slope is at most 1/4) or 1/2 (``diag(p) - p p^T`` has eigenvalues at most 1/2);
gradient descent converges for rates below ``2 / L`` (Nesterov, *Introductory Lectures on
Convex Optimization*, 2004, Thm 2.1.14) and ``1 / L`` is the classical safe step.

Solvers: linear without L1 by the normal equations with the L2 term; logistic and softmax by
Newton's method with a backtracking line search (IRLS); with L1 by FISTA with restarts (Beck
and Teboulle 2009, O'Donoghue and Candes 2015) on the smooth part. Separable classification
data without L2 have no minimum; a linear program (margin >= 1 feasible) detects them.
"""

import collections
import warnings

import numpy as np

CURVATURE = {"linear": 2.0, "logistic": 0.25, "softmax": 0.5}

Problem = collections.namedtuple("Problem", "model gram b yy design labels row_weights n_classes "
                                            "l1 l2")
Problem.__doc__ = """One training objective.

Attributes:
    model: "linear", "logistic" or "softmax".
    gram: ``[d + 1, d + 1]`` float64 ``A^T R A``; b: ``[d + 1]`` float64 ``A^T R y`` (linear);
        yy: ``sum_i r_i y_i^2`` (linear).
    design: ``[n, d + 1]`` float64 A, or None (linear from its statistics alone).
    labels: ``[n]`` float64 targets or class indices, or None; row_weights: ``[n]`` float64
        summing to 1, or None.
    n_classes: K for softmax, else 1.
    l1, l2: penalty strengths.
"""


def design_matrix(features, mean=None, std=None):
    """``[n, d + 1]`` float64: ``(features - mean) / std`` (when given), then a column of ones."""
    z = np.asarray(features, np.float64)
    if mean is not None:
        z = (z - np.asarray(mean, np.float64)) / np.asarray(std, np.float64)
    return np.hstack([z, np.ones((len(z), 1))])


def normalised_weights(n_rows, row_weights=None):
    """``[n]`` float64 weights summing to 1 (equal without ``row_weights``)."""
    weights = np.ones(n_rows) if row_weights is None else np.ravel(row_weights).astype(np.float64)
    return weights / weights.sum()


def problem(model, design, labels, row_weights=None, n_classes=1, l1=0.0, l2=0.0):
    """A ``Problem`` over rows in memory (``row_weights`` raw, ``[n]`` or None)."""
    r = normalised_weights(len(design), row_weights)
    y = np.ravel(labels).astype(np.float64)
    return Problem(model, design.T.dot(design * r[:, None]), design.T.dot(r * y),
                   float(r.dot(y * y)), design, y, r, n_classes if model == "softmax" else 1,
                   l1, l2)


def lipschitz(model, gram, l2=0.0):
    """``L``: the bound on the smooth objective's curvature (see the module docstring)."""
    return CURVATURE[model] * float(np.linalg.eigvalsh(gram)[-1]) + 2.0 * l2


def _penalised(theta, l1, l2):
    weights = theta[:-1]
    return l2 * float(np.sum(weights ** 2)) + l1 * float(np.sum(np.abs(weights)))


def _logits(p, theta):
    return p.design.dot(theta)


def _softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True), z - np.log(e.sum(axis=1, keepdims=True))


def data_loss(p, theta):
    """The weighted mean data loss at ``theta`` (``[d + 1, K]``)."""
    if p.model == "linear":
        t = theta[:, 0]
        return float(t.dot(p.gram).dot(t) - 2 * t.dot(p.b) + p.yy)
    z = _logits(p, theta)
    if p.model == "logistic":
        z = z[:, 0]
        return float(p.row_weights.dot(np.logaddexp(0.0, z) - p.labels * z))
    _, log_p = _softmax(z)
    return float(-p.row_weights.dot(log_p[np.arange(len(z)), p.labels.astype(int)]))


def objective(p, theta):
    """``data_loss`` plus the penalties."""
    return data_loss(p, theta) + _penalised(theta, p.l1, p.l2)


def smooth_gradient(p, theta):
    """``[d + 1, K]`` gradient of the data loss plus ``l2 * |W|^2``."""
    if p.model == "linear":
        grad = 2 * (p.gram.dot(theta) - p.b[:, None])
    elif p.model == "logistic":
        residual = 1.0 / (1.0 + np.exp(-_logits(p, theta)[:, 0])) - p.labels
        grad = p.design.T.dot(p.row_weights * residual)[:, None]
    else:
        probabilities, _ = _softmax(_logits(p, theta))
        probabilities[np.arange(len(probabilities)), p.labels.astype(int)] -= 1.0
        grad = p.design.T.dot(probabilities * p.row_weights[:, None])
    grad[:-1] += 2 * p.l2 * theta[:-1]
    return grad


def gradient_norm(p, theta):
    """Norm of the minimal-norm subgradient of the objective at ``theta`` (0 at the optimum):
    with L1, where a weight is 0 the smooth gradient shrunk by ``l1``, else plus ``l1 * sign``."""
    grad = smooth_gradient(p, theta)
    if p.l1:
        weights, g = theta[:-1], grad[:-1]
        grad[:-1] = np.where(weights != 0, g + p.l1 * np.sign(weights),
                             np.sign(g) * np.maximum(np.abs(g) - p.l1, 0.0))
    return float(np.linalg.norm(grad))


def hessian(p, theta):
    """``[(d + 1) K, (d + 1) K]`` Hessian of the smooth objective at ``theta`` (rows and
    columns in ``theta.ravel()`` order)."""
    d1, k = theta.shape
    if p.model == "linear":
        matrix = 2 * p.gram
    elif p.model == "logistic":
        s = 1.0 / (1.0 + np.exp(-_logits(p, theta)[:, 0]))
        matrix = p.design.T.dot(p.design * (p.row_weights * s * (1 - s))[:, None])
    else:
        probabilities, _ = _softmax(_logits(p, theta))
        weighted = p.design * p.row_weights[:, None]
        blocks = np.einsum("ni,nk,nl,nj->ikjl", weighted, probabilities, probabilities, p.design)
        diagonal = np.einsum("ni,nk,nj->ikj", weighted, probabilities, p.design)
        matrix = -blocks
        for c in range(k):
            matrix[:, c, :, c] += diagonal[:, c, :]
        matrix = matrix.reshape(d1 * k, d1 * k)
    penalty = np.zeros((d1, k))
    penalty[:-1] = 2 * p.l2
    return matrix + np.diag(penalty.ravel())


def _newton(p, theta, tolerance=1e-12, max_iterations=100):
    """Newton's method with backtracking (Armijo) on the smooth objective."""
    value = objective(p, theta)
    for _ in range(max_iterations):
        grad = smooth_gradient(p, theta)
        if np.linalg.norm(grad) < tolerance:
            break
        step = np.linalg.lstsq(hessian(p, theta), grad.ravel(), rcond=None)[0].reshape(theta.shape)
        t, decrease = 1.0, float(np.sum(grad * step))
        while t > 1e-12:
            candidate = theta - t * step
            new_value = objective(p, candidate)
            if new_value <= value - 1e-4 * t * decrease:
                break
            t *= 0.5
        if t <= 1e-12 or value - new_value < 1e-16 * max(abs(value), 1.0):
            theta = candidate if new_value < value else theta
            break
        theta, value = candidate, new_value
    return theta


def _fista(p, theta, max_iterations=100000, tolerance=1e-12):
    """Proximal gradient with Nesterov momentum and adaptive restart; step 1/L; stops when the
    gradient mapping is ``tolerance`` of the gradient at the start."""
    step = 1.0 / lipschitz(p.model, p.gram, p.l2)
    tolerance *= max(np.linalg.norm(smooth_gradient(p, theta)), 1e-300)
    mask = np.ones_like(theta)
    mask[-1] = 0.0  # the bias is not penalised
    x, y, t, restarted = theta, theta.copy(), 1.0, False
    value = objective(p, x)
    for _ in range(max_iterations):
        v = y - step * smooth_gradient(p, y)
        x_new = np.sign(v) * np.maximum(np.abs(v) - step * p.l1 * mask, 0.0)
        new_value = objective(p, x_new)
        if new_value > value:  # restart the momentum; twice in a row: rounding, done
            if restarted:
                break
            y, t, restarted = x.copy(), 1.0, True
            continue
        restarted = False
        t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
        y = x_new + (t - 1) / t_new * (x_new - x)
        moved = np.linalg.norm(x_new - x) / step
        x, t, value = x_new, t_new, new_value
        if moved < tolerance:
            break
    return x


def separable(p):
    """Whether the classification rows (of weight > 0) are linearly separable: a ``theta``
    with margin >= 1 on every row exists (a linear program; scipy's ``linprog``)."""
    if p.model == "linear":
        return False
    from scipy.optimize import linprog
    rows = p.row_weights > 0
    a, y = p.design[rows], p.labels[rows].astype(int)
    d1 = a.shape[1]
    if p.model == "logistic":
        constraints = -(2 * y - 1)[:, None] * a
    else:
        k = p.n_classes
        blocks = []
        for other in range(k):
            keep = y != other
            block = np.zeros((int(keep.sum()), d1 * k))
            for c in range(k):
                own = (y[keep] == c)[:, None] * a[keep]
                block[:, c::k] += own
            block[:, other::k] -= a[keep]
            blocks.append(-block)
        constraints = np.vstack(blocks)
    n_vars = constraints.shape[1]
    try:
        result = linprog(np.zeros(n_vars), A_ub=constraints, b_ub=-np.ones(len(constraints)),
                         bounds=[(None, None)] * n_vars, method="highs")
    except ValueError:  # scipy before 1.6 (the reference leg's 1.5) has no HiGHS
        with warnings.catch_warnings():  # its interior point warns of ill-conditioning
            warnings.simplefilter("ignore")
            result = linprog(np.zeros(n_vars), A_ub=constraints, b_ub=-np.ones(len(constraints)),
                             bounds=[(None, None)] * n_vars, method="interior-point")
    return result.status == 0


def solve(p):
    """``[d + 1, K]`` float64 parameters minimising the objective; None when it has no minimum
    (separable classification rows without L2)."""
    d1, k = p.gram.shape[0], (p.n_classes if p.model == "softmax" else 1)
    theta = np.zeros((d1, k))
    if p.model != "linear" and not p.l2 and separable(p):
        return None
    if p.model == "linear":
        penalty = np.diag(np.r_[np.full(d1 - 1, p.l2), 0.0])
        theta = np.linalg.lstsq(p.gram + penalty, p.b, rcond=None)[0][:, None]
    elif not p.l1:
        theta = _newton(p, theta)
    if p.l1:
        theta = _fista(p, theta, tolerance=1e-9 if p.model == "linear" else 1e-12)
        if p.model == "linear":
            theta = _polish_linear(p, theta)
    return theta


def _polish_linear(p, theta):
    """The exact L1-penalised least-squares solution on the support and signs ``theta``
    found: the stationarity equations ``2 (G theta - b) + 2 l2 w + l1 sign(w) = 0`` on the
    nonzero weights and the bias, solved directly; kept when they satisfy the optimality
    conditions (same signs, ``|gradient| <= l1`` where a weight is 0), else ``theta``."""
    d1 = len(theta)
    support = np.r_[theta[:-1, 0] != 0, True]
    signs = np.r_[np.sign(theta[:-1, 0]), 0.0]
    matrix = p.gram + np.diag(np.r_[np.full(d1 - 1, p.l2), 0.0])
    rhs = p.b - 0.5 * p.l1 * signs
    polished = np.zeros(d1)
    polished[support] = np.linalg.lstsq(matrix[np.ix_(support, support)], rhs[support],
                                        rcond=None)[0]
    candidate = polished[:, None]
    gradient = smooth_gradient(p, candidate)[:-1, 0]
    same_signs = np.all(np.sign(polished[:-1][support[:-1]]) == signs[:-1][support[:-1]])
    if same_signs and np.all(np.abs(gradient[~support[:-1]]) <= p.l1 * (1 + 1e-9)) and (
            objective(p, candidate) <= objective(p, theta) + 1e-12 * abs(objective(p, theta))):
        return candidate
    return theta


def null_loss(p):
    """The data loss of the best constant model (a scale for relative gaps near 0)."""
    if p.model == "linear":
        mean = p.b[-1]
        return float(p.yy - mean * mean)
    counts = np.bincount(p.labels.astype(int), weights=p.row_weights,
                         minlength=max(p.n_classes, 2))
    counts = counts[counts > 0]
    return float(-np.sum(counts * np.log(counts)))
