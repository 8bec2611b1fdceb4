"""Tests of tfcourse.data.columns: column choice and the one statistics routine (the label's
classes: test_data_labels.py)."""

import numpy as np
import pytest

from tfcourse.data import columns, csv_reader
from tfcourse.errors import DataError


def header(*names):
    return csv_reader.Header("f.csv", tuple(names), 1, ",")


def test_select_features_defaults_to_all_but_label():
    assert columns.select_features(header("a", "y", "b"), "y") == ("a", "b")
    assert columns.select_features(header("a", "y", "b"), "y", ["b"]) == ("b",)


def test_model_columns_put_the_label_last_when_present():
    assert columns.model_columns(header("y", "b", "a"), ("a", "b"), "y") == ([2, 1, 0], True)
    assert columns.model_columns(header("b", "a"), ("a", "b"), "y", require_label=False) == (
        [1, 0], False)


def test_standardization_matches_numpy():
    rng = np.random.RandomState(0)
    x = (rng.normal(size=(200, 3)) * [1.0, 50.0, 0.01] + [0.0, 1000.0, -3.0]).astype(np.float32)
    x[:, 2] = 4.25  # a constant column
    mean, std = columns.standardization(x)
    assert mean.dtype == np.float32 and std.dtype == np.float32
    assert mean.shape == std.shape == (3,)
    x64 = x.astype(np.float64)
    expected_std = np.sqrt(((x64 - x64.mean(axis=0)) ** 2).mean(axis=0)).astype(np.float32)
    expected_std[2] = 1.0
    np.testing.assert_array_equal(mean, x64.mean(axis=0).astype(np.float32))
    np.testing.assert_allclose(std, expected_std, rtol=1e-6)
    assert mean[2] == 4.25 and std[2] == 1.0
    z = (x - mean) / std
    np.testing.assert_allclose(z.mean(axis=0), [0, 0, 0], atol=1e-5)
    np.testing.assert_allclose(z[:, :2].std(axis=0), [1, 1], rtol=1e-5)


@pytest.mark.parametrize("cuts", [[1], [7, 50, 51], list(range(1, 200, 3))])
def test_moments_in_chunks_equal_the_whole(cuts):
    x = np.random.RandomState(1).normal(5.0, 3.0, size=(200, 4)).astype(np.float32)
    moments = columns.Moments(4)
    for part in np.split(x, cuts):
        moments.add(part)
    mean, std = moments.result()
    whole_mean, whole_std = columns.standardization(x)
    np.testing.assert_allclose(mean, whole_mean, rtol=1e-7)  # float32 rounding at most
    np.testing.assert_allclose(std, whole_std, rtol=1e-7)


def test_moments_far_from_zero_keep_the_variance():
    # Sums of x - x[0]: a column near 1e9 with spread 1 keeps its variance (float64).
    x = (1e9 + np.random.RandomState(2).normal(size=(1000, 1))).astype(np.float64)
    moments = columns.Moments(1)
    moments.add(x[:500])
    moments.add(x[500:])
    mean, var = moments.mean_var()
    np.testing.assert_allclose(mean, x.mean(axis=0), rtol=1e-15)
    np.testing.assert_allclose(var, x.var(axis=0), rtol=1e-9)
    empty = columns.Moments(2).mean_var()
    assert empty[0].tolist() == [0.0, 0.0] and empty[1].tolist() == [0.0, 0.0]


def test_label_column_missing():
    with pytest.raises(DataError) as error:
        columns.label_column(header("a", "b"), "y")
    assert str(error.value) == "f.csv: label column 'y' not found; columns are: a, b"


def test_a_misspelt_column_gets_a_suggestion():
    with pytest.raises(DataError) as error:
        columns.label_column(header("species", "island"), "specie")
    assert str(error.value) == ("f.csv: label column 'specie' not found (did you mean 'species'?); "
                                "columns are: species, island")
