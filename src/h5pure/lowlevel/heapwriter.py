"""Variable-length data on write: objects appended to global heap collections.

libhdf5 keeps filling the newest collection until an object does not fit, then starts a
new one of at least 4 KiB (spec III.E); h5pure does the same, so files that store many
small strings stay compact.  Each collection is kept in memory as the bytes it will be
written as (its *image*) while the session adds to it, and written at the commit point.
:meth:`GlobalHeapWriter.put_packed` lays out a whole batch of objects with numpy
(cumulative sizes decide where collections break), which is how vlen datasets are written.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np

from ..format.context import FormatContext
from ..format.global_heap import (
    MIN_COLLECTION_SIZE,
    GlobalHeapCollection,
    collection_header_size,
    encode_collection_header,
    encode_object_header,
    object_header_size,
    place_collection_headers,
    place_free_space,
    place_objects,
)
from .allocator import Allocator

_MAX_OBJECTS = 0xFFFF
"""Object indices are 16-bit."""


def _align8(n: int) -> int:
    return (n + 7) & ~7


@dataclass
class _Collection:
    address: int
    size: int
    image: bytearray | memoryview
    """The collection's bytes (a slice of a batch's buffer for a collection a batch filled);
    the free-space object is written at :meth:`finish`."""
    used: int
    """Bytes taken by the header and the objects so far."""
    starts: list[int] = field(default_factory=lambda: [-1])
    """Offset of each object's data in ``image``, by object index (entry 0 unused)."""
    sizes: list[int] = field(default_factory=lambda: [0])
    dirty: bool = True
    finished: bool = False
    """Whether ``image`` holds the free-space object after the last object."""

    @property
    def count(self) -> int:
        return len(self.starts) - 1

    def finish(self, ctx: FormatContext) -> bytearray | memoryview:
        """The image with its trailing free-space object (index 0, size: the bytes left)."""
        if not self.finished:
            header = encode_object_header(0, self.size - self.used, ctx)
            self.image[self.used : self.used + len(header)] = header
            self.finished = True
        return self.image

    def view(self, ctx: FormatContext) -> GlobalHeapCollection:
        """The collection as a reader sees it (a snapshot: later objects are not in it)."""
        return GlobalHeapCollection(
            self.address,
            self.size,
            bytes(self.image[: self.used]),
            ctx,
            list(self.starts),
            list(self.sizes),
            self.size - self.used,
        )


