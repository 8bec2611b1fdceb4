"""TFRecord framing, which events files use, for records written in bulk.

A record is ``uint64 length``, ``uint32 masked_crc32c(length bytes)``, the data and
``uint32 masked_crc32c(data)``, little-endian; CRC-32C is the Castagnoli polynomial
(reflected 0x82F63B78, initial value and final XOR 0xFFFFFFFF) and the mask
``((crc >> 15) | (crc << 17)) + 0xA282EAD8`` (mod 2**32), as TensorFlow's
``core/lib/io/record_writer`` and ``core/lib/hash/crc32c`` define them. Records of one
length are framed together with numpy (a column of bytes at a time for all of them), so
thousands of per-step scalar events cost one ``write`` instead of one call each.
"""

import struct

import numpy as np

_POLYNOMIAL = 0x82F63B78
_MASK_DELTA = 0xA282EAD8


def _table():
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(_POLYNOMIAL), table >> 1)
    return table.astype(np.uint32)


TABLE = _table()
_TABLE_LIST = TABLE.tolist()


def crc32c(data):
    """CRC-32C of ``data`` (bytes), an int (a byte at a time: for the few long records)."""
    crc = 0xFFFFFFFF
    table = _TABLE_LIST
    for byte in bytearray(data):
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def crc32c_rows(rows):
    """CRC-32C of each row of ``rows`` (``[n, length]`` uint8), ``[n]`` uint32."""
    crc = np.full(len(rows), 0xFFFFFFFF, np.uint32)
    for column in range(rows.shape[1]):
        crc = TABLE[(crc ^ rows[:, column]) & 0xFF] ^ (crc >> np.uint32(8))
    return crc ^ np.uint32(0xFFFFFFFF)


def masked(crc):
    """TensorFlow's masked CRC of an int or a uint32 array."""
    if isinstance(crc, np.ndarray):
        crc = crc.astype(np.uint64)
        return ((((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF).astype(np.uint32)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def frame(data):
    """One record (bytes) framed."""
    length = struct.pack("<Q", len(data))
    return (length + struct.pack("<I", masked(crc32c(length))) + data +
            struct.pack("<I", masked(crc32c(data))))


def frame_rows(rows):
    """Records of one length framed, in order: ``rows`` ``[n, length]`` uint8 (each row one
    record's data); returns the bytes of all of them."""
    n, length = rows.shape
    header = struct.pack("<Q", length)
    framed = np.zeros(n, np.dtype([("length", "<u8"), ("length_crc", "<u4"),
                                   ("data", "u1", (length,)), ("crc", "<u4")]))
    framed["length"] = length
    framed["length_crc"] = masked(crc32c(header))
    framed["data"] = rows
    framed["crc"] = masked(crc32c_rows(rows))
    return framed.tobytes()
