"""The Global Heap Block for Virtual Datasets: a virtual dataset's mapping list.

HDF5 File Format Specification 4.0, III.F; libhdf5 ``src/H5Olayout.c`` /
``src/H5Dvirtual.c``.  The block is one global heap object (its ID is in the virtual
layout message).  It holds a version byte (0; 1 from HDF5 2.0), the number of mappings
(L), then per mapping: [version 1: a flags byte: bit 0 source file name shared, bit 1
source dataset name shared, bit 2 source file is this file], the source file name
(NUL-terminated; an L-byte index of an earlier mapping when shared; absent and "." when it
is this file), the source dataset name (likewise), the source selection and the virtual
selection (serialized dataspace selections, spec IV.A.2.b / Appendix D); then a lookup3
checksum of everything before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import FormatError
from .checksum import append_checksum, verify_checksum
from .context import ByteSource, FormatContext
from .global_heap import read_global_heap_collection
from .selection_codec import SerializedSelection, decode_selection, encode_selection
from .structs import Cursor

__all__ = [
    "VirtualMapping",
    "VirtualMappingList",
    "decode_vds_block",
    "encode_vds_block",
    "read_vds_mappings",
    "FLAG_FILE_NAME_SHARED",
    "FLAG_DATASET_NAME_SHARED",
    "FLAG_SAME_FILE",
]

FLAG_FILE_NAME_SHARED = 0x01
FLAG_DATASET_NAME_SHARED = 0x02
FLAG_SAME_FILE = 0x04
_ALL_FLAGS = FLAG_FILE_NAME_SHARED | FLAG_DATASET_NAME_SHARED | FLAG_SAME_FILE


@dataclass(frozen=True)
class VirtualMapping:
    """One source → virtual mapping."""

    source_file: str
    """Source file name ("." = the virtual dataset's own file); may hold printf-style %b."""
    source_dataset: str
    """Source dataset path; may hold printf-style %b."""
    source_selection: SerializedSelection
    """The selection in the source dataset."""
    virtual_selection: SerializedSelection
    """The selection in the virtual dataset."""
    flags: int = 0
    """Version 1 entry flags as stored (0 for version 0)."""


@dataclass(frozen=True)
class VirtualMappingList:
    """A decoded VDS global heap block."""

    version: int
    mappings: tuple[VirtualMapping, ...]
    raw: bytes
    """The whole block as stored."""


def _name(raw: bytes) -> str:
    return raw.decode("utf-8", errors="surrogateescape")


def decode_vds_block(
    buf: bytes, ctx: FormatContext, address: int | None = None
) -> VirtualMappingList:
    """Decode the heap object ``buf`` (the whole block, checksum included)."""
    where = f" (heap object in collection 0x{address:x})" if address is not None else ""
    what = f"virtual dataset mapping block{where}"
    verify_checksum(buf, what, address or 0)
    body = buf[:-4]
    cur = Cursor(body, what)
    version = cur.u8()
    if version not in (0, 1):
        raise FormatError(f"{what}: unsupported version {version}")
    count = cur.length(ctx)
    # every entry needs at least two NUL bytes and two 4+4-byte selection heads
    if count * 18 > cur.remaining:
        raise FormatError(f"{what}: {count} mappings cannot fit in {len(buf)} bytes")
    files: list[str] = []
    dsets: list[str] = []
    mappings: list[VirtualMapping] = []
    for i in range(count):
        flags = cur.u8() if version == 1 else 0
        if flags & ~_ALL_FLAGS:
            raise FormatError(f"{what}: mapping {i}: unknown flags 0x{flags:02x}")
        if flags & FLAG_SAME_FILE:
            source_file = "."
        elif flags & FLAG_FILE_NAME_SHARED:
            source_file = _shared(files, cur.length(ctx), what, i, "file")
        else:
            source_file = _name(cur.cstring())
        if flags & FLAG_DATASET_NAME_SHARED:
            source_dataset = _shared(dsets, cur.length(ctx), what, i, "dataset")
        else:
            source_dataset = _name(cur.cstring())
        files.append(source_file)
        dsets.append(source_dataset)
        src, used = decode_selection(body, cur.pos)
        cur.skip(used)
        virt, used = decode_selection(body, cur.pos)
        cur.skip(used)
        mappings.append(VirtualMapping(source_file, source_dataset, src, virt, flags))
    if cur.remaining:
        raise FormatError(f"{what}: {cur.remaining} bytes left after {count} mappings")
    return VirtualMappingList(version, tuple(mappings), bytes(buf))


def encode_vds_block(mappings: list[VirtualMapping], ctx: FormatContext) -> bytes:
    """The heap object of ``mappings`` as libhdf5 writes it for the earliest formats:
    version 0 (names stored in full, "." for this file), checksum included."""

    out = bytearray([0])
    out += len(mappings).to_bytes(ctx.size_of_lengths, "little")
    for m in mappings:
        for name in (m.source_file, m.source_dataset):
            out += name.encode("utf-8", errors="surrogateescape") + b"\0"
        out += encode_selection(m.source_selection)
        out += encode_selection(m.virtual_selection)
    return append_checksum(out)


def _shared(names: list[str], index: int, what: str, i: int, kind: str) -> str:
    if index >= len(names):
        raise FormatError(
            f"{what}: mapping {i}: shared source {kind} name index {index} is not an "
            "earlier mapping"
        )
    return names[index]


def read_vds_mappings(
    source: ByteSource, ctx: FormatContext, heap_address: int, heap_index: int
) -> VirtualMappingList:
    """Fetch the block from the global heap (the virtual layout's heap ID) and decode it."""
    if ctx.is_undefined(heap_address):
        return VirtualMappingList(0, (), b"")

    collection = read_global_heap_collection(source, ctx, heap_address)
    return decode_vds_block(collection.get(heap_index), ctx, heap_address)
