"""Shared message references: the body of a message whose header flags have bit 1 set.

HDF5 File Format Specification 4.0, IV.A.2 "Shared Messages" (versions 1-3) and
``src/H5Oshared.c`` (``H5O__shared_decode``), which settles what the spec leaves out:

* version 1: version, type (unused, treated as "committed"), 6 reserved bytes, then the
  remains of a symbol table entry: an L-byte name offset the library skips, then the
  O-byte object header address;
* version 2: version, type, O-byte object header address (committed datatypes);
* version 3: version, type; type 1 (SOHM) is followed by an 8-byte fractal-heap ID in the
  shared-message heap, type 2 (committed) by the O-byte object header address.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import FormatError
from ..context import FormatContext
from ..structs import LENGTH, OFFSET, U8, Bytes, Reserved, Struct

SHARE_TYPE_SOHM = 1
"""v3 share type: the message lives in the shared-object-header-message heap."""
SHARE_TYPE_COMMITTED = 2
"""v3 share type: the message lives in another object header (committed datatype)."""

SOHM_HEAP_ID_SIZE = 8

_HEAD = Struct("shared message", [("version", U8), ("type", U8)])
_V1 = Struct(
    "shared message v1",
    [
        ("version", U8),
        ("type", U8),
        ("reserved", Reserved(6)),
        ("name_offset", LENGTH),  # leftover symbol-table-entry field; skipped by libhdf5
        ("address", OFFSET),
    ],
)
_V2_COMMITTED = Struct("shared message", [("version", U8), ("type", U8), ("address", OFFSET)])
_V3_SOHM = Struct(
    "shared message", [("version", U8), ("type", U8), ("heap_id", Bytes(SOHM_HEAP_ID_SIZE))]
)


@dataclass(frozen=True)
class SharedMessage:
    """Where the real message lives; ``lowlevel`` resolves it."""

    version: int
    """Shared-message encoding version (1, 2 or 3)."""
    message_type: int
    """Type of the message that is shared (e.g. 3 = datatype)."""
    address: int | None
    """Object header address of the committed object (None for SOHM heap messages)."""
    heap_id: bytes | None
    """8-byte fractal-heap ID in the SOHM heap (None for committed objects)."""

    @property
    def in_sohm_heap(self) -> bool:
        return self.heap_id is not None

    def encode(self, ctx: FormatContext) -> bytes:
        """The encoded reference (the body of a header message with flag bit 1)."""
        if self.heap_id is not None:
            if self.version != 3:
                raise ValueError("SOHM shared messages need encoding version 3")
            return _V3_SOHM.encode(
                {"version": 3, "type": SHARE_TYPE_SOHM, "heap_id": self.heap_id}, ctx
            )
        if self.address is None:
            raise ValueError("a committed shared message needs an address")
        if self.version == 1:
            return _V1.encode(
                {"version": 1, "type": 0, "name_offset": 0, "address": self.address}, ctx
            )
        if self.version not in (2, 3):
            raise ValueError(f"bad shared message version {self.version}")
        return _V2_COMMITTED.encode(
            {"version": self.version, "type": SHARE_TYPE_COMMITTED, "address": self.address}, ctx
        )


def decode_shared_message(
    data: bytes | bytearray | memoryview, ctx: FormatContext, message_type: int
) -> SharedMessage:
    """Decode a shared-message reference for a message of type ``message_type``."""
    head = _HEAD.decode(data, 0, ctx)
    version = head["version"]
    if version == 1:
        v1 = _V1.decode(data, 0, ctx)
        return SharedMessage(1, message_type, v1["address"], None)
    if version == 2:
        return SharedMessage(2, message_type, _V2_COMMITTED.decode(data, 0, ctx)["address"], None)
    if version == 3:
        share_type = head["type"]
        if share_type == SHARE_TYPE_SOHM:
            return SharedMessage(3, message_type, None, _V3_SOHM.decode(data, 0, ctx)["heap_id"])
        if share_type == SHARE_TYPE_COMMITTED:
            return SharedMessage(
                3, message_type, _V2_COMMITTED.decode(data, 0, ctx)["address"], None
            )
        raise FormatError(f"shared message: unknown share type {share_type}")
    raise FormatError(f"shared message: unknown version {version}")
