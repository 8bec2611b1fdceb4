"""tfcourse.commands.eject: the script's text, and its data preparation (run in this process)
against tfcourse's own reading of the same rows. The script trained as a process, on both
legs, against tfcourse's weights: test_cli_eject.py."""

import collections
import csv
import datetime
import os
import re

import numpy as np
import pytest

from tfcourse import api, config as config_lib, features
from tfcourse.commands import eject
from tfcourse.errors import UsageError
from tfcourse.tf_compat import tf
from tfcourse.training import trainer

from conftest import tree
from saved_models import REPO

CONFIGS = ["penguins.yaml", "penguins_mass.yaml", "diabetes.yaml", "breast_cancer.yaml"]


def resolved(name=None, **overrides):
    path = os.path.join(REPO, "configs", name) if name else None
    return config_lib.resolve(path, overrides)


def script_data(config, spec):
    """The script's ``prepare_data`` run here: its data part executed alone (the script's
    flags would clash with tfcourse's own in this process)."""
    namespace = {"np": np, "csv": csv, "re": re, "datetime": datetime,
                 "collections": collections}
    exec(compile(eject.data_source(config, spec), "script_data", "exec"), namespace)
    return namespace["prepare_data"](config.seed)


def encoded(split_data, spec, na_values):
    """tfcourse's encoding of rows (``tfcourse.features``, the graph every model uses)."""
    with tf.Graph().as_default(), tf.Session() as session:
        x = tf.placeholder(tf.float32, [None, split_data.x.shape[1]])
        text = (tf.placeholder(tf.string, [None, split_data.text.shape[1]])
                if split_data.text is not None else None)
        out = features.Encoder(spec.columns, na_values)(x, text)
        session.run(tf.tables_initializer())
        feed = {x: split_data.x}
        if text is not None:
            feed[text] = split_data.text
        return session.run(out, feed)


@pytest.mark.parametrize("name", CONFIGS)
def test_script_prepares_the_rows_tfcourse_trains_on_bit_for_bit(name):
    config = resolved(name)
    split, spec = trainer.load_data(config)
    x_train, y_train, x_valid, y_valid, mean, std = script_data(config, spec)
    np.testing.assert_array_equal(x_train, encoded(split.train, spec, config.data.na_values))
    np.testing.assert_array_equal(x_valid, encoded(split.validation, spec,
                                                   config.data.na_values))
    np.testing.assert_array_equal(y_train, split.train.y)
    np.testing.assert_array_equal(y_valid, split.validation.y)
    np.testing.assert_array_equal(mean, split.mean)
    np.testing.assert_array_equal(std, split.std)
    assert x_train.dtype == np.float32 and len(x_train) + len(x_valid) > 300


@pytest.mark.parametrize("model", ["linear", "logistic", "softmax"])
def test_builtin_data_are_made_as_tfcourse_makes_them(model):
    config = resolved(model=model)
    split, spec = trainer.load_data(config)
    x_train, y_train, x_valid, y_valid, mean, std = script_data(config, spec)
    np.testing.assert_array_equal(x_train, split.train.x)
    np.testing.assert_array_equal(y_train, split.train.y)
    if split.validation is None:
        assert len(x_valid) == 0
    else:
        np.testing.assert_array_equal(x_valid, split.validation.x)
    np.testing.assert_array_equal(mean, split.mean)
    np.testing.assert_array_equal(std, split.std)


