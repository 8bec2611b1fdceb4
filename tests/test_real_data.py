"""The shipped configs on the real data sets: quality bars, standardisation, eval runs,
evaluate and predict end to end; penguins (text columns, gaps, string labels) against a
scikit-learn pipeline on the same rows."""

import csv
import glob
import json
import os
import warnings

import numpy as np
import pytest

from tfcourse import config as config_lib, data, metrics
from tfcourse.commands import predict
from tfcourse.commands import restore
from tfcourse.training import trainer
from tfcourse.tf_compat import tf

with warnings.catch_warnings():
    # scipy's compiled modules were built against a newer numpy header; harmless.
    warnings.filterwarnings("ignore", message="numpy.ufunc size changed")
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PENGUINS = os.path.join(REPO, "data", "penguins.csv")


def shipped(name, tmp_path, **overrides):
    """A shipped config trained to its max_step: these tests compare the fit with scikit-learn's
    exact one (the configs' tolerance and early stopping are tested in test_stopping.py)."""
    overrides.setdefault("tolerance", 0.0)
    overrides.setdefault("early_stopping_patience", 0)
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
        predictions = restore.run_outputs(loaded, train)["predictions"]
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
    with restore.open_model(config.model_dir) as loaded:
        full = data.read_model_input(os.path.join(REPO, "data", "diabetes.csv"), loaded.spec)[0]
        predictions = restore.run_outputs(loaded, full)["predictions"]
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


# Penguins: the file as shipped (island, sex and species as text, NA gaps), compared with
# scikit-learn's pipeline for the same job on the very rows tfcourse trained and validated on.

def own_csv(tmp_path, model, label, **keys):
    """Trains the README's three-line config (data.path, data.label, model) plus ``keys``."""
    document = dict(model=model, data={"path": PENGUINS, "label": label},
                    model_dir=str(tmp_path / "model"), summary_dir=str(tmp_path / "summary"), **keys)
    path = tmp_path / "own.yaml"
    path.write_text(json.dumps(document))  # JSON is YAML
    config = config_lib.resolve(str(path))
    return config, trainer.train(config, out=lambda line: None, warn=lambda line: None)


def frame(dataset):
    """A ``Dataset``'s raw inputs as a pandas DataFrame, a column per name (text gaps: "")."""
    columns = {}
    for j, column in enumerate(data.numeric_columns(dataset.columns)):
        columns[column.name] = dataset.x[:, j]
    for j, column in enumerate(data.text_columns(dataset.columns)):
        columns[column.name] = dataset.text[:, j]
    return data.pandas().DataFrame(columns)


def sklearn_pipeline(columns, estimator=None):
    """One-hot text columns (unknown values: all zeros), mean-imputed numbers with missing
    indicators, z-scores, then ``estimator`` (None: the encoded features): what tfcourse's
    graph does to raw inputs."""
    encode = ColumnTransformer(
        [("categories", OneHotEncoder(handle_unknown="ignore"),
          [column.name for column in data.text_columns(columns)]),
         ("numbers", SimpleImputer(strategy="mean", add_indicator=True),
          [column.name for column in data.numeric_columns(columns)])], sparse_threshold=0)
    return make_pipeline(encode, StandardScaler(), *([estimator] if estimator else []))


def least_squares(train):
    """Predictions of the least-squares fit of ``train`` on scikit-learn's encoded features
    (numpy's ``lstsq``, which handles the one-hot columns' collinearity with the bias; on
    it scikit-learn 0.24's ``LinearRegression`` stops short of the optimum).

    Returns:
        ``predict(dataset)`` -> ``[rows]`` float64.
    """
    encode = sklearn_pipeline(train.columns).fit(frame(train))

    def design(dataset):
        features = encode.transform(frame(dataset))
        return np.hstack([features, np.ones((len(features), 1))])
    solution = np.linalg.lstsq(design(train), train.y[:, 0].astype(np.float64), rcond=None)[0]
    return lambda dataset: design(dataset).dot(solution)


def file_column(name):
    """``[344]`` object array of the file's cells in column ``name`` (read by ``csv``)."""
    rows = list(csv.DictReader(open(PENGUINS, newline="")))
    return np.array([row[name] for row in rows], object)


@pytest.fixture(scope="module")
def penguins_mass(tmp_path_factory):
    config = shipped("penguins_mass", tmp_path_factory.mktemp("penguins_mass"))
    return config, trainer.train(config, out=lambda line: None, warn=lambda line: None)


