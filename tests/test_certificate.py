"""learning_rate auto, the 2/L refusal and the optimality certificate of real training runs."""

import json
import os

import numpy as np
import pytest
from sklearn import linear_model

from tfcourse import config as config_lib, data, optimum
from tfcourse.errors import UsageError
from tfcourse.training import trainer

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIABETES = os.path.join(REPO, "data", "diabetes.csv")


def diabetes_config(tmp_path, stream=False, **overrides):
    path = tmp_path / "c.yaml"
    path.write_text(u"model: linear\nlog_every: 100000\ndata:\n  path: {}\n  label: progression\n"
                    u"  stream: {}\n  batch_size: {}\n".format(
                        DIABETES, "true" if stream else "false", 349 if stream else "null"))
    overrides.setdefault("model_dir", str(tmp_path / "model"))
    overrides.setdefault("summary_dir", str(tmp_path / "summary"))
    overrides.setdefault("summary_every", 1000)
    overrides.setdefault("save_every", 100000)
    return config_lib.resolve(str(path), overrides)


def training_design(config):
    """The standardised training rows and targets, from the data package (numpy, no graph)."""
    split = data.load(config.data, config.seed)
    x = split.train.x.astype(np.float64)
    return (x - split.mean) / split.std, split.train.y[:, 0].astype(np.float64)


def lines_of(config, **kwargs):
    lines = []
    result = trainer.train(config, out=lines.append, warn=lines.append, **kwargs)
    return result, lines


def test_auto_rate_is_one_over_the_closed_form_curvature(tmp_path):
    config = diabetes_config(tmp_path, learning_rate="auto", max_step=60)
    z, _ = training_design(config)
    design = np.hstack([z, np.ones((len(z), 1))])
    lambda_max = np.linalg.eigvalsh(design.T.dot(design) / len(z))[-1]
    _, lines = lines_of(config)
    expected = 1.0 / (2 * lambda_max)
    assert "learning_rate auto: 1/L = {:.4g} ".format(expected) in lines[0]
    assert "2/L = {:.4g})".format(2 * expected) in lines[0]
    assert abs(2 * expected - 0.253) < 0.001  # diabetes: the measured 2/L


def test_rate_above_two_over_l_is_refused_before_anything_is_written(tmp_path):
    config = diabetes_config(tmp_path, learning_rate=0.26)
    with pytest.raises(UsageError, match=r"learning_rate = 0.26: .* diverges at or above 2/L = "
                                         r"0\.253.*learning_rate: auto \(1/L = 0\.1267\)"):
        trainer.train(config, out=lambda line: None)
    assert sorted(os.listdir(str(tmp_path))) == ["c.yaml"]
    result, _ = lines_of(config._replace(check_learning_rate=False, max_step=300))
    assert not np.isfinite(result.loss) or result.loss > 1e6  # diverges, as refused


def optimality(config):
    with open(os.path.join(config.model_dir, "model.json")) as handle:
        return json.load(handle)["optimality"]


def test_certificate_optimum_equals_scikit_learn_and_is_recorded(tmp_path):
    config = diabetes_config(tmp_path, learning_rate="auto", max_step=3000)
    _, lines = lines_of(config)
    z, y = training_design(config)
    fit = linear_model.LinearRegression().fit(z, y)
    best = float(np.mean((fit.predict(z) - y) ** 2))
    record = optimality(config)
    assert record["optimum"] == pytest.approx(best, rel=1e-9)
    assert 0 <= record["relative_gap"] < 1e-4 and record["gradient_norm"] < 0.1
    assert lines[-1] == ("optimality: loss {:.6g}, optimum {:.6g} (relative gap {:.2g}), "
                         "gradient norm {:.2g}".format(record["loss"], record["optimum"],
                                                        record["relative_gap"],
                                                        record["gradient_norm"]))


def test_a_large_gap_says_what_would_close_it(tmp_path):
    config = diabetes_config(tmp_path, learning_rate=0.001, max_step=100)
    _, lines = lines_of(config)
    record = optimality(config)
    assert record["relative_gap"] > 1
    assert "; to close the gap: more steps (max_step " in lines[-1]
    assert "or learning_rate: auto (1/L = 0.1267)" in lines[-1]