def test_script_reads_as_the_course(tfcourse, workdir):
    outcome = tfcourse("eject", "--config", os.path.join(REPO, "configs", "penguins.yaml"),
                       "--output", "penguins.py", "--learning_rate", "0.2")
    assert outcome.code == 0, outcome.err
    text = (workdir / "penguins.py").read_text()
    compile(text, "penguins.py", "exec")
    assert 'flags.DEFINE_integer("max_step", 2000,' in text
    assert 'flags.DEFINE_float("learning_rate", 0.2,' in text  # the flag given wins
    for needed in ('tf.variable_scope("original_data")', 'tf.variable_scope("softmax_model")',
                   'tf.variable_scope("loss")', 'tf.variable_scope("optimizer")',
                   "tf.placeholder(", "feed_dict=train_feed", "tf.Session(config=config)",
                   "tf.ConfigProto(", "tf.summary.scalar(", "tf.summary.histogram(",
                   "tf.summary.merge_all()", "tf.summary.FileWriter(", "tf.train.Saver(",
                   "saver.save(", "tf.train.latest_checkpoint(", "saver.restore(",
                   "FLAGS.log_every", "tf.app.run(main)", "def learn(", "def encode(",
                   "is_validation(", "('island', 'categorical')"):
        assert needed in text, needed
    assert "tfcourse" not in text.replace("tfcourse eject", "").replace("tfcourse's", "")\
        .replace("tfcourse trains", "").replace("tfcourse read", "").replace(
            "tfcourse runs", "").replace("tfcourse computes", "")  # imports no tfcourse


def test_ckpt_and_config_give_the_same_script(tfcourse, workdir):
    config = os.path.join(REPO, "configs", "diabetes.yaml")
    assert tfcourse("train", "--config", config, "--max_step", "5", "--model_dir", "m",
                    "--summary_dir", "s", "--quiet").code == 0
    assert tfcourse("eject", "--ckpt", "m", "--output", "a.py").code == 0
    assert tfcourse("eject", "--ckpt", "m", "--output", "c.py", "--max_step", "7").code == 0
    assert 'flags.DEFINE_integer("max_step", 7,' in (workdir / "c.py").read_text()
    assert tfcourse("eject", "--config", "m/config.yaml", "--output", "b.py").code == 0
    a, b = [(workdir / name).read_text().splitlines() for name in ("a.py", "b.py")]
    different = [(x, y) for x, y in zip(a, b) if x != y]
    assert len(a) == len(b) and len(different) == 2  # the source line and the usage line
    assert "model directory" in different[0][0] and "config" in different[0][1]


def test_data_flags_choose_the_data_and_output_dash_is_standard_output(tfcourse, workdir):
    """``--data``/``--label``/``--data.*`` flags set the script's data as they set train's;
    with ``--ckpt`` (the model's own data) they are refused; ``--output -`` is stdout."""
    data = os.path.join(REPO, "data", "penguins.csv")
    given = tfcourse("eject", "--data", data, "--label", "species", "--model", "softmax",
                     "--data.ignore", "year", "--output", "-")
    assert given.code == 0, given.err
    assert given.out.startswith("#!/usr/bin/env python\n")
    assert "Softmax regression of 'species' (penguins.csv)" in given.out
    assert "    ('sex', 'categorical'),\n]  # (name, kind)" in given.out  # year ignored
    assert given.err.startswith("wrote standard output: softmax regression")
    config = os.path.join(REPO, "configs", "diabetes.yaml")
    assert tfcourse("train", "--config", config, "--max_step", "3", "--model_dir", "m",
                    "--summary_dir", "s", "--quiet").code == 0
    refused = tfcourse("eject", "--ckpt", "m", "--label", "sex", "--output", "a.py")
    assert refused.code == 2 and "flag --data.label goes with --config" in refused.err
    assert not (workdir / "a.py").exists() and not (workdir / "-").exists()


