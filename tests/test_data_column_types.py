"""Tests of tfcourse.data.column_types: each column's type from its training rows, what it
teaches the model (fills, indicators, spellings, vocabularies) and the encoded features'
statistics, against numpy on the encoded matrix built by hand."""

import collections
import datetime

import numpy as np
import pytest

from tfcourse import data
from tfcourse.data import column_types, summary as summary_lib
from tfcourse.data.types import Column, encoded_names, numeric_column
from tfcourse.errors import DataError

from csv_files import config, data_config, write


def read(tmp_path, text, kind="number", **options):
    """``Split`` of ``text`` read whole, every row a training row unless told."""
    options.setdefault("validation_fraction", 0.0)
    return data.read_csv(data_config(path=write(tmp_path, text), label="y", **options), kind)


def columns_of(tmp_path, text, **options):
    return {column.name: column for column in read(tmp_path, text, **options).train.columns}


def data_error(tmp_path, text, **options):
    with pytest.raises(DataError) as error:
        read(tmp_path, text, **options)
    return str(error.value).replace(str(tmp_path / "data.csv"), "f.csv")


# --- the guessed types ---------------------------------------------------------------------------

def test_every_type_guessed(tmp_path):
    text = ("n,yn,tf,iso,slash,cat,y\n"
            "1.5,yes,True,2012-01-01,2012/01/01,red,1\n"
            "2.5,no,False,2012-03-01,2012/03/01 06:00,blue,2\n"
            "-1,Yes,True,2012-01-31T12:00,2012/01/31,red,3\n")
    split = read(tmp_path, text)
    columns = split.train.columns
    assert columns == (
        numeric_column("n", 1.0, False),
        Column("yn", "boolean", 2 / 3.0, False, (),  # the file's spellings, then every word's
               ("Yes", "yes", "true", "True", "TRUE", "YES", "t", "T", "y", "Y"),
               ("no", "false", "False", "FALSE", "No", "NO", "f", "F", "n", "N"), False, False),
        Column("tf", "boolean", 2 / 3.0, False, (),
               ("True", "true", "TRUE", "yes", "Yes", "YES", "t", "T", "y", "Y"),
               ("False", "false", "FALSE", "no", "No", "NO", "f", "F", "n", "N"), False, False),
        Column("iso", "date", (15340 + 15400 + 15370.5) / 3, False, (), (), (), False, False),
        Column("slash", "date", (15340 + 15400.25 + 15370) / 3, False, (), (), (), False, False),
        Column("cat", "categorical", None, False, ("red", "blue"), (), (), False, False))
    assert split.notes == ["columns: n numeric, yn boolean, tf boolean, iso date, slash date, "
                           "cat categorical (2 categories)"]
    assert split.train.text.tolist() == [
        ["yes", "True", "2012-01-01", "2012/01/01", "red"],
        ["no", "False", "2012-03-01", "2012/03/01 06:00", "blue"],
        ["Yes", "True", "2012-01-31T12:00", "2012/01/31", "red"]]  # cells as written
    np.testing.assert_array_equal(split.train.x, [[1.5], [2.5], [-1]])
    assert datetime.date(2012, 1, 1) - datetime.date(1970, 1, 1) == datetime.timedelta(15340)


@pytest.mark.parametrize("values, kind", [
    (("t", "f", "F"), "boolean"), (("Y", "n", "y"), "boolean"), (("no", "NO", "no"), "boolean"),
    (("yes", "true", "no"), "categorical"),  # two spellings of true: not one boolean
    (("yes", "no", "maybe"), "categorical"), (("1", "0", "1"), "numeric"),
    (("2012-01-01", "2012-13-01", "2012-01-02"), "categorical"),  # month 13: not a date
    (("2012-02-29", "2000-02-29", "1999-12-31 23:59:59"), "date"),
    (("20120101", "20120102", "20120103"), "numeric"),
])
def test_kinds_of_three_cells(tmp_path, values, kind):
    text = "c,y\n" + "".join("{},{}\n".format(value, i) for i, value in enumerate(values))
    assert columns_of(tmp_path, text)["c"].kind == kind


