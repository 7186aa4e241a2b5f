"""Dataset writes: move a numpy array of the storage dtype into the file's raw data.

Chunked data: each chunk a selection touches is read (when only partly overwritten),
modified, encoded through the filter pipeline and placed (:meth:`ChunkStores.place`); the
chunk index itself is metadata, rebuilt from the chunk store at the commit point.
Contiguous data is allocated on first write (h5py's "late" allocation), pre-filled with
the fill value unless the write covers everything.  Changing an extent (``resize``) drops
the chunks outside it and resets the part of straddling chunks beyond it to the fill
value, as libhdf5's ``H5D__chunk_prune_by_extent`` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..dtypes import to_storage
from ..filters import ChunkInfo, encode_chunk
from ..format.messages import MessageType
from ..format.messages.dataspace import Dataspace
from ..format.messages.layout import CompactLayout, ContiguousLayout
from .chunkstore import ChunkStore, ChunkStores
from .create import contiguous_layout
from .dataset import DatasetStorage, _axis_extent, _shift_axis0
from .external import write_external
from .threads import decode_pool

if TYPE_CHECKING:
    from .core import SessionCore

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
    raw: _Raw
    """The unfiltered bytes, only read."""
    borrowed: bool
    """``raw`` is the caller's memory, which may change once the write returns."""


