"""Tests of tfcourse.metrics against values computed here by hand or with plain numpy."""

import math
import re
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


# Three classes, six rows; predicted (argmax): 0, 1, 1, 2, 2, 0.
CLASSES = np.array([0, 0, 1, 2, 2, 1])
CLASS_PROBABILITIES = np.array([
    [0.7, 0.2, 0.1],
    [0.3, 0.5, 0.2],
    [0.1, 0.8, 0.1],
    [0.2, 0.2, 0.6],
    [0.1, 0.3, 0.6],
    [0.5, 0.4, 0.1],
])


def test_multiclass_matches_hand_computation():
    result = metrics.multiclass(CLASSES, CLASS_PROBABILITIES)
    assert list(result) == ["log_loss", "accuracy", "f1_macro", "precision[0]", "recall[0]",
                            "precision[1]", "recall[1]", "precision[2]", "recall[2]"]
    true_probabilities = CLASS_PROBABILITIES[np.arange(6), CLASSES]  # .7 .3 .8 .6 .6 .4
    assert result["log_loss"] == pytest.approx(-np.mean(np.log(true_probabilities)), rel=1e-12)
    assert result["accuracy"] == pytest.approx(4 / 6.0)  # rows 0, 2, 3, 4
    # class 0: predicted rows 0, 5 (right: 0), actual rows 0, 1 -> precision 1/2, recall 1/2
    # class 1: predicted rows 1, 2 (right: 2), actual rows 2, 5 -> 1/2, 1/2
    # class 2: predicted rows 3, 4 (both right), actual rows 3, 4 -> 1, 1
    expected = {"precision[0]": 0.5, "recall[0]": 0.5, "precision[1]": 0.5, "recall[1]": 0.5,
                "precision[2]": 1.0, "recall[2]": 1.0}
    for name, value in expected.items():
        assert result[name] == pytest.approx(value), name
    assert result["f1_macro"] == pytest.approx((0.5 + 0.5 + 1.0) / 3)
    assert all(type(value) is float for value in result.values())


def test_multiclass_absent_and_never_predicted_classes_count_zero():
    # Four classes; class 3 is neither present nor predicted, class 0 never predicted.
    y = np.array([[0.0], [1.0], [2.0]], np.float32)
    p = np.array([[0.1, 0.6, 0.2, 0.1], [0.1, 0.7, 0.1, 0.1], [0.0, 0.1, 0.9, 0.0]],
                 np.float32)
    result = metrics.multiclass(y, p, class_names=["a", "b", "c", "d"])
    assert result["precision[a]"] == result["recall[a]"] == 0.0
    assert result["precision[b]"] == 0.5 and result["recall[b]"] == 1.0
    assert result["precision[d]"] == result["recall[d]"] == 0.0
    # F1 per class: a 0, b 2/3, c 1, d 0; the macro mean is over all four
    assert result["f1_macro"] == pytest.approx((2 / 3.0 + 1.0) / 4)
    expected_log_loss = -np.mean(np.log(p[np.arange(3), [0, 1, 2]].astype(np.float64) /
                                        p.astype(np.float64).sum(axis=1)))
    assert result["log_loss"] == pytest.approx(expected_log_loss, rel=1e-7)


def test_multiclass_float32_rows_not_summing_to_one_exactly():
    # float32 softmax rows miss 1 by a few 1e-8: renormalised, no warning (warnings are errors)
    rng = np.random.RandomState(1)
    logits = rng.normal(size=(50, 4)).astype(np.float32)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = rng.randint(0, 4, size=(50, 1)).astype(np.float32)
    result = metrics.multiclass(y, p)
    exact = np.exp(logits.astype(np.float64))
    exact /= exact.sum(axis=1, keepdims=True)
    assert result["log_loss"] == pytest.approx(
        -np.mean(np.log(exact[np.arange(50), y[:, 0].astype(int)])), rel=1e-6)


