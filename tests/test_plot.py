"""tfcourse.commands.plot: the PNG of a trained model, checked against the model, its data and its events.

Every model is trained for real (module-scoped fixtures, one training each);
what the figure shows is compared with values computed independently here:
the checkpoint's variables (``tf.train.load_variable``), ``restore.run_outputs``
on the model's own data, scikit-learn's ROC and confusion matrix, and the
``loss/loss`` scalars of the run's events files.
"""

import glob
import os
import shutil
import struct

import numpy as np
import pytest

import matplotlib
matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402

from tfcourse import config as config_lib, data, models  # noqa: E402
from tfcourse.commands import plot
from tfcourse.commands import restore
from tfcourse.training import trainer
from tfcourse.errors import DataError, UsageError  # noqa: E402
from tfcourse.tf_compat import tf  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SIZE = (1200, 450)  # pixels: 12 x 4.5 inches at 100 dpi


def train(root, name, config_path=None, **overrides):
    """Trains into root/name (summaries in root/summary-name); returns (TrainResult, Config)."""
    overrides.setdefault("model_dir", str(root / name))
    overrides.setdefault("summary_dir", str(root / ("summary-" + name)))
    config = config_lib.resolve(config_path, overrides)
    return trainer.train(config, out=lambda line: None), config


def make_plot(model_dir, output, **kwargs):
    """``plot.plot`` with its printed lines collected; returns (PlotResult, lines)."""
    lines = []
    result = plot.plot(str(model_dir), str(output), out=lines.append, **kwargs)
    return result, lines


def png_size(path):
    """(width, height) from the PNG signature and IHDR chunk."""
    with open(str(path), "rb") as handle:
        head = handle.read(24)
    assert head[:8] == PNG_SIGNATURE and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def check_png(path):
    """A PNG of ``SIZE`` that is not blank: it decodes and shows many distinct colours."""
    assert png_size(path) == SIZE
    pixels = mpimg.imread(str(path))
    assert pixels.shape[:2] == (SIZE[1], SIZE[0])
    colours = np.unique((pixels[..., :3].reshape(-1, 3) * 255).round().astype(int), axis=0)
    assert len(colours) > 50
    assert (pixels[..., :3] < 0.5).mean() > 0.005  # some dark ink: text, lines, points


def events_loss(directory):
    """``(steps, values)`` of ``loss/loss`` in a directory's events files, read here directly."""
    pairs = []
    for path in glob.glob(os.path.join(directory, "events.out.tfevents.*")):
        for event in tf.train.summary_iterator(path):
            pairs += [(event.step, v.simple_value) for v in event.summary.value
                      if v.tag == "loss/loss"]
    pairs.sort()
    return [s for s, _ in pairs], [v for _, v in pairs]


def check_curves(result, run_dir, parts):
    assert result.run_dir == run_dir and sorted(result.curves) == sorted(parts)
    for part in parts:
        steps, values = events_loss(os.path.join(run_dir, part))
        assert len(steps) > 1
        np.testing.assert_array_equal(result.curves[part][0], steps)
        np.testing.assert_array_equal(result.curves[part][1], values)


def outputs_on(model_dir, x):
    """``(predictions, probabilities)`` of the model in ``model_dir`` on feature matrix ``x``."""
    with restore.open_model(str(model_dir)) as loaded:
        values = restore.run_outputs(loaded, data.numeric_dataset(x))
    return values["predictions"], values.get("probabilities")


def write_csv(path, columns, names):
    rows = [",".join(names)] + [",".join("{!r}".format(float(v)) for v in row)
                                for row in np.column_stack(columns)]
    path.write_text("\n".join(rows) + "\n")


def one_feature_csv(path, seed=7, n=200):
    """A one-feature logistic data set: P(y = 1 | x) = sigmoid(2 x - 1), x ~ N(3, 2)."""
    rng = np.random.RandomState(seed)
    x = rng.normal(3.0, 2.0, n).astype(np.float32)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(2 * (x - 3) - 1)))).astype(np.float32)
    write_csv(path, [x, y], ["dose", "response"])


