"""The training graph: one builder, single-process or distributed. (The inference graph
every command that only predicts uses is in ``tfcourse.graph_inference``; its builders are
importable from here too.)

Every graph takes raw inputs (numeric columns as ``x``, text columns as ``x_text``) and
encodes them in the graph (``tfcourse.features``: imputation, booleans, dates, one-hot
categories); standardisation is folded into the model's linear map (see
``tfcourse.standardization``).

Training data are held in the session by non-trainable local variables filled
once from placeholders (``original_data/x_init``, ``x_text_init``, ``y_init``) and
encoded once on the way in, so the graph and its ``.meta`` file do not grow with
the data and no step encodes them again. ``original_data/features`` and
``original_data/y_stored`` are ``placeholder_with_default`` over those variables:
training reads the stored data; feeding them evaluates on other rows through the
same ops (``feed_rows``). Minibatches arrive raw through ``tf.data`` and are encoded
per batch. Under a device function (``tf.train.replica_device_setter``) the same
builder makes a worker's graph: variables on the ps tasks, minibatches fed to ``x``,
``x_text`` and ``y``.
"""

import collections

from tfcourse import features as features_lib, graph_inputs, optimizers
from tfcourse.data.types import DEFAULT_NA_VALUES, as_columns, encoded_names, text_columns
from tfcourse.graph_inference import (  # noqa: F401  (the inference graph: API)
    InferenceGraph, build_inference, build_inference_for, feed)
from tfcourse.graph_inputs import feed_rows, load_data, unpack  # noqa: F401  (API)
from tfcourse.graph_loop import LoopOutputs, train_loop_ops  # noqa: F401  (LoopOutputs: API)
from tfcourse.graph_parts import build_model, row_weights, saver_for
from tfcourse.standardization import (  # noqa: F401  (set_standardization: API)
    set_standardization, standardization_variables)
from tfcourse.tf_compat import tf

TrainGraph = collections.namedtuple(
    "TrainGraph", "graph x x_text y w features encoded x_init x_text_init y_init w_init "
                  "data_init model "
                  "global_step train_op steps train_loop after summary_op saver saved_variables "
                  "init_op mean std input_init optimizer ready base_rate learning_rate "
                  "penalty objective best_saver")
TrainGraph.__doc__ = """Handles on the ops of a built training graph.

Attributes:
    graph: the ``tf.Graph``.
    x, x_text: raw inputs, ``[None, n_numeric]`` float32 and ``[None, n_text]`` string
        (None without text columns) placeholders (see ``tfcourse.data.types.Column``);
        ``encoded`` their encoded features ``[None, n_features]`` float32.
    features, y: the model's inputs, ``[None, n_features]`` encoded features and
        ``[None, 1]`` labels: the stored training data by default (feed them to
        evaluate other rows: ``feed_rows``); in a distributed graph ``features`` is
        ``encoded`` and ``y`` a placeholder, fed a minibatch per step.
    w: ``[None, 1]`` float32 row weights beside ``y`` (stored by default, as ``y``), or
        None without ``data.weight``.
    x_init, x_text_init, y_init, w_init: placeholders that ``data_init`` stores in the
        session, encoded (None in a distributed graph, which holds no data).
    data_init: op that fills the data variables (run ``init_op`` first: the tables).
    model: the ``tfcourse.models.Model`` on ``features`` and ``y``.
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
    init_op: initialises the global variables and the encoder's lookup tables.
    mean, std: ``[n_features]`` float32 standardisation variables (saved in
        the checkpoint), or None when the features are used as they are.
    input_init: initialises the minibatch iterator (None for full-batch training).
    optimizer: the optimizer (a ``SyncReplicasOptimizer`` with ``sync_replicas``).
    ready: 1-D string tensor naming the global variables not initialised yet
        (empty when a distributed worker may start).
    base_rate: the float32 base learning rate variable (``optimizers.set_base_rate``).
    learning_rate: float32, the scheduled rate at the step reached (after the loop's steps).
    penalty: float32, ``l2 * sum(W^2) + l1 * sum(|W|)`` of the current weights.
    objective: float32, ``after.loss`` plus the penalty after the loop's steps (the
        penalised training objective; summarised as ``loss/objective`` when a penalty is on).
    best_saver: a second ``tf.train.Saver`` of ``saved_variables`` for the best checkpoint
        (``<model_dir>/best/``, kept apart from the rolling ones), or None without ``keep_best``.
"""

