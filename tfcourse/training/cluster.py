"""The cluster of a distributed training job: TF_CONFIG or the classic flags, checked.

``cluster_from`` turns the standard ``TF_CONFIG`` environment variable
(``{"cluster": {"chief": [...], "worker": [...], "ps": [...]}, "task": {"type", "index"}}``)
or the flags ``--ps_hosts``, ``--worker_hosts``, ``--job_name``, ``--task_index`` of
TensorFlow's classic distributed how-to (worker 0 is then the chief) into a ``TaskSpec``;
every mistake is a one-line ``UsageError`` naming the field and the value.
"""

import collections
import json
import re
import socket
import time

from tfcourse.errors import DataError, UsageError

JOBS = ("chief", "worker", "ps")
_ADDRESS = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):([0-9]{1,5})$")

TaskSpec = collections.namedtuple("TaskSpec", "cluster job_name task_index is_chief")
TaskSpec.__doc__ = """One task of a validated cluster: ``cluster`` (dict job name -> list of
"host:port", jobs among chief, worker, ps), ``job_name``, ``task_index`` (int), ``is_chief`` (the
chief task, or worker 0 when there is no chief job)."""



def cluster_from(tf_config_text=None, ps_hosts=None, worker_hosts=None, job_name=None,
                 task_index=None):
    """The cluster and this task, from the flags if any is given, else from ``TF_CONFIG``.

    Args:
        tf_config_text: ``TF_CONFIG`` JSON: ``{"cluster": {"chief": [...], "worker":
            [...], "ps": [...]}, "task": {"type": "worker", "index": 0}}``.
        ps_hosts, worker_hosts: comma-separated "host:port" lists.
        job_name: "worker" or "ps" (worker 0 is the chief); task_index: int (default 0).

    Returns:
        a ``TaskSpec``.

    Raises:
        UsageError: one line naming the field and the value: malformed JSON,
            missing key, unknown job name, task index out of range, empty host
            list, malformed or repeated host:port, no ps or no worker task.
    """
    if any(value is not None for value in (ps_hosts, worker_hosts, job_name)):
        names = {"ps": "flag --ps_hosts", "worker": "flag --worker_hosts",
                 "type": "flag --job_name", "index": "flag --task_index"}
        cluster = {"ps": _host_list(names["ps"], ps_hosts),
                   "worker": _host_list(names["worker"], worker_hosts)}
        task = {"type": job_name, "index": 0 if task_index is None else task_index}
    elif tf_config_text and tf_config_text.strip():
        names = {"type": "TF_CONFIG task.type", "index": "TF_CONFIG task.index"}
        cluster, task = _parse_tf_config(tf_config_text)
    else:
        raise UsageError("no cluster: set TF_CONFIG or give --ps_hosts, --worker_hosts "
                         "and --job_name")
    _check_cluster(cluster, lambda job: names.get(job, "TF_CONFIG cluster.{}".format(job)))
    job, index = task["type"], task["index"]
    if job not in JOBS or job not in cluster:
        raise UsageError("{} = {!r}: unknown job name; expected one of {}".format(
            names["type"], job, ", ".join(sorted(cluster))))
    count = len(cluster[job])
    if isinstance(index, str) and index.strip().lstrip("-").isdigit():
        index = int(index)
    if isinstance(index, bool) or not isinstance(index, int):
        raise UsageError("{} = {!r}: expected an integer in 0..{}".format(
            names["index"], index, count - 1))
    if not 0 <= index < count:
        raise UsageError("{} = {!r}: out of range; job {} has {} task(s), 0..{}".format(
            names["index"], index, job, count, count - 1))
    is_chief = job == "chief" or (job == "worker" and index == 0 and "chief" not in cluster)
    return TaskSpec(dict(cluster), job, index, is_chief)


def _host_list(name, value):
    if value is None:
        raise UsageError("{} is needed with the other cluster flags".format(name))
    return [host.strip() for host in value.split(",")] if value.strip() else []


def _parse_tf_config(text):
    try:
        document = json.loads(text)
    except ValueError as err:
        raise UsageError("TF_CONFIG: not valid JSON ({}): {!r}".format(err, text[:60]))
    for key in ("cluster", "task"):
        if not isinstance(document, dict) or key not in document:
            raise UsageError("TF_CONFIG: missing key '{}' in {!r}".format(key, text[:60]))
    cluster, task = document["cluster"], document["task"]
    if not isinstance(cluster, dict):
        raise UsageError("TF_CONFIG cluster = {!r}: expected a mapping of job names to "
                         "host lists".format(cluster))
    if not isinstance(task, dict) or "type" not in task:
        raise UsageError("TF_CONFIG task = {!r}: expected a mapping with 'type' and "
                         "'index'".format(task))
    return cluster, {"type": task["type"], "index": task.get("index", 0)}


def _check_cluster(cluster, name):
    """Raises UsageError for unknown jobs, empty or malformed host lists, repeated addresses."""
    for job, hosts in sorted(cluster.items()):
        if job not in JOBS:
            raise UsageError("{}: unknown job name {!r}; expected {}".format(
                name(job), job, ", ".join(JOBS)))
        if not isinstance(hosts, list) or not hosts:
            raise UsageError("{} = {!r}: expected a non-empty list of host:port".format(
                name(job), hosts))
        for host in hosts:
            match = _ADDRESS.match(host) if isinstance(host, str) else None
            if not match or not 0 < int(match.group(2)) < 65536:
                raise UsageError("{}: malformed address {!r}; expected host:port with a port "
                                 "in 1..65535".format(name(job), host))
    addresses = [host for hosts in cluster.values() for host in hosts]
    for host in addresses:
        if addresses.count(host) > 1:
            raise UsageError("cluster: address {} is given to more than one task".format(host))
    if "ps" not in cluster:
        raise UsageError("{}: missing; the cluster needs a ps task".format(name("ps")))
    if not replica_count(cluster):
        raise UsageError("{}: missing; the cluster needs a worker task".format(name("worker")))
    if len(cluster.get("chief", [])) > 1:
        raise UsageError("{} = {!r}: at most one chief".format(name("chief"), cluster["chief"]))


def replica_count(cluster):
    """Workers that train: the chief (if any) plus the worker tasks."""
    return len(cluster.get("chief", [])) + len(cluster.get("worker", []))


def replica_index(spec):
    """0 for the chief; the worker tasks follow it."""
    return 0 if spec.job_name == "chief" else spec.task_index + len(spec.cluster.get("chief", []))


def wait_for_ps(ps_hosts, wait_secs):
    """Waits until every ps address accepts TCP connections; DataError after ``wait_secs``."""
    deadline = time.time() + wait_secs
    for index, address in enumerate(ps_hosts):
        host, port = address.rsplit(":", 1)
        while True:
            try:
                socket.create_connection((host.strip("[]"), int(port)), timeout=1.0).close()
                break
            except OSError as err:
                if time.time() > deadline:
                    raise DataError("ps {} at {} is unreachable: no answer within {:g} s "
                                    "({})".format(index, address, wait_secs, err.strerror or err))
                time.sleep(0.2)
