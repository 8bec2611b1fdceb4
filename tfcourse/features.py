"""The in-graph encoder of a model's typed input columns.

Raw inputs in, the model's features out (see ``tfcourse.data.types.Column``): every
graph — training, inference, the SavedModel — takes the raw CSV cells and applies
what the training rows taught (fills, vocabularies, boolean spellings) itself.

    numeric      x[:, i] with NaN replaced by ``fill``; ``<name>_missing`` with ``indicator``
    boolean      1. for a ``true_values`` spelling, 0. for a ``false_values`` one, else
                 ``fill``; ``<name>_missing`` (1. where not a known spelling) with ``indicator``
    date         days since 1970-01-01 (``tfcourse.data.dates``), ``fill`` where not a
                 valid date; ``<name>_missing`` with ``indicator``
    categorical  one-hot over the vocabulary, then ``<missing>`` and ``<other>`` slots

The output's columns are in the order of ``types.encoded_names(columns)``. Categorical
columns use lookup tables: run ``tf.tables_initializer()`` in the session (and as a
restored or exported graph's init op) before the first lookup. The vocabularies and
spellings are graph constants (at most ``data.max_categories`` strings a column); the
data never are. This module is pure graph code: no session, no I/O.
"""

import re

from tfcourse.data.dates import DATE_PATTERN, SECONDS_PER_DAY
from tfcourse.data.types import DEFAULT_NA_VALUES, TEXT_KINDS, numeric_columns, text_columns
from tfcourse.tf_compat import hash_table, tf

_EPOCH_CELL = "1970-01-01"


class Encoder(object):
    """``encode`` with the columns' lookup tables made once, at construction: call it as
    often as needed in the same graph (for stored rows, for a minibatch inside the training
    loop, for fed rows) and every call shares the tables."""

    def __init__(self, columns, na_values=DEFAULT_NA_VALUES):
        self.columns, self.na_values = tuple(columns), tuple(na_values)
        with tf.name_scope("features"):
            self.tables = {column.name: _vocabulary_table(column, self.na_values)
                           for column in self.columns if column.kind == "categorical"}

    def __call__(self, x, x_text, impute_all=True):
        """``encode(x, x_text, columns, na_values, impute_all)`` with the shared tables."""
        return encode(x, x_text, self.columns, self.na_values, impute_all, self.tables)


def encode(x, x_text, columns, na_values=DEFAULT_NA_VALUES, impute_all=True, tables=None):
    """Encodes a batch of raw cells into the model's features.

    Args:
        x: ``[batch, n_numeric]`` float32 tensor of the numeric columns in order (NaN
            where missing); may be None when there are no numeric columns.
        x_text: ``[batch, n_text]`` string tensor of the boolean, date and categorical
            columns in order, or None when there are none.
        columns: sequence of ``types.Column``, in the model's order.
        na_values: sequence of str read as missing in a categorical cell (an empty cell
            always is); a boolean or date cell that is neither a known spelling nor a
            valid date is missing anyway.
        impute_all: False skips the NaN fill of numeric columns without ``indicator``
            (right for stored training rows, which have no gaps there).
        tables: dict column name -> lookup table of the categorical columns (``Encoder``
            makes them once); None: made here.

    Returns:
        ``[batch, n_encoded]`` float32 tensor, columns in the order of
        ``types.encoded_names(columns)``. It is ``x`` itself (no new op) when every
        column is numeric without ``indicator`` and nothing is to be filled (e.g.
        ``impute_all=False``, or no fills).

    Raises:
        ValueError: an unknown kind, a boolean or date column without ``fill``, a
            missing ``x``/``x_text``, or a static width of ``x``/``x_text`` that does not
            match the columns.
    """
    columns = tuple(columns)
    numeric, text = numeric_columns(columns), text_columns(columns)
    _check_inputs(x, numeric, "x", "numeric")
    _check_inputs(x_text, text, "x_text", "text")
    fills = [_numeric_fill(column, impute_all) for column in numeric]
    if not text and all(fill is None and not c.indicator for fill, c in zip(fills, numeric)):
        return x
    with tf.name_scope("features"):
        block = _impute(x, fills) if numeric else None
        pieces = _Pieces()
        i_numeric = i_text = 0
        for column in columns:
            if column.kind in TEXT_KINDS:
                with tf.name_scope(op_name(column.name)):
                    table = None
                    if column.kind == "categorical":
                        table = (tables or {}).get(column.name) or _vocabulary_table(
                            column, na_values)
                    pieces.add(_TEXT_ENCODERS[column.kind](x_text[:, i_text], column, table))
                i_text += 1
                continue
            pieces.add_column(i_numeric)
            if column.indicator:
                with tf.name_scope(op_name(column.name)):
                    pieces.add(_indicator(tf.is_nan(x[:, i_numeric])))
            i_numeric += 1
        return pieces.concat(block, len(numeric))


