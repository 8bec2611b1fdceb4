"""The training loop for real: learned values, summaries, checkpoints, resume, freeze."""

import glob
import os

import numpy as np
import pytest

from tfcourse import config as config_lib, data
from tfcourse.training import trainer
from tfcourse.training import loop
from tfcourse.errors import DataError, UsageError
from tfcourse.tf_compat import tf


def make_config(tmp_path, **overrides):
    overrides.setdefault("model_dir", str(tmp_path / "model"))
    overrides.setdefault("summary_dir", str(tmp_path / "summary"))
    return config_lib.resolve(None, overrides)


def events(run_dir, subdir="train"):
    """{tag: [(step, value or histogram)]} from the run's events file(s)."""
    found = {}
    for path in glob.glob(os.path.join(run_dir, subdir, "events.out.tfevents.*")):
        for event in tf.train.summary_iterator(path):
            for value in event.summary.value:
                kind = value.WhichOneof("value")
                found.setdefault(value.tag, []).append(
                    (event.step, value.simple_value if kind == "simple_value" else value.histo))
    return found


def test_course_case_learns_the_true_line(tmp_path):
    result = trainer.train(make_config(tmp_path, log_every=1000), out=lambda line: None)
    assert result.global_step == 1000
    assert abs(result.weights[0, 0] - data.TRUE_WEIGHT) < 1e-3
    assert abs(result.bias[0] - data.TRUE_BIAS) < 1e-3
    assert result.loss < 1e-6


def initial_values(seed=42):
    """The course model's initial weights and bias for ``seed``, as training starts."""
    from tfcourse import graph as graph_lib
    tg = graph_lib.build("linear", 1, 0.01, seed=seed)
    with tf.Session(graph=tg.graph) as session:
        session.run(tg.init_op)
        return session.run([tg.model.weights, tg.model.bias])


def numpy_losses(steps, learning_rate=0.01):
    """The course case's loss at steps 0..steps (float64 numpy reference, same start)."""
    from tfcourse import reference
    weights, bias = initial_values()
    dataset = data.course_data(100, seed=42)
    w, b = weights.astype(np.float64), float(bias[0])
    X, Y = dataset.x.T.astype(np.float64), dataset.y.T.astype(np.float64)
    losses = []
    for _ in range(steps + 1):
        grads, cost = reference.linear_propagate(w, b, X, Y)
        losses.append(cost)
        w, b = w - learning_rate * grads["dw"], b - learning_rate * grads["db"]
    return np.array(losses)


@pytest.mark.parametrize("steps_per_run", [None, 7])
def test_every_step_loss_in_events_equals_the_numpy_reference(tmp_path, steps_per_run):
    config = make_config(tmp_path, max_step=250, histogram_every=100, log_every=60,
                         steps_per_run=steps_per_run)
    result = trainer.train(config, out=lambda line: None)
    found = events(result.run_dir)
    assert sorted(found) == ["linear_model/bias_0", "linear_model/weights_0", "loss/loss"]
    steps, losses = zip(*found["loss/loss"])
    assert list(steps) == list(range(251))  # one point per step, each once, in order
    # float32 training drifts from the float64 reference by ~1e-5; a step off would be 4 %
    np.testing.assert_allclose(losses, numpy_losses(250), rtol=5e-5)
    assert losses[-1] == np.float32(result.loss)
    for tag in ("linear_model/weights_0", "linear_model/bias_0"):
        assert [step for step, _ in found[tag]] == [0, 100, 200, 250]
    histogram = found["linear_model/weights_0"][-1][1]
    assert histogram.num == 1
    assert histogram.min == pytest.approx(float(result.weights[0, 0]), rel=1e-6)
    assert found["linear_model/bias_0"][-1][1].max == pytest.approx(float(result.bias[0]), rel=1e-6)


def test_summary_every_thins_the_loss_points(tmp_path):
    result = trainer.train(make_config(tmp_path, max_step=95, summary_every=10, steps_per_run=7),
                           out=lambda line: None)
    found = events(result.run_dir)["loss/loss"]
    assert [step for step, _ in found] == list(range(0, 91, 10)) + [95]  # and the last step
    np.testing.assert_allclose([value for _, value in found], numpy_losses(95)[[
        step for step, _ in found]], rtol=5e-5)


