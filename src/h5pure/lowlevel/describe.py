"""What an object is made of on disk, as plain records: for the tools (``h5pure ls``,
``dump``, ``stat``, ``repack``) and the viewer, which show more than h5py's API does
(the filter pipeline in order, the chunk index, the fill value message, addresses).

Read-only: nothing here changes a file.  Records are frozen dataclasses of plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..filters import filter_for
from ..format.btree_v2 import BTreeV2
from ..format.fractal_heap import FractalHeap
from ..format.messages import MessageType, decode_message
from ..format.messages.layout import ChunkedLayout
from ..format.messages.shared import SharedMessage
from ..format.object_header import HeaderMessage
from ..format.superblock import read_superblock_extension
from .objects import ObjectInfo, resolve_shared

if TYPE_CHECKING:
    from .dataset import DatasetStorage
    from .file import FileState

_ALLOC_TIMES = {0: "default", 1: "early", 2: "late", 3: "incremental"}
_FILL_TIMES = {0: "alloc", 1: "never", 2: "ifset"}
_INDEX_NAMES = {
    0: "btree_v1",
    1: "single",
    2: "implicit",
    3: "fixed_array",
    4: "extensible_array",
    5: "btree_v2",
}


@dataclass(frozen=True)
class FilterDescription:
    """One filter of a dataset's pipeline, in pipeline (write) order."""

    filter_id: int
    name: str
    """The name stored in the pipeline, else the registered codec's, else ``"unknown"``."""
    h5py_name: str | None
    """h5py's name ("gzip", "lzf", "szip", "shuffle", "fletcher32", "scaleoffset"), if any."""
    optional: bool
    """Optional filters may be skipped for a chunk (its filter mask says so)."""
    client_data: tuple[int, ...]
    available: bool
    """Whether this interpreter can run the codec."""
    stored_name: str | None = None
    """The name the pipeline message stores (None when it stores none: libhdf5 then
    reports its own filters' names, h5ls and h5dump nothing for others)."""


@dataclass(frozen=True)
class StorageDescription:
    """How and where a dataset's elements are stored."""

    layout: str
    """"compact", "contiguous", "chunked" or "virtual"."""
    layout_version: int
    chunk_shape: tuple[int, ...] | None
    chunk_index: str | None
    """"btree_v1", "single", "implicit", "fixed_array", "extensible_array", "btree_v2"."""
    filters: tuple[FilterDescription, ...]
    address: int | None
    """Absolute file offset of contiguous data (None when not allocated or not contiguous)."""
    logical_bytes: int
    """Bytes of all elements, unfiltered (shape x element size)."""
    allocated_bytes: int
    """Bytes the elements occupy in the file (filtered chunks as stored)."""
    chunks_allocated: int
    external: tuple[tuple[str, int, int], ...] | None
    """External raw data files (name, offset, size)."""
    alloc_time: str
    """"early", "late", "incremental" (or "default" in old fill value messages)."""
    fill_time: str
    """"alloc", "never", "ifset"."""
    fill_defined: bool
    fill_value: bytes | None
    """The stored fill value bytes (None: default, all zero; or undefined)."""


def describe_storage(storage: DatasetStorage) -> StorageDescription:
    """The storage of a dataset (``DatasetStorage``) as a plain record."""
    layout = storage.layout
    chunked = layout if isinstance(layout, ChunkedLayout) else None
    fill = storage.fill_message
    nelem = 1
    for n in storage.shape:
        nelem *= int(n)
    contiguous = storage.contiguous_address
    return StorageDescription(
        layout=str(layout.layout_class),
        layout_version=int(layout.version),
        chunk_shape=storage.chunk_shape,
        chunk_index=None if chunked is None else _INDEX_NAMES.get(int(chunked.index_type)),
        filters=tuple(_filter(info) for info in storage.filters),
        address=None if contiguous is None else storage.fs.absolute(contiguous),
        logical_bytes=0 if storage.is_null else nelem * storage.element_size,
        allocated_bytes=storage.storage_size(),
        chunks_allocated=len(storage.chunk_table()) if chunked is not None else 0,
        external=None if storage.efl is None else tuple(storage.external_files() or ()),
        alloc_time=_ALLOC_TIMES.get(int(fill.alloc_time), "default") if fill else "default",
        fill_time=_FILL_TIMES.get(int(fill.fill_time), "ifset") if fill else "ifset",
        fill_defined=bool(fill.defined) if fill else True,
        fill_value=storage.fill_bytes(),
    )


def _filter(info: Any) -> FilterDescription:
    codec = filter_for(int(info.filter_id))
    return FilterDescription(
        filter_id=int(info.filter_id),
        name=info.name or getattr(codec, "name", None) or "unknown",
        h5py_name=getattr(codec, "h5py_name", None),
        optional=bool(info.optional),
        client_data=tuple(int(v) for v in info.client_data),
        available=bool(codec.available()),
        stored_name=info.name or None,
    )


