"""The strict YAML reader: missing files, directories, empty files, BOM and CRLF (duplicate keys,
invalid YAML and unsafe tags: test_config.py's table of bad files)."""

import pytest

from conftest import write_yaml as write
from tfcourse import config as config_lib
from tfcourse.errors import UsageError


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
