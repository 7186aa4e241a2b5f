"""h5pure's commit journal: the bytes a commit writes in place, recorded before they are.

Not part of HDF5: a commit that must change bytes the last committed state uses (object
headers, B-tree nodes, heaps edited in place) first writes them all, with the new
superblock, as one *journal record* in space no committed structure uses (past the end
of the file), then replaces the superblock's first bytes with a *journal pointer* (one
small write inside the superblock's sector), then writes the changes in place, then the
new superblock -- which overwrites the pointer.  A reader that finds the pointer where the
HDF5 signature belongs knows a commit was interrupted after its journal was complete, and
replays the record (see :mod:`h5pure.lowlevel.journal`).

Journal record (little-endian)::

    magic "H5PJRNL\\x01"        8 bytes
    record length              8   (all bytes of the record, checksum included)
    commit sequence            8
    entry count                4
    reserved                   4
    entries: address (8, relative to the base address), length (4), the bytes
    lookup3 checksum           4   (of everything before it)

Journal pointer (28 bytes, at the superblock's offset)::

    magic "\\x89H5J\\r\\n\\x1a\\n" 8 bytes (the HDF5 signature with "HDF" made "H5J")
    record address             8   (absolute)
    record length              8
    lookup3 checksum           4   (of the 24 bytes before it)
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ..errors import FormatError
from .checksum import lookup3

RECORD_MAGIC = b"H5PJRNL\x01"
POINTER_MAGIC = b"\x89H5J\r\n\x1a\n"
POINTER_SIZE = 28
_HEAD = struct.Struct("<8sQQII")
_ENTRY = struct.Struct("<QI")
_POINTER = struct.Struct("<8sQQ")


@dataclass(frozen=True)
class JournalRecord:
    """The in-place writes of one commit, the new superblock among them."""

    sequence: int
    entries: tuple[tuple[int, bytes], ...]
    """(relative address, bytes), in the order they are to be written."""


def encode_record(record: JournalRecord) -> bytes:
    """The record's bytes, checksum included."""
    body = b"".join(
        _ENTRY.pack(address, len(data)) + bytes(data) for address, data in record.entries
    )
    length = _HEAD.size + len(body) + 4
    head = _HEAD.pack(RECORD_MAGIC, length, record.sequence, len(record.entries), 0)
    out = head + body
    return out + lookup3(out).to_bytes(4, "little")


def decode_record(buf: bytes, where: str) -> JournalRecord:
    """Decode a record (``where`` names it in errors); FormatError when it is damaged."""
    if len(buf) < _HEAD.size + 4:
        raise FormatError(f"{where}: journal record of {len(buf)} bytes is too short")
    magic, length, sequence, count, _ = _HEAD.unpack_from(buf, 0)
    if magic != RECORD_MAGIC:
        raise FormatError(f"{where}: not a journal record (magic {magic!r})")
    if length != len(buf):
        raise FormatError(f"{where}: journal record says {length} bytes, {len(buf)} read")
    stored = int.from_bytes(buf[-4:], "little")
    if lookup3(buf[:-4]) != stored:
        raise FormatError(f"{where}: journal record checksum mismatch (the record is damaged)")
    entries = []
    pos = _HEAD.size
    end = len(buf) - 4
    for i in range(count):
        if pos + _ENTRY.size > end:
            raise FormatError(f"{where}: journal entry {i} runs past the record")
        address, size = _ENTRY.unpack_from(buf, pos)
        pos += _ENTRY.size
        if pos + size > end:
            raise FormatError(f"{where}: journal entry {i} runs past the record")
        entries.append((int(address), bytes(buf[pos : pos + size])))
        pos += size
    if pos != end:
        raise FormatError(f"{where}: {end - pos} bytes left after {count} journal entries")
    return JournalRecord(int(sequence), tuple(entries))


def encode_pointer(record_address: int, record_length: int) -> bytes:
    """The 28-byte journal pointer for a record at absolute ``record_address``."""
    head = _POINTER.pack(POINTER_MAGIC, record_address, record_length)
    return head + lookup3(head).to_bytes(4, "little")


def decode_pointer(buf: bytes, where: str) -> tuple[int, int]:
    """``(record address, record length)`` of a journal pointer; FormatError when it is
    damaged."""
    if len(buf) < POINTER_SIZE or buf[:8] != POINTER_MAGIC:
        raise FormatError(f"{where}: not a journal pointer")
    if lookup3(buf[:24]) != int.from_bytes(buf[24:28], "little"):
        raise FormatError(f"{where}: journal pointer checksum mismatch")
    _, address, length = _POINTER.unpack_from(buf, 0)
    return int(address), int(length)
