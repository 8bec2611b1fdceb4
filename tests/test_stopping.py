"""Stopping before max_step: tolerance, early stopping, and the best checkpoint in best/."""

import glob
import json
import os
import re

import numpy as np
import pytest

from tfcourse import config as config_lib
from tfcourse.errors import UsageError
from tfcourse.tf_compat import tf
from tfcourse.training import trainer

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def csv_config(tmp_path, model, name, label, **overrides):
    path = tmp_path / "c.yaml"
    path.write_text(u"model: {}\nlog_every: 100000\nsummary_every: 1000\ndata:\n  path: {}\n"
                    u"  label: {}\n".format(model, os.path.join(REPO, "data", name), label))
    overrides.setdefault("model_dir", str(tmp_path / "model"))
    overrides.setdefault("summary_dir", str(tmp_path / "summary"))
    return config_lib.resolve(str(path), overrides)


def cancer(tmp_path, **overrides):
    overrides.setdefault("learning_rate", "auto")
    return csv_config(tmp_path, "logistic", "breast_cancer.csv", "malignant", **overrides)


def train(config):
    lines = []
    result = trainer.train(config, out=lines.append, warn=lines.append)
    return result, lines


def eval_events(run_dir, tag):
    found = []
    for path in glob.glob(os.path.join(run_dir, "eval", "events.out.tfevents.*")):
        for event in tf.train.summary_iterator(path):
            found += [(event.step, value.simple_value) for value in event.summary.value
                      if value.tag == tag]
    return found


def best_record(model_dir):
    with open(os.path.join(model_dir, "best", "model.json")) as handle:
        return json.load(handle)["best"]


def test_early_stopping_stops_and_keeps_the_best_logged_checkpoint(tmp_path, tfcourse):
    config = cancer(tmp_path, max_step=20000, eval_every=50, save_every=50, max_to_keep=1,
                    early_stopping_patience=4, early_stopping_metric="log_loss")
    result, lines = train(config)
    assert result.global_step < 20000
    logged = eval_events(result.run_dir, "metrics/log_loss")
    steps = [step for step, _ in logged]
    best_step, best_value = min(logged, key=lambda item: (item[1], item[0]))
    assert steps[-1] == result.global_step == best_step + 4 * 50  # patience 4 evaluations
    assert best_record(config.model_dir) == {"step": best_step, "metric": "log_loss",
                                             "value": pytest.approx(best_value, rel=1e-6)}
    assert lines[-1] == ("stopped at step {} of 20000 (early stopping: validation log_loss did "
                         "not improve for 4 evaluations); best validation log_loss {:.6g} at "
                         "step {}: {}".format(result.global_step, best_record(
                             config.model_dir)["value"], best_step,
                             os.path.join(config.model_dir, "best")))
    # best/ is a model directory: evaluate --ckpt gives the best logged metric back
    best_dir = os.path.join(config.model_dir, "best")
    assert sorted(os.listdir(best_dir)) == sorted(
        ["checkpoint", "config.yaml", "model.json"] +
        ["model.ckpt-{}.{}".format(best_step, suffix)
         for suffix in ("data-00000-of-00001", "index")])
    assert not glob.glob(os.path.join(config.model_dir, "model.ckpt-{}.*".format(best_step)))
    outcome = tfcourse("restore", "--ckpt", best_dir)
    assert outcome.code == 0 and "global_step {}".format(best_step) in outcome.out


def test_best_checkpoint_survives_resume_and_only_a_better_one_replaces_it(tmp_path):
    config = cancer(tmp_path, max_step=400, eval_every=50, early_stopping_patience=100,
                    early_stopping_metric="accuracy")
    train(config)
    first = best_record(config.model_dir)
    logged = eval_events(glob.glob(str(tmp_path / "summary" / "run-*"))[0], "metrics/accuracy")
    assert first["value"] == pytest.approx(max(value for _, value in logged))
    assert first["step"] == min(step for step, value in logged if value == max(v for _, v in logged))
    result, _ = train(config._replace(max_step=800))
    second = best_record(config.model_dir)
    runs = sorted(glob.glob(str(tmp_path / "summary" / "run-*")))
    later = [item for item in eval_events(runs[1], "metrics/accuracy") if item[0] > 400]
    if max(value for _, value in later) > first["value"]:
        assert second["value"] > first["value"] and second["step"] > 400
    else:
        assert second == first
    assert result.global_step == 800


def test_tolerance_stops_then_a_higher_max_step_goes_on(tmp_path):
    config = csv_config(tmp_path, "linear", "diabetes.csv", "progression",
                        learning_rate="auto", max_step=50000, tolerance=1e-5)
    result, lines = train(config)
    assert result.global_step % 100 == 0 and 100 < result.global_step < 50000
    assert lines[-1].startswith("stopped at step {} of 50000 (converged: the training objective "
                                "fell by ".format(result.global_step))
    assert "less than tolerance 1e-05" in lines[-1]
    assert os.path.exists(os.path.join(config.model_dir,
                                       "model.ckpt-{}.index".format(result.global_step)))
    stop = result.global_step
    # the relative decrease over the last window was below the tolerance
    again, again_lines = train(config._replace(tolerance=0.0, max_step=stop + 300))
    assert again.global_step == stop + 300
    assert "resuming from" in again_lines[0] or any("resuming" in line for line in again_lines)
    assert again.loss <= result.loss


def test_early_stopping_needs_a_validation_split_and_a_known_metric(tmp_path):
    with pytest.raises(UsageError, match=r"early_stopping_metric = 'auc': not a metric of "
                                         r"logistic regression; one of: loss, log_loss, accuracy"):
        train(cancer(tmp_path, early_stopping_patience=2, early_stopping_metric="auc"))
    with pytest.raises(UsageError, match=r"early stopping needs a validation split"):
        train(config_lib.resolve(None, {"early_stopping_patience": 2,
                                        "model_dir": str(tmp_path / "m"),
                                        "summary_dir": str(tmp_path / "s")}))
    assert sorted(os.listdir(str(tmp_path))) == ["c.yaml"]


def test_minibatch_tolerance_uses_the_window_mean(tmp_path):
    config = csv_config(tmp_path, "linear", "diabetes.csv", "progression",
                        learning_rate=0.02, max_step=20000, tolerance=1e-3)
    config = config._replace(data=config.data._replace(batch_size=64))
    result, lines = train(config)
    assert result.global_step < 20000 and "converged" in lines[-1]
    assert np.isfinite(result.loss)


def test_distributed_training_refuses_l1(workdir, tfcourse):
    outcome = tfcourse("train", "--job_name=worker", "--task_index=0", "--ps_hosts=h:1",
                       "--worker_hosts=h:2", "--l1=0.1")
    message = r"l1 = 0.1: not available in distributed training"
    assert outcome.code == 2
    assert re.search(message, outcome.err), outcome.err
    assert os.listdir(str(workdir)) == []
