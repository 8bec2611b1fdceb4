"""The training graph's inputs: the stored training rows, encoded once into data variables,
and the minibatches that arrive raw through ``tf.data`` (see ``tfcourse.graph``)."""

import collections

from tfcourse.data.types import encoded_names, numeric_columns, text_columns
from tfcourse.graph_parts import raw_feed, raw_inputs
from tfcourse.tf_compat import tf


def _data_variable(init, name):
    return tf.Variable(init, trainable=False, validate_shape=False, name=name,
                       collections=[tf.GraphKeys.LOCAL_VARIABLES])


def unpack(batch, has_text, weighted):
    """``(x, text, y, weight)`` of a batch ``(x, [text,] y, [weight])`` (tensors or arrays;
    text and weight None when the batch has none)."""
    batch = list(batch)
    x, text = batch.pop(0), batch.pop(0) if has_text else None
    y, weight = batch.pop(0), batch.pop(0) if weighted else None
    return x, text, y, weight


def minibatches(batch_source, columns, batch_size, weighted):
    """A ``tf.data`` iterator over the raw ``(x, [x_text,] y, [weight])`` minibatches a
    Python generator function yields."""
    n_numeric, n_text = len(numeric_columns(columns)), len(text_columns(columns))
    types = ((tf.float32,) + ((tf.string,) if n_text else ()) + (tf.float32,) +
             ((tf.float32,) if weighted else ()))
    shapes = ((tf.TensorShape([batch_size, n_numeric]),) +
              ((tf.TensorShape([batch_size, n_text]),) if n_text else ()) +
              (tf.TensorShape([batch_size, 1]),) +
              ((tf.TensorShape([batch_size, 1]),) if weighted else ()))
    with tf.name_scope("input"):
        dataset = tf.data.Dataset.from_generator(batch_source, types, shapes)
        return dataset.prefetch(4).make_initializable_iterator()


def _with_rows(variable, n_rows, n_columns):
    """The data variable's value with its row count as static shape.

    Static shapes let TensorFlow's gradient code use constants instead of shape
    computations at every step (the course case runs about 3x faster). The
    count enters the graph only as fixed-width constants, so the graph does not
    grow with the data.
    """
    value = tf.identity(variable)
    value.set_shape([n_rows, n_columns])
    return value


Inputs = collections.namedtuple(
    "Inputs", "x x_text y w features encoded x_init x_text_init y_init w_init data_init "
              "train_data")


def inputs(columns, encoder, stored, n_rows, weighted):
    """The graph's inputs in scope ``original_data`` (see ``TrainGraph``)."""
    n_encoded = len(encoded_names(columns))
    with tf.variable_scope("original_data"):
        x, x_text, y = raw_inputs(columns)
        w = tf.placeholder(tf.float32, [None, 1], name="w") if weighted else None
    encoded = encoder(x, x_text)
    if not stored:
        return Inputs(x, x_text, y, w, encoded, encoded, None, None, None, None, None,
                      (encoded, y, w))
    with tf.variable_scope("original_data", auxiliary_name_scope=False), \
            tf.name_scope("original_data/"):
        x_init, x_text_init, y_init = raw_inputs(columns, "_init")
        features_data = _data_variable(encoder(x_init, x_text_init, impute_all=False),
                                       "features_data")
        y_data = _data_variable(y_init, "y_data")
        features = tf.placeholder_with_default(features_data, [None, n_encoded], name="features")
        y_stored = tf.placeholder_with_default(y_data, [None, 1], name="y_stored")
        w_init = w_stored = w_rows = None
        if weighted:
            w_init = tf.placeholder(tf.float32, [None, 1], name="w_init")
            w_data = _data_variable(w_init, "w_data")
            w_stored = tf.placeholder_with_default(w_data, [None, 1], name="w_stored")
            w_rows = _with_rows(w_data, n_rows, 1)
        data_init = tf.local_variables_initializer()
        train_data = (_with_rows(features_data, n_rows, n_encoded), _with_rows(y_data, n_rows, 1),
                      w_rows)
    return Inputs(x, x_text, y_stored, w_stored, features, encoded, x_init, x_text_init, y_init,
                  w_init, data_init, train_data)


def load_data(session, train_graph, dataset):
    """Stores ``dataset`` (a ``tfcourse.data.Dataset``) in the session's data variables,
    encoded once (the tables must be initialised: run ``init_op`` first)."""
    tg = train_graph
    session.run(tg.data_init, feed_dict=raw_feed(tg.x_init, tg.x_text_init, dataset, tg.y_init,
                                                  tg.w_init))


def feed_rows(session, train_graph, dataset):
    """The feed that evaluates the training graph's model on ``dataset``'s rows: their
    encoded features (encoded by the graph, once per call) and labels."""
    tg = train_graph
    encoded = session.run(tg.encoded, raw_feed(tg.x, tg.x_text, dataset))
    values = {tg.features: encoded}
    if dataset.y is not None:
        values[tg.y] = dataset.y
    if tg.w is not None and dataset.weight is not None:
        values[tg.w] = dataset.weight
    return values
