"""Softmax regression end to end through the command line on the built-in three-class data:
train, restore, evaluate and predict on a CSV file of class indices, plot, inspect, export.
Every printed value is checked against the checkpoint or an independent numpy computation."""

import csv
import os
import re

import numpy as np
import pytest

from tfcourse import config as config_lib, data
from tfcourse.data import builtin
from tfcourse.tf_compat import tf

STEPS = 200


def softmax_rows(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Trains ``--model softmax --max_step 200`` in a fresh directory (in-process CLI)."""
    from absl.testing import flagsaver
    from tfcourse import cli
    root = tmp_path_factory.mktemp("softmax")
    cwd = os.getcwd()
    os.chdir(str(root))
    try:
        with flagsaver.flagsaver():
            code = cli.main(["tfcourse", "train", "--model", "softmax", "--max_step", str(STEPS)])
    finally:
        os.chdir(cwd)
    assert code == 0
    model_dir = str(root / "tmp" / "model")
    load = lambda name: tf.train.load_variable(model_dir, name)  # noqa: E731
    return root, model_dir, load("softmax_model/weights"), load("softmax_model/bias")


def test_train_learns_the_three_classes(trained):
    root, model_dir, weights, bias = trained
    assert weights.shape == (2, 3) and bias.shape == (3,)
    config = config_lib.resolve(None, {"model": "softmax"})
    assert (config.data.n_samples, config.data.validation_fraction) == (600, 0.2)
    split = data.load(config.data, config.seed, "classes3")
    predicted = np.argmax(split.validation.x.dot(weights) + bias, axis=1)
    assert np.mean(predicted == split.validation.y[:, 0]) > 0.85
    # class k's weight column points to its blob's centre 2·(cos 2πk/3, sin 2πk/3)
    angles = np.arctan2(weights[1] - weights[1].mean(), weights[0] - weights[0].mean())
    np.testing.assert_allclose(np.cos(angles - 2 * np.pi * np.arange(3) / 3), 1.0, atol=0.05)


def test_restore_prints_each_class_and_predicts(trained, tfcourse):
    root, model_dir, weights, bias = trained
    outcome = tfcourse("restore", "--ckpt", model_dir, "--predict", "2,0;-1,1.7;-1,-1.7")
    assert outcome.code == 0, outcome.err
    assert "softmax regression: x1, x2 -> y" in outcome.out
    for name, row in zip(("x1", "x2"), weights):
        shown = re.search(r"weight\[{}\] = (.*)".format(name), outcome.out).group(1)
        np.testing.assert_allclose([float(v) for v in shown.split(", ")], row, atol=1e-6)
    shown = re.search(r"  bias = (.*)", outcome.out).group(1)
    np.testing.assert_allclose([float(v) for v in shown.split(", ")], bias, atol=1e-6)
    rows = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]], np.float32)
    expected = softmax_rows(rows.astype(np.float64).dot(weights) + bias)
    found = re.findall(r"prediction for x1, x2 = \S+, \S+: (\d)  \(probabilities (.*)\)",
                       outcome.out)
    assert [int(k) for k, _ in found] == [0, 1, 2]
    np.testing.assert_allclose([[float(v) for v in p.split(", ")] for _, p in found], expected,
                               atol=1e-6)
    assert "validation (124 rows): log_loss" in outcome.out and "precision[2]" in outcome.out


def write_eval_csv(path, n=60, seed=7):
    dataset = builtin.multiclass_data(n, seed)
    with open(str(path), "w") as handle:
        handle.write("x1,x2,y\n")
        for (a, b), label in zip(dataset.x, dataset.y[:, 0]):
            handle.write("{!r},{!r},{:d}\n".format(float(a), float(b), int(label)))
    return dataset


def test_evaluate_and_predict_on_a_csv_of_class_indices(trained, tfcourse, tmp_path):
    from sklearn import metrics as sk_metrics
    root, model_dir, weights, bias = trained
    dataset = write_eval_csv(tmp_path / "eval.csv")
    probabilities = softmax_rows(dataset.x.astype(np.float64).dot(weights) + bias)
    y = dataset.y[:, 0].astype(int)
    outcome = tfcourse("evaluate", "--ckpt", model_dir, "--input", str(tmp_path / "eval.csv"))
    assert outcome.code == 0, outcome.err
    shown = dict(re.findall(r"^  (\S+) +(\S+)$", outcome.out, re.M))
    assert float(shown["log_loss"]) == pytest.approx(sk_metrics.log_loss(y, probabilities),
                                                     rel=1e-5)
    assert float(shown["loss"]) == pytest.approx(float(shown["log_loss"]), rel=1e-5)
    predicted = np.argmax(probabilities, axis=1)
    assert float(shown["accuracy"]) == pytest.approx(np.mean(predicted == y), abs=1e-6)
    assert float(shown["f1_macro"]) == pytest.approx(
        sk_metrics.f1_score(y, predicted, average="macro"), abs=1e-6)
    for k in range(3):
        assert float(shown["recall[{}]".format(k)]) == pytest.approx(
            np.mean(predicted[y == k] == k), abs=1e-6)
    output = tmp_path / "out.csv"
    outcome = tfcourse("predict", "--ckpt", model_dir, "--input", str(tmp_path / "eval.csv"),
                       "--output", str(output))
    assert outcome.code == 0, outcome.err
    with open(str(output)) as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["x1", "x2", "y", "prediction", "probability_0", "probability_1",
                       "probability_2"]
    values = np.array(rows[1:], np.float64)
    np.testing.assert_array_equal(values[:, 3], predicted)
    np.testing.assert_allclose(values[:, 4:], probabilities, atol=1e-6)


def test_plot_draws_the_confusion_matrix(trained, tfcourse, tmp_path):
    root, model_dir, weights, bias = trained
    outcome = tfcourse("plot", "--ckpt", model_dir, "--output", str(tmp_path / "f.png"))
    assert outcome.code == 0, outcome.err
    with open(str(tmp_path / "f.png"), "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_inspect_shows_the_weights_per_class(trained, tfcourse):
    root, model_dir, weights, bias = trained
    outcome = tfcourse("inspect", "--ckpt", model_dir)
    assert outcome.code == 0, outcome.err
    lines = outcome.out.splitlines()
    start = lines.index("weights by feature and class (softmax_model/weights, "
                        "softmax_model/bias):")
    assert lines[start + 1].split() == ["feature", "class", "0", "class", "1", "class", "2"]
    for line, name, row in zip(lines[start + 2:], ("x1", "x2", "(bias)"),
                               np.vstack([weights, bias])):
        cells = line.split()
        assert cells[0] == name
        np.testing.assert_allclose([float(cell) for cell in cells[1:]], row, rtol=1e-5)


def test_export_signature_has_the_class_probabilities(trained, tfcourse, tmp_path):
    root, model_dir, weights, bias = trained
    outcome = tfcourse("export", "--ckpt", model_dir, "--export_dir", str(tmp_path / "saved"))
    assert outcome.code == 0, outcome.err
    x = np.array([[2.0, 0.0], [-1.0, -1.7]], np.float32)
    with tf.Graph().as_default(), tf.Session() as session:
        meta = tf.saved_model.loader.load(session, ["serve"], str(tmp_path / "saved"))
        signature = meta.signature_def["matrix"]  # x: the columns as one matrix
        values = session.run({name: info.name for name, info in signature.outputs.items()},
                             {signature.inputs["x"].name: x})
    np.testing.assert_allclose(values["probabilities"],
                               softmax_rows(x.astype(np.float64).dot(weights) + bias), atol=1e-6)
    np.testing.assert_array_equal(values["predictions"][:, 0], [0.0, 2.0])


def test_separable_classes_are_warned_about(workdir, tfcourse, tmp_path):
    rng = np.random.RandomState(3)
    labels = np.repeat([0, 1, 2], 20)
    centres = np.array([[10.0, 0.0], [-10.0, 0.0], [0.0, 10.0]])
    x = centres[labels] + rng.normal(size=(60, 2))
    with open("sep.csv", "w") as handle:
        handle.write("a,b,kind\n")
        for (a, b), label in zip(x, labels):
            handle.write("{:.4f},{:.4f},{:d}\n".format(a, b, label))
    with open("sep.yaml", "w") as handle:
        handle.write("model: softmax\nmax_step: 100\nlearning_rate: 0.5\n"
                     "data:\n  path: sep.csv\n  label: kind\n")
    outcome = tfcourse("train", "--config", "sep.yaml")
    assert outcome.code == 0, outcome.err
    assert "warning: the training data are linearly separable" in outcome.err
    assert "at step 100)" in outcome.err
