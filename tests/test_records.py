"""TFRecord framing in bulk against TensorFlow's own TFRecordWriter, byte for byte."""

import numpy as np

from tfcourse.tf_compat import tf
from tfcourse.training import records


def tensorflow_bytes(tmp_path, datas):
    path = str(tmp_path / "tf.records")
    writer = tf.python_io.TFRecordWriter(path)
    for data in datas:
        writer.write(data)
    writer.close()
    with open(path, "rb") as handle:
        return handle.read()


def test_crc32c_check_value():
    assert records.crc32c(b"123456789") == 0xE3069283  # the CRC-32C catalogue's check value
    rows = np.frombuffer(b"123456789" * 3, np.uint8).reshape(3, 9)
    assert records.crc32c_rows(rows).tolist() == [0xE3069283] * 3


def test_one_record_framed_as_tensorflow_frames_it(tmp_path):
    datas = [b"", b"a", b"hello world" * 3, bytes(bytearray(range(256))) * 20]
    assert b"".join(records.frame(data) for data in datas) == tensorflow_bytes(tmp_path, datas)


def test_rows_framed_together_as_tensorflow_frames_each(tmp_path):
    rows = np.random.RandomState(0).randint(0, 256, size=(50, 33)).astype(np.uint8)
    framed = records.frame_rows(rows)
    assert framed == tensorflow_bytes(tmp_path, [row.tobytes() for row in rows])
    path = tmp_path / "mine.records"
    path.write_bytes(framed)
    read = list(tf.python_io.tf_record_iterator(str(path)))  # checks every CRC
    assert read == [row.tobytes() for row in rows]