def test_ignored_columns_and_a_column_without_values(tmp_path):
    text = "id,a,empty,note,y\n1,2,,x,3\n2,5,NA,y,6\n3,8, ,z,9\n"
    split = read(tmp_path, text, ignore=("id",), columns={"note": "ignore"})
    assert [column.name for column in split.train.columns] == ["a"]
    assert split.notes == ["columns: a numeric, id ignored, note ignored, empty ignored"]
    assert split.warnings == ["column 'empty' has no value in the training rows: ignored"]
    np.testing.assert_array_equal(split.train.x, [[2], [5], [8]])
    assert split.train.text is None


def test_overrides_keep_the_spelling_of_integers_as_categories(tmp_path):
    text = "zip,code,y\n007,1,1\n7,2,2\n07,1,3\n007,3,4\n"
    split = read(tmp_path, text, columns={"zip": "categorical", "code": "categorical"})
    zip_code, code = split.train.columns
    assert zip_code.vocabulary == ("007", "07", "7") and code.vocabulary == ("1", "2", "3")
    assert split.train.text.tolist() == [["007", "1"], ["7", "2"], ["07", "1"], ["007", "3"]]
    assert encoded_names(split.train.columns) == (
        "zip=007", "zip=07", "zip=7", "code=1", "code=2", "code=3")
    np.testing.assert_allclose(split.mean, [0.5, 0.25, 0.25, 0.5, 0.25, 0.25])


def test_overrides_that_do_not_fit_the_cells(tmp_path):
    text = "b,y\nyes,1\nmaybe,2\nno,3\n"
    assert data_error(tmp_path, text, columns={"b": "boolean"}) == (
        "f.csv (column 'b'): expected boolean values (true/false, yes/no), found 'maybe', 'no', "
        "'yes'")
    assert data_error(tmp_path, "b,y\n2012-01-01,1\n2012-02-30,2\n", columns={"b": "date"}) == (
        "f.csv:3:1 (column 'b'): '2012-02-30' is not a date (YYYY-MM-DD or YYYY/MM/DD; "
        "data.columns: {b: categorical} reads the column as categories)")
    assert data_error(tmp_path, text, columns={"b": "numeric"}) == (
        "f.csv:2:1 (column 'b'): 'yes' is not a number (0 of the column's 3 training values are numbers; "
        "data.columns: {b: categorical} reads it as categories)")


def test_a_few_typos_make_a_numeric_column_with_a_bad_cell_more_make_categories(tmp_path):
    numbers = "".join("{},{}\n".format(i, i) for i in range(9))
    assert columns_of(tmp_path, "c,y\n" + numbers + "x,9\nz,10\n")["c"].kind == "categorical"
    assert data_error(tmp_path, "c,y\n" + numbers * 3 + "x,9\n") == (
        "f.csv:29:1 (column 'c'): 'x' is not a number (27 of the column's 28 training values are numbers; "
        "data.columns: {c: categorical} reads it as categories)")


# --- vocabularies ----------------------------------------------------------------------------------

def test_vocabulary_most_frequent_first_ties_sorted_and_other(tmp_path):
    cells = ["b"] * 3 + ["a"] * 3 + ["d"] * 2 + ["c"] * 2 + ["e"] + [""] * 2
    text = "c,y\n" + "".join("{},{}\n".format(cell, i) for i, cell in enumerate(cells))
    assert columns_of(tmp_path, text)["c"] == Column(
        "c", "categorical", None, False, ("a", "b", "c", "d", "e"), (), (), True, False)
    split = read(tmp_path, text, max_categories=3)
    column = split.train.columns[0]
    assert column.vocabulary == ("a", "b", "c") and column.missing_category and column.other
    assert encoded_names(split.train.columns) == ("c=a", "c=b", "c=c", "c=<missing>", "c=<other>")
    n = float(len(cells))
    np.testing.assert_allclose(split.mean, np.array([3, 3, 2, 2, 3]) / n, rtol=1e-6)
    assert split.notes == ["columns: c categorical (3 categories, <missing>, <other>)"]
    assert split.warnings == [
        "column 'c': 5 categories; the 3 most frequent cover 73% of the training rows with a "
        "value, the others share <other> (raise data.max_categories to keep more)"]


