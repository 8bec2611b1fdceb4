"""The one way tfcourse writes files: checked outputs, atomic files, staged directories.

A file is written to a hidden temporary beside its final name and renamed over
it (``atomic_write``); a directory is assembled beside its final place and
renamed into it (``StagedDirectory``). Readers never see a half-written file
or directory, and a failure leaves nothing behind. Stages of processes that no
longer run are removed by the next stage made beside them.
"""

import contextlib
import os
import shutil
import stat
import sys
import tempfile

from tfcourse.errors import DataError, UsageError

STDOUT = "-"  # an --output of "-" is standard output (predict's CSV, export's text formats)


def report_line(line):
    """Writes ``line`` on stderr: the report of a command whose output is standard output."""
    sys.stderr.write(line + "\n")


def current_umask():
    """The process's umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_write(path, mode="w", **open_args):
    """Opens a hidden temporary file beside ``path``; renames it to ``path`` when the block ends.

    When ``path`` is a symlink to a regular file, that file is replaced and the link kept.
    The file gets the usual permissions (0666 less the umask), not ``tempfile``'s
    private 0600. If the block raises, the temporary is removed and ``path`` is
    left as it was.

    Args:
        path: the file to write (its directory must exist).
        mode: "w" (text) or "wb" (bytes).
        **open_args: passed to ``open`` (``newline``, ``encoding``).

    Yields:
        the open file object.

    Raises:
        DataError: the file cannot be written (directory not writable, disk full, ...), or
            ``path`` is something other than a regular file (``non_regular``), naming
            ``path`` (never the temporary's name).
    """
    target = os.path.realpath(path)  # a symlink to a regular file stays, its file is replaced
    directory = os.path.dirname(target)
    try:
        handle, tmp_path = tempfile.mkstemp(dir=directory,
                                            prefix="." + os.path.basename(target) + ".",
                                            suffix=".tmp")
    except OSError as err:
        raise _cannot_write(path, err)
    try:
        with os.fdopen(handle, mode, **open_args) as stream:
            yield stream
        os.chmod(tmp_path, 0o666 & ~current_umask())
        special = non_regular(path) or non_regular(target)
        if special:
            raise DataError("{}: {}; it is never replaced".format(path, special))
        os.replace(tmp_path, target)
    except BaseException as err:
        if os.path.exists(tmp_path):
            os.remove(tmp_path)
        if isinstance(err, OSError):
            raise _cannot_write(path, err)
        raise


def _cannot_write(path, err):
    return DataError("{}: cannot write: {}".format(path, err.strerror or err))


def write_text(path, text):
    """Writes ``text`` (UTF-8) to ``path`` atomically (see ``atomic_write``)."""
    with atomic_write(path, "w", encoding="utf-8") as stream:
        stream.write(text)


def write_text_output(output, text, out):
    """Writes ``text`` to the file ``output`` (``write_text``), or to standard output when
    ``output`` is ``STDOUT``.

    Returns:
        ``(where, out)``: the name to report (``output`` or ``"standard output"``) and the
        function to report with (``out``, or ``report_line`` so that standard output holds
        the text alone).
    """
    if output != STDOUT:
        write_text(output, text)
        return output, out
    sys.stdout.write(text)
    sys.stdout.flush()
    return "standard output", report_line


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"))


def non_regular(path):
    """What ``path`` is when it exists and is not a regular file (``a FIFO (named pipe)``,
    ``a symlink to a directory``, ``a symlink to a missing file``...), else None."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    link = stat.S_ISLNK(mode)
    if link:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return "a symlink to a missing file"
    for test, kind in _KINDS:
        if test(mode):
            return ("a symlink to " if link else "") + kind
    return None


def check_output(path, overwrite):
    """Raises UsageError unless ``path`` can be written as a new file (or replaced with
    ``overwrite``) in an existing, writable directory. An existing path that is not a regular
    file (``non_regular``: a directory, FIFO, socket, device, or a symlink to one) is never
    replaced, ``overwrite`` or not."""
    special = non_regular(path)
    if special:
        raise UsageError("output {} is {}, not a regular file; it is never replaced: give a "
                         "file name".format(path, special))
    if os.path.exists(path) and not overwrite:
        raise UsageError("output {} exists; pass --overwrite to replace it".format(path))
    directory = os.path.dirname(os.path.realpath(path))
    if not os.path.isdir(directory):
        raise UsageError("output {}: directory {} does not exist".format(path, directory))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UsageError("output {}: directory {} is not writable".format(path, directory))


def check_output_dir(path, key):
    """Raises UsageError unless ``path`` is a directory or can be created as one, in a
    writable place; ``key`` names the setting in the message (``model_dir``, ``export_dir``)."""
    probe = os.path.abspath(path)
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        what = "is a file" if probe == os.path.abspath(path) else "is inside a file ({})".format(
            probe)
        raise UsageError("{} {} {}, expected a directory".format(key, path, what))
    if not os.access(probe, os.W_OK | os.X_OK):
        raise UsageError("{} {}: {} is not writable".format(key, path, probe))


def pid_alive(pid):
    """Whether a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_stages(parent, prefix):
    """Removes ``<prefix><pid>-*`` directories in ``parent`` whose process no longer runs."""
    for name in os.listdir(parent):
        pid = name[len(prefix):].split("-")[0]
        if name.startswith(prefix) and pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(os.path.join(parent, name), ignore_errors=True)


class StagedDirectory(object):
    """A directory assembled beside its final place and renamed into it.

    ``directory`` is ``.<name>.<kind>-<pid>-*`` next to ``target`` until
    ``publish()`` renames it to ``target``; ``discard()`` removes it (and the
    parent directories this stage created) if it was never published. An
    existing ``target`` must be empty, or is replaced with ``publish(replace=True)``.

    Args:
        target: the final directory's path.
        kind: a word naming the stage (``staging``, ``export``).

    Raises:
        DataError: the parent cannot be created or written, naming ``target``.
    """

    def __init__(self, target, kind):
        self.target = os.path.normpath(target)
        self.published = False
        parent = os.path.dirname(os.path.abspath(self.target))
        self.created = []  # parent directories this stage made, outermost first
        probe = parent
        while not os.path.exists(probe):
            self.created.insert(0, probe)
            probe = os.path.dirname(probe)
        prefix = ".{}.{}-".format(os.path.basename(self.target), kind)
        try:
            os.makedirs(parent, exist_ok=True)
            remove_stale_stages(parent, prefix)
            self.directory = tempfile.mkdtemp(dir=parent,
                                              prefix="{}{}-".format(prefix, os.getpid()))
        except OSError as err:
            self.directory = None
            self.discard()
            raise _cannot_write(target, err)
        os.chmod(self.directory, 0o777 & ~current_umask())  # mkdtemp's 0700 is for temporaries

    def publish(self, replace=False):
        """Renames the stage to ``target``.

        Args:
            replace: move an existing non-empty ``target`` aside first (it is put
                back if the rename fails, and removed once it succeeded).
        """
        old = None
        if os.path.isdir(self.target):
            if replace and os.listdir(self.target):
                old = self.directory + ".old"
                os.rename(self.target, old)
            else:
                os.rmdir(self.target)  # empty: the caller checked it
        try:
            os.rename(self.directory, self.target)
        except BaseException:
            if old is not None:
                os.rename(old, self.target)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        self.directory = self.target
        self.published = True

    def discard(self):
        """Removes the stage and the parent directories it created, if never published."""
        if self.published:
            return
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
        for path in reversed(self.created):
            try:
                os.rmdir(path)
            except OSError:
                break
