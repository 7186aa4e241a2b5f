"""numpy dtypes -> datatype records: the HDF5 type libhdf5 stores when h5py creates a
dataset or attribute of a numpy dtype.

The mapping follows h5py's ``py_create(dtype, logical=True)`` rules (h5py 3.16):

- integers of 1, 2, 4, 8 bytes in their byte order (``=``/``|`` = the machine's);
- floats: IEEE half/single/double in their byte order; ``longdouble`` (x87 80-bit in 12 or
  16 bytes) as libhdf5's native long double (precision 80, no normalization);
- ``bool`` -> enum over a native signed 8-bit integer with members FALSE=0, TRUE=1;
- complex64/128 -> compound ``{r, i}`` of two IEEE floats (clongdouble: two long doubles);
- ``S<n>`` -> fixed string, NULLPAD, ASCII (UTF-8 with ``h5py_encoding='utf-8'``);
- ``V<n>`` -> opaque without tag; ``opaque_dtype(x)`` -> opaque tagged ``NUMPY:<descr>``;
- structured dtypes -> compound: members in field order; offsets taken in offset order,
  each at least the end of the previous member *as stored* (an object member becomes a
  16-byte vlen element, so later members move), size = max(end, itemsize);
- subarray dtypes -> array class; ``enum_dtype`` -> enum over the base integer with the
  members inserted in name order;
- object dtypes with ``vlen=str``/``bytes`` -> vlen string (UTF-8 / ASCII, NULLTERM) over an
  unsigned char; ``vlen=<dtype>`` -> vlen sequence; ``ref_dtype`` -> old object reference,
  ``regionref_dtype`` -> old region reference.

Message versions (libhdf5 ``H5T_set_version``/``H5T__upgrade_version``): every type starts at
version 1, an array at ``max(2, base)``, a vlen at its base's version; inserting a member of
a higher version into a compound first upgrades the compound built so far; finally the
whole tree is upgraded to ``H5O_dtype_ver_bounds[low]`` (1 for ``earliest``, 3 for v108/v110,
4 for v112/v114, 5 for v200/latest).  Upgrading raises compound, array and enum types to
the bound and a vlen to its base's version; atomic types stay at version 1.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from ..format.messages.datatype import (
    ArrayType,
    ByteOrder,
    CharacterSet,
    CompoundMember,
    CompoundType,
    Datatype,
    EnumType,
    FixedPointType,
    FloatType,
    Normalization,
    OpaqueType,
    ReferenceKind,
    ReferenceType,
    StringPadding,
    StringType,
    VlenKind,
    VlenType,
)
from .mapping import library_memory_size
from .references import Reference, RegionReference
from .special import (
    check_enum_dtype,
    check_opaque_dtype,
    check_ref_dtype,
    check_vlen_dtype,
    regionref_dtype,
    string_dtype,
)

__all__ = ["DTYPE_VERSION_BOUNDS", "datatype_for", "guess_dtype"]

DTYPE_VERSION_BOUNDS: dict[str, int] = {
    "earliest": 1,
    "v108": 3,
    "v110": 3,
    "v112": 4,
    "v114": 4,
    "v200": 5,
    "latest": 5,
}
"""libhdf5's ``H5O_dtype_ver_bounds``, keyed by h5py's libver names (``latest`` is V200 in
HDF5 2.0)."""

_NATIVE = ByteOrder.LITTLE if sys.byteorder == "little" else ByteOrder.BIG


def datatype_for(dtype: Any, *, libver_low: str = "earliest", size_of_offsets: int = 8) -> Datatype:
    """The datatype record libhdf5 stores for a dataset or attribute that h5py creates
    with numpy dtype ``dtype`` in a file whose low version bound is ``libver_low``.

    ``size_of_offsets`` sizes references and vlen elements (8 in every file h5py writes).
    Raises :class:`TypeError` for dtypes h5py cannot store (``U``, datetime, plain object,
    ...) and :class:`ValueError` for an unknown ``libver_low``.
    """
    try:
        bound = DTYPE_VERSION_BOUNDS[libver_low]
    except KeyError:
        raise ValueError(f"unknown libver bound {libver_low!r}") from None
    return upgrade_version(_create(np.dtype(dtype), size_of_offsets), bound)


def upgrade_version(dt: Datatype, version: int) -> Datatype:
    """``dt`` with compound, array and enum types raised to at least ``version`` and each
    vlen raised to its base's version (libhdf5 ``H5T__upgrade_version``: children first)."""
    if isinstance(dt, CompoundType):
        members = tuple(
            replace(m, datatype=upgrade_version(m.datatype, version)) for m in dt.members
        )
        return replace(dt, members=members, version=max(dt.version, version))
    if isinstance(dt, (ArrayType, EnumType)):
        return replace(dt, base=upgrade_version(dt.base, version), version=max(dt.version, version))
    if isinstance(dt, VlenType):
        base = upgrade_version(dt.base, version)
        return replace(dt, base=base, version=max(dt.version, base.version))
    return dt


