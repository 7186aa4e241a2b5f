"""The attributes of an object: compact attribute messages and dense storage (fractal
heap + v2 B-tree name index), in name order or, when tracked, creation order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import FormatError
from ..format.messages import MessageType, decode_message
from ..format.messages.shared import SharedMessage
from ..format.object_header import HeaderMessage
from .objects import resolve_shared

if TYPE_CHECKING:
    from .file import FileState
    from .objects import ObjectInfo

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


class AttributeTable:
    """An object's attributes in h5py's order (name, or creation order when tracked).

    The names come from the messages' heads; each message is decoded on first use, so
    reading one attribute of an object does not decode all the others."""

    def __init__(
        self,
        items: dict[str, AttributeEntry | tuple[HeaderMessage, int | None]],
        track_order: bool,
        fs: FileState | None = None,
    ) -> None:
        self._items = items
        """Name -> its entry, or (message, creation order) not decoded yet."""
        self.track_order = track_order
        self._fs = fs

    def get(self, name: str) -> AttributeEntry | None:
        item = self._items.get(name)
        if item is None or isinstance(item, AttributeEntry):
            return item
        assert self._fs is not None  # pending messages come with their file
        entry = _cached_entry(self._fs, item[0], item[1])
        self._items[name] = entry
        return entry

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __len__(self) -> int:
        return len(self._items)

    def names(self) -> list[str]:
        return list(self._items)

    @property
    def entries(self) -> dict[str, AttributeEntry]:
        """Every attribute, decoded, in the table's order."""
        out: dict[str, AttributeEntry] = {}
        for name in list(self._items):
            entry = self.get(name)
            assert entry is not None
            out[name] = entry
        return out

    def set_message(self, name: str, message: HeaderMessage) -> None:
        """Make the attribute ``name`` the (unshared) attribute ``message``, in name order
        (only for tables in name order): in place, and without sorting when the name is
        known or sorts last, as names created in order do."""
        items = self._items
        last = next(reversed(items), None)
        ordered = name in items or last is None or _name_key(name) > _name_key(last)
        items[name] = (message, None)
        if not ordered:
            self._items = {k: items[k] for k in sorted(items, key=_name_key)}


def _name_key(name: str) -> bytes:
    return name.encode("utf-8", "surrogateescape")


def read_attributes(fs: FileState, obj: ObjectInfo) -> AttributeTable:
    track = bool(obj.header.version >= 2 and obj.header.flags & _ATTR_CRT_ORDER_TRACKED)
    found: list[tuple[str, int | None, AttributeEntry | tuple[HeaderMessage, int | None]]] = []

    def add(msg: HeaderMessage, creation_order: int | None) -> None:
        data = msg.data
        name = None
        if isinstance(data, bytes) and not msg.flags & 0x02:
            name = attribute_name(fs, msg.flags, data)
        if isinstance(name, str):
            found.append((name, creation_order, (msg, creation_order)))
        else:  # shared or unusual: decode now to learn the name
            entry = _cached_entry(fs, msg, creation_order)
            found.append((entry.name, creation_order, entry))

    for raw in obj.raw(MessageType.ATTRIBUTE):
        add(raw, raw.creation_order)
    ainfo = obj.first(MessageType.ATTRIBUTE_INFO)
    if ainfo is not None and not fs.ctx.is_undefined(ainfo.fractal_heap_address):
        # dense storage: imported here, as most files keep attributes in the header
        from ..format.btree_v2 import AttributeNameRecord, BTreeV2
        from ..format.fractal_heap import FractalHeap

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
            add(msg, r.creation_order)
    if track and all(order is not None for _, order, _ in found):
        found.sort(key=lambda f: f[1] or 0)
    else:
        found.sort(key=lambda f: _name_key(f[0]))
    return AttributeTable({name: item for name, _, item in found}, track_order=track, fs=fs)


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
