"""Global heap collections ("GCOL"): storage of variable-length data and region references.

HDF5 File Format Specification 4.0, III.E "Disk Format: Level 1E - Global Heap".
A collection starts with a 16-byte (for 8-byte lengths) header holding its total size,
followed by objects ``(u16 index, u16 refcount, 4 reserved, L size, data padded to 8)``.
Object index 0 describes the free space at the end and terminates the list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import FormatError
from .context import ByteSource, FormatContext
from .structs import LENGTH, U8, U16, Bytes, Reserved, Struct, check_signature

SIGNATURE = b"GCOL"
MIN_COLLECTION_SIZE = 4096
"""libhdf5 never writes smaller collections (``H5HG_MINSIZE``); smaller ones are accepted."""

HEADER = Struct(
    "global heap collection",
    [
        ("signature", Bytes(4)),
        ("version", U8),
        ("reserved", Reserved(3)),
        ("collection_size", LENGTH),
    ],
)

OBJECT_HEADER = Struct(
    "global heap object",
    [("index", U16), ("refcount", U16), ("reserved", Reserved(4)), ("size", LENGTH)],
)


def _align8(n: int) -> int:
    return (n + 7) & ~7


@dataclass
class GlobalHeapCollection:
    """A decoded collection: object index -> object bytes (object 0, free space, excluded)."""

    address: int
    size: int
    """Total collection size in bytes (header included)."""
    objects: dict[int, bytes] = field(default_factory=dict)
    refcounts: dict[int, int] = field(default_factory=dict)
    """Reference count of each object, by index."""
    free_space: int = 0
    """Size recorded for the free-space object 0 (0 if absent)."""

    def get(self, index: int) -> bytes:
        """Object ``index``; FormatError naming the collection if it does not exist."""
        try:
            return self.objects[index]
        except KeyError:
            raise FormatError(
                f"global heap collection at 0x{self.address:x}: no object {index}"
            ) from None


def read_global_heap_collection(
    source: ByteSource, ctx: FormatContext, address: int
) -> GlobalHeapCollection:
    """Read the collection at ``address``: its size first, then the whole collection."""
    # libhdf5 aligns the collection and object headers to 8 bytes (H5HG_SIZEOF_HDR,
    # H5HG_SIZEOF_OBJHDR): 16 bytes each even when lengths are 4 bytes wide
    hsize = _align8(HEADER.size(ctx))
    head = source.read(address, hsize)
    check_signature(head, SIGNATURE, "global heap collection", address)
    h = HEADER.decode(head, 0, ctx, address)
    if h["version"] != 1:
        raise FormatError(
            f"global heap collection at 0x{address:x}: unsupported version {h['version']}"
        )
    size = h["collection_size"]
    if size < hsize:
        raise FormatError(f"global heap collection at 0x{address:x}: bad size {size}")
    if ctx.eof_address is not None and address + size > ctx.eof_address:
        raise FormatError(
            f"global heap collection at 0x{address:x}: size {size} runs past the end of file"
        )
    buf = source.read(address, size)  # raises FormatError past the end of the file
    coll = GlobalHeapCollection(address, size)
    objects, refcounts = coll.objects, coll.refcounts
    # one compiled struct for every object header (index, refcount, size): the bounds
    # test of the loop keeps each header inside ``buf``
    unpack_from = OBJECT_HEADER.compiled(ctx).unpack_from
    osize = _align8(OBJECT_HEADER.size(ctx))
    pos = hsize
    while pos + osize <= size:
        index, refcount, objsize = unpack_from(buf, pos)
        if index == 0:
            coll.free_space = objsize
            break
        start = pos + osize
        if objsize > size - start:
            raise FormatError(
                f"global heap collection at 0x{address:x}: object {index} at offset {pos} "
                f"of size {objsize} runs past the collection end"
            )
        if index in objects:
            raise FormatError(
                f"global heap collection at 0x{address:x}: duplicate object index {index}"
            )
        objects[index] = buf[start : start + objsize]
        refcounts[index] = refcount
        pos = start + ((objsize + 7) & ~7)
    return coll


def encode_global_heap_collection(
    objects: dict[int, bytes], ctx: FormatContext, min_size: int = MIN_COLLECTION_SIZE
) -> bytes:
    """A collection holding ``objects`` (refcount 0, as libhdf5 writes for vlen data),
    padded to at least ``min_size`` with a trailing free-space object 0."""
    osize = _align8(OBJECT_HEADER.size(ctx))
    pad_o = b"\0" * (osize - OBJECT_HEADER.size(ctx))
    pack = OBJECT_HEADER.compiled(ctx).pack  # fields: index, refcount, size
    zeros = b"\0" * 8
    parts: list[bytes] = []
    append = parts.append
    for index, data in objects.items():
        if not 1 <= index <= 0xFFFF:
            raise ValueError(f"global heap object index {index} out of range")
        n = len(data)
        append(pack(index, 0, n))
        append(pad_o)
        append(data)
        append(zeros[: -n & 7])
    body = bytearray().join(parts)
    hsize = _align8(HEADER.size(ctx))
    size = max(min_size, _align8(hsize + len(body) + osize))
    free = size - hsize - len(body)
    body += OBJECT_HEADER.encode({"index": 0, "refcount": 0, "size": free}, ctx) + pad_o
    body += b"\0" * (free - osize)
    head = HEADER.encode({"signature": SIGNATURE, "version": 1, "collection_size": size}, ctx)
    return head + b"\0" * (hsize - len(head)) + bytes(body)
