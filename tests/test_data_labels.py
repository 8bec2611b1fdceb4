"""Tests of tfcourse.data.labels: the classes of the training rows, their order, the
positive class of a binary label, and the class indices of labels."""

import numpy as np
import pytest

from tfcourse import data
from tfcourse.data import labels
from tfcourse.errors import DataError

from csv_files import data_config, write

WHERE = "f.csv (column 'y')"


def summary(*values):
    found = labels.LabelSummary()
    found.add(np.array(values, object))
    return found


def classes(values, kind="binary", positive=None):
    return labels.classes(summary(*values), kind, positive, WHERE)


def error(function, *args):
    with pytest.raises(DataError) as info:
        function(*args)
    return str(info.value)


@pytest.mark.parametrize("values, positive, expected", [
    (("0", "1", "1", "0"), None, ("0", "1")),
    (("1.0", "0.0", "1.0"), None, ("0.0", "1.0")),
    (("yes", "no", "no"), None, ("no", "yes")),
    (("Yes", "No"), None, ("No", "Yes")),
    (("False", "True"), None, ("False", "True")),
    (("t", "f"), None, ("f", "t")),
    (("M", "B", "M"), None, ("B", "M")),  # no conventional name: the second in order
    (("M", "B", "M"), "B", ("M", "B")),
    (("-1", "1"), None, ("-1", "1")),
    (("2", "1"), None, ("2", "1")),  # 1 is the positive class by convention
    (("2", "10"), None, ("2", "10")),  # numeric order: 2 before 10
    (("2", "10"), "2", ("10", "2")),
    (("spam", "ham"), "spam", ("ham", "spam")),
    # one class per number, named by its shortest spelling
    (("1", "1.0", "0", "0.0", "1e0"), None, ("0", "1")),
    (("1.0", "0.0"), "1", ("0.0", "1.0")),  # data.positive matched as a number
    (("yes", "true"), None, ("true", "yes")),  # two conventional names: the second in order
])
def test_binary_classes_and_the_positive_class(values, positive, expected):
    assert classes(values, positive=positive) == expected


def test_classes_for_softmax_in_numeric_or_text_order():
    assert classes(("10", "9", "1", "9"), "classes") == ("1", "9", "10")
    assert classes(("Gentoo", "Adelie", "Chinstrap", "adelie"), "classes") == (
        "Adelie", "Chinstrap", "Gentoo", "adelie")
    assert classes(("1", "x", "10", "2"), "classes") == ("1", "10", "2", "x")  # text order
    assert classes(("3", "3.0", "-0.5"), "classes") == ("-0.5", "3")


def test_classes_errors():
    assert error(classes, ("1", "1.0")) == (
        "f.csv (column 'y'): the training rows' labels hold one class only (1): a classifier "
        "needs two or more")
    assert error(classes, ()) == (
        "f.csv (column 'y'): the training rows' labels hold one class only (none): a classifier "
        "needs two or more")
    assert error(classes, ("a",), "classes") == (
        "f.csv (column 'y'): the training rows' labels hold one class only (a): a classifier "
        "needs two or more")
    assert error(classes, ("a", "b", "c")) == (
        "f.csv (column 'y'): 3 classes in the training rows (a, b, c): logistic regression needs "
        "exactly 2; use --model softmax")
    assert error(classes, tuple(str(i) for i in range(12))) == (
        "f.csv (column 'y'): 12 classes in the training rows (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ...): "
        "logistic regression needs exactly 2; use --model softmax")
    assert error(classes, ("M", "B"), "binary", "m") == (
        "f.csv (column 'y'): data.positive = 'm' is not one of the label's classes: B, M")


