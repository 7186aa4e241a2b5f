"""Dataset writes: move a numpy array of the storage dtype into the file's raw data.

Chunked data: each chunk a selection touches is read (when only partly overwritten),
modified, encoded through the filter pipeline and written; a chunk whose encoded size
changed moves to new space and its old space is released.  The chunk index itself is
metadata, rebuilt from :class:`ChunkStore` at the commit point.  Contiguous data is
allocated on first write (h5py's "late" allocation), pre-filled with the fill value unless
the write covers everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import numpy as np

from ..filters import ChunkInfo, encode_chunk
from ..format.chunk_index import ChunkIndexRequest, ChunkTable, chunk_index
from ..format.messages import MessageType
from .dataset import DatasetStorage, _axis_extent, _shift_axis0, decode_pool

_ROW_BLOCK_BYTES = 4 << 20
_ENCODE_BATCH_BYTES = 64 << 20
"""Raw chunk bytes gathered before encoding them together (bounds the extra memory)."""
_PARALLEL_CHUNK_BYTES = 64 << 10
"""Chunks smaller than this are encoded on the calling thread (dispatch would cost more)."""

_Raw = bytes | memoryview
"""Unfiltered or stored chunk bytes (a flat byte view of an array, or bytes)."""


class _PendingChunk(NamedTuple):
    """A chunk gathered for encoding and writing."""

    coords: tuple[int, ...]
    """Grid coordinates."""
    entry: tuple[int, int, int] | None
    """Its (address, stored size, filter mask) before this write, if stored."""
    raw: _Raw
    """The unfiltered bytes, only read."""
    borrowed: bool
    """``raw`` is the caller's memory, which may change once the write returns."""


@dataclass
class ChunkStore:
    """The chunks of one dataset as the writer keeps them (grid coords -> location)."""

    chunk_shape: tuple[int, ...]
    entries: dict[tuple[int, ...], tuple[int, int, int]] = field(default_factory=dict)
    """grid coords -> (address, stored size, filter mask)."""
    dirty: bool = False
    old_index: list[tuple[int, int]] = field(default_factory=list)
    """(address, size) of index structures on disk, released when the index is rewritten."""

    @classmethod
    def from_table(cls, table: ChunkTable, chunk_shape: tuple[int, ...]) -> ChunkStore:
        store = cls(chunk_shape)
        if len(table):
            grid = table.offsets // np.asarray(chunk_shape, dtype=np.int64)
            for row, a, s, m in zip(grid, table.addresses, table.sizes, table.filter_masks):
                store.entries[tuple(int(v) for v in row)] = (int(a), int(s), int(m))
        return store

    def table(self) -> ChunkTable:
        """The chunks as a ChunkTable sorted in C order of their origins."""
        rank = len(self.chunk_shape)
        if not self.entries:
            return ChunkTable.empty(rank)
        keys = sorted(self.entries)
        cs = np.asarray(self.chunk_shape, dtype=np.int64)
        offsets = np.asarray(keys, dtype=np.int64).reshape(len(keys), rank) * cs
        vals = [self.entries[k] for k in keys]
        return ChunkTable(
            offsets=offsets,
            addresses=np.asarray([v[0] for v in vals], dtype=np.uint64),
            sizes=np.asarray([v[1] for v in vals], dtype=np.uint64),
            filter_masks=np.asarray([v[2] for v in vals], dtype=np.uint32),
        )


def write_selection(writer: Any, storage: DatasetStorage, sel: Any, values: np.ndarray) -> None:
    """Write ``values`` (storage dtype, ``sel.mshape``) into the selected elements."""
    if sel.nselect == 0:
        return
    cls = storage.layout_class
    changed = True
    if cls == "chunked":
        changed = _write_chunked(writer, storage, sel, values)
    elif cls == "contiguous":
        _write_contiguous(writer, storage, sel, values)
    elif cls == "compact":
        _write_compact(writer, storage, sel, values)
    else:
        raise TypeError(f"writing to a {cls} dataset is not supported")
    if changed:
        with storage.fs.cache_lock:
            cached = storage.fs.cache.get(("dataset", storage.address))
        if cached is storage:
            # the layout is updated in place; only the views derived from it are stale
            storage.forget_chunks()
        else:
            writer.invalidate(storage.address)


def chunk_store(writer: Any, storage: DatasetStorage) -> ChunkStore:
    store = writer.chunks.get(storage.address)
    if store is None:
        chunk_shape = storage.chunk_shape
        if chunk_shape is None:
            raise TypeError("not a chunked dataset")
        store = ChunkStore.from_table(storage.chunk_table(), chunk_shape)
        writer.chunks[storage.address] = store
    return store


def _covers_whole_chunk(chunk_sel: tuple[Any, ...], chunk_shape: tuple[int, ...]) -> bool:
    for s, n in zip(chunk_sel, chunk_shape):
        if not isinstance(s, slice):
            return False
        start, stop, step = s.indices(n)
        if start != 0 or stop != n or step != 1:
            return False
    return len(chunk_sel) == len(chunk_shape)


