"""Object and region references: value classes and the decoding of on-disk reference data.

On-disk forms (HDF5 File Format Specification 4.0, IV.A.2.d class 7 and App. D; what
libhdf5 writes is in ``src/H5Tref.c`` and ``src/H5Rint.c``):

- old object reference (H5R_OBJECT1, ``h5py.ref_dtype``): the object header address,
  ``size_of_offsets`` bytes; 0 is the null reference;
- old region reference (H5R_DATASET_REGION1, ``h5py.regionref_dtype``): a global heap ID
  (address + u32 index) of a blob holding the object address followed by a serialized
  selection (:mod:`h5pure.format.selection_codec`); address 0 is the null reference;
- revised reference (H5T_STD_REF, 1.12+): ``u8 type, u8 flags, u32 blob size`` followed
  by a global heap ID.  The blob is ``u8 token size + token`` then, when flag bit 0
  (external) is set, ``u16 length + file name``, then for region references
  ``u32 size + u32 rank + selection`` and for attribute references
  ``u16 length + attribute name``.

The resolver passed to the decoders implements
``global_heap_object(collection_address, index) -> bytes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..errors import FormatError
from ..format.messages.datatype import ReferenceKind
from ..format.structs import Cursor

if TYPE_CHECKING:
    from ..format.selection_codec import SerializedSelection


class HeapResolver(Protocol):
    """Fetches global heap objects (vlen data, region reference blobs)."""

    def global_heap_object(self, collection_address: int, index: int) -> bytes: ...


class Reference:
    """An object reference: the object header address of the target (0 = null).

    Hashable and comparable by address; false for the null reference, like h5py's.
    """

    __slots__ = ("address",)
    _kind = "object"

    def __init__(self, address: int = 0) -> None:
        self.address = int(address)

    def __bool__(self) -> bool:
        return self.address != 0

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._key() == other._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def _key(self) -> tuple[object, ...]:
        return (self.address,)

    def __repr__(self) -> str:
        if not self:
            return f"<HDF5 {self._kind} reference (null)>"
        return f"<HDF5 {self._kind} reference>"


class RegionReference(Reference):
    """A dataset region reference: target address plus the selected region."""

    __slots__ = ("selection",)
    _kind = "region"

    def __init__(self, address: int = 0, selection: SerializedSelection | None = None) -> None:
        super().__init__(address)
        self.selection = selection

    def _key(self) -> tuple[object, ...]:
        return (self.address, self.selection)

    def __repr__(self) -> str:
        # h5py's null region reference repr really lacks the closing parenthesis
        return "<HDF5 region reference (null>" if not self else "<HDF5 region reference>"


@dataclass(frozen=True)
class RevisedReference:
    """A decoded revised (H5T_STD_REF) reference blob."""

    kind: ReferenceKind
    address: int
    """Object address taken from the token (0 for a null reference)."""
    external_file: str | None = None
    selection: SerializedSelection | None = None
    attribute_name: str | None = None


def _address_from(raw: bytes, width: int) -> int:
    return int.from_bytes(raw[:width], "little")


def decode_object_refs(raw: np.ndarray) -> np.ndarray:
    """Old object references stored as unsigned integers (``<u{O}``) -> object array of
    :class:`Reference`, same shape."""
    out = np.empty(raw.shape, dtype=object)
    flat = out.reshape(-1)
    for i, address in enumerate(np.asarray(raw).reshape(-1).tolist()):
        flat[i] = Reference(address)
    return out


def decode_region_ref(
    heap_id: bytes, size_of_offsets: int, resolver: HeapResolver
) -> RegionReference:
    """One old region reference from its 12-byte (O=8) global heap ID."""
    o = size_of_offsets
    if len(heap_id) < o + 4:
        raise FormatError(f"region reference: heap ID of {len(heap_id)} bytes, need {o + 4}")
    collection = _address_from(heap_id, o)
    if collection == 0:
        return RegionReference()
    index = int.from_bytes(heap_id[o : o + 4], "little")
    blob = resolver.global_heap_object(collection, index)
    if len(blob) < o:
        raise FormatError(
            f"region reference blob (heap 0x{collection:x} index {index}): {len(blob)} bytes"
        )
    from ..format.selection_codec import decode_selection  # region references only

    selection, _ = decode_selection(blob, o)
    return RegionReference(_address_from(blob, o), selection)


def decode_revised_blob(blob: bytes, kind: ReferenceKind, flags: int) -> RevisedReference:
    """Decode the global heap blob of a revised reference (H5R__decode)."""
    cur = Cursor(blob, "revised reference blob")
    token_size = cur.u8()
    address = _address_from(cur.take(token_size), token_size)
    external = None
    if flags & 1:
        external = cur.take(cur.u16()).decode("utf-8", "replace")
    selection = None
    attr = None
    if kind == ReferenceKind.DATASET_REGION2:
        size = cur.u32()
        rank = cur.u32()
        from ..format.selection_codec import decode_selection  # region references only

        selection, _ = decode_selection(cur.take(size), 0, rank=rank)
    elif kind == ReferenceKind.ATTRIBUTE:
        attr = cur.take(cur.u16()).decode("utf-8", "replace")
    return RevisedReference(kind, address, external, selection, attr)


def decode_revised_ref(
    raw: bytes, size_of_offsets: int, resolver: HeapResolver
) -> RevisedReference:
    """One revised reference as stored in a dataset: ``u8 type, u8 flags, u32 size,
    heap ID``.  A null reference (all zero) decodes to address 0."""
    o = size_of_offsets
    if len(raw) < 6 + o + 4:
        raise FormatError(f"revised reference: {len(raw)} bytes, need {6 + o + 4}")
    kind_no, flags = raw[0], raw[1]
    collection = _address_from(raw[6:], o)
    if collection == 0:
        try:
            kind = ReferenceKind(kind_no) if kind_no else ReferenceKind.OBJECT2
        except ValueError:
            kind = ReferenceKind.OBJECT2
        return RevisedReference(kind, 0)
    try:
        kind = ReferenceKind(kind_no)
    except ValueError:
        raise FormatError(f"revised reference: unknown type {kind_no}") from None
    index = int.from_bytes(raw[6 + o : 10 + o], "little")
    blob = resolver.global_heap_object(collection, index)
    return decode_revised_blob(blob, kind, flags)


def revised_to_value(ref: RevisedReference) -> Reference:
    """The h5py-level value of a revised reference (attribute references and external
    references map to a plain :class:`Reference` of the target object)."""
    if ref.kind == ReferenceKind.DATASET_REGION2:
        return RegionReference(ref.address, ref.selection)
    return Reference(ref.address)
