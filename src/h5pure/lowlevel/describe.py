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
    index_address: int | None = None
    """Absolute file offset of a chunked dataset's chunk index (None: none allocated)."""


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
        index_address=_index_address(storage, chunked),
    )


def _index_address(storage: DatasetStorage, chunked: ChunkedLayout | None) -> int | None:
    """The absolute address of a chunked dataset's index, None when it has none."""
    if chunked is None:
        return None
    address = chunked.index_address
    if address is None or storage.fs.ctx.is_undefined(address):
        return None
    return storage.fs.absolute(address)


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


@dataclass(frozen=True)
class ObjectSettings:
    """Creation settings of an object that h5py's API does not show (``repack`` keeps
    them): creation order tracking, link storage thresholds, time tracking."""

    link_order_tracked: bool
    """A group's links record their creation order (link info message, bit 0)."""
    link_order_indexed: bool
    attribute_order_tracked: bool
    """The object's attributes record their creation order (attribute info message)."""
    attribute_order_indexed: bool
    max_compact_links: int | None
    """A group's largest compact link count when stored (group info message)."""
    min_dense_links: int | None
    times_tracked: bool
    """The header records times (v2 flag bit 5, or a modification time message)."""


def describe_settings(fs: FileState, address: int) -> ObjectSettings:
    """The creation settings of the object whose header is at relative ``address``."""
    info = ObjectInfo(fs, address)
    header = info.header
    link_info = info.first(MessageType.LINK_INFO)
    attr_info = info.first(MessageType.ATTRIBUTE_INFO)
    group_info = info.first(MessageType.GROUP_INFO)
    link_flags = int(link_info.flags) if link_info is not None else 0
    attr_flags = int(attr_info.flags) if attr_info is not None else 0
    times = (
        bool(header.flags & 0x20)
        or info.has(MessageType.MODIFICATION_TIME)
        or info.has(MessageType.MODIFICATION_TIME_OLD)
    )
    stored = group_info is not None and int(group_info.flags) & 0x01
    return ObjectSettings(
        link_order_tracked=bool(link_flags & 0x01),
        link_order_indexed=bool(link_flags & 0x02),
        attribute_order_tracked=bool(attr_flags & 0x01) or bool(header.flags & 0x04),
        attribute_order_indexed=bool(attr_flags & 0x02) or bool(header.flags & 0x08),
        max_compact_links=int(group_info.max_compact) if stored else None,
        min_dense_links=int(group_info.min_dense) if stored else None,
        times_tracked=times,
    )


# -- where the bytes go (h5stat) --------------------------------------------------------


@dataclass(frozen=True)
class ObjectSpace:
    """The file space one object's metadata takes, in ``h5stat``'s categories."""

    kind: str
    """ "group", "dataset", "datatype" or "unknown"."""
    header_total: int
    """Bytes of every chunk of the object header (prefix, gaps and checksums included)."""
    header_unused: int
    """Bytes of the header holding no message (NIL messages, gaps)."""
    link_index: int
    """Group: v1 B-tree nodes and symbol table nodes, or the v2 B-trees of dense links."""
    link_heap: int
    """Group: the local heap of link names, or the fractal heap of dense links."""
    attribute_index: int
    """v2 B-trees of dense attributes."""
    attribute_heap: int
    """Fractal heap of dense attributes."""
    chunk_index: int
    """Dataset: the chunk index structures (B-tree nodes, array blocks)."""
    external_heap: int
    """Dataset: the local heap naming external raw data files, the global heap object
    holding a virtual dataset's mappings."""
    num_attributes: int
    num_links: int
    """Group: its links."""
    refcount: int
    header_message_bytes: dict[int, int]
    """Message type -> bytes of its messages (header included)."""


