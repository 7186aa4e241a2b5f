"""The attributes of an object: compact attribute messages and dense storage (fractal
heap + v2 B-tree name index), in name order or, when tracked, creation order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import FormatError
from ..format.btree_v2 import AttributeNameRecord, BTreeV2
from ..format.fractal_heap import FractalHeap
from ..format.messages import MessageType, decode_message
from ..format.messages.shared import SharedMessage
from ..format.object_header import HeaderMessage
from .file import FileState
from .objects import ObjectInfo, resolve_shared

_ATTR_CRT_ORDER_TRACKED = 0x04  # object header v2 flags bit 2


@dataclass(frozen=True)
class AttributeEntry:
    """One attribute: its name and the decoded attribute message."""

    name: str
    datatype: Any
    """The attribute's Datatype record (shared datatypes resolved)."""
    dataspace: Any
    """The attribute's Dataspace record."""
    data: bytes
    """The raw value bytes as stored in the message."""
    creation_order: int | None


@dataclass(frozen=True)
class AttributeTable:
    entries: dict[str, AttributeEntry]
    track_order: bool


def read_attributes(fs: FileState, obj: ObjectInfo) -> AttributeTable:
    track = bool(obj.header.version >= 2 and obj.header.flags & _ATTR_CRT_ORDER_TRACKED)
    entries: list[AttributeEntry] = []
    for raw in obj.raw(MessageType.ATTRIBUTE):
        entries.append(_cached_entry(fs, raw, raw.creation_order))
    ainfo = obj.first(MessageType.ATTRIBUTE_INFO)
    if ainfo is not None and not fs.ctx.is_undefined(ainfo.fractal_heap_address):
        heap = FractalHeap.open(fs.source, fs.ctx, ainfo.fractal_heap_address)
        tree = BTreeV2.open(fs.source, fs.ctx, ainfo.name_index_address)
        for r in tree.records():
            if not isinstance(r, AttributeNameRecord):
                raise FormatError(
                    f"attribute name index at 0x{ainfo.name_index_address:x} holds "
                    f"{type(r).__name__} records, not attribute names"
                )
            msg = HeaderMessage(
                type=MessageType.ATTRIBUTE,
                flags=0,
                data=heap.get(r.heap_id),
                creation_order=None,
                address=0,
            )
            entries.append(_cached_entry(fs, msg, r.creation_order))
    if track and all(e.creation_order is not None for e in entries):
        entries.sort(key=lambda e: e.creation_order or 0)
    else:
        entries.sort(key=lambda e: e.name.encode("utf-8", "surrogateescape"))
    return AttributeTable({e.name: e for e in entries}, track_order=track)


def _cached_entry(fs: FileState, msg: HeaderMessage, creation_order: int | None) -> AttributeEntry:
    """The entry of one attribute message, decoded once per distinct encoded message (the
    cache is keyed by the bytes, so it never goes stale; entries whose datatype or
    dataspace is shared depend on other objects and are not cached)."""
    data = msg.data
    if not isinstance(data, bytes):
        rec = resolve_shared(fs, decode_message(msg, fs.ctx), MessageType.ATTRIBUTE)
        return _entry(fs, rec, creation_order)
    key = ("attribute", msg.flags, creation_order, data)
    entry: AttributeEntry | None = fs.decoded.get(key)
    if entry is None:
        rec = decode_message(msg, fs.ctx)
        if isinstance(rec, SharedMessage):  # the whole message in the shared message heap
            return _entry(fs, resolve_shared(fs, rec, MessageType.ATTRIBUTE), creation_order)
        fs.decoded.put(("attribute name", msg.flags, data), rec.name)
        entry = _entry(fs, rec, creation_order)
        if not isinstance(rec.datatype, SharedMessage) and not isinstance(
            rec.dataspace, SharedMessage
        ):
            fs.decoded.put(key, entry)
    return entry


def attribute_entry(fs: FileState, slot: Any) -> AttributeEntry | None:
    """The entry of a writer's attribute message slot, or None when it cannot be cached
    (a shared datatype or dataspace)."""
    msg = HeaderMessage(slot.type, slot.flags, slot.body, slot.creation_order, 0)
    entry = _cached_entry(fs, msg, slot.creation_order)
    key = ("attribute", msg.flags, slot.creation_order, msg.data)
    return entry if fs.decoded.get(key) is entry else None


def attribute_name(fs: FileState, flags: int, body: bytes) -> Any:
    """The name field of an encoded attribute message (as decoded), decoded once per body."""
    key = ("attribute name", flags, body)
    name = fs.decoded.get(key)
    if name is None:
        name = _plain_name(flags, body)
    if name is None:
        msg = HeaderMessage(MessageType.ATTRIBUTE, flags, body, None, 0)
        name = resolve_shared(fs, decode_message(msg, fs.ctx), MessageType.ATTRIBUTE).name
        fs.decoded.put(key, name)
    return name


def _plain_name(flags: int, body: bytes) -> str | None:
    """The name of an unshared attribute message read from its head alone (version,
    flags, name size, then the name at byte 8, or 9 after version 3's character set), as
    :func:`decode_attribute` decodes it; None when the full decode must decide."""
    if flags & 0x02 or len(body) < 9:  # a shared message holds a reference, not the name
        return None
    version = body[0]
    if version not in (1, 2, 3) or (version >= 2 and body[1] & ~3):
        return None
    start = 9 if version == 3 else 8
    size = body[2] | body[3] << 8
    raw = body[start : start + size]
    if not size or len(raw) != size:
        return None
    nul = raw.find(b"\0")
    return (raw if nul < 0 else raw[:nul]).decode("utf-8", "surrogateescape")


def _entry(fs: FileState, rec: Any, creation_order: int | None) -> AttributeEntry:
    datatype = resolve_shared(fs, rec.datatype, MessageType.DATATYPE)
    dataspace = resolve_shared(fs, rec.dataspace, MessageType.DATASPACE)
    name = rec.name if isinstance(rec.name, str) else rec.name.decode("utf-8", "surrogateescape")
    return AttributeEntry(name, datatype, dataspace, bytes(rec.data), creation_order)
