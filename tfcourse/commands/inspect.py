"""What is inside a checkpoint: variables with shapes, dtypes and values; optionally the graph.

Works on any TensorFlow (V2-format) checkpoint, not only tfcourse's: the
variables are read with ``tf.train.NewCheckpointReader``, without building a
model. When tfcourse's ``config.yaml`` and ``model.json`` sit beside the
checkpoint, the saved config and model spec are shown too, and the model's
weights as a table: a row per feature (and the bias), a column per class of a
softmax model (one ``weight`` column for linear and logistic regression).
"""

import collections
import glob
import os

import numpy as np

from tfcourse import fold as fold_lib, model_dir as model_dir_lib, models
from tfcourse.commands import pinned
from tfcourse.data.types import encoded_names
from tfcourse.errors import DataError
from tfcourse.tf_compat import tf

MAX_SHOWN = 6  # values printed per variable before "... (N values)"
STATS_FROM = 4  # variables with at least this many values also get min / mean / max

VariableInfo = collections.namedtuple("VariableInfo", "name shape dtype")
VariableInfo.__doc__ = """One checkpoint variable: ``name`` (str), ``shape`` (list of int),
``dtype`` (str, such as ``"float32"``)."""

InspectResult = collections.namedtuple("InspectResult",
                                       "prefix global_step variables ops config spec")
InspectResult.__doc__ = """What ``inspect`` found.

Attributes:
    prefix: the checkpoint prefix read (str).
    global_step: int, the value of the ``global_step`` variable, or None if absent.
    variables: list of ``VariableInfo``, sorted by name.
    ops: with ``show_ops``, the graph's tensor names (``name:0``) and the names
        of ops without outputs, in graph order; None when not asked for or
        when no graph was available.
    config, spec: tfcourse's saved ``Config`` and ``ModelSpec`` when they sit
        beside the checkpoint, else None.
"""


def find_prefix(path):
    """Resolves ``path`` to a checkpoint prefix.

    Args:
        path: a directory with a ``checkpoint`` state file (its latest
            checkpoint), a checkpoint prefix, or one of its files
            (``.index``, ``.meta``, ``.data-*``).

    Returns:
        the checkpoint prefix (str).

    Raises:
        DataError: nothing readable there; the message names ``path`` and,
            for a directory without a state file, the prefixes it holds.
    """
    try:
        return model_dir_lib.find_checkpoint(path)[1]
    except DataError:
        if not os.path.isdir(path) or os.path.exists(os.path.join(path, "checkpoint")):
            raise
        prefixes = sorted(name[:-len(".index")] for name in
                          glob.glob(os.path.join(glob.escape(path), "*.index")))
        if not prefixes:
            raise
        raise DataError("directory {} has no 'checkpoint' state file; give one of its checkpoint "
                        "prefixes: {}".format(path, ", ".join(prefixes)))


def read_variables(prefix):
    """Reads every variable of the checkpoint at ``prefix``.

    Returns:
        list of ``(VariableInfo, value)`` sorted by name; ``value`` is a numpy array.

    Raises:
        DataError: the checkpoint cannot be read (damaged, truncated, not V2).
    """
    try:
        reader = tf.train.NewCheckpointReader(prefix)
        shapes = reader.get_variable_to_shape_map()
        dtypes = reader.get_variable_to_dtype_map()
        return [(VariableInfo(name, list(shapes[name]), dtypes[name].name),
                 np.asarray(reader.get_tensor(name))) for name in sorted(shapes)]
    except (tf.errors.OpError, ValueError, IndexError) as err:  # IndexError: TF 2.x, truncated
        message = getattr(err, "message", None) or str(err)
        raise DataError("checkpoint {} cannot be read: {}".format(
            prefix, message.strip().splitlines()[0]))


