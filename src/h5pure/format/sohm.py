"""Shared object header message (SOHM) table and record lists.

HDF5 File Format Specification 4.0, III.I, with libhdf5 ``src/H5SMcache.c``.  The
superblock extension's Shared Message Table message (0x0F) gives the address of the
master table ("SMTB") and its number of indexes.  Each index shares the message types of
its bit mask (bit = message type id) and stores the messages in its own fractal heap;
the index itself is a record list ("SMLI") or a v2 B-tree of record type 7.  A message
shared through an index is referenced from object headers by an 8-byte heap ID
(shared message encoding version 3, type 1), so reading needs only the index's heap.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import FormatError
from .checksum import verify_checksum
from .context import ByteSource, FormatContext
from .structs import OFFSET, U8, U16, U32, Struct, check_signature, read_uint

__all__ = [
    "SohmIndex",
    "SohmListRecord",
    "decode_sohm_master_table",
    "decode_sohm_list",
    "read_sohm_master_table",
    "read_sohm_list",
]

INDEX_TYPE_LIST = 0
INDEX_TYPE_BTREE = 1
_MAX_INDEXES = 255  # H5O_SHMESG_MAX_NINDEXES is 8; the count field is one byte

_INDEX = Struct(
    "SOHM index header",
    [
        ("version", U8),
        ("index_type", U8),
        ("message_types", U16),
        ("min_message_size", U32),
        ("list_max", U16),
        ("btree_min", U16),
        ("num_messages", U16),
        ("index_address", OFFSET),
        ("heap_address", OFFSET),
    ],
)


@dataclass(frozen=True)
class SohmIndex:
    """One index of the master table."""

    version: int
    index_type: int
    """0 = record list ("SMLI"), 1 = v2 B-tree (record type 7)."""
    message_types: int
    """Bit mask: bit n set = messages of type n are shared through this index."""
    min_message_size: int
    list_max: int
    btree_min: int
    num_messages: int
    index_address: int
    heap_address: int

    def shares(self, message_type: int) -> bool:
        return bool(self.message_types >> message_type & 1)


@dataclass(frozen=True)
class SohmListRecord:
    """A record of an "SMLI" list: where one shared message is (heap or object header)."""

    location: int
    """0 = in the index's fractal heap, 1 = in an object header."""
    hash: int
    refcount: int | None
    heap_id: bytes | None
    message_type: int | None
    creation_index: int | None
    object_header_address: int | None


def decode_sohm_master_table(
    buf: bytes, ctx: FormatContext, nindexes: int, address: int
) -> list[SohmIndex]:
    """Decode an "SMTB" block of ``nindexes`` index headers (checksum included)."""
    what = "shared message master table"
    if not 0 < nindexes <= _MAX_INDEXES:
        raise FormatError(f"{what} at 0x{address:x}: {nindexes} indexes")
    size = 4 + nindexes * _INDEX.size(ctx) + 4
    if len(buf) < size:
        raise FormatError(f"{what} at 0x{address:x}: {len(buf)} bytes, need {size}")
    check_signature(buf, b"SMTB", what, address)
    verify_checksum(buf[:size], what, address)
    out = []
    pos = 4
    for _ in range(nindexes):
        rec = _INDEX.decode(buf, pos, ctx, address + pos)
        if rec["version"] != 0:
            raise FormatError(f"{what} at 0x{address:x}: index version {rec['version']}")
        if rec["index_type"] not in (INDEX_TYPE_LIST, INDEX_TYPE_BTREE):
            raise FormatError(f"{what} at 0x{address:x}: index type {rec['index_type']}")
        out.append(SohmIndex(**rec))
        pos += _INDEX.size(ctx)
    return out


def read_sohm_master_table(
    source: ByteSource, ctx: FormatContext, address: int, nindexes: int
) -> list[SohmIndex]:
    size = 4 + nindexes * _INDEX.size(ctx) + 4
    return decode_sohm_master_table(source.read(address, size), ctx, nindexes, address)


def _record_size(ctx: FormatContext) -> int:
    # location + hash, then the larger of (refcount + heap ID) and
    # (reserved + type + creation index + address): H5SM_SOHM_ENTRY_SIZE
    return 1 + 4 + max(4 + 8, 1 + 1 + 2 + ctx.size_of_offsets)


def decode_sohm_list(
    buf: bytes, ctx: FormatContext, count: int, address: int
) -> list[SohmListRecord]:
    """Decode the first ``count`` records of an "SMLI" list and check its checksum."""
    what = "shared message record list"
    rsize = _record_size(ctx)
    size = 4 + count * rsize + 4
    if count < 0 or len(buf) < size:
        raise FormatError(f"{what} at 0x{address:x}: {count} records do not fit")
    check_signature(buf, b"SMLI", what, address)
    verify_checksum(buf[:size], what, address)
    out = []
    o = ctx.size_of_offsets
    for i in range(count):
        p = 4 + i * rsize
        location = buf[p]
        h = read_uint(buf, p + 1, 4)
        if location == 0:
            out.append(
                SohmListRecord(
                    0, h, read_uint(buf, p + 5, 4), bytes(buf[p + 9 : p + 17]), None, None, None
                )
            )
        elif location == 1:
            out.append(
                SohmListRecord(
                    1, h, None, None, buf[p + 6], read_uint(buf, p + 7, 2), read_uint(buf, p + 9, o)
                )
            )
        else:
            raise FormatError(f"{what} at 0x{address:x}: record {i}: location {location}")
    return out


def read_sohm_list(
    source: ByteSource, ctx: FormatContext, index: SohmIndex
) -> list[SohmListRecord]:
    size = 4 + index.num_messages * _record_size(ctx) + 4
    return decode_sohm_list(
        source.read(index.index_address, size), ctx, index.num_messages, index.index_address
    )
