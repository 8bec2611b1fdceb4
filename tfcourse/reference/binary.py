"""The binary case of ``tfcourse.reference``: sigmoid, logistic and linear regression.

Samples are columns: ``X`` ``(n_x, m)``, labels ``Y`` ``(1, m)``, weights ``w``
``(n_x, 1)``, the bias ``b`` a scalar. Everything except :func:`sigmoid` is
computed in float64.
"""
import numpy as np


def _exp_neg_abs(z):
    """exp(-|z|) without overflow or underflow.

    Values whose result would fall below the smallest normal float of the
    dtype are set to exactly 0, so no floating-point flag is raised even
    under ``np.errstate(all="raise")``.

    Args:
        z: Floating ndarray of any shape.

    Returns:
        ndarray of the same shape and dtype as ``z``, values in [0, 1].
    """
    cap = np.floor(-np.log(np.finfo(z.dtype).tiny)) - 1
    abs_z = np.abs(z)
    clipped = np.exp(-np.minimum(abs_z, cap))
    return np.where(abs_z < cap, clipped, z.dtype.type(0))


def sigmoid(z):
    """Elementwise logistic function 1 / (1 + exp(-z)), stable for any z.

    Uses e = exp(-|z|) <= 1: sigmoid(z) = 1 / (1 + e) for z >= 0 and
    e / (1 + e) for z < 0, so nothing overflows.

    Args:
        z: Scalar or array-like of any shape.

    Returns:
        ndarray of the same shape as ``z``. Floating inputs keep their dtype
        (e.g. float32); other inputs give float64.
    """
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    e = _exp_neg_abs(z)
    one = z.dtype.type(1)
    return np.where(z >= 0, one / (one + e), e / (one + e))


