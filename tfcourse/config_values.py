"""Checking one config value (from YAML or a flag) against its ``config.Key``.

Errors name where the value came from, the key, the value and what was
expected, and raise ``tfcourse.errors.UsageError`` (exit code 2).
"""

import difflib
import math
import os

from tfcourse.errors import UsageError

_EXPECTED = {"int": "an integer", "float": "a number", "rate": "a number > 0 or auto",
             "nonnegative": "a number >= 0", "fraction": "a number with 0 <= f < 1",
             "bool": "true or false", "str": "a string", "path": "a path (string)",
             "str_list": "a list of strings", "kind_map": "a mapping of column names to types",
             "class_weight": "balanced or a mapping of classes to weights > 0",
             "label": "a label value (write yes/no/true/false in quotes)"}


NULLABLE = ("save_every_secs",)  # keys with a default that a YAML null turns off


def check_value(key, value, where):
    """Validates and normalises one value.

    Args:
        key: the ``Key`` being set.
        value: the raw value (from YAML or a flag).
        where: where it came from, e.g. ``"configs/a.yaml:3:1"`` or ``"flag --max_step"``.

    Returns:
        the value converted to its kind (float for "float", tuple for "str_list").

    Raises:
        UsageError: naming ``where``, the key, the value and what was expected.
    """
    def fail(expected):
        raise UsageError("{}: {} = {!r}: expected {}".format(where, key.name, value, expected))

    if value is None:
        if key.default is None or key.name in NULLABLE:
            return None
        fail(_EXPECTED[key.kind])
    kind = key.kind
    if kind == "rate":
        if value == "auto":
            return value
        if isinstance(value, str) and where.startswith("flag"):  # a flag's text
            try:
                value = float(value)
            except ValueError:
                fail(_EXPECTED[kind])
        if isinstance(value, str) and not any(char.isdigit() for char in value):
            fail(_EXPECTED[kind])  # a word, not an exponent YAML read as text
        kind = "float"
    if kind == "nonnegative":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                math.isfinite(value) and value >= 0):
            fail(_EXPECTED[kind])
        return float(value)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            exponent = isinstance(value, (str, float)) and "e" in str(value).lower()
            fail(_EXPECTED[kind] + (" (write 1000, not 1e3)" if exponent else ""))
        if key.minimum is not None and value < key.minimum:
            fail("an integer >= {}".format(key.minimum))
        if value > key.maximum:
            fail("an integer <= {}".format(key.maximum))
    elif kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            fail(_EXPECTED[key.kind] + (" (YAML needs a dot in exponents: 1.0e-2)"
                                     if isinstance(value, str) else ""))
        value = float(value)
        if not math.isfinite(value):
            fail("a finite number")
        if key.minimum is not None and value <= key.minimum:
            fail("a number > {}".format(key.minimum))
    elif kind == "fraction":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
            fail(_EXPECTED[kind])
        value = float(value)
    elif kind == "bool":
        if not isinstance(value, bool):
            fail(_EXPECTED[kind])
    elif kind in ("str", "path"):
        if not isinstance(value, str) or not value:
            fail(_EXPECTED[kind])
        if key.choices and value not in key.choices:
            fail("one of: " + ", ".join(key.choices))
        if kind == "path":
            value = os.path.expanduser(value)
    elif kind == "str_list":
        if isinstance(value, str) or not isinstance(value, (list, tuple)) or not all(
                isinstance(item, str) for item in value):
            fail(_EXPECTED[kind])
        if key.choices and not set(value) <= set(key.choices):
            fail("a list of any of: " + ", ".join(key.choices))
        value = tuple(value)
    elif kind == "kind_map":
        if not isinstance(value, dict) or not all(isinstance(name, str) for name in value):
            fail(_EXPECTED[kind])
        wrong = [name for name, item in value.items() if item not in key.choices]
        if wrong:
            raise UsageError("{}: {}.{} = {!r}: expected one of: {}".format(
                where, key.name, wrong[0], value[wrong[0]], ", ".join(key.choices)))
        value = dict(value)
    elif kind == "label":  # as the label column spells it: a number is its text
        if isinstance(value, bool) or not isinstance(value, (str, int, float)) or value == "":
            fail(_EXPECTED[kind])
        value = value if isinstance(value, str) else "{:g}".format(value)
    elif kind == "class_weight":
        if value == "balanced":
            return value
        if not isinstance(value, dict) or not value or not all(
                isinstance(weight, (int, float)) and not isinstance(weight, bool) and
                math.isfinite(weight) and weight > 0 for weight in value.values()):
            fail(_EXPECTED[kind])
        value = dict((str(name), float(weight)) for name, weight in value.items())
    return value


def unknown_key(name, known, where):
    """The error for a key not in ``known``, suggesting the closest known one."""
    hint = difflib.get_close_matches(name, known, n=1)
    suggestion = " (did you mean '{}'?)".format(hint[0]) if hint else ""
    return UsageError("{}: unknown key '{}'{}; known keys: {}".format(
        where, name, suggestion, ", ".join(known)))
