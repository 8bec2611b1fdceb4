"""Errors that the command line turns into one-line messages and exit codes.

``UsageError`` (exit 2) is a problem with what the user asked for: a flag, a
config key, a value. ``DataError`` (exit 1) is a problem found in the data,
the files or while running.
"""


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
