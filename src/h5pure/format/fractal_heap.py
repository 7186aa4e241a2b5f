"""Fractal heaps ("FRHP" header, "FHDB" direct blocks, "FHIB" indirect blocks).

HDF5 File Format Specification 4.0, III.G "Disk Format: Level 1G - Fractal Heap".
Objects are addressed by heap IDs whose first byte holds the ID version (bits 6-7) and
type (bits 4-5): 0 managed (offset + length into the heap's doubling-table address space),
1 huge (stored on their own, tracked by a v2 B-tree of record types 1-4 unless the ID holds
address and length directly), 2 tiny (the bytes live in the ID).

Doubling table (``src/H5HFdtable.c``): rows 0 and 1 hold blocks of the starting size,
each further row doubles; ``width`` blocks per row.  Rows below ``max_direct_rows`` are
direct blocks, the rest are indirect blocks whose own row count is
``log2(row block size) - log2(start size * width) + 1``.  Direct-block checksums (header
flag bit 1) cover the whole block with the checksum field zeroed (``src/H5HFcache.c``).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..errors import ChecksumError, FilterError, FormatError, UnsupportedFeatureError
from .btree_v2 import (
    BTreeV2,
    DirectHugeObjectRecord,
    FilteredHugeObjectRecord,
    HugeObjectRecord,
    build_btree_v2,
)
from .checksum import append_checksum, lookup3, verify_checksum
from .context import ByteSource, FormatContext
from .structs import LENGTH, OFFSET, U8, U16, U32, Bytes, Struct, check_signature, read_uint

HEADER_SIGNATURE = b"FRHP"
DIRECT_SIGNATURE = b"FHDB"
INDIRECT_SIGNATURE = b"FHIB"

ID_TYPE_MANAGED = 0
ID_TYPE_HUGE = 1
ID_TYPE_TINY = 2
FLAG_HUGE_IDS_WRAPPED = 0x01
FLAG_CHECKSUM_DIRECT_BLOCKS = 0x02
_TINY_LEN_SHORT = 16
_CACHE_LIMIT = 32 << 20
"""Bytes of decoded direct blocks kept per heap."""

HEADER = Struct(
    "fractal heap header",
    [
        ("signature", Bytes(4)),
        ("version", U8),
        ("heap_id_length", U16),
        ("filter_length", U16),
        ("flags", U8),
        ("max_managed_object_size", U32),
        ("next_huge_id", LENGTH),
        ("huge_btree_address", OFFSET),
        ("managed_free_space", LENGTH),
        ("free_space_manager_address", OFFSET),
        ("managed_space", LENGTH),
        ("managed_allocated_space", LENGTH),
        ("direct_block_iterator_offset", LENGTH),
        ("managed_object_count", LENGTH),
        ("huge_objects_size", LENGTH),
        ("huge_object_count", LENGTH),
        ("tiny_objects_size", LENGTH),
        ("tiny_object_count", LENGTH),
        ("table_width", U16),
        ("starting_block_size", LENGTH),
        ("max_direct_block_size", LENGTH),
        ("max_heap_size_bits", U16),
        ("starting_root_rows", U16),
        ("root_block_address", OFFSET),
        ("current_root_rows", U16),
    ],
)


# --- I/O filters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HeapFilter:
    """One filter of the heap's I/O pipeline."""

    filter_id: int
    flags: int
    client_data: tuple[int, ...]


def decode_heap_pipeline(buf: bytes, address: int) -> list[HeapFilter]:
    """Decode the filter pipeline message embedded in a heap header (IV.A.2.l, v1/v2)."""
    what = f"fractal heap header at 0x{address:x}: I/O filter pipeline"
    if len(buf) < 2:
        raise FormatError(f"{what}: truncated")
    version, count = buf[0], buf[1]
    if version not in (1, 2):
        raise FormatError(f"{what}: unsupported version {version}")
    pos = 8 if version == 1 else 2
    filters = []
    try:
        for _ in range(count):
            fid = read_uint(buf, pos, 2)
            pos += 2
            name_len = 0
            if version == 1 or fid >= 256:
                name_len = read_uint(buf, pos, 2)
                pos += 2
            flags = read_uint(buf, pos, 2)
            nvalues = read_uint(buf, pos + 2, 2)
            pos += 4
            if version == 1:
                name_len = (name_len + 7) & ~7
            pos += name_len
            values = tuple(read_uint(buf, pos + 4 * i, 4) for i in range(nvalues))
            pos += 4 * nvalues
            if version == 1 and nvalues % 2:
                pos += 4
            filters.append(HeapFilter(fid, flags, values))
    except FormatError as e:
        raise FormatError(f"{what}: {e}") from None
    return filters


