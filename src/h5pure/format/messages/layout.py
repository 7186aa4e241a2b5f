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
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from ...errors import FormatError
from ..chunk_index.base import ChunkIndexType
from ..chunk_index.extensible_array import ExtensibleArrayParams
from ..chunk_index.single import SINGLE_INDEX_WITH_FILTER
from ..context import FormatContext
from ..structs import U8, U16, U32, Cursor, Reserved, Struct, encode_uint
from . import MessageType, register

__all__ = [
    "ChunkIndexType",
    "LayoutClass",
    "FixedArrayParams",
    "ExtensibleArrayParams",
    "BTreeV2Params",
    "Layout",
    "decode_layout",
    "SINGLE_INDEX_WITH_FILTER",
    "DONT_FILTER_PARTIAL_BOUND_CHUNKS",
]


LayoutClass = Literal["compact", "contiguous", "chunked", "virtual"]
_CLASS_NAMES: dict[int, LayoutClass] = {
    0: "compact",
    1: "contiguous",
    2: "chunked",
    3: "virtual",
}
_CLASS_IDS = {v: k for k, v in _CLASS_NAMES.items()}

DONT_FILTER_PARTIAL_BOUND_CHUNKS = 0x01
"""Layout v4/v5 chunked flags bit 0: edge chunks are stored unfiltered."""
_ALL_CHUNK_FLAGS = DONT_FILTER_PARTIAL_BOUND_CHUNKS | SINGLE_INDEX_WITH_FILTER

_MAX_NDIMS = 33  # H5O_LAYOUT_NDIMS = H5S_MAX_RANK + 1

# IV.A.2.i, versions 1 and 2: the fixed head before the address.
_HEAD_V1 = Struct(
    "layout message v1/v2 head",
    [("version", U8), ("ndims", U8), ("layout_class", U8), ("reserved", Reserved(5))],
)
# IV.A.2.i, versions 4 and 5, chunked: the fixed head before the dims.
_CHUNKED_HEAD_V4 = Struct(
    "layout message v4 chunked head",
    [("flags", U8), ("ndims", U8), ("dim_width", U8)],
)
# Appendix C index parameters.
_FA_PARAMS = Struct("fixed array index parameters", [("page_bits", U8)])
_EA_PARAMS = Struct(
    "extensible array index parameters",
    [
        ("max_nelmts_bits", U8),
        ("index_block_elements", U8),
        ("super_block_min_data_ptrs", U8),
        ("data_block_min_elements", U8),
        ("max_data_block_page_bits", U8),
    ],
)
_BT2_PARAMS = Struct(
    "v2 B-tree index parameters",
    [("node_size", U32), ("split_percent", U8), ("merge_percent", U8)],
)
_COMPACT_SIZE_V3 = Struct("compact layout size", [("size", U16)])


@dataclass(frozen=True)
class FixedArrayParams:
    """Fixed array creation parameter (Appendix C, type 3)."""

    page_bits: int
    """log2 of the number of entries in one data block page (libhdf5 default 10)."""


@dataclass(frozen=True)
class BTreeV2Params:
    """v2 B-tree creation parameters (Appendix C, type 5)."""

    node_size: int
    split_percent: int
    merge_percent: int


IndexParams = FixedArrayParams | ExtensibleArrayParams | BTreeV2Params


