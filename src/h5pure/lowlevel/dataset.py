"""The dataset read engine: map a selection onto the storage (compact, contiguous, chunked,
external, virtual) and move the bytes into one numpy array of the storage dtype.

Chunked data: the chunk index is loaded once into a :class:`ChunkTable` of numpy arrays;
the chunks a selection touches come from the selection's projections, are fetched, decoded
(in a thread pool when filtered: zlib and friends release the GIL) and scattered into the
output.  Contiguous data: the selection is cut along the first axis into row blocks and only
the rows touched are read, straight into memory.
"""

from __future__ import annotations

import math
import os
import threading
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from ..drivers.base import coalesce
from ..dtypes import storage_dtype
from ..errors import ExtentError, FormatError, UnsupportedFeatureError
from ..format.chunk_index import ChunkIndexRequest, ChunkTable, chunk_index, load_chunk_table
from ..format.context import FormatContext
from ..format.local_heap import LocalHeap
from ..format.messages import MessageType
from ..format.messages.dataspace import extent_limit
from ..format.messages.layout import ChunkedLayout, CompactLayout, ContiguousLayout, Layout
from .chunkcache import ChunkCache, ChunkCacheSettings

_MAX_ARRAY_BYTES = np.iinfo(np.intp).max
"""The largest array numpy can describe (numpy refuses a larger one)."""

if TYPE_CHECKING:
    from concurrent.futures import Future

    from ..filters import ChunkInfo
    from ..format.messages.filter_pipeline import FilterPipeline
    from .file import FileState
    from .objects import ObjectInfo


def decode_chunk(
    data: bytes | bytearray | memoryview,
    pipeline: FilterPipeline,
    filter_mask: int,
    chunk: ChunkInfo,
) -> bytes | memoryview:
    """:func:`h5pure.filters.decode_chunk`: the filters are imported when the first chunk
    is decoded (opening a file to look at shapes loads no filter or codec module)."""
    global _decode_chunk
    if _decode_chunk is None:  # (kept: an import statement per chunk costs ~0.5 us)
        from ..filters import decode_chunk as decode

        _decode_chunk = decode
    return _decode_chunk(data, pipeline, filter_mask, chunk)


_decode_chunk: Callable[
    [bytes | bytearray | memoryview, FilterPipeline, int, ChunkInfo], bytes | memoryview
] | None = None


def decode_chunks(
    raws: list[Any],
    addresses: list[int],
    pipeline: FilterPipeline,
    filter_mask: int,
    element_size: int,
    chunk_shape: tuple[int, ...],
) -> list[Any]:
    """:func:`h5pure.filters.pipeline.decode_chunks` (imported on first use)."""
    from ..filters.pipeline import decode_chunks as decode

    return decode(raws, addresses, pipeline, filter_mask, element_size, chunk_shape)


def dataset_cache_settings(
    nslots: int | None = None, nbytes: int | None = None, w0: float | None = None
) -> ChunkCacheSettings | None:
    """The chunk cache settings h5py's ``rdcc_*`` arguments of ``create_dataset`` and
    ``require_dataset`` ask for (ValueError when invalid): None unless one of them is
    truthy (h5py's test), the ones not given keep libhdf5's defaults."""
    if not (nslots or nbytes or w0):
        return None
    return ChunkCacheSettings().updated(nslots, nbytes, w0)


def configure_chunk_cache(fs: FileState, address: int, settings: ChunkCacheSettings) -> None:
    """Give the dataset at ``address`` its own chunk cache settings for as long as the
    file is open (h5py keeps them with the one dataset object it returns)."""
    fs.chunk_cache_overrides[address] = settings
    views = fs.cached(address)
    if views is not None and views.dataset is not None:
        views.dataset.set_cache_settings(settings)


def configure_prefixes(
    fs: FileState, address: int, *, efile: str | None = None, virtual: str | None = None
) -> None:
    """Give the dataset at ``address`` the directories its relative external file names
    (``efile``) and virtual dataset source file names (``virtual``) are looked for
    under, for as long as the file is open (h5py's dataset access settings
    ``efile_prefix`` and ``virtual_prefix``); a leading ``${ORIGIN}`` is this file's
    directory, as libhdf5 expands it."""
    for given, table in ((efile, fs.efile_prefixes), (virtual, fs.virtual_prefixes)):
        if given is None:
            continue
        if given.startswith("${ORIGIN}"):
            given = fs.dirname + given[len("${ORIGIN}") :]
        if given in ("", "."):
            table.pop(address, None)
        else:
            table[address] = given


_ROW_BLOCK_BYTES = 4 << 20
_READINTO_BYTES = 64 << 10
"""A one-block read of at least this many bytes goes into the new array itself; below
it, reading bytes and copying them costs less than the empty array and the view."""
_BATCH_BYTES = 64 << 20
"""Stored bytes in flight (read, not yet decoded) on drivers without batched reads."""
_COALESCE_GAP = 4 << 10
"""Stored ranges at most this far apart are fetched with one (vectored) read."""
_COALESCE_SPAN = 8 << 20
"""The most bytes one coalesced read spans."""
_GATHER_MIN_ROWS = 8
"""Fewest rows picked along axis 0 for :meth:`DatasetStorage._gather_rows`."""
_GATHER_PIECE_COST = 8 << 10
"""What a separate read costs, in bytes a read could copy in the same time (a
``preadv`` of a few hundred bytes from the page cache: ~1.5 us, ~8 KiB at 5 GiB/s)."""
_TILE_MIN_CHUNKS = 64
"""Fewest chunks a box must cover for :meth:`DatasetStorage._read_tiles`."""
_TILE_MAX_BYTES = 16 << 10
"""Largest decoded chunk :meth:`DatasetStorage._read_tiles` takes (bigger chunks cost
more in decoding than in Python, and the thread pool decodes them in parallel)."""
_TILE_SPAN = 8 << 20
"""The most bytes one read of :meth:`DatasetStorage._read_tiles` spans."""
_TASK_BYTES = 256 << 10
"""Stored bytes of small chunks decoded by one thread-pool task (fewer tasks: a task
costs about as much as decoding a few KiB)."""
_FILL_TIME_NEVER = 1
"""The fill value message's fill time "never" (``H5D_FILL_TIME_NEVER``)."""
_PATH_LOOKUP_MAX = 256
"""Most chunks a remote read looks up by descending the chunk index (``_path_lookup``)."""
_LEAF_AROUND = 4 << 20
"""Most bytes fetched around a chunk-index leaf with it on remote storage (at most a
round trip's worth): libhdf5 writes leaves among the chunks they index."""
_PATH_LOOKUPS = 16
"""Reads of a dataset that descend its chunk index before the whole index is loaded."""
_REGION_MIN_LEAVES = 4
"""A remote read of most of a dataset whose chunk index has at least this many leaves
fetches the span the leaves lie in at once (``_region_lookup``)."""
_REGION_PART = 8 << 20
"""Bytes per range of such a span (the driver merges them into its largest requests)."""
_REGION_MAX = 256 << 20
"""Largest span fetched so: it is held in memory for the whole read (a larger dataset's
chunks come in bounded batches, ``_REMOTE_BATCH_BYTES``, after its index)."""
_REMOTE_BATCH_BYTES = 32 << 20
"""Stored chunk bytes per ``read_many`` call on drivers with batched reads (half the fsspec
driver's largest merged request, so that a batch's chunks with the B-tree nodes between
them are one request): the next batch is fetched while one decodes."""
_FILTERED_SPAN = 1 << 20
"""The same for filtered chunks: decoding starts once a group is read, and a big chunk
read alone comes as bytes the decoder needs not copy."""

__all__ = [
    "DatasetStorage",
    "configure_chunk_cache",
    "configure_prefixes",
    "dataset_cache_settings",
]


class _Region:
    """Bytes of the file from ``start`` fetched at once for one read (``_region_lookup``):
    the chunk index and the chunks that lie in them are read from here."""

    __slots__ = ("starts", "parts", "end")

    def __init__(self, start: int, parts: list[bytes]) -> None:
        self.starts: list[int] = []
        at = start
        for part in parts:
            self.starts.append(at)
            at += len(part)
        self.parts = parts
        self.end = at

    def get(self, address: int, size: int) -> bytes | None:
        """The ``size`` bytes at ``address``, or None when they are not all in the region."""
        if not self.starts or address < self.starts[0] or address + size > self.end:
            return None
        k = bisect_right(self.starts, address) - 1
        lo = address - self.starts[k]
        part = self.parts[k]
        if lo + size <= len(part):
            return part[lo : lo + size]
        pieces = [memoryview(part)[lo:]]
        left = size - len(pieces[0])
        while left > 0:
            k += 1
            piece = memoryview(self.parts[k])[:left]
            pieces.append(piece)
            left -= len(piece)
        return b"".join(pieces)


class _RegionSource:
    """A file source whose reads inside ``region`` come from it (no request)."""

    def __init__(self, source: Any, region: _Region) -> None:
        self.source = source
        self.region = region

    def read(self, address: int, size: int) -> bytes:
        data = self.region.get(address, size)
        return self.source.read(address, size) if data is None else data

    def prefetch(self, ranges: list[tuple[int, int]]) -> None:
        region = self.region
        outside = [(a, n) for a, n in ranges if a < region.starts[0] or a + n > region.end]
        if len(outside) > 1:
            self.source.prefetch(outside)


