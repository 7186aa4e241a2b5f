"""Extensible array chunk index (Appendix C, index type 4; spec III.L "Extensible Array";
libhdf5 ``src/H5EAcache.c``, ``src/H5EAhdr.c``, ``src/H5Dearray.c``).

Header "EAHD": version 0, client id (0 unfiltered, 1 filtered), entry size, max_nelmts_bits,
index block elements, data block min elements, super block min data pointers, data block
page bits (note: header order differs from the layout message), six L-sized statistics
(super blocks, their bytes, data blocks, their bytes, max index set, elements realized),
index block address, checksum.

Index block "EAIB": entries for the first ``idx_blk_elmts`` elements, ``2*(sbmin-1)`` data
block addresses (the super blocks ``0 .. 2*log2(sbmin)-1`` live here), then one address per
remaining super block, checksum.  Super block "EASB": block offset, page-init bitmaps (when
its data blocks are paged: ``ceil(npages/8)`` bytes per data block, but addressed as one
bit string, bit ``j*npages + p`` for page p of data block j, MSB first), data block
addresses, checksum.  Data block "EADB": block
offset, entries + checksum, or (paged) a checksum then pages of entries + checksum each.
The block offsets are not checked: libhdf5 never reads them, and for data blocks listed in
the index block it writes ``start_idx + global_dblk_idx * dblk_nelmts`` rather than the
block's true first element (``H5EA__lookup_elmt``).

Super block ``u`` holds ``2^floor(u/2)`` data blocks of ``2^floor((u+1)/2) * dblk_min``
elements (``H5EA__hdr_init``).  Chunks are numbered along the unlimited dim: with the dims
"swizzled" so the unlimited dim comes first, linear index = C-order index over the maximum
chunk grid (``H5D__earray_idx_get_addr``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from ...errors import FormatError
from ..checksum import append_checksum, verify_checksum
from ..context import ByteSource, FormatContext
from ..structs import LENGTH, OFFSET, U8, U32, Bytes, Struct, check_signature, read_uint
from .base import Alloc, ChunkIndex, ChunkIndexRequest, ChunkIndexType, ChunkTable, register_index
from .fixed_array import (
    CLIENT_FILTERED,
    CLIENT_UNFILTERED,
    ChunkEntries,
    bit_set,
    check_in_file,
    decode_entries,
    encode_entries,
    entries_to_table,
    entry_layout,
    table_to_entries,
)
from .implicit import MAX_TABLE_ENTRIES, chunk_grid

__all__ = [
    "ExtensibleArrayIndex",
    "ExtensibleArrayParams",
    "build_extensible_array",
    "load_extensible_array",
    "swizzle_order",
]

EA_HEADER = Struct(
    "extensible array header",
    [
        ("signature", Bytes(4)),
        ("version", U8),
        ("client_id", U8),
        ("entry_size", U8),
        ("max_nelmts_bits", U8),
        ("index_block_elements", U8),
        ("data_block_min_elements", U8),
        ("super_block_min_data_ptrs", U8),
        ("max_data_block_page_bits", U8),
        ("num_super_blocks", LENGTH),
        ("super_blocks_size", LENGTH),
        ("num_data_blocks", LENGTH),
        ("data_blocks_size", LENGTH),
        ("max_index_set", LENGTH),
        ("num_elements", LENGTH),
        ("index_block_address", OFFSET),
        ("checksum", U32),
    ],
)


@dataclass(frozen=True)
class ExtensibleArrayParams:
    """Extensible array creation parameters (Appendix C, type 4), in layout message byte
    order; the defaults are libhdf5's (``H5D_EARRAY_*`` in ``src/H5Dpkg.h``)."""

    max_nelmts_bits: int = 32
    """log2 of the maximum number of elements."""
    index_block_elements: int = 4
    """Elements stored directly in the index block."""
    super_block_min_data_ptrs: int = 4
    """Minimum data block pointers in a super block."""
    data_block_min_elements: int = 16
    """Minimum elements in a data block."""
    max_data_block_page_bits: int = 10
    """log2 of the elements in one data block page."""


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


EA_BLOCK_PREFIX = Struct(
    "extensible array block",
    [("signature", Bytes(4)), ("version", U8), ("client_id", U8), ("header_address", OFFSET)],
)


