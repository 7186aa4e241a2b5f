"""The links of a group, whatever its storage: symbol table (v1 B-tree + local heap),
compact link messages, or dense storage (fractal heap + v2 B-tree name index)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import FormatError
from ..format.btree_v1 import (
    GROUP_NODE,
    node_size,
    symbol_table_node_span,
    symbol_table_nodes,
)
from ..format.context import prefetch
from ..format.local_heap import HEADER as HEAP_HEADER
from ..format.local_heap import LocalHeap
from ..format.messages import MessageType, decode_message
from ..format.object_header import HeaderMessage
from ..format.records import SlottedRecord
from ..format.symbol_table import read_symbol_table_node_entries

if TYPE_CHECKING:
    from .file import FileState
    from .objects import ObjectInfo


class LinkEntry(SlottedRecord):
    """One link of a group (immutable by convention: a slotted class, built for every
    link a listing reads)."""

    __slots__ = ("name", "kind", "address", "target", "external_file", "creation_order")

    name: str
    kind: str
    """"hard", "soft", "external" or "user"."""
    address: int | None
    """Object header address (hard links)."""
    target: str | None
    """Path (soft links; object path inside the other file for external links)."""
    external_file: str | None
    """File name (external links)."""
    creation_order: int | None

    def __init__(
        self,
        name: str,
        kind: str,
        address: int | None = None,
        target: str | None = None,
        external_file: str | None = None,
        creation_order: int | None = None,
    ) -> None:
        self.name = name
        self.kind = kind
        self.address = address
        self.target = target
        self.external_file = external_file
        self.creation_order = creation_order


@dataclass(frozen=True)
class LinkTable:
    """A group's links in h5py's iteration order."""

    entries: dict[str, LinkEntry]
    track_order: bool
    """Creation order is tracked (and so is the iteration order)."""


def decode_name(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def read_links(fs: FileState, obj: ObjectInfo) -> LinkTable:
    """Every link of the group ``obj``, in name order or (when tracked) creation order."""
    model = fs.writer.groups.get(obj.address) if fs.writer is not None else None
    if model is not None:
        return _ordered(list(model.links.values()), model.track_order)
    stab = obj.first(MessageType.SYMBOL_TABLE)
    if stab is not None:
        return LinkTable(_symbol_table_links(fs, stab), track_order=False)
    linfo = obj.first(MessageType.LINK_INFO)
    track = bool(linfo is not None and linfo.flags & 0x01)
    links: list[LinkEntry] = [_entry(rec) for rec in obj.all(MessageType.LINK)]
    if linfo is not None and not fs.ctx.is_undefined(linfo.fractal_heap_address):
        links.extend(_dense_links(fs, linfo))
    return _ordered(links, track)


def find_link(fs: FileState, group: ObjectInfo, name: str) -> LinkEntry | None:
    """The link ``name`` of ``group``: straight from the write session's links when it
    holds the group (no ordered table to build after each insert), else from the group's
    :class:`LinkTable` (read once per change)."""
    writer = fs.writer
    if writer is not None:
        model = writer.groups.get(group.address)
        if model is not None:
            return model.links.get(name)
    return fs.links(group).entries.get(name)


def _name_key(name: str) -> bytes:
    return name.encode("utf-8", "surrogateescape")


def _ordered(links: list[LinkEntry], track: bool) -> LinkTable:
    if track and all(e.creation_order is not None for e in links):
        links = sorted(links, key=lambda e: e.creation_order or 0)
    else:
        links = sorted(links, key=lambda e: _name_key(e.name))
    return LinkTable({e.name: e for e in links}, track_order=track)


def append_link(table: LinkTable, entry: LinkEntry) -> bool:
    """Add a new link to ``table`` in place when it belongs last in the table's order (a
    name after every other, or the newest creation order), as names created in order do:
    O(1) instead of ordering the whole group again.  False (table unchanged) otherwise."""
    entries = table.entries
    if entry.name in entries:
        return False
    if entries:
        last = entries[next(reversed(entries))]
        if table.track_order and last.creation_order is not None:
            if entry.creation_order is None or entry.creation_order <= last.creation_order:
                return False
        elif _name_key(entry.name) <= _name_key(last.name):
            return False
    entries[entry.name] = entry
    return True


def _entry(rec: object) -> LinkEntry:
    name = rec.name  # type: ignore[attr-defined]
    if isinstance(name, bytes):
        name = decode_name(name)
    return LinkEntry(
        name=name,
        kind=rec.kind,  # type: ignore[attr-defined]
        address=rec.address,  # type: ignore[attr-defined]
        target=rec.target,  # type: ignore[attr-defined]
        external_file=rec.external_file,  # type: ignore[attr-defined]
        creation_order=rec.creation_order,  # type: ignore[attr-defined]
    )


def _symbol_table_links(fs: FileState, stab: object) -> dict[str, LinkEntry]:
    heap_address: int = stab.heap_address  # type: ignore[attr-defined]
    btree_address: int = stab.btree_address  # type: ignore[attr-defined]
    source, ctx = fs.source, fs.ctx
    remote = source.driver.batched_reads  # (local files take no hints: no read for them)
    if remote:
        # the heap and the B-tree's root are read one after the other: fetch both at once
        # (the root's size: a full node of libhdf5's default K)
        prefetch(
            source,
            [(heap_address, HEAP_HEADER.size(ctx)), (btree_address, node_size(ctx, GROUP_NODE, 16))],
        )
    nodes = symbol_table_nodes(source, ctx, btree_address)
    if remote:  # then the nodes and the heap's names together
        span = symbol_table_node_span(ctx)
        ranges = [(a, span) for a in nodes]
        data_address, data_size = LocalHeap.data_segment(source, ctx, heap_address)
        if data_size and not ctx.is_undefined(data_address):
            ranges.append((data_address, data_size))
        prefetch(source, ranges)
    heap = LocalHeap.read(source, ctx, heap_address)
    out: dict[str, LinkEntry] = {}
    data = heap.data
    size = len(data)
    seen: set[int] = set()
    groups: set[int] = set()
    for node in nodes:
        if node in seen:
            raise FormatError(
                f"v1 B-tree at 0x{btree_address:x}: symbol table node 0x{node:x} "
                "referenced twice"
            )
        seen.add(node)
        for name_offset, address, cache_type, scratch in read_symbol_table_node_entries(
            source, ctx, node
        ):
            end = data.find(b"\0", name_offset) if 0 <= name_offset < size else -1
            if end < 0:
                heap.string_at(name_offset)  # raises the error naming the offset
            name = decode_name(data[name_offset:end])
            if cache_type == 2:
                target = decode_name(heap.string_at(int.from_bytes(scratch[:4], "little")))
                out[name] = LinkEntry(name, "soft", target=target)
            else:
                if cache_type == 1:
                    groups.add(address)
                out[name] = LinkEntry(name, "hard", address)
    if fs.writer is None:  # (a writer may reuse a deleted group's address)
        fs.cached_stab.update(groups)
    return out


def _dense_links(fs: FileState, linfo: object) -> list[LinkEntry]:
    # dense link storage: imported here, as most groups keep links in the header
    from ..format.btree_v2 import BTreeV2, LinkNameRecord
    from ..format.fractal_heap import FractalHeap

    heap = FractalHeap.open(fs.source, fs.ctx, linfo.fractal_heap_address)  # type: ignore[attr-defined]
    tree = BTreeV2.open(fs.source, fs.ctx, linfo.name_index_address)  # type: ignore[attr-defined]
    out = []
    for rec in tree.records():
        if not isinstance(rec, LinkNameRecord):
            raise FormatError(
                f"link name index at 0x{linfo.name_index_address:x} holds "  # type: ignore[attr-defined]
                f"{type(rec).__name__} records, not link names"
            )
        data = heap.get(rec.heap_id)
        msg = HeaderMessage(
            type=MessageType.LINK, flags=0, data=data, creation_order=None, address=0
        )
        out.append(_entry(decode_message(msg, fs.ctx)))
    return out