@dataclass(frozen=True)
class Layout:
    """A decoded Data Layout message (IV.A.2.i)."""

    version: int
    """Message version, 1-5."""
    layout_class: LayoutClass
    """"compact", "contiguous", "chunked" or "virtual"."""
    compact_data: bytes | None = None
    """The raw data of a compact dataset."""
    address: int | None = None
    """Contiguous data address (may be the undefined address: not allocated)."""
    size: int | None = None
    """Contiguous storage size in bytes (v3+; None for v1/v2, compute it from the dataspace)."""
    chunk_shape: tuple[int, ...] | None = None
    """Chunk dims in elements, without the trailing element-size dimension."""
    chunk_element_size: int | None = None
    """The trailing "dimension" of the chunk dims: the dataset element size in bytes."""
    index_type: ChunkIndexType | None = None
    """Chunk index type (BTREE_V1 for v1-v3 chunked layouts)."""
    index_address: int | None = None
    """Address of the chunk index (v1/v2 B-tree, FA/EA header, the single chunk, or the base
    address of implicitly indexed chunks); may be undefined (nothing allocated)."""
    index_params: IndexParams | None = None
    """FA / EA / v2 B-tree creation parameters (v4+)."""
    flags: int = 0
    """v4/v5 chunked flags (bit 0 unfiltered edge chunks, bit 1 single chunk filtered)."""
    dim_size_width: int | None = None
    """v4/v5: bytes used to encode each chunk dimension."""
    single_chunk_filtered_size: int | None = None
    """Single chunk index with filters: the stored size of the chunk."""
    single_chunk_filter_mask: int | None = None
    """Single chunk index with filters: the chunk's filter mask."""
    virtual_heap_address: int | None = None
    """Virtual layout: global heap collection holding the mapping block (III.F)."""
    virtual_heap_index: int | None = None
    """Virtual layout: object index within that collection."""
    legacy_dims: tuple[int, ...] | None = None
    """v1/v2: the dims exactly as stored (for chunked layouts they include the element size)."""

    @property
    def chunk_bytes(self) -> int | None:
        """Unfiltered size of one chunk in bytes (product of all chunk dims)."""
        if self.chunk_shape is None or self.chunk_element_size is None:
            return None
        n = self.chunk_element_size
        for d in self.chunk_shape:
            n *= d
        return n

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
            layout = _decode_v1(cur, ctx)
        elif version in (3, 4, 5):
            cur.skip(1)
            layout = _decode_v3(cur, ctx, version)
        else:
            raise FormatError(f"layout message: unsupported version {version}")
        return layout, cur.pos

    def encode(self, ctx: FormatContext) -> bytes:
        """The message body, byte-identical to what libhdf5 writes for the same record."""
        if self.version in (1, 2):
            return self._encode_v1(ctx)
        out = bytearray([self.version, _CLASS_IDS[self.layout_class]])
        if self.layout_class == "compact":
            data = self.compact_data or b""
            out += _COMPACT_SIZE_V3.encode({"size": len(data)}) + data
        elif self.layout_class == "contiguous":
            out += encode_uint(_addr(self.address, ctx), ctx.size_of_offsets)
            out += encode_uint(self.size or 0, ctx.size_of_lengths)
        elif self.layout_class == "chunked":
            dims = self._all_chunk_dims()
            if self.version == 3:
                out.append(len(dims))
                out += encode_uint(_addr(self.index_address, ctx), ctx.size_of_offsets)
                for d in dims:
                    out += encode_uint(d, 4)
            else:
                width = self.dim_size_width or _min_width(max(dims))
                out += _CHUNKED_HEAD_V4.encode(
                    {"flags": self.flags, "ndims": len(dims), "dim_width": width}
                )
                for d in dims:
                    out += encode_uint(d, width)
                out += self._encode_index_params(ctx)
                out += encode_uint(_addr(self.index_address, ctx), ctx.size_of_offsets)
        else:  # virtual
            out += encode_uint(_addr(self.virtual_heap_address, ctx), ctx.size_of_offsets)
            out += encode_uint(self.virtual_heap_index or 0, 4)
        return bytes(out)

    def _all_chunk_dims(self) -> tuple[int, ...]:
        if self.chunk_shape is None or self.chunk_element_size is None:
            raise ValueError("chunked layout without chunk_shape / chunk_element_size")
        return (*self.chunk_shape, self.chunk_element_size)

    def _encode_index_params(self, ctx: FormatContext) -> bytes:
        it = self.index_type
        p = self.index_params
        out = bytearray([int(it if it is not None else ChunkIndexType.BTREE_V1)])
        if it == ChunkIndexType.SINGLE:
            if self.flags & SINGLE_INDEX_WITH_FILTER:
                out += encode_uint(self.single_chunk_filtered_size or 0, ctx.size_of_lengths)
                out += encode_uint(self.single_chunk_filter_mask or 0, 4)
        elif it == ChunkIndexType.FIXED_ARRAY and isinstance(p, FixedArrayParams):
            out += _FA_PARAMS.encode({"page_bits": p.page_bits})
        elif it == ChunkIndexType.EXTENSIBLE_ARRAY and isinstance(p, ExtensibleArrayParams):
            out += _EA_PARAMS.encode(asdict(p))
        elif it == ChunkIndexType.BTREE_V2 and isinstance(p, BTreeV2Params):
            out += _BT2_PARAMS.encode(asdict(p))
        elif it != ChunkIndexType.IMPLICIT:
            raise ValueError(f"layout v{self.version}: index type {it} lacks its parameters")
        return bytes(out)

    def _encode_v1(self, ctx: FormatContext) -> bytes:
        dims = self.legacy_dims
        if dims is None:
            if self.layout_class == "chunked":
                dims = self._all_chunk_dims()
            else:
                raise ValueError("layout v1/v2 record without legacy_dims")
        out = bytearray(
            _HEAD_V1.encode(
                {
                    "version": self.version,
                    "ndims": len(dims),
                    "layout_class": _CLASS_IDS[self.layout_class],
                }
            )
        )
        if self.layout_class == "contiguous":
            out += encode_uint(_addr(self.address, ctx), ctx.size_of_offsets)
        elif self.layout_class == "chunked":
            out += encode_uint(_addr(self.index_address, ctx), ctx.size_of_offsets)
        for d in dims:
            out += encode_uint(d, 4)
        if self.layout_class == "compact":
            data = self.compact_data or b""
            out += encode_uint(len(data), 4) + data
        return bytes(out)


