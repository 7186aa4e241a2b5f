"""Version 2 B-trees ("BTHD" header, "BTIN" internal nodes, "BTLF" leaves).

HDF5 File Format Specification 4.0, III.A.2 "Disk Format: Level 1A2 - Version 2 B-trees".
Records live in leaves *and* internal nodes: an internal node with ``n`` records has
``n + 1`` children and record ``i`` sorts between child ``i`` and child ``i + 1``.

The widths of the per-child "number of records" fields follow libhdf5 (``H5B2__hdr_init``
in ``src/H5B2hdr.c``, ``H5B2__cache_int_deserialize`` in ``src/H5B2cache.c``):

- leaf capacity ``max_nrec[0] = (node_size - 10) / record_size``
  (10 = signature + version + type + checksum);
- "number of records in child" is ``enc(max_nrec[0])`` bytes at every level, where
  ``enc(n) = floor(log2(n)) // 8 + 1``;
- "total records in child" is present only when the child is itself internal (depth > 1)
  and is ``enc(cum_max_nrec[depth - 1])`` bytes, with ``cum_max_nrec[0] = max_nrec[0]`` and
  ``cum_max_nrec[d] = (max_nrec[d] + 1) * cum_max_nrec[d - 1] + max_nrec[d]``;
- ``max_nrec[d] = (node_size - 10 - ptr[d]) / (record_size + ptr[d])`` with
  ``ptr[d] = O + enc(max_nrec[0]) + (enc(cum_max_nrec[d - 1]) if d > 1 else 0)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import FormatError
from .checksum import append_checksum, verify_checksum
from .chunk_table import ChunkTable
from .context import ByteSource, FormatContext
from .structs import LENGTH, OFFSET, U8, U16, U32, Bytes, Struct, check_signature, read_uint

HEADER_SIGNATURE = b"BTHD"
INTERNAL_SIGNATURE = b"BTIN"
LEAF_SIGNATURE = b"BTLF"
NODE_PREFIX = 10
"""Signature, version, type and checksum of every node."""
MAX_DEPTH = 32

HEADER = Struct(
    "v2 B-tree header",
    [
        ("signature", Bytes(4)),
        ("version", U8),
        ("record_type", U8),
        ("node_size", U32),
        ("record_size", U16),
        ("depth", U16),
        ("split_percent", U8),
        ("merge_percent", U8),
        ("root_address", OFFSET),
        ("root_nrec", U16),
        ("total_records", LENGTH),
        ("checksum", U32),
    ],
)


def _enc_size(n: int) -> int:
    """Bytes libhdf5 uses to encode counts up to ``n`` (``H5VM_limit_enc_size``)."""
    return (max(n, 1).bit_length() - 1) // 8 + 1


# --- records -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HugeObjectRecord:
    """Type 1: indirectly accessed, non-filtered huge fractal-heap object."""

    address: int
    length: int
    object_id: int


@dataclass(frozen=True)
class FilteredHugeObjectRecord:
    """Type 2: indirectly accessed, filtered huge fractal-heap object."""

    address: int
    length: int
    filter_mask: int
    memory_size: int
    object_id: int


@dataclass(frozen=True)
class DirectHugeObjectRecord:
    """Type 3: directly accessed, non-filtered huge fractal-heap object."""

    address: int
    length: int


@dataclass(frozen=True)
class FilteredDirectHugeObjectRecord:
    """Type 4: directly accessed, filtered huge fractal-heap object."""

    address: int
    length: int
    filter_mask: int
    memory_size: int


@dataclass(frozen=True)
class LinkNameRecord:
    """Type 5: link name index of a dense group."""

    name_hash: int
    """lookup3 of the link name."""
    heap_id: bytes
    """Fractal heap ID of the link message."""


@dataclass(frozen=True)
class LinkCreationOrderRecord:
    """Type 6: creation-order index of a dense group."""

    creation_order: int
    heap_id: bytes


@dataclass(frozen=True)
class SharedMessageHeapRecord:
    """Type 7, location 0: a shared message stored in the SOHM fractal heap."""

    hash: int
    refcount: int
    heap_id: bytes


@dataclass(frozen=True)
class SharedMessageObjectHeaderRecord:
    """Type 7, location 1: a shared message stored in an object header."""

    hash: int
    message_type: int
    index: int
    """Index of the message in the object header."""
    object_header_address: int


@dataclass(frozen=True)
class AttributeNameRecord:
    """Type 8: attribute name index of dense attribute storage."""

    heap_id: bytes
    message_flags: int
    creation_order: int
    name_hash: int


@dataclass(frozen=True)
class AttributeCreationOrderRecord:
    """Type 9: attribute creation-order index."""

    heap_id: bytes
    message_flags: int
    creation_order: int


@dataclass(frozen=True)
class ChunkRecord:
    """Type 10: a non-filtered chunk of a v2-B-tree chunk index."""

    address: int
    scaled_offsets: tuple[int, ...]
    """Chunk coordinates (element offset / chunk dimension), rank entries."""


@dataclass(frozen=True)
class FilteredChunkRecord:
    """Type 11: a filtered chunk of a v2-B-tree chunk index."""

    address: int
    size: int
    filter_mask: int
    scaled_offsets: tuple[int, ...]


BTreeV2Record = (
    HugeObjectRecord
    | FilteredHugeObjectRecord
    | DirectHugeObjectRecord
    | FilteredDirectHugeObjectRecord
    | LinkNameRecord
    | LinkCreationOrderRecord
    | SharedMessageHeapRecord
    | SharedMessageObjectHeaderRecord
    | AttributeNameRecord
    | AttributeCreationOrderRecord
    | ChunkRecord
    | FilteredChunkRecord
)


@dataclass(frozen=True)
class _Layout:
    """What a record decoder needs besides the bytes."""

    ctx: FormatContext
    record_size: int
    ndims: int
    chunk_size_width: int


def _u(buf: bytes, pos: int, width: int) -> int:
    return int.from_bytes(buf[pos : pos + width], "little")


def _rec1(b: bytes, p: int, lay: _Layout) -> BTreeV2Record:
    o, ln = lay.ctx.size_of_offsets, lay.ctx.size_of_lengths
    return HugeObjectRecord(_u(b, p, o), _u(b, p + o, ln), _u(b, p + o + ln, ln))


def _rec2(b: bytes, p: int, lay: _Layout) -> BTreeV2Record:
    o, ln = lay.ctx.size_of_offsets, lay.ctx.size_of_lengths
    q = p + o + ln
    return FilteredHugeObjectRecord(
        _u(b, p, o), _u(b, p + o, ln), _u(b, q, 4), _u(b, q + 4, ln), _u(b, q + 4 + ln, ln)
    )


def _rec3(b: bytes, p: int, lay: _Layout) -> BTreeV2Record:
    o, ln = lay.ctx.size_of_offsets, lay.ctx.size_of_lengths
    return DirectHugeObjectRecord(_u(b, p, o), _u(b, p + o, ln))


def _rec4(b: bytes, p: int, lay: _Layout) -> BTreeV2Record:
    o, ln = lay.ctx.size_of_offsets, lay.ctx.size_of_lengths
    q = p + o + ln
    return FilteredDirectHugeObjectRecord(
        _u(b, p, o), _u(b, p + o, ln), _u(b, q, 4), _u(b, q + 4, ln)
    )


def _rec5(b: bytes, p: int, lay: _Layout) -> BTreeV2Record:
    return LinkNameRecord(_u(b, p, 4), b[p + 4 : p + lay.record_size])


def _rec6(b: bytes, p: int, lay: _Layout) -> BTreeV2Record:
    return LinkCreationOrderRecord(_u(b, p, 8), b[p + 8 : p + lay.record_size])


def _rec7(b: bytes, p: int, lay: _Layout) -> BTreeV2Record:
    location = b[p]
    h = _u(b, p + 1, 4)
    if location == 0:
        return SharedMessageHeapRecord(h, _u(b, p + 5, 4), b[p + 9 : p + 17])
    if location == 1:
        return SharedMessageObjectHeaderRecord(
            h, b[p + 6], _u(b, p + 7, 2), _u(b, p + 9, lay.ctx.size_of_offsets)
        )
    raise FormatError(f"shared message record: unknown message location {location}")


def _rec8(b: bytes, p: int, lay: _Layout) -> BTreeV2Record:
    return AttributeNameRecord(b[p : p + 8], b[p + 8], _u(b, p + 9, 4), _u(b, p + 13, 4))


def _rec9(b: bytes, p: int, lay: _Layout) -> BTreeV2Record:
    return AttributeCreationOrderRecord(b[p : p + 8], b[p + 8], _u(b, p + 9, 4))


def _rec10(b: bytes, p: int, lay: _Layout) -> BTreeV2Record:
    o = lay.ctx.size_of_offsets
    return ChunkRecord(_u(b, p, o), tuple(_u(b, p + o + 8 * i, 8) for i in range(lay.ndims)))


def _rec11(b: bytes, p: int, lay: _Layout) -> BTreeV2Record:
    o, w = lay.ctx.size_of_offsets, lay.chunk_size_width
    q = p + o + w + 4
    return FilteredChunkRecord(
        _u(b, p, o),
        _u(b, p + o, w),
        _u(b, p + o + w, 4),
        tuple(_u(b, q + 8 * i, 8) for i in range(lay.ndims)),
    )


_RECORD_DECODERS: dict[int, Callable[[bytes, int, _Layout], BTreeV2Record]] = {
    1: _rec1,
    2: _rec2,
    3: _rec3,
    4: _rec4,
    5: _rec5,
    6: _rec6,
    7: _rec7,
    8: _rec8,
    9: _rec9,
    10: _rec10,
    11: _rec11,
}


def _min_record_size(record_type: int, ctx: FormatContext) -> int:
    o, ln = ctx.size_of_offsets, ctx.size_of_lengths
    return {
        1: o + 2 * ln,
        2: o + 3 * ln + 4,
        3: o + ln,
        4: o + 2 * ln + 4,
        5: 5,
        6: 9,
        7: max(17, 9 + o),
        8: 17,
        9: 13,
        10: o,
        11: o + 5,
    }[record_type]


# --- the tree -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    """``count`` consecutive records of one node, starting at ``buf[offset]``."""

    buf: bytes
    offset: int
    count: int


class BTreeV2:
    """An opened v2 B-tree: header fields plus in-order record iteration."""

    def __init__(
        self,
        source: ByteSource,
        ctx: FormatContext,
        address: int,
        header: dict[str, int],
        ndims: int,
        chunk_size_width: int,
    ) -> None:
        self.source = source
        self.ctx = ctx
        self.address = address
        self.record_type: int = header["record_type"]
        self.node_size: int = header["node_size"]
        self.record_size: int = header["record_size"]
        self.depth: int = header["depth"]
        self.split_percent: int = header["split_percent"]
        self.merge_percent: int = header["merge_percent"]
        self.root_address: int = header["root_address"]
        self.root_nrec: int = header["root_nrec"]
        self.total_records: int = header["total_records"]
        self._layout = _Layout(ctx, self.record_size, ndims, chunk_size_width)
        self._decode_record = _RECORD_DECODERS[self.record_type]
        self._init_node_info()

    @classmethod
    def open(
        cls,
        source: ByteSource,
        ctx: FormatContext,
        address: int,
        *,
        ndims: int | None = None,
        chunk_size_width: int | None = None,
    ) -> BTreeV2:
        """Read and validate the header at ``address``.

        ``ndims`` (dataset rank) and ``chunk_size_width`` serve record types 10/11; either
        may be omitted and is then derived from the record size.
        """
        size = HEADER.size(ctx)
        buf = source.read(address, size)
        check_signature(buf, HEADER_SIGNATURE, "v2 B-tree header", address)
        verify_checksum(buf, "v2 B-tree header", address)
        h = HEADER.decode(buf, 0, ctx, address)
        what = f"v2 B-tree header at 0x{address:x}"
        if h["version"] != 0:
            raise FormatError(f"{what}: unsupported version {h['version']}")
        rtype = h["record_type"]
        if rtype not in _RECORD_DECODERS:
            raise FormatError(f"{what}: unknown record type {rtype}")
        rsize = h["record_size"]
        if rsize < _min_record_size(rtype, ctx):
            raise FormatError(f"{what}: record size {rsize} too small for record type {rtype}")
        if h["node_size"] < NODE_PREFIX + rsize:
            raise FormatError(f"{what}: node size {h['node_size']} holds no record")
        if h["depth"] > MAX_DEPTH:
            raise FormatError(f"{what}: implausible depth {h['depth']}")
        nd, csw = _chunk_params(rtype, rsize, ctx, ndims, chunk_size_width, what)
        return cls(source, ctx, address, h, nd, csw)

    def _init_node_info(self) -> None:
        o = self.ctx.size_of_offsets
        leaf_max = (self.node_size - NODE_PREFIX) // self.record_size
        self.max_nrec_size = _enc_size(leaf_max)
        self.max_nrec = [leaf_max]
        cum_max = [leaf_max]
        self.cum_max_nrec_size = [0]
        self.pointer_size = [0]
        for d in range(1, self.depth + 1):
            ptr = o + self.max_nrec_size + self.cum_max_nrec_size[d - 1]
            n = (self.node_size - (NODE_PREFIX + ptr)) // (self.record_size + ptr)
            if n <= 0:
                raise FormatError(
                    f"v2 B-tree header at 0x{self.address:x}: node size {self.node_size} "
                    f"cannot hold an internal node at depth {d}"
                )
            self.pointer_size.append(ptr)
            self.max_nrec.append(n)
            cum_max.append((n + 1) * cum_max[d - 1] + n)
            self.cum_max_nrec_size.append(_enc_size(cum_max[d]))

    # -- node reading --

    def _read_node(self, address: int, depth: int, nrec: int) -> bytes:
        leaf = depth == 0
        sig = LEAF_SIGNATURE if leaf else INTERNAL_SIGNATURE
        what = "v2 B-tree leaf node" if leaf else "v2 B-tree internal node"
        if nrec > self.max_nrec[depth]:
            raise FormatError(
                f"{what} at 0x{address:x}: {nrec} records exceed the capacity "
                f"{self.max_nrec[depth]}"
            )
        size = 6 + nrec * self.record_size
        if not leaf:
            size += (nrec + 1) * self.pointer_size[depth]
        size += 4
        if size > self.node_size:
            raise FormatError(f"{what} at 0x{address:x}: {nrec} records overflow the node")
        buf = self.source.read(address, size)
        check_signature(buf, sig, what, address)
        if buf[4] != 0:
            raise FormatError(f"{what} at 0x{address:x}: unsupported version {buf[4]}")
        if buf[5] != self.record_type:
            raise FormatError(
                f"{what} at 0x{address:x}: record type {buf[5]}, header says {self.record_type}"
            )
        verify_checksum(buf, what, address)
        return buf

    def _blocks(self) -> Iterator[_Block]:
        """Runs of consecutive records in key order."""
        if self.root_nrec == 0 or self.ctx.is_undefined(self.root_address):
            return
        visited: set[int] = set()
        o = self.ctx.size_of_offsets

        def visit(address: int, depth: int, nrec: int) -> Iterator[_Block]:
            if address in visited:
                raise FormatError(f"v2 B-tree node at 0x{address:x}: cycle (node visited twice)")
            visited.add(address)
            buf = self._read_node(address, depth, nrec)
            if depth == 0:
                yield _Block(buf, 6, nrec)
                return
            pos = 6 + nrec * self.record_size
            children = []
            for _ in range(nrec + 1):
                child = read_uint(buf, pos, o)
                cn = read_uint(buf, pos + o, self.max_nrec_size)
                pos += self.pointer_size[depth]
                children.append((child, cn))
            for i, (child, cn) in enumerate(children):
                yield from visit(child, depth - 1, cn)
                if i < nrec:
                    yield _Block(buf, 6 + i * self.record_size, 1)

        yield from visit(self.root_address, self.depth, self.root_nrec)

    def blocks(self) -> Iterator[tuple[int, int]]:
        """``(address, size)`` of the header and every node (to release their space)."""
        yield self.address, HEADER.size(self.ctx)
        if self.root_nrec == 0 or self.ctx.is_undefined(self.root_address):
            return
        o = self.ctx.size_of_offsets
        visited: set[int] = set()
        stack = [(self.root_address, self.depth, self.root_nrec)]
        while stack:
            address, depth, nrec = stack.pop()
            if address in visited:
                raise FormatError(f"v2 B-tree node at 0x{address:x}: cycle (node visited twice)")
            visited.add(address)
            yield address, self.node_size
            if depth == 0:
                continue
            buf = self._read_node(address, depth, nrec)
            pos = 6 + nrec * self.record_size
            for _ in range(nrec + 1):
                child = read_uint(buf, pos, o)
                cn = read_uint(buf, pos + o, self.max_nrec_size)
                pos += self.pointer_size[depth]
                stack.append((child, depth - 1, cn))

    def records(self) -> Iterator[BTreeV2Record]:
        """Every record of the tree, in key order (internal-node records interleaved)."""
        dec, lay, rs = self._decode_record, self._layout, self.record_size
        for blk in self._blocks():
            for i in range(blk.count):
                yield dec(blk.buf, blk.offset + i * rs, lay)

    def raw_records(self) -> bytes:
        """All records' bytes concatenated in key order (for vectorized decoding)."""
        rs = self.record_size
        return b"".join(blk.buf[blk.offset : blk.offset + blk.count * rs] for blk in self._blocks())

    def records_as_chunk_table(
        self, rank: int, chunk_shape: tuple[int, ...], chunk_nbytes: int = 0
    ) -> ChunkTable:
        """Types 10/11 as a :class:`ChunkTable` (offsets = scaled offsets x chunk dims).

        Type 10 records carry no size; ``chunk_nbytes`` (the unfiltered chunk size) is
        used for every chunk.
        """
        if self.record_type not in (10, 11):
            raise FormatError(
                f"v2 B-tree at 0x{self.address:x}: record type {self.record_type} "
                "is not a chunk index"
            )
        if rank != self._layout.ndims or len(chunk_shape) != rank:
            raise FormatError(
                f"v2 B-tree at 0x{self.address:x}: records have {self._layout.ndims} "
                f"dimensions, dataset rank is {rank}"
            )
        o = self.ctx.size_of_offsets
        w = self._layout.chunk_size_width
        names = ["addr"]
        formats: list[object] = [f"<u{o}"]
        field_offsets = [0]
        if self.record_type == 11:
            names += ["size", "mask"]
            formats += [("u1", (w,)), "<u4"]
            field_offsets += [o, o + w]
        names.append("scaled")
        formats.append(("<u8", (rank,)))
        field_offsets.append(self.record_size - 8 * rank)
        spec: Any = {
            "names": names,
            "formats": formats,
            "offsets": field_offsets,
            "itemsize": self.record_size,
        }
        dt = np.dtype(spec)
        recs = np.frombuffer(self.raw_records(), dtype=dt)
        n = recs.shape[0]
        if n == 0:
            return ChunkTable.empty(rank)
        scaled = recs["scaled"]
        limit = np.asarray([(2**63 - 1) // max(int(c), 1) for c in chunk_shape], dtype=np.uint64)
        too_big = (scaled > limit).any(axis=1)
        if bool(too_big.any()):
            i = int(np.flatnonzero(too_big)[0])
            raise FormatError(
                f"v2 B-tree at 0x{self.address:x}: record {i} has scaled offsets "
                f"{tuple(int(v) for v in scaled[i])} beyond any extent (bad coordinate offset)"
            )
        offsets = scaled.astype(np.int64) * np.asarray(chunk_shape, dtype=np.int64)
        if self.record_type == 11:
            weights = np.left_shift(np.uint64(1), np.arange(w, dtype=np.uint64) * np.uint64(8))
            sizes = (recs["size"].astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64)
            masks = recs["mask"].astype(np.uint32)
        else:
            sizes = np.full(n, chunk_nbytes, dtype=np.uint64)
            masks = np.zeros(n, dtype=np.uint32)
        return ChunkTable(offsets, recs["addr"].astype(np.uint64), sizes, masks)


def _chunk_params(
    rtype: int,
    rsize: int,
    ctx: FormatContext,
    ndims: int | None,
    chunk_size_width: int | None,
    what: str,
) -> tuple[int, int]:
    """(ndims, chunk_size_width) for record types 10/11, derived from the record size
    when not given; (0, 0) for other types."""
    o = ctx.size_of_offsets
    if rtype == 10:
        nd = (rsize - o) // 8 if ndims is None else ndims
        if nd < 1 or o + 8 * nd != rsize:
            raise FormatError(f"{what}: record size {rsize} does not fit {nd} chunk dimensions")
        return nd, 0
    if rtype == 11:
        rest = rsize - o - 4
        if ndims is not None:
            nd = ndims
        elif chunk_size_width is not None:
            nd = (rest - chunk_size_width) // 8
        else:
            raise FormatError(f"{what}: filtered chunk records need ndims or chunk_size_width")
        w = rest - 8 * nd if chunk_size_width is None else chunk_size_width
        if nd < 1 or not 1 <= w <= 8 or o + w + 4 + 8 * nd != rsize:
            raise FormatError(
                f"{what}: record size {rsize} does not fit {nd} dimensions with a "
                f"{w}-byte chunk size"
            )
        return nd, w
    return 0, 0


# --- building -----------------------------------------------------------------------------
#
# The writer builds a tree at once from sorted records: the smallest depth whose capacity
# holds them, every level filled evenly (libhdf5 grows trees by inserting, splitting full
# nodes; any tree within the node capacities reads and updates the same in libhdf5).

DEFAULT_NODE_SIZE = {1: 512, 2: 512, 3: 512, 4: 512, 5: 512, 6: 512, 8: 512, 9: 512}
"""Node sizes libhdf5 creates (``H5HF_HUGE_BT2_NODE_SIZE``, ``H5G_NAME_BT2_NODE_SIZE``,
``H5A_NAME_BT2_NODE_SIZE``, ...); chunk indexes (types 10, 11) use 2048
(``H5D_BT2_NODE_SIZE``)."""
DEFAULT_CHUNK_NODE_SIZE = 2048
DEFAULT_SPLIT_PERCENT = 100
DEFAULT_MERGE_PERCENT = 40


def _e(value: int, width: int) -> bytes:
    return int(value).to_bytes(width, "little")


def _enc1(r: Any, ctx: FormatContext, w: int) -> bytes:
    o, ln = ctx.size_of_offsets, ctx.size_of_lengths
    return _e(r.address, o) + _e(r.length, ln) + _e(r.object_id, ln)


def _enc2(r: Any, ctx: FormatContext, w: int) -> bytes:
    o, ln = ctx.size_of_offsets, ctx.size_of_lengths
    return (
        _e(r.address, o)
        + _e(r.length, ln)
        + _e(r.filter_mask, 4)
        + _e(r.memory_size, ln)
        + _e(r.object_id, ln)
    )


def _enc3(r: Any, ctx: FormatContext, w: int) -> bytes:
    return _e(r.address, ctx.size_of_offsets) + _e(r.length, ctx.size_of_lengths)


def _enc4(r: Any, ctx: FormatContext, w: int) -> bytes:
    ln = ctx.size_of_lengths
    return (
        _e(r.address, ctx.size_of_offsets)
        + _e(r.length, ln)
        + _e(r.filter_mask, 4)
        + _e(r.memory_size, ln)
    )


def _enc5(r: Any, ctx: FormatContext, w: int) -> bytes:
    return _e(r.name_hash, 4) + bytes(r.heap_id)


def _enc6(r: Any, ctx: FormatContext, w: int) -> bytes:
    return _e(r.creation_order, 8) + bytes(r.heap_id)


def _enc8(r: Any, ctx: FormatContext, w: int) -> bytes:
    return bytes(r.heap_id) + _e(r.message_flags, 1) + _e(r.creation_order, 4) + _e(r.name_hash, 4)


def _enc9(r: Any, ctx: FormatContext, w: int) -> bytes:
    return bytes(r.heap_id) + _e(r.message_flags, 1) + _e(r.creation_order, 4)


def _enc10(r: Any, ctx: FormatContext, w: int) -> bytes:
    return _e(r.address, ctx.size_of_offsets) + b"".join(_e(s, 8) for s in r.scaled_offsets)


def _enc11(r: Any, ctx: FormatContext, w: int) -> bytes:
    return (
        _e(r.address, ctx.size_of_offsets)
        + _e(r.size, w)
        + _e(r.filter_mask, 4)
        + b"".join(_e(s, 8) for s in r.scaled_offsets)
    )


_RECORD_ENCODERS: dict[int, Callable[[Any, FormatContext, int], bytes]] = {
    1: _enc1,
    2: _enc2,
    3: _enc3,
    4: _enc4,
    5: _enc5,
    6: _enc6,
    8: _enc8,
    9: _enc9,
    10: _enc10,
    11: _enc11,
}


def encode_btree_v2_record(
    record: BTreeV2Record, record_type: int, ctx: FormatContext, chunk_size_width: int = 0
) -> bytes:
    """The bytes of one record (types 1-6, 8-11; ``chunk_size_width`` serves type 11)."""
    try:
        enc = _RECORD_ENCODERS[record_type]
    except KeyError:
        raise ValueError(f"cannot encode v2 B-tree records of type {record_type}") from None
    return enc(record, ctx, chunk_size_width)


@dataclass(frozen=True)
class _Capacity:
    """Per-depth node capacities (``H5B2__hdr_init``), as the reader derives them."""

    max_nrec: list[int]
    cum_max_nrec: list[int]
    max_nrec_size: int
    cum_max_nrec_size: list[int]
    pointer_size: list[int]


def _capacity(node_size: int, record_size: int, ctx: FormatContext, depth: int) -> _Capacity:
    leaf_max = (node_size - NODE_PREFIX) // record_size
    if leaf_max <= 0:
        raise ValueError(f"node size {node_size} holds no {record_size}-byte record")
    nrec_size = _enc_size(leaf_max)
    max_nrec, cum, cum_size, ptr = [leaf_max], [leaf_max], [0], [0]
    for d in range(1, depth + 1):
        p = ctx.size_of_offsets + nrec_size + cum_size[d - 1]
        n = (node_size - (NODE_PREFIX + p)) // (record_size + p)
        if n <= 0:
            raise ValueError(f"node size {node_size} cannot hold an internal node at depth {d}")
        ptr.append(p)
        max_nrec.append(n)
        cum.append((n + 1) * cum[d - 1] + n)
        cum_size.append(_enc_size(cum[d]))
    return _Capacity(max_nrec, cum, nrec_size, cum_size, ptr)


def build_btree_v2(
    records: list[BTreeV2Record],
    record_type: int,
    ctx: FormatContext,
    alloc: Callable[[int], int],
    *,
    node_size: int | None = None,
    split_percent: int = DEFAULT_SPLIT_PERCENT,
    merge_percent: int = DEFAULT_MERGE_PERCENT,
    record_size: int | None = None,
    chunk_size_width: int = 0,
) -> tuple[int, list[tuple[int, bytes]]]:
    """Write a v2 B-tree holding ``records`` (already in key order).

    ``alloc(size) -> address`` hands out file space (header first, then nodes top-down).
    Returns the header address and the ``(address, bytes)`` blocks to write; every node is
    ``node_size`` bytes (zero after its checksum, as libhdf5 writes them).  ``record_size``
    defaults to the size of the first encoded record (types 5/6: 4 or 8 + heap ID length);
    an empty tree needs it given.
    """
    if node_size is None:
        node_size = DEFAULT_NODE_SIZE.get(record_type, DEFAULT_CHUNK_NODE_SIZE)
    raw = [encode_btree_v2_record(r, record_type, ctx, chunk_size_width) for r in records]
    if record_size is None:
        if not raw:
            raise ValueError("an empty v2 B-tree needs its record_size")
        record_size = len(raw[0])
    if any(len(r) != record_size for r in raw):
        raise ValueError(f"v2 B-tree records are not all {record_size} bytes")
    n = len(raw)
    depth = 0
    cap = _capacity(node_size, record_size, ctx, 0)
    while cap.cum_max_nrec[depth] < n:
        depth += 1
        if depth > MAX_DEPTH:
            raise ValueError(f"{n} records need a v2 B-tree deeper than {MAX_DEPTH}")
        cap = _capacity(node_size, record_size, ctx, depth)
    header_address = alloc(HEADER.size(ctx))
    blocks: list[tuple[int, bytes]] = []
    o = ctx.size_of_offsets

    def node(lo: int, hi: int, d: int) -> int:
        """Write the subtree of depth ``d`` holding records [lo, hi); returns its address."""
        address = alloc(node_size)
        count = hi - lo
        if d == 0:
            body = LEAF_SIGNATURE + bytes([0, record_type]) + b"".join(raw[lo:hi])
        else:
            # fewest children that hold the records, the records shared out evenly
            nchild = -(-(count + 1) // (cap.cum_max_nrec[d - 1] + 1))
            below = count - (nchild - 1)
            bounds = [lo + i * below // nchild + i for i in range(nchild + 1)]
            keys, ptrs = [], []
            for i in range(nchild):
                c_lo = bounds[i]
                c_hi = lo + (i + 1) * below // nchild + i
                child = node(c_lo, c_hi, d - 1)
                ptr = _e(child, o) + _e(_root_nrec(c_lo, c_hi, d - 1), cap.max_nrec_size)
                if d > 1:
                    ptr += _e(c_hi - c_lo, cap.cum_max_nrec_size[d - 1])
                ptrs.append(ptr)
                if i < nchild - 1:
                    keys.append(raw[c_hi])
            body = INTERNAL_SIGNATURE + bytes([0, record_type]) + b"".join(keys) + b"".join(ptrs)
        block = append_checksum(body)
        blocks.append((address, block + bytes(node_size - len(block))))
        return address

    def _root_nrec(lo: int, hi: int, d: int) -> int:
        if d == 0:
            return hi - lo
        count = hi - lo
        return -(-(count + 1) // (cap.cum_max_nrec[d - 1] + 1)) - 1

    root = node(0, n, depth) if n else ctx.undefined_address
    header = HEADER.encode(
        {
            "signature": HEADER_SIGNATURE,
            "version": 0,
            "record_type": record_type,
            "node_size": node_size,
            "record_size": record_size,
            "depth": depth,
            "split_percent": split_percent,
            "merge_percent": merge_percent,
            "root_address": root,
            "root_nrec": _root_nrec(0, n, depth) if n else 0,
            "total_records": n,
            "checksum": 0,
        },
        ctx,
    )
    blocks.insert(0, (header_address, append_checksum(header[:-4])))
    return header_address, blocks
