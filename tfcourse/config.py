"""Configuration: the keys and their built-in defaults, resolved from YAML and flags.

Precedence is built-in defaults < YAML file < flags given on the command line.
Every key is declared once in ``SCHEMA``; the flags, the validation and the
documentation of ``configs/*.yaml`` all follow from it. The resolved config is
one immutable ``Config`` object.

Errors name the file, line and column (or the flag), the key, the value and
what was expected, and raise ``tfcourse.errors.UsageError`` (exit code 2).
"""

import collections
import os

from tfcourse.config_values import check_value, unknown_key
from tfcourse.config_yaml import position, read_yaml
from tfcourse.data.types import DEFAULT_NA_VALUES, KINDS
from tfcourse.errors import UsageError

COLUMN_KINDS = KINDS + ("ignore",)

MODELS = ("linear", "logistic", "softmax")

# The data defaults that depend on the model: rows of its built-in data set and the share of
# them held out (0 for the course's linear data, which has no noise to validate against).
BUILTIN_DATA_DEFAULTS = {
    "linear": {"n_samples": 100, "validation_fraction": 0.0},
    "logistic": {"n_samples": 500, "validation_fraction": 0.2},
    "softmax": {"n_samples": 600, "validation_fraction": 0.2},
}
CSV_VALIDATION_FRACTION = 0.2
STREAM_ABOVE_BYTES = 100 * 2 ** 20  # CSV files larger than this are streamed (bytes)
STREAM_BATCH_SIZE = 4096  # rows per step when streaming without a batch_size


INT64_MAX = 2 ** 63 - 1


class Key(collections.namedtuple("Key", "name kind default help minimum choices maximum")):
    """One config key.

    Attributes:
        name: key name, also the flag name for top-level keys.
        kind: one of "int", "float", "fraction" (0 <= f < 1), "bool", "str",
            "path", "str_list".
        default: built-in default (None means "not set" where allowed).
        help: meaning and unit, shown in ``--help`` and the YAML docs.
        minimum: smallest allowed value for numbers (exclusive for floats,
            inclusive for ints), or None.
        choices: allowed values for strings, or None.
        maximum: largest allowed value for integers (inclusive).
    """


def _key(name, kind, default, help, minimum=None, choices=None, maximum=INT64_MAX):
    return Key(name, kind, default, help, minimum, choices, maximum)


