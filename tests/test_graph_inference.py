"""The inference graph: the checkpoint's names, no training ops, restores a training checkpoint."""

import numpy as np
import pytest

from tfcourse import graph as graph_lib
from tfcourse.tf_compat import tf


def test_inference_graph_has_the_checkpoint_names_and_no_training_ops():
    train = graph_lib.build("logistic", 2, 0.01, seed=1, standardize=True)
    infer = graph_lib.build_inference("logistic", 2, standardize=True)
    assert ([v.op.name for v in infer.saved_variables] ==
            [v.op.name for v in train.saved_variables] ==
            ["global_step", "logistic_model/weights", "logistic_model/bias", "standardize/mean",
             "standardize/std"])
    assert list(infer.outputs) == ["predictions", "probabilities"]
    assert infer.x.name == "original_data/x:0"  # the stacked columns, as one feeds many rows
    assert [(name, tensor.name, tensor.op.type) for name, tensor in infer.inputs.items()] == [
        ("x1", "inputs/x1:0", "Placeholder"), ("x2", "inputs/x2:0", "Placeholder")]
    ops = infer.graph.get_operations()
    assert not [op.name for op in ops if op.name.split("/")[0] in ("optimizer", "after_steps")]
    assert not {op.type for op in ops} & {"ApplyGradientDescent", "AssignAdd", "While", "Enter",
                                          "HistogramSummary"}
    assert infer.graph.finalized and len(ops) * 3 < len(train.graph.get_operations())


def test_inference_graph_restores_a_training_checkpoint(tmp_path):
    x = np.array([[1.0, 20.0], [3.0, -10.0], [0.5, 0.0]], np.float32)
    train = graph_lib.build("linear", 2, 0.01, seed=4, standardize=True)
    with tf.Session(graph=train.graph) as session:
        session.run(train.init_op)
        graph_lib.set_standardization(session, train, [1.0, 5.0], [2.0, 10.0])
        train.global_step.load(7, session)
        expected = session.run(train.model.predictions, {train.features: x})
        prefix = train.saver.save(session, str(tmp_path / "model.ckpt"), global_step=7)
    infer = graph_lib.build_inference("linear", 2, standardize=True)
    with tf.Session(graph=infer.graph) as session:
        infer.saver.restore(session, prefix)
        assert session.run(infer.global_step) == 7
        np.testing.assert_array_equal(session.run(infer.outputs["predictions"], {infer.x: x}),
                                      expected)


def test_softmax_inference_graph_restores_its_classes(tmp_path):
    x = np.array([[1.0, 20.0], [3.0, -10.0], [0.5, 0.0]], np.float32)
    train = graph_lib.build("softmax", 2, 0.01, seed=4, standardize=True, n_classes=3)
    with tf.Session(graph=train.graph) as session:
        session.run(train.init_op)
        graph_lib.set_standardization(session, train, [1.0, 5.0], [2.0, 10.0])
        train.model.weights.load([[1.0, -1.0, 0.5], [0.2, 0.3, -2.0]], session)
        expected = session.run(train.model.probabilities, {train.features: x})
        prefix = train.saver.save(session, str(tmp_path / "model.ckpt"), global_step=0)
    infer = graph_lib.build_inference("softmax", 2, standardize=True, n_classes=3)
    assert list(infer.outputs) == ["predictions", "probabilities"]
    assert infer.outputs["probabilities"].shape.as_list() == [None, 3]
    with tf.Session(graph=infer.graph) as session:
        infer.saver.restore(session, prefix)
        values = session.run(infer.outputs, {infer.x: x})
    np.testing.assert_array_equal(values["probabilities"], expected)
    np.testing.assert_array_equal(values["predictions"][:, 0], np.argmax(expected, axis=1))
    two = graph_lib.build_inference("softmax", 2, standardize=True)  # n_classes defaults to 2
    with tf.Session(graph=two.graph) as session:
        with pytest.raises(tf.errors.InvalidArgumentError):
            two.saver.restore(session, prefix)
