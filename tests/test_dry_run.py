"""``tfcourse train --dry_run``: the data checked, the resolved config printed as a valid
``--config`` with what the checks decided, nothing created; re-used, the same training."""

import os
import re
import shutil

import numpy as np
import yaml

from conftest import REPO, tree, variables
from tfcourse import config as config_lib

PENGUINS = os.path.join(REPO, "data", "penguins.csv")


def test_dry_run_prints_every_key_concrete_and_what_the_data_decided(workdir, tfcourse):
    shutil.copy(PENGUINS, "p.csv")
    outcome = tfcourse("train", "--data", "p.csv", "--label", "species", "--model", "softmax",
                       "--dry_run")
    assert outcome.code == 0, outcome.err
    assert tree(workdir) == ["p.csv"]  # nothing created
    document = yaml.safe_load(outcome.out)
    assert list(document) == [key.name for key in config_lib.SCHEMA] + ["data"]
    assert list(document["data"]) == [key.name for key in config_lib.DATA_SCHEMA]
    assert document["model_dir"] == str(workdir / "tmp" / "model")
    assert document["data"]["path"] == str(workdir / "p.csv")
    assert (document["data"]["validation_fraction"], document["data"]["standardize"],
            document["data"]["stream"]) == (0.2, True, False)
    comments = [line for line in outcome.out.splitlines() if line.startswith("#")]
    text = "\n".join(comments)
    assert "# rows: 272 training, 72 held out for validation (data.validation_fraction 0.2, " \
           "seed 42)" in text
    assert "# label: species, classes Adelie, Chinstrap, Gentoo" in text
    assert "# columns (15 features after encoding):" in text
    assert re.search(r"#   bill_length_mm: numeric \(gaps: filled with 43\.\d+, plus "
                     r"bill_length_mm_missing\)", text)
    assert "#   sex: categorical, 2 categories, <missing>" in text
    assert "# batches: full batch (272 rows per step)" in text
    assert "model_dir {}: new".format(workdir / "tmp" / "model") in text


def test_dry_run_output_as_config_trains_the_same(workdir, tfcourse):
    shutil.copy(PENGUINS, "p.csv")
    args = ["--data", "p.csv", "--label", "species", "--model", "softmax", "--max_step", "60",
            "--learning_rate", "0.1", "--data.batch_size", "32", "--save_every", "25"]
    assert tfcourse("train", "--model_dir", "direct", "--quiet", *args).code == 0
    dry = tfcourse("train", "--model_dir", "from_yaml", "--dry_run", *args)
    assert dry.code == 0, dry.err
    os.mkdir("elsewhere")
    with open("elsewhere/resolved.yaml", "w") as handle:
        handle.write(dry.out)
    os.chdir("elsewhere")  # the printed config means the same from any directory
    again = tfcourse("train", "--config", "resolved.yaml", "--quiet")
    assert again.code == 0, again.err
    os.chdir("..")
    direct, from_yaml = variables("direct"), variables("from_yaml")
    assert sorted(direct) == sorted(from_yaml)
    for name in direct:
        np.testing.assert_array_equal(direct[name], from_yaml[name], err_msg=name)
    assert sorted(os.listdir("direct")) == sorted(os.listdir("from_yaml"))
    saved = [yaml.safe_load(open(os.path.join(d, "config.yaml"))) for d in ("direct", "from_yaml")]
    saved[1]["model_dir"] = saved[0]["model_dir"]
    assert saved[0] == saved[1]


def test_dry_run_on_a_model_directory_says_what_training_would_do(workdir, tfcourse):
    assert tfcourse("train", "--max_step", "20", "--quiet").code == 0
    before = tree(workdir)
    outcome = tfcourse("train", "--max_step", "50", "--dry_run")
    assert outcome.code == 0, outcome.err
    assert "# built on ./tmp/model/config.yaml (defaults < that file < flags)" in outcome.out
    assert "holds a model at global step 20; training would continue to global step 50" \
        in outcome.out
    assert "# rows: 100 training, 0 held out" in outcome.out
    assert tfcourse("train", "--max_step", "10", "--dry_run").out.count("nothing to train") == 1
    refused = tfcourse("train", "--model", "logistic", "--dry_run")
    assert refused.code == 1 and "choose another --model_dir" in refused.err
    assert tree(workdir) == before


def test_dry_run_refuses_bad_data_and_unwritable_outputs_as_training_does(workdir, tfcourse):
    with open("bad.csv", "w") as handle:
        handle.write("x,y\n1,2\nabc,3\n")
    outcome = tfcourse("train", "--data", "bad.csv", "--label", "y", "--dry_run")
    assert outcome.code == 1 and re.search(r"bad\.csv:3:1 \(column 'x'\)", outcome.err)
    open("file", "w").close()
    outcome = tfcourse("train", "--model_dir", "file/m", "--dry_run")
    assert outcome.code == 2 and "model_dir file/m is inside a file" in outcome.err
    assert tree(workdir) == ["bad.csv", "file"]
