"""What an object is made of on disk, as plain records: for the tools (``h5pure ls``,
``dump``, ``stat``, ``repack``) and the viewer, which show more than h5py's API does
(the filter pipeline in order, the chunk index, the fill value message, addresses).

Read-only: nothing here changes a file.  Records are frozen dataclasses of plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..filters import filter_for
from ..format.messages import MessageType
from ..format.messages.layout import ChunkedLayout
from .objects import ObjectInfo

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
    times = bool(header.flags & 0x20) or info.has(MessageType.MODIFICATION_TIME) or info.has(
        MessageType.MODIFICATION_TIME_OLD
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
