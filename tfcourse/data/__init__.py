"""Data for training and prediction: built-in sets and CSV files, in memory or streamed.

    builtin       the course's line and synthetic classes
    csv_reader    the one CSV reader (pandas over blocks of whole records; layout: where they
                  are; cells: numbers, text, gaps)
    reading       the checking pass: missing values, row weights, what the training rows
                  decide (summary: a column's cells; column_types: types, vocabularies, fills,
                  statistics; labels: numbers or classes), and rows as the model takes them
                  (inputs; dates)
    columns       feature and label columns, the statistics' moments
    split         the one split, decided per row by a seeded hash of its index
    batches       minibatches in memory, streamed, and sharded between workers

``model_split`` and ``read_model_input`` read a file for a trained model: its columns by
name, encoded as the model encodes them.

``load`` gives a ``Split`` for a resolved ``data`` config: the same rows, checks,
messages, held-out rows and statistics whether the file is read whole or streamed.
Data never become a graph constant: the trainer places arrays in the session once or
streams minibatches through ``tf.data``. This package imports neither TensorFlow nor
the models: a model's kind of label is handed in (``labels.KINDS``: its ``LABELS``).
"""

import numpy as np

from tfcourse.data import builtin, csv_reader, reading, split as split_lib
from tfcourse.data.builtin import TRUE_BIAS, TRUE_WEIGHT, classification_data, course_data  # noqa
from tfcourse.data.cells import pandas
from tfcourse.data.columns import standardization  # noqa: F401  (part of this package's API)
from tfcourse.data.inputs import unseen  # noqa: F401  (part of this package's API)
from tfcourse.data.types import (  # noqa: F401  (part of this package's API)
    TEXT_KINDS, Dataset, Split, Streamed, encoded_names, numeric_columns, numeric_dataset,
    rows_of, text_columns)
from tfcourse.errors import UsageError

MAX_VALIDATION_ROWS = 100000


def load(data_config, seed, builtin_data="course", label_kind="number", block_bytes=None):
    """Loads, checks and splits the data a resolved config asks for.

    Args:
        data_config: a resolved ``tfcourse.config.DataConfig`` (see ``config.resolve``).
        seed: the run's seed (int): built-in data and the split.
        builtin_data: the model's built-in set without a CSV file (a key of ``builtin.SETS``).
        label_kind: what the model takes as label (``labels.KINDS``).
        block_bytes: bytes of the file read at a time, or None: ``csv_reader.BLOCK_BYTES``
            reading it whole, ``csv_reader.STREAM_BLOCK_BYTES`` streaming it.

    Returns:
        a ``Split``: ``train`` a ``Dataset``, or a ``Streamed`` file when
        ``data_config.stream``; validation at most ``MAX_VALIDATION_ROWS`` rows when streamed.

    Raises:
        UsageError: ``data.label`` missing for a CSV file, ``data.stream`` without a file.
        DataError: the data fail a check (see ``reading``), or a side of the split is empty.
    """
    if data_config.path is None:
        if data_config.stream:
            raise UsageError("data.stream: true needs a CSV file in data.path")
        dataset = builtin.SETS[builtin_data](data_config.n_samples, seed)
        return split_dataset(dataset, data_config.validation_fraction, seed)
    if not data_config.label:
        raise UsageError("data.label: the label column's name is needed with data.path "
                         "({}) (flag: --label NAME)".format(data_config.path))
    if data_config.stream:
        return scan(data_config, label_kind, seed, block_bytes or csv_reader.STREAM_BLOCK_BYTES)
    return read_csv(data_config, label_kind, seed, block_bytes or csv_reader.BLOCK_BYTES)


def split_dataset(dataset, validation_fraction, seed):
    """Splits a built-in ``Dataset`` (numeric columns, no gaps) with ``split.is_validation``
    and computes the training statistics.

    Returns:
        a ``Split`` (``validation`` None when the fraction is 0).

    Raises:
        DataError: a side of the split is empty.
    """
    n_rows = len(dataset.x)
    held = split_lib.is_validation(np.arange(n_rows), validation_fraction, seed)
    split_lib.check_sizes(dataset.source, n_rows, int(held.sum()), validation_fraction)
    if validation_fraction:
        train = dataset._replace(x=dataset.x[~held], y=dataset.y[~held])
        validation = dataset._replace(x=dataset.x[held], y=dataset.y[held])
    else:
        train, validation = dataset, None
    mean, std = standardization(train.x)
    return Split(train=train, validation=validation, mean=mean, std=std, notes=[], warnings=[])