def test_events_file_size_per_10000_steps(tmp_path):
    """A scalar per step costs 48 bytes of events file (a 32-byte event: wall time 9, step 3
    below step 16384, summary 20; and 16 bytes of record framing); a weight or bias histogram
    every 1000 steps about 150 bytes: under 0.5 MB per 10,000 steps."""
    result = trainer.train(make_config(tmp_path, max_step=10000, log_every=10000),
                           out=lambda line: None)
    path, = glob.glob(os.path.join(result.run_dir, "train", "events.out.tfevents.*"))
    found = events(result.run_dir)
    assert len(found["loss/loss"]) == 10001 and len(found["linear_model/weights_0"]) == 11
    graph_bytes = 0
    for event in tf.train.summary_iterator(path):
        graph_bytes += len(event.graph_def)
    size = os.path.getsize(path) - graph_bytes
    assert 10001 * 47 <= size <= 10001 * 48 + 22 * 200 < 500000, size


def test_graph_written_with_course_scopes(tmp_path):
    result = trainer.train(make_config(tmp_path, max_step=1), out=lambda line: None)
    path = glob.glob(os.path.join(result.run_dir, "train", "events.out.tfevents.*"))[0]
    graph_def = None
    for event in tf.train.summary_iterator(path):
        if event.graph_def:
            graph_def = tf.GraphDef.FromString(event.graph_def)
    names = {node.name for node in graph_def.node}
    for name in ("original_data/x", "original_data/y", "linear_model/weights",
                 "linear_model/bias", "linear_model/predictions", "loss/mse", "global_step"):
        assert name in names
    assert any(name.startswith("optimizer/") for name in names)


def test_checkpoint_holds_learned_variables_and_metadata(tmp_path):
    config = make_config(tmp_path, max_step=30, save_every=10, max_to_keep=2)
    result = trainer.train(config, out=lambda line: None)
    model_dir = config.model_dir
    assert result.checkpoint == os.path.join(model_dir, "model.ckpt-30")
    assert dict(tf.train.list_variables(model_dir)) == {
        "global_step": [], "linear_model/weights": [1, 1], "linear_model/bias": [1]}
    np.testing.assert_array_equal(tf.train.load_variable(model_dir, "linear_model/weights"),
                                  result.weights)
    assert tf.train.load_variable(model_dir, "global_step") == 30
    # max_to_keep = 2: only the two most recent of 10, 20, 30 remain.
    assert sorted(glob.glob(os.path.join(model_dir, "model.ckpt-*.index"))) == [
        os.path.join(model_dir, "model.ckpt-20.index"),
        os.path.join(model_dir, "model.ckpt-30.index")]
    with open(os.path.join(model_dir, "checkpoint")) as handle:
        assert '"model.ckpt-30"' in handle.read()  # relative paths: the directory can move
    saved = config_lib.resolve(os.path.join(model_dir, "config.yaml"))
    assert saved == config
    assert not [name for name in os.listdir(str(tmp_path)) if "staging" in name]


def test_freeze_keeps_initial_value(tmp_path):
    frozen = trainer.train(make_config(tmp_path, max_step=50, freeze=["bias"]),
                           out=lambda line: None)
    initial = trainer.train(make_config(tmp_path / "b", max_step=1, learning_rate=1e-30),
                            out=lambda line: None)
    assert frozen.bias[0] == initial.bias[0]  # same seed: same initial bias, never trained
    assert frozen.weights[0, 0] != initial.weights[0, 0]


def test_rerun_resumes_to_max_step_and_new_run_dir(tmp_path):
    lines = []
    first = trainer.train(make_config(tmp_path, max_step=300), out=lines.append)
    second = trainer.train(make_config(tmp_path, max_step=1000), out=lines.append)
    assert any(line.startswith("resuming from") for line in lines)
    assert second.global_step == 1000
    assert first.run_dir != second.run_dir
    assert sorted(step for step, _ in events(second.run_dir)["loss/loss"])[0] == 300
    uninterrupted = trainer.train(make_config(tmp_path / "u", max_step=1000),
                                  out=lambda line: None)
    np.testing.assert_allclose(second.weights, uninterrupted.weights, rtol=1e-6)
    again = trainer.train(make_config(tmp_path, max_step=1000), out=lines.append)
    assert again.run_dir is None and "nothing to train" in lines[-1]


