"""The open-file state: a driver, the superblock, the format context, and the caches of
parsed metadata shared by every object of the file.

This is the only layer that holds a driver and a format context together.  What the file
state derives from one object (its links, attributes, dataset storage, virtual mappings)
is kept in that object's :class:`ObjectViews`, built on first use through the typed
accessors :meth:`FileState.links`, :meth:`FileState.attributes` and
:meth:`FileState.dataset`, and dropped in one place, :meth:`FileState.invalidate`.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..drivers import get_driver
from ..drivers.base import Driver
from ..drivers.locking import LockPolicy
from ..errors import FormatError
from ..format.context import FormatContext
from ..format.messages import MessageType
from ..format.object_header import ObjectHeader, read_object_header, scan_v1_message_types
from ..format.superblock import (
    Superblock,
    decode_superblock,
    locate_superblock,
    read_superblock_extension,
    superblock_extension_messages,
)
from .chunkcache import ChunkCacheSettings
from .dataset import DatasetStorage
from .links import LinkTable, read_links
from .objects import ObjectInfo, kind_of

if TYPE_CHECKING:
    from ..format.fractal_heap import FractalHeap
    from ..format.global_heap import GlobalHeapCollection
    from ..format.messages.misc import DriverInfo
    from ..format.sohm import SohmIndex
    from .attributes import AttributeTable
    from .session import WriteSession
    from .virtual import VirtualState

_SUPERBLOCK_READ = 4096
_HEADER_CACHE_ITEMS = 4096
_GHEAP_CACHE_ITEMS = 256
_DECODED_CACHE_ITEMS = 4096
_SPLIT_READ_BYTES = 8 << 20
"""A read of at least this many bytes into one buffer is split across the threads (on
drivers with ``parallel_reads``): one thread copying out of the page cache reaches about
half the machine's memory bandwidth; below it, waking the threads costs more than it
saves."""


class FileSource:
    """ByteSource at relative addresses over a driver, bounded by the physical file size.

    Metadata a write session staged for its next commit (:meth:`WriteSession.stage`
    outside a commit: an external file list's name heap) is read from :attr:`staged`
    until the commit writes it."""

    def __init__(self, driver: Driver, base: int) -> None:
        self.driver = driver
        self.base = base
        self._size = driver.size()
        self.staged: dict[int, bytes] = {}
        """Relative address -> bytes staged there and not yet written."""

    def refresh_size(self) -> None:
        self._size = self.driver.size()

    def _from_staged(self, address: int, size: int) -> bytes | None:
        for start, blob in self.staged.items():
            if start <= address and address + size <= start + len(blob):
                return blob[address - start : address - start + size]
        return None

    def read(self, address: int, size: int) -> bytes:
        if self.staged:
            found = self._from_staged(address, size)
            if found is not None:
                return found
        start = self.base + address
        if address < 0 or size < 0 or start + size > self._size:
            self.refresh_size()
            if address < 0 or size < 0 or start + size > self._size:
                raise FormatError(
                    f"address 0x{address:x} (+{size} bytes) is beyond the end of the file "
                    f"(0x{max(0, self._size - self.base):x})"
                )
        return self.driver.read(start, size)

    def check_range(self, address: int, size: int, what: str) -> None:
        """Raise a :class:`FormatError` naming ``what`` when ``size`` bytes at
        ``address`` do not lie in the file: called before a buffer of that size is
        allocated for them, so a corrupt size fails cleanly instead of with MemoryError."""
        start = self.base + address
        if address < 0 or size < 0 or start + size > self._size:
            self.refresh_size()
            if address < 0 or size < 0 or start + size > self._size:
                raise FormatError(
                    f"{what}: address 0x{address:x} (+{size} bytes) is beyond the end of "
                    f"the file (0x{max(0, self._size - self.base):x})"
                )

    def read_many(self, ranges: list[tuple[int, int]]) -> list[bytes]:
        """The bytes of every ``(address, size)`` range, through the driver's
        :meth:`~h5pure.drivers.base.Driver.read_many` (merged requests on remote drivers)."""
        for address, size in ranges:
            if address < 0 or size < 0 or self.base + address + size > self._size:
                return [self.read(a, n) for a, n in ranges]  # raises the bounds error
        return self.driver.read_many([(self.base + a, n) for a, n in ranges])

    def prefetch(self, ranges: list[tuple[int, int]]) -> None:
        """Pass a read-soon hint for ``(address, size)`` ranges to the driver
        (:meth:`~h5pure.drivers.base.Driver.prefetch`)."""
        if not self.staged:
            self.driver.prefetch([(self.base + a, n) for a, n in ranges if a >= 0 and n > 0])

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

    def readinto_many(self, addresses: list[int], buffers: list[memoryview]) -> None:
        """Fill each of ``buffers`` (byte views) with the bytes at the matching address:
        one driver call for all, the bounds checked once."""
        if not addresses:
            return
        base = self.base
        low = min(addresses)
        high = max(a + len(b) for a, b in zip(addresses, buffers))
        if low < 0 or base + high > self._size:
            self.refresh_size()
            if low < 0 or base + high > self._size:
                for address, buf in zip(addresses, buffers):
                    self.readinto(address, buf)  # raises the first range's bounds error
        self.driver.readinto_many([(base + a, b) for a, b in zip(addresses, buffers)])

    def readinto(self, address: int, buf: memoryview) -> None:
        start = self.base + address
        if address < 0 or start + len(buf) > self._size:
            self.refresh_size()
            if address < 0 or start + len(buf) > self._size:
                raise FormatError(
                    f"address 0x{address:x} (+{len(buf)} bytes) is beyond the end of the file"
                )
        driver = self.driver
        if len(buf) >= _SPLIT_READ_BYTES and driver.parallel_reads:
            from .threads import split_readinto  # imported on first use

            split_readinto(driver.readinto, start, buf, _SPLIT_READ_BYTES // 2)
        else:
            driver.readinto(start, buf)


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

    def peek(self, key: Any) -> Any:
        """The value of ``key`` without marking it used (a dict read is atomic)."""
        return self.items.get(key)

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


@dataclass
class ObjectViews:
    """What the file state derived from one object header, built on first use and dropped
    together by :meth:`FileState.invalidate` when the object changes."""

    links: LinkTable | None = None
    attributes: AttributeTable | None = None
    dataset: DatasetStorage | None = None
    virtual: VirtualState | None = None
    """The mappings of a virtual dataset (:mod:`.virtual`)."""


def _no_open_files(path: str) -> FileState | None:
    return None


_open_file_lookup: Callable[[str], FileState | None] = _no_open_files
"""The open file of this process at ``path``, if any; set by :mod:`.opening`, which keeps
the table of open files (it imports this module, so it hands the lookup down)."""


def set_open_file_lookup(lookup: Callable[[str], FileState | None]) -> None:
    """Install the lookup of files open in this process (see :data:`_open_file_lookup`)."""
    global _open_file_lookup
    _open_file_lookup = lookup


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
        self.cached_stab: set[int] = set()
        """Addresses whose symbol table entry (in a parent's node) says the object holds a
        symbol table (cache type 1): libhdf5 writes it for every old-style group, so a
        walk knows such an object is a group without reading its header."""
        self._gheaps = _LRU(_GHEAP_CACHE_ITEMS)
        self.decoded = _ContentCache(_DECODED_CACHE_ITEMS)
        """Decoded messages keyed by their encoded bytes (content-addressed, so a change to
        an object never makes an entry stale): attribute messages, decoded once."""
        self._views: dict[int, ObjectViews] = {}
        self.cache_lock = threading.RLock()
        """Held while a view is built or dropped."""
        self._sohm_indexes: list[SohmIndex] | None = None
        self._sohm_heaps: dict[int, FractalHeap] = {}
        self._file_key: Any = None
        self.external_files: dict[str, Any] = {}
        """Files opened through external links (hl ``File`` objects), by link file name
        and way of access.  They outlive this file while their objects are in use."""
        self.swmr = False
        """SWMR mode: a reader opened with ``swmr=True``, or a writer that started it."""
        self.vds_sources: dict[str, FileState] = {}
        """Source files of virtual datasets, by the name the mapping gives."""
        self.writer: WriteSession | None = None
        """The write session when the file is open for writing."""
        self.chunk_cache = ChunkCacheSettings()
        """The raw data chunk cache settings of every dataset (``File(rdcc_*=...)``)."""
        self.lock_policy: LockPolicy | None = None
        """The file locking this file was opened with (another open of it in this process
        must ask for the same, as libhdf5's); None when opened otherwise."""
        self.chunk_cache_overrides: dict[int, ChunkCacheSettings] = {}
        """Dataset address -> its own settings (``create_dataset(rdcc_*=...)``)."""
        self.efile_prefixes: dict[int, str] = {}
        """Dataset address -> the directory its relative external file names are under
        (h5py's ``efile_prefix``, a dataset access setting)."""
        self.virtual_prefixes: dict[int, str] = {}
        """Virtual dataset address -> the directory its relative source file names are
        also looked for in (h5py's ``virtual_prefix``, a dataset access setting)."""

    def driver_info(self) -> DriverInfo | None:
        """The file's driver information: the v0/v1 driver info block, or the v2+
        superblock extension's driver info message; None when the file has none."""
        sb = self.superblock
        if sb.driver_info is not None or not sb.has_extension():
            return sb.driver_info
        found = read_superblock_extension(self.source, self.ctx, sb.extension_address).get(
            MessageType.DRIVER_INFO
        )
        from ..format.messages.misc import DriverInfo

        return found if isinstance(found, DriverInfo) else None

    def superblock_extension(self) -> dict[Any, Any]:
        """The superblock extension's messages by type (decoded; empty without one), from
        the write session's model while it has not been written."""
        sb = self.superblock
        if not sb.has_extension():
            return {}
        return superblock_extension_messages(self.object_header(sb.extension_address), self.ctx)

    def page_size(self) -> int:
        """The file space page size of a file with the "page" strategy (its File Space
        Info message), else 0."""
        if self.writer is not None:  # (set from the message at open, or at creation)
            return int(self.writer.allocator.page_size)
        found = self.superblock_extension().get(MessageType.FILE_SPACE_INFO)
        if found is None or int(found.version) < 1 or int(found.strategy) != 1:
            return 0
        return int(found.page_size or 4096)

    @property
    def root_address(self) -> int:
        return int(self.superblock.root_object_header_address)

    @property
    def dirname(self) -> str:
        return os.path.dirname(os.path.abspath(self.filename)) if self.filename else os.getcwd()

    @property
    def driver_name(self) -> str:
        return self.driver.name

    @property
    def is_open(self) -> bool:
        return not self.driver.closed

    @property
    def in_memory_only(self) -> bool:
        """A core-driver file without a backing store (nothing reaches a disk)."""
        return not getattr(self.driver, "backing_store", True)

    def image(self) -> bytes:
        """The whole file as bytes (libhdf5's file image), user block included: what is on
        the driver, so the caller commits first."""
        return bytes(self.driver.read(0, int(self.driver.size())))

    def filesize(self) -> int:
        """Size of the file in bytes: the larger of its physical size and the space in use."""
        size = int(self.driver.size())
        if self.writer is not None:
            size = max(size, self.ctx.base_address + int(self.writer.allocator.eoa))
        return size

    def absolute(self, address: int) -> int:
        """The file offset of relative ``address`` (the user block before it)."""
        return int(self.ctx.base_address + address)

    def is_undefined(self, address: int | None) -> bool:
        """Whether ``address`` is absent or the undefined address (nothing allocated)."""
        return address is None or self.ctx.is_undefined(address)

    def file_key(self) -> Any:
        """What identifies the file across opens: its device and inode when it has a name
        (libhdf5 shares one open file between opens, so h5py ids compare equal), else the
        open file itself."""
        if self._file_key is None:
            key: Any = id(self)
            if self.filename:
                try:
                    st = os.stat(self.filename)
                    key = (st.st_dev, st.st_ino)
                except OSError:
                    pass
            self._file_key = key
        return self._file_key

    # -- object headers and heaps ---------------------------------------------------------
    def object_header(self, address: int) -> ObjectHeader:
        writer = self.writer
        if writer is not None:
            model = writer.objects.get(address)
            if model is not None:
                return model.header()
        header = self._headers.get(address)
        if header is None:
            header = read_object_header(self.source, self.ctx, address)
            self._headers.put(address, header)
        return header  # type: ignore[no-any-return]

    def object_kind(self, address: int) -> str:
        """The kind of the object at ``address`` ("group", "dataset", "datatype",
        "unknown"), from its message types: a version 1 header not yet decoded is only
        scanned for them (a names-only walk decodes no dataset header)."""
        header = None
        if self.writer is None:
            header = self._headers.peek(address)
            if header is None:
                if address in self.cached_stab:
                    return "group"
                types = scan_v1_message_types(self.source, self.ctx, address)
                if types is not None:
                    return kind_of(types)
        if header is None:
            header = self.object_header(address)  # v2, or irregular: raises the fault
        return kind_of({m.type for m in header.messages})

    def global_heap_object(self, collection_address: int, index: int) -> bytes:
        """The bytes of object ``index`` of the global heap collection at the address."""
        if self.writer is not None:
            data = self.writer.heap.get(collection_address, index)
            if data is not None:
                return data
        return self.global_heap_collection(collection_address).get(index)

    def global_heap_collection(self, collection_address: int) -> GlobalHeapCollection:
        """The global heap collection at the address (cached; a collection the writer has
        not flushed yet comes from the writer), for callers that gather many objects."""
        if self.writer is not None:
            pending = self.writer.heap.collection(collection_address)
            if pending is not None:
                return pending
        coll: GlobalHeapCollection | None = self._gheaps.get(collection_address)
        if coll is None:
            from ..format.global_heap import read_global_heap_collection

            coll = read_global_heap_collection(self.source, self.ctx, collection_address, lazy=True)
            self._gheaps.put(collection_address, coll)
        return coll

    def forget_global_heap_collection(self, collection_address: int) -> None:
        """The collection at the address was written anew (the writer's flush)."""
        self._gheaps.pop(collection_address)

    # -- shared messages ------------------------------------------------------------------
    def sohm_indexes(self) -> list[SohmIndex]:
        """The file's SOHM indexes (empty when the superblock extension declares none)."""
        found = self._sohm_indexes
        if found is None:
            with self.cache_lock:
                found = self._sohm_indexes = self._read_sohm_indexes()
        return found

    def _read_sohm_indexes(self) -> list[SohmIndex]:
        ext = self.superblock.extension_address
        if ext is None or self.ctx.is_undefined(ext):
            return []
        table = read_superblock_extension(self.source, self.ctx, ext).get(
            MessageType.SHARED_MESSAGE_TABLE
        )
        if table is None:
            return []
        from ..format.sohm import read_sohm_master_table  # files with shared messages only

        return read_sohm_master_table(self.source, self.ctx, table.table_address, table.num_indices)

    def sohm_heap(self, address: int) -> FractalHeap:
        """The fractal heap of a shared message index (opened once)."""
        heap = self._sohm_heaps.get(address)
        if heap is None:
            from ..format.fractal_heap import FractalHeap  # shared messages only

            with self.cache_lock:
                heap = self._sohm_heaps[address] = FractalHeap.open(self.source, self.ctx, address)
        return heap

    # -- views of objects -----------------------------------------------------------------
    def views(self, address: int) -> ObjectViews:
        """The views derived from the object at ``address`` (created empty on first use)."""
        views = self._views.get(address)
        if views is None:
            with self.cache_lock:
                views = self._views.setdefault(address, ObjectViews())
        return views

    def links(self, info: ObjectInfo) -> LinkTable:
        """The links of the group ``info``, in h5py's order (read once per change)."""
        table = self.views(info.address).links
        if table is None:
            table = self._build(info, "links", read_links)
        return table  # type: ignore[no-any-return]

    def attributes(self, info: ObjectInfo) -> AttributeTable:
        """The attributes of the object ``info``, in h5py's order (read once per change)."""
        table = self.views(info.address).attributes
        if table is None:
            from .attributes import read_attributes  # loaded on the first look at attributes

            table = self._build(info, "attributes", read_attributes)
        return table  # type: ignore[no-any-return]

    def dataset(self, info: ObjectInfo) -> DatasetStorage:
        """The storage of the dataset ``info`` (decoded once per change)."""
        storage = self.views(info.address).dataset
        if storage is None:
            storage = self._build(info, "dataset", DatasetStorage)
        return storage  # type: ignore[no-any-return]

    def _build(
        self, info: ObjectInfo, view: str, make: Callable[[FileState, ObjectInfo], Any]
    ) -> Any:
        """The view ``view`` of ``info``, made by ``make`` unless another thread made it
        first."""
        with self.cache_lock:
            views = self.views(info.address)
            value = getattr(views, view)
            if value is None:
                value = make(self, info)
                setattr(views, view, value)
            return value

    def refresh(self, address: int) -> None:
        """Read the object at ``address`` afresh from the file (another process may have
        changed it: h5py's ``refresh`` of a SWMR reader)."""
        if self.writer is not None and self.writer.objects.get(address) is not None:
            return  # this process writes it: the session's model is the current state
        self._headers.pop(address)
        self.cached_stab.discard(address)
        self.source.refresh_size()
        if self.swmr:
            self.follow_growth()
        self.invalidate(address)

    def start_swmr_read(self) -> None:
        """Read as a SWMR reader (h5py's ``swmr=True``): the writer of another process
        appends while this file is open, so the end of the file is where the file ends
        now, not where the superblock read at open said (libhdf5's SWMR readers likewise
        read past the stored end of allocation)."""
        self.swmr = True
        self.follow_growth()

    def follow_growth(self) -> None:
        """Let reads reach the file's current end (a SWMR reader, after a refresh)."""
        size = self.driver.size() - self.ctx.base_address
        if self.ctx.eof_address is not None and size > self.ctx.eof_address:
            self.ctx = replace(self.ctx, eof_address=size)

    def cached(self, address: int) -> ObjectViews | None:
        """The views of ``address`` built so far, without creating any."""
        return self._views.get(address)

    def invalidate(self, address: int) -> None:
        """The object at ``address`` changed: every view derived from it goes."""
        with self.cache_lock:
            self._views.pop(address, None)

    # -- files the file refers to ---------------------------------------------------------
    def open_vds_source(self, name: str, prefix: str | None = None) -> FileState | None:
        """The source file ``name`` of a virtual dataset mapping, opened read-only once
        (``"."`` is this file), found where libhdf5 looks for it (``prefix``: the
        dataset's ``virtual_prefix``); None when missing."""
        if name == ".":
            return self
        key = name if not prefix else f"{prefix}\0{name}"
        cached = self.vds_sources.get(key)
        if cached is not None:
            return cached
        for path in self.search_path(name, "HDF5_VDS_PREFIX", by_basename=True, prefix=prefix):
            if not os.path.isfile(path):
                continue
            if (
                self.filename
                and os.path.exists(self.filename)
                and os.path.samefile(path, self.filename)
            ):
                return self
            open_here = _open_file_lookup(path)
            if open_here is not None and open_here.writer is not None:
                # written in this process, maybe not committed yet: read through that
                # open file, as libhdf5 shares it; not cached, it may close first.  A file
                # only open for reading is opened again below: its owner may close it
                # (or the garbage collector may) in the middle of a read of this one
                return open_here
            driver = get_driver("sec2")(path, "r")
            try:
                other = FileState(driver, path)
            except BaseException:
                driver.close()
                raise
            self.vds_sources[key] = other
            return other
        return None

    def search_path(
        self, name: str, env: str, *, by_basename: bool = False, prefix: str | None = None
    ) -> Iterator[str]:
        """Where libhdf5 looks for a file another file names (external links:
        ``HDF5_EXT_PREFIX``; virtual dataset sources: ``HDF5_VDS_PREFIX``, as
        ``H5F_prefix_open_file``): an absolute name as given, then under each directory of
        ``env`` (``${ORIGIN}`` = this file's directory; with ``by_basename`` by the name's
        last component), under ``prefix`` (the access property's directory), this file's
        directory, the name itself, and (``by_basename``) the directory of the file the
        name of this one links to."""
        if os.path.isabs(name) and by_basename:
            yield name
            name = os.path.basename(name)
        origin = self.dirname
        for directory in os.environ.get(env, "").split(os.pathsep):
            if directory:
                yield os.path.join(directory.replace("${ORIGIN}", origin), name)
        if prefix:
            yield os.path.join(prefix.replace("${ORIGIN}", origin), name)
        if not os.path.isabs(name) and (self.filename or by_basename):
            yield os.path.join(origin, name)
        yield name
        if by_basename and self.filename:
            yield os.path.join(os.path.dirname(os.path.realpath(self.filename)), name)

    def close(self) -> None:
        # files opened through external links stay open while objects of them are in use
        # (as libhdf5 keeps them): dropped here, each closes when its last object goes
        self.external_files.clear()
        for other in self.vds_sources.values():
            if other is not self:
                other.close()
        self.vds_sources.clear()
        self.driver.close()
        # the derived metadata refers back to this state (a cycle): dropped here, it is
        # freed at once instead of by a full garbage collection later
        with self.cache_lock:
            self._views.clear()
            self._sohm_heaps.clear()
        # so is the write session, with its model of every object it loaded or made: a
        # group or dataset object kept after the close (h5py's are invalid then) would
        # otherwise keep them all alive, and the cycle collector walking them
        self.writer = None
        self._headers.items.clear()
        self._gheaps.items.clear()
        self.decoded.items = {}
