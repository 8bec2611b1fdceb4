#!/usr/bin/env python
"""Starts a local TensorFlow cluster on 127.0.0.1 and trains on it.

    .venv/bin/python scripts/cluster.py --ps 1 --workers 2 --config configs/linear.yaml \\
        [--max_step N] [--model_dir D] [--summary_dir D] [--sync] [--wait_secs S]

Each task is a process of its own (``tfcourse train`` with its ``TF_CONFIG``: the
``tfcourse`` console script beside this Python; worker 0 is the chief), in a process group of its own, on free
ports. The launcher waits for the workers, then stops the ps tasks, and prints
every process's exit code. Every child is killed when the launcher exits, fails
or is interrupted (Ctrl-C, SIGTERM; on Linux also when it is killed itself).

Exit code: 0 when every worker succeeded; else the first failing worker's code
(1 when a ps task died first), 2 for bad options, 130 / 143 when interrupted.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time

GRACE_SECS = 5.0  # SIGTERM, then SIGKILL after this long


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        sys.stderr.write("cluster.py: error: {}\n".format(message))
        sys.exit(2)


def parse(argv):
    parser = _Parser(description="start N ps and M worker processes on 127.0.0.1 and train")
    parser.add_argument("--ps", type=int, default=1, help="parameter server tasks (>= 1)")
    parser.add_argument("--workers", type=int, default=2, help="worker tasks (>= 1); 0 is chief")
    parser.add_argument("--config", help="tfcourse YAML config")
    parser.add_argument("--max_step", type=int, help="global step to train to")
    parser.add_argument("--model_dir", help="checkpoints, config.yaml, model.json (the chief's)")
    parser.add_argument("--summary_dir", help="TensorBoard directory (the chief's run-<time>/)")
    parser.add_argument("--sync", action="store_true", help="synchronous replicas")
    parser.add_argument("--wait_secs", type=float, default=30.0,
                        help="how long tasks wait for each other and for an operation (s)")
    args = parser.parse_args(argv)
    if args.ps < 1 or args.workers < 1:
        parser.error("--ps and --workers must be >= 1 (got {}, {})".format(args.ps, args.workers))
    return args


def free_ports(count):
    """``count`` distinct TCP ports that were free on 127.0.0.1 a moment ago."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _die_with_parent():
    """In the child: get SIGKILL when the launcher dies (Linux ``prctl(PR_SET_PDEATHSIG)``)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def child_args(args):
    """The flags every task gets."""
    flags = ["--wait_secs={}".format(args.wait_secs)] + (["--sync"] if args.sync else [])
    for name in ("config", "max_step", "model_dir", "summary_dir"):
        if getattr(args, name) is not None:
            flags.append("--{}={}".format(name, getattr(args, name)))
    return flags


def tfcourse_command():
    """The ``tfcourse`` console script of this Python's environment (beside ``sys.executable``)."""
    return os.path.join(os.path.dirname(sys.executable), "tfcourse")


def start(cluster, job, index, flags):
    """Starts ``tfcourse train`` for one task in a process group of its own; returns its
    ``Popen``."""
    env = dict(os.environ, TF_CONFIG=json.dumps(
        {"cluster": cluster, "task": {"type": job, "index": index}}))
    return subprocess.Popen([tfcourse_command(), "train"] + flags, env=env,
                            start_new_session=True, preexec_fn=_die_with_parent)


def stop(proc):
    """Stops ``proc``'s process group: SIGTERM, then SIGKILL after ``GRACE_SECS``."""
    if proc.poll() is not None:  # exited and reaped: its process group id may be reused
        return
    for signum, wait in ((signal.SIGTERM, GRACE_SECS), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, signum)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue


def wait_for_workers(tasks):
    """Polls until every worker has exited, or a worker fails, or a ps dies.

    Returns:
        the launcher's exit code.
    """
    while True:
        for (job, index), proc in tasks:
            code = proc.poll()
            if job == "ps" and code is not None:
                print("ps {} exited ({}) while workers were running".format(index, code))
                return 1
            if job == "worker" and code:
                return code
        if all(proc.poll() is not None for (job, _), proc in tasks if job == "worker"):
            return 0
        time.sleep(0.2)


def describe(job, index, proc):
    code = proc.returncode
    what = ("stopped by {}".format(signal.Signals(-code).name) if code is not None and code < 0
            else "exit {}".format(code))
    return "{} {} (pid {}): {}".format(job, index, proc.pid, what)


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    ports = free_ports(args.ps + args.workers)
    cluster = {"ps": ["127.0.0.1:{}".format(port) for port in ports[:args.ps]],
               "worker": ["127.0.0.1:{}".format(port) for port in ports[args.ps:]]}
    print("cluster: " + json.dumps(cluster), flush=True)
    signal.signal(signal.SIGTERM, _terminate)
    tasks, code = [], 1
    try:
        flags = child_args(args)
        for job in ("ps", "worker"):
            for index in range(len(cluster[job])):
                tasks.append(((job, index), start(cluster, job, index, flags)))
        code = wait_for_workers(tasks)
    except KeyboardInterrupt:
        code = 130
    except SystemExit as exit_:
        code = exit_.code
    finally:
        for (job, index), proc in tasks:
            if job == "worker":  # workers first: they may still talk to the ps tasks
                stop(proc)
        for _, proc in tasks:
            stop(proc)
        for (job, index), proc in tasks:
            print(describe(job, index, proc), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