def test_incompatible_model_dir_is_refused(tmp_path):
    trainer.train(make_config(tmp_path, max_step=1, model="logistic"), out=lambda line: None)
    with pytest.raises(DataError, match="holds a model with model 'logistic', but this run asks "
                                        "for 'linear'"):
        trainer.train(make_config(tmp_path, max_step=2), out=lambda line: None)
    path = os.path.join(str(tmp_path / "model"), "model.json")
    with open(path) as handle:
        text = handle.read()
    with open(path, "w") as handle:
        handle.write(text.replace('"logistic"', '"linear"'))
    with pytest.raises(DataError, match=r"inconsistent model directory: config.yaml says model "
                                        r"'logistic', model.json says 'linear'"):
        trainer.train(make_config(tmp_path, max_step=2), out=lambda line: None)


def test_model_dir_that_is_a_file_or_foreign(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        trainer.train(make_config(tmp_path, model_dir=str(tmp_path / "file")))
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="holds no tfcourse model"):
        trainer.train(make_config(tmp_path, model_dir=str(tmp_path / "other")))
    assert os.listdir(str(tmp_path / "other")) == ["notes.txt"]


def test_failed_run_leaves_no_model_dir(tmp_path):
    def explode(line):
        if line.startswith("step 0/"):
            raise RuntimeError("stop here")
    with pytest.raises(RuntimeError):
        trainer.train(make_config(tmp_path, max_step=10), out=explode)
    assert sorted(os.listdir(str(tmp_path))) == ["summary"]


def test_two_runs_never_share_a_run_dir(tmp_path):
    first = loop.new_run_dir(str(tmp_path))
    second = loop.new_run_dir(str(tmp_path))
    assert first != second
    assert os.path.dirname(first) == os.path.dirname(second) == str(tmp_path)
    assert os.listdir(first) == os.listdir(second) == []


@pytest.mark.parametrize("steps_per_run", [1, 7, None])
def test_steps_per_run_keeps_cadences_and_learned_values(tmp_path, steps_per_run):
    config = make_config(tmp_path, max_step=95, summary_every=10, save_every=40, log_every=30,
                         steps_per_run=steps_per_run)
    lines = []
    result = trainer.train(config, out=lines.append)
    reference = trainer.train(make_config(tmp_path / "reference", max_step=95),
                              out=lambda line: None)
    assert np.array_equal(result.weights, reference.weights)  # bit-identical to any K
    assert np.array_equal(result.bias, reference.bias)
    assert [step for step, _ in events(result.run_dir)["loss/loss"]] == list(range(0, 91, 10)) + [95]
    assert [int(line.split()[1].split("/")[0]) for line in lines if line.startswith("step ")] == [
        0, 30, 60, 90, 95]
    assert sorted(int(p.split("-")[-1].split(".")[0]) for p in glob.glob(
        os.path.join(config.model_dir, "model.ckpt-*.index"))) == [40, 80, 95]


def test_the_loop_equals_the_course_train_op(tmp_path):
    from tfcourse import graph as graph_lib
    dataset = data.course_data(100, seed=1)
    finals = []
    for use_loop in (False, True):
        tg = graph_lib.build("linear", 1, 0.01, seed=1)
        with tf.Session(graph=tg.graph) as session:
            session.run(tg.init_op)
            graph_lib.load_data(session, tg, dataset)
            if use_loop:
                session.run(tg.train_loop, {tg.steps: 50})
            else:
                for _ in range(50):
                    session.run(tg.train_op)
            finals.append(session.run([tg.model.weights, tg.model.bias, tg.global_step]))
    assert finals[0][2] == finals[1][2] == 50
    assert np.array_equal(finals[0][0], finals[1][0]) and np.array_equal(finals[0][1], finals[1][1])