def _log2(n: int) -> int:
    return n.bit_length() - 1


def swizzle_order(rank: int, unlimited_dim: int) -> list[int]:
    """Dim order with the unlimited dim first (``H5VM_swizzle_coords``)."""
    return [unlimited_dim] + [d for d in range(rank) if d != unlimited_dim]


class _Reader:
    def __init__(self, source: ByteSource, ctx: FormatContext, hdr: dict, address: int) -> None:
        self.source = source
        self.ctx = ctx
        self.hdr = hdr
        self.address = address
        what = f"extensible array header at 0x{address:x}"
        self.filtered, self.width = entry_layout(ctx, hdr["client_id"], hdr["entry_size"], what)
        self.esize = hdr["entry_size"]
        self.prefix = EA_BLOCK_PREFIX.size(ctx)
        self.arr_off_size = (hdr["max_nelmts_bits"] + 7) // 8
        self.page_n = 1 << hdr["max_data_block_page_bits"]
        self.linear: list[np.ndarray] = []
        self.entries: list[ChunkEntries] = []
        self.visited: set[int] = set()

    def block(self, address: int, size: int, sig: bytes, what: str) -> bytes:
        if address in self.visited:
            raise FormatError(f"{what} at 0x{address:x}: referenced twice (cycle or overlap)")
        self.visited.add(address)
        check_in_file(self.ctx, address, size, what)
        buf = self.source.read(address, size)
        check_signature(buf, sig, what, address)
        pre = EA_BLOCK_PREFIX.decode(buf, 0, self.ctx, address)
        if pre["version"] != 0:
            raise FormatError(f"{what} at 0x{address:x}: unsupported version {pre['version']}")
        if pre["client_id"] != self.hdr["client_id"]:
            raise FormatError(f"{what} at 0x{address:x}: client id differs from its header's")
        if pre["header_address"] != self.address:
            raise FormatError(
                f"{what} at 0x{address:x}: points to header 0x{pre['header_address']:x}"
            )
        return buf

    def add(self, start: int, buf: bytes | memoryview, count: int) -> None:
        self.entries.append(decode_entries(buf, count, self.ctx, self.filtered, self.width))
        self.linear.append(np.arange(start, start + count, dtype=np.uint64))

    def data_block(
        self,
        address: int,
        start: int,
        nelmts: int,
        limit: int,
        page_init: bytes | None,
        first_bit: int = 0,
    ) -> None:
        """Entries [start, start+nelmts) of the array, the ones below ``limit`` kept.

        Page ``p`` is initialised when bit ``first_bit + p`` of ``page_init`` is set (the
        super block's bitmaps are one bit string, ``H5EA__lookup_elmt``).
        """
        what = "extensible array data block"
        count = min(nelmts, limit - start)
        if count <= 0:
            return
        head_size = self.prefix + self.arr_off_size
        if nelmts <= self.page_n:
            buf = self.block(address, head_size + nelmts * self.esize + 4, b"EADB", what)
            verify_checksum(buf, what, address)
            self.add(start, memoryview(buf)[head_size : head_size + count * self.esize], count)
            return
        npages = nelmts // self.page_n
        head = self.block(address, head_size + 4, b"EADB", what)
        verify_checksum(head, what, address)
        check_in_file(
            self.ctx, address, head_size + 4 + npages * (self.page_n * self.esize + 4), what
        )
        page_bytes = self.page_n * self.esize + 4
        for p in range(npages):
            first = start + p * self.page_n
            if first >= limit:
                break
            if page_init is not None and not bit_set(page_init, first_bit + p):
                continue
            page_addr = address + head_size + 4 + p * page_bytes
            page = self.source.read(page_addr, page_bytes)
            verify_checksum(page, f"{what} page {p}", page_addr)
            n = min(self.page_n, limit - first)
            self.add(first, memoryview(page)[: n * self.esize], n)