Snapshot = collections.namedtuple("Snapshot", "loss weights bias")

Regularization = collections.namedtuple("Regularization", "l1 l2 decay decay_rate decay_steps")
Regularization.__doc__ = """Penalties on the weights (``l1``, ``l2``: floats >= 0) and the
learning-rate schedule (``decay``: one of ``optimizers.DECAYS``; ``decay_rate``, ``decay_steps``)
of a training graph; see ``tfcourse.optimizers``."""
NO_REGULARIZATION = Regularization(0.0, 0.0, "none", 0.96, 1000)


def _recorded(reg, rate_at, global_step, model):
    """The loop's per-step scalars besides the loss (``graph_loop.train_loop_ops``'s
    ``record``): the penalised objective (``loss/objective``) with a penalty, the scheduled
    learning rate (``optimizer/learning_rate``) with a decay."""
    def objective(done, loss):
        return loss + optimizers.penalty(model.weights, reg.l1, reg.l2)
    objective.takes_loss = True

    def learning_rate(done):
        return rate_at(tf.identity(global_step) + tf.cast(done, tf.int64))
    record = collections.OrderedDict()
    if reg.l1 or reg.l2:
        record["loss/objective"] = objective
    if reg.decay != "none":
        record["optimizer/learning_rate"] = learning_rate
    return record


def regularization_of(config):
    """The ``Regularization`` a resolved config asks for."""
    return Regularization(config.l1, config.l2, config.learning_rate_decay, config.decay_rate,
                          config.decay_steps)


def _add_summaries(snapshot, model, objective=None, learning_rate=None):
    """Adds the loss scalar (tag ``loss/loss``, in the course's ``loss`` scope) and a
    histogram per variable, tagged with the variable's tensor name as Keras'
    TensorBoard callback does (``linear_model/weights_0`` for ``linear_model/weights:0``).

    Histogram inputs are zeroed where not finite, so the op cannot fail; the
    trainer never writes a summary of a step whose values are not finite.
    """
    with tf.name_scope("loss/"):
        tf.summary.scalar("loss", snapshot.loss)
        if objective is not None:
            tf.summary.scalar("objective", objective)
    if learning_rate is not None:
        with tf.name_scope("optimizer/"):
            tf.summary.scalar("learning_rate", learning_rate)
    for value, variable in ((snapshot.weights, model.weights), (snapshot.bias, model.bias)):
        safe = tf.where(tf.is_finite(value), value, tf.zeros_like(value))
        tf.summary.histogram(variable.name.replace(":", "_"), safe)


