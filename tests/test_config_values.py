"""Checking values from YAML and flags: types, ranges, choices, errors naming key and value."""

import pytest

from conftest import write_yaml as write
from tfcourse import config as config_lib
from tfcourse.errors import UsageError


@pytest.mark.parametrize("text, message", [
    ("seed: 1\nmax_step: 1e3\n", r"c\.yaml:2:1: max_step = '1e3': expected an integer"),
    ("max_step: 0\n", r"c\.yaml:1:1: max_step = 0: expected an integer >= 1"),
    ("max_step: true\n", r"max_step = True: expected an integer"),
    ("learning_rate: -0.1\n", r"learning_rate = -0.1: expected a number > 0"),
    ("learning_rate: .nan\n", r"learning_rate = nan: expected a finite number"),
    ("learning_rate: 1e-2\n", r"learning_rate = '1e-2': expected a number \(YAML needs a dot"),
    ("model: forest\n", r"model = 'forest': expected one of: linear, logistic"),
    ("freeze: bias\n", r"freeze = 'bias': expected a list of strings"),
    ("freeze: [weight]\n", r"freeze = \['weight'\]: expected a list of any of: weights, bias"),
])
def test_bad_yaml_names_file_line_key_and_value(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(UsageError, match=message):
        config_lib.resolve(path)


def test_flag_values_are_checked_and_named():
    with pytest.raises(UsageError, match=r"flag --max_step: max_step = -5: expected an integer >= 1"):
        config_lib.resolve(None, {"max_step": -5})
    with pytest.raises(UsageError, match=r"flag --learning_rate: .*inf.*finite"):
        config_lib.resolve(None, {"learning_rate": float("inf")})
