"""tfcourse: the classic TensorFlow 1.x course as a command-line trainer, and its Python API.

    import tfcourse
    result = tfcourse.train("configs/diabetes.yaml", max_step=500)   # a tfcourse.api.Result
    model = tfcourse.load(result.model_dir)                          # a tfcourse.api.Model
    model.predict(rows), model.evaluate(rows), model.coefficients()

Errors are the command line's: ``UsageError`` (a bad config, key or value; exit code 2 on
the command line) and ``DataError`` (bad data, no checkpoint; exit code 1), both
``TfcourseError``. ``import tfcourse`` imports no TensorFlow: the functions do, when called.
"""

from tfcourse.errors import DataError, Interrupted, TfcourseError, UsageError

__all__ = ["train", "load", "DataError", "Interrupted", "TfcourseError", "UsageError"]

__version__ = "0.1.0"


def train(config=None, out=None, **overrides):
    """``tfcourse.api.train``: trains as ``tfcourse train`` does; a ``tfcourse.api.Result``."""
    from tfcourse import api
    return api.train(config, out, **overrides)


def load(model_dir):
    """``tfcourse.api.load``: the trained model in ``model_dir``, a ``tfcourse.api.Model``."""
    from tfcourse import api
    return api.load(model_dir)
