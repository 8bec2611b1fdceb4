"""tfcourse.features: the typed columns encoded in the graph, against hand-computed matrices."""

import numpy as np
import pytest

from tfcourse import features
from tfcourse.data import dates
from tfcourse.data.types import Column, encoded_names, numeric_column, text_columns
from tfcourse.tf_compat import hash_table, tf
from test_data_dates import INVALID

NAN = float("nan")


def boolean(name, fill, indicator=False, true_values=("yes", "1"), false_values=("no", "0")):
    return Column(name, "boolean", fill, indicator, (), true_values, false_values, False, False)


def date(name, fill, indicator=False):
    return Column(name, "date", fill, indicator, (), (), (), False, False)


def categorical(name, vocabulary, missing_category=False, other=False):
    return Column(name, "categorical", None, False, tuple(vocabulary), (), (),
                  missing_category, other)


def run(columns, x=None, x_text=None, **kwargs):
    """Encodes fed raw cells; returns the output as a dict {encoded name: [batch] values}."""
    with tf.Graph().as_default():
        x_in = None if x is None else tf.placeholder(tf.float32, [None, len(x[0])])
        text_in = None if x_text is None else tf.placeholder(tf.string, [None, len(x_text[0])])
        encoded = features.encode(x_in, text_in, columns, **kwargs)
        names = encoded_names(columns)
        assert encoded.dtype == tf.float32 and encoded.shape.as_list() == [None, len(names)]
        feed = {}
        if x is not None:
            feed[x_in] = np.array(x, np.float32)
        if x_text is not None:
            feed[text_in] = np.array(x_text, object)
        with tf.Session() as session:
            session.run(tf.tables_initializer())
            values = session.run(encoded, feed)
    return dict(zip(names, values.T.tolist())), values


def check(columns, expected, x=None, x_text=None, **kwargs):
    """The output equals ``expected`` ({name: column}) in the order of ``encoded_names``."""
    names = encoded_names(columns)
    assert sorted(expected) == sorted(names)
    _, values = run(columns, x, x_text, **kwargs)
    np.testing.assert_array_equal(values, np.array([expected[name] for name in names]).T)


def test_numeric_fill_and_indicator():
    columns = (numeric_column("a", 1.5, True), numeric_column("b", -2.), numeric_column("c"))
    x = [[NAN, NAN, NAN], [3., 4., 5.], [0., NAN, 6.]]
    check(columns, {"a": [1.5, 3., 0.], "a_missing": [1., 0., 0.], "b": [-2., 4., -2.],
                    "c": [NAN, 5., 6.]}, x)
    # stored training rows: only columns with an indicator had gaps, only they are filled
    check(columns, {"a": [1.5, 3., 0.], "a_missing": [1., 0., 0.], "b": [NAN, 4., NAN],
                    "c": [NAN, 5., 6.]}, x, impute_all=False)
    check(columns[1:], {"b": [-2., 4., -2.], "c": [NAN, 5., 6.]}, [row[1:] for row in x])


def test_all_numeric_without_indicators_is_x_itself():
    columns = (numeric_column("a", 1.5), numeric_column("b", 0.))
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [None, 2])
        n_ops = len(graph.get_operations())
        assert features.encode(x, None, columns, impute_all=False) is x
        assert features.encode(x, None, (numeric_column("a"), numeric_column("b"))) is x
        assert len(graph.get_operations()) == n_ops
        assert features.encode(x, None, columns) is not x  # filling is an op


def test_boolean_spellings_missing_and_unknown():
    cells = [["yes"], ["no"], ["1"], ["0"], [""], ["NA"], ["Yes"], ["maybe"], ["true"]]
    fill = 0.25
    check((boolean("b", fill, True),), {
        "b": [1., 0., 1., 0., fill, fill, fill, fill, fill],
        "b_missing": [0., 0., 0., 0., 1., 1., 1., 1., 1.]}, x_text=cells)
    check((boolean("b", 1., true_values=("true",), false_values=()),),
          {"b": [1.] * 9}, x_text=cells)


