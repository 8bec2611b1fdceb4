"""What a distributed worker runs beside its training steps: session hooks and a watchdog."""

import os
import sys
import threading
import time

from tfcourse.tf_compat import tf

ERROR_PREFIX = "tfcourse train: error: "


class Progress(tf.train.SessionRunHook):
    """Records the global step at session start (stopping at once if ``max_step`` is
    already reached) and the final step, loss-free values, at the end."""

    def __init__(self, tg, max_step):
        self.tg, self.max_step = tg, max_step
        self.start_step = self.final = None

    def after_create_session(self, session, coord):
        self.start_step = int(session.run(self.tg.global_step))
        if self.start_step >= self.max_step:
            coord.request_stop()

    def end(self, session):
        self.final = session.run([self.tg.global_step, self.tg.model.weights, self.tg.model.bias])


class SyncHook(tf.train.SessionRunHook):
    """``SyncReplicasOptimizer``'s hook, with the chief's queue runner under a coordinator of
    its own for which the cancellation at session close is a clean stop (the session's own
    coordinator would print a traceback of it)."""

    def __init__(self, optimizer, is_chief):
        self.hook = optimizer.make_session_run_hook(is_chief)
        self.coord = tf.train.Coordinator(
            clean_stop_exception_types=(tf.errors.OutOfRangeError, tf.errors.CancelledError))

    def begin(self):
        self.hook.begin()

    def after_create_session(self, session, coord):
        self.hook.after_create_session(session, self.coord)

    def end(self, session):
        self.coord.request_stop()


class Watchdog(threading.Thread):
    """Exits the process (code 1, one line on stderr) when no step finishes for ``limit``
    seconds: TensorFlow cannot cancel a session that waits for a task that is gone."""

    def __init__(self, limit, name):
        super(Watchdog, self).__init__(daemon=True)
        self.limit, self.task, self.last = limit, name, time.time()
        self.stopped = threading.Event()

    def feed(self):
        self.last = time.time()

    def run(self):
        while time.time() - self.last < self.limit:
            if self.stopped.wait(0.5):
                return
        sys.stderr.write(""
                         + "{}: no progress for {:.0f} s (a ps or "
                         "worker task is unreachable)\n".format(self.task, self.limit))
        sys.stderr.flush()
        os._exit(1)
