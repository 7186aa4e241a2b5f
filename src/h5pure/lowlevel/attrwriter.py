"""Attributes of version 2 object headers on write: compact messages or dense storage.

libhdf5 (``H5O__attr_create``, ``H5O__attr_remove_update`` in ``src/H5Oattribute.c``)
moves the attributes of a v2 header into dense storage (a fractal heap, a v2 B-tree name
index of type 8 records and, when creation order is indexed, a type 9 creation-order
index; spec III.G, III.A.2, IV.A.2.v) when one is added to ``max_compact`` (8) of them or
when its message is 64 KiB or more, and back into the header when a removal leaves fewer
than ``min_dense`` (6) and every message fits one.  Removing the last attribute removes
the attribute info message too.  h5py replaces an attribute by deleting and re-creating
it, so the replacement gets the next creation index.

The writer keeps every attribute as a message slot of the object's model whatever the
storage, so reads during the session see them as compact messages; an
:class:`AttributeStore` records which storage libhdf5 would be using, and the commit
writes the dense structures and leaves the messages out of the serialized header.
Dense storage found on disk is loaded into slots on the first change and its blocks are
released when the storage is rewritten.  Version 1 headers (the earliest format, without
creation order) keep their attributes compact.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..dtypes import datatype_for, to_storage
from ..format.btree_v2 import (
    AttributeCreationOrderRecord,
    AttributeNameRecord,
    BTreeV2,
    build_btree_v2,
)
from ..format.checksum import lookup3
from ..format.fractal_heap import ATTRIBUTE_HEAP_PARAMS, FractalHeap, FractalHeapWriter
from ..format.messages import MessageType, decode_message
from ..format.messages.attribute import (
    FLAG_DATATYPE_SHARED,
    AttributeInfo,
    AttributeMessage,
    encode_attribute,
)
from ..format.messages.dataspace import Dataspace
from ..format.messages.datatype import StringType
from ..format.messages.shared import SharedMessage
from ..format.object_header import (
    DEFAULT_MAX_COMPACT_ATTRIBUTES,
    DEFAULT_MIN_DENSE_ATTRIBUTES,
    HeaderMessage,
    read_object_header,
)
from .attributes import attribute_name
from .create import datatype_for_new, encoded_record, new_dataspace
from .model import MessageSlot, ObjectModel
from .specs import AttributeSpec

if TYPE_CHECKING:
    from .core import SessionCore

MESSAGE_MAX_SIZE = 0x10000
"""``H5O_MESG_MAX_SIZE``: an attribute message this large only fits dense storage."""
_V1_MAX_BODY = 0xFFFF
"""The largest message body of a version 1 header (a u16 size field)."""
_AINFO_TRACKED = 0x01
_AINFO_INDEXED = 0x02
_HDR_TRACKED = 0x04
_HDR_INDEXED = 0x08
_HDR_PHASE_CHANGE = 0x10
_MSG_DONTSHARE = 0x04
_NO_ORDER = 0xFFFF
"""Creation index libhdf5 records for attributes of objects that do not track order."""


@dataclass
class AttributeStore:
    """Where the attributes of one v2 object header live, as libhdf5 would keep them."""

    dense: bool
    """Dense storage after the calls so far (decides the layout at the next commit)."""
    max_compact: int = DEFAULT_MAX_COMPACT_ATTRIBUTES
    min_dense: int = DEFAULT_MIN_DENSE_ATTRIBUTES
    disk_blocks: list[tuple[int, int]] = field(default_factory=list)
    """(address, size) of the dense structures currently on disk."""
    disk_addresses: tuple[int, int, int] | None = None
    """(heap, name index, creation-order index) the serialized header points at, or None
    while the attributes are written as header messages."""
    dirty: bool = True


def _as_message(slot: MessageSlot) -> HeaderMessage:
    return HeaderMessage(slot.type, slot.flags, slot.body, slot.creation_order, 0)


class AttributeWriter:
    """The attributes a write session creates, replaces and deletes."""

    def __init__(self, core: SessionCore) -> None:
        self._core = core
        self._stores: dict[int, AttributeStore] = {}
        """Object address -> attribute storage of a v2 header."""

    # -- encoding -----------------------------------------------------------------------
    def encode(self, spec: AttributeSpec) -> bytes:
        """The attribute message for ``spec`` (vlen values go to the global heap now)."""
        core = self._core
        versions = core.versions
        if spec.text is not None:
            # H5DS's CLASS and NAME: a scalar C string of the value's length plus its NUL
            message = AttributeMessage(
                1,
                spec.name,
                StringType(1, len(spec.text) + 1),
                Dataspace("scalar", (), (), version=1),
                spec.text + b"\0",
                0,
            )
            return message.encode(core.ctx)
        if spec.value is None:
            datatype = spec.datatype or datatype_for(spec.dtype, libver_low=versions.low)
            shape: tuple[int, ...] | None = None
            raw = b""
        else:
            arr = spec.value
            datatype = spec.datatype or datatype_for_new(spec.dtype, versions.low)
            # a top-level array type: the value's last axes are each element's
            sub = spec.dtype.subdtype[1] if spec.dtype.subdtype is not None else ()
            shape = arr.shape[: arr.ndim - len(sub)]
            raw = to_storage(arr, datatype, core.heap).tobytes()
        space = new_dataspace(core.ctx, shape, shape, versions.dataspace)
        version = versions.attribute  # libhdf5 writes version 1 for a null dataspace too
        if spec.committed_type is not None:
            # a committed type is stored as a shared message (attribute message version 2
            # at least: version 1 cannot flag shared components)
            version = max(version, 2)
            shared = SharedMessage(version if version == 3 else 2, 3, spec.committed_type, None)
            return encode_attribute(
                core.ctx,
                version,
                spec.name,
                shared.encode(core.ctx),
                space,
                raw,
                flags=FLAG_DATATYPE_SHARED,
            )
        return encode_attribute(
            core.ctx, version, spec.name, encoded_record(datatype, core.ctx), space, raw
        )

    # -- changes ------------------------------------------------------------------------
    def set(self, address: int, name: str, body: bytes, in_place: bool = False) -> None:
        """Create or replace the attribute ``name`` of the object at ``address``; a v2
        header replaces by deleting and creating again unless ``in_place`` (h5py's
        ``modify``), and switches between compact and dense storage as libhdf5 does."""
        core = self._core
        fs = core.fs
        model = core.objects.load(address)
        if model.version > 1:
            self._set_v2(model, name, body, in_place)
            fs.invalidate(address)
            return
        if len(body) > _V1_MAX_BODY:
            raise OSError(
                "Unable to synchronously create attribute (object header message is too large)"
            )
        slot = self._find(model, name)
        if slot is not None:
            slot.body = body
            model.touch()
        else:
            model.add(MessageSlot(MessageType.ATTRIBUTE, body))
        views = fs.cached(address)
        table = views.attributes if views is not None else None
        fs.invalidate(address)
        if table is not None and not table.track_order and attribute_name(fs, 0, body) == name:
            # keep the attribute table of a v1 header (name order, compact only) current
            # rather than decode every attribute again
            table.set_message(name, HeaderMessage(MessageType.ATTRIBUTE, 0, body, None, 0))
            with fs.cache_lock:
                views = fs.views(address)
                if views.attributes is None:
                    views.attributes = table

    def delete(self, address: int, name: str) -> bool:
        """Delete the attribute ``name`` of the object at ``address``; False when the
        object has none of that name."""
        core = self._core
        model = core.objects.load(address)
        if model.version > 1:
            store = self._store(model)  # dense attributes become slots here
            slot = self._find(model, name)
            if slot is None:
                return False
            self._remove(model, store, slot)
        else:
            slot = self._find(model, name)
            if slot is None:
                return False
            model.remove(slot)
        core.fs.invalidate(address)
        return True

    def _find(self, model: ObjectModel, name: str) -> MessageSlot | None:
        fs = self._core.fs
        for slot in model.find(MessageType.ATTRIBUTE):
            if attribute_name(fs, slot.flags, slot.body) == name:
                return slot
        return None

    def _info(self, model: ObjectModel) -> tuple[MessageSlot, AttributeInfo] | None:
        slots = model.find(MessageType.ATTRIBUTE_INFO)
        if not slots:
            return None
        return slots[0], decode_message(_as_message(slots[0]), self._core.ctx)

    def _store(self, model: ObjectModel) -> AttributeStore:
        """The store of ``model`` (a v2 header), loading dense storage from disk on first
        use."""
        store = self._stores.get(model.address)
        if store is not None:
            return store
        core = self._core
        store = AttributeStore(dense=False)
        if model.flags & _HDR_PHASE_CHANGE:
            header = read_object_header(core.fs.source, core.ctx, model.address)
            store.max_compact = header.max_compact_attributes
            store.min_dense = header.min_dense_attributes
        found = self._info(model)
        if found is not None and not core.ctx.is_undefined(found[1].fractal_heap_address):
            self._load_dense(model, store, *found)
        self._stores[model.address] = store
        return store

    def _load_dense(
        self, model: ObjectModel, store: AttributeStore, slot: MessageSlot, info: AttributeInfo
    ) -> None:
        """Turn dense storage on disk into message slots (in name-index order, as libhdf5
        moves them back into a header), remembering its blocks for release."""
        ctx, source = self._core.ctx, self._core.fs.source
        heap = FractalHeap.open(source, ctx, info.fractal_heap_address)
        names = BTreeV2.open(source, ctx, info.name_index_address)
        tracked = bool(info.flags & _AINFO_TRACKED)
        for rec in names.records():
            if not isinstance(rec, AttributeNameRecord):
                continue
            order = rec.creation_order if tracked else None
            model.slots.append(
                MessageSlot(MessageType.ATTRIBUTE, heap.get(rec.heap_id), rec.message_flags, order)
            )
        blocks = list(heap.blocks()) + list(names.blocks())
        co = info.creation_order_index_address
        if co is not None and not ctx.is_undefined(co):
            blocks += list(BTreeV2.open(source, ctx, co).blocks())
        undef = ctx.undefined_address
        memory = replace(
            info,
            fractal_heap_address=undef,
            name_index_address=undef,
            creation_order_index_address=undef if co is not None else None,
        )
        slot.body = memory.encode(ctx)
        model.touch()
        store.dense = True
        store.disk_blocks = blocks
        store.disk_addresses = (info.fractal_heap_address, info.name_index_address, co or undef)

    def _set_v2(self, model: ObjectModel, name: str, body: bytes, in_place: bool) -> None:
        """Create the attribute ``name``, or replace it: written in place (``in_place``, as
        h5py's ``modify``) or deleted and created again (as h5py's ``create``)."""
        ctx = self._core.ctx
        store = self._store(model)
        slot = self._find(model, name)
        if slot is not None and in_place:
            slot.body = body
            if len(body) >= MESSAGE_MAX_SIZE:
                store.dense = True
            store.dirty = True
            model.touch()
            return
        if slot is not None:
            self._remove(model, store, slot)
        found = self._info(model)
        if found is None:
            undef = ctx.undefined_address
            tracked = bool(model.flags & _HDR_TRACKED)
            indexed = bool(model.flags & _HDR_INDEXED)
            info = AttributeInfo(
                (_AINFO_TRACKED if tracked else 0) | (_AINFO_INDEXED if indexed else 0),
                0 if tracked else None,
                undef,
                undef,
                undef if indexed else None,
            )
            info_slot = MessageSlot(MessageType.ATTRIBUTE_INFO, info.encode(ctx), _MSG_DONTSHARE)
            model.add(info_slot)
        else:
            info_slot, info = found
        count = len(model.find(MessageType.ATTRIBUTE))
        if not store.dense and (count >= store.max_compact or len(body) >= MESSAGE_MAX_SIZE):
            store.dense = True
        order = None
        if info.flags & _AINFO_TRACKED:
            order = info.max_creation_index or 0
            if order >= 0xFFFF:
                raise OSError(
                    "Unable to synchronously create attribute (max. creation order reached)"
                )
            info_slot.body = replace(info, max_creation_index=order + 1).encode(ctx)
        model.add(MessageSlot(MessageType.ATTRIBUTE, body, 0, order))
        store.dirty = True

    def _remove(self, model: ObjectModel, store: AttributeStore, slot: MessageSlot) -> None:
        model.remove(slot)
        left = model.find(MessageType.ATTRIBUTE)
        if (
            store.dense
            and len(left) < store.min_dense
            and all(len(s.body) < MESSAGE_MAX_SIZE for s in left)
        ):
            store.dense = False
        if not left:
            for info_slot in model.find(MessageType.ATTRIBUTE_INFO):
                model.remove(info_slot)
        store.dirty = True

    def release(self, model: ObjectModel) -> None:
        """Release the dense attribute storage of an object being deleted."""
        core = self._core
        store = self._stores.pop(model.address, None)
        if store is not None:
            for block in store.disk_blocks:
                core.allocator.release(*block)
            return
        found = self._info(model)
        if found is None or core.ctx.is_undefined(found[1].fractal_heap_address):
            return
        info = found[1]
        for block in dense_blocks(
            core,
            info.fractal_heap_address,
            info.name_index_address,
            info.creation_order_index_address,
        ):
            core.allocator.release(*block)

    # -- the commit point ---------------------------------------------------------------
    def write_dense(self) -> None:
        """Write the dense storage of every changed store, releasing what it replaces."""
        core = self._core
        for address, store in self._stores.items():
            if not store.dirty:
                continue
            for block in store.disk_blocks:
                core.allocator.release(*block)
            store.disk_blocks = []
            store.disk_addresses = None
            model = core.objects.get(address)
            if model is not None and store.dense:
                self._write_dense(model, store)
            if model is not None:
                model.dirty = True
            store.dirty = False

    def _write_dense(self, model: ObjectModel, store: AttributeStore) -> None:
        core = self._core
        ctx = core.ctx
        found = self._info(model)
        if found is None:
            return
        info = found[1]
        tracked = bool(info.flags & _AINFO_TRACKED)
        slots = model.find(MessageType.ATTRIBUTE)
        if tracked:
            slots = sorted(slots, key=lambda s: s.creation_order or 0)
        heap = FractalHeapWriter(ctx, ATTRIBUTE_HEAP_PARAMS)
        names: list[tuple[int, bytes, AttributeNameRecord]] = []
        orders: list[AttributeCreationOrderRecord] = []
        fs = core.fs
        for slot in slots:
            heap_id = heap.add(slot.body)
            name = attribute_name(fs, slot.flags, slot.body)
            raw = name.encode("utf-8", "surrogateescape")
            order = (
                slot.creation_order if tracked and slot.creation_order is not None else _NO_ORDER
            )
            rec = AttributeNameRecord(heap_id, slot.flags & 0xFF, order, lookup3(raw))
            names.append((rec.name_hash, raw, rec))
            orders.append(AttributeCreationOrderRecord(heap_id, slot.flags & 0xFF, order))

        def alloc(size: int) -> int:
            address = core.allocator.allocate(size)
            store.disk_blocks.append((address, size))
            return address

        heap_address, blocks = heap.write(alloc)
        names.sort(key=lambda t: (t[0], t[1]))
        name_recs = [t[2] for t in names]
        name_index, more = build_btree_v2(name_recs, 8, ctx, alloc)  # type: ignore[arg-type]
        blocks += more
        co_index = ctx.undefined_address
        if info.flags & _AINFO_INDEXED:
            orders.sort(key=lambda r: r.creation_order)
            co_index, more = build_btree_v2(orders, 9, ctx, alloc)  # type: ignore[arg-type]
            blocks += more
        for address, blob in blocks:
            core.stage(address, blob)
        store.disk_addresses = (heap_address, name_index, co_index)

    def header_slots(self, model: ObjectModel) -> list[MessageSlot]:
        """The messages the serialized header holds: the model's, but with dense
        attributes left out and the attribute info pointing at their storage."""
        store = self._stores.get(model.address)
        if store is None or store.disk_addresses is None:
            return model.slots
        ctx = self._core.ctx
        heap, name_index, co_index = store.disk_addresses
        out = []
        for slot in model.slots:
            if slot.type == MessageType.ATTRIBUTE:
                continue
            if slot.type == MessageType.ATTRIBUTE_INFO:
                info = decode_message(_as_message(slot), ctx)
                info = replace(
                    info,
                    fractal_heap_address=heap,
                    name_index_address=name_index,
                    creation_order_index_address=(
                        co_index if info.creation_order_index_address is not None else None
                    ),
                )
                slot = MessageSlot(slot.type, info.encode(ctx), slot.flags, slot.creation_order)
            out.append(slot)
        return out


def dense_blocks(
    core: SessionCore, heap_address: int, name_index: int, co_index: int | None
) -> list[tuple[int, int]]:
    """(address, size) of every block of dense storage (links or attributes) on disk."""
    ctx, source = core.ctx, core.fs.source
    out = list(FractalHeap.open(source, ctx, heap_address).blocks())
    out += BTreeV2.open(source, ctx, name_index).blocks()
    if co_index is not None and not ctx.is_undefined(co_index):
        out += BTreeV2.open(source, ctx, co_index).blocks()
    return out