@dataclass(frozen=True)
class HeaderDescription:
    """An object header as stored."""

    address: int
    """Absolute file offset of the object header (h5py's ``id`` token / ``h5ls`` address)."""
    version: int
    refcount: int
    """Hard links to the object."""
    chunks: tuple[tuple[int, int], ...]
    """(absolute address, size in bytes) of each chunk of the header."""
    message_types: tuple[int, ...]
    """The type number of each message, in storage order."""
    modification_time: int | None
    """Seconds since the epoch when the header records one (v2 times, or the message)."""


def describe_header(fs: FileState, address: int) -> HeaderDescription:
    """The object header at relative ``address``."""
    info = ObjectInfo(fs, address)
    header = info.header
    mtime = header.modification_time
    if mtime is None:
        found = info.first(MessageType.MODIFICATION_TIME) or info.first(
            MessageType.MODIFICATION_TIME_OLD
        )
        mtime = None if found is None else int(found.seconds)
    return HeaderDescription(
        address=fs.absolute(address),
        version=int(header.version),
        refcount=int(header.refcount),
        chunks=tuple((fs.absolute(c.address), int(c.size)) for c in header.chunks),
        message_types=tuple(int(m.type) for m in header.messages),
        modification_time=mtime,
    )


# --------------------------------------------------------------------------- for ls / dump
# (h5pure ls and h5pure dump: committed-type addresses of attributes, the superblock)


def attribute_datatype_addresses(fs: FileState, info: ObjectInfo) -> dict[str, int]:
    """``{attribute name: absolute address}`` of the attributes of ``info`` whose datatype
    is a committed datatype (h5dump names it by path, h5ls by address)."""
    messages: list[HeaderMessage] = list(info.raw(MessageType.ATTRIBUTE))
    ainfo = info.first(MessageType.ATTRIBUTE_INFO)
    if ainfo is not None and not fs.ctx.is_undefined(ainfo.fractal_heap_address):
        heap = FractalHeap.open(fs.source, fs.ctx, ainfo.fractal_heap_address)
        tree = BTreeV2.open(fs.source, fs.ctx, ainfo.name_index_address)
        for r in tree.records():
            heap_id = getattr(r, "heap_id", None)
            if heap_id is not None:
                messages.append(
                    HeaderMessage(
                        type=MessageType.ATTRIBUTE,
                        flags=0,
                        data=heap.get(heap_id),
                        creation_order=None,
                        address=0,
                    )
                )
    out: dict[str, int] = {}
    for msg in messages:
        rec = resolve_shared(fs, decode_message(msg, fs.ctx), MessageType.ATTRIBUTE)
        if isinstance(rec.datatype, SharedMessage) and rec.datatype.address is not None:
            name = rec.name if isinstance(rec.name, str) else rec.name.decode("utf-8", "replace")
            out[name] = fs.absolute(int(rec.datatype.address))
    return out


def committed_datatype_address(fs: FileState, info: ObjectInfo) -> int | None:
    """Absolute address of the committed datatype a dataset's type refers to, if any."""
    address = info.committed_datatype_address()
    return None if address is None else fs.absolute(address)


@dataclass(frozen=True)
class SuperblockDescription:
    """What ``h5dump -B`` shows of a file's superblock and creation properties."""

    version: int
    size_of_offsets: int
    size_of_lengths: int
    group_internal_k: int
    group_leaf_k: int
    indexed_storage_k: int
    userblock_size: int
    sohm_version: int
    """Version of the shared object header message table (0 without one)."""
    file_space_strategy: int
    """H5F_fspace_strategy_t: 0 FSM_AGGR (default), 1 PAGE, 2 AGGR, 3 NONE."""
    free_space_persist: bool
    free_space_threshold: int
    file_space_page_size: int


def describe_superblock(fs: FileState) -> SuperblockDescription:
    """The superblock and file creation properties of ``fs``."""
    sb = fs.superblock
    ext: dict[Any, Any] = {}
    if sb.version >= 2 and not fs.ctx.is_undefined(sb.extension_address):
        ext = read_superblock_extension(fs.source, fs.ctx, sb.extension_address)
    kvals = ext.get(MessageType.BTREE_K_VALUES)
    space = ext.get(MessageType.FILE_SPACE_INFO)
    sohm = ext.get(MessageType.SHARED_MESSAGE_TABLE)
    strategy, persist, threshold, page = 0, False, 1, 4096
    if space is not None and int(space.version) >= 1:
        strategy, persist, threshold = int(space.strategy), bool(space.persist), int(space.threshold)
        page = int(space.page_size or 4096)
    return SuperblockDescription(
        version=int(sb.version),
        size_of_offsets=int(sb.size_of_offsets),
        size_of_lengths=int(sb.size_of_lengths),
        group_internal_k=int(kvals.group_internal_k if kvals else sb.group_internal_k),
        group_leaf_k=int(kvals.group_leaf_k if kvals else sb.group_leaf_k),
        indexed_storage_k=int(
            kvals.indexed_storage_internal_k if kvals else sb.indexed_storage_k
        ),
        userblock_size=int(sb.base_address),
        sohm_version=int(sohm.version) if sohm is not None else 0,
        file_space_strategy=strategy,
        free_space_persist=persist,
        free_space_threshold=threshold,
        file_space_page_size=page,
    )
