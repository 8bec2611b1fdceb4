"""The model directory: checkpoints plus what a restore needs to rebuild the graph.

A model directory holds
    checkpoint, model.ckpt-<step>.{index,data-*,meta}   written by tf.train.Saver
                                                        (relative paths: it can be moved)
    config.yaml   the resolved config of the last training run (a valid --config)
    model.json    the model spec: model type, feature and label names, statistics

A new model directory is assembled in a hidden staging directory beside it and
renamed into place at its first checkpoint, so a failed run never leaves a
half-written one behind.
"""

import collections
import json
import os
import re

import yaml

from tfcourse import config as config_lib, files
from tfcourse.errors import DataError, UsageError
from tfcourse.tf_compat import tf

CONFIG_FILE = "config.yaml"
SPEC_FILE = "model.json"
CHECKPOINT_NAME = "model.ckpt"
SPEC_FORMAT = 1

ModelSpec = collections.namedtuple("ModelSpec", "model feature_names label standardize")
ModelSpec.__doc__ = """What a restore needs besides the checkpoint.

Attributes:
    model: "linear" or "logistic".
    feature_names: tuple of str, the input columns in order.
    label: name of the target column (str).
    standardize: bool; the statistics themselves are variables in the checkpoint
        (``standardize/mean``, ``standardize/std``).
"""


def write_metadata(directory, config, spec, runs=()):
    """Writes ``config.yaml`` and ``model.json`` into ``directory`` atomically.

    ``model_dir`` and ``summary_dir`` are written as absolute paths, so the saved
    config means the same from any directory. ``runs`` (absolute paths of the
    TensorBoard run directories that trained the model, oldest first) go into
    ``model.json`` for ``tfcourse plot``.
    """
    config = config._replace(model_dir=os.path.abspath(config.model_dir),
                             summary_dir=os.path.abspath(config.summary_dir))
    files.write_text(os.path.join(directory, CONFIG_FILE),
                  yaml.safe_dump(config.to_dict(), default_flow_style=False, sort_keys=False))
    document = dict(spec._asdict(), format=SPEC_FORMAT, feature_names=list(spec.feature_names),
                    runs=[os.path.abspath(run) for run in runs])
    files.write_text(os.path.join(directory, SPEC_FILE), json.dumps(document, indent=2) + "\n")


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
        if document.get("format") != SPEC_FORMAT:
            raise ValueError("format {!r}, expected {}".format(document.get("format"), SPEC_FORMAT))
        spec = ModelSpec(model=document["model"], feature_names=document["feature_names"],
                         label=document["label"], standardize=document["standardize"])
        _check_spec(spec)
        spec = spec._replace(feature_names=tuple(spec.feature_names))
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


def read_runs(directory):
    """The TensorBoard run directories recorded in ``directory``'s ``model.json`` (oldest
    first); empty when there are none or the file cannot be read."""
    try:
        with open(os.path.join(directory, SPEC_FILE)) as handle:
            runs = json.load(handle).get("runs", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [run for run in runs if isinstance(run, str)]


def _check_spec(spec):
    if spec.model not in config_lib.MODELS:
        raise ValueError("model {!r}".format(spec.model))
    if (not isinstance(spec.feature_names, list) or not spec.feature_names or
            not all(isinstance(name, str) for name in spec.feature_names)):
        raise ValueError("feature_names {!r}: expected a list of names".format(spec.feature_names))
    if not isinstance(spec.label, str) or not isinstance(spec.standardize, bool):
        raise ValueError("label {!r}, standardize {!r}".format(spec.label, spec.standardize))


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
    if not os.path.isdir(model_dir) or not os.listdir(model_dir):
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
    """Raises DataError naming both sides if ``requested`` cannot resume ``saved``."""
    for field in ModelSpec._fields:
        if getattr(saved, field) != getattr(requested, field):
            raise DataError("model_dir {} holds a model with {} {}, but this run asks for {}; "
                            "choose another --model_dir".format(
                                model_dir, field, _show(getattr(saved, field)),
                                _show(getattr(requested, field))))


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
