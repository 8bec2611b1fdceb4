"""Tests of tfcourse.data.csv_reader on real files: every check, its exact message, on both paths.

Each bad file is read whole (``data.read_csv``) and streamed (``data.scan``), with the
default block size and with blocks of a few bytes (many block boundaries): the message
must be the same one line naming file, line and column. Structural problems (a ragged
row, a NUL or non-UTF-8 byte) are found while reading, before any cell is judged: a
cell's type is decided from the training rows after the pass.
"""

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
# Ten rows of numbers: a bad cell after them is a typo in a numeric column (1 in 11 cells
# is under column_types.TYPO_SHARE), not a column of categories.
TEN = "".join("{},{},{}\n".format(i, i + 1, i + 2) for i in range(10))
REGRESSION = ("the label of a regression must be a number; for classes use --model logistic "
              "or softmax")


def typo(cell, n_text=1, n=11):
    return ("{} is not a number ({} of the column's {} training values are numbers; "
            "data.columns: {{b: categorical}} reads it as categories)".format(cell, n - n_text, n))


def messages(path, label="y", kind="number", **options):
    """The messages of reading ``path`` whole and streamed (two block sizes): a set."""
    found = set()
    for block_bytes in (csv_reader.BLOCK_BYTES, 7):
        found.add(data_error(data.read_csv, config(path, label, **options), kind, 0,
                             block_bytes=block_bytes))
        found.add(data_error(data.scan, config(path, label, **options), kind, 0,
                             block_bytes=block_bytes))
    return found


# --- bad input: the same message on both paths, table-driven -------------------------------------