SCHEMA = (
    _key("model", "str", "linear", "model to build", choices=MODELS),
    _key("max_step", "int", 1000, "global step to train to (steps)", minimum=1),
    _key("learning_rate", "rate", 0.01,
         "gradient-descent learning rate (> 0), or auto: 1/L, L the largest curvature of the "
         "loss on the training rows (computed before the first step)", minimum=0.0),
    _key("seed", "int", 42, "random seed for data, initial values and splits", minimum=0,
         maximum=2 ** 32 - 1),
    _key("model_dir", "path", "./tmp/model/", "directory for checkpoints and the resolved config"),
    _key("summary_dir", "path", "./tmp/summary/",
         "TensorBoard log directory; each training run gets its own run directory in it"),
    _key("summary_every", "int", 1,
         "write the training loss (a scalar recorded by the in-graph loop at every step) for "
         "every this many steps", minimum=1),
    _key("save_every", "int", None,
         "save a checkpoint every this many steps as well (and always at the end); null: by "
         "time only (save_every_secs)", minimum=1),
    _key("log_every", "int", 1000, "print a progress line every this many steps", minimum=1),
    _key("eval_every", "int", 100,
         "compute validation metrics every this many steps (when there is a validation split)",
         minimum=1),
    _key("steps_per_run", "int", None,
         "gradient-descent steps per session.run (an in-graph loop); null: chosen by tfcourse "
         "so that a run takes about 50 ms", minimum=1),
    _key("max_to_keep", "int", 5, "number of recent checkpoints to keep", minimum=1),
    _key("freeze", "str_list", [],
         "variables kept at their initial value (not trained): any of weights, bias",
         choices=("weights", "bias")),
    _key("log_device_placement", "bool", False, "print the device each op runs on"),
    _key("histogram_every", "int", 1000,
         "write weight and bias histograms every this many steps (and at the end)", minimum=1),
    _key("save_every_secs", "float", 60.0,
         "save a checkpoint when this many seconds have passed since the last one (and always "
         "at the end); null: by steps only (save_every)", minimum=0.0),
    _key("check_learning_rate", "bool", True,
         "refuse a linear model's learning_rate above 2/L (where gradient descent diverges); "
         "false: train anyway"),
    _key("l2", "nonnegative", 0.0, "L2 penalty strength: l2 * sum(weights^2) joins the loss "
         "(the bias is not penalised; 0: off)"),
    _key("l1", "nonnegative", 0.0, "L1 penalty strength: l1 * sum(|weights|), by a proximal "
         "step (the bias is not penalised; 0: off)"),
    _key("learning_rate_decay", "str", "none",
         "learning-rate schedule over the global step: none, exponential "
         "(rate * decay_rate^(step / decay_steps)) or inverse_time "
         "(rate / (1 + decay_rate * step / decay_steps))",
         choices=("none", "exponential", "inverse_time")),
    _key("decay_rate", "float", 0.96, "factor of learning_rate_decay (> 0)", minimum=0.0),
    _key("decay_steps", "int", 1000, "steps of learning_rate_decay's period (steps)", minimum=1),
    _key("tolerance", "nonnegative", 0.0,
         "stop before max_step when the training objective fell by less than this share over "
         "the last 100 steps (0: off)"),
    _key("early_stopping_metric", "str", "loss",
         "validation metric early stopping watches: loss or a reported metric (accuracy, r2, "
         "...); lower is better for loss, log_loss, mse, rmse, mae, higher for the others"),
    _key("early_stopping_patience", "int", 0,
         "stop after this many evaluations without a better early_stopping_metric, keeping the "
         "best checkpoint in <model_dir>/best/ (0: off)", minimum=0),
)

DATA_SCHEMA = (
    _key("path", "path", None,
         "CSV file with a header row, relative to the config file; null: built-in data"),
    _key("label", "str", None, "name of the CSV column to predict"),
    _key("features", "str_list", None, "CSV columns used as features; null: all but the label"),
    _key("n_samples", "int", None,
         "samples of the built-in data; null: 100 (linear), 500 (logistic) or 600 (softmax); "
         "not used "
         "with data.path", minimum=2,
         maximum=10 ** 7),
    _key("validation_fraction", "fraction", None,
         "share of rows held out for validation, 0 <= f < 1 (each row by a seeded hash of its "
         "index: about this share); null: 0 for the course's linear data, else 0.2"),
    _key("standardize", "bool", None,
         "z-score the features with training-split statistics; null: on for CSV data"),
    _key("batch_size", "int", None,
         "rows per gradient-descent step; null: all training rows (full batch), or 4096 "
         "when streaming (the saved config then says 4096)", minimum=1),
    _key("stream", "bool", None,
         "stream the CSV file from disk in minibatches instead of loading it; null: when "
         "the file is larger than 100 MiB"),
    _key("shuffle_buffer", "int", 65536,
         "rows shuffled together when streaming (0: file order)", minimum=0),
    _key("columns", "kind_map", None,
         "column types by name, overriding the guess from the training rows: numeric, "
         "boolean, date, categorical or ignore; null: all guessed", choices=COLUMN_KINDS),
    _key("ignore", "str_list", [], "CSV columns left out (short for data.columns: {name: ignore})"),
    _key("max_categories", "int", 50,
         "categories kept per categorical column, most frequent first; the rest share one "
         "<other> feature", minimum=1, maximum=100000),
    _key("na_values", "str_list", DEFAULT_NA_VALUES,
         "cells read as missing (an empty cell always is)"),
    _key("missing", "str", "impute",
         "rows with missing features: impute (numeric: the training mean plus a <column>_missing "
         "indicator; categorical: a <missing> category), drop, or error; rows without a label "
         "are never trained on", choices=("impute", "drop", "error")),
    _key("delimiter", "str", ",",
         "field separator (one character), or auto: comma, semicolon or tab, the one the header "
         "line has most of"),
    _key("weight", "str", None,
         "CSV column of row weights (numbers >= 0) for the loss and the reported metrics; "
         "null: every row weighs 1"),
    _key("class_weight", "class_weight", None,
         "logistic and softmax: weights of the classes in the loss, balanced (n / (K * rows of "
         "the class), as scikit-learn) or a mapping {class: weight}; null: 1 each"),
    _key("positive", "label", None,
         "logistic regression: the label value that is the positive class (y = 1); null: 1, "
         "true or yes if the label has it, else the second value in sorted order"),
)

