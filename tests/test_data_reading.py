"""Tests of tfcourse.data.reading: the plan of a config, the missing-value policies, and the
checking pass giving the same columns, statistics and rows whether a file is read whole or
streamed in blocks."""

import datetime

import numpy as np
import pytest

from tfcourse import data
from tfcourse.data import batches, csv_reader, reading
from tfcourse.errors import DataError

from csv_files import data_config, write

SEED = 3


def same_columns(found, expected):
    """Columns equal but for the fills, equal up to float64 rounding (sums in other chunks)."""
    assert [column._replace(fill=None) for column in found] == [
        column._replace(fill=None) for column in expected]
    for column, other in zip(found, expected):
        assert column.fill == (None if other.fill is None else pytest.approx(other.fill,
                                                                               rel=1e-12))


def config(path, **options):
    options.setdefault("validation_fraction", 0.0)
    return data_config(path=path, label="y", **options)


def error(function, *args, **kwargs):
    with pytest.raises(DataError) as info:
        function(*args, **kwargs)
    return str(info.value)


# --- the plan ----------------------------------------------------------------------------------------

def test_plan_of_a_config(tmp_path):
    path = write(tmp_path, "id,a,b,c,y,d\n1,2,3,4,5,6\n")
    header = csv_reader.read_header(path)
    plan = reading.plan(header, config(path, ignore=("id",), columns={"b": "categorical",
                                                                      "c": "ignore",
                                                                      "d": "date"},
                                       na_values=["-"], missing="drop", positive="5"),
                        "binary")
    assert plan.names == ("a", "b", "d") and plan.kinds == (None, "categorical", "date")
    assert plan.indices == (1, 2, 5, 4)  # the features, then the label
    assert plan.text_indices == (2, 5, 4)  # forced text kinds, and a class label
    assert plan.ignored == ("id", "c")
    assert (plan.label, plan.label_kind, plan.positive, plan.missing) == ("y", "binary", "5", "drop")
    assert (plan.na_values, plan.max_categories) == (("-",), 50)
    numeric = reading.plan(header, config(path, features=("d", "a")), "number")
    assert numeric.names == ("d", "a") and numeric.indices == (5, 1, 4)
    assert numeric.text_indices == () and numeric.ignored == ()


# --- missing values ----------------------------------------------------------------------------------

GAPS = "a,b,y\n1,,10\n2,5,\n,6,30\n4,8,40\n5,9,50\n"


