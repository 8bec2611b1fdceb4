"""The inference graph: raw features in, the model's outputs out; no optimizer, no training
loop, no data variables. Every command that only predicts (restore, evaluate, predict, plot,
inspect, export) builds it; any tfcourse checkpoint restores into it.
"""

import collections

from tfcourse import features as features_lib, models
from tfcourse.data.types import (DEFAULT_NA_VALUES, TEXT_KINDS, as_columns, encoded_names,
                                 numeric_columns, text_columns)
from tfcourse.graph_parts import build_model, raw_feed, row_weights, saver_for
from tfcourse.standardization import standardization_variables
from tfcourse.tf_compat import tf

InferenceGraph = collections.namedtuple(
    "InferenceGraph", "graph inputs x x_text y w model outputs global_step saver "
                      "saved_variables init_op table_init mean std")
InferenceGraph.__doc__ = """The inference graph: raw columns in, the model's outputs out.

Attributes:
    graph: the finalised ``tf.Graph``: no optimizer, no training loop, no data
        variables, no global-step increment.
    inputs: OrderedDict column name -> ``[None]`` placeholder, one per raw column
        (``inputs/<name>``: float32 for numeric columns, string for the others), the
        SavedModel's signature inputs.
    x, x_text: the inputs stacked as the encoder takes them, ``[None, n_numeric]``
        float32 and ``[None, n_text]`` string (None without text columns); feed these
        directly to run many rows at once.
    y: ``[None, 1]`` float32 labels, needed only for ``model.loss``; w: ``[None, 1]``
        float32 row weights of the loss (1 unless fed), or None without ``data.weight``.
    model: the ``tfcourse.models.Model`` on the encoded features and ``y``.
    outputs: OrderedDict name -> tensor, the model module's ``outputs(model)`` (softmax's
        probabilities ``[None, n_classes]``) plus, for
        a classifier, ``label`` (``[None]`` string: the predicted class as the label
        column spells it).
    global_step: int64 scalar variable (restored, never incremented).
    saver, saved_variables: as in ``tfcourse.graph.TrainGraph``; the checkpoint's variable names.
    init_op: initialises the variables (restoring then overwrites them) and the lookup tables.
    table_init: initialises the lookup tables alone (``tf.tables_initializer()``, op
        ``init_all_tables``; feeds nothing); also the graph's ``saved_model_main_op``, so a
        SavedModel of the graph runs it once its variables are restored.
    mean, std: the standardisation variables, or None.
"""


def build_inference(model_name, columns, standardize, seed=0, na_values=DEFAULT_NA_VALUES,
                    classes=None, n_classes=None, weighted=False, class_weights=None):
    """Builds the inference graph in a fresh ``tf.Graph`` (see ``InferenceGraph``).

    Its variables have the training graph's names (``global_step``,
    ``<scope>/weights``, ``<scope>/bias``, ``standardize/mean`` and ``std``),
    so any tfcourse checkpoint restores into it.

    Args:
        model_name: a key of ``tfcourse.models.MODELS``.
        columns: tuple of ``tfcourse.data.types.Column``, the raw input columns (or an
            int n: n numeric columns, ``as_columns``).
        standardize: whether the model standardises its features.
        seed: seed of the initialisers (their values are replaced by a restore).
        na_values: text cells the encoder reads as missing.
        classes: the label's classes in index order (tuple of str), or None.
        n_classes: a softmax model's classes without names (int), when ``classes`` is None.
        weighted, class_weights: the loss's row weights, as in ``tfcourse.graph.build``.

    Returns:
        an ``InferenceGraph``.
    """
    columns = as_columns(columns)
    n_features = len(encoded_names(columns))
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        global_step = tf.train.get_or_create_global_step()
        inputs = collections.OrderedDict()
        with tf.name_scope("inputs"):
            for column in columns:
                dtype = tf.string if column.kind in TEXT_KINDS else tf.float32
                inputs[column.name] = tf.placeholder(dtype, [None], name=features_lib.op_name(column.name))
        with tf.variable_scope("original_data"):
            numeric = [inputs[column.name] for column in numeric_columns(columns)]
            text = [inputs[column.name] for column in text_columns(columns)]
            x_text = tf.stack(text, axis=1, name="x_text") if text else None
            if numeric:
                x = tf.stack(numeric, axis=1, name="x")
            else:
                x = tf.zeros(tf.stack([tf.shape(x_text)[0], 0]), tf.float32, name="x")
            y = tf.placeholder(tf.float32, [None, 1], name="y")
            w = (tf.placeholder_with_default(tf.ones_like(y), [None, 1], name="w")
                 if weighted else None)
        encoded = features_lib.Encoder(columns, na_values)(x, x_text)
        statistics = standardization_variables(n_features) if standardize else None
        model = build_model(model_name, encoded, y, n_features, seed, statistics,
                            len(classes or ()) or n_classes or 2,
                            row_weights(y, w, class_weights))
        outputs = models.get(model_name).outputs(model)
        if classes is not None:
            outputs["label"] = tf.gather(tf.constant(list(classes)),
                                         tf.cast(model.predictions[:, 0], tf.int32), name="label")
        saver, saved = saver_for(global_step, model, statistics)
        table_init = tf.tables_initializer()
        tf.add_to_collection(tf.saved_model.constants.MAIN_OP_KEY, table_init)
        init_op = tf.group(tf.global_variables_initializer(), table_init, name="init")
    graph.finalize()
    mean, std = statistics or (None, None)
    return InferenceGraph(graph=graph, inputs=inputs, x=x, x_text=x_text, y=y, w=w, model=model,
                          outputs=outputs, global_step=global_step, saver=saver,
                          saved_variables=saved, init_op=init_op, table_init=table_init,
                          mean=mean, std=std)


def feed(inference_graph, dataset, labels=False):
    """The feed of a ``tfcourse.data.Dataset``'s raw inputs (and labels when ``labels``)."""
    tg = inference_graph
    return raw_feed(tg.x, tg.x_text, dataset, tg.y if labels else None,
                    tg.w if labels else None)


def build_inference_for(config, spec):
    """``build_inference`` for a saved config and model spec."""
    return build_inference(spec.model, spec.columns, spec.standardize, config.seed,
                           config.data.na_values, spec.classes,
                           weighted=spec.weight is not None, class_weights=spec.class_weights)
