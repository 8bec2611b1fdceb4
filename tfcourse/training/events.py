"""The events file of a training run, as TensorBoard reads it: one writer, events in step order.

An events file is a TFRecord file of serialized ``tf.Event`` protos, the first one naming
the file version (``brain.Event:2``). ``EventsFile`` writes it from a thread of its own, so the
writing overlaps the next ``session.run`` (which releases the GIL), as
``tf.summary.FileWriter``'s does. Scalars of many steps at once (the in-graph loop's per-step
buffer) are encoded and framed together with numpy (``tfcourse.training.records``), without a
proto or a write call per event: an event of one simple value is fixed bytes around its wall
time, step and value (protobuf wire format: fields 1 double, 2 varint, 5 message;
``Summary.Value`` fields 1 string, 2 float). TensorBoard drops the events after an earlier step when a step goes back
(it takes it for a restart), so whatever is written is written in the order of its steps.
"""

import os
import queue
import socket
import struct
import threading
import time

import numpy as np

from tfcourse.tf_compat import tf
from tfcourse.training import records

FILE_VERSION = "brain.Event:2"
_DOUBLE = struct.Struct("<d")


def varint(value):
    """Protobuf's base-128 varint of an int >= 0 (bytes)."""
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _length_delimited(field_key, payload):
    return field_key + varint(len(payload)) + payload


def scalar_prefix(tag):
    """The bytes of an event's ``summary`` field (key and length included) up to the float of
    its one ``simple_value`` tagged ``tag``."""
    value_without_float = _length_delimited(b"\x0a", tag.encode("utf-8")) + b"\x15"
    value_length = len(value_without_float) + 4
    summary_length = 1 + len(varint(value_length)) + value_length
    return (b"\x2a" + varint(summary_length) + b"\x0a" + varint(value_length) +
            value_without_float)


def _scalar_rows(tag, steps, values, wall_times):
    """Per varint length of the steps, in order: ``[n, size]`` uint8, each row one event."""
    prefix = scalar_prefix(tag)
    steps = np.asarray(steps, np.uint64)
    values = np.asarray(values, np.float32)
    wall_times = np.asarray(wall_times, np.float64)
    lengths = 1 + sum((steps >= np.uint64(1 << (7 * j))).astype(np.int64) for j in range(1, 10))
    for length in np.unique(lengths).tolist():  # one record layout per varint length
        rows = np.flatnonzero(lengths == length)
        layout = np.zeros(len(rows), np.dtype([
            ("wall_key", "u1"), ("wall", "<f8"), ("step_key", "u1"), ("step", "u1", (length,)),
            ("prefix", "S{}".format(len(prefix))), ("value", "<f4")]))
        layout["wall_key"], layout["step_key"], layout["prefix"] = 0x09, 0x10, prefix
        layout["wall"], layout["value"] = wall_times[rows], values[rows]
        for j in range(length):  # base-128 digits, low first, the high bit on all but the last
            digit = (steps[rows] >> np.uint64(7 * j)) & np.uint64(0x7F)
            layout["step"][:, j] = digit | np.uint64(0x80 if j < length - 1 else 0)
        yield np.frombuffer(layout.tobytes(), np.uint8).reshape(len(rows), layout.dtype.itemsize)


def scalar_events(tag, steps, values, wall_times):
    """Serialized events of one scalar each.

    Args:
        tag: the summary tag (str), e.g. ``loss/loss``.
        steps: ``[n]`` ints >= 0, the steps, in increasing order.
        values: ``[n]`` float32 values.
        wall_times: ``[n]`` float64 seconds since the epoch.

    Returns:
        list of n ``bytes``, each a serialized ``tf.Event`` with ``wall_time``, ``step`` and a
        summary of one ``simple_value`` (``Event.SerializeToString()``'s bytes, but for a
        step 0 written out, which protobuf leaves out).
    """
    return [row.tobytes() for rows in _scalar_rows(tag, steps, values, wall_times)
            for row in rows]


def scalar_records(tag, steps, values, wall_times):
    """``scalar_events``' events framed as TFRecords, all in one ``bytes``."""
    return b"".join(records.frame_rows(rows)
                    for rows in _scalar_rows(tag, steps, values, wall_times))


def summary_event(summary, step, wall_time):
    """A serialized event of a serialized ``tf.Summary`` (bytes) at ``step``."""
    return (b"\x09" + _DOUBLE.pack(wall_time) + b"\x10" + varint(step) +
            _length_delimited(b"\x2a", summary))


class EventsFile(object):
    """``<directory>/events.out.tfevents.<time>.<host>``, written by a thread of its own.

    Calls only queue work; ``flush`` and ``close`` wait for it to be written and raise
    the first error the thread met (``OSError``), so no write fails silently.
    """

    def __init__(self, directory, graph=None):
        os.makedirs(directory, exist_ok=True)
        self.path = os.path.join(directory, "events.out.tfevents.{:d}.{}".format(
            int(time.time()), socket.gethostname()))
        self._file = open(self.path, "wb")
        self._queue = queue.Queue()
        self._error = None
        self._thread = threading.Thread(target=self._work, name="tfcourse-events", daemon=True)
        self._thread.start()
        self._put(tf.Event(wall_time=time.time(), file_version=FILE_VERSION).SerializeToString())
        if graph is not None:
            self._put(tf.Event(wall_time=time.time(),
                               graph_def=graph.as_graph_def().SerializeToString()
                               ).SerializeToString())

    def _put(self, event):
        self._queue.put(lambda: records.frame(event))

    def _work(self):
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                if self._error is None:
                    self._file.write(job())
                    if self._queue.empty():
                        self._file.flush()
            except Exception as err:  # noqa: BLE001  (raised again by flush or close)
                self._error = err
            finally:
                self._queue.task_done()

    def add_summary(self, summary, step, wall_time=None):
        """Queues a serialized ``tf.Summary`` (bytes, e.g. fetched histograms) at ``step``."""
        wall_time = time.time() if wall_time is None else wall_time
        self._queue.put(lambda: records.frame(summary_event(summary, step, wall_time)))

    def add_scalars(self, tag, steps, values, wall_times):
        """Queues one scalar per step: ``values[i]`` (float32) at ``steps[i]`` and wall time
        ``wall_times[i]`` (seconds since the epoch); steps in increasing order."""
        if len(values):
            self._queue.put(lambda: scalar_records(tag, steps, values, wall_times))

    def flush(self):
        """Waits until everything queued is written and flushed.

        Raises:
            OSError: a write failed (the first failure, naming the file).
        """
        self._queue.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise OSError("writing {} failed: {}".format(self.path, error))

    def close(self):
        """Flushes and closes the file (raising as ``flush``)."""
        if self._thread is None:
            return
        try:
            self.flush()
        finally:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
            self._file.close()
