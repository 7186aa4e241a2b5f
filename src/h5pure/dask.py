"""Writing dask arrays into one HDF5 file from any dask scheduler, distributed included.

``da.store(darr, dset)`` / ``da.to_hdf5`` send the dataset to the tasks, and the writes
happen where the tasks run: with a distributed cluster that means other processes writing
one file (h5py's objects do not even pickle).  :func:`store` splits the work the other
way: the tasks compute their blocks and pass them through the dataset's filters (the
expensive part: compression runs on the workers), and return the stored bytes of each
HDF5 chunk; the process that has the file open for writing places them
(``write_direct_chunk``) and one commit publishes the chunk index.  h5py, h5pure and every
libhdf5 reader see an ordinary chunked dataset.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .dtypes import to_storage
from .filters import ChunkInfo, encode_chunk


class _ChunkEncoder(NamedTuple):
    """What a task needs to store chunks of one dataset (picklable, no file)."""

    chunk_shape: tuple[int, ...]
    shape: tuple[int, ...]
    dtype: np.dtype
    datatype: Any
    pipeline: Any
    element_size: int
    fill: np.ndarray


def _encode_block(block: np.ndarray, origin: tuple[int, ...], enc: _ChunkEncoder) -> list[Any]:
    """The stored bytes of every HDF5 chunk of one dask block (at element ``origin``):
    ``(chunk origin, bytes, filter mask)``; edge chunks padded with the fill value."""
    raw = to_storage(np.asarray(block, dtype=enc.dtype), enc.datatype, None)
    out = []
    grid = [range(0, n, c) for n, c in zip(raw.shape, enc.chunk_shape)]
    for start in np.ndindex(*(len(g) for g in grid)):
        lo = tuple(g[k] for g, k in zip(grid, start))
        part = raw[tuple(slice(a, a + c) for a, c in zip(lo, enc.chunk_shape))]
        if part.shape != enc.chunk_shape:
            chunk = np.empty(enc.chunk_shape, dtype=raw.dtype)
            chunk[...] = enc.fill
            chunk[tuple(slice(0, n) for n in part.shape)] = part
            part = chunk
        data = np.ascontiguousarray(part).reshape(-1).view(np.uint8).data
        if enc.pipeline is not None:
            stored, mask = encode_chunk(
                data, enc.pipeline, ChunkInfo(enc.element_size, enc.chunk_shape, None)
            )
        else:
            stored, mask = bytes(data), 0
        out.append((tuple(o + a for o, a in zip(origin, lo)), bytes(stored), int(mask)))
    return out


def store(darr: Any, dset: Any, *, scheduler: Any = None, batch: int = 64) -> None:
    """Write the dask array ``darr`` into the chunked dataset ``dset`` (same shape; its
    file open for writing in this process), then flush the file.

    The blocks are computed and compressed by ``scheduler`` (anything ``dask.compute``
    takes: "threads", "processes", a ``distributed.Client``); this process places the
    compressed chunks, ``batch`` blocks at a time.  ``darr`` is rechunked first when its
    blocks do not consist of whole chunks of ``dset``.  Variable-length types are not
    supported (their bytes live in the file's global heap)."""
    import dask

    if dset.chunks is None:
        raise TypeError("h5pure.dask.store needs a chunked dataset")
    if tuple(darr.shape) != tuple(dset.shape):
        raise ValueError(f"shapes differ: array {darr.shape}, dataset {dset.shape}")
    if dset.dtype.hasobject:
        raise TypeError("h5pure.dask.store: variable-length types are not supported")
    storage = dset._storage
    chunks = tuple(dset.chunks)
    pipeline = (
        storage.pipeline if storage.pipeline is not None and storage.pipeline.filters else None
    )
    enc = _ChunkEncoder(
        chunks,
        tuple(dset.shape),
        dset.dtype,
        storage.datatype,
        pipeline,
        storage.element_size,
        np.asarray(storage.fill_value()),
    )
    if not _aligned(darr.chunks, chunks):
        sizes = tuple(max(c, (max(b) // c) * c) if b else c for b, c in zip(darr.chunks, chunks))
        darr = darr.rechunk(sizes)
    starts = [np.concatenate(([0], np.cumsum(b)[:-1])).astype(int) for b in darr.chunks]
    blocks = darr.to_delayed()
    tasks = []
    for index in np.ndindex(*blocks.shape):
        origin = tuple(int(s[k]) for s, k in zip(starts, index))
        tasks.append(dask.delayed(_encode_block)(blocks[index], origin, enc))
    for k in range(0, len(tasks), max(1, batch)):
        kwargs = {} if scheduler is None else {"scheduler": scheduler}
        for result in dask.compute(*tasks[k : k + batch], **kwargs):
            for offsets, data, mask in result:
                dset.id.write_direct_chunk(offsets, data, mask)
    dset.file.flush()


def _aligned(block_sizes: tuple[tuple[int, ...], ...], chunks: tuple[int, ...]) -> bool:
    """Whether every block starts on a chunk boundary (the last may be short)."""
    for sizes, c in zip(block_sizes, chunks):
        if any(n % c for n in sizes[:-1]):
            return False
    return True
