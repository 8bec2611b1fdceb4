"""Data on which training means less than it seems: one line of warning each.

Training that cannot mean anything is refused where the data are read (a classification
label with one class: ``tfcourse.data.labels``); the cases here train, but the user should
know:

- fewer training rows than features: the optimum is not unique (for linear regression the
  least-squares system is underdetermined), and the weights found depend on where they start;
- a feature that is constant in the training rows: it carries nothing a model can learn;
- a validation split without a positive example (logistic regression) or without some
  classes (softmax): recall, F1 and ROC AUC are undefined there.
"""

import numpy as np

from tfcourse import data


def warnings_for(split, spec):
    """The warning lines for a loaded ``data.Split`` and its model spec (list of str)."""
    found = []
    train = split.train
    n_rows, n_features = data.n_train(train), len(data.encoded_names(spec.columns))
    if n_rows < n_features:
        found.append("{} training rows for {} features: with fewer rows than features the "
                     "optimum is not unique, and the weights found depend on their initial "
                     "values".format(n_rows, n_features))
    if isinstance(train, data.Dataset):
        found.extend(_constant_columns(train))
    if split.validation is not None and spec.classes is not None:
        found.extend(_validation_classes(split.validation, spec))
    return found


def _constant_columns(dataset):
    """Warnings for the columns with one value (and no gaps) in every training row."""
    found = []
    numeric, text = data.numeric_columns(dataset.columns), data.text_columns(dataset.columns)
    for j, column in enumerate(numeric):
        values = dataset.x[:, j]
        if len(values) > 1 and not np.isnan(values).any() and values.min() == values.max():
            found.append(_constant(column.name, "{:g}".format(values[0])))
    for j, column in enumerate(text):
        values = set(dataset.text[:, j].tolist()) if dataset.text is not None else set()
        if len(dataset.x) > 1 and len(values) == 1 and "" not in values:
            found.append(_constant(column.name, repr(values.pop())))
    return found


def _constant(name, value):
    return ("column {!r} holds one value ({}) in every training row: it carries nothing a "
            "model can learn (data.ignore: [{}] leaves it out)".format(name, value, name))


def _validation_classes(validation, spec):
    """Warnings for classes the validation rows lack."""
    present = set(validation.y[:, 0].astype(int).tolist())
    missing = [name for k, name in enumerate(spec.classes) if k not in present]
    if not missing:
        return []
    rows = len(validation.y)
    if len(spec.classes) == 2 and missing == [spec.classes[1]]:
        return ["the validation split ({} rows) holds no positive example ({} = {!r}): recall, "
                "F1 and ROC AUC are undefined there; a larger data.validation_fraction holds "
                "out more rows".format(rows, spec.label, spec.classes[1])]
    return ["the validation split ({} rows) holds no row of class {}: {}; a larger "
            "data.validation_fraction holds out more rows".format(
                rows, ", ".join(repr(name) for name in missing),
                "ROC AUC is undefined there" if len(spec.classes) == 2
                else "its recall is undefined there")]
