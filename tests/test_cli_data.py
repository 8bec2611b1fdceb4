"""CSV jobs through the command line: bad files answered with one line and exit 1,
nothing created; evaluate and predict end to end."""

import csv
import json
import os
import re
import shutil

import pytest

from conftest import REPO, tree

GOOD = "a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,10,0\n"

BAD_CSV = [
    ("", {}, r"d\.csv: empty file, expected a header row"),
    ("a,b,label\n", {}, r"d\.csv: no data rows after the header"),
    ("a,b,label\n1,2,0\n3,,1\n", {"missing": "error"},
     r"d\.csv:3:2 \(column 'b'\): missing value \(data\.missing: error\)$"),
    ("a,b,label\n" + "".join("{0},{0},{1}\n".format(i, i % 2) for i in range(12)) + "3,x4,1\n",
     {"validation_fraction": 0.0},
     r"d\.csv:14:2 \(column 'b'\): 'x4' is not a number \(12 of the column's 13 training values are numbers; "
     r"data\.columns: \{b: categorical\} reads it as categories\)$"),
    ("a,b,label\n1,2,0\n3,4\n", {}, r"d\.csv:3: expected 3 fields as in the header, found 2"),
    ("a,b,label\n1,2,0\n3,4,1,9\n", {}, r"d\.csv:3: expected 3 fields as in the header, found 4"),
    ("label\n0\n1\n", {}, r"d\.csv: no feature column: the only column is the label 'label'"),
    ("a,b,target\n1,2,0\n3,4,1\n", {},
     r"d\.csv: label column 'label' not found; columns are: a, b, target"),
    ("a,b,label\n1,2,0\n3,4,2\n5,6,3\n", {"validation_fraction": 0.0},
     r"d\.csv \(column 'label'\): 3 classes in the training rows \(0, 2, 3\): logistic "
     r"regression needs exactly 2; use --model softmax$"),
    ("a,b,label\n1,inf,0\n3,4,1\n", {}, r"d\.csv:2:2 \(column 'b'\): 'inf' is not finite"),
    # "nan" is missing by default (data.na_values); without na_values it is a typo
    ("a,b,label\n1,nan,0\n" + "".join("{0},{0},{1}\n".format(i, i % 2) for i in range(12)),
     {"na_values": [], "validation_fraction": 0.0},
     r"d\.csv:2:2 \(column 'b'\): 'nan' is not a number \(12 of the column's 13 training values are numbers; "),
    ("a,b,label\n1,2,0\n3,4,1\n", {"columns": {"b": "boolean"}, "validation_fraction": 0.0},
     r"d\.csv \(column 'b'\): expected boolean values \(true/false, yes/no\), found '2', '4'$"),
]


def write_config(workdir, csv_text, model="logistic", data_keys=None):
    (workdir / "d.csv").write_bytes(csv_text.encode("utf-8"))
    extra = "".join("  {}: {}\n".format(key, json.dumps(value))
                    for key, value in sorted((data_keys or {}).items()))
    (workdir / "c.yaml").write_text("model: {}\nmax_step: 5\ndata:\n  path: d.csv\n  label: label\n"
                                    "{}".format(model, extra))


@pytest.mark.parametrize("csv_text, data_keys, message", BAD_CSV)
def test_bad_csv_exits_1_naming_file_line_column_and_creates_nothing(
        workdir, tfcourse, csv_text, data_keys, message):
    write_config(workdir, csv_text, data_keys=data_keys)
    before = tree(workdir)
    outcome = tfcourse("train", "--config", "c.yaml")
    assert outcome.code == 1
    assert re.search(message, outcome.err), outcome.err
    assert outcome.err.count("\n") == 1
    assert tree(workdir) == before


def test_valid_variants_train(workdir, tfcourse):
    text = "\ufeff\"größe\",温度,label\r\n\"1.5\",2,0\r\n3,4,1\r\n\r\n5,6,0\r\n7,8,1.0\r\n9,10,0\r\n"
    write_config(workdir, text)
    outcome = tfcourse("train", "--config", "c.yaml", "--model_dir", "m")
    assert outcome.code == 0, outcome.err
    restored = tfcourse("restore", "--ckpt", "m")
    assert "weight[größe]" in restored.out and "weight[温度]" in restored.out


