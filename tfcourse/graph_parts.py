"""What the training graph and the inference graph share: the raw-feature placeholders,
the model on them (standardisation folded into its linear map) and the checkpoint's saver.
"""

from tfcourse import models
from tfcourse.data.types import numeric_columns, text_columns
from tfcourse.standardization import fold_standardization
from tfcourse.tf_compat import tf


def raw_inputs(columns, suffix=""):
    """Placeholders ``x<suffix>`` (``[None, n_numeric]`` float32, the numeric columns),
    ``x_text<suffix>`` (``[None, n_text]`` string, the other columns; None when there are
    none) and ``y<suffix>`` (``[None, 1]`` float32 labels) in the current scope, as
    ``tfcourse.data.types.Column`` describes them."""
    x = tf.placeholder(tf.float32, [None, len(numeric_columns(columns))], name="x" + suffix)
    n_text = len(text_columns(columns))
    x_text = tf.placeholder(tf.string, [None, n_text], name="x_text" + suffix) if n_text else None
    y = tf.placeholder(tf.float32, [None, 1], name="y" + suffix)
    return x, x_text, y


def raw_feed(x, x_text, dataset, y=None):
    """The feed of a ``tfcourse.data.Dataset``'s raw inputs to ``x`` and ``x_text`` (and its
    labels to ``y`` when given)."""
    values = {x: dataset.x}
    if x_text is not None:
        values[x_text] = dataset.text
    if y is not None:
        values[y] = dataset.y
    return values


def build_model(model_name, x, y, n_features, seed, statistics, n_classes=2):
    """The model on raw ``x``; with ``statistics`` (mean, std) standardised in its linear map.
    ``n_classes`` goes to the model's builder (softmax regression's K; the others ignore it)."""
    if statistics is None:
        return models.get(model_name).build(x, y, n_features, seed, n_classes)
    found = {}
    with tf.variable_scope(tf.get_variable_scope(), auxiliary_name_scope=False,
                           custom_getter=fold_standardization(statistics[0], statistics[1],
                                                              found)):
        model = models.get(model_name).build(x, y, n_features, seed, n_classes)
    return model._replace(weights=found["weights"], bias=found["bias"])


def saver_for(global_step, model, statistics, max_to_keep=5, sharded=False):
    """A ``tf.train.Saver`` over global_step, the weights, the bias and the standardisation
    statistics (relative paths); returns ``(saver, saved_variables)``."""
    saved = [global_step, model.weights, model.bias] + list(statistics or [])
    return tf.train.Saver(saved, max_to_keep=max_to_keep, sharded=sharded,
                          save_relative_paths=True), saved