_ROOT_NAMES = tuple(key.name for key in SCHEMA)
_DATA_NAMES = tuple(key.name for key in DATA_SCHEMA)

DataConfig = collections.namedtuple("DataConfig", _DATA_NAMES)


class Config(collections.namedtuple("Config", _ROOT_NAMES + ("data",))):
    """The resolved, validated configuration (immutable).

    Fields are the keys of ``SCHEMA`` plus ``data`` (a ``DataConfig``).
    """

    def to_dict(self):
        """Plain dict (``data`` as a nested dict), as written to ``config.yaml``."""
        result = self._asdict()
        result["data"] = dict(self.data._asdict())
        result["freeze"] = list(self.freeze)
        for name, value in result["data"].items():
            if isinstance(value, tuple):
                result["data"][name] = list(value)
            elif isinstance(value, dict):
                result["data"][name] = dict(value)
        return dict(result)


ROOT_KEYS = collections.OrderedDict((key.name, key) for key in SCHEMA)
DATA_KEYS = collections.OrderedDict((key.name, key) for key in DATA_SCHEMA)



def _merge_section(values, mapping, keys, source, prefix, base_dir=None):
    """Checks ``mapping``'s keys and values into ``values``.

    ``base_dir``, when given, is what relative data paths are joined to: the file a path
    is read from is found beside the config (``data.path``), while the directories written
    (``model_dir``, ``summary_dir``) are relative to the current directory, as flags are.
    """
    marks = getattr(mapping, "marks", {})
    for name, raw in mapping.items():
        where = position(source, marks[name]) if name in marks else source
        if name not in keys:
            known = [prefix + known for known in keys] + (["data"] if keys is ROOT_KEYS else [])
            raise unknown_key(prefix + name, known, where)
        value = check_value(keys[name], raw, where)
        if keys is DATA_KEYS and keys[name].kind == "path" and value and base_dir is not None:
            value = os.path.abspath(os.path.join(base_dir, value))
        values[name] = value


def resolve(config_path=None, overrides=None):
    """Builds the resolved config from defaults, a YAML file and flag values.

    Args:
        config_path: YAML file path, or None for the built-in defaults alone.
        overrides: dict of key -> value given as flags on the command line (only
            those the user actually gave); data keys as ``data.<key>``.

    Returns:
        a ``Config``.

    Raises:
        UsageError: unknown key, wrong type or value, unreadable/invalid YAML.
    """
    root = collections.OrderedDict((key.name, key.default) for key in SCHEMA)
    data = collections.OrderedDict((key.name, key.default) for key in DATA_SCHEMA)
    if config_path is not None:
        document = read_yaml(config_path)
        data_section = document.pop("data", None)
        _merge_section(root, document, ROOT_KEYS, config_path, "")
        if data_section is not None:
            if not isinstance(data_section, dict):
                raise UsageError("{}: data = {!r}: expected a mapping of data keys".format(
                    position(config_path, document.marks["data"]), data_section))
            _merge_section(data, data_section, DATA_KEYS, config_path, "data.",
                           base_dir=os.path.dirname(config_path))
    freeze_source = config_path or "defaults"
    for name, value in (overrides or {}).items():
        if name.startswith("data."):
            _override_data(data, name, value)
            continue
        root[name] = check_value(ROOT_KEYS[name], value, "flag --" + name)
        if name == "freeze":
            freeze_source = "flag --freeze"
    root["freeze"] = tuple(root["freeze"])
    _resolve_data(data, root["model"])
    if set(root["freeze"]) >= set(ROOT_KEYS["freeze"].choices):
        raise UsageError("{}: freeze = {}: every variable is frozen, nothing would be "
                         "trained".format(freeze_source, list(root["freeze"])))
    return Config(data=DataConfig(**data), **root)


