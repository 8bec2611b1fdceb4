"""What a model was trained on, so that a resume trains on the same data with the same split.

A model directory's ``data.json`` records the data of its last training run: the CSV file's
path and size in bytes, a SHA-256 of the training rows' content (the rows as the model reads
them: numeric cells, text cells, labels and row weights; for a streamed file, the file's
bytes), each column's type, and the split (seed, validation fraction, training and held-out
rows). A resume compares the data it loads with that record and refuses data that differ,
in one line naming what changed, unless ``--allow_data_change`` (then the model keeps the
standardisation statistics and vocabularies it learned first, with a warning).

The split is part of the model: a resume keeps the model's ``seed`` and
``data.validation_fraction``, whatever the command line says (a warning names what is
ignored), so the rows once held out are never trained on.
"""

import hashlib
import json
import os

import numpy as np

from tfcourse import data, files
from tfcourse.errors import DataError

DATA_FILE = "data.json"
HASH_BLOCK = 1 << 20  # bytes read at a time when hashing a streamed file


def read(model_dir):
    """The ``data.json`` record of ``model_dir`` (dict), or None (older model directory)."""
    try:
        with open(os.path.join(model_dir, DATA_FILE)) as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def write(directory, record):
    """Writes ``record`` as ``<directory>/data.json`` atomically (``files.write_text``)."""
    files.write_text(os.path.join(directory, DATA_FILE), json.dumps(record, indent=2) + "\n")


def kept_split(config, saved_config, model_dir, warn):
    """``config`` with the split of the model being resumed: its seed and validation fraction.

    Args:
        config: the resolved config of this run.
        saved_config: the model directory's saved config, or None (a new model).
        model_dir: the model directory (its ``data.json`` names the split, else the saved
            config does).
        warn: callable taking one line of warning text.
    """
    if saved_config is None:
        return config
    split = (read(model_dir) or {}).get("split") or {}
    seed = split.get("seed", saved_config.seed)
    fraction = split.get("validation_fraction", saved_config.data.validation_fraction)
    ignored = []
    if config.seed != seed:
        ignored.append("seed {}".format(config.seed))
    if config.data.validation_fraction != fraction:
        ignored.append("data.validation_fraction {}".format(config.data.validation_fraction))
    if ignored:
        warn("resuming keeps the model's split (seed {}, data.validation_fraction {}): {} "
             "ignored, so no held-out row is trained on; train a new --model_dir for another "
             "split".format(seed, fraction, " and ".join(ignored)))
    return config._replace(seed=seed, data=config.data._replace(validation_fraction=fraction))


def _rows_hash(dataset):
    digest = hashlib.sha256()
    for array in (dataset.x, dataset.y, dataset.weight):
        if array is not None:
            digest.update(np.ascontiguousarray(array).tobytes())
    if dataset.text is not None:
        for row in dataset.text.tolist():
            digest.update("\x1f".join(row).encode("utf-8") + b"\x1e")
    return digest.hexdigest()


def _file_hash(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(HASH_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(config, split):
    """The ``data.json`` record of the data ``split`` was loaded from with ``config``."""
    train = split.train
    path = config.data.path
    streamed = isinstance(train, data.Streamed)
    columns, _, _, _ = data.schema(split)
    return {
        "path": os.path.abspath(path) if path else None,
        "size": os.path.getsize(path) if path else None,
        "content": "file bytes" if streamed else "training rows",
        "sha256": _file_hash(path) if streamed else _rows_hash(train),
        "columns": dict((column.name, column.kind) for column in columns),
        "split": {"seed": config.seed,
                  "validation_fraction": config.data.validation_fraction,
                  "training_rows": data.n_train(train),
                  "validation_rows": 0 if split.validation is None else len(split.validation.x)},
    }


def changes(saved, new):
    """What differs between two records, as short phrases (empty: the same data)."""
    found = []
    if saved.get("size") != new["size"] and new["size"] is not None:
        found.append("size {} -> {} bytes".format(saved.get("size"), new["size"]))
    if saved.get("sha256") != new["sha256"] and saved.get("content") == new["content"]:
        found.append("content of the {} (sha256 {:.12} -> {:.12})".format(
            new["content"], str(saved.get("sha256")), new["sha256"]))
    old_columns, new_columns = saved.get("columns") or {}, new["columns"]
    for name, kind in new_columns.items():
        if name in old_columns and old_columns[name] != kind:
            found.append("column {!r} {} -> {}".format(name, old_columns[name], kind))
    for name in sorted(set(old_columns) ^ set(new_columns)):
        found.append("column {!r} {}".format(name, "new" if name in new_columns else "gone"))
    for key in ("training_rows", "validation_rows"):
        old = (saved.get("split") or {}).get(key)
        if old is not None and old != new["split"][key]:
            found.append("{} {} -> {}".format(key.replace("_", " "), old, new["split"][key]))
    if found and saved.get("path") != new["path"]:
        found.insert(0, "path {} -> {}".format(saved.get("path"), new["path"]))
    return found


def check(model_dir, record, allow_change, warn):
    """Refuses to resume ``model_dir`` on data other than its ``data.json`` records.

    Raises:
        DataError: the data changed (naming what) and ``allow_change`` is False.
    """
    saved = read(model_dir)
    found = changes(saved, record) if saved else []
    if not found:
        return
    what = "data changed since model_dir {} was trained: {}".format(model_dir, "; ".join(found))
    if not allow_change:
        raise DataError(what + "; resume on the same data, or pass --allow_data_change to go on "
                        "with the model's saved statistics and vocabulary")
    warn(what + "; --allow_data_change: training goes on with the model's saved "
         "standardisation statistics and vocabulary")