def _store_chunks(
    writer: Any,
    storage: DatasetStorage,
    store: ChunkStore,
    pipeline: Any,
    pending: list[_PendingChunk],
) -> None:
    """Encode chunks ``(coords, old entry, raw bytes)`` (in the thread pool when there are
    several and filters to run: zlib and the other codecs release the GIL), then place
    and write them in the given order, so the file's layout does not depend on threads.

    Raw bytes that are a ``memoryview`` may be the caller's memory: they are only read."""
    if not pending:
        return
    if pipeline is not None:
        info = ChunkInfo(storage.element_size, store.chunk_shape, None)

        def encode(item: _PendingChunk) -> tuple[_Raw, int]:
            return encode_chunk(item.raw, pipeline, info)  # type: ignore[no-any-return]

        parallel = len(pending) > 1 and len(pending[0].raw) >= _PARALLEL_CHUNK_BYTES
        # results taken in order: on a failure the chunks before it are stored, as in a
        # one-by-one write
        encoded: Iterable[tuple[_Raw, int]] = (
            decode_pool().map(encode, pending) if parallel else map(encode, pending)
        )
    else:
        encoded = ((item.raw, 0) for item in pending)
    driver = storage.fs.driver
    base = storage.fs.ctx.base_address
    for (coords, entry, plain, borrowed), (raw, mask) in zip(pending, encoded):
        if entry is not None and entry[1] == len(raw):
            address = entry[0]
        else:
            if entry is not None:
                writer.allocator.release(entry[0], entry[1])
            address = writer.allocator.allocate(len(raw))
        driver.write(base + address, raw)
        store.entries[coords] = (address, len(raw), mask)
        store.dirty = True
        # the read cache holds the new data; a view of the caller's array may change
        # after this call, so the cached copy is dropped instead
        storage.chunk_written(coords, None if borrowed else plain)


def _flat_bytes(array: np.ndarray) -> memoryview:
    """The memory of a C-contiguous array as a flat byte view (any dtype, no copy)."""
    return array.reshape(-1).view(np.uint8).data


def _write_chunked(writer: Any, storage: DatasetStorage, sel: Any, values: np.ndarray) -> bool:
    """Write the selection chunk by chunk; False when every chunk was rewritten in place
    (no chunk added, moved or resized: views of the dataset stay valid)."""
    store = chunk_store(writer, storage)
    chunk_shape = store.chunk_shape
    source = storage.fs.source
    driver = storage.fs.driver
    base = storage.fs.ctx.base_address
    pipeline = (
        storage.pipeline if storage.pipeline is not None and storage.pipeline.filters else None
    )
    structural = False
    rowbytes = int(np.prod(chunk_shape[1:], dtype=np.int64)) * storage.storage_dtype.itemsize
    chunk_bytes = int(chunk_shape[0]) * rowbytes if chunk_shape else 0
    pending: list[_PendingChunk] = []
    pending_bytes = 0
    for proj in sel.chunk_projections(chunk_shape):
        coords = tuple(int(c) for c in proj.chunk_coords)
        entry = store.entries.get(coords)
        if (
            pipeline is None
            and entry is not None
            and entry[1] == chunk_bytes
            and chunk_shape
            and not _covers_whole_chunk(proj.chunk_sel, chunk_shape)
        ):
            # an unfiltered chunk already stored: rewrite only the rows the selection touches
            lo, hi = _axis_extent(proj.chunk_sel[0])
            nrows = hi - lo + 1
            start = base + entry[0] + lo * rowbytes
            rows = np.frombuffer(
                bytearray(source.read(entry[0] + lo * rowbytes, nrows * rowbytes)),
                dtype=storage.storage_dtype,
            ).reshape((nrows, *chunk_shape[1:], *storage.storage_dtype.shape))
            rows[_shift_axis0(proj.chunk_sel, lo)] = values[proj.out_sel]
            driver.write(start, _flat_bytes(rows))
            continue
        structural = True
        part = values[proj.out_sel]
        whole = _covers_whole_chunk(proj.chunk_sel, chunk_shape)
        if (
            whole
            and part.flags.c_contiguous
            and part.shape == chunk_shape
            and part.dtype == storage.storage_dtype
        ):
            # the chunk is a contiguous block of the caller's array: encode and write
            # straight from its memory, no copy
            pending.append(_PendingChunk(coords, entry, _flat_bytes(part), True))
        else:
            if whole:
                chunk = np.empty(chunk_shape, dtype=storage.storage_dtype)
            elif entry is not None:
                table = ChunkTable(
                    offsets=np.zeros((1, len(chunk_shape)), dtype=np.int64),
                    addresses=np.asarray([entry[0]], dtype=np.uint64),
                    sizes=np.asarray([entry[1]], dtype=np.uint64),
                    filter_masks=np.asarray([entry[2]], dtype=np.uint32),
                )
                chunk = storage.load_chunk(table, 0).copy()
            else:
                chunk = storage.new_output(chunk_shape)
            chunk[proj.chunk_sel] = part
            pending.append(_PendingChunk(coords, entry, _flat_bytes(chunk), False))
        pending_bytes += chunk_bytes
        if pending_bytes >= _ENCODE_BATCH_BYTES:
            _store_chunks(writer, storage, store, pipeline, pending)
            pending, pending_bytes = [], 0
    _store_chunks(writer, storage, store, pipeline, pending)
    source.refresh_size()
    writer.object_model(storage.address).touch()
    return structural


