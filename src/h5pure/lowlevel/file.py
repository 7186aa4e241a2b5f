"""The open-file state: a driver, the superblock, the format context, and the caches of
parsed metadata shared by every object of the file.

This is the only layer that holds a driver and a format context together.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any

from ..drivers.base import Driver
from ..errors import FormatError
from ..format.context import FormatContext
from ..format.global_heap import GlobalHeapCollection, read_global_heap_collection
from ..format.object_header import ObjectHeader, read_object_header
from ..format.superblock import Superblock, decode_superblock, locate_superblock
from .chunkcache import ChunkCacheSettings

_SUPERBLOCK_READ = 4096
_HEADER_CACHE_ITEMS = 4096
_GHEAP_CACHE_ITEMS = 256
_DECODED_CACHE_ITEMS = 4096


class FileSource:
    """ByteSource at relative addresses over a driver, bounded by the physical file size."""

    def __init__(self, driver: Driver, base: int) -> None:
        self.driver = driver
        self.base = base
        self._size = driver.size()

    def refresh_size(self) -> None:
        self._size = self.driver.size()

    def read(self, address: int, size: int) -> bytes:
        start = self.base + address
        if address < 0 or size < 0 or start + size > self._size:
            self.refresh_size()
            if address < 0 or size < 0 or start + size > self._size:
                raise FormatError(
                    f"address 0x{address:x} (+{size} bytes) is beyond the end of the file "
                    f"(0x{max(0, self._size - self.base):x})"
                )
        return self.driver.read(start, size)

    def read_many(self, ranges: list[tuple[int, int]]) -> list[bytes]:
        """The bytes of every ``(address, size)`` range, through the driver's
        :meth:`~h5pure.drivers.base.Driver.read_many` (merged requests on remote drivers)."""
        for address, size in ranges:
            if address < 0 or size < 0 or self.base + address + size > self._size:
                return [self.read(a, n) for a, n in ranges]  # raises the bounds error
        return self.driver.read_many([(self.base + a, n) for a, n in ranges])

    def readv(self, address: int, buffers: list[Any]) -> None:
        """Fill ``buffers`` in order from the consecutive bytes at ``address`` (one
        vectored read on drivers that have one)."""
        total = sum(memoryview(b).nbytes for b in buffers)
        start = self.base + address
        if address < 0 or start + total > self._size:
            self.refresh_size()
            if address < 0 or start + total > self._size:
                raise FormatError(
                    f"address 0x{address:x} (+{total} bytes) is beyond the end of the file"
                )
        self.driver.readv(start, buffers)

    def readinto(self, address: int, buf: memoryview) -> None:
        start = self.base + address
        if address < 0 or start + len(buf) > self._size:
            self.refresh_size()
            if address < 0 or start + len(buf) > self._size:
                raise FormatError(
                    f"address 0x{address:x} (+{len(buf)} bytes) is beyond the end of the file"
                )
        self.driver.readinto(start, buf)


class _LRU:
    """A small thread-safe LRU cache keyed by address."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.items: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def pop(self, key: Any) -> None:
        with self.lock:
            self.items.pop(key, None)

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.capacity:
                self.items.popitem(last=False)