@pytest.mark.parametrize("penalty", [{"l2": 5.0}, {"l1": 3.0}, {"l1": 1.0, "l2": 2.0}])
def test_penalised_training_reaches_the_float64_optimum(tmp_path, penalty):
    config = diabetes_config(tmp_path, learning_rate="auto", max_step=8000, **penalty)
    result, _ = lines_of(config)
    z, y = training_design(config)
    p = optimum.problem("linear", optimum.design_matrix(z), y, l1=config.l1, l2=config.l2)
    theta = optimum.solve(p)
    assert np.max(np.abs(result.weights[:, 0] - theta[:-1, 0])) < 1e-4 * np.abs(theta).max()
    assert abs(result.bias[0] - theta[-1, 0]) < 1e-4 * abs(theta[-1, 0])
    if config.l1:  # the proximal step zeroes what the optimum zeroes
        assert list(result.weights[:, 0] == 0) == list(theta[:-1, 0] == 0)
        assert (theta[:-1, 0] == 0).any()
    if config.l2 and not config.l1:
        ridge = linear_model.Ridge(alpha=len(z) * config.l2).fit(z, y)
        np.testing.assert_allclose(theta[:-1, 0], ridge.coef_, rtol=1e-8)
    assert optimality(config)["relative_gap"] < 1e-6


def test_streamed_linear_certificate_from_sufficient_statistics(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    memory = diabetes_config(tmp_path / "a", learning_rate="auto", max_step=500)
    streamed = diabetes_config(tmp_path / "b", stream=True, learning_rate="auto", max_step=500)
    _, memory_lines = lines_of(memory)
    _, streamed_lines = lines_of(streamed)
    assert memory_lines[0] == streamed_lines[0]  # the same auto rate from one pass
    assert optimality(streamed)["optimum"] == pytest.approx(optimality(memory)["optimum"],
                                                            rel=1e-9)


def test_separable_logistic_rows_have_no_optimum_unless_l2(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(u"model: logistic\nmax_step: 300\nlearning_rate: auto\nlog_every: 100000\n"
                    u"data:\n  path: {}\n  label: malignant\n".format(
                        os.path.join(REPO, "data", "breast_cancer.csv")))
    config = config_lib.resolve(str(path), {"model_dir": str(tmp_path / "m"),
                                            "summary_dir": str(tmp_path / "s")})
    _, lines = lines_of(config)
    assert "no optimum: the training rows are linearly separable" in lines[-1]
    record = optimality(config)
    assert record["optimum"] is None and record["separable"] is True
    config = config._replace(model_dir=str(tmp_path / "m2"), l2=0.01, max_step=2000)
    lines_of(config)
    record = optimality(config)
    split = data.load(config.data, config.seed, "classes", "binary")
    z = (split.train.x - split.mean) / split.std
    sk = linear_model.LogisticRegression(C=1.0 / (2 * 0.01 * len(z)), tol=1e-12,
                                         max_iter=10000)
    sk.fit(z, split.train.y[:, 0])
    p = optimum.problem("logistic", optimum.design_matrix(z), split.train.y, l2=0.01)
    theirs = optimum.objective(p, np.vstack([sk.coef_.T, sk.intercept_[None]]))
    assert theirs * (1 - 1e-6) <= record["optimum"] <= theirs  # as low as lbfgs gets, or lower
    assert record["relative_gap"] < 1e-3


def test_objective_and_decayed_rate_are_summarised_per_step(tmp_path):
    import glob
    from tfcourse.tf_compat import tf
    config = diabetes_config(tmp_path, learning_rate=0.1, max_step=50, l2=2.0, summary_every=10,
                             learning_rate_decay="inverse_time", decay_rate=0.5, decay_steps=20)
    result, _ = lines_of(config)
    found = {}
    for path in glob.glob(os.path.join(result.run_dir, "train", "events.out.tfevents.*")):
        for event in tf.train.summary_iterator(path):
            for value in event.summary.value:
                found.setdefault(value.tag, {})[event.step] = value.simple_value
    assert sorted(found["optimizer/learning_rate"]) == [0, 10, 20, 30, 40]
    for step, rate in found["optimizer/learning_rate"].items():
        assert rate == pytest.approx(0.1 / (1 + 0.5 * step / 20.0), rel=1e-6)
    for step, objective in found["loss/objective"].items():
        assert objective > found["loss/loss"][step]  # the data loss plus the L2 penalty
