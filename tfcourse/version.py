"""``tfcourse --version`` (or ``tfcourse version``): the versions a bug report needs."""

import platform

import numpy as np

import tfcourse
from tfcourse.errors import UsageError
from tfcourse.tf_compat import TF_VERSION


def versions(extra_args=()):
    """``tfcourse 0.1.0, TensorFlow 1.12.3, Python 3.6.15, numpy 1.16.6`` (one line).

    Raises:
        UsageError: arguments after ``--version``.
    """
    if extra_args:
        raise UsageError("--version takes no arguments, got {!r}".format(extra_args[0]))
    return "tfcourse {}, TensorFlow {}, Python {}, numpy {}".format(
        tfcourse.__version__, TF_VERSION, platform.python_version(), np.__version__)