def _deflate_decode(data: bytes, f: HeapFilter) -> bytes:
    try:
        return zlib.decompress(data)
    except zlib.error as e:
        raise FilterError(f"deflate failed on a fractal heap block: {e}") from None


_FILTERS: dict[int, Callable[[bytes, HeapFilter], bytes]] = {1: _deflate_decode}


def _unfilter(data: bytes, filters: list[HeapFilter], mask: int, what: str) -> bytes:
    for i in reversed(range(len(filters))):
        if mask & (1 << i):
            continue
        f = filters[i]
        dec = _FILTERS.get(f.filter_id)
        if dec is None:
            raise UnsupportedFeatureError(
                f"{what}: I/O filter {f.filter_id} is not supported in fractal heaps (only deflate)"
            )
        data = dec(data, f)
    return data


# --- the heap -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _IndirectBlock:
    address: int
    block_offset: int
    nrows: int
    direct: list[tuple[int, int, int]]
    """(address, filtered size, filter mask) per direct child entry."""
    indirect: list[int]


def _log2_exact(value: int, what: str) -> int:
    if value <= 0 or value & (value - 1):
        raise FormatError(f"{what} {value} is not a power of two")
    return value.bit_length() - 1


class FractalHeap:
    """An opened fractal heap; :meth:`get` returns the bytes of any object by heap ID."""

    def __init__(
        self,
        source: ByteSource,
        ctx: FormatContext,
        address: int,
        header: dict[str, int],
        filters: list[HeapFilter],
        root_filtered_size: int,
        root_filter_mask: int,
    ) -> None:
        self.source = source
        self.ctx = ctx
        self.address = address
        self.header = header
        self.filters = filters
        self.root_filtered_size = root_filtered_size
        self.root_filter_mask = root_filter_mask
        self.id_length: int = header["heap_id_length"]
        self.flags: int = header["flags"]
        self.width: int = header["table_width"]
        self.start_block_size: int = header["starting_block_size"]
        self.max_direct_block_size: int = header["max_direct_block_size"]
        if self.max_direct_block_size == 0 and ctx.size_of_lengths < 8:
            # libhdf5 stores its 64 KiB default in a 2-byte length field as 0 (truncated);
            # a power of two that overflows the field can only mean 2^(8 * width)
            self.max_direct_block_size = 1 << (8 * ctx.size_of_lengths)
        self.max_heap_bits: int = header["max_heap_size_bits"]
        self.root_address: int = header["root_block_address"]
        self.root_rows: int = header["current_root_rows"]
        self.huge_btree_address: int = header["huge_btree_address"]
        self.max_managed_object_size: int = header["max_managed_object_size"]
        self._what = f"fractal heap at 0x{address:x}"
        self._init_dtable()
        o, ln = ctx.size_of_offsets, ctx.size_of_lengths
        if filters:
            self.huge_ids_direct = self.id_length - 1 >= o + ln + 4 + ln
        else:
            self.huge_ids_direct = self.id_length - 1 >= o + ln
        self.huge_id_size = min(self.id_length - 1, 8)
        # as libhdf5 (H5HFhdr.c): IDs with room for more than 16 bytes use the long form
        self.tiny_extended = self.id_length - 1 > _TINY_LEN_SHORT
        self._iblocks: dict[int, _IndirectBlock] = {}
        self._dblocks: dict[int, bytes] = {}
        self._dblock_bytes = 0
        self._huge_index: dict[int, HugeObjectRecord | FilteredHugeObjectRecord] | None = None

    def _init_dtable(self) -> None:
        what = self._what
        self.width_bits = _log2_exact(self.width, f"{what}: table width")
        start_bits = _log2_exact(self.start_block_size, f"{what}: starting block size")
        max_bits = _log2_exact(self.max_direct_block_size, f"{what}: max direct block size")
        if max_bits < start_bits:
            raise FormatError(f"{what}: max direct block size below the starting block size")
        if not 1 <= self.max_heap_bits <= 64 or self.max_heap_bits < max_bits:
            raise FormatError(f"{what}: bad maximum heap size {self.max_heap_bits} bits")
        self.first_row_bits = start_bits + self.width_bits
        self.max_direct_rows = max_bits - start_bits + 2
        self.max_root_rows = max(self.max_heap_bits - self.first_row_bits + 1, 1)
        if self.root_rows > self.max_root_rows:
            raise FormatError(
                f"{what}: root indirect block has {self.root_rows} rows, at most "
                f"{self.max_root_rows} fit the heap"
            )
        nrows = self.max_root_rows + 1
        self.row_block_size = [self.start_block_size] + [
            self.start_block_size << (r - 1) for r in range(1, nrows)
        ]
        self.row_block_offset = [0] + [
            (self.start_block_size << (r - 1)) * self.width for r in range(1, nrows)
        ]
        self.offset_size = (self.max_heap_bits + 7) // 8
        """Bytes of a heap offset (block offsets and managed-ID offsets)."""
        limit = max(self.max_managed_object_size, 1)
        self.length_size = min((max_bits + 7) // 8, (limit.bit_length() - 1) // 8 + 1)
        """Bytes of a managed-ID length (``heap_len_size`` in ``src/H5HFhdr.c``)."""

    @classmethod
    def open(cls, source: ByteSource, ctx: FormatContext, address: int) -> FractalHeap:
        """Read and validate the heap header at ``address``."""
        size = HEADER.size(ctx)
        base = source.read(address, size + 4)
        check_signature(base, HEADER_SIGNATURE, "fractal heap header", address)
        h = HEADER.decode(base, 0, ctx, address)
        what = f"fractal heap header at 0x{address:x}"
        if h["version"] != 0:
            raise FormatError(f"{what}: unsupported version {h['version']}")
        if h["heap_id_length"] < 2:
            raise FormatError(f"{what}: heap ID length {h['heap_id_length']} too small")
        filters: list[HeapFilter] = []
        root_size = root_mask = 0
        flen = h["filter_length"]
        if flen:
            ln = ctx.size_of_lengths
            block = source.read(address, size + ln + 4 + flen + 4)
            verify_checksum(block, "fractal heap header", address)
            root_size = read_uint(block, size, ln)
            root_mask = read_uint(block, size + ln, 4)
            filters = decode_heap_pipeline(block[size + ln + 4 : size + ln + 4 + flen], address)
        else:
            verify_checksum(base, "fractal heap header", address)
        return cls(source, ctx, address, h, filters, root_size, root_mask)

    # -- public API --

    def get(self, heap_id: bytes) -> bytes:
        """The bytes of the object named by ``heap_id``."""
        heap_id = bytes(heap_id)
        if len(heap_id) < 1:
            raise FormatError(f"{self._what}: empty heap ID")
        version = heap_id[0] >> 6
        if version != 0:
            raise FormatError(f"{self._what}: heap ID version {version} is not supported")
        kind = (heap_id[0] >> 4) & 0x03
        if kind == ID_TYPE_MANAGED:
            return self._get_managed(heap_id)
        if kind == ID_TYPE_HUGE:
            return self._get_huge(heap_id)
        if kind == ID_TYPE_TINY:
            return self._get_tiny(heap_id)
        raise FormatError(f"{self._what}: heap ID of unknown type {kind}")

    def iter_managed(self) -> Iterator[tuple[int, bytes]]:
        """``(block offset, block bytes)`` of every allocated direct block, in heap order."""
        if self.ctx.is_undefined(self.root_address):
            return
        if self.root_rows == 0:
            yield (
                0,
                self._direct_block(
                    self.root_address,
                    0,
                    self.start_block_size,
                    self.root_filtered_size,
                    self.root_filter_mask,
                ),
            )
            return
        yield from self._iter_iblock(self.root_address, 0, self.root_rows, set())

    def blocks(self) -> Iterator[tuple[int, int]]:
        """``(address, size)`` of the header, every direct and indirect block, every huge
        object and the huge-object B-tree (to release their space).  Huge objects whose
        IDs hold their address directly are not indexed, so only their holders know them."""
        ctx = self.ctx
        head = HEADER.size(ctx) + 4
        if self.filters:
            head += ctx.size_of_lengths + 4 + self.header["filter_length"]
        yield self.address, head
        if not ctx.is_undefined(self.root_address):
            if self.root_rows == 0:
                size = self.root_filtered_size if self.filters else self.start_block_size
                yield self.root_address, size
            else:
                yield from self._iblock_blocks(self.root_address, 0, self.root_rows, set())
        if not ctx.is_undefined(self.huge_btree_address):
            for rec in self._huge_records().values():
                yield rec.address, rec.length
            yield from BTreeV2.open(self.source, ctx, self.huge_btree_address).blocks()

    def _iblock_blocks(
        self, address: int, block_offset: int, nrows: int, seen: set[int]
    ) -> Iterator[tuple[int, int]]:
        if address in seen:
            raise FormatError(f"{self._what}: cycle through indirect block 0x{address:x}")
        seen.add(address)
        ib = self._indirect_block(address, block_offset, nrows)
        o, ln = self.ctx.size_of_offsets, self.ctx.size_of_lengths
        dsize = o + (ln + 4 if self.filters else 0)
        size = 5 + o + self.offset_size + len(ib.direct) * dsize + len(ib.indirect) * o + 4
        yield address, size
        for i, (addr, fsize, _) in enumerate(ib.direct):
            if not self.ctx.is_undefined(addr):
                yield addr, fsize if self.filters else self.row_block_size[i // self.width]
        for i, addr in enumerate(ib.indirect):
            if not self.ctx.is_undefined(addr):
                row = self.max_direct_rows + i // self.width
                off = block_offset + self.row_block_offset[row]
                off += (i % self.width) * self.row_block_size[row]
                child_rows = self._child_rows(row)
                if child_rows >= nrows:
                    raise FormatError(f"{self._what}: indirect block rows do not shrink with depth")
                yield from self._iblock_blocks(addr, off, child_rows, seen)

    # -- managed objects --

    def _get_managed(self, heap_id: bytes) -> bytes:
        need = 1 + self.offset_size + self.length_size
        if len(heap_id) < need:
            raise FormatError(f"{self._what}: managed heap ID of {len(heap_id)} bytes is short")
        offset = read_uint(heap_id, 1, self.offset_size)
        length = read_uint(heap_id, 1 + self.offset_size, self.length_size)
        if length == 0 or offset + length > 1 << self.max_heap_bits:
            raise FormatError(
                f"{self._what}: managed object (offset {offset}, length {length}) outside the heap"
            )
        if self.ctx.is_undefined(self.root_address):
            raise FormatError(f"{self._what}: managed object requested from an empty heap")
        if self.root_rows == 0:
            block_off, size = 0, self.start_block_size
            data = self._direct_block(
                self.root_address, 0, size, self.root_filtered_size, self.root_filter_mask
            )
        else:
            block_off, data = self._locate(offset)
        start = offset - block_off
        if start < self._direct_overhead() or start + length > len(data):
            raise FormatError(
                f"{self._what}: managed object (offset {offset}, length {length}) does not "
                f"fit its direct block at heap offset {block_off}"
            )
        return data[start : start + length]

    def _lookup(self, offset: int) -> tuple[int, int]:
        """(row, column) of ``offset`` relative to the start of an indirect block."""
        first_row_span = self.start_block_size * self.width
        if offset < first_row_span:
            return 0, offset // self.start_block_size
        high = offset.bit_length() - 1
        row = high - self.first_row_bits + 1
        col = (offset - (1 << high)) // self.row_block_size[row]
        return row, col

    def _locate(self, offset: int) -> tuple[int, bytes]:
        iblock_addr, iblock_off, nrows = self.root_address, 0, self.root_rows
        seen: set[int] = set()
        while True:
            if iblock_addr in seen:
                raise FormatError(f"{self._what}: cycle through indirect block 0x{iblock_addr:x}")
            seen.add(iblock_addr)
            ib = self._indirect_block(iblock_addr, iblock_off, nrows)
            row, col = self._lookup(offset - iblock_off)
            if row >= nrows:
                raise FormatError(
                    f"{self._what}: offset {offset} lies beyond indirect block 0x{iblock_addr:x}"
                )
            child_off = iblock_off + self.row_block_offset[row] + col * self.row_block_size[row]
            if row < self.max_direct_rows:
                addr, fsize, mask = ib.direct[row * self.width + col]
                if self.ctx.is_undefined(addr):
                    raise FormatError(
                        f"{self._what}: offset {offset} lies in an unallocated direct block"
                    )
                return child_off, self._direct_block(
                    addr, child_off, self.row_block_size[row], fsize, mask
                )
            addr = ib.indirect[(row - self.max_direct_rows) * self.width + col]
            if self.ctx.is_undefined(addr):
                raise FormatError(
                    f"{self._what}: offset {offset} lies in an unallocated indirect block"
                )
            child_rows = self._child_rows(row)
            if child_rows >= nrows:
                raise FormatError(f"{self._what}: indirect block rows do not shrink with depth")
            iblock_addr, iblock_off, nrows = addr, child_off, child_rows

    def _child_rows(self, row: int) -> int:
        return (self.row_block_size[row].bit_length() - 1) - self.first_row_bits + 1

    def _direct_overhead(self) -> int:
        extra = 4 if self.flags & FLAG_CHECKSUM_DIRECT_BLOCKS else 0
        return 5 + self.ctx.size_of_offsets + self.offset_size + extra

    def _indirect_block(self, address: int, block_offset: int, nrows: int) -> _IndirectBlock:
        cached = self._iblocks.get(address)
        if cached is not None:
            if cached.nrows != nrows or cached.block_offset != block_offset:
                raise FormatError(
                    f"fractal heap indirect block at 0x{address:x}: reached as two different blocks"
                )
            return cached
        o, ln = self.ctx.size_of_offsets, self.ctx.size_of_lengths
        ndirect = min(nrows, self.max_direct_rows) * self.width
        nindirect = max(nrows - self.max_direct_rows, 0) * self.width
        dsize = o + (ln + 4 if self.filters else 0)
        head = 5 + o + self.offset_size
        size = head + ndirect * dsize + nindirect * o + 4
        what = "fractal heap indirect block"
        buf = self.source.read(address, size)
        check_signature(buf, INDIRECT_SIGNATURE, what, address)
        if buf[4] != 0:
            raise FormatError(f"{what} at 0x{address:x}: unsupported version {buf[4]}")
        verify_checksum(buf, what, address)
        self._check_block_head(buf, address, block_offset, what)
        direct = []
        pos = head
        for _ in range(ndirect):
            addr = read_uint(buf, pos, o)
            fsize = mask = 0
            if self.filters:
                fsize = read_uint(buf, pos + o, ln)
                mask = read_uint(buf, pos + o + ln, 4)
            direct.append((addr, fsize, mask))
            pos += dsize
        indirect = [read_uint(buf, pos + i * o, o) for i in range(nindirect)]
        ib = _IndirectBlock(address, block_offset, nrows, direct, indirect)
        self._iblocks[address] = ib
        return ib

    def _check_block_head(self, buf: bytes, address: int, block_offset: int, what: str) -> None:
        o = self.ctx.size_of_offsets
        owner = read_uint(buf, 5, o)
        if owner != self.address:
            raise FormatError(
                f"{what} at 0x{address:x}: belongs to heap 0x{owner:x}, not 0x{self.address:x}"
            )
        stored = read_uint(buf, 5 + o, self.offset_size)
        if stored != block_offset:
            raise FormatError(
                f"{what} at 0x{address:x}: block offset {stored}, expected {block_offset}"
            )

    def _direct_block(
        self, address: int, block_offset: int, size: int, filtered_size: int, mask: int
    ) -> bytes:
        cached = self._dblocks.get(address)
        if cached is not None:
            return cached
        what = "fractal heap direct block"
        if self.filters:
            if filtered_size <= 0 or filtered_size > max(2 * size, size + 4096):
                raise FormatError(
                    f"{what} at 0x{address:x}: implausible filtered size {filtered_size}"
                )
            raw = self.source.read(address, filtered_size)
            buf = _unfilter(raw, self.filters, mask, f"{what} at 0x{address:x}")
            if len(buf) != size:
                raise FormatError(
                    f"{what} at 0x{address:x}: unfiltered to {len(buf)} bytes, expected {size}"
                )
        else:
            buf = self.source.read(address, size)
        check_signature(buf, DIRECT_SIGNATURE, what, address)
        if buf[4] != 0:
            raise FormatError(f"{what} at 0x{address:x}: unsupported version {buf[4]}")
        self._check_block_head(buf, address, block_offset, what)
        if self.flags & FLAG_CHECKSUM_DIRECT_BLOCKS:
            pos = 5 + self.ctx.size_of_offsets + self.offset_size
            stored = read_uint(buf, pos, 4)
            computed = lookup3(buf[:pos] + b"\0\0\0\0" + buf[pos + 4 :])
            if stored != computed:
                raise ChecksumError(
                    f"{what} at 0x{address:x}: checksum mismatch (stored 0x{stored:08x}, "
                    f"computed 0x{computed:08x})"
                )
        if self._dblock_bytes + len(buf) > _CACHE_LIMIT:
            self._dblocks.clear()
            self._dblock_bytes = 0
        self._dblocks[address] = buf
        self._dblock_bytes += len(buf)
        return buf

    def _iter_iblock(
        self, address: int, block_offset: int, nrows: int, seen: set[int]
    ) -> Iterator[tuple[int, bytes]]:
        if address in seen:
            raise FormatError(f"{self._what}: cycle through indirect block 0x{address:x}")
        seen.add(address)
        ib = self._indirect_block(address, block_offset, nrows)
        for row in range(nrows):
            for col in range(self.width):
                off = block_offset + self.row_block_offset[row] + col * self.row_block_size[row]
                if row < self.max_direct_rows:
                    addr, fsize, mask = ib.direct[row * self.width + col]
                    if not self.ctx.is_undefined(addr):
                        yield (
                            off,
                            self._direct_block(addr, off, self.row_block_size[row], fsize, mask),
                        )
                else:
                    addr = ib.indirect[(row - self.max_direct_rows) * self.width + col]
                    if not self.ctx.is_undefined(addr):
                        child_rows = self._child_rows(row)
                        if child_rows >= nrows:
                            raise FormatError(
                                f"{self._what}: indirect block rows do not shrink with depth"
                            )
                        yield from self._iter_iblock(addr, off, child_rows, seen)

    # -- tiny and huge objects --

    def _get_tiny(self, heap_id: bytes) -> bytes:
        if self.tiny_extended:
            # The spec (and libhdf5's encoder) put bits 8-11 of (length - 1) in the low
            # nibble of byte 0; libhdf5's decoder drops them, which only matters past 256.
            if len(heap_id) < 2:
                raise FormatError(f"{self._what}: tiny heap ID too short")
            length = (((heap_id[0] & 0x0F) << 8) | heap_id[1]) + 1
            start = 2
        else:
            length = (heap_id[0] & 0x0F) + 1
            start = 1
        if start + length > len(heap_id):
            raise FormatError(
                f"{self._what}: tiny object of {length} bytes does not fit a "
                f"{len(heap_id)}-byte heap ID"
            )
        return heap_id[start : start + length]

    def _get_huge(self, heap_id: bytes) -> bytes:
        o, ln = self.ctx.size_of_offsets, self.ctx.size_of_lengths
        if self.huge_ids_direct:
            address = read_uint(heap_id, 1, o)
            length = read_uint(heap_id, 1 + o, ln)
            if self.filters:
                mask = read_uint(heap_id, 1 + o + ln, 4)
                memory_size = read_uint(heap_id, 5 + o + ln, ln)
                return self._read_huge(address, length, mask, memory_size)
            return self._read_huge(address, length, None, None)
        key = read_uint(heap_id, 1, self.huge_id_size)
        rec = self._huge_records().get(key)
        if rec is None:
            raise FormatError(f"{self._what}: no huge object with ID {key}")
        if isinstance(rec, FilteredHugeObjectRecord):
            return self._read_huge(rec.address, rec.length, rec.filter_mask, rec.memory_size)
        return self._read_huge(rec.address, rec.length, None, None)

    def _huge_records(self) -> dict[int, HugeObjectRecord | FilteredHugeObjectRecord]:
        if self._huge_index is None:
            if self.ctx.is_undefined(self.huge_btree_address):
                raise FormatError(f"{self._what}: huge object requested but no huge B-tree")
            tree = BTreeV2.open(self.source, self.ctx, self.huge_btree_address)
            want = 2 if self.filters else 1
            if tree.record_type != want:
                raise FormatError(
                    f"{self._what}: huge-object B-tree has record type {tree.record_type}, "
                    f"expected {want}"
                )
            index: dict[int, HugeObjectRecord | FilteredHugeObjectRecord] = {}
            for rec in tree.records():
                if isinstance(rec, (HugeObjectRecord, FilteredHugeObjectRecord)):
                    index[rec.object_id] = rec
            self._huge_index = index
        return self._huge_index

    def _read_huge(
        self, address: int, length: int, mask: int | None, memory_size: int | None
    ) -> bytes:
        what = f"{self._what}: huge object at 0x{address:x}"
        if self.ctx.is_undefined(address):
            raise FormatError(f"{what}: undefined address")
        if self.ctx.eof_address is not None and address + length > self.ctx.eof_address:
            raise FormatError(f"{what}: {length} bytes run past the end of file")
        data = self.source.read(address, length)
        if mask is None:
            return data
        data = _unfilter(data, self.filters, mask, what)
        if memory_size is not None and len(data) != memory_size:
            raise FormatError(f"{what}: unfiltered to {len(data)} bytes, expected {memory_size}")
        return data


__all__ = [
    "ATTRIBUTE_HEAP_PARAMS",
    "LINK_HEAP_PARAMS",
    "DirectHugeObjectRecord",
    "FractalHeap",
    "FractalHeapWriter",
    "HeapParams",
    "HeapFilter",
    "decode_heap_pipeline",
]


# --- writing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeapParams:
    """Creation parameters of a fractal heap (the header's doubling-table fields)."""

    id_length: int = 7
    table_width: int = 4
    starting_block_size: int = 512
    max_direct_block_size: int = 64 * 1024
    max_heap_size_bits: int = 32
    starting_root_rows: int = 1
    max_managed_object_size: int = 4 * 1024
    checksum_direct_blocks: bool = True


LINK_HEAP_PARAMS = HeapParams()
"""Dense link storage (``H5G_FHEAP_*`` in ``src/H5Gdense.c``): 7-byte heap IDs."""
ATTRIBUTE_HEAP_PARAMS = HeapParams(id_length=8, starting_block_size=1024, max_heap_size_bits=40)
"""Dense attribute storage as libhdf5 2.0 creates it (8-byte IDs, ``H5O_FHEAP_ID_LEN``;
1 KiB starting blocks and 40-bit heap offsets, as read back from h5py-written files)."""


@dataclass
class _WBlock:
    offset: int
    size: int
    data: bytearray


class FractalHeapWriter:
    """Lays out a new fractal heap: managed objects packed in heap order into direct
    blocks of the doubling table (a root direct block while everything fits the first
    block, else a root indirect block with as many rows, rounded up to a power of two, as
    libhdf5 would have grown it to), tiny objects inside their IDs, huge objects on their own
    with a v2 B-tree (record type 1) mapping their IDs.  No free-space manager is written
    (libhdf5 creates one when it next inserts)."""

    def __init__(self, ctx: FormatContext, params: HeapParams = LINK_HEAP_PARAMS) -> None:
        self.ctx = ctx
        self.params = params
        p = params
        self.width_bits = p.table_width.bit_length() - 1
        self.first_row_bits = (p.starting_block_size.bit_length() - 1) + self.width_bits
        max_bits = p.max_direct_block_size.bit_length() - 1
        self.max_direct_rows = max_bits - (p.starting_block_size.bit_length() - 1) + 2
        self.max_root_rows = p.max_heap_size_bits - self.first_row_bits + 1
        self.row_size = [p.starting_block_size] + [
            p.starting_block_size << (r - 1) for r in range(1, self.max_root_rows + 1)
        ]
        self.offset_size = (p.max_heap_size_bits + 7) // 8
        self.length_size = min(
            (max_bits + 7) // 8, (p.max_managed_object_size.bit_length() - 1) // 8 + 1
        )
        self.overhead = (
            5 + ctx.size_of_offsets + self.offset_size + (4 if p.checksum_direct_blocks else 0)
        )
        self.tiny_extended = p.id_length - 1 > _TINY_LEN_SHORT
        self.tiny_max = p.id_length - 1 - (1 if self.tiny_extended else 0)
        if 1 + self.offset_size + self.length_size > p.id_length:
            raise ValueError(f"heap IDs of {p.id_length} bytes cannot hold managed offsets")
        self.blocks: list[_WBlock] = []
        self._slots = self._direct_slots(0, self.max_root_rows)
        self.huge: list[bytes] = []
        self.tiny_count = self.tiny_size = self.managed_count = 0

    def _direct_slots(self, base: int, nrows: int) -> Iterator[tuple[int, int]]:
        """(heap offset, size) of every direct block position, in heap order."""
        for row in range(nrows):
            size = self.row_size[row]
            for col in range(self.params.table_width):
                off = base + (self.row_offset(row)) + col * size
                if row < self.max_direct_rows:
                    yield off, size
                else:
                    yield from self._direct_slots(off, self._child_rows(row))

    def row_offset(self, row: int) -> int:
        return 0 if row == 0 else self.row_size[row] * self.params.table_width

    def _child_rows(self, row: int) -> int:
        return (self.row_size[row].bit_length() - 1) - self.first_row_bits + 1

    def add(self, obj: bytes) -> bytes:
        """Store ``obj``; returns its heap ID, encoded as libhdf5 encodes it."""
        n = len(obj)
        p = self.params
        if n == 0:
            raise ValueError("a fractal heap cannot store an empty object")
        if n <= self.tiny_max:
            self.tiny_count += 1
            self.tiny_size += n
            if self.tiny_extended:
                head = bytes([(ID_TYPE_TINY << 4) | ((n - 1) >> 8 & 0x0F), (n - 1) & 0xFF])
            else:
                head = bytes([(ID_TYPE_TINY << 4) | (n - 1)])
            return (head + obj).ljust(p.id_length, b"\0")
        if n > p.max_managed_object_size:
            self.huge.append(bytes(obj))
            key = len(self.huge)
            width = min(p.id_length - 1, 8)
            return (bytes([ID_TYPE_HUGE << 4]) + key.to_bytes(width, "little")).ljust(
                p.id_length, b"\0"
            )
        blk = self.blocks[-1] if self.blocks else None
        if blk is None or len(blk.data) + n > blk.size:
            for off, size in self._slots:
                if size - self.overhead >= n:
                    blk = _WBlock(off, size, bytearray(self.overhead))
                    self.blocks.append(blk)
                    break
            else:
                raise ValueError("fractal heap is full")
        offset = blk.offset + len(blk.data)
        blk.data += obj
        self.managed_count += 1
        return (
            bytes([ID_TYPE_MANAGED << 4])
            + offset.to_bytes(self.offset_size, "little")
            + n.to_bytes(self.length_size, "little")
        ).ljust(p.id_length, b"\0")

    # -- serialisation --

    def _direct_block(self, blk: _WBlock, header: int) -> bytes:
        o = self.ctx.size_of_offsets
        head = (
            DIRECT_SIGNATURE
            + b"\0"
            + header.to_bytes(o, "little")
            + blk.offset.to_bytes(self.offset_size, "little")
        )
        body = bytes(blk.data[self.overhead :])
        pad = bytes(blk.size - self.overhead - len(body))
        if not self.params.checksum_direct_blocks:
            return head + body + pad
        whole = head + b"\0\0\0\0" + body + pad
        return head + lookup3(whole).to_bytes(4, "little") + body + pad

    def _indirect_block(
        self,
        base: int,
        nrows: int,
        header: int,
        direct: dict[int, int],
        alloc: Callable[[int], int],
        out: list[tuple[int, bytes]],
    ) -> int:
        o = self.ctx.size_of_offsets
        undef = self.ctx.undefined_address
        w = self.params.table_width
        size = 5 + o + self.offset_size + 4
        size += (
            min(nrows, self.max_direct_rows) * w * o + max(nrows - self.max_direct_rows, 0) * w * o
        )
        address = alloc(size)
        entries = []
        for row in range(nrows):
            span = self.row_size[row]
            for col in range(w):
                off = base + self.row_offset(row) + col * span
                if row < self.max_direct_rows:
                    entries.append(direct.get(off, undef))
                elif any(off <= b.offset < off + span for b in self.blocks):
                    rows = self._child_rows(row)
                    entries.append(self._indirect_block(off, rows, header, direct, alloc, out))
                else:
                    entries.append(undef)
        body = (
            INDIRECT_SIGNATURE
            + b"\0"
            + header.to_bytes(o, "little")
            + base.to_bytes(self.offset_size, "little")
            + b"".join(e.to_bytes(o, "little") for e in entries)
        )
        out.append((address, append_checksum(body)))
        return address

    def _root_rows(self) -> int:
        last = self.blocks[-1]
        end = last.offset + last.size  # heap space the root must span
        rows, span = 0, 0
        while span < end:
            span += self.row_size[rows] * self.params.table_width
            rows += 1
        nrows = max(self.params.starting_root_rows, 1)
        while nrows < rows:
            nrows *= 2
        return min(nrows, self.max_root_rows)

    def write(self, alloc: Callable[[int], int]) -> tuple[int, list[tuple[int, bytes]]]:
        """Allocate and encode the heap: returns the header address and the ``(address,
        bytes)`` blocks to write (header, direct blocks, indirect blocks, huge objects and
        their B-tree)."""
        ctx, p = self.ctx, self.params
        undef = ctx.undefined_address
        header_address = alloc(HEADER.size(ctx) + 4)
        out: list[tuple[int, bytes]] = []
        direct: dict[int, int] = {}
        for blk in self.blocks:
            a = alloc(blk.size)
            direct[blk.offset] = a
            out.append((a, self._direct_block(blk, header_address)))
        allocated = sum(b.size for b in self.blocks)
        free_in_blocks = sum(b.size - len(b.data) for b in self.blocks)
        root, root_rows, man_size, iter_off = undef, 0, 0, 0
        if (
            len(self.blocks) == 1
            and self.blocks[0].offset == 0
            and self.blocks[0].size == p.starting_block_size
        ):
            root, man_size = direct[0], p.starting_block_size
        elif self.blocks:
            root_rows = self._root_rows()
            root = self._indirect_block(0, root_rows, header_address, direct, alloc, out)
            man_size = sum(self.row_size[r] * p.table_width for r in range(root_rows))
            iter_off = self.blocks[-1].offset + self.blocks[-1].size
        huge_btree = undef
        huge_recs = []
        for i, obj in enumerate(self.huge, 1):
            a = alloc(len(obj))
            out.append((a, obj))
            huge_recs.append(HugeObjectRecord(a, len(obj), i))
        if huge_recs:
            huge_btree, blocks = build_btree_v2(huge_recs, 1, ctx, alloc)  # type: ignore[arg-type]
            out.extend(blocks)
        flags = FLAG_CHECKSUM_DIRECT_BLOCKS if p.checksum_direct_blocks else 0
        head = HEADER.encode(
            {
                "signature": HEADER_SIGNATURE,
                "version": 0,
                "heap_id_length": p.id_length,
                "filter_length": 0,
                "flags": flags,
                "max_managed_object_size": p.max_managed_object_size,
                "next_huge_id": len(self.huge),
                "huge_btree_address": huge_btree,
                "managed_free_space": man_size - allocated + free_in_blocks,
                "free_space_manager_address": undef,
                "managed_space": man_size,
                "managed_allocated_space": allocated,
                "direct_block_iterator_offset": iter_off,
                "managed_object_count": self.managed_count,
                "huge_objects_size": sum(len(h) for h in self.huge),
                "huge_object_count": len(self.huge),
                "tiny_objects_size": self.tiny_size,
                "tiny_object_count": self.tiny_count,
                "table_width": p.table_width,
                "starting_block_size": p.starting_block_size,
                "max_direct_block_size": p.max_direct_block_size,
                "max_heap_size_bits": p.max_heap_size_bits,
                "starting_root_rows": p.starting_root_rows,
                "root_block_address": root,
                "current_root_rows": root_rows,
            },
            ctx,
        )
        out.insert(0, (header_address, append_checksum(head)))
        return header_address, out
