"""An object's attributes as libhdf5 indexes them (for ``h5a``): their native order,
their creation order indices and the committed datatypes they use.

h5pure's :class:`~h5pure.hl.AttributeManager` lists attributes in h5py's order (by name,
or by creation order when it is tracked).  libhdf5's low-level calls also take an index
type and an order, report each attribute's creation index and tell whether its datatype
is a committed one: this module reads those from the object header the way
:func:`h5pure.lowlevel.attributes.read_attributes` does -- compact attribute messages in
header order, then dense storage in its name index's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..format.btree_v2 import AttributeNameRecord, BTreeV2
from ..format.fractal_heap import FractalHeap
from ..format.messages import MessageType, decode_message
from ..format.messages.shared import SharedMessage
from ..format.object_header import HeaderMessage
from ..lowlevel.objects import resolve_shared

INDEX_NAME = 0
INDEX_CRT_ORDER = 1
ITER_INC = 0
ITER_DEC = 1
ITER_NATIVE = 2

_MAX_CRT_ORDER_IDX = 65535
"""libhdf5's ``H5O_MAX_CRT_ORDER_IDX``: the creation index of an attribute that has none."""


@dataclass(frozen=True)
class StoredAttribute:
    """One attribute message of an object, in storage order."""

    name: str
    corder: int
    """libhdf5's creation index: the stored one when the object tracks creation order, the
    message's position among the compact attribute messages when it does not (libhdf5's
    stand-in), ``65535`` (not valid) for dense attributes of an untracked object."""
    message: HeaderMessage

    @property
    def corder_valid(self) -> bool:
        """Whether ``corder`` is a creation index (libhdf5's ``corder_valid``)."""
        return self.corder != _MAX_CRT_ORDER_IDX

    def record(self, fs: Any) -> Any:
        """The decoded attribute message (a message shared whole resolved; its datatype
        left as the :class:`SharedMessage` it may be)."""
        rec = decode_message(self.message, fs.ctx)
        if isinstance(rec, SharedMessage):
            rec = resolve_shared(fs, rec, MessageType.ATTRIBUTE)
        return rec


def stored_attributes(obj: Any) -> list[StoredAttribute]:
    """The attributes of the h5pure object ``obj`` in libhdf5's native order: the compact
    messages in header order, then the dense ones in name index order."""
    fs, info = obj._fs, obj._info
    tracked = bool(info.header.version >= 2 and info.tracks_attribute_order)
    out: list[StoredAttribute] = []
    for seq, raw in enumerate(info.raw(MessageType.ATTRIBUTE)):
        corder = raw.creation_order if tracked and raw.creation_order is not None else seq
        out.append(StoredAttribute(_name(fs, raw), int(corder), raw))
    ainfo = info.first(MessageType.ATTRIBUTE_INFO)
    if ainfo is not None and not fs.ctx.is_undefined(ainfo.fractal_heap_address):
        heap = FractalHeap.open(fs.source, fs.ctx, ainfo.fractal_heap_address)
        tree = BTreeV2.open(fs.source, fs.ctx, ainfo.name_index_address)
        for r in tree.records():
            if not isinstance(r, AttributeNameRecord):
                continue  # read_attributes reports such an index when the table is built
            msg = HeaderMessage(MessageType.ATTRIBUTE, 0, heap.get(r.heap_id), None, 0)
            out.append(StoredAttribute(_name(fs, msg), int(r.creation_order), msg))
    return out


def _name(fs: Any, msg: HeaderMessage) -> str:
    rec = decode_message(msg, fs.ctx)
    if isinstance(rec, SharedMessage):
        rec = resolve_shared(fs, rec, MessageType.ATTRIBUTE)
    name = rec.name
    return name if isinstance(name, str) else bytes(name).decode("utf-8", "surrogateescape")


def ordered(obj: Any, index_type: int, order: int) -> list[StoredAttribute]:
    """The attributes of ``obj`` in the order libhdf5 gives for ``index_type``
    (``h5.INDEX_NAME``, ``INDEX_CRT_ORDER``) and ``order`` (``h5.ITER_INC``, ``ITER_DEC``,
    ``ITER_NATIVE``)."""
    index_type, order = int(index_type), int(order)
    if index_type not in (INDEX_NAME, INDEX_CRT_ORDER) or order not in (
        ITER_INC,
        ITER_DEC,
        ITER_NATIVE,
    ):
        raise ValueError("Invalid index type specified (invalid index type specified)")
    found = stored_attributes(obj)
    if index_type == INDEX_NAME:
        if order == ITER_NATIVE:
            return found
        return sorted(
            found,
            key=lambda a: a.name.encode("utf-8", "surrogateescape"),
            reverse=order == ITER_DEC,
        )
    # libhdf5 sorts by creation index (equal ones, dense attributes of an untracked
    # object, keep their native order); its native creation order is increasing
    return sorted(found, key=lambda a: a.corder, reverse=order == ITER_DEC)


def committed_type_address(obj: Any, name: str) -> int | None:
    """The address of the committed datatype the attribute ``name`` of ``obj`` uses;
    None when its datatype is its own."""
    fs = obj._fs
    for attr in stored_attributes(obj):
        if attr.name == name:
            datatype = attr.record(fs).datatype
            if isinstance(datatype, SharedMessage) and datatype.address is not None:
                return int(datatype.address)
            return None
    return None
