"""A trained model in the data's own units as text: a formula, a Python function, an SQL
expression or JSON (``tfcourse export --format formula|python|sql|json``).

All four render one ``tfcourse.fold.Folded`` model (standardisation, imputation and one-hot
encoding folded into the coefficients), term by term:

    term       formula              python                      sql
    number     0.13·age             0.13 * number(age)         0.13 * COALESCE("age", 0)
    missing    5.2·missing(age)     5.2 * _missing(age, ...)    5.2 * CASE WHEN "age" IS NULL ...
    category   1.3·(island == 'D')  1.3 * (_text(island) == 'D') 1.3 * CASE WHEN "island" = 'D' ...
    other      0.4·other(island)    ...                          ...
    true       0.7·(smoker == 'y')  ...                          ...

A missing cell counts 0 in its column's ``number`` term and its fill enters through the
``missing`` term's coefficient. Linear regression gives the label's value, logistic
regression ``P(positive) = sigmoid(z)``, softmax regression one ``z`` per class and
``P(class) = exp(z_class) / sum exp(z)`` (SQL: ``1 / (1 + sum_j exp(z_j − z_class))``, folded
into one linear expression per pair, which cannot overflow into NaN).
"""

import json
import re

from tfcourse import fold as fold_lib

FORMATS = ("formula", "python", "sql", "json")


def number(value, digits=None):
    return "{:.7g}".format(value) if digits == "short" else repr(float(value))


def _identifier(name):
    return name if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name) else "`{}`".format(name)


def _quoted(text):
    return "'{}'".format(text.replace("'", "''")) if text is not None else "NULL"


def _py(text):
    return repr(text)


def outputs(folded):
    """Names of the model's outputs: the label, P(positive), or one per class."""
    if folded.model == "linear":
        return [folded.label]
    if folded.model == "logistic":
        return ["P({} = {})".format(folded.label, _py(folded.classes[1]))]
    return ["P({} = {})".format(folded.label, _py(c)) for c in folded.classes]


def columns_by_name(folded):
    return dict((column.name, column) for column in folded.columns)


# ---- formula ---------------------------------------------------------------------------

def _formula_factor(term, column):
    name = _identifier(term.column)
    if term.kind == "number":
        return "days({})".format(name) if column.kind == "date" else name
    if term.kind == "category":
        return "({} == {})".format(name, _py(term.value))
    if term.kind == "true":
        values = column.true_values
        return ("({} == {})".format(name, _py(values[0])) if len(values) == 1 else
                "({} in ({}))".format(name, ", ".join(_py(v) for v in values)))
    return "{}({})".format(term.kind, name)


def _formula_sum(intercept, terms, columns, k):
    first = number(intercept[k], "short")
    lines = ["−" + first[1:] if first.startswith("-") else first]
    for term in terms:
        value = float(term.coefficient[k])
        sign = "−" if value < 0 or (value == 0 and str(value).startswith("-")) else "+"
        lines.append("  {} {}·{}".format(sign, number(abs(value), "short"),
                                         _formula_factor(term, columns[term.column])))
    return lines


def formula(folded):
    """The model as equations in the data's units (str)."""
    columns = columns_by_name(folded)
    if folded.model == "linear":
        lines = ["{} = ".format(_identifier(folded.label)) + "\n".join(
            _formula_sum(folded.intercept, folded.terms, columns, 0))]
    elif folded.model == "logistic":
        lines = ["{} = sigmoid(z) = 1 / (1 + exp(−z)),".format(outputs(folded)[0]),
                 "z = " + "\n".join(_formula_sum(folded.intercept, folded.terms, columns, 0))]
    else:
        names = ["z_{}".format(re.sub(r"\W", "_", c)) for c in folded.classes]
        lines = ["{} = exp({}) / ({})".format(out, z, " + ".join(
            "exp({})".format(other) for other in names)) for out, z in zip(outputs(folded), names)]
        for k, z in enumerate(names):
            lines.append("{} = ".format(z) + "\n".join(
                _formula_sum(folded.intercept, folded.terms, columns, k)))
    return "\n\n".join(lines) + "\n\n" + _formula_where(folded) + "\n"


def _formula_where(folded):
    na = ", ".join(_py(v) for v in folded.na_values)
    notes = ["where missing(c) is 1 where the cell of column c is missing (empty, NULL or one "
             "of {}; a boolean cell that is no known spelling; a date that is not a valid "
             "YYYY-MM-DD date), else 0, and a missing cell counts 0 in c's other terms".format(
                 na)]
    if any(t.kind == "other" for t in folded.terms):
        notes.append("other(c) is 1 where c holds a category outside the model's vocabulary "
                     "(the <other> bucket)")
    if any(c.kind == "date" for c in folded.columns):
        notes.append("days(c) is the days since 1970-01-01 (a time of day as a fraction)")
    if any(c.kind == "categorical" for c in folded.columns):
        notes.append("a category outside the vocabulary sets only other(c) where the column "
                     "has it, else none of its terms")
    return ";\n".join(notes) + "."


# ---- sql -------------------------------------------------------------------------------

def _sql_name(name):
    return '"{}"'.format(name.replace('"', '""'))


def _sql_in(column, values):
    return "{} IN ({})".format(column, ", ".join(_quoted(v) for v in values))


