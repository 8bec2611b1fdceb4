"""Training: data, graph and session for ``tfcourse train``; the loop is ``tfcourse.training.loop``.

``train(config)`` loads and checks the data, then builds the graph, restores
the latest checkpoint of ``config.model_dir`` if there is one (training goes
on to ``config.max_step``), and runs gradient descent. Along the way it writes
the loss of every ``summary_every``-th step (every step by default, recorded by the in-graph
loop) and histograms every ``histogram_every`` steps into ``<summary_dir>/run-<time>/train``,
validation loss and metrics every ``eval_every`` steps into ``.../eval`` (when
there is a validation split), a progress line every ``log_every`` steps and a
checkpoint every ``save_every_secs`` seconds (and every ``save_every`` steps if set). The
last step does all of these.
"""

import collections
import sys

from tfcourse import data, files, graph as graph_lib, locks, models, optimizers
from tfcourse import model_dir as model_dir_lib
from tfcourse.data import batches
from tfcourse.tf_compat import tf
from tfcourse.training import certificate, degenerate, resume, saving, stopping
from tfcourse.training.loop import TrainingRun

TrainResult = collections.namedtuple(
    "TrainResult", "global_step loss weights bias run_dir checkpoint eval_metrics")
TrainResult.__doc__ = """What a training run ended with.

Attributes:
    global_step: int, the step reached.
    loss: float, the training loss at that step.
    weights: ``[n_features, K]`` float32 numpy array; bias: ``[K]`` float32 (K = 1, or a
        softmax model's classes).
    run_dir: the run's TensorBoard directory, or None if nothing was trained.
    checkpoint: prefix of the latest checkpoint.
    eval_metrics: OrderedDict of the last validation metrics, or None.
"""


def load_data(config):
    """The data ``config`` trains on, checked with its model's label check, and the model spec
    they give (one process and every distributed worker alike).

    Returns:
        ``(split, spec)``: a ``tfcourse.data.Split`` and a ``tfcourse.model_dir.ModelSpec``.

    Raises:
        UsageError, DataError: see ``tfcourse.data.load``.
    """
    model = models.get(config.model)
    split = data.load(config.data, config.seed, model.BUILTIN_DATA, model.LABELS)
    columns, label, classes, class_weights = data.schema(split)
    spec = model_dir_lib.make_spec(config.model, columns, label, config.data.standardize, classes,
                                   config.data.weight, class_weights)
    return split, spec


def _prepare(config, warn, allow_data_change=False):
    """Everything that can fail on bad input, before anything is created (the caller holds
    the model directory's writer lock).

    Returns:
        ``(config, split, spec, state, source, record)``: the config (a resumed model's
        split kept: ``resume.kept_split``), the data (``split.train`` a ``data.Streamed``
        when streaming), the model spec, the model directory's state, the minibatch
        ``BatchSource`` (None: full batch) and the data's ``resume.fingerprint``.
    """
    files.check_output_dir(config.summary_dir, "summary_dir")
    state = model_dir_lib.inspect_model_dir(config.model_dir)
    config = resume.kept_split(config, state.config, config.model_dir, warn)
    split, spec = load_data(config)
    source = batches.batch_source(split, config.data, config.seed)
    record = resume.fingerprint(config, split)
    if state.spec is not None:
        model_dir_lib.check_compatible(state.spec, spec, config.model_dir)
        resume.check(config.model_dir, record, allow_data_change, warn)
        spec = state.spec  # what the model learned first (fill values, vocabularies) stays
    split = split._replace(warnings=list(split.warnings) + degenerate.warnings_for(split, spec))
    return config, split, spec, state, source, record


def _initialize(session, tg, split, spec, state, source):
    """Initialises variables and data, restores the checkpoint; returns the global step."""
    session.run(tg.init_op)
    train = split.train
    graph_lib.load_data(session, tg, data.no_rows(spec.columns) if isinstance(
        train, data.Streamed) else train)
    if spec.standardize:
        graph_lib.set_standardization(session, tg, split.mean, split.std)
    step = 0
    if state.checkpoint:
        model_dir_lib.restore(tg.saver, session, state.checkpoint, tg.saved_variables)
        step = int(session.run(tg.global_step))
    if source is not None:
        source.skip = step  # the batches already trained on
        session.run(tg.input_init)
    return step