def write_yaml(path, csv, model="logistic", extra=""):
    path.write_text("model: {}\nlearning_rate: 0.5\nmax_step: 300\ndata:\n  path: {}\n"
                    "  label: response\n{}".format(model, csv, extra))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    trained, config = train(root, "model")
    result, lines = make_plot(config.model_dir, root / "course.png")
    return trained, config, result, lines


@pytest.fixture(scope="module", params=["logistic", "breast_cancer", "diabetes"])
def shipped(request, tmp_path_factory):
    """A shipped config trained for 300 steps, then plotted."""
    root = tmp_path_factory.mktemp(request.param)
    trained, config = train(root, request.param,
                            os.path.join(REPO, "configs", request.param + ".yaml"), max_step=300)
    result, lines = make_plot(config.model_dir, root / "figure.png")
    split = data.load(config.data, config.seed, models.get(config.model).BUILTIN_DATA)
    return trained, config, result, split


def test_course_line_is_the_checkpoints_w_x_plus_b(course):
    trained, config, result, lines = course
    assert result.panel == "fit" and result.notes == []
    w = tf.train.load_variable(config.model_dir, "linear_model/weights")[0, 0]
    b = tf.train.load_variable(config.model_dir, "linear_model/bias")[0]
    np.testing.assert_allclose(result.data["line_y"], w * result.data["line_x"] + b,
                               rtol=1e-6, atol=1e-6)
    points = data.course_data(100, config.seed)
    np.testing.assert_array_equal(result.data["train_x"], points.x[:, 0])
    np.testing.assert_array_equal(result.data["train_y"], points.y[:, 0])
    assert result.data["validation_x"] is None  # the course's data are not split
    assert result.data["line_x"][[0, -1]].tolist() == [points.x.min(), points.x.max()]
    check_curves(result, trained.run_dir, ["train"])


def test_course_png_is_valid_and_reported(course):
    _, config, result, lines = course
    check_png(result.output)
    assert result.size == SIZE
    assert lines[0].startswith("wrote {} (1200x450 px)".format(result.output))
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(result.output).st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600
    assert sorted(os.listdir(os.path.dirname(result.output))) == [
        "course.png", "model", "summary-model"]  # no temporary file left


def test_shipped_configs(shipped):
    from sklearn import metrics as sk_metrics  # imported when needed, as tfcourse.metrics does
    trained, config, result, split = shipped
    check_png(result.output)
    check_curves(result, trained.run_dir, ["train", "eval"])
    predictions, probabilities = outputs_on(config.model_dir, split.validation.x)
    if config.model == "linear":  # diabetes: 10 features
        assert result.panel == "predicted_vs_actual"
        np.testing.assert_array_equal(result.data["validation_predicted"], predictions[:, 0])
        np.testing.assert_array_equal(result.data["validation_actual"], split.validation.y[:, 0])
        train_predictions, _ = outputs_on(config.model_dir, split.train.x)
        np.testing.assert_array_equal(result.data["train_predicted"], train_predictions[:, 0])
        np.testing.assert_array_equal(result.data["train_actual"], split.train.y[:, 0])
        return
    assert result.panel == "roc" and result.data["set"] == "validation"
    y = split.validation.y[:, 0]
    auc = sk_metrics.roc_auc_score(y, probabilities[:, 0])
    assert result.data["auc"] == pytest.approx(auc, abs=1e-12) and auc > 0.8
    fpr, tpr, _ = sk_metrics.roc_curve(y, probabilities[:, 0])
    np.testing.assert_array_equal(result.data["fpr"], fpr)
    np.testing.assert_array_equal(result.data["tpr"], tpr)
    confusion = sk_metrics.confusion_matrix(y, probabilities[:, 0] > 0.5)
    np.testing.assert_array_equal(result.data["confusion"], confusion)
    assert confusion.sum() == len(y)


