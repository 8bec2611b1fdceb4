"""The graph: course scopes, data held in the session (never a constant), freeze."""

import glob
import os

import numpy as np

from tfcourse import config as config_lib, data, graph as graph_lib
from tfcourse.train import trainer
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
                                          feed_dict={tg.x: x, tg.y: y})
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
