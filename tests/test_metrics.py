"""Tests of tfcourse.metrics against values computed here by hand or with plain numpy."""

import math
import warnings

import numpy as np
import pytest

from tfcourse import metrics

Y_TRUE = np.array([3.0, -0.5, 2.0, 7.0, 4.0])
Y_PRED = np.array([2.5, 0.0, 2.0, 8.0, 2.0])

LABELS = np.array([1, 0, 1, 1, 0, 0, 1, 0])
PROBABILITIES = np.array([0.9, 0.2, 0.4, 0.7, 0.6, 0.1, 0.8, 0.3])


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_regression_matches_closed_forms():
    result = metrics.regression(Y_TRUE, Y_PRED)
    assert list(result) == ["mse", "rmse", "mae", "r2"]
    errors = Y_TRUE - Y_PRED                                  # 0.5, -0.5, 0, -1, 2
    mse = np.sum(errors ** 2) / len(errors)                   # (0.25 + 0.25 + 0 + 1 + 4) / 5
    assert mse == pytest.approx(1.1)
    ss_res = np.sum(errors ** 2)
    ss_tot = np.sum((Y_TRUE - Y_TRUE.mean()) ** 2)
    assert result["mse"] == pytest.approx(1.1, rel=1e-12)
    assert result["rmse"] == pytest.approx(math.sqrt(1.1), rel=1e-12)
    assert result["mae"] == pytest.approx(4.0 / 5, rel=1e-12)
    assert result["r2"] == pytest.approx(1 - ss_res / ss_tot, rel=1e-12)
    assert result["r2"] == pytest.approx(1 - 5.5 / 30.2, rel=1e-12)   # mean 3.1
    assert all(type(value) is float for value in result.values())


def test_regression_accepts_columns_and_float32():
    flat = metrics.regression(Y_TRUE, Y_PRED)
    column = metrics.regression(Y_TRUE.reshape(-1, 1).astype(np.float32),
                                Y_PRED.reshape(-1, 1).astype(np.float32))
    for name in flat:
        assert column[name] == pytest.approx(flat[name], rel=1e-6)


def test_regression_perfect_predictions():
    result = metrics.regression(Y_TRUE, Y_TRUE.copy())
    assert result == {"mse": 0.0, "rmse": 0.0, "mae": 0.0, "r2": 1.0}


def test_regression_worse_than_the_mean_has_negative_r2():
    y_true = np.array([1.0, 2.0, 3.0])
    result = metrics.regression(y_true, np.array([3.0, 2.0, 1.0]))
    assert result["r2"] == pytest.approx(1 - 8.0 / 2.0)
    assert result["mae"] == pytest.approx(4.0 / 3)


def test_regression_constant_targets_r2_is_nan():
    result = metrics.regression(np.array([2.0, 2.0, 2.0]), np.array([1.0, 2.0, 4.0]))
    assert math.isnan(result["r2"])
    assert result["mse"] == pytest.approx(5.0 / 3)
    assert result["mae"] == pytest.approx(1.0)


def test_classification_matches_closed_forms():
    result = metrics.classification(LABELS, PROBABILITIES)
    assert list(result) == ["log_loss", "accuracy", "precision", "recall", "f1", "roc_auc"]
    y, p = LABELS, PROBABILITIES
    log_loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    # Predicted 1 (p > 0.5): 0.9, 0.7, 0.6, 0.8 -> labels 1, 1, 0, 1.
    tp, fp, fn, tn = 3, 1, 1, 3
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    assert result["log_loss"] == pytest.approx(log_loss, rel=1e-12)
    assert result["accuracy"] == pytest.approx((tp + tn) / 8.0)
    assert result["precision"] == pytest.approx(precision)
    assert result["recall"] == pytest.approx(recall)
    assert result["f1"] == pytest.approx(2 * precision * recall / (precision + recall))
    # Positives 0.9, 0.4, 0.7, 0.8 against negatives 0.2, 0.6, 0.1, 0.3: 15 of 16 pairs right
    # (only 0.4 < 0.6; every other positive beats every negative).
    assert result["roc_auc"] == pytest.approx(15 / 16.0)
    assert pairwise_auc(y, p) == pytest.approx(15 / 16.0)
    assert all(type(value) is float for value in result.values())


