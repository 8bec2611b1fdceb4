"""The label column: a number to predict, or one of the classes of the training rows.

A model asks for one of ``KINDS``: "number" (linear regression: every label a finite
number), "binary" (logistic regression: exactly two classes) or "classes" (softmax
regression: two or more). Classes are the label's own values as the file spells them,
from the training rows: in numeric order when they are all numbers, else sorted as text.
Labels that are all numbers are compared as numbers: ``1``, ``1.0`` and ``1e0`` are one
class, named by its shortest spelling in the training rows.
For "binary" the positive class comes second (``y`` 1.): ``data.positive`` if given,
else the class spelled 1, true or yes (any case), else the second in order.
"""

import collections

import numpy as np

from tfcourse.errors import DataError

KINDS = ("number", "binary", "classes")
POSITIVE_WORDS = ("1", "1.0", "true", "yes", "t", "y")


class LabelSummary(object):
    """The classes of the training rows' labels (text), added chunk after chunk."""

    def __init__(self):
        self.counts = collections.Counter()

    def add(self, labels):
        """``labels``: object array of the training rows' label text (none missing)."""
        self.counts.update(labels.tolist())


def _number(name):
    """float of a label's text, or None when it is not a number."""
    try:
        return float(name)
    except ValueError:
        return None


def _order(names):
    """The distinct classes of ``names`` (str): one per number, in numeric order, when
    every name is a number (the shortest spelling, then the first in text order); else
    sorted as text."""
    numbers = [_number(name) for name in names]
    if any(number is None for number in numbers):
        return sorted(names)
    spellings = {}
    for number, name in zip(numbers, names):
        spellings.setdefault(number, []).append(name)
    return [min(spellings[number], key=lambda name: (len(name), name))
            for number in sorted(spellings)]


def classes(summary, kind, positive, where):
    """The classes in index order (tuple of str) for a "binary" or "classes" label.

    Args:
        summary: a ``LabelSummary`` of the training rows.
        positive: ``data.positive`` or None.
        where: ``"<file> (column '<label>')"`` for messages.

    Raises:
        DataError: one class only; more than two for "binary" (naming ``--model softmax``);
            ``positive`` is not one of them.
    """
    names = _order(summary.counts)
    shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
    if len(names) < 2:
        raise DataError("{}: the training rows' labels hold one class only ({}): a "
                        "classifier needs two or more".format(where, shown or "none"))
    if kind == "classes":
        return tuple(names)
    if len(names) > 2:
        raise DataError("{}: {} classes in the training rows ({}): logistic regression needs "
                        "exactly 2; use --model softmax".format(where, len(names), shown))
    if positive is not None:
        same = [name for name in names if name == positive or (
            _number(positive) is not None and _number(name) == _number(positive))]
        if not same:
            raise DataError("{}: data.positive = {!r} is not one of the label's classes: "
                            "{}".format(where, positive, shown))
        positive = same[0]
    else:
        conventional = [name for name in names if name.strip().lower() in POSITIVE_WORDS]
        positive = conventional[0] if len(conventional) == 1 else names[1]
    return tuple(name for name in names if name != positive) + (positive,)


def class_indices(labels, classes, lines, where):
    """``[rows, 1]`` float32 class indices of ``labels`` (object array of str).

    Labels are matched by their text, or by their number when every class is a number
    (``1.0`` is class ``1``).

    Raises:
        DataError: a label is not one of ``classes`` (naming its line).
    """
    index = {name: i for i, name in enumerate(classes)}
    numbers = [_number(name) for name in classes]
    by_number = ({} if any(number is None for number in numbers) else
                 {number: i for i, number in enumerate(numbers)})

    def find(label):
        if label in index:
            return index[label]
        return by_number.get(_number(label), -1) if by_number else -1
    found = np.array([find(label) for label in labels.tolist()], np.float32)
    unknown = np.flatnonzero(found < 0)
    if len(unknown):
        row = unknown[0]
        raise DataError("{}: label {!r} on line {} is not one of the training rows' classes: "
                        "{}".format(where, labels[row], lines[row], ", ".join(classes)))
    return found.reshape(-1, 1)


def class_weights(summary, classes, config, where):
    """The weight of each class in the loss (tuple of float, in ``classes``' order), or None.

    Args:
        summary: the ``LabelSummary`` of the training rows.
        classes: the classes in index order, or None (a numeric label).
        config: ``data.class_weight``: None, "balanced" (``n / (K · n_k)`` with ``n_k`` the
            training rows of class k: scikit-learn's formula) or a dict class -> weight
            (classes not named weigh 1).
        where: what to name in messages.

    Raises:
        DataError: the mapping names a value that is not one of the classes.
    """
    if config is None or classes is None:
        return None
    if config == "balanced":
        names = sorted(summary.counts)
        found = class_indices(np.array(names, object), classes, np.zeros(len(names), int),
                              where)[:, 0].astype(int)
        counts = np.bincount(found, weights=[summary.counts[name] for name in names],
                             minlength=len(classes))
        return tuple(float(counts.sum() / (len(classes) * count)) for count in counts)
    unknown = [name for name in config if name not in classes]
    if unknown:
        raise DataError("{}: {} not among the label's classes: {}".format(
            where, ", ".join(repr(name) for name in unknown), ", ".join(classes)))
    return tuple(float(config.get(name, 1.0)) for name in classes)