def test_date_days_fill_and_indicator():
    cells = [["1970-01-02"], ["1969-12-31 18:00"], ["2000/03/01T12:00:00"], [""], ["NA"],
             ["2021-02-29"], ["2020-01-05 24:00"], ["1970-01-01T00:00:01"]]
    check((date("d", 100., True),), {
        "d": [1., -0.25, 11017.5, 100., 100., 100., 100., np.float32(1. / 86400)],
        "d_missing": [0., 0., 0., 1., 1., 1., 1., 0.]}, x_text=cells)
    check((date("d", -3.),), {"d": [1., -0.25, 11017.5, -3., -3., -3., -3.,
                                     np.float32(1. / 86400)]}, x_text=cells)


def _date_cells():
    """Cells over years 0000–9999 and the calendar's corners, in every accepted form."""
    rng = np.random.RandomState(7)
    days = rng.randint(-719528, 2932897, size=2000)
    seconds = rng.randint(0, 86400, size=len(days))
    stamps = (np.datetime64("1970-01-01", "s") + days * 86400 + seconds).astype(str)
    cells = [text.replace("T", " ") if i % 3 else text[:10].replace("-", "/")
             for i, text in enumerate(stamps)]
    for year in (1900, 1969, 1970, 1971, 1972, 2000, 2004, 2100, 2400, 0, 1, 4, 100, 400):
        for month, day in ((1, 1), (2, 28), (2, 29), (3, 1), (12, 31)):
            cells.append("{:04d}-{:02d}-{:02d}".format(year, month, day))
    return cells + ["1969-12-31T23:59:59", "1970-01-01T00:00:01", "2038-01-19 03:14:08",
                    "1901-12-13T20:45:52", "2020-06-15T12:34", "2020/06/15 00:00"] + INVALID


def test_dates_agree_with_numpy_to_float32():
    cells = _date_cells()
    with tf.Graph().as_default():
        cell = tf.placeholder(tf.string, [None])
        days, valid = features.parse_dates(cell)
        with tf.Session() as session:
            days, valid = session.run([days, valid], {cell: np.array(cells, object)})
    expected = dates.days(cells)
    np.testing.assert_array_equal(valid, ~np.isnan(expected))
    # 29 February of 1900, 1969, 1970, 1971, 2100, 0001 and 0100 is no date either
    assert valid.sum() == len(cells) - len(INVALID) - 7
    np.testing.assert_array_equal(days[valid], expected[valid].astype(np.float32))
    assert (days[~valid] == 0.).all() and days.dtype == np.float32


def test_days_from_civil_is_the_proleptic_gregorian_count():
    pairs = [((1970, 1, 1), 0), ((2000, 3, 1), 11017), ((1900, 3, 1), -25508), ((0, 1, 1), -719528),
             ((0, 3, 1), -719468), ((-1, 12, 31), -719529), ((9999, 12, 31), 2932896)]
    with tf.Graph().as_default(), tf.Session() as session:
        ymd = tf.constant([civil for civil, _ in pairs], tf.int64)
        result = session.run(features.days_from_civil(ymd[:, 0], ymd[:, 1], ymd[:, 2]))
    assert result.tolist() == [days for _, days in pairs]


def test_categorical_slots():
    cells = [["red"], ["blue"], [""], ["NA"], ["?"], ["green"], ["Red"]]
    vocabulary = ("red", "blue")
    check((categorical("c", vocabulary, True, True),), {
        "c=red": [1, 0, 0, 0, 0, 0, 0], "c=blue": [0, 1, 0, 0, 0, 0, 0],
        "c=<missing>": [0, 0, 1, 1, 1, 0, 0], "c=<other>": [0, 0, 0, 0, 0, 1, 1]}, x_text=cells)
    # without <missing>, a missing cell is all 0 (not a category, so not <other> either)
    check((categorical("c", vocabulary, other=True),), {
        "c=red": [1, 0, 0, 0, 0, 0, 0], "c=blue": [0, 1, 0, 0, 0, 0, 0],
        "c=<other>": [0, 0, 0, 0, 0, 1, 1]}, x_text=cells)
    check((categorical("c", vocabulary, missing_category=True),), {
        "c=red": [1, 0, 0, 0, 0, 0, 0], "c=blue": [0, 1, 0, 0, 0, 0, 0],
        "c=<missing>": [0, 0, 1, 1, 1, 0, 0]}, x_text=cells)
    check((categorical("c", vocabulary),), {
        "c=red": [1, 0, 0, 0, 0, 0, 0], "c=blue": [0, 1, 0, 0, 0, 0, 0]}, x_text=cells)