def _sql_factor(term, column, na):
    name = _sql_name(term.column)
    if column.kind == "categorical":
        spellings = fold_lib.missing_spellings(column, na)
        if term.kind == "category":
            return "CASE WHEN {} = {} THEN 1 ELSE 0 END".format(name, _quoted(term.value))
        if term.kind == "missing":
            return "CASE WHEN {} IS NULL OR {} THEN 1 ELSE 0 END".format(
                name, _sql_in(name, spellings))
        return "CASE WHEN {} IS NULL OR {} THEN 0 ELSE 1 END".format(
            name, _sql_in(name, list(column.vocabulary) + spellings))
    if column.kind == "boolean":
        if term.kind == "true":
            return "CASE WHEN {} THEN 1 ELSE 0 END".format(_sql_in(name, column.true_values))
        return "CASE WHEN {} THEN 0 ELSE 1 END".format(
            _sql_in(name, tuple(column.true_values) + tuple(column.false_values)))
    if column.kind == "date":  # SQLite's JULIANDAY, which rolls 02-30 over: checked back
        cell = "REPLACE({}, '/', '-')".format(name)
        valid = "DATE(JULIANDAY({})) = SUBSTR({}, 1, 10)".format(cell, cell)
        if term.kind == "number":
            return "CASE WHEN {} THEN JULIANDAY({}) - 2440587.5 ELSE 0 END".format(valid, cell)
        return "CASE WHEN {} THEN 0 ELSE 1 END".format(valid)
    if term.kind == "number":
        return "COALESCE({}, 0)".format(name)
    return "CASE WHEN {} IS NULL THEN 1 ELSE 0 END".format(name)


def _sql_linear(intercept, coefficients, folded, columns):
    parts = [number(intercept)]
    for term, coefficient in zip(folded.terms, coefficients):
        parts.append("{} * {}".format(number(coefficient),
                                      _sql_factor(term, columns[term.column], folded.na_values)))
    return "\n    + ".join(parts)


def sql(folded):
    """The model as SQL expressions over the quoted raw columns, ready for a ``SELECT``:
    ``prediction``, ``probability`` or ``probability_<class>`` (str)."""
    columns = columns_by_name(folded)
    head = ["-- {} regression of {}, written by tfcourse export --format sql: raw columns, "
            "numeric columns NULL where missing".format(folded.model, _sql_name(folded.label))]
    coefficient = [term.coefficient for term in folded.terms]
    if folded.model == "linear":
        body = "({}) AS \"prediction\"".format(
            _sql_linear(folded.intercept[0], [c[0] for c in coefficient], folded, columns))
    elif folded.model == "logistic":
        body = "1.0 / (1.0 + EXP(-({}))) AS \"probability\"".format(
            _sql_linear(folded.intercept[0], [c[0] for c in coefficient], folded, columns))
    else:
        items = []
        for k, name in enumerate(folded.classes):
            others = ["EXP({})".format(_sql_linear(
                folded.intercept[j] - folded.intercept[k],
                [c[j] - c[k] for c in coefficient], folded, columns))
                for j in range(len(folded.classes)) if j != k]
            items.append("1.0 / (1.0 + {}) AS {}".format(" + ".join(others),
                                                         _sql_name("probability_" + name)))
        body = ",\n".join(items)
    return "\n".join(head) + "\n" + body + "\n"


# ---- json ------------------------------------------------------------------------------

def as_json(folded):
    """The model as a JSON document: intercept, coefficients by term, encodings and the
    standardised weights with their statistics (str)."""
    document = {
        "model": folded.model, "label": folded.label,
        "classes": None if folded.classes is None else list(folded.classes),
        "outputs": outputs(folded),
        "intercept": [float(v) for v in folded.intercept],
        "coefficients": [{"column": t.column, "term": t.kind, "value": t.value,
                          "feature": fold_lib.feature_of(t),
                          "coefficient": [float(v) for v in t.coefficient]}
                         for t in folded.terms],
        "encodings": {"na_values": list(folded.na_values), "columns": [
            dict(column._asdict(), vocabulary=list(column.vocabulary),
                 true_values=list(column.true_values), false_values=list(column.false_values),
                 missing_spellings=(fold_lib.missing_spellings(column, folded.na_values)
                                    if column.kind == "categorical" else None))
            for column in folded.columns]},
        "standardized": {"features": list(folded.feature_names),
                         "weights": folded.weights.astype(float).tolist(),
                         "bias": folded.bias.astype(float).tolist(),
                         "mean": folded.mean.astype(float).tolist(),
                         "std": folded.std.astype(float).tolist()},
    }
    return json.dumps(document, indent=2) + "\n"


def python(folded):
    """The model as a Python function (``tfcourse.commands.export_python``)."""
    from tfcourse.commands import export_python
    return export_python.python(folded)


RENDER = {"formula": formula, "python": python, "sql": sql, "json": as_json}


def folded_model(loaded):
    """The ``tfcourse.fold.Folded`` model of a restored ``restore.LoadedModel``."""
    tg = loaded.tg
    fetch = [tg.model.weights, tg.model.bias]
    if tg.mean is not None:
        fetch += [tg.mean, tg.std]
    return fold_lib.fold(loaded.spec, *loaded.session.run(fetch),
                         na_values=loaded.config.data.na_values)


def export_text(ckpt, fmt, output, overwrite=False, out=print):
    """Writes the model at ``ckpt`` as ``fmt`` (one of ``FORMATS``) into the file ``output``
    (``-``: standard output, the report line then on stderr).

    Returns:
        the text written (str).

    Raises:
        UsageError: ``output`` may not be written (``files.check_output``).
        DataError: no checkpoint at ``ckpt``, or not a tfcourse model directory.
    """
    from tfcourse import files
    from tfcourse.commands import restore
    if output != files.STDOUT:
        files.check_output(output, overwrite)
    with restore.open_model(ckpt) as loaded:
        text = RENDER[fmt](folded_model(loaded))
    where, out = files.write_text_output(output, text, out)
    out("exported {} (global_step {}) as {} to {}".format(
        loaded.checkpoint, loaded.global_step, fmt, where))
    return text