def test_one_feature_logistic_draws_the_fitted_sigmoid(tmp_path):
    one_feature_csv(tmp_path / "doses.csv")
    write_yaml(tmp_path / "doses.yaml", "doses.csv")
    trained, config = train(tmp_path, "doses", str(tmp_path / "doses.yaml"))
    result, _ = make_plot(config.model_dir, tmp_path / "doses.png")
    assert result.panel == "fit"
    check_png(result.output)
    load = lambda name: tf.train.load_variable(config.model_dir, name)  # noqa: E731
    z = ((result.data["line_x"] - load("standardize/mean")[0]) / load("standardize/std")[0] *
         load("logistic_model/weights")[0, 0] + load("logistic_model/bias")[0])
    np.testing.assert_allclose(result.data["line_y"], 1 / (1 + np.exp(-z)), rtol=1e-5, atol=1e-6)
    assert result.data["line_y"][0] < 0.1 and result.data["line_y"][-1] > 0.9
    split = data.load(config.data, config.seed, "classes")
    np.testing.assert_array_equal(result.data["validation_x"], split.validation.x[:, 0])
    np.testing.assert_array_equal(result.data["train_y"], split.train.y[:, 0])


def test_data_gone_plots_curves_and_says_so(tmp_path):
    one_feature_csv(tmp_path / "doses.csv")
    write_yaml(tmp_path / "doses.yaml", "doses.csv")
    trained, config = train(tmp_path, "doses", str(tmp_path / "doses.yaml"))
    os.remove(str(tmp_path / "doses.csv"))
    result, lines = make_plot(config.model_dir, tmp_path / "gone.png")
    assert result.panel is None and result.data == {}
    assert len(result.notes) == 1 and "doses.csv" in result.notes[0]
    assert lines[1] == "note: " + result.notes[0]
    check_png(result.output)
    check_curves(result, trained.run_dir, ["train", "eval"])


def test_streamed_data_are_not_plotted(tmp_path):
    one_feature_csv(tmp_path / "doses.csv")
    write_yaml(tmp_path / "doses.yaml", "doses.csv", extra="  stream: true\n  batch_size: 32\n")
    trained, config = train(tmp_path, "doses", str(tmp_path / "doses.yaml"), max_step=20)
    result, _ = make_plot(config.model_dir, tmp_path / "streamed.png")
    assert result.panel is None and "streamed" in result.notes[0]
    check_png(result.output)
    assert result.run_dir == trained.run_dir


def test_no_events_is_noted(tmp_path):
    trained, config = train(tmp_path, "model", max_step=50)
    shutil.rmtree(config.summary_dir)
    result, _ = make_plot(config.model_dir, tmp_path / "figure.png")
    assert result.curves == {} and result.run_dir is None
    assert result.notes == ["no loss/loss events in the model's runs ({})".format(
        trained.run_dir)]
    assert result.panel == "fit"
    check_png(result.output)


def test_the_models_own_runs_in_a_shared_summary_dir_joined_across_resumes(tmp_path):
    summary = str(tmp_path / "summary")
    first, linear = train(tmp_path, "linear", max_step=200, summary_dir=summary)
    other, logistic = train(tmp_path, "logistic", model="logistic", max_step=100,
                            summary_dir=summary)
    result, _ = make_plot(linear.model_dir, tmp_path / "a.png")
    check_curves(result, first.run_dir, ["train"])  # not the later logistic run
    result, _ = make_plot(logistic.model_dir, tmp_path / "b.png")
    check_curves(result, other.run_dir, ["train", "eval"])
    resumed, _ = train(tmp_path, "linear", max_step=400, summary_dir=summary)
    result, _ = make_plot(linear.model_dir, tmp_path / "c.png")
    assert result.run_dir == resumed.run_dir
    before, after = (events_loss(os.path.join(run.run_dir, "train")) for run in (first, resumed))
    steps = sorted(set(before[0]) | set(after[0]))
    np.testing.assert_array_equal(result.curves["train"][0], steps)  # 0 ... 200 ... 400
    assert result.curves["train"][1][-1] == after[1][-1]


