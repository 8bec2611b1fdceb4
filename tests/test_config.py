"""Config: defaults < YAML < flags, strict keys and types, errors naming file, line and column."""

import os
import re

import pytest

from conftest import write_yaml as write
from tfcourse import config as config_lib
from tfcourse.errors import UsageError

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_defaults_are_the_course_case():
    config = config_lib.resolve()
    assert (config.model, config.max_step, config.learning_rate) == ("linear", 1000, 0.01)
    assert (config.model_dir, config.summary_dir) == ("./tmp/model/", "./tmp/summary/")
    assert config.data.path is None
    assert (config.data.n_samples, config.data.validation_fraction) == (100, 0.0)
    assert (config.data.standardize, config.data.stream, config.data.batch_size) == (
        False, False, None)  # batch_size null: full batch, all training rows


def test_precedence_defaults_yaml_flags(tmp_path):
    path = write(tmp_path, "max_step: 300\nlearning_rate: 0.05\nlog_every: 7\n")
    config = config_lib.resolve(path, {"learning_rate": 0.2})
    assert config.max_step == 300          # YAML over default
    assert config.learning_rate == 0.2     # flag over YAML
    assert config.log_every == 7
    assert config.save_every is None and config.save_every_secs == 60.0  # defaults kept


def test_linear_yaml_documents_every_key_and_matches_defaults():
    path = os.path.join(REPO, "configs", "linear.yaml")
    assert config_lib.resolve(path) == config_lib.resolve()
    text = open(path).read()
    for key in config_lib.SCHEMA + config_lib.DATA_SCHEMA:
        assert re.search(r"^\s*{}:.*#\s*\w".format(key.name), text, re.M), key.name


