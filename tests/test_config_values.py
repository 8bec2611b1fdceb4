"""Checking values given as flags: errors naming the flag, key and value (values from YAML files:
test_config.py's table of bad files)."""

import pytest

from tfcourse import config as config_lib
from tfcourse.errors import UsageError


def test_flag_values_are_checked_and_named():
    with pytest.raises(UsageError, match=r"flag --max_step: max_step = -5: expected an integer >= 1"):
        config_lib.resolve(None, {"max_step": -5})
    with pytest.raises(UsageError, match=r"flag --learning_rate: .*inf.*finite"):
        config_lib.resolve(None, {"learning_rate": float("inf")})
