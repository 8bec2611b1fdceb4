"""Errors that the command line turns into one-line messages and exit codes.

``UsageError`` (exit 2) is a problem with what the user asked for: a flag, a
config key, a value. ``DataError`` (exit 1) is a problem found in the data,
the files or while running.
"""

import errno
import os


class TfcourseError(Exception):
    """Base class; ``exit_code`` is what the command line exits with."""

    exit_code = 1


class UsageError(TfcourseError):
    """Bad flag, config file, key or value (exit code 2)."""

    exit_code = 2


class DataError(TfcourseError):
    """Bad data, missing checkpoint or a failure while running (exit code 1)."""

    exit_code = 1


class Interrupted(TfcourseError):
    """Training stopped by SIGINT or SIGTERM after saving (exit code 128 + signal number)."""

    def __init__(self, message, signum):
        super(Interrupted, self).__init__(message)
        self.exit_code = 128 + signum


_OS_REASONS = tuple(os.strerror(code) for code in (
    errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOENT,
    errno.ENOTDIR, errno.EISDIR, errno.EIO, errno.EFBIG))


def reason_of(err):
    """Why a write failed, in a few words: an ``OSError``'s ``strerror``, else the operating
    system's reason found in a TensorFlow error's message (which puts a path first, or spans
    several lines), else the message's first line.

    Args:
        err: an exception or an error message (str).
    """
    text = err if isinstance(err, str) else (
        getattr(err, "strerror", None) or getattr(err, "message", None) or str(err))
    for reason in _OS_REASONS:
        if reason in text:
            return reason
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0].split("; ")[-1] if lines else type(err).__name__
