"""Generated CSV files for the data tests: numpy arrays written as text, and what they hold."""

import numpy as np
import pytest

from tfcourse import data
from tfcourse.errors import DataError


def write_csv(path, header, values, newline="\n", formats=None, blank_before=None,
              quote_at=None, cell_at=None):
    """Writes ``values`` (2-D) under ``header``; returns the 1-based line of each data row.

    Args:
        formats: one printf format per column (default ``%.4f``).
        blank_before: data row index before which a blank line is written.
        quote_at: ``(row, column)`` of a cell written between double quotes.
        cell_at: ``(row, column, text)``: a cell written as ``text`` instead of its value;
            ``text`` None drops the fields from that column on (a ragged row).
    """
    formats = formats or ["%.4f"] * len(header)
    lines, numbers, line = [",".join(header)], [], 1
    for i, row in enumerate(values):
        if i == blank_before:
            lines.append("")
            line += 1
        cells = [fmt % value for fmt, value in zip(formats, row)]
        if quote_at is not None and quote_at[0] == i:
            cells[quote_at[1]] = '"{}"'.format(cells[quote_at[1]])
        if cell_at is not None and cell_at[0] == i:
            if cell_at[2] is None:
                cells = cells[:cell_at[1]]
            else:
                cells[cell_at[1]] = cell_at[2]
        lines.append(",".join(cells))
        line += 1
        numbers.append(line)
    with open(str(path), "w", newline="") as handle:
        handle.write(newline.join(lines) + newline)
    return numbers


def table(n_rows, n_features=3, seed=0):
    """``[n_rows, n_features + 1]`` values with 4 decimals; column 0 is the row index (an
    identity for each row), the last column the label."""
    rng = np.random.RandomState(seed)
    values = np.round(rng.normal(3.0, 2.0, size=(n_rows, n_features + 1)), 4)
    values[:, 0] = np.arange(n_rows)
    return values


def header_of(values):
    return ["id"] + ["x{}".format(i) for i in range(1, values.shape[1] - 1)] + ["y"]


def as_read(values):
    """The float32 values the file's text holds."""
    return np.array([[np.float32(float("%.4f" % value)) for value in row] for row in values],
                    np.float32)


def make_file(tmp_path, n_rows=1000, n_features=3, seed=0, name="data.csv", **kwargs):
    """Writes a ``table`` file; returns ``(path, values as read)``."""
    values = table(n_rows, n_features, seed)
    path = str(tmp_path / name)
    write_csv(path, header_of(values), values, **kwargs)
    return path, as_read(values)


def write(tmp_path, content, name="data.csv"):
    """Writes ``content`` (str as UTF-8 without newline translation, or bytes); returns the
    path (str)."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def data_config(model="linear", **values):
    """A resolved data config (as ``config.resolve`` makes it for ``model``) with ``values``."""
    from tfcourse import config as config_lib
    fields = config_lib.resolve(None, {"model": model}).to_dict()["data"]
    fields.update(values)
    for name in ("features", "ignore", "na_values"):
        fields[name] = tuple(fields[name]) if fields[name] is not None else None
    return config_lib.DataConfig(**fields)


def data_error(function, *args, **kwargs):
    """The message of the DataError ``function(*args, **kwargs)`` raises."""
    with pytest.raises(DataError) as info:
        function(*args, **kwargs)
    return str(info.value)


def config(path, label="y", **options):
    """A resolved data config for ``path`` (no validation split unless given)."""
    options.setdefault("validation_fraction", 0.0)
    return data_config(path=path, label=label, **options)


def read(path, label="y", kind="number", **options):
    """The training rows of ``path`` read whole (no validation split): a ``Dataset``."""
    return data.read_csv(config(path, label, **options), kind).train
