"""h5py's ``h5t``: datatype objects (``TypeID`` and its class family), the predefined
types, ``py_create`` and the dtype helpers.

A facade ``TypeID`` is a view over one of h5pure's datatype records (the
:mod:`h5pure.format.messages.datatype` tree that the file stores), so every getter answers
what libhdf5 would, and setters build a new record.  ``dtype`` is the numpy dtype h5py
reads such data as (:func:`h5pure.dtypes.numpy_dtype`); ``py_create`` is h5pure's
numpy-to-HDF5 mapping, the one every dataset and attribute is written with.  A committed
type (``f["t"] = dtype``, ``TypeID.commit``) keeps the :class:`~h5pure.hl.Datatype` it is
stored as.

Differences from h5py: a type made here and used to create a dataset or attribute is
written through its numpy dtype, so properties numpy cannot carry (string padding other
than h5py's default, a precision or offset narrower than the size, a byte order other
than little/big) are not stored as set.
"""

from __future__ import annotations

import sys
from dataclasses import fields, is_dataclass, replace
from typing import Any

import numpy as np

from ..dtypes import (
    check_dtype,
    check_enum_dtype,
    check_opaque_dtype,
    check_ref_dtype,
    check_string_dtype,
    check_vlen_dtype,
    datatype_for,
    enum_dtype,
    numpy_dtype,
    opaque_dtype,
    ref_dtype,
    regionref_dtype,
    special_dtype,
    string_dtype,
    string_info,
    vlen_dtype,
)
from ..format.messages.datatype import (
    ArrayType,
    BitfieldType,
    ByteOrder,
    CharacterSet,
    ComplexType,
    CompoundMember,
    CompoundType,
    Datatype,
    EnumType,
    FixedPointType,
    FloatType,
    OpaqueType,
    StringPadding,
    StringType,
    TimeType,
    VlenKind,
    VlenType,
)
from ._ids import FacadeID, module_getattr
from ._objects import phil, with_phil
from ._wrap import register
from .h5p import PropTCID

__all__ = [
    "TypeID",
    "check_dtype",
    "check_enum_dtype",
    "check_opaque_dtype",
    "check_ref_dtype",
    "check_string_dtype",
    "check_vlen_dtype",
    "enum_dtype",
    "opaque_dtype",
    "phil",
    "py_create",
    "ref_dtype",
    "regionref_dtype",
    "special_dtype",
    "string_dtype",
    "string_info",
    "vlen_dtype",
    "with_phil",
]

__getattr__ = module_getattr(globals())

# -- constants (libhdf5's values, as h5py exports them) -----------------------------------
NO_CLASS = -1
INTEGER = 0
FLOAT = 1
TIME = 2
STRING = 3
BITFIELD = 4
OPAQUE = 5
COMPOUND = 6
REFERENCE = 7
ENUM = 8
VLEN = 9
ARRAY = 10
COMPLEX = 11

SGN_NONE = 0
SGN_2 = 1
ORDER_LE = 0
ORDER_BE = 1
ORDER_VAX = 2
ORDER_NONE = 4
ORDER_NATIVE = ORDER_LE if sys.byteorder == "little" else ORDER_BE
DIR_DEFAULT = 0
DIR_ASCEND = 1
DIR_DESCEND = 2
STR_NULLTERM = 0
STR_NULLPAD = 1
STR_SPACEPAD = 2
NORM_IMPLIED = 0
NORM_MSBSET = 1
NORM_NONE = 2
CSET_ASCII = 0
CSET_UTF8 = 1
PAD_ZERO = 0
PAD_ONE = 1
PAD_BACKGROUND = 2
BKG_NO = 0
BKG_TEMP = 1
BKG_YES = 2
VARIABLE = 2**64 - 1
"""``H5T_VARIABLE``: the size that makes a string type variable-length."""

_NORMALIZATION = {0: NORM_NONE, 1: NORM_MSBSET, 2: NORM_IMPLIED}
"""The record's normalization field (as stored) -> h5py's ``NORM_*`` constant."""


