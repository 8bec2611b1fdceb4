"""The training graph: one builder, single-process or distributed. (The inference graph
every command that only predicts uses is in ``tfcourse.graph_inference``; its builders are
importable from here too.)

Training data are held in the session by non-trainable local variables filled
once from placeholders (``original_data/x_init``), so the graph and its
``.meta`` file do not grow with the data. ``original_data/x`` and
``original_data/y`` are ``placeholder_with_default`` over those variables:
training reads the stored data; feeding them evaluates or predicts on other
rows through the same ops. Under a device function
(``tf.train.replica_device_setter``) the same builder makes a worker's graph:
variables on the ps tasks, minibatches fed to ``x`` and ``y``.

Every graph takes raw features; standardisation is folded into the model's
linear map (see ``tfcourse.standardization``).
"""

import collections

from tfcourse.graph_inference import (  # noqa: F401  (the inference graph: API)
    InferenceGraph, build_inference, build_inference_for)
from tfcourse.graph_loop import LoopOutputs, train_loop_ops  # noqa: F401  (LoopOutputs: API)
from tfcourse.graph_parts import build_model, raw_inputs, saver_for
from tfcourse.standardization import (  # noqa: F401  (set_standardization: API)
    set_standardization, standardization_variables)
from tfcourse.tf_compat import tf

TrainGraph = collections.namedtuple(
    "TrainGraph", "graph x y x_init y_init data_init model global_step train_op steps train_loop "
                  "after summary_op saver saved_variables init_op mean std input_init "
                  "optimizer ready")
TrainGraph.__doc__ = """Handles on the ops of a built training graph.

Attributes:
    graph: the ``tf.Graph``.
    x, y: ``[None, n_features]`` / ``[None, 1]`` float32 raw inputs and labels (class
        indices for softmax regression): placeholders with the stored data as
        default; plain placeholders in a distributed graph.
    x_init, y_init: placeholders that ``data_init`` stores in the session
        (None in a distributed graph, which holds no data).
    data_init: op that fills the data variables (feed x_init, y_init).
    model: the ``tfcourse.models.Model`` on ``x`` and ``y``.
    global_step: int64 scalar variable.
    train_op: one gradient-descent step on the variables not frozen
        (increments global_step), as the course runs it.
    steps, train_loop: ``session.run(train_loop, {steps: k})`` runs k steps
        in one call (see ``tfcourse.graph_loop``); a ``LoopOutputs`` (None without the loop).
    after: ``Snapshot`` of loss, weights and bias once the loop's steps are
        done (fetch it, or ``summary_op``, in the same run as ``train_loop``;
        with ``steps`` 0 it shows the current state). Without the loop: the
        model's loss and variables.
    summary_op: merged summaries of ``after``: scalar ``loss/loss``,
        histograms ``<scope>/weights_0`` and ``<scope>/bias_0``.
    saver: ``tf.train.Saver`` over ``saved_variables``: global_step, the
        model's weights and bias, and the standardisation statistics.
    init_op: initialises the global variables.
    mean, std: ``[n_features]`` float32 standardisation variables (saved in
        the checkpoint), or None when the features are used as they are.
    input_init: initialises the minibatch iterator (None for full-batch training).
    optimizer: the optimizer (a ``SyncReplicasOptimizer`` with ``sync_replicas``).
    ready: 1-D string tensor naming the global variables not initialised yet
        (empty when a distributed worker may start).
"""

Snapshot = collections.namedtuple("Snapshot", "loss weights bias")


def _data_variable(init, name):
    return tf.Variable(init, trainable=False, validate_shape=False, name=name,
                       collections=[tf.GraphKeys.LOCAL_VARIABLES])


def _add_summaries(snapshot, model):
    """Adds the loss scalar (tag ``loss/loss``, in the course's ``loss`` scope) and a
    histogram per variable, tagged with the variable's tensor name as Keras'
    TensorBoard callback does (``linear_model/weights_0`` for ``linear_model/weights:0``).

    Histogram inputs are zeroed where not finite, so the op cannot fail; the
    trainer never writes a summary of a step whose values are not finite.
    """
    with tf.name_scope("loss/"):
        tf.summary.scalar("loss", snapshot.loss)
    for value, variable in ((snapshot.weights, model.weights), (snapshot.bias, model.bias)):
        safe = tf.where(tf.is_finite(value), value, tf.zeros_like(value))
        tf.summary.histogram(variable.name.replace(":", "_"), safe)


def _minibatches(batch_source, n_features, batch_size):
    """A ``tf.data`` iterator over the minibatches a Python generator function yields."""
    with tf.name_scope("input"):
        dataset = tf.data.Dataset.from_generator(
            batch_source, (tf.float32, tf.float32),
            (tf.TensorShape([batch_size, n_features]), tf.TensorShape([batch_size, 1])))
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


def _inputs(n_features, stored, n_rows):
    """``(x, y, x_init, y_init, data_init, train_data)`` in scope ``original_data``."""
    if not stored:
        x, y = raw_inputs(n_features)
        return x, y, None, None, None, (x, y)
    with tf.variable_scope("original_data"):
        x_init = tf.placeholder(tf.float32, [None, n_features], name="x_init")
        y_init = tf.placeholder(tf.float32, [None, 1], name="y_init")
        x_data, y_data = _data_variable(x_init, "x_data"), _data_variable(y_init, "y_data")
        x = tf.placeholder_with_default(x_data, [None, n_features], name="x")
        y = tf.placeholder_with_default(y_data, [None, 1], name="y")
        data_init = tf.local_variables_initializer()
        train_data = (_with_rows(x_data, n_rows, n_features), _with_rows(y_data, n_rows, 1))
    return x, y, x_init, y_init, data_init, train_data


