"""Local heaps: the name store of symbol-table groups (and of external file lists).

HDF5 File Format Specification 4.0, III.D "Disk Format: Level 1D - Local Heaps".
A "HEAP" header points at a contiguous data segment; names are NUL-terminated strings at
byte offsets into that segment.  The free list is a chain of ``(next offset, size)`` blocks
inside the segment; libhdf5 writes ``1`` (``H5HL_FREE_NULL``) for "no free block", the spec
says the undefined address; both are accepted.  The free list is decoded only on demand
(:attr:`LocalHeap.free_blocks`): reading names never needs it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import FormatError
from .context import ByteSource, FormatContext
from .structs import LENGTH, OFFSET, U8, Bytes, Reserved, Struct, check_signature, read_uint

SIGNATURE = b"HEAP"
_READ_AHEAD = 256
"""Bytes read past the header at once: the data segment of a small heap follows it."""
FREE_NULL = 1
"""The free-list terminator libhdf5 writes (``H5HL_FREE_NULL``)."""

HEADER = Struct(
    "local heap header",
    [
        ("signature", Bytes(4)),
        ("version", U8),
        ("reserved", Reserved(3)),
        ("data_size", LENGTH),
        ("free_list_head", LENGTH),
        ("data_address", OFFSET),
    ],
)


@dataclass(frozen=True)
class FreeBlock:
    """One block of the local heap's free list."""

    offset: int
    """Offset of the free block in the data segment."""
    size: int
    """Size of the free block in bytes."""


@dataclass
class LocalHeap:
    """A decoded local heap: header fields plus the whole data segment."""

    address: int
    """Address of the "HEAP" header."""
    data_address: int
    """Address of the data segment."""
    data: bytes
    """The data segment (``data_size`` bytes)."""
    free_list_head: int
    """Offset of the first free block, or ``FREE_NULL`` / the undefined length value."""
    size_of_lengths: int = 8
    """Width of the free list's fields (the file's size of lengths)."""

    @staticmethod
    def data_segment(source: ByteSource, ctx: FormatContext, address: int) -> tuple[int, int]:
        """``(address, size)`` of the data segment of the heap at ``address``, from its
        header alone (to fetch it along with other reads); :meth:`read` validates."""
        head = source.read(address, HEADER.size(ctx))
        check_signature(head, SIGNATURE, "local heap", address)
        h = HEADER.decode(head, 0, ctx, address)
        return int(h["data_address"]), int(h["data_size"])

    @classmethod
    def read(cls, source: ByteSource, ctx: FormatContext, address: int) -> LocalHeap:
        """Read the header at ``address`` and its data segment."""
        size = HEADER.size(ctx)
        head = _read_ahead(source, ctx, address, size)
        check_signature(head, SIGNATURE, "local heap", address)
        h = HEADER.decode(head, 0, ctx, address)
        if h["version"] != 0:
            raise FormatError(f"local heap at 0x{address:x}: unsupported version {h['version']}")
        data_size = h["data_size"]
        data_address = h["data_address"]
        if ctx.is_undefined(data_address):
            if data_size:
                raise FormatError(
                    f"local heap at 0x{address:x}: {data_size}-byte data segment has no address"
                )
            data = b""
        elif ctx.eof_address is not None and data_address + data_size > ctx.eof_address:
            raise FormatError(
                f"local heap at 0x{address:x}: data segment 0x{data_address:x}+{data_size} "
                f"runs past the end of file 0x{ctx.eof_address:x}"
            )
        elif data_address == address + size and size + data_size <= len(head):
            data = head[size : size + data_size]  # the usual layout: read with the header
        else:
            data = source.read(data_address, data_size)
        # the free list is not walked here: finding names never needs it, and libhdf5's
        # own crashes leave it torn (h5py then refuses the group; the names are intact)
        return cls(address, data_address, data, h["free_list_head"], ctx.size_of_lengths)

    @property
    def free_blocks(self) -> list[FreeBlock]:
        """The free list in chain order, walked on each access.  Raises
        :class:`FormatError` when it is torn (offsets outside the data segment, a cycle).
        Nothing in h5pure needs it: a writer rebuilds the whole heap of a group it
        changes, free list included."""
        width = self.size_of_lengths
        blocks: list[FreeBlock] = []
        seen: set[int] = set()
        offset = self.free_list_head
        while offset != FREE_NULL and offset != (1 << (8 * width)) - 1:
            if offset in seen:
                raise FormatError(
                    f"local heap at 0x{self.address:x}: cycle in free list at offset {offset}"
                )
            seen.add(offset)
            if offset + 2 * width > len(self.data):
                raise FormatError(
                    f"local heap at 0x{self.address:x}: free block at offset {offset} lies "
                    f"outside the {len(self.data)}-byte data segment"
                )
            nxt = read_uint(self.data, offset, width)
            size = read_uint(self.data, offset + width, width)
            if offset + size > len(self.data):
                raise FormatError(
                    f"local heap at 0x{self.address:x}: free block at offset {offset} of "
                    f"size {size} runs past the data segment"
                )
            blocks.append(FreeBlock(offset, size))
            offset = nxt
        return blocks

    def string_at(self, offset: int) -> bytes:
        """The NUL-terminated string starting at ``offset`` (without the NUL)."""
        if offset < 0 or offset >= len(self.data):
            raise FormatError(
                f"local heap at 0x{self.address:x}: offset {offset} is outside the "
                f"{len(self.data)}-byte data segment"
            )
        end = self.data.find(b"\0", offset)
        if end < 0:
            raise FormatError(
                f"local heap at 0x{self.address:x}: string at offset {offset} is not terminated"
            )
        return self.data[offset:end]

    def encode_header(self, ctx: FormatContext) -> bytes:
        """The "HEAP" header bytes for this heap (the data segment is written separately)."""
        return HEADER.encode(
            {
                "signature": SIGNATURE,
                "version": 0,
                "data_size": len(self.data),
                "free_list_head": self.free_list_head,
                "data_address": self.data_address,
            },
            ctx,
        )


def _read_ahead(source: ByteSource, ctx: FormatContext, address: int, size: int) -> bytes:
    """The ``size`` header bytes at ``address`` and, when the end of file is known, up to
    :data:`_READ_AHEAD` bytes after them (fewer near the end of file)."""
    eof = ctx.eof_address
    if eof is not None and eof - address > size:
        try:
            return source.read(address, min(size + _READ_AHEAD, eof - address))
        except FormatError:
            pass  # a file shorter than its end of file address: the header alone reports it
    return source.read(address, size)
