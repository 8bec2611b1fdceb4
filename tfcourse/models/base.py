"""What every model builder returns."""

import collections

Model = collections.namedtuple("Model", "predictions loss weights bias logits probabilities")
Model.__doc__ = """Tensors of a built model.

Attributes:
    predictions: ``[batch, 1]`` float32; the regression output (linear) or
        the 0./1. class (logistic, threshold 0.5).
    loss: scalar float32, the mean loss over the batch.
    weights: ``[n_features, 1]`` float32 variable.
    bias: ``[1]`` float32 variable.
    logits: ``[batch, 1]`` float32 (logistic), None for linear regression.
    probabilities: ``[batch, 1]`` float32 sigmoid(logits) (logistic), else None.
"""
