"""Tests of tfcourse.data.csv_reader and data.read_csv on valid files: line ends, quotes,
byte-order marks, delimiters, text kept as written, a trained model's own input, and the
shipped data sets (bad files: test_data_csv.py)."""

import collections
import os

import numpy as np
import pytest

from tfcourse import data
from tfcourse.data import csv_reader

from csv_files import config, data_error, read, write

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIABETES = os.path.join(REPO, "data", "diabetes.csv")
BREAST_CANCER = os.path.join(REPO, "data", "breast_cancer.csv")
DIABETES_FEATURES = ("age", "sex", "bmi", "bp", "tc", "ldl", "hdl", "tch", "ltg", "glu")


# --- valid input ---------------------------------------------------------------------------------


def test_byte_order_mark(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbfa,y\n1.5,0\n2.5,1\n")
    dataset = read(path, kind="binary")
    assert tuple(column.name for column in dataset.columns) == ("a",)
    assert (dataset.label, dataset.source, dataset.classes) == ("y", path, ("0", "1"))
    np.testing.assert_array_equal(dataset.x, [[1.5], [2.5]])
    np.testing.assert_array_equal(dataset.y, [[0.0], [1.0]])
    assert csv_reader.read_header(path).names == ("a", "y")


@pytest.mark.parametrize("content", [
    b"a,b,y\r\n1,2,3\r\n4,5,6\r\n", b"a,b,y\r1,2,3\r4,5,6\r", b"a,b,y\n1,2,3\n\n \t\n4,5,6",
    b'a,"b",y\n"1","2",3\n4,5,"6"\n'])
def test_line_endings_blank_lines_and_quotes(tmp_path, content):
    path = write(tmp_path, content)
    seed = next(seed for seed in range(100)
                if data.split.is_validation(np.arange(2), 0.5, seed).sum() == 1)
    held = data.split.is_validation(np.arange(2), 0.5, seed)
    for function in (data.read_csv, data.scan):
        split = function(config(path, validation_fraction=0.5), "number", seed, block_bytes=5)
        np.testing.assert_array_equal(split.validation.x, np.array([[1, 2], [4, 5]])[held])
        np.testing.assert_array_equal(split.validation.y, np.array([[3], [6]])[held])
    dataset = data.read_csv(config(path), "number", 0, block_bytes=5).train
    np.testing.assert_array_equal(dataset.x, [[1, 2], [4, 5]])
    np.testing.assert_array_equal(dataset.y, [[3], [6]])


def test_quoted_numbers(tmp_path):
    dataset = read(write(tmp_path, 'a,"b",y\n"1.5","-2e3","1"\n'))
    assert tuple(column.name for column in dataset.columns) == ("a", "b")
    assert dataset.text is None
    np.testing.assert_array_equal(dataset.x, [[1.5, -2000.0]])
    np.testing.assert_array_equal(dataset.y, [[1.0]])


def test_integer_and_float_labels_for_logistic_are_one_class_per_number(tmp_path):
    path = write(tmp_path, "a,y\n1,0\n2,1\n3,1.0\n4,0.0\n5,1e0\n6,0\n")
    for function in (data.read_csv, data.scan):
        split = function(config(path), "binary", 0, block_bytes=9)
        assert split.validation is None
        assert split.notes[-1] == "positive class: y = '1' (probability is P(y = '1'))"
    dataset = read(path, kind="binary")
    assert dataset.classes == ("0", "1") and dataset.y.dtype == np.float32
    np.testing.assert_array_equal(dataset.y, [[0], [1], [1], [0], [1], [0]])


def test_non_ascii_names(tmp_path):
    path = write(tmp_path, "gr\u00f6\u00dfe,\u6e29\u5ea6,y\n1.5,20,1\n2.5,21,0\n")
    dataset = read(path, features=("\u6e29\u5ea6", "gr\u00f6\u00dfe"))
    assert tuple(column.name for column in dataset.columns) == ("\u6e29\u5ea6", "gr\u00f6\u00dfe")
    np.testing.assert_array_equal(dataset.x, [[20, 1.5], [21, 2.5]])
    path = write(tmp_path, "a,\u00e9tiquette\n1,0\n2,1\n", "label.csv")
    assert read(path, "\u00e9tiquette").label == "\u00e9tiquette"


def test_spaces_around_numbers_and_names(tmp_path):
    dataset = read(write(tmp_path, " a , b ,y \n 1.5 ,\t-2 ,  3\n"))
    assert tuple(column.name for column in dataset.columns) == ("a", "b")
    np.testing.assert_array_equal(dataset.x, [[1.5, -2.0]])
    np.testing.assert_array_equal(dataset.y, [[3.0]])


def test_features_select_and_order_columns_and_the_label_need_not_be_last(tmp_path):
    path = write(tmp_path, "a,b,c,y\n1,2,3,4\n5,6,7,8\n")
    dataset = read(path, features=("c", "a"))
    assert tuple(column.name for column in dataset.columns) == ("c", "a")
    assert dataset.x.dtype == np.float32
    np.testing.assert_array_equal(dataset.x, [[3, 1], [7, 5]])
    dataset = read(write(tmp_path, "y,a,b\n1,2,3\n", "first.csv"))
    assert tuple(column.name for column in dataset.columns) == ("a", "b")
    np.testing.assert_array_equal(dataset.y, [[1]])


@pytest.mark.parametrize("delimiter, separator", [(";", ";"), ("\t", "\t"), ("auto", ";"),
                                                  ("auto", "\t"), ("auto", ",")])
def test_delimiters(tmp_path, delimiter, separator):
    # a decimal comma stays text in a semicolon file (a category, not a number)
    rows = ["a", "b", "y"], ["1.5", "x,1", "3"], ["2", "x,2", "4"], ["1.5", "x,1", "5"]
    quote = '"{}"'.format if separator == "," else str
    text = "\n".join(separator.join(quote(cell) if "," in cell else cell for cell in row)
                     for row in rows) + "\n"
    path = write(tmp_path, text)
    header = csv_reader.read_header(path, delimiter)
    assert header.names == ("a", "b", "y") and header.delimiter == separator
    for function in (data.read_csv, data.scan):
        split = function(config(path, delimiter=delimiter), "number", 0, block_bytes=6)
        assert split.notes[0] == "columns: a numeric, b categorical (2 categories)"
    dataset = read(path, delimiter=delimiter)
    np.testing.assert_array_equal(dataset.x, [[1.5], [2], [1.5]])
    assert dataset.text.tolist() == [["x,1"], ["x,2"], ["x,1"]]
    np.testing.assert_array_equal(dataset.y, [[3], [4], [5]])


def test_a_header_without_any_delimiter_is_one_column_for_auto(tmp_path):
    path = write(tmp_path, "y\n1\n2\n")
    assert csv_reader.read_header(path, "auto").delimiter == ","
    assert csv_reader.read_header(write(tmp_path, "a;b,c;d\n", "tie.csv"), "auto").delimiter == ";"


def test_header_and_text_keep_the_cells_as_written(tmp_path):
    path = write(tmp_path, '\n\n a ,note,y\n1," x, ""q"" ",2\n\n3, y ,4\n')
    header = csv_reader.read_header(path)
    assert header.names == ("a", "note", "y") and header.line == 3 and header.delimiter == ","
    assert csv_reader.read_text(header).tolist() == [["1", ' x, "q" ', "2"], ["3", " y ", "4"]]


def test_chunks_carry_each_rows_line_and_text_columns_stay_text(tmp_path):
    path = write(tmp_path, 'a,y,c\n\n1,"2\n",07\r\n\r\n3,4,NA\r5,6,x\n')
    header = csv_reader.read_header(path)
    for block_bytes in (3, 1000):
        chunks = list(csv_reader.read_chunks(header, [1, 0, 2], block_bytes, text_columns=[2],
                                             na_values=["NA"]))
        np.testing.assert_array_equal(np.concatenate([c.lines for c in chunks]), [3, 6, 7])
        np.testing.assert_array_equal(np.concatenate([c.values[0] for c in chunks]), [2, 4, 6])
        np.testing.assert_array_equal(np.concatenate([c.values[1] for c in chunks]), [1, 3, 5])
        text = np.concatenate([np.asarray(c.values[2], object) for c in chunks])
        assert text[0] == "07" and np.isnan(text[1]) and text[2] == "x"
    whole = csv_reader.read_all(header, [1, 0, 2], text_columns=[2], na_values=["NA"])
    np.testing.assert_array_equal(whole.lines, [3, 6, 7])
    assert whole.values[2][0] == "07" and whole.values[0].tolist() == [2, 4, 6]


# --- a trained model's own input -----------------------------------------------------------------


class Spec(collections.namedtuple("Spec", "columns label classes weight")):
    """What ``read_model_input`` takes of a ``model_dir.ModelSpec``."""


def test_model_input_without_label_and_with_missing_features(tmp_path):
    spec = Spec(weight=None, columns=(data.types.numeric_column("a", 1.0),
                                      data.types.numeric_column("b")),
                label="y", classes=None)
    path = write(tmp_path, "b,a,extra\n1,2,x\n3,,y\n")
    dataset, header, dropped = data.read_model_input(path, spec, with_label=False)
    assert dataset.y is None and header.names == ("b", "a", "extra") and dropped == 0
    np.testing.assert_array_equal(dataset.x, [[2, 1], [np.nan, 3]])  # NaN: filled in the graph
    assert data_error(data.read_model_input, path, spec) == (
        "{}: label column 'y' not found; columns are: b, a, extra".format(path))
    other = spec._replace(columns=spec.columns[:1] + (data.types.numeric_column("c"),))
    assert data_error(data.read_model_input, path, other, with_label=False) == (
        "{}: the model's feature column(s) c are missing; the model has a, c, the file has "
        "b, a, extra".format(path))


def test_model_input_rows_without_a_label_are_dropped_and_classes_matched(tmp_path):
    columns = (data.types.numeric_column("a", 0.0),
               data.types.Column("c", "categorical", None, False, ("x", "z"), (), (), False,
                                 True))
    spec = Spec(columns=columns, label="y", classes=("0", "1"), weight=None)
    path = write(tmp_path, "a,c,y\n1,x,1.0\n2,,\n3,07,0\n4,z,1\n")
    dataset, _, dropped = data.read_model_input(path, spec)
    assert dropped == 1
    np.testing.assert_array_equal(dataset.x, [[1], [3], [4]])
    assert dataset.text.tolist() == [["x"], ["07"], ["z"]]  # text as written
    np.testing.assert_array_equal(dataset.y, [[1], [0], [1]])
    assert data.unseen(columns, dataset.text) == [("c", 1, ("07",))]
    path = write(tmp_path, "a,c,y\n1,x,0\n2,x,5\n", "five.csv")
    assert data_error(data.read_model_input, path, spec) == (
        "{} (column 'y'): label '5' on line 3 is not one of the training rows' classes: "
        "0, 1".format(path))
    path = write(tmp_path, "a,c,y\n1,x,0\n2,x,4.5x\n", "number.csv")
    assert data_error(data.read_model_input, path, spec._replace(classes=None)) == (
        "{}:3:3 (column 'y'): '4.5x' is not a number".format(path))
    path = write(tmp_path, "a,c,y\n1,x,0\nq,x,1\n", "typo.csv")
    assert data_error(data.read_model_input, path, spec) == (
        "{}:3:1 (column 'a'): 'q' is not a number".format(path))


# --- the shipped data sets -----------------------------------------------------------------------


def test_diabetes():
    split = data.read_csv(config(DIABETES, "progression"))
    dataset = split.train
    assert dataset.x.shape == (442, 10) and dataset.y.shape == (442, 1) and dataset.text is None
    assert dataset.x.dtype == np.float32 and dataset.y.dtype == np.float32
    assert tuple(column.name for column in dataset.columns) == DIABETES_FEATURES
    assert all(column.kind == "numeric" and not column.indicator for column in dataset.columns)
    assert dataset.label == "progression" and dataset.classes is None
    np.testing.assert_array_equal(
        dataset.x[0], np.array([59, 2, 32.1, 101.0, 157, 93.2, 38.0, 4.0, 4.8598, 87], np.float32))
    assert dataset.y[0, 0] == 151.0
    assert split.notes == ["columns: " + ", ".join(name + " numeric" for name in
                                                   DIABETES_FEATURES)]
    assert split.warnings == []


def test_breast_cancer():
    split = data.read_csv(config(BREAST_CANCER, "malignant"), "binary")
    dataset = split.train
    assert dataset.x.shape == (569, 30) and dataset.y.shape == (569, 1)
    names = tuple(column.name for column in dataset.columns)
    assert names[:2] == ("mean_radius", "mean_texture") and names[-1] == "worst_fractal_dimension"
    assert dataset.classes == ("0", "1")
    assert collections.Counter(dataset.y.ravel().tolist()) == {1.0: 212, 0.0: 357}
    assert dataset.x[0, 0] == np.float32(17.99)
    assert split.notes[-1] == ("positive class: malignant = '1' (probability is "
                               "P(malignant = '1'))")


def test_values_are_the_correctly_rounded_float32_of_the_text():
    import csv
    with open(BREAST_CANCER, newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    expected = np.array([[np.float32(float(cell)) for cell in row] for row in rows])
    dataset = read(BREAST_CANCER, "malignant")
    np.testing.assert_array_equal(np.hstack([dataset.x, dataset.y]), expected)
