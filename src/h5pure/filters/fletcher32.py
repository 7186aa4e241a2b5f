"""Fletcher-32 checksum (filter id 3), ``src/H5Zfletcher32.c`` and ``H5_checksum_fletcher32``.

The sums run over the data as big-endian 16-bit words (an odd last byte counts as
``byte << 8``) with end-around-carry reductions, so each sum is 0 only for all-zero data
and otherwise lies in 1..65535; the checksum ``sum2 << 16 | sum1`` is appended as a
little-endian u32.  Readers also accept the value with the bytes of each 16-bit half
swapped (libhdf5 before 1.6.3 wrote that on little-endian machines).
"""

from __future__ import annotations

import numpy as np

from ..errors import ChecksumError, FilterError
from ..format.messages.filter_pipeline import FilterInfo
from .base import ChunkInfo, Filter, register_filter


def _reduce(total: int) -> int:
    return 0 if total == 0 else (total - 1) % 65535 + 1


def fletcher32(data: bytes) -> int:
    """libhdf5's Fletcher-32 of ``data`` (any length)."""
    buf = bytes(data)
    if len(buf) % 2:
        buf += b"\0"
    words = np.frombuffer(buf, dtype=">u2").astype(np.uint64)
    n = len(words)
    if n == 0:
        return 0
    sum1 = int(words.sum())
    if sum1 == 0:
        return 0
    # sum2 = sum over i of words[i] * (n - i); weights reduced mod 65535 keep it in 64 bits.
    weights = (np.arange(n, 0, -1, dtype=np.uint64)) % np.uint64(65535)
    sum2 = int((words * weights).sum(dtype=np.uint64))
    s1 = _reduce(sum1)
    s2 = sum2 % 65535 or 65535  # sum2 > 0 whenever sum1 > 0
    return (s2 << 16) | s1


def _swapped(value: int) -> int:
    return ((value & 0x00FF00FF) << 8) | ((value >> 8) & 0x00FF00FF)


@register_filter
class Fletcher32(Filter):
    filter_id = 3
    name = "fletcher32"

    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        if len(data) < 4:
            raise FilterError(
                f"fletcher32 filter: {chunk.where()} is too short ({len(data)} bytes)"
            )
        body = data[:-4]
        stored = int.from_bytes(data[-4:], "little")
        computed = fletcher32(body)
        if stored != computed and stored != _swapped(computed):
            raise ChecksumError(
                f"Fletcher-32 checksum mismatch in {chunk.where()}: "
                f"stored 0x{stored:08x}, computed 0x{computed:08x}"
            )
        return bytes(body)

    def encode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        return bytes(data) + fletcher32(data).to_bytes(4, "little")
