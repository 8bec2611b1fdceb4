"""``tfcourse eject``: a model (its config, or a trained model directory) as one
self-contained script in the course's style, which trains the same model step by step.

The script (parts in ``tfcourse.commands.eject_template``) defines ``tf.app.flags`` named as
tfcourse's keys with the model's values as defaults, reads the data plainly (the built-in
sets with numpy; a CSV file with the ``csv`` module: the split, the fills and indicators,
one-hot categories, the standardisation, all computed from the training rows as tfcourse
computes them), builds the graph in the course's scopes on placeholders, and trains with one
``session.run`` per step, writing summaries and checkpoints whose variables have tfcourse's
names (``tfcourse inspect`` reads them). What the script takes as given from tfcourse's
reading of the file: the columns' types, boolean spellings and the label's classes.

Not covered (refused with one line): minibatches and streaming (``data.batch_size``,
``data.stream``), row and class weights (``data.weight``, ``data.class_weight``), the L1
penalty and learning-rate decay. ``learning_rate: auto`` becomes the rate tfcourse computes
from the training rows; ``l2`` joins the script's loss; the script trains to ``max_step``
(``tolerance`` and early stopping are tfcourse's, and eject says so).
"""

import inspect
import os
import string

from tfcourse import config as config_lib, config_flags, files, models
from tfcourse import model_dir as model_dir_lib
from tfcourse.commands import eject_template as parts
from tfcourse.commands.eject_template_csv import CSV
from tfcourse.data import split as split_lib
from tfcourse.data.dates import DATE_PATTERN
from tfcourse.errors import UsageError

BUILTIN_PARTS = {"course": ("the course's line, y = 0.8·x + 0.7", parts.COURSE_DATA),
                 "classes": ("a synthetic two-class set", parts.CLASSES_DATA),
                 "classes3": ("a synthetic three-class set", parts.CLASSES3_DATA)}


def check_supported(config, spec):
    """Raises UsageError for what the script does not do (see the module docstring)."""
    refused = [("data.stream", config.data.stream), ("data.batch_size", config.data.batch_size),
               ("data.weight", spec.weight), ("data.class_weight", config.data.class_weight)]
    for key, value in refused:
        if value:
            raise UsageError("eject: {} = {!r} is not supported (the script trains full batch "
                             "on rows held in memory, every row weighing 1)".format(key, value))
    for key, value in (("l1", config.l1), ("learning_rate_decay",
                                           config.learning_rate_decay != "none")):
        if value:
            raise UsageError("eject: {} = {!r} is not supported (the script trains by plain "
                             "gradient descent at one learning rate)".format(
                                 key, getattr(config, key)))


def concrete_rate(config, spec):
    """``config`` with ``learning_rate: auto`` made the number tfcourse trains with (1/L of
    the training rows, ``tfcourse.training.certificate``)."""
    if config.learning_rate != "auto":
        return config
    from tfcourse.training import certificate, trainer
    split, _ = trainer.load_data(config)
    rate = certificate.rate_in_own_graph(config, split, spec, lambda line: None,
                                         lambda line: None)
    return config._replace(learning_rate=rate)


def _fill(template, **values):
    return string.Template(template).substitute(**values)


def _data_part(config, spec):
    data = config.data
    if data.path is None:
        what, make = BUILTIN_PARTS[models.get(config.model).BUILTIN_DATA]
        return _fill(parts.BUILTIN, what=what, n_samples=data.n_samples, make_data=make,
                     validation_fraction=repr(data.validation_fraction),
                     standardize=repr(spec.standardize))
    delimiter = data.delimiter
    if delimiter == "auto":
        from tfcourse.data import csv_reader
        delimiter = csv_reader.read_header(data.path, "auto").delimiter
    booleans = dict((c.name, (tuple(c.true_values), tuple(c.false_values)))
                    for c in spec.columns if c.kind == "boolean")
    columns = "[\n{}]".format("".join("    ({!r}, {!r}),\n".format(c.name, c.kind)
                                      for c in spec.columns))
    return _fill(CSV, data_path=repr(os.path.abspath(data.path)),
                 delimiter=repr(delimiter), label=repr(spec.label), columns=columns,
                 na_values=repr(tuple(data.na_values)),
                 classes=repr(None if spec.classes is None else tuple(spec.classes)),
                 booleans=repr(booleans), validation_fraction=repr(data.validation_fraction),
                 max_categories=data.max_categories, drop_missing=repr(data.missing == "drop"),
                 standardize=repr(spec.standardize), date_pattern=repr(DATE_PATTERN))


def _model_part(config, spec):
    module = models.get(config.model)
    k = len(spec.classes) if config.model == "softmax" else 1
    outputs, loss = parts.OUTPUTS[config.model]
    what = {"linear": "Linear regression: predictions = x·W + b, mean squared error",
            "logistic": "Logistic regression: logits = x·W + b, sigmoid cross-entropy",
            "softmax": "Softmax regression: logits = x·W + b, softmax cross-entropy"}
    return _fill(parts.MODEL, what=what[config.model], scope=module.SCOPE, k=k,
                 stddev="" if config.model == "linear" else "stddev=0.01,",
                 outputs=outputs, loss=_fill(loss, k=k), fold=(
                     "        if statistics is not None:  # z-scores folded into the linear map\n"
                     "            w, b = fold_standardization(weights, bias, *statistics)\n"
                     if spec.standardize else ""))


