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
released when the storage is rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..format.btree_v2 import (
    AttributeCreationOrderRecord,
    AttributeNameRecord,
    BTreeV2,
    build_btree_v2,
)
from ..format.checksum import lookup3
from ..format.fractal_heap import ATTRIBUTE_HEAP_PARAMS, FractalHeap, FractalHeapWriter
from ..format.messages import MessageType, decode_message
from ..format.messages.attribute import AttributeInfo
from ..format.object_header import (
    DEFAULT_MAX_COMPACT_ATTRIBUTES,
    DEFAULT_MIN_DENSE_ATTRIBUTES,
    HeaderMessage,
    read_object_header,
)
from .model import MessageSlot, ObjectModel

MESSAGE_MAX_SIZE = 0x10000
"""``H5O_MESG_MAX_SIZE``: an attribute message this large only fits dense storage."""
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


def _info(w: Any, model: ObjectModel) -> tuple[MessageSlot, AttributeInfo] | None:
    slots = model.find(MessageType.ATTRIBUTE_INFO)
    if not slots:
        return None
    return slots[0], decode_message(_as_message(slots[0]), w.ctx)


def _name_of(w: Any, slot: MessageSlot) -> str:
    name = decode_message(_as_message(slot), w.ctx).name
    return name if isinstance(name, str) else name.decode("utf-8", "surrogateescape")


def attribute_store(w: Any, model: ObjectModel) -> AttributeStore:
    """The store of ``model`` (a v2 header), loading dense storage from disk on first use."""
    store: AttributeStore | None = w.attr_stores.get(model.address)
    if store is not None:
        return store
    store = AttributeStore(dense=False)
    if model.flags & _HDR_PHASE_CHANGE:
        header = read_object_header(w.fs.source, w.ctx, model.address)
        store.max_compact = header.max_compact_attributes
        store.min_dense = header.min_dense_attributes
    found = _info(w, model)
    if found is not None and not w.ctx.is_undefined(found[1].fractal_heap_address):
        _load_dense(w, model, store, *found)
    w.attr_stores[model.address] = store
    return store


def _load_dense(
    w: Any, model: ObjectModel, store: AttributeStore, slot: MessageSlot, info: AttributeInfo
) -> None:
    """Turn dense storage on disk into message slots (in name-index order, as libhdf5
    moves them back into a header), remembering its blocks for release."""
    ctx, source = w.ctx, w.fs.source
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


def find_attribute(w: Any, model: ObjectModel, name: str) -> MessageSlot | None:
    for slot in model.find(MessageType.ATTRIBUTE):
        if _name_of(w, slot) == name:
            return slot
    return None


def set_attribute(w: Any, model: ObjectModel, name: str, body: bytes, in_place: bool) -> None:
    """Create the attribute ``name``, or replace it: written in place (``in_place``, as
    h5py's ``modify``) or deleted and created again (as h5py's ``create``)."""
    store = attribute_store(w, model)
    slot = find_attribute(w, model, name)
    if slot is not None and in_place:
        slot.body = body
        if len(body) >= MESSAGE_MAX_SIZE:
            store.dense = True
        store.dirty = True
        model.touch()
        return
    if slot is not None:
        _remove(w, model, store, slot)
    found = _info(w, model)
    if found is None:
        undef = w.ctx.undefined_address
        tracked = bool(model.flags & _HDR_TRACKED)
        indexed = bool(model.flags & _HDR_INDEXED)
        info = AttributeInfo(
            (_AINFO_TRACKED if tracked else 0) | (_AINFO_INDEXED if indexed else 0),
            0 if tracked else None,
            undef,
            undef,
            undef if indexed else None,
        )
        info_slot = MessageSlot(MessageType.ATTRIBUTE_INFO, info.encode(w.ctx), _MSG_DONTSHARE)
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
            raise OSError("Unable to synchronously create attribute (max. creation order reached)")
        info_slot.body = replace(info, max_creation_index=order + 1).encode(w.ctx)
    model.add(MessageSlot(MessageType.ATTRIBUTE, body, 0, order))
    store.dirty = True