BAD = [
    # (content, label kind, data options, expected message with {} for the path)
    ("a,b,y\n1,2,3\n4,,6\n", "number", {"missing": "error"},
     "{}:3:2 (column 'b'): missing value (data.missing: error)"),
    ("a,b,y\n1,2,3\n4,NA,6\n", "number", {"missing": "error"},
     "{}:3:2 (column 'b'): missing value (data.missing: error)"),
    ("a,b,y\n1,2,3\n4,5,\n", "number", {"missing": "error"},
     "{}:3:3 (column 'y'): missing value (data.missing: error)"),
    # a row without a label is dropped: one class is left
    ("a,y\n1,0\n2, \n", "binary", {},
     "{} (column 'y'): the training rows' labels hold one class only (0): a classifier needs "
     "two or more"),
    ("a,b,y\n" + TEN + '7,"abc",9\n', "number", {}, "{}:12:2 (column 'b'): " + typo("'abc'")),
    ("a,b,y\n" + TEN + '7,"1,5",9\n', "number", {}, "{}:12:2 (column 'b'): " + typo("'1,5'")),
    ("a,b,y\n" + TEN + "7,1_000,9\n", "number", {}, "{}:12:2 (column 'b'): " + typo("'1_000'")),
    ("a,b,y\n" + TEN + "7,0x10,9\n", "number", {}, "{}:12:2 (column 'b'): " + typo("'0x10'")),
    ("a,b,y\n" + TEN + "7,1.2.3,9\n", "number", {}, "{}:12:2 (column 'b'): " + typo("'1.2.3'")),
    ("a,b,y\n" + TEN + "7,--1,9\n", "number", {}, "{}:12:2 (column 'b'): " + typo("'--1'")),
    ("a,b,y\n" + TEN + "7,\u0663,9\n", "number", {},
     "{}:12:2 (column 'b'): " + typo("'\u0663'")),
    ("a,b,y\n" + TEN + "7,True,9\n", "number", {}, "{}:12:2 (column 'b'): " + typo("'True'")),
    # "nan" is a number only to Python: with no na_values it is text
    ("a,b,y\n" + TEN + "4,nan,6\n", "number", {"na_values": []},
     "{}:12:2 (column 'b'): " + typo("'nan'")),
    # the first of two typos (file order) and how many training cells are text
    ("a,b,y\n" + TEN * 2 + "4,x,6\n5,z,6\n", "number", {},
     "{}:22:2 (column 'b'): " + typo("'x'", 2, 22)),
    # a typo in a held-out row is reported all the same (0 of the training cells)
    ("a,b,y\n" + TEN + "4,x,6\n", "number", {"validation_fraction": 0.2},
     "{}:12:2 (column 'b'): " + typo("'x'", 0, 8)),
    # a numeric cell not finite as float32 is quoted as the number pandas read
    ("a,b,y\n1,2,3\n4,inf,6\n", "number", {},
     "{}:3:2 (column 'b'): 'inf' is not finite (as float32)"),
    ("a,b,y\n1,2,3\n4,-inf,6\n", "number", {},
     "{}:3:2 (column 'b'): '-inf' is not finite (as float32)"),
    ("a,b,y\n1,2,3\n4,Infinity,6\n", "number", {},
     "{}:3:2 (column 'b'): 'inf' is not finite (as float32)"),
    ("a,b,y\n1,2,3\n4,1e39,6\n", "number", {},
     "{}:3:2 (column 'b'): '1e+39' is not finite (as float32)"),
    ("a,b,y\n1,2,3\n4,-3.5e38,6\n", "number", {},
     "{}:3:2 (column 'b'): '-3.5e+38' is not finite (as float32)"),
    ("a,y\n1,2\n3,inf\n", "number", {},
     "{}:3:2 (column 'y'): 'inf' is not finite (as float32) (" + REGRESSION + ")"),
    ("a,b,y\n1,2,3\n4,5,6,7\n", "number", {}, "{}:3: expected 3 fields as in the header, found 4"),
    ("a,b,y\n1,2,3\n4,5,6\n7,8\n", "number", {},
     "{}:4: expected 3 fields as in the header, found 2"),
    (b"a,y\n1,2\n3,\x004\n", "number", {}, "{}:3:2: malformed CSV: line contains NULL byte"),
    # a NUL is named, not the ragged record it makes (in place of a comma, alone on a line)
    (b"a,b,y\n1,2,3\n4,5\x006\n7,8,9\n", "number", {},
     "{}:3:2: malformed CSV: line contains NULL byte"),
    (b"a,b,y\n1,2,3\n\x00\n7,8,9\n", "number", {}, "{}:3:1: malformed CSV: line contains NULL byte"),
    (b"", "number", {}, "{}: empty file, expected a header row"),
    ("\n\r\n\n", "number", {}, "{}: empty file, expected a header row"),
    ("a,b,y\n", "number", {}, "{}: no data rows after the header"),
    ("a,b,y", "number", {}, "{}: no data rows after the header"),
    ("a,b,y\n\n\n", "number", {}, "{}: no data rows after the header"),
    ("a,b,y,b\n1,2,3,4\n", "number", {}, "{}:1:4: duplicate column name 'b'"),
    ("a, a ,y\n1,2,3\n", "number", {}, "{}:1:2: duplicate column name 'a'"),
    ("a,  ,y\n1,2,3\n", "number", {}, "{}:1:2: empty column name"),
    (b"a,y\n1,2\n3,\xff\n", "number", {}, "{}:3:2: not UTF-8 text (byte 10)"),
    ("gr\u00f6\u00dfe,y\n1,2\n".encode("latin-1"), "number", {},
     "{}:1:1: not UTF-8 text (byte 2)"),
    ("a,b,y\n1,2,3\n", "number", {"label": "target"},
     "{}: label column 'target' not found; columns are: a, b, y"),
    ("a,b,y\n1,2,3\n", "number", {"features": ("a", "c", "d")},
     "{}: feature column(s) 'c', 'd' not found; columns are: a, b, y"),
    ("a,b,y\n1,2,3\n", "number", {"features": ("a", "y")},
     "{}: column 'y' is both the label and a feature"),
    ("a,b,y\n1,2,0\n", "number", {"features": ("a", "b", "a")},
     "{}: feature column(s) 'a' listed more than once"),
    ("y\n1\n2\n", "number", {}, "{}: no feature column: the only column is the label 'y'"),
    ("a,b,y\n1,2,3\n", "number", {"ignore": ("a", "b")},
     "{}: no feature column left: every one is ignored"),
    ("a,b,y\n1,2,3\n", "number", {"ignore": ("c",), "columns": {"d": "numeric"}},
     "{}: column(s) 'd', 'c' of data.columns / data.ignore not found; columns are: a, b, y"),
    ("a,y\n1,0\n2,1\n3,3\n4,2\n5,3\n6,1\n", "binary", {},
     "{} (column 'y'): 4 classes in the training rows (0, 1, 2, 3): logistic regression needs "
     "exactly 2; use --model softmax"),
    ("a,y\n1,M\n2,M\n", "binary", {},
     "{} (column 'y'): the training rows' labels hold one class only (M): a classifier needs two "
     "or more"),
    ("a,y\n1,M\n2,B\n", "binary", {"positive": "m"},
     "{} (column 'y'): data.positive = 'm' is not one of the label's classes: B, M"),
    # lines are the file's: CRLF, blank lines and a quoted line end counted
    (b"a,y\r\n1,2\r\n\r\n3,x\r\n", "number", {},
     "{}:4:2 (column 'y'): 'x' is not a number (" + REGRESSION + ")"),
    ("a,y\n\n1,0\n\n\n2,1\n3,x\n", "number", {},
     "{}:7:2 (column 'y'): 'x' is not a number (" + REGRESSION + ")"),
    ("\n\na,y\n1,2\n3,4,5\n", "number", {}, "{}:5: expected 2 fields as in the header, found 3"),
    ("\na,a\n1,2\n", "number", {}, "{}:2:2: duplicate column name 'a'"),
    ('a,y\n1,"2\n"\n3,x\n', "number", {},
     "{}:4:2 (column 'y'): 'x' is not a number (" + REGRESSION + ")"),
    ("gr\u00f6\u00dfe,\u6e29\u5ea6,y\n" + TEN + "2.5,x,0\n", "number", {},
     "{}:12:2 (column '\u6e29\u5ea6'): 'x' is not a number (10 of the column's 11 training "
     "values are numbers; data.columns: {\u6e29\u5ea6: categorical} reads it as categories)"),
    # reading order: the structure first, then the cells (whatever their lines)
    ("a,b,y\n" + TEN + "4,x,6\n7,8\n", "number", {},
     "{}:13: expected 3 fields as in the header, found 2"),
    ("a,b,y\n1,2,3\n7,8\n4,x,6\n", "number", {},
     "{}:3: expected 3 fields as in the header, found 2"),
    (b"a,b,y\n" + TEN.encode() + b"4,x,6\n7,\xff,1\n", "number", {},
     "{}:13:2: not UTF-8 text (byte 77)"),
    # the cells: column by column, each column's first bad cell
    ("a,b,y\n" + "".join("{0},{0},1\n".format(i) for i in range(10)) + "1,x,2\nz,1,2\n",
     "number", {},
     "{}:13:1 (column 'a'): 'z' is not a number (11 of the column's 12 training values are numbers; "
     "data.columns: {a: categorical} reads it as categories)"),
]


