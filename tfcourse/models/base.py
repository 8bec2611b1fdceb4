"""What every model builder returns."""

import collections

Model = collections.namedtuple("Model", "predictions loss weights bias logits probabilities")
Model.__doc__ = """Tensors of a built model with ``K`` outputs per row (``K`` = 1 for linear
and logistic regression, ``K`` = n_classes for softmax regression).

Attributes:
    predictions: ``[batch, 1]`` float32; the regression output (linear), the
        0./1. class (logistic, threshold 0.5), or the class index 0., 1., ...,
        n_classes - 1 of the largest logit (softmax).
    loss: scalar float32, the mean loss over the batch.
    weights: ``[n_features, K]`` float32 variable.
    bias: ``[K]`` float32 variable.
    logits: ``[batch, K]`` float32 (logistic, softmax), None for linear regression.
    probabilities: ``[batch, K]`` float32: sigmoid(logits) = P(y = 1) (logistic),
        softmax(logits), row k = P(y = k) (softmax); None for linear regression.
"""
