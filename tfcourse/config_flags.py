"""Config keys as command-line flags: their names, and flag text turned into config values.

Every key of ``config.SCHEMA`` is a flag of its own name (``--max_step``); every key of
``config.DATA_SCHEMA`` is a flag named as the key is written in errors and in the README,
section and key joined by a dot (``--data.batch_size``, ``--data.standardize=false``). absl
takes dots in flag names on both TensorFlow legs and suggests ``data.batch_size`` for
``--data_batch_size``. Two everyday keys also have a short form: ``--data FILE`` for
``--data.path`` and ``--label NAME`` for ``--data.label``. A key added to a schema gets
its flag without further code.

The values of keys that YAML writes as mappings are written ``name=value,name=value`` on
the command line (``--data.columns year=categorical,id=ignore``,
``--data.class_weight yes=2,no=1`` or ``balanced``); ``--data.delimiter '\\t'`` is a tab.
A flag cannot set a key back to null: the YAML file or the default does that.
"""

import collections

from tfcourse import config as config_lib
from tfcourse.errors import UsageError

SECTION = "data"
SHORT_FORMS = collections.OrderedDict([("data", "data.path"), ("label", "data.label")])
MAPPING_KINDS = ("kind_map", "class_weight")  # written name=value,... on the command line


def flag_keys():
    """Every config key as ``(flag name, config.Key)``: the top-level keys, then the data keys."""
    return ([(key.name, key) for key in config_lib.SCHEMA] +
            [(SECTION + "." + key.name, key) for key in config_lib.DATA_SCHEMA])


def key_of(flag_name):
    """The ``config.Key`` a flag sets (short forms included), or None for other flags."""
    flag_name = SHORT_FORMS.get(flag_name, flag_name)
    return dict(flag_keys()).get(flag_name)


def overrides(given):
    """The config values given as flags, keyed as ``config.resolve`` takes them.

    Args:
        given: flag name -> value as parsed (only the flags given on the command line).

    Returns:
        dict: ``max_step`` -> 2000, ``data.path`` -> "my.csv", ...

    Raises:
        UsageError: a short form given together with its long form.
    """
    result = {}
    for name, value in given.items():
        key = key_of(name)
        if key is None:
            continue
        long_name = SHORT_FORMS.get(name, name)
        if name in SHORT_FORMS and long_name in given:
            raise UsageError("flags --{} and --{} set the same key; give one of them".format(
                name, long_name))
        result[long_name] = _value(long_name, key, value)
    return result


def _value(flag_name, key, text):
    """A flag's value as YAML would give it: mappings from ``name=value,...``, a tab from
    ``\\t``; anything else is already converted by absl."""
    if key.kind == "str" and key.name == "delimiter" and text == "\\t":
        return "\t"
    if key.kind not in MAPPING_KINDS or not isinstance(text, str):
        return text
    if key.kind == "class_weight" and text == "balanced":
        return text
    mapping = collections.OrderedDict()
    for item in text.split(","):
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise UsageError("flag --{}={}: expected {}name=value,name=value".format(
                flag_name, text, "balanced or " if key.kind == "class_weight" else ""))
        mapping[name.strip()] = _number(value.strip()) if key.kind == "class_weight" \
            else value.strip()
    return mapping


def _number(text):
    try:
        return float(text)
    except ValueError:
        return text
