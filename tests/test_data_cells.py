"""tfcourse.data.cells: pandas on a block's rows, numbers as numbers, text as text, the
missing values asked for as NaN."""

import numpy as np
import pytest

from tfcourse.data import cells


def parse(text, columns, text_columns=(), na_values=(), n_rows=None):
    pd = cells.pandas()
    parser = cells.Parse(pd, columns, text=text, text_columns=text_columns)
    return cells.columns(pd, parser, 3 if n_rows is None else n_rows, na_values)


def test_numbers_text_and_missing_cells():
    text = b"1, 2.5 ,x,07\n4,,NA,\n7,1e3,?,8\n"
    a, b, c, d = parse(text, [0, 1, 2, 3], text_columns=[3], na_values=["?"])
    assert a.dtype == np.int64 and a.tolist() == [1, 4, 7]
    assert b.dtype == np.float64 and b[0] == 2.5 and np.isnan(b[1]) and b[2] == 1000.0
    # text: an object array (pandas 3: its str array, also of kind "O"); NA was not asked for
    assert c.dtype.kind == d.dtype.kind == "O"
    c, d = np.asarray(c, object), np.asarray(d, object)
    assert c[0] == "x" and c[1] == "NA" and np.isnan(c[2])
    assert d[0] == "07" and np.isnan(d[1]) and d[2] == "8"  # text as written


def test_columns_in_the_order_asked_and_repeated():
    a, y, a_again = parse(b"1,2\n3,4\n5,6\n", [0, 1, 0])
    assert (a.tolist(), y.tolist(), a_again.tolist()) == ([1, 3, 5], [2, 4, 6], [1, 3, 5])
    (y,) = parse(b"1,2\n3,4\n5,6\n", [1], na_values=["4"])
    assert y[0] == 2 and np.isnan(y[1]) and y[2] == 6


def test_numbers_are_the_correctly_rounded_doubles():
    (values,) = parse(b"0.1\n2.2250738585072014e-308\n1.7976931348623157e308\n", [0])
    assert values.tolist() == [0.1, 2.2250738585072014e-308, 1.7976931348623157e308]


def test_a_row_count_pandas_disagrees_with_is_refused():
    with pytest.raises(cells.RowCountDiffers):
        parse(b"1,2\n3,4\n", [0, 1], n_rows=3)


def test_whole_file_read_by_path_after_its_header(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"\xef\xbb\xbfa,b\n1,x\n2,\n")
    pd = cells.pandas()
    parser = cells.Parse(pd, [1, 0], path=str(path), names=("a", "b"), text_columns=[1])
    b, a = cells.columns(pd, parser, 2, ())
    assert a.tolist() == [1, 2] and b[0] == "x" and np.isnan(b[1])