def format_value(value):
    """Shows a variable's value in one line.

    Args:
        value: numpy array of any shape and dtype.

    Returns:
        str: all values (flattened, shortest round-trip form) when there are
        at most ``MAX_SHOWN``, else the first ``MAX_SHOWN`` then
        ``... (N values)``; a scalar is shown bare. Numeric variables of at
        least ``STATS_FROM`` values get ``min``, ``mean`` and ``max``.
    """
    if value.ndim == 0:
        return str(value[()])
    flat = value.ravel()
    shown = [str(item) for item in flat[:MAX_SHOWN]]
    if flat.size > MAX_SHOWN:
        shown.append("... ({} values)".format(flat.size))
    text = "[{}]".format(", ".join(shown))
    numeric = np.issubdtype(value.dtype, np.number) and value.dtype != np.bool_
    if numeric and flat.size >= STATS_FROM:
        text += "  min {:.6g}  mean {:.6g}  max {:.6g}".format(
            flat.min(), flat.astype(np.float64).mean(), flat.max())
    return text


def _read_tfcourse_metadata(directory, out):
    """The saved (config, spec) if tfcourse files sit in ``directory``, else (None, None)."""
    names = (model_dir_lib.CONFIG_FILE, model_dir_lib.SPEC_FILE)
    if not any(os.path.exists(os.path.join(directory, name)) for name in names):
        return None, None
    try:
        return model_dir_lib.read_metadata(directory)
    except DataError as err:
        out("tfcourse metadata not readable: {}".format(err))
        return None, None


def _show_metadata(config, spec, values, out):
    out("tfcourse model spec ({}): {} regression, features [{}], label {}, standardize {}".format(
        model_dir_lib.SPEC_FILE, spec.model, ", ".join(spec.feature_names), spec.label,
        spec.standardize))
    _show_weights(values, spec, out)
    out("saved config ({}):".format(model_dir_lib.CONFIG_FILE))
    for key, value in config.to_dict().items():
        if isinstance(value, dict):
            for sub_key, sub_value in value.items():
                out("  {}.{}: {}".format(key, sub_key, sub_value))
        else:
            out("  {}: {}".format(key, value))


def weights_table(weights, bias, feature_names, class_names=None):
    """A table of a model's weights, as lines of text.

    Args:
        weights: ``[n_features, K]`` array; bias: ``[K]`` array.
        feature_names: the n_features row names.
        class_names: K column names, or None: ``weight`` for K = 1, else
            ``class 0`` .. ``class K-1``.

    Returns:
        list of str: a header line, a line per feature, then ``(bias)``; values in
        ``{:.6g}`` form, right-aligned.
    """
    n_columns = weights.shape[1]
    if class_names is None:
        class_names = (["weight"] if n_columns == 1
                       else ["class {}".format(k) for k in range(n_columns)])
    rows = [["feature"] + [str(name) for name in class_names]]
    for name, values in zip(list(feature_names) + ["(bias)"], np.vstack([weights, bias[None]])):
        rows.append([name] + ["{:.6g}".format(value) for value in values])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join([row[0].ljust(widths[0])] +
                             [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])])
            for row in rows]


def _show_weights(values, spec, out):
    """Prints the weights table of a tfcourse model's checkpoint values (``weights_table``),
    unless its weights do not fit the spec's features."""
    scope = models.get(spec.model).SCOPE
    weights, bias = values.get(scope + "/weights"), values.get(scope + "/bias")
    if (weights is None or bias is None or weights.ndim != 2 or bias.shape != weights.shape[1:]
            or weights.shape[0] != len(encoded_names(spec.columns))):
        return
    class_names = None
    if spec.classes and len(spec.classes) == weights.shape[1]:  # softmax: a column per class
        class_names = ["class {}".format(name) for name in spec.classes]
    out("weights by feature{} ({}/weights, {}/bias{}):".format(
        "" if weights.shape[1] == 1 else " and class", scope, scope,
        "; of standardised features" if spec.standardize else ""))
    for line in weights_table(weights, bias, encoded_names(spec.columns), class_names):
        out(line)
    if spec.standardize:
        show_raw_coefficients(fold_lib.fold(spec, weights, bias, values.get("standardize/mean"),
                                values.get("standardize/std")), spec, out)


def show_raw_coefficients(folded, spec, out):
    """Prints each feature's weight in the data's units next to the standardised one."""
    out("in the data's units (weight / std beside the standardised weight; intercept = bias "
        "- mean . weight / std):")
    for line in fold_lib.coefficient_lines(folded, spec.classes):
        out(line)