def test_gaps_and_rows_without_a_label_train_with_notes(workdir, tfcourse):
    text = "a,b,label\n1,nan,0\n3,4,1\n5,,1\n7,8,\n9,10,1\n11,NA,0\n13,14,0\n15,16,1\n"
    write_config(workdir, text, data_keys={"validation_fraction": 0.0})
    outcome = tfcourse("train", "--config", "c.yaml", "--model_dir", "m")
    assert outcome.code == 0, outcome.err
    assert outcome.out.splitlines()[:3] == [
        "columns: a numeric, b numeric (gaps: filled with the mean, plus b_missing)",
        "dropped 1 row without a label",
        "positive class: label = '1' (probability is P(label = '1'))"]
    assert "(7 training rows, 3 features from 2 columns)" in outcome.out
    write_config(workdir, text, data_keys={"validation_fraction": 0.0, "missing": "drop"})
    outcome = tfcourse("train", "--config", "c.yaml", "--model_dir", "dropped")
    assert outcome.code == 0, outcome.err
    assert outcome.out.splitlines()[:3] == [
        "columns: a numeric, b numeric", "dropped 1 row without a label",
        "dropped 3 rows with missing values (data.missing: drop)"]
    assert "(4 training rows, 2 features)" in outcome.out


@pytest.fixture
def trained(workdir, tfcourse):
    write_config(workdir, GOOD)
    outcome = tfcourse("train", "--config", "c.yaml", "--model_dir", "m",
                       "--summary_dir", "s")
    assert outcome.code == 0, outcome.err
    return workdir


def test_predict_and_evaluate_end_to_end(trained, tfcourse):
    (trained / "new.csv").write_text("b,a\n2,1\n10,9\n")  # other order, no label
    outcome = tfcourse("predict", "--ckpt", "m", "--input", "new.csv", "--output", "p.csv")
    assert outcome.code == 0, outcome.err
    rows = list(csv.reader(open("p.csv", newline="")))
    assert rows[0] == ["b", "a", "prediction", "probability"]
    assert len(rows) == 3 and all(row[2] in ("0", "1") for row in rows[1:])
    again = tfcourse("predict", "--ckpt", "m", "--input", "new.csv", "--output", "p.csv")
    assert again.code == 2 and "exists; pass --overwrite" in again.err
    assert tfcourse("predict", "--ckpt", "m", "--input", "new.csv", "--output", "p.csv",
                    "--overwrite").code == 0
    evaluated = tfcourse("evaluate", "--ckpt", "m", "--input", "d.csv")
    assert evaluated.code == 0, evaluated.err
    for name in ("log_loss", "accuracy", "precision", "recall", "f1", "roc_auc", "loss"):
        assert re.search(r"^\s+{}\s+[-0-9.e]+$".format(name), evaluated.out, re.M), name


@pytest.mark.parametrize("command, text, message", [
    ("predict", "a,c\n1,2\n", r"new\.csv: the model's feature column\(s\) b are missing; "
                              r"the model has a, b, the file has a, c"),
    ("evaluate", "a,b\n1,2\n", r"new\.csv: label column 'label' not found"),
    ("evaluate", "a,b,label\n1,2,5\n", r"new\.csv \(column 'label'\): label '5' on line 2 is "
                                        r"not one of the training rows' classes: 0, 1$"),
    ("evaluate", "a,b,label\n1,x,1\n", r"new\.csv:2:2 \(column 'b'\): 'x' is not a number$"),
    ("predict", "a,b,prediction\n1,2,3\n", r"new\.csv: already has a column named 'prediction'"),
])
def test_mismatched_input_is_refused_and_writes_nothing(trained, tfcourse, command, text, message):
    (trained / "new.csv").write_text(text)
    before = tree(trained)
    extra = ["--output", "p.csv"] if command == "predict" else []
    outcome = tfcourse(command, "--ckpt", "m", "--input", "new.csv", *extra)
    assert outcome.code in (1, 2)
    assert re.search(message, outcome.err), outcome.err
    assert tree(trained) == before


def test_shipped_configs_run_from_any_directory(workdir, tfcourse):
    shutil.copytree(os.path.join(REPO, "configs"), "configs")
    shutil.copytree(os.path.join(REPO, "data"), "data")
    os.mkdir("elsewhere")
    os.chdir("elsewhere")
    outcome = tfcourse("train", "--config", "../configs/diabetes.yaml", "--max_step", "10")
    assert outcome.code == 0, outcome.err
    assert os.path.exists("tmp/diabetes/model.ckpt-10.index")
    os.chdir("..")
    assert tfcourse("restore", "--ckpt", "elsewhere/tmp/diabetes").code == 0
