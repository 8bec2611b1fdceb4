"""Data sets: the course's built-in data, as float32 numpy arrays.

Data never becomes a graph constant: the trainer places these arrays in the
session once (see ``tfcourse.graph``).
"""

import collections

import numpy as np

TRUE_WEIGHT = 0.8
TRUE_BIAS = 0.7

Dataset = collections.namedtuple("Dataset", "x y feature_names label source")
Dataset.__doc__ = """A data set in memory.

Attributes:
    x: ``[n_samples, n_features]`` float32 features.
    y: ``[n_samples, 1]`` float32 targets or 0./1. labels.
    feature_names: tuple of str, one per column of ``x``.
    label: name of the target (str).
    source: where the data came from, for messages (str).
"""


def course_data(n_samples, seed):
    """The course's linear-regression data: x ~ N(0, 1), y = 0.8·x + 0.7.

    Args:
        n_samples: number of samples (int).
        seed: seed of the numpy generator (int).

    Returns:
        a ``Dataset`` with one feature ``x`` and target ``y``, no noise.
    """
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(n_samples, 1)).astype(np.float32)
    y = (TRUE_WEIGHT * x + TRUE_BIAS).astype(np.float32)
    return Dataset(x=x, y=y, feature_names=("x",), label="y",
                   source="built-in course data (y = 0.8*x + 0.7)")


def load(data_config, model, seed):
    """Loads the data set a config asks for.

    Args:
        data_config: a ``tfcourse.config.DataConfig``.
        model: model name (str).
        seed: the run's seed (int).

    Returns:
        a ``Dataset``.
    """
    return course_data(data_config.n_samples, seed)
