"""Symbol table entries and symbol table nodes ("SNOD").

HDF5 File Format Specification 4.0, III.B "Disk Format: Level 1B - Group Symbol Table
Nodes" and III.C "Disk Format: Level 1C - Symbol Table Entry".  A symbol table node is a
leaf of a group's v1 B-tree (node type 0) and holds up to ``2 * group leaf K`` entries
sorted by name; each entry names its link by an offset into the group's local heap.
The 16-byte scratch pad caches the B-tree and heap addresses of a child group (cache type
1) or the heap offset of a soft link's target (cache type 2).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ..errors import FormatError
from .context import ByteSource, FormatContext
from .structs import LENGTH, OFFSET, U8, U16, U32, Bytes, Reserved, Struct, check_signature

SNOD_SIGNATURE = b"SNOD"
NODE_READ_AHEAD = 1536
"""Bytes read past a node's header at once (its entries: 32 of 40 bytes by default)."""
SCRATCH_SIZE = 16

ENTRY = Struct(
    "symbol table entry",
    [
        ("name_offset", LENGTH),
        ("object_header_address", OFFSET),
        ("cache_type", U32),
        ("reserved", Reserved(4)),
        ("scratch", Bytes(SCRATCH_SIZE)),
    ],
)

NODE_HEADER = Struct(
    "symbol table node",
    [
        ("signature", Bytes(4)),
        ("version", U8),
        ("reserved", Reserved(1)),
        ("num_symbols", U16),
    ],
)

CACHE_NONE = 0
_NO_SCRATCH = bytes(SCRATCH_SIZE)
CACHE_GROUP = 1
CACHE_SOFT_LINK = 2


@dataclass(frozen=True)
class SymbolTableEntry:
    """One symbol table entry (III.C)."""

    name_offset: int
    """Offset of the link name in the group's local heap."""
    object_header_address: int
    """Address of the object's header (undefined for soft links in some writers)."""
    cache_type: int
    """0 nothing cached, 1 group B-tree/heap cached, 2 soft link value cached."""
    btree_address: int | None = None
    """Cache type 1: address of the child group's v1 B-tree."""
    heap_address: int | None = None
    """Cache type 1: address of the child group's local heap."""
    soft_link_offset: int | None = None
    """Cache type 2: offset of the soft link value in the *parent's* local heap."""

    @staticmethod
    def size(ctx: FormatContext) -> int:
        return ENTRY.size(ctx)

    @classmethod
    def decode(
        cls, buf: bytes | bytearray | memoryview, offset: int, ctx: FormatContext
    ) -> SymbolTableEntry:
        layout = ENTRY.compiled(ctx)
        if offset < 0 or len(buf) - offset < layout.size:
            ENTRY.decode(buf, offset, ctx)  # raises the truncation error
        name_offset, address, cache_type, scratch = layout.unpack_from(buf, offset)
        btree = heap = soft = None
        if cache_type == CACHE_GROUP:
            o = ctx.size_of_offsets
            if 2 * o > SCRATCH_SIZE:
                raise FormatError(f"symbol table entry: {o}-byte addresses do not fit the cache")
            btree = int.from_bytes(scratch[:o], "little")
            heap = int.from_bytes(scratch[o : 2 * o], "little")
        elif cache_type == CACHE_SOFT_LINK:
            soft = int.from_bytes(scratch[:4], "little")
        elif cache_type != CACHE_NONE:
            raise FormatError(f"symbol table entry: unknown cache type {cache_type}")
        return cls(name_offset, address, cache_type, btree, heap, soft)

    def encode(self, ctx: FormatContext) -> bytes:
        if self.cache_type == CACHE_NONE:  # most entries: packed without a field dict
            try:
                return ENTRY.compiled(ctx).pack(
                    self.name_offset, self.object_header_address, CACHE_NONE, _NO_SCRATCH
                )
            except struct.error as e:
                raise ValueError(f"{ENTRY.name}: {e}") from None
        scratch = bytearray(SCRATCH_SIZE)
        if self.cache_type == CACHE_GROUP:
            o = ctx.size_of_offsets
            if self.btree_address is None or self.heap_address is None:
                raise ValueError("cache type 1 needs btree_address and heap_address")
            scratch[:o] = self.btree_address.to_bytes(o, "little")
            scratch[o : 2 * o] = self.heap_address.to_bytes(o, "little")
        elif self.cache_type == CACHE_SOFT_LINK:
            if self.soft_link_offset is None:
                raise ValueError("cache type 2 needs soft_link_offset")
            scratch[:4] = self.soft_link_offset.to_bytes(4, "little")
        return ENTRY.encode(
            {
                "name_offset": self.name_offset,
                "object_header_address": self.object_header_address,
                "cache_type": self.cache_type,
                "scratch": bytes(scratch),
            },
            ctx,
        )


