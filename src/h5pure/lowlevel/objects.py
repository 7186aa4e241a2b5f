"""Objects as the layers above see them: an object header with its messages decoded on
demand, classified as group, dataset or committed datatype the way libhdf5 does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import FormatError
from ..format.messages import MessageType, decode_message
from ..format.messages.shared import SharedMessage
from ..format.object_header import HeaderMessage, ObjectHeader

if TYPE_CHECKING:
    from .file import FileState

_MAX_SHARED_DEPTH = 8
_NONE: list[Any] = []
"""The decoded messages of a type the header lacks (shared: never to be changed)."""
_SYMBOL_TABLE = int(MessageType.SYMBOL_TABLE)
_LINK_INFO = int(MessageType.LINK_INFO)
_DATATYPE = int(MessageType.DATATYPE)
_DATASPACE = int(MessageType.DATASPACE)
_LINK = int(MessageType.LINK)
_GROUP_INFO = int(MessageType.GROUP_INFO)


def kind_of(types: frozenset[int] | set[int]) -> str:
    """The kind of an object whose header holds messages of ``types``: "group",
    "dataset", "datatype" or "unknown" (libhdf5's H5O "isa" order)."""
    if _SYMBOL_TABLE in types or _LINK_INFO in types:
        return "group"
    if _DATATYPE in types:
        return "dataset" if _DATASPACE in types else "datatype"
    if _LINK in types or _GROUP_INFO in types:
        return "group"
    return "unknown"


class ObjectInfo:
    """One object header of an open file, its messages decoded lazily and memoized."""

    def __init__(self, fs: FileState, address: int, *, created: bool = False) -> None:
        """``created``: the writer has just made the object (its header is built from the
        model when first needed, not here)."""
        self.fs = fs
        self.address = address
        self._header: ObjectHeader | None = None if created else fs.object_header(address)
        self._generation = -1
        self._decoded: dict[int, list[Any]] = {}
        self._types: frozenset[int] | None = None
        """The message types the header holds (built on first use)."""

    @property
    def header(self) -> ObjectHeader:
        """The object header; while a writer changes the object, its current state."""
        writer = self.fs.writer
        if writer is not None:
            model = writer.objects.get(self.address)
            if model is not None and model.generation != self._generation:
                self._header = model.header()
                self._generation = model.generation
                self._decoded = {}
                self._types = None
        header = self._header
        if header is None:
            header = self._header = self.fs.object_header(self.address)
        return header

    def reload(self) -> None:
        """Forget the header and what was decoded from it: the next use reads the object
        header from the file again (a SWMR reader's ``refresh``)."""
        self._header = None
        self._generation = -1
        self._decoded = {}
        self._types = None

    def raw(self, mtype: MessageType) -> list[HeaderMessage]:
        return [m for m in self.header.messages if m.type == mtype]

    def all(self, mtype: MessageType) -> list[Any]:
        """Every message of one type, decoded, with shared messages resolved."""
        header = self.header  # refreshes the memos after a writer's change
        found = self._decoded.get(mtype)
        if found is None:
            if mtype in self._types_of(header):
                found = [
                    resolve_shared(self.fs, decode_cached(self.fs, m), mtype)
                    for m in header.messages
                    if m.type == mtype
                ]
            else:
                found = _NONE
            self._decoded[mtype] = found
        return found

    def first(self, mtype: MessageType) -> Any:
        found = self.all(mtype)
        return found[0] if found else None

    def _types_of(self, header: ObjectHeader) -> frozenset[int]:
        types = self._types
        if types is None:
            types = self._types = frozenset(m.type for m in header.messages)
        return types

    def has(self, mtype: MessageType) -> bool:
        return mtype in self._types_of(self.header)

    @property
    def kind(self) -> str:
        """ "group", "dataset", "datatype" or "unknown" (libhdf5's H5O "isa" order)."""
        return kind_of(self._types_of(self.header))

    def datatype(self) -> Any:
        """The object's datatype record (a committed type's or a dataset's), None when it
        has none."""
        return self.first(MessageType.DATATYPE)

    @property
    def tracks_times(self) -> bool:
        """Whether the header records its times (v2 flag bit 5, or a v1 modification
        time message): h5py's ``track_times``."""
        header = self.header
        if header.version >= 2:
            return bool(header.flags & 0x20)
        return self.has(MessageType.MODIFICATION_TIME) or self.has(
            MessageType.MODIFICATION_TIME_OLD
        )

    @property
    def tracks_attribute_order(self) -> bool:
        """Whether the header tracks attribute creation order (v2 flag bit 2)."""
        return bool(self.header.flags & 0x04)

    def committed_datatype_address(self) -> int | None:
        """Address of the committed datatype this object's datatype message refers to."""
        for m in self.raw(MessageType.DATATYPE):
            rec = decode_message(m, self.fs.ctx)
            if isinstance(rec, SharedMessage) and rec.address is not None:
                return int(rec.address)
        return None


def decode_cached(fs: FileState, msg: HeaderMessage) -> Any:
    """``decode_message``, once per distinct encoded message of the file: a writer that
    changes one message of an object does not re-decode the others."""
    data = msg.data
    if type(data) is not bytes:
        return decode_message(msg, fs.ctx)
    key = ("message", msg.type, msg.flags, data)
    rec = fs.decoded.get(key)
    if rec is None:
        rec = decode_message(msg, fs.ctx)
        fs.decoded.put(key, rec)
    return rec


def resolve_shared(fs: FileState, record: Any, mtype: int, depth: int = 0) -> Any:
    """Replace a SharedMessage by the message it points to (committed object header)."""
    if not isinstance(record, SharedMessage):
        return record
    if depth > _MAX_SHARED_DEPTH:
        raise FormatError(f"shared message chain too deep at 0x{record.address:x}")
    if record.address is None:
        return resolve_shared(fs, _sohm_message(fs, record, mtype), mtype, depth + 1)
    header = fs.object_header(int(record.address))
    for m in header.messages:
        if m.type == mtype:
            return resolve_shared(fs, decode_message(m, fs.ctx), mtype, depth + 1)
    raise FormatError(
        f"shared message points at object header 0x{record.address:x}, which holds no "
        f"message of type {MessageType(mtype).name}"
    )


def _sohm_message(fs: FileState, record: SharedMessage, mtype: int) -> Any:
    """Decode a message stored in the SOHM heap of the index that shares ``mtype``."""
    # libhdf5's H5SM__type_to_flag shares the old fill value message (0x04) through the
    # index of the new one (0x05)
    flag_type = MessageType.FILL_VALUE if mtype == MessageType.FILL_VALUE_OLD else mtype
    index = next((i for i in fs.sohm_indexes() if i.shares(flag_type)), None)
    if index is None:
        raise FormatError(
            f"message of type {MessageType(mtype).name} refers to the shared message "
            "heap, but no shared message index of the file shares that type"
        )
    data = fs.sohm_heap(index.heap_address).get(bytes(record.heap_id or b""))
    msg = HeaderMessage(type=mtype, flags=0, data=data, creation_order=None, address=0)
    return decode_message(msg, fs.ctx)
