"""The graph: course scopes, data held in the session (never a constant), freeze."""

import glob
import os

import numpy as np
import pytest

from tfcourse import config as config_lib, data, graph as graph_lib
from tfcourse.training import trainer
from tfcourse.tf_compat import tf


def test_ops_are_named_in_the_course_scopes():
    tg = graph_lib.build("linear", 1, 0.01, seed=1)
    names = {op.name for op in tg.graph.get_operations()}
    scopes = {name.split("/")[0] for name in names}
    assert {"original_data", "linear_model", "loss", "optimizer", "global_step"} <= scopes
    assert tg.model.weights.name == "linear_model/weights:0"
    assert tg.model.loss.name == "loss/mse:0"
    assert tg.x.name == "original_data/x:0"
    assert tg.global_step.name == "global_step:0"


def test_loss_is_mean_squared_error_of_the_fed_rows():
    tg = graph_lib.build("linear", 2, 0.01, seed=1)
    x = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]], np.float32)
    y = np.array([[1.0], [0.0], [2.0]], np.float32)
    with tf.Session(graph=tg.graph) as session:
        session.run(tg.init_op)
        weights, bias, loss = session.run([tg.model.weights, tg.model.bias, tg.model.loss],
                                          feed_dict={tg.features: x, tg.y: y})
    expected = np.mean((x.dot(weights) + bias - y) ** 2)
    assert loss == np.float32(expected) or abs(loss - expected) < 1e-6 * abs(expected)


def _files_of_a_run(tmp_path, n_samples):
    """Trains the course case on ``n_samples`` rows; returns (.meta size, events size, GraphDef)."""
    name = str(n_samples)
    config = config_lib.resolve(None, {"max_step": 1, "model_dir": str(tmp_path / name),
                                       "summary_dir": str(tmp_path / ("s" + name))})
    config = config._replace(data=config.data._replace(n_samples=n_samples))
    result = trainer.train(config, out=lambda line: None)
    meta_path = str(tmp_path / name / "model.ckpt-1.meta")
    events = glob.glob(os.path.join(result.run_dir, "train", "events.out.tfevents.*"))[0]
    graph_def = tf.MetaGraphDef.FromString(open(meta_path, "rb").read()).graph_def
    return os.path.getsize(meta_path), os.path.getsize(events), graph_def


def test_data_is_not_a_graph_constant_and_files_do_not_grow(tmp_path):
    # The row count enters the graph only as integer constants of the gradient code (for speed,
    # see graph._with_rows): varints of one width from 128 to 16383 rows, so 1,000 and 10,000
    # rows give files of the same size, and 100,000 rows (3.6 MB of data more) a few bytes more.
    small, large, huge = (_files_of_a_run(tmp_path, n) for n in (1000, 10000, 100000))
    assert small[:2] == large[:2]
    assert 0 <= huge[0] - small[0] < 64 and 0 <= huge[1] - small[1] < 64
    for node in huge[2].node:
        if node.op == "Const":
            assert np.prod([d.size for d in node.attr["value"].tensor.tensor_shape.dim]) < 10


def test_frozen_variable_is_not_in_the_optimizer_var_list():
    tg = graph_lib.build("linear", 1, 0.01, seed=1, freeze=("weights",))
    updates = [op.name for op in tg.graph.get_operations() if op.type == "ApplyGradientDescent"]
    assert len(updates) == 2 and all(
        "update_linear_model/bias/" in name for name in updates)  # train_op, train_loop


def test_same_seed_same_initial_values_other_seed_differs():
    def initial(seed):
        tg = graph_lib.build("linear", 1, 0.01, seed=seed)
        with tf.Session(graph=tg.graph) as session:
            session.run(tg.init_op)
            return session.run([tg.model.weights, tg.model.bias])
    assert np.array_equal(initial(3)[0], initial(3)[0])
    assert not np.array_equal(initial(3)[0], initial(4)[0])


