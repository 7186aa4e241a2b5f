"""Bit-stream packing shared by the N-bit and scale-offset filters.

Both filters (``src/H5Znbit.c``, ``src/H5Zscaleoffset.c``) write, element after element,
selected bits of each element's bytes into one stream, most significant bit first, with no
alignment between elements.  Here an element's bits are addressed by their position in
``np.unpackbits`` of its bytes (byte ``k`` bit 7 is position ``8k``); a *position list*
says which element bits form the stream and in which order, so packing is one gather and
unpacking one scatter, vectorised over all elements.
"""

from __future__ import annotations

import numpy as np

from ..errors import FilterError


def atomic_positions(
    byte_offset: int, size: int, big_endian: bool, precision: int, offset: int
) -> np.ndarray:
    """Positions of the ``precision`` significant bits (starting at bit ``offset`` of the
    value) of an integer/float stored in ``size`` bytes at ``byte_offset``, MSB first."""
    bits = np.arange(offset + precision - 1, offset - 1, -1, dtype=np.int64)
    byte = bits // 8
    byte = byte_offset + ((size - 1 - byte) if big_endian else byte)
    return byte * 8 + 7 - bits % 8


def pack(elements: np.ndarray, positions: np.ndarray) -> bytes:
    """Pack the bits at ``positions`` of each row of ``elements`` (uint8, shape (n, size))."""
    bits = np.unpackbits(elements, axis=1)
    return np.packbits(bits[:, positions].reshape(-1)).tobytes()


def unpack(data: bytes, n: int, size: int, positions: np.ndarray, what: str) -> np.ndarray:
    """Inverse of :func:`pack`: uint8 array (n, size) with the stream's bits put back and
    every other bit zero."""
    per = len(positions)
    nbits = n * per
    nbytes = -(-nbits // 8)
    if len(data) < nbytes:
        raise FilterError(f"{what}: stream holds {len(data)} bytes, {n} elements need {nbytes}")
    stream = np.unpackbits(np.frombuffer(data, dtype=np.uint8, count=nbytes))[:nbits]
    bits = np.zeros((n, size * 8), dtype=np.uint8)
    bits[:, positions] = stream.reshape(n, per)
    return np.packbits(bits, axis=1)
