"""The events file writer: bytes as protobuf writes them, read back as TensorBoard reads them."""

import glob
import os

import numpy as np
import pytest

from tfcourse.tf_compat import tf
from tfcourse.training import events


@pytest.mark.parametrize("step", [0, 1, 127, 128, 16383, 16384, 2 ** 31, 2 ** 40])
def test_scalar_events_are_the_bytes_of_the_protos(step):
    values = np.array([0.25, -1.5e-7, np.inf], np.float32)
    encoded = events.scalar_events("loss/loss", [step, step + 1, step + 2], values,
                                   [1.5e9, 1.5e9 + 0.25, 1.5e9 + 0.5])
    for i, record in enumerate(encoded):
        expected = tf.Event(wall_time=1.5e9 + 0.25 * i, step=step + i, summary=tf.Summary(
            value=[tf.Summary.Value(tag="loss/loss", simple_value=values[i])]))
        assert tf.Event.FromString(record) == expected
        if step + i:  # protobuf leaves a zero step out; the bytes are otherwise its own
            assert record == expected.SerializeToString()


def test_a_long_tag_and_a_summary_event():
    tag = "t" * 200  # lengths above 127 take two varint bytes
    record, = events.scalar_events(tag, [5], [1.0], [2.0])
    assert tf.Event.FromString(record).summary.value[0].tag == tag
    summary = tf.Summary(value=[tf.Summary.Value(tag="h", simple_value=3.0)]).SerializeToString()
    event = tf.Event.FromString(events.summary_event(summary, 300, 7.0))
    assert (event.step, event.wall_time, event.summary.value[0].simple_value) == (300, 7.0, 3.0)


def test_events_file_reads_back_in_order(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        tf.constant(1.0, name="one")
    writer = events.EventsFile(str(tmp_path / "train"), graph)
    writer.add_scalars("loss/loss", np.arange(3), np.float32([3.0, 2.0, 1.0]), [10.0, 11.0, 12.0])
    histogram = tf.Summary(value=[tf.Summary.Value(tag="w", histo=tf.HistogramProto(
        num=1, min=0.5, max=0.5))]).SerializeToString()
    writer.add_summary(histogram, 3, wall_time=13.0)
    writer.add_scalars("loss/loss", [3, 4], np.float32([0.5, 0.25]), [14.0, 15.0])
    writer.flush()
    writer.close()
    writer.close()  # closing twice is harmless
    path, = glob.glob(str(tmp_path / "train" / "events.out.tfevents.*"))
    assert os.path.basename(path).startswith("events.out.tfevents.")
    read = list(tf.train.summary_iterator(path))
    assert read[0].file_version == events.FILE_VERSION
    assert "one" in [node.name for node in tf.GraphDef.FromString(read[1].graph_def).node]
    scalars = [(e.step, e.wall_time, e.summary.value[0].simple_value) for e in read[2:]
               if e.summary.value[0].HasField("simple_value")]
    assert scalars == [(0, 10.0, 3.0), (1, 11.0, 2.0), (2, 12.0, 1.0), (3, 14.0, 0.5),
                       (4, 15.0, 0.25)]
    assert [e.step for e in read[2:]] == [0, 1, 2, 3, 3, 4]  # in the order written
    assert read[5].summary.value[0].histo.max == 0.5