# -- records ---------------------------------------------------------------------------------
def _class_of(dt: Datatype) -> int:
    """libhdf5's ``H5Tget_class``: a variable-length string is a STRING."""
    if isinstance(dt, VlenType) and dt.kind == VlenKind.STRING:
        return STRING
    return int(dt.cls)


def _without_versions(dt: Any) -> Any:
    """``dt`` with every message version set to 0: libhdf5's ``H5Tequal`` compares types,
    not how a file encoded them."""
    if isinstance(dt, tuple):
        return tuple(_without_versions(v) for v in dt)
    if not is_dataclass(dt) or isinstance(dt, type):
        return dt
    changes = {
        f.name: _without_versions(getattr(dt, f.name))
        for f in fields(dt)
        if isinstance(getattr(dt, f.name), (Datatype, CompoundMember, tuple))
    }
    if isinstance(dt, Datatype):
        changes["version"] = 0
    return replace(dt, **changes)


def _with(record: Any, **changes: Any) -> Datatype:
    """``record`` with ``changes`` (a TypeError when its class has no such property)."""
    try:
        return replace(record, **changes)
    except TypeError:
        raise TypeError(f"{type(record).__name__} has no property {', '.join(changes)}") from None


class TypeID(FacadeID):
    """An HDF5 datatype (h5py's ``h5t.TypeID``): a record, possibly committed to a file."""

    def __init__(self, record: Datatype, *, committed: Any = None, locked: bool = False) -> None:
        self._record = record
        self._committed = committed
        """The :class:`~h5pure.hl.Datatype` this type is stored as, when committed."""
        self._locked = locked

    # -- identity --------------------------------------------------------------------
    @property
    def record(self) -> Datatype:
        """h5pure's datatype record (beyond h5py)."""
        return self._record

    def _alive(self) -> bool:
        return self._committed is None or bool(self._committed.id.valid)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TypeID):
            return NotImplemented
        return self.equal(other)

    def __hash__(self) -> int:
        if not (self._locked or self._committed is not None):
            raise TypeError("Only locked or committed types can be hashed")
        return hash(_without_versions(self._record))

    def equal(self, other: TypeID) -> bool:
        """Whether the two types are the same HDF5 type (``H5Tequal``)."""
        return bool(_without_versions(self._record) == _without_versions(other._record))

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} {self._record!r}>"

    # -- h5py's TypeID -----------------------------------------------------------------
    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype h5py reads data of this type as."""
        return numpy_dtype(self._record)

    def py_dtype(self) -> np.dtype:
        """The numpy dtype h5py reads data of this type as (the same as :attr:`dtype`)."""
        return self.dtype

    def get_class(self) -> int:
        """The type's class (``INTEGER``, ``FLOAT``, ``STRING``...; a variable-length string
        is a ``STRING``)."""
        return _class_of(self._record)

    def detect_class(self, classtype: int) -> bool:
        """Whether this type is, or contains, a type of class ``classtype``."""
        return _contains_class(self._record, int(classtype))

    def get_size(self) -> int:
        """The size of one element in bytes."""
        return int(self._record.size)

    def set_size(self, size: int) -> None:
        """Change the element size to ``size`` bytes (TypeError for a locked or committed
        type)."""
        self._check_mutable()
        self._record = _with(self._record, size=int(size))

    def copy(self) -> TypeID:
        """A new, transient and unlocked copy of this type."""
        return typewrap(self._record)

    def lock(self) -> None:
        """Make the type read-only for good (its setters then raise TypeError); a locked type
        can be hashed."""
        self._locked = True

    def committed(self) -> bool:
        """Whether the type is stored in a file as a named datatype."""
        return self._committed is not None

    def commit(self, group: Any, name: Any, lcpl: Any = None) -> None:
        """Store this type as a named datatype ``name`` of the group ``group`` (a
        ``GroupID``); afterwards this object is that committed type."""
        if self._committed is not None:
            raise TypeError("Datatype is already committed")
        target = _group_of(group)
        key = name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else name
        if key in target:
            raise KeyError("Unable to commit datatype synchronously (name already exists)")
        target[key] = self.dtype
        self._committed = target[key]

    def get_create_plist(self) -> PropTCID:
        """A datatype creation property list (always a new one holding the defaults)."""
        return PropTCID()

    def _check_mutable(self) -> None:
        if self._locked or self._committed is not None:
            raise TypeError("Datatype is read-only (datatype is read-only)")

    # -- a committed type's object identity (h5py's ObjectID) ---------------------------
    @property
    def fileno(self) -> Any:
        """What identifies the file a committed type is stored in (ValueError for a transient
        type)."""
        if self._committed is None:
            raise ValueError("Invalid location identifier (not a named datatype)")
        return self._committed.id.fileno


class TypeAtomicID(TypeID):
    """Atomic types: byte order, precision, offset, padding."""

    def get_order(self) -> int:
        """The byte order: ``ORDER_LE`` or ``ORDER_BE``."""
        order = getattr(self._record, "byte_order", ByteOrder.LITTLE)
        return int(order)

    def set_order(self, order: int) -> None:
        """Set the byte order (``ORDER_LE``, ``ORDER_BE``)."""
        self._check_mutable()
        self._record = _with(self._record, byte_order=ByteOrder(int(order)))

    def get_precision(self) -> int:
        """The number of significant bits (all the bits of the size when the type has no
        precision of its own)."""
        return int(getattr(self._record, "precision", 8 * self._record.size))

    def set_precision(self, precision: int) -> None:
        """Set the number of significant bits."""
        self._check_mutable()
        self._record = _with(self._record, precision=int(precision))

    def get_offset(self) -> int:
        """The bit offset of the first significant bit."""
        return int(getattr(self._record, "bit_offset", 0))

    def set_offset(self, offset: int) -> None:
        """Set the bit offset of the first significant bit."""
        self._check_mutable()
        self._record = _with(self._record, bit_offset=int(offset))

    def get_pad(self) -> tuple[int, int]:
        """``(lsb, msb)``: how the bits below and above the significant ones are filled
        (``PAD_ZERO``, ``PAD_ONE``, ``PAD_BACKGROUND``)."""
        return (int(getattr(self._record, "lo_pad", 0)), int(getattr(self._record, "hi_pad", 0)))

    def set_pad(self, lsb: int, msb: int) -> None:
        """Set how the bits below (``lsb``) and above (``msb``) the significant ones are
        filled."""
        self._check_mutable()
        self._record = _with(self._record, lo_pad=int(lsb), hi_pad=int(msb))


class TypeIntegerID(TypeAtomicID):
    """Integer types: their sign, on top of the atomic properties."""

    def get_sign(self) -> int:
        """``SGN_2`` for a signed (two's complement) type, ``SGN_NONE`` for an unsigned one."""
        return SGN_2 if getattr(self._record, "signed", False) else SGN_NONE

    def set_sign(self, sign: int) -> None:
        """Make the type signed (``SGN_2``) or unsigned (``SGN_NONE``)."""
        self._check_mutable()
        self._record = _with(self._record, signed=int(sign) == SGN_2)


class TypeFloatID(TypeAtomicID):
    """Floating-point types: bit fields, exponent bias, normalization, internal padding."""

    def get_fields(self) -> tuple[int, int, int, int, int]:
        """``(spos, epos, esize, mpos, msize)``: bit positions of the sign, exponent and
        mantissa, and the sizes of the latter two."""
        r = self._record
        assert isinstance(r, FloatType)
        return (
            r.sign_location,
            r.exponent_location,
            r.exponent_size,
            r.mantissa_location,
            r.mantissa_size,
        )

    def set_fields(self, spos: int, epos: int, esize: int, mpos: int, msize: int) -> None:
        """Set the bit positions of the sign, exponent and mantissa and their sizes."""
        self._check_mutable()
        self._record = _with(
            self._record,
            sign_location=int(spos),
            exponent_location=int(epos),
            exponent_size=int(esize),
            mantissa_location=int(mpos),
            mantissa_size=int(msize),
        )

    def get_ebias(self) -> int:
        """The exponent bias."""
        return int(getattr(self._record, "exponent_bias", 0))

    def set_ebias(self, ebias: int) -> None:
        """Set the exponent bias."""
        self._check_mutable()
        self._record = _with(self._record, exponent_bias=int(ebias))

    def get_norm(self) -> int:
        """How the mantissa is normalized: ``NORM_IMPLIED``, ``NORM_MSBSET`` or ``NORM_NONE``."""
        return _NORMALIZATION[int(getattr(self._record, "normalization", 2))]

    def get_inpad(self) -> int:
        """How unused bits inside the type are filled (``PAD_ZERO``, ``PAD_ONE``...)."""
        return int(getattr(self._record, "internal_pad", 0))


class TypeTimeID(TypeAtomicID):
    """Time types (libhdf5's ``H5T_TIME``): only the atomic properties."""

    pass


class TypeBitfieldID(TypeAtomicID):
    """Bitfield types: only the atomic properties."""

    pass


class TypeReferenceID(TypeAtomicID):
    """Reference types (object and region references)."""

    pass


class TypeStringID(TypeID):
    """Fixed- and variable-length strings."""

    def is_variable_str(self) -> bool:
        """Whether the string is variable-length."""
        return isinstance(self._record, VlenType)

    def get_cset(self) -> int:
        """The character set: ``CSET_ASCII`` or ``CSET_UTF8``."""
        return int(getattr(self._record, "cset", CharacterSet.ASCII))

    def set_cset(self, cset: int) -> None:
        """Set the character set (``CSET_ASCII``, ``CSET_UTF8``)."""
        self._check_mutable()
        self._record = _with(self._record, cset=CharacterSet(int(cset)))

    def get_strpad(self) -> int:
        """How a string shorter than the size ends: ``STR_NULLTERM``, ``STR_NULLPAD`` or
        ``STR_SPACEPAD``."""
        return int(getattr(self._record, "padding", StringPadding.NULLTERM))

    def set_strpad(self, pad: int) -> None:
        """Set how a string shorter than the size ends (``STR_NULLTERM``...)."""
        self._check_mutable()
        self._record = _with(self._record, padding=StringPadding(int(pad)))

    def get_size(self) -> int:
        """The size in bytes; 8 for a variable-length string (the size of a pointer, as
        libhdf5 reports it)."""
        if isinstance(self._record, VlenType):
            return 8  # a char* in memory: what libhdf5 reports for a variable string
        return int(self._record.size)

    def set_size(self, size: int) -> None:
        """Make the string ``size`` bytes long, or variable-length with ``VARIABLE``
        (keeping its character set and padding)."""
        self._check_mutable()
        r = self._record
        cset = getattr(r, "cset", CharacterSet.ASCII)
        padding = getattr(r, "padding", StringPadding.NULLTERM)
        if int(size) == VARIABLE:
            base = FixedPointType(1, 1, precision=8)
            self._record = VlenType(
                1, 16, kind=VlenKind.STRING, padding=padding, cset=cset, base=base
            )
        else:
            self._record = StringType(1, int(size), padding=padding, cset=cset)


class TypeOpaqueID(TypeID):
    """Opaque types: raw bytes with a tag."""

    def get_tag(self) -> bytes:
        """The tag describing the opaque data."""
        r = self._record
        return bytes(r.tag) if isinstance(r, OpaqueType) else b""

    def set_tag(self, tag: bytes) -> None:
        """Set the tag describing the opaque data."""
        self._check_mutable()
        self._record = _with(self._record, tag=bytes(tag))


class TypeCompositeID(TypeID):
    """Types with members: compounds and enums."""

    def _names(self) -> list[str]:
        r = self._record
        if isinstance(r, CompoundType):
            return [m.name for m in r.members]
        if isinstance(r, EnumType):
            return list(r.names)
        return []

    def get_nmembers(self) -> int:
        """The number of members."""
        return len(self._names())

    def get_member_name(self, index: int) -> bytes:
        """The name of member ``index``, as bytes."""
        names = self._names()
        if not 0 <= int(index) < len(names):
            raise ValueError(f"Invalid member index {index} (index is out of range)")
        return names[int(index)].encode("utf-8", "surrogateescape")

    def get_member_index(self, name: Any) -> int:
        """The index of the member called ``name`` (str or bytes)."""
        key = name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else name
        try:
            return self._names().index(key)
        except ValueError:
            raise ValueError(f"Unable to find member {name!r}") from None


class TypeCompoundID(TypeCompositeID):
    """Compound types: named members at byte offsets."""

    def _member(self, index: int) -> CompoundMember:
        r = self._record
        assert isinstance(r, CompoundType)
        if not 0 <= int(index) < len(r.members):
            raise ValueError(f"Invalid member index {index} (index is out of range)")
        return r.members[int(index)]

    def get_member_offset(self, index: int) -> int:
        """The byte offset of member ``index``."""
        return int(self._member(index).offset)

    def get_member_type(self, index: int) -> TypeID:
        """The type of member ``index`` (a transient copy)."""
        return typewrap(self._member(index).effective_type)

    def get_member_class(self, index: int) -> int:
        """The class of member ``index`` (as :meth:`TypeID.get_class`)."""
        return _class_of(self._member(index).effective_type)

    def insert(self, name: Any, offset: int, field: TypeID) -> None:
        """Add a member ``name`` of type ``field`` at byte ``offset``."""
        self._check_mutable()
        r = self._record
        assert isinstance(r, CompoundType)
        key = name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else name
        member = CompoundMember(key, int(offset), field._record)
        self._record = replace(r, members=(*r.members, member))

    def pack(self) -> None:
        """Remove padding: members placed back to back in their order."""
        self._check_mutable()
        r = self._record
        assert isinstance(r, CompoundType)
        offset = 0
        members = []
        for m in sorted(r.members, key=lambda m: m.offset):
            members.append(replace(m, offset=offset))
            offset += m.effective_type.size
        self._record = replace(r, members=tuple(members), size=offset)


class TypeEnumID(TypeCompositeID):
    """Enumerated types: names for values of an integer base type."""

    def _enum(self) -> EnumType:
        r = self._record
        assert isinstance(r, EnumType)
        return r

    def get_super(self) -> TypeID:
        """The integer type the enumeration is built on."""
        return typewrap(self._enum().base)

    def _encode(self, value: int) -> bytes:
        base = numpy_dtype(self._enum().base)
        return np.array(value, dtype=base).tobytes()

    def enum_insert(self, name: Any, value: int) -> None:
        """Add a member ``name`` with integer ``value``."""
        self._check_mutable()
        r = self._enum()
        key = name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else name
        if key in r.names:
            raise ValueError(f"Name {key!r} is already a member of the enum")
        self._record = replace(
            r, names=(*r.names, key), raw_values=(*r.raw_values, self._encode(int(value)))
        )

    def get_member_value(self, index: int) -> int:
        """The integer value of member ``index``."""
        r = self._enum()
        if not 0 <= int(index) < len(r.names):
            raise ValueError(f"Invalid member index {index} (index is out of range)")
        return int(r.values[int(index)])

    def enum_nameof(self, value: int) -> bytes:
        """The name (bytes) of the member with integer ``value``."""
        r = self._enum()
        for name, v in zip(r.names, r.values):
            if int(v) == int(value):
                return name.encode("utf-8", "surrogateescape")
        raise ValueError(f"Value {value} is not a member of the enum")

    def enum_valueof(self, name: Any) -> int:
        """The integer value of the member called ``name``."""
        return self.get_member_value(self.get_member_index(name))


class TypeArrayID(TypeID):
    """Array types: a fixed-shape array of a base type as one element."""

    def get_super(self) -> TypeID:
        """The type of the array's elements."""
        r = self._record
        assert isinstance(r, ArrayType)
        return typewrap(r.base)

    def get_array_ndims(self) -> int:
        """The rank of the array."""
        r = self._record
        assert isinstance(r, ArrayType)
        return len(r.dims)

    def get_array_dims(self) -> tuple[int, ...]:
        """The shape of the array."""
        r = self._record
        assert isinstance(r, ArrayType)
        return tuple(int(d) for d in r.dims)


class TypeVlenID(TypeID):
    """Variable-length sequences of a base type."""

    def get_super(self) -> TypeID:
        """The type of the sequences' elements."""
        r = self._record
        assert isinstance(r, VlenType)
        return typewrap(r.base)


class TypeComplexID(TypeAtomicID):
    """Complex types (HDF5 2.0's complex class): a real and an imaginary float part."""

    def get_order(self) -> int:
        """The byte order of the two float parts."""
        return int(getattr(self._record.base, "byte_order", ByteOrder.LITTLE))  # type: ignore[attr-defined]

    def get_super(self) -> TypeID:
        """The float type of each of the two parts."""
        r = self._record
        assert isinstance(r, ComplexType)
        return typewrap(r.base)


_CLASSES: dict[int, type[TypeID]] = {
    INTEGER: TypeIntegerID,
    FLOAT: TypeFloatID,
    TIME: TypeTimeID,
    STRING: TypeStringID,
    BITFIELD: TypeBitfieldID,
    OPAQUE: TypeOpaqueID,
    COMPOUND: TypeCompoundID,
    REFERENCE: TypeReferenceID,
    ENUM: TypeEnumID,
    VLEN: TypeVlenID,
    ARRAY: TypeArrayID,
    COMPLEX: TypeComplexID,
}


def typewrap(record: Datatype, *, committed: Any = None, locked: bool = False) -> TypeID:
    """The ``TypeID`` subclass h5py uses for a type of ``record``'s class."""
    return _CLASSES[_class_of(record)](record, committed=committed, locked=locked)


@register("datatype")
def _committed_type(obj: Any) -> TypeID:
    """The identifier of a committed datatype (``Datatype.id``)."""
    return typewrap(obj._info.datatype(), committed=obj)


def _contains_class(dt: Datatype, classtype: int) -> bool:
    if _class_of(dt) == classtype:
        return True
    if isinstance(dt, CompoundType):
        return any(_contains_class(m.effective_type, classtype) for m in dt.members)
    base = getattr(dt, "base", None)
    return isinstance(base, Datatype) and _contains_class(base, classtype)


def _group_of(group: Any) -> Any:
    """The h5pure group a ``GroupID`` (or file id, or group) stands for."""
    obj = getattr(group, "_obj", group)
    if not hasattr(obj, "create_group"):
        raise TypeError(f"{group!r} is not a group identifier")
    return obj


# -- making types ----------------------------------------------------------------------------
def py_create(dtype_in: Any, logical: bool = False, aligned: bool = False) -> TypeID:
    """The HDF5 type h5py stores for numpy dtype ``dtype_in`` (``logical`` is accepted:
    h5pure always maps special dtypes -- strings, references, vlen -- to their HDF5
    types)."""
    dt = np.dtype(dtype_in)
    if dt.kind == "O" and check_dtype(vlen=dt) is None and check_dtype(ref=dt) is None:
        raise TypeError(f"Object dtype {dt!r} has no native HDF5 equivalent")
    if dt.names is not None and dt.hasobject:
        if logical and dt.isalignedstruct:
            # the file type's vlen members (16 bytes) cannot sit at numpy's offsets
            raise TypeError(f"Aligned compound {dt} with object members has no file type")
        if not logical:
            return typewrap(_memory_compound(dt))
    return typewrap(datatype_for(dt))


def _memory_compound(dt: np.dtype) -> CompoundType:
    """The in-memory compound h5py converts to (``py_create(logical=False)``): members at
    numpy's offsets, the size numpy's (an object member is a pointer there)."""
    fields: Any = dt.fields
    members = tuple(
        CompoundMember(name, int(fields[name][1]), py_create(fields[name][0])._record)
        for name in dt.names or ()
    )
    return CompoundType(1, dt.itemsize, members=members)


def create(classtype: int, size: int) -> TypeID:
    """A new type of class COMPOUND, OPAQUE, ENUM or STRING and ``size`` bytes."""
    classtype, size = int(classtype), int(size)
    record: Datatype
    if classtype == COMPOUND:
        record = CompoundType(1, size)
    elif classtype == OPAQUE:
        record = OpaqueType(1, size)
    elif classtype == STRING:
        record = StringType(1, size, padding=StringPadding.NULLTERM, cset=CharacterSet.ASCII)
    elif classtype == ENUM:
        record = EnumType(3, size, base=datatype_for(np.dtype(f"=i{size}")))
    else:
        raise ValueError(f"Class must be COMPOUND, OPAQUE, ENUM or STRING (not {classtype})")
    return typewrap(record)


def enum_create(base: TypeID) -> TypeEnumID:
    """A new, empty enumerated type over the integer type ``base``."""
    if not isinstance(base, TypeIntegerID):
        raise TypeError("Enumerated types must have an integer base type")
    out = typewrap(EnumType(3, base.get_size(), base=base._record))
    assert isinstance(out, TypeEnumID)
    return out


def vlen_create(base: TypeID) -> TypeVlenID:
    """A variable-length sequence of ``base``."""
    out = typewrap(VlenType(1, 16, kind=VlenKind.SEQUENCE, base=base._record))
    assert isinstance(out, TypeVlenID)
    return out


def array_create(base: TypeID, dims_tpl: Any) -> TypeArrayID:
    """An array type of ``base`` elements with dimensions ``dims_tpl``."""
    dims = tuple(int(d) for d in dims_tpl)
    size = base.get_size() * int(np.prod(dims, dtype=np.int64))
    out = typewrap(ArrayType(3, size, dims=dims, base=base._record))
    assert isinstance(out, TypeArrayID)
    return out


def open(group: Any, name: Any, tapl: Any = None) -> TypeID:  # noqa: A001 - h5py's name
    """The committed datatype ``name`` of group ``group``."""
    key = name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else name
    obj = _group_of(group)[key]
    return obj.id  # type: ignore[no-any-return]


# -- h5py 3.16's complex helpers (numpy complex <-> two-float compounds) --------------------
def complex_compat_dtype(dt: Any) -> np.dtype:
    """The compound ``{r, i}`` dtype h5py used for complex numbers before HDF5 2.0's
    complex class (a dtype of the same layout)."""
    dt = np.dtype(dt)
    if dt.kind != "c":
        raise TypeError(f"{dt} is not a complex dtype")
    half = np.dtype(f"{dt.byteorder if dt.byteorder != '=' else ''}f{dt.itemsize // 2}")
    return np.dtype([("r", half), ("i", half)])


def check_complex_dtype(dt: Any) -> np.dtype | None:
    """The complex dtype a compound of two equal floats ``r``/``i`` stands for, or None."""
    dt = np.dtype(dt)
    if dt.kind == "c":
        return dt
    if dt.names is None or len(dt.names) != 2:
        return None
    (a, oa), (b, ob) = (dt.fields[n][:2] for n in dt.names)  # type: ignore[index]
    if a != b or a.kind != "f" or oa != 0 or ob != a.itemsize:
        return None
    return np.dtype(f"{a.str[0]}c{2 * a.itemsize}")


# -- predefined types ------------------------------------------------------------------------
def _predefined(dtype: Any) -> TypeID:
    return typewrap(datatype_for(np.dtype(dtype)), locked=True)


def _bitfield(size: int, order: ByteOrder) -> TypeID:
    record = BitfieldType(1, size, byte_order=order, precision=8 * size)
    return typewrap(record, locked=True)


def _time(size: int, order: ByteOrder) -> TypeID:
    return typewrap(TimeType(1, size, byte_order=order, precision=8 * size), locked=True)


def _string(padding: StringPadding) -> TypeID:
    return typewrap(StringType(1, 1, padding=padding, cset=CharacterSet.ASCII), locked=True)


_LE, _BE = ByteOrder.LITTLE, ByteOrder.BIG
_NATIVE_ORDER = _LE if sys.byteorder == "little" else _BE

NATIVE_INT8 = _predefined("=i1")
NATIVE_UINT8 = _predefined("=u1")
NATIVE_INT16 = _predefined("=i2")
NATIVE_UINT16 = _predefined("=u2")
NATIVE_INT32 = _predefined("=i4")
NATIVE_UINT32 = _predefined("=u4")
NATIVE_INT64 = _predefined("=i8")
NATIVE_UINT64 = _predefined("=u8")
NATIVE_FLOAT16 = _predefined("=f2")
NATIVE_FLOAT = _predefined("=f4")
NATIVE_DOUBLE = _predefined("=f8")
NATIVE_LDOUBLE = _predefined(np.longdouble)
STD_I8LE, STD_I8BE = _predefined("<i1"), _predefined(">i1")
STD_U8LE, STD_U8BE = _predefined("<u1"), _predefined(">u1")
STD_I16LE, STD_I16BE = _predefined("<i2"), _predefined(">i2")
STD_U16LE, STD_U16BE = _predefined("<u2"), _predefined(">u2")
STD_I32LE, STD_I32BE = _predefined("<i4"), _predefined(">i4")
STD_U32LE, STD_U32BE = _predefined("<u4"), _predefined(">u4")
STD_I64LE, STD_I64BE = _predefined("<i8"), _predefined(">i8")
STD_U64LE, STD_U64BE = _predefined("<u8"), _predefined(">u8")
IEEE_F16LE, IEEE_F16BE = _predefined("<f2"), _predefined(">f2")
IEEE_F32LE, IEEE_F32BE = _predefined("<f4"), _predefined(">f4")
IEEE_F64LE, IEEE_F64BE = _predefined("<f8"), _predefined(">f8")
STD_B8LE, STD_B8BE = _bitfield(1, _LE), _bitfield(1, _BE)
STD_B16LE, STD_B16BE = _bitfield(2, _LE), _bitfield(2, _BE)
STD_B32LE, STD_B32BE = _bitfield(4, _LE), _bitfield(4, _BE)
STD_B64LE, STD_B64BE = _bitfield(8, _LE), _bitfield(8, _BE)
NATIVE_B8 = _bitfield(1, _NATIVE_ORDER)
NATIVE_B16 = _bitfield(2, _NATIVE_ORDER)
NATIVE_B32 = _bitfield(4, _NATIVE_ORDER)
NATIVE_B64 = _bitfield(8, _NATIVE_ORDER)
UNIX_D32LE, UNIX_D32BE = _time(4, _LE), _time(4, _BE)
UNIX_D64LE, UNIX_D64BE = _time(8, _LE), _time(8, _BE)
STD_REF_OBJ = _predefined(ref_dtype)
STD_REF_DSETREG = _predefined(regionref_dtype)


def _complex(part: Any) -> TypeID:
    """HDF5 2.0's complex class over two IEEE floats of numpy dtype ``part``."""
    dt = np.dtype(part)
    base = datatype_for(dt)
    return typewrap(ComplexType(5, 2 * dt.itemsize, base=base), locked=True)


COMPLEX_IEEE_F16LE, COMPLEX_IEEE_F16BE = _complex("<f2"), _complex(">f2")
COMPLEX_IEEE_F32LE, COMPLEX_IEEE_F32BE = _complex("<f4"), _complex(">f4")
COMPLEX_IEEE_F64LE, COMPLEX_IEEE_F64BE = _complex("<f8"), _complex(">f8")
NATIVE_FLOAT_COMPLEX = _complex("=f4")
NATIVE_DOUBLE_COMPLEX = _complex("=f8")
NATIVE_LDOUBLE_COMPLEX = typewrap(
    ComplexType(5, 2 * np.dtype(np.longdouble).itemsize, base=NATIVE_LDOUBLE._record),
    locked=True,
)
C_S1 = _string(StringPadding.NULLTERM)
FORTRAN_S1 = _string(StringPadding.SPACEPAD)

NUMPY_RUNTIME_VERSION_TUPLE = tuple(int(p) for p in np.__version__.split(".")[:2])