def script(config, spec, source, script_name="script.py"):
    """The course-style script of a model (str).

    Args:
        config: the resolved ``tfcourse.config.Config`` (defaults of the flags, the data).
        spec: the ``tfcourse.model_dir.ModelSpec`` (columns, classes, standardisation).
        source: what the script was made from, for its docstring (str).
        script_name: the script's file name, for its usage line.

    Raises:
        UsageError: see ``check_supported``.
    """
    check_supported(config, spec)
    config = concrete_rate(config, spec)
    label = spec.label if config.data.path else "y"
    title = "{} regression of {!r} ({}).".format(config.model.capitalize(), label,
                                                  os.path.basename(config.data.path or
                                                                   "built-in data"))
    modules = (["collections", "csv", "datetime", "os", "re", "time"] if config.data.path
               else ["os", "time"])
    head = _fill(parts.HEAD, imports="\n".join("import " + name for name in modules),
                 title=title, source=source, scope=models.get(config.model).SCOPE,
                 script=script_name, max_step=config.max_step,
                 learning_rate=repr(config.learning_rate), l2=repr(config.l2), seed=config.seed,
                 model_dir=repr(config.model_dir), summary_dir=repr(config.summary_dir),
                 summary_every=config.summary_every,
                 save_every=config.save_every or config.max_step,  # by time in tfcourse: steps here
                 log_every=config.log_every, eval_every=config.eval_every,
                 max_to_keep=config.max_to_keep, freeze=repr(list(config.freeze)),
                 log_device_placement=repr(config.log_device_placement))
    return (head + data_source(config, spec) + (parts.FOLD if spec.standardize else "") +
            _model_part(config, spec) + parts.MAIN)


def data_source(config, spec):
    """The script's data preparation (numpy, csv, re, datetime, collections): the split, the
    rows, ``standardization`` and ``prepare_data(seed)`` -> ``(x_train, y_train, x_valid,
    y_valid, mean, std)`` (str)."""
    split = _fill(parts.SPLIT, mix32=inspect.getsource(split_lib._mix32).strip().replace(
        "def _mix32", "def mix32"), is_validation=inspect.getsource(
            split_lib.is_validation).strip().replace("_mix32", "mix32"))
    return split + _data_part(config, spec) + parts.STANDARDIZATION


def _from_ckpt(ckpt, overrides):
    """The saved config (flags given override its keys, ``model`` excepted) and spec."""
    from tfcourse.config_values import check_value
    model_dir = model_dir_lib.find_checkpoint(ckpt)[0]
    config, spec = model_dir_lib.read_metadata(model_dir)
    config = config._replace(**dict(
        (name, check_value(config_lib.ROOT_KEYS[name], value, "flag --" + name))
        for name, value in overrides.items()))
    return config, spec, "the model directory {}".format(os.path.abspath(model_dir))


def _from_config(given):
    from tfcourse.training import trainer
    config = config_lib.resolve(given.get("config"), config_flags.overrides(given))
    _, spec = trainer.load_data(config)
    return config, spec, ("the config {}".format(os.path.abspath(given["config"]))
                          if given.get("config") else "tfcourse's defaults")


def eject_command(given, out=print):
    """``tfcourse eject``: writes ``given["output"]`` from ``--ckpt`` or ``--config``; config
    flags given override either's values (the flags' defaults in the script).

    Returns:
        the script (str).

    Raises:
        UsageError: both ``--ckpt`` and ``--config`` (or ``--model``), a bad flag value,
            an output that may not be written, or what ``check_supported`` refuses.
        DataError: no checkpoint, bad data.
    """
    output = given["output"]
    overrides = config_flags.overrides(given)
    if given.get("ckpt") and (given.get("config") or "model" in overrides):
        raise UsageError("eject takes --ckpt (the model directory's config and model) or "
                         "--config, not both; config flags may be given with either")
    data_flags = sorted(key for key in overrides if key.startswith("data."))
    if given.get("ckpt") and data_flags:
        raise UsageError("eject --ckpt trains on the model's own data; flag --{} goes with "
                         "--config (or alone)".format(data_flags[0]))
    to_stdout = output == files.STDOUT
    if not to_stdout:
        files.check_output(output, given.get("overwrite", False))
    config, spec, source = (_from_ckpt(given["ckpt"], overrides) if given.get("ckpt") else
                            _from_config(given))
    name = "script.py" if to_stdout else os.path.basename(output)
    text = script(config, spec, source, name)
    where, out = files.write_text_output(output, text, out)
    out("wrote {}: {} regression in the course's style; run it with python {} (flags: "
        "--max_step, --learning_rate, --model_dir, ...)".format(where, config.model, name))
    if config.tolerance or config.early_stopping_patience:
        out("note: the script trains to max_step ({}); tolerance and early stopping are "
            "tfcourse train's".format(config.max_step))
    return text
