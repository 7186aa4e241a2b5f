"""Variable-length data on write: objects appended to global heap collections.

libhdf5 keeps filling the newest collection until an object does not fit, then starts a
new one of at least 4 KiB (spec III.E); h5pure does the same, so files that store many
small strings stay compact.  Collections are kept in memory while the session adds to them
and written at the commit point.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..format.context import FormatContext
from ..format.global_heap import MIN_COLLECTION_SIZE, encode_global_heap_collection
from .allocator import Allocator

_OBJECT_HEADER = 16  # index u16, refcount u16, reserved 4, size L (L = 8)
_COLLECTION_HEADER = 16  # "GCOL", version, reserved 3, collection size L


def _align8(n: int) -> int:
    return (n + 7) & ~7


@dataclass
class _Collection:
    address: int
    size: int
    objects: dict[int, bytes] = field(default_factory=dict)
    used: int = _COLLECTION_HEADER
    dirty: bool = True

    def room(self, ctx: FormatContext) -> int:
        # the trailing free-space object needs its own header
        return self.size - self.used - (8 + 2 * ctx.size_of_lengths)


class GlobalHeapWriter:
    """Implements the ``heap_writer.put(data) -> (collection_address, index)`` protocol."""

    def __init__(self, ctx: FormatContext, allocator: Allocator) -> None:
        self.ctx = ctx
        self.allocator = allocator
        self.current: _Collection | None = None
        self.pending: list[_Collection] = []

    def put(self, data: bytes) -> tuple[int, int]:
        lengths = self.ctx.size_of_lengths
        need = 8 + lengths + ((len(data) + 7) & ~7)
        coll = self.current
        # coll.room(ctx), inlined: this runs once per vlen element
        if (
            coll is None
            or coll.size - coll.used - (8 + 2 * lengths) < need
            or len(coll.objects) >= 0xFFFF
        ):
            size = max(MIN_COLLECTION_SIZE, _align8(_COLLECTION_HEADER + need + _OBJECT_HEADER))
            coll = _Collection(self.allocator.allocate(size), size)
            self.current = coll
            self.pending.append(coll)
        index = len(coll.objects) + 1
        coll.objects[index] = data if type(data) is bytes else bytes(data)
        coll.used += need
        coll.dirty = True
        return coll.address, index

    def put_many(self, items: list[bytes]) -> list[tuple[int, int]]:
        """``[put(data) for data in items]``, with the per-object bookkeeping inlined."""
        lengths = self.ctx.size_of_lengths
        overhead, reserve = 8 + lengths, 8 + 2 * lengths
        coll = self.current
        out: list[tuple[int, int]] = []
        append = out.append
        for data in items:
            need = overhead + ((len(data) + 7) & ~7)
            if (
                coll is None
                or coll.size - coll.used - reserve < need
                or len(coll.objects) >= 0xFFFF
            ):
                size = max(MIN_COLLECTION_SIZE, _align8(_COLLECTION_HEADER + need + _OBJECT_HEADER))
                coll = _Collection(self.allocator.allocate(size), size)
                self.current = coll
                self.pending.append(coll)
            objects = coll.objects
            index = len(objects) + 1
            objects[index] = data if type(data) is bytes else bytes(data)
            coll.used += need
            coll.dirty = True
            append((coll.address, index))
        return out

    def get(self, address: int, index: int) -> bytes | None:
        """An object written in this session and not yet flushed, else None."""
        for coll in self.pending:
            if coll.address == address:
                return coll.objects.get(index)
        return None

    def collection_objects(self, address: int) -> dict[int, bytes] | None:
        """The objects of a collection written in this session and not yet flushed."""
        for coll in self.pending:
            if coll.address == address:
                return coll.objects
        return None

    def flush(self) -> list[tuple[int, bytes]]:
        """(address, bytes) of every collection changed since the last flush."""
        out = []
        for coll in self.pending:
            if coll.dirty:
                out.append(
                    (coll.address, encode_global_heap_collection(coll.objects, self.ctx, coll.size))
                )
                coll.dirty = False
        self.pending = [self.current] if self.current is not None else []
        return out
