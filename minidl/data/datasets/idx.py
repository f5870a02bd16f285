"""The IDX format of MNIST and Fashion-MNIST, read with NumPy.

A file is (gzip-compressed) big-endian: two zero bytes, a type byte (0x08 = unsigned byte), a
byte with the number of dimensions, one 32-bit size per dimension, then the values row-major.
Images: magic 0x00000803, sizes (N, 28, 28).  Labels: magic 0x00000801, size (N,).
"""
import gzip
import zlib

import numpy as np

from .files import DatasetError

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801


def read_bytes(path):
    """The decompressed contents of ``path`` (plain or .gz), with a clear error when the gzip
    stream is truncated or corrupt."""
    try:
        if str(path).endswith(".gz"):
            with gzip.open(path, "rb") as stream:
                return stream.read()
        with open(path, "rb") as stream:
            return stream.read()
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as error:
        raise DatasetError(f"{path}: cannot decompress ({error}); the file is truncated or corrupt — delete it and download it again") from error


def parse_idx(data, path, expected_magic):
    """IDX bytes → uint8 array, checking the magic number and that the payload fits the header."""
    if len(data) < 8:
        raise DatasetError(f"{path}: only {len(data)} bytes, too short for an IDX header")
    magic = int.from_bytes(data[:4], "big")
    if magic != expected_magic:
        raise DatasetError(
            f"{path}: wrong magic number 0x{magic:08x} (expected 0x{expected_magic:08x}: "
            f"{'images' if expected_magic == IMAGES_MAGIC else 'labels'} of unsigned bytes); is this the right file?"
        )
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetError(f"{path}: the header announces {ndim} dimensions but the file ends after {len(data)} bytes")
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape))
    payload = len(data) - header
    if payload != expected:
        raise DatasetError(
            f"{path}: the header says {shape[0]} items of shape {shape[1:]} ({expected} bytes) but the file holds "
            f"{payload} bytes of data; it is truncated or corrupt"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def read_images(path):
    images = parse_idx(read_bytes(path), path, IMAGES_MAGIC)
    if images.ndim != 3:
        raise DatasetError(f"{path}: expected images of shape (N, rows, cols), got {images.shape}")
    return images


def read_labels(path):
    return parse_idx(read_bytes(path), path, LABELS_MAGIC)


def write_idx(path, array):
    """Write a uint8 array as a (gzip-compressed when the name ends in .gz) IDX file — for tests and tools."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    data = header + array.tobytes()
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as stream:
        stream.write(data)
