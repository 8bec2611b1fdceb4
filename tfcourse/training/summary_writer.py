"""Events files whose writes are checked while training runs, not only when it ends.

``tfcourse.training.events.EventsFile`` writes from a thread of its own and raises the first
error it met at ``flush`` or ``close``. ``CheckedEventsFile`` makes a failure stop training
promptly and say what happened: it looks for the writer thread's error after every call,
flushes at its creation (a disk full from the start fails there) and at most every
``FLUSH_SECS`` seconds, and then checks the file on disk: still the file it created (a
removed run directory: writes to the open file would succeed unseen) and holding every byte
written. A failure raises ``WriteFailed`` naming the file and the reason.
"""

import os
import time

from tfcourse.errors import DataError, reason_of
from tfcourse.training import events

REMOVED = "the file or its directory was removed"
FLUSH_SECS = 2.0  # longest time between checked flushes (seconds)


class WriteFailed(DataError):
    """An events file could not be written; ``path`` names it."""

    def __init__(self, path, reason):
        super(WriteFailed, self).__init__("cannot write events file {}: {}".format(path, reason))
        self.path = path
        self.reason = reason


class CheckedEventsFile(events.EventsFile):
    """An ``events.EventsFile`` whose failures raise ``WriteFailed`` (see the module docstring).

    ``add_summary`` also takes a ``tf.Summary`` proto and ``global_step`` (as
    ``tf.summary.FileWriter`` does).

    Raises:
        WriteFailed: the directory or the file cannot be written.
    """

    def __init__(self, directory, graph=None):
        self.path = os.path.join(directory, "events.out.tfevents")
        self.failed = False
        try:
            super(CheckedEventsFile, self).__init__(directory, graph)
            self._stat = os.fstat(self._file.fileno())
        except OSError as err:
            raise self._failure(err)
        self.flush()
        self.flushed = time.time()

    def add_summary(self, summary, step=None, wall_time=None, global_step=None):
        if not isinstance(summary, bytes):
            summary = summary.SerializeToString()
        super(CheckedEventsFile, self).add_summary(
            summary, step if step is not None else global_step or 0, wall_time)
        self._check()

    def add_scalars(self, tag, steps, values, wall_times):
        super(CheckedEventsFile, self).add_scalars(tag, steps, values, wall_times)
        self._check()

    def _check(self):
        if self._error is not None or time.time() - self.flushed >= FLUSH_SECS:
            self.flush()

    def flush(self):
        """Waits until everything queued is written, then checks the file on disk.

        Raises:
            WriteFailed: a write failed (disk full, ...), or the file was removed or holds
                fewer bytes than were written.
        """
        if self.failed:  # reported already: only wait for the queue (closing)
            return events.EventsFile.flush(self)
        try:
            super(CheckedEventsFile, self).flush()
        except OSError as err:
            raise self._failure(err)
        self.flushed = time.time()
        try:
            on_disk = os.stat(self.path)
        except OSError:
            on_disk = None
        if on_disk is None or not os.path.samestat(on_disk, self._stat):
            self.failed = True
            raise WriteFailed(self.path, REMOVED)
        written = self._file.tell()
        if on_disk.st_size < written:
            self.failed = True
            raise WriteFailed(self.path, "it holds {} of the {} bytes written (disk full?)".format(
                on_disk.st_size, written))

    def _failure(self, err):
        self.failed = True
        if hasattr(self, "_stat") and not os.path.exists(self.path):
            return WriteFailed(self.path, REMOVED)
        return WriteFailed(self.path, reason_of(err))

    def close(self):
        """Flushes (checked) and closes; after a failure already reported, closes quietly."""
        if getattr(self, "_thread", None) is None:
            return
        try:
            if not self.failed:
                self.flush()
        finally:
            self.failed = True  # the base class's close flushes again: quietly now
            self._error = None
            try:
                super(CheckedEventsFile, self).close()
            except (OSError, DataError):
                pass


__all__ = ["CheckedEventsFile", "WriteFailed"]