def _open(data_config, label_kind):
    header = csv_reader.read_header(data_config.path, data_config.delimiter)
    return header, reading.plan(header, data_config, label_kind)


def read_csv(data_config, label_kind="number", seed=0, block_bytes=csv_reader.BLOCK_BYTES):
    """Reads a labelled CSV file whole, checks, types and splits it.

    Returns:
        a ``Split`` of ``Dataset`` s.

    Raises:
        DataError: see ``csv_reader``, ``reading`` and ``column_types``.
    """
    header, plan = _open(data_config, label_kind)
    pd = pandas()

    def whole_pass(plan):
        chunk = csv_reader.read_all(header, plan.indices, block_bytes, plan.text_indices,
                                    plan.na_values)
        checking = reading.CheckingPass(pd, plan, header.names,
                                        data_config.validation_fraction, seed)
        keep, held = checking.add(chunk)
        return checking, chunk, keep, held, checking.finish()
    plan, (_, chunk, keep, held, decided) = _checked(plan, whole_pass)
    x, text, y, weight, _ = reading.rows(pd, plan, header.names, chunk, decided, keep)
    held = held[keep]
    dataset = Dataset(x=x, text=text, y=y, columns=decided.columns, label=plan.label,
                      classes=decided.classes, source=header.path, weight=weight)
    validation = rows_of(dataset, held) if data_config.validation_fraction else None
    return Split(train=rows_of(dataset, ~held), validation=validation, mean=decided.mean,
                 std=decided.std,
                 notes=decided.notes, warnings=decided.warnings,
                 class_weights=decided.class_weights)


def scan(data_config, label_kind="number", seed=0, block_bytes=csv_reader.STREAM_BLOCK_BYTES):
    """The checking pass over a file to be streamed: every check of ``read_csv``, the
    split's counts, the types, the training statistics and the held-out rows, in constant
    memory.

    Returns:
        a ``Split`` with ``train`` a ``Streamed``.

    Raises:
        DataError: as ``read_csv``, naming the same first problem with the same message.
    """
    header, plan = _open(data_config, label_kind)
    pd = pandas()
    plan, (checking, held_out, decided) = _checked(plan, lambda plan: _checking_pass(
        pd, header, plan, data_config, seed, block_bytes))
    validation = None
    if held_out:
        joined = csv_reader.Chunk([np.concatenate([c.values[j] for c in held_out])
                                   for j in range(len(plan.indices))],
                                  np.concatenate([c.lines for c in held_out]))
        x, text, y, weight, _ = reading.rows(pd, plan, header.names, joined, decided)
        validation = Dataset(x=x, text=text, y=y, columns=decided.columns, label=plan.label,
                             classes=decided.classes, source=header.path, weight=weight)
    streamed = Streamed(header=header, plan=plan, decided=decided, n_rows=checking.n_rows,
                        n_train=checking.n_train,
                        validation_fraction=data_config.validation_fraction, seed=seed,
                        source="{} (streamed)".format(header.path))
    return Split(train=streamed, validation=validation, mean=decided.mean, std=decided.std,
                 notes=decided.notes, warnings=decided.warnings,
                 class_weights=decided.class_weights)


def _checked(plan, checking_pass):
    """``(plan, checking_pass(plan))``, the pass run again once with the columns it says
    must be read as text (``CheckingPass.unread_text``: pandas typed some of a text column's
    cells as numbers, or a numeric-looking column's numbers were not counted). The pass
    returns a tuple whose first item is its ``CheckingPass`` and last its ``Decided``."""
    found = checking_pass(plan)
    unread = found[0].unread_text(found[-1])
    if unread:
        plan = plan._replace(text_indices=plan.text_indices + unread)
        found = checking_pass(plan)
    return plan, found


