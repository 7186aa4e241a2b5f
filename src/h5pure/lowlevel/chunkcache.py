"""The raw data chunk cache: decoded chunks of one open dataset, kept for the next read.

It follows libhdf5's chunk cache (``H5Pset_chunk_cache``, h5py's ``rdcc_*`` arguments):
``nbytes`` bounds the bytes of decoded chunks held, a chunk larger than that is never
held; ``nslots`` is the size of the hash table, a chunk taking the slot of another
(``linear chunk index % nslots``) evicts it; ``w0`` weighs the preemption of chunks that
were read in full (they are likelier done with) against plain least-recent use: among
the oldest ``w0`` fraction of entries, a fully read chunk goes first.  ``nbytes == 0`` or
``nslots == 0`` turns the cache off.  Only filtered chunks are held: an unfiltered chunk
is read straight from the file, as fast as a copy from the cache would be.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np

DEFAULT_NSLOTS = 8191
DEFAULT_NBYTES = 8 * 1024**2
"""libhdf5 2.0's defaults (``H5D_CHUNK_CACHE_NSLOTS_DEFAULT``, ``..._NBYTES_DEFAULT``;
1.x had 521 slots and 1 MiB), which h5py 3.16 reports."""
DEFAULT_W0 = 0.75


@dataclass(frozen=True)
class ChunkCacheSettings:
    """``(nslots, nbytes, w0)`` as h5py's ``rdcc_nslots``, ``rdcc_nbytes``, ``rdcc_w0``."""

    nslots: int = DEFAULT_NSLOTS
    nbytes: int = DEFAULT_NBYTES
    w0: float = DEFAULT_W0

    def __post_init__(self) -> None:
        if self.nslots < 0 or self.nbytes < 0:
            raise OverflowError("can't convert negative value to size_t")  # as h5py
        if not 0.0 <= self.w0 <= 1.0:
            raise ValueError("Raw data cache w0 value must be between 0.0 and 1.0 inclusive")

    def updated(
        self, nslots: int | None = None, nbytes: int | None = None, w0: float | None = None
    ) -> ChunkCacheSettings:
        """These settings with the given (not None) values replaced."""
        return replace(
            self,
            nslots=self.nslots if nslots is None else int(nslots),
            nbytes=self.nbytes if nbytes is None else int(nbytes),
            w0=self.w0 if w0 is None else float(w0),
        )

    @property
    def enabled(self) -> bool:
        return self.nslots > 0 and self.nbytes > 0


class _Entry:
    __slots__ = ("array", "nbytes", "slot", "full")

    def __init__(self, array: np.ndarray, slot: int, full: bool) -> None:
        self.array = array
        self.nbytes = int(array.nbytes)
        self.slot = slot
        self.full = full


class ChunkCache:
    """Decoded chunks keyed by chunk grid coordinates; thread-safe.

    ``grid``: the number of chunks along each axis (for the hash slot of a chunk)."""

    def __init__(self, settings: ChunkCacheSettings, grid: tuple[int, ...]) -> None:
        self.settings = settings
        self._strides: list[int] = []
        stride = 1
        for n in reversed(grid):
            self._strides.append(stride)
            stride *= max(int(n), 1)
        self._strides.reverse()
        self._entries: OrderedDict[tuple[int, ...], _Entry] = OrderedDict()
        self._slots: dict[int, tuple[int, ...]] = {}
        self._lock = threading.Lock()
        self.nbytes_used = 0
        self.generation = 0
        """Bumped by every :meth:`discard` and :meth:`clear` (a writer changed chunks): a
        reader passes the value it saw before fetching to :meth:`put`, so a chunk decoded
        from bytes a writer replaced meanwhile is not held."""
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, coords: object) -> bool:
        return coords in self._entries

    def keys(self) -> list[tuple[int, ...]]:
        """The cached chunks, least recently used first."""
        with self._lock:
            return list(self._entries)

    def get(self, coords: tuple[int, ...]) -> np.ndarray | None:
        """The decoded chunk at ``coords`` (read-only), or None."""
        with self._lock:
            entry = self._entries.get(coords)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(coords)
            self.hits += 1
            return entry.array

    def put(
        self,
        coords: tuple[int, ...],
        array: np.ndarray,
        full: bool = False,
        generation: int | None = None,
    ) -> None:
        """Hold ``array`` (the decoded chunk at ``coords``; never written to afterwards);
        ``full``: the read that decoded it covered the whole chunk; ``generation``: the
        :attr:`generation` seen before the chunk was fetched (nothing is held if it
        changed since)."""
        self.put_many([(coords, array, full)], generation)

    def put_many(
        self,
        items: list[tuple[tuple[int, ...], np.ndarray, bool]],
        generation: int | None = None,
    ) -> None:
        """:meth:`put` for each ``(coords, array, full)`` of ``items``, under one lock."""
        settings = self.settings
        if not settings.enabled:
            return
        with self._lock:
            if generation is not None and generation != self.generation:
                return
            strides = self._strides
            for coords, array, full in items:
                if array.flags.writeable:
                    array = array.view()
                    array.flags.writeable = False
                self._drop(coords)
                if array.nbytes > settings.nbytes:
                    continue  # as libhdf5: a chunk bigger than the whole cache is not held
                slot = 0
                for c, st in zip(coords, strides):
                    slot += c * st
                slot %= settings.nslots
                other = self._slots.get(slot)
                if other is not None:
                    self._drop(other)
                while self._entries and self.nbytes_used + array.nbytes > settings.nbytes:
                    self._drop(self._victim())
                entry = _Entry(array, slot, full)
                self._entries[coords] = entry
                self._slots[slot] = coords
                self.nbytes_used += entry.nbytes

    def discard(self, coords: tuple[int, ...]) -> None:
        with self._lock:
            self.generation += 1
            self._drop(coords)

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()
            self._slots.clear()
            self.nbytes_used = 0

    def _victim(self) -> tuple[int, ...]:
        """The entry to preempt: the least recently used fully read chunk among the
        oldest ``w0`` fraction of entries, else the least recently used one."""
        scan = math.ceil(self.settings.w0 * len(self._entries))
        first = None
        for k, (coords, entry) in enumerate(self._entries.items()):
            if first is None:
                first = coords
            if k >= scan:
                break
            if entry.full:
                return coords
        assert first is not None
        return first

    def _drop(self, coords: tuple[int, ...]) -> None:
        entry = self._entries.pop(coords, None)
        if entry is not None:
            self.nbytes_used -= entry.nbytes
            if self._slots.get(entry.slot) == coords:
                del self._slots[entry.slot]