class _ContentCache:
    """A bounded cache of values derived from immutable keys (encoded bytes): entries never
    go stale, so it needs no lock (dict reads and writes are atomic) and no recency order;
    when full it starts over."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.items: dict[Any, Any] = {}

    def get(self, key: Any) -> Any:
        return self.items.get(key)

    def put(self, key: Any, value: Any) -> None:
        if len(self.items) >= self.capacity:
            self.items = {}
        self.items[key] = value


class FileState:
    """Everything known about one open HDF5 file."""

    def __init__(self, driver: Driver, filename: str, superblock: Superblock | None = None) -> None:
        """Open the file on ``driver``; a new file passes the ``superblock`` it will have."""
        self.driver = driver
        self.filename = filename
        if superblock is None:
            size = driver.size()
            if size == 0:
                raise FormatError(
                    f"{filename!r} is empty: not an HDF5 file (file signature not found)"
                )
            offset = locate_superblock(driver.read, size)
            head = driver.read(offset, min(_SUPERBLOCK_READ, size - offset))
            superblock = decode_superblock(head, offset)
        self.superblock: Superblock = superblock
        self.ctx: FormatContext = self.superblock.context()
        self.source = FileSource(driver, self.ctx.base_address)
        self.userblock_size = self.superblock.base_address
        self._headers = _LRU(_HEADER_CACHE_ITEMS)
        self._gheaps = _LRU(_GHEAP_CACHE_ITEMS)
        self.decoded = _ContentCache(_DECODED_CACHE_ITEMS)
        """Decoded messages keyed by their encoded bytes (content-addressed, so a change to
        an object never makes an entry stale): attribute messages, decoded once."""
        self.cache: dict[Any, Any] = {}
        """Per-file memo of derived metadata (link tables, dataset storage), keyed by
        (kind, address)."""
        self.cache_lock = threading.RLock()
        self.external_files: dict[str, Any] = {}
        self.writer: Any = None
        """The lowlevel.writer.Writer when the file is open for writing."""
        self.chunk_cache = ChunkCacheSettings()
        """The raw data chunk cache settings of every dataset (``File(rdcc_*=...)``)."""
        self.chunk_cache_overrides: dict[int, ChunkCacheSettings] = {}
        """Dataset address -> its own settings (``create_dataset(rdcc_*=...)``)."""

    def driver_info(self) -> Any:
        """The file's driver information (a :class:`~h5pure.format.messages.misc.DriverInfo`):
        the v0/v1 driver info block, or the v2+ superblock extension's driver info message;
        None when the file has none."""
        sb = self.superblock
        if sb.driver_info is not None or not sb.has_extension():
            return sb.driver_info
        from ..format.messages import MessageType
        from ..format.superblock import read_superblock_extension

        return read_superblock_extension(self.source, self.ctx, sb.extension_address).get(
            MessageType.DRIVER_INFO
        )

    @property
    def root_address(self) -> int:
        return int(self.superblock.root_object_header_address)

    @property
    def dirname(self) -> str:
        return os.path.dirname(os.path.abspath(self.filename)) if self.filename else os.getcwd()

    def object_header(self, address: int) -> ObjectHeader:
        writer = self.writer
        if writer is not None:
            model = writer.objects.get(address)
            if model is not None:
                return model.header()  # type: ignore[no-any-return]
        header = self._headers.get(address)
        if header is None:
            header = read_object_header(self.source, self.ctx, address)
            self._headers.put(address, header)
        return header

    def global_heap_object(self, collection_address: int, index: int) -> bytes:
        """The bytes of object ``index`` of the global heap collection at the address."""
        if self.writer is not None:
            data = self.writer.heap.get(collection_address, index)
            if data is not None:
                return data  # type: ignore[no-any-return]
        return self.global_heap_collection(collection_address).get(index)

    def global_heap_collection(self, collection_address: int) -> GlobalHeapCollection:
        """The global heap collection at the address (cached; a collection the writer has
        not flushed yet comes from the writer), for callers that gather many objects."""
        if self.writer is not None:
            pending = self.writer.heap.collection(collection_address)
            if pending is not None:
                return pending  # type: ignore[no-any-return]
        coll: GlobalHeapCollection | None = self._gheaps.get(collection_address)
        if coll is None:
            coll = read_global_heap_collection(
                self.source, self.ctx, collection_address, lazy=True
            )
            self._gheaps.put(collection_address, coll)
        return coll

    def global_heap_objects(self, collection_address: int) -> dict[int, bytes]:
        """The objects (index -> bytes) of the global heap collection at the address, for
        callers that resolve many objects of one collection; an index missing here is
        resolved (or reported) by :meth:`global_heap_object`."""
        if self.writer is not None:
            objects = self.writer.heap.collection_objects(collection_address)
            if objects is not None:
                return objects  # type: ignore[no-any-return]
        coll: GlobalHeapCollection | None = self._gheaps.get(collection_address)
        if coll is None:
            coll = read_global_heap_collection(self.source, self.ctx, collection_address)
            self._gheaps.put(collection_address, coll)
        return coll.objects

    def memo(self, key: Any, make: Any) -> Any:
        """Return the cached value for ``key``, computing it with ``make()`` once."""
        value = self.cache.get(key)
        if value is None:
            with self.cache_lock:
                value = self.cache.get(key)
                if value is None:
                    value = make()
                    self.cache[key] = value
        return value

    def close(self) -> None:
        for f in self.external_files.values():
            try:
                f.close()
            except Exception:  # noqa: BLE001 - closing best-effort on shutdown
                pass
        self.external_files.clear()
        self.driver.close()
        # the derived metadata refers back to this state (a cycle): dropped here, it is
        # freed at once instead of by a full garbage collection later
        with self.cache_lock:
            self.cache.clear()
        self._headers.items.clear()
        self._gheaps.items.clear()
        self.decoded.items = {}