def _addr(address: int | None, ctx: FormatContext) -> int:
    return ctx.undefined_address if address is None else address


def _min_width(value: int) -> int:
    """Bytes needed to encode ``value`` (at least 1), as libhdf5's encoder computes it."""
    return max(1, (value.bit_length() + 7) // 8)


def _class_name(cid: int, version: int) -> LayoutClass:
    name = _CLASS_NAMES.get(cid)
    if name is None or (name == "virtual" and version < 4):
        raise FormatError(f"layout message v{version}: invalid layout class {cid}")
    return name


def _decode_v1(cur: Cursor, ctx: FormatContext) -> Layout:
    """Versions 1 and 2 (IV.A.2.i, first table; ``H5O__layout_decode`` < v3)."""
    head = _HEAD_V1.decode(cur.buf, cur.pos, ctx)
    cur.skip(_HEAD_V1.size(ctx))
    version, ndims = head["version"], head["ndims"]
    cls_name = _class_name(head["layout_class"], version)
    if cls_name == "virtual":
        raise FormatError(f"layout message v{version}: virtual layout needs version 4+")
    if not 1 <= ndims <= _MAX_NDIMS:
        raise FormatError(f"layout message v{version}: dimensionality {ndims} out of range")
    address = None
    if cls_name != "compact":
        address = cur.offset(ctx)
    dims = tuple(cur.u32() for _ in range(ndims))
    if cls_name == "chunked":
        if ndims < 2 or 0 in dims:
            raise FormatError(f"layout message v{version}: bad chunk dims {dims}")
        return Layout(
            version=version,
            layout_class="chunked",
            chunk_shape=dims[:-1],
            chunk_element_size=dims[-1],
            index_type=ChunkIndexType.BTREE_V1,
            index_address=address,
            legacy_dims=dims,
        )
    if cls_name == "compact":
        size = cur.u32()
        data = cur.take(size)
        return Layout(
            version=version, layout_class="compact", compact_data=data, size=size, legacy_dims=dims
        )
    return Layout(version=version, layout_class="contiguous", address=address, legacy_dims=dims)


def _decode_v3(cur: Cursor, ctx: FormatContext, version: int) -> Layout:
    cls_name = _class_name(cur.u8(), version)
    if cls_name == "compact":
        size = cur.u16()
        return Layout(version, "compact", compact_data=cur.take(size), size=size)
    if cls_name == "contiguous":
        address = cur.offset(ctx)
        return Layout(version, "contiguous", address=address, size=cur.length(ctx))
    if cls_name == "virtual":
        address = cur.offset(ctx)
        return Layout(
            version, "virtual", virtual_heap_address=address, virtual_heap_index=cur.u32()
        )
    if version == 3:
        ndims = cur.u8()
        if not 2 <= ndims <= _MAX_NDIMS:
            raise FormatError(f"layout message v3: chunk dimensionality {ndims} out of range")
        address = cur.offset(ctx)
        dims = tuple(cur.u32() for _ in range(ndims))
        if 0 in dims:
            raise FormatError(f"layout message v3: zero chunk dimension in {dims}")
        return Layout(
            version,
            "chunked",
            chunk_shape=dims[:-1],
            chunk_element_size=dims[-1],
            index_type=ChunkIndexType.BTREE_V1,
            index_address=address,
        )
    head = _CHUNKED_HEAD_V4.decode(cur.buf, cur.pos, ctx)
    cur.skip(_CHUNKED_HEAD_V4.size(ctx))
    flags, ndims, width = head["flags"], head["ndims"], head["dim_width"]
    if flags & ~_ALL_CHUNK_FLAGS:
        raise FormatError(f"layout message v{version}: bad chunked flags 0x{flags:02x}")
    if not 2 <= ndims <= _MAX_NDIMS:
        raise FormatError(f"layout message v{version}: chunk dimensionality {ndims} out of range")
    if not 1 <= width <= 8:
        raise FormatError(f"layout message v{version}: dimension size width {width} not in 1..8")
    dims = tuple(cur.uint(width) for _ in range(ndims))
    if 0 in dims:
        raise FormatError(f"layout message v{version}: zero chunk dimension in {dims}")
    raw_type = cur.u8()
    try:
        index_type = ChunkIndexType(raw_type)
    except ValueError:
        raise FormatError(
            f"layout message v{version}: unknown chunk index type {raw_type}"
        ) from None
    params: IndexParams | None = None
    filtered_size = filter_mask = None
    if index_type == ChunkIndexType.BTREE_V1:
        raise FormatError(f"layout message v{version}: v1 B-tree index in a v4+ layout")
    if index_type == ChunkIndexType.SINGLE and flags & SINGLE_INDEX_WITH_FILTER:
        filtered_size = cur.length(ctx)
        filter_mask = cur.u32()
    elif index_type == ChunkIndexType.FIXED_ARRAY:
        fa = _FA_PARAMS.decode(cur.take(_FA_PARAMS.size(ctx)), 0, ctx)
        if fa["page_bits"] == 0:
            raise FormatError(f"layout message v{version}: fixed array page bits 0")
        params = FixedArrayParams(**fa)
    elif index_type == ChunkIndexType.EXTENSIBLE_ARRAY:
        ea = _EA_PARAMS.decode(cur.take(_EA_PARAMS.size(ctx)), 0, ctx)
        if 0 in ea.values():
            raise FormatError(f"layout message v{version}: zero extensible array parameter {ea}")
        params = ExtensibleArrayParams(**ea)
    elif index_type == ChunkIndexType.BTREE_V2:
        params = BTreeV2Params(**_BT2_PARAMS.decode(cur.take(_BT2_PARAMS.size(ctx)), 0, ctx))
    address = cur.offset(ctx)
    return Layout(
        version,
        "chunked",
        chunk_shape=dims[:-1],
        chunk_element_size=dims[-1],
        index_type=index_type,
        index_address=address,
        index_params=params,
        flags=flags,
        dim_size_width=width,
        single_chunk_filtered_size=filtered_size,
        single_chunk_filter_mask=filter_mask,
    )


@register(MessageType.LAYOUT)
def decode_layout(data: bytes, ctx: FormatContext, flags: int = 0) -> Layout:
    """Registry decoder: ``(data, ctx, flags) -> Layout``."""
    return Layout.decode(data, ctx)
