"""``tfcourse train --dry_run``: the checks a training run makes before its first step, and the
resolved config printed as YAML, with nothing created.

The YAML holds every key with its concrete value (``model_dir``, ``summary_dir`` and
``data.path`` absolute, so the text means the same wherever it is saved) and is a valid
``--config``: training with it gives the same run as the command line that printed it.
What the data checks decided (rows, the split, each column's type, the label's classes) and
what ``model_dir`` holds follow as comments.
"""

import os
import re

from tfcourse import data, files
from tfcourse import model_dir as model_dir_lib
from tfcourse.training import trainer


def report(config, base=None):
    """Checks what ``config`` trains on and where it writes; returns the report (str).

    Args:
        config: a resolved ``tfcourse.config.Config``.
        base: the YAML file the config was built on (``--config``, or a model directory's
            ``config.yaml``), or None.

    Returns:
        YAML text ending in a newline: the config, then comment lines.

    Raises:
        UsageError: ``model_dir`` or ``summary_dir`` cannot be written, or ``model_dir`` is a
            foreign non-empty directory.
        DataError: the data fail a check, or ``model_dir`` holds a model this config cannot
            continue (the same refusals as training).
    """
    files.check_output_dir(config.model_dir, "model_dir")
    files.check_output_dir(config.summary_dir, "summary_dir")
    split, spec = trainer.load_data(config)
    state = model_dir_lib.inspect_model_dir(config.model_dir)
    if state.spec is not None:
        model_dir_lib.check_compatible(state.spec, spec, config.model_dir)
    lines = ["# tfcourse train --dry_run: the resolved config, every default made concrete; "
             "a valid --config.", "# Nothing was created."]
    if base is not None:
        lines.append("# built on {} (defaults < that file < flags)".format(base))
    text = "\n".join(lines) + "\n" + model_dir_lib.config_text(config)
    return text + "".join("# " + line + "\n" for line in _decided(config, split, spec, state))


def _decided(config, split, spec, state):
    """Comment lines: the data, the split, the columns, the label, the model directory."""
    train = split.train
    n_train = data.n_train(train)
    n_validation = _validation_rows(split)
    lines = ["data checked: {}".format(train.source),
             "rows: {} training, {} held out for validation (data.validation_fraction {}, "
             "seed {})".format(n_train, n_validation, config.data.validation_fraction,
                               config.seed)]
    lines += [note for note in split.notes if not note.startswith("columns: ")]  # as below
    lines.append("label: {}{}".format(spec.label, "" if spec.classes is None else
                                      ", classes " + ", ".join(spec.classes)))
    n_features = len(data.encoded_names(spec.columns))
    lines.append("columns ({} feature{} after encoding):".format(
        n_features, "" if n_features == 1 else "s"))
    lines += ["  {}: {}".format(column.name, _column(column)) for column in spec.columns]
    lines.append("batches: {}".format(
        "of {} rows{}".format(config.data.batch_size, ", streamed from the file"
                              if config.data.stream else "")
        if config.data.batch_size else "full batch ({} rows per step)".format(n_train)))
    if config.steps_per_run is None:
        lines.append("steps_per_run: null: chosen when training starts (about 50 ms of steps per "
                     "session.run; the learned values are the same whatever it is)")
    lines.append(_model_dir_line(config, state))
    return lines


def _validation_rows(split):
    """Held-out rows (a streamed file keeps at most ``data.MAX_VALIDATION_ROWS`` of them)."""
    return 0 if split.validation is None else len(split.validation.y)


def _column(column):
    """One column as the checks typed it: ``numeric (gaps: mean 43.9, plus ..._missing)``."""
    if column.kind == "categorical":
        extra = [name for name, has in (("<missing>", column.missing_category),
                                        ("<other>", column.other)) if has]
        return "categorical, {} categories{}".format(
            len(column.vocabulary), "".join(", " + name for name in extra))
    if column.indicator:
        return "{} (gaps: filled with {:.6g}, plus {}_missing)".format(
            column.kind, column.fill, column.name)
    return column.kind


def _model_dir_line(config, state):
    if state.checkpoint is None:
        return "model_dir {}: new; training would create it".format(
            os.path.abspath(config.model_dir))
    match = re.search(r"-(\d+)$", state.checkpoint)
    step = int(match.group(1)) if match else 0
    what = ("training would continue to global step {}".format(config.max_step)
            if step < config.max_step else "nothing to train (max_step {})".format(
                config.max_step))
    return "model_dir {}: holds a model at global step {}; {}".format(
        os.path.abspath(config.model_dir), step, what)
