"""Config keys as flags: every key of both schemas, nested ones as --data.<key>, short forms,
precedence defaults < YAML < flags, strict values, and where each path key is relative to."""

import os

import pytest
from absl.testing import flagsaver

from conftest import write_yaml as write
from tfcourse import cli, config as config_lib, config_flags
from tfcourse.errors import UsageError

# A value other than the default for each kind of key: (flag text, value in the Config).
_VALUES = {"int": ("7", 7), "float": ("0.5", 0.5), "fraction": ("0.3", 0.3),
           "str": ("abc", "abc"), "label": ("yes", "yes"),
           "kind_map": ("year=categorical,id=ignore", {"year": "categorical", "id": "ignore"}),
           "class_weight": ("a=2,b=0.5", {"a": 2.0, "b": 0.5}), "str_list": ("a,b", ("a", "b")),
           "rate": ("auto", "auto"), "nonnegative": ("0.25", 0.25)}


def _flag_value(key):
    """``(flag text, value in the Config)`` of a non-default value for ``key``."""
    if key.name == "delimiter":
        return ";", ";"
    if key.kind == "bool":
        return ("false", False) if key.default else ("true", True)
    if key.kind == "path":
        return "x.csv", os.path.abspath("x.csv") if key.name == "path" else "x.csv"
    if key.choices and key.kind == "str":
        return key.choices[-1], key.choices[-1]
    if key.choices and key.kind == "str_list":
        return key.choices[-1], (key.choices[-1],)
    return _VALUES[key.kind]


def parse_and_resolve(args, config_path=None):
    """``tfcourse train ARGS`` parsed as the command line is, then resolved."""
    with flagsaver.flagsaver():
        command, given = cli.parse(["tfcourse", "train"] + list(args))
    assert command == "train"
    return config_lib.resolve(config_path, config_flags.overrides(given))


def test_every_key_of_both_schemas_is_a_flag_of_train():
    names = [name for name, _ in config_flags.flag_keys()]
    assert names == ([key.name for key in config_lib.SCHEMA] +
                     ["data." + key.name for key in config_lib.DATA_SCHEMA])
    assert set(names) | {"config", "data", "label"} <= set(cli.COMMANDS["train"].flags)


@pytest.mark.parametrize("name, key", config_flags.flag_keys(),
                         ids=[name for name, _ in config_flags.flag_keys()])
def test_each_flag_sets_its_key(tmp_path, monkeypatch, name, key):
    monkeypatch.chdir(tmp_path)
    text, expected = _flag_value(key)
    args = ["--{}={}".format(name, text)]
    if name != "data.path":
        args.append("--data.path=other.csv")  # a CSV file, so that every data key applies
    config = parse_and_resolve(args)
    section = config.data if name.startswith("data.") else config
    assert getattr(section, key.name) == expected


def test_short_forms_and_their_conflict_with_the_long_form(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = parse_and_resolve(["--data", "my.csv", "--label", "price", "--model", "softmax"])
    assert config.data.path == str(tmp_path / "my.csv")
    assert (config.data.label, config.model) == ("price", "softmax")
    assert config.data.validation_fraction == 0.2 and config.data.standardize is True
    with pytest.raises(UsageError, match=r"flags --data and --data.path set the same key"):
        parse_and_resolve(["--data", "a.csv", "--data.path", "b.csv"])


def test_precedence_defaults_yaml_flags_for_data_keys(tmp_path):
    path = write(tmp_path, "data:\n  path: d.csv\n  label: y\n  batch_size: 32\n"
                           "  missing: drop\n  columns: {year: categorical}\n")
    config = parse_and_resolve(["--data.batch_size=8", "--data.columns=id=ignore"], path)
    assert config.data.batch_size == 8                       # flag over YAML
    assert config.data.columns == {"id": "ignore"}           # a flag replaces the whole mapping
    assert config.data.missing == "drop"                     # YAML over default
    assert config.data.max_categories == 50                  # default
    assert config.data.path == str(tmp_path / "d.csv")       # YAML path: relative to the file


@pytest.mark.parametrize("args, message", [
    (["--data.batch_size=0"], r"flag --data.batch_size: data.batch_size = 0: expected an "
                              r"integer >= 1"),
    (["--data.validation_fraction=1.5"], r"data.validation_fraction = 1.5: expected a number "
                                         r"with 0 <= f < 1"),
    (["--data.columns=year=text"], r"flag --data.columns: data.columns.year = 'text': expected "
                                   r"one of: numeric, boolean, date, categorical, ignore"),
    (["--data.columns=year"], r"flag --data.columns=year: expected name=value,name=value"),
    (["--data.class_weight=a=0"], r"data.class_weight = .*expected balanced or a mapping"),
    (["--data.class_weight=heavy"], r"flag --data.class_weight=heavy: expected balanced or "
                                    r"name=value"),
    (["--data.delimiter=;;"], r"data.delimiter = ';;': expected one character"),
    (["--data.stream=true"], r"data.stream: true needs a CSV file in data.path"),
])
def test_bad_values_name_the_flag(args, message):
    with pytest.raises(UsageError, match=message):
        parse_and_resolve(args)


def test_tab_delimiter_and_class_weight_balanced():
    config = parse_and_resolve(["--data=a.csv", "--data.delimiter=\\t",
                                "--data.class_weight=balanced", "--nodata.standardize"])
    assert config.data.delimiter == "\t" and config.data.class_weight == "balanced"
    assert config.data.standardize is False


def test_unknown_data_key_in_overrides_suggests_the_close_one():
    with pytest.raises(UsageError, match=r"flag --data.pth: unknown key 'data.pth' "
                                         r"\(did you mean 'data.path'\?\)"):
        config_lib.resolve(None, {"data.pth": "a.csv"})


# --- where each path key is relative to ----------------------------------------------------------

def test_every_path_key_yaml_and_flag(tmp_path, monkeypatch):
    """data.path in a YAML file: relative to the file; model_dir and summary_dir: relative to
    the current directory, in a YAML file as on the command line."""
    path_keys = [name for name, key in config_flags.flag_keys() if key.kind == "path"]
    assert path_keys == ["model_dir", "summary_dir", "data.path"]  # a new one needs its rule here
    (tmp_path / "sub").mkdir()
    (tmp_path / "run").mkdir()
    monkeypatch.chdir(tmp_path / "run")
    yaml_path = write(tmp_path, "model_dir: m\nsummary_dir: s\ndata:\n  path: d.csv\n  label: y\n",
                      name="sub/c.yaml")
    config = config_lib.resolve(yaml_path)
    assert config.data.path == str(tmp_path / "sub" / "d.csv")
    assert os.path.abspath(config.model_dir) == str(tmp_path / "run" / "m")
    assert os.path.abspath(config.summary_dir) == str(tmp_path / "run" / "s")
    flagged = parse_and_resolve(["--model_dir=m2", "--summary_dir=s2", "--data.path=d2.csv"],
                                yaml_path)
    assert flagged.data.path == str(tmp_path / "run" / "d2.csv")
    assert os.path.abspath(flagged.model_dir) == str(tmp_path / "run" / "m2")
    assert os.path.abspath(flagged.summary_dir) == str(tmp_path / "run" / "s2")
    home = parse_and_resolve(["--data=~/d.csv", "--model_dir=~/m"])
    assert home.data.path == os.path.expanduser("~/d.csv")
    assert home.model_dir == os.path.expanduser("~/m")
