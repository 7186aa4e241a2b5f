"""The Data Layout message (type 0x08): where and how a dataset's raw data is stored.

HDF5 File Format Specification 4.0, IV.A.2.i ("The Data Layout Message"), versions 1-5;
libhdf5 ``src/H5Olayout.c`` (``H5O__layout_decode``) settles what the spec leaves vague:

- Versions 1 and 2 (HDF5 1.4 era): version, dimensionality, class, 5 reserved bytes, the data
  address (absent for compact), then ``dimensionality`` u32 dims (for chunked storage the last
  one is the element size), then for compact storage a u32 size and the data.
- Version 3: class, then compact (u16 size + data), contiguous (address O + size L) or
  chunked (dimensionality = rank + 1, index address O, u32 dims, the last being the element
  size).  The chunk index is always a v1 B-tree.
- Versions 4 and 5: chunked storage adds a flags byte, a "dimension size encoded length" byte
  (dims are stored with that width), a chunk index type (Appendix C) with its parameters,
  then the index address.  The single-chunk filtered size + filter mask are present when
  flags **bit 1** (``H5O_LAYOUT_CHUNK_SINGLE_INDEX_WITH_FILTER``) is set; the spec text says
  bit 0, libhdf5 uses bit 1.  Virtual storage: global heap collection address O + index u32.
  Version 5 (HDF5 2.0) has the same message bytes; it changes the filtered chunk-size width
  inside the FA/EA/v2 B-tree records, which the index decoders read from the index headers.

Record design: one frozen dataclass per layout class (:class:`CompactLayout`,
:class:`ContiguousLayout`, :class:`ChunkedLayout`, :class:`VirtualLayout`), all
:class:`Layout`, found by their class number (no if/elif chain on it).  A chunked layout's
index parameters are decoded and encoded by its chunk index type
(:mod:`..chunk_index`), so a new index type needs no change here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeAlias

from ...errors import FormatError
from ..chunk_index import ChunkIndexType, chunk_index
from ..chunk_index.base import SINGLE_INDEX_WITH_FILTER
from ..context import FormatContext
from ..structs import LENGTH, OFFSET, U8, U16, U32, Cursor, Reserved, Struct, encode_uint
from . import MessageType, register

if TYPE_CHECKING:  # loaded on first use (see __getattr__): each with its index type
    from ..chunk_index.btree import BTreeV2Params
    from ..chunk_index.extensible_array import ExtensibleArrayParams
    from ..chunk_index.fixed_array import FixedArrayParams
    from ..chunk_index.single import SingleChunkParams

    IndexParams: TypeAlias = (
        FixedArrayParams | ExtensibleArrayParams | BTreeV2Params | SingleChunkParams
    )
    """The chunk index parameters a layout v4/v5 stores (see each index type)."""

__all__ = [
    "ChunkIndexType",
    "LayoutClass",
    "IndexParams",
    "FixedArrayParams",
    "ExtensibleArrayParams",
    "BTreeV2Params",
    "SingleChunkParams",
    "Layout",
    "CompactLayout",
    "ContiguousLayout",
    "ChunkedLayout",
    "VirtualLayout",
    "decode_layout",
    "SINGLE_INDEX_WITH_FILTER",
    "DONT_FILTER_PARTIAL_BOUND_CHUNKS",
]

LayoutClass = Literal["compact", "contiguous", "chunked", "virtual"]

_PARAMS_MODULE = {
    "FixedArrayParams": "fixed_array",
    "ExtensibleArrayParams": "extensible_array",
    "BTreeV2Params": "btree",
    "SingleChunkParams": "single",
}
"""The parameter records of the index types, re-exported here, by the module of each."""


def _params_class(name: str) -> Any:
    module = importlib.import_module(f"..chunk_index.{_PARAMS_MODULE[name]}", __package__)
    return getattr(module, name)


def __getattr__(name: str) -> Any:
    if name in _PARAMS_MODULE:
        value = _params_class(name)
    elif name == "IndexParams":
        value = (
            _params_class("FixedArrayParams")
            | _params_class("ExtensibleArrayParams")
            | _params_class("BTreeV2Params")
            | _params_class("SingleChunkParams")
        )
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value

DONT_FILTER_PARTIAL_BOUND_CHUNKS = 0x01
"""Layout v4/v5 chunked flags bit 0: edge chunks are stored unfiltered."""
_ALL_CHUNK_FLAGS = DONT_FILTER_PARTIAL_BOUND_CHUNKS | SINGLE_INDEX_WITH_FILTER

_MAX_NDIMS = 33  # H5O_LAYOUT_NDIMS = H5S_MAX_RANK + 1

# IV.A.2.i, versions 1 and 2: the fixed head before the address.
_HEAD_V1 = Struct(
    "layout message v1/v2 head",
    [("version", U8), ("ndims", U8), ("layout_class", U8), ("reserved", Reserved(5))],
)
# IV.A.2.i, versions 3-5: version and class, then each class's properties.
_HEAD_V3 = Struct("layout message head", [("version", U8), ("layout_class", U8)])
_COMPACT_V3 = Struct(
    "compact layout message", [("version", U8), ("layout_class", U8), ("size", U16)]
)
_CONTIGUOUS_V3 = Struct(
    "contiguous layout message",
    [("version", U8), ("layout_class", U8), ("address", OFFSET), ("size", LENGTH)],
)
_VIRTUAL = Struct(
    "virtual layout message",
    [("version", U8), ("layout_class", U8), ("heap_address", OFFSET), ("heap_index", U32)],
)
# versions 4 and 5, chunked: the fixed head before the dims.
_CHUNKED_HEAD_V4 = Struct(
    "layout message v4 chunked head",
    [("flags", U8), ("ndims", U8), ("dim_width", U8)],
)


class Layout:
    """A decoded Data Layout message (IV.A.2.i): the base of one record per layout class."""

    layout_class: ClassVar[LayoutClass]
    """"compact", "contiguous", "chunked" or "virtual"."""
    class_id: ClassVar[int]
    """The class number in the message."""
    version: int
    """Message version, 1-5."""

    @classmethod
    def decode(cls, buf: bytes, ctx: FormatContext) -> Layout:
        """Decode a layout message body (trailing padding is ignored)."""
        return cls.decode_with_size(buf, ctx)[0]

    @classmethod
    def decode_with_size(cls, buf: bytes, ctx: FormatContext) -> tuple[Layout, int]:
        """Decode a layout message body; also return the bytes consumed."""
        cur = Cursor(buf, "layout message")
        cur.need(1)
        version = buf[0]
        if version in (1, 2):
            head = cur.struct(_HEAD_V1, ctx)
            variant = _variant(head["layout_class"], version)
            ndims = head["ndims"]
            if not 1 <= ndims <= _MAX_NDIMS:
                raise FormatError(f"layout message v{version}: dimensionality {ndims} out of range")
            layout = variant._decode_legacy(cur, ctx, version, ndims)
        elif version in (3, 4, 5):
            class_id = _HEAD_V3.decode(buf, 0, ctx)["layout_class"]
            layout = _variant(class_id, version)._decode_v3(cur, ctx, version)
        else:
            raise FormatError(f"layout message: unsupported version {version}")
        return layout, cur.pos

    def encode(self, ctx: FormatContext) -> bytes:
        """The message body, byte-identical to what libhdf5 writes for the same record."""
        if self.version in (1, 2):
            dims = self._legacy_dims()
            values = {"version": self.version, "ndims": len(dims), "layout_class": self.class_id}
            return _HEAD_V1.encode(values, ctx) + self._encode_legacy(ctx, dims)
        return self._encode_v3(ctx)

    # -- each class ------------------------------------------------------------------------
    @classmethod
    def _decode_v3(cls, cur: Cursor, ctx: FormatContext, version: int) -> Layout:
        """Versions 3-5: the whole message (its version and class bytes included)."""
        raise NotImplementedError

    def _encode_v3(self, ctx: FormatContext) -> bytes:
        """Inverse of :meth:`_decode_v3`."""
        raise NotImplementedError

    @classmethod
    def _decode_legacy(cls, cur: Cursor, ctx: FormatContext, version: int, ndims: int) -> Layout:
        """Versions 1 and 2: what follows the head (address, ``ndims`` dims, ...)."""
        raise FormatError(f"layout message v{version}: {cls.layout_class} layout needs version 4+")

    def _legacy_dims(self) -> tuple[int, ...]:
        dims: tuple[int, ...] | None = getattr(self, "legacy_dims", None)
        if dims is None:
            raise ValueError("layout v1/v2 record without legacy_dims")
        return tuple(dims)

    def _encode_legacy(self, ctx: FormatContext, dims: tuple[int, ...]) -> bytes:
        """Inverse of :meth:`_decode_legacy`."""
        raise ValueError(f"a {self.layout_class} layout has no version {self.version}")


_BY_CLASS_ID: dict[int, type[Layout]] = {}


def _variant_of(cls: type[Layout]) -> type[Layout]:
    _BY_CLASS_ID[cls.class_id] = cls
    return cls


def _variant(class_id: int, version: int) -> type[Layout]:
    variant = _BY_CLASS_ID.get(class_id)
    if variant is None or (variant.layout_class == "virtual" and version < 4):
        raise FormatError(f"layout message v{version}: invalid layout class {class_id}")
    return variant


def _addr(address: int | None, ctx: FormatContext) -> int:
    return ctx.undefined_address if address is None else address


def _min_width(value: int) -> int:
    """Bytes needed to encode ``value`` (at least 1), as libhdf5's encoder computes it."""
    return max(1, (value.bit_length() + 7) // 8)


@_variant_of
@dataclass(frozen=True)
class CompactLayout(Layout):
    """Class 0: the raw data stored in the message itself."""

    layout_class: ClassVar[LayoutClass] = "compact"
    class_id: ClassVar[int] = 0
    version: int
    compact_data: bytes | None = None
    """The raw data."""
    size: int | None = None
    """The data size as stored (None for records built to be written)."""
    legacy_dims: tuple[int, ...] | None = None
    """v1/v2: the dims exactly as stored."""

    @classmethod
    def _decode_v3(cls, cur: Cursor, ctx: FormatContext, version: int) -> Layout:
        size = cur.struct(_COMPACT_V3, ctx)["size"]
        return cls(version, cur.take(size), size)

    def _encode_v3(self, ctx: FormatContext) -> bytes:
        data = self.compact_data or b""
        head = {"version": self.version, "layout_class": self.class_id, "size": len(data)}
        return _COMPACT_V3.encode(head, ctx) + data

    @classmethod
    def _decode_legacy(cls, cur: Cursor, ctx: FormatContext, version: int, ndims: int) -> Layout:
        dims = tuple(cur.uints(ndims, 4))
        size = cur.u32()
        return cls(version, cur.take(size), size, dims)

    def _encode_legacy(self, ctx: FormatContext, dims: tuple[int, ...]) -> bytes:
        data = self.compact_data or b""
        return b"".join(encode_uint(d, 4) for d in dims) + encode_uint(len(data), 4) + data


@_variant_of
@dataclass(frozen=True)
class ContiguousLayout(Layout):
    """Class 1: the raw data in one block of the file."""

    layout_class: ClassVar[LayoutClass] = "contiguous"
    class_id: ClassVar[int] = 1
    version: int
    address: int | None = None
    """Data address (may be the undefined address: not allocated)."""
    size: int | None = None
    """Storage size in bytes (v3+; None for v1/v2, compute it from the dataspace)."""
    legacy_dims: tuple[int, ...] | None = None
    """v1/v2: the dims exactly as stored."""

    @classmethod
    def _decode_v3(cls, cur: Cursor, ctx: FormatContext, version: int) -> Layout:
        v = cur.struct(_CONTIGUOUS_V3, ctx)
        return cls(version, v["address"], v["size"])

    def _encode_v3(self, ctx: FormatContext) -> bytes:
        values = {
            "version": self.version,
            "layout_class": self.class_id,
            "address": _addr(self.address, ctx),
            "size": self.size or 0,
        }
        return _CONTIGUOUS_V3.encode(values, ctx)

    @classmethod
    def _decode_legacy(cls, cur: Cursor, ctx: FormatContext, version: int, ndims: int) -> Layout:
        address = cur.offset(ctx)
        return cls(version, address, None, tuple(cur.uints(ndims, 4)))

    def _encode_legacy(self, ctx: FormatContext, dims: tuple[int, ...]) -> bytes:
        out = encode_uint(_addr(self.address, ctx), ctx.size_of_offsets)
        return out + b"".join(encode_uint(d, 4) for d in dims)


@_variant_of
@dataclass(frozen=True)
class ChunkedLayout(Layout):
    """Class 2: the raw data in chunks found through a chunk index."""

    layout_class: ClassVar[LayoutClass] = "chunked"
    class_id: ClassVar[int] = 2
    version: int
    chunk_shape: tuple[int, ...]
    """Chunk dims in elements, without the trailing element-size dimension."""
    chunk_element_size: int
    """The trailing "dimension" of the chunk dims: the dataset element size in bytes."""
    index_type: ChunkIndexType = ChunkIndexType.BTREE_V1
    """Chunk index type (BTREE_V1 for v1-v3 layouts)."""
    index_address: int | None = None
    """Address of the chunk index (v1/v2 B-tree, FA/EA header, the single chunk, or the base
    address of implicitly indexed chunks); may be undefined (nothing allocated)."""
    index_params: IndexParams | None = None
    """The index type's parameters (v4+): FA / EA / v2 B-tree creation parameters, the
    filtered single chunk's size and mask."""
    flags: int = 0
    """v4/v5 flags (bit 0 unfiltered edge chunks, bit 1 single chunk filtered)."""
    dim_size_width: int | None = None
    """v4/v5: bytes used to encode each chunk dimension."""
    legacy_dims: tuple[int, ...] | None = None
    """v1/v2: the dims exactly as stored (including the element size)."""

    @property
    def chunk_bytes(self) -> int:
        """Unfiltered size of one chunk in bytes (product of all chunk dims)."""
        n = self.chunk_element_size
        for d in self.chunk_shape:
            n *= d
        return n

    @property
    def single_chunk_filtered_size(self) -> int | None:
        """Single chunk index with filters: the stored size of the chunk."""
        p = self.index_params
        if p is None:
            return None
        from ..chunk_index.single import SingleChunkParams

        return p.filtered_size if isinstance(p, SingleChunkParams) else None

    @property
    def single_chunk_filter_mask(self) -> int | None:
        """Single chunk index with filters: the chunk's filter mask."""
        p = self.index_params
        if p is None:
            return None
        from ..chunk_index.single import SingleChunkParams

        return p.filter_mask if isinstance(p, SingleChunkParams) else None

    def _all_dims(self) -> tuple[int, ...]:
        return (*self.chunk_shape, self.chunk_element_size)

    @classmethod
    def _decode_v3(cls, cur: Cursor, ctx: FormatContext, version: int) -> Layout:
        cur.struct(_HEAD_V3, ctx)
        if version == 3:
            ndims = cur.u8()
            if not 2 <= ndims <= _MAX_NDIMS:
                raise FormatError(f"layout message v3: chunk dimensionality {ndims} out of range")
            address = cur.offset(ctx)
            dims = tuple(cur.uints(ndims, 4))
            if 0 in dims:
                raise FormatError(f"layout message v3: zero chunk dimension in {dims}")
            return cls(version, dims[:-1], dims[-1], ChunkIndexType.BTREE_V1, address)
        head = cur.struct(_CHUNKED_HEAD_V4, ctx)
        flags, ndims, width = head["flags"], head["ndims"], head["dim_width"]
        where = f"layout message v{version}"
        if flags & ~_ALL_CHUNK_FLAGS:
            raise FormatError(f"{where}: bad chunked flags 0x{flags:02x}")
        if not 2 <= ndims <= _MAX_NDIMS:
            raise FormatError(f"{where}: chunk dimensionality {ndims} out of range")
        if not 1 <= width <= 8:
            raise FormatError(f"{where}: dimension size width {width} not in 1..8")
        dims = tuple(cur.uints(ndims, width))
        if 0 in dims:
            raise FormatError(f"{where}: zero chunk dimension in {dims}")
        raw_type = cur.u8()
        try:
            index_type = ChunkIndexType(raw_type)
        except ValueError:
            raise FormatError(f"{where}: unknown chunk index type {raw_type}") from None
        if index_type == ChunkIndexType.BTREE_V1:
            raise FormatError(f"{where}: v1 B-tree index in a v4+ layout")
        try:
            params = chunk_index(index_type).decode_params(cur, ctx, flags)
        except FormatError as e:
            raise FormatError(f"{where}: {e}") from e
        address = cur.offset(ctx)
        return cls(version, dims[:-1], dims[-1], index_type, address, params, flags, width)

    def _encode_v3(self, ctx: FormatContext) -> bytes:
        dims = self._all_dims()
        head = _HEAD_V3.encode({"version": self.version, "layout_class": self.class_id}, ctx)
        address = encode_uint(_addr(self.index_address, ctx), ctx.size_of_offsets)
        if self.version == 3:
            return head + bytes([len(dims)]) + address + b"".join(encode_uint(d, 4) for d in dims)
        if self.index_type == ChunkIndexType.BTREE_V1:
            raise ValueError(f"layout v{self.version}: a v1 B-tree index needs layout v3")
        width = self.dim_size_width or _min_width(max(dims))
        chunked = _CHUNKED_HEAD_V4.encode(
            {"flags": self.flags, "ndims": len(dims), "dim_width": width}, ctx
        )
        params = chunk_index(self.index_type).encode_params(self.index_params, ctx, self.flags)
        return (
            head
            + chunked
            + b"".join(encode_uint(d, width) for d in dims)
            + bytes([int(self.index_type)])
            + params
            + address
        )

    @classmethod
    def _decode_legacy(cls, cur: Cursor, ctx: FormatContext, version: int, ndims: int) -> Layout:
        address = cur.offset(ctx)
        dims = tuple(cur.uints(ndims, 4))
        if ndims < 2 or 0 in dims:
            raise FormatError(f"layout message v{version}: bad chunk dims {dims}")
        return cls(version, dims[:-1], dims[-1], ChunkIndexType.BTREE_V1, address, legacy_dims=dims)

    def _legacy_dims(self) -> tuple[int, ...]:
        return self.legacy_dims if self.legacy_dims is not None else self._all_dims()

    def _encode_legacy(self, ctx: FormatContext, dims: tuple[int, ...]) -> bytes:
        out = encode_uint(_addr(self.index_address, ctx), ctx.size_of_offsets)
        return out + b"".join(encode_uint(d, 4) for d in dims)


@_variant_of
@dataclass(frozen=True)
class VirtualLayout(Layout):
    """Class 3 (v4+): the data mapped from source datasets (:mod:`..vds`)."""

    layout_class: ClassVar[LayoutClass] = "virtual"
    class_id: ClassVar[int] = 3
    version: int
    virtual_heap_address: int | None = None
    """Global heap collection holding the mapping block (III.F)."""
    virtual_heap_index: int | None = None
    """Object index within that collection."""

    @classmethod
    def _decode_v3(cls, cur: Cursor, ctx: FormatContext, version: int) -> Layout:
        v = cur.struct(_VIRTUAL, ctx)
        return cls(version, v["heap_address"], v["heap_index"])

    def _encode_v3(self, ctx: FormatContext) -> bytes:
        values = {
            "version": self.version,
            "layout_class": self.class_id,
            "heap_address": _addr(self.virtual_heap_address, ctx),
            "heap_index": self.virtual_heap_index or 0,
        }
        return _VIRTUAL.encode(values, ctx)


@register(MessageType.LAYOUT)
def decode_layout(data: bytes, ctx: FormatContext, flags: int = 0) -> Layout:
    """Registry decoder: ``(data, ctx, flags) -> Layout``."""
    return Layout.decode(data, ctx)
