"""The command line without YAML: data keys as flags, strict errors with suggestions, and a
model directory that knows its own config."""

import json
import os
import re
import shutil

import numpy as np
import pytest
import yaml

from conftest import REPO, tree, variables

DIABETES = os.path.join(REPO, "data", "diabetes.csv")
PENGUINS = os.path.join(REPO, "data", "penguins.csv")


def test_train_on_a_csv_with_no_yaml(workdir, tfcourse):
    shutil.copy(PENGUINS, "my.csv")
    outcome = tfcourse("train", "--data", "my.csv", "--label", "species", "--model", "softmax",
                       "--max_step", "30", "--data.batch_size", "64", "--nodata.standardize",
                       "--data.columns", "year=categorical", "--data.missing", "drop")
    assert outcome.code == 0, outcome.err
    assert "softmax regression on {}".format(workdir / "my.csv") in outcome.out
    assert "batches of 64" in outcome.out and "dropped 11 rows with missing values" in outcome.out
    saved = yaml.safe_load(open("tmp/model/config.yaml"))
    assert saved["data"]["path"] == str(workdir / "my.csv")
    assert (saved["data"]["label"], saved["data"]["batch_size"]) == ("species", 64)
    assert saved["data"]["standardize"] is False
    assert saved["data"]["columns"] == {"year": "categorical"}
    kinds = dict((column["name"], column["kind"])
                 for column in json.load(open("tmp/model/model.json"))["columns"])
    assert kinds["year"] == "categorical" and kinds["island"] == "categorical"


@pytest.mark.parametrize("args, message", [
    (["--batch_size=8"], r"Unknown command line flag 'batch_size'\. Did you mean: "
                         r"data\.batch_size \?"),
    (["--data_path=a.csv"], r"Unknown command line flag 'data_path'\. Did you mean: data\.path"),
    (["--data.pth=a.csv"], r"Unknown command line flag 'data\.pth'\. Did you mean: data\.path"),
    (["--nostandardize"], r"Did you mean: nodata\.standardize \?"),
    (["--data.batch_size=abc"], r"flag --data\.batch_size=abc: expected an integer"),
    (["--data.batch_size=0"], r"data\.batch_size = 0: expected an integer >= 1"),
    (["--data.missing=fill"], r"flag --data\.missing=fill"),
    (["--data=a.csv", "--data.path=b.csv"], r"flags --data and --data\.path set the same key"),
    (["--data.columns=year"], r"flag --data\.columns=year: expected name=value,name=value"),
    (["--data=missing.csv"], r"data\.label: the label column's name is needed"),
])
def test_flag_errors_exit_2_with_one_line_and_create_nothing(workdir, tfcourse, args, message):
    outcome = tfcourse("train", *args)
    assert outcome.code == 2, outcome.err
    assert re.search(message, outcome.err), outcome.err
    assert outcome.err.count("\n") == 1
    assert tree(workdir) == []


def test_yaml_then_flags_for_data_keys(workdir, tfcourse):
    shutil.copy(DIABETES, "d.csv")
    with open("c.yaml", "w") as handle:
        handle.write("max_step: 20\ndata:\n  path: d.csv\n  label: progression\n"
                     "  batch_size: 100\n  validation_fraction: 0.5\n")
    outcome = tfcourse("train", "--config", "c.yaml", "--data.batch_size", "50")
    assert outcome.code == 0, outcome.err
    saved = yaml.safe_load(open("tmp/model/config.yaml"))["data"]
    assert (saved["batch_size"], saved["validation_fraction"]) == (50, 0.5)


def test_a_copied_model_directory_continues_with_its_own_config(workdir, tfcourse):
    shutil.copy(DIABETES, "d.csv")
    first = tfcourse("train", "--data", "d.csv", "--label", "progression", "--learning_rate",
                     "0.1", "--max_step", "40", "--model_dir", "orig", "--quiet")
    assert first.code == 0, first.err
    shutil.copytree("orig", "COPY")
    outcome = tfcourse("train", "--model_dir", "COPY", "--max_step", "60")
    assert outcome.code == 0, outcome.err
    assert "continuing COPY with its own settings (COPY/config.yaml)" in outcome.out
    assert "resuming from COPY/model.ckpt-40 at global step 40" in outcome.out
    assert "warning" not in outcome.err  # the same settings as the checkpoint's
    saved = yaml.safe_load(open("COPY/config.yaml"))
    assert saved["model_dir"] == str(workdir / "COPY") and saved["learning_rate"] == 0.1
    assert os.path.exists("COPY/model.ckpt-60.index")
    assert not os.path.exists("orig/model.ckpt-60.index")
    # the same 20 steps on the original, from its config given explicitly: the same weights
    again = tfcourse("train", "--config", "orig/config.yaml", "--max_step", "60")
    assert again.code == 0, again.err
    copy, orig = variables("COPY"), variables("orig")
    for name in orig:
        np.testing.assert_array_equal(copy[name], orig[name], err_msg=name)


def test_refusal_names_the_form_that_continues(workdir, tfcourse):
    shutil.copy(DIABETES, "d.csv")
    assert tfcourse("train", "--data", "d.csv", "--label", "progression", "--max_step", "5",
                    "--quiet").code == 0
    before = tree(workdir)
    with open("c.yaml", "w") as handle:
        handle.write("data:\n  path: d.csv\n  label: progression\n  features: [age, bmi]\n")
    outcome = tfcourse("train", "--config", "c.yaml", "--max_step", "10")
    assert outcome.code == 1
    assert re.search(r"holds a model with feature_names .*; to continue it with its own "
                     r"settings: tfcourse train --model_dir \./tmp/model/ \[--max_step N\] \(no "
                     r"--config\), or choose another --model_dir", outcome.err), outcome.err
    assert tree(workdir) == sorted(before + ["c.yaml"])
