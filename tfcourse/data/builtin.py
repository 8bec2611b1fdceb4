"""The built-in data sets: the course's line and a synthetic two-class set.

A model module names the set it trains on without a CSV file (``BUILTIN_DATA``).
"""

import numpy as np

from tfcourse.data.types import Dataset, numeric_column

TRUE_WEIGHT = 0.8
TRUE_BIAS = 0.7
CLASSIFICATION_FEATURES = 5


def course_data(n_samples, seed):
    """The course's linear-regression data: x ~ N(0, 1), y = 0.8·x + 0.7, no noise.

    Returns:
        a ``Dataset`` with one feature ``x`` and target ``y``,
        ``[n_samples, 1]`` float32 each.
    """
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(n_samples, 1)).astype(np.float32)
    y = (TRUE_WEIGHT * x + TRUE_BIAS).astype(np.float32)
    return Dataset(x=x, text=None, y=y, columns=(numeric_column("x", 0.0),), label="y",
                   classes=None, source="built-in course data (y = 0.8*x + 0.7)")


def classification_data(n_samples, seed):
    """A synthetic two-class set: x ~ N(0, I_5), P(y = 1 | x) = sigmoid(x·w + 0.5).

    ``w`` is drawn from N(0, 1) with the same seed; labels are sampled, so the
    classes overlap (the data are not linearly separable).

    Returns:
        a ``Dataset`` with features ``x1..x5`` (``[n_samples, 5]`` float32) and 0./1.
        labels ``y`` (``[n_samples, 1]`` float32).
    """
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(n_samples, CLASSIFICATION_FEATURES))
    true_weights = rng.normal(size=(CLASSIFICATION_FEATURES, 1))
    probabilities = 1.0 / (1.0 + np.exp(-(x.dot(true_weights) + 0.5)))
    y = (rng.uniform(size=(n_samples, 1)) < probabilities).astype(np.float32)
    names = tuple("x{}".format(i + 1) for i in range(CLASSIFICATION_FEATURES))
    return Dataset(x=x.astype(np.float32), text=None, y=y,
                   columns=tuple(numeric_column(name, 0.0) for name in names), label="y",
                   classes=("0", "1"), source="built-in two-class data")


SETS = {"course": course_data, "classes": classification_data}
