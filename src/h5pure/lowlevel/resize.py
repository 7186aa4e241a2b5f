"""Changing a chunked dataset's extent (``H5Dset_extent``).

Growing only rewrites the dataspace message: new elements read as the fill value.
Shrinking drops the chunks that fall wholly outside the new extent (their space is
released) and resets the out-of-extent part of straddling chunks to the fill value, as
libhdf5's ``H5D__chunk_prune_by_extent`` does, so a later growth shows fill, not old data.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..format.chunk_index import ChunkTable
from ..format.messages import MessageType
from ..format.messages.dataspace import Dataspace
from .dataset import DatasetStorage
from .datawriter import chunk_store


def resize_dataset(writer: Any, storage: DatasetStorage, shape: tuple[int, ...]) -> None:
    old = storage.shape
    store = chunk_store(writer, storage)
    if any(n < o for n, o in zip(shape, old)):
        cs = np.asarray(store.chunk_shape, dtype=np.int64)
        for coords in list(store.entries):
            origin = np.asarray(coords, dtype=np.int64) * cs
            if np.any(origin >= np.asarray(shape)):
                address, size, _ = store.entries.pop(coords)
                writer.allocator.release(address, size)
                store.dirty = True
            elif np.any(origin + cs > np.asarray(shape)):
                _reset_outside(writer, storage, store, coords, shape)
    space = Dataspace(
        "simple", tuple(shape), tuple(storage.maxshape), version=writer.versions.dataspace
    )
    model = writer.object_model(storage.address)
    model.set(MessageType.DATASPACE, space.encode(storage.fs.ctx))
    store.dirty = True
    _refresh_views(writer, storage, space)


def _refresh_views(writer: Any, storage: DatasetStorage, space: Dataspace) -> None:
    """Only the extent changed: the open file's view of the dataset takes it in place
    (no re-read of the object per resize); any other view is dropped."""
    fs = storage.fs
    with fs.cache_lock:
        cached = fs.cache.get(("dataset", storage.address))
    if cached is storage:
        storage.reset_extent(space)
    else:
        writer.invalidate(storage.address)


def _reset_outside(
    writer: Any,
    storage: DatasetStorage,
    store: Any,
    coords: tuple[int, ...],
    shape: tuple[int, ...],
) -> None:
    """Set the elements of chunk ``coords`` beyond ``shape`` to the fill value."""
    from ..filters import ChunkInfo, encode_chunk

    address, size, mask = store.entries[coords]
    table = ChunkTable(
        offsets=np.zeros((1, len(coords)), dtype=np.int64),
        addresses=np.asarray([address], dtype=np.uint64),
        sizes=np.asarray([size], dtype=np.uint64),
        filter_masks=np.asarray([mask], dtype=np.uint32),
    )
    chunk = storage.load_chunk(table, 0).copy()
    inside = tuple(
        slice(0, max(0, min(c, n - k * c))) for k, c, n in zip(coords, store.chunk_shape, shape)
    )
    keep = chunk[inside].copy()
    chunk[...] = storage.fill_value()
    chunk[inside] = keep
    raw = chunk.tobytes()
    new_mask = 0
    if storage.pipeline is not None and storage.pipeline.filters:
        raw, new_mask = encode_chunk(
            raw, storage.pipeline, ChunkInfo(storage.element_size, store.chunk_shape, None)
        )
    if len(raw) != size:
        writer.allocator.release(address, size)
        address = writer.allocator.allocate(len(raw))
    storage.fs.driver.write(storage.fs.ctx.base_address + address, raw)
    store.entries[coords] = (address, len(raw), new_mask)