def test_course_data_is_the_course_line():
    dataset = data.course_data(100, seed=5)
    assert dataset.x.shape == (100, 1) and dataset.y.dtype == np.float32
    np.testing.assert_allclose(dataset.y, 0.8 * dataset.x + 0.7, rtol=1e-6)
    assert abs(dataset.x.mean()) < 0.3 and 0.7 < dataset.x.std() < 1.3


def _stats(x):
    return x.mean(axis=0).astype(np.float32), x.std(axis=0).astype(np.float32)


def test_folded_standardisation_equals_z_scores_times_weights():
    rng = np.random.RandomState(0)
    x = (rng.normal(size=(20, 3)) * [1.0, 30.0, 0.1] + [5.0, 100.0, -2.0]).astype(np.float32)
    y = rng.normal(size=(20, 1)).astype(np.float32)
    mean, std = _stats(x)
    for model in ("linear", "logistic"):
        tg = graph_lib.build(model, 3, 0.01, seed=1, standardize=True)
        with tf.Session(graph=tg.graph) as session:
            session.run(tg.init_op)
            graph_lib.set_standardization(session, tg, mean, std)
            weights, bias = session.run([tg.model.weights, tg.model.bias])
            score = tg.model.logits if model == "logistic" else tg.model.predictions
            value = session.run(score, {tg.features: x, tg.y: y})
        expected = ((x - mean) / std).dot(weights) + bias
        np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-4)
        assert tg.model.weights.name == models_scope(model) + "/weights:0"


def models_scope(model):
    from tfcourse import models
    return models.get(model).SCOPE


def _readers(tensor):
    """The ops that read ``tensor``, looking through the while loop's Enter ops."""
    found = []
    for op in tensor.consumers():
        found.extend(_readers(op.outputs[0]) if op.type == "Enter" else [op])
    return found


def test_no_step_makes_a_standardised_copy_of_the_data():
    # The data ([rows, n_features]) are read only by the model's matmul and its gradient:
    # nothing subtracts the mean from them or divides them by the standard deviation.
    tg = graph_lib.build("linear", 3, 0.01, seed=1, standardize=True, n_rows=50)
    data_tensors = [tensor for op in tg.graph.get_operations()
                    if op.name.startswith("original_data/") and op.type != "Assign"
                    for tensor in op.outputs if tensor.shape.ndims == 2 and tensor.shape[1] == 3]
    assert len(data_tensors) == 4  # x (fed rows: encoded apart), x_init, features, the stored data
    data_tensors.remove(tg.x)
    readers = [op for tensor in data_tensors for op in _readers(tensor)]
    assert {op.type for op in readers} == {"MatMul", "Assign"}
    # the model, train_op's gradient, the loop's forward pass and gradient, the loss after the loop
    assert len([op for op in readers if op.type == "MatMul"]) == 5
    assert "standardize/mean:0" in [v.name for v in tg.saved_variables]


def test_device_function_makes_the_distributed_graph():
    cluster = tf.train.ClusterSpec({"ps": ["127.0.0.1:1"], "worker": ["127.0.0.1:2"]})
    setter = tf.train.replica_device_setter(worker_device="/job:worker/task:0", cluster=cluster)
    tg = graph_lib.build("linear", 2, 0.01, seed=1, standardize=True, device_fn=setter,
                         sync_replicas=2)
    single = graph_lib.build("linear", 2, 0.01, seed=1, standardize=True)
    assert ([v.op.name for v in tg.saved_variables] ==
            [v.op.name for v in single.saved_variables])
    assert all(v.device == "/job:ps/task:0" for v in tg.graph.get_collection("variables"))
    assert tg.model.loss.device == "/job:worker/task:0"
    assert tg.train_loop is None and tg.data_init is None and tg.x.op.type == "Placeholder"
    assert [v.op.name for v in tg.graph.get_collection(tf.GraphKeys.LOCAL_VARIABLES)] == [
        "optimizer/sync_rep_local_step"]  # SyncReplicasOptimizer's; no data variables
    assert isinstance(tg.optimizer, tf.train.SyncReplicasOptimizer)
    assert tg.after.loss is tg.model.loss and not tg.graph.finalized

    def summaries(graph):
        return sorted(op.name for op in graph.get_operations()
                      if op.type in ("ScalarSummary", "HistogramSummary"))
    assert summaries(tg.graph) == summaries(single.graph) == [
        "linear_model/bias_0", "linear_model/weights_0", "loss/loss"]