@dataclass(frozen=True)
class SymbolTableNode:
    """A decoded "SNOD": the used entries, in name order."""

    address: int
    version: int
    entries: list[SymbolTableEntry]


def _node_entries_bytes(
    source: ByteSource, ctx: FormatContext, address: int
) -> tuple[int, int, bytes]:
    """``(version, number of used entries, their bytes)`` of the symbol table node at
    ``address``: the header checked, the entries read along with it when they fit the
    read-ahead."""
    hsize = NODE_HEADER.size(ctx)
    eof = ctx.eof_address
    if eof is not None and eof - address > hsize:
        try:  # the node's entries along with its header (a node holds 2K of them)
            head = source.read(address, min(hsize + NODE_READ_AHEAD, eof - address))
        except FormatError:
            head = source.read(address, hsize)
    else:
        head = source.read(address, hsize)
    check_signature(head, SNOD_SIGNATURE, "symbol table node", address)
    h = NODE_HEADER.decode(head, 0, ctx, address)
    if h["version"] != 1:
        raise FormatError(f"symbol table node at 0x{address:x}: unsupported version {h['version']}")
    esize = ENTRY.size(ctx)
    n = h["num_symbols"]  # u16: at most 65535 entries, bounded
    if hsize + n * esize <= len(head):
        body = head[hsize : hsize + n * esize]
    else:
        body = source.read(address + hsize, n * esize) if n else b""
    return h["version"], n, body


def read_symbol_table_node(source: ByteSource, ctx: FormatContext, address: int) -> SymbolTableNode:
    """Read the symbol table node at ``address`` (only its used entries)."""
    version, n, body = _node_entries_bytes(source, ctx, address)
    esize = ENTRY.size(ctx)
    entries = []
    for i in range(n):
        try:
            entries.append(SymbolTableEntry.decode(body, i * esize, ctx))
        except FormatError as e:
            raise FormatError(f"symbol table node at 0x{address:x}, entry {i}: {e}") from None
    return SymbolTableNode(address, version, entries)


def symbol_table_node_size(ctx: FormatContext, capacity: int) -> int:
    """Bytes of a "SNOD" of ``capacity`` entries."""
    return NODE_HEADER.size(ctx) + capacity * ENTRY.size(ctx)


def encode_symbol_table_node(
    entries: list[SymbolTableEntry], ctx: FormatContext, capacity: int
) -> bytes:
    """A full-size "SNOD" (``capacity`` = 2 * group leaf K entries, unused ones zeroed)."""
    if len(entries) > capacity:
        raise ValueError(f"{len(entries)} entries exceed the node capacity {capacity}")
    head = NODE_HEADER.encode(
        {"signature": SNOD_SIGNATURE, "version": 1, "num_symbols": len(entries)}, ctx
    )
    body = b"".join(e.encode(ctx) for e in entries)
    return head + body + b"\0" * ((capacity - len(entries)) * ENTRY.size(ctx))


def read_symbol_table_node_entries(
    source: ByteSource, ctx: FormatContext, address: int
) -> list[tuple[int, int, int, bytes]]:
    """The used entries of the symbol table node at ``address`` as raw
    ``(name offset, object header address, cache type, scratch pad)`` tuples -- what
    listing a group needs, without an entry record each (the same checks as
    :func:`read_symbol_table_node`)."""
    _, _, body = _node_entries_bytes(source, ctx, address)
    layout = ENTRY.compiled(ctx)
    entries = list(layout.iter_unpack(body))
    for i, (_, _, cache_type, _) in enumerate(entries):
        if cache_type > CACHE_SOFT_LINK:
            raise FormatError(
                f"symbol table node at 0x{address:x}, entry {i}: symbol table entry: "
                f"unknown cache type {cache_type}"
            )
    return entries
