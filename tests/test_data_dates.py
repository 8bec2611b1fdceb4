"""tfcourse.data.dates: the date spellings and their days since 1970-01-01 in numpy."""

import datetime
import re

import numpy as np

from tfcourse.data import dates

INVALID = ["", "NA", "2020-13-01", "2020-00-10", "2020-01-00", "2020-01-32", "2020-1-5",
           "20-01-05", "02020-01-05", "2020-01/05", "2020/01-05", " 2020-01-05", "2020-01-05 ",
           "2020-01-05Z", "2020-01-05T12", "2020-01-05 24:00", "2020-01-05T12:60",
           "2020-01-05 12:30:60", "2020-01-05T12:30:00.5", "2020-01-05  12:30",
           "2020-02-30", "2019-02-29", "1900-02-29", "2100-02-29", "2020-04-31", "2020-06-31",
           "2020-09-31", "2020-11-31", "\uff12\uff10\uff12\uff10-01-05", "2020\u201301\u201305"]


def test_days_of_hand_computed_dates():
    cells = ["1970-01-01", "1970-01-02T06:00", "1969-12-31 18:00", "1970/01/01 00:00:01",
             "2000-03-01", "1900-03-01", "2000-02-29", "2100-02-28", "0000-01-01",
             "9999-12-31T23:59:59"]
    expected = [0., 1.25, -0.25, 1. / 86400, 11017., -25508., 11016., 47540., -719528.,
                2932896. + 86399. / 86400]
    np.testing.assert_array_equal(dates.days(cells), np.array(expected))
    assert dates.days(cells).dtype == np.float64


def test_invalid_cells_and_non_strings_are_nan():
    values = dates.days(INVALID + [None, float("nan"), 20200105, b"\xff"])
    assert np.isnan(values).all(), [v for v, d in zip(INVALID, values) if not np.isnan(d)]


def test_valid_and_invalid_mixed_keep_their_places_and_shape():
    cells = np.array([["2020-02-30", "1970-01-03"], [b"1970-01-02", None]], dtype=object)
    values = dates.days(cells)
    assert values.shape == (2, 2)
    np.testing.assert_array_equal(values, [[np.nan, 2.], [1., np.nan]])
    assert dates.days([]).shape == (0,)


def test_days_agree_with_python_dates_over_four_millennia():
    rng = np.random.RandomState(3)
    epoch = datetime.date(1970, 1, 1).toordinal()
    ordinals = rng.randint(datetime.date(1, 1, 1).toordinal(),
                           datetime.date(9999, 12, 31).toordinal() + 1, size=3000)
    seconds = rng.randint(0, 86400, size=len(ordinals))
    cells, expected = [], []
    for i, (ordinal, second) in enumerate(zip(ordinals, seconds)):
        day = datetime.date.fromordinal(int(ordinal))
        text = "{:04d}-{:02d}-{:02d}".format(day.year, day.month, day.day)
        if i % 3 == 1:
            text = text.replace("-", "/")
        if i % 2:
            text += "{}{:02d}:{:02d}:{:02d}".format(" T"[i % 4 == 1], second // 3600,
                                                     second // 60 % 60, second % 60)
        else:
            second = 0
        cells.append(text)
        expected.append(((ordinal - epoch) * 86400 + second) / 86400.)
    np.testing.assert_array_equal(dates.days(cells), np.array(expected))


def test_pattern_uses_only_syntax_both_engines_share():
    # RE2 (the graph) and Python's re (numpy side) read one pattern: ASCII classes,
    # non-capturing groups, counted repetition; no \d (Unicode digits in Python 3).
    assert "\\" not in dates.DATE_PATTERN
    assert not re.search(r"\((?!\?:)", dates.DATE_PATTERN)
    assert re.compile(dates.DATE_PATTERN).fullmatch("2020/02/29 23:59")


def test_module_imports_no_tensorflow():
    # The data side uses it; the data package imports no TensorFlow.
    import ast
    tree = ast.parse(open(dates.__file__).read())
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names]
    imported += [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert imported == ["re", "numpy"]
