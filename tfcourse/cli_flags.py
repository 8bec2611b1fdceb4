"""The flags of every command, defined with absl's flags (what ``tf.app.flags`` is), and
their help and error lines. Defined without importing TensorFlow: ``--help`` and a usage
error cost no TensorFlow import.

The config keys become flags from ``config.SCHEMA`` and ``config.DATA_SCHEMA`` (named as
``tfcourse.config_flags`` says: ``--max_step``, ``--data.batch_size``, short forms ``--data``
and ``--label``); the other flags name what a command reads or writes. ``tfcourse.cli`` says
which command takes which flag.
"""

import difflib
import re

from absl import flags

from tfcourse import config as config_lib, config_flags

FLAGS = flags.FLAGS

_DEFINE = {"int": flags.DEFINE_integer, "float": flags.DEFINE_float, "bool": flags.DEFINE_boolean,
           "str": flags.DEFINE_string, "path": flags.DEFINE_string, "str_list": flags.DEFINE_list,
           "rate": flags.DEFINE_string, "nonnegative": flags.DEFINE_float}

for _key in config_lib.SCHEMA:
    if _key.choices and _key.kind == "str":
        flags.DEFINE_enum(_key.name, _key.default, _key.choices, _key.help)
    else:
        _DEFINE[_key.kind](_key.name, str(_key.default) if _key.kind == "rate" else _key.default,
                           _key.help)


def _define_data_flag(name, key):
    """Defines ``--data.<key>`` (``name``) for a key of ``config.DATA_SCHEMA``: as its kind
    says, or as text that ``config_flags`` converts (mappings, label values)."""
    default = list(key.default) if isinstance(key.default, tuple) else key.default
    if key.choices and key.kind == "str":
        flags.DEFINE_enum(name, default, key.choices, key.help)
    elif key.kind == "path":
        flags.DEFINE_string(name, default, key.help + "; as a flag, relative to the current "
                                                      "directory")
    elif key.kind in _DEFINE or key.kind == "fraction":
        _DEFINE.get(key.kind, flags.DEFINE_float)(name, default, key.help)
    else:
        flags.DEFINE_string(name, None, key.help + (" (flag: name=value,name=value)" if key.kind
                                                    in config_flags.MAPPING_KINDS else ""))


for _name, _key in config_flags.flag_keys()[len(config_lib.SCHEMA):]:
    _define_data_flag(_name, _key)
for _name, _long in config_flags.SHORT_FORMS.items():
    flags.DEFINE_string(_name, None, "short for --" + _long)
flags.DEFINE_string("config", None, "YAML config file; flags given on the command line override "
                                    "it (default: the config.yaml of a model_dir that holds a "
                                    "model)")
flags.DEFINE_boolean("dry_run", False, "check the data, print the resolved config as YAML "
                                       "(a valid --config) and what the data checks decided; "
                                       "create nothing")
flags.DEFINE_string("ckpt", None, "model directory (latest checkpoint) or checkpoint prefix")
flags.DEFINE_string("predict", None,
                    "rows to predict, rows separated by ';' and a row's features by ',' "
                    "(with one feature ',' separates rows too: 1.0,2.5 is two rows)")
flags.DEFINE_string("input", None, "CSV file with a header row and the model's feature columns")
flags.DEFINE_string("output", None, "file to write: predict's CSV (the input's columns plus "
                                    "prediction, then probability, or probability_<class> per "
                                    "class of a softmax model), plot's PNG, export's formula, "
                                    "Python, SQL or JSON file, or eject's script; - : standard output "
                                    "(predict, export's text formats)")
flags.DEFINE_boolean("overwrite", False, "replace --output or --export_dir if it exists")
flags.DEFINE_boolean("show_ops", False, "also list the graph's op and tensor names")
flags.DEFINE_string("export_dir", None, "directory to write the SavedModel into")
flags.DEFINE_boolean("verbose", False, "show the traceback of errors; train: a line per checkpoint")
flags.DEFINE_string("ps_hosts", None, "distributed: parameter servers, host:port,host:port")
flags.DEFINE_string("worker_hosts", None, "distributed: workers, host:port,... (worker 0 is chief)")
flags.DEFINE_string("job_name", None, "distributed: this task's job, ps or worker")
flags.DEFINE_integer("task_index", None, "distributed: this task's index in its job")
flags.DEFINE_boolean("sync", False, "distributed: synchronous replicas (SyncReplicasOptimizer)")
flags.DEFINE_float("wait_secs", 30.0, "distributed: how long to wait for ps tasks and the chief "
                                     "(seconds)")
flags.DEFINE_boolean("quiet", False, "train: no progress or log lines, only the final line and "
                                     "errors")
flags.DEFINE_boolean("allow_data_change", False, "train: resume on data other than the model was "
                     "trained on, keeping its saved statistics and vocabulary")

CONFIG_FLAGS = (("config",) + tuple(name for name, _ in config_flags.flag_keys()) +
                tuple(config_flags.SHORT_FORMS))


def command_help(command, entry):
    """The ``--help`` text of ``command`` (its ``cli.Command`` is ``entry``)."""
    lines = ["usage: tfcourse {} [--flag=value ...]".format(command), "", entry.help, "",
             "flags:"]
    for name in entry.flags:
        flag = FLAGS[name]
        if name in entry.required:
            default = " (required)"
        elif flag.default is None:
            default = ""
        else:
            default = " (default: {})".format(flag.default_as_str.strip("'") or "none")
        lines.append("  --{}: {}{}".format(name, flag.help, default))
    return "\n".join(lines)


_FLAG_VALUE_ERROR = re.compile(r"flag --([\w.]+)=(.*?): ")
_EXPECTED = {"int": "an integer", "float": "a number", "bool": "true or false",
             "multi_string": "a string", "list": "a comma-separated list"}


def flag_error(err):
    """absl's parse error as one line in tfcourse's style."""
    message = str(err)
    match = _FLAG_VALUE_ERROR.match(message)
    if match and match.group(1) in FLAGS:
        flag = FLAGS[match.group(1)]
        expected = _EXPECTED.get(flag.flag_type())
        if expected:
            return "flag --{}={}: expected {}".format(match.group(1), match.group(2), expected)
    unknown = _UNKNOWN_FLAG.match(message)
    if unknown and "Did you mean" not in message:
        return message + _data_key_hint(unknown.group(1))
    if "Non-boolean argument to boolean flag" in message:
        return "a boolean flag takes true or false ({})".format(message)
    return message


_UNKNOWN_FLAG = re.compile(r"Unknown command line flag '([^']+)'")


def _data_key_hint(name):
    """``. Did you mean: data.batch_size ?`` for ``batch_size`` (a data key without its
    section), as absl words its own suggestions; empty when no data key is close."""
    bare = name[2:] if name.startswith("no") and name[2:] in config_lib.DATA_KEYS else name
    close = difflib.get_close_matches(bare.replace("-", "_"), list(config_lib.DATA_KEYS), n=1)
    if not close:
        return ""
    prefix = "no" if bare != name else ""
    return ". Did you mean: {}{}.{} ?".format(prefix, config_flags.SECTION, close[0])
