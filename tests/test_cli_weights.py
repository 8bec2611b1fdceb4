"""Row weights (data.weight) and class weights (data.class_weight) in the loss and the
reported metrics, checked against weighted least squares and scikit-learn."""

import json
import os

import numpy as np
import pytest

from tests.conftest import write_yaml
from tfcourse import config as config_lib, data, graph as graph_lib
from tfcourse.commands import restore


def _regression_csv(path, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(200, 2))
    y = x.dot([1.5, -2.0]) + 0.3 + rng.normal(0, 0.5, 200)
    weight = rng.randint(0, 4, 200)
    with open(str(path), "w") as handle:
        handle.write("a,b,w,y\n")
        for row, w, target in zip(x, weight, y):
            handle.write("{:.6f},{:.6f},{},{:.6f}\n".format(row[0], row[1], w, target))
    return x.astype(np.float32).astype(np.float64), weight, y


def test_row_weights_give_weighted_least_squares(tmp_path, tfcourse, workdir):
    x, weight, y = _regression_csv(tmp_path / "r.csv")
    config = write_yaml(tmp_path, "model: linear\nlearning_rate: 0.2\nmax_step: 2000\n"
                                  "data:\n  path: r.csv\n  label: y\n  weight: w\n"
                                  "  validation_fraction: 0.0\n  standardize: false\n")
    outcome = tfcourse("train", "--config", config)
    assert outcome.code == 0, outcome.err
    design = np.hstack([x, np.ones((len(x), 1))]) * np.sqrt(weight)[:, None]
    expected, _, _, _ = np.linalg.lstsq(design, y * np.sqrt(weight), rcond=None)
    with restore.open_model("tmp/model") as loaded:
        weights, bias = loaded.session.run([loaded.tg.model.weights, loaded.tg.model.bias])
    np.testing.assert_allclose(np.append(weights[:, 0], bias), expected, atol=2e-4)
    with open(os.path.join("tmp", "model", "model.json")) as handle:
        assert json.load(handle)["weight"] == "w"
    # evaluate weighs the rows as scikit-learn's sample_weight does
    outcome = tfcourse("evaluate", "--ckpt", "tmp/model", "--input", tmp_path / "r.csv")
    predictions = np.hstack([x, np.ones((len(x), 1))]).dot(np.append(weights[:, 0], bias))
    mse = float(outcome.out.split("mse")[1].split()[0])
    assert mse == pytest.approx(np.average((predictions - y) ** 2, weights=weight), rel=1e-4)


def test_balanced_class_weights_and_a_negative_weight(tmp_path, tfcourse, workdir):
    rng = np.random.RandomState(1)
    rows = ["a,y"] + ["{:.4f},{}".format(rng.normal(1.0 if i % 5 == 0 else -0.5), "rare"
                                         if i % 5 == 0 else "common") for i in range(300)]
    (tmp_path / "c.csv").write_text("\n".join(rows) + "\n")
    config = write_yaml(tmp_path, "model: logistic\nmax_step: 50\ndata:\n  path: c.csv\n"
                                  "  label: y\n  class_weight: balanced\n")
    outcome = tfcourse("train", "--config", config)
    assert outcome.code == 0, outcome.err
    line = [text for text in outcome.out.splitlines() if text.startswith("class weights")][0]
    shown = dict(part.split() for part in line[len("class weights: "):].split(", "))
    with open(os.path.join("tmp", "model", "model.json")) as handle:
        saved = json.load(handle)
    split = data.load(config_lib.resolve(config).data, 42, "classes", "binary")
    counts = np.bincount(split.train.y[:, 0].astype(int), minlength=2)
    assert saved["classes"] == ["common", "rare"]
    np.testing.assert_allclose(saved["class_weights"], counts.sum() / (2.0 * counts), rtol=1e-6)
    assert float(shown["rare"]) == pytest.approx(saved["class_weights"][1], rel=1e-3)
    with restore.open_model("tmp/model") as loaded:  # the loss: the rows' weighted mean
        feed = graph_lib.feed(loaded.tg, split.train, labels=True)
        loss, p = loaded.session.run([loaded.tg.model.loss, loaded.tg.model.probabilities], feed)
    y = split.train.y[:, 0]
    log_loss = -(y * np.log(p[:, 0]) + (1 - y) * np.log(1 - p[:, 0]))
    row_weights = np.array(saved["class_weights"])[y.astype(int)]
    assert loss == pytest.approx(np.average(log_loss, weights=row_weights), rel=1e-5)
    bad = tmp_path / "n.csv"
    bad.write_text("a,w,y\n1,1,0\n2,-3,1\n3,1,0\n")
    config = write_yaml(tmp_path, "model: logistic\ndata:\n  path: n.csv\n  label: y\n"
                                  "  weight: w\n", name="n.yaml")
    outcome = tfcourse("train", "--config", config, "--model_dir", "other")
    assert outcome.code == 1
    assert outcome.err.strip().endswith("n.csv:3:2 (column 'w'): weight -3 is negative")
