"""The parts of the course-style script ``tfcourse eject`` writes (``string.Template`` text:
``$name`` is filled in, ``$$`` is a dollar sign). ``tfcourse.commands.eject`` picks the parts
a model needs and fills them in."""

HEAD = '''#!/usr/bin/env python
"""$title

Written by `tfcourse eject` from $source, in the style of the classic TensorFlow 1.x course:
flags, a graph in the course's scopes (original_data, $scope, loss, optimizer), placeholders
fed with feed_dict, a tf.Session, summaries for TensorBoard and a tf.train.Saver. It trains the
model tfcourse trains, on the same rows with the same seed, one session.run per
gradient-descent step (tfcourse runs several steps per session.run in a tf.while_loop: the same
ops, so the same weights). Needs TensorFlow (1.x, or 2.x through tf.compat.v1) and numpy.

    python $script --max_step $max_step
    tensorboard --logdir $summary_dir
"""

$imports

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # no C++ INFO lines
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # oneDNN may change the last bits
try:  # TensorFlow 2: the 1.x API, graph mode
    import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()
except ImportError:  # TensorFlow 1.x
    import tensorflow as tf

flags = tf.app.flags
flags.DEFINE_integer("max_step", $max_step, "global step to train to (steps)")
flags.DEFINE_float("learning_rate", $learning_rate, "gradient-descent learning rate")
flags.DEFINE_float("l2", $l2, "L2 penalty strength: l2 * sum(weights^2) joins the loss")
flags.DEFINE_integer("seed", $seed, "random seed of the data, the split and the initial values")
flags.DEFINE_string("model_dir", $model_dir, "directory of the checkpoints")
flags.DEFINE_string("summary_dir", $summary_dir,
                    "TensorBoard directory; each run writes into a run-<time>/train of its own")
flags.DEFINE_integer("summary_every", $summary_every, "write summaries every this many steps")
flags.DEFINE_integer("save_every", $save_every, "save a checkpoint every this many steps")
flags.DEFINE_integer("log_every", $log_every, "print the loss every this many steps")
flags.DEFINE_integer("eval_every", $eval_every, "print the validation loss every this many steps")
flags.DEFINE_integer("max_to_keep", $max_to_keep, "number of recent checkpoints to keep")
flags.DEFINE_list("freeze", $freeze, "variables left untrained: any of weights, bias")
flags.DEFINE_boolean("log_device_placement", $log_device_placement,
                     "print the device each op runs on")
FLAGS = flags.FLAGS
'''

SPLIT = '''

# ---- the split: each row is held out for validation or not by a hash of its index and the
# seed (murmur3's 32-bit finaliser), about validation_fraction of the rows.
$mix32

$is_validation
'''

BUILTIN = '''

# ---- original data: $what
N_SAMPLES = $n_samples
VALIDATION_FRACTION = $validation_fraction
STANDARDIZE = $standardize


def make_data(seed):
    """The rows: ``x`` ``[N_SAMPLES, n_features]`` float32, ``y`` ``[N_SAMPLES, 1]`` float32."""
    rng = np.random.RandomState(seed)
$make_data
    return x, y


def prepare_data(seed):
    """Training and validation rows, and the training rows' mean and standard deviation."""
    x, y = make_data(seed)
    held = is_validation(np.arange(len(x)), VALIDATION_FRACTION, seed)
    mean, std = standardization(x[~held].astype(np.float64))
    return x[~held], y[~held], x[held], y[held], mean, std
'''

COURSE_DATA = '''    x = rng.normal(size=(N_SAMPLES, 1)).astype(np.float32)
    y = (0.8 * x + 0.7).astype(np.float32)  # the course's line: y = 0.8·x + 0.7'''

CLASSES_DATA = '''    x = rng.normal(size=(N_SAMPLES, 5))  # two classes: P(y = 1 | x) = sigmoid(x·w + 0.5)
    true_weights = rng.normal(size=(5, 1))
    probabilities = 1.0 / (1.0 + np.exp(-(x.dot(true_weights) + 0.5)))
    y = (rng.uniform(size=(N_SAMPLES, 1)) < probabilities).astype(np.float32)
    x = x.astype(np.float32)'''

CLASSES3_DATA = '''    y = rng.randint(3, size=N_SAMPLES)  # three classes: blobs around 2·(cos, sin)(2πk/3)
    angles = 2.0 * np.pi * np.arange(3) / 3
    centres = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    x = (centres[y] + rng.normal(size=(N_SAMPLES, 2))).astype(np.float32)
    y = y.astype(np.float32).reshape(-1, 1)'''

STANDARDIZATION = '''

def standardization(x):
    """Each feature's mean and population standard deviation (1 for a constant feature)
    over the training rows ``x`` (float64), as float32."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    return mean.astype(np.float32), std.astype(np.float32)
'''

FOLD = '''

def fold_standardization(weights, bias, mean, std):
    """((x - mean) / std)·W + b computed as x·(W / std) + (b - mean·W / std): the same
    model on raw x, without a standardised copy of the rows."""
    folded_weights = tf.div(weights, tf.expand_dims(std, 1), name="folded_weights")
    shift = tf.matmul(tf.expand_dims(mean, 0), folded_weights)
    return folded_weights, tf.subtract(bias, tf.reshape(shift, tf.shape(bias)), name="folded_bias")
'''

