"""CSV jobs through the command line: bad files answered with one line and exit 1,
nothing created; evaluate and predict end to end."""

import csv
import os
import re
import shutil

import pytest

from conftest import REPO, tree

GOOD = "a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,10,0\n"

BAD_CSV = [
    ("", r"d\.csv: empty file, expected a header row"),
    ("a,b,label\n", r"d\.csv: no data rows after the header"),
    ("a,b,label\n1,2,0\n3,,1\n", r"d\.csv:3:2 \(column 'b'\): missing value"),
    ("a,b,label\n1,2,0\n3,x4,1\n", r"d\.csv:3:2 \(column 'b'\): 'x4' is not a number"),
    ("a,b,label\n1,2,0\n3,4\n", r"d\.csv:3: expected 3 fields as in the header, found 2"),
    ("a,b,label\n1,2,0\n3,4,1,9\n", r"d\.csv:3: expected 3 fields as in the header, found 4"),
    ("label\n0\n1\n", r"d\.csv: no feature column: the only column is the label 'label'"),
    ("a,b,target\n1,2,0\n3,4,1\n", r"d\.csv: label column 'label' not found; columns are: a, b, target"),
    ("a,b,label\n1,2,0\n3,4,2\n5,6,3\n", r"d\.csv:3:3 \(column 'label'\): labels must be 0 or 1 "
                                        r"for logistic regression, found 2, 3"),
    ("a,b,label\n1,inf,0\n3,4,1\n", r"d\.csv:2:2 \(column 'b'\): 'inf' is not finite"),
    ("a,b,label\n1,nan,0\n3,4,1\n", r"d\.csv:2:2 \(column 'b'\): 'nan' is not finite"),
]


def write_config(workdir, csv_text, model="logistic"):
    (workdir / "d.csv").write_bytes(csv_text.encode("utf-8"))
    (workdir / "c.yaml").write_text("model: {}\nmax_step: 5\ndata:\n  path: d.csv\n  label: label\n"
                                    .format(model))


@pytest.mark.parametrize("csv_text, message", BAD_CSV)
def test_bad_csv_exits_1_naming_file_line_column_and_creates_nothing(
        workdir, tfcourse, csv_text, message):
    write_config(workdir, csv_text)
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
    ("evaluate", "a,b,label\n1,2,5\n", r"new\.csv:2:3 \(column 'label'\): labels must be 0 or 1"),
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
