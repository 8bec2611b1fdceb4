"""The one split into training and validation rows, decided per row.

Whether a row is held out depends on its 0-based index among the file's data rows
and the seed alone (an integer hash), so a file read whole and a file streamed in
chunks hold out the same rows without remembering them. About ``fraction`` of the
rows are held out; the exact count follows from the hash.
"""

import numpy as np

from tfcourse.errors import DataError


def is_validation(indices, fraction, seed):
    """Whether rows at ``indices`` (int array, 0-based data rows) are held out for validation.

    Returns:
        ``[len(indices)]`` bool; all False when ``fraction`` is 0.
    """
    if not fraction:
        return np.zeros(len(indices), bool)
    # The seed goes through murmur3's 32-bit finaliser before and after it meets the index:
    # added as seed * constant, seeds 42 and 43 held out the same rows but for 3 in 100000.
    mixed = _mix32(np.asarray(indices, np.uint64) * np.uint64(2654435761) +
                   _mix32(np.full(1, seed, np.uint64)))
    return mixed.astype(np.float64) / 2 ** 32 < fraction


def _mix32(values):
    """murmur3's ``fmix32`` on the low 32 bits of uint64 ``values`` (a bijection of 32-bit ints)."""
    mask = np.uint64(0xFFFFFFFF)
    values = values & mask
    values = values ^ (values >> np.uint64(16))
    values = (values * np.uint64(0x85EBCA6B)) & mask
    values = values ^ (values >> np.uint64(13))
    values = (values * np.uint64(0xC2B2AE35)) & mask
    return values ^ (values >> np.uint64(16))


def check_sizes(source, n_rows, n_validation, fraction):
    """Raises DataError unless both sides have a row (validation only when ``fraction`` > 0)."""
    n_train = n_rows - n_validation
    if n_train < 1 or (fraction and n_validation < 1):
        raise DataError("{}: validation_fraction {} of {} rows leaves {} for validation and {} for "
                        "training; both need at least one".format(
                            source, fraction, n_rows, n_validation, n_train))