def _features(spec):
    """``3 features``, or ``13 features from 7 columns`` when columns are encoded."""
    n_columns, n_features = len(spec.columns), len(data.encoded_names(spec.columns))
    plural = "" if n_features == 1 else "s"
    if n_columns == n_features:
        return "{} feature{}".format(n_features, plural)
    return "{} feature{} from {} column{}".format(n_features, plural, n_columns,
                                                  "" if n_columns == 1 else "s")


def _print(line):
    print(line, flush=True)  # progress reaches pipes and log files as it happens


def _warn(line):
    sys.stderr.write("warning: " + line + "\n")


def _clearing(progress, write):
    """``write``, clearing the live progress line first."""
    def clear_then_write(line):
        progress.clear()
        write(line)
    return clear_then_write


def _warn_changes(saved, config, warn):
    """Warns when a resumed run trains with other settings than the checkpoint was trained with."""
    changes = ["{} {} -> {}".format(name, getattr(saved, name), getattr(config, name))
               for name in ("seed", "learning_rate", "freeze")
               if getattr(saved, name) != getattr(config, name)]
    changes += ["data.{} {} -> {}".format(name, old, new) for name, old, new in
                zip(config.data._fields, saved.data, config.data) if old != new]
    if changes:
        warn("resuming with settings other than the checkpoint's: " + ", ".join(changes))


def _check_fit(session, tg, config, warn):
    """Warns about what the model says of its fit to the training rows held in the session
    (``fit_warning``: logistic regression on separable data)."""
    predictions, labels, weights = session.run([tg.model.predictions, tg.y, tg.model.weights])
    message = models.get(config.model).fit_warning(labels, predictions, weights, config.max_step)
    if message:
        warn(message)


def train(config, out=_print, warn=_warn, progress=None, verbose=False,
          allow_data_change=False):
    """Trains the model ``config`` describes, holding ``model_dir``'s writer lock
    (``tfcourse.locks.WriterLock``) from before the data are loaded; see the module docstring.

    Args:
        config: a ``tfcourse.config.Config``.
        out: callable taking one line of progress text.
        warn: callable taking one line of warning text.
        progress: a ``tfcourse.training.console.ProgressLine`` to keep up to date, or None.
        verbose: also print a line for every checkpoint saved.
        allow_data_change: resume on data other than the model was trained on
            (``tfcourse.training.resume``).

    Returns:
        a ``TrainResult``.

    Raises:
        UsageError: ``model_dir`` is a file or a foreign non-empty directory.
        DataError: another process trains into ``model_dir``; the data are bad or changed
            since the model was trained; ``model_dir`` holds an incompatible or damaged
            model; a write failed (events, checkpoint, metadata); or training diverged
            (nothing non-finite is saved).
        Interrupted: SIGINT or SIGTERM; a checkpoint of the step reached was saved.
    """
    files.check_output_dir(config.model_dir, "model_dir")
    with locks.WriterLock(config.model_dir) as lock:
        return _train(config, lock, out, warn, progress, verbose, allow_data_change)


