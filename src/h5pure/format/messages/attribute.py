"""Attribute message (0x0C) and attribute info message (0x15).

HDF5 File Format Specification 4.0, IV.A.2.m (attribute) and IV.A.2.v (attribute info).

Attribute message head: version, flags (reserved in v1), name size (with its NUL),
datatype size, dataspace size (u16 each), then [v3: name character set u8], then the name,
the datatype message, the dataspace message and the raw data.  Version 1 pads the name,
datatype and dataspace each to a multiple of 8; versions 2 and 3 do not.  Flags bit 0 / 1
mean the datatype / dataspace is stored as a shared-message reference (:mod:`.shared`).

Attribute info: version 0, flags (bit 0 creation order tracked, bit 1 indexed), [max
creation index u16], fractal heap address, name index v2 B-tree address, [creation order
index v2 B-tree address].
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from ...errors import FormatError
from ..context import FormatContext
from ..structs import U8, U16, Cursor, FlagStruct, Struct
from . import MessageType, register
from .dataspace import Dataspace, decode_dataspace
from .datatype import Datatype, decode_datatype, encode_datatype
from .shared import SharedMessage, decode_shared_message
from .storage_info import StorageInfo, storage_info_table

_HEAD = Struct(
    "attribute message",
    [
        ("version", U8),
        ("flags", U8),
        ("name_size", U16),
        ("datatype_size", U16),
        ("dataspace_size", U16),
    ],
)
FLAG_DATATYPE_SHARED = 0x01
FLAG_DATASPACE_SHARED = 0x02


@dataclass(frozen=True)
class AttributeMessage:
    """One attribute: name, element type, shape and raw data bytes."""

    version: int
    name: str
    datatype: Datatype | SharedMessage
    dataspace: Dataspace | SharedMessage
    data: bytes
    """Raw element bytes in the datatype's storage layout (vlen elements are heap IDs)."""
    cset: int
    """Character set of the name: 0 ASCII, 1 UTF-8 (always 0 before version 3)."""

    def encode(self, ctx: FormatContext, datatype_bytes: bytes | None = None) -> bytes:
        """Encode the message; ``datatype_bytes`` is the encoded datatype message (when
        omitted, a shared reference is encoded or ``encode_datatype`` is used)."""
        if datatype_bytes is None:
            if isinstance(self.datatype, SharedMessage):
                datatype_bytes = self.datatype.encode(ctx)
            else:
                datatype_bytes = encode_datatype(self.datatype)
        flags = 0
        if isinstance(self.datatype, SharedMessage):
            flags |= FLAG_DATATYPE_SHARED
        if isinstance(self.dataspace, SharedMessage):
            flags |= FLAG_DATASPACE_SHARED
        return encode_attribute(
            ctx,
            self.version,
            self.name,
            datatype_bytes,
            self.dataspace.encode(ctx),
            self.data,
            cset=self.cset,
            flags=flags,
        )


def encode_attribute(
    ctx: FormatContext,
    version: int,
    name: str,
    datatype_bytes: bytes,
    dataspace_bytes: bytes,
    data: bytes,
    *,
    cset: int = 0,
    flags: int = 0,
) -> bytes:
    """An attribute message from its encoded components (what
    :meth:`AttributeMessage.encode` writes; a writer that has the datatype and dataspace
    messages encoded already calls this directly).  ``flags``: the shared-component bits."""
    bname = name.encode("utf-8", "surrogateescape") + b"\0"
    if version == 1:
        if flags:
            raise ValueError("attribute message version 1 cannot hold shared components")
        body = b"".join(p + bytes(-len(p) % 8) for p in (bname, datatype_bytes, dataspace_bytes))
    elif version in (2, 3):
        body = bname + datatype_bytes + dataspace_bytes
    else:
        raise ValueError(f"bad attribute message version {version}")
    if max(len(bname), len(datatype_bytes), len(dataspace_bytes)) > 0xFFFF:
        raise ValueError("attribute message: a component exceeds 65535 bytes")
    head = _HEAD.compiled(ctx).pack(
        version, flags, len(bname), len(datatype_bytes), len(dataspace_bytes)
    )
    tail = bytes([cset]) if version >= 3 else b""
    return head + tail + body + data


def _decode_component_datatype(raw: bytes, shared: bool, ctx: FormatContext) -> Any:
    if shared:
        return decode_shared_message(raw, ctx, MessageType.DATATYPE)
    return _plain_datatype(bytes(raw))


@lru_cache(maxsize=256)
def _plain_datatype(raw: bytes) -> Any:
    """The (immutable) datatype record of ``raw``, decoded once: the attributes of many
    objects repeat a few types."""
    datatype, _consumed = decode_datatype(raw, 0)
    return datatype


@lru_cache(maxsize=256)
def _plain_dataspace(raw: bytes, ctx: FormatContext) -> Dataspace:
    return decode_dataspace(raw, ctx)


def decode_attribute(data: bytes, ctx: FormatContext, flags: int = 0) -> AttributeMessage:
    head = _HEAD.decode(data, 0, ctx)
    version = head["version"]
    if version not in (1, 2, 3):
        raise FormatError(f"attribute message: unknown version {version}")
    aflags = head["flags"] if version >= 2 else 0
    if aflags & ~3:
        raise FormatError(f"attribute message: unknown flags 0x{aflags:02x}")
    cur = Cursor(data, "attribute message", _HEAD.size(ctx))
    cset = cur.u8() if version >= 3 else 0

    def component(size: int) -> bytes:
        raw = cur.take(size)
        if version == 1:
            cur.align(8)  # name, datatype and dataspace are each padded to 8
        return raw

    # In version 1 the padding is relative to the message start; the 8-byte head keeps
    # the cursor aligned, so aligning the absolute position is the same thing.
    name_raw = component(head["name_size"])
    if not name_raw:
        raise FormatError("attribute message: empty name field")
    nul = name_raw.find(b"\0")
    name = (name_raw if nul < 0 else name_raw[:nul]).decode("utf-8", "surrogateescape")
    dt_raw = component(head["datatype_size"])
    ds_raw = component(head["dataspace_size"])
    datatype = _decode_component_datatype(dt_raw, bool(aflags & FLAG_DATATYPE_SHARED), ctx)
    dataspace: Dataspace | SharedMessage
    if aflags & FLAG_DATASPACE_SHARED:
        dataspace = decode_shared_message(ds_raw, ctx, MessageType.DATASPACE)
    else:
        dataspace = _plain_dataspace(bytes(ds_raw), ctx)
    element_size = getattr(datatype, "size", None)
    if isinstance(dataspace, Dataspace) and isinstance(element_size, int):
        nbytes = dataspace.size * element_size
        if nbytes > cur.remaining:
            raise FormatError(
                f"attribute {name!r}: {nbytes} bytes of data, the message holds {cur.remaining}"
            )
        payload = cur.take(nbytes)
    else:  # a shared component: the size is only known after resolving it
        payload = cur.take(cur.remaining)
    return AttributeMessage(version, name, datatype, dataspace, payload, cset)


@dataclass(frozen=True)
class AttributeInfo(StorageInfo):
    """Attribute storage of an object with creation-order tracking or dense attributes:
    its name index is a v2 B-tree of type 8, its creation-order index one of type 9."""

    TABLE: ClassVar[FlagStruct] = storage_info_table("attribute info message", U16)


register(MessageType.ATTRIBUTE)(decode_attribute)
register(MessageType.ATTRIBUTE_INFO)(AttributeInfo.decode)
