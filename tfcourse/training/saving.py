"""Saving checkpoints as one piece, and stopping cleanly when a write fails.

A save holds the model directory's checkpoint lock (``tfcourse.locks.checkpoint_lock``) while
``tf.train.Saver`` writes the new checkpoint, updates the ``checkpoint`` state file and removes
the checkpoints beyond ``max_to_keep``, so a reader never finds a half-saved or half-removed
one. A failed save is a ``DataError`` naming the checkpoint in the user's ``model_dir`` (never
the staging directory's name), the reason, and the latest checkpoint that stays.
"""

import os

from tfcourse import locks, model_dir as model_dir_lib
from tfcourse.errors import DataError
from tfcourse.tf_compat import tf
from tfcourse.training import resume
from tfcourse.errors import reason_of
from tfcourse.training.summary_writer import WriteFailed


def save_checkpoint(saver, session, directory, prefix_name, step, write_meta_graph, model_dir,
                    latest):
    """Saves ``<directory>/<prefix_name>-<step>`` under the checkpoint lock.

    Args:
        directory: where the files go (the model directory or its staging directory).
        model_dir: the user's model directory, named in messages.
        latest: the latest checkpoint saved before (str), or None.

    Returns:
        the new checkpoint's prefix (str).

    Raises:
        DataError: the checkpoint cannot be written.
    """
    try:
        with locks.checkpoint_lock(directory, shared=False):
            return saver.save(session, os.path.join(directory, prefix_name),
                              global_step=step, write_meta_graph=write_meta_graph)
    except (OSError, ValueError, tf.errors.OpError) as err:
        reason = ("the directory was removed" if not os.path.isdir(directory) else
                  reason_of(err))
        name = "{}-{}".format(prefix_name, step)
        if _listed(directory, name):  # only the .meta graph failed, after the state file
            _remove_failed(directory, name + ".meta")
            latest = os.path.join(model_dir, name)
        else:
            _remove_failed(directory, name + ".")
        raise DataError("cannot save checkpoint {}: {}; {}".format(
            os.path.join(model_dir, name), reason, stays(latest)))


def write_metadata(directory, config, spec, runs, latest, data_record=None):
    """``model_dir.write_metadata`` into ``directory``, and ``data_record`` as ``data.json``
    (``tfcourse.training.resume``); a failure names the file in the user's ``config.model_dir``
    and the checkpoint that stays the latest.

    Raises:
        DataError: a file cannot be written.
    """
    try:
        model_dir_lib.write_metadata(directory, config, spec, runs)
        if data_record is not None:
            resume.write(directory, data_record)
    except DataError as err:
        raise DataError("{}; {}".format(str(err).replace(directory, config.model_dir),
                                        stays(latest)))


def _listed(directory, name):
    """Whether the ``checkpoint`` state file of ``directory`` names ``name`` as the latest."""
    try:
        state = tf.train.get_checkpoint_state(directory)
    except (tf.errors.OpError, ValueError):
        return False
    return state is not None and os.path.basename(state.model_checkpoint_path) == name


def _remove_failed(directory, name):
    """Removes the files starting with ``name`` that a failed save left (a checkpoint the
    ``checkpoint`` state file does not name, or a partial ``.meta``) and temporaries."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for found in names:
        if found.startswith(name) or found.startswith("checkpoint.tmp") or (
                ".tempstate" in found):
            try:
                os.remove(os.path.join(directory, found))
            except OSError:
                pass


def stays(latest):
    """``the latest checkpoint stays X``, or ``no checkpoint was written``."""
    return ("the latest checkpoint stays {}".format(latest) if latest
            else "no checkpoint was written")


def after_write_failure(run, err):
    """The error for a failed events write (``WriteFailed``): training stops, a checkpoint of
    the step reached is saved if the model directory can still be written, and the message
    names the events file, the reason and the checkpoint that stays the latest."""
    step = int(run.session.run(run.tg.global_step))
    latest = run.checkpoint
    trained = step != run.start_step or latest is not None
    if trained and (latest is None or not latest.endswith("-{}".format(step))):
        try:
            run.save(step, last=True)
            return DataError("{}; training stopped at global step {}, saved {}".format(
                err, step, run.checkpoint))
        except DataError as save_err:
            return DataError("{}; training stopped at global step {}; {}".format(
                err, step, save_err))
    return DataError("{}; training stopped at global step {}; {}".format(err, step,
                                                                         stays(latest)))


__all__ = ["save_checkpoint", "write_metadata", "after_write_failure", "stays", "WriteFailed"]