@pytest.mark.parametrize("text, message", [
    ("max_stp: 10\n", r"c\.yaml:1:1: unknown key 'max_stp' \(did you mean 'max_step'\?\)"),
    ("seed: 1\nmax_step: 1e3\n", r"c\.yaml:2:1: max_step = '1e3': expected an integer"),
    ("max_step: 0\n", r"c\.yaml:1:1: max_step = 0: expected an integer >= 1"),
    ("max_step: true\n", r"max_step = True: expected an integer"),
    ("learning_rate: -0.1\n", r"learning_rate = -0.1: expected a number > 0"),
    ("learning_rate: .nan\n", r"learning_rate = nan: expected a finite number"),
    ("learning_rate: 1e-2\n", r"learning_rate = '1e-2': expected a number > 0 or auto \(YAML needs a dot"),
    ("learning_rate: Auto\n", r"learning_rate = 'Auto': expected a number > 0 or auto$"),
    ("l2: -0.5\n", r"c\.yaml:1:1: l2 = -0.5: expected a number >= 0"),
    ("l1: .inf\n", r"l1 = inf: expected a number >= 0"),
    ("learning_rate_decay: linear\n", r"expected one of: none, exponential, inverse_time"),
    ("early_stopping_patience: -1\n", r"early_stopping_patience = -1: expected an integer >= 0"),
    ("model: forest\n", r"model = 'forest': expected one of: linear, logistic"),
    ("freeze: bias\n", r"freeze = 'bias': expected a list of strings"),
    ("freeze: [weight]\n", r"freeze = \['weight'\]: expected a list of any of: weights, bias"),
    ("freeze: [weights, bias]\n", r"every variable is frozen"),
    ("data:\n  pth: a.csv\n", r"c\.yaml:2:3: unknown key 'data.pth' \(did you mean 'data.path'\?\)"),
    ("data: a.csv\n", r"c\.yaml:1:1: data = 'a.csv': expected a mapping"),
    ("seed: 1\nseed: 2\n", r"c\.yaml:2:1: duplicate key 'seed' \(first given at line 1\)"),
    ("max_step: [1\n", r"c\.yaml:2:1: invalid YAML"),
    ("- 1\n- 2\n", r"c\.yaml: expected a mapping of config keys at the top level, got a list"),
    ("seed: !!python/object/apply:os.system ['echo hi']\n", r"c\.yaml:1:7: invalid YAML: .*python/object"),
])
def test_bad_yaml_names_file_line_key_and_value(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(UsageError, match=message):
        config_lib.resolve(path)


def test_data_path_is_relative_to_the_config_file(tmp_path):
    (tmp_path / "sub").mkdir()
    path = write(tmp_path, "data:\n  path: ../d.csv\n", name="sub/c.yaml")
    assert config_lib.resolve(path).data.path == os.path.abspath(str(tmp_path / "d.csv"))


def test_config_round_trips_through_to_dict(tmp_path):
    config = config_lib.resolve(None, {"freeze": ["bias"], "max_step": 7})
    assert config_lib.from_dict(config.to_dict(), "saved") == config


# --- resolved data defaults ----------------------------------------------------------------------


def test_data_defaults_depend_on_the_model_and_become_concrete():
    data = config_lib.resolve(None, {"model": "logistic"}).data
    assert (data.n_samples, data.validation_fraction, data.standardize, data.stream) == (
        500, 0.2, False, False)


def test_csv_data_defaults_and_stream_decided_from_the_size(tmp_path, monkeypatch):
    csv_path = tmp_path / "d.csv"
    csv_path.write_bytes(b"a,y\n" + b"1,2\n" * 300)  # 1204 bytes
    path = write(tmp_path, "data:\n  path: d.csv\n  label: y\n")
    data = config_lib.resolve(path).data
    assert (data.n_samples, data.validation_fraction, data.standardize) == (None, 0.2, True)
    assert (data.stream, data.batch_size) == (False, None)
    monkeypatch.setattr(config_lib, "STREAM_ABOVE_BYTES", 1203)
    data = config_lib.resolve(path).data
    assert (data.stream, data.batch_size) == (True, 4096)
    monkeypatch.setattr(config_lib, "STREAM_ABOVE_BYTES", 1204)  # above, not at
    assert config_lib.resolve(path).data.stream is False
    explicit = write(tmp_path, "data:\n  path: d.csv\n  label: y\n  stream: false\n"
                     "  validation_fraction: 0.1\n  standardize: false\n", name="e.yaml")
    monkeypatch.setattr(config_lib, "STREAM_ABOVE_BYTES", 10)
    data = config_lib.resolve(explicit).data
    assert (data.stream, data.validation_fraction, data.standardize) == (False, 0.1, False)
    missing = write(tmp_path, "data:\n  path: gone.csv\n  label: y\n", name="m.yaml")
    assert config_lib.resolve(missing).data.stream is False  # reading it fails later


def test_stream_without_a_path_is_a_usage_error(tmp_path):
    path = write(tmp_path, "data:\n  stream: true\n")
    with pytest.raises(UsageError) as error:
        config_lib.resolve(path)
    assert str(error.value) == "data.stream: true needs a CSV file in data.path"


def test_old_saved_config_with_nulls_resolves_the_same_way(tmp_path):
    saved = config_lib.resolve(None, {"model": "logistic"}).to_dict()
    for name in ("n_samples", "validation_fraction", "standardize", "stream"):
        saved["data"][name] = None
    config = config_lib.from_dict(saved, "old config.yaml")
    assert config == config_lib.resolve(None, {"model": "logistic"})
    assert config.data.n_samples == 500


# --- the typed-column data keys ------------------------------------------------------------------


def test_typed_column_keys_defaults():
    data = config_lib.resolve().data
    assert (data.columns, tuple(data.ignore), data.max_categories) == (None, (), 50)
    assert tuple(data.na_values) == ("NA", "N/A", "NaN", "nan", "null", "None", "?")
    assert (data.missing, data.delimiter, data.positive) == ("impute", ",", None)


def test_typed_column_keys_from_yaml_round_trip(tmp_path):
    path = write(tmp_path, 'data:\n  delimiter: "\\t"\n  na_values: []\n  ignore: [id]\n'
                           "  columns: {a: categorical, b: ignore, c: date}\n  positive: 'yes'\n"
                           "  missing: drop\n  max_categories: 7\n")
    config = config_lib.resolve(path)
    data = config.data
    assert data.columns == {"a": "categorical", "b": "ignore", "c": "date"}
    assert (data.delimiter, data.na_values, data.ignore) == ("\t", (), ("id",))
    assert (data.positive, data.missing, data.max_categories) == ("yes", "drop", 7)
    assert config_lib.from_dict(config.to_dict(), "saved") == config
    assert config_lib.resolve(write(tmp_path, "data:\n  delimiter: auto\n", "a.yaml")).data.delimiter \
        == "auto"


@pytest.mark.parametrize("text, message", [
    ("data:\n  columns: a\n",
     r"^\S*c\.yaml:2:3: columns = 'a': expected a mapping of column names to types$"),
    ("data:\n  columns: {a: text}\n",
     r"^\S*c\.yaml:2:3: columns\.a = 'text': expected one of: numeric, boolean, date, "
     r"categorical, ignore$"),
    ("data:\n  missing: skip\n",
     r"^\S*c\.yaml:2:3: missing = 'skip': expected one of: impute, drop, error$"),
    ("data:\n  delimiter: ';;'\n",
     r"data\.delimiter = ';;': expected one character \(such as ';' or a tab, \"\\t\" in YAML, \\t as a flag\) "
     r"or auto$"),
    ("data:\n  delimiter: ''\n", r"^\S*c\.yaml:2:3: delimiter = '': expected a string$"),
    ("data:\n  max_categories: 0\n", r"^\S*c\.yaml:2:3: max_categories = 0: expected an integer >= 1$"),
    ("data:\n  max_categories: 100001\n",
     r"^\S*c\.yaml:2:3: max_categories = 100001: expected an integer <= 100000$"),
    ("data:\n  na_values: NA\n", r"^\S*c\.yaml:2:3: na_values = 'NA': expected a list of strings$"),
    ("data:\n  ignore: a\n", r"^\S*c\.yaml:2:3: ignore = 'a': expected a list of strings$"),
    ("data:\n  positive: yes\n", r"^\S*c\.yaml:2:3: positive = True: expected a label value "
                                 r"\(write yes/no/true/false in quotes\)$"),
])
def test_typed_column_keys_are_checked(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(UsageError) as error:
        config_lib.resolve(path)
    assert re.search(message, str(error.value)), str(error.value)


def test_learning_rate_auto_from_yaml_and_flag(tmp_path):
    path = write(tmp_path, "learning_rate: auto\nl2: 0.5\n")
    assert config_lib.resolve(path).learning_rate == "auto"
    assert config_lib.resolve(path).l2 == 0.5
    assert config_lib.resolve(path, {"learning_rate": "0.05"}).learning_rate == 0.05
    assert config_lib.resolve(None, {"learning_rate": "auto"}).learning_rate == "auto"