def _validate(w, b, X, Y=None):
    """Check shapes (w: (n_x, 1), b: size 1, X: (n_x, m), Y: (1, m) or None).

    Returns:
        Tuple (w, b, X, Y) as float64 arrays, b as a python float.

    Raises:
        ValueError: Naming the argument, with expected and actual shapes.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < 1:
        raise ValueError("X must be 2-D with shape (n_x, m), m >= 1, got %s"
                         % (X.shape,))
    n_x, m = X.shape
    w = np.asarray(w, dtype=np.float64)
    if w.shape != (n_x, 1):
        raise ValueError("w must have shape (n_x, 1) = %s, got %s"
                         % ((n_x, 1), w.shape))
    if Y is not None:
        Y = np.asarray(Y, dtype=np.float64)
        if Y.shape != (1, m):
            raise ValueError("Y must have shape (1, m) = %s, got %s"
                             % ((1, m), Y.shape))
    if np.size(b) != 1:
        raise ValueError("b must be a scalar, got shape %s"
                         % (np.shape(b),))
    b = float(np.asarray(b, dtype=np.float64).reshape(()))
    return w, b, X, Y


def _logits(w, b, X):
    """Z = w.T X + b, shape (1, m), for already validated float64 inputs."""
    return np.dot(w.T, X) + b


def _param_grads(X, dZ):
    """Gradients of a mean loss from dZ = d(m * cost)/dZ.

    Args:
        X: float64 ndarray, shape (n_x, m).
        dZ: float64 ndarray, shape (1, m).

    Returns:
        dict with "dw": X dZ.T / m, shape (n_x, 1), float64, and
        "db": mean(dZ), python float.
    """
    m = X.shape[1]
    return {"dw": np.dot(X, dZ.T) / m, "db": float(np.mean(dZ))}


def propagate(w, b, X, Y):
    """Cost and gradients of logistic regression.

    The cost is the mean binary cross-entropy
    J = -1/m * sum(y log(a) + (1 - y) log(1 - a)), a = sigmoid(z),
    z = w.T X + b. It is evaluated from the logits in the stable form used by
    TensorFlow's ``sigmoid_cross_entropy_with_logits``:
    max(z, 0) - z * y + log(1 + exp(-|z|)), which is finite for any z.
    Gradients: dw = X (A - Y).T / m, db = mean(A - Y).

    Args:
        w: Weights, shape (n_x, 1).
        b: Bias, scalar.
        X: Inputs, shape (n_x, m).
        Y: Labels in {0, 1} (soft labels in [0, 1] also work), shape (1, m).

    Returns:
        Tuple (grads, cost): grads is a dict with "dw" (float64 ndarray,
        shape (n_x, 1)) and "db" (python float); cost is a python float.

    Raises:
        ValueError: If the shapes do not fit.
    """
    w, b, X, Y = _validate(w, b, X, Y)
    Z = _logits(w, b, X)
    losses = np.maximum(Z, 0) - Z * Y + np.log1p(_exp_neg_abs(Z))
    grads = _param_grads(X, sigmoid(Z) - Y)
    return grads, float(np.mean(losses))


def linear_propagate(w, b, X, Y):
    """Cost and gradients of linear regression with mean squared error.

    Z = w.T X + b, J = mean((Z - Y)^2),
    dw = 2/m X (Z - Y).T, db = 2 mean(Z - Y).

    Args:
        w: Weights, shape (n_x, 1).
        b: Bias, scalar.
        X: Inputs, shape (n_x, m).
        Y: Targets, shape (1, m).

    Returns:
        Tuple (grads, cost): grads is a dict with "dw" (float64 ndarray,
        shape (n_x, 1)) and "db" (python float); cost is a python float.

    Raises:
        ValueError: If the shapes do not fit.
    """
    w, b, X, Y = _validate(w, b, X, Y)
    residual = _logits(w, b, X) - Y
    grads = _param_grads(X, 2.0 * residual)
    return grads, float(np.mean(residual ** 2))


def penalty(w, l1=0.0, l2=0.0):
    """The penalty l2 * sum(w^2) + l1 * sum(|w|) of the weights (the bias is not penalised).

    Args:
        w: Weights, any shape.
        l1, l2: Penalty strengths, >= 0.

    Returns:
        python float.
    """
    w = np.asarray(w, dtype=np.float64)
    return float(l2 * np.sum(w ** 2) + l1 * np.sum(np.abs(w)))


def proximal_step(w, dw, learning_rate, l1=0.0, l2=0.0):
    """One proximal gradient step on cost + :func:`penalty`: the L2 term enters the gradient,
    the L1 term is soft-thresholding (what ``tf.train.ProximalGradientDescentOptimizer``
    applies with ``l1_regularization_strength``):
    v = w - learning_rate * (dw + 2 * l2 * w); w' = sign(v) * max(|v| - learning_rate * l1, 0).

    Returns:
        float64 ndarray of w's shape (a new array).
    """
    v = w - learning_rate * (dw + 2.0 * l2 * w)
    return np.sign(v) * np.maximum(np.abs(v) - learning_rate * l1, 0.0)


def _gradient_descent(propagate_fn, w, b, X, Y, num_iterations,
                      learning_rate, print_cost, validate=_validate, l1=0.0, l2=0.0):
    """Gradient descent shared by :func:`optimize` and :func:`linear_optimize`.

    Each iteration i computes (grads, cost) at the current parameters, then
    sets w = w - learning_rate * dw and b = b - learning_rate * db (new
    arrays; the inputs are never modified). With ``l1`` or ``l2`` the weights'
    step is :func:`proximal_step` and the cost includes :func:`penalty` (the
    bias is not penalised). The cost is
    recorded (and printed if ``print_cost``) when i % 100 == 0.

    ``validate`` checks and converts the arguments (softmax regression has its own).

    Returns:
        Tuple (params, grads, costs): params = {"w": (n_x, 1) float64 array,
        "b": python float} (softmax: w (n_x, K), b (K, 1) float64 arrays);
        grads from the last iteration; costs a list of python floats for
        iterations 0, 100, 200, ...

    Raises:
        ValueError: If num_iterations < 1 or the shapes do not fit.
    """
    if num_iterations < 1:
        raise ValueError("num_iterations must be >= 1, got %r"
                         % (num_iterations,))
    w, b, X, Y = validate(w, b, X, Y)
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate_fn(w, b, X, Y)
        cost += penalty(w, l1, l2)
        w = proximal_step(w, grads["dw"], learning_rate, l1, l2)
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print("Cost after iteration %i: %f" % (i, cost))
    return {"w": w, "b": b}, grads, costs


def optimize(w, b, X, Y, num_iterations, learning_rate, print_cost=False, l1=0.0, l2=0.0):
    """Fit logistic regression by gradient descent on :func:`propagate`.

    Args:
        w: Initial weights, shape (n_x, 1). Not modified.
        b: Initial bias, scalar.
        X: Inputs, shape (n_x, m).
        Y: Labels in {0, 1}, shape (1, m).
        num_iterations: Number of updates, >= 1.
        learning_rate: Step size.
        print_cost: Print "Cost after iteration %i: %f" every 100 iterations.
        l1, l2: Penalty strengths on the weights (see :func:`penalty`), >= 0.

    Returns:
        Tuple (params, grads, costs), see :func:`_gradient_descent`.
    """
    return _gradient_descent(propagate, w, b, X, Y, num_iterations,
                             learning_rate, print_cost, l1=l1, l2=l2)


def linear_optimize(w, b, X, Y, num_iterations, learning_rate,
                    print_cost=False, l1=0.0, l2=0.0):
    """Fit linear regression by gradient descent on :func:`linear_propagate`.

    Arguments and return value as in :func:`optimize`, with real-valued
    targets Y of shape (1, m).
    """
    return _gradient_descent(linear_propagate, w, b, X, Y, num_iterations,
                             learning_rate, print_cost, l1=l1, l2=l2)


def predict(w, b, X):
    """Logistic regression labels: 1.0 where sigmoid(w.T X + b) > 0.5.

    A probability of exactly 0.5 gives 0.0.

    Args:
        w: Weights, shape (n_x, 1).
        b: Bias, scalar.
        X: Inputs, shape (n_x, m).

    Returns:
        float64 ndarray of 0.0 / 1.0, shape (1, m).
    """
    w, b, X, _ = _validate(w, b, X)
    return (sigmoid(_logits(w, b, X)) > 0.5).astype(np.float64)


def linear_predict(w, b, X):
    """Linear regression predictions w.T X + b.

    Args:
        w: Weights, shape (n_x, 1).
        b: Bias, scalar.
        X: Inputs, shape (n_x, m).

    Returns:
        float64 ndarray, shape (1, m).
    """
    w, b, X, _ = _validate(w, b, X)
    return _logits(w, b, X)