@pytest.mark.parametrize("content, kind, options, expected", BAD)
def test_bad_input_gives_one_message_on_both_paths(tmp_path, recwarn, content, kind, options,
                                                   expected):
    path = write(tmp_path, content)
    assert messages(path, kind=kind, **options) == {expected.replace("{}", path, 1)}
    assert not [str(warning.message) for warning in recwarn]  # the error is the one line shown


def test_non_utf8_bytes_deep_in_a_large_file(tmp_path):
    content = b"\xef\xbb\xbfa,y\n" + b"1,2\n" * 3000 + b"3,caf\xe9\n"
    path = write(tmp_path, content)
    assert messages(path) == {"{}:3002:2: not UTF-8 text (byte {})".format(
        path, content.index(b"\xe9"))}


def test_directory_and_missing_path(tmp_path):
    assert data_error(read, str(tmp_path)) == "{}: cannot read: Is a directory".format(tmp_path)
    path = str(tmp_path / "nope.csv")
    assert data_error(read, path) == "{}: cannot read: No such file or directory".format(path)


def test_first_bad_cell_of_a_long_file_in_a_late_block(tmp_path):
    rows = ["{},{}".format(i, 2 * i) for i in range(20000)]
    rows[15000] = "15000,x"
    rows[17000] = "16999,y"
    path = write(tmp_path, "a,y\n" + "\n".join(rows) + "\n")
    for block_bytes in (4096, csv_reader.BLOCK_BYTES):
        for function in (data.read_csv, data.scan):
            assert data_error(function, config(path), "number", 0, block_bytes=block_bytes) == (
                "{}:15002:2 (column 'y'): 'x' is not a number ({})".format(path, REGRESSION))


def test_bad_cells_of_columns_not_read_are_ignored(tmp_path):
    path = write(tmp_path, "a,b,c,y\n1,n/a,\xff,3\n4,5,6,7\n".replace("\xff", "x"))
    np.testing.assert_array_equal(read(path, features=("a",)).x, [[1], [4]])
    np.testing.assert_array_equal(read(path, ignore=("b", "c")).x, [[1], [4]])
    np.testing.assert_array_equal(read(path, columns={"b": "ignore", "c": "ignore"}).x,
                                  [[1], [4]])


def test_any_numbers_are_fine_for_linear(tmp_path):
    dataset = read(write(tmp_path, "a,y\n1,0\n2,3\n3,2.5\n4,-1e3\n"))
    assert dataset.classes is None and dataset.y.dtype == np.float32
    np.testing.assert_array_equal(dataset.y, [[0.0], [3.0], [2.5], [-1000.0]])


def test_largest_float32_is_finite(tmp_path):
    dataset = read(write(tmp_path, "a,y\n3.4e38,1e-50\n-3.4e38,0\n"))
    np.testing.assert_array_equal(dataset.x[:, 0], np.float32([3.4e38, -3.4e38]))
    assert dataset.y[0, 0] == 0.0


def test_diabetes_progression_is_not_binary():
    assert messages(DIABETES, "progression", kind="binary") == {
        "{} (column 'progression'): 214 classes in the training rows (25, 31, 37, 39, 40, 42, "
        "43, 44, 45, 47, ...): logistic regression needs exactly 2; use --model "
        "softmax".format(DIABETES)}
