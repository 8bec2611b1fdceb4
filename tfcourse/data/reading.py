"""The checking pass over a CSV file: missing values, column types, classes, statistics.

``Plan`` says which columns a config reads and how; ``CheckingPass`` consumes the file's
chunks in order (one chunk when the file is read whole, many when it is streamed) and
``finish`` decides what the training rows teach. ``rows`` turns a chunk into model
inputs with what was decided: the same code for the file read whole, for the batches
streamed from it and for every worker's shard.
"""

import collections

import numpy as np

from tfcourse.data import column_types, columns as columns_lib, labels as labels_lib
from tfcourse.data import summary as summary_lib
from tfcourse.data import split as split_lib
from tfcourse.data.inputs import model_inputs, numbers
from tfcourse.data.types import TEXT_KINDS
from tfcourse.errors import DataError

MISSING_POLICIES = ("impute", "drop", "error")

Plan = collections.namedtuple(
    "Plan", "path names kinds indices text_indices label label_kind positive missing na_values "
            "max_categories ignored weight class_weight")
Plan.__doc__ = """What to read of a file and how (see ``plan``).

Attributes:
    names: feature columns (str) in order; kinds: their type from ``data.columns`` or None
        (guessed); indices: 0-based CSV columns of the features, then of the weight column
        (when there is one), then of the label;
    text_indices: those read as text; label, label_kind ("number", "binary", "classes"),
    positive, missing (``MISSING_POLICIES``), na_values, max_categories, weight (a column
    name or None), class_weight: from the config;
    ignored: columns left out by ``data.ignore`` / ``data.columns``.
"""

Decided = collections.namedtuple("Decided", "columns classes mean std notes warnings "
                                            "class_weights")
Decided.__doc__ = """What the checking pass decided: the feature ``Column`` s, the label's
classes (or None), the encoded features' statistics, lines to print, and ``class_weights``
(a float per class for the loss, or None)."""


def plan(header, data_config, label_kind):
    """The ``Plan`` for ``header`` (a ``csv_reader.Header``) and a resolved data config.

    Raises:
        DataError: the label, a feature or a column named in ``data.columns`` /
            ``data.ignore`` is not in the file; the label is a feature; no feature is left.
    """
    label = data_config.label
    columns_lib.label_column(header, label)
    overrides = dict(data_config.columns or {})
    named = list(overrides) + list(data_config.ignore or ())
    missing = [name for name in named if columns_lib.index_of(header, name) is None]
    if missing:
        raise DataError("{}: column(s) {} of data.columns / data.ignore not found{}; columns "
                        "are: {}".format(header.path, ", ".join(repr(n) for n in missing),
                                         columns_lib.did_you_mean(header, missing),
                                         ", ".join(header.names)))
    ignored = set(data_config.ignore or ()) | set(
        name for name, kind in overrides.items() if kind == "ignore")
    if label in ignored or label in overrides:
        raise DataError("{}: the label '{}' is named in data.ignore / data.columns, which type "
                        "feature columns".format(header.path, label))
    weight = data_config.weight
    if weight is not None:
        if columns_lib.index_of(header, weight) is None:
            raise DataError("{}: weight column '{}' (data.weight) not found; columns are: "
                            "{}".format(header.path, weight, ", ".join(header.names)))
        if weight == label or weight in (data_config.features or ()):
            raise DataError("{}: column '{}' is data.weight and also the label or a "
                            "feature".format(header.path, weight))
        ignored.add(weight)
    if data_config.class_weight is not None and label_kind == "number":
        raise DataError("data.class_weight: a regression's label has no classes ({})".format(
            header.path))
    names = columns_lib.select_features(header, label, data_config.features)
    kept = tuple(name for name in names if name not in ignored)
    if not kept:
        raise DataError("{}: no feature column left: every one is ignored".format(header.path))
    indices = [columns_lib.index_of(header, name) for name in kept]
    text_indices = [i for name, i in zip(kept, indices) if overrides.get(name) in TEXT_KINDS]
    label_index = columns_lib.index_of(header, label)
    if label_kind != "number":
        text_indices.append(label_index)
    weights = [columns_lib.index_of(header, weight)] if weight is not None else []
    return Plan(path=header.path, names=kept, kinds=tuple(overrides.get(name) for name in kept),
                indices=tuple(indices + weights + [label_index]),
                text_indices=tuple(text_indices), label=label, label_kind=label_kind,
                positive=data_config.positive, missing=data_config.missing,
                na_values=tuple(data_config.na_values),
                max_categories=data_config.max_categories,
                ignored=tuple(name for name in names if name in ignored and name != weight),
                weight=weight, class_weight=data_config.class_weight)


