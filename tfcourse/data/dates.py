"""Dates in CSV cells: the accepted spellings and their days since 1970-01-01 in numpy.

A date cell is ``YYYY-MM-DD`` or ``YYYY/MM/DD`` (proleptic Gregorian calendar, years
0000–9999), optionally followed by ``" "`` or ``"T"`` and ``HH:MM`` or ``HH:MM:SS``
(no time zone, no leading or trailing blanks). Its value is the days since
1970-01-01T00:00:00 including the time as a fraction of a day. Anything else — a
missing cell, an ``na_values`` spelling, a month 13, the 30th of February, 24:00,
a leap second — is missing.

``DATE_PATTERN`` is the one definition of the spellings: the graph
(``tfcourse.features``, RE2 through ``tf.strings.regex_full_match``) and ``days``
(Python's ``re``) both use it, so it keeps to the syntax both engines read alike.
Only the day of the month against the month's length is checked after the pattern.
This module imports no TensorFlow.
"""

import re

import numpy as np

_MONTH = "(?:0[1-9]|1[0-2])"
_DAY = "(?:0[1-9]|[12][0-9]|3[01])"
_TIME = "(?:[ T](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?)?"
DATE_PATTERN = "[0-9]{{4}}(?:-{m}-{d}|/{m}/{d}){t}".format(m=_MONTH, d=_DAY, t=_TIME)
"""Regular expression a whole date cell must match (str; no anchors, match it whole)."""

SECONDS_PER_DAY = 86400
_MATCH = re.compile(DATE_PATTERN).fullmatch
_EPOCH = np.datetime64("1970-01-01T00:00:00", "s")


def _canonical(value):
    """ISO 8601 text numpy parses for a date cell that matches the pattern, else None."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str) or _MATCH(value) is None:
        return None
    return value.replace("/", "-").replace(" ", "T")


def _seconds(texts):
    """``([n] int64 seconds since 1970, [n] bool)`` of ISO texts; the bool is True where
    the day is beyond the month's end (numpy refuses such a text)."""
    try:
        stamps = np.array(texts, dtype="datetime64[s]")
    except ValueError:
        stamps = np.array([_stamp(text) for text in texts], dtype="datetime64[s]")
    return (stamps - _EPOCH).astype(np.int64), np.isnat(stamps)


def _stamp(text):
    try:
        return np.datetime64(text, "s")
    except ValueError:
        return np.datetime64("NaT", "s")


def days(values):
    """Days since 1970-01-01 of date cells, by numpy's ``datetime64``.

    Args:
        values: array-like of str (or bytes, or anything else, which is missing), any shape.

    Returns:
        float64 array of the same shape: days including the time of day as a fraction,
        NaN where a cell is not a valid date (see the module docstring).
    """
    cells = np.asarray(values, dtype=object)
    flat = cells.reshape(-1)
    result = np.full(flat.shape, np.nan)
    texts = [_canonical(value) for value in flat]
    valid = np.array([text is not None for text in texts], dtype=bool)
    if valid.any():
        seconds, invalid_day = _seconds([text for text in texts if text is not None])
        parsed = seconds / float(SECONDS_PER_DAY)
        parsed[invalid_day] = np.nan
        result[valid] = parsed
    return result.reshape(cells.shape)