class GlobalHeapWriter:
    """Implements the ``heap_writer.put(data) -> (collection_address, index)`` protocol."""

    def __init__(self, ctx: FormatContext, allocator: Allocator) -> None:
        self.ctx = ctx
        self.allocator = allocator
        self.current: _Collection | None = None
        self.pending: dict[int, _Collection] = {}
        """Collections changed since the last flush (and the current one), by address."""
        self._osize = object_header_size(ctx)
        self._hsize = collection_header_size(ctx)

    def _new_collection(self, need: int) -> _Collection:
        """A new current collection with room for an object taking ``need`` bytes."""
        size = max(MIN_COLLECTION_SIZE, _align8(self._hsize + need + self._osize))
        buf = bytearray(size)
        buf[: self._hsize] = encode_collection_header(size, self.ctx)
        coll = _Collection(self.allocator.allocate(size), size, buf, self._hsize)
        self.current = coll
        self.pending[coll.address] = coll
        return coll

    def _room(self, coll: _Collection | None) -> int:
        """Bytes an object may take in ``coll`` (the free-space object keeps its header)."""
        if coll is None or coll.count >= _MAX_OBJECTS:
            return -1
        return coll.size - coll.used - self._osize

    def put(self, data: bytes) -> tuple[int, int]:
        n = len(data)
        need = self._osize + _align8(n)
        coll = self.current
        if coll is None or self._room(coll) < need:
            coll = self._new_collection(need)
        index = coll.count + 1
        pos = coll.used
        header = encode_object_header(index, n, self.ctx)
        coll.image[pos : pos + len(header)] = header
        start = pos + self._osize
        coll.image[start : start + n] = data
        coll.starts.append(start)
        coll.sizes.append(n)
        coll.used += need
        coll.dirty = True
        coll.finished = False
        return coll.address, index

    def put_packed(self, blob: bytes, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Store the objects packed back to back in ``blob`` (object ``k`` is
        ``sizes[k]`` bytes), as consecutive :meth:`put` calls would; return their
        collection addresses (uint64) and object indices (uint32)."""
        sizes = np.asarray(sizes, dtype=np.int64)
        n = len(sizes)
        addresses = np.empty(n, dtype=np.uint64)
        indices = np.empty(n, dtype=np.uint32)
        if not n:
            return addresses, indices
        if n == 1:  # one object (a scalar string attribute...): no batch layout to plan
            addresses[0], indices[0] = self.put(bytes(blob[: int(sizes[0])]))
            return addresses, indices
        hsize, osize = self._hsize, self._osize
        need = osize + ((sizes + 7) & ~7)
        cum_arr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(need, out=cum_arr[1:])
        cum = cum_arr.tolist()
        # the runs of objects each collection takes (cumulative sizes tell how many fit):
        # first the current collection as far as it has room, then new ones
        runs: list[tuple[int, int, int, int]] = []  # first, end, first header, first index
        old = self.current
        i = 0
        room = self._room(old)
        if old is not None and room >= 0:
            i = min(bisect_right(cum, room) - 1, _MAX_OBJECTS - old.count)
            if i > 0:
                runs.append((0, i, old.used, old.count + 1))
        if not runs:
            old = None
        keep_old = 0 if old is None else 1
        new_sizes: list[int] = []
        while i < n:
            size = max(MIN_COLLECTION_SIZE, _align8(hsize + cum[i + 1] - cum[i] + osize))
            end = min(bisect_right(cum, cum[i] + size - hsize - osize, i) - 1, i + _MAX_OBJECTS)
            runs.append((i, end, hsize, 1))
            new_sizes.append(size)
            i = end
        # new collections side by side in one allocation; every touched collection's
        # image side by side in one array, filled at once
        base = self.allocator.allocate(sum(new_sizes)) if new_sizes else 0
        coll_sizes = ([] if old is None else [old.size]) + new_sizes
        image_at = np.zeros(len(runs) + 1, dtype=np.int64)
        np.cumsum(coll_sizes, out=image_at[1:])
        coll_addr = (image_at[keep_old:-1] - image_at[keep_old] + base).tolist()
        out = np.zeros(int(image_at[-1]), dtype=np.uint8)
        if old is not None:
            coll_addr.insert(0, old.address)
            out[: old.size] = np.frombuffer(old.image, dtype=np.uint8)
        place_collection_headers(
            out, image_at[keep_old:-1], np.array(new_sizes, dtype=np.int64), self.ctx
        )
        table = np.array(runs, dtype=np.int64).reshape(-1, 4)
        firsts, ends = table[:, 0], table[:, 1]
        lens = ends - firsts
        addresses[:] = np.repeat(np.array(coll_addr, dtype=np.uint64), lens)
        indices[:] = np.arange(n, dtype=np.int64) + np.repeat(table[:, 3] - firsts, lens)
        header_in_coll = cum_arr[:-1] + np.repeat(table[:, 2] - cum_arr[firsts], lens)
        blob_starts = np.zeros(n, dtype=np.int64)
        np.cumsum(sizes[:-1], out=blob_starts[1:])
        place_objects(
            out,
            header_in_coll + np.repeat(image_at[:-1], lens),
            indices,
            blob,
            blob_starts,
            sizes,
            self.ctx,
        )
        # every collection's free-space object (the last one's is rewritten at flush
        # when more objects go to it)
        used = table[:, 2] + cum_arr[ends] - cum_arr[firsts]
        np_sizes = np.asarray(coll_sizes, dtype=np.int64)
        place_free_space(out, image_at[:-1] + used, np_sizes - used, self.ctx)
        data_at = (header_in_coll + osize).tolist()
        size_list = sizes.tolist()
        whole = out.data
        last = len(runs) - 1
        used_list = used.tolist()
        at = image_at.tolist()
        pending = self.pending
        for k, (first, end, _, _) in enumerate(runs):
            # a filled collection keeps a slice of the batch's buffer; the last one, which
            # later objects may go to, its own copy
            image = bytearray(whole[at[k] : at[k + 1]]) if k == last else whole[at[k] : at[k + 1]]
            if k == 0 and old is not None:
                c = old
                c.image = image
                c.used = used_list[k]
            else:
                c = _Collection(coll_addr[k], coll_sizes[k], image, used_list[k])
                pending[c.address] = c
            c.starts.extend(data_at[first:end])
            c.sizes.extend(size_list[first:end])
            c.dirty = True
            c.finished = True
            self.current = c
        return addresses, indices

    def get(self, address: int, index: int) -> bytes | None:
        """An object written in this session and not yet flushed, else None."""
        coll = self.pending.get(address)
        if coll is None or not 0 < index <= coll.count:
            return None
        start = coll.starts[index]
        return bytes(coll.image[start : start + coll.sizes[index]])

    def collection(self, address: int) -> GlobalHeapCollection | None:
        """A collection written in this session and not yet flushed, as a reader sees it."""
        coll = self.pending.get(address)
        return None if coll is None else coll.view(self.ctx)

    def flush(self) -> list[tuple[int, bytes]]:
        """(address, bytes) to write for every collection changed since the last flush;
        collections adjacent in the file go in one piece.  (A collection once flushed and
        no longer current never changes again, and one being written was never in the file
        state's cache of collections: the cache needs no other invalidation.)"""
        dirty = sorted((c for c in self.pending.values() if c.dirty), key=lambda c: c.address)
        out: list[tuple[int, bytes]] = []
        group: list[bytearray | memoryview] = []
        start = end = -1
        for c in dirty:
            if c.address != end and group:
                out.append((start, b"".join(group)))
                group = []
            if not group:
                start = c.address
            group.append(c.finish(self.ctx))
            end = c.address + c.size
            c.dirty = False
        if group:
            out.append((start, b"".join(group)))
        cur = self.current
        self.pending = {cur.address: cur} if cur is not None else {}
        return out