def _check_inputs(tensor, columns, name, what):
    if not columns:
        return
    if tensor is None:
        raise ValueError("encode: {} is None but there are {} {} columns".format(
            name, len(columns), what))
    shape = tensor.shape.as_list() if tensor.shape.ndims is not None else [None]
    width = shape[-1]
    if width is not None and width != len(columns):
        raise ValueError("encode: {} has {} columns, the {} columns are {}".format(
            name, width, what, len(columns)))


def _numeric_fill(column, impute_all):
    """The fill of a numeric column's NaN in this graph, or None when NaN stays."""
    if column.kind != "numeric":
        raise ValueError("encode: column '{}' has an unknown kind '{}'".format(
            column.name, column.kind))
    if column.fill is None or not (impute_all or column.indicator):
        return None
    return float(column.fill)


def _impute(x, fills):
    """``[batch, n_numeric]`` float32: ``x`` with NaN replaced by each column's fill
    (a None fill keeps NaN); ``x`` itself when no column has a fill."""
    if all(fill is None for fill in fills):
        return x
    values = tf.constant([float("nan") if fill is None else fill for fill in fills],
                         tf.float32, name="fills")
    return tf.where(tf.is_nan(x), tf.zeros_like(x) + values, x, name="imputed")


def _indicator(missing):
    """``[batch]`` bool → ``[batch, 1]`` float32, 1. where missing."""
    return tf.expand_dims(tf.cast(missing, tf.float32), 1, name="missing")


class _Pieces(object):
    """The encoded columns in order; adjacent numeric columns stay one slice."""

    def __init__(self):
        self.items = []

    def add(self, tensor):
        self.items.append(tensor)

    def add_column(self, index):
        last = self.items[-1] if self.items else None
        if isinstance(last, list) and last[1] == index:
            last[1] = index + 1
        else:
            self.items.append([index, index + 1])

    def concat(self, block, n_numeric):
        whole = [0, n_numeric]
        if len(self.items) == 1 and isinstance(self.items[0], list) and self.items[0] == whole:
            return block
        tensors = [block[:, item[0]:item[1]] if isinstance(item, list) else item
                   for item in self.items]
        if len(tensors) == 1:
            return tf.identity(tensors[0], name="encoded")
        return tf.concat(tensors, axis=1, name="encoded")


def op_name(name):
    """A valid op or scope name from a column's name (TensorFlow allows ``[A-Za-z0-9_.-/]``)."""
    scope = re.sub(r"[^A-Za-z0-9_.\-]", "_", name)
    return scope if re.match(r"[A-Za-z0-9.]", scope) else "c" + scope


def _required_fill(column):
    if column.fill is None:
        raise ValueError("encode: {} column '{}' has no fill".format(column.kind, column.name))
    return float(column.fill)


def _is_any(cell, spellings):
    """``[batch]`` bool: the cell equals one of ``spellings`` (a tuple of str)."""
    spellings = tf.constant(list(spellings), tf.string, shape=[len(spellings)])
    return tf.reduce_any(tf.equal(tf.expand_dims(cell, 1), spellings), axis=1)


def _boolean(cell, column, table):
    """``[batch]`` string → ``[batch, 1 or 2]`` float32: 1./0./fill, then the indicator
    (not a known spelling is missing, whatever it is)."""
    del table
    fill = _required_fill(column)
    is_true = _is_any(cell, column.true_values)
    unknown = tf.logical_not(tf.logical_or(is_true, _is_any(cell, column.false_values)))
    value = tf.cast(is_true, tf.float32) + tf.cast(unknown, tf.float32) * fill
    return _with_indicator(tf.expand_dims(value, 1, name="value"), unknown, column)


def _with_indicator(value, missing, column):
    if not column.indicator:
        return value
    return tf.concat([value, _indicator(missing)], axis=1)


def days_from_civil(year, month, day):
    """Days since 1970-01-01 of a proleptic Gregorian date, by integer arithmetic.

    The algorithm ``days_from_civil`` of Howard Hinnant, "chrono-Compatible Low-Level
    Date Algorithms" (http://howardhinnant.github.io/date_algorithms.html), with floor
    division in place of its adjustment of C's truncating division for negative years.

    Args:
        year, month, day: int64 tensors of one shape (month 1–12, day 1–31).

    Returns:
        int64 tensor of that shape.
    """
    year = year - tf.cast(month <= 2, tf.int64)
    era = tf.floordiv(year, 400)
    year_of_era = year - era * 400                                        # [0, 399]
    shifted_month = tf.floormod(month + 9, 12)                            # March = 0
    day_of_year = tf.floordiv(153 * shifted_month + 2, 5) + day - 1       # [0, 365]
    day_of_era = (year_of_era * 365 + tf.floordiv(year_of_era, 4)
                  - tf.floordiv(year_of_era, 100) + day_of_year)          # [0, 146096]
    return era * 146097 + day_of_era - 719468


