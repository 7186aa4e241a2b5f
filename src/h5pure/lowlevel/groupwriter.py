"""Link storage on write: rebuild a group's symbol table (v1 B-tree + SNODs + local heap)
or its link messages at the commit point.

A symbol-table group that receives an external link or a non-ASCII name is converted to
link messages in its (v1) object header, as libhdf5 converts it (``H5G__obj_insert``).
Link-message groups switch to dense storage (fractal heap + v2 B-tree name index, plus a
creation-order index when it is tracked) when a link is added to ``max_compact`` of them,
and back to link messages when one removed leaves fewer than ``min_dense`` (the group info
message's values, 8 and 6 by default), link by link as ``H5G__obj_insert`` and
``H5G__obj_remove_update_linfo`` change phase; the structures are written at the commit.
Non-default values are stored in the group info message and make the group new-style
(link messages) whatever the ``libver``, as libhdf5 does.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..format.btree_v1 import GROUP_NODE, build_symbol_table, walk_btree_v1
from ..format.btree_v2 import LinkCreationOrderRecord, LinkNameRecord, build_btree_v2
from ..format.checksum import lookup3
from ..format.fractal_heap import LINK_HEAP_PARAMS, FractalHeapWriter
from ..format.local_heap import HEADER as HEAP_HEADER
from ..format.local_heap import LocalHeap
from ..format.messages import MessageType, decode_message
from ..format.messages.link import GroupInfo, Link, LinkInfo
from ..format.messages.symbols import SymbolTableMessage
from ..format.object_header import HeaderMessage
from ..format.symbol_table import ENTRY, NODE_HEADER, SymbolTableEntry
from .attrwriter import dense_blocks
from .links import LinkEntry, append_link, read_links
from .model import GroupModel, MessageSlot, ObjectModel
from .objects import ObjectInfo

if TYPE_CHECKING:
    from .core import SessionCore

MAX_COMPACT_LINKS = 8
MIN_DENSE_LINKS = 6
"""libhdf5's default group info phase change (``H5G_CRT_GINFO_MAX_COMPACT``/``MIN_DENSE``)."""
MAX_PHASE_VALUE = 65535
"""The phase change values are 16-bit fields of the group info message."""
GROUP_AREA_V2 = 224
"""Message area libhdf5 gives a new group header with creation order tracked."""