def test_impute_fills_with_the_training_mean_and_adds_indicators(tmp_path):
    split = data.read_csv(config(write(tmp_path, GAPS)))
    a, b = split.train.columns
    assert (a.fill, a.indicator, b.fill, b.indicator) == (10 / 3.0, True, 23 / 3.0, True)
    np.testing.assert_array_equal(split.train.x, [[1, np.nan], [np.nan, 6], [4, 8], [5, 9]])
    np.testing.assert_array_equal(split.train.y, [[10], [30], [40], [50]])
    assert data.encoded_names(split.train.columns) == ("a", "a_missing", "b", "b_missing")
    filled = np.array([[1, 0, 23 / 3.0, 1], [10 / 3.0, 1, 6, 0], [4, 0, 8, 0], [5, 0, 9, 0]])
    np.testing.assert_allclose(split.mean, filled.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(split.std, filled.std(axis=0), rtol=1e-6)
    assert split.notes == [
        "columns: a numeric (gaps: filled with the mean, plus a_missing), b numeric (gaps: "
        "filled with the mean, plus b_missing)", "dropped 1 row without a label"]


def test_an_indicator_only_when_the_training_rows_had_gaps(tmp_path):
    held = data.split.is_validation(np.arange(40), 0.25, SEED)
    gap = int(np.flatnonzero(held)[0])
    rows = ["{},{},{}".format(i, "" if i == gap else i * 2, i) for i in range(40)]
    path = write(tmp_path, "a,b,y\n" + "\n".join(rows) + "\n")
    for function in (data.read_csv, data.scan):
        split = function(config(path, validation_fraction=0.25), "number", SEED)
        b = split.validation.columns[1]
        train_b = 2.0 * np.flatnonzero(~held)
        assert not b.indicator and b.fill == train_b.mean()
        assert data.encoded_names(split.validation.columns) == ("a", "b")
        row = int(np.searchsorted(np.flatnonzero(held), gap))
        assert np.isnan(split.validation.x[row, 1])  # the graph fills it with b.fill
        np.testing.assert_allclose(split.std[1], train_b.std(), rtol=1e-6)


def test_drop_counts_the_rows_and_keeps_the_split_of_the_file_rows(tmp_path):
    path = write(tmp_path, GAPS)
    for function in (data.read_csv, data.scan):
        split = function(config(path, missing="drop"), "number", SEED, block_bytes=9)
        assert split.notes == ["columns: a numeric, b numeric", "dropped 1 row without a label",
                               "dropped 2 rows with missing values (data.missing: drop)"]
        assert split.mean.tolist() == [4.5, 8.5]
    split = data.read_csv(config(path, missing="drop"))
    np.testing.assert_array_equal(split.train.x, [[4, 8], [5, 9]])
    assert [column.indicator for column in split.train.columns] == [False, False]
    assert data.scan(config(path, missing="drop"), "number", SEED).train.n_train == 2
    assert data.scan(config(path, missing="drop"), "number", SEED).train.n_rows == 5


def test_error_names_the_first_missing_cell_in_file_order(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,3\n4,5,\n,7,8\n")
    expected = "{}:3:3 (column 'y'): missing value (data.missing: error)".format(path)
    for function in (data.read_csv, data.scan):
        for block_bytes in (4, csv_reader.BLOCK_BYTES):
            assert error(function, config(path, missing="error"), "number", 0,
                         block_bytes=block_bytes) == expected
    path = write(tmp_path, "a,b,c,y\n1,2,x,3\n4,?,y,5\n", "text.csv")
    assert error(data.read_csv, config(path, missing="error")) == (
        "{}:3:2 (column 'b'): missing value (data.missing: error)".format(path))


def test_gaps_in_text_columns(tmp_path):
    text = "c,flag,day,y\nred,yes,2020-01-01,1\n,no,,2\nblue,,2020-01-03,3\nred,no,2020-01-05,4\n"
    split = data.read_csv(config(write(tmp_path, text)))
    c, flag, day = split.train.columns
    assert c.missing_category and not c.indicator and c.vocabulary == ("red", "blue")
    assert flag.indicator and flag.fill == 1 / 3.0
    assert day.indicator and day.fill == 18264.0  # 2020-01-03
    assert split.train.text.tolist() == [["red", "yes", "2020-01-01"], ["", "no", ""],
                                         ["blue", "", "2020-01-03"], ["red", "no", "2020-01-05"]]
    assert data.encoded_names(split.train.columns) == (
        "c=red", "c=blue", "c=<missing>", "flag", "flag_missing", "day", "day_missing")
    assert datetime.date(2020, 1, 1) - datetime.date(1970, 1, 1) == datetime.timedelta(18262)


def test_custom_na_values(tmp_path):
    path = write(tmp_path, "a,b,y\n1,-,1\n2,n/a,2\n3,NA,3\n" + "4,4,4\n" * 30)
    assert error(data.read_csv, config(path, na_values=["-", "n/a"], missing="error")) == (
        "{}:2:2 (column 'b'): missing value (data.missing: error)".format(path))
    assert error(data.read_csv, config(path, na_values=["-", "n/a"])) == (  # "NA" is text
        "{}:4:2 (column 'b'): 'NA' is not a number (30 of the column's 31 training values are numbers; "
        "data.columns: {{b: categorical}} reads it as categories)".format(path))
    assert error(data.read_csv, config(path, na_values=["-"])) == (
        "{}:3:2 (column 'b'): 'n/a' is not a number (30 of the column's 32 training values are numbers; "
        "data.columns: {{b: categorical}} reads it as categories)".format(path))
    split = data.read_csv(config(path, na_values=["-", "n/a", "NA"]))
    assert split.train.columns[1].indicator and split.train.columns[1].fill == 4.0
    np.testing.assert_array_equal(split.train.x[:3, 1], [np.nan] * 3)


# --- read whole and streamed: the same columns, statistics and rows ---------------------------------

def typed_file(tmp_path, n_rows=900):
    """A file of every column type with gaps, a text label and an identifier column."""
    rng = np.random.RandomState(0)
    lines = ["id,num,flag,day,color,y"]
    for i in range(n_rows):
        num = "" if rng.uniform() < 0.05 else "{:.3f}".format(rng.normal(10, 3))
        flag = "" if rng.uniform() < 0.05 else rng.choice(["yes", "no", "Yes"])
        day = "" if rng.uniform() < 0.05 else str(np.datetime64("2019-06-01") +
                                                 int(rng.randint(0, 700)))
        color = "NA" if rng.uniform() < 0.05 else rng.choice(
            ["red", "green", "blue", "teal", "pink", "gold"], p=[.3, .25, .2, .15, .07, .03])
        label = "" if i % 97 == 5 else rng.choice(["Adelie", "Gentoo"])
        lines.append("u{},{},{},{},{},{}".format(i, num, flag, day, color, label))
    return write(tmp_path, "\n".join(lines) + "\n", "typed.csv")


@pytest.mark.parametrize("block_bytes", [64, 1000, 2 ** 20])
def test_streamed_equals_read_whole(tmp_path, block_bytes):
    path = typed_file(tmp_path)
    options = dict(validation_fraction=0.2, max_categories=4)
    memory = data.read_csv(config(path, **options), "binary", SEED)
    streamed = data.scan(config(path, **options), "binary", SEED, block_bytes=block_bytes)
    same_columns(streamed.train.decided.columns, memory.train.columns)
    assert [column.kind for column in memory.train.columns] == [
        "categorical", "numeric", "boolean", "date", "categorical"]
    assert streamed.train.decided.classes == memory.train.classes == ("Adelie", "Gentoo")
    np.testing.assert_allclose(streamed.mean, memory.mean, rtol=1e-6)
    np.testing.assert_allclose(streamed.std, memory.std, rtol=1e-6)
    assert streamed.notes == memory.notes and streamed.warnings == memory.warnings
    assert memory.warnings[0] == ("column 'id' looks like an identifier ({} distinct values in "
                                  "{} training rows): add it to data.ignore unless it carries "
                                  "meaning".format(len(memory.train.x), len(memory.train.x)))
    assert memory.warnings[1].startswith("column 'color': 6 categories; the 4 most frequent")
    for name in ("x", "text", "y"):
        np.testing.assert_array_equal(getattr(streamed.validation, name),
                                      getattr(memory.validation, name))
    x, text, y = next(batches.streamed_batches(streamed.train, streamed.train.n_train, 0, SEED))
    np.testing.assert_array_equal(x, memory.train.x)
    assert text.tolist() == memory.train.text.tolist()
    np.testing.assert_array_equal(y, memory.train.y)


@pytest.mark.parametrize("text, kind", [
    # numbers in the first blocks, words after: the words make the column categorical
    ("b,y\n" + "10,1\n" * 6 + "red,1\nblue,0\n" * 5, "categorical"),
    # 0/1 then yes/no: not a boolean column (the file read whole has four values)
    ("b,y\n0,1\n1,0\n1,1\n0,0\n" + "yes,1\nno,0\n" * 3, "categorical"),
])
def test_a_column_typed_as_numbers_in_some_blocks_streams_as_read_whole(tmp_path, text, kind):
    path = write(tmp_path, text)
    memory = data.read_csv(config(path), "number", SEED)
    assert memory.train.columns[0].kind == kind
    for block_bytes in (8, 20, 1000):
        streamed = data.scan(config(path), "number", SEED, block_bytes=block_bytes)
        same_columns(streamed.train.decided.columns, memory.train.columns)
        np.testing.assert_allclose(streamed.mean, memory.mean, rtol=1e-6)
        x, cells, y = next(batches.streamed_batches(streamed.train, len(memory.train.x), 0,
                                                     SEED))
        assert cells.tolist() == memory.train.text.tolist()


def test_text_of_a_large_file_typed_in_parts_by_pandas_is_str(tmp_path):
    # pandas reads a wide file in parts of a few thousand rows: a column of numbers in the
    # first part and words later comes back with int objects among the str ones.
    n_rows, width = 3000, 400
    lines = [",".join(["b"] + ["c{}".format(j) for j in range(width)] + ["y"])]
    filler = ",".join(["0"] * width)
    for i in range(n_rows):
        cell = str(i % 7) if i < 2400 else ("red", "blue")[i % 2]
        lines.append("{},{},{}".format(cell, filler, i % 2))
    path = write(tmp_path, "\n".join(lines) + "\n")
    split = data.read_csv(config(path, features=("b",)))
    assert split.train.columns[0].kind == "categorical"
    assert set(type(cell) for cell in split.train.text.ravel()) == {str}
    assert split.train.text[:8, 0].tolist() == ["0", "1", "2", "3", "4", "5", "6", "0"]
    assert split.train.columns[0].vocabulary == ("0", "1", "2", "3", "4", "5", "6", "blue",
                                                 "red")


def test_rows_of_a_chunk(tmp_path):
    path = write(tmp_path, "a,c,y\n1,x,M\n2,,B\n3,z,\n4,x,B\n")
    header = csv_reader.read_header(path)
    plan = reading.plan(header, config(path), "binary")
    chunk = csv_reader.read_all(header, plan.indices, text_columns=plan.text_indices)
    checking = reading.CheckingPass(data.cells.pandas(), plan, header.names, 0.0, SEED)
    keep, held = checking.add(chunk)
    assert keep.tolist() == [True, True, False, True] and not held.any()
    decided = checking.finish()
    x, text, y, weight, lines = reading.rows(data.cells.pandas(), plan, header.names, chunk,
                                             decided)
    assert weight is None
    np.testing.assert_array_equal(x, [[1], [2], [4]])
    assert text.tolist() == [["x"], [""], ["x"]]
    np.testing.assert_array_equal(y, [[1], [0], [0]])
    np.testing.assert_array_equal(lines, [2, 3, 5])
    assert decided.classes == ("B", "M")
