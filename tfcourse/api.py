"""The Python API beside the command line: ``tfcourse.train`` and ``tfcourse.load``.

    import tfcourse
    result = tfcourse.train("configs/diabetes.yaml", max_step=500, model_dir="tmp/diabetes")
    model = tfcourse.load(result.model_dir)
    model.predict([{"age": 59, "sex": 2, "bmi": 32.1, ...}])   # a DataFrame of outputs
    model.evaluate(pandas.read_csv("data/diabetes.csv"))       # loss and metrics
    model.coefficients()                                       # in the data's own units

The functions are the command line's own (``tfcourse train``, ``predict``, ``evaluate``,
``restore``): the same config resolution, trainer, checked restore, reading of rows (rows in
memory are read as the CSV file they would be) and folding; errors are the command line's
``tfcourse.UsageError`` (exit 2) and ``tfcourse.DataError`` (exit 1). TensorFlow is imported
when a function first needs it, not by ``import tfcourse``.
"""

import collections
import contextlib
import os
import re
import shutil
import tempfile
import warnings

from tfcourse.errors import DataError, UsageError

Result = collections.namedtuple(
    "Result", "model_dir config global_step loss weights bias run_dir checkpoint eval_metrics")
Result.__doc__ = """What ``tfcourse.train`` ended with.

Attributes:
    model_dir: the model directory (str): pass it to ``tfcourse.load``.
    config: the resolved ``tfcourse.config.Config`` trained with.
    global_step, loss, weights, bias, run_dir, checkpoint, eval_metrics: as
        ``tfcourse.training.trainer.TrainResult`` (weights ``[n_features, K]`` float32 of the
        standardised features; ``Model.coefficients`` gives them in the data's units).
"""


def _warn(line):
    warnings.warn(re.sub(r"\S*tfcourse-rows-\w+/rows\.csv", "rows", line), stacklevel=3)


def resolve(config=None, **overrides):
    """The resolved config of a YAML path or a dict (as in ``config.yaml``) and overrides.

    Args:
        config: a YAML file (str; its data paths relative to it), a dict of config keys
            (``data`` a nested dict; paths relative to the current directory) or None.
        **overrides: top-level config keys (``max_step=500``), or ``data={...}`` with data
            keys, winning over ``config`` as flags do on the command line.

    Raises:
        UsageError: an unknown key, a wrong type or value (naming the key).
    """
    from tfcourse import config as config_lib
    data = overrides.pop("data", None)
    unknown = [name for name in overrides if name not in config_lib.ROOT_KEYS]
    if unknown:
        raise UsageError("unknown config key {!r}; known: {}".format(
            unknown[0], ", ".join(list(config_lib.ROOT_KEYS) + ["data"])))
    if isinstance(config, dict) or data is not None:
        base = dict(config) if isinstance(config, dict) else (
            config_lib.resolve(config).to_dict() if config else {})
        base["data"] = dict(base.get("data") or {}, **(data or {}))
        base.update(overrides)
        return config_lib.from_dict(base, "config dict" if isinstance(config, dict) else config)
    return config_lib.resolve(config, overrides)


def train(config=None, out=None, **overrides):
    """Trains a model, as ``tfcourse train --config config --key value ...`` does.

    Args:
        config: a YAML path, a dict of config keys or None (see ``resolve``).
        out: callable taking each progress line, or None (silent; warnings go to Python's
            ``warnings``).
        **overrides: config keys (``max_step=500``, ``model_dir="tmp/m"``, ``data={...}``).

    Returns:
        a ``Result``.

    Raises:
        UsageError: a bad config; DataError: bad data, an incompatible model directory,
        divergence.
    """
    from tfcourse.training import trainer
    resolved = resolve(config, **overrides)
    result = trainer.train(resolved, out=out or (lambda line: None), warn=_warn)
    return Result(model_dir=resolved.model_dir, config=resolved, **result._asdict())


def load(model_dir):
    """The trained model in ``model_dir`` (a model directory or a checkpoint prefix), a
    ``Model``; checked now (raises DataError when nothing restorable is there)."""
    from tfcourse import model_dir as model_dir_lib
    model_dir_lib.find_checkpoint(model_dir)
    return Model(model_dir)


