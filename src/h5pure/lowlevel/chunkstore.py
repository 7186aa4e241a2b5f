"""The chunks of chunked datasets in a write session: where each stored chunk lives, how a
chunk is placed, and the chunk index rebuilt at the commit point.

Placing a chunk (:meth:`ChunkStores.place`) is the one way chunk bytes reach the file: a
chunk written since the last commit whose stored size is unchanged is rewritten in place;
otherwise (a chunk the committed state holds, or a new size) its old space is released
(reusable after the next commit) and the bytes go to new space.  The index itself
is metadata, built from the :class:`ChunkStore` when the session commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from ..format.chunk_index import ChunkIndexRequest, ChunkTable, chunk_index
from ..format.messages import MessageType
from ..format.messages.layout import ChunkedLayout
from .dataset import DatasetStorage
from .objects import ObjectInfo

if TYPE_CHECKING:
    from .core import Buffer, SessionCore


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
        when the chunk had this size and was written since the last commit, else in new
        space (the old released): a chunk the committed state holds is never overwritten
        before the commit that replaces it (copy on write)."""
        core = self._core
        nbytes = memoryview(data).nbytes
        entry = store.entries.get(coords)
        if entry is not None and entry[1] == nbytes and core.allocator.is_fresh(entry[0], nbytes):
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
        """Write the chunk index of the dataset at ``address`` from ``store``: the index
        type its layout names builds it (``format.chunk_index``)."""
        core = self._core
        fs = core.fs
        model = core.objects.load(address)
        storage = DatasetStorage(fs, ObjectInfo(fs, address))
        layout = storage.layout
        if not isinstance(layout, ChunkedLayout):
            raise TypeError(f"dataset at 0x{address:x} is not chunked")
        # a SWMR writer rewrites the index where it was (blocks of the same size, in the
        # order the index type builds them), as libhdf5 updates it: readers in other
        # processes keep following the same addresses; otherwise the index is built in
        # new space and the old one freed (crash-safe without journaling it)
        old = list(store.old_index) if fs.swmr else []
        request = ChunkIndexRequest(
            core.ctx,
            layout,
            storage.shape,
            storage.maxshape,
            filtered=storage.pipeline is not None and bool(storage.pipeline.filters),
            btree_k=fs.superblock.indexed_storage_k,
        )
        blocks: list[tuple[int, int]] = []

        def alloc(size: int) -> int:
            for i, (a, sz) in enumerate(old):
                if sz == size:
                    del old[i]
                    blocks.append((a, size))
                    return a
            a = core.allocator.allocate(size)
            blocks.append((a, size))
            return a

        built = chunk_index(layout.index_type).build(request, store.table(), alloc)
        kept = set(blocks)
        for block in store.old_index:
            if block not in kept:
                core.allocator.release(*block)
        for a, blob in built.blocks:
            core.stage(a, blob)
        store.old_index = blocks
        new_layout = replace(layout, index_address=built.address, index_params=built.params)
        model.set(MessageType.LAYOUT, new_layout.encode(core.ctx))
        store.dirty = False
        fs.invalidate(address)
