"""The training rows in float64 for ``tfcourse.optimum``: the learning rate from their
curvature (``learning_rate: auto``, the check against ``2 / L``) and, after training, the
optimality certificate line

    optimality: loss L, optimum L* (relative gap g), gradient norm n

recorded in ``model.json`` as ``"optimality"``. In-memory rows are read back from the
session (encoded once there); a streamed file is encoded batch by batch in one pass that
accumulates ``A^T R A`` (and for linear regression ``A^T R y``, ``sum r y^2``: the sufficient
statistics of its optimum).
"""

import math

import numpy as np

from tfcourse import data, graph as graph_lib, optimum
from tfcourse.data import batches
from tfcourse.errors import UsageError
from tfcourse.graph import unpack
from tfcourse.tf_compat import tf

WARN_ABOVE = 4.0  # logistic, softmax: warn when the rate is this many times 2/L
MAX_DESIGN_CELLS = 2 * 10 ** 7  # rows x features kept in float64 for a classifier's optimum
GAP_ADVICE = 0.01  # relative gaps above this say what would close them


def _row_weights(y, sample_weights, class_weights):
    weights = None if sample_weights is None else np.ravel(sample_weights).astype(np.float64)
    if class_weights is not None:
        by_class = np.asarray(class_weights, np.float64)[np.ravel(y).astype(int)]
        weights = by_class if weights is None else weights * by_class
    return weights


def gather(session, tg, split, spec, config):
    """The ``optimum.Problem`` of the training rows (standardised as the model sees them),
    or None: a streamed classifier with a configured rate (nothing needs it), or a
    classifier's rows too many to hold in float64 (``MAX_DESIGN_CELLS``)."""
    mean, std = (split.mean, split.std) if spec.standardize else (None, None)
    n_classes = len(spec.classes or ()) if config.model == "softmax" else 1
    if isinstance(split.train, data.Streamed):
        if config.model != "linear" and config.learning_rate != "auto":
            return None
        return _streamed(session, tg, split.train, spec, config, mean, std, n_classes)
    fetches = [tg.features, tg.y] + ([tg.w] if tg.w is not None else [])
    values = session.run(fetches)
    features, y = values[0], values[1]
    weights = _row_weights(y, values[2] if len(values) > 2 else None, spec.class_weights)
    if config.model == "linear" or features.size > MAX_DESIGN_CELLS:  # statistics suffice
        rows = batches.UNSHUFFLED_CHUNK_ROWS
        return _from_chunks(config, ((features[i:i + rows], y[i:i + rows],
                                      None if weights is None else weights[i:i + rows])
                                     for i in range(0, len(features), rows)),
                            mean, std, n_classes)
    return optimum.problem(config.model, optimum.design_matrix(features, mean, std), y, weights,
                           n_classes, config.l1, config.l2)


def _streamed(session, tg, streamed, spec, config, mean, std, n_classes):
    has_text = tg.x_text is not None

    def encoded_chunks():
        for chunk in batches.one_pass(streamed):
            x, text, y, weight = unpack(chunk, has_text, tg.w is not None)
            feed = {tg.x: x}
            if has_text:
                feed[tg.x_text] = text
            yield (session.run(tg.encoded, feed), y,
                   _row_weights(y, weight, spec.class_weights))
    return _from_chunks(config, encoded_chunks(), mean, std, n_classes)


def _from_chunks(config, chunks, mean, std, n_classes):
    """A ``Problem`` of sufficient statistics (no design matrix) accumulated over chunks of
    ``(encoded features, y, raw row weights or None)``."""
    gram = b = None
    yy = total = 0.0
    for features, y, weights in chunks:
        a = optimum.design_matrix(features, mean, std)
        r = np.ones(len(a)) if weights is None else weights
        y = np.ravel(y).astype(np.float64)
        gram = a.T.dot(a * r[:, None]) + (0 if gram is None else gram)
        b = a.T.dot(r * y) + (0 if b is None else b)
        yy += float(r.dot(y * y))
        total += float(r.sum())
    return optimum.Problem(config.model, gram / total, b / total, yy / total, None, None, None,
                           n_classes, config.l1, config.l2)


