"""Inspecting objects beyond h5py's API: the storage of a dataset (layout, chunk index,
the filter pipeline in order, fill value, addresses and sizes), an object's header, and the
HDF5 datatype of a dataset, attribute or committed type as the file declares it.

The tools (``h5pure ls | dump | stat | repack``) and the viewer use this; so can anyone who
needs what ``h5ls -v`` or ``h5dump -p`` show::

    import h5pure, h5pure.inspect
    with h5pure.File("data.h5") as f:
        s = h5pure.inspect.storage(f["x"])
        print(s.layout, s.chunk_index, [flt.name for flt in s.filters], s.allocated_bytes)

Read-only; every record is a frozen dataclass of plain values (the datatype record is the
decoded datatype message, :mod:`h5pure.format.messages.datatype`).
"""

from __future__ import annotations

from typing import Any

from .format.messages.datatype import (
    ArrayType,
    BitfieldType,
    ByteOrder,
    CharacterSet,
    ComplexType,
    CompoundMember,
    CompoundType,
    DatatypeClass,
    EnumType,
    FixedPointType,
    FloatType,
    Normalization,
    OpaqueType,
    ReferenceKind,
    ReferenceType,
    StringPadding,
    StringType,
    TimeType,
    VlenKind,
    VlenType,
)
from .format.messages.datatype import Datatype as DatatypeRecord
from .hl import Dataset, Datatype, File, HLObject
from .lowlevel.describe import (
    FileSpace,
    FilterDescription,
    HeaderDescription,
    ObjectSettings,
    ObjectSpace,
    StorageDescription,
    SuperblockDescription,
    committed_datatype_address,
    describe_file_space,
    describe_header,
    describe_settings,
    describe_space,
    describe_storage,
    describe_superblock,
)
from .lowlevel.describe import (
    attribute_datatype_addresses as _attribute_datatype_addresses,
)

__all__ = [
    "FileSpace",
    "ArrayType",
    "BitfieldType",
    "ByteOrder",
    "CharacterSet",
    "ComplexType",
    "CompoundMember",
    "CompoundType",
    "DatatypeClass",
    "DatatypeRecord",
    "EnumType",
    "FilterDescription",
    "FixedPointType",
    "FloatType",
    "HeaderDescription",
    "ObjectSettings",
    "ObjectSpace",
    "Normalization",
    "OpaqueType",
    "ReferenceKind",
    "ReferenceType",
    "StorageDescription",
    "StringPadding",
    "StringType",
    "SuperblockDescription",
    "TimeType",
    "VlenKind",
    "VlenType",
    "attribute_datatype",
    "committed_type_address",
    "attribute_datatype_addresses",
    "committed_address",
    "datatype",
    "datatype_encoded_size",
    "file_space",
    "header",
    "settings",
    "space",
    "storage",
    "superblock",
]


def storage(dset: Dataset) -> StorageDescription:
    """How and where the elements of ``dset`` are stored."""
    return describe_storage(dset._storage)


def header(obj: HLObject) -> HeaderDescription:
    """The object header of a group, dataset or committed datatype."""
    return describe_header(obj._fs, obj._info.address)


def datatype(obj: Dataset | Datatype) -> Any:
    """The HDF5 datatype of a dataset or committed datatype, as the file declares it (a
    committed type of a dataset resolved to its definition)."""
    if isinstance(obj, Dataset):
        return obj._storage.datatype
    return obj._info.datatype()


def attribute_datatype(obj: HLObject, name: str) -> Any:
    """The HDF5 datatype of the attribute ``name`` of ``obj``."""
    return obj.attrs.get_id(name).datatype


def settings(obj: HLObject) -> ObjectSettings:
    """Creation settings of a group, dataset or committed datatype beyond h5py's API
    (creation order tracking, link storage thresholds, time tracking)."""
    return describe_settings(obj._fs, obj._info.address)


def committed_type_address(dset: Dataset) -> int | None:
    """Absolute address of the committed datatype ``dset`` uses (that type's
    ``header(...).address``), or None when its datatype is its own."""
    address = dset._info.committed_datatype_address()
    return None if address is None else int(dset._fs.absolute(address))


def space(obj: HLObject) -> ObjectSpace:
    """Where the metadata of a group, dataset or committed datatype lies (its header,
    link and attribute storage, chunk index), in ``h5stat``'s categories."""
    return describe_space(obj._fs, obj._info.address)


def file_space(file: Any) -> FileSpace:
    """File-wide space of an open file: superblock, extension, user block, sizes."""
    return describe_file_space(file._state)


def datatype_encoded_size(record: Any) -> int:
    """Bytes of the datatype message encoding ``record`` (a :func:`datatype` record)."""
    from .format.messages.datatype import encode_datatype

    return len(encode_datatype(record))
# --------------------------------------------------------------------------- for ls / dump
# What h5ls and h5dump show beyond the above: where committed datatypes are, the superblock.
# The datatype record classes are re-exported above so that callers need no other module.


def committed_address(obj: Dataset | Datatype) -> int | None:
    """Absolute address of the committed datatype that ``obj``'s type is (a committed
    datatype: its own address; a dataset: the committed type it uses, else None)."""
    if isinstance(obj, Dataset):
        return committed_datatype_address(obj._fs, obj._info)
    return header(obj).address


def attribute_datatype_addresses(obj: HLObject) -> dict[str, int]:
    """``{attribute name: absolute address}`` for the attributes of ``obj`` whose type is
    a committed datatype."""
    return _attribute_datatype_addresses(obj._fs, obj._info)


def superblock(file: File) -> SuperblockDescription:
    """The superblock and file creation properties (what ``h5dump -B`` shows)."""
    return describe_superblock(file._state)
