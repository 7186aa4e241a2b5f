"""Fixed array chunk index (Appendix C, index type 3; spec III.K "Fixed Array";
libhdf5 ``src/H5FAcache.c``, ``src/H5Dfarray.c``).

Header "FAHD": version 0, client id (0 unfiltered chunks, 1 filtered), entry size, page
bits, number of entries (L), data block address (O), checksum.  Data block "FADB": version,
client id, header address, then either the entries and a checksum, or (more than
2^page_bits entries) a page-init bitmap (MSB first) and a checksum followed by the pages,
each its entries and a checksum; uninitialised pages are not read.

Entries are indexed by the C-order linear chunk index over the *maximum* dims
(``H5D__farray_idx_get_addr``).  An entry is the chunk address (O), or for filtered chunks
address (O) + stored size + filter mask (u32); the size width is whatever remains of the
entry size in the header (layout v4: bytes of the unfiltered chunk size + 1, capped at 8;
layout v5: 8).

Also holds the entry decoding shared with the extensible array.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ...errors import FormatError
from ..checksum import append_checksum, verify_checksum
from ..context import ByteSource, FormatContext
from ..structs import LENGTH, OFFSET, U8, U32, Bytes, Struct, check_signature
from .base import Alloc, ChunkIndex, ChunkIndexRequest, ChunkIndexType, ChunkTable, register_index
from .implicit import MAX_TABLE_ENTRIES, chunk_grid, linear_to_offsets

__all__ = [
    "FixedArrayIndex",
    "FixedArrayParams",
    "load_fixed_array",
    "build_fixed_array",
    "encode_entries",
    "table_to_entries",
    "ChunkEntries",
    "decode_entries",
    "entries_to_table",
    "check_in_file",
]

FA_HEADER = Struct(
    "fixed array header",
    [
        ("signature", Bytes(4)),
        ("version", U8),
        ("client_id", U8),
        ("entry_size", U8),
        ("page_bits", U8),
        ("nelmts", LENGTH),
        ("data_block_address", OFFSET),
        ("checksum", U32),
    ],
)
FA_DBLOCK_PREFIX = Struct(
    "fixed array data block",
    [("signature", Bytes(4)), ("version", U8), ("client_id", U8), ("header_address", OFFSET)],
)

CLIENT_UNFILTERED = 0
CLIENT_FILTERED = 1


@dataclass(frozen=True)
class FixedArrayParams:
    """Fixed array creation parameter (Appendix C, type 3)."""

    page_bits: int
    """log2 of the number of entries in one data block page (libhdf5 default 10)."""


MAX_FIXED_ARRAY_ENTRIES = 1 << 28
"""Most chunks h5pure indexes with a fixed array: the index is built whole in memory
(libhdf5 writes the whole data block too), 2 GiB of addresses at this size."""

_FA_PARAMS = Struct("fixed array index parameters", [("page_bits", U8)])


@dataclass
class ChunkEntries:
    """Decoded index entries, parallel arrays."""

    addresses: np.ndarray
    sizes: np.ndarray | None
    filter_masks: np.ndarray | None


def check_in_file(ctx: FormatContext, address: int, size: int, what: str) -> None:
    """Raise unless ``size`` bytes at ``address`` can lie inside the file (before reading)."""
    if size < 0 or (ctx.eof_address is not None and address + size > ctx.eof_address):
        raise FormatError(
            f"{what} at 0x{address:x}: {size} bytes run past the end of the file"
            f" (0x{ctx.eof_address:x})"
            if ctx.eof_address is not None
            else f"{what} at 0x{address:x}: bad size {size}"
        )


def entry_layout(
    ctx: FormatContext, client_id: int, entry_size: int, what: str
) -> tuple[bool, int]:
    """(filtered, chunk-size width) from an index header's client id and entry size."""
    o = ctx.size_of_offsets
    if client_id == CLIENT_UNFILTERED:
        if entry_size != o:
            raise FormatError(f"{what}: entry size {entry_size}, expected {o} (unfiltered)")
        return False, 0
    if client_id == CLIENT_FILTERED:
        width = entry_size - o - 4
        if not 1 <= width <= 8:
            raise FormatError(f"{what}: entry size {entry_size} is impossible for filtered chunks")
        return True, width
    raise FormatError(f"{what}: unknown client id {client_id}")


def _uint_column(raw: np.ndarray, width: int) -> np.ndarray:
    """Little-endian unsigned ints from an (n, width) uint8 array, as uint64."""
    padded = np.zeros((raw.shape[0], 8), dtype=np.uint8)
    padded[:, :width] = raw
    return padded.view("<u8").reshape(-1).astype(np.uint64)


