"""tfcourse export --format formula|python|sql|json: each output evaluated on the validation
rows (and made-up rows with unknown categories and gaps) against ``tfcourse predict``."""

import csv
import json
import math
import os
import re
import sqlite3

import numpy as np
import pytest

from tfcourse.data.split import is_validation

from saved_models import MADE_UP_ROWS, REPO, train

CONFIGS = {"linear": "penguins_mass.yaml", "logistic": "breast_cancer.yaml",
           "softmax": "penguins.yaml"}
DATA = {"linear": "penguins.csv", "logistic": "breast_cancer.csv", "softmax": "penguins.csv"}
LABELS = {"linear": "body_mass_g", "logistic": "malignant", "softmax": "species"}


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def model(request, tmp_path_factory):
    """``(kind, model_dir, rows csv, rows as dicts of raw cells, expected [n, K] outputs)``."""
    kind = request.param
    directory = tmp_path_factory.mktemp(kind)
    model_dir = train(directory, os.path.join(REPO, "configs", CONFIGS[kind]), max_step=300)
    with open(os.path.join(REPO, "data", DATA[kind])) as handle:
        lines = handle.read().splitlines()
    keep = is_validation(np.arange(len(lines) - 1), 0.2, 42)
    rows = [line for line, held in zip(lines[1:], keep) if held]
    if kind != "logistic":
        rows += list(MADE_UP_ROWS)
    rows_csv = str(directory / "rows.csv")
    with open(rows_csv, "w") as handle:
        handle.write("\n".join([lines[0]] + rows) + "\n")
    with open(rows_csv) as handle:
        cells = list(csv.DictReader(handle))
    for row in cells:
        del row[LABELS[kind]]
    return kind, model_dir, rows_csv, cells


def expected_outputs(tfcourse, kind, model_dir, rows_csv, tmp_path):
    out = str(tmp_path / "predicted.csv")
    assert tfcourse("predict", "--ckpt", model_dir, "--input", rows_csv, "--output", out).code == 0
    with open(out) as handle:
        table = list(csv.DictReader(handle))
    if kind == "linear":
        names = ["prediction"]
    elif kind == "logistic":
        names = ["probability"]
    else:
        names = ["probability_Adelie", "probability_Chinstrap", "probability_Gentoo"]
    return np.array([[float(row[name]) for name in names] for row in table])


def assert_close(got, expected):
    got = np.asarray(got, np.float64).reshape(expected.shape)
    scale = max(1.0, float(np.abs(expected).max()))
    assert np.abs(got - expected).max() < 1e-4 * scale, (got[:5], expected[:5])


def export(tfcourse, model_dir, fmt, tmp_path):
    path = str(tmp_path / ("model." + fmt))
    outcome = tfcourse("export", "--ckpt", model_dir, "--format", fmt, "--output", path)
    assert outcome.code == 0, outcome.err
    assert "as {} to {}".format(fmt, path) in outcome.out
    with open(path) as handle:
        return handle.read()


def test_python_function_matches_predict(model, tfcourse, tmp_path):
    kind, model_dir, rows_csv, cells = model
    expected = expected_outputs(tfcourse, kind, model_dir, rows_csv, tmp_path)
    source = export(tfcourse, model_dir, "python", tmp_path)
    assert "import numpy" not in source and "tensorflow" not in source
    namespace = {}
    exec(compile(source, "model.py", "exec"), namespace)
    function = namespace["predict"]
    got = []
    for row in cells:
        value = function(**row)  # raw CSV cells as text, keyword per column
        got.append(list(value.values()) if isinstance(value, dict) else [value])
    assert_close(got, expected)
    if kind == "softmax":
        assert list(function(**cells[0])) == ["Adelie", "Chinstrap", "Gentoo"]
        # numbers as numbers and gaps as None give the same as the text cells
        typed = dict(cells[0], bill_length_mm=float(cells[0]["bill_length_mm"]), sex=None)
        text = dict(cells[0], sex="NA")
        assert function(**typed) == function(**text)


def test_sql_expression_matches_predict_in_sqlite(model, tfcourse, tmp_path):
    kind, model_dir, rows_csv, cells = model
    expected = expected_outputs(tfcourse, kind, model_dir, rows_csv, tmp_path)
    expression = export(tfcourse, model_dir, "sql", tmp_path)
    text_columns = {"species", "island", "sex"}
    names = list(cells[0])
    connection = sqlite3.connect(":memory:")
    connection.create_function("EXP", 1, math.exp)  # standard SQL; sqlite builds may lack it
    connection.execute("CREATE TABLE rows ({})".format(", ".join(
        '"{}" {}'.format(name, "TEXT" if name in text_columns else "REAL") for name in names)))
    for row in cells:
        values = [row[name] if name in text_columns else
                  (float(row[name]) if row[name] not in ("", "NA") else None) for name in names]
        connection.execute("INSERT INTO rows VALUES ({})".format(", ".join("?" * len(names))),
                           values)
    got = connection.execute("SELECT {} FROM rows".format(expression)).fetchall()
    assert_close(got, expected)


