"""Tests of tfcourse.data.builtin: the course's line and the synthetic classes."""

import numpy as np

from tfcourse.data import builtin
from tfcourse.data.types import numeric_column


def test_course_data():
    dataset = builtin.course_data(100, seed=42)
    assert dataset.x.shape == dataset.y.shape == (100, 1)
    assert dataset.text is None and dataset.classes is None and dataset.label == "y"
    assert dataset.columns == (numeric_column("x", 0.0),)
    assert dataset.x.dtype == dataset.y.dtype == np.float32
    np.testing.assert_allclose(dataset.y, 0.8 * dataset.x + 0.7, rtol=1e-6)
    np.testing.assert_array_equal(dataset.x, builtin.course_data(100, seed=42).x)
    assert (builtin.TRUE_WEIGHT, builtin.TRUE_BIAS) == (0.8, 0.7)


def test_classification_data():
    dataset = builtin.classification_data(500, seed=42)
    assert dataset.x.shape == (500, 5) and dataset.y.shape == (500, 1)
    assert dataset.x.dtype == dataset.y.dtype == np.float32
    assert tuple(column.name for column in dataset.columns) == ("x1", "x2", "x3", "x4", "x5")
    assert all(column.kind == "numeric" and not column.indicator for column in dataset.columns)
    assert dataset.text is None and dataset.classes == ("0", "1")
    assert set(np.unique(dataset.y).tolist()) == {0.0, 1.0}
    assert 0 < dataset.y.sum() < 500
    again = builtin.classification_data(500, seed=42)
    other = builtin.classification_data(500, seed=43)
    np.testing.assert_array_equal(dataset.x, again.x)
    np.testing.assert_array_equal(dataset.y, again.y)
    assert not np.array_equal(dataset.x, other.x)


def test_multiclass_data():
    dataset = builtin.multiclass_data(600, seed=42)
    assert dataset.x.shape == (600, 2) and dataset.y.shape == (600, 1)
    assert dataset.x.dtype == dataset.y.dtype == np.float32
    assert tuple(column.name for column in dataset.columns) == ("x1", "x2")
    assert dataset.label == "y" and dataset.text is None and dataset.classes == ("0", "1", "2")
    counts = np.bincount(dataset.y[:, 0].astype(int))
    assert len(counts) == 3 and counts.min() > 150  # about 200 each
    angles = 2 * np.pi * np.arange(3) / 3
    centres = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    for k in range(3):
        rows = dataset.x[dataset.y[:, 0] == k]
        np.testing.assert_allclose(rows.mean(axis=0), centres[k], atol=0.25)
        np.testing.assert_allclose(rows.std(axis=0), [1.0, 1.0], atol=0.15)
    nearest = np.argmin(((dataset.x[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
    wrong = np.mean(nearest != dataset.y[:, 0])
    assert 0.03 < wrong < 0.13  # the classes overlap: not linearly separable
    again, other = builtin.multiclass_data(600, seed=42), builtin.multiclass_data(600, seed=43)
    np.testing.assert_array_equal(dataset.x, again.x)
    np.testing.assert_array_equal(dataset.y, again.y)
    assert not np.array_equal(dataset.y, other.y)


def test_sets_are_named_as_the_models_name_them():
    assert builtin.SETS == {"course": builtin.course_data, "classes": builtin.classification_data,
                            "classes3": builtin.multiclass_data}
    from tfcourse import models
    assert {model.BUILTIN_DATA for model in models.MODELS.values()} == set(builtin.SETS)
