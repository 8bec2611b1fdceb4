"""One module per model; each owns everything that differs by model.

A model module has:
    NAME, SCOPE            its config name and the variable scope of its weights and bias
    LABELS                 what its label must be: "number", "binary" (two classes) or "classes"
    BUILTIN_DATA           the built-in data set it trains on without a CSV ("course", "classes"
                           or "classes3"; its size and validation share:
                           tfcourse.config.BUILTIN_DATA_DEFAULTS)
    PLOT_PANEL, FITTED     tfcourse plot: data panel for several features, fitted curve's legend
                           (FITTED None: PLOT_PANEL with one feature too)
    build(x, y, n_features, seed, n_classes=2) -> Model   pure graph code (tensors in, tensors
                           out); labels y are [batch, 1] float32 (class indices for softmax);
                           only softmax uses n_classes
    fit_warning(labels, predictions, weights, step) -> None or str   after training
    outputs(model) -> OrderedDict              named output tensors (SavedModel, predict, restore)
    score(model)                               the output tensor metrics are computed from
    metrics(y_true, scores) -> OrderedDict     validation / evaluate metrics (tfcourse.metrics;
                           softmax's takes class_names=None too, the names in its keys)

Other modules look a model up with ``get(name)`` and never branch on its name.
"""

from tfcourse.models import linear, logistic, softmax
from tfcourse.models.base import Model  # noqa: F401  (part of this package's API)

MODELS = {module.NAME: module for module in (linear, logistic, softmax)}


def get(name):
    """The model module called ``name`` (a key of ``MODELS``; config validation checks it).

    Raises:
        KeyError: unknown name.
    """
    return MODELS[name]
