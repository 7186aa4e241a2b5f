"""The layout shared by the link info (0x02) and attribute info (0x15) messages.

HDF5 File Format Specification 4.0, IV.A.2.c and IV.A.2.v: version 0, flags (bit 0
creation order tracked, bit 1 creation order indexed), [maximum creation index], fractal
heap address, name index v2 B-tree address, [creation order index v2 B-tree address].  The
two messages differ only in the width of the maximum creation index (u64 for links, u16 for
attributes), so each declares its table with :func:`storage_info_table` and its record as a
subclass of :class:`StorageInfo`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, TypeVar

from ...errors import FormatError
from ..context import FormatContext
from ..structs import OFFSET, U8, Cursor, FieldType, FlagStruct, When

CORDER_TRACKED = 0x01
CORDER_INDEXED = 0x02


def storage_info_table(name: str, max_creation_index: FieldType) -> FlagStruct:
    """The table of a link/attribute info message whose maximum creation index has the
    representation ``max_creation_index``."""
    return FlagStruct(
        name,
        [
            ("version", U8),
            ("flags", U8),
            ("max_creation_index", max_creation_index, When("flags", CORDER_TRACKED)),
            ("fractal_heap_address", OFFSET),
            ("name_index_address", OFFSET),
            ("creation_order_index_address", OFFSET, When("flags", CORDER_INDEXED)),
        ],
    )


_S = TypeVar("_S", bound="StorageInfo")


@dataclass(frozen=True)
class StorageInfo:
    """Where the dense storage of links or attributes lives (subclassed per message)."""

    TABLE: ClassVar[FlagStruct]

    flags: int
    """Bit 0: creation order tracked; bit 1: creation order indexed."""
    max_creation_index: int | None
    """Present when creation order is tracked."""
    fractal_heap_address: int
    """Dense-storage fractal heap, undefined while storage is compact."""
    name_index_address: int
    """v2 B-tree over name hashes, undefined while storage is compact."""
    creation_order_index_address: int | None
    """v2 B-tree over creation order, present when indexed."""

    def encode(self, ctx: FormatContext) -> bytes:
        if self.flags & CORDER_INDEXED and self.creation_order_index_address is None:
            raise ValueError(f"{self.TABLE.name}: indexed creation order needs an index address")
        values = {
            "version": 0,
            "flags": self.flags,
            "max_creation_index": self.max_creation_index or 0,
            "fractal_heap_address": self.fractal_heap_address,
            "name_index_address": self.name_index_address,
            "creation_order_index_address": self.creation_order_index_address,
        }
        return self.TABLE.encode(values, ctx)

    @classmethod
    def decode(cls: type[_S], data: bytes, ctx: FormatContext, flags: int = 0) -> _S:
        """Message-registry decoder ``(data, ctx, message flags) -> record``."""
        cur = Cursor(data, cls.TABLE.name)
        v = cls.TABLE.read(cur, ctx, stop="max_creation_index")
        if v["version"] != 0:
            raise FormatError(f"{cls.TABLE.name}: unknown version {v['version']}")
        if v["flags"] & ~(CORDER_TRACKED | CORDER_INDEXED):
            raise FormatError(f"{cls.TABLE.name}: unknown flags 0x{v['flags']:02x}")
        v = cls.TABLE.read(cur, ctx, start="max_creation_index", values=v)
        return cls(
            v["flags"],
            v["max_creation_index"],
            v["fractal_heap_address"],
            v["name_index_address"],
            v["creation_order_index_address"],
        )