def test_identifier_warning(tmp_path):
    ids = "".join("u{},{}\n".format(i, i) for i in range(40))
    split = read(tmp_path, "user,y\n" + ids, max_categories=10)
    assert split.warnings == ["column 'user' looks like an identifier (40 distinct values in 40 "
                              "training rows): add it to data.ignore unless it carries meaning"]
    assert len(split.train.columns[0].vocabulary) == 10 and split.train.columns[0].other
    # 36 distinct values in 40 rows is 90 %: still an identifier; 35 is not
    some = "".join("u{},{}\n".format(min(i, 35), i) for i in range(40))
    assert read(tmp_path, "user,y\n" + some, max_categories=10).warnings == [
        "column 'user' looks like an identifier (36 distinct values in 40 training rows): add "
        "it to data.ignore unless it carries meaning"]
    fewer = "".join("u{},{}\n".format(min(i, 34), i) for i in range(40))
    assert read(tmp_path, "user,y\n" + fewer, max_categories=10).warnings == [  # not an id
        "column 'user': 35 categories; the 10 most frequent cover 38% of the training rows with "
        "a value, the others share <other> (raise data.max_categories to keep more)"]
    assert read(tmp_path, "user,y\n" + ids).warnings == []  # every value kept: no warning


# --- the encoded features' statistics ---------------------------------------------------------------

def typed_rows(n_rows=40):
    """Rows of a file with gaps in every kind of column: ``[(num, flag, day, color, y)]``."""
    rows = []
    for i in range(n_rows):
        day = datetime.date(2020, 1, 1) + datetime.timedelta(days=3 * i)
        rows.append(("" if i % 7 == 3 else "{:.2f}".format(i * 1.5 - 7),
                     "" if i % 5 == 4 else ("yes", "no", "no")[i % 3],
                     "" if i == 10 else day.strftime("%Y/%m/%d" if i % 2 else "%Y-%m-%d"),
                     "" if i % 6 == 5 else ("red", "red", "green", "blue", "teal")[i % 5],
                     "{}".format(i % 4)))
    return rows


def encoded_by_hand(rows, max_categories):
    """The encoded matrix of ``typed_rows`` computed here, independently of tfcourse."""
    num = np.array([float(r[0]) if r[0] else np.nan for r in rows])
    flag = np.array([{"yes": 1.0, "no": 0.0}.get(r[1], np.nan) for r in rows])
    day = np.array([(datetime.date(*map(int, r[2].replace("/", "-").split("-"))) -
                     datetime.date(1970, 1, 1)).days if r[2] else np.nan for r in rows])
    columns = []
    for values in (num, flag, day):
        gaps = np.isnan(values)
        columns += [np.where(gaps, np.nanmean(values), values), gaps.astype(float)]
    colors = [r[3] for r in rows]
    counts = collections.Counter(color for color in colors if color)
    vocabulary = sorted(counts, key=lambda v: (-counts[v], v))[:max_categories]
    columns += [np.array([color == value for color in colors], float) for value in vocabulary]
    columns.append(np.array([color == "" for color in colors], float))
    if len(counts) > max_categories:
        columns.append(np.array([color not in vocabulary and color != "" for color in colors],
                                float))
    return np.stack(columns, axis=1), vocabulary