def guess_dtype(data: Any) -> np.dtype | None:
    """The dtype h5py chooses for data given without a dtype (attributes, ``create_dataset
    (data=...)``) before leaving it to numpy: references (alone, or every item of a list,
    tuple or object array) -> reference dtypes; ``str`` items
    (alone, or every item of a list/tuple/object array, nested) -> vlen UTF-8 string;
    ``bytes`` items likewise -> vlen ASCII string; None otherwise (then h5py uses
    ``np.asarray(data).dtype``, so ``np.bytes_`` values give fixed strings)."""
    if isinstance(data, RegionReference):
        return regionref_dtype
    if isinstance(data, Reference):
        return np.dtype("O", metadata={"ref": Reference})
    item = _item_type(data)
    if item is RegionReference:  # every item a reference: h5py's find_item_type
        return regionref_dtype
    if item is Reference:
        return np.dtype("O", metadata={"ref": Reference})
    if item is bytes:
        return string_dtype("ascii")
    if item is str:
        return string_dtype()
    return None


def _item_type(data: Any) -> type | None:
    """The one type of the items of ``data`` (nested lists/tuples, object arrays without
    h5py metadata) or of ``data`` itself; None when mixed or a typed array."""
    types: set[type | None]
    if isinstance(data, np.ndarray):
        if data.dtype.kind != "O" or data.dtype.metadata:
            return None
        types = {type(e) for e in data.flat}
    elif isinstance(data, (list, tuple)):
        types = {_item_type(e) for e in data}
    else:
        return type(data)
    return types.pop() if len(types) == 1 else None


# --------------------------------------------------------------------------- builders


def _order(dt: np.dtype) -> ByteOrder:
    if dt.byteorder == "<":
        return ByteOrder.LITTLE
    if dt.byteorder == ">":
        return ByteOrder.BIG
    return _NATIVE


def _int(size: int, signed: bool, order: ByteOrder) -> FixedPointType:
    return FixedPointType(1, size, order, 0, 0, signed, 0, 8 * size)


# IEEE binary formats by (exponent bits, mantissa bits): (sign bit, bias)
_IEEE = {(5, 10): (15, 15), (8, 23): (31, 127), (11, 52): (63, 1023), (15, 112): (127, 16383)}


def _float(dt: np.dtype) -> FloatType:
    fi = np.finfo(dt)
    order = _order(dt)
    key = (int(fi.nexp), int(fi.nmant))
    if key in _IEEE and dt.itemsize * 8 == sum(key) + 1:
        sign, bias = _IEEE[key]
        return FloatType(
            1, dt.itemsize, order, 0, 0, 0, Normalization.IMPLIED, sign, 0, 8 * dt.itemsize,
            key[1], key[0], 0, key[1], bias,
        )  # fmt: skip
    if key == (15, 63) and dt.itemsize in (12, 16):
        # x87 extended precision: explicit integer bit, so no implied normalization
        return FloatType(
            1, dt.itemsize, order, 0, 0, 0, Normalization.NONE, 79, 0, 80, 64, 15, 0, 64, 16383
        )
    raise TypeError(f"Unsupported float type ({dt})")


def _c_int(dt: np.dtype, o: int) -> Datatype:
    if dt.itemsize not in (1, 2, 4, 8):
        raise TypeError(f"Unsupported integer size ({dt.itemsize})")
    base = _int(dt.itemsize, dt.kind == "i", _order(dt))
    members = check_enum_dtype(dt)
    if members is None:
        return base
    names = sorted(members)  # h5py inserts enum members in name order
    order = "big" if base.byte_order == ByteOrder.BIG else "little"
    raw = tuple(
        int(members[n]).to_bytes(dt.itemsize, order, signed=base.signed)  # type: ignore[arg-type]
        for n in names
    )
    return EnumType(1, dt.itemsize, base, tuple(str(n) for n in names), raw)


def _c_float(dt: np.dtype, o: int) -> Datatype:
    return _float(dt)


def _c_bool(dt: np.dtype, o: int) -> Datatype:
    return EnumType(1, 1, _int(1, True, _NATIVE), ("FALSE", "TRUE"), (b"\0", b"\x01"))


def _c_complex(dt: np.dtype, o: int) -> Datatype:
    if dt.itemsize == 32:  # h5py builds clongdouble from the native long double
        part = _float(np.dtype(np.longdouble))
    elif dt.itemsize in (8, 16):
        part = _float(np.dtype(f"f{dt.itemsize // 2}").newbyteorder(dt.byteorder))
    else:
        raise TypeError(f"Illegal length {dt.itemsize} for complex dtype")
    half = dt.itemsize // 2
    from . import mapping  # the names h5py's configuration gives (read at each call)

    r, i = mapping.COMPLEX_NAMES
    members = (CompoundMember(r, 0, part), CompoundMember(i, half, part))
    return CompoundType(1, dt.itemsize, members)


