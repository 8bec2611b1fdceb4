"""OS-level locks on a model directory: one writer at a time, readers pinned to one checkpoint.

Two ``flock(2)`` locks, which the kernel releases when their process ends, however it ends
(SIGKILL included), so a lock is never left stuck:

- the **writer lock** (``WriterLock``), held by ``tfcourse train`` (the chief in distributed
  mode) from before it loads any data until it exits, on ``<model_dir>/.writer.lock``; while
  the model directory holds no model yet (a new model is assembled in a staging directory
  beside it) on ``.<name>.writer.lock`` beside it; each file is removed when the run ends
  (one left by a killed process is harmless: nobody holds its lock). A second writer is
  refused at once, naming the holder: its pid, host and start.
- the **checkpoint lock** (``checkpoint_lock``) on ``<model_dir>/.checkpoint.lock``: the writer
  holds it exclusively while it saves a checkpoint (the new files, the ``checkpoint`` state
  file and the removal of old checkpoints); a reader holds it shared while it finds and reads
  the latest checkpoint, so it always reads one complete checkpoint.

This module imports neither TensorFlow nor the rest of tfcourse besides ``errors``.
"""

import contextlib
import datetime
import errno
import fcntl
import json
import os
import socket
import time

from tfcourse.errors import DataError

WRITER_LOCK = ".writer.lock"
CHECKPOINT_LOCK = ".checkpoint.lock"
LOCK_FILES = (WRITER_LOCK, CHECKPOINT_LOCK)
READ_WAIT_SECS = 60.0  # longest wait for a save under way before reading without the lock
SPEC_FILE = "model.json"  # what makes a directory a tfcourse model directory (model_dir.py)


def occupied(directory):
    """Whether ``directory`` holds a model (its ``model.json``) or a writer's lock file: then
    the writer lock is taken inside it, else beside it."""
    return any(os.path.exists(os.path.join(directory, name)) for name in (SPEC_FILE,
                                                                          WRITER_LOCK))


def beside_path(model_dir):
    """``<parent>/.<name>.writer.lock``: the writer lock of a model directory being staged."""
    path = os.path.realpath(model_dir)
    return os.path.join(os.path.dirname(path), "." + os.path.basename(path) + WRITER_LOCK)


def _holder():
    now = datetime.datetime.utcnow().replace(microsecond=0)
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "since": now.isoformat(" ") + " UTC"}


def _write_holder(handle):
    """Writes who holds the lock into its file (best effort: on a full disk the lock holds
    all the same, and a refused writer reads ``holder unknown``)."""
    try:
        handle.seek(0)
        handle.truncate()
        handle.write((json.dumps(_holder()) + "\n").encode("utf-8"))
    except OSError:
        pass


def describe_holder(path):
    """``pid 123 on host, since 2026-12-01 19:30:05 UTC``: who wrote ``path``'s lock record."""
    for _ in range(20):  # the holder writes its record right after taking the lock
        try:
            with open(path) as handle:
                record = json.load(handle)
            return "pid {} on {}, since {}".format(record["pid"], record["host"],
                                                   record["since"])
        except (OSError, ValueError, KeyError, TypeError):
            time.sleep(0.02)
    return "holder unknown"


class WriterLock(object):
    """The exclusive writer lock of ``model_dir`` (see the module docstring).

    Args:
        model_dir: the model directory to be written.

    Raises (``acquire``):
        DataError: another process holds the lock (naming it), or the lock file cannot be made.
    """

    def __init__(self, model_dir):
        self.model_dir = model_dir
        self.handles = []  # open lock files, in the order taken
        self.created = []  # parent directories made for the lock file, outermost first

    def acquire(self):
        if not occupied(self.model_dir):
            self._take_beside()
            if not occupied(self.model_dir):
                return self
        self._take(os.path.join(self.model_dir, WRITER_LOCK))
        return self

    def take_inside(self, directory):
        """Also locks ``directory`` (a staging directory about to become the model directory,
        or a model directory just created), so the lock goes with it when it is renamed;
        nothing to do when it is held already."""
        path = os.path.join(directory, WRITER_LOCK)
        if not any(os.path.exists(handle.name) and os.path.samefile(handle.name, path)
                   for handle in self.handles if os.path.exists(path)):
            self._take(path)

    def _take_beside(self):
        path = beside_path(self.model_dir)
        probe = os.path.dirname(path)
        while not os.path.exists(probe):
            self.created.insert(0, probe)
            probe = os.path.dirname(probe)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        except OSError as err:
            raise self._cannot(path, err)
        self._take(path)

    def _take(self, path):
        """Locks ``path``, retried when a finishing holder removed the file meanwhile (the
        lock must be on the file the path names)."""
        for _ in range(100):
            handle = self._lock(path)
            try:
                if os.path.samestat(os.fstat(handle.fileno()), os.stat(path)):
                    self.handles.append(handle)
                    _write_holder(handle)
                    return handle
            except OSError:
                pass
            handle.close()
        self.release()
        raise DataError("model_dir {}: cannot lock {}".format(self.model_dir, path))

    def _lock(self, path):
        """The open file ``path`` with an exclusive lock on it.

        Raises:
            DataError: another process holds it (naming the holder), or it cannot be made.
        """
        try:
            handle = open(path, "a+b", buffering=0)  # unbuffered: close() writes nothing
        except OSError as err:
            self.release()
            raise self._cannot(path, err)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            handle.close()
            self.release()
            if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise self._cannot(path, err)
            raise DataError("model_dir {} is being written by another tfcourse train ({}); wait "
                            "for it to end or choose another --model_dir".format(
                                self.model_dir, describe_holder(path)))
        return handle

    def _cannot(self, path, err):
        return DataError("model_dir {}: cannot create its lock file {}: {}".format(
            self.model_dir, path, err.strerror or err))

    def release(self):
        """Releases every lock taken and removes their files (each before its lock is
        released, so no other process can lock a file that is about to go), and the parent
        directories made for the one beside the directory, when empty."""
        for handle in reversed(self.handles):
            held = os.fstat(handle.fileno())
            # a staging directory's lock file is in model_dir once the stage is published
            for path in (handle.name, os.path.join(self.model_dir, WRITER_LOCK)):
                try:
                    if os.path.samestat(held, os.stat(path)):
                        os.remove(path)
                        break
                except OSError:
                    pass
            handle.close()
        self.handles = []
        for path in reversed(self.created):
            try:
                os.rmdir(path)
            except OSError:
                break
        self.created = []

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc_info):
        self.release()


@contextlib.contextmanager
def checkpoint_lock(directory, shared, wait_secs=READ_WAIT_SECS):
    """Holds ``<directory>/.checkpoint.lock``.

    Args:
        directory: the model directory (or its staging directory).
        shared: True for a reader (waits at most ``wait_secs`` for a save under way; a
            directory without the file, or one that cannot be opened, is read without the
            lock); False for the writer while it saves (the file is created if missing).

    Yields:
        whether the lock is held.

    Raises:
        OSError: the writer cannot create or lock the file.
    """
    path = os.path.join(directory, CHECKPOINT_LOCK)
    if not shared:
        with open(path, "a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # readers hold it for milliseconds
            yield True
        return
    try:
        handle = open(path, "r")
    except OSError:
        yield False
        return
    with handle:
        yield _lock_shared(handle, time.time() + wait_secs)


def _lock_shared(handle, deadline):
    """Takes a shared lock on ``handle``, polling until ``deadline``; whether it got it."""
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            return True
        except OSError as err:
            if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN) or time.time() > deadline:
                return False
            time.sleep(0.002)
