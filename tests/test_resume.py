"""Resume integrity (tfcourse.training.resume): the data a model was trained on are recorded in its
``data.json``; a resume on changed data is refused naming what changed, unless
``allow_data_change``; a resume keeps the model's split whatever the seed."""

import json
import os

import numpy as np
import pytest

from tfcourse import config as config_lib
from tfcourse.data import split as split_lib
from tfcourse.errors import DataError
from tfcourse.tf_compat import tf
from tfcourse.training import resume, trainer

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = "weight_lb,height,y\n"


def write_rows(path, scale=1.0, n=60):
    """A CSV of ``n`` rows, y = 0.03·weight + 2·height + N(0, 1) noise (weights in pounds
    times ``scale``)."""
    rng = np.random.RandomState(0)
    lines = [HEADER]
    for _ in range(n):
        weight, height = rng.uniform(100, 250), rng.uniform(1.5, 2.0)
        lines.append("{:.4f},{:.4f},{:.4f}\n".format(weight * scale, height,
                                                     0.03 * weight + 2 * height +
                                                     rng.normal()))
    path.write_text("".join(lines))


def make_config(tmp_path, **overrides):
    yaml = tmp_path / "c.yaml"
    yaml.write_text("model: linear\ndata: {path: rows.csv, label: y}\n")
    overrides.setdefault("model_dir", str(tmp_path / "model"))
    overrides.setdefault("summary_dir", str(tmp_path / "summary"))
    overrides.setdefault("learning_rate", 0.1)
    return config_lib.resolve(str(yaml), overrides)


def quiet(line):
    pass


def test_data_json_records_the_data(tmp_path):
    write_rows(tmp_path / "rows.csv")
    trainer.train(make_config(tmp_path, max_step=5), out=quiet)
    record = json.loads((tmp_path / "model" / "data.json").read_text())
    assert record["path"] == str(tmp_path / "rows.csv")
    assert record["size"] == os.path.getsize(str(tmp_path / "rows.csv"))
    assert record["content"] == "training rows" and len(record["sha256"]) == 64
    assert record["columns"] == {"weight_lb": "numeric", "height": "numeric"}
    split = record["split"]
    assert split["seed"] == 42 and split["validation_fraction"] == 0.2
    assert split["training_rows"] + split["validation_rows"] == 60


def test_changed_data_are_refused_naming_what_changed(tmp_path, capsys):
    write_rows(tmp_path / "rows.csv")
    trainer.train(make_config(tmp_path, max_step=200), out=quiet)
    mean = tf.train.load_variable(str(tmp_path / "model"), "standardize/mean")
    write_rows(tmp_path / "rows.csv", scale=0.4536)  # pounds -> kilograms
    with pytest.raises(DataError) as err:
        trainer.train(make_config(tmp_path, max_step=300), out=quiet)
    message = str(err.value)
    assert message.startswith("data changed since model_dir {} was trained: size ".format(
        tmp_path / "model"))
    assert "content of the training rows (sha256 " in message
    assert message.endswith("resume on the same data, or pass --allow_data_change to go on with "
                            "the model's saved statistics and vocabulary")
    assert tf.train.latest_checkpoint(str(tmp_path / "model")).endswith("model.ckpt-200")

    capsys.readouterr()
    result = trainer.train(make_config(tmp_path, max_step=300), out=quiet,
                           allow_data_change=True)
    assert result.global_step == 300
    assert "--allow_data_change: training goes on with the model's saved standardisation " \
        "statistics and vocabulary" in capsys.readouterr().err
    np.testing.assert_array_equal(  # the statistics of the pounds stay
        tf.train.load_variable(str(tmp_path / "model"), "standardize/mean"), mean)
    trainer.train(make_config(tmp_path, max_step=310), out=quiet)  # data.json now has the new data


def test_a_moved_file_with_the_same_rows_resumes(tmp_path):
    write_rows(tmp_path / "rows.csv")
    trainer.train(make_config(tmp_path, max_step=5), out=quiet)
    os.rename(str(tmp_path / "rows.csv"), str(tmp_path / "moved.csv"))
    (tmp_path / "c.yaml").write_text("model: linear\ndata: {path: moved.csv, label: y}\n")
    config = config_lib.resolve(str(tmp_path / "c.yaml"), {
        "model_dir": str(tmp_path / "model"), "summary_dir": str(tmp_path / "summary"),
        "max_step": 10})
    assert trainer.train(config, out=quiet).global_step == 10


def test_resume_with_another_seed_keeps_the_split(tmp_path, capsys):
    write_rows(tmp_path / "rows.csv")
    first = trainer.train(make_config(tmp_path, max_step=50, eval_every=50), out=quiet)
    capsys.readouterr()
    second = trainer.train(make_config(tmp_path, max_step=50 + 1, seed=7, eval_every=1),
                           out=quiet)
    assert ("warning: resuming keeps the model's split (seed 42, data.validation_fraction 0.2): "
            "seed 7 ignored, so no held-out row is trained on") in capsys.readouterr().err
    record = json.loads((tmp_path / "model" / "data.json").read_text())
    assert record["split"]["seed"] == 42
    saved = config_lib.from_dict(__import__("yaml").safe_load(
        (tmp_path / "model" / "config.yaml").read_text()), "config.yaml")
    assert saved.seed == 42  # restore, plot and evaluate see the same split
    # the last eval (step 51, the checkpoint's weights) is on the rows seed 42 holds out
    rows = np.loadtxt(str(tmp_path / "rows.csv"), delimiter=",", skiprows=1, dtype=np.float32)
    held = split_lib.is_validation(np.arange(len(rows)), 0.2, 42)
    assert not np.array_equal(held, split_lib.is_validation(np.arange(len(rows)), 0.2, 7))
    model_dir = str(tmp_path / "model")
    mean, std = (tf.train.load_variable(model_dir, "standardize/" + name) for name in
                 ("mean", "std"))
    weights = tf.train.load_variable(model_dir, "linear_model/weights")
    bias = tf.train.load_variable(model_dir, "linear_model/bias")
    predicted = ((rows[held, :2] - mean) / std).dot(weights)[:, 0] + bias[0]
    assert second.eval_metrics["mse"] == pytest.approx(
        np.mean((predicted - rows[held, 2]) ** 2), rel=1e-5)
    del first


def test_changes_lists_each_difference():
    saved = {"path": "/a.csv", "size": 10, "content": "training rows", "sha256": "a" * 64,
             "columns": {"x": "numeric", "z": "numeric"},
             "split": {"training_rows": 8, "validation_rows": 2}}
    new = dict(saved, path="/b.csv", size=12, sha256="b" * 64,
               columns={"x": "categorical", "w": "numeric"},
               split={"training_rows": 9, "validation_rows": 2})
    assert resume.changes(saved, new) == [
        "path /a.csv -> /b.csv", "size 10 -> 12 bytes",
        "content of the training rows (sha256 aaaaaaaaaaaa -> bbbbbbbbbbbb)",
        "column 'x' numeric -> categorical", "column 'w' new", "column 'z' gone",
        "training rows 8 -> 9"]
    assert resume.changes(saved, dict(saved, path="/moved.csv")) == []