def _days_in_month(year, month):
    """int64 days of a month: 28/29 in February, else 30 + (month + month // 8) mod 2."""
    leap = tf.logical_or(
        tf.logical_and(tf.equal(tf.floormod(year, 4), 0), tf.not_equal(tf.floormod(year, 100), 0)),
        tf.equal(tf.floormod(year, 400), 0))
    other = 30 + tf.floormod(month + tf.floordiv(month, 8), 2)
    return tf.where(tf.equal(month, 2), 28 + tf.cast(leap, tf.int64), other)


def parse_dates(cell):
    """Date cells (``tfcourse.data.dates``) to days since 1970-01-01.

    Args:
        cell: ``[batch]`` string tensor.

    Returns:
        ``(days, valid)``: ``[batch]`` float32 days including the time of day as a
        fraction (computed in float64 from whole seconds, as ``dates.days`` does, then
        rounded), 0. where invalid; ``[batch]`` bool, True where ``cell`` is a valid date.
    """
    valid = tf.strings.regex_full_match(cell, DATE_PATTERN)
    # string_to_number fails on any bad element, even one tf.where would drop later.
    safe = tf.where(valid, cell, tf.fill(tf.shape(cell), _EPOCH_CELL))
    digits = tf.strings.regex_replace(safe, "[^0-9]", "")                 # YYYYMMDD[hhmm[ss]]
    digits = tf.strings.substr(tf.strings.join([digits, "000000"]), 0, 14)
    number = tf.strings.to_number(digits, out_type=tf.int64)              # YYYYMMDDhhmmss
    date, time = tf.floordiv(number, 1000000), tf.floormod(number, 1000000)
    year, month = tf.floordiv(date, 10000), tf.floormod(tf.floordiv(date, 100), 100)
    day = tf.floormod(date, 100)
    valid = tf.logical_and(valid, day <= _days_in_month(year, month))
    seconds = (days_from_civil(year, month, day) * SECONDS_PER_DAY
               + tf.floordiv(time, 10000) * 3600 + tf.floormod(tf.floordiv(time, 100), 100) * 60
               + tf.floormod(time, 100))
    days = tf.cast(tf.cast(seconds, tf.float64) / float(SECONDS_PER_DAY), tf.float32)
    return tf.where(valid, days, tf.zeros_like(days)), valid


def _date(cell, column, table):
    """``[batch]`` string → ``[batch, 1 or 2]`` float32: days or fill, then the indicator
    (an ``na_values`` spelling is not a date: missing)."""
    del table
    fill = _required_fill(column)
    days, valid = parse_dates(cell)
    value = tf.where(valid, days, tf.fill(tf.shape(days), fill))
    return _with_indicator(tf.expand_dims(value, 1, name="value"), tf.logical_not(valid), column)


def _vocabulary_table(column, na_values):
    """A categorical column's string → slot table (int64; see ``_categorical``).

    Slots: the vocabulary's, then ``<missing>`` (a cell in ``na_values`` or empty) with
    ``missing_category``, then ``<other>`` (any other cell) with ``other``; -1 for a
    cell whose slot the column lacks. A vocabulary entry that is also in ``na_values``
    counts as the category.
    """
    vocabulary = list(column.vocabulary)
    n_vocabulary = len(vocabulary)
    missing_slot = n_vocabulary if column.missing_category else -1
    other_slot = n_vocabulary + int(column.missing_category) if column.other else -1
    missing_keys = []
    for value in tuple(na_values) + ("",):
        if value not in vocabulary and value not in missing_keys:
            missing_keys.append(value)
    with tf.name_scope(op_name(column.name)):
        return hash_table(
            tf.constant(vocabulary + missing_keys, tf.string),
            tf.constant(list(range(n_vocabulary)) + [missing_slot] * len(missing_keys), tf.int64),
            tf.constant(other_slot, tf.int64), name="vocabulary")


def _categorical(cell, column, table):
    """``[batch]`` string → ``[batch, n_categories]`` float32 one-hot of the slots of
    ``_vocabulary_table``: a cell whose slot the column lacks is all 0. (an unknown
    category without ``other``, a missing cell without ``missing_category``: missing is
    not a category, so never ``<other>``)."""
    depth = len(column.vocabulary) + int(column.missing_category) + int(column.other)
    return tf.one_hot(table.lookup(cell), depth, dtype=tf.float32, name="one_hot")


_TEXT_ENCODERS = {"boolean": _boolean, "date": _date, "categorical": _categorical}
