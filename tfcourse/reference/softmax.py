"""Softmax (multinomial logistic) regression of ``tfcourse.reference``.

One column of parameters per class: ``w`` ``(n_x, K)``, ``b`` ``(K, 1)``, logits
``Z = w.T X + b`` ``(K, m)``; labels are class indices ``Y`` ``(1, m)`` (shaped as the
binary case's labels) or one-hot / probability columns ``(K, m)``. Everything except
:func:`softmax` is computed in float64.
"""
import numpy as np

from tfcourse.reference.binary import _exp_neg_abs, _gradient_descent


def softmax(z):
    """Softmax over the classes, the rows of ``z`` (axis 0): exp(z) / sum(exp(z)).

    Stable for any z: the column maximum is subtracted first, so the largest
    exponent is exp(0) = 1 and nothing overflows; exponents too small for the
    dtype are exactly 0 (no floating-point flag is raised).

    Args:
        z: Array-like of shape (K, m) (or (K,)).

    Returns:
        ndarray of the same shape, columns summing to 1. Floating inputs
        keep their dtype; other inputs give float64.
    """
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    e = _exp_neg_abs(z - np.max(z, axis=0, keepdims=True))  # exp of values <= 0
    return e / np.sum(e, axis=0, keepdims=True)


def _validate_softmax(w, b, X, Y=None):
    """Check shapes (w: (n_x, K), K >= 2; b: K values; X: (n_x, m); Y: class
    indices (1, m) or label distributions (K, m), or None).

    Returns:
        Tuple (w, b, X, Y) of float64 arrays: b of shape (K, 1), Y one-hot
        (K, m) for class indices.

    Raises:
        ValueError: Naming the argument, with expected and actual shapes, or
            a class index that is not an integer in 0..K-1.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < 1:
        raise ValueError("X must be 2-D with shape (n_x, m), m >= 1, got %s" % (X.shape,))
    n_x, m = X.shape
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 2 or w.shape[0] != n_x or w.shape[1] < 2:
        raise ValueError("w must have shape (n_x, K) = (%d, K), K >= 2, got %s"
                         % (n_x, w.shape))
    k = w.shape[1]
    if np.size(b) != k:
        raise ValueError("b must have K = %d values, got shape %s" % (k, np.shape(b)))
    b = np.asarray(b, dtype=np.float64).reshape(k, 1)
    if Y is not None:
        Y = np.asarray(Y, dtype=np.float64)
        if Y.shape == (1, m):
            if np.any((Y != np.round(Y)) | (Y < 0) | (Y >= k)):
                raise ValueError("Y must hold class indices 0..%d" % (k - 1))
            Y = (np.arange(k)[:, None] == Y).astype(np.float64)
        elif Y.shape != (k, m):
            raise ValueError("Y must have shape (1, m) = %s or (K, m) = %s, got %s"
                             % ((1, m), (k, m), Y.shape))
    return w, b, X, Y


def propagate_softmax(w, b, X, Y):
    """Cost and gradients of softmax (multinomial logistic) regression.

    The cost is the mean cross-entropy J = -1/m * sum_j sum_k Y_kj log(A_kj),
    A = softmax(Z), Z = w.T X + b, evaluated from the logits as TensorFlow's
    ``softmax_cross_entropy_with_logits_v2`` does: log(A_kj) = Z_kj - max_k Z_kj
    - log(sum_k exp(Z_kj - max_k Z_kj)), finite for any Z.
    Gradients: dZ = A - Y, dw = X dZ.T / m, db = mean of dZ over the samples.

    Args:
        w: Weights, shape (n_x, K), K >= 2.
        b: Bias, K values (shape (K, 1) or (K,)).
        X: Inputs, shape (n_x, m).
        Y: Class indices 0..K-1, shape (1, m); or one-hot (or soft) label
            columns, shape (K, m).

    Returns:
        Tuple (grads, cost): grads is a dict with "dw" (float64 ndarray,
        shape (n_x, K)) and "db" (float64 ndarray, shape (K, 1)); cost is a
        python float.

    Raises:
        ValueError: If the shapes or class indices do not fit.
    """
    w, b, X, Y = _validate_softmax(w, b, X, Y)
    Z = np.dot(w.T, X) + b
    shifted = Z - np.max(Z, axis=0, keepdims=True)
    log_A = shifted - np.log(np.sum(_exp_neg_abs(shifted), axis=0, keepdims=True))
    dZ = _exp_neg_abs(log_A) - Y  # log_A <= 0
    m = X.shape[1]
    grads = {"dw": np.dot(X, dZ.T) / m, "db": np.mean(dZ, axis=1, keepdims=True)}
    return grads, float(-np.sum(Y * log_A) / m)


def optimize_softmax(w, b, X, Y, num_iterations, learning_rate, print_cost=False, l1=0.0,
                     l2=0.0):
    """Fit softmax regression by gradient descent on :func:`propagate_softmax`.

    Arguments as in :func:`optimize`, with w of shape (n_x, K), b of K values
    and Y as in :func:`propagate_softmax`; ``l1``, ``l2`` penalise the weights.

    Returns:
        Tuple (params, grads, costs), see :func:`_gradient_descent`: params
        {"w": (n_x, K), "b": (K, 1)} float64 arrays.
    """
    return _gradient_descent(propagate_softmax, w, b, X, Y, num_iterations,
                             learning_rate, print_cost, validate=_validate_softmax, l1=l1,
                             l2=l2)


def predict_softmax(w, b, X):
    """Softmax regression labels: the class of the largest logit in each column
    (the lowest index on a tie).

    Args:
        w: Weights, shape (n_x, K).
        b: Bias, K values.
        X: Inputs, shape (n_x, m).

    Returns:
        float64 ndarray of class indices, shape (1, m).
    """
    w, b, X, _ = _validate_softmax(w, b, X)
    return np.argmax(np.dot(w.T, X) + b, axis=0)[None, :].astype(np.float64)
