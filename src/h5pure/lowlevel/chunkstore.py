"""The chunks of chunked datasets in a write session: where each stored chunk lives, how a
chunk is placed, and the chunk index rebuilt at the commit point.

Placing a chunk (:meth:`ChunkStores.place`) is the one way chunk bytes reach the file: a
chunk whose stored size is unchanged is rewritten in place; otherwise its old space is
released (reusable after the next commit) and the bytes go to new space.  The index itself
is metadata, built from the :class:`ChunkStore` when the session commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UnsupportedFeatureError
from ..format.btree_v1 import build_chunk_btree_v1
from ..format.btree_v2 import ChunkRecord, FilteredChunkRecord, build_btree_v2
from ..format.chunk_index import ChunkTable
from ..format.chunk_index.extensible_array import EAParams, build_extensible_array
from ..format.chunk_index.fixed_array import build_fixed_array
from ..format.messages import MessageType
from ..format.messages.layout import ChunkIndexType
from .dataset import DatasetStorage
from .objects import ObjectInfo

if TYPE_CHECKING:
    from .core import Buffer, SessionCore

_ARRAY_INDEXES = (3, 4, 5)
"""Fixed array, extensible array and v2 B-tree (``ChunkIndexType`` values)."""


@dataclass
class ChunkStore:
    """The chunks of one dataset as the session keeps them (grid coords -> location)."""

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

    def entry_table(self, coords: tuple[int, ...]) -> ChunkTable:
        """A one-row ChunkTable of the stored chunk ``coords`` (to read it back)."""
        address, size, mask = self.entries[coords]
        return ChunkTable(
            offsets=np.zeros((1, len(self.chunk_shape)), dtype=np.int64),
            addresses=np.asarray([address], dtype=np.uint64),
            sizes=np.asarray([size], dtype=np.uint64),
            filter_masks=np.asarray([mask], dtype=np.uint32),
        )


class ChunkStores:
    """The chunk stores of the datasets a write session writes, by dataset address."""

    def __init__(self, core: SessionCore) -> None:
        self._core = core
        self._stores: dict[int, ChunkStore] = {}

    def loaded(self, address: int) -> ChunkStore | None:
        """The store of the dataset at ``address`` when the session holds one."""
        return self._stores.get(address)

    def get(self, storage: DatasetStorage) -> ChunkStore:
        """The store of ``storage``'s dataset, loaded from its chunk index on first use."""
        store = self._stores.get(storage.address)
        if store is None:
            chunk_shape = storage.chunk_shape
            if chunk_shape is None:
                raise TypeError("not a chunked dataset")
            store = ChunkStore.from_table(storage.chunk_table(), chunk_shape)
            self._stores[storage.address] = store
        return store

    def place(self, store: ChunkStore, coords: tuple[int, ...], data: Buffer, mask: int) -> None:
        """Store the (filtered) bytes ``data`` of chunk ``coords`` with ``mask``: in place
        when the chunk had this size, else in new space (the old released)."""
        core = self._core
        nbytes = memoryview(data).nbytes
        entry = store.entries.get(coords)
        if entry is not None and entry[1] == nbytes:
            address = entry[0]
        else:
            if entry is not None:
                core.allocator.release(entry[0], entry[1])
            address = core.allocator.allocate(nbytes)
        core.write_raw(address, data)
        store.entries[coords] = (address, nbytes, int(mask))
        store.dirty = True

    def drop(self, store: ChunkStore, coords: tuple[int, ...]) -> None:
        """Remove chunk ``coords`` (its space released)."""
        address, size, _ = store.entries.pop(coords)
        self._core.allocator.release(address, size)
        store.dirty = True

    def release(self, storage: DatasetStorage) -> None:
        """Give back every chunk and the index of a dataset being deleted."""
        allocator = self._core.allocator
        store = self.get(storage)
        for chunk_address, size, _ in store.entries.values():
            allocator.release(chunk_address, size)
        for block in store.old_index:
            allocator.release(*block)
        del self._stores[storage.address]

    # -- the commit point ---------------------------------------------------------------
    def write_dirty(self) -> None:
        """Rebuild the index of every dataset whose chunks changed."""
        for address, store in self._stores.items():
            if store.dirty:
                self._write_index(address, store)

    def _write_index(self, address: int, store: ChunkStore) -> None:
        """Write the chunk index of the dataset at ``address`` from ``store``."""
        core = self._core
        fs = core.fs
        ctx = fs.ctx
        model = core.objects.load(address)
        layout = DatasetStorage(fs, ObjectInfo(fs, address)).layout
        for block in store.old_index:
            core.allocator.release(*block)
        store.old_index = []
        index_type = layout.index_type
        if index_type in (None, ChunkIndexType.BTREE_V1):
            table = store.table()
            if len(table) == 0:
                root = ctx.undefined_address
            else:
                blocks: list[tuple[int, int]] = []

                def alloc(size: int) -> int:
                    a = core.allocator.allocate(size)
                    blocks.append((a, size))
                    return a

                root, encoded = build_chunk_btree_v1(
                    table,
                    len(store.chunk_shape),
                    store.chunk_shape,
                    ctx,
                    alloc,
                    k=fs.superblock.indexed_storage_k,
                )
                for a, blob in encoded:
                    core.stage(a, blob)
                store.old_index = blocks
            new_layout = replace(layout, index_address=root)
        elif index_type == ChunkIndexType.SINGLE:
            table = store.table()
            if len(table) == 0:
                new_layout = replace(layout, index_address=ctx.undefined_address)
            else:
                new_layout = replace(layout, index_address=int(table.addresses[0]))
                if layout.single_chunk_filtered_size is not None:
                    new_layout = replace(
                        new_layout,
                        single_chunk_filtered_size=int(table.sizes[0]),
                        single_chunk_filter_mask=int(table.filter_masks[0]),
                    )
        elif index_type in _ARRAY_INDEXES:
            storage = DatasetStorage(fs, ObjectInfo(fs, address))
            table = store.table()
            if len(table) == 0:
                root = ctx.undefined_address
            else:
                root, store.old_index = self._write_array_index(storage, layout, table)
            new_layout = replace(layout, index_address=root)
        else:
            raise UnsupportedFeatureError(
                f"writing chunks indexed by a {ChunkIndexType(index_type).name} is not "
                "supported yet"
            )
        model.set(MessageType.LAYOUT, new_layout.encode(ctx))
        store.dirty = False
        fs.invalidate(address)

    def _write_array_index(
        self, storage: DatasetStorage, layout: Any, table: ChunkTable
    ) -> tuple[int, list[tuple[int, int]]]:
        """Build the fixed array, extensible array or v2 B-tree index of ``table``."""
        core = self._core
        ctx = core.ctx
        blocks: list[tuple[int, int]] = []

        def alloc(size: int) -> int:
            a = core.allocator.allocate(size)
            blocks.append((a, size))
            return a

        chunk_shape = tuple(int(c) for c in layout.chunk_shape)
        filtered = storage.pipeline is not None and bool(storage.pipeline.filters)
        width = _chunk_size_width(layout, ctx)
        params = layout.index_params
        if layout.index_type == ChunkIndexType.FIXED_ARRAY:
            maxshape = [
                int(m if m is not None else n) for m, n in zip(storage.maxshape, storage.shape)
            ]
            root, encoded = build_fixed_array(
                table,
                ctx,
                maxshape,
                chunk_shape,
                alloc,
                filtered=filtered,
                chunk_size_width=width,
                page_bits=params.page_bits,
            )
        elif layout.index_type == ChunkIndexType.EXTENSIBLE_ARRAY:
            root, encoded = build_extensible_array(
                table,
                ctx,
                storage.maxshape,
                chunk_shape,
                alloc,
                filtered=filtered,
                chunk_size_width=width,
                params=EAParams(
                    params.max_nelmts_bits,
                    params.index_block_elements,
                    params.super_block_min_data_ptrs,
                    params.data_block_min_elements,
                    params.max_data_block_page_bits,
                ),
            )
        else:
            scaled = table.offsets // np.asarray(chunk_shape, dtype=np.int64)
            records: list[Any] = []
            for row, a, size, mask in zip(scaled, table.addresses, table.sizes, table.filter_masks):
                coords = tuple(int(v) for v in row)
                if filtered:
                    records.append(FilteredChunkRecord(int(a), int(size), int(mask), coords))
                else:
                    records.append(ChunkRecord(int(a), coords))
            root, encoded = build_btree_v2(
                records,
                11 if filtered else 10,
                ctx,
                alloc,
                node_size=params.node_size,
                split_percent=params.split_percent,
                merge_percent=params.merge_percent,
                chunk_size_width=width,
            )
        for a, blob in encoded:
            core.stage(a, blob)
        return root, blocks


def _chunk_size_width(layout: Any, ctx: Any) -> int:
    """Bytes of a filtered chunk's size in fixed/extensible array and v2 B-tree records:
    layout v5 uses a length; v4 sizes it from the chunk's bytes (``H5D__layout_...``:
    ``1 + (log2(chunk bytes) + 8) // 8``, at most 8)."""
    if layout.version >= 5:
        return int(ctx.size_of_lengths)
    nbytes = int(layout.chunk_bytes or 1)
    return min(8, 1 + ((nbytes.bit_length() - 1) + 8) // 8)