@pytest.mark.parametrize("max_categories", [50, 2])
def test_encoded_statistics_are_numpys_on_the_encoded_matrix(tmp_path, max_categories):
    rows = typed_rows()
    text = "num,flag,day,color,y\n" + "".join(",".join(row) + "\n" for row in rows)
    split = read(tmp_path, text, max_categories=max_categories)
    matrix, vocabulary = encoded_by_hand(rows, max_categories)
    names = encoded_names(split.train.columns)
    assert names == (("num", "num_missing", "flag", "flag_missing", "day", "day_missing") +
                     tuple("color=" + value for value in vocabulary) + ("color=<missing>",) +
                     (("color=<other>",) if max_categories == 2 else ()))
    assert vocabulary[:2] == ["red", "blue"]
    std = matrix.std(axis=0)
    std[std == 0] = 1.0
    np.testing.assert_allclose(split.mean, matrix.mean(axis=0).astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(split.std, std.astype(np.float32), rtol=1e-6)
    fills = [column.fill for column in split.train.columns[:3]]
    np.testing.assert_allclose(fills, matrix[:, [0, 2, 4]].mean(axis=0), rtol=1e-12)
    assert split.notes[0] == (
        "columns: num numeric (gaps: filled with the mean, plus num_missing), flag boolean "
        "(gaps: filled with the mean, plus flag_missing), day date (gaps: filled with the mean, "
        "plus day_missing), color categorical ({} categories, <missing>{})".format(
            len(vocabulary), ", <other>" if max_categories == 2 else ""))


def test_encoded_statistics_from_summaries_alone():
    # Three rows of one numeric column with a gap: mean 2, variance (1 + 1) / 3 after filling.
    pd = data.cells.pandas()
    summary = summary_lib.Summary("a")
    values = np.array([1.0, np.nan, 3.0])
    summary.add(pd, values, np.isnan(values), np.array([2, 3, 4]), np.ones(3, bool))
    column, warning = column_types.decide(summary, "numeric", 50, "f.csv", 1)
    assert warning is None and column == numeric_column("a", 2.0, True)
    mean, std = column_types.encoded_statistics((column,), (summary,))
    np.testing.assert_allclose(mean, [2.0, 1 / 3.0], rtol=1e-7)
    np.testing.assert_allclose(std, np.sqrt([2 / 3.0, 2 / 9.0]), rtol=1e-7)
    assert mean.dtype == std.dtype == np.float32


def test_summaries_added_in_chunks_equal_the_whole():
    pd = data.cells.pandas()
    cells = np.array(["a", "b", "7", np.nan, "a", "2012-01-01", "b", "c"], object)
    missing = summary_lib.missing_mask(pd, cells)
    lines = np.arange(len(cells)) + 2
    train = np.array([True] * 6 + [False, True])
    whole, parts = summary_lib.Summary("c"), summary_lib.Summary("c")
    whole.add(pd, cells, missing, lines, train)
    for piece in (slice(0, 3), slice(3, 4), slice(4, 8)):
        parts.add(pd, cells[piece], missing[piece], lines[piece], train[piece])
    for summary in (whole, parts):
        assert (summary.n, summary.n_missing, summary.n_text, summary.n_dates) == (7, 1, 5, 1)
        assert summary.counts == {"a": 2, "b": 1, "7": 1, "2012-01-01": 1, "c": 1}
        assert summary.first_text == (2, "a") and summary.first_non_date == (2, "a")
        assert column_types.guess_kind(summary) == "categorical"


def test_missing_mask_reads_blank_cells_as_missing(tmp_path):
    pd = data.cells.pandas()
    cells = np.array(["x", np.nan, "0"], object)
    assert summary_lib.missing_mask(pd, cells).tolist() == [False, True, False]
    # the reader skips the spaces that begin a cell: a blank cell is an empty, missing one
    assert columns_of(tmp_path, "b,y\n1,1\n   ,2\n2,3\n3,4\n")["b"].indicator is True
    assert summary_lib.missing_mask(pd, np.array([1.0, np.nan])).tolist() == [False, True]
    assert summary_lib.missing_mask(pd, np.array([1, 2])).tolist() == [False, False]


def test_describe():
    columns = (numeric_column("a", 0.0, True),
               Column("c", "categorical", None, False, ("x",), (), (), False, True),
               Column("d", "categorical", None, False, ("x", "y"), (), (), True, False))
    assert column_types.describe(columns, ["id"]) == (
        "a numeric (gaps: filled with the mean, plus a_missing), c categorical (1 category, "
        "<other>), d categorical (2 categories, <missing>), id ignored")


def test_categories_beyond_max_categories_are_counted_in_a_warning(tmp_path):
    # 6 categories: a 40 times, b 30, c 20, then d, e, f once each
    cells = ["a"] * 40 + ["b"] * 30 + ["c"] * 20 + ["d", "e", "f"]
    path = tmp_path / "m.csv"
    path.write_text("c,y\n" + "".join("{},{}\n".format(cell, i) for i, cell in enumerate(cells)))
    split = data.read_csv(config(str(path), max_categories=3))
    assert split.train.columns[0].vocabulary == ("a", "b", "c") and split.train.columns[0].other
    assert split.warnings == [
        "column 'c': 6 categories; the 3 most frequent cover 97% of the training rows with a "
        "value, the others share <other> (raise data.max_categories to keep more)"]
