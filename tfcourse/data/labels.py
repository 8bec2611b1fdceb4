"""The label column: a number to predict, or one of the classes of the training rows.

A model asks for one of ``KINDS``: "number" (linear regression: every label a finite
number), "binary" (logistic regression: exactly two classes) or "classes" (softmax
regression: two or more). Classes are the label's own values as the file spells them,
from the training rows: in numeric order when they are all numbers, else sorted as text.
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


def _order(names):
    try:
        return sorted(names, key=float)
    except ValueError:
        return sorted(names)


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
        if positive not in names:
            raise DataError("{}: data.positive = {!r} is not one of the label's classes: "
                            "{}".format(where, positive, shown))
    else:
        conventional = [name for name in names if name.strip().lower() in POSITIVE_WORDS]
        positive = conventional[0] if len(conventional) == 1 else names[1]
    return tuple(name for name in names if name != positive) + (positive,)


def class_indices(labels, classes, lines, where):
    """``[rows, 1]`` float32 class indices of ``labels`` (object array of str).

    Raises:
        DataError: a label is not one of ``classes`` (naming its line).
    """
    index = {name: i for i, name in enumerate(classes)}
    found = np.array([index.get(label, -1) for label in labels.tolist()], np.float32)
    unknown = np.flatnonzero(found < 0)
    if len(unknown):
        row = unknown[0]
        raise DataError("{}: label {!r} on line {} is not one of the training rows' classes: "
                        "{}".format(where, labels[row], lines[row], ", ".join(classes)))
    return found.reshape(-1, 1)