class _RecordingSource:
    """A ByteSource that remembers every extent read (to measure index structures)."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.extents: dict[int, int] = {}

    def read(self, address: int, size: int) -> bytes:
        self.extents[address] = max(size, self.extents.get(address, 0))
        return self.source.read(address, size)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.source, name)


def _union_bytes(extents: dict[int, int]) -> int:
    total = 0
    end = -1
    for address in sorted(extents):
        stop = address + extents[address]
        if stop <= end:
            continue
        total += stop - max(address, end)
        end = stop
    return total


def _dense_space(fs: FileState, info: Any) -> tuple[int, int]:
    """(B-tree bytes, fractal heap bytes) of dense link or attribute storage."""
    from ..format.btree_v2 import BTreeV2
    from ..format.fractal_heap import FractalHeap

    ctx, source = fs.ctx, fs.source
    if info is None or ctx.is_undefined(info.fractal_heap_address):
        return 0, 0
    fheap = FractalHeap.open(source, ctx, info.fractal_heap_address)
    heap = sum(size for _, size in fheap.blocks())
    manager = fheap.header["free_space_manager_address"]
    if not ctx.is_undefined(manager):  # libhdf5's H5HF_size counts the heap's manager
        from ..format.free_space import free_space_manager_size

        heap += free_space_manager_size(source, ctx, manager)
    index = 0
    for address in (info.name_index_address, info.creation_order_index_address):
        if address is not None and not ctx.is_undefined(address):
            index += sum(size for _, size in BTreeV2.open(source, ctx, address).blocks())
    return index, heap


def _symbol_table_space(fs: FileState, stab: Any) -> tuple[int, int]:
    """(B-tree and symbol table node bytes, local heap bytes) of a symbol table group."""
    from ..format.btree_v1 import GROUP_NODE, node_addresses, node_size
    from ..format.local_heap import HEADER as HEAP_HEADER
    from ..format.local_heap import LocalHeap
    from ..format.symbol_table import ENTRY
    from ..format.symbol_table import NODE_HEADER as SNOD_HEADER

    ctx, source, sb = fs.ctx, fs.source, fs.superblock
    index = heap = 0
    if not ctx.is_undefined(stab.btree_address):
        bsize = node_size(ctx, GROUP_NODE, int(sb.group_internal_k))
        snod = SNOD_HEADER.size(ctx) + 2 * int(sb.group_leaf_k) * ENTRY.size(ctx)
        index += bsize * sum(1 for _ in node_addresses(source, ctx, stab.btree_address, GROUP_NODE))
        from ..format.btree_v1 import walk_btree_v1

        index += snod * sum(1 for _ in walk_btree_v1(source, ctx, stab.btree_address, GROUP_NODE))
    if not ctx.is_undefined(stab.heap_address):
        local = LocalHeap.read(source, ctx, stab.heap_address)
        heap = HEAP_HEADER.size(ctx) + len(local.data)
    return index, heap


def _header_unused(fs: FileState, header: Any) -> int:
    """Bytes of a header's message areas holding no message (NIL messages and gaps)."""
    ctx = fs.ctx
    if header.version == 1:
        hsize = 8
    else:
        hsize = 4 + (2 if header.flags & 0x04 else 0)
    used = sum(hsize + len(m.data) for m in header.messages)
    used += (len(header.chunks) - 1) * (hsize + ctx.size_of_offsets + ctx.size_of_lengths)
    available = sum(int(c.messages_size) for c in header.chunks)
    return max(0, available - used)