def decode_entries(
    buf: bytes | memoryview, count: int, ctx: FormatContext, filtered: bool, size_width: int
) -> ChunkEntries:
    """Decode ``count`` packed entries from ``buf`` with one structured ``np.frombuffer``."""
    o = ctx.size_of_offsets
    if not filtered:
        entries = np.frombuffer(buf, dtype=np.dtype([("addr", f"V{o}")]), count=count)
        raw = np.frombuffer(entries.tobytes(), dtype=np.uint8).reshape(count, o)
        return ChunkEntries(_uint_column(raw, o), None, None)
    dt = np.dtype([("addr", f"V{o}"), ("size", f"V{size_width}"), ("mask", "<u4")])
    entries = np.frombuffer(buf, dtype=dt, count=count)
    addr = np.frombuffer(entries["addr"].tobytes(), dtype=np.uint8).reshape(count, o)
    size = np.frombuffer(entries["size"].tobytes(), dtype=np.uint8).reshape(count, size_width)
    return ChunkEntries(
        _uint_column(addr, o), _uint_column(size, size_width), entries["mask"].astype(np.uint32)
    )


def entries_to_table(
    ctx: FormatContext,
    linear: np.ndarray,
    entries: ChunkEntries,
    grid: Sequence[int],
    chunk_shape: Sequence[int],
    chunk_bytes: int,
) -> ChunkTable:
    """Keep the allocated entries (address defined) and turn linear indices into offsets."""
    keep = entries.addresses != np.uint64(ctx.undefined_address)
    lin = np.asarray(linear, dtype=np.uint64)[keep]
    n = int(lin.shape[0])
    sizes = (
        entries.sizes[keep]
        if entries.sizes is not None
        else np.full(n, chunk_bytes, dtype=np.uint64)
    )
    masks = (
        entries.filter_masks[keep]
        if entries.filter_masks is not None
        else np.zeros(n, dtype=np.uint32)
    )
    return ChunkTable(
        offsets=linear_to_offsets(lin, grid, chunk_shape),
        addresses=entries.addresses[keep],
        sizes=sizes.astype(np.uint64),
        filter_masks=masks.astype(np.uint32),
    ).sorted()


