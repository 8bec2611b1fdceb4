"""The model directory: checkpoints plus what a restore needs to rebuild the graph.

A model directory holds
    checkpoint, model.ckpt-<step>.{index,data-*,meta}   written by tf.train.Saver
                                                        (relative paths: it can be moved)
    config.yaml   the resolved config of the last training run (a valid --config)
    model.json    the model spec: model type, feature and label names, statistics; after
                  training on rows in memory the optimality certificate ("optimality")
    best/         with early stopping: the best evaluated checkpoint, itself a complete model
                  directory (its model.json says "best": step, metric, value)

A new model directory is assembled in a hidden staging directory beside it and
renamed into place at its first checkpoint, so a failed run never leaves a
half-written one behind.
"""

import collections
import json
import os
import re

import yaml

from tfcourse import config as config_lib, files, locks
from tfcourse.data import types
from tfcourse.errors import DataError, UsageError
from tfcourse.tf_compat import tf

CONFIG_FILE = "config.yaml"
SPEC_FILE = "model.json"
CHECKPOINT_NAME = "model.ckpt"
SPEC_FORMAT = 2  # 1: numeric columns only (read as such)
BEST_DIR = "best"  # the best checkpoint's model directory inside a model directory

ModelSpec = collections.namedtuple(
    "ModelSpec", "model feature_names label standardize columns classes weight class_weights")
ModelSpec.__doc__ = """What a restore needs besides the checkpoint.

Attributes:
    model: a key of ``tfcourse.models.MODELS``.
    feature_names: tuple of str, the input columns in order (the names of ``columns``).
    label: name of the target column (str).
    standardize: bool; the statistics themselves are variables in the checkpoint
        (``standardize/mean``, ``standardize/std``, over the encoded features).
    columns: tuple of ``tfcourse.data.types.Column``: each input column's type and what
        its training rows taught (vocabulary, fill value, ...).
    classes: tuple of str, the label's classes in index order, or None (regression).
    weight: the column of row weights (``data.weight``), or None.
    class_weights: tuple of float, each class's weight in the loss, or None.
"""


def make_spec(model, columns, label, standardize, classes, weight=None, class_weights=None):
    """A ``ModelSpec`` (``feature_names`` from ``columns``)."""
    return ModelSpec(model=model, feature_names=tuple(column.name for column in columns),
                     label=label, standardize=standardize, columns=tuple(columns),
                     classes=None if classes is None else tuple(classes), weight=weight,
                     class_weights=None if class_weights is None else tuple(class_weights))


def write_metadata(directory, config, spec, runs=()):
    """Writes ``config.yaml`` and ``model.json`` into ``directory`` atomically.

    ``model_dir`` and ``summary_dir`` are written as absolute paths, so the saved
    config means the same from any directory. ``runs`` (absolute paths of the
    TensorBoard run directories that trained the model, oldest first) go into
    ``model.json`` for ``tfcourse plot``.
    """
    files.write_text(os.path.join(directory, CONFIG_FILE), config_text(config))
    document = dict(spec._asdict(), format=SPEC_FORMAT, feature_names=list(spec.feature_names),
                    columns=[column._asdict() for column in spec.columns],
                    classes=None if spec.classes is None else list(spec.classes),
                    class_weights=(None if spec.class_weights is None
                                   else list(spec.class_weights)),
                    runs=[os.path.abspath(run) for run in runs])
    files.write_text(os.path.join(directory, SPEC_FILE), json.dumps(document, indent=2) + "\n")


def config_text(config):
    """``config`` as the YAML text of ``config.yaml`` (a valid ``--config``), with
    ``model_dir`` and ``summary_dir`` absolute so that it means the same from anywhere."""
    config = config._replace(model_dir=os.path.abspath(config.model_dir),
                             summary_dir=os.path.abspath(config.summary_dir))
    return yaml.safe_dump(config.to_dict(), default_flow_style=False, sort_keys=False)


def read_metadata(directory):
    """Reads the saved config and spec of a model directory.

    Returns:
        ``(config, spec)``: a ``tfcourse.config.Config`` and a ``ModelSpec``.

    Raises:
        DataError: the files are missing or not what tfcourse writes.
    """
    spec_path = os.path.join(directory, SPEC_FILE)
    config_path = os.path.join(directory, CONFIG_FILE)
    try:
        with open(spec_path) as handle:
            document = json.load(handle)
        spec = _spec_of(document)
        with open(config_path) as handle:
            config = config_lib.from_dict(yaml.safe_load(handle), config_path)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, yaml.YAMLError,
            UsageError) as err:
        raise DataError("{}: not a tfcourse model directory ({}: {})".format(
            directory, type(err).__name__, err))
    if config.model != spec.model:
        raise DataError("{}: inconsistent model directory: {} says model {!r}, {} says {!r}".format(
            directory, CONFIG_FILE, config.model, SPEC_FILE, spec.model))
    return config, spec