MODEL = '''

def build_model(x, y, n_features, statistics):
    """$what.

    Scopes $scope (the variables and outputs) and loss; returns (weights, bias, loss).
    """
    with tf.variable_scope("$scope"):
        weights = tf.get_variable("weights", [n_features, $k], tf.float32,
                                  initializer=tf.random_normal_initializer($stddev
                                      seed=FLAGS.seed))
        bias = tf.get_variable("bias", [$k], tf.float32,
                               initializer=tf.random_normal_initializer($stddev
                                   seed=FLAGS.seed + 1))
        w, b = weights, bias
$fold$outputs
        tf.summary.histogram("weights", weights)
        tf.summary.histogram("bias", bias)
    with tf.variable_scope("loss"):
$loss
        tf.summary.scalar("loss", loss)
    return weights, bias, loss
'''

OUTPUTS = {
    "linear": ('        predictions = tf.add(tf.matmul(x, w), b, name="predictions")',
               '        loss = tf.reduce_mean(tf.square(predictions - y), name="mse")'),
    "logistic": ('        logits = tf.add(tf.matmul(x, w), b, name="logits")\n'
                 '        probabilities = tf.sigmoid(logits, name="probabilities")  # P(y = 1)\n'
                 '        tf.summary.histogram("probabilities", probabilities)',
                 '        # from the logits, never as the log of a probability\n'
                 '        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(\n'
                 '            labels=y, logits=logits), name="log_loss")'),
    "softmax": ('        logits = tf.add(tf.matmul(x, w), b, name="logits")\n'
                '        probabilities = tf.nn.softmax(logits, name="probabilities")\n'
                '        tf.summary.histogram("probabilities", probabilities)',
                '        one_hot = tf.stop_gradient(tf.one_hot(tf.cast(y[:, 0], tf.int32), $k,\n'
                '                                              dtype=tf.float32))\n'
                '        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(\n'
                '            labels=one_hot, logits=logits), name="cross_entropy")'),
}

MAIN = '''

def main(_):
    x_train, y_train, x_valid, y_valid, mean_values, std_values = prepare_data(FLAGS.seed)
    n_features = x_train.shape[1]
    tf.set_random_seed(FLAGS.seed)  # the graph-level seed; the initialisers have op seeds
    global_step = tf.train.get_or_create_global_step()
    with tf.variable_scope("original_data"):
        x = tf.placeholder(tf.float32, [None, n_features], name="x")
        y = tf.placeholder(tf.float32, [None, 1], name="y")
    statistics = None
    if STANDARDIZE:  # saved in the checkpoint, set once from the training rows
        with tf.variable_scope("standardize"):
            statistics = (tf.get_variable("mean", [n_features], tf.float32,
                                          tf.zeros_initializer(), trainable=False),
                          tf.get_variable("std", [n_features], tf.float32,
                                          tf.ones_initializer(), trainable=False))
    weights, bias, loss = build_model(x, y, n_features, statistics)
    trained = [v for name, v in (("weights", weights), ("bias", bias)) if name not in FLAGS.freeze]
    with tf.variable_scope("optimizer"):
        objective = loss + FLAGS.l2 * tf.reduce_sum(tf.square(weights)) if FLAGS.l2 else loss
        train_op = tf.train.GradientDescentOptimizer(FLAGS.learning_rate).minimize(
            objective, global_step=global_step, var_list=trained, name="train")
    merged = tf.summary.merge_all()
    saver = tf.train.Saver(max_to_keep=FLAGS.max_to_keep)
    train_feed = {x: x_train, y: y_train}
    valid_feed = {x: x_valid, y: y_valid}
    config = tf.ConfigProto(log_device_placement=FLAGS.log_device_placement)
    with tf.Session(config=config) as session:
        session.run(tf.global_variables_initializer())
        if statistics is not None:
            statistics[0].load(mean_values, session)
            statistics[1].load(std_values, session)
        latest = tf.train.latest_checkpoint(FLAGS.model_dir)
        if latest:
            saver.restore(session, latest)
            print("restored {}".format(latest))
        step = int(session.run(global_step))
        if step >= FLAGS.max_step:
            print("{} is at global step {} (max_step {}): nothing to train; give --model_dir for "
                  "a new model".format(FLAGS.model_dir, step, FLAGS.max_step))
            return
        tf.gfile.MakeDirs(FLAGS.model_dir)
        run_dir = os.path.join(FLAGS.summary_dir, time.strftime("run-%Y%m%d-%H%M%S"), "train")
        writer = tf.summary.FileWriter(run_dir, session.graph)
        print("training on {} rows; summaries in {}".format(len(x_train), run_dir))
        while step < FLAGS.max_step:
            session.run(train_op, feed_dict=train_feed)
            step += 1
            last = step == FLAGS.max_step
            if step % FLAGS.summary_every == 0 or last:
                writer.add_summary(session.run(merged, feed_dict=train_feed), step)
            if step % FLAGS.log_every == 0 or last:
                print("step {}: loss {:.6g}".format(step, session.run(loss, train_feed)))
            if len(x_valid) and (step % FLAGS.eval_every == 0 or last):
                print("step {}: validation loss {:.6g}".format(
                    step, session.run(loss, valid_feed)))
            if step % FLAGS.save_every == 0 or last:
                saver.save(session, os.path.join(FLAGS.model_dir, "model.ckpt"),
                           global_step=step)
        writer.close()
        print("saved {}".format(tf.train.latest_checkpoint(FLAGS.model_dir)))
        print("weights: {}".format(session.run(weights).ravel().tolist()))
        print("bias: {}".format(session.run(bias).ravel().tolist()))


if __name__ == "__main__":
    tf.app.run(main)
'''