def pairwise_auc(y, p):
    positives, negatives = p[y == 1], p[y == 0]
    score = sum(1.0 if a > b else 0.5 if a == b else 0.0
                for a in positives for b in negatives)
    return score / (len(positives) * len(negatives))


def test_roc_auc_pairwise_definition_with_ties():
    y = np.array([1, 1, 0, 0, 1, 0])
    p = np.array([0.5, 0.3, 0.5, 0.3, 0.9, 0.1])
    # pairs: 0.5 vs (0.5, 0.3, 0.1) -> 0.5 + 1 + 1; 0.3 vs -> 0 + 0.5 + 1; 0.9 vs -> 3
    assert pairwise_auc(y, p) == pytest.approx(7 / 9.0)
    assert metrics.classification(y, p)["roc_auc"] == pytest.approx(7 / 9.0)


def test_roc_auc_random_against_pairwise_definition():
    rng = np.random.RandomState(0)
    y = rng.randint(0, 2, size=60)
    p = np.round(rng.uniform(size=60), 1)   # many ties
    assert metrics.classification(y, p)["roc_auc"] == pytest.approx(pairwise_auc(y, p))


def test_roc_auc_perfect_and_reversed():
    y = np.array([0, 0, 1, 1])
    assert metrics.classification(y, np.array([0.1, 0.2, 0.3, 0.4]))["roc_auc"] == 1.0
    assert metrics.classification(y, np.array([0.4, 0.3, 0.2, 0.1]))["roc_auc"] == 0.0


@pytest.mark.parametrize("label", [0, 1])
def test_one_class_only_roc_auc_is_nan(label):
    y = np.full(4, label)
    p = np.array([0.2, 0.4, 0.6, 0.8])
    result = metrics.classification(y, p)
    assert math.isnan(result["roc_auc"])
    assert result["log_loss"] == pytest.approx(
        -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), rel=1e-12)
    assert result["accuracy"] == 0.5


def test_no_positive_predictions_give_zero_precision_and_f1():
    y = np.array([1, 0, 1, 0])
    p = np.array([0.4, 0.1, 0.3, 0.2])
    result = metrics.classification(y, p)
    assert result["precision"] == 0.0
    assert result["recall"] == 0.0
    assert result["f1"] == 0.0
    assert result["accuracy"] == 0.5
    assert result["roc_auc"] == 1.0


def test_no_positive_labels_give_zero_recall():
    result = metrics.classification(np.array([0, 0, 0]), np.array([0.9, 0.1, 0.2]))
    assert result["precision"] == 0.0
    assert result["recall"] == 0.0
    assert result["f1"] == 0.0
    assert result["accuracy"] == pytest.approx(2 / 3.0)


def test_threshold_exactly_one_half_is_class_zero():
    y = np.array([0, 1, 1])
    result = metrics.classification(y, np.array([0.5, 0.5, 0.50001]))
    # predictions 0, 0, 1: tp 1, fp 0, fn 1, tn 1
    assert result["accuracy"] == pytest.approx(2 / 3.0)
    assert result["precision"] == 1.0
    assert result["recall"] == 0.5
    assert result["f1"] == pytest.approx(2 / 3.0)


def test_custom_threshold():
    result = metrics.classification(LABELS, PROBABILITIES, threshold=0.35)
    # predicted 1: 0.9, 0.4, 0.7, 0.6, 0.8 -> labels 1, 1, 1, 0, 1: tp 4, fp 1, fn 0, tn 3
    assert result["accuracy"] == pytest.approx(7 / 8.0)
    assert result["precision"] == pytest.approx(4 / 5.0)
    assert result["recall"] == 1.0
    assert result["f1"] == pytest.approx(2 * 0.8 / 1.8)


def test_classification_accepts_float_column_labels():
    flat = metrics.classification(LABELS, PROBABILITIES)
    column = metrics.classification(LABELS.reshape(-1, 1).astype(np.float32),
                                    PROBABILITIES.reshape(-1, 1).astype(np.float32))
    for name in flat:
        assert column[name] == pytest.approx(flat[name], rel=1e-6)


def test_format_metrics():
    values = metrics.regression(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]))
    assert metrics.format_metrics(values) == "mse 0.333333  rmse 0.57735  mae 0.333333  r2 0.5"
    assert metrics.format_metrics({"r2": float("nan")}) == "r2 nan"