def _c_string(dt: np.dtype, o: int) -> Datatype:
    metadata: dict[str, Any] = dict(dt.metadata or {})
    utf8 = metadata.get("h5py_encoding") == "utf-8"
    cset = CharacterSet.UTF8 if utf8 else CharacterSet.ASCII
    return StringType(1, dt.itemsize, StringPadding.NULLPAD, cset)


def _c_void(dt: np.dtype, o: int) -> Datatype:
    if dt.names is not None:
        return _compound(dt, o)
    if dt.subdtype is not None:
        base, shape = dt.subdtype
        return _array(_create(base, o), tuple(int(n) for n in shape))
    if dt.itemsize == 0:
        raise ValueError("Size must be positive (size must be positive)")
    return OpaqueType(1, dt.itemsize, b"")


def _array(base: Datatype, dims: tuple[int, ...]) -> ArrayType:
    n = 1
    for d in dims:
        n *= d
    return ArrayType(max(2, base.version), base.size * n, dims, base, None)


def _compound(dt: np.dtype, o: int) -> CompoundType:
    # h5py places the members in offset order, each at least at the end of the previous
    # one in libhdf5's *memory* layout (a vlen string is a 8-byte pointer there, a vlen
    # sequence a 16-byte hvl_t); the compound is max(end, itemsize) bytes.
    fields: dict[str, Any] = dt.fields  # type: ignore[assignment]
    placed: dict[str, tuple[int, Datatype]] = {}
    end = 0
    for name in sorted(dt.names or (), key=lambda n: fields[n][1]):
        member_dt, offset = fields[name][0], fields[name][1]
        mtype = _create(member_dt, o)
        start = max(end, offset)
        placed[name] = (start, mtype)
        end = start + library_memory_size(mtype)
    size = max(end, dt.itemsize)
    compound = CompoundType(1, size, ())
    for name in dt.names or ():
        member = CompoundMember(name, *placed[name])
        compound = replace(compound, members=compound.members + (member,))
        if member.datatype.version > compound.version:  # H5T__insert: the whole parent
            compound = upgrade_version(compound, member.datatype.version)  # type: ignore[assignment]
    if _force_conv(compound):
        # placing the type in the file (H5T__set_loc) sorts the members by offset and
        # shifts each by the growth of the members before it (memory -> file sizes)
        members = sorted(compound.members, key=lambda m: m.offset)
        accum = 0
        for i, m in enumerate(members):
            members[i] = replace(m, offset=m.offset + accum)
            accum += m.datatype.size - library_memory_size(m.datatype)
        compound = replace(compound, members=tuple(members), size=size + accum)
    return compound


def _force_conv(dt: Datatype) -> bool:
    """libhdf5's ``force_conv`` flag: the type holds vlen data or references."""
    if isinstance(dt, (VlenType, ReferenceType)):
        return True
    if isinstance(dt, CompoundType):
        return any(_force_conv(m.datatype) for m in dt.members)
    if isinstance(dt, ArrayType):
        return _force_conv(dt.base)
    return False


def _vlen_string(cset: CharacterSet, o: int) -> VlenType:
    return VlenType(
        1, 8 + o, VlenKind.STRING, StringPadding.NULLTERM, cset, _int(1, False, _NATIVE)
    )


def _c_object(dt: np.dtype, o: int) -> Datatype:
    vlen = check_vlen_dtype(dt)
    if vlen is bytes:
        return _vlen_string(CharacterSet.ASCII, o)
    if vlen is str:
        return _vlen_string(CharacterSet.UTF8, o)
    if vlen is not None:
        base = _create(np.dtype(vlen), o)
        return VlenType(
            base.version, 8 + o, VlenKind.SEQUENCE, StringPadding.NULLTERM, CharacterSet.ASCII, base
        )
    ref = check_ref_dtype(dt)
    if ref is not None:
        # h5pure's or h5py's reference classes (h5py's dtypes carry h5py.h5r classes)
        if getattr(ref, "__name__", "") == "RegionReference":
            return ReferenceType(1, o + 4, ReferenceKind.DATASET_REGION1)
        if getattr(ref, "__name__", "") == "Reference":
            return ReferenceType(1, o, ReferenceKind.OBJECT1)
        raise TypeError("Unrecognized reference code")
    raise TypeError(f"Object dtype {dt!r} has no native HDF5 equivalent")


_BY_KIND: dict[str, Callable[[np.dtype, int], Datatype]] = {
    "i": _c_int,
    "u": _c_int,
    "f": _c_float,
    "b": _c_bool,
    "c": _c_complex,
    "S": _c_string,
    "V": _c_void,
    "O": _c_object,
}
"""numpy kind -> builder (h5py's ``py_create`` dispatch)."""


def _create(dt: np.dtype, o: int) -> Datatype:
    if check_opaque_dtype(dt):
        return OpaqueType(1, dt.itemsize, b"NUMPY:" + dt.descr[0][1].encode("ascii"))
    build = _BY_KIND.get(dt.kind)
    if build is None:
        raise TypeError(f"No conversion path for dtype: {dt!r}")
    return build(dt, o)