def model_plan(header, spec, na_values, with_label, drop_missing=False):
    """The ``Plan`` that reads a file for a trained model (``spec``: its
    ``model_dir.ModelSpec``): its columns by name, then its weight column (when the file has
    it) and label when ``with_label``; rows without a label or weight are not kept, nor with
    ``drop_missing`` rows with a missing feature.

    Raises:
        DataError: a feature column is missing, or the label when ``with_label``.
    """
    names = tuple(column.name for column in spec.columns)
    indices = columns_lib.model_columns(header, names, spec.label, with_label)[0][:len(names)]
    text_indices = [i for column, i in zip(spec.columns, indices) if column.kind in TEXT_KINDS]
    weight = spec.weight if with_label and spec.weight in header.names else None
    if weight is not None:
        indices.append(header.names.index(weight))
    if with_label:
        indices.append(header.names.index(spec.label))
        if spec.classes is not None:
            text_indices.append(indices[-1])
    return Plan(path=header.path, names=names, kinds=tuple(c.kind for c in spec.columns),
                indices=tuple(indices), text_indices=tuple(text_indices),
                label=spec.label if with_label else None,
                label_kind="number" if spec.classes is None else "classes", positive=None,
                missing="drop" if drop_missing else "impute", na_values=tuple(na_values),
                max_categories=None, ignored=(), weight=weight, class_weight=None)


def _where(plan, header_names, name):
    return "{}:{{}}:{} (column '{}')".format(plan.path, header_names.index(name) + 1, name)


def kept_rows(pd, plan, header_names, chunk):
    """``(keep, missing, label_missing)`` of a chunk under ``plan.missing``: rows without a
    label (or weight) are never kept; with "drop" neither are rows with a missing feature.
    A plan without a label (``plan.label`` None: prediction input) keeps rows without one.

    Raises:
        DataError: with "error", the chunk's first missing cell (file order).
    """
    missing = [summary_lib.missing_mask(pd, values) for values in chunk.values]
    label_missing = (missing[-1].copy() if plan.label is not None
                     else np.zeros(len(chunk.lines), bool))
    if plan.weight is not None:  # a row without its weight is not trained on either
        label_missing |= missing[len(plan.names)]
    features_missing = np.zeros(len(chunk.lines), bool)
    for mask in missing[:len(plan.names)]:
        features_missing |= mask
    if plan.missing == "error" and (features_missing | label_missing).any():
        row = int(np.argmax(features_missing | label_missing))
        j = next(j for j, mask in enumerate(missing) if mask[row])
        name = (plan.names + ((plan.weight,) if plan.weight else ()) + (plan.label,))[j]
        raise DataError("{}: missing value (data.missing: error)".format(
            _where(plan, header_names, name).format(chunk.lines[row])))
    keep = ~label_missing
    if plan.missing == "drop":
        keep &= ~features_missing
    return keep, missing, label_missing


