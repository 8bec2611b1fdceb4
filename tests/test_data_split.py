"""Tests of tfcourse.data.split: one split, decided per row by a seeded hash of its index."""

import numpy as np
import pytest

from tfcourse.data import split
from tfcourse.errors import DataError


def test_is_validation_is_deterministic_and_holds_out_the_fraction():
    indices = np.arange(100000)
    held = split.is_validation(indices, 0.2, 42)
    assert held.dtype == bool and held.shape == (100000,)
    np.testing.assert_array_equal(held, split.is_validation(indices, 0.2, 42))
    # The answer for a row depends on its index alone, not on the other indices asked about.
    np.testing.assert_array_equal(split.is_validation(indices[500:700], 0.2, 42), held[500:700])
    for fraction in (0.05, 0.2, 0.5):
        for seed in (0, 42, 2 ** 32 - 1):
            share = split.is_validation(indices, fraction, seed).mean()
            assert abs(share - fraction) < 0.02, (fraction, seed, share)
    # Another seed holds out another set: about 2 f (1 - f) = 32 % of the rows change side.
    for a, b in ((42, 43), (0, 1), (7, 2 ** 32 - 1)):
        changed = np.mean(split.is_validation(indices, 0.2, a) !=
                          split.is_validation(indices, 0.2, b))
        assert 0.3 < changed < 0.34, (a, b, changed)
    assert not split.is_validation(indices, 0.0, 42).any()
    assert not split.is_validation(indices, 0, 42).any()


def test_known_rows_held_out():
    # Fixed values: a change of the hash would move every model's validation rows.
    assert np.flatnonzero(split.is_validation(np.arange(30), 0.2, 42)).tolist() == [
        1, 4, 9, 19, 20, 26]
    assert int(split.is_validation(np.arange(442), 0.2, 42).sum()) == 93


@pytest.mark.parametrize("n_rows, n_validation, fraction, message", [
    (1, 0, 0.2, "numbered: validation_fraction 0.2 of 1 rows leaves 0 for validation and 1 for "
                "training; both need at least one"),
    (10, 10, 0.99, "numbered: validation_fraction 0.99 of 10 rows leaves 10 for validation and 0 "
                   "for training; both need at least one"),
])
def test_check_sizes(n_rows, n_validation, fraction, message):
    with pytest.raises(DataError) as error:
        split.check_sizes("numbered", n_rows, n_validation, fraction)
    assert str(error.value) == message
    split.check_sizes("numbered", 5, 0, 0.0)  # no validation asked for: fine
    split.check_sizes("numbered", 5, 1, 0.2)