def test_multiclass_errors():
    with pytest.raises(ValueError, match="class_names: 2 names for 3 classes"):
        metrics.multiclass(CLASSES, CLASS_PROBABILITIES, class_names=["a", "b"])
    for labels, found in (([0, 3], "3"), ([0.5, 1], "0.5"), ([-1, 0], "-1")):
        with pytest.raises(ValueError, match=r"^label {}: not a class index 0\.\.2$".format(
                re.escape(found))):
            metrics.multiclass(np.array(labels), CLASS_PROBABILITIES[:2])


def _sklearn_metrics():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy built against another numpy: harmless notices
        from sklearn import metrics as sk_metrics
    return sk_metrics


@pytest.mark.parametrize("weighted", [False, True])
def test_numpy_metrics_equal_scikit_learn(weighted):
    sk = _sklearn_metrics()
    rng = np.random.RandomState(3)
    n = 301
    sw = rng.uniform(0.1, 3.0, size=n) if weighted else None
    y = rng.normal(size=n)
    pred = y + rng.normal(size=n) * 0.5
    result = metrics.regression(y, pred, sample_weight=sw)
    assert result["mse"] == pytest.approx(sk.mean_squared_error(y, pred, sample_weight=sw),
                                          rel=1e-12)
    assert result["mae"] == pytest.approx(sk.mean_absolute_error(y, pred, sample_weight=sw),
                                          rel=1e-12)
    assert result["r2"] == pytest.approx(sk.r2_score(y, pred, sample_weight=sw), rel=1e-12)
    labels = rng.randint(2, size=n)
    scores = np.round(np.clip(labels * 0.3 + rng.uniform(size=n) * 0.7, 0.01, 0.99), 2)  # ties
    result = metrics.classification(labels, scores, sample_weight=sw)
    predicted = (scores > 0.5).astype(int)
    expected = {"log_loss": sk.log_loss(labels, scores, sample_weight=sw),
                "accuracy": sk.accuracy_score(labels, predicted, sample_weight=sw),
                "precision": sk.precision_score(labels, predicted, sample_weight=sw),
                "recall": sk.recall_score(labels, predicted, sample_weight=sw),
                "f1": sk.f1_score(labels, predicted, sample_weight=sw),
                "roc_auc": sk.roc_auc_score(labels, scores, sample_weight=sw)}
    for name, value in expected.items():
        assert result[name] == pytest.approx(value, rel=1e-12), name
    classes = rng.randint(4, size=n)
    classes[classes == 3] = 2  # class 3 never present
    probabilities = rng.dirichlet(np.ones(4), size=n)
    probabilities[:, 1] *= 0.01  # class 1 rarely predicted
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    result = metrics.multiclass(classes, probabilities, sample_weight=sw)
    predicted = probabilities.argmax(axis=1)
    assert result["log_loss"] == pytest.approx(
        sk.log_loss(classes, probabilities, labels=[0, 1, 2, 3], sample_weight=sw), rel=1e-12)
    assert result["accuracy"] == pytest.approx(
        sk.accuracy_score(classes, predicted, sample_weight=sw), rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the classes never present or predicted
        assert result["f1_macro"] == pytest.approx(sk.f1_score(
            classes, predicted, labels=[0, 1, 2, 3], average="macro", sample_weight=sw), rel=1e-12)
        precision, recall, _, _ = sk.precision_recall_fscore_support(
            classes, predicted, labels=[0, 1, 2, 3], sample_weight=sw)
    for k in range(4):
        assert result["precision[{}]".format(k)] == pytest.approx(precision[k], rel=1e-12)
        assert result["recall[{}]".format(k)] == pytest.approx(recall[k], rel=1e-12)


@pytest.mark.slow
def test_metrics_import_no_scikit_learn():
    import subprocess
    import sys
    code = ("import sys; from tfcourse import metrics; metrics.classification([0, 1], [0.2, 0.9]);"
            " print('sklearn' in sys.modules)")
    assert subprocess.check_output([sys.executable, "-c", code], universal_newlines=True) == \
        "False\n"
