"""Shuffle (filter id 2): byte-plane (de)interleaving, ``src/H5Zshuffle.c``.

Client data ``[element size]`` (``set_local`` stores the datatype's size; a pipeline of a
variable-length datatype keeps h5py's empty client data, and libhdf5, like :meth:`Shuffle.encode`,
refuses to shuffle with it, so such chunks are stored unshuffled).  Nothing is done for 1-byte elements or buffers of fewer
than two elements; trailing bytes that do not fill an element stay at the end unchanged.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..errors import FilterError
from ..format.messages.filter_pipeline import FilterInfo
from . import optional, scratch
from .base import ChunkInfo, Filter, LocalInfo, register_filter

_blosc: Any = optional.NOT_LOADED
"""imagecodecs (a dependency) when its c-blosc decoder passed :func:`_blosc_works`, else
``None``: unshuffling then runs in numpy."""


def _element_size(info: FilterInfo, chunk: ChunkInfo) -> int:
    size = info.client_data[0] if info.client_data else chunk.element_size
    if size <= 0:
        raise FilterError(f"shuffle filter for {chunk.where()}: bad element size {size}")
    return int(size)


@register_filter
class Shuffle(Filter):
    filter_id = 2
    name = "shuffle"
    size_preserving = True
    accepts_buffers = True
    h5py_name = "shuffle"
    stored_name = "shuffle"

    def set_local(self, values: tuple[int, ...], local: LocalInfo) -> tuple[int, ...]:
        """``(element size,)``: the size of the HDF5 datatype."""
        return (local.size,)

    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> Any:
        size = _element_size(info, chunk)
        n = len(data) // size
        if size == 1 or n <= 1:
            return bytes(data)
        body = np.frombuffer(data, dtype=np.uint8, count=n * size).reshape(size, n)
        lib = _blosc_decoder() if len(data) == n * size else None
        if lib is not None:
            fast = _unshuffle_blosc(body, lib)
            if fast is not None:
                return fast.data.toreadonly()
        out = _interleave(body, n, size)
        if len(data) > n * size:
            return out.tobytes() + bytes(data[n * size :])
        flat: Any = out.reshape(-1)
        return memoryview(flat).toreadonly()  # the pipeline hands it on as is

    def decode_into(self, data: Any, info: FilterInfo, chunk: ChunkInfo, dest: memoryview) -> bool:
        """The unshuffled elements written straight into ``dest`` (c-blosc, else one
        strided copy per byte plane), when ``data`` is whole elements of its size."""
        size = _element_size(info, chunk)
        n = len(data) // size
        if size == 1 or n <= 1 or len(data) != n * size or dest.nbytes != n * size:
            return False
        body = np.frombuffer(data, dtype=np.uint8, count=n * size).reshape(size, n)
        target = np.frombuffer(dest, dtype=np.uint8)
        lib = _blosc_decoder()
        if lib is None or _unshuffle_blosc(body, lib, target) is None:
            _interleave(body, n, size, target)
        return True

    def decode_many(self, datas: list[Any], info: FilterInfo, chunk: ChunkInfo) -> list[Any]:
        """Chunks of one length are joined and unshuffled together: one strided copy per
        byte plane for all of them (numpy lets other threads run during a copy that
        large, where a copy per chunk of a few KB holds the interpreter)."""
        size = _element_size(info, chunk)
        length = len(datas[0]) if datas else 0
        n = length // size
        if (
            len(datas) < 2
            or size == 1
            or n <= 1
            or length != n * size
            or any(len(d) != length for d in datas)
        ):
            return [self.decode(d, info, chunk) for d in datas]
        m = len(datas)
        lib = _blosc_decoder()
        if lib is not None:
            if length > _JOIN_BYTES or m * (length + 4) + 16 > _BLOSC_MAX:
                return [self.decode(d, info, chunk) for d in datas]  # cut into blocks
            return [row.data.toreadonly() for row in _unshuffle_blosc_many(datas, size, lib)]
        planes = np.frombuffer(b"".join(datas), dtype=np.uint8).reshape(m, size, n)
        out = np.empty((m, length), dtype=np.uint8)
        for k in range(size):
            out[:, k::size] = planes[:, k, :]
        return [row.data.toreadonly() for row in out]

    def encode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        # libhdf5's filter refuses anything but one element size; the pipeline then skips
        # the (optional) filter for the chunk, as for the pipelines of variable-length
        # datatypes, which keep h5py's empty client data
        if len(info.client_data) != 1:
            raise FilterError(
                f"shuffle filter for {chunk.where()}: client data {info.client_data} "
                "is not one element size"
            )
        size = _element_size(info, chunk)
        n = len(data) // size
        if size == 1 or n <= 1:
            return bytes(data)
        # one copy: numpy gathers the transposed view of the caller's buffer into bytes
        body = np.frombuffer(data, dtype=np.uint8, count=n * size).reshape(n, size)
        out = body.T.tobytes()
        return out + bytes(data[n * size :]) if len(data) > n * size else out


def _interleave(
    planes: np.ndarray, n: int, size: int, out: np.ndarray | None = None
) -> np.ndarray:
    """The elements whose ``size`` byte planes are the rows of ``planes`` (into the flat
    uint8 ``out`` when given): one strided copy per plane into the flat output
    (``out[k::size]``; a third faster than into a column of an ``(n, size)`` array, about
    six times faster than numpy's gather of ``planes.T``, which is fast the other way, in
    ``encode``)."""
    if out is None:
        out = np.empty(n * size, dtype=np.uint8)
    for k in range(size):
        out[k::size] = planes[k]
    return out.reshape(n, size)


# ---------------------------------------------------------------- c-blosc's unshuffle
#
# c-blosc's decoder unshuffles with SIMD code, 2-3 times faster than numpy's strided
# copies.  Given a Blosc 1 frame whose blocks are stored uncompressed (a block's stored
# size equal to its size: the decoder copies it) with the byte-shuffle flag, it only
# unshuffles.  A Blosc block's bytes are byte planes of that block's elements, so a
# chunk's planes are cut into blocks of _BLOCK_BYTES (one copy of contiguous runs), or
# small chunks are each one block of a frame; see the Blosc 1 chunk format
# (README_CHUNK_FORMAT.rst in c-blosc): a 16-byte header, the blocks' offsets, then each
# block as a 4-byte stored size and its bytes.

_BLOCK_BYTES = 128 * 1024
"""Bytes of one Blosc block cut from a large chunk.  The decoder unshuffles a block
through a temporary of its size: this one stays in a core's cache and comes from the
allocator's free lists (a whole 4 MiB chunk as one block took a fresh temporary per
call, 3 times slower on a pool thread)."""

_JOIN_BYTES = 256 * 1024
"""Chunks up to this size are unshuffled together, each one block of one frame."""

_BLOSC_MAX = 2**31 - 2**20
"""c-blosc's sizes are 32-bit signed: larger frames are unshuffled by numpy."""

