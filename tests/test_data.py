"""Tests of tfcourse.data: CSV reading and checks on real files, the shipped data, splits."""

import collections
import os

import numpy as np
import pytest

from tfcourse import data
from tfcourse.config import DataConfig
from tfcourse.errors import DataError, UsageError

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


def config(**fields):
    values = dict.fromkeys(DataConfig._fields)
    values.update(fields)
    return DataConfig(**values)


# --- bad input -------------------------------------------------------------------------------


def test_missing_cell_names_file_line_column(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,3\n4,,6\n")
    assert data_error(data.read_csv, path, "y") == (
        "{}:3:2 (column 'b'): missing value".format(path))


def test_missing_label_cell(tmp_path):
    path = write(tmp_path, "a,y\n1,0\n2, \n")
    assert data_error(data.read_csv, path, "y", model="logistic") == (
        "{}:3:2 (column 'y'): missing value".format(path))


@pytest.mark.parametrize("cell", ["abc", "1,5", "1_000", "0x10", "1.2.3", "--1"])
def test_non_numeric_cell(tmp_path, cell):
    path = write(tmp_path, 'a,b,y\n1,2,3\n4,5,6\n7,"{}",9\n'.format(cell))
    assert data_error(data.read_csv, path, "y") == (
        "{}:4:2 (column 'b'): {!r} is not a number".format(path, cell))


def test_ragged_row_too_many_fields(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,3\n4,5,6,7\n")
    assert data_error(data.read_table, path) == (
        "{}:3: expected 3 fields as in the header, found 4".format(path))


def test_ragged_row_too_few_fields(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,3\n4,5,6\n7,8\n")
    assert data_error(data.read_csv, path, "y") == (
        "{}:4: expected 3 fields as in the header, found 2".format(path))


def test_empty_file(tmp_path):
    path = write(tmp_path, b"")
    assert data_error(data.read_csv, path, "y") == (
        "{}: empty file, expected a header row".format(path))


def test_only_blank_lines_is_an_empty_file(tmp_path):
    path = write(tmp_path, "\n\r\n\n")
    assert data_error(data.read_table, path) == (
        "{}: empty file, expected a header row".format(path))


@pytest.mark.parametrize("content", ["a,b,y\n", "a,b,y", "a,b,y\n\n\n"])
def test_header_only(tmp_path, content):
    path = write(tmp_path, content)
    assert data_error(data.read_csv, path, "y") == (
        "{}: no data rows after the header".format(path))


def test_no_feature_column(tmp_path):
    path = write(tmp_path, "y\n1\n2\n")
    assert data_error(data.read_csv, path, "y") == (
        "{}: no feature column: the only column is the label 'y'".format(path))


def test_unknown_label_column(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,3\n")
    assert data_error(data.read_csv, path, "target") == (
        "{}: label column 'target' not found; columns are: a, b, y".format(path))


def test_unknown_label_column_in_to_dataset(tmp_path):
    table = data.read_table(write(tmp_path, "a,b,y\n1,2,3\n"))
    assert data_error(data.to_dataset, table, ("a", "b"), "target", "linear") == (
        "{}: label column 'target' not found; columns are: a, b, y".format(table.path))


def test_unknown_feature(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,3\n")
    assert data_error(data.read_csv, path, "y", features=["a", "c", "d"]) == (
        "{}: feature column(s) 'c', 'd' not found; columns are: a, b, y".format(path))


def test_label_listed_as_feature(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,3\n")
    assert data_error(data.read_csv, path, "y", features=["a", "y"]) == (
        "{}: column 'y' is both the label and a feature".format(path))


def test_model_feature_missing_from_file(tmp_path):
    table = data.read_table(write(tmp_path, "a,y\n1,2\n"))
    assert data_error(data.to_dataset, table, ("a", "b"), "y", "linear") == (
        "{}: the model's feature column(s) b are missing; the model has a, b, the file has "
        "a, y".format(table.path))


def test_logistic_labels_not_zero_or_one(tmp_path):
    path = write(tmp_path, "a,y\n1,0\n2,1\n3,3\n4,2\n5,3\n6,1\n")
    assert data_error(data.read_csv, path, "y", model="logistic") == (
        "{}:4:2 (column 'y'): labels must be 0 or 1 for logistic regression, found 2, 3".format(
            path))


def test_logistic_fractional_label(tmp_path):
    path = write(tmp_path, "y,a\n0,1\n\n0.5,2\n")
    assert data_error(data.read_csv, path, "y", model="logistic") == (
        "{}:4:1 (column 'y'): labels must be 0 or 1 for logistic regression, found 0.5".format(
            path))


def test_same_labels_are_fine_for_linear(tmp_path):
    path = write(tmp_path, "a,y\n1,0\n2,3\n3,2\n")
    dataset = data.read_csv(path, "y", model="linear")
    np.testing.assert_array_equal(dataset.y, [[0.0], [3.0], [2.0]])


@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-inf", "Infinity", "1e39", "-3.5e38"])
def test_non_finite_values(tmp_path, cell):
    path = write(tmp_path, "a,b,y\n1,2,3\n4,{},6\n".format(cell))
    assert data_error(data.read_csv, path, "y") == (
        "{}:3:2 (column 'b'): {!r} is not finite (as float32)".format(path, cell))


def test_largest_float32_is_finite(tmp_path):
    path = write(tmp_path, "a,y\n3.4e38,1e-50\n")
    dataset = data.read_csv(path, "y")
    assert dataset.x[0, 0] == np.float32(3.4e38)
    assert dataset.y[0, 0] == 0.0


def test_non_finite_label(tmp_path):
    path = write(tmp_path, "a,y\n1,2\n3,inf\n")
    assert data_error(data.read_csv, path, "y") == (
        "{}:3:2 (column 'y'): 'inf' is not finite (as float32)".format(path))


def test_duplicate_column_names(tmp_path):
    path = write(tmp_path, "a,b,y,b\n1,2,3,4\n")
    assert data_error(data.read_csv, path, "y") == (
        "{}:1:4: duplicate column name 'b'".format(path))


def test_duplicate_column_names_after_stripping_spaces(tmp_path):
    path = write(tmp_path, "a, a ,y\n1,2,3\n")
    assert data_error(data.read_table, path) == (
        "{}:1:2: duplicate column name 'a'".format(path))


def test_empty_column_name(tmp_path):
    path = write(tmp_path, "a,  ,y\n1,2,3\n")
    assert data_error(data.read_table, path) == "{}:1:2: empty column name".format(path)


def test_non_utf8_bytes(tmp_path):
    path = write(tmp_path, b"a,y\n1,2\n3,\xff\n")
    assert data_error(data.read_csv, path, "y") == (
        "{}:3: not UTF-8 text (byte 10)".format(path))


def test_non_utf8_bytes_deep_in_a_large_file(tmp_path):
    # The text reader decodes in 8 KiB chunks: the offset must still be the file's.
    content = b"\xef\xbb\xbfa,y\n" + b"1,2\n" * 3000 + b"3,caf\xe9\n"
    path = write(tmp_path, content)
    assert data_error(data.read_table, path) == (
        "{}:3002: not UTF-8 text (byte {})".format(path, content.index(b"\xe9")))


def test_latin1_header(tmp_path):
    path = write(tmp_path, "gr\u00f6\u00dfe,y\n1,2\n".encode("latin-1"))
    assert data_error(data.read_table, path) == "{}:1: not UTF-8 text (byte 2)".format(path)


def test_directory_as_path(tmp_path):
    path = str(tmp_path)
    assert data_error(data.read_csv, path, "y") == (
        "{}: cannot read: Is a directory".format(path))


def test_missing_path(tmp_path):
    path = str(tmp_path / "nope.csv")
    assert data_error(data.read_csv, path, "y") == (
        "{}: cannot read: No such file or directory".format(path))


def test_nul_byte_is_malformed_csv(tmp_path):
    path = write(tmp_path, b"a,y\n1,2\n3,\x004\n")
    assert data_error(data.read_table, path) == (
        "{}:3: malformed CSV: line contains NULL byte".format(path))


# --- valid input -----------------------------------------------------------------------------


def test_byte_order_mark(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbfa,y\n1.5,0\n2.5,1\n")
    dataset = data.read_csv(path, "y", model="logistic")
    assert dataset.feature_names == ("a",)
    assert dataset.label == "y"
    assert dataset.source == path
    np.testing.assert_array_equal(dataset.x, [[1.5], [2.5]])
    np.testing.assert_array_equal(dataset.y, [[0.0], [1.0]])


def test_crlf_line_endings(tmp_path):
    path = write(tmp_path, b"a,b,y\r\n1,2,3\r\n4,5,6\r\n")
    dataset = data.read_csv(path, "y")
    np.testing.assert_array_equal(dataset.x, [[1, 2], [4, 5]])
    np.testing.assert_array_equal(dataset.y, [[3], [6]])


def test_crlf_line_numbers(tmp_path):
    path = write(tmp_path, b"a,y\r\n1,2\r\n\r\nx,3\r\n")
    assert data_error(data.read_csv, path, "y") == (
        "{}:4:1 (column 'a'): 'x' is not a number".format(path))


def test_old_mac_line_endings(tmp_path):
    table = data.read_table(write(tmp_path, b"a,y\r1,2\r3,4\r"))
    assert table.rows == [["1", "2"], ["3", "4"]]
    assert table.lines == [2, 3]


def test_quoted_numbers(tmp_path):
    path = write(tmp_path, 'a,"b",y\n"1.5","-2e3","1"\n')
    dataset = data.read_csv(path, "y")
    assert dataset.feature_names == ("a", "b")
    np.testing.assert_array_equal(dataset.x, [[1.5, -2000.0]])
    np.testing.assert_array_equal(dataset.y, [[1.0]])


def test_integer_and_float_labels_for_logistic(tmp_path):
    path = write(tmp_path, "a,y\n1,0\n2,1\n3,1.0\n4,0.0\n5,1e0\n")
    dataset = data.read_csv(path, "y", model="logistic")
    assert dataset.y.dtype == np.float32
    assert dataset.y.shape == (5, 1)
    np.testing.assert_array_equal(dataset.y, [[0], [1], [1], [0], [1]])


def test_non_ascii_column_names(tmp_path):
    path = write(tmp_path, "gr\u00f6\u00dfe,\u6e29\u5ea6,y\n1.5,20,1\n2.5,x,0\n")
    assert data_error(data.read_csv, path, "y") == (
        "{}:3:2 (column '\u6e29\u5ea6'): 'x' is not a number".format(path))
    path = write(tmp_path, "gr\u00f6\u00dfe,\u6e29\u5ea6,y\n1.5,20,1\n2.5,21,0\n", "ok.csv")
    dataset = data.read_csv(path, "y", features=["\u6e29\u5ea6", "gr\u00f6\u00dfe"])
    assert dataset.feature_names == ("\u6e29\u5ea6", "gr\u00f6\u00dfe")
    np.testing.assert_array_equal(dataset.x, [[20, 1.5], [21, 2.5]])


def test_non_ascii_label(tmp_path):
    path = write(tmp_path, "a,\u00e9tiquette\n1,0\n")
    dataset = data.read_csv(path, "\u00e9tiquette", model="logistic")
    assert dataset.label == "\u00e9tiquette"
    np.testing.assert_array_equal(dataset.y, [[0]])


def test_blank_lines_between_rows_keep_line_numbers(tmp_path):
    content = "a,y\n\n1,0\n\n\n2,1\n3,x\n"
    table = data.read_table(write(tmp_path, content))
    assert table.header == ["a", "y"]
    assert table.rows == [["1", "0"], ["2", "1"], ["3", "x"]]
    assert table.lines == [3, 6, 7]
    assert data_error(data.read_csv, table.path, "y") == (
        "{}:7:2 (column 'y'): 'x' is not a number".format(table.path))


def test_blank_lines_before_the_header(tmp_path):
    path = write(tmp_path, "\n\na,y\n1,2\n3,4,5\n")
    table = data.read_table(write(tmp_path, "\n\na,y\n\n1,2\n", "ok.csv"))
    assert table.header == ["a", "y"]
    assert table.lines == [5]
    assert data_error(data.read_table, path) == (
        "{}:5: expected 2 fields as in the header, found 3".format(path))
    path = write(tmp_path, "\na,a\n1,2\n", "dup.csv")
    assert data_error(data.read_table, path) == (
        "{}:2:2: duplicate column name 'a'".format(path))


def test_quoted_field_over_two_lines_keeps_line_numbers(tmp_path):
    table = data.read_table(write(tmp_path, 'a,y\n1,"2\n"\n3,x\n'))
    assert table.lines == [2, 4]
    assert data_error(data.read_csv, table.path, "y") == (
        "{}:4:2 (column 'y'): 'x' is not a number".format(table.path))


def test_spaces_around_numbers_and_names(tmp_path):
    path = write(tmp_path, " a , b ,y \n 1.5 ,\t-2 ,  3\n")
    dataset = data.read_csv(path, "y")
    assert dataset.feature_names == ("a", "b")
    np.testing.assert_array_equal(dataset.x, [[1.5, -2.0]])
    np.testing.assert_array_equal(dataset.y, [[3.0]])


def test_features_select_and_order_columns(tmp_path):
    path = write(tmp_path, "a,b,c,y\n1,2,3,4\n5,6,7,8\n")
    dataset = data.read_csv(path, "y", features=["c", "a"])
    assert dataset.feature_names == ("c", "a")
    np.testing.assert_array_equal(dataset.x, [[3, 1], [7, 5]])
    assert dataset.x.dtype == np.float32


def test_label_need_not_be_last(tmp_path):
    path = write(tmp_path, "y,a,b\n1,2,3\n")
    dataset = data.read_csv(path, "y")
    assert dataset.feature_names == ("a", "b")
    np.testing.assert_array_equal(dataset.x, [[2, 3]])
    np.testing.assert_array_equal(dataset.y, [[1]])


def test_to_dataset_without_label_column(tmp_path):
    table = data.read_table(write(tmp_path, "b,a\n1,2\n3,4\n"))
    dataset = data.to_dataset(table, ("a", "b"), "y", "linear", require_label=False)
    assert dataset.y is None
    np.testing.assert_array_equal(dataset.x, [[2, 1], [4, 3]])


def test_select_features_defaults_to_all_but_label(tmp_path):
    table = data.read_table(write(tmp_path, "a,y,b\n1,2,3\n"))
    assert data.select_features(table, "y") == ("a", "b")
    assert data.select_features(table, "y", ["b"]) == ("b",)


# --- the shipped data sets -------------------------------------------------------------------


def test_diabetes():
    dataset = data.read_csv(DIABETES, "progression")
    assert dataset.x.shape == (442, 10)
    assert dataset.y.shape == (442, 1)
    assert dataset.x.dtype == np.float32 and dataset.y.dtype == np.float32
    assert dataset.feature_names == DIABETES_FEATURES
    assert dataset.label == "progression"
    np.testing.assert_array_equal(
        dataset.x[0], np.array([59, 2, 32.1, 101.0, 157, 93.2, 38.0, 4.0, 4.8598, 87], np.float32))
    assert dataset.y[0, 0] == 151.0
    assert np.all(np.isfinite(dataset.x))


def test_breast_cancer():
    dataset = data.read_csv(BREAST_CANCER, "malignant", model="logistic")
    assert dataset.x.shape == (569, 30)
    assert dataset.y.shape == (569, 1)
    assert dataset.x.dtype == np.float32 and dataset.y.dtype == np.float32
    assert len(dataset.feature_names) == 30
    assert dataset.feature_names[:2] == ("mean_radius", "mean_texture")
    assert dataset.feature_names[-1] == "worst_fractal_dimension"
    assert "malignant" not in dataset.feature_names
    assert collections.Counter(dataset.y.ravel().tolist()) == {1.0: 212, 0.0: 357}
    assert dataset.x[0, 0] == np.float32(17.99)


def test_diabetes_progression_is_not_binary():
    assert data_error(data.read_csv, DIABETES, "progression", model="logistic").startswith(
        "{}:2:11 (column 'progression'): labels must be 0 or 1 for logistic regression, "
        "found ".format(DIABETES))


# --- split -----------------------------------------------------------------------------------


def numbered(n_samples):
    """A data set whose rows can be recognised: x = [i, -i], y = 10 i."""
    index = np.arange(n_samples, dtype=np.float32)
    return data.Dataset(x=np.stack([index, -index], axis=1), y=10 * index.reshape(-1, 1),
                        feature_names=("i", "minus_i"), label="ten_i", source="numbered")


@pytest.mark.parametrize("n_samples,fraction,n_validation", [
    (100, 0.2, 20), (442, 0.2, 88), (569, 0.2, 114), (10, 0.3, 3), (7, 0.1, 1), (3, 0.6, 2)])
def test_split_sizes(n_samples, fraction, n_validation):
    train, validation = data.split(numbered(n_samples), fraction, seed=1)
    assert len(validation.x) == len(validation.y) == n_validation
    assert len(train.x) == len(train.y) == n_samples - n_validation


def test_split_is_disjoint_covering_and_keeps_rows_together():
    train, validation = data.split(numbered(50), 0.3, seed=7)
    train_rows = train.x[:, 0].astype(int).tolist()
    validation_rows = validation.x[:, 0].astype(int).tolist()
    assert not set(train_rows) & set(validation_rows)
    assert sorted(train_rows + validation_rows) == list(range(50))
    for part in (train, validation):
        np.testing.assert_array_equal(part.x[:, 1], -part.x[:, 0])
        np.testing.assert_array_equal(part.y[:, 0], 10 * part.x[:, 0])
        assert part.feature_names == ("i", "minus_i") and part.label == "ten_i"
    assert train_rows != sorted(train_rows)  # shuffled


def test_split_is_deterministic_per_seed():
    first = data.split(numbered(40), 0.25, seed=3)
    again = data.split(numbered(40), 0.25, seed=3)
    other = data.split(numbered(40), 0.25, seed=4)
    np.testing.assert_array_equal(first.train.x, again.train.x)
    np.testing.assert_array_equal(first.validation.x, again.validation.x)
    assert first.validation.x[:, 0].tolist() != other.validation.x[:, 0].tolist()


def test_split_fraction_zero():
    dataset = numbered(5)
    result = data.split(dataset, 0.0, seed=0)
    assert result.validation is None
    assert result.train is dataset


def test_split_too_small():
    assert data_error(data.split, numbered(1), 0.2, 0) == (
        "numbered: validation_fraction 0.2 of 1 rows leaves 0 for validation and 1 for training; "
        "both need at least one")
    assert data_error(data.split, numbered(10), 0.99, 0) == (
        "numbered: validation_fraction 0.99 of 10 rows leaves 10 for validation and 0 for "
        "training; both need at least one")


# --- standardization and built-in data -------------------------------------------------------


def test_standardization_matches_numpy():
    rng = np.random.RandomState(0)
    x = (rng.normal(size=(200, 3)) * [1.0, 50.0, 0.01] + [0.0, 1000.0, -3.0]).astype(np.float32)
    x[:, 2] = 4.25  # a constant column
    mean, std = data.standardization(x)
    assert mean.dtype == np.float32 and std.dtype == np.float32
    assert mean.shape == std.shape == (3,)
    x64 = x.astype(np.float64)
    expected_mean = x64.mean(axis=0).astype(np.float32)
    expected_std = np.sqrt(((x64 - x64.mean(axis=0)) ** 2).mean(axis=0)).astype(np.float32)
    expected_std[2] = 1.0
    np.testing.assert_array_equal(mean, expected_mean)
    np.testing.assert_allclose(std, expected_std, rtol=1e-6)
    np.testing.assert_allclose(std[:2], np.std(x, axis=0, ddof=0)[:2], rtol=1e-5)
    assert mean[2] == 4.25 and std[2] == 1.0
    z = (x - mean) / std
    np.testing.assert_allclose(z.mean(axis=0), [0, 0, 0], atol=1e-5)
    np.testing.assert_allclose(z[:, :2].std(axis=0), [1, 1], rtol=1e-5)


def test_course_data():
    dataset = data.course_data(100, seed=42)
    assert dataset.x.shape == dataset.y.shape == (100, 1)
    assert dataset.x.dtype == dataset.y.dtype == np.float32
    np.testing.assert_allclose(dataset.y, 0.8 * dataset.x + 0.7, rtol=1e-6)
    np.testing.assert_array_equal(dataset.x, data.course_data(100, seed=42).x)


def test_classification_data():
    dataset = data.classification_data(500, seed=42)
    assert dataset.x.shape == (500, 5)
    assert dataset.y.shape == (500, 1)
    assert dataset.x.dtype == dataset.y.dtype == np.float32
    assert dataset.feature_names == ("x1", "x2", "x3", "x4", "x5")
    assert set(np.unique(dataset.y).tolist()) == {0.0, 1.0}
    assert 0 < dataset.y.sum() < 500
    again = data.classification_data(500, seed=42)
    other = data.classification_data(500, seed=43)
    np.testing.assert_array_equal(dataset.x, again.x)
    np.testing.assert_array_equal(dataset.y, again.y)
    assert not np.array_equal(dataset.x, other.x)


# --- load and defaults -----------------------------------------------------------------------


def test_load_built_in_linear():
    result = data.load(config(), "linear", seed=42)
    assert result.validation is None
    assert result.train.x.shape == (100, 1)
    np.testing.assert_array_equal(result.train.x, data.course_data(100, 42).x)


def test_load_built_in_logistic():
    train, validation = data.load(config(), "logistic", seed=42)
    assert train.x.shape == (400, 5) and train.y.shape == (400, 1)
    assert validation.x.shape == (100, 5) and validation.y.shape == (100, 1)
    rows = np.concatenate([train.x, validation.x])
    expected = data.classification_data(500, 42).x
    assert sorted(map(tuple, rows.tolist())) == sorted(map(tuple, expected.tolist()))


def test_load_n_samples_and_fraction():
    train, validation = data.load(config(n_samples=50, validation_fraction=0.1), "linear", 0)
    assert len(train.x) == 45 and len(validation.x) == 5


def test_load_csv():
    train, validation = data.load(config(path=DIABETES, label="progression"), "linear", seed=1)
    assert train.x.shape == (354, 10) and validation.x.shape == (88, 10)
    assert train.feature_names == DIABETES_FEATURES
    train, validation = data.load(
        config(path=BREAST_CANCER, label="malignant", features=["mean_radius", "worst_area"],
               validation_fraction=0.0), "logistic", seed=1)
    assert validation is None and train.x.shape == (569, 2)


def test_load_csv_without_label(tmp_path):
    path = write(tmp_path, "a,y\n1,2\n")
    with pytest.raises(UsageError) as info:
        data.load(config(path=path), "linear", seed=0)
    assert str(info.value) == (
        "data.label: the label column's name is needed with data.path ({})".format(path))


def test_load_csv_errors_are_data_errors(tmp_path):
    path = write(tmp_path, "a,y\n1,2\n")
    assert data_error(data.load, config(path=path, label="y"), "logistic", 0) == (
        "{}:2:2 (column 'y'): labels must be 0 or 1 for logistic regression, found 2".format(
            path))


@pytest.mark.parametrize("fields,model,expected", [
    ({}, "linear", 0.0), ({}, "logistic", 0.2), ({"path": "d.csv"}, "linear", 0.2),
    ({"path": "d.csv"}, "logistic", 0.2), ({"validation_fraction": 0.0}, "logistic", 0.0),
    ({"validation_fraction": 0.3}, "linear", 0.3)])
def test_validation_fraction(fields, model, expected):
    assert data.validation_fraction(config(**fields), model) == expected


@pytest.mark.parametrize("fields,expected", [
    ({}, False), ({"path": "d.csv"}, True), ({"path": "d.csv", "standardize": False}, False),
    ({"standardize": True}, True)])
def test_standardize_enabled(fields, expected):
    assert data.standardize_enabled(config(**fields)) is expected


def test_first_bad_cell_in_reading_order_is_reported(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,0\n3,x,1\ny,4,0\n")  # bad b on line 3 before bad a on line 4
    assert data_error(data.read_csv, path, "y") == "{}:3:2 (column 'b'): 'x' is not a number".format(
        path)


def test_feature_listed_twice(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,0\n")
    assert data_error(data.read_csv, path, "y", ["a", "b", "a"]) == (
        "{}: feature column(s) 'a' listed more than once".format(path))
