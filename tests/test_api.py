"""tfcourse.api (tfcourse.train, tfcourse.load): the round trip against the command line's
files and outputs, the rows it takes, its errors, and an import without TensorFlow."""

import csv
import json
import os
import subprocess
import sys

import numpy as np
import pandas
import pytest
import yaml

import tfcourse as tfc
from tfcourse.tf_compat import tf

from saved_models import REPO

PENGUINS = os.path.join(REPO, "data", "penguins.csv")
CONFIG = {"model": "softmax", "max_step": 60, "learning_rate": 0.1,
          "data": {"path": PENGUINS, "label": "species"}}


def variables(model_dir):
    prefix = tf.train.latest_checkpoint(str(model_dir))
    return dict((name, tf.train.load_variable(prefix, name))
                for name, _ in tf.train.list_variables(prefix))


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The same model trained by the API (a dict config) and by ``tfcourse train`` (YAML):
    ``(api Result, cli model dir, work dir)``."""
    from absl.testing import flagsaver
    from tfcourse import cli
    cwd = tmp_path_factory.mktemp("api")
    result = tfc.train(dict(CONFIG), model_dir=str(cwd / "api"),
                            summary_dir=str(cwd / "summary"))
    (cwd / "c.yaml").write_text(u"{}".format(yaml.safe_dump(CONFIG)))
    with flagsaver.flagsaver():
        assert cli.main(["tfcourse", "train", "--config", str(cwd / "c.yaml"), "--quiet",
                         "--model_dir", str(cwd / "cli"),
                         "--summary_dir", str(cwd / "summary")]) == 0
    return result, str(cwd / "cli"), cwd


def test_api_training_writes_the_clis_files_bit_for_bit(both):
    result, cli_dir, _ = both
    assert result.global_step == 60 and result.model_dir.endswith("api")
    api_vars, cli_vars = variables(result.model_dir), variables(cli_dir)
    assert sorted(api_vars) == sorted(cli_vars)
    for name in cli_vars:
        np.testing.assert_array_equal(api_vars[name], cli_vars[name], err_msg=name)
    np.testing.assert_array_equal(result.weights, cli_vars["softmax_model/weights"])

    def saved(directory, name, drop):
        with open(os.path.join(directory, name)) as handle:
            document = (json.load if name.endswith("json") else yaml.safe_load)(handle)
        return dict((key, value) for key, value in document.items() if key not in drop)
    assert saved(result.model_dir, "model.json", ["runs"]) == saved(cli_dir, "model.json",
                                                                    ["runs"])
    assert (saved(result.model_dir, "config.yaml", ["model_dir"]) ==
            saved(cli_dir, "config.yaml", ["model_dir"]))


def test_predict_matches_the_clis_predict_file(both, tfcourse, tmp_path):
    result, cli_dir, _ = both
    out = str(tmp_path / "p.csv")
    assert tfcourse("predict", "--ckpt", cli_dir, "--input", PENGUINS, "--output", out).code == 0
    with open(out) as handle:
        expected = list(csv.DictReader(handle))
    model = tfc.load(result.model_dir)
    frame = pandas.read_csv(PENGUINS)
    for rows in (frame, dict((name, list(frame[name])) for name in frame),
                 frame.to_dict("records")):
        got = model.predict(rows)
        assert list(got.columns) == ["prediction", "probability_Adelie",
                                     "probability_Chinstrap", "probability_Gentoo"]
        assert list(got["prediction"]) == [row["prediction"] for row in expected]
        for name in got.columns[1:]:  # the file's 9 digits give float32 back exactly
            np.testing.assert_array_equal(
                got[name].values.astype(np.float32),
                np.array([float(row[name]) for row in expected], np.float32))


def test_evaluate_and_coefficients_match_the_cli(both, tfcourse, tmp_path):
    result, cli_dir, _ = both
    model = tfc.load(result.model_dir)
    values = model.evaluate(pandas.read_csv(PENGUINS))
    printed = tfcourse("evaluate", "--ckpt", cli_dir, "--input", PENGUINS).out
    for name in ("loss", "accuracy", "log_loss"):
        line = [l for l in printed.splitlines() if l.split()[:1] == [name]][0]
        assert "{:.6g}".format(values[name]) == line.split()[1]
    assert values["accuracy"] > 0.9
    raw, scaled = model.coefficients(), model.coefficients(raw=False)
    assert list(raw.columns) == ["Adelie", "Chinstrap", "Gentoo"]
    assert raw.index[0] == "island=Biscoe" and raw.index[-1] == "(intercept)"
    std = variables(cli_dir)["standardize/std"]
    np.testing.assert_allclose(raw.values[:-1], scaled.values[:-1] / std[:, None], rtol=1e-6)
    json_out = str(tmp_path / "m.json")
    assert tfcourse("export", "--ckpt", cli_dir, "--format", "json", "--output",
                    json_out).code == 0
    with open(json_out) as handle:
        np.testing.assert_allclose(raw.values[-1], json.load(handle)["intercept"], rtol=1e-12)


def test_errors_are_the_clis_classes(both):
    result, _, cwd = both
    with pytest.raises(tfc.DataError, match="no checkpoint"):
        tfc.load(str(cwd / "nowhere"))
    with pytest.raises(tfc.UsageError, match="unknown config key 'max_steps'"):
        tfc.train(dict(CONFIG), max_steps=5)
    with pytest.raises(tfc.UsageError, match="learning_rate"):
        tfc.train(dict(CONFIG, learning_rate=-1.0), model_dir=str(cwd / "never"))
    model = tfc.load(result.model_dir)
    with pytest.raises(tfc.UsageError, match="a pandas DataFrame, a dict of columns"):
        model.predict("rows.csv")
    with pytest.raises(tfc.DataError, match="^rows: the model's feature column"):
        model.predict([{"island": "Dream"}])
    assert not os.path.exists(str(cwd / "never"))
    assert issubclass(tfc.UsageError, tfc.TfcourseError)


def test_train_stays_the_api_function_once_the_trainer_is_imported():
    from tfcourse import api
    from tfcourse.training import trainer  # noqa: F401  (a submodule import binds no tfcourse.train)
    assert tfc.train.__module__ == "tfcourse" and tfc.train.__doc__.startswith("``tfcourse.api.train``")
    assert api.train.__module__ == "tfcourse.api"


@pytest.mark.slow
def test_import_tfcourse_imports_no_tensorflow():
    code = ("import sys, tfcourse; print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('tensorflow', 'pandas', 'tfcourse')))")
    env = dict(os.environ, PYTHONPATH=REPO)
    out = subprocess.check_output([sys.executable, "-c", code], env=env,
                                  universal_newlines=True)
    assert eval(out) == ["tfcourse", "tfcourse.errors"]