def test_truncated_events_file_keeps_what_was_read(course, tmp_path):
    trained = course[0]
    source = glob.glob(os.path.join(trained.run_dir, "train", "events.out.tfevents.*"))[0]
    target = tmp_path / os.path.basename(source)
    with open(source, "rb") as handle:
        target.write_bytes(handle.read()[:-7])
    steps, losses = plot.read_loss(str(tmp_path))
    full_steps, full_losses = events_loss(os.path.join(trained.run_dir, "train"))
    assert 0 < len(steps) < len(full_steps)
    np.testing.assert_array_equal(losses, full_losses[:len(steps)])


def test_existing_output_needs_overwrite(course, tmp_path):
    config = course[1]
    output = tmp_path / "figure.png"
    output.write_bytes(b"keep me")
    with pytest.raises(UsageError, match="output {} exists; pass --overwrite".format(output)):
        make_plot(config.model_dir, output)
    assert output.read_bytes() == b"keep me"
    make_plot(config.model_dir, output, overwrite=True)
    check_png(output)
    assert os.listdir(str(tmp_path)) == ["figure.png"]


@pytest.mark.parametrize("name, message", [
    ("missing/figure.png", "directory .*missing does not exist"),
    ("figure.jpg", "give a name ending in .png"),
    ("folder.png", "is a directory"),
])
def test_bad_output_is_refused_before_anything_is_written(course, tmp_path, name, message):
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(UsageError, match=message) as caught:
        make_plot(course[1].model_dir, tmp_path / name)
    assert str(tmp_path / name) in str(caught.value) and "\n" not in str(caught.value)
    assert os.listdir(str(tmp_path)) == ["folder.png"]


def test_no_checkpoint_is_a_data_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no checkpoint found in directory {}".format(
            tmp_path / "empty")):
        make_plot(tmp_path / "empty", tmp_path / "figure.png")
    assert os.listdir(str(tmp_path)) == ["empty"]


@pytest.fixture(scope="module")
def softmax_plot(tmp_path_factory):
    """Softmax regression on the built-in three-class data, 200 steps, then plotted."""
    root = tmp_path_factory.mktemp("softmax")
    trained, config = train(root, "softmax", model="softmax", max_step=200)
    result, lines = make_plot(config.model_dir, root / "softmax.png")
    return trained, config, result


def test_softmax_draws_the_confusion_matrix_of_its_classes(softmax_plot):
    from sklearn import metrics as sk_metrics
    trained, config, result = softmax_plot
    assert result.panel == "confusion" and result.notes == []
    check_png(result.output)
    check_curves(result, trained.run_dir, ["train", "eval"])
    split = data.load(config.data, config.seed, "classes3")
    weights = tf.train.load_variable(config.model_dir, "softmax_model/weights")
    bias = tf.train.load_variable(config.model_dir, "softmax_model/bias")
    predicted = np.argmax(split.validation.x.dot(weights) + bias, axis=1)
    expected = sk_metrics.confusion_matrix(split.validation.y[:, 0].astype(int), predicted,
                                           labels=[0, 1, 2])
    assert result.data["set"] == "validation" and result.data["classes"] == ("0", "1", "2")
    np.testing.assert_array_equal(result.data["confusion"], expected)
    assert expected.sum() == len(split.validation.x) and np.trace(expected) > 0.85 * 124


def test_one_feature_softmax_draws_the_confusion_matrix_too(tmp_path):
    rng = np.random.RandomState(2)
    labels = rng.randint(3, size=150)
    write_csv(tmp_path / "one.csv", [labels * 3.0 + rng.normal(size=150), labels],
              ["size", "response"])
    write_yaml(tmp_path / "one.yaml", "one.csv", model="softmax")
    trained, config = train(tmp_path, "one", str(tmp_path / "one.yaml"))
    result, _ = make_plot(config.model_dir, tmp_path / "one.png")
    assert result.panel == "confusion" and result.data["confusion"].shape == (3, 3)
    assert result.data["confusion"].sum() == len(data.load(
        config.data, config.seed, "classes3").validation.x)
    check_png(result.output)