def _json_outputs(document, row):
    """The JSON model evaluated on one row of raw cells, as a client would."""
    encodings = dict((c["name"], c) for c in document["encodings"]["columns"])
    na = set([""] + document["encodings"]["na_values"])
    z = np.array(document["intercept"])
    for term in document["coefficients"]:
        column, cell = encodings[term["column"]], row[term["column"]]
        if column["kind"] == "categorical":
            missing = cell in column["missing_spellings"]
            value = {"category": cell == term["value"], "missing": missing,
                     "other": not missing and cell not in column["vocabulary"]}[term["term"]]
        else:
            missing = cell in na
            value = {"number": 0.0 if missing else float(cell), "missing": missing}[term["term"]]
        z = z + float(value) * np.array(term["coefficient"])
    if document["model"] == "linear":
        return z
    if document["model"] == "logistic":
        return 1.0 / (1.0 + np.exp(-z))
    return np.exp(z - z.max()) / np.exp(z - z.max()).sum()


def test_json_coefficients_and_encodings_match_predict(model, tfcourse, tmp_path):
    kind, model_dir, rows_csv, cells = model
    expected = expected_outputs(tfcourse, kind, model_dir, rows_csv, tmp_path)
    document = json.loads(export(tfcourse, model_dir, "json", tmp_path))
    assert document["model"] == kind
    got = [_json_outputs(document, row) for row in cells]
    assert_close(got, expected)
    standardized = document["standardized"]
    weights, std = np.array(standardized["weights"]), np.array(standardized["std"])
    assert len(document["coefficients"]) >= len(standardized["features"])
    number_terms = [t for t in document["coefficients"] if t["term"] == "number"]
    for term in number_terms:  # raw coefficient = standardised weight / std
        j = standardized["features"].index(term["column"])
        np.testing.assert_allclose(term["coefficient"], weights[j] / std[j], rtol=1e-6)


def test_output_dash_writes_the_text_to_standard_output(model, tfcourse, tmp_path):
    """``--output -``: the same text as the file, on stdout; the report line on stderr."""
    model_dir = model[1]
    written = export(tfcourse, model_dir, "json", tmp_path)
    outcome = tfcourse("export", "--ckpt", model_dir, "--format", "json", "--output", "-")
    assert outcome.code == 0, outcome.err
    assert outcome.out == written
    assert outcome.err.startswith("exported ") and outcome.err.endswith(
        " as json to standard output\n")
    assert not os.path.exists("-")


_TERM = re.compile(r"^\s*([+−])\s*([0-9.e+-]+)·(.+)$")


def _formula_value(factor, row):
    """One factor of the formula's grammar on a row of raw cells (penguins and
    breast-cancer columns: identifiers)."""
    match = re.match(r"^\((\w+) == '(.*)'\)$", factor)
    if match:
        return float(row[match.group(1)] == match.group(2))
    match = re.match(r"^(missing|other)\((\w+)\)$", factor)
    if match:
        cell = row[match.group(2)]
        missing = cell in ("", "NA")
        return float(missing) if match.group(1) == "missing" else float(
            not missing and cell not in ("Biscoe", "Dream", "Torgersen"))
    cell = row[factor]
    return 0.0 if cell in ("", "NA") else float(cell)


def _formula_sums(text, row):
    """Each ``name = intercept + terms`` block of the formula evaluated on ``row``."""
    sums = {}
    for block in text.split("\n\n"):
        lines = block.splitlines()
        head = re.match(r"^(\S+) = (−?[0-9.e+-]+)$", lines[0])
        if not head:
            continue
        total = float(head.group(2).replace("−", "-"))
        for line in lines[1:]:
            sign, number, factor = _TERM.match(line).groups()
            total += (-1 if sign == "−" else 1) * float(number) * _formula_value(factor, row)
        sums[head.group(1)] = total
    return sums


def test_formula_reads_as_equations_and_matches_predict(model, tfcourse, tmp_path):
    kind, model_dir, rows_csv, cells = model
    expected = expected_outputs(tfcourse, kind, model_dir, rows_csv, tmp_path)
    text = export(tfcourse, model_dir, "formula", tmp_path)
    got = []
    for row in cells:
        sums = _formula_sums(text, row)
        if kind == "linear":
            got.append([sums["body_mass_g"]])
        elif kind == "logistic":
            got.append([1.0 / (1.0 + math.exp(-sums["z"]))])
        else:
            z = np.array([sums["z_Adelie"], sums["z_Chinstrap"], sums["z_Gentoo"]])
            got.append(np.exp(z - z.max()) / np.exp(z - z.max()).sum())
    assert_close(got, expected)  # 7 significant digits per coefficient
    first = {"linear": "body_mass_g = ", "logistic": "P(malignant = '1') = sigmoid(z)",
             "softmax": "P(species = 'Adelie') = exp(z_Adelie) / (exp(z_Adelie) + "}[kind]
    assert text.startswith(first)
    if kind != "logistic":
        assert "·(island == 'Dream')" in text and "·missing(bill_length_mm)" in text
    assert "where missing(c) is 1" in text


