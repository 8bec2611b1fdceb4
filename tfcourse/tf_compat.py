"""The one module that imports TensorFlow.

Every other module does ``from tfcourse.tf_compat import tf``. On the
reference leg (TensorFlow 1.12) ``tf`` is TensorFlow itself; on TensorFlow
1.13 and later (including 2.x) it is ``tf.compat.v1`` with v2 behaviour
disabled, so the same graph-mode code runs on both.

TensorFlow's own log lines (C++ and Python: CPU feature notices, deprecations, a
failed events write, a checkpoint it cannot match) are hidden unless the command line
has ``--verbose`` (then warnings and errors show) or ``TF_CPP_MIN_LOG_LEVEL`` is already
set; tfcourse reports every failure itself. Output that a flag asks for, such as
``--log_device_placement``, is printed regardless. TensorFlow 2.x
builds with oneDNN print a notice at import that no log level hides and may
change results in the last bits: oneDNN's custom operations are off unless
``TF_ENABLE_ONEDNN_OPTS`` is already set (TensorFlow 1.12 ignores it).
"""

import os
import sys


def verbose_asked(argv):
    """Whether ``argv`` (a command line) asks for ``--verbose``."""
    return any(arg.lstrip("-") in ("verbose", "verbose=true", "verbose=1", "verbose=True")
               for arg in argv[1:] if arg.startswith("-"))


os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1" if verbose_asked(sys.argv) else "3")
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



def show_tf_logs(verbose):
    """TensorFlow's Python log lines: warnings and errors with ``verbose``, else none."""
    tf.logging.set_verbosity(tf.logging.WARN if verbose else tf.logging.FATAL)


show_tf_logs(verbose_asked(sys.argv))


def hash_table(keys, values, default, name=None):
    """A static lookup table from ``keys`` to ``values`` on either leg.

    TensorFlow 1.12 has no ``tf.lookup``: its table is ``lookup_ops.HashTable``
    (imported from core, not from the slow-to-import ``tf.contrib``); later versions
    have ``tf.lookup.StaticHashTable``. Either way the table is empty until
    ``tf.tables_initializer()`` (the graph's ``TABLE_INITIALIZERS``) has run in the
    session; a restored or exported graph must run it too.

    Args:
        keys: ``[n]`` tensor or list (e.g. str), no duplicates.
        values: ``[n]`` tensor or list of the value dtype (e.g. int64).
        default: scalar value for a key not in ``keys`` (same dtype as ``values``).
        name: optional op name.

    Returns:
        the table; ``table.lookup(tensor)`` maps a tensor of any shape elementwise.
    """
    lookup = getattr(tf, "lookup", None)
    if lookup is not None and hasattr(lookup, "StaticHashTable"):
        table_class, initializer_class = lookup.StaticHashTable, lookup.KeyValueTensorInitializer
    else:
        from tensorflow.python.ops import lookup_ops
        table_class, initializer_class = lookup_ops.HashTable, lookup_ops.KeyValueTensorInitializer
    return table_class(initializer_class(keys, values), default, name=name)


__all__ = ["tf", "TF_VERSION", "hash_table", "show_tf_logs", "verbose_asked"]