def test_folded_standardisation_with_a_weight_column_per_class():
    # weights [3, 4] and bias [4]: W/std divides each row, mean·(W/std) shifts each class's bias
    rng = np.random.RandomState(1)
    x = (rng.normal(size=(20, 3)) * [1.0, 30.0, 0.1] + [5.0, 100.0, -2.0]).astype(np.float32)
    y = rng.randint(4, size=(20, 1)).astype(np.float32)
    mean, std = _stats(x)
    tg = graph_lib.build("softmax", 3, 0.01, seed=1, standardize=True, n_classes=4)
    weights = rng.normal(size=(3, 4)).astype(np.float32)
    bias = rng.normal(size=4).astype(np.float32)
    with tf.Session(graph=tg.graph) as session:
        session.run(tg.init_op)
        graph_lib.set_standardization(session, tg, mean, std)
        graph_lib.load_data(session, tg, data.numeric_dataset(x, y))
        tg.model.weights.load(weights, session)
        tg.model.bias.load(bias, session)
        logits, loss = session.run([tg.model.logits, tg.model.loss])
        session.run(tg.train_op)
        trained_weights, trained_bias = session.run([tg.model.weights, tg.model.bias])
    z = ((x - mean) / std).astype(np.float64)
    np.testing.assert_allclose(logits, z.dot(weights) + bias, rtol=1e-5, atol=1e-4)
    from tfcourse import reference
    grads, cost = reference.propagate_softmax(weights.astype(np.float64), bias, z.T, y.T)
    assert loss == np.float32(cost) or abs(loss - cost) < 1e-5 * cost
    # the step trains the variables of standardised features: the reference's step on z
    np.testing.assert_allclose(trained_weights, weights - 0.01 * grads["dw"], rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(trained_bias, bias - 0.01 * grads["db"][:, 0], rtol=1e-5,
                               atol=1e-6)
    assert tg.model.weights.name == "softmax_model/weights:0"
    assert tg.model.weights.shape.as_list() == [3, 4]


def test_softmax_summaries_are_one_histogram_per_variable():
    tg = graph_lib.build("softmax", 2, 0.1, seed=1, n_classes=3)
    x = np.zeros((5, 2), np.float32)
    with tf.Session(graph=tg.graph) as session:
        session.run(tg.init_op)
        graph_lib.load_data(session, tg, data.numeric_dataset(x, np.zeros((5, 1), np.float32)))
        summary = tf.Summary.FromString(session.run(tg.summary_op, {tg.steps: 0}))
        weights, bias = session.run([tg.model.weights, tg.model.bias])
    values = {value.tag: value for value in summary.value}
    assert sorted(values) == ["loss/loss", "softmax_model/bias_0", "softmax_model/weights_0"]
    assert values["softmax_model/weights_0"].histo.num == 6  # [2, 3]: every class's weights
    assert values["softmax_model/weights_0"].histo.sum == pytest.approx(weights.sum(), abs=1e-6)
    assert values["softmax_model/bias_0"].histo.num == 3
    assert values["softmax_model/bias_0"].histo.sum == pytest.approx(bias.sum(), abs=1e-6)
    # x = 0: the logits are the bias; every label is class 0
    expected = np.log(np.exp(bias.astype(np.float64)).sum()) - bias[0]
    assert values["loss/loss"].simple_value == pytest.approx(expected, rel=1e-6)
