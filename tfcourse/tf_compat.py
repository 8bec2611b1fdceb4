"""The one module that imports TensorFlow.

Every other module does ``from tfcourse.tf_compat import tf``. On the
reference leg (TensorFlow 1.12) ``tf`` is TensorFlow itself; on TensorFlow
1.13 and later (including 2.x) it is ``tf.compat.v1`` with v2 behaviour
disabled, so the same graph-mode code runs on both.

TensorFlow's C++ INFO lines (CPU feature notices and the like) are hidden
unless ``TF_CPP_MIN_LOG_LEVEL`` is already set; output that a flag asks for,
such as ``--log_device_placement``, is printed regardless. TensorFlow 2.x
builds with oneDNN print a notice at import that no log level hides and may
change results in the last bits: oneDNN's custom operations are off unless
``TF_ENABLE_ONEDNN_OPTS`` is already set (TensorFlow 1.12 ignores it).
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import tensorflow as _tf  # noqa: E402  (the environment must be set first)

TF_VERSION = _tf.__version__


def _version_tuple(version):
    parts = []
    for piece in version.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


if _version_tuple(TF_VERSION) >= (1, 13):
    tf = _tf.compat.v1
    # Before disable_v2_behavior(), which logs its own deprecation notices.
    tf.logging.set_verbosity(tf.logging.ERROR)
    tf.disable_v2_behavior()
else:
    tf = _tf

tf.logging.set_verbosity(tf.logging.ERROR)

__all__ = ["tf", "TF_VERSION"]