def bit_set(bitmap: bytes, i: int) -> bool:
    """Page-init bitmaps are MSB first (``H5VM_bit_get``)."""
    return bool(bitmap[i // 8] & (0x80 >> (i % 8)))


def load_fixed_array(
    source: ByteSource,
    ctx: FormatContext,
    address: int | None,
    maxshape: Sequence[int],
    chunk_shape: Sequence[int],
    chunk_bytes: int,
) -> ChunkTable:
    """Every allocated chunk of a fixed-array-indexed dataset."""
    rank = len(chunk_shape)
    if address is None or ctx.is_undefined(address):
        return ChunkTable.empty(rank)
    what = f"fixed array header at 0x{address:x}"
    hsize = FA_HEADER.size(ctx)
    hbuf = source.read(address, hsize)
    check_signature(hbuf, b"FAHD", "fixed array header", address)
    verify_checksum(hbuf, "fixed array header", address)
    hdr = FA_HEADER.decode(hbuf, 0, ctx, address)
    if hdr["version"] != 0:
        raise FormatError(f"{what}: unsupported version {hdr['version']}")
    filtered, width = entry_layout(ctx, hdr["client_id"], hdr["entry_size"], what)
    grid = chunk_grid(maxshape, chunk_shape)
    expected = 1
    for g in grid:
        expected *= g
    nelmts = hdr["nelmts"]
    if nelmts != expected:
        raise FormatError(f"{what}: {nelmts} entries, but the maximum dims hold {expected} chunks")
    if nelmts > MAX_TABLE_ENTRIES:
        raise FormatError(f"{what}: {nelmts} entries is too many")
    page_bits = hdr["page_bits"]
    if not 0 < page_bits < 64:
        raise FormatError(f"{what}: bad page bits {page_bits}")
    dblk = hdr["data_block_address"]
    if ctx.is_undefined(dblk) or nelmts == 0:
        return ChunkTable.empty(rank)
    esize = hdr["entry_size"]
    dwhat = f"fixed array data block at 0x{dblk:x}"
    psize = FA_DBLOCK_PREFIX.size(ctx)
    page_n = 1 << page_bits
    if nelmts <= page_n:
        total = psize + nelmts * esize + 4
        check_in_file(ctx, dblk, total, "fixed array data block")
        buf = source.read(dblk, total)
        _check_dblock_prefix(buf, dblk, address, hdr["client_id"], ctx)
        verify_checksum(buf, "fixed array data block", dblk)
        entries = decode_entries(memoryview(buf)[psize:-4], nelmts, ctx, filtered, width)
        return entries_to_table(
            ctx, np.arange(nelmts, dtype=np.uint64), entries, grid, chunk_shape, chunk_bytes
        )
    npages = -(-nelmts // page_n)
    bitmap_size = (npages + 7) // 8
    head_size = psize + bitmap_size + 4
    check_in_file(ctx, dblk, head_size + nelmts * esize + npages * 4, "fixed array data block")
    head = source.read(dblk, head_size)
    _check_dblock_prefix(head, dblk, address, hdr["client_id"], ctx)
    verify_checksum(head, "fixed array data block", dblk)
    bitmap = head[psize : psize + bitmap_size]
    parts_lin: list[np.ndarray] = []
    parts: list[ChunkEntries] = []
    page_addr = dblk + head_size
    for p in range(npages):
        count = min(page_n, nelmts - p * page_n)
        page_bytes = count * esize + 4
        if bit_set(bitmap, p):
            page = source.read(page_addr, page_bytes)
            verify_checksum(page, f"{dwhat}: page {p}", page_addr)
            parts.append(decode_entries(memoryview(page)[:-4], count, ctx, filtered, width))
            parts_lin.append(np.arange(p * page_n, p * page_n + count, dtype=np.uint64))
        page_addr += page_bytes
    if not parts:
        return ChunkTable.empty(rank)
    merged = ChunkEntries(
        np.concatenate([e.addresses for e in parts]),
        np.concatenate([e.sizes for e in parts if e.sizes is not None]) if filtered else None,
        np.concatenate([e.filter_masks for e in parts if e.filter_masks is not None])
        if filtered
        else None,
    )
    return entries_to_table(ctx, np.concatenate(parts_lin), merged, grid, chunk_shape, chunk_bytes)


def _check_dblock_prefix(
    buf: bytes, address: int, header_address: int, client_id: int, ctx: FormatContext
) -> None:
    check_signature(buf, b"FADB", "fixed array data block", address)
    pre = FA_DBLOCK_PREFIX.decode(buf, 0, ctx, address)
    what = f"fixed array data block at 0x{address:x}"
    if pre["version"] != 0:
        raise FormatError(f"{what}: unsupported version {pre['version']}")
    if pre["client_id"] != client_id:
        raise FormatError(f"{what}: client id {pre['client_id']} differs from its header's")
    if pre["header_address"] != header_address:
        raise FormatError(
            f"{what}: points to header 0x{pre['header_address']:x}, not 0x{header_address:x}"
        )


# --- encoding -------------------------------------------------------------------------------

DEFAULT_PAGE_BITS = 10
"""``H5D_FARRAY_MAX_DBLK_PAGE_NELMTS_BITS``: pages of 1024 entries."""


def encode_entries(entries: ChunkEntries, ctx: FormatContext, size_width: int = 0) -> bytes:
    """Pack entries as :func:`decode_entries` reads them (filtered when sizes are given)."""
    o = ctx.size_of_offsets
    n = int(entries.addresses.shape[0])
    addr = entries.addresses.astype("<u8").view(np.uint8).reshape(n, 8)[:, :o]
    if entries.sizes is None:
        return np.ascontiguousarray(addr).tobytes()
    if entries.filter_masks is None:
        raise ValueError("filtered entries need filter masks")
    size = entries.sizes.astype("<u8").view(np.uint8).reshape(n, 8)[:, :size_width]
    mask = entries.filter_masks.astype("<u4").view(np.uint8).reshape(n, 4)
    return np.ascontiguousarray(np.concatenate([addr, size, mask], axis=1)).tobytes()


def table_to_entries(
    ctx: FormatContext,
    table: ChunkTable,
    grid: Sequence[int],
    chunk_shape: Sequence[int],
    count: int,
    filtered: bool,
) -> ChunkEntries:
    """``count`` entries indexed by the C-order linear chunk index over ``grid``, undefined
    (address all ones, size and mask 0) where ``table`` has no chunk."""
    addresses = np.full(count, ctx.undefined_address, dtype=np.uint64)
    sizes = np.zeros(count, dtype=np.uint64) if filtered else None
    masks = np.zeros(count, dtype=np.uint32) if filtered else None
    if len(table):
        coords = table.offsets // np.asarray(chunk_shape, dtype=np.int64)
        strides = np.ones(len(grid), dtype=np.int64)
        for d in range(len(grid) - 2, -1, -1):
            strides[d] = strides[d + 1] * max(int(grid[d + 1]), 1)
        linear = coords @ strides
        if linear.size and (linear.min() < 0 or linear.max() >= count):
            raise ValueError("chunk table holds chunks outside the index's extent")
        addresses[linear] = table.addresses
        if sizes is not None and masks is not None:
            sizes[linear] = table.sizes
            masks[linear] = table.filter_masks
    return ChunkEntries(addresses, sizes, masks)


def build_fixed_array(
    table: ChunkTable,
    ctx: FormatContext,
    maxshape: Sequence[int],
    chunk_shape: Sequence[int],
    alloc: Callable[[int], int],
    *,
    filtered: bool = False,
    chunk_size_width: int = 8,
    page_bits: int = DEFAULT_PAGE_BITS,
) -> tuple[int, list[tuple[int, bytes]]]:
    """Write a fixed array index for ``table``: returns the header address and the
    ``(address, bytes)`` blocks.  Above ``2**page_bits`` entries the data block is paged;
    pages holding no chunk are left uninitialised (their bitmap bit clear)."""
    grid = chunk_grid(maxshape, chunk_shape)
    nelmts = int(np.prod(grid, dtype=np.int64)) if grid else 1
    esize = ctx.size_of_offsets + (chunk_size_width + 4 if filtered else 0)
    client = CLIENT_FILTERED if filtered else CLIENT_UNFILTERED
    header_address = alloc(FA_HEADER.size(ctx))
    blocks: list[tuple[int, bytes]] = []
    dblk = ctx.undefined_address
    if len(table) and nelmts:
        entries = table_to_entries(ctx, table, grid, chunk_shape, nelmts, filtered)
        raw = encode_entries(entries, ctx, chunk_size_width)
        prefix = FA_DBLOCK_PREFIX.encode(
            {
                "signature": b"FADB",
                "version": 0,
                "client_id": client,
                "header_address": header_address,
            },
            ctx,
        )
        page_n = 1 << page_bits
        if nelmts <= page_n:
            body = append_checksum(prefix + raw)
        else:
            npages = -(-nelmts // page_n)
            bitmap = bytearray((npages + 7) // 8)
            pages = []
            defined = entries.addresses != np.uint64(ctx.undefined_address)
            for p in range(npages):
                lo, hi = p * page_n, min(nelmts, (p + 1) * page_n)
                if defined[lo:hi].any():
                    bitmap[p // 8] |= 0x80 >> (p % 8)
                    pages.append(append_checksum(raw[lo * esize : hi * esize]))
                else:
                    pages.append(bytes((hi - lo) * esize + 4))
            body = append_checksum(prefix + bytes(bitmap)) + b"".join(pages)
        dblk = alloc(len(body))
        blocks.append((dblk, body))
    head = FA_HEADER.encode(
        {
            "signature": b"FAHD",
            "version": 0,
            "client_id": client,
            "entry_size": esize,
            "page_bits": page_bits,
            "nelmts": nelmts,
            "data_block_address": dblk,
            "checksum": 0,
        },
        ctx,
    )
    blocks.insert(0, (header_address, append_checksum(head[:-4])))
    return header_address, blocks


@register_index
class FixedArrayIndex(ChunkIndex[FixedArrayParams]):
    """Index type 3: a fixed array over the chunk grid of the maximum dims."""

    index_type = ChunkIndexType.FIXED_ARRAY
    params_table = _FA_PARAMS
    params_type = FixedArrayParams

    def check_params(self, params: FixedArrayParams) -> None:
        if params.page_bits == 0:
            raise FormatError("fixed array page bits 0")

    def extent_limit(self, request: ChunkIndexRequest) -> str | None:
        # one entry per chunk of the maximum extent, written whole (libhdf5 allocates the
        # whole data block too): MAX_FIXED_ARRAY_ENTRIES bounds what that costs
        grid = 1
        for n, m, c in zip(request.shape, request.maxshape, request.chunk_shape):
            grid *= -(-(n if m is None else m) // c)
        if grid > MAX_FIXED_ARRAY_ENTRIES:
            return (
                f"{grid} chunks exceed the {MAX_FIXED_ARRAY_ENTRIES} entries h5pure writes "
                "in a fixed array index (choose larger chunks)"
            )
        return None

    def load(self, source: ByteSource, request: ChunkIndexRequest) -> ChunkTable:
        return load_fixed_array(
            source,
            request.ctx,
            request.layout.index_address,
            request.fixed_maxshape("fixed array"),
            request.chunk_shape,
            request.chunk_bytes,
        )

    def write(
        self, request: ChunkIndexRequest, table: ChunkTable, alloc: Alloc
    ) -> tuple[int, list[tuple[int, bytes]]]:
        # an unlimited dim (not one libhdf5 indexes this way) counts its current size
        maxshape = [int(m if m is not None else n) for m, n in zip(request.maxshape, request.shape)]
        return build_fixed_array(
            table,
            request.ctx,
            maxshape,
            request.chunk_shape,
            alloc,
            filtered=request.filtered,
            chunk_size_width=request.chunk_size_width,
            page_bits=self.params_of(request.layout.index_params).page_bits,
        )
