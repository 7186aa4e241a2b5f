"""Link storage on write: rebuild a group's symbol table (v1 B-tree + SNODs + local heap)
or its link messages at the commit point.

A symbol-table group that receives an external link or a non-ASCII name is converted to
link messages in its (v1) object header, as libhdf5 converts it (``H5G__obj_insert``).
Link-message groups switch to dense storage (fractal heap + v2 B-tree name index, plus a
creation-order index when it is tracked) above 8 links, and back to link messages below
6, as ``H5G__obj_insert``/``H5G__obj_remove`` do with the default group info.
"""

from __future__ import annotations

from typing import Any

from ..format.btree_v1 import GROUP_NODE, build_symbol_table, walk_btree_v1
from ..format.local_heap import HEADER as HEAP_HEADER
from ..format.local_heap import LocalHeap
from ..format.messages import MessageType, decode_message
from ..format.messages.link import GroupInfo, Link, LinkInfo
from ..format.messages.symbols import SymbolTableMessage
from ..format.symbol_table import (
    ENTRY,
    NODE_HEADER,
    SymbolTableEntry,
)
from .links import LinkEntry
from .model import GroupModel, MessageSlot


def _needs_link_messages(group: GroupModel) -> bool:
    return any(e.kind not in ("hard", "soft") or not e.name.isascii() for e in group.links.values())


def write_group_storage(w: Any, group: GroupModel) -> None:
    model = w.object_model(group.address)
    if group.storage == "symbol_table" and _needs_link_messages(group):
        _convert_to_link_messages(w, group, model)
    if group.storage == "symbol_table":
        _write_symbol_table(w, group, model)
    else:
        n = len(group.links)
        dense = n > MAX_COMPACT_LINKS or (group.storage == "dense" and n >= MIN_DENSE_LINKS)
        for address, size in group.old_structures:
            w.allocator.release(address, size)
        group.old_structures = []
        if dense:
            _write_dense_links(w, group, model)
        else:
            _write_link_messages(w, group, model)
    group.dirty = False


MAX_COMPACT_LINKS = 8
MIN_DENSE_LINKS = 6
"""libhdf5's default group info phase change (``H5G_CRT_GINFO_MAX_COMPACT``/``MIN_DENSE``)."""


def _link_of(entry: LinkEntry, track_order: bool) -> Link:
    name = entry.name
    return Link(
        name=name,
        kind=entry.kind,  # type: ignore[arg-type]
        address=entry.address,
        target=entry.target,
        external_file=entry.external_file,
        creation_order=entry.creation_order if track_order else None,
        cset=0 if name.isascii() else 1,
        user_type=None,
        user_data=None,
    )


def _set_link_info(w: Any, group: GroupModel, model: Any, heap: int, name: int, co: int) -> None:
    from dataclasses import replace

    ctx = w.ctx
    for slot in model.find(MessageType.LINK_INFO):
        info = decode_message(_as_message(slot), ctx)
        indexed = bool(info.flags & 0x02)
        info = replace(
            info,
            max_creation_index=group.next_creation_order if info.flags & 0x01 else None,
            fractal_heap_address=heap,
            name_index_address=name,
            creation_order_index_address=co if indexed else None,
        )
        slot.body = info.encode(ctx)
        model.touch()


def _write_dense_links(w: Any, group: GroupModel, model: Any) -> None:
    """Links in a fractal heap indexed by name hash (v2 B-tree type 5) and, when creation
    order is indexed, by creation order (type 6)."""
    from ..format.btree_v2 import LinkCreationOrderRecord, LinkNameRecord, build_btree_v2
    from ..format.checksum import lookup3
    from ..format.fractal_heap import LINK_HEAP_PARAMS, FractalHeapWriter

    ctx = w.ctx
    for slot in model.find(MessageType.LINK):
        model.remove(slot)
    model.set(MessageType.GROUP_INFO, GroupInfo(0, None, None, None, None).encode(ctx), 0x01)
    structures: list[tuple[int, int]] = []

    def alloc(size: int) -> int:
        address = w.allocator.allocate(size)
        structures.append((address, size))
        return address

    heap = FractalHeapWriter(ctx, LINK_HEAP_PARAMS)
    names: list[LinkNameRecord] = []
    orders: list[LinkCreationOrderRecord] = []
    entries = sorted(group.links.values(), key=lambda e: e.creation_order or 0)
    for entry in entries:
        heap_id = heap.add(_link_of(entry, group.track_order).encode(ctx))
        raw = entry.name.encode("utf-8", "surrogateescape")
        names.append(LinkNameRecord(lookup3(raw), heap_id))
        orders.append(LinkCreationOrderRecord(int(entry.creation_order or 0), heap_id))
    heap_address, blocks = heap.write(alloc)
    names.sort(key=lambda r: r.name_hash)
    name_index, more = build_btree_v2(names, 5, ctx, alloc)  # type: ignore[arg-type]
    blocks += more
    co_index = ctx.undefined_address
    if group.track_order:
        co_index, more = build_btree_v2(orders, 6, ctx, alloc)  # type: ignore[arg-type]
        blocks += more
    for address, blob in blocks:
        w._write(address, blob)
    group.old_structures = structures
    group.storage = "dense"
    _set_link_info(w, group, model, heap_address, name_index, co_index)


