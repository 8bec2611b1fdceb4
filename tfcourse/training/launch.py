"""``tfcourse train``: the resolved config trained in this process, or as one task of a
distributed job when a cluster is given (flags or the ``TF_CONFIG`` environment variable).
"""

import os
import sys

from tfcourse import config as config_lib, config_flags
from tfcourse.errors import UsageError

CLUSTER_FLAGS = ("ps_hosts", "worker_hosts", "job_name", "task_index")


def train(given):
    """Resolves the config and trains: in this process, or as a task of a cluster.

    Args:
        given: the flag values given on the command line (dict): config keys,
            ``config`` (YAML path), ``quiet``, ``verbose``, the cluster flags
            (``CLUSTER_FLAGS``), ``sync`` and ``wait_secs``.

    Raises:
        UsageError: a bad config or flag combination; DataError: bad data.
    """
    config, base = resolve(given)
    if given.get("dry_run"):
        from tfcourse.training import dry_run
        print(dry_run.report(config, base), end="", flush=True)
        return
    if base != given.get("config") and not given.get("quiet"):
        print("continuing {} with its own settings ({}); flags given override them".format(
            config.model_dir, base), flush=True)
    if any(name in given for name in CLUSTER_FLAGS) or os.environ.get("TF_CONFIG"):
        _train_distributed(config, given)
    else:
        _train(config, given)


def resolve(given):
    """The config of a ``train`` command line: defaults < YAML < flags, where the YAML is
    ``--config``, or else the ``config.yaml`` of a ``model_dir`` that already holds a model
    (a model directory knows its own settings, so ``--model_dir DIR --max_step N`` continues
    it as it was trained).

    Returns:
        ``(config, base)``: a ``tfcourse.config.Config`` and the YAML file it was built on
        (None: defaults and flags alone).

    Raises:
        UsageError: a bad config, flag or flag combination.
        DataError: ``model_dir`` holds a damaged model directory.
    """
    from tfcourse import model_dir as model_dir_lib  # TensorFlow: not for --help (cli imports this)
    overrides = config_flags.overrides(given)
    base = given.get("config")
    if base is None:
        model_dir = overrides.get("model_dir", config_lib.ROOT_KEYS["model_dir"].default)
        if model_dir_lib.holds_model(model_dir):
            model_dir_lib.read_metadata(model_dir)  # a damaged one: DataError, as on restore
            base = os.path.join(model_dir, model_dir_lib.CONFIG_FILE)
            overrides.setdefault("model_dir", model_dir)  # a copy's saved model_dir is the original
    return config_lib.resolve(base, overrides), base


def _train(config, given):
    """Trains with a live progress line on a terminal, plain log lines otherwise."""
    from tfcourse.training import console, trainer
    if given.get("quiet") and given.get("verbose"):
        raise UsageError("flags --quiet and --verbose exclude each other")
    allow = given.get("allow_data_change", False)
    if given.get("quiet"):
        result = trainer.train(config, out=lambda line: None, allow_data_change=allow)
        print("trained to global step {}: loss {:.6g}; latest checkpoint {}".format(
            result.global_step, result.loss, result.checkpoint))
        return
    live = console.ProgressLine() if sys.stdout.isatty() else None
    trainer.train(config, progress=live, verbose=given.get("verbose", False),
                  allow_data_change=allow)


def _single_process_only(config):
    """Refuses what a distributed job cannot train: the proximal L1 step (a
    ``tf.train.Optimizer`` of its own is needed by ``SyncReplicasOptimizer``).

    Raises:
        UsageError: ``l1`` > 0.
    """
    if config.l1 > 0:
        raise UsageError("l1 = {}: not available in distributed training; train in one "
                         "process, or use l2".format(config.l1))


def _train_distributed(config, given):
    """One task of a distributed job (cluster from the flags or TF_CONFIG)."""
    _single_process_only(config)
    from tfcourse.training import cluster
    from tfcourse.training import distributed
    spec = cluster.cluster_from(os.environ.get("TF_CONFIG"), *[given.get(name)
                                                                for name in CLUSTER_FLAGS])
    prefix = "{} {}: ".format(spec.job_name, spec.task_index)
    distributed.run(config, spec, lambda line: print(prefix + line, flush=True),
                    given.get("sync", False), given.get("wait_secs", 30.0))