def build(model_name, n_features, learning_rate, seed, freeze=(), max_to_keep=5,
          standardize=False, batch_source=None, n_rows=None, device_fn=None,
          train_loop=None, sync_replicas=0, n_classes=2):
    """Builds the training graph in a fresh ``tf.Graph``.

    Args:
        model_name: a key of ``tfcourse.models.MODELS``.
        n_features: number of input features (int >= 1).
        learning_rate: gradient-descent learning rate (float > 0).
        seed: graph-level seed; op-level seeds derive from it (int).
        freeze: names of model variables ("weights", "bias") to leave out of
            the optimizer's var_list; they keep their initial value. At least
            one must stay trainable.
        max_to_keep: how many recent checkpoints the Saver keeps.
        standardize: z-score the features with the ``mean`` and ``std``
            variables (set them with ``set_standardization``), folded into
            the linear map.
        batch_source: None to train on the stored data (full batch), or a
            generator function of ``(x, y)`` minibatches to train on, through
            ``tf.data`` (the loss in ``after`` is then the last minibatch's);
            it has a ``batch_size`` attribute (rows per batch).
        n_rows: rows of the stored training data, if known (for speed).
        device_fn: None for one process; a device function such as
            ``tf.train.replica_device_setter`` for a distributed worker: the
            variables go where it says, the graph stores no data (``train_op``
            trains on the minibatch fed to ``x`` and ``y``) and is not
            finalised (``MonitoredTrainingSession``'s scaffold adds its ops).
        train_loop: build the in-graph loop (``steps``, ``train_loop``);
            None: only without ``device_fn``.
        sync_replicas: with N > 0, wrap the optimizer in
            ``tf.train.SyncReplicasOptimizer`` aggregating N replicas' gradients.
        n_classes: number of classes of a softmax model (int >= 2; the
            labels are its class indices); other models ignore it.

    Returns:
        a ``TrainGraph``.
    """
    distributed = device_fn is not None
    with_loop = not distributed if train_loop is None else train_loop
    graph = tf.Graph()
    with graph.as_default(), tf.device(device_fn):
        tf.set_random_seed(seed)
        root_scope = tf.get_variable_scope()
        global_step = tf.train.get_or_create_global_step()
        x, y, x_init, y_init, data_init, train_data = _inputs(n_features, not distributed, n_rows)
        statistics = standardization_variables(n_features) if standardize else None
        model = build_model(model_name, x, y, n_features, seed, statistics, n_classes)
        iterator = (_minibatches(batch_source, n_features, batch_source.batch_size)
                    if batch_source else None)

        def loss_again(inputs=None):  # the same variables, new ops (inside the loop, after it)
            with tf.variable_scope(root_scope, reuse=True, auxiliary_name_scope=False):
                return build_model(model_name, *(inputs or train_data), n_features=n_features,
                                    seed=seed, statistics=statistics, n_classes=n_classes).loss

        def batch_loss():
            return loss_again(iterator.get_next() if iterator else None)

        var_list = [var for name, var in (("weights", model.weights), ("bias", model.bias))
                    if name not in freeze]
        with tf.variable_scope("optimizer"):
            optimizer = tf.train.GradientDescentOptimizer(learning_rate)
            if sync_replicas:
                optimizer = tf.train.SyncReplicasOptimizer(
                    optimizer, replicas_to_aggregate=sync_replicas,
                    total_num_replicas=sync_replicas)
            train_op = optimizer.minimize(model.loss, global_step=global_step,
                                          var_list=var_list, name="train")
            steps, loop = (train_loop_ops(batch_loss, optimizer, var_list, global_step, model)
                           if with_loop else (None, None))
        if loop is None:
            after = Snapshot(model.loss, model.weights, model.bias)
        else:
            with tf.name_scope("after_steps"), tf.control_dependencies(list(loop)):
                after = Snapshot(loss=tf.identity(loop.loss) if iterator else loss_again(),
                                 weights=model.weights.read_value(),
                                 bias=model.bias.read_value())
        _add_summaries(after, model)
        summary_op = tf.summary.merge_all()
        saver, saved = saver_for(global_step, model, statistics, max_to_keep, sharded=distributed)
        init_op = tf.global_variables_initializer()
        ready = (tf.identity(tf.report_uninitialized_variables(tf.global_variables()), "ready")
                 if distributed else None)
    if not distributed:
        graph.finalize()
    mean, std = statistics or (None, None)
    return TrainGraph(graph=graph, x=x, y=y, x_init=x_init, y_init=y_init, data_init=data_init,
                      model=model, global_step=global_step, train_op=train_op, steps=steps,
                      train_loop=loop, after=after, summary_op=summary_op, saver=saver,
                      saved_variables=saved, init_op=init_op, mean=mean, std=std,
                      input_init=iterator.initializer if iterator else None,
                      optimizer=optimizer, ready=ready)


def build_for(config, spec, batch_source=None, n_rows=None, device_fn=None, sync_replicas=0,
              n_classes=2):
    """``build`` for a resolved config and a model spec (``tfcourse.model_dir.ModelSpec``)."""
    return build(config.model, len(spec.feature_names), config.learning_rate, config.seed,
                 config.freeze, config.max_to_keep, spec.standardize, batch_source, n_rows,
                 device_fn=device_fn, sync_replicas=sync_replicas, n_classes=n_classes)


def session_config(log_device_placement=False):
    """The ``tf.ConfigProto`` every single-process tfcourse session uses."""
    return tf.ConfigProto(log_device_placement=log_device_placement)


def load_data(session, train_graph, dataset):
    """Stores ``dataset`` (a ``tfcourse.data.Dataset``) in the session's data variables."""
    session.run(train_graph.data_init,
                feed_dict={train_graph.x_init: dataset.x, train_graph.y_init: dataset.y})
