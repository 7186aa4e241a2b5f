"""Symbol table message (0x11) and object header continuation message (0x10).

HDF5 File Format Specification 4.0, IV.A.2.r (symbol table: v1 B-tree address and local
heap address of an old-style group) and IV.A.2.q (continuation: address and length of the
next object header chunk; for version-2 headers the length covers the "OCHK" signature and
the checksum).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..context import FormatContext
from ..structs import LENGTH, OFFSET, Struct
from . import MessageType, register

SYMBOL_TABLE = Struct("symbol table message", [("btree_address", OFFSET), ("heap_address", OFFSET)])
CONTINUATION = Struct("continuation message", [("address", OFFSET), ("length", LENGTH)])


@dataclass(frozen=True)
class SymbolTableMessage:
    """An old-style group: its v1 B-tree (node type 0) and its local heap of names."""

    btree_address: int
    heap_address: int

    def encode(self, ctx: FormatContext) -> bytes:
        return SYMBOL_TABLE.encode(
            {"btree_address": self.btree_address, "heap_address": self.heap_address}, ctx
        )


@dataclass(frozen=True)
class Continuation:
    """Where the next chunk of an object header lives."""

    address: int
    length: int

    def encode(self, ctx: FormatContext) -> bytes:
        return CONTINUATION.compiled(ctx).pack(self.address, self.length)

    @classmethod
    def decode(cls, data: bytes, ctx: FormatContext, flags: int = 0) -> Continuation:
        return cls(**CONTINUATION.decode(data, 0, ctx))


def decode_symbol_table(data: bytes, ctx: FormatContext, flags: int = 0) -> SymbolTableMessage:
    return SymbolTableMessage(**SYMBOL_TABLE.decode(data, 0, ctx))


register(MessageType.SYMBOL_TABLE)(decode_symbol_table)
register(MessageType.CONTINUATION)(Continuation.decode)
