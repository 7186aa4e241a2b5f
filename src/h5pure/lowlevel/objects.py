"""Objects as the layers above see them: an object header with its messages decoded on
demand, classified as group, dataset or committed datatype the way libhdf5 does."""

from __future__ import annotations

from typing import Any

from ..errors import FormatError, UnsupportedFeatureError
from ..format.messages import MessageType, decode_message
from ..format.messages.shared import SharedMessage
from ..format.object_header import HeaderMessage, ObjectHeader
from .file import FileState

_MAX_SHARED_DEPTH = 8


class ObjectInfo:
    """One object header of an open file, its messages decoded lazily and memoized."""

    def __init__(self, fs: FileState, address: int) -> None:
        self.fs = fs
        self.address = address
        self.header: ObjectHeader = fs.object_header(address)
        self._decoded: dict[int, list[Any]] = {}

    def raw(self, mtype: MessageType) -> list[HeaderMessage]:
        return [m for m in self.header.messages if m.type == mtype]

    def all(self, mtype: MessageType) -> list[Any]:
        """Every message of one type, decoded, with shared messages resolved."""
        found = self._decoded.get(mtype)
        if found is None:
            found = [
                resolve_shared(self.fs, decode_message(m, self.fs.ctx), mtype)
                for m in self.raw(mtype)
            ]
            self._decoded[mtype] = found
        return found

    def first(self, mtype: MessageType) -> Any:
        found = self.all(mtype)
        return found[0] if found else None

    def has(self, mtype: MessageType) -> bool:
        return any(m.type == mtype for m in self.header.messages)

    @property
    def kind(self) -> str:
        """ "group", "dataset", "datatype" or "unknown" (libhdf5's H5O "isa" order)."""
        if self.has(MessageType.SYMBOL_TABLE) or self.has(MessageType.LINK_INFO):
            return "group"
        if self.has(MessageType.DATATYPE) and self.has(MessageType.DATASPACE):
            return "dataset"
        if self.has(MessageType.DATATYPE):
            return "datatype"
        if self.has(MessageType.LINK) or self.has(MessageType.GROUP_INFO):
            return "group"
        return "unknown"

    def committed_datatype_address(self) -> int | None:
        """Address of the committed datatype this object's datatype message refers to."""
        for m in self.raw(MessageType.DATATYPE):
            rec = decode_message(m, self.fs.ctx)
            if isinstance(rec, SharedMessage) and rec.address is not None:
                return int(rec.address)
        return None


def resolve_shared(fs: FileState, record: Any, mtype: int, depth: int = 0) -> Any:
    """Replace a SharedMessage by the message it points to (committed object header)."""
    if not isinstance(record, SharedMessage):
        return record
    if depth > _MAX_SHARED_DEPTH:
        raise FormatError(f"shared message chain too deep at 0x{record.address:x}")
    if record.address is None:
        raise UnsupportedFeatureError(
            "messages stored in the shared object header message heap (SOHM) are not supported"
        )
    header = fs.object_header(int(record.address))
    for m in header.messages:
        if m.type == mtype:
            return resolve_shared(fs, decode_message(m, fs.ctx), mtype, depth + 1)
    raise FormatError(
        f"shared message points at object header 0x{record.address:x}, which holds no "
        f"message of type {MessageType(mtype).name}"
    )