def _graph_from_meta(meta_path):
    """Imports a ``.meta`` file into a fresh ``tf.Graph`` (devices cleared)."""
    graph = tf.Graph()
    with graph.as_default():
        try:
            tf.train.import_meta_graph(meta_path, clear_devices=True)
        except (tf.errors.OpError, ValueError, KeyError) as err:
            raise DataError("{} cannot be imported: {}".format(
                meta_path, str(err).strip().splitlines()[0]))
    return graph


def _graph_from_tfcourse(config, spec, values):
    """Builds a tfcourse model's inference graph (what ``restore`` and ``export`` use) from its
    saved config and spec."""
    del values
    from tfcourse import graph as graph_lib  # only needed without a .meta file
    return graph_lib.build_inference_for(config, spec).graph


def graph_names(graph):
    """Lists ``(name, description)`` for each tensor (``op:k``) and each op without outputs."""
    found = []
    for op in graph.get_operations():
        for tensor in op.outputs:
            shape = tensor.shape.as_list() if tensor.shape.dims is not None else "unknown"
            found.append((tensor.name, "{} {} {}".format(op.type, tensor.dtype.name, shape)))
        if not op.outputs:
            found.append((op.name, "{} (op, no outputs)".format(op.type)))
    return found


def _meta_graph(prefix):
    """The graph of the checkpoint's ``.meta`` file, or None when it has none."""
    meta_path = prefix + ".meta"
    return _graph_from_meta(meta_path) if os.path.exists(meta_path) else None


def _show_ops(prefix, meta_graph, config, spec, values, out):
    """Prints the graph's names (``meta_graph``, from the checkpoint's ``.meta`` file, else
    rebuilt); returns them, or None when no graph is available."""
    meta_path = prefix + ".meta"
    if meta_graph is not None:
        graph, source = meta_graph, meta_path
    elif spec is not None:
        graph = _graph_from_tfcourse(config, spec, values)
        source = "inference graph rebuilt from {}".format(model_dir_lib.SPEC_FILE)
    else:
        out("graph: not available (no {} and no tfcourse model.json beside it)".format(meta_path))
        return None
    names = graph_names(graph)
    out("graph ({}): {} ops, {} names".format(source, len(graph.get_operations()), len(names)))
    for name, description in names:
        out("  {}  {}".format(name, description))
    return [name for name, _ in names]


def _global_step(value):
    """The ``global_step`` variable's value as an int, or None if absent or not a scalar integer."""
    if value is None or value.size != 1 or not np.issubdtype(value.dtype, np.integer):
        return None
    return int(value.ravel()[0])


def inspect(path, show_ops=False, out=print):
    """Prints what is inside a checkpoint.

    Args:
        path: a directory with a ``checkpoint`` state file, a checkpoint
            prefix, or one of the checkpoint's files.
        show_ops: also list the graph's tensor and op names, from the
            ``.meta`` file, else rebuilt from tfcourse's saved config.
        out: callable taking one line of text.

    Returns:
        an ``InspectResult``.

    Raises:
        DataError: no checkpoint at ``path``, it cannot be read, or its
            ``.meta`` file cannot be imported.
    """
    prefix, (variables, meta_graph) = pinned.read(path, lambda prefix: (
        read_variables(prefix), _meta_graph(prefix) if show_ops else None), find=find_prefix)
    values = dict((info.name, value) for info, value in variables)
    global_step = _global_step(values.get("global_step"))
    out("checkpoint: {}".format(prefix))
    out("global step: {}".format("not in the checkpoint" if global_step is None else global_step))
    out("{} variables:".format(len(variables)))
    for info, value in variables:
        out("  {}  {} {}  = {}".format(info.name, info.shape, info.dtype, format_value(value)))
    config, spec = _read_tfcourse_metadata(os.path.dirname(prefix) or ".", out)
    if spec is not None:
        _show_metadata(config, spec, values, out)
    ops = _show_ops(prefix, meta_graph, config, spec, values, out) if show_ops else None
    return InspectResult(prefix=prefix, global_step=global_step,
                         variables=[info for info, _ in variables], ops=ops, config=config,
                         spec=spec)
