"""The training loop's cadences in time and its divergence check, on real runs."""

import glob
import os
import re

import numpy as np
import pytest

from tfcourse import config as config_lib, data, reference
from tfcourse.errors import DataError
from tfcourse.tf_compat import tf
from tfcourse.training import loop, trainer


def make_config(tmp_path, **overrides):
    overrides.setdefault("model_dir", str(tmp_path / "model"))
    overrides.setdefault("summary_dir", str(tmp_path / "summary"))
    return config_lib.resolve(None, overrides)


def quiet(line):
    pass


def checkpoint_steps(model_dir):
    return sorted(int(path.split("-")[-1].split(".")[0])
                  for path in glob.glob(os.path.join(model_dir, "model.ckpt-*.index")))


def test_save_every_secs_saves_after_each_run_when_due(tmp_path):
    config = make_config(tmp_path, max_step=60, steps_per_run=10, save_every_secs=1e-9,
                         max_to_keep=100)
    assert config.save_every is None  # the default: by time only
    result = trainer.train(config, out=quiet)
    assert checkpoint_steps(config.model_dir) == [10, 20, 30, 40, 50, 60]
    assert result.checkpoint.endswith("model.ckpt-60")


def test_default_cadence_saves_only_the_last_step_of_a_short_run(tmp_path):
    config = make_config(tmp_path, max_step=300, steps_per_run=10)
    assert config.save_every_secs == 60.0
    trainer.train(config, out=quiet)
    assert checkpoint_steps(config.model_dir) == [300]


def test_save_every_and_save_every_secs_together(tmp_path):
    config = make_config(tmp_path, max_step=95, steps_per_run=20, save_every=40,
                         save_every_secs=3600.0)
    trainer.train(config, out=quiet)
    assert checkpoint_steps(config.model_dir) == [40, 80, 95]


def test_yaml_null_turns_save_every_secs_off(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(u"save_every_secs: null\nsave_every: 25\nmax_step: 50\n")
    config = config_lib.resolve(str(path), {"model_dir": str(tmp_path / "model"),
                                            "summary_dir": str(tmp_path / "summary")})
    assert config.save_every_secs is None
    trainer.train(config._replace(steps_per_run=5), out=quiet)
    assert checkpoint_steps(config.model_dir) == [25, 50]


def first_overflow(learning_rate, steps):
    """The first step whose loss overflows float32 (TensorFlow's mean is a float32 sum of
    squares, then a division) in the float64 numpy reference of the course case started
    from tfcourse's initial values."""
    from tfcourse import graph as graph_lib
    tg = graph_lib.build("linear", 1, 0.01, seed=42)
    with tf.Session(graph=tg.graph) as session:
        session.run(tg.init_op)
        weights, bias = session.run([tg.model.weights, tg.model.bias])
    dataset = data.course_data(100, seed=42)
    w, b = weights.astype(np.float64), float(bias[0])
    X, Y = dataset.x.T.astype(np.float64), dataset.y.T.astype(np.float64)
    for step in range(steps):
        grads, cost = reference.linear_propagate(w, b, X, Y)
        if np.sum((np.dot(w.T, X) + b - Y) ** 2) > np.finfo(np.float32).max:
            return step
        w, b = w - learning_rate * grads["dw"], b - learning_rate * grads["db"]
    raise AssertionError("no overflow")


def test_a_diverging_run_publishes_no_non_finite_checkpoint(tmp_path):
    # learning_rate 1.5 doubles the error every step: the loss overflows float32 near step 60;
    # a checkpoint is due after every run of 10 steps, the finiteness check is once per run
    config = make_config(tmp_path, max_step=1000, learning_rate=1.5, steps_per_run=10,
                         save_every_secs=1e-9, max_to_keep=100, check_learning_rate=False)
    with pytest.raises(DataError) as info:
        trainer.train(config, out=quiet)
    step = int(re.match(r"training diverged at step (\d+): loss (inf|nan) ",
                        str(info.value)).group(1))
    assert abs(step - first_overflow(1.5, 1000)) <= 1  # float32 against float64 at the border
    saved = checkpoint_steps(config.model_dir)
    assert saved == list(range(10, step // 10 * 10 + 1, 10))  # every finite run, none after
    for kept in saved:
        prefix = os.path.join(config.model_dir, "model.ckpt-{}".format(kept))
        for name in ("linear_model/weights", "linear_model/bias"):
            assert np.all(np.isfinite(tf.train.load_variable(prefix, name))), (kept, name)
    assert "the latest checkpoint stays {}".format(
        os.path.join(config.model_dir, "model.ckpt-{}".format(saved[-1]))) in str(info.value)


def test_next_boundary_ignores_eval_without_validation_and_null_cadences(tmp_path):
    config = make_config(tmp_path, histogram_every=1000, log_every=300, eval_every=7)
    assert loop._next_boundary(0, config, validation=False) == 300
    assert loop._next_boundary(0, config, validation=True) == 7
    assert loop._next_boundary(950, config._replace(log_every=10 ** 6), validation=False) == 1000