def _ensure_contiguous(writer: Any, storage: DatasetStorage, full: bool) -> int:
    """The address of the dataset's contiguous storage, allocating it on first use."""
    layout = storage.layout
    if layout.address is not None and not storage.fs.ctx.is_undefined(layout.address):
        return int(layout.address)
    nbytes = int(np.prod(storage.shape, dtype=np.int64)) * storage.storage_dtype.itemsize
    address = writer.allocator.allocate(max(nbytes, 1))
    if not full:
        fill = storage.new_output(storage.shape)
        storage.fs.driver.write(storage.fs.ctx.base_address + address, _flat_bytes(fill))
    new_layout = replace(layout, address=address, size=nbytes)
    model = writer.object_model(storage.address)
    model.set(MessageType.LAYOUT, new_layout.encode(storage.fs.ctx))
    storage.layout = new_layout
    return address


def _write_contiguous(writer: Any, storage: DatasetStorage, sel: Any, values: np.ndarray) -> None:
    full = bool(getattr(sel, "is_full", False))
    address = _ensure_contiguous(writer, storage, full)
    fs = storage.fs
    base = fs.ctx.base_address + address
    itemsize = storage.storage_dtype.itemsize
    if full or not storage.shape:
        # the array's own memory, no bytes copy (every driver copies or writes it out)
        fs.driver.write(base, np.ascontiguousarray(values).reshape(-1).view(np.uint8).data)
        fs.source.refresh_size()
        return
    rowbytes = int(np.prod(storage.shape[1:], dtype=np.int64)) * itemsize
    block_rows = max(1, _ROW_BLOCK_BYTES // max(rowbytes, 1))
    block = (block_rows, *storage.shape[1:])
    for proj in sel.chunk_projections(block):
        first_row = proj.chunk_coords[0] * block_rows
        lo, hi = _axis_extent(proj.chunk_sel[0])
        nrows = hi - lo + 1
        offset = (first_row + lo) * rowbytes
        raw = fs.driver.read(base + offset, nrows * rowbytes)
        rows = (
            np.frombuffer(raw, dtype=storage.storage_dtype)
            .reshape((nrows, *storage.shape[1:], *storage.storage_dtype.shape))
            .copy()
        )
        rows[_shift_axis0(proj.chunk_sel, lo)] = values[proj.out_sel]
        fs.driver.write(base + offset, _flat_bytes(rows))
    fs.source.refresh_size()


def _write_compact(writer: Any, storage: DatasetStorage, sel: Any, values: np.ndarray) -> None:
    n = int(np.prod(storage.shape, dtype=np.int64))
    data = storage.layout.compact_data or b""
    whole = np.frombuffer(data, dtype=storage.storage_dtype, count=n)
    whole = whole.reshape(storage.shape + storage.storage_dtype.shape).copy()
    for proj in sel.chunk_projections(storage.shape or (1,)):
        whole[proj.chunk_sel] = values[proj.out_sel]
    new_layout = replace(storage.layout, compact_data=whole.tobytes())
    writer.object_model(storage.address).set(MessageType.LAYOUT, new_layout.encode(storage.fs.ctx))
    storage.layout = new_layout


def write_chunk_index(writer: Any, address: int, store: ChunkStore) -> None:
    """Write the chunk index of the dataset at ``address`` from ``store`` (commit point)."""
    from .objects import ObjectInfo

    fs = writer.fs
    ctx = fs.ctx
    model = writer.object_model(address)
    storage = DatasetStorage(fs, ObjectInfo(fs, address))
    layout = storage.layout
    for block in store.old_index:
        writer.allocator.release(*block)
    store.old_index = []
    index = chunk_index(layout.index_type)
    request = ChunkIndexRequest(
        ctx,
        layout,
        storage.shape,
        storage.maxshape,
        filtered=storage.pipeline is not None and bool(storage.pipeline.filters),
        btree_k=fs.superblock.indexed_storage_k,
    )
    blocks: list[tuple[int, int]] = []

    def alloc(size: int) -> int:
        a = writer.allocator.allocate(size)
        blocks.append((a, size))
        return a

    built = index.build(request, store.table(), alloc)
    for a, blob in built.blocks:
        writer._write(a, blob)
    store.old_index = blocks
    new_layout = replace(layout, index_address=built.address, index_params=built.params)
    model.set(MessageType.LAYOUT, new_layout.encode(ctx))
    store.dirty = False
    writer.invalidate(address)