def build(model_name, columns, learning_rate, seed, freeze=(), max_to_keep=5,
          standardize=False, batch_source=None, n_rows=None, device_fn=None,
          train_loop=None, sync_replicas=0, na_values=DEFAULT_NA_VALUES, n_classes=2,
          weighted=False, class_weights=None, regularization=None, keep_best=False):
    """Builds the training graph in a fresh ``tf.Graph``.

    Args:
        model_name: a key of ``tfcourse.models.MODELS``.
        columns: tuple of ``tfcourse.data.types.Column``, the raw input columns (or an
            int n: n numeric columns, ``as_columns``); the model has one weight per
            encoded feature (``encoded_names(columns)``).
        learning_rate: gradient-descent learning rate (float > 0), the schedule's base;
            0 for one loaded later (``learning_rate: auto``, ``optimizers.set_base_rate``).
        seed: graph-level seed; op-level seeds derive from it (int).
        freeze: names of model variables ("weights", "bias") to leave out of
            the optimizer's var_list; they keep their initial value. At least
            one must stay trainable.
        max_to_keep: how many recent checkpoints the Saver keeps.
        standardize: z-score the encoded features with the ``mean`` and ``std``
            variables (set them with ``set_standardization``), folded into
            the linear map.
        batch_source: None to train on the stored data (full batch), or a
            generator function of raw ``(x, [x_text,] y)`` minibatches to train on,
            through ``tf.data`` (the loss in ``after`` is then the last minibatch's);
            it has a ``batch_size`` attribute (rows per batch).
        n_rows: rows of the stored training data, if known (for speed).
        device_fn: None for one process; a device function such as
            ``tf.train.replica_device_setter`` for a distributed worker: the
            variables go where it says, the graph stores no data (``train_op``
            trains on the minibatch fed to ``x``, ``x_text`` and ``y``) and is not
            finalised (``MonitoredTrainingSession``'s scaffold adds its ops).
        train_loop: build the in-graph loop (``steps``, ``train_loop``);
            None: only without ``device_fn``.
        sync_replicas: with N > 0, wrap the optimizer in
            ``tf.train.SyncReplicasOptimizer`` aggregating N replicas' gradients.
        na_values: text cells the encoder reads as missing.
        weighted: the rows have weights (``data.weight``): ``w`` inputs beside ``y``.
        class_weights: a weight per class (tuple of float) multiplying the rows' loss
            weights, or None (``graph_parts.row_weights``).
        n_classes: number of classes of a softmax model (int >= 2; the
            labels are its class indices); other models ignore it.
        regularization: a ``Regularization`` (penalties, learning-rate schedule), or None:
            neither.
        keep_best: add ``best_saver`` (early stopping keeps the best checkpoint).

    Returns:
        a ``TrainGraph``.
    """
    distributed = device_fn is not None
    with_loop = not distributed if train_loop is None else train_loop
    columns = as_columns(columns)
    n_features = len(encoded_names(columns))
    graph = tf.Graph()
    with graph.as_default(), tf.device(device_fn):
        tf.set_random_seed(seed)
        root_scope = tf.get_variable_scope()
        global_step = tf.train.get_or_create_global_step()
        encoder = features_lib.Encoder(columns, na_values)
        inputs = graph_inputs.inputs(columns, encoder, not distributed, n_rows, weighted)
        statistics = standardization_variables(n_features) if standardize else None
        model = build_model(model_name, inputs.features, inputs.y, n_features, seed, statistics,
                            n_classes, row_weights(inputs.y, inputs.w, class_weights))
        iterator = (graph_inputs.minibatches(batch_source, columns, batch_source.batch_size, weighted)
                    if batch_source else None)

        def loss_again(data=None):  # the same variables, new ops (inside the loop, after it)
            features, y, w = data or inputs.train_data
            with tf.variable_scope(root_scope, reuse=True, auxiliary_name_scope=False):
                return build_model(model_name, features, y, n_features=n_features, seed=seed,
                                   statistics=statistics, n_classes=n_classes,
                                   weights=row_weights(y, w, class_weights)).loss

        def batch_loss():
            if iterator is None:
                return loss_again()
            x, text, y, w = graph_inputs.unpack(iterator.get_next(), text_columns(columns), weighted)
            return loss_again((encoder(x, text), y, w))

        var_list = [var for name, var in (("weights", model.weights), ("bias", model.bias))
                    if name not in freeze]
        reg = regularization or NO_REGULARIZATION
        with tf.variable_scope("optimizer"):
            base_rate = optimizers.base_rate_variable(learning_rate)

            def rate_at(step):
                return optimizers.scheduled_rate(base_rate, step, reg.decay, reg.decay_rate,
                                                 reg.decay_steps)
            optimizer = optimizers.GradientDescent(rate_at, global_step, model.weights, reg.l1,
                                                   reg.l2)
            if sync_replicas:  # a tf.train.Optimizer to wrap: L2 only (l1 is refused there)
                loss = optimizer.smooth_loss(model.loss)
                optimizer = tf.train.SyncReplicasOptimizer(
                    optimizer.plain(), replicas_to_aggregate=sync_replicas,
                    total_num_replicas=sync_replicas)
                train_op = optimizer.minimize(loss, global_step=global_step, var_list=var_list,
                                              name="train")
            else:
                train_op = optimizer.minimize(model.loss, global_step=global_step,
                                              var_list=var_list, name="train")
            steps, loop = (train_loop_ops(batch_loss, optimizer, var_list, global_step, model,
                                          _recorded(reg, rate_at, global_step, model))
                           if with_loop else (None, None))
        if loop is None:
            after = Snapshot(model.loss, model.weights, model.bias)
        else:
            with tf.name_scope("after_steps"), tf.control_dependencies(
                    [loop.steps_done, loop.loss, loop.finite]):
                after = Snapshot(loss=tf.identity(loop.loss) if iterator else loss_again(),
                                 weights=model.weights.read_value(),
                                 bias=model.bias.read_value())
        penalty = optimizers.penalty(model.weights, reg.l1, reg.l2)
        objective = tf.add(after.loss, optimizers.penalty(after.weights, reg.l1, reg.l2),
                           name="objective")
        rate_now = rate_at(loop.global_step if loop else global_step.read_value())
        _add_summaries(after, model, objective if reg.l1 or reg.l2 else None,
                       rate_now if reg.decay != "none" else None)
        summary_op = tf.summary.merge_all()
        saver, saved = saver_for(global_step, model, statistics, max_to_keep, sharded=distributed)
        best_saver = saver_for(global_step, model, statistics, 1)[0] if keep_best else None
        init_op = tf.group(tf.global_variables_initializer(), tf.tables_initializer(),
                           name="init")
        ready = (tf.identity(tf.report_uninitialized_variables(tf.global_variables()), "ready")
                 if distributed else None)
    if not distributed:
        graph.finalize()
    mean, std = statistics or (None, None)
    return TrainGraph(graph=graph, x=inputs.x, x_text=inputs.x_text, y=inputs.y, w=inputs.w,
                      features=inputs.features, encoded=inputs.encoded, x_init=inputs.x_init,
                      x_text_init=inputs.x_text_init, y_init=inputs.y_init, w_init=inputs.w_init,
                      data_init=inputs.data_init, model=model, global_step=global_step,
                      train_op=train_op, steps=steps, train_loop=loop, after=after,
                      summary_op=summary_op, saver=saver, saved_variables=saved,
                      init_op=init_op, mean=mean, std=std,
                      input_init=iterator.initializer if iterator else None,
                      optimizer=optimizer, ready=ready, base_rate=base_rate,
                      learning_rate=rate_now, penalty=penalty, objective=objective,
                      best_saver=best_saver)


def build_for(config, spec, batch_source=None, n_rows=None, device_fn=None, sync_replicas=0):
    """``build`` for a resolved config and a model spec (``tfcourse.model_dir.ModelSpec``)."""
    rate = 0.0 if config.learning_rate == "auto" else config.learning_rate
    return build(config.model, spec.columns, rate, config.seed,
                 config.freeze, config.max_to_keep, spec.standardize, batch_source, n_rows,
                 device_fn=device_fn, sync_replicas=sync_replicas,
                 na_values=config.data.na_values, n_classes=len(spec.classes or ()) or 2,
                 weighted=spec.weight is not None, class_weights=spec.class_weights,
                 regularization=regularization_of(config),
                 keep_best=config.early_stopping_patience > 0 and device_fn is None)


def session_config(log_device_placement=False):
    """The ``tf.ConfigProto`` every single-process tfcourse session uses."""
    return tf.ConfigProto(log_device_placement=log_device_placement)