def test_class_indices_by_text_or_by_number():
    lines = np.array([2, 3, 4, 5])
    indices = labels.class_indices(np.array(["B", "M", "M", "B"], object), ("M", "B"), lines, WHERE)
    assert indices.dtype == np.float32 and indices.shape == (4, 1)
    assert indices.ravel().tolist() == [1, 0, 0, 1]
    indices = labels.class_indices(np.array(["1.0", "0", "1e0", " 1"], object), ("0", "1"),
                                   lines, WHERE)
    assert indices.ravel().tolist() == [1, 0, 1, 1]
    assert error(labels.class_indices, np.array(["B", "b"], object), ("M", "B"), lines, WHERE) == (
        "f.csv (column 'y'): label 'b' on line 3 is not one of the training rows' classes: M, B")
    assert error(labels.class_indices, np.array(["0", "2"], object), ("0", "1"), lines, WHERE) == (
        "f.csv (column 'y'): label '2' on line 3 is not one of the training rows' classes: 0, 1")
    assert error(labels.class_indices, np.array(["1.0"], object), ("0", "1", "x"), lines,
                 WHERE) == ("f.csv (column 'y'): label '1.0' on line 2 is not one of the "
                            "training rows' classes: 0, 1, x")  # text classes: no numbers


def read(tmp_path, text, kind="binary", **options):
    options.setdefault("validation_fraction", 0.0)
    config = data_config(path=write(tmp_path, text), label="y", **options)
    return data.read_csv(config, kind), data.scan(config, kind, block_bytes=5)


@pytest.mark.parametrize("cells, positive, expected_classes, expected_y", [
    (("0", "1", "1", "0"), None, ("0", "1"), [0, 1, 1, 0]),
    (("1.0", "0.0", "1.0", "0.0"), None, ("0.0", "1.0"), [1, 0, 1, 0]),
    (("1.0", "0.0", "1", "0.0"), None, ("0.0", "1"), [1, 0, 1, 0]),
    (("yes", "no", "no", "yes"), None, ("no", "yes"), [1, 0, 0, 1]),
    (("M", "B", "M", "M"), None, ("B", "M"), [1, 0, 1, 1]),
    (("M", "B", "M", "M"), "B", ("M", "B"), [0, 1, 0, 0]),
])
def test_labels_of_a_file_read_whole_and_streamed(tmp_path, cells, positive, expected_classes,
                                                  expected_y):
    text = "a,y\n" + "".join("{},{}\n".format(i, cell) for i, cell in enumerate(cells))
    memory, streamed = read(tmp_path, text, positive=positive)
    assert memory.train.classes == streamed.train.decided.classes == expected_classes
    np.testing.assert_array_equal(memory.train.y.ravel(), expected_y)
    assert memory.notes[-1] == streamed.notes[-1] == (
        "positive class: y = {0!r} (probability is P(y = {0!r}))".format(expected_classes[1]))


def test_rows_without_a_label_are_dropped_with_a_note(tmp_path):
    memory, streamed = read(tmp_path, "a,y\n1,M\n2,\n3,B\n4,NA\n5, \n6,M\n")
    np.testing.assert_array_equal(memory.train.x, [[1], [3], [6]])
    np.testing.assert_array_equal(memory.train.y, [[1], [0], [1]])
    assert memory.notes == streamed.notes == [
        "columns: a numeric", "dropped 3 rows without a label",
        "positive class: y = 'M' (probability is P(y = 'M'))"]
    assert streamed.train.n_rows == 6 and streamed.train.n_train == 3


def test_held_out_labels_outside_the_training_classes(tmp_path):
    # The classes are the training rows': a held-out row's other label is named with its line.
    held = data.split.is_validation(np.arange(6), 0.5, 0)
    cells = ["z" if h else ("a", "b")[i % 2] for i, h in enumerate(held)]
    text = "x,y\n" + "".join("{},{}\n".format(i, cell) for i, cell in enumerate(cells))
    line = int(np.flatnonzero(held)[0]) + 2
    for function in (data.read_csv, data.scan):
        assert error(function, data_config(path=write(tmp_path, text), label="y",
                                           validation_fraction=0.5), "binary", 0) == (
            "{} (column 'y'): label 'z' on line {} is not one of the training rows' classes: "
            "a, b".format(tmp_path / "data.csv", line))


def test_number_labels_for_regression(tmp_path):
    memory, streamed = read(tmp_path, "a,y\n1,0.5\n2,\n3,-2e3\n", kind="number")
    assert memory.train.classes is None and streamed.train.decided.classes is None
    np.testing.assert_array_equal(memory.train.y, [[0.5], [-2000]])
    assert memory.notes == ["columns: a numeric", "dropped 1 row without a label"]