def _override_data(data, name, value):
    """Sets the data key ``name`` (``data.<key>``) in ``data`` to a flag's value; a relative
    path given as a flag is relative to the current directory (made absolute here).

    Raises:
        UsageError: an unknown data key, or a value its key refuses, naming the flag.
    """
    key = DATA_KEYS.get(name[len("data."):])
    if key is None:
        raise unknown_key(name, ["data." + known for known in DATA_KEYS], "flag --" + name)
    value = check_value(key._replace(name=name), value, "flag --" + name)
    if key.kind == "path" and value:
        value = os.path.abspath(value)
    data[key.name] = value


def _resolve_data(data, model):
    """Makes the data defaults concrete in ``data`` (a dict), so that a saved config says
    what was trained on and no later command guesses again (an old saved config with nulls
    resolves the same way).

    Raises:
        UsageError: ``data.stream: true`` without ``data.path``.
    """
    for key in DATA_SCHEMA:  # lists as tuples, as a YAML file's are once checked
        if key.kind == "str_list" and isinstance(data[key.name], list):
            data[key.name] = tuple(data[key.name])
    path = data["path"]
    if path is None:
        if data["stream"]:
            raise UsageError("data.stream: true needs a CSV file in data.path")
        builtin = BUILTIN_DATA_DEFAULTS[model]
        if data["n_samples"] is None:
            data["n_samples"] = builtin["n_samples"]
        if data["validation_fraction"] is None:
            data["validation_fraction"] = builtin["validation_fraction"]
        data["stream"] = False
    else:
        if data["validation_fraction"] is None:
            data["validation_fraction"] = CSV_VALIDATION_FRACTION
        if data["stream"] is None:
            data["stream"] = os.path.isfile(path) and os.path.getsize(path) > STREAM_ABOVE_BYTES
    if data["standardize"] is None:
        data["standardize"] = path is not None
    if data["delimiter"] != "auto" and len(data["delimiter"]) != 1:
        raise UsageError("data.delimiter = {!r}: expected one character (such as ';' or a tab, "
                         "\"\\t\" in YAML, \\t as a flag) or auto".format(data["delimiter"]))
    if data["stream"] and data["batch_size"] is None:
        data["batch_size"] = STREAM_BATCH_SIZE


def from_dict(document, source):
    """Rebuilds a ``Config`` from ``Config.to_dict()`` output (e.g. a saved config).

    Raises:
        UsageError: the document does not hold a valid config.
    """
    if not isinstance(document, dict):
        raise UsageError("{}: expected a mapping of config keys".format(source))
    root = dict((key.name, key.default) for key in SCHEMA)
    data = dict((key.name, key.default) for key in DATA_SCHEMA)
    document = dict(document)
    data_section = document.pop("data", None) or {}
    if not isinstance(data_section, dict):
        raise UsageError("{}: data = {!r}: expected a mapping of data keys".format(
            source, data_section))
    _merge_section(root, document, ROOT_KEYS, source, "")
    _merge_section(data, data_section, DATA_KEYS, source, "data.")
    _resolve_data(data, root["model"])
    return Config(data=DataConfig(**data), freeze=tuple(root.pop("freeze")), **root)