def _checking_pass(pd, header, plan, data_config, seed, block_bytes):
    """``(CheckingPass, held-out chunks, Decided)`` of one pass over a streamed file."""
    checking = reading.CheckingPass(pd, plan, header.names, data_config.validation_fraction,
                                    seed)
    held_out, n_held = [], 0
    for chunk in csv_reader.read_chunks(header, plan.indices, block_bytes,
                                        plan.text_indices, plan.na_values):
        keep, held = checking.add(chunk)
        rows = np.flatnonzero(keep & held)[:MAX_VALIDATION_ROWS - n_held]
        if len(rows):
            held_out.append(csv_reader.Chunk([values[rows] for values in chunk.values],
                                             chunk.lines[rows]))
            n_held += len(rows)
    return checking, held_out, checking.finish()


def read_model_input(path, spec, delimiter=",", na_values=(), with_label=True):
    """Reads a file for a trained model: its input columns (by name), and its label.

    Args:
        spec: the model's ``tfcourse.model_dir.ModelSpec`` (columns, label, classes, the
            weight column).
        with_label: read the label column (it must exist; rows without a label are
            dropped) and the model's weight column when the file has it; False: neither
            is read, every row is kept.

    Returns:
        ``(dataset, header, dropped)``: a ``Dataset`` (``y`` None without ``with_label``),
        the file's ``csv_reader.Header`` and the number of rows dropped for want of a label.

    Raises:
        DataError: missing columns, bad cells, a label that is not one of the model's
            classes.
    """
    dataset, header, keep = _model_rows(path, spec, delimiter, na_values, with_label)
    return dataset, header, int((~keep).sum())


def model_split(spec, data_config, seed):
    """The ``Split`` of the CSV file a model was trained on, read for the model (columns by
    name, encoded as the model encodes them) with the rows training kept and held out.

    Raises:
        DataError: as ``read_model_input``.
    """
    dataset, _, keep = _model_rows(data_config.path, spec, data_config.delimiter,
                                   data_config.na_values, True, data_config.missing == "drop")
    held = split_lib.is_validation(np.flatnonzero(keep), data_config.validation_fraction, seed)
    validation = rows_of(dataset, held) if data_config.validation_fraction else None
    return Split(train=rows_of(dataset, ~held), validation=validation, mean=None, std=None,
                 notes=[], warnings=[], class_weights=spec.class_weights)


def _model_rows(path, spec, delimiter, na_values, with_label, drop_missing=False):
    """``(dataset, header, keep)``: the rows of ``path`` for a model (see ``read_model_input``)
    and ``keep``, ``[rows]`` bool over the file's data rows: those read (see
    ``reading.model_plan``), turned into model inputs by ``reading.rows`` as training does."""
    header = csv_reader.read_header(path, delimiter)
    plan = reading.model_plan(header, spec, na_values, with_label, drop_missing)
    pd = pandas()
    chunk = csv_reader.read_all(header, plan.indices, csv_reader.BLOCK_BYTES, plan.text_indices,
                                plan.na_values)
    keep = reading.kept_rows(pd, plan, header.names, chunk)[0]
    decided = reading.Decided(spec.columns, spec.classes, None, None, [], [], None)
    x, text, y, weight, _ = reading.rows(pd, plan, header.names, chunk, decided, keep)
    return Dataset(x=x, text=text, y=y, columns=spec.columns, label=spec.label,
                   classes=spec.classes, source=path, weight=weight), header, keep


def schema(split):
    """``(columns, label, classes, class_weights)`` of a ``Split`` (see ``types``)."""
    train = split.train
    if isinstance(train, Streamed):
        return train.decided.columns, train.plan.label, train.decided.classes, split.class_weights
    return train.columns, train.label, train.classes, split.class_weights


def no_rows(columns):
    """A ``Dataset`` without rows for ``columns`` (what a streaming run stores)."""
    n_text = len(text_columns(columns))
    return Dataset(x=np.zeros((0, len(numeric_columns(columns))), np.float32),
                   text=np.zeros((0, n_text), object) if n_text else None,
                   y=np.zeros((0, 1), np.float32), columns=columns, label=None, classes=None,
                   source=None)


def n_train(train):
    """Training rows of a ``Dataset`` or ``Streamed``."""
    return train.n_train if isinstance(train, Streamed) else len(train.x)