def test_export_text_flags_are_checked(model, tfcourse, tmp_path):
    _, model_dir, _, _ = model
    missing = tfcourse("export", "--ckpt", model_dir, "--format", "sql")
    assert missing.code == 2 and "needs --output" in missing.err
    both = tfcourse("export", "--ckpt", model_dir, "--format", "json", "--output",
                    str(tmp_path / "a.json"), "--export_dir", str(tmp_path / "d"))
    assert both.code == 2 and "--export_dir is for the SavedModel" in both.err
    bad = tfcourse("export", "--ckpt", model_dir, "--format", "excel", "--output", "a")
    assert bad.code == 2 and "excel" in bad.err
    (tmp_path / "taken.sql").write_text(u"x")
    taken = tfcourse("export", "--ckpt", model_dir, "--format", "sql", "--output",
                     str(tmp_path / "taken.sql"))
    assert taken.code == 2 and "--overwrite" in taken.err
    assert (tmp_path / "taken.sql").read_text() == u"x"
    assert not os.path.exists(str(tmp_path / "a.json"))


def test_restore_and_inspect_print_raw_units_beside_standardised(model, tfcourse, tmp_path):
    kind, model_dir, _, _ = model
    document = json.loads(export(tfcourse, model_dir, "json", tmp_path))
    standardized = document["standardized"]
    j = 0 if kind == "logistic" else standardized["features"].index("bill_length_mm")
    name = standardized["features"][j]
    w, std = np.array(standardized["weights"][j]), standardized["std"][j]
    for command in ("restore", "inspect"):
        outcome = tfcourse(command, "--ckpt", model_dir)
        assert outcome.code == 0, outcome.err
        assert "in the data's units" in outcome.out
        row = [line.split() for line in outcome.out.splitlines()
               if line.split()[:1] == [name] and len(line.split()) == 1 + 2 * len(w)][0]
        np.testing.assert_allclose([float(v) for v in row[1:]], list(w) + list(w / std),
                                   rtol=1e-5)
        intercept = [line.split() for line in outcome.out.splitlines()
                     if line.split()[:1] == ["(intercept)"]][0]
        np.testing.assert_allclose([float(v) for v in intercept[1 + len(w):]],
                                   document["intercept"], rtol=1e-5)


def test_dates_booleans_and_other_categories_in_python_and_sql(tfcourse, workdir):
    """A file with a date, a boolean, a categorical column beyond max_categories and gaps;
    rows with an invalid date, an unknown spelling and category, a date with a time."""
    rng = np.random.RandomState(0)
    lines = ["when,smoker,city,dose,y"]
    for _ in range(200):
        lines.append(",".join([
            "2024-%02d-%02d" % (rng.randint(1, 13), rng.randint(1, 29)) if rng.rand() > .1 else "",
            ["yes", "no"][rng.randint(2)] if rng.rand() > .1 else "",
            "abcde"[min(rng.geometric(0.5) - 1, 4)] if rng.rand() > .1 else "NA",
            "%.2f" % rng.normal(5, 2) if rng.rand() > .1 else "", "%.3f" % rng.normal()]))
    (workdir / "t.csv").write_text(u"\n".join(lines) + "\n")
    rows = lines[:40] + ["2023-02-30,maybe,zzz,,1", "2024/03/01 12:30,yes,a,3,1"]
    (workdir / "rows.csv").write_text(u"\n".join(rows) + "\n")
    assert tfcourse("train", "--model", "linear", "--max_step", "200", "--learning_rate", "0.1",
                    "--config", write_config(workdir), "--quiet").code == 0
    expected = expected_outputs(tfcourse, "linear", "m", "rows.csv", workdir)
    with open("rows.csv") as handle:
        cells = [dict((k, v) for k, v in row.items() if k != "y")
                 for row in csv.DictReader(handle)]
    namespace = {}
    exec(compile(export(tfcourse, "m", "python", workdir), "m.py", "exec"), namespace)
    assert_close([namespace["predict"](**row) for row in cells], expected)
    connection = sqlite3.connect(":memory:")
    connection.execute('CREATE TABLE rows ("when" TEXT, smoker TEXT, city TEXT, dose REAL)')
    connection.executemany("INSERT INTO rows VALUES (?, ?, ?, ?)", [
        (row["when"] or None, row["smoker"], row["city"],
         float(row["dose"]) if row["dose"] else None) for row in cells])
    expression = export(tfcourse, "m", "sql", workdir)
    assert_close(connection.execute("SELECT {} FROM rows".format(expression)).fetchall(),
                 expected)
    text = export(tfcourse, "m", "formula", workdir)
    assert "·days(when)" in text and "·other(city)" in text and "·(smoker in ('yes'" in text


def write_config(workdir):
    (workdir / "c.yaml").write_text(u"model_dir: m\nsummary_dir: s\ndata:\n  path: t.csv\n"
                                    u"  label: y\n  max_categories: 3\n")
    return "c.yaml"