def describe_space(fs: FileState, address: int) -> ObjectSpace:
    """Where the metadata of the object at relative ``address`` lies, by kind."""
    from .dataset import DatasetStorage

    info = ObjectInfo(fs, address)
    header = info.header
    kind = info.kind
    total = sum(int(c.size) for c in header.chunks)
    link_index = link_heap = attr_index = attr_heap = chunk_index = external = 0
    stab = info.first(MessageType.SYMBOL_TABLE)
    if stab is not None:
        link_index, link_heap = _symbol_table_space(fs, stab)
    else:
        link_index, link_heap = _dense_space(fs, info.first(MessageType.LINK_INFO))
    attr_index, attr_heap = _dense_space(fs, info.first(MessageType.ATTRIBUTE_INFO))
    num_links = 0
    if kind == "group":
        num_links = len(fs.links(info).entries)
    num_attributes = len(fs.attributes(info))
    if kind == "dataset":
        storage = DatasetStorage(fs, info)
        layout = storage.layout
        if isinstance(layout, ChunkedLayout):
            chunk_index = _chunk_index_space(fs, storage, layout)
        heap_address = getattr(layout, "virtual_heap_address", None)
        if heap_address is not None and not fs.ctx.is_undefined(heap_address):
            index = int(getattr(layout, "virtual_heap_index", 0) or 0)
            external += len(fs.global_heap_object(heap_address, index))
        if storage.efl is not None:
            from ..format.local_heap import HEADER as HEAP_HEADER
            from ..format.local_heap import LocalHeap

            local = LocalHeap.read(fs.source, fs.ctx, storage.efl.heap_address)
            external = HEAP_HEADER.size(fs.ctx) + len(local.data)
    by_type: dict[int, int] = {}
    hsize = 8 if header.version == 1 else 4 + (2 if header.flags & 0x04 else 0)
    for m in header.messages:
        by_type[int(m.type)] = by_type.get(int(m.type), 0) + hsize + len(m.data)
    return ObjectSpace(
        kind=kind,
        header_total=total,
        header_unused=_header_unused(fs, header),
        link_index=link_index,
        link_heap=link_heap,
        attribute_index=attr_index,
        attribute_heap=attr_heap,
        chunk_index=chunk_index,
        external_heap=external,
        num_attributes=num_attributes,
        num_links=num_links,
        refcount=int(header.refcount),
        header_message_bytes=by_type,
    )


def _chunk_index_space(fs: FileState, storage: Any, layout: ChunkedLayout) -> int:
    """Bytes of a dataset's chunk index: v1 B-tree nodes at their allocated size, the
    blocks of the other indexes as read."""
    from ..format.btree_v1 import CHUNK_NODE, node_addresses, node_size
    from ..format.chunk_index import load_chunk_table

    ctx = fs.ctx
    index_type = int(layout.index_type)
    if index_type in (1, 2):  # single chunk, implicit: no index structure
        return 0
    address = layout.index_address
    if index_type == 0:
        if address is None or ctx.is_undefined(address):
            return 0
        ndims = len(layout.chunk_shape) + 1  # keys carry the element-size dimension too
        size = node_size(ctx, CHUNK_NODE, int(fs.superblock.indexed_storage_k), ndims)
        return size * sum(1 for _ in node_addresses(fs.source, ctx, address, CHUNK_NODE, ndims))
    if index_type == 5:  # v2 B-tree: its header and every node at the tree's node size
        from ..format.btree_v2 import BTreeV2

        if address is None or ctx.is_undefined(address):
            return 0
        tree = BTreeV2.open(fs.source, ctx, address, ndims=len(layout.chunk_shape))
        return sum(size for _, size in tree.blocks())
    recorder = _RecordingSource(fs.source)
    load_chunk_table(
        recorder,
        ctx,
        layout,
        storage.shape,
        storage.maxshape,
        storage.element_size,
        bool(storage.filters),
    )
    return _union_bytes(recorder.extents)


@dataclass(frozen=True)
class FileSpace:
    """File-wide space: superblock, user block, shared messages, free space."""

    file_size: int
    eof: int
    userblock: int
    superblock: int
    superblock_extension: int
    sohm_header: int
    sohm_index: int
    sohm_heap: int
    free_space_header: int
    free_space: int
    """Tracked (persistent) free space; 0 when the file does not persist it."""


def describe_file_space(fs: FileState) -> FileSpace:
    """The file-wide structures of ``fs``."""
    sb = fs.superblock
    ctx = fs.ctx
    ext = 0
    if sb.version >= 2 and not ctx.is_undefined(sb.extension_address):
        ext = sum(int(c.size) for c in ObjectInfo(fs, sb.extension_address).header.chunks)
    superblock = int(sb.encoded_size)
    size = int(fs.driver.size())
    return FileSpace(
        file_size=size,
        eof=int(ctx.eof_address or 0),
        userblock=int(fs.userblock_size),
        superblock=superblock,
        superblock_extension=ext,
        sohm_header=0,
        sohm_index=0,
        sohm_heap=0,
        free_space_header=0,
        free_space=0,
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
        ext = fs.superblock_extension()  # (a writer's model before it is written)
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
