"""The strict YAML reader: duplicate keys, invalid YAML, unsafe tags, encodings, missing files."""

import pytest

from conftest import write_yaml as write
from tfcourse import config as config_lib
from tfcourse.errors import UsageError


@pytest.mark.parametrize("text, message", [
    ("seed: 1\nseed: 2\n", r"c\.yaml:2:1: duplicate key 'seed' \(first given at line 1\)"),
    ("max_step: [1\n", r"c\.yaml:2:1: invalid YAML"),
    ("- 1\n- 2\n", r"c\.yaml: expected a mapping of config keys at the top level, got a list"),
    ("seed: !!python/object/apply:os.system ['echo hi']\n", r"c\.yaml:1:7: invalid YAML: .*python/object"),
])
def test_bad_yaml_names_file_line_key_and_value(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(UsageError, match=message):
        config_lib.resolve(path)


def test_missing_directory_and_empty_config(tmp_path):
    with pytest.raises(UsageError, match=r"config .*nope\.yaml: cannot read"):
        config_lib.resolve(str(tmp_path / "nope.yaml"))
    with pytest.raises(UsageError, match="is a directory"):
        config_lib.resolve(str(tmp_path))
    assert config_lib.resolve(write(tmp_path, "# nothing\n")) == config_lib.resolve()


def test_bom_and_crlf_are_fine(tmp_path):
    path = write(tmp_path, "\ufeffmax_step: 20\r\nseed: 3\r\n")
    config = config_lib.resolve(path)
    assert (config.max_step, config.seed) == (20, 3)