class _ChunkLookup:
    """The chunk index of a dataset as arrays (``table``), its chunks' grid coordinates
    (``grid``) and, built on first use, a dict from grid coordinates to table rows."""

    def __init__(self, table: ChunkTable, grid: np.ndarray) -> None:
        self.table = table
        self.grid = grid
        self.whole: dict[tuple[int, ...], int] = {}
        """Grid coordinates -> file address of a stored chunk holding all its bytes (-1
        when it is missing or shorter), filled by :meth:`DatasetStorage.simple_target` as
        it looks chunks up; it goes with the lookup, which is replaced when chunks
        change."""

    @classmethod
    def of(cls, table: ChunkTable, chunk_shape: tuple[int, ...]) -> _ChunkLookup:
        """The lookup of ``table``, its grid coordinates from the chunk origins."""
        cs = np.asarray(chunk_shape, dtype=np.int64)
        return cls(table, table.offsets // cs if len(table) else table.offsets)

    @cached_property
    def index(self) -> dict[tuple[int, ...], int]:
        return {tuple(row): i for i, row in enumerate(self.grid.tolist())}


_UNSET: Any = object()

_MAX_FILE_OFFSET = 2**63 - 1
"""Largest offset a file can be read at (a signed 64-bit ``off_t``)."""


def extent_refusal(
    ctx: FormatContext, layout: Layout, shape: tuple[int, ...], maxshape: tuple[int | None, ...]
) -> str | None:
    """Why a dataset of ``layout`` cannot be written with current dims ``shape`` (maximum
    ``maxshape``): a dim or element count its dataspace message cannot encode, or more
    chunks than its chunk index can number; None when it can."""
    why = extent_limit(shape, ctx)
    if why is None:
        why = extent_limit(tuple(m for m in maxshape if m is not None), ctx, current=False)
    if why is None and isinstance(layout, ChunkedLayout):
        request = ChunkIndexRequest(ctx, layout, shape, maxshape, filtered=False)
        why = chunk_index(layout.index_type).extent_limit(request)
    return why


class DatasetStorage:
    """Everything needed to read a dataset's elements, decoded once per open dataset."""

    def __init__(self, fs: FileState, obj: ObjectInfo) -> None:
        self.fs = fs
        # not kept: ``obj`` (its header and decoded messages) would outlive the dataset
        # object in the file's cache, and the messages needed are copied out below
        self.address = obj.address
        try:
            self._decode_messages(obj)
        except FormatError as e:
            raise type(e)(f"{self.where()}: {e}") from e
        self._lookup: _ChunkLookup | None = None
        self._path_lookups = 0
        """Reads that looked their chunks up by descending the index (``_path_lookup``)."""
        self._lock = threading.Lock()
        self._simple_plan: Any = None
        self._memory_view: Any = _UNSET
        self.cache_settings: ChunkCacheSettings = fs.chunk_cache_overrides.get(
            obj.address, fs.chunk_cache
        )
        self._cache: ChunkCache | None = None
        self._check_storage_size()

    def _decode_messages(self, obj: ObjectInfo) -> None:
        self.dataspace = obj.first(MessageType.DATASPACE)
        self.datatype = obj.first(MessageType.DATATYPE)
        layout = obj.first(MessageType.LAYOUT)
        if self.dataspace is None or self.datatype is None or not isinstance(layout, Layout):
            raise FormatError("it lacks a dataspace, datatype or layout message")
        self.layout: Layout = layout
        self.pipeline = obj.first(MessageType.FILTER_PIPELINE)
        self.fill_message = obj.first(MessageType.FILL_VALUE)
        self.old_fill_message = obj.first(MessageType.FILL_VALUE_OLD)
        self.efl = obj.first(MessageType.EXTERNAL_FILE_LIST)
        self._shape: tuple[int, ...] = tuple(int(n) for n in self.dataspace.shape)
        self.maxshape = tuple(self.dataspace.maxshape)
        self.is_null = self.dataspace.kind == "null"
        self._grows_with_sources = self.layout.layout_class == "virtual" and None in self.maxshape
        self.storage_dtype: np.dtype = storage_dtype(self.datatype)
        self.element_size = int(self.datatype.size)

    def where(self) -> str:
        """The dataset in error messages: its address and file."""
        return f"dataset at 0x{self.address:x} of {self.fs.filename!r}"

    def _check_storage_size(self) -> None:
        """Refuse an extent the stored elements cannot hold before anything is sized by
        it, as libhdf5 does when it opens the dataset (``H5D__contig_check``,
        ``H5D__compact_init``): a corrupt dimension then fails here, cleanly, instead of
        allocating the output of a read from it."""
        layout = self.layout
        if self.is_null or not isinstance(layout, (ContiguousLayout, CompactLayout)):
            return
        nbytes = math.prod(self._shape) * self.element_size
        if isinstance(layout, CompactLayout):
            held = len(layout.compact_data or b"")
            if held < nbytes:
                raise FormatError(
                    f"{self.where()}: size of compact dataset's data buffer ({held} bytes) "
                    f"does not match size of dataset data ({nbytes} bytes for shape "
                    f"{self._shape})"
                )
            return
        address = self.contiguous_address
        if address is None:  # external or never allocated: nothing in this file to bound
            return
        if nbytes >= 1 << (8 * self.fs.ctx.size_of_lengths):
            raise FormatError(f"{self.where()}: size of dataset's storage overflowed")
        end = self.fs.filesize() - self.fs.ctx.base_address
        if address + nbytes > end:
            raise FormatError(
                f"{self.where()}: invalid dataset size, likely file corruption: "
                f"{nbytes} bytes for shape {self._shape} at 0x{address:x} pass the end of "
                f"the file (0x{end:x})"
            )

    # -- properties ---------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The extent: the stored one, except for a virtual dataset with unlimited
        dimensions, which libhdf5 sizes from what its sources hold at each look (they
        may grow or shrink meanwhile, in this process or another)."""
        if self._grows_with_sources:
            from .virtual import virtual_extent  # virtual datasets only

            return virtual_extent(self)
        return self._shape

    @property
    def stored_shape(self) -> tuple[int, ...]:
        """The extent the dataspace message records."""
        return self._shape

    @property
    def layout_class(self) -> str:
        return str(self.layout.layout_class)

    @property
    def chunk_shape(self) -> tuple[int, ...] | None:
        layout = self.layout
        known = self.__dict__.get("_chunk_shape_of")
        if known is not None and known[0] is layout:  # asked once per chunk: kept
            return known[1]  # type: ignore[no-any-return]
        shape = (
            tuple(int(n) for n in layout.chunk_shape) if isinstance(layout, ChunkedLayout) else None
        )
        self.__dict__["_chunk_shape_of"] = (layout, shape)
        return shape

    @property
    def contiguous_address(self) -> int | None:
        """Where the contiguous data starts in the file (relative); None for other layouts,
        external storage, and storage never allocated."""
        layout = self.layout
        if not isinstance(layout, ContiguousLayout) or (self.efl is not None and self.efl.slots):
            return None
        return None if self.fs.is_undefined(layout.address) else int(layout.address or 0)

    @property
    def compact_data(self) -> bytes:
        """The data of a compact dataset (empty for other layouts)."""
        layout = self.layout
        return bytes(layout.compact_data or b"") if isinstance(layout, CompactLayout) else b""

    def storage_size(self) -> int:
        """Bytes of file space the elements occupy (0 until allocated, and for external
        and virtual storage)."""
        layout = self.layout
        if isinstance(layout, ChunkedLayout):
            return int(np.sum(self.chunk_table().sizes, dtype=np.uint64))
        if isinstance(layout, CompactLayout):
            return len(layout.compact_data or b"")
        if self.contiguous_address is not None and isinstance(layout, ContiguousLayout):
            return int(layout.size or 0)
        return 0

    @property
    def filters(self) -> list[Any]:
        return list(self.pipeline.filters) if self.pipeline is not None else []

    def external_files(self) -> list[tuple[str, int, int]] | None:
        """The external raw data files (name, offset, size), or None when the dataset
        keeps its data in the file."""
        efl = self.efl
        if efl is None:
            return None
        heap = LocalHeap.read(self.fs.source, self.fs.ctx, efl.heap_address)
        return [
            (
                heap.string_at(s.name_offset).decode("utf-8", "surrogateescape"),
                int(s.offset),
                int(s.size),
            )
            for s in efl.slots
        ]

    def has_data(self) -> bool:
        """Whether the elements were ever stored (else they read as the fill value)."""
        if isinstance(self.layout, CompactLayout) or (self.efl is not None and self.efl.slots):
            return True
        return self.contiguous_address is not None

    def fill_bytes(self) -> bytes | None:
        """The fill value's bytes, or None for "all zero"."""
        fv = self.fill_message
        if fv is not None and fv.defined and fv.value:
            return bytes(fv.value)
        old = self.old_fill_message
        if (fv is None or fv.defined) and old is not None and old.value:
            return bytes(old.value)
        return None

    def _written_fill(self) -> bytes | None:
        """The bytes new storage and unwritten elements get: the fill value's, or None
        for zeros -- also when the fill time is "never" (libhdf5 then leaves them as they
        are; h5pure's reads and new storage give zeros, never the fill value)."""
        fv = self.fill_message
        if fv is not None and fv.fill_time == _FILL_TIME_NEVER:
            return None
        return self.fill_bytes()

    def fill_value(self) -> np.ndarray:
        """The fill value as a 0-d array of the storage dtype."""
        raw = self.fill_bytes()
        if raw is None or len(raw) != self.storage_dtype.itemsize:
            return np.zeros((), dtype=self.storage_dtype)
        return np.frombuffer(raw, dtype=self.storage_dtype).reshape(())

    def new_output(self, shape: tuple[int, ...], fill: bool = True) -> np.ndarray:
        """A new array of the storage dtype for a read of ``shape``: set to the fill value,
        or (not ``fill``) uninitialized, for a read that sets every element itself."""
        running = self.storage_dtype.itemsize
        for n in shape:  # numpy's rule: no partial product of the sizes may overflow
            running *= int(n)
            if running > _MAX_ARRAY_BYTES:  # numpy's refusal names neither dataset nor size
                raise ValueError(
                    f"cannot read a selection of shape {shape} ({self.storage_dtype.itemsize}"
                    f"-byte elements) of the {self.where()} into one array: larger than "
                    "numpy can describe; read a smaller selection"
                )
        if not fill:
            return np.empty(shape, dtype=self.storage_dtype)
        raw = self._written_fill()
        if raw is None or len(raw) != self.storage_dtype.itemsize:
            return np.zeros(shape, dtype=self.storage_dtype)
        out = np.empty(shape, dtype=self.storage_dtype)
        out[...] = np.frombuffer(raw, dtype=self.storage_dtype)[0]
        return out

    def fill_output(self, out: np.ndarray) -> None:
        """Set every element of ``out`` (caller memory) to the fill value (zeros when
        the fill time is "never")."""
        raw = self._written_fill()
        if raw is None or len(raw) != self.storage_dtype.itemsize:
            # zero bytes of the dtype (``0`` would be converted: b"0" for strings)
            out[...] = np.zeros((), dtype=self.storage_dtype)
        else:
            out[...] = np.frombuffer(raw, dtype=self.storage_dtype)[0]

    # -- chunk index --------------------------------------------------------------------
    def chunk_lookup(self) -> _ChunkLookup:
        """The chunk index as arrays plus a grid-coordinates dict, built on first use.

        A writer drops it (``forget_chunks``, ``reset_extent``) while readers may be
        between a test and a use: the reference is taken once, so a reader gets either
        the old lookup or a new one, never None."""
        lookup = self._lookup
        if lookup is not None:
            return lookup
        with self._lock:
            lookup = self._lookup
            if lookup is None:
                writer = self.fs.writer
                store = writer.chunks.loaded(self.address) if writer is not None else None
                table = store.table() if store is not None else self._load_table(self.fs.source)
                lookup = self._lookup = _ChunkLookup.of(table, tuple(self.chunk_shape or ()))
            return lookup

    def _load_table(self, source: Any) -> ChunkTable:
        """The whole chunk index read through ``source``, errors naming the dataset."""
        try:
            return load_chunk_table(
                source,
                self.fs.ctx,
                self.layout,
                self.shape,
                self.maxshape,
                self.element_size,
                bool(self.filters),
            )
        except FormatError as e:
            raise type(e)(f"{self.where()}: {e}") from e

    def _remote_v1_index(self, sel: Any) -> int | None:
        """The address of this dataset's v1 B-tree chunk index when a remote read may
        look into it itself (``_path_lookup``, ``_region_lookup``): no writer, an
        orthogonal selection, an index with an address; else None."""
        layout = self.layout
        if (
            self.fs.writer is not None
            or not isinstance(layout, ChunkedLayout)
            or layout.index_type != 0  # ChunkIndexType.BTREE_V1
            or not self.chunk_shape
            or sel.points is not None
        ):
            return None
        address = layout.index_address
        if address is None or self.fs.ctx.is_undefined(address):
            return None
        return int(address)

    def _path_lookup(self, sel: Any) -> _ChunkLookup | None:
        """On remote storage, the records of just the chunks a small selection touches,
        found by descending a v1 B-tree index as libhdf5 does (the nodes on their paths,
        a level per round of requests) instead of loading every leaf of a large index;
        not kept (the next read looks again, or loads the whole index).  None when the
        whole index is the better buy: another index type, a writer, a point selection,
        or a selection touching more than an eighth of the chunks."""
        address = self._remote_v1_index(sel)
        chunk_shape = self.chunk_shape
        if address is None or not chunk_shape:
            return None
        grid = math.prod(-(-n // c) for n, c in zip(self.shape, chunk_shape))
        touched = sel.touched_chunk_count(chunk_shape)
        if touched > _PATH_LOOKUP_MAX or 8 * touched > grid:
            return None
        self._path_lookups += 1
        if self._path_lookups > _PATH_LOOKUPS:
            return None  # read after read: the whole index, loaded once, serves them all
        coords = []
        for proj in sel.chunk_projections(chunk_shape):
            coords.append(tuple(int(c) * n for c, n in zip(proj.chunk_coords, chunk_shape)))
        from ..format.btree_v1 import find_chunks_btree_v1
        from ..format.chunk_index.dispatch import check_chunk_offsets

        try:
            around = min(int(getattr(self.fs.source.driver, "round_trip_bytes", 0)), _LEAF_AROUND)
            table = find_chunks_btree_v1(
                self.fs.source, self.fs.ctx, address, len(chunk_shape), coords, around
            )
            check_chunk_offsets(
                table, chunk_shape, tuple(self.maxshape), f"chunk index (btree v1) at 0x{address:x}"
            )
        except FormatError as e:
            raise type(e)(f"{self.where()}: {e}") from e
        return _ChunkLookup.of(table, chunk_shape)

    def _region_lookup(self, sel: Any) -> tuple[_ChunkLookup, _Region] | None:
        """On remote storage, a read of at least half the chunks of a dataset whose v1
        B-tree index has several leaves: the internal nodes are read, then the span the
        leaves lie in (libhdf5 writes each leaf among the chunks it indexes; a round
        trip's worth of bytes either side) is fetched at once, the index read from it and
        kept, and the read's chunks inside it taken from it -- a few large requests
        instead of a request per leaf, then the chunks again.  None (nothing fetched but
        the internal nodes) when the span would hold much more than the dataset's bytes
        or more than ``_REGION_MAX``, or this does not apply."""
        address = self._remote_v1_index(sel)
        chunk_shape = self.chunk_shape
        if address is None or not chunk_shape:
            return None
        ctx = self.fs.ctx
        grid_size = math.prod(-(-n // c) for n, c in zip(self.shape, chunk_shape))
        if 2 * sel.touched_chunk_count(chunk_shape) < grid_size:
            return None
        from ..format.btree_v1 import chunk_leaf_addresses

        source = self.fs.source
        try:
            found = chunk_leaf_addresses(source, ctx, address, len(chunk_shape))
        except FormatError as e:
            raise type(e)(f"{self.where()}: {e}") from e
        if found is None or len(found[0]) < _REGION_MIN_LEAVES:
            return None
        leaves, span = found
        around = min(int(getattr(source.driver, "round_trip_bytes", 0)), _LEAF_AROUND)
        start = max(0, min(leaves) - around)
        end = min(source.driver.size() - source.base, max(leaves) + span + around)
        # the chunks take at most about the dataset's bytes unfiltered: a span much larger
        # holds other objects' bytes (the leaves spread among another dataset's chunks)
        limit = math.prod(self.shape) * self.storage_dtype.itemsize
        if end <= start or end - start > min(
            _REGION_MAX, limit + limit // 4 + 2 * around + len(leaves) * span
        ):
            return None
        if source.driver.holds(source.base + start, end - start):
            return None  # (a small file the driver holds whole: no request to save)
        ranges = [(a, min(_REGION_PART, end - a)) for a in range(start, end, _REGION_PART)]
        region = _Region(start, source.read_many(ranges))
        lookup = _ChunkLookup.of(self._load_table(_RegionSource(source, region)), chunk_shape)
        with self._lock:
            if self._lookup is None:
                self._lookup = lookup
        return lookup, region

    def chunk_cache(self) -> ChunkCache:
        """The cache of this dataset's decoded chunks (created on first use)."""
        cache = self._cache
        if cache is None:
            with self._lock:
                cache = self._cache
                if cache is None:
                    cs = self.chunk_shape or ()
                    grid = tuple(-(-n // c) if c else 1 for n, c in zip(self.shape, cs))
                    cache = self._cache = ChunkCache(self.cache_settings, grid)
        return cache

    def set_cache_settings(self, settings: ChunkCacheSettings) -> None:
        """Use new chunk cache settings (the cached chunks are dropped)."""
        with self._lock:
            self.cache_settings = settings
            self._cache = None

    def chunk_written(self, coords: tuple[int, ...], raw: bytes | memoryview | None = None) -> None:
        """The writer stored chunk ``coords``: ``raw``, its unfiltered bytes, replaces the
        cached copy (None drops it)."""
        cache = self._cache
        if cache is None:
            return
        chunk_shape = self.chunk_shape
        n = int(np.prod(chunk_shape, dtype=np.int64)) if chunk_shape else 0
        if raw is None or len(raw) < n * self.storage_dtype.itemsize or not self.filters:
            cache.discard(coords)
            return
        held = coords in cache
        cache.discard(coords)  # also turns away reads that fetched the old bytes
        if held:  # a chunk not cached stays out: a write alone does not fill the cache
            array = np.frombuffer(raw, dtype=self.storage_dtype, count=n).reshape(
                (*(chunk_shape or ()), *self.storage_dtype.shape)
            )
            cache.put(coords, array)

    def chunk_table(self) -> ChunkTable:
        if self.layout_class != "chunked":
            return ChunkTable.empty(len(self.shape))
        return self.chunk_lookup().table

    # -- reading ------------------------------------------------------------------------
    def read(self, sel: Any, out: np.ndarray | None = None) -> np.ndarray:
        """The selected elements, of the storage dtype, shaped ``sel.mshape``.

        ``out``: caller memory of that dtype and shape, any strides (a view into a larger
        array), filled in place and returned -- no intermediate array: stored bytes are
        read straight into it where its layout allows, decoded chunks scattered into it;
        elements no stored data covers get the fill value."""
        cls = self.layout_class
        prefilled = out is None
        if out is None:
            # a chunked read sets every element (the fill value where no chunk is
            # stored): no pass over the new array before it
            prefilled = cls != "chunked" or self.is_null
            out = self.new_output(tuple(sel.mshape), fill=prefilled)
        if sel.nselect == 0 or self.is_null:
            return out
        if cls == "compact":
            self._read_compact(sel, out)
        elif cls == "contiguous":
            if not prefilled and self._contiguous_reader() is None:
                self.fill_output(out)  # never written: all fill value
            self._read_contiguous(sel, out)
        elif cls == "chunked":
            self._read_chunked(sel, out, prefilled)
        elif cls == "virtual":
            if not prefilled:
                self.fill_output(out)
            from .virtual import read_virtual

            read_virtual(self, sel, out)
        else:
            raise UnsupportedFeatureError(f"layout class {cls!r} is not supported")
        return out

    def read_simple(self, key: tuple[Any, ...]) -> np.ndarray | None:
        """Fast path for keys of ints and step-1 slices that fall in one stored block
        (a contiguous dataset, or one allocated unfiltered chunk): the selected elements,
        of the storage dtype, integer axes dropped, read straight from the file; None
        when the key or the storage needs the general selection machinery."""
        target = self.simple_target(key)
        if target is None:
            return None
        address, block, nrows, index, rowbytes = target
        size = nrows * rowbytes
        if size >= _READINTO_BYTES:  # into the result: one copy out of the OS, not two
            rows = np.empty((nrows, *block[1:]), dtype=self.storage_dtype)
            self.fs.source.readinto(address, rows.reshape(-1).view(np.uint8).data)
            got = rows[index]
            return got if got.nbytes == size else got.copy()  # never pins unread rows
        raw = self.fs.source.read(address, size)
        rows = np.frombuffer(raw, dtype=self.storage_dtype).reshape((nrows, *block[1:]))
        return rows[index].copy()

    def memory_view(self) -> np.dtype | None:
        """What a read's storage-dtype array becomes in memory without converting: the
        storage dtype itself (the array as it is), another dtype to view it as, or None
        when it needs :func:`~h5pure.dtypes.to_memory` (worked out once)."""
        view = self._memory_view
        if view is _UNSET:
            from ..dtypes.convert import memory_view

            view = memory_view(self.datatype)
            st = self.storage_dtype
            if view is not None and view == st and view.metadata == st.metadata:
                view = st
            self._memory_view = view
        return view  # type: ignore[no-any-return]

    def simple_target(
        self, key: tuple[Any, ...]
    ) -> tuple[int, tuple[int, ...], int, tuple[Any, ...], int] | None:
        """Where a key of ints and step-1 slices lies when it falls in one stored block
        (the contiguous data, or one allocated unfiltered chunk): ``(address of its
        first row, block shape, number of rows, index into those rows, bytes of a block
        row)``, the index dropping integer axes and ending in Ellipsis (a 0-d result,
        never a scalar); None when the key or the storage needs the general selection
        machinery."""
        plan = self._simple_plan
        if plan is None:
            plan = self._simple_plan = self._make_simple_plan()
        if plan is False:
            return None
        shape = self._shape  # planned datasets are contiguous or chunked, never virtual
        ndim = len(shape)
        nkey = len(key)
        if nkey > ndim:
            return None
        starts: list[int] = []
        stops: list[int] = []
        index: list[Any] = []
        for axis in range(nkey):
            k = key[axis]
            n = shape[axis]
            if type(k) is int:
                if k < 0:
                    k += n
                if not 0 <= k < n:
                    return None
                starts.append(k)
                stops.append(k + 1)
                index.append(k)
            elif type(k) is slice and (k.step is None or k.step == 1):
                a, b = k.start, k.stop
                if (a is not None and (type(a) is not int or not -n <= a <= n)) or (
                    b is not None and (type(b) is not int or not -n <= b <= n)
                ):
                    return None
                a, b, _ = k.indices(n)
                if a >= b:
                    return None
                starts.append(a)
                stops.append(b)
                index.append(slice(a, b))
            else:
                return None
        for axis in range(nkey, ndim):
            n = shape[axis]
            if n == 0:
                return None
            starts.append(0)
            stops.append(n)
            index.append(slice(0, n))  # a chunk may reach past the extent
        if plan[0] == "contiguous":
            block = shape
            address = plan[1]
            rowbytes = plan[2]
        else:
            block = plan[1]
            rowbytes = plan[3]
            coords = tuple([a // c for a, c in zip(starts, block)])
            if coords != tuple([(b - 1) // c for b, c in zip(stops, block)]):
                return None
            lookup = self.chunk_lookup()
            address = lookup.whole.get(coords, -2)
            if address == -2:
                i = lookup.index.get(coords)
                address = (
                    -1
                    if i is None or int(lookup.table.sizes[i]) < plan[2]
                    else int(lookup.table.addresses[i])
                )
                lookup.whole[coords] = address
            if address < 0:
                return None
            for axis, c in enumerate(coords):
                if c:
                    base = c * block[axis]
                    k = index[axis]
                    index[axis] = (
                        k - base
                        if type(k) is int
                        else slice(starts[axis] - base, stops[axis] - base)
                    )
        nrows = stops[0] - starts[0]
        if nrows * rowbytes > _ROW_BLOCK_BYTES:
            return None
        lo = starts[0] % block[0]
        index[0] = 0 if type(index[0]) is int else slice(None)
        index.append(Ellipsis)  # a 0-d array, never a scalar, when every axis is an int
        return address + lo * rowbytes, block, nrows, tuple(index), rowbytes

    def check_new_extent(self, shape: tuple[int, ...]) -> None:
        """Raise :class:`ExtentError` when ``shape`` cannot be written: a dim or element
        count the dataspace message cannot encode (h5pure would refuse to read it back),
        or more chunks than the dataset's chunk index can number.  Called before a resize
        changes anything, so a refused resize leaves the session as it was."""
        why = extent_refusal(self.fs.ctx, self.layout, shape, tuple(self.maxshape))
        if why is not None:
            raise ExtentError(
                f"Unable to synchronously change a dataset's dimensions ({self.where()}: "
                f"new extent {shape}: {why})"
            )

    def reset_extent(self, dataspace: Any) -> None:
        """Take a new dataspace (a resize by the writer) without re-reading the object:
        the extent and every view derived from it are replaced."""
        with self._lock:
            self.dataspace = dataspace
            self._shape = tuple(int(n) for n in dataspace.shape)
            self.maxshape = tuple(dataspace.maxshape)
            self._lookup = None
            self._simple_plan = None
            self._cache = None  # the grid changed and shrinking reset edge chunks

    def forget_chunks(self) -> None:
        """Drop the chunk lookup (the writer added, moved or resized chunks)."""
        with self._lock:
            self._lookup = None
            self._simple_plan = None

    def _make_simple_plan(self) -> Any:
        """("contiguous", address, row bytes) or ("chunked", chunk shape, chunk bytes,
        row bytes) when :meth:`read_simple` applies to this dataset, else False."""
        dt = self.storage_dtype
        if (
            self.is_null
            or not self.shape
            or dt.subdtype is not None
            or dt.hasobject
            or self.fs.source.driver.batched_reads
        ):
            return False
        cls = self.layout_class
        if cls == "contiguous":
            address = self.contiguous_address
            rowbytes = dt.itemsize
            for n in self.shape[1:]:
                rowbytes *= n
            return False if address is None else ("contiguous", address, rowbytes)
        if cls == "chunked" and not (self.pipeline is not None and self.pipeline.filters):
            chunk_shape = self.chunk_shape
            assert chunk_shape is not None
            if len(chunk_shape) != len(self.shape) or min(chunk_shape) <= 0:
                return False
            rowbytes = dt.itemsize
            for n in chunk_shape[1:]:
                rowbytes *= n
            return ("chunked", tuple(chunk_shape), rowbytes * chunk_shape[0], rowbytes)
        return False

    def _whole(self, raw: bytes) -> np.ndarray:
        n = int(np.prod(self.shape, dtype=np.int64))
        need = n * self.storage_dtype.itemsize
        if len(raw) < need:
            raise FormatError(
                f"dataset at 0x{self.address:x}: storage holds {len(raw)} bytes, "
                f"{need} expected for shape {self.shape}"
            )
        return np.frombuffer(raw, dtype=self.storage_dtype, count=n).reshape(
            self.shape + self.storage_dtype.shape
        )

    def _read_compact(self, sel: Any, out: np.ndarray) -> None:
        whole = self._whole(self.compact_data)
        _scatter_one_chunk(sel, whole, out, len(self.shape))

    def _contiguous_reader(self) -> Callable[[int, int], bytes] | None:
        """A function reading (offset, size) of the dataset's contiguous bytes, or None
        when the storage was never allocated."""
        if self.efl is not None and self.efl.slots:
            return _ExternalReader(self.fs, self.efl, self.fs.efile_prefixes.get(self.address)).read
        address = self.contiguous_address
        if address is None:
            return None
        source = self.fs.source

        def read(offset: int, size: int) -> bytes:
            return source.read(address + offset, size)

        return read

    def _read_contiguous(self, sel: Any, out: np.ndarray) -> None:
        read = self._contiguous_reader()
        if read is None:
            return
        itemsize = self.storage_dtype.itemsize
        if not self.shape:
            out[...] = np.frombuffer(read(0, itemsize), dtype=self.storage_dtype)[0]
            return
        external = self.efl is not None and bool(self.efl.slots)
        if getattr(sel, "is_full", False) and out.flags.c_contiguous and not external:
            flat: Any = out.reshape(-1).view(np.uint8)
            self.fs.source.readinto(self.contiguous_address or 0, memoryview(flat))
            return
        rowbytes = int(np.prod(self.shape[1:], dtype=np.int64)) * itemsize
        block_rows = max(1, _ROW_BLOCK_BYTES // max(rowbytes, 1))
        block = (block_rows, *self.shape[1:])
        if external:
            for proj in sel.chunk_projections(block):
                first_row = proj.chunk_coords[0] * block_rows
                lo, hi = _axis_extent(proj.chunk_sel[0])
                nrows = hi - lo + 1
                raw = read((first_row + lo) * rowbytes, nrows * rowbytes)
                rows = np.frombuffer(raw, dtype=self.storage_dtype).reshape(
                    (nrows, *self.shape[1:], *self.storage_dtype.shape)
                )
                out[proj.out_sel] = rows[_shift_axis0(proj.chunk_sel, lo)]
            return
        address = self.contiguous_address or 0
        requests = []
        for proj in sel.chunk_projections(block):
            first_row = proj.chunk_coords[0] * block_rows
            lo, hi = _axis_extent(proj.chunk_sel[0])
            requests.append((address + first_row * rowbytes, proj, lo, hi - lo + 1))
        self._read_rows(requests, block, rowbytes, out)

    def _read_rows(
        self,
        requests: list[tuple[int, Any, int, int]],
        block: tuple[int, ...],
        rowbytes: int,
        out: np.ndarray,
    ) -> None:
        """Read unfiltered rows: each request ``(address of the block's row 0,
        projection, first row, number of rows)`` of a block shaped ``block``.  Requests
        whose rows land whole in a C-contiguous region of ``out`` are read straight into
        it; the stored ranges are coalesced into few (vectored) reads."""
        direct_ok = self.storage_dtype.subdtype is None and out.flags.c_contiguous
        ranges = []
        targets: list[Any] = []
        for address, proj, lo, nrows in requests:
            ranges.append((address + lo * rowbytes, nrows * rowbytes))
            view = _direct_view(out, proj, block, nrows * rowbytes) if direct_ok else None
            targets.append(view)
        source = self.fs.source
        row_shape = block[1:]
        for group in coalesce(ranges, _COALESCE_GAP, _COALESCE_SPAN):
            if len(group) == 1 and targets[group[0]] is not None:
                k = group[0]
                source.readinto(ranges[k][0], targets[k])
                continue
            buffers: list[Any] = []
            scratch: memoryview | None = None
            end = ranges[group[0]][0]
            for k in group:
                offset, size = ranges[k]
                if offset > end:  # a small gap: read into scratch space, then dropped
                    if scratch is None:
                        scratch = _uninitialized(_COALESCE_GAP).data
                    buffers.append(scratch[: offset - end])
                if targets[k] is None:
                    targets[k] = _uninitialized(size)
                    buffers.append(targets[k])
                else:
                    buffers.append(targets[k])
                    targets[k] = None  # already in place
                end = offset + size
            source.readv(ranges[group[0]][0], buffers)
            for k in group:
                raw = targets[k]
                if raw is None:
                    continue
                _, proj, lo, nrows = requests[k]
                rows = np.frombuffer(raw, dtype=self.storage_dtype).reshape(
                    (nrows, *row_shape, *self.storage_dtype.shape)
                )
                out[proj.out_sel] = rows[_shift_axis0(proj.chunk_sel, lo)]
                targets[k] = None

    def _read_chunked(self, sel: Any, out: np.ndarray, prefilled: bool = True) -> None:
        lookup = self._lookup
        region = None
        if lookup is None and self.fs.source.driver.batched_reads:
            lookup = self._path_lookup(sel)
            if lookup is None:
                found = self._region_lookup(sel)
                if found is not None:
                    lookup, region = found
        if lookup is None:
            lookup = self.chunk_lookup()
        if len(lookup.table) == 0:
            if not prefilled:
                self.fill_output(out)
            return
        chunk_shape = self.chunk_shape
        assert chunk_shape is not None  # chunked layout always has a chunk shape
        filtered = self.pipeline is not None and bool(self.pipeline.filters)
        if (
            not filtered
            and not self.fs.source.driver.batched_reads
            and self._gather_rows(sel, out, lookup, chunk_shape)
        ):
            return
        if not self.fs.source.driver.batched_reads and self._read_tiles(
            sel, out, lookup, chunk_shape
        ):
            return
        work: list[tuple[Any, int, tuple[int, ...]]] = []
        missing = False
        index = lookup.index
        projections: Iterable[Any]
        if _sparse_read(sel, chunk_shape, len(lookup.table)):
            # far fewer chunks stored than the selection touches: walk the stored ones
            projections = sel.chunk_projections_among(chunk_shape, sorted(index))
            missing = True  # (touched > stored: some are not stored)
        else:
            projections = sel.chunk_projections(chunk_shape)
        for proj in projections:
            coords = proj.chunk_coords
            if type(coords) is not tuple:  # (numpy ints in a tuple hash as ints do)
                coords = tuple(int(c) for c in coords)
            i = index.get(coords)
            if i is not None:
                work.append((proj, i, coords))
            else:
                missing = True
        if missing and not prefilled:
            self.fill_output(out)  # chunks never written read as the fill value
        if not work:
            return
        if filtered and self.cache_settings.enabled:
            work = self._from_cache(work, out)
            if not work:
                return
        if self.fs.source.driver.batched_reads:
            self._read_chunks_batched(lookup.table, work, out, region)
        elif not filtered:
            self._read_unfiltered_rows(lookup.table, work, out)
        else:
            self._read_filtered(lookup.table, work, out)

    def _read_tiles(
        self, sel: Any, out: np.ndarray, lookup: _ChunkLookup, chunk_shape: tuple[int, ...]
    ) -> bool:
        """A box (step-1 slices on every axis) over many small chunks, all stored (with
        one filter mask): the stored bytes read in a few large reads, decoded in one
        loop (:func:`~h5pure.filters.pipeline.decode_chunks`), and laid out with one
        reshape and transpose instead of a projection and a copy per chunk.  False, with
        nothing done, when this does not apply."""
        from ..selection.indexers import SliceIndexer  # (a read has loaded it)

        axes = sel.axes
        dt = self.storage_dtype
        if (
            sel.points is not None
            or not axes
            or len(axes) != len(chunk_shape)
            or dt.subdtype is not None
            or not out.flags.c_contiguous
        ):
            return False
        chunk_bytes = math.prod(chunk_shape) * dt.itemsize
        if chunk_bytes > _TILE_MAX_BYTES or chunk_bytes == 0:
            return False
        lo: list[int] = []
        hi: list[int] = []
        for ax, c in zip(axes, chunk_shape):
            if type(ax) is not SliceIndexer or ax.step != 1 or ax.count == 0:
                return False
            lo.append(ax.start // c)
            hi.append((ax.start + ax.count - 1) // c + 1)
        grid = tuple(b - a for a, b in zip(lo, hi))
        ntiles = math.prod(grid)
        table = lookup.table
        if ntiles < _TILE_MIN_CHUNKS or len(table) < ntiles:
            return False
        coords = lookup.grid
        inside = np.all((coords >= lo) & (coords < hi), axis=1)
        rows = np.flatnonzero(inside)
        if len(rows) != ntiles:
            return False  # a chunk never written (fill value): the general path
        masks = table.filter_masks[rows]
        if (masks != masks[0]).any():
            return False
        # C order of the box: the table is sorted by origin, but may hold chunks outside
        local = coords[rows] - np.asarray(lo, dtype=np.int64)
        order = np.ravel_multi_index(tuple(local.T), grid)
        if not (order[1:] > order[:-1]).all():
            sorter = np.argsort(order, kind="stable")
            order, rows = order[sorter], rows[sorter]
            if not (order[1:] > order[:-1]).all():
                return False  # a chunk recorded twice (a corrupt index): the general path
        addresses = table.addresses[rows].astype(np.int64)
        sizes = table.sizes[rows].astype(np.int64)
        source = self.fs.source
        where = self.where()
        byaddr = np.argsort(addresses, kind="stable")
        starts_a = addresses[byaddr]
        ends_a = starts_a + sizes[byaddr]
        # reads: runs of chunks less than _COALESCE_GAP apart, each at most _TILE_SPAN
        cuts = (
            np.flatnonzero(
                (starts_a[1:] - ends_a[:-1] > _COALESCE_GAP) | (starts_a[1:] < ends_a[:-1])
            )
            + 1
        )
        bounds = [0, *cuts.tolist(), ntiles]
        raws: list[Any] = [b""] * ntiles
        order_list = byaddr.tolist()
        starts_l = starts_a.tolist()
        ends_l = ends_a.tolist()
        for a, b in zip(bounds[:-1], bounds[1:]):
            while a < b:
                limit = starts_l[a] + _TILE_SPAN
                c = max(a + 1, min(b, int(np.searchsorted(ends_a[a:b], limit, "right")) + a))
                start, end = starts_l[a], ends_l[c - 1]
                source.check_range(start, end - start, f"{where}: chunks at 0x{start:x}")
                blob = memoryview(source.read(start, end - start))
                for k in range(a, c):
                    raws[order_list[k]] = blob[starts_l[k] - start : ends_l[k] - start]
                a = c
        decoded = raws if self.pipeline is None else decode_chunks(
            raws,
            addresses.tolist(),
            self.pipeline,
            int(masks[0]),
            self.element_size,
            chunk_shape,
        )
        for k, raw in enumerate(decoded):
            if len(raw) != chunk_bytes:
                if len(raw) < chunk_bytes:
                    self.load_chunk(table, int(rows[k]), raw)  # raises its error
                decoded[k] = memoryview(raw)[:chunk_bytes]
        tiles = np.frombuffer(b"".join(decoded), dtype=dt).reshape(grid + chunk_shape)
        rank = len(grid)
        # (g0, g1, ..., c0, c1, ...) -> (g0, c0, g1, c1, ...) -> the box
        perm = [a for k in range(rank) for a in (k, rank + k)]
        box = tiles.transpose(perm).reshape(tuple(g * c for g, c in zip(grid, chunk_shape)))
        crop = tuple(
            slice(ax.start - a * c, ax.start - a * c + ax.count)
            for ax, a, c in zip(axes, lo, chunk_shape)
        )
        out.reshape(tuple(ax.count for ax in axes))[...] = box[crop]
        return True

    def _gather_rows(
        self, sel: Any, out: np.ndarray, lookup: _ChunkLookup, chunk_shape: tuple[int, ...]
    ) -> bool:
        """Rows picked far apart along axis 0 (increasing indices, or a slice with a
        step of many rows), whole along the other axes, of unfiltered chunks as wide as
        the dataset: each run of consecutive rows read straight into ``out`` with one
        ``preadv``, the rows between never read.  (The general path reads each chunk's
        span from its first picked row to its last: 50 MiB for 2,000 rows picked from
        100,000 of 512 bytes.)  False, with nothing done, when this does not apply or
        would read more than the general path."""
        axes = sel.axes
        if (
            sel.points is not None
            or not axes
            or len(chunk_shape) != len(axes)
            or not out.flags.c_contiguous
            or self.storage_dtype.subdtype is not None
        ):
            return False
        first = axes[0]
        count = first.count
        if count < _GATHER_MIN_ROWS or first.drops_axis:
            return False
        for ax, c, n in zip(axes[1:], chunk_shape[1:], self._shape[1:]):
            if c != n or not ax.is_full:
                return False
        rowbytes = self.storage_dtype.itemsize
        for c in chunk_shape[1:]:
            rowbytes *= c
        if out.nbytes != count * rowbytes or rowbytes == 0:
            return False
        rows = first.indices()
        steps = np.diff(rows)
        if (steps <= 0).any():
            return False  # unsorted or repeated rows: the general path
        c0 = chunk_shape[0]
        cidx = rows // c0
        # the general path reads, per chunk, the rows from its first pick to its last
        bounds = np.flatnonzero(cidx[1:] != cidx[:-1]) + 1
        firsts = np.concatenate(([0], bounds))
        lasts = np.concatenate((bounds, [count])) - 1
        span_bytes = int((rows[lasts] - rows[firsts] + 1).sum()) * rowbytes
        runs = np.flatnonzero(steps != 1) + 1
        if len(runs) * _GATHER_PIECE_COST + count * rowbytes >= span_bytes:
            return False
        need = c0 * rowbytes
        index = lookup.index
        table = lookup.table
        rest = (0,) * (len(chunk_shape) - 1)
        chunk_addresses = []
        for c in cidx[firsts].tolist():
            i = index.get((c, *rest))
            if i is None or int(table.sizes[i]) < need:
                return False  # a chunk never written (fill value) or short: general path
            chunk_addresses.append(int(table.addresses[i]))
        addresses = np.repeat(np.asarray(chunk_addresses, dtype=np.int64), lasts - firsts + 1)
        offsets = addresses + (rows - cidx * c0) * rowbytes
        # a run ends where the next row is not the next stored row
        starts = np.flatnonzero(np.concatenate(([True], offsets[1:] != offsets[:-1] + rowbytes)))
        ends = np.concatenate((starts[1:], [count]))
        data = memoryview(out.reshape(-1).view(np.uint8))  # type: ignore[arg-type]
        buffers = [
            data[a * rowbytes : b * rowbytes] for a, b in zip(starts.tolist(), ends.tolist())
        ]
        self.fs.source.readinto_many(offsets[starts].tolist(), buffers)
        return True

    def _from_cache(
        self, work: list[tuple[Any, int, tuple[int, ...]]], out: np.ndarray
    ) -> list[tuple[Any, int, tuple[int, ...]]]:
        """Scatter the chunks the cache holds; the work left."""
        cache = self.chunk_cache()
        if len(cache) == 0:
            return work
        left = []
        for item in work:
            chunk = cache.get(item[2])
            if chunk is None:
                left.append(item)
            else:
                out[item[0].out_sel] = chunk[item[0].chunk_sel]
        return left

    def _decoded(
        self,
        table: ChunkTable,
        item: tuple[Any, int, tuple[int, ...]],
        raw: Any,
        generation: int,
        keep: bool = True,
    ) -> np.ndarray:
        """Chunk ``item`` decoded from its stored bytes ``raw``, and cached (unless not
        ``keep``: a later chunk of the same read would evict it)."""
        chunk = self.load_chunk(table, item[1], raw)
        if keep and self.cache_settings.enabled and chunk.nbytes <= self.cache_settings.nbytes:
            full = _covers_chunk(item[0].chunk_sel, chunk.shape)
            self.chunk_cache().put(item[2], chunk, full, generation)
        return chunk

    def _decoded_batch(
        self,
        table: ChunkTable,
        batch: list[tuple[tuple[Any, int, tuple[int, ...]], Any, bool]],
        generation: int,
    ) -> list[np.ndarray]:
        """:meth:`_decoded` for each ``(item, raw, keep)`` of ``batch``: one pool task for
        many small chunks (a task per chunk would cost more than decoding it).  Chunks of
        one filter mask are decoded in one loop (:func:`decode_chunks`: the plan and
        the codecs looked up once)."""
        pipeline = self.pipeline
        rows = [item[1] for item, _, _ in batch]
        masks = {int(table.filter_masks[i]) for i in rows}
        if len(batch) < 2 or pipeline is None or not pipeline.filters or len(masks) != 1:
            return [self._decoded(table, item, raw, generation, keep) for item, raw, keep in batch]
        chunk_shape = self.chunk_shape
        assert chunk_shape is not None
        raws = decode_chunks(
            [raw for _, raw, _ in batch],
            [int(table.addresses[i]) for i in rows],
            pipeline,
            masks.pop(),
            self.element_size,
            chunk_shape,
        )
        settings = self.cache_settings
        out = []
        kept = []
        for (item, _, keep), raw in zip(batch, raws):
            chunk = self.load_chunk(table, item[1], raw, decoded=True)
            if keep and chunk.nbytes <= settings.nbytes:
                kept.append((item[2], chunk, _covers_chunk(item[0].chunk_sel, chunk.shape)))
            out.append(chunk)
        if kept and settings.enabled:
            self.chunk_cache().put_many(kept, generation)
        return out

    def _decode_into(
        self,
        table: ChunkTable,
        batch: list[tuple[tuple[Any, int, tuple[int, ...]], Any, bool]],
        generation: int,
        out: np.ndarray,
    ) -> None:
        """:meth:`_decoded_batch`, each chunk then copied into its part of ``out`` on the
        same pool thread: the copies run in parallel (numpy lets other threads run during
        a large one) instead of one after the other on the reading thread.  The chunks of
        a read land in disjoint parts of ``out``.  A lone chunk not kept in the cache whose
        part of ``out`` is one contiguous region is decoded straight into it when its
        last filter can (:meth:`~h5pure.filters.base.Filter.decode_into`: shuffle)."""
        keep = batch[0][2] and self.cache_settings.enabled if batch else False
        if len(batch) == 1 and not keep and self.pipeline is not None:
            item, raw, _ = batch[0]
            view = self._in_place(item[0], out)
            if view is not None:
                from ..filters import ChunkInfo  # (a chunk was decoded: loaded)

                i = item[1]
                info = ChunkInfo(self.element_size, view[1], int(table.addresses[i]))
                mask = int(table.filter_masks[i])
                from ..filters.pipeline import decode_chunk_into

                decoded = decode_chunk_into(raw, self.pipeline, mask, info, view[0])
                if decoded is not None:  # the last filter could not: copied as usual
                    chunk = self.load_chunk(table, i, decoded, decoded=True)
                    out[item[0].out_sel] = chunk[item[0].chunk_sel]
                return
        for (item, _, _), chunk in zip(batch, self._decoded_batch(table, batch, generation)):
            out[item[0].out_sel] = chunk[item[0].chunk_sel]

    def _in_place(self, proj: Any, out: np.ndarray) -> tuple[memoryview, tuple[int, ...]] | None:
        """The bytes of ``out[proj.out_sel]`` and the chunk shape, when the projection
        takes the whole chunk into one contiguous region of ``out`` of the storage dtype."""
        chunk_shape = self.chunk_shape
        dt = self.storage_dtype
        if not chunk_shape or out.dtype != dt or dt.subdtype is not None:
            return None
        if not _covers_chunk(proj.chunk_sel, chunk_shape):
            return None
        view = _direct_view(out, proj, chunk_shape, math.prod(chunk_shape) * dt.itemsize)
        return None if view is None else (view, chunk_shape)

    def _read_filtered(
        self, table: ChunkTable, work: list[tuple[Any, int, tuple[int, ...]]], out: np.ndarray
    ) -> None:
        """Fetch the stored chunks, adjacent ones together (one vectored read), and
        decode them in the thread pool (on this thread with 1 thread or 1 chunk) while
        the next ones are read, small chunks several to a task; scattered into ``out``
        in order."""
        generation = self.chunk_cache().generation if self.cache_settings.enabled else 0
        ranges = [(int(table.addresses[i]), int(table.sizes[i])) for _, i, _ in work]
        from .threads import decode_pool, get_threads, settle  # (loaded on first use)

        pool = decode_pool() if len(work) > 1 and get_threads() > 1 else None
        # a task decodes at least _TASK_BYTES of stored bytes (or one chunk), but the
        # work is still cut into enough tasks to keep every thread busy
        task_bytes = min(_TASK_BYTES, sum(n for _, n in ranges) // (4 * get_threads()) + 1)
        # the chunks before ``kept_from`` would be evicted by the later ones of this read
        # (all chunks decode to the same size): not put in the cache at all
        kept_from = 0
        if self.cache_settings.enabled:
            chunk_bytes = math.prod(self.chunk_shape or ()) * self.storage_dtype.itemsize
            kept_from = max(0, len(work) - self.cache_settings.nbytes // max(chunk_bytes, 1))
        pending: deque[tuple[Future[None], int]] = deque()
        batch: list[tuple[tuple[Any, int, tuple[int, ...]], Any, bool]] = []
        batch_bytes = 0
        in_flight = 0
        source = self.fs.source
        where = ""

        def submit() -> None:
            nonlocal batch, batch_bytes, in_flight
            assert pool is not None
            future = pool.submit(self._decode_into, table, batch, generation, out)
            pending.append((future, batch_bytes))
            in_flight += batch_bytes
            batch, batch_bytes = [], 0

        def scatter_oldest() -> None:
            nonlocal in_flight
            future, size = pending.popleft()
            in_flight -= size
            future.result()  # decoded and copied into ``out`` on the pool thread

        try:
            for group in coalesce(ranges, _COALESCE_GAP, _FILTERED_SPAN):
                raws: list[Any] = []
                if len(group) == 1:  # bytes: the decoder takes them without a copy
                    raws.append(source.read(*ranges[group[0]]))
                else:
                    where = where or self.where()
                    for k in group:  # before any buffer is sized by a stored chunk size
                        source.check_range(*ranges[k], f"{where}: chunk {work[k][2]}")
                    buffers: list[Any] = []
                    end = ranges[group[0]][0]
                    for k in group:
                        offset, size = ranges[k]
                        if offset > end:
                            buffers.append(_uninitialized(offset - end))
                        raw = _uninitialized(size)
                        raws.append(raw)
                        buffers.append(raw)
                        end = offset + size
                    source.readv(ranges[group[0]][0], buffers)
                for k, raw in zip(group, raws):
                    item = work[k]
                    keep = k >= kept_from
                    if pool is None:
                        chunk = self._decoded(table, item, raw, generation, keep)
                        out[item[0].out_sel] = chunk[item[0].chunk_sel]
                        continue
                    batch.append((item, raw, keep))
                    batch_bytes += len(raw)
                    if batch_bytes >= task_bytes:
                        submit()
                while pending and in_flight > _BATCH_BYTES:
                    scatter_oldest()
            if batch:
                submit()
            while pending:
                scatter_oldest()
        except BaseException:
            # the tasks still queued or running write into ``out``: none may once the
            # read has failed (``out`` may be the caller's array)
            settle(future for future, _ in pending)
            raise

    def _read_unfiltered_rows(
        self, table: ChunkTable, work: list[tuple[Any, int, tuple[int, ...]]], out: np.ndarray
    ) -> None:
        """Unfiltered chunks: read only the span of chunk rows (axis 0) the selection
        touches, not the whole chunk (straight into ``out`` where it can)."""
        chunk_shape = self.chunk_shape
        assert chunk_shape is not None
        itemsize = self.storage_dtype.itemsize
        rowbytes = int(np.prod(chunk_shape[1:], dtype=np.int64)) * itemsize
        need = chunk_shape[0] * rowbytes if chunk_shape else itemsize
        requests = []
        for proj, i, _ in work:
            address = int(table.addresses[i])
            if int(table.sizes[i]) < need:
                raise FormatError(
                    f"chunk at 0x{address:x} of dataset 0x{self.address:x}: "
                    f"{int(table.sizes[i])} bytes, expected {need}"
                )
            if not chunk_shape:
                chunk = self.load_chunk(table, i)
                out[proj.out_sel] = chunk[proj.chunk_sel]
                continue
            lo, hi = _axis_extent(proj.chunk_sel[0])
            requests.append((address, proj, lo, hi - lo + 1))
        if requests:
            self._read_rows(requests, chunk_shape, rowbytes, out)

    def _read_chunks_batched(
        self,
        table: ChunkTable,
        work: list[tuple[Any, int, tuple[int, ...]]],
        out: np.ndarray,
        region: _Region | None = None,
    ) -> None:
        """Fetch the stored chunks through the driver's ``read_many`` (a remote driver
        merges adjacent chunks into one request), a batch of ``_REMOTE_BATCH_BYTES`` at a
        time; the next batch is fetched (on a thread of its own) while this one decodes."""
        generation = self.chunk_cache().generation if self.cache_settings.enabled else 0
        filtered = self.pipeline is not None and bool(self.pipeline.filters)
        batches: list[list[tuple[Any, int, tuple[int, ...]]]] = []
        start = 0
        while start < len(work):
            stop, total = start, 0
            while stop < len(work):
                size = int(table.sizes[work[stop][1]])
                if stop > start and total + size > _REMOTE_BATCH_BYTES:
                    break
                total += size
                stop += 1
            batches.append(work[start:stop])
            start = stop

        def fetch(batch: list[tuple[Any, int, tuple[int, ...]]]) -> list[bytes]:
            ranges = [(int(table.addresses[i]), int(table.sizes[i])) for _, i, _ in batch]
            if region is None:
                return self.fs.source.read_many(ranges)
            got = [region.get(a, n) for a, n in ranges]  # (fetched with the index)
            missing = [k for k, data in enumerate(got) if data is None]
            if missing:
                fetched = self.fs.source.read_many([ranges[k] for k in missing])
                for k, data in zip(missing, fetched):
                    got[k] = data
            return got  # type: ignore[return-value]

        # the chunks before ``kept_from`` would be evicted by the later ones of this read
        # (all chunks decode to the same size): not put in the cache at all
        kept_from = 0
        if self.cache_settings.enabled:
            chunk_bytes = math.prod(self.chunk_shape or ()) * self.storage_dtype.itemsize
            kept_from = max(0, len(work) - self.cache_settings.nbytes // max(chunk_bytes, 1))
        firsts = [0]
        for batch in batches[:-1]:
            firsts.append(firsts[-1] + len(batch))
        if len(batches) == 1:
            raws = fetch(batches[0])
            self._scatter_batch(table, batches[0], raws, out, filtered, generation, kept_from)
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1, thread_name_prefix="h5pure-fetch") as io:
            pending = io.submit(fetch, batches[0])
            for k, batch in enumerate(batches):
                raws = pending.result()
                if k + 1 < len(batches):
                    pending = io.submit(fetch, batches[k + 1])
                self._scatter_batch(
                    table, batch, raws, out, filtered, generation, kept_from - firsts[k]
                )

    def _scatter_batch(
        self,
        table: ChunkTable,
        batch: list[tuple[Any, int, tuple[int, ...]]],
        raws: list[bytes],
        out: np.ndarray,
        filtered: bool,
        generation: int,
        kept_from: int = 0,
    ) -> None:
        """Decode the fetched chunks of ``batch`` (in the pool, several small chunks to a
        task) and scatter them into ``out``; the chunks before ``kept_from`` are not
        cached (later chunks of the read would evict them)."""
        from .threads import decode_pool, get_threads, settle

        if not filtered:
            for item, raw in zip(batch, raws):
                chunk = self.load_chunk(table, item[1], raw)
                out[item[0].out_sel] = chunk[item[0].chunk_sel]
            return
        work = [(item, raw, k >= kept_from) for k, (item, raw) in enumerate(zip(batch, raws))]
        if len(work) > 1 and get_threads() > 1:
            threads = get_threads()
            task_bytes = min(_TASK_BYTES, sum(len(raw) for raw in raws) // (4 * threads) + 1)
            tasks: list[list[tuple[tuple[Any, int, tuple[int, ...]], Any, bool]]] = [[]]
            size = 0
            for entry in work:
                if size >= task_bytes:
                    tasks.append([])
                    size = 0
                tasks[-1].append(entry)
                size += len(entry[1])
            pool = decode_pool()
            futures = [pool.submit(self._decode_into, table, t, generation, out) for t in tasks]
            try:
                for task, future in zip(tasks, futures):
                    if future.cancel():  # not started yet: this thread decodes it
                        self._decode_into(table, task, generation, out)
                    else:
                        future.result()
            except BaseException:
                settle(futures)  # none writes into ``out`` once the read failed
                raise
            return
        for item, raw, keep in work:
            chunk = self._decoded(table, item, raw, generation, keep)
            out[item[0].out_sel] = chunk[item[0].chunk_sel]

    def read_chunk_bytes(self, table: ChunkTable, i: int) -> bytes:
        return self.fs.source.read(int(table.addresses[i]), int(table.sizes[i]))

    def load_chunk(
        self, table: ChunkTable, i: int, raw: Any = None, decoded: bool = False
    ) -> np.ndarray:
        """Chunk ``i`` of the table, decoded, as an array of the chunk shape (``raw``: its
        stored bytes when already fetched; ``decoded``: already unfiltered)."""
        chunk_shape = self.chunk_shape
        assert chunk_shape is not None
        if raw is None:
            raw = self.read_chunk_bytes(table, i)
        if not decoded and self.pipeline is not None and self.pipeline.filters:
            from ..filters import ChunkInfo

            info = ChunkInfo(self.element_size, chunk_shape, int(table.addresses[i]))
            raw = decode_chunk(raw, self.pipeline, int(table.filter_masks[i]), info)
        n = math.prod(chunk_shape)
        if len(raw) < n * self.storage_dtype.itemsize:
            raise FormatError(
                f"chunk at 0x{int(table.addresses[i]):x} of dataset 0x{self.address:x}: "
                f"{len(raw)} bytes, expected {n * self.storage_dtype.itemsize}"
            )
        return np.frombuffer(raw, dtype=self.storage_dtype, count=n).reshape(
            chunk_shape + self.storage_dtype.shape
        )


def _sparse_read(sel: Any, chunk_shape: tuple[int, ...], stored: int) -> bool:
    """Whether a read should walk the ``stored`` chunks rather than every chunk the
    orthogonal selection ``sel`` touches: it touches many times more."""
    if sel.points is not None or not chunk_shape:
        return False
    return bool(sel.touched_chunk_count(chunk_shape) > 4 * stored + 4096)


def _axis_extent(s: Any) -> tuple[int, int]:
    """Lowest and highest index a per-axis selector touches."""
    if isinstance(s, slice):
        start, stop, step = s.start or 0, s.stop, s.step or 1
        last = start + ((stop - start - 1) // step) * step
        return start, last
    if isinstance(s, (int, np.integer)):
        return int(s), int(s)
    arr = np.asarray(s)
    return int(arr.min()), int(arr.max())


def _uninitialized(nbytes: int) -> np.ndarray:
    """A buffer of ``nbytes`` to read into, not zeroed first (a ``bytearray`` would be)."""
    return np.empty(nbytes, dtype=np.uint8)


def _covers_chunk(chunk_sel: tuple[Any, ...], chunk_shape: tuple[int, ...]) -> bool:
    """Whether an orthogonal chunk selection takes every element of the chunk."""
    if len(chunk_sel) != len(chunk_shape):
        return False
    for s, n in zip(chunk_sel, chunk_shape):
        if type(s) is not slice or s.indices(n) != (0, n, 1):
            return False
    return True


def _direct_view(
    out: np.ndarray, proj: Any, block: tuple[int, ...], nbytes: int
) -> memoryview | None:
    """The bytes of ``out[proj.out_sel]`` when the rows ``proj`` takes from a block are
    whole (a step-1 run along axis 0, every element along the others) and land in one
    C-contiguous region of ``out``: they can be read there directly.  Else None."""
    sel = proj.chunk_sel
    if len(sel) != len(block) or type(sel[0]) is not slice or sel[0].step not in (None, 1):
        return None
    for s, n in zip(sel[1:], block[1:]):
        if type(s) is not slice or s.indices(n) != (0, n, 1):
            return None
    for s in proj.out_sel:
        if type(s) is not slice:
            return None  # an index array would make a copy, not a view
    view = out[proj.out_sel]
    if not view.flags.c_contiguous or view.nbytes != nbytes:
        return None
    return memoryview(view.reshape(-1).view(np.uint8))


def _shift_axis0(chunk_sel: tuple[Any, ...], lo: int) -> tuple[Any, ...]:
    if lo == 0:
        return chunk_sel
    s = chunk_sel[0]
    if isinstance(s, slice):
        start = (s.start or 0) - lo
        stop = None if s.stop is None else s.stop - lo
        first: Any = slice(start, stop, s.step)
    elif isinstance(s, (int, np.integer)):
        first = int(s) - lo
    else:
        first = np.asarray(s) - lo
    return (first, *chunk_sel[1:])


def _scatter_one_chunk(sel: Any, whole: np.ndarray, out: np.ndarray, rank: int) -> None:
    """The selected elements of ``whole`` (every element of a dataspace of ``rank``
    dimensions; an array datatype's dimensions trail them) into ``out``."""
    if rank == 0:
        out[...] = whole
        return
    for proj in sel.chunk_projections(whole.shape[:rank]):
        out[proj.out_sel] = whole[proj.chunk_sel]


class _ExternalReader:
    """Reads the logical byte stream of a dataset stored in external files (EFL message)."""

    def __init__(self, fs: FileState, efl: Any, prefix: str | None = None) -> None:
        heap = LocalHeap.read(fs.source, fs.ctx, efl.heap_address)
        self.prefix = prefix
        """The dataset's ``efile_prefix`` (used when ``HDF5_EXTFILE_PREFIX`` is unset)."""
        self.slots = []
        pos = 0
        for slot in efl.slots:
            name = heap.string_at(slot.name_offset).decode("utf-8", "surrogateescape")
            size = int(slot.size)
            self.slots.append((pos, name, int(slot.offset), size))
            pos += size
        self.dirname = fs.dirname

    def _path(self, name: str) -> str:
        # as libhdf5 (H5D__build_file_prefix, H5F_build_name): relative names go under
        # HDF5_EXTFILE_PREFIX ("${ORIGIN}" = the HDF5 file's directory) when it is set,
        # else under the dataset's efile_prefix, else under the current directory
        if os.path.isabs(name):
            return name
        prefix = os.environ.get("HDF5_EXTFILE_PREFIX", "") or self.prefix or ""
        if prefix:
            return os.path.join(prefix.replace("${ORIGIN}", self.dirname), name)
        return name

    def read(self, offset: int, size: int) -> bytes:
        parts = []
        end = offset + size
        for pos, name, file_offset, slot_size in self.slots:
            lo, hi = max(offset, pos), min(end, pos + slot_size)
            if lo >= hi:
                continue
            at = file_offset + lo - pos
            if at > _MAX_FILE_OFFSET:
                raise FormatError(
                    f"external raw data file {name!r}: offset {at} is past the largest file offset"
                )
            try:
                with open(self._path(name), "rb") as fh:
                    fh.seek(at)
                    data = fh.read(hi - lo)
            except OSError as e:
                raise OSError(f"external raw data file {name!r}: {e}") from e
            parts.append(data + b"\0" * (hi - lo - len(data)))
        data = b"".join(parts)
        if len(data) < size:
            data += b"\0" * (size - len(data))
        return data
