"""Reading one complete checkpoint while a writer may be saving into the same directory.

``tfcourse train`` holds the model directory's checkpoint lock exclusively while it saves
(``tfcourse.training.saving``): the new files, the ``checkpoint`` state file, and the removal of
checkpoints beyond ``max_to_keep``. A reader holds it shared from finding the latest
checkpoint to having read it, so what it reads is one complete checkpoint. Without the lock
(a model directory written by a distributed chief, or one that cannot be opened), a read
that fails because the checkpoint was removed meanwhile is retried on the new latest one.
"""

import os
import time

from tfcourse import locks, model_dir as model_dir_lib
from tfcourse.errors import DataError

ATTEMPTS = 5  # reads of successive latest checkpoints before giving up (unlocked directories)


def read(ckpt, reader, find=None):
    """Finds the checkpoint ``ckpt`` names and calls ``reader(prefix)`` on it, pinned.

    Args:
        ckpt: a model directory (its latest checkpoint) or a checkpoint prefix or file.
        reader: callable taking the checkpoint prefix; what it returns is returned.
        find: callable mapping ``ckpt`` to a prefix (default: ``model_dir.find_checkpoint``).

    Returns:
        ``(prefix, reader(prefix))``.

    Raises:
        DataError: no checkpoint at ``ckpt``, or ``reader``'s own error.
    """
    find = find or (lambda path: model_dir_lib.find_checkpoint(path)[1])
    directory = model_dir_of(ckpt, find)
    for attempt in range(ATTEMPTS):
        with locks.checkpoint_lock(directory, shared=True) as held:
            try:
                prefix = find(ckpt)
                return prefix, reader(prefix)
            except DataError:
                if held or attempt + 1 == ATTEMPTS or not os.path.isdir(ckpt):
                    raise  # not a checkpoint removed under an unlocked reader
        time.sleep(0.05)


def model_dir_of(ckpt, find=None):
    """The directory holding the checkpoint ``ckpt`` names (``ckpt`` itself when it is a
    directory: found without reading its ``checkpoint`` file, which a writer may be replacing).

    Raises:
        DataError: ``ckpt`` is neither a directory nor a checkpoint.
    """
    if os.path.isdir(ckpt):
        return ckpt
    find = find or (lambda path: model_dir_lib.find_checkpoint(path)[1])
    return os.path.dirname(find(ckpt)) or "."