def test_unsupported_and_conflicting_requests_fail_writing_nothing(tfcourse, workdir):
    config = os.path.join(REPO, "configs", "diabetes.yaml")
    both = tfcourse("eject", "--config", config, "--ckpt", "m", "--output", "a.py")
    assert both.code == 2 and "not both" in both.err
    model = tfcourse("eject", "--ckpt", "m", "--model", "logistic", "--output", "a.py")
    assert model.code == 2 and "not both" in model.err
    (workdir / "w.yaml").write_text(u"data:\n  path: {}\n  label: progression\n  weight: age\n"
                                    .format(os.path.join(REPO, "data", "diabetes.csv")))
    weighted = tfcourse("eject", "--config", "w.yaml", "--output", "a.py")
    assert weighted.code == 2 and "data.weight = 'age' is not supported" in weighted.err
    no_output = tfcourse("eject", "--config", config)
    assert no_output.code == 2 and "--output" in no_output.err
    missing = tfcourse("eject", "--ckpt", "nowhere", "--output", "a.py")
    assert missing.code == 1 and "no checkpoint" in missing.err
    assert tree(workdir) == ["w.yaml"]


def test_check_supported_names_the_key():
    config = resolved("diabetes.yaml")
    spec = trainer.load_data(config)[1]
    with pytest.raises(UsageError, match="data.batch_size = 32"):
        eject.check_supported(config._replace(data=config.data._replace(batch_size=32)), spec)


def test_dates_booleans_other_categories_and_gaps_prepared_bit_for_bit(tmp_path):
    rng = np.random.RandomState(1)
    lines = ["when,smoker,city,dose,y"]
    for i in range(120):
        lines.append(",".join([
            "2024-%02d-%02d %02d:30" % (rng.randint(1, 13), rng.randint(1, 29), i % 24)
            if i % 9 else "", ["yes", "no", "", "YES"][i % 4],
            "abcdef"[min(rng.geometric(0.4) - 1, 5)] if i % 7 else "NA",
            "%.3f" % rng.normal(5, 2) if i % 5 else "?", "%.3f" % rng.normal()]))
    (tmp_path / "t.csv").write_text(u"\n".join(lines) + "\n")
    config = api.resolve({"data": {"path": str(tmp_path / "t.csv"), "label": "y",
                                   "max_categories": 3, "validation_fraction": 0.3}})
    split, spec = trainer.load_data(config)
    assert [c.kind for c in spec.columns] == ["date", "boolean", "categorical", "numeric"]
    assert spec.columns[2].other and spec.columns[2].missing_category
    x_train, y_train, x_valid, _, mean, std = script_data(config, spec)
    np.testing.assert_array_equal(x_train, encoded(split.train, spec, config.data.na_values))
    np.testing.assert_array_equal(x_valid, encoded(split.validation, spec,
                                                   config.data.na_values))
    np.testing.assert_array_equal(y_train, split.train.y)
    np.testing.assert_array_equal(mean, split.mean)
    np.testing.assert_array_equal(std, split.std)


@pytest.mark.parametrize("name,model", [(None, "linear"), (None, "logistic"), (None, "softmax"),
                                        ("penguins.yaml", None), ("diabetes.yaml", None)])
def test_script_has_no_unused_or_undefined_names(name, model):
    api_module = pytest.importorskip("pyflakes.api")
    from pyflakes import reporter
    import io
    config = resolved(name, **({"model": model} if model else {}))
    text = eject.script(config, trainer.load_data(config)[1], "a test")
    found, errors = io.StringIO(), io.StringIO()
    assert api_module.check(text, "script.py", reporter.Reporter(found, errors)) == 0, (
        found.getvalue() + errors.getvalue())


def test_eject_makes_learning_rate_auto_a_number_and_keeps_l2(workdir, tfcourse):
    outcome = tfcourse("eject", "--config", os.path.join(REPO, "configs", "breast_cancer.yaml"),
                       "--output", "bc.py")
    assert outcome.code == 0, outcome.err
    text = (workdir / "bc.py").read_text()
    assert 'flags.DEFINE_float("learning_rate", 0.300' in text  # 1/L of the training rows
    assert 'flags.DEFINE_float("l2", 0.001,' in text
    assert "note: the script trains to max_step (5000); tolerance and early stopping" in outcome.out
    refused = tfcourse("eject", "--output", "x.py", "--l1", "0.1")
    assert refused.code == 2 and "eject: l1 = 0.1 is not supported" in refused.err
