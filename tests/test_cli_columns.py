"""End to end: a CSV file with text columns, gaps, dates, yes/no and string labels trains
with a three-line config, and every command after train takes the raw file."""

import csv
import json
import os
import re

import numpy as np
import pytest

from tests.conftest import write_yaml

HEADER = "height,colour,member,joined,verdict\n"


def _rows(n, seed=0):
    """Rows whose label depends on a number, a category and a yes/no column; gaps in each."""
    rng = np.random.RandomState(seed)
    lines = []
    for i in range(n):
        height = rng.normal(170, 10)
        colour = ["red", "green", "blue"][i % 3]
        member = ["yes", "no"][(i // 3) % 2]
        joined = "20{:02d}-0{}-1{}".format(10 + i % 10, 1 + i % 9, i % 10)
        score = (height - 170) / 10 + (colour == "red") * 1.5 - (member == "no") * 1.0
        verdict = "good" if score + rng.normal(0, 0.3) > 0 else "bad"
        cells = ["{:.1f}".format(height), colour, member, joined, verdict]
        if i % 17 == 5:
            cells[0] = "NA"
        if i % 19 == 7:
            cells[1] = ""
        lines.append(",".join(cells))
    return HEADER + "\n".join(lines) + "\n"


@pytest.fixture
def trained(tmp_path, tfcourse, workdir):
    path = tmp_path / "people.csv"
    path.write_text(_rows(300))
    config = write_yaml(tmp_path, "model: logistic\nlearning_rate: 0.5\nmax_step: 400\n"
                                  "data:\n  path: people.csv\n  label: verdict\n")
    outcome = tfcourse("train", "--config", config)
    assert outcome.code == 0, outcome.err
    return path, outcome


def test_columns_are_typed_printed_and_saved(trained):
    _, outcome = trained
    assert ("columns: height numeric (gaps: filled with the mean, plus height_missing), colour "
            "categorical (3 categories, <missing>), member boolean, joined date") in outcome.out
    assert "positive class: verdict = 'good'" in outcome.out
    with open(os.path.join("tmp", "model", "model.json")) as handle:
        spec = json.load(handle)
    assert spec["classes"] == ["bad", "good"]
    kinds = {column["name"]: column["kind"] for column in spec["columns"]}
    assert kinds == {"height": "numeric", "colour": "categorical", "member": "boolean",
                     "joined": "date"}
    colour = [column for column in spec["columns"] if column["name"] == "colour"][0]
    assert sorted(colour["vocabulary"]) == ["blue", "green", "red"]
    assert colour["missing_category"] is True and colour["other"] is False


def test_evaluate_and_predict_take_the_raw_file(trained, tfcourse, tmp_path):
    path, _ = trained
    outcome = tfcourse("evaluate", "--ckpt", "tmp/model", "--input", path)
    assert outcome.code == 0, outcome.err
    accuracy = float(outcome.out.split("accuracy")[1].split()[0])
    assert accuracy > 0.85
    new = tmp_path / "new.csv"
    new.write_text(HEADER.replace(",verdict", "") + "190,red,yes,2015-03-10\n"
                   "150,purple,no,2015-03-10\n,,maybe,not a date\n")
    outcome = tfcourse("predict", "--ckpt", "tmp/model", "--input", new, "--output",
                       tmp_path / "out.csv")
    assert outcome.code == 0, outcome.err
    assert "colour in 1 row (e.g. 'purple')" in outcome.err
    assert "member in 1 row (e.g. 'maybe')" in outcome.err
    outcome = tfcourse("restore", "--ckpt", "tmp/model", "--predict", "150,purple,no,2015-03-10")
    assert outcome.err == ("warning: flag --predict: values outside the model's categories and "
                           "spellings (encoded as <other> or missing): colour in 1 row (e.g. "
                           "'purple')\n")
    with open(str(tmp_path / "out.csv")) as handle:
        rows = list(csv.DictReader(handle))
    assert [row["prediction"] for row in rows[:2]] == ["good", "bad"]
    probabilities = [float(row["probability"]) for row in rows]
    assert probabilities[0] > 0.9 and probabilities[1] < 0.1 and 0 < probabilities[2] < 1


def test_a_label_with_three_values_names_softmax(tmp_path, tfcourse, workdir):
    path = tmp_path / "three.csv"
    path.write_text("a,y\n" + "".join("{},{}\n".format(i, "abc"[i % 3]) for i in range(30)))
    config = write_yaml(tmp_path, "model: logistic\ndata:\n  path: three.csv\n  label: y\n")
    outcome = tfcourse("train", "--config", config)
    assert outcome.code == 1
    assert outcome.err.strip().endswith(
        "3 classes in the training rows (a, b, c): logistic regression needs exactly 2; use "
        "--model softmax")


def test_predict_flag_with_one_column_takes_commas_as_rows(tfcourse, workdir):
    assert tfcourse("train", "--max_step", "5").code == 0
    outcome = tfcourse("restore", "--ckpt", "tmp/model", "--predict", "1.0,2.5")
    weight = float(outcome.out.split("weight[x] = ")[1].split()[0])
    bias = float(outcome.out.split("bias = ")[1].split()[0])
    found = re.findall(r"prediction for x = (\S+): (\S+)", outcome.out)
    assert [x for x, _ in found] == ["1.0", "2.5"]
    for x, value in found:
        assert float(value) == pytest.approx(weight * float(x) + bias, abs=1e-5)


def test_positive_class_given_as_a_yaml_number(tmp_path, tfcourse, workdir):
    path = tmp_path / "n.csv"
    path.write_text("a,y\n" + "".join("{},{}\n".format(i, 3 if i % 2 else 7) for i in range(40)))
    config = write_yaml(tmp_path, "model: logistic\nmax_step: 5\ndata:\n  path: n.csv\n"
                                  "  label: y\n  positive: 3\n")
    outcome = tfcourse("train", "--config", config)
    assert outcome.code == 0, outcome.err
    assert "positive class: y = '3'" in outcome.out


def test_restore_and_plot_read_the_training_file_by_column_name(trained, tfcourse, tmp_path):
    path, _ = trained
    before = tfcourse("restore", "--ckpt", "tmp/model")
    assert before.code == 0, before.err
    rows = [line.split(",") for line in path.read_text().splitlines()]
    path.write_text("".join(",".join(row[::-1] + ["1.5"]) + "\n" for row in rows))  # reordered,
    after = tfcourse("restore", "--ckpt", "tmp/model")                              # one more
    assert after.code == 0, after.err
    for name in ("loss on", "validation ("):
        line = [text for text in before.out.splitlines() if text.startswith(name)]
        assert line and line == [text for text in after.out.splitlines() if text.startswith(name)]
    assert tfcourse("plot", "--ckpt", "tmp/model", "--output", tmp_path / "p.png").code == 0