def test_categorical_na_values_given_and_a_category_spelled_like_one():
    cells = [["NA"], ["-"], [""], ["?"]]
    check((categorical("c", ("NA", "x"), True, True),), {
        "c=NA": [1, 0, 0, 0], "c=x": [0, 0, 0, 0], "c=<missing>": [0, 1, 1, 0],
        "c=<other>": [0, 0, 0, 1]}, x_text=cells, na_values=("NA", "-"))


def test_all_kinds_together_in_encoded_names_order():
    columns = (categorical("colour", ("red", "blue"), True, True), numeric_column("a", 1.5, True),
               numeric_column("b", 7.), boolean("ok", 0.5, True), numeric_column("c", 0.),
               date("when", 10., True), numeric_column("e", 2., True), date("then", 20.),
               boolean("fine", 0.75), categorical("size", ("S", "M", "L"), other=True))
    x = [[NAN, 1., 2., NAN], [4., NAN, NAN, 5.]]
    x_text = [["blue", "yes", "1970-01-03", "", "no", "L"],
              ["NA", "what", "x", "1970-01-02T12:00", "", "XL"]]
    expected = {"colour=red": [0, 0], "colour=blue": [1, 0], "colour=<missing>": [0, 1],
                "colour=<other>": [0, 0], "a": [1.5, 4.], "a_missing": [1, 0], "b": [1., 7.],
                "ok": [1., .5], "ok_missing": [0, 1], "c": [2., 0.], "when": [2., 10.],
                "when_missing": [0, 1], "e": [2., 5.], "e_missing": [1, 0], "then": [20., 1.5],
                "fine": [0., .75], "size=S": [0, 0], "size=M": [0, 0], "size=L": [1, 0],
                "size=<other>": [0, 1]}
    check(columns, expected, x, x_text)
    by_name, _ = run(columns, x, x_text, impute_all=False)
    assert by_name["a"] == [1.5, 4.] and np.isnan(by_name["b"][1]) and np.isnan(by_name["c"][1])
    check(text_columns(columns), {k: v for k, v in expected.items()
                                  if k.split("_")[0] not in ("a", "b", "c", "e")},
          x_text=x_text)


def test_ops_in_the_features_scope_and_tables_need_initialising():
    columns = (numeric_column("a b", 1., True), categorical("1st", ("u",), True, True),
               boolean("ok", 0.), date("d", 0.))
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [None, 1])
        x_text = tf.placeholder(tf.string, [None, 3])
        n_ops = len(graph.get_operations())
        encoded = features.encode(x, x_text, columns)
        assert encoded.name == "features/encoded:0"
        new = [op.name for op in graph.get_operations()[n_ops:]]
        assert all(name.startswith("features/") for name in new), new
        assert any(name.startswith("features/a_b/") for name in new)
        assert len(tf.get_collection(tf.GraphKeys.TABLE_INITIALIZERS)) == 1
        feed = {x: [[NAN]], x_text: [["u", "1", "x"]]}
        with tf.Session() as session:
            with pytest.raises(tf.errors.FailedPreconditionError):
                session.run(encoded, feed)
            session.run(tf.tables_initializer())
            assert session.run(encoded, feed).tolist() == [[1., 1., 1., 0., 0., 1., 0.]]


def test_hash_table_maps_keys_and_gives_the_default():
    with tf.Graph().as_default(), tf.Session() as session:
        table = hash_table(tf.constant(["a", "b"]), tf.constant([3, 4], tf.int64),
                           tf.constant(-1, tf.int64))
        lookup = table.lookup(tf.constant([["b", "z"], ["a", ""]]))
        session.run(tf.tables_initializer())
        assert session.run(lookup).tolist() == [[4, -1], [3, -1]]


def test_inputs_that_do_not_fit_the_columns_are_refused():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 2])
        with pytest.raises(ValueError, match="x_text is None"):
            features.encode(x, None, (numeric_column("a"), boolean("b", 0.), numeric_column("c")))
        with pytest.raises(ValueError, match="x has 2 columns"):
            features.encode(x, None, (numeric_column("a"),))
        with pytest.raises(ValueError, match="no fill"):
            features.encode(None, tf.placeholder(tf.string, [None, 1]), (date("d", None),))
        with pytest.raises(ValueError, match="unknown kind"):
            features.encode(x, None, (numeric_column("a"), numeric_column("b")._replace(
                kind="text")))
