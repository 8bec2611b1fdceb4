"""The shipped configs on the real data sets: quality bars, standardisation, eval runs,
evaluate and predict end to end."""

import csv
import glob
import os

import numpy as np
import pytest

from tfcourse import config as config_lib, data, metrics
from tfcourse.commands import predict
from tfcourse.commands import restore
from tfcourse.train import trainer
from tfcourse.tf_compat import tf

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def shipped(name, tmp_path, **overrides):
    overrides.setdefault("model_dir", str(tmp_path / name))
    overrides.setdefault("summary_dir", str(tmp_path / "summary"))
    return config_lib.resolve(os.path.join(REPO, "configs", name + ".yaml"), overrides)


@pytest.fixture(scope="module")
def diabetes(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("diabetes")
    config = shipped("diabetes", tmp_path)
    return config, trainer.train(config, out=lambda line: None)


@pytest.fixture(scope="module")
def breast_cancer(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("breast_cancer")
    config = shipped("breast_cancer", tmp_path)
    return config, trainer.train(config, out=lambda line: None)


def test_diabetes_training_r2_reaches_least_squares(diabetes):
    config, _ = diabetes
    train = data.load(config.data, config.seed).train
    with restore.open_model(config.model_dir) as loaded:
        predictions, _ = restore.run_outputs(loaded, train.x)
    design = np.hstack([train.x.astype(np.float64), np.ones((len(train.x), 1))])
    solution = np.linalg.lstsq(design, train.y.astype(np.float64), rcond=None)[0]
    best_r2 = metrics.regression(train.y, design.dot(solution))["r2"]
    r2 = metrics.regression(train.y, predictions)["r2"]
    assert best_r2 > 0.5
    assert best_r2 - 0.01 < r2 <= best_r2 + 1e-6


def test_breast_cancer_validation_accuracy(breast_cancer):
    _, result = breast_cancer
    assert result.eval_metrics["accuracy"] >= 0.95
    assert result.eval_metrics["roc_auc"] >= 0.98


def test_standardisation_statistics_come_from_the_training_split(diabetes):
    config, _ = diabetes
    split = data.load(config.data, config.seed)
    mean, std = data.standardization(split.train.x)
    np.testing.assert_array_equal(tf.train.load_variable(config.model_dir, "standardize/mean"), mean)
    np.testing.assert_array_equal(tf.train.load_variable(config.model_dir, "standardize/std"), std)
    everything = data.standardization(np.vstack([split.train.x, split.validation.x]))[0]
    assert not np.allclose(mean, everything)


def test_eval_run_beside_train_run(breast_cancer):
    config, result = breast_cancer
    assert sorted(os.listdir(result.run_dir)) == ["eval", "train"]
    steps, tags = [], set()
    path = glob.glob(os.path.join(result.run_dir, "eval", "events.out.tfevents.*"))[0]
    for event in tf.train.summary_iterator(path):
        for value in event.summary.value:
            tags.add(value.tag)
            if value.tag == "metrics/accuracy":
                steps.append(event.step)
                last = value.simple_value
    assert steps == list(range(0, config.max_step + 1, config.eval_every))
    assert {"loss/loss", "metrics/log_loss", "metrics/roc_auc", "metrics/f1"} <= tags
    assert last == pytest.approx(result.eval_metrics["accuracy"], rel=1e-6)


def test_evaluate_matches_numpy_on_the_file(diabetes, tmp_path):
    config, _ = diabetes
    values = predict.evaluate(config.model_dir, os.path.join(REPO, "data", "diabetes.csv"),
                                out=lambda line: None)
    full = data.read_csv(os.path.join(REPO, "data", "diabetes.csv"), "progression")
    with restore.open_model(config.model_dir) as loaded:
        predictions, _ = restore.run_outputs(loaded, full.x)
    residual = predictions[:, 0].astype(np.float64) - full.y[:, 0]
    assert values["mse"] == pytest.approx(np.mean(residual ** 2), rel=1e-5)
    assert values["loss"] == pytest.approx(values["mse"], rel=1e-4)
    assert 0.45 < values["r2"] < 0.6


def test_predict_writes_input_rows_with_predictions(breast_cancer, tmp_path):
    config, _ = breast_cancer
    source = os.path.join(REPO, "data", "breast_cancer.csv")
    rows = list(csv.reader(open(source, newline="")))
    unlabelled = tmp_path / "in.csv"
    with open(str(unlabelled), "w", newline="") as handle:
        csv.writer(handle).writerows([row[:-1] for row in rows[:11]])  # no label column
    output = tmp_path / "out.csv"
    assert predict.predict(config.model_dir, str(unlabelled), str(output),
                             out=lambda line: None) == 10
    written = list(csv.reader(open(str(output), newline="")))
    assert written[0] == rows[0][:-1] + ["prediction", "probability"]
    assert [row[:-2] for row in written[1:]] == [row[:-1] for row in rows[1:11]]
    probabilities = np.array([float(row[-1]) for row in written[1:]])
    predictions = np.array([float(row[-2]) for row in written[1:]])
    np.testing.assert_array_equal(predictions, (probabilities > 0.5).astype(float))
    labels = np.array([float(row[-1]) for row in rows[1:11]])
    assert np.mean(predictions == labels) >= 0.9