def _train(config, lock, out, warn, progress, verbose, allow_data_change):
    """``train`` under the writer lock ``lock``."""
    if progress is not None:
        out, warn = _clearing(progress, out), _clearing(progress, warn)
    config, split, spec, state, source, record = _prepare(config, warn, allow_data_change)
    n_rows = data.n_train(split.train)
    tg = graph_lib.build_for(config, spec, source, n_rows=n_rows)
    with tf.Session(graph=tg.graph,
                    config=graph_lib.session_config(config.log_device_placement)) as session:
        step = _initialize(session, tg, split, spec, state, source)
        if source is None and isinstance(split.train, data.Dataset):
            # the session holds the training rows now: one copy of them while training
            split = split._replace(train=split.train._replace(x=None, y=None))
        if step >= config.max_step:
            out("{} is already at global step {} (max_step {}): nothing to train".format(
                config.model_dir, step, config.max_step))
            return _result(session, tg, step, None, state.checkpoint, None,
                           isinstance(split.train, data.Streamed))
        problem, rate = _prepare_rate(session, tg, split, spec, config, out, warn)
        if state.checkpoint:
            out("resuming from {} at global step {}".format(state.checkpoint, step))
            tg.saver.recover_last_checkpoints(
                tf.train.get_checkpoint_state(config.model_dir).all_model_checkpoint_paths)
            model_dir_lib.remove_partial_files(config.model_dir)
            _warn_changes(state.config, config, warn)
        run = TrainingRun(config, tg, session, spec, split.validation, out)
        run.checkpoint = state.checkpoint
        run.minibatch = source is not None
        run.progress, run.verbose, run.data_record = progress, verbose, record
        run.stopping = stopping.Stopping(config, minibatch=source is not None)
        with run.stop_on_signals():
            try:
                if not state.checkpoint:
                    run.stage = model_dir_lib.stage(config.model_dir)
                    lock.take_inside(run.stage.directory)  # renamed with it into model_dir
                run.open_writers()
                for line in split.notes:
                    out(line)
                for line in split.warnings:
                    warn(line)
                out("training {} regression on {} ({} training rows, {}{}); "
                    "summaries in {}".format(
                        config.model, split.train.source, n_rows, _features(spec),
                        ", batches of {}".format(config.data.batch_size) if source else "",
                        run.run_dir))
                step = run.loop(step)
                run.close()
            except saving.WriteFailed as err:
                raise saving.after_write_failure(run, err)
            finally:
                run.close()
                if progress is not None:
                    progress.clear()
        if not verbose:  # verbose printed every checkpoint already
            out("saved {}".format(run.checkpoint))
        if not isinstance(split.train, data.Streamed) and not config.l2:  # l2: a minimum
            _check_fit(session, tg, config, warn)
        _finish(session, tg, problem, config, rate, step, run.stopping, out)
        return _result(session, tg, step, run.run_dir, run.checkpoint, run.eval_metrics,
                       isinstance(split.train, data.Streamed), run.last_loss)


def _prepare_rate(session, tg, split, spec, config, out, warn):
    """The training rows' ``optimum.Problem`` (or None) and the learning rate, loaded into the
    graph; the early-stopping settings checked. Nothing is written yet.

    Raises:
        UsageError: see ``certificate.learning_rate`` and ``stopping.check_metric``.
    """
    problem = certificate.gather(session, tg, split, spec, config)
    rate = certificate.learning_rate(config, problem, out, warn)
    optimizers.set_base_rate(session, tg.base_rate, rate)
    stopping.check_metric(config, session, tg, spec, split.validation)
    return problem, rate


def _finish(session, tg, problem, config, rate, step, stopper, out):
    """The optimality line (recorded in ``model.json``), then why training stopped."""
    if certificate.can_certify(problem):
        line, record = certificate.certify(session, tg, problem, config, rate, step)
        out(line)
        model_dir_lib.record(config.model_dir, "optimality", record)
    final = stopper.final_line(step)
    if final:
        out(final)


def _result(session, tg, step, run_dir, checkpoint, eval_metrics, streamed=False,
            last_loss=float("nan")):
    """The ``TrainResult``; the loss is on the training data, or when streaming (no data in
    memory) the loss of the last minibatch (NaN if no step ran)."""
    loss, weights, bias = session.run([tg.model.loss, tg.model.weights, tg.model.bias])
    if streamed:
        loss = last_loss
    return TrainResult(global_step=step, loss=float(loss), weights=weights, bias=bias,
                       run_dir=run_dir, checkpoint=checkpoint, eval_metrics=eval_metrics)