def learning_rate(config, problem, out, warn):
    """The base learning rate to train with: ``1 / L`` for ``learning_rate: auto`` (printed),
    else the configured one, checked against ``2 / L``.

    Raises:
        UsageError: a linear model's rate at or above ``2 / L`` (gradient descent diverges)
            while ``check_learning_rate`` is on; ``auto`` without the statistics.
    """
    if problem is None:
        if config.learning_rate == "auto":
            raise UsageError("learning_rate: auto needs the training rows' statistics")
        return config.learning_rate
    lipschitz = optimum.lipschitz(config.model, problem.gram, config.l2)
    largest = 2.0 / lipschitz
    if config.learning_rate == "auto":
        out("learning_rate auto: 1/L = {:.4g} (L = {:.4g}, the largest curvature of the "
            "objective on the training rows; gradient descent is stable below 2/L = {:.4g})".format(
                1.0 / lipschitz, lipschitz, largest))
        return 1.0 / lipschitz
    rate = config.learning_rate
    if config.model == "linear" and rate >= largest and config.check_learning_rate:
        raise UsageError(
            "learning_rate = {:g}: gradient descent on the mean squared error diverges at or "
            "above 2/L = {:.4g} on these training rows (L = {:.4g}); use a smaller rate, "
            "learning_rate: auto (1/L = {:.4g}), or check_learning_rate: false to watch it "
            "diverge".format(rate, largest, lipschitz, 1.0 / lipschitz))
    if config.model != "linear" and rate > WARN_ABOVE * largest:
        warn("learning_rate = {:g} is {:.0f} times 2/L = {:.4g}, the rate below which gradient "
             "descent is sure to be stable on these training rows; learning_rate: auto gives "
             "1/L = {:.4g}".format(rate, rate / largest, largest, 1.0 / lipschitz))
    return rate


def rate_in_own_graph(config, split, spec, out, warn):
    """``learning_rate`` for a process that trains in another kind of graph (a distributed
    worker): the training rows encoded in a single-process training graph of their own."""
    streamed = isinstance(split.train, data.Streamed)
    tg = graph_lib.build_for(config, spec, n_rows=data.n_train(split.train))
    with tf.Session(graph=tg.graph, config=graph_lib.session_config()) as session:
        session.run(tg.init_op)
        graph_lib.load_data(session, tg, data.no_rows(spec.columns) if streamed else split.train)
        if spec.standardize:
            graph_lib.set_standardization(session, tg, split.mean, split.std)
        return learning_rate(config, gather(session, tg, split, spec, config), out, warn)


def _theta(session, tg):
    weights, bias = session.run([tg.model.weights, tg.model.bias])
    return np.vstack([weights, bias[None, :]]).astype(np.float64)


def _steps_to_close(problem, theta_star, rate, gap):
    """Steps that would shrink the relative gap ``gap`` to 1 %, from the slowest contraction
    ``(1 - rate * mu)^2`` of gradient descent near the optimum (mu: the smallest positive
    curvature there); None when it is not a contraction."""
    eigenvalues = np.linalg.eigvalsh(optimum.hessian(problem, theta_star))
    positive = eigenvalues[eigenvalues > 1e-9 * eigenvalues[-1]]
    factor = (1.0 - rate * positive[0]) ** 2 if len(positive) else 1.0
    if not 0 < factor < 1:
        return None
    return int(math.ceil(math.log(GAP_ADVICE / gap) / math.log(factor)))


def _advice(config, problem, theta_star, rate, gap, step):
    lipschitz = optimum.lipschitz(config.model, problem.gram, config.l2)
    hints = []
    more = _steps_to_close(problem, theta_star, rate, gap) if not problem.l1 else None
    hints.append("more steps (max_step {} or so)".format(step + more) if more else
                 "more steps (raise max_step)")
    if rate < 0.5 / lipschitz:
        hints.append("learning_rate: auto (1/L = {:.4g})".format(1.0 / lipschitz))
    if config.learning_rate_decay != "none":
        hints.append("a slower learning_rate_decay")
    return "; to close the gap: " + " or ".join(hints)


def can_certify(problem):
    """Whether ``certify`` can work on ``problem``: linear regression from its statistics,
    a classifier with its rows."""
    return problem is not None and (problem.model == "linear" or problem.design is not None)


def certify(session, tg, problem, config, rate, step):
    """The certificate of the trained parameters against the exact optimum.

    Returns:
        ``(line, record)``: the ``optimality:`` line and the dict for ``model.json``
        (``loss``, ``optimum``, ``relative_gap``, ``gradient_norm``; ``optimum`` and
        ``relative_gap`` None when the objective has no minimum).
    """
    theta = _theta(session, tg)
    value = optimum.objective(problem, theta)
    norm = optimum.gradient_norm(problem, theta)
    theta_star = optimum.solve(problem)
    if theta_star is None:
        return ("optimality: loss {:.6g}, no optimum: the training rows are linearly separable "
                "and without l2 the loss only approaches 0 while the weights grow (gradient norm "
                "{:.2g}); set l2 > 0 (such as l2: 0.001) or early stopping".format(value, norm),
                {"loss": value, "optimum": None, "relative_gap": None, "gradient_norm": norm,
                 "separable": True})
    best = optimum.objective(problem, theta_star)
    scale = max(abs(best), 1e-6 * optimum.null_loss(problem), 1e-300)
    gap = max(value - best, 0.0) / scale
    line = "optimality: loss {:.6g}, optimum {:.6g} (relative gap {:.2g}), gradient norm {:.2g}".format(
        value, best, gap, norm)
    if gap > GAP_ADVICE:
        line += _advice(config, problem, theta_star, rate, gap, step)
    return line, {"loss": value, "optimum": best, "relative_gap": gap, "gradient_norm": norm}