class CheckingPass(object):
    """Consumes a file's chunks in order; ``finish`` gives the ``Decided`` columns."""

    def __init__(self, pd, plan, header_names, validation_fraction, seed):
        self.pd, self.plan, self.header_names = pd, plan, header_names
        self.validation_fraction, self.seed = validation_fraction, seed
        self.summaries = [summary_lib.Summary(name, index in plan.text_indices)
                          for name, index in zip(plan.names, plan.indices)]
        self.label_numbers = summary_lib.Summary(plan.label)
        self.label_classes = labels_lib.LabelSummary()
        self.n_rows = self.n_train = self.n_validation = 0
        self.train_weight = 0.0
        self.dropped_label = self.dropped_missing = 0

    def add(self, chunk):
        """Adds a ``csv_reader.Chunk``; returns ``(keep, held)`` masks of its rows."""
        held = split_lib.is_validation(np.arange(self.n_rows, self.n_rows + len(chunk.lines)),
                                       self.validation_fraction, self.seed)
        self.n_rows += len(chunk.lines)
        keep, missing, label_missing = kept_rows(self.pd, self.plan, self.header_names, chunk)
        self.dropped_label += int(label_missing.sum())
        self.dropped_missing += int((~keep).sum() - label_missing.sum())
        train = keep & ~held
        self.n_train += int(train.sum())
        self.n_validation += int((keep & held).sum())
        lines, in_train = chunk.lines[keep], train[keep]
        for summary, values, mask in zip(self.summaries, chunk.values, missing):
            summary.add(self.pd, values[keep], mask[keep], lines, in_train)
        if self.plan.weight is not None:
            weight = weights_of(self.pd, chunk.values[len(self.plan.names)][keep], lines,
                                _where(self.plan, self.header_names, self.plan.weight))
            self.train_weight += float(weight[in_train].sum())
        label = chunk.values[-1][keep]
        if self.plan.label_kind == "number":
            self.label_numbers.add(self.pd, label, np.zeros(len(label), bool), lines, in_train)
        else:
            self.label_classes.add(summary_lib.as_text(label[in_train]))
        return keep, held

    def finish(self):
        """Decides the columns, the classes and the statistics.

        Raises:
            DataError: a cell that does not fit its column's type, a label that does not
                fit the model, a side of the split without rows.
        """
        plan = self.plan
        split_lib.check_sizes(plan.path, self.n_train + self.n_validation, self.n_validation,
                              self.validation_fraction)
        columns, summaries, warnings, ignored = [], [], [], list(plan.ignored)
        for summary, kind in zip(self.summaries, plan.kinds):
            kind = kind or column_types.guess_kind(summary)
            if kind == "ignore":
                warnings.append("column '{}' has no value in the training rows: ignored".format(
                    summary.name))
                ignored.append(summary.name)
                continue
            column, warning = column_types.decide(
                summary, kind, plan.max_categories, plan.path,
                self.header_names.index(summary.name) + 1)
            columns.append(column)
            summaries.append(summary)
            warnings += [warning] if warning else []
        if not columns:
            raise DataError("{}: no feature column has a value in the training rows".format(
                plan.path))
        classes = self._classes()
        if plan.weight is not None and not self.train_weight > 0:
            raise DataError("{} (column '{}'): the training rows' weights sum to 0".format(
                plan.path, plan.weight))
        class_weights = labels_lib.class_weights(self.label_classes, classes, plan.class_weight,
                                                 "data.class_weight ({})".format(plan.path))
        mean, std = column_types.encoded_statistics(columns, summaries)
        notes = ["columns: {}".format(column_types.describe(columns, ignored))]
        if self.dropped_label:
            notes.append("dropped {} row{} without a label{}".format(
                self.dropped_label, "" if self.dropped_label == 1 else "s",
                " or weight" if plan.weight else ""))
        if self.dropped_missing:
            notes.append("dropped {} row{} with missing values (data.missing: drop)".format(
                self.dropped_missing, "" if self.dropped_missing == 1 else "s"))
        if plan.label_kind == "binary":
            notes.append("positive class: {} = {!r} (probability is P({} = {!r}))".format(
                plan.label, classes[1], plan.label, classes[1]))
        if class_weights is not None:
            notes.append("class weights: {}".format(", ".join(
                "{} {:.4g}".format(name, weight) for name, weight in zip(classes, class_weights))))
        return Decided(tuple(columns), classes, mean, std, notes, warnings, class_weights)

    def unread_text(self, decided):
        """CSV column indices (0-based) of guessed columns ``decided`` typed boolean, date
        or categorical while a chunk held their cells as numbers (``Summary.numeric_chunks``:
        a streamed file's blocks are typed one by one): the pass must read them again as
        text to count every cell, as the file read whole does."""
        kinds = dict((column.name, column.kind) for column in decided.columns)
        return tuple(index for summary, kind, index in zip(self.summaries, self.plan.kinds,
                                                            self.plan.indices)
                     if kind is None and kinds.get(summary.name) in TEXT_KINDS and
                     summary.numeric_chunks and index not in self.plan.text_indices)

    def _classes(self):
        plan = self.plan
        where = "{} (column '{}')".format(plan.path, plan.label)
        if plan.label_kind != "number":
            return labels_lib.classes(self.label_classes, plan.label_kind, plan.positive, where)
        summary = self.label_numbers
        for first, problem in ((summary.first_text, "{!r} is not a number"),
                               (summary.first_infinite, "{!r} is not finite (as float32)")):
            if first is not None:
                raise DataError("{}: {} (the label of a regression must be a number; for "
                                "classes use --model logistic or softmax)".format(
                                    _where(plan, self.header_names, plan.label).format(first[0]),
                                    problem.format(first[1])))
        return None


def weights_of(pd, values, lines, where):
    """``[rows, 1]`` float32 weights of the ``data.weight`` column's cells (``where``:
    ``"<file>:{}:<n> (column '<name>')"``).

    Raises:
        DataError: a cell that is missing, not a number or negative (naming its line).
    """
    weight = numbers(pd, values, lines, where, allow_missing=False)
    negative = np.flatnonzero(weight < 0)
    if len(negative):
        raise DataError("{}: weight {:.7g} is negative".format(
            where.format(lines[negative[0]]), float(weight[negative[0]])))
    return weight.reshape(-1, 1)


def rows(pd, plan, header_names, chunk, decided, keep=None):
    """``(x, text, y, weight, lines)`` of a chunk's kept rows, as the model takes them
    (``y`` None without a label in the plan, ``weight`` None without a weight column).

    Args:
        keep: the chunk's kept rows (``kept_rows``), or None to compute them.

    Raises:
        DataError: see ``inputs.model_inputs``, ``inputs.numbers`` and
            ``labels.class_indices``.
    """
    if keep is None:
        keep = kept_rows(pd, plan, header_names, chunk)[0]
    values = [column[keep] for column in chunk.values]
    lines = chunk.lines[keep]
    by_name = dict(zip(plan.names, values))
    x, text = model_inputs(pd, [by_name[column.name] for column in decided.columns], lines,
                           decided.columns, lambda name: _where(plan, header_names, name))
    y = None
    if plan.label is None:
        pass
    elif decided.classes is None:
        y = numbers(pd, values[-1], lines, _where(plan, header_names, plan.label),
                    allow_missing=False).reshape(-1, 1)
    else:
        y = labels_lib.class_indices(summary_lib.as_text(values[-1]), decided.classes, lines,
                                     "{} (column '{}')".format(plan.path, plan.label))
    weight = None
    if plan.weight is not None:
        weight = weights_of(pd, values[len(plan.names)], lines,
                            _where(plan, header_names, plan.weight))
    return x, text, y, weight, lines
