"""Degenerate data (tfcourse.training.degenerate): a warning line each for fewer training rows than
features, a constant column and a validation split without a positive example; an error for a
classification label with one class."""

import os

import pytest

from tfcourse import config as config_lib
from tfcourse.errors import DataError
from tfcourse.training import trainer, degenerate


def load(tmp_path, text, model="linear", **data):
    path = tmp_path / "rows.csv"
    path.write_text(text)
    yaml = tmp_path / "c.yaml"
    extra = "".join(", {}: {}".format(key, value) for key, value in data.items())
    yaml.write_text("model: {}\ndata: {{path: rows.csv, label: y{}}}\n".format(model, extra))
    config = config_lib.resolve(str(yaml), {"model_dir": str(tmp_path / "model"),
                                            "summary_dir": str(tmp_path / "summary")})
    return config, trainer.load_data(config)


def test_fewer_rows_than_features_and_constant_columns(tmp_path):
    rows = "".join("{},{},7,red,{}\n".format(i, i * i % 5, 2 * i) for i in range(3))
    _, (split, spec) = load(tmp_path, "a,b,c,colour,y\n" + rows, validation_fraction=0)
    assert degenerate.warnings_for(split, spec) == [
        "3 training rows for 4 features: with fewer rows than features the optimum is not "
        "unique, and the weights found depend on their initial values",
        "column 'c' holds one value (7) in every training row: it carries nothing a model can "
        "learn (data.ignore: [c] leaves it out)",
        "column 'colour' holds one value ('red') in every training row: it carries nothing a "
        "model can learn (data.ignore: [colour] leaves it out)"]


def test_a_validation_split_without_a_positive(tmp_path):
    rows = "".join("{},{}\n".format(i, 1 if i in (0, 2, 5) else 0) for i in range(30))
    _, (split, spec) = load(tmp_path, "x,y\n" + rows, "logistic")
    assert 1.0 not in split.validation.y  # seed 42 holds out none of rows 0, 2 and 5
    assert degenerate.warnings_for(split, spec) == [
        "the validation split ({} rows) holds no positive example (y = '1'): recall, F1 and ROC "
        "AUC are undefined there; a larger data.validation_fraction holds out more rows".format(
            len(split.validation.y))]


def test_good_data_give_no_warning(tmp_path):
    rows = "".join("{},{},{}\n".format(i, (i * 7) % 11, i % 2) for i in range(40))
    _, (split, spec) = load(tmp_path, "x,z,y\n" + rows, "logistic")
    assert degenerate.warnings_for(split, spec) == []


def test_one_class_label_is_an_error(tmp_path, capsys):
    rows = "".join("{},1\n".format(i) for i in range(20))
    with pytest.raises(DataError) as err:
        load(tmp_path, "x,y\n" + rows, "logistic")
    assert str(err.value) == ("{} (column 'y'): the training rows' labels hold one class only "
                              "(1): a classifier needs two or more".format(tmp_path / "rows.csv"))


def test_training_prints_the_warning(tmp_path, capsys):
    rows = "".join("{},3,{}\n".format(i, 2 * i) for i in range(20))
    config, _ = load(tmp_path, "x,k,y\n" + rows)
    trainer.train(config._replace(max_step=2), out=lambda line: None)
    assert ("warning: column 'k' holds one value (3) in every training row" in
            capsys.readouterr().err)
    assert os.path.isdir(str(tmp_path / "model"))
