"""Small file-system helpers shared by the commands that write files."""

import os
import shutil

from tfcourse.errors import UsageError


def current_umask():
    """The process's umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def publish_file(tmp_path, path):
    """Gives ``tmp_path`` (made private by ``tempfile``) the usual permissions and renames it
    to ``path`` atomically."""
    os.chmod(tmp_path, 0o666 & ~current_umask())
    os.replace(tmp_path, path)


def check_output(path, overwrite):
    """Raises UsageError unless ``path`` can be written as a new file (or replaced with
    ``overwrite``) in an existing directory."""
    if os.path.isdir(path):
        raise UsageError("output {} is a directory, expected a file name".format(path))
    if os.path.exists(path) and not overwrite:
        raise UsageError("output {} exists; pass --overwrite to replace it".format(path))
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError("output {}: directory {} does not exist".format(path, directory))


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