def record(directory, name, value):
    """Sets ``name`` to ``value`` (JSON) in ``directory``'s ``model.json``, atomically (the
    optimality certificate, the best checkpoint's step and metric)."""
    path = os.path.join(directory, SPEC_FILE)
    with open(path) as handle:
        document = json.load(handle)
    document[name] = value
    files.write_text(path, json.dumps(document, indent=2) + "\n")


def read_record(directory, name):
    """``name``'s value in ``directory``'s ``model.json``, or None (missing or unreadable)."""
    try:
        with open(os.path.join(directory, SPEC_FILE)) as handle:
            return json.load(handle).get(name)
    except (OSError, ValueError, AttributeError):
        return None


def read_runs(directory):
    """The TensorBoard run directories recorded in ``directory``'s ``model.json`` (oldest
    first); empty when there are none or the file cannot be read."""
    try:
        with open(os.path.join(directory, SPEC_FILE)) as handle:
            runs = json.load(handle).get("runs", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [run for run in runs if isinstance(run, str)]


def _spec_of(document):
    """The ``ModelSpec`` of a ``model.json`` document (format 1 or 2).

    Raises:
        ValueError, KeyError, TypeError: not what tfcourse writes.
    """
    form = document.get("format")
    if form not in (1, SPEC_FORMAT):
        raise ValueError("format {!r}, expected {}".format(form, SPEC_FORMAT))
    names = document["feature_names"]
    if (not isinstance(names, list) or not names or
            not all(isinstance(name, str) for name in names)):
        raise ValueError("feature_names {!r}: expected a list of names".format(names))
    if form == 1:  # numeric columns only; a missing cell is an error
        columns = [types.numeric_column(name) for name in names]
        classes = ("0", "1") if document["model"] == "logistic" else None
    else:
        columns = [types.Column(**dict(item, vocabulary=tuple(item["vocabulary"]),
                                       true_values=tuple(item["true_values"]),
                                       false_values=tuple(item["false_values"])))
                   for item in document["columns"]]
        classes = document["classes"]
    spec = make_spec(document["model"], columns, document["label"], document["standardize"],
                     classes, document.get("weight"), document.get("class_weights"))
    if spec.model not in config_lib.MODELS:
        raise ValueError("model {!r}".format(spec.model))
    if spec.feature_names != tuple(names) or any(c.kind not in types.KINDS for c in columns):
        raise ValueError("columns {!r} do not match feature_names {!r}".format(
            [c.name for c in columns], names))
    if not isinstance(spec.label, str) or not isinstance(spec.standardize, bool):
        raise ValueError("label {!r}, standardize {!r}".format(spec.label, spec.standardize))
    return spec


_CHECKPOINT_SUFFIX = re.compile(r"\.(index|meta|data-\d+-of-\d+)$")


def find_checkpoint(path):
    """Finds the checkpoint to restore from a model directory or a checkpoint prefix.

    Args:
        path: a model directory (its latest checkpoint is used), a checkpoint
            prefix such as ``tmp/model/model.ckpt-1000``, or one of that
            checkpoint's files (``.index``, ``.meta``, ``.data-*``).

    Returns:
        ``(model_dir, checkpoint_prefix)``.

    Raises:
        DataError: nothing restorable there; the message names the path searched.
    """
    if os.path.isdir(path):
        state_file = os.path.join(path, "checkpoint")
        try:
            prefix = tf.train.latest_checkpoint(path)
        except tf.errors.OpError:
            prefix = None
        if prefix is None and os.path.exists(state_file):
            raise DataError("{} names no checkpoint (damaged?); a checkpoint prefix such as "
                            "{} can be given instead".format(state_file,
                                                             os.path.join(path, "model.ckpt-N")))
        if prefix is None or not os.path.exists(prefix + ".index"):
            raise DataError("no checkpoint found in directory {} (looked for {})".format(
                path, state_file))
        return path, prefix
    prefix = _CHECKPOINT_SUFFIX.sub("", path)
    if os.path.exists(prefix + ".index"):
        return os.path.dirname(prefix) or ".", prefix
    if os.path.exists(path):
        raise DataError("{} is not a checkpoint: give a model directory or a checkpoint prefix "
                        "(such as tmp/model/model.ckpt-1000)".format(path))
    raise DataError("no checkpoint at {}: no such directory, and no {}".format(
        path, path + ".index"))


def remove_partial_files(model_dir):
    """Removes temporary files a killed save left in ``model_dir`` (TensorFlow's
    ``checkpoint.tmp*`` and ``*.tempstate*``, tfcourse's hidden ``.config.yaml*``/``.model.json*``)."""
    for name in os.listdir(model_dir):
        if (name.startswith("checkpoint.tmp") or ".tempstate" in name or
                name.startswith("." + CONFIG_FILE) or name.startswith("." + SPEC_FILE)):
            os.remove(os.path.join(model_dir, name))


ModelDirState = collections.namedtuple("ModelDirState", "checkpoint config spec")


def holds_model(model_dir):
    """Whether ``model_dir`` holds a tfcourse model (False: missing or empty, a new one).

    Raises:
        UsageError: ``model_dir`` is a non-empty directory that is not a tfcourse model
            directory.
    """
    if not os.path.isdir(model_dir) or not set(os.listdir(model_dir)) - set(locks.LOCK_FILES):
        return False
    if not os.path.exists(os.path.join(model_dir, SPEC_FILE)):
        raise UsageError("model_dir {} is not empty and holds no tfcourse model; "
                         "choose another --model_dir".format(model_dir))
    return True


def inspect_model_dir(model_dir):
    """Tells whether ``model_dir`` is new, or holds a model to resume.

    Returns:
        a ``ModelDirState``; ``checkpoint`` is None for a new model directory
        (missing or empty), else the latest checkpoint prefix with the saved
        ``config`` and ``spec``.

    Raises:
        UsageError: ``model_dir`` is a non-empty directory that is not a
            tfcourse model directory.
    """
    if not holds_model(model_dir):
        return ModelDirState(None, None, None)
    _, checkpoint = find_checkpoint(model_dir)
    config, spec = read_metadata(model_dir)
    return ModelDirState(checkpoint, config, spec)


def check_compatible(saved, requested, model_dir):
    """Raises DataError naming both sides if ``requested`` cannot resume ``saved``: another
    model, label, classes, input columns or encoded features (``encoded_names``)."""
    layouts = {"encoded features": (types.encoded_names(saved.columns),
                                    types.encoded_names(requested.columns))}
    for field in ("model", "feature_names", "label", "standardize", "classes", "weight",
                  "encoded features"):
        old, new = layouts.get(field) or (getattr(saved, field), getattr(requested, field))
        if old != new:
            raise DataError("model_dir {} holds a model with {} {}, but this run asks for {}; "
                            "to continue it with its own settings: tfcourse train --model_dir "
                            "{} [--max_step N] (no --config), or choose another "
                            "--model_dir".format(model_dir, field, _show(old), _show(new),
                                                 model_dir))


def _show(value):
    return list(value) if isinstance(value, tuple) else repr(value)


def restore(saver, session, prefix, variables):
    """``saver.restore`` after checking the checkpoint holds ``variables`` with their shapes.

    Raises:
        DataError: the checkpoint is damaged (truncated, missing files) or its
            variables' names or shapes differ from the graph's (naming both sides).
    """
    try:
        saved = dict(tf.train.list_variables(prefix))
    except (tf.errors.OpError, ValueError) as err:
        raise DataError("checkpoint {} cannot be read: {}".format(prefix, _first_line(err)))
    for variable in variables:
        name, shape = variable.op.name, variable.shape.as_list()
        if name not in saved:
            raise DataError("checkpoint {} has no variable {}; it holds {}".format(
                prefix, name, ", ".join(sorted(saved))))
        if list(saved[name]) != shape:
            raise DataError("checkpoint {}: variable {} has shape {}, the model expects {}".format(
                prefix, name, list(saved[name]), shape))
    try:
        saver.restore(session, prefix)
    except tf.errors.OpError as err:
        raise DataError("checkpoint {} cannot be restored: {}".format(prefix, _first_line(err)))


def _first_line(err):
    return (getattr(err, "message", None) or str(err)).strip().splitlines()[0]


def stage(model_dir):
    """A new model directory, assembled as ``.<name>.staging-<pid>-*`` beside ``model_dir`` and
    renamed into place at its first checkpoint (a ``tfcourse.files.StagedDirectory``)."""
    return files.StagedDirectory(model_dir, "staging")