_FLAGS = 0x01 | 0x10
"""Header flags: byte shuffle, and each block one stream (not split per byte plane)."""


def _unshuffle_blosc(
    planes: np.ndarray, lib: Any, out: np.ndarray | None = None
) -> np.ndarray | None:
    """The elements whose byte planes are the rows of ``planes`` (``(size, n)`` uint8), as
    a flat uint8 array (``out``, else a new one), by c-blosc (``lib``: imagecodecs);
    ``None``, nothing written, when the chunk is too large for it."""
    size, n = planes.shape
    if n * size <= _BLOCK_BYTES:  # one block: the planes as they are
        return _unshuffle_blosc_many([planes.reshape(-1)], size, lib, out).reshape(-1)
    if n * size + 16 + 8 * (n // max(1, _BLOCK_BYTES // size) + 1) > _BLOSC_MAX:
        return None
    per = max(1, _BLOCK_BYTES // size)  # elements per block
    block = per * size
    full, last = divmod(n, per)
    blocks = full + (1 if last else 0)
    head = 16 + 4 * blocks
    total = head + full * (4 + block) + (4 + last * size if last else 0)
    frame = scratch.buffer("shuffle-frame", total)
    struct.pack_into("<BBBBiii", frame.data, 0, 2, 1, _FLAGS, size, n * size, block, total)
    starts = frame[16:head].view("<i4")
    starts[:full] = head + np.arange(full, dtype=np.int64) * (4 + block)
    sizes = as_strided(frame[head:], shape=(full, 4), strides=(4 + block, 1))
    sizes[...] = np.frombuffer(struct.pack("<i", block), dtype=np.uint8)
    dest = as_strided(frame[head + 4 :], shape=(full, size, per), strides=(4 + block, per, 1))
    dest[...] = planes[:, : full * per].reshape(size, full, per).transpose(1, 0, 2)
    if last:
        at = head + full * (4 + block)
        starts[full] = at
        struct.pack_into("<i", frame.data, at, last * size)
        frame[at + 4 : total].reshape(size, last)[...] = planes[:, full * per :]
    if out is None:
        out = np.empty(n * size, dtype=np.uint8)
    lib.blosc_decode(frame, numthreads=1, out=out)
    return out


def _unshuffle_blosc_many(
    datas: list[Any], size: int, lib: Any, out: np.ndarray | None = None
) -> np.ndarray:
    """Chunks of one length (at most :data:`_JOIN_BYTES`, a multiple of ``size``), each
    one block of a frame: one decoder call for all; their elements as the rows of a
    ``(len(datas), length)`` uint8 array (``out`` flat, else a new one)."""
    length = len(datas[0])
    count = len(datas)
    head = 16 + 4 * count
    total = head + count * (4 + length)
    header = struct.pack("<BBBBiii", 2, 1, _FLAGS, size, count * length, length, total)
    if count == 1:
        header += struct.pack("<i", head)
    else:
        header += (head + np.arange(count, dtype="<i4") * (4 + length)).astype("<i4").tobytes()
    stored = struct.pack("<i", length)
    parts: list[Any] = [header]
    for d in datas:
        parts.append(stored)
        parts.append(d)
    if out is None:
        out = np.empty(count * length, dtype=np.uint8)
    lib.blosc_decode(b"".join(parts), numthreads=1, out=out)
    return out.reshape(count, length)


def _blosc_decoder() -> Any:
    """imagecodecs with a c-blosc decoder that unshuffles frames built here as numpy
    does, imported and checked on first use; ``None`` otherwise.  (Set only once checked:
    another thread never uses a decoder that then fails the check.)"""
    global _blosc
    if _blosc is optional.NOT_LOADED:
        module = optional.load("imagecodecs", "blosc_decode")
        _blosc = module if module is not None and _blosc_works(module) else None
    return _blosc


def _blosc_works(lib: Any) -> bool:
    """Whether this c-blosc build decodes our frames to what numpy's unshuffle gives: an
    older decoder that splits blocks by its own rule, or any other surprise, leaves
    unshuffling to numpy (the same bytes, slower)."""
    rng = np.random.default_rng(0)
    try:
        for size, n in ((2, 3), (4, 70_001), (8, 40_000), (3, 5), (12, 1_000)):
            planes = rng.integers(0, 256, (size, n), dtype=np.uint8)
            want = _interleave(planes, n, size).reshape(-1)
            got = _unshuffle_blosc(planes, lib)
            if got is None or not np.array_equal(got, want):
                return False
            rows = [bytes(planes.reshape(-1))] * 3
            if size * n <= _JOIN_BYTES:
                many = _unshuffle_blosc_many(rows, size, lib)
                if not all(np.array_equal(row, want) for row in many):
                    return False
    except Exception:  # noqa: BLE001 - any failure of the check means: do not use it
        return False
    return True
