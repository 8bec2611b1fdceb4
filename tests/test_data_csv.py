"""Tests of tfcourse.data.csv_reader on real files: every check, its exact message, on both paths.

Each bad file is read whole (``data.read_csv``) and streamed (``data.scan``), with the
default block size and with blocks of a few bytes (many block boundaries): the message
must be the same one line naming file, line and column.
"""

import collections
import os

import numpy as np
import pytest

from tfcourse import data
from tfcourse.data import csv_reader
from tfcourse.errors import DataError
from tfcourse.models import linear, logistic

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIABETES = os.path.join(REPO, "data", "diabetes.csv")
BREAST_CANCER = os.path.join(REPO, "data", "breast_cancer.csv")
DIABETES_FEATURES = ("age", "sex", "bmi", "bp", "tc", "ldl", "hdl", "tch", "ltg", "glu")


def write(tmp_path, content, name="data.csv"):
    """Writes ``content`` (str as UTF-8 without newline translation, or bytes); returns the path."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def data_error(function, *args, **kwargs):
    with pytest.raises(DataError) as info:
        function(*args, **kwargs)
    return str(info.value)


def messages(path, label="y", features=None, label_error=None):
    """The messages of reading ``path`` whole and streamed (two block sizes): a set."""
    found = set()
    for block_bytes in (csv_reader.BLOCK_BYTES, 7):
        found.add(data_error(data.read_csv, path, label, features, label_error,
                             block_bytes=block_bytes))
        found.add(data_error(data.scan, path, label, features, label_error, 0.2, 0,
                             block_bytes=block_bytes))
    return found


# --- bad input: the same message on both paths, table-driven -------------------------------------

BAD = [
    # (content, label, features, label_error, expected message with {} for the path)
    ("a,b,y\n1,2,3\n4,,6\n", "y", None, None, "{}:3:2 (column 'b'): missing value"),
    ("a,y\n1,0\n2, \n", "y", None, logistic.label_error, "{}:3:2 (column 'y'): missing value"),
    ('a,b,y\n1,2,3\n4,5,6\n7,"abc",9\n', "y", None, None,
     "{}:4:2 (column 'b'): 'abc' is not a number"),
    ('a,b,y\n1,2,3\n4,5,6\n7,"1,5",9\n', "y", None, None,
     "{}:4:2 (column 'b'): '1,5' is not a number"),
    ("a,b,y\n1,2,3\n7,1_000,9\n", "y", None, None, "{}:3:2 (column 'b'): '1_000' is not a number"),
    ("a,b,y\n1,2,3\n7,0x10,9\n", "y", None, None, "{}:3:2 (column 'b'): '0x10' is not a number"),
    ("a,b,y\n1,2,3\n7,1.2.3,9\n", "y", None, None, "{}:3:2 (column 'b'): '1.2.3' is not a number"),
    ("a,b,y\n1,2,3\n7,--1,9\n", "y", None, None, "{}:3:2 (column 'b'): '--1' is not a number"),
    ("a,b,y\n1,2,3\n7,\u0663,9\n", "y", None, None,
     "{}:3:2 (column 'b'): '\u0663' is not a number"),
    ("a,b,y\n1,2,3\n7,True,9\n", "y", None, None, "{}:3:2 (column 'b'): 'True' is not a number"),
    ("a,b,y\n1,2,3\n4,nan,6\n", "y", None, None,
     "{}:3:2 (column 'b'): 'nan' is not finite (as float32)"),
    ("a,b,y\n1,2,3\n4,NaN,6\n", "y", None, None,
     "{}:3:2 (column 'b'): 'NaN' is not finite (as float32)"),
    ("a,b,y\n1,2,3\n4,inf,6\n", "y", None, None,
     "{}:3:2 (column 'b'): 'inf' is not finite (as float32)"),
    ("a,b,y\n1,2,3\n4,-inf,6\n", "y", None, None,
     "{}:3:2 (column 'b'): '-inf' is not finite (as float32)"),
    ("a,b,y\n1,2,3\n4,Infinity,6\n", "y", None, None,
     "{}:3:2 (column 'b'): 'Infinity' is not finite (as float32)"),
    ("a,b,y\n1,2,3\n4,1e39,6\n", "y", None, None,
     "{}:3:2 (column 'b'): '1e39' is not finite (as float32)"),
    ("a,b,y\n1,2,3\n4,-3.5e38,6\n", "y", None, None,
     "{}:3:2 (column 'b'): '-3.5e38' is not finite (as float32)"),
    ("a,y\n1,2\n3,inf\n", "y", None, None, "{}:3:2 (column 'y'): 'inf' is not finite (as float32)"),
    ("a,b,y\n1,2,3\n4,5,6,7\n", "y", None, None,
     "{}:3: expected 3 fields as in the header, found 4"),
    ("a,b,y\n1,2,3\n4,5,6\n7,8\n", "y", None, None,
     "{}:4: expected 3 fields as in the header, found 2"),
    (b"a,y\n1,2\n3,\x004\n", "y", None, None, "{}:3:2: malformed CSV: line contains NULL byte"),
    # a NUL is named, not the ragged record it makes (in place of a comma, alone on a line)
    (b"a,b,y\n1,2,3\n4,5\x006\n7,8,9\n", "y", None, None,
     "{}:3:2: malformed CSV: line contains NULL byte"),
    (b"a,b,y\n1,2,3\n\x00\n7,8,9\n", "y", None, None,
     "{}:3:1: malformed CSV: line contains NULL byte"),
    (b"", "y", None, None, "{}: empty file, expected a header row"),
    ("\n\r\n\n", "y", None, None, "{}: empty file, expected a header row"),
    ("a,b,y\n", "y", None, None, "{}: no data rows after the header"),
    ("a,b,y", "y", None, None, "{}: no data rows after the header"),
    ("a,b,y\n\n\n", "y", None, None, "{}: no data rows after the header"),
    ("a,b,y,b\n1,2,3,4\n", "y", None, None, "{}:1:4: duplicate column name 'b'"),
    ("a, a ,y\n1,2,3\n", "y", None, None, "{}:1:2: duplicate column name 'a'"),
    ("a,  ,y\n1,2,3\n", "y", None, None, "{}:1:2: empty column name"),
    (b"a,y\n1,2\n3,\xff\n", "y", None, None, "{}:3:2: not UTF-8 text (byte 10)"),
    ("gr\u00f6\u00dfe,y\n1,2\n".encode("latin-1"), "y", None, None,
     "{}:1:1: not UTF-8 text (byte 2)"),
    ("a,b,y\n1,2,3\n", "target", None, None,
     "{}: label column 'target' not found; columns are: a, b, y"),
    ("a,b,y\n1,2,3\n", "y", ["a", "c", "d"], None,
     "{}: feature column(s) 'c', 'd' not found; columns are: a, b, y"),
    ("a,b,y\n1,2,3\n", "y", ["a", "y"], None, "{}: column 'y' is both the label and a feature"),
    ("a,b,y\n1,2,0\n", "y", ["a", "b", "a"], None,
     "{}: feature column(s) 'a' listed more than once"),
    ("y\n1\n2\n", "y", None, None, "{}: no feature column: the only column is the label 'y'"),
    ("a,y\n1,0\n2,1\n3,3\n4,2\n5,3\n6,1\n", "y", None, logistic.label_error,
     "{}:4:2 (column 'y'): labels must be 0 or 1 for logistic regression, found 2, 3"),
    ("y,a\n0,1\n\n0.5,2\n", "y", None, logistic.label_error,
     "{}:4:1 (column 'y'): labels must be 0 or 1 for logistic regression, found 0.5"),
    (b"a,y\r\n1,2\r\n\r\nx,3\r\n", "y", None, None, "{}:4:1 (column 'a'): 'x' is not a number"),
    ("a,y\n\n1,0\n\n\n2,1\n3,x\n", "y", None, None, "{}:7:2 (column 'y'): 'x' is not a number"),
    ("\n\na,y\n1,2\n3,4,5\n", "y", None, None, "{}:5: expected 2 fields as in the header, found 3"),
    ("\na,a\n1,2\n", "y", None, None, "{}:2:2: duplicate column name 'a'"),
    ('a,y\n1,"2\n"\n3,x\n', "y", None, None, "{}:4:2 (column 'y'): 'x' is not a number"),
    ("a,b,y\n1,2,0\n3,x,1\ny,4,0\n", "y", None, None, "{}:3:2 (column 'b'): 'x' is not a number"),
    ("gr\u00f6\u00dfe,\u6e29\u5ea6,y\n1.5,20,1\n2.5,x,0\n", "y", None, None,
     "{}:3:2 (column '\u6e29\u5ea6'): 'x' is not a number"),
    # reading order: a bad cell before a ragged row, a ragged row before a bad cell
    ("a,b,y\n1,2,3\n4,x,6\n7,8\n", "y", None, None, "{}:3:2 (column 'b'): 'x' is not a number"),
    ("a,b,y\n1,2,3\n7,8\n4,x,6\n", "y", None, None,
     "{}:3: expected 3 fields as in the header, found 2"),
]


@pytest.mark.parametrize("content, label, features, label_error, expected", BAD)
def test_bad_input_gives_one_message_on_both_paths(tmp_path, recwarn, content, label, features,
                                                   label_error, expected):
    path = write(tmp_path, content)
    assert messages(path, label, features, label_error) == {expected.format(path)}
    assert not [str(warning.message) for warning in recwarn]  # the error is the one line shown


def test_non_utf8_bytes_deep_in_a_large_file(tmp_path):
    content = b"\xef\xbb\xbfa,y\n" + b"1,2\n" * 3000 + b"3,caf\xe9\n"
    path = write(tmp_path, content)
    assert messages(path) == {"{}:3002:2: not UTF-8 text (byte {})".format(
        path, content.index(b"\xe9"))}


def test_directory_and_missing_path(tmp_path):
    assert data_error(data.read_csv, str(tmp_path), "y") == (
        "{}: cannot read: Is a directory".format(tmp_path))
    path = str(tmp_path / "nope.csv")
    assert data_error(data.read_csv, path, "y") == (
        "{}: cannot read: No such file or directory".format(path))


def test_first_bad_cell_of_a_long_file_in_a_late_block(tmp_path):
    rows = ["{},{}".format(i, 2 * i) for i in range(20000)]
    rows[15000] = "15000,x"
    rows[17000] = "y,1"
    path = write(tmp_path, "a,y\n" + "\n".join(rows) + "\n")
    for block_bytes in (4096, csv_reader.BLOCK_BYTES):
        assert data_error(data.read_csv, path, "y", block_bytes=block_bytes) == (
            "{}:15002:2 (column 'y'): 'x' is not a number".format(path))


def test_bad_cells_of_columns_not_read_are_ignored(tmp_path):
    path = write(tmp_path, "a,b,y\n1,n/a,3\n4,5,6\n")
    dataset = data.read_csv(path, "y", features=["a"])
    np.testing.assert_array_equal(dataset.x, [[1], [4]])


def test_same_labels_are_fine_for_linear(tmp_path):
    path = write(tmp_path, "a,y\n1,0\n2,3\n3,2\n")
    dataset = data.read_csv(path, "y", label_error=linear.label_error)
    np.testing.assert_array_equal(dataset.y, [[0.0], [3.0], [2.0]])


def test_largest_float32_is_finite(tmp_path):
    path = write(tmp_path, "a,y\n3.4e38,1e-50\n")
    dataset = data.read_csv(path, "y")
    assert dataset.x[0, 0] == np.float32(3.4e38)
    assert dataset.y[0, 0] == 0.0


# --- valid input ---------------------------------------------------------------------------------


def test_byte_order_mark(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbfa,y\n1.5,0\n2.5,1\n")
    dataset = data.read_csv(path, "y", label_error=logistic.label_error)
    assert dataset.feature_names == ("a",)
    assert dataset.label == "y"
    assert dataset.source == path
    np.testing.assert_array_equal(dataset.x, [[1.5], [2.5]])
    np.testing.assert_array_equal(dataset.y, [[0.0], [1.0]])


@pytest.mark.parametrize("content", [
    b"a,b,y\r\n1,2,3\r\n4,5,6\r\n", b"a,b,y\r1,2,3\r4,5,6\r", b"a,b,y\n1,2,3\n\n \t\n4,5,6",
    b'a,"b",y\n"1","2",3\n4,5,"6"\n'])
def test_line_endings_blank_lines_and_quotes(tmp_path, content):
    dataset = data.read_csv(write(tmp_path, content), "y", block_bytes=5)
    np.testing.assert_array_equal(dataset.x, [[1, 2], [4, 5]])
    np.testing.assert_array_equal(dataset.y, [[3], [6]])


def test_quoted_numbers(tmp_path):
    path = write(tmp_path, 'a,"b",y\n"1.5","-2e3","1"\n')
    dataset = data.read_csv(path, "y")
    assert dataset.feature_names == ("a", "b")
    np.testing.assert_array_equal(dataset.x, [[1.5, -2000.0]])
    np.testing.assert_array_equal(dataset.y, [[1.0]])


def test_integer_and_float_labels_for_logistic(tmp_path):
    path = write(tmp_path, "a,y\n1,0\n2,1\n3,1.0\n4,0.0\n5,1e0\n")
    dataset = data.read_csv(path, "y", label_error=logistic.label_error)
    assert dataset.y.dtype == np.float32
    np.testing.assert_array_equal(dataset.y, [[0], [1], [1], [0], [1]])


def test_non_ascii_names(tmp_path):
    path = write(tmp_path, "gr\u00f6\u00dfe,\u6e29\u5ea6,y\n1.5,20,1\n2.5,21,0\n")
    dataset = data.read_csv(path, "y", features=["\u6e29\u5ea6", "gr\u00f6\u00dfe"])
    assert dataset.feature_names == ("\u6e29\u5ea6", "gr\u00f6\u00dfe")
    np.testing.assert_array_equal(dataset.x, [[20, 1.5], [21, 2.5]])
    path = write(tmp_path, "a,\u00e9tiquette\n1,0\n", "label.csv")
    assert data.read_csv(path, "\u00e9tiquette").label == "\u00e9tiquette"


def test_spaces_around_numbers_and_names(tmp_path):
    path = write(tmp_path, " a , b ,y \n 1.5 ,\t-2 ,  3\n")
    dataset = data.read_csv(path, "y")
    assert dataset.feature_names == ("a", "b")
    np.testing.assert_array_equal(dataset.x, [[1.5, -2.0]])
    np.testing.assert_array_equal(dataset.y, [[3.0]])


def test_features_select_and_order_columns_and_the_label_need_not_be_last(tmp_path):
    path = write(tmp_path, "a,b,c,y\n1,2,3,4\n5,6,7,8\n")
    dataset = data.read_csv(path, "y", features=["c", "a"])
    assert dataset.feature_names == ("c", "a") and dataset.x.dtype == np.float32
    np.testing.assert_array_equal(dataset.x, [[3, 1], [7, 5]])
    dataset = data.read_csv(write(tmp_path, "y,a,b\n1,2,3\n", "first.csv"), "y")
    assert dataset.feature_names == ("a", "b")
    np.testing.assert_array_equal(dataset.y, [[1]])


def test_header_and_text_keep_the_cells_as_written(tmp_path):
    path = write(tmp_path, '\n\n a ,note,y\n1," x, ""q"" ",2\n\n3, y ,4\n')
    header = csv_reader.read_header(path)
    assert header.names == ("a", "note", "y") and header.line == 3
    assert csv_reader.read_text(header).tolist() == [["1", ' x, "q" ', "2"], ["3", " y ", "4"]]


def test_chunks_carry_each_rows_line(tmp_path):
    path = write(tmp_path, 'a,y\n\n1,"2\n"\r\n\r\n3,4\r5,6\n')
    header = csv_reader.read_header(path)
    for block_bytes in (3, 1000):
        chunks = list(csv_reader.read_chunks(header, [1, 0], block_bytes))
        np.testing.assert_array_equal(np.concatenate([c.lines for c in chunks]), [3, 6, 7])
        np.testing.assert_array_equal(np.concatenate([c.values for c in chunks]),
                                      [[2, 1], [4, 3], [6, 5]])


def test_model_input_without_label_and_with_missing_features(tmp_path):
    path = write(tmp_path, "b,a,extra\n1,2,x\n3,4,y\n")
    dataset, header = data.read_model_input(path, ("a", "b"), "y", require_label=False)
    assert dataset.y is None and header.names == ("b", "a", "extra")
    np.testing.assert_array_equal(dataset.x, [[2, 1], [4, 3]])
    assert data_error(data.read_model_input, path, ("a", "b"), "y") == (
        "{}: label column 'y' not found; columns are: b, a, extra".format(path))
    assert data_error(data.read_model_input, path, ("a", "c"), "y") == (
        "{}: the model's feature column(s) c are missing; the model has a, c, the file has "
        "b, a, extra".format(path))


# --- the shipped data sets -----------------------------------------------------------------------


def test_diabetes():
    dataset = data.read_csv(DIABETES, "progression")
    assert dataset.x.shape == (442, 10) and dataset.y.shape == (442, 1)
    assert dataset.x.dtype == np.float32 and dataset.y.dtype == np.float32
    assert dataset.feature_names == DIABETES_FEATURES and dataset.label == "progression"
    np.testing.assert_array_equal(
        dataset.x[0], np.array([59, 2, 32.1, 101.0, 157, 93.2, 38.0, 4.0, 4.8598, 87], np.float32))
    assert dataset.y[0, 0] == 151.0


def test_breast_cancer():
    dataset = data.read_csv(BREAST_CANCER, "malignant", label_error=logistic.label_error)
    assert dataset.x.shape == (569, 30) and dataset.y.shape == (569, 1)
    assert dataset.feature_names[:2] == ("mean_radius", "mean_texture")
    assert dataset.feature_names[-1] == "worst_fractal_dimension"
    assert collections.Counter(dataset.y.ravel().tolist()) == {1.0: 212, 0.0: 357}
    assert dataset.x[0, 0] == np.float32(17.99)


def test_values_are_the_correctly_rounded_float32_of_the_text():
    import csv
    with open(BREAST_CANCER, newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    expected = np.array([[np.float32(float(cell)) for cell in row] for row in rows])
    dataset = data.read_csv(BREAST_CANCER, "malignant")
    np.testing.assert_array_equal(np.hstack([dataset.x, dataset.y]), expected)


def test_diabetes_progression_is_not_binary():
    assert messages(DIABETES, "progression", label_error=logistic.label_error) == {
        "{}:2:11 (column 'progression'): labels must be 0 or 1 for logistic regression, "
        "found 25, 31, 37, 39, 40".format(DIABETES)}