@contextlib.contextmanager
def _rows_file(rows):
    """``rows`` written as a CSV file in a temporary directory: its path."""
    import pandas
    if isinstance(rows, pandas.DataFrame):
        frame = rows
    elif isinstance(rows, dict):
        frame = pandas.DataFrame(rows)
    elif isinstance(rows, (list, tuple)) and all(isinstance(row, dict) for row in rows):
        frame = pandas.DataFrame(list(rows))
    else:
        raise UsageError("rows: expected a pandas DataFrame, a dict of columns or a list of "
                         "dicts, got {}".format(type(rows).__name__))
    if not len(frame):
        raise UsageError("rows: no rows given")
    directory = tempfile.mkdtemp(prefix="tfcourse-rows-")
    path = os.path.join(directory, "rows.csv")
    try:
        frame.to_csv(path, index=False)
        yield path
    except (UsageError, DataError) as err:  # named as the rows, not the temporary file
        raise type(err)(str(err).replace(path, "rows"))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


class Model(object):
    """A trained model (``tfcourse.load``): predictions, metrics and coefficients.

    Each call restores the latest checkpoint into the inference graph (the one every
    command uses) and reads ``rows`` as the command line reads a CSV file: the model's
    columns by name (others ignored), raw cells (text, gaps as None/NaN or ``na_values``).
    """

    def __init__(self, model_dir):
        self.model_dir = model_dir

    def _open(self):
        from tfcourse.commands import restore
        return restore.open_model(self.model_dir)

    def predict(self, rows):
        """The model's outputs for ``rows`` (a DataFrame, a dict of columns, a list of dicts).

        Returns:
            a pandas DataFrame with ``tfcourse predict``'s columns: ``prediction`` (float, or
            the label's class) and ``probability`` (logistic: of the positive class) or
            ``probability_<class>`` (softmax), one row per input row.

        Raises:
            DataError: a column of the model is missing, or a cell is not a number.
        """
        import pandas
        from tfcourse.commands import predict, restore
        with _rows_file(rows) as path, self._open() as loaded:
            dataset, _ = predict.read_input(loaded, path, False, _warn)
            outputs = restore.run_outputs(loaded, dataset)
        frame = collections.OrderedDict()
        frame["prediction"] = ([v.decode("utf-8") for v in outputs["label"]]
                               if "label" in outputs else outputs["predictions"][:, 0])
        probabilities = outputs.get("probabilities")
        if probabilities is not None and probabilities.shape[1] == 1:
            frame["probability"] = probabilities[:, 0]
        elif probabilities is not None:
            for j, name in enumerate(loaded.spec.classes):
                frame["probability_" + name] = probabilities[:, j]
        return pandas.DataFrame(frame)

    def evaluate(self, rows):
        """Loss and metrics on labelled ``rows`` (``tfcourse evaluate``'s): an OrderedDict."""
        from tfcourse.commands import predict
        with _rows_file(rows) as path:
            return predict.evaluate(self.model_dir, path, out=lambda line: None, warn=_warn)

    def coefficients(self, raw=True):
        """The weights by feature, in the data's own units (``raw``) or of the standardised
        features, and the intercept (``tfcourse.fold``).

        Returns:
            a pandas DataFrame indexed by feature name (``age``, ``island=Dream``,
            ``age_missing``) then ``(intercept)``; one column ``coefficient``, or one per
            class of a softmax model.
        """
        import numpy as np
        import pandas
        from tfcourse.commands import export_formats
        with self._open() as loaded:
            folded = export_formats.folded_model(loaded)
        weights, bias = ((folded.raw_weights, folded.intercept) if raw else
                         (folded.weights, folded.bias))
        columns = (list(folded.classes) if weights.shape[1] > 1 else ["coefficient"])
        return pandas.DataFrame(np.vstack([weights, bias[None]]).astype(np.float64),
                                index=list(folded.feature_names) + ["(intercept)"],
                                columns=columns)

    def folded(self):
        """The whole folded model (``tfcourse.fold.Folded``): terms with the fills folded in,
        encodings, standardised weights and statistics."""
        from tfcourse.commands import export_formats
        with self._open() as loaded:
            return export_formats.folded_model(loaded)

    def __repr__(self):
        return "tfcourse.Model({!r})".format(self.model_dir)
