"""Object headers in a write session: loaded into models on first change, created new,
and serialized at the commit point.

A new header is version 1 (the earliest format) or version 2 (attribute creation order
tracked, or a low bound of v108 and newer), sized as libhdf5 sizes it; at the commit a
header whose messages outgrow its first chunk gets one continuation chunk
(``src/H5Oalloc.c``), its previous continuation chunks released.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from ..errors import FormatError
from ..format.messages import MessageType
from ..format.messages.misc import ModificationTime, RefCount
from ..format.object_header import (
    encode_header,
    encoded_message_size,
    read_object_header,
    v2_chunk0_total,
)
from .model import MessageSlot, ObjectModel

if TYPE_CHECKING:
    from .core import SessionCore

_DROPPED_ON_LOAD = (MessageType.NIL, MessageType.CONTINUATION)
V1_PREFIX_SIZE = 16
H5O_MIN_SIZE_V1 = 24
"""Smallest message area of a new v1 header (``H5O_MIN_SIZE`` rounded to 8)."""
ATTR_CRT_ORDER_TRACKED = 0x04
ATTR_CRT_ORDER_INDEXED = 0x08
STORE_TIMES = 0x20


class ObjectStore:
    """The object header models of one write session, by address."""

    def __init__(self, core: SessionCore) -> None:
        self._core = core
        self._models: dict[int, ObjectModel] = {}

    def get(self, address: int) -> ObjectModel | None:
        """The model of ``address`` when the session holds one (no load)."""
        return self._models.get(address)

    def __iter__(self) -> Iterator[ObjectModel]:
        return iter(list(self._models.values()))

    def load(self, address: int) -> ObjectModel:
        """The model of the object header at ``address``, loaded from disk on first use."""
        model = self._models.get(address)
        if model is None:
            core = self._core
            header = read_object_header(core.fs.source, core.ctx, address)
            chunks = header.chunks
            if not chunks:
                raise FormatError(f"object header at 0x{address:x}: no chunk information")
            model = ObjectModel(
                address=address,
                version=header.version,
                chunk0_size=chunks[0].messages_size,
                slots=[
                    MessageSlot(m.type, bytes(m.data), m.flags, m.creation_order)
                    for m in header.messages
                    if m.type not in _DROPPED_ON_LOAD
                ],
                continuation_chunks=[(c.address, c.size) for c in chunks[1:]],
                chunk0_total=chunks[0].size,
                flags=header.flags,
                refcount=header.refcount,
                dirty=False,
            )
            self._models[address] = model
        return model

    def new(
        self,
        slots: list[MessageSlot],
        min_area: int = 0,
        track_order: bool = False,
        track_times: bool = False,
    ) -> ObjectModel:
        """A new object header holding ``slots``, at a fresh address: version 1, or, when
        attribute creation order is tracked or the low bound is v108 or newer, version 2
        (as libhdf5 upgrades it).  ``track_times`` stamps the creation time: a modification
        time message in a v1 header, the four prefix times in a v2 header."""
        core = self._core
        version = 2 if track_order or core.versions.new_style else 1
        flags = ATTR_CRT_ORDER_TRACKED | ATTR_CRT_ORDER_INDEXED if track_order else 0
        times = None
        slots = list(slots)
        if track_times:
            now = int(time.time())
            if version == 2:
                flags |= STORE_TIMES
                times = (now, now, now, now)
            else:
                mtime = ModificationTime(now).encode()
                slots.append(MessageSlot(MessageType.MODIFICATION_TIME, mtime))
        hint = max(min_area, H5O_MIN_SIZE_V1)
        if not core.versions.new_style:
            # H5O_ALIGN_F: with the earliest low bound libhdf5 rounds the size asked for a
            # new header up to 8 bytes, a v2 one (creation order tracked) too; messages
            # that do not fit then extend chunk 0 by what they need
            hint = (hint + 7) & ~7
        area = max(sum(encoded_message_size(len(sl.body), version, flags) for sl in slots), hint)
        total = V1_PREFIX_SIZE + area if version == 1 else v2_chunk0_total(area, flags)
        address = core.allocator.allocate(total)
        model = ObjectModel(
            address=address,
            version=version,
            chunk0_size=area,
            slots=slots,
            chunk0_total=total,
            flags=flags,
            times=times,
        )
        self._models[address] = model
        return model

    def release(self, model: ObjectModel) -> None:
        """Give back the space of ``model``'s header (the object is deleted)."""
        allocator = self._core.allocator
        allocator.release(model.address, model.chunk0_total or V1_PREFIX_SIZE + model.chunk0_size)
        for block in model.continuation_chunks:
            allocator.release(*block)
        del self._models[model.address]

    # -- the commit point ---------------------------------------------------------------
    def write_dirty(self, header_slots: Callable[[ObjectModel], list[MessageSlot]]) -> None:
        """Serialize every changed header (``header_slots(model)``: the messages it holds
        on disk) in the order the models were first loaded or made."""
        for model in list(self._models.values()):
            if model.dirty:
                self._write_header(model, header_slots)

    def _write_header(
        self, model: ObjectModel, header_slots: Callable[[ObjectModel], list[MessageSlot]]
    ) -> None:
        core = self._core
        if model.version > 1:
            # v2 headers keep a reference count above 1 in a message (IV.A.2.w)
            for slot in model.find(MessageType.REFCOUNT):
                model.slots.remove(slot)
            if model.refcount > 1:
                count = RefCount(model.refcount).encode()
                model.slots.append(MessageSlot(MessageType.REFCOUNT, count, 0x04))
            model.touch()  # the slots changed (the header is written below)
        slots = header_slots(model)
        for address, size in model.continuation_chunks:
            core.allocator.release(address, size)
        chunks = encode_header(
            core.ctx,
            model.version,
            slots,
            model.chunk0_size,
            model.address,
            core.allocator.allocate,
            refcount=model.refcount,
            flags=model.flags,
            times=model.times,
        )
        model.continuation_chunks = [(address, len(blob)) for address, blob in chunks[1:]]
        for address, blob in chunks:
            core.stage(address, blob)
        model.dirty = False
