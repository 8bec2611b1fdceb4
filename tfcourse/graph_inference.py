"""The inference graph: raw features in, the model's outputs out; no optimizer, no training
loop, no data variables. Every command that only predicts (restore, evaluate, predict, plot,
inspect, export) builds it; any tfcourse checkpoint restores into it.
"""

import collections

from tfcourse import models
from tfcourse.graph_parts import build_model, raw_inputs, saver_for
from tfcourse.standardization import standardization_variables
from tfcourse.tf_compat import tf

InferenceGraph = collections.namedtuple(
    "InferenceGraph", "graph x y model outputs global_step saver saved_variables init_op mean std")
InferenceGraph.__doc__ = """The inference graph: raw features in, the model's outputs out.

Attributes:
    graph: the finalised ``tf.Graph``: no optimizer, no training loop, no data
        variables, no global-step increment.
    x: ``[None, n_features]`` float32 raw features (``original_data/x``).
    y: ``[None, 1]`` float32 labels, needed only for ``model.loss``.
    model: the ``tfcourse.models.Model`` on ``x`` and ``y``.
    outputs: OrderedDict name -> ``[None, 1]`` float32 tensor (softmax's
        probabilities ``[None, n_classes]``), the model module's
        ``outputs(model)`` (the SavedModel's signature outputs).
    global_step: int64 scalar variable (restored, never incremented).
    saver, saved_variables: as in ``tfcourse.graph.TrainGraph``; the checkpoint's variable names.
    init_op: initialises the variables (restoring then overwrites them).
    mean, std: the standardisation variables, or None.
"""


def build_inference(model_name, n_features, standardize, seed=0, n_classes=2):
    """Builds the inference graph in a fresh ``tf.Graph`` (see ``InferenceGraph``).

    Its variables have the training graph's names (``global_step``,
    ``<scope>/weights``, ``<scope>/bias``, ``standardize/mean`` and ``std``),
    so any tfcourse checkpoint restores into it.

    Args:
        model_name: a key of ``tfcourse.models.MODELS``.
        n_features: number of input features (int >= 1).
        standardize: whether the model standardises its features.
        seed: seed of the initialisers (their values are replaced by a restore).
        n_classes: number of classes of a softmax model (int >= 2); other models ignore it.

    Returns:
        an ``InferenceGraph``.
    """
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        global_step = tf.train.get_or_create_global_step()
        x, y = raw_inputs(n_features)
        statistics = standardization_variables(n_features) if standardize else None
        model = build_model(model_name, x, y, n_features, seed, statistics, n_classes)
        outputs = models.get(model_name).outputs(model)
        saver, saved = saver_for(global_step, model, statistics)
        init_op = tf.global_variables_initializer()
    graph.finalize()
    mean, std = statistics or (None, None)
    return InferenceGraph(graph=graph, x=x, y=y, model=model, outputs=outputs,
                          global_step=global_step, saver=saver, saved_variables=saved,
                          init_op=init_op, mean=mean, std=std)


def build_inference_for(config, spec, n_classes=2):
    """``build_inference`` for a saved config and model spec (and a softmax model's
    number of classes)."""
    return build_inference(spec.model, len(spec.feature_names), spec.standardize, config.seed,
                           n_classes)
