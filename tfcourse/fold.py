"""A trained model in the data's own units: standardisation, imputation and one-hot encoding
folded into its coefficients.

The graph computes, per output k (one for linear and logistic regression, one per class for
softmax), ``f_k = sum_j z_j·W_jk/std_j + (b_k − sum_j mean_j·W_jk/std_j)`` on the encoded
features ``z`` (``tfcourse.standardization``: ``((z − mean)/std)·W + b``). The encoded
features are simple functions of the raw cells (``tfcourse.features``): a number, 1 for a
category, 1 where a cell is missing, ... . So ``f_k`` is a sum of terms, each a coefficient
in raw units times one such function of one raw column:

    number   the cell's value (numeric column; a date's days since 1970-01-01); a missing
             cell counts 0 here, its fill enters through the ``missing`` term
    true     1 where a boolean cell is one of the column's true spellings, else 0
    missing  1 where the cell is missing (empty, one of ``na_values``, not a known boolean
             spelling, not a valid date); its coefficient is the fill's contribution
             ``a·fill`` plus the ``<name>_missing`` indicator's weight
    category 1 where a categorical cell equals ``value``
    other    1 where a categorical cell is neither missing nor in the vocabulary (the
             ``<other>`` bucket)

Every export format (``tfcourse.commands.export_formats``), ``restore``, ``inspect`` and the
Python API use this one folding. Pure numpy: no TensorFlow.
"""

import collections

import numpy as np

from tfcourse.data.types import OTHER_CATEGORY, encoded_names

Term = collections.namedtuple("Term", "column kind value coefficient")
Term.__doc__ = """One term of the folded model: ``coefficient`` (``[K]`` float64, raw units)
times a function of column ``column`` (str) named by ``kind`` (see the module docstring);
``value`` is the category of a ``category`` term, else None."""

Folded = collections.namedtuple(
    "Folded", "model label classes intercept terms columns na_values feature_names "
              "raw_weights weights bias mean std")
Folded.__doc__ = """A model folded into raw units.

Attributes:
    model: "linear", "logistic" or "softmax"; label: the label column (str); classes: the
        label's classes in index order (tuple of str) or None (logistic: ``classes[1]`` is
        the positive class).
    intercept: ``[K]`` float64, ``b − mean·(W/std)``.
    terms: list of ``Term`` in column order (terms whose coefficients are all 0 included).
    columns: the model's ``tfcourse.data.types.Column`` tuple; na_values: tuple of str.
    feature_names: the encoded features' names (``encoded_names``).
    raw_weights: ``[n_features, K]`` float64 ``W/std``: each encoded feature's weight in its
        own units (before the fills are folded into the ``missing`` terms).
    weights, bias, mean, std: the checkpoint's values (``[n_features, K]``, ``[K]``,
        ``[n_features]`` float32; mean 0 and std 1 without standardisation).
"""


def fold(spec, weights, bias, mean=None, std=None, na_values=()):
    """Folds a model's standardisation and encoding into raw-unit coefficients.

    Args:
        spec: the model's ``tfcourse.model_dir.ModelSpec``.
        weights: ``[n_features, K]`` float32 weights of the standardised features.
        bias: ``[K]`` float32.
        mean, std: ``[n_features]`` float32 standardisation statistics, or None (the model
            does not standardise).
        na_values: the cells read as missing in text columns (``data.na_values``).

    Returns:
        a ``Folded``.

    Raises:
        ValueError: the weights do not have a row per encoded feature.
    """
    names = encoded_names(spec.columns)
    weights = np.asarray(weights, np.float32)
    if weights.ndim != 2 or weights.shape[0] != len(names):
        raise ValueError("weights of shape {} do not fit the {} encoded features".format(
            list(weights.shape), len(names)))
    bias = np.asarray(bias, np.float32).reshape(-1)
    n = len(names)
    mean = np.zeros(n, np.float32) if mean is None else np.asarray(mean, np.float32)
    std = np.ones(n, np.float32) if std is None else np.asarray(std, np.float32)
    raw = weights.astype(np.float64) / std.astype(np.float64)[:, None]
    intercept = bias.astype(np.float64) - mean.astype(np.float64).dot(raw)
    return Folded(model=spec.model, label=spec.label,
                  classes=None if spec.classes is None else tuple(spec.classes),
                  intercept=intercept, terms=_terms(spec.columns, raw), columns=spec.columns,
                  na_values=tuple(na_values), feature_names=names, raw_weights=raw,
                  weights=weights, bias=bias, mean=mean, std=std)


def _terms(columns, raw):
    """The ``Term`` list of ``raw`` (``[n_features, K]``), rows in ``encoded_names`` order."""
    terms, j = [], 0
    for column in columns:
        if column.kind == "categorical":
            for value in column.vocabulary:
                terms.append(Term(column.name, "category", value, raw[j]))
                j += 1
            for flag, kind in ((column.missing_category, "missing"), (column.other, "other")):
                if flag:
                    terms.append(Term(column.name, kind, None, raw[j]))
                    j += 1
            continue
        value = raw[j]
        terms.append(Term(column.name, "true" if column.kind == "boolean" else "number", None,
                          value))
        j += 1
        missing = np.zeros_like(value)
        if column.indicator:
            missing = missing + raw[j]
            j += 1
        if column.fill is not None:
            missing = missing + value * float(column.fill)
        if column.fill is not None or column.indicator:
            terms.append(Term(column.name, "missing", None, missing))
    return terms


def missing_spellings(column, na_values):
    """The text cells that count as missing in a categorical column: empty or one of
    ``na_values``, unless the spelling is one of its categories (list of str)."""
    return [value for value in [""] + list(na_values) if value not in column.vocabulary]


def feature_of(term):
    """The encoded feature's name a term stands for (``island=Dream``, ``age``,
    ``age_missing``, ``sex=<missing>``)."""
    if term.kind == "category":
        return "{}={}".format(term.column, term.value)
    if term.kind == "other":
        return "{}={}".format(term.column, OTHER_CATEGORY)
    if term.kind == "missing":
        return "{}_missing".format(term.column)
    return term.column


def is_missing_category(term, columns):
    """Whether a ``missing`` term is a categorical column's ``<missing>`` category."""
    kinds = dict((column.name, column.kind) for column in columns)
    return term.kind == "missing" and kinds.get(term.column) == "categorical"


def coefficient_lines(folded, class_names=None):
    """Lines of a table: each encoded feature's weight of the standardised feature and in raw
    units (``W/std``), then the bias and the raw intercept; one pair of columns per class of
    a softmax model. For restore and inspect."""
    k = folded.weights.shape[1]
    heads = (["standardised", "raw units"] if k == 1 else
             ["{} std.".format(c) for c in class_names] + ["{} raw".format(c) for c in class_names])
    width = max(len(name) for name in list(folded.feature_names) + ["(intercept)"])
    lines = ["  {}  {}".format("feature".ljust(width), "  ".join(h.rjust(13) for h in heads))]
    rows = [(name, folded.weights[j], folded.raw_weights[j])
            for j, name in enumerate(folded.feature_names)]
    rows.append(("(intercept)", folded.bias, folded.intercept))
    for name, scaled, raw in rows:
        lines.append("  {}  {}".format(name.ljust(width), "  ".join(
            "{:13.6g}".format(float(v)) for v in list(scaled) + list(raw))))
    return lines
