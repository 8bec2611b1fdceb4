"""``tfcourse export --format python``: the model as one dependency-free Python function of
the raw columns (keyword arguments named as the SavedModel's inputs, ``export.input_keys``),
rendered from a ``tfcourse.fold.Folded`` model (see ``export_formats``)."""

from tfcourse import fold as fold_lib
from tfcourse.commands import export_formats as formats
from tfcourse.commands.export import input_keys
from tfcourse.data.dates import DATE_PATTERN

_PY_HELPERS = '''
def _text(value):
    """A cell as text ('' when None)."""
    return "" if value is None else str(value)


def _missing(value, spellings):
    """1 where a cell is missing: None, NaN, or one of ``spellings`` (text), else 0."""
    if value is None or value != value:  # None or NaN (of any float type)
        return 1
    return 1 if isinstance(value, str) and value in spellings else 0


def _number(value, spellings):
    """A numeric cell's value, 0. where it is missing."""
    return 0.0 if _missing(value, spellings) else float(value)
'''

_PY_DATES = '''
_DATE = re.compile({pattern!r})


def _days(value):
    """Days since 1970-01-01 of a date cell, or None where it is not a valid date."""
    text = _text(value)
    if not _DATE.fullmatch(text):
        return None
    digits = re.sub("[^0-9]", "", text) + "000000"
    try:
        moment = datetime.datetime.strptime(digits[:14], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return (moment - datetime.datetime(1970, 1, 1)).total_seconds() / 86400.0
'''


def _spellings(spellings, na):
    """``MISSING``, or a categorical column's own missing spellings when they differ."""
    return "MISSING" if tuple(spellings) == ("",) + tuple(na) else repr(tuple(spellings))


def _py_factor(term, column, key, na):
    if column.kind == "categorical":
        spellings = fold_lib.missing_spellings(column, na)
        if term.kind == "category":
            return "(_text({}) == {})".format(key, repr(term.value))
        if term.kind == "missing":
            return "_missing({}, {})".format(key, _spellings(spellings, na))
        return "(_text({}) not in {!r} and not _missing({}, {}))".format(
            key, tuple(column.vocabulary), key, _spellings(spellings, na))
    if column.kind == "boolean":
        known = tuple(column.true_values) + tuple(column.false_values)
        if term.kind == "true":
            return "(_text({}) in {!r})".format(key, tuple(column.true_values))
        return "(_text({}) not in {!r})".format(key, known)
    if column.kind == "date":
        if term.kind == "number":
            return "(_days({}) or 0.0)".format(key)
        return "(_days({}) is None)".format(key)
    if term.kind == "number":
        return "_number({}, MISSING)".format(key)
    return "_missing({}, MISSING)".format(key)


def _py_sum(folded, keys, k, columns):
    lines = ["    z = {}".format(formats.number(folded.intercept[k]))]
    for term in folded.terms:
        factor = _py_factor(term, columns[term.column], keys[term.column], folded.na_values)
        lines.append("    z += {} * {}".format(formats.number(term.coefficient[k]), factor))
    return lines


def python(folded, function="predict"):
    """The model as one dependency-free Python function of the raw columns (str)."""
    keys = input_keys([column.name for column in folded.columns])
    columns = formats.columns_by_name(folded)
    args = ", ".join("{}=None".format(key) for key in keys.values())
    mapping = "\n".join("        {}: column {!r} ({})".format(key, name, columns[name].kind)
                        for name, key in keys.items())
    returns = {"linear": "the predicted {!r} (float)".format(folded.label),
               "logistic": "{} (float)".format(formats.outputs(folded)[0]),
               "softmax": "dict class -> probability (P({} = class))".format(folded.label)}
    dates = any(c.kind == "date" for c in folded.columns)
    out = ['"""{} regression of {!r}, written by tfcourse export --format python: the trained '
           'model in the data\'s own units (standardisation, imputation and one-hot encoding '
           'folded into the coefficients). Standard library only."""'.format(
               folded.model.capitalize(), folded.label), "",
           "import datetime" if dates else "", "import math", "import re" if dates else "",
           "", "MISSING = {!r}  # cells read as missing, besides None and NaN".format(
               ("",) + tuple(folded.na_values)), _PY_HELPERS.rstrip()]
    if dates:
        out.append(_PY_DATES.format(pattern=DATE_PATTERN).rstrip())
    out += ["", "", "def {}({}):".format(function, args),
            '    """{}.\n\n    Args (keyword, one per raw column; None, NaN, \'\' or one of the '
            'missing spellings is missing):\n{}\n\n    Returns:\n        {}.\n    """'.format(
                formats.outputs(folded)[0] if folded.model != "softmax" else
                "P({} = class) of each class".format(folded.label), mapping,
                returns[folded.model])]
    if folded.model == "softmax":
        out.append("    logits = []")
        for k in range(len(folded.classes)):
            out += _py_sum(folded, keys, k, columns) + ["    logits.append(z)"]
        out += ["    top = max(logits)",
                "    exps = [math.exp(value - top) for value in logits]",
                "    return dict(zip({!r}, [value / sum(exps) for value in exps]))".format(
                    list(folded.classes))]
    else:
        out += _py_sum(folded, keys, 0, columns)
        out.append("    return z" if folded.model == "linear" else
                   "    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else "
                   "math.exp(z) / (1.0 + math.exp(z))")
    return "\n".join(line for line in out if line is not None) + "\n"
