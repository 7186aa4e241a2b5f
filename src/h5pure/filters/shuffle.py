"""Shuffle (filter id 2): byte-plane (de)interleaving, ``src/H5Zshuffle.c``.

Client data ``[element size]`` (``set_local`` stores the datatype's size; a pipeline of a
variable-length datatype keeps h5py's empty client data, and libhdf5, like :meth:`Shuffle.encode`,
refuses to shuffle with it, so such chunks are stored unshuffled).  Nothing is done for 1-byte elements or buffers of fewer
than two elements; trailing bytes that do not fill an element stay at the end unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import FilterError
from ..format.messages.filter_pipeline import FilterInfo
from .base import ChunkInfo, Filter, LocalInfo, register_filter


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
        out = _interleave(body, n, size)
        if len(data) > n * size:
            return out.tobytes() + bytes(data[n * size :])
        flat: Any = out.reshape(-1)
        return memoryview(flat).toreadonly()  # the pipeline hands it on as is

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


def _interleave(planes: np.ndarray, n: int, size: int) -> np.ndarray:
    """The elements whose ``size`` byte planes are the rows of ``planes``: one strided
    copy per plane into the flat output (``out[k::size]``; a third faster than into a
    column of an ``(n, size)`` array, about six times faster than numpy's gather of
    ``planes.T``, which is fast the other way, in ``encode``)."""
    out = np.empty(n * size, dtype=np.uint8)
    for k in range(size):
        out[k::size] = planes[k]
    return out.reshape(n, size)
