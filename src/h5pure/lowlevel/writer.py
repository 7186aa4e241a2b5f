"""The write session of a file: models of changed objects, the allocator, and the commit.

Everything that changes metadata goes through :class:`Writer`.  Objects live as models
(:mod:`.model`) until :meth:`Writer.commit`, the one commit point, serializes them in a fixed
order: link storage, chunk indexes, heap collections, object headers, and the superblock
last (its end-of-file address covers everything written before it).  Raw data is written
straight to allocated space as it arrives; metadata never is.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Any

from ..errors import FormatError
from ..format.context import FormatContext
from ..format.messages import MessageType
from ..format.messages.link import GroupInfo, LinkInfo
from ..format.messages.misc import ModificationTime, RefCount, encode_driver_info_block
from ..format.messages.symbols import SymbolTableMessage
from ..format.object_header import (
    HeaderMessage,
    encode_header,
    encode_object_header,
    encoded_message_size,
    read_object_header,
)
from ..format.superblock import encode_superblock
from ..format.symbol_table import SymbolTableEntry
from .allocator import Allocator
from .attributes import AttributeTable, attribute_name
from .attrwriter import header_slots, write_attribute_storage
from .create import FormatVersions, contiguous_layout, format_versions, libver_of_superblock
from .datawriter import write_chunk_index
from .file import FileState
from .groupwriter import write_group_storage
from .heapwriter import GlobalHeapWriter
from .links import LinkEntry, append_link, read_links
from .model import GroupModel, MessageSlot, ObjectModel
from .objects import ObjectInfo

_DROPPED_ON_LOAD = (MessageType.NIL, MessageType.CONTINUATION)
V1_PREFIX_SIZE = 16
H5O_MIN_SIZE_V1 = 24
GROUP_AREA_V2 = 224
"""Message area libhdf5 gives a new group header with creation order tracked."""
ATTR_CRT_ORDER_TRACKED = 0x04
ATTR_CRT_ORDER_INDEXED = 0x08
STORE_TIMES = 0x20
"""Smallest message area of a new v1 header (``H5O_MIN_SIZE`` rounded to 8)."""


class Writer:
    """The mutable state of a file opened for writing."""

    def __init__(self, fs: FileState, libver: tuple[str, str]) -> None:
        self.fs = fs
        # the file grows while it is written: the end-of-file bound of the opening
        # superblock no longer limits where structures may lie
        fs.ctx = replace(fs.ctx, eof_address=None)
        self.ctx: FormatContext = fs.ctx
        self.libver = libver
        self.versions: FormatVersions = format_versions(libver[0])
        """Structure versions for new objects, from the low bound (an opened file keeps its
        own format: see :func:`open_for_writing`)."""
        eoa = fs.superblock.eof_address - fs.superblock.base_address
        self.allocator = Allocator(eoa=max(eoa, 0))
        self.objects: dict[int, ObjectModel] = {}
        self.groups: dict[int, GroupModel] = {}
        self.chunks: dict[int, Any] = {}
        """Dataset address -> the writer's chunk table (lowlevel.datawriter)."""
        self.attr_stores: dict[int, Any] = {}
        """Object address -> attribute storage of a v2 header (lowlevel.attrwriter)."""
        self.heap = GlobalHeapWriter(self.ctx, self.allocator)
        self.lock = threading.RLock()
        self._pending: list[tuple[int, bytes]] | None = None
        """Writes held back by the commit, to be joined (see :meth:`_flush_pending`)."""
        self._unwritten: list[tuple[int, bytes]] = []
        """The held-back writes of a commit that failed, for the next commit."""

    # -- models ------------------------------------------------------------------------
    def object_model(self, address: int) -> ObjectModel:
        """The model of the object header at ``address``, loaded from disk on first use."""
        model = self.objects.get(address)
        if model is None:
            header = read_object_header(self.fs.source, self.ctx, address)
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
            self.objects[address] = model
        return model

    def group_model(self, address: int) -> GroupModel:
        """The links of the group at ``address``, loaded from disk on first use."""
        model = self.groups.get(address)
        if model is None:
            info = ObjectInfo(self.fs, address)
            table = read_links(self.fs, info)
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
            if storage == "dense":
                # released when the links are written again
                from .attrwriter import dense_blocks

                linfo = info.first(MessageType.LINK_INFO)
                model.old_structures = dense_blocks(
                    self,
                    linfo.fractal_heap_address,
                    linfo.name_index_address,
                    linfo.creation_order_index_address,
                )
            self.groups[address] = model
        return model

    def _is_dense(self, info: ObjectInfo) -> bool:
        linfo = info.first(MessageType.LINK_INFO)
        return linfo is not None and not self.ctx.is_undefined(linfo.fractal_heap_address)

    def invalidate(self, address: int) -> None:
        """Forget every derived view of the object at ``address`` (after a change)."""
        cache = self.fs.cache
        with self.fs.cache_lock:
            for kind in ("links", "attrs", "dataset"):
                cache.pop((kind, address), None)

    # -- links ---------------------------------------------------------------------------
    def add_link(self, group: int, entry: LinkEntry) -> None:
        model = self.group_model(group)
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
        with self.fs.cache_lock:
            # the memoized link table stays current when the link goes last in its order
            table = self.fs.cache.get(("links", group))
            if table is None or not append_link(table, entry):
                self.fs.cache.pop(("links", group), None)

    def release_object(self, address: int) -> None:
        """Drop one hard link to the object at ``address``; when none is left, release its
        header, its raw data and (for groups) everything only it links to."""
        from .dataset import DatasetStorage
        from .datawriter import chunk_store

        model = self.object_model(address)
        model.refcount -= 1
        model.touch()
        if model.refcount > 0:
            return
        info = ObjectInfo(self.fs, address)
        kind = info.kind
        if kind == "group":
            group = self.group_model(address)
            for entry in list(group.links.values()):
                if entry.kind == "hard" and entry.address is not None:
                    self.release_object(int(entry.address))
            if group.storage == "symbol_table":
                from .groupwriter import _old_symbol_table

                old = group.old_structures or _old_symbol_table(self, group, model)
                for block in old:
                    self.allocator.release(*block)
            elif group.storage == "dense":
                for block in group.old_structures:
                    self.allocator.release(*block)
            self.groups.pop(address, None)
        elif kind == "dataset":
            committed = info.committed_datatype_address()
            if committed is not None:
                # the dataset held one reference to its committed datatype
                self.release_object(committed)
            storage = DatasetStorage(self.fs, info)
            if storage.layout_class == "contiguous":
                layout = storage.layout
                if layout.address is not None and not self.ctx.is_undefined(layout.address):
                    self.allocator.release(int(layout.address), int(layout.size or 0))
            elif storage.layout_class == "chunked":
                store = chunk_store(self, storage)
                for chunk_address, size, _ in store.entries.values():
                    self.allocator.release(chunk_address, size)
                for block in store.old_index:
                    self.allocator.release(*block)
                self.chunks.pop(address, None)
        from .attrwriter import release_attribute_storage

        release_attribute_storage(self, model)
        total0 = model.chunk0_total or V1_PREFIX_SIZE + model.chunk0_size
        self.allocator.release(address, total0)
        for block in model.continuation_chunks:
            self.allocator.release(*block)
        del self.objects[address]
        self.invalidate(address)

    def remove_link(self, group: int, name: str) -> LinkEntry:
        model = self.group_model(group)
        try:
            entry = model.links.pop(name)
        except KeyError:
            raise KeyError(
                "Couldn't delete link (callback link pointer is NULL "
                "(specified link may be '.' or not exist))"
            ) from None
        model.dirty = True
        with self.fs.cache_lock:
            table = self.fs.cache.get(("links", group))
            if table is not None:
                table.entries.pop(name, None)  # the others keep their order
        return entry

    # -- attributes -----------------------------------------------------------------------
    def _attribute_slot(self, model: ObjectModel, name: str) -> MessageSlot | None:
        for slot in model.find(MessageType.ATTRIBUTE):
            if attribute_name(self.fs, slot.flags, slot.body) == name:
                return slot
        return None

    def set_attribute(self, address: int, name: str, body: bytes, in_place: bool = False) -> None:
        """Create or replace the attribute ``name`` of the object at ``address``; a v2
        header replaces by deleting and creating again unless ``in_place`` (h5py's
        ``modify``), and switches between compact and dense storage as libhdf5 does."""
        model = self.object_model(address)
        if model.version > 1:
            from . import attrwriter

            attrwriter.set_attribute(self, model, name, body, in_place)
            self.invalidate(address)
            return
        if len(body) > 0xFFFF:
            raise OSError(
                "Unable to synchronously create attribute (object header message is too large)"
            )
        # v1 headers (the earliest format without creation order) keep attributes compact
        slot = self._attribute_slot(model, name)
        if slot is not None:
            slot.body = body
            model.touch()
        else:
            model.add(MessageSlot(MessageType.ATTRIBUTE, body))
        table = self.fs.cache.get(("attrs", address))
        self.invalidate(address)
        if table is not None:
            self._patch_attribute_table(address, table, name, body)

    def _patch_attribute_table(
        self, address: int, table: AttributeTable, name: str, body: bytes
    ) -> None:
        """Keep the memoized attribute table of a v1 header (name order, compact only)
        current after ``name`` was set to ``body``, rather than decode it all again."""
        if table.track_order:
            return
        if attribute_name(self.fs, 0, body) != name:
            return
        table.set_message(name, HeaderMessage(MessageType.ATTRIBUTE, 0, body, None, 0))
        with self.fs.cache_lock:
            self.fs.cache.setdefault(("attrs", address), table)

    def delete_attribute(self, address: int, name: str) -> bool:
        model = self.object_model(address)
        if model.version > 1:
            from . import attrwriter

            done = attrwriter.delete_attribute(self, model, name)
            if done:
                self.invalidate(address)
            return done
        slot = self._attribute_slot(model, name)
        if slot is None:
            return False
        model.remove(slot)
        self.invalidate(address)
        return True

    # -- creating objects ------------------------------------------------------------------
    def new_object(
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
        version = 2 if track_order or self.versions.new_style else 1
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
        area = sum(encoded_message_size(len(sl.body), version, flags) for sl in slots)
        area = max(area, min_area, H5O_MIN_SIZE_V1)
        total = V1_PREFIX_SIZE + area
        if version == 2:
            total = len(encode_object_header(self.ctx, 2, [], area, flags=flags, times=times))
        address = self.allocator.allocate(total)
        model = ObjectModel(
            address=address,
            version=version,
            chunk0_size=area,
            slots=slots,
            chunk0_total=total,
            flags=flags,
            times=times,
        )
        self.objects[address] = model
        return model

    def store_initial_data(self, model: ObjectModel, raw: memoryview) -> None:
        """Place the complete raw data of a contiguous dataset created with its values
        (``raw``: the bytes of every element): allocated and written at once, as the late
        allocation of its first, complete write does, and the layout pointed at it."""
        nbytes = raw.nbytes
        address = self.allocator.allocate(max(nbytes, 1))
        self.fs.driver.write(self.ctx.base_address + address, raw)
        model.set(MessageType.LAYOUT, contiguous_layout(self.ctx, address, nbytes))

    def new_group(self, parent: int | None, name: str | None, track_order: bool = False) -> int:
        """Create an empty group and link it as ``parent/name``: a symbol table, or with
        ``track_order`` link messages with creation order (libhdf5's "new style")."""
        ctx = self.ctx
        undef = ctx.undefined_address
        if track_order:
            slots = [
                MessageSlot(MessageType.LINK_INFO, LinkInfo(3, 0, undef, undef, undef).encode(ctx)),
                MessageSlot(
                    MessageType.GROUP_INFO, GroupInfo(0, None, None, None, None).encode(ctx), 0x01
                ),
            ]
            model = self.new_object(slots, min_area=GROUP_AREA_V2, track_order=True)
            self.groups[model.address] = GroupModel(model.address, {}, "compact", track_order=True)
        elif self.versions.new_style:
            slots = [
                MessageSlot(
                    MessageType.LINK_INFO, LinkInfo(0, None, undef, undef, None).encode(ctx)
                ),
                MessageSlot(
                    MessageType.GROUP_INFO, GroupInfo(0, None, None, None, None).encode(ctx), 0x01
                ),
            ]
            model = self.new_object(slots)
            self.groups[model.address] = GroupModel(model.address, {}, "compact")
        else:
            stab = SymbolTableMessage(undef, undef)
            model = self.new_object([MessageSlot(MessageType.SYMBOL_TABLE, stab.encode(ctx))])
            # "stab": no structures on disk yet to release at the commit
            self.groups[model.address] = GroupModel(
                model.address, {}, "symbol_table", extra={"stab": stab}
            )
        if parent is not None and name is not None:
            self.add_link(parent, LinkEntry(name, "hard", address=model.address))
        return model.address

    # -- the commit point --------------------------------------------------------------
    def commit(self) -> None:
        """Serialize every change: link storage, chunk indexes, heaps, headers, superblock."""
        with self.lock:
            fs = self.fs
            # the metadata below is new (nothing reads it back here); a failed commit's
            # writes go first
            self._pending, self._unwritten = self._unwritten, []
            try:
                for group in list(self.groups.values()):
                    if group.dirty:
                        write_group_storage(self, group)
                for address, store in self.chunks.items():
                    if store.dirty:
                        write_chunk_index(self, address, store)
                write_attribute_storage(self)
                for address, data in self.heap.flush():
                    self._write(address, data)
                    fs._gheaps.pop(address)
                for model in list(self.objects.values()):
                    if model.dirty:
                        self._write_header(model)
            finally:
                self._flush_pending()
            self._write_superblock()
            fs.driver.flush()
            self.allocator.commit()

    def _write(self, address: int, data: bytes) -> None:
        pending = self._pending
        if pending is not None:
            pending.append((address, data))
        else:
            self.fs.driver.write(self.ctx.base_address + address, data)

    def _flush_pending(self) -> None:
        """Write the metadata gathered by the commit: sorted by address, neighbours joined
        into one write (new objects lie side by side), in their order if any overlap."""
        pending, self._pending = self._pending or [], None
        ordered = sorted(pending, key=lambda p: p[0])
        if any(a + len(d) > b for (a, d), (b, _) in zip(ordered, ordered[1:])):
            ordered = pending
        run: list[bytes] = []
        start = end = -1
        try:
            for address, data in ordered:
                if address != end and run:
                    self._write(start, b"".join(run))
                    run = []
                if not run:
                    start = end = address
                run.append(data)
                end += len(data)
            if run:
                self._write(start, b"".join(run))
        except BaseException:
            # the models are clean already: the next commit writes these bytes again
            self._unwritten = pending
            raise

    def _write_header(self, model: ObjectModel) -> None:
        if model.version > 1:
            # v2 headers keep a reference count above 1 in a message (IV.A.2.w)
            for slot in model.find(MessageType.REFCOUNT):
                model.slots.remove(slot)
            if model.refcount > 1:
                count = RefCount(model.refcount).encode()
                model.slots.append(MessageSlot(MessageType.REFCOUNT, count, 0x04))
            model.touch()  # the slots changed (the header is written below)
        slots = header_slots(self, model)
        for address, size in model.continuation_chunks:
            self.allocator.release(address, size)
        chunks = encode_header(
            self.ctx,
            model.version,
            slots,
            model.chunk0_size,
            model.address,
            self.allocator.allocate,
            refcount=model.refcount,
            flags=model.flags,
            times=model.times,
        )
        model.continuation_chunks = [(address, len(blob)) for address, blob in chunks[1:]]
        for address, blob in chunks:
            self._write(address, blob)
        model.dirty = False

    def _write_superblock(self) -> None:
        fs = self.fs
        sb = fs.superblock
        root_entry = sb.root_entry
        if root_entry is not None:
            group = self.groups.get(sb.root_object_header_address)
            if group is not None and group.storage == "symbol_table":
                stab = group.extra.get("stab")
                if stab is not None:
                    root_entry = SymbolTableEntry(
                        0, sb.root_object_header_address, 1, stab.btree_address, stab.heap_address
                    )
        sb = replace(sb, eof_address=self.allocator.eoa + sb.base_address, root_entry=root_entry)
        fs.superblock = sb
        self._write(0, encode_superblock(sb))
        if sb.driver_info is not None and not self.ctx.is_undefined(sb.driver_info_address):
            self._write(sb.driver_info_address, encode_driver_info_block(sb.driver_info))
        # the physical file must reach the end-of-file address
        end = sb.eof_address
        if fs.driver.size() < end:
            fs.driver.write(end - 1, b"\0")
        fs.source.refresh_size()

    def close(self) -> None:
        """Commit, then cut the file at its end-of-file address, as libhdf5 does."""
        self.commit()
        end = self.fs.superblock.eof_address
        if self.fs.driver.size() > end:
            self.fs.driver.truncate(end)


def create_file(
    driver: Any,
    filename: str,
    userblock_size: int,
    libver: tuple[str, str],
    track_order: bool = False,
) -> FileState:
    """A new, empty HDF5 file on ``driver``, written at the first commit: superblock v0 and
    an empty root group, as h5py creates it with its default (earliest) format, or with a
    low bound of v108 and newer superblock v2/v3 (checksummed, the root object header
    address in place of the root symbol table entry)."""
    from ..format.superblock import Superblock

    ctx = FormatContext(8, 8, userblock_size)
    undef = ctx.undefined_address
    sb_version = format_versions(libver[0]).superblock
    probe = Superblock(
        version=sb_version,
        size_of_offsets=8,
        size_of_lengths=8,
        base_address=userblock_size,
        group_leaf_k=4,
        group_internal_k=16,
        indexed_storage_k=32,
        flags=0,
        free_space_address=undef,
        extension_address=undef,
        eof_address=userblock_size,
        driver_info_address=undef,
        root_object_header_address=0,
        root_entry=SymbolTableEntry(0, 0, 1, undef, undef) if sb_version < 2 else None,
        encoded_size=0,
    )
    sb_size = len(encode_superblock(probe))
    probe = replace(probe, encoded_size=sb_size)
    block = b""
    dinfo = driver.driver_info() if sb_version < 2 else None
    if dinfo is not None:
        # H5F__super_init: the driver info block follows the v0/v1 superblock (II.B)
        from ..format.messages.misc import make_driver_info

        info = make_driver_info(dinfo[0].encode("ascii"), dinfo[1])
        block = encode_driver_info_block(info)
        probe = replace(probe, driver_info_address=sb_size, driver_info=info)
    fs = FileState(driver, filename, probe)
    writer = Writer(fs, libver)
    writer.allocator.eoa = 0
    writer.allocator.allocate(sb_size + len(block))
    ext_info = driver.driver_info() if sb_version >= 2 else None
    if ext_info is not None:
        # H5F__super_init: a v2/v3 superblock keeps the driver information as a driver
        # info message in the superblock extension, created right after the superblock
        # (libhdf5 stamps its times); the extension never changes afterwards
        from ..format.messages.misc import encode_driver_info, make_driver_info

        body = encode_driver_info(make_driver_info(ext_info[0].encode("ascii"), ext_info[1]))
        slot = MessageSlot(MessageType.DRIVER_INFO, body, 0x04)  # 0x04: never shared
        ext = writer.new_object([slot], track_times=True)
        fs.superblock = replace(fs.superblock, extension_address=ext.address)
    root = writer.new_group(None, None, track_order)
    fs.superblock = replace(
        fs.superblock,
        root_object_header_address=root,
        root_entry=SymbolTableEntry(0, root, 1, undef, undef) if sb_version < 2 else None,
    )
    fs.writer = writer
    return fs


def open_for_writing(fs: FileState, libver: tuple[str, str]) -> None:
    """Attach a writer to an existing file opened read/write.  New objects get at least the
    format the file already has (a file written with a v108+ low bound stays new-style)."""
    from .create import LIBVER_ORDER

    low = max(libver[0], libver_of_superblock(fs.superblock.version), key=LIBVER_ORDER.index)
    fs.writer = Writer(fs, (low, libver[1]))