def load_extensible_array(
    source: ByteSource,
    ctx: FormatContext,
    address: int | None,
    maxshape: Sequence[int | None],
    chunk_shape: Sequence[int],
    chunk_bytes: int,
) -> ChunkTable:
    """Every allocated chunk of an extensible-array-indexed dataset (one unlimited dim)."""
    rank = len(chunk_shape)
    if address is None or ctx.is_undefined(address):
        return ChunkTable.empty(rank)
    unlimited = [d for d, m in enumerate(maxshape) if m is None]
    if len(unlimited) != 1:
        raise FormatError(
            f"extensible array index at 0x{address:x}: needs exactly one unlimited dim, "
            f"maxshape is {tuple(maxshape)}"
        )
    udim = unlimited[0]
    hsize = EA_HEADER.size(ctx)
    hbuf = source.read(address, hsize)
    check_signature(hbuf, b"EAHD", "extensible array header", address)
    verify_checksum(hbuf, "extensible array header", address)
    hdr = EA_HEADER.decode(hbuf, 0, ctx, address)
    what = f"extensible array header at 0x{address:x}"
    if hdr["version"] != 0:
        raise FormatError(f"{what}: unsupported version {hdr['version']}")
    for key in ("index_block_elements", "data_block_min_elements", "super_block_min_data_ptrs"):
        if hdr[key] == 0:
            raise FormatError(f"{what}: {key} is 0")
    dmin, sbmin = hdr["data_block_min_elements"], hdr["super_block_min_data_ptrs"]
    if dmin & (dmin - 1) or sbmin & (sbmin - 1):
        raise FormatError(f"{what}: block sizes {dmin}/{sbmin} are not powers of 2")
    max_bits = hdr["max_nelmts_bits"]
    if not _log2(dmin) <= max_bits <= 64 or not 0 < hdr["max_data_block_page_bits"] < 64:
        raise FormatError(f"{what}: bad size parameters")
    limit = hdr["max_index_set"]
    if limit > MAX_TABLE_ENTRIES:
        raise FormatError(f"{what}: max index set {limit} is too many entries")
    iblk = hdr["index_block_address"]
    if ctx.is_undefined(iblk) or limit == 0:
        return ChunkTable.empty(rank)

    r = _Reader(source, ctx, hdr, address)
    o = ctx.size_of_offsets
    nsblks = 1 + max_bits - _log2(dmin)
    iblock_nsblks = 2 * _log2(sbmin)
    ndblk_addrs = 2 * (sbmin - 1)
    nsblk_addrs = max(0, nsblks - iblock_nsblks)
    n_idx = hdr["index_block_elements"]
    esize = hdr["entry_size"]
    ib_size = r.prefix + n_idx * esize + (ndblk_addrs + nsblk_addrs) * o + 4
    ib = r.block(iblk, ib_size, b"EAIB", "extensible array index block")
    verify_checksum(ib, "extensible array index block", iblk)
    pos = r.prefix
    k = min(n_idx, limit)
    r.add(0, memoryview(ib)[pos : pos + k * esize], k)
    pos += n_idx * esize
    dblk_addrs = [read_uint(ib, pos + i * o, o) for i in range(ndblk_addrs)]
    pos += ndblk_addrs * o
    sblk_addrs = [read_uint(ib, pos + i * o, o) for i in range(nsblk_addrs)]

    start = n_idx  # array index of the first element of the current super block
    dblk_i = 0
    for u in range(nsblks):
        if start >= limit:
            break
        ndblks = 1 << (u // 2)
        dblk_nelmts = (1 << ((u + 1) // 2)) * dmin
        if u < iblock_nsblks:
            for j in range(ndblks):
                a = dblk_addrs[dblk_i + j] if dblk_i + j < ndblk_addrs else ctx.undefined_address
                if not ctx.is_undefined(a):
                    r.data_block(a, start + j * dblk_nelmts, dblk_nelmts, limit, None)
            dblk_i += ndblks
        else:
            sa = sblk_addrs[u - iblock_nsblks]
            if not ctx.is_undefined(sa):
                _super_block(r, sa, start, ndblks, dblk_nelmts, limit)
        start += ndblks * dblk_nelmts

    if not r.entries:
        return ChunkTable.empty(rank)
    merged = ChunkEntries(
        np.concatenate([e.addresses for e in r.entries]),
        np.concatenate([e.sizes for e in r.entries if e.sizes is not None]) if r.filtered else None,
        np.concatenate([e.filter_masks for e in r.entries if e.filter_masks is not None])
        if r.filtered
        else None,
    )
    order = swizzle_order(rank, udim)
    sw_grid = chunk_grid(
        [0 if maxshape[d] is None else maxshape[d] for d in order],  # type: ignore[misc]
        [chunk_shape[d] for d in order],
    )
    sw_chunks = [chunk_shape[d] for d in order]
    table = entries_to_table(ctx, np.concatenate(r.linear), merged, sw_grid, sw_chunks, chunk_bytes)
    inverse = np.argsort(order)
    table.offsets = np.ascontiguousarray(table.offsets[:, inverse])
    return table.sorted()


def _super_block(
    r: _Reader, address: int, start: int, ndblks: int, dblk_nelmts: int, limit: int
) -> None:
    what = "extensible array super block"
    o = r.ctx.size_of_offsets
    paged = dblk_nelmts > r.page_n
    init_size = ((dblk_nelmts // r.page_n) + 7) // 8 if paged else 0
    size = r.prefix + r.arr_off_size + ndblks * init_size + ndblks * o + 4
    buf = r.block(address, size, b"EASB", what)
    verify_checksum(buf, what, address)
    pos = r.prefix + r.arr_off_size
    bitmap = buf[pos : pos + ndblks * init_size]
    npages = dblk_nelmts // r.page_n
    pos += ndblks * init_size
    for j in range(ndblks):
        first = start + j * dblk_nelmts
        if first >= limit:
            break
        a = read_uint(buf, pos + j * o, o)
        if r.ctx.is_undefined(a):
            continue
        if paged:
            r.data_block(a, first, dblk_nelmts, limit, bitmap, j * npages)
        else:
            r.data_block(a, first, dblk_nelmts, limit, None)


# --- encoding -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SuperInfo:
    """Super block ``u``: its data blocks, their size, first element (after the index
    block's elements) and the global number of its first data block."""

    ndblks: int
    dblk_nelmts: int
    start_idx: int
    start_dblk: int


def _super_infos(p: ExtensibleArrayParams) -> list[_SuperInfo]:
    out, start, dblk = [], 0, 0
    for u in range(1 + p.max_nelmts_bits - _log2(p.data_block_min_elements)):
        ndblks, nelmts = 1 << (u // 2), (1 << ((u + 1) // 2)) * p.data_block_min_elements
        out.append(_SuperInfo(ndblks, nelmts, start, dblk))
        start += ndblks * nelmts
        dblk += ndblks
    return out


def build_extensible_array(
    table: ChunkTable,
    ctx: FormatContext,
    maxshape: Sequence[int | None],
    chunk_shape: Sequence[int],
    alloc: Callable[[int], int],
    *,
    filtered: bool = False,
    chunk_size_width: int = 8,
    params: ExtensibleArrayParams = ExtensibleArrayParams(),
) -> tuple[int, list[tuple[int, bytes]]]:
    """Write an extensible array index for ``table`` (exactly one unlimited dim): returns
    the header address and the ``(address, bytes)`` blocks.  Only the data blocks (and
    super blocks) that hold a chunk are created, as libhdf5 creates them on first use."""
    rank = len(chunk_shape)
    unlimited = [d for d, m in enumerate(maxshape) if m is None]
    if len(unlimited) != 1:
        raise ValueError(f"an extensible array needs exactly one unlimited dim: {maxshape}")
    order = swizzle_order(rank, unlimited[0])
    sw_max = [int(maxshape[d] or 0) for d in order]  # the unlimited dim (first) counts 0
    sw_grid = chunk_grid(sw_max, [chunk_shape[d] for d in order])
    sw_table = ChunkTable(table.offsets[:, order], table.addresses, table.sizes, table.filter_masks)
    count = 0
    if len(table):
        strides = np.ones(rank, dtype=np.int64)
        for d in range(rank - 2, -1, -1):
            strides[d] = strides[d + 1] * max(int(sw_grid[d + 1]), 1)
        coords = sw_table.offsets // np.asarray([chunk_shape[d] for d in order], dtype=np.int64)
        count = int((coords @ strides).max()) + 1
    entries = table_to_entries(
        ctx, sw_table, sw_grid, [chunk_shape[d] for d in order], count, filtered
    )
    raw = encode_entries(entries, ctx, chunk_size_width)
    defined = entries.addresses != np.uint64(ctx.undefined_address)
    o = ctx.size_of_offsets
    p = params
    esize = o + (chunk_size_width + 4 if filtered else 0)
    client = CLIENT_FILTERED if filtered else CLIENT_UNFILTERED
    arr_off = (p.max_nelmts_bits + 7) // 8
    page_n = 1 << p.max_data_block_page_bits
    undef = ctx.undefined_address
    header_address = alloc(EA_HEADER.size(ctx))
    blocks: list[tuple[int, bytes]] = []

    def prefix(sig: bytes) -> bytes:
        return EA_BLOCK_PREFIX.encode(
            {"signature": sig, "version": 0, "client_id": client, "header_address": header_address},
            ctx,
        )

    fill = encode_entries(
        table_to_entries(ctx, ChunkTable.empty(1), [1], [1], 1, filtered), ctx, chunk_size_width
    )

    def entries_bytes(lo: int, n: int) -> bytes:
        """Entries [lo, lo + n) of the array, undefined beyond the last chunk."""
        have = raw[lo * esize : (lo + n) * esize] if lo < count else b""
        return have + fill * (n - len(have) // esize)

    stats = {"sb": 0, "sb_size": 0, "db": 0, "db_size": 0}

    def data_block(first: int, nelmts: int, block_off: int) -> tuple[int, bytes]:
        """(address, page-init bitmap bits) of a new data block of array elements
        [first, first + nelmts)."""
        head = prefix(b"EADB") + block_off.to_bytes(arr_off, "little")
        bits = b""
        if nelmts <= page_n:
            body = append_checksum(head + entries_bytes(first, nelmts))
        else:
            pages, flags = [], []
            for q in range(nelmts // page_n):
                lo = first + q * page_n
                used = lo < count and bool(defined[lo : lo + page_n].any())
                flags.append(used)
                pages.append(
                    append_checksum(entries_bytes(lo, page_n))
                    if used
                    else bytes(page_n * esize + 4)
                )
            body = append_checksum(head) + b"".join(pages)
            bits = bytes(flags)
        address = alloc(len(body))
        blocks.append((address, body))
        stats["db"] += 1
        stats["db_size"] += len(body)
        return address, bits

    infos = _super_infos(p)
    n_idx = p.index_block_elements
    iblock_nsblks = 2 * _log2(p.super_block_min_data_ptrs)
    ndblk_addrs = 2 * (p.super_block_min_data_ptrs - 1)
    nsblk_addrs = max(0, len(infos) - iblock_nsblks)
    iblock = undef
    nelmts_stored = 0
    if count:
        ib_size = EA_BLOCK_PREFIX.size(ctx) + n_idx * esize + (ndblk_addrs + nsblk_addrs) * o + 4
        iblock = alloc(ib_size)
        nelmts_stored = n_idx
        dblk_addrs = [undef] * ndblk_addrs
        sblk_addrs = [undef] * nsblk_addrs
        for u, info in enumerate(infos):
            start = n_idx + info.start_idx
            if start >= count:
                break
            if u < iblock_nsblks:
                for j in range(info.ndblks):
                    lo = start + j * info.dblk_nelmts
                    if lo < count and defined[lo : lo + info.dblk_nelmts].any():
                        # libhdf5 stores the global data block number here (H5EA__set)
                        off = info.start_idx + (info.start_dblk + j) * info.dblk_nelmts
                        dblk_addrs[info.start_dblk + j], _ = data_block(lo, info.dblk_nelmts, off)
                        nelmts_stored += info.dblk_nelmts
                continue
            span = info.ndblks * info.dblk_nelmts
            if not defined[start : start + span].any():
                continue
            paged = info.dblk_nelmts > page_n
            npages = info.dblk_nelmts // page_n
            init_size = (npages + 7) // 8 if paged else 0
            sb_size = EA_BLOCK_PREFIX.size(ctx) + arr_off + info.ndblks * (init_size + o) + 4
            sb_addr = alloc(sb_size)
            addrs, bits = [], []
            for j in range(info.ndblks):
                lo = start + j * info.dblk_nelmts
                if lo < count and defined[lo : lo + info.dblk_nelmts].any():
                    a, b = data_block(lo, info.dblk_nelmts, info.start_idx + j * info.dblk_nelmts)
                    nelmts_stored += info.dblk_nelmts
                else:
                    a, b = undef, bytes(npages if paged else 0)
                addrs.append(a)
                bits.append(b)
            bitmap = b""
            if paged:
                # one bit string over all data blocks, MSB first, ceil(npages/8) bytes each
                flat = bytearray(info.ndblks * init_size)
                for j, b in enumerate(bits):
                    for q, used in enumerate(b):
                        if used:
                            k = j * npages + q
                            flat[k // 8] |= 0x80 >> (k % 8)
                bitmap = bytes(flat)
            body = (
                prefix(b"EASB")
                + info.start_idx.to_bytes(arr_off, "little")
                + bitmap
                + b"".join(a.to_bytes(o, "little") for a in addrs)
            )
            blocks.append((sb_addr, append_checksum(body)))
            stats["sb"] += 1
            stats["sb_size"] += sb_size
            sblk_addrs[u - iblock_nsblks] = sb_addr
        body = (
            prefix(b"EAIB")
            + entries_bytes(0, n_idx)
            + b"".join(a.to_bytes(o, "little") for a in dblk_addrs + sblk_addrs)
        )
        blocks.append((iblock, append_checksum(body)))
    head = EA_HEADER.encode(
        {
            "signature": b"EAHD",
            "version": 0,
            "client_id": client,
            "entry_size": esize,
            "max_nelmts_bits": p.max_nelmts_bits,
            "index_block_elements": n_idx,
            "data_block_min_elements": p.data_block_min_elements,
            "super_block_min_data_ptrs": p.super_block_min_data_ptrs,
            "max_data_block_page_bits": p.max_data_block_page_bits,
            "num_super_blocks": stats["sb"],
            "super_blocks_size": stats["sb_size"],
            "num_data_blocks": stats["db"],
            "data_blocks_size": stats["db_size"],
            "max_index_set": count,
            "num_elements": nelmts_stored,
            "index_block_address": iblock,
            "checksum": 0,
        },
        ctx,
    )
    blocks.insert(0, (header_address, append_checksum(head[:-4])))
    return header_address, blocks


@register_index
class ExtensibleArrayIndex(ChunkIndex[ExtensibleArrayParams]):
    """Index type 4: an extensible array along the one unlimited dim."""

    index_type = ChunkIndexType.EXTENSIBLE_ARRAY
    params_table = _EA_PARAMS
    params_type = ExtensibleArrayParams

    def check_params(self, params: ExtensibleArrayParams) -> None:
        if 0 in asdict(params).values():
            raise FormatError(f"zero extensible array parameter {asdict(params)}")

    def extent_limit(self, request: ChunkIndexRequest) -> str | None:
        # chunks are numbered over the maximum grid with the unlimited dim (at its
        # current size) first; the array holds at most 2**max_nelmts_bits of them
        p = self.params_of(request.layout.index_params)
        grid = 1
        for n, m, c in zip(request.shape, request.maxshape, request.chunk_shape):
            grid *= -(-(n if m is None else m) // c)
        if grid > 1 << p.max_nelmts_bits:
            return (
                f"{grid} chunks exceed the {2**p.max_nelmts_bits} an extensible array index "
                f"of {p.max_nelmts_bits} bits holds"
            )
        return None

    def load(self, source: ByteSource, request: ChunkIndexRequest) -> ChunkTable:
        return load_extensible_array(
            source,
            request.ctx,
            request.layout.index_address,
            request.maxshape,
            request.chunk_shape,
            request.chunk_bytes,
        )

    def write(
        self, request: ChunkIndexRequest, table: ChunkTable, alloc: Alloc
    ) -> tuple[int, list[tuple[int, bytes]]]:
        return build_extensible_array(
            table,
            request.ctx,
            request.maxshape,
            request.chunk_shape,
            alloc,
            filtered=request.filtered,
            chunk_size_width=request.chunk_size_width,
            params=self.params_of(request.layout.index_params),
        )