def _old_symbol_table(w: Any, group: GroupModel, model: Any) -> list[tuple[int, int]]:
    """The heap and SNODs of a symbol table loaded from disk (to release them)."""
    stab = group.extra.get("stab")
    if stab is None:
        slots = model.find(MessageType.SYMBOL_TABLE)
        if not slots:
            return []
        stab = decode_message(_as_message(slots[0]), w.ctx)
    ctx = w.ctx
    out: list[tuple[int, int]] = []
    if ctx.is_undefined(stab.heap_address):
        return out
    heap = LocalHeap.read(w.fs.source, ctx, stab.heap_address)
    out.append((stab.heap_address, HEAP_HEADER.size(ctx)))
    if len(heap.data):
        out.append((heap.data_address, len(heap.data)))
    snod_size = NODE_HEADER.size(ctx) + 2 * w.fs.superblock.group_leaf_k * ENTRY.size(ctx)
    if not ctx.is_undefined(stab.btree_address):
        for _, child in walk_btree_v1(w.fs.source, ctx, stab.btree_address, GROUP_NODE):
            out.append((child, snod_size))
    return out


def _as_message(slot: MessageSlot) -> Any:
    from ..format.object_header import HeaderMessage

    return HeaderMessage(slot.type, slot.flags, slot.body, slot.creation_order, 0)


def _write_symbol_table(w: Any, group: GroupModel, model: Any) -> None:
    ctx = w.ctx
    sb = w.fs.superblock
    if "stab" not in group.extra and not group.old_structures:
        group.old_structures = _old_symbol_table(w, group, model)
    for address, size in group.old_structures:
        w.allocator.release(address, size)
    entries: dict[bytes, SymbolTableEntry] = {}
    soft: dict[bytes, bytes] = {}
    for name, link in group.links.items():
        raw = name.encode("utf-8", "surrogateescape")
        entries[raw] = SymbolTableEntry(0, int(link.address or 0), 0)
        if link.kind == "soft":
            soft[raw] = (link.target or "").encode("utf-8", "surrogateescape")
    table = build_symbol_table(
        entries,
        ctx,
        w.allocator.allocate,
        leaf_k=sb.group_leaf_k,
        internal_k=sb.group_internal_k,
        soft_targets=soft,
    )
    for address, blob in table.blocks:
        w._write(address, blob)
    structures = [(address, len(blob)) for address, blob in table.blocks]
    root, heap_address = table.btree_address, table.heap_address
    group.old_structures = structures
    stab = SymbolTableMessage(root, heap_address)
    group.extra["stab"] = stab
    model.set(MessageType.SYMBOL_TABLE, stab.encode(ctx))


def _convert_to_link_messages(w: Any, group: GroupModel, model: Any) -> None:
    """libhdf5's conversion of an old-style group: link info, group info, link messages."""
    old = group.old_structures or _old_symbol_table(w, group, model)
    for address, size in old:
        w.allocator.release(address, size)
    group.old_structures = []
    group.extra.pop("stab", None)
    for slot in model.find(MessageType.SYMBOL_TABLE):
        model.remove(slot)
    undef = w.ctx.undefined_address
    linfo = LinkInfo(0, None, undef, undef, None)
    model.add(MessageSlot(MessageType.LINK_INFO, linfo.encode(w.ctx)))
    model.add(
        MessageSlot(MessageType.GROUP_INFO, GroupInfo(0, None, None, None, None).encode(w.ctx), 0)
    )
    group.storage = "compact"


def _write_link_messages(w: Any, group: GroupModel, model: Any) -> None:
    """Link messages in the header (compact storage)."""
    ctx = w.ctx
    for slot in model.find(MessageType.LINK):
        model.remove(slot)
    undef = ctx.undefined_address
    if group.storage == "dense" or group.track_order:
        _set_link_info(w, group, model, undef, undef, undef)
    group.storage = "compact"
    model.set(MessageType.GROUP_INFO, GroupInfo(0, None, None, None, None).encode(ctx), 0x01)
    for entry in group.links.values():
        model.add(MessageSlot(MessageType.LINK, _link_of(entry, group.track_order).encode(ctx)))