def test_penguins_mass_r2_matches_scikit_learn(penguins_mass):
    config, result = penguins_mass
    split, _ = trainer.load_data(config)
    train, validation = split.train, split.validation
    assert [(c.name, c.kind, c.vocabulary, c.missing_category) for c in train.columns
            if c.kind != "numeric"] == [
        ("species", "categorical", ("Adelie", "Gentoo", "Chinstrap"), False),
        ("island", "categorical", ("Biscoe", "Dream", "Torgersen"), False),
        ("sex", "categorical", ("male", "female"), True)]
    assert len(train.x) + len(validation.x) == 342  # the 2 rows without body_mass_g dropped
    pipeline = sklearn_pipeline(train.columns, LinearRegression()).fit(
        frame(train), train.y[:, 0])
    best = metrics.regression(validation.y, pipeline.predict(frame(validation)))["r2"]
    assert best > 0.85
    assert abs(result.eval_metrics["r2"] - best) < 0.01
    optimum = least_squares(train)
    r2 = metrics.regression(validation.y, optimum(validation))["r2"]
    assert result.eval_metrics["r2"] == pytest.approx(r2, abs=1e-4)
    with restore.open_model(config.model_dir) as loaded:
        predictions = restore.run_outputs(loaded, train)["predictions"][:, 0]
    np.testing.assert_allclose(predictions, optimum(train), atol=1.0)  # grams


def test_penguins_predict_encodes_unseen_values_like_scikit_learn(penguins_mass, tmp_path):
    config, _ = penguins_mass
    rows = list(csv.reader(open(PENGUINS, newline="")))
    for row in rows[5], rows[50], rows[150]:
        row[1] = "Anvers"  # an island no training row has
    new_rows = tmp_path / "new.csv"
    with open(str(new_rows), "w", newline="") as handle:
        csv.writer(handle).writerows([row[:5] + row[6:] for row in rows])  # no body_mass_g
    warned = []
    assert predict.predict(config.model_dir, str(new_rows), str(tmp_path / "out.csv"),
                           out=lambda line: None, warn=warned.append) == 344
    assert len(warned) == 1 and "island in 3 rows (e.g. 'Anvers')" in warned[0]
    written = list(csv.DictReader(open(str(tmp_path / "out.csv"), newline="")))
    assert [row["island"] for row in written].count("Anvers") == 3
    with restore.open_model(config.model_dir) as loaded:
        raw = data.read_model_input(str(new_rows), loaded.spec, na_values=config.data.na_values,
                                    with_label=False)[0]
    # unseen island: all its one-hot features 0; line 5's NA measurements: the training means
    expected = least_squares(trainer.load_data(config)[0].train)(raw)
    np.testing.assert_allclose([float(row["prediction"]) for row in written], expected, atol=1.0)


def test_penguins_sex_string_labels_logistic(tmp_path):
    config, result = own_csv(tmp_path, "logistic", "sex", learning_rate=0.5, max_step=2000,
                             eval_every=1000)
    split, spec = trainer.load_data(config)
    train, validation = split.train, split.validation
    assert spec.classes == ("female", "male")
    assert "dropped 11 rows without a label" in split.notes
    assert "positive class: sex = 'male' (probability is P(sex = 'male'))" in split.notes
    sex = file_column("sex")
    held = data.split.is_validation(np.arange(len(sex)), config.data.validation_fraction,
                                    config.seed)
    np.testing.assert_array_equal(validation.y[:, 0], sex[held & (sex != "NA")] == "male")
    np.testing.assert_array_equal(train.y[:, 0], sex[~held & (sex != "NA")] == "male")
    pipeline = sklearn_pipeline(train.columns, LogisticRegression(C=1e6, max_iter=10000)).fit(
        frame(train), train.y[:, 0])
    best = np.mean(pipeline.predict(frame(validation)) == validation.y[:, 0])
    assert best >= 0.9
    assert abs(result.eval_metrics["accuracy"] - best) <= 0.01 + 1e-9


@pytest.mark.skipif("softmax" not in config_lib.MODELS, reason="no softmax model yet")
def test_penguins_species_softmax_accuracy_matches_scikit_learn(tmp_path):
    config = shipped("penguins", tmp_path)
    result = trainer.train(config, out=lambda line: None, warn=lambda line: None)
    split, spec = trainer.load_data(config)
    train, validation = split.train, split.validation
    assert spec.classes == ("Adelie", "Chinstrap", "Gentoo")
    assert "bill_length_mm_missing" in data.encoded_names(train.columns)  # gaps and all
    c = 1.0 / (2 * config.l2 * len(train.x)) if config.l2 else 1e4  # the same L2 penalty
    pipeline = sklearn_pipeline(train.columns, LogisticRegression(C=c, max_iter=10000)).fit(
        frame(train), train.y[:, 0].astype(int))
    scores = pipeline.decision_function(frame(validation))
    softmax = np.exp(scores - scores.max(axis=1, keepdims=True))
    np.testing.assert_allclose(pipeline.predict_proba(frame(validation)),
                               softmax / softmax.sum(axis=1, keepdims=True), rtol=1e-6)  # multinomial
    best = np.mean(pipeline.predict(frame(validation)) == validation.y[:, 0])
    assert best >= 0.95
    assert abs(result.eval_metrics["accuracy"] - best) <= 0.01 + 1e-9
