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
)
from .checksum import lookup3, verify_checksum
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
        self.tiny_extended = self.id_length - 1 > _TINY_LEN_SHORT + 1
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
    "DirectHugeObjectRecord",
    "FractalHeap",
    "HeapFilter",
    "decode_heap_pipeline",
]
