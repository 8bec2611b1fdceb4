"""Tests of tfcourse.data.columns: column choice, the one statistics routine, the label check."""

import numpy as np
import pytest

from tfcourse.data import columns, csv_reader
from tfcourse.errors import DataError
from tfcourse.models import logistic


def header(*names):
    return csv_reader.Header("f.csv", tuple(names), 1)


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


def test_label_check_names_line_and_column_in_blocks(monkeypatch):
    monkeypatch.setattr(columns, "CHECK_ROWS", 4)
    check = columns.LabelCheck(header("a", "y"), "y", logistic.label_error)
    y = np.array([0, 1, 1, 0, 0, 1, 7, 0, 3, 1], np.float32)
    lines = np.arange(10) + 2
    check.add(y[:3], lines[:3])
    check.add(y[3:], lines[3:])
    assert str(check.error()) == ("f.csv:8:2 (column 'y'): labels must be 0 or 1 for logistic "
                                  "regression, found 7")  # the block of rows 4..7 only
    assert columns.LabelCheck(header("a", "y"), "y", None).error() is None


def test_label_column_missing():
    with pytest.raises(DataError) as error:
        columns.label_column(header("a", "b"), "y")
    assert str(error.value) == "f.csv: label column 'y' not found; columns are: a, b"