def delete_attribute(w: Any, model: ObjectModel, name: str) -> bool:
    store = attribute_store(w, model)
    slot = find_attribute(w, model, name)
    if slot is None:
        return False
    _remove(w, model, store, slot)
    return True


def _remove(w: Any, model: ObjectModel, store: AttributeStore, slot: MessageSlot) -> None:
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


# -- the commit point ------------------------------------------------------------------


def write_attribute_storage(w: Any) -> None:
    """Write the dense storage of every changed store, releasing what it replaces."""
    for address, store in w.attr_stores.items():
        if not store.dirty:
            continue
        for block in store.disk_blocks:
            w.allocator.release(*block)
        store.disk_blocks = []
        store.disk_addresses = None
        model = w.objects.get(address)
        if model is not None and store.dense:
            _write_dense(w, model, store)
        if model is not None:
            model.dirty = True
        store.dirty = False


def _write_dense(w: Any, model: ObjectModel, store: AttributeStore) -> None:
    ctx = w.ctx
    found = _info(w, model)
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
    for slot in slots:
        heap_id = heap.add(slot.body)
        raw = _name_of(w, slot).encode("utf-8", "surrogateescape")
        order = slot.creation_order if tracked and slot.creation_order is not None else _NO_ORDER
        rec = AttributeNameRecord(heap_id, slot.flags & 0xFF, order, lookup3(raw))
        names.append((rec.name_hash, raw, rec))
        orders.append(AttributeCreationOrderRecord(heap_id, slot.flags & 0xFF, order))

    def alloc(size: int) -> int:
        address = w.allocator.allocate(size)
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
        w._write(address, blob)
    store.disk_addresses = (heap_address, name_index, co_index)


def header_slots(w: Any, model: ObjectModel) -> list[MessageSlot]:
    """The messages the serialized header holds: the model's, but with dense attributes
    left out and the attribute info pointing at their storage."""
    store: AttributeStore | None = w.attr_stores.get(model.address)
    if store is None or store.disk_addresses is None:
        return model.slots
    heap, name_index, co_index = store.disk_addresses
    out = []
    for slot in model.slots:
        if slot.type == MessageType.ATTRIBUTE:
            continue
        if slot.type == MessageType.ATTRIBUTE_INFO:
            info = decode_message(_as_message(slot), w.ctx)
            info = replace(
                info,
                fractal_heap_address=heap,
                name_index_address=name_index,
                creation_order_index_address=(
                    co_index if info.creation_order_index_address is not None else None
                ),
            )
            slot = MessageSlot(slot.type, info.encode(w.ctx), slot.flags, slot.creation_order)
        out.append(slot)
    return out


def release_attribute_storage(w: Any, model: ObjectModel) -> None:
    """Release the dense attribute storage of an object being deleted."""
    store: AttributeStore | None = w.attr_stores.pop(model.address, None)
    if store is not None:
        for block in store.disk_blocks:
            w.allocator.release(*block)
        return
    found = _info(w, model)
    if found is None or w.ctx.is_undefined(found[1].fractal_heap_address):
        return
    for block in dense_blocks(w, *_addresses(found[1])):
        w.allocator.release(*block)


def _addresses(info: Any) -> tuple[int, int, int | None]:
    return info.fractal_heap_address, info.name_index_address, info.creation_order_index_address


def dense_blocks(
    w: Any, heap_address: int, name_index: int, co_index: int | None
) -> list[tuple[int, int]]:
    """(address, size) of every block of dense storage (links or attributes) on disk."""
    ctx, source = w.ctx, w.fs.source
    out = list(FractalHeap.open(source, ctx, heap_address).blocks())
    out += BTreeV2.open(source, ctx, name_index).blocks()
    if co_index is not None and not ctx.is_undefined(co_index):
        out += BTreeV2.open(source, ctx, co_index).blocks()
    return out