class GroupStore:
    """The links of the groups a write session changes, and how they are stored."""

    def __init__(self, core: SessionCore) -> None:
        self._core = core
        self._models: dict[int, GroupModel] = {}

    def get(self, address: int) -> GroupModel | None:
        """The links of the group at ``address`` when the session holds them (no load)."""
        return self._models.get(address)

    def load(self, address: int) -> GroupModel:
        """The links of the group at ``address``, loaded from disk on first use."""
        model = self._models.get(address)
        if model is None:
            fs = self._core.fs
            info = ObjectInfo(fs, address)
            table = read_links(fs, info)
            if info.has(MessageType.SYMBOL_TABLE):
                storage = "symbol_table"
            elif any(True for _ in info.raw(MessageType.LINK)) or not self._is_dense(info):
                storage = "compact"
            else:
                storage = "dense"
            orders = [
                e.creation_order for e in table.entries.values() if e.creation_order is not None
            ]
            model = GroupModel(
                address=address,
                links=dict(table.entries),
                storage=storage,
                track_order=table.track_order,
                next_creation_order=(max(orders) + 1) if orders else 0,
                dirty=False,
            )
            ginfo = info.first(MessageType.GROUP_INFO)
            if ginfo is not None and ginfo.flags & 0x01:
                model.max_compact, model.min_dense = ginfo.max_compact, ginfo.min_dense
            if storage == "dense":
                # released when the links are written again
                linfo = info.first(MessageType.LINK_INFO)
                model.old_structures = dense_blocks(
                    self._core,
                    linfo.fractal_heap_address,
                    linfo.name_index_address,
                    linfo.creation_order_index_address,
                )
            self._models[address] = model
        return model

    def _is_dense(self, info: ObjectInfo) -> bool:
        linfo = info.first(MessageType.LINK_INFO)
        return linfo is not None and not self._core.ctx.is_undefined(linfo.fractal_heap_address)

    def create(self, track_order: bool = False) -> int:
        """A new empty group: a symbol table, or with ``track_order`` link messages with
        creation order (libhdf5's "new style"); its object header address."""
        core = self._core
        ctx = core.ctx
        undef = ctx.undefined_address
        if track_order:
            slots = [
                MessageSlot(MessageType.LINK_INFO, LinkInfo(3, 0, undef, undef, undef).encode(ctx)),
                MessageSlot(
                    MessageType.GROUP_INFO, GroupInfo(0, None, None, None, None).encode(ctx), 0x01
                ),
            ]
            model = core.objects.new(slots, min_area=GROUP_AREA_V2, track_order=True)
            self._models[model.address] = GroupModel(model.address, {}, "compact", track_order=True)
        elif core.versions.new_style:
            slots = [
                MessageSlot(
                    MessageType.LINK_INFO, LinkInfo(0, None, undef, undef, None).encode(ctx)
                ),
                MessageSlot(
                    MessageType.GROUP_INFO, GroupInfo(0, None, None, None, None).encode(ctx), 0x01
                ),
            ]
            model = core.objects.new(slots)
            self._models[model.address] = GroupModel(model.address, {}, "compact")
        else:
            stab = SymbolTableMessage(undef, undef)
            model = core.objects.new([MessageSlot(MessageType.SYMBOL_TABLE, stab.encode(ctx))])
            # ``stab`` set: no structures on disk yet to release at the commit
            self._models[model.address] = GroupModel(model.address, {}, "symbol_table", stab=stab)
        return model.address

    def add_link(self, group: int, entry: LinkEntry) -> None:
        """Add the link ``entry`` to the group at ``group`` (its name must be new there)."""
        model = self.load(group)
        if entry.name in model.links:
            raise ValueError(
                f"Unable to synchronously create link (name already exists: '{entry.name}')"
            )
        if model.track_order or model.storage != "symbol_table":
            entry = LinkEntry(
                entry.name,
                entry.kind,
                entry.address,
                entry.target,
                entry.external_file,
                model.next_creation_order,
            )
            model.next_creation_order += 1
        model.links[entry.name] = entry
        model.dirty = True
        if model.storage == "compact" and len(model.links) > model.max_compact:
            model.storage = "dense"
        fs = self._core.fs
        with fs.cache_lock:
            # the link table read before stays current when the link goes last in its
            # order (names created in order): no re-sort of the whole group per insert
            views = fs.cached(group)
            if views is not None and views.links is not None:
                if not append_link(views.links, entry):
                    views.links = None

    def remove_link(self, group: int, name: str) -> LinkEntry:
        """Remove the link ``name`` of the group at ``group``; the link it was."""
        model = self.load(group)
        try:
            entry = model.links.pop(name)
        except KeyError:
            raise KeyError(
                "Couldn't delete link (callback link pointer is NULL "
                "(specified link may be '.' or not exist))"
            ) from None
        model.dirty = True
        if model.storage == "dense" and (not model.links or len(model.links) < model.min_dense):
            model.storage = "compact"
        fs = self._core.fs
        with fs.cache_lock:
            views = fs.cached(group)
            if views is not None and views.links is not None:
                views.links.entries.pop(name, None)  # the others keep their order
        return entry

    def release(self, address: int) -> None:
        """Give back the link storage of the group at ``address`` (being deleted; its
        members were released by the caller)."""
        group = self.load(address)
        allocator = self._core.allocator
        if group.storage == "symbol_table":
            model = self._core.objects.load(address)
            for block in group.old_structures or self._old_symbol_table(group, model):
                allocator.release(*block)
        else:  # dense storage on disk, if any, whatever the links were to become
            for block in group.old_structures:
                allocator.release(*block)
        del self._models[address]

    def root_entry_stab(self, address: int) -> SymbolTableMessage | None:
        """The symbol table this session wrote for the (root) group at ``address``, for
        the symbol table entry of a v0/v1 superblock; None when it wrote none."""
        group = self._models.get(address)
        if group is not None and group.storage == "symbol_table":
            return group.stab
        return None

    # -- the commit point ---------------------------------------------------------------
    def write_dirty(self) -> None:
        """Write the link storage of every changed group, releasing what it replaces."""
        for group in list(self._models.values()):
            if group.dirty:
                self._write(group)

    def _write(self, group: GroupModel) -> None:
        model = self._core.objects.load(group.address)
        if group.storage == "symbol_table" and (
            _needs_link_messages(group) or _phase_change_stored(group)
        ):
            self._convert_to_link_messages(group, model)
            if len(group.links) > group.max_compact:
                group.storage = "dense"
        if group.storage == "symbol_table":
            self._write_symbol_table(group, model)
        else:
            for address, size in group.old_structures:
                self._core.allocator.release(address, size)
            group.old_structures = []
            self._set_group_info(group, model)
            if group.storage == "dense":
                self._write_dense_links(group, model)
            else:
                self._write_link_messages(group, model)
        group.dirty = False

    def set_phase_change(self, address: int, max_compact: int, min_dense: int) -> None:
        """Store links of the group at ``address`` as link messages up to ``max_compact``
        of them, densely from then on down to ``min_dense`` (libhdf5's
        ``H5Pset_link_phase_change``; values other than 8 and 6 make the group new-style
        at the commit).  Its current links change phase now if they must."""
        if not 0 <= max_compact <= MAX_PHASE_VALUE:
            raise ValueError("max compact value must be < 65536")
        if not 0 <= min_dense <= max_compact + 1:
            raise ValueError("min dense value must be <= max compact value + 1")
        group = self.load(address)
        group.max_compact, group.min_dense = max_compact, min_dense
        group.dirty = True
        n = len(group.links)
        if group.storage == "compact" and n > max_compact:
            group.storage = "dense"
        elif group.storage == "dense" and (n == 0 or n < min_dense):
            group.storage = "compact"

    def _set_group_info(self, group: GroupModel, model: ObjectModel) -> None:
        """The group info message, holding the phase change values when they are not
        libhdf5's defaults (its estimates, if any, kept)."""
        ctx = self._core.ctx
        slots = model.find(MessageType.GROUP_INFO)
        old = decode_message(_as_message(slots[0]), ctx) if slots else None
        stored = _phase_change_stored(group)
        info = GroupInfo(
            ((old.flags if old is not None else 0) & ~0x01) | (0x01 if stored else 0),
            group.max_compact if stored else None,
            group.min_dense if stored else None,
            old.est_num_entries if old is not None else None,
            old.est_name_length if old is not None else None,
        )
        body = info.encode(ctx)
        if not slots or slots[0].body != body or slots[0].flags != 0x01:
            model.set(MessageType.GROUP_INFO, body, 0x01)

    def _set_link_info(
        self, group: GroupModel, model: ObjectModel, heap: int, name: int, co: int
    ) -> None:
        ctx = self._core.ctx
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

    def _write_dense_links(self, group: GroupModel, model: ObjectModel) -> None:
        """Links in a fractal heap indexed by name hash (v2 B-tree type 5) and, when
        creation order is indexed, by creation order (type 6)."""
        core = self._core
        ctx = core.ctx
        for slot in model.find(MessageType.LINK):
            model.remove(slot)
        structures: list[tuple[int, int]] = []

        def alloc(size: int) -> int:
            address = core.allocator.allocate(size)
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
            core.stage(address, blob)
        group.old_structures = structures
        group.storage = "dense"
        self._set_link_info(group, model, heap_address, name_index, co_index)

    def _old_symbol_table(self, group: GroupModel, model: ObjectModel) -> list[tuple[int, int]]:
        """The heap and SNODs of a symbol table loaded from disk (to release them)."""
        core = self._core
        ctx = core.ctx
        stab = group.stab
        if stab is None:
            slots = model.find(MessageType.SYMBOL_TABLE)
            if not slots:
                return []
            stab = decode_message(_as_message(slots[0]), ctx)
        out: list[tuple[int, int]] = []
        if ctx.is_undefined(stab.heap_address):
            return out
        source = core.fs.source
        heap = LocalHeap.read(source, ctx, stab.heap_address)
        out.append((stab.heap_address, HEAP_HEADER.size(ctx)))
        if len(heap.data):
            out.append((heap.data_address, len(heap.data)))
        leaf_k = core.fs.superblock.group_leaf_k
        snod_size = NODE_HEADER.size(ctx) + 2 * leaf_k * ENTRY.size(ctx)
        if not ctx.is_undefined(stab.btree_address):
            for _, child in walk_btree_v1(source, ctx, stab.btree_address, GROUP_NODE):
                out.append((child, snod_size))
        return out

    def _write_symbol_table(self, group: GroupModel, model: ObjectModel) -> None:
        core = self._core
        ctx = core.ctx
        sb = core.fs.superblock
        if group.stab is None and not group.old_structures:
            group.old_structures = self._old_symbol_table(group, model)
        for address, size in group.old_structures:
            core.allocator.release(address, size)
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
            core.allocator.allocate,
            leaf_k=sb.group_leaf_k,
            internal_k=sb.group_internal_k,
            soft_targets=soft,
        )
        for address, blob in table.blocks:
            core.stage(address, blob)
        group.old_structures = [(address, len(blob)) for address, blob in table.blocks]
        stab = SymbolTableMessage(table.btree_address, table.heap_address)
        group.stab = stab
        model.set(MessageType.SYMBOL_TABLE, stab.encode(ctx))

    def _convert_to_link_messages(self, group: GroupModel, model: ObjectModel) -> None:
        """libhdf5's conversion of an old-style group: link info, group info, link messages."""
        core = self._core
        for address, size in group.old_structures or self._old_symbol_table(group, model):
            core.allocator.release(address, size)
        group.old_structures = []
        group.stab = None
        for slot in model.find(MessageType.SYMBOL_TABLE):
            model.remove(slot)
        undef = core.ctx.undefined_address
        linfo = LinkInfo(0, None, undef, undef, None)
        model.add(MessageSlot(MessageType.LINK_INFO, linfo.encode(core.ctx)))
        model.add(
            MessageSlot(
                MessageType.GROUP_INFO, GroupInfo(0, None, None, None, None).encode(core.ctx), 0
            )
        )
        group.storage = "compact"

    def _write_link_messages(self, group: GroupModel, model: ObjectModel) -> None:
        """Link messages in the header (compact storage)."""
        ctx = self._core.ctx
        for slot in model.find(MessageType.LINK):
            model.remove(slot)
        undef = ctx.undefined_address
        self._set_link_info(group, model, undef, undef, undef)
        group.storage = "compact"
        for entry in group.links.values():
            model.add(MessageSlot(MessageType.LINK, _link_of(entry, group.track_order).encode(ctx)))


def _phase_change_stored(group: GroupModel) -> bool:
    """libhdf5 stores the phase change values (and makes the group new-style) when they
    are not its defaults."""
    return (group.max_compact, group.min_dense) != (MAX_COMPACT_LINKS, MIN_DENSE_LINKS)


def _needs_link_messages(group: GroupModel) -> bool:
    return any(e.kind not in ("hard", "soft") or not e.name.isascii() for e in group.links.values())


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


def _as_message(slot: MessageSlot) -> HeaderMessage:
    return HeaderMessage(slot.type, slot.flags, slot.body, slot.creation_order, 0)
