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


_BLOCK = 4096
"""Words per row when the weighted sum is split into rows (keeps every partial in u64)."""


def fletcher32(data: bytes | bytearray | memoryview) -> int:
    """libhdf5's Fletcher-32 of ``data`` (any length, any C-contiguous buffer)."""
    nbytes = len(memoryview(data).cast("B"))
    if nbytes % 2:
        data = bytes(data) + b"\0"
        nbytes += 1
    n = nbytes // 2
    if n == 0:
        return 0
    words = np.frombuffer(data, dtype=">u2", count=n)
    # sum1 = sum of the words; sum2 = sum over i of words[i] * (n - i), only needed mod
    # 65535.  With i = r * B + c (rows of B words, zero-padded): n - i = (n - r*B) - c, so
    # sum2 = sum_r (n - r*B) * rowsum[r] - sum_c c * colsum[c]; row and column sums are
    # one pass of numpy reductions, and reducing them mod 65535 first keeps every product
    # and total far below 2**64.
    rows = -(-n // _BLOCK)
    if rows * _BLOCK == n:
        grid = words.reshape(rows, _BLOCK)
    else:
        grid = np.zeros((rows, _BLOCK), dtype=np.uint16)
        grid.reshape(-1)[:n] = words
    m = np.uint64(65535)
    rowsum = grid.sum(axis=1, dtype=np.uint64)
    colsum = grid.sum(axis=0, dtype=np.uint64) % m
    sum1 = int(rowsum.sum())
    if sum1 == 0:
        return 0
    row_weight = (n - np.arange(rows, dtype=np.uint64) * np.uint64(_BLOCK)) % m
    col_weight = np.arange(_BLOCK, dtype=np.uint64)
    pos = int(((rowsum % m) * row_weight).sum(dtype=np.uint64))
    neg = int((colsum * col_weight).sum(dtype=np.uint64))
    s1 = _reduce(sum1)
    s2 = (pos - neg) % 65535 or 65535  # sum2 > 0 whenever sum1 > 0
    return (s2 << 16) | s1


def _swapped(value: int) -> int:
    return ((value & 0x00FF00FF) << 8) | ((value >> 8) & 0x00FF00FF)


@register_filter
class Fletcher32(Filter):
    filter_id = 3
    name = "fletcher32"
    accepts_buffers = True
    h5py_name = "fletcher32"
    stored_name = "fletcher32"
    flags = 0  # mandatory: a chunk is never stored without its checksum

    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        view = memoryview(data).cast("B")  # slices without copies
        if len(view) < 4:
            raise FilterError(
                f"fletcher32 filter: {chunk.where()} is too short ({len(view)} bytes)"
            )
        body = view[:-4]
        stored = int.from_bytes(view[-4:], "little")
        computed = fletcher32(body)
        if stored != computed and stored != _swapped(computed):
            raise ChecksumError(
                f"Fletcher-32 checksum mismatch in {chunk.where()}: "
                f"stored 0x{stored:08x}, computed 0x{computed:08x}"
            )
        return bytes(body)

    def encode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        return b"".join((data, fletcher32(data).to_bytes(4, "little")))
