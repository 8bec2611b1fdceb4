"""One module per model; each owns everything that differs by model.

A model module has:
    NAME, SCOPE            its config name and the variable scope of its weights and bias
    LABELS                 what its label must be: "number", "binary" (two classes) or "classes"
    BUILTIN_DATA           the built-in data set it trains on without a CSV ("course" or "classes")
                           (its size and validation share: tfcourse.config.BUILTIN_DATA_DEFAULTS)
    PLOT_PANEL, FITTED     tfcourse plot: data panel for several features, fitted curve's legend
    build(x, y, n_features, seed) -> Model     pure graph code (tensors in, tensors out)
    fit_warning(labels, predictions, weights, step) -> None or str   after training
    outputs(model) -> OrderedDict              named output tensors (SavedModel, predict, restore)
    score(model)                               the output tensor metrics are computed from
    metrics(y_true, scores) -> OrderedDict     validation / evaluate metrics (tfcourse.metrics)

Other modules look a model up with ``get(name)`` and never branch on its name.
"""

from tfcourse.models import linear, logistic
from tfcourse.models.base import Model  # noqa: F401  (part of this package's API)

MODELS = {module.NAME: module for module in (linear, logistic)}


def get(name):
    """The model module called ``name`` (a key of ``MODELS``; config validation checks it).

    Raises:
        KeyError: unknown name.
    """
    return MODELS[name]
