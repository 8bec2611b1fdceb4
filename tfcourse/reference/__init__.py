"""NumPy reference implementation of the course's math.

Used to cross-check the TensorFlow graphs. Conventions follow the course:
samples are columns, so ``X`` has shape ``(n_x, m)``, labels ``Y`` have shape
``(1, m)``, weights ``w`` have shape ``(n_x, 1)`` and the bias ``b`` is a
scalar. Everything except :func:`sigmoid` and :func:`softmax` is computed in
float64.

Softmax regression with K classes keeps the convention, one column of
parameters per class: ``w`` has shape ``(n_x, K)``, ``b`` shape ``(K, 1)``,
the logits ``Z = w.T X + b`` shape ``(K, m)``, and the labels are class indices
``Y`` of shape ``(1, m)`` (or one-hot / probability columns of shape ``(K, m)``).

    binary    sigmoid; propagate, optimize, predict (logistic regression);
              linear_propagate, linear_optimize, linear_predict; penalty, proximal_step
              (the optimizers' l1 and l2 terms: ``optimize(..., l1=, l2=)``)
    softmax   softmax; propagate_softmax, optimize_softmax, predict_softmax
"""

from tfcourse.reference.binary import (  # noqa: F401  (this package's API)
    linear_optimize, linear_predict, linear_propagate, optimize, penalty, predict, propagate,
    proximal_step, sigmoid)
from tfcourse.reference.softmax import (  # noqa: F401
    optimize_softmax, predict_softmax, propagate_softmax, softmax)