class DataWriter:
    """Writes the elements of datasets (the raw data side of a write session)."""

    def __init__(self, core: SessionCore, chunks: ChunkStores) -> None:
        self._core = core
        self.chunks = chunks

    # -- whole writes -------------------------------------------------------------------
    def write(self, storage: DatasetStorage, sel: Any, values: np.ndarray) -> None:
        """Write ``values`` (memory dtype, shaped ``sel.mshape``) into the selected
        elements (vlen data goes to the global heap)."""
        raw = to_storage(values, storage.datatype, self._core.heap)
        if storage.efl is not None and storage.efl.slots:
            write_external(storage, sel, raw)
            return
        if sel.nselect == 0:
            return
        cls = storage.layout_class
        changed = True
        if cls == "chunked":
            changed = self._write_chunked(storage, sel, raw)
        elif cls == "contiguous":
            self._write_contiguous(storage, sel, raw)
        elif cls == "compact":
            self._write_compact(storage, sel, raw)
        else:
            raise TypeError(f"writing to a {cls} dataset is not supported")
        if changed:
            fs = storage.fs
            views = fs.cached(storage.address)
            if views is not None and views.dataset is storage:
                # the layout is updated in place; only the views derived from it are stale
                storage.forget_chunks()
            else:
                fs.invalidate(storage.address)

    def write_simple(
        self, storage: DatasetStorage, dtype: np.dtype, key: tuple[Any, ...], val: Any
    ) -> bool:
        """``dset[key] = val`` for keys of ints and step-1 slices inside one stored block
        (:meth:`DatasetStorage.simple_target`) and a value of the selection's shape or a
        scalar, written in place; False (nothing done) when the general path is needed."""
        if (
            dtype.hasobject
            or dtype.subdtype is not None
            or (storage.efl is not None and storage.efl.slots)
        ):
            return False
        target = storage.simple_target(key)
        if target is None:
            return False
        address, block, nrows, index, rowbytes = target
        if storage.layout_class == "chunked" and not self._core.allocator.is_fresh(address, 1):
            return False  # a committed chunk: copied on write by the general path
        value = (
            val if type(val) is np.ndarray and val.dtype == dtype else np.asarray(val, dtype=dtype)
        )
        rows_shape = (nrows, *block[1:])
        out_shape = tuple(
            len(range(*k.indices(n))) for k, n in zip(index, rows_shape) if type(k) is slice
        )
        if value.shape != out_shape and value.ndim != 0:
            return False
        core = self._core
        raw = to_storage(value, storage.datatype, core.heap)
        nbytes = nrows * rowbytes
        whole_rows = all(  # axis 0 spans the rows; every later axis its whole block
            type(k) is slice and k.indices(n) == (0, n, 1)
            for k, n in zip(index[1:-1], rows_shape[1:])
        )
        if whole_rows and raw.ndim:  # every element of the rows: no read needed
            rows = np.ascontiguousarray(raw).reshape(rows_shape)
        else:
            rows = np.frombuffer(
                bytearray(storage.fs.source.read(address, nbytes)), dtype=storage.storage_dtype
            ).reshape(rows_shape)
            rows[index] = raw
        core.write_raw(address, _flat_bytes(rows))
        if storage.layout_class == "chunked":
            core.objects.load(storage.address).touch()  # as the general chunked write does
        return True

    def store_initial(self, storage_address: int, raw: memoryview) -> None:
        """Place the complete raw data of a contiguous dataset created with its values
        (``raw``: the bytes of every element): allocated and written at once, as the late
        allocation of its first, complete write does, and the layout pointed at it."""
        core = self._core
        nbytes = raw.nbytes
        address = core.allocator.allocate(max(nbytes, 1))
        core.write_raw(address, raw)
        core.objects.load(storage_address).set(
            MessageType.LAYOUT, contiguous_layout(address, nbytes).encode(core.ctx)
        )

    # -- chunked ------------------------------------------------------------------------
    def _store_chunks(
        self,
        storage: DatasetStorage,
        store: ChunkStore,
        pipeline: Any,
        pending: list[_PendingChunk],
    ) -> None:
        """Encode chunks (in the thread pool when there are several and filters to run:
        zlib and the other codecs release the GIL), then place them in the given order, so
        the file's layout does not depend on threads.

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
        for (coords, plain, borrowed), (raw, mask) in zip(pending, encoded):
            self.chunks.place(store, coords, raw, mask)
            # the read cache holds the new data; a view of the caller's array may change
            # after this call, so the cached copy is dropped instead
            storage.chunk_written(coords, None if borrowed else plain)

    def _write_chunked(self, storage: DatasetStorage, sel: Any, values: np.ndarray) -> bool:
        """Write the selection chunk by chunk; False when every chunk was rewritten in
        place (no chunk added, moved or resized: views of the dataset stay valid)."""
        core = self._core
        store = self.chunks.get(storage)
        chunk_shape = store.chunk_shape
        source = storage.fs.source
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
                and core.allocator.is_fresh(entry[0], entry[1])
            ):
                # an unfiltered chunk already stored: rewrite only the rows the selection
                # touches
                lo, hi = _axis_extent(proj.chunk_sel[0])
                nrows = hi - lo + 1
                rows = np.frombuffer(
                    bytearray(source.read(entry[0] + lo * rowbytes, nrows * rowbytes)),
                    dtype=storage.storage_dtype,
                ).reshape((nrows, *chunk_shape[1:], *storage.storage_dtype.shape))
                rows[_shift_axis0(proj.chunk_sel, lo)] = values[proj.out_sel]
                core.write_raw(entry[0] + lo * rowbytes, _flat_bytes(rows))
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
                pending.append(_PendingChunk(coords, _flat_bytes(part), True))
            else:
                if whole:
                    chunk = np.empty(chunk_shape, dtype=storage.storage_dtype)
                elif entry is not None:
                    chunk = storage.load_chunk(store.entry_table(coords), 0).copy()
                else:
                    chunk = storage.new_output(chunk_shape)
                chunk[proj.chunk_sel] = part
                pending.append(_PendingChunk(coords, _flat_bytes(chunk), False))
            pending_bytes += chunk_bytes
            if pending_bytes >= _ENCODE_BATCH_BYTES:
                self._store_chunks(storage, store, pipeline, pending)
                pending, pending_bytes = [], 0
        self._store_chunks(storage, store, pipeline, pending)
        core.objects.load(storage.address).touch()
        return structural

    # -- contiguous and compact --------------------------------------------------------
    def _ensure_contiguous(self, storage: DatasetStorage, full: bool) -> int:
        """The address of the dataset's contiguous storage, allocating it on first use."""
        core = self._core
        layout = storage.layout
        if not isinstance(layout, ContiguousLayout):
            raise TypeError("not a contiguous dataset")
        if not storage.fs.is_undefined(layout.address):
            return int(layout.address or 0)
        nbytes = int(np.prod(storage.shape, dtype=np.int64)) * storage.storage_dtype.itemsize
        address = core.allocator.allocate(max(nbytes, 1))
        if not full:
            core.write_raw(address, _flat_bytes(storage.new_output(storage.shape)))
        new_layout = replace(layout, address=address, size=nbytes)
        core.objects.load(storage.address).set(MessageType.LAYOUT, new_layout.encode(core.ctx))
        storage.layout = new_layout
        return address

    def _write_contiguous(self, storage: DatasetStorage, sel: Any, values: np.ndarray) -> None:
        core = self._core
        full = bool(getattr(sel, "is_full", False))
        address = self._ensure_contiguous(storage, full)
        if full or not storage.shape:
            # the array's own memory, no bytes copy (every driver copies or writes it out)
            core.write_raw(address, np.ascontiguousarray(values).reshape(-1).view(np.uint8).data)
            return
        source = storage.fs.source
        itemsize = storage.storage_dtype.itemsize
        rowbytes = int(np.prod(storage.shape[1:], dtype=np.int64)) * itemsize
        block_rows = max(1, _ROW_BLOCK_BYTES // max(rowbytes, 1))
        block = (block_rows, *storage.shape[1:])
        for proj in sel.chunk_projections(block):
            first_row = proj.chunk_coords[0] * block_rows
            lo, hi = _axis_extent(proj.chunk_sel[0])
            nrows = hi - lo + 1
            offset = (first_row + lo) * rowbytes
            raw = source.read(address + offset, nrows * rowbytes)
            rows = (
                np.frombuffer(raw, dtype=storage.storage_dtype)
                .reshape((nrows, *storage.shape[1:], *storage.storage_dtype.shape))
                .copy()
            )
            rows[_shift_axis0(proj.chunk_sel, lo)] = values[proj.out_sel]
            core.write_raw(address + offset, _flat_bytes(rows))

    def _write_compact(self, storage: DatasetStorage, sel: Any, values: np.ndarray) -> None:
        n = int(np.prod(storage.shape, dtype=np.int64))
        layout = storage.layout
        if not isinstance(layout, CompactLayout):
            raise TypeError("not a compact dataset")
        whole = np.frombuffer(layout.compact_data or b"", dtype=storage.storage_dtype, count=n)
        whole = whole.reshape(storage.shape + storage.storage_dtype.shape).copy()
        if storage.shape:
            for proj in sel.chunk_projections(storage.shape):
                whole[proj.chunk_sel] = values[proj.out_sel]
        else:  # a scalar dataset
            whole[...] = values
        new_layout = replace(layout, compact_data=whole.tobytes())
        self._core.objects.load(storage.address).set(
            MessageType.LAYOUT, new_layout.encode(storage.fs.ctx)
        )
        storage.layout = new_layout

    # -- direct chunk writes and extents ----------------------------------------------
    def put_chunk(
        self, storage: DatasetStorage, coords: tuple[int, ...], data: bytes, filter_mask: int
    ) -> None:
        """Store ``data`` (already filtered) as chunk ``coords`` with ``filter_mask``."""
        store = self.chunks.get(storage)
        self.chunks.place(store, coords, data, filter_mask)
        self._core.objects.load(storage.address).touch()
        storage.fs.invalidate(storage.address)

    def resize(self, storage: DatasetStorage, shape: tuple[int, ...]) -> None:
        """Change the extent of a chunked dataset (within its maximum shape)."""
        core = self._core
        old = storage.shape
        store = self.chunks.get(storage)
        if any(n < o for n, o in zip(shape, old)):
            cs = np.asarray(store.chunk_shape, dtype=np.int64)
            for coords in list(store.entries):
                origin = np.asarray(coords, dtype=np.int64) * cs
                if np.any(origin >= np.asarray(shape)):
                    self.chunks.drop(store, coords)
                elif np.any(origin + cs > np.asarray(shape)):
                    self._reset_outside(storage, store, coords, shape)
        space = Dataspace(
            "simple", tuple(shape), tuple(storage.maxshape), version=core.versions.dataspace
        )
        core.objects.load(storage.address).set(MessageType.DATASPACE, space.encode(storage.fs.ctx))
        store.dirty = True
        fs = storage.fs
        views = fs.cached(storage.address)
        if views is not None and views.dataset is storage:
            # only the extent changed: the open file's view of the dataset takes it in
            # place (no re-read of the object per resize)
            storage.reset_extent(space)
        else:
            fs.invalidate(storage.address)

    def _reset_outside(
        self,
        storage: DatasetStorage,
        store: ChunkStore,
        coords: tuple[int, ...],
        shape: tuple[int, ...],
    ) -> None:
        """Set the elements of chunk ``coords`` beyond ``shape`` to the fill value."""
        chunk = storage.load_chunk(store.entry_table(coords), 0).copy()
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
        self.chunks.place(store, coords, raw, new_mask)


def _covers_whole_chunk(chunk_sel: tuple[Any, ...], chunk_shape: tuple[int, ...]) -> bool:
    for s, n in zip(chunk_sel, chunk_shape):
        if not isinstance(s, slice):
            return False
        start, stop, step = s.indices(n)
        if start != 0 or stop != n or step != 1:
            return False
    return len(chunk_sel) == len(chunk_shape)


def _flat_bytes(array: np.ndarray) -> memoryview:
    """The memory of a C-contiguous array as a flat byte view (any dtype, no copy)."""
    return array.reshape(-1).view(np.uint8).data
