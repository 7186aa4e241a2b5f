"""Datatype records -> numpy dtypes: what h5py reports (:func:`numpy_dtype`) and what the
bytes on disk look like (:func:`storage_dtype`).

Mapping rules (h5py 3.16's, checked against it in tests/dtypes/test_mapping.py):

- integers: byte order + sign + size; bitfields: unsigned of the same size.  Integers of
  sizes h5py cannot map (3, 5, 6, 7 bytes) widen to the next numpy size here instead of
  failing;
- floats: the first of numpy's float types (float16, float32, float64, longdouble) at
  least as wide whose mantissa and exponent range hold the stored layout, in the stored
  byte order.  So bfloat16 reads as float32, FP8 (E4M3/E5M2) as float16, a 4-byte float
  padded to 8 as float64.  VAX order raises :class:`UnsupportedFeatureError`;
- the bool enum (exactly FALSE=0, TRUE=1) -> ``bool``; other enums -> the base integer
  dtype with ``metadata={"enum": {name: value}}``;
- fixed strings -> ``S{n}`` with ``h5py_encoding``; variable-length strings -> object
  with ``vlen`` ``str`` (UTF-8) or ``bytes`` (ASCII); vlen sequences -> object with
  ``vlen`` = base dtype;
- opaque -> the tagged numpy dtype (``NUMPY:<descr>`` tags, with ``h5py_opaque``) or
  ``V{n}``;
- compounds -> structured dtypes with the stored offsets and itemsize, except two float
  members named ``r`` and ``i`` of the same 4/8/16-byte type, which read as complex;
- arrays -> subarray dtypes; references -> object with ``ref`` metadata (revised
  references too, which h5py cannot map); complex (class 11) -> complex64/complex128.
- time -> :class:`UnsupportedFeatureError` (h5py has no mapping either).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from ..errors import FormatError, UnsupportedFeatureError
from ..format.messages.datatype import (
    ArrayType,
    BitfieldType,
    ByteOrder,
    CharacterSet,
    ComplexType,
    CompoundType,
    Datatype,
    EnumType,
    FixedPointType,
    FloatType,
    Normalization,
    OpaqueType,
    ReferenceKind,
    ReferenceType,
    StringType,
    TimeType,
    VlenKind,
    VlenType,
)
from .special import enum_dtype, ref_dtype, regionref_dtype, string_dtype, vlen_dtype

_ORDER = {ByteOrder.LITTLE: "<", ByteOrder.BIG: ">"}

# IEEE layouts numpy stores natively: size -> (sign, exp pos, exp size, mant pos, mant size, bias)
_IEEE = {
    2: (15, 10, 5, 0, 10, 15),
    4: (31, 23, 8, 0, 23, 127),
    8: (63, 52, 11, 0, 52, 1023),
}
_X87 = (79, 64, 15, 0, 64, 16383)


def _order(dt: Datatype, order: ByteOrder) -> str:
    try:
        return _ORDER[order]
    except KeyError:
        raise UnsupportedFeatureError(
            f"{type(dt).__name__}: byte order {order.name} is not supported"
        ) from None


@lru_cache(maxsize=1)
def _float_candidates() -> tuple[tuple[np.dtype, int, int, int], ...]:
    out = []
    for code in np.typecodes["Float"]:
        ndt = np.dtype(code)
        fi = np.finfo(ndt)
        nmant = fi.nmant + 1 if (fi.nmant == 63 and fi.nexp == 15) else fi.nmant
        out.append((ndt, nmant, int(fi.maxexp), int(fi.minexp)))
    return tuple(out)


def _native_longdouble() -> bool:
    fi = np.finfo(np.longdouble)
    return bool(fi.nmant == 63 and fi.nexp == 15 and np.dtype(np.longdouble).itemsize == 16)


def float_memory_dtype(ft: FloatType) -> np.dtype:
    """The numpy float type h5py picks for ``ft`` (see module docstring)."""
    order = _order(ft, ft.byte_order)
    for ndt, nmant, maxexp, minexp in _float_candidates():
        if (
            ndt.itemsize >= ft.size
            and ft.mantissa_size <= nmant
            and 2**ft.exponent_size - ft.exponent_bias - 1 <= maxexp
            and 1 - ft.exponent_bias >= minexp
        ):
            return ndt.newbyteorder(order)  # type: ignore[arg-type]
    raise UnsupportedFeatureError(f"no numpy float type can hold the floating-point layout {ft}")


def float_is_native(ft: FloatType) -> bool:
    """True when the stored bytes already are the numpy float :func:`float_memory_dtype`."""
    if ft.byte_order not in _ORDER or ft.bit_offset != 0:
        return False
    fields = (
        ft.sign_location,
        ft.exponent_location,
        ft.exponent_size,
        ft.mantissa_location,
        ft.mantissa_size,
        ft.exponent_bias,
    )
    if ft.size in _IEEE:
        return (
            fields == _IEEE[ft.size]
            and ft.normalization == Normalization.IMPLIED
            and ft.precision == 8 * ft.size
            and float_memory_dtype(ft).itemsize == ft.size
        )
    return (
        ft.size == 16
        and _native_longdouble()
        and fields == _X87
        and ft.normalization == Normalization.NONE
        and ft.precision == 80
    )


def int_is_native(dt: FixedPointType | BitfieldType) -> bool:
    return dt.size in (1, 2, 4, 8) and dt.bit_offset == 0 and dt.precision == 8 * dt.size


def _int_size(dt: Datatype) -> int:
    for n in (1, 2, 4, 8):
        if dt.size <= n:
            return n
    raise UnsupportedFeatureError(f"{dt.size}-byte integers are not supported")


COMPLEX_NAMES: tuple[str, str] = ("r", "i")
"""The member names of the compound complex numbers are stored as, and read back from
(h5py's ``get_config().complex_names``)."""


def set_complex_names(names: Any) -> None:
    """Store complex numbers as compounds of members ``names`` (two strings), and read
    compounds of two such float members as complex, from now on."""
    if (
        not isinstance(names, tuple)
        or len(names) != 2
        or not all(isinstance(n, str) and n for n in names)
        or names[0] == names[1]
    ):
        raise TypeError(f"complex_names must be a tuple of two different names, not {names!r}")
    global COMPLEX_NAMES
    COMPLEX_NAMES = (names[0], names[1])
    _NUMPY_DTYPES.clear()
    _STORAGE_DTYPES.clear()


def compound_is_complex(ct: CompoundType) -> np.dtype | None:
    """The complex dtype h5py reads a compound {r, i} as (the names of
    :data:`COMPLEX_NAMES`), or None."""
    if len(ct.members) != 2 or tuple(m.name for m in ct.members) != COMPLEX_NAMES:
        return None
    a, b = (numpy_dtype(m.effective_type) for m in ct.members)
    if a != b or a.kind != "f" or a.itemsize not in (4, 8, 16):
        return None
    return np.dtype(f"{a.str[0]}c{2 * a.itemsize}")


def numpy_dtype(dt: Datatype) -> np.dtype:
    """The numpy dtype h5py gives for data of HDF5 type ``dt`` (with h5py's metadata)."""
    return _memoized(_NUMPY_DTYPES, dt, _memory)


_MEMO_ITEMS = 256
_NUMPY_DTYPES: dict[Datatype, np.dtype] = {}
_STORAGE_DTYPES: dict[Datatype, np.dtype] = {}
"""The dtypes of datatype records seen so far (records are frozen, so equal records map to
equal dtypes): files of many small objects ask for the same few types over and over."""


def _memoized(
    memo: dict[Datatype, np.dtype], dt: Datatype, make: Callable[[Any], np.dtype]
) -> np.dtype:
    """``make(dt)``, remembered in ``memo`` when the dtype can be shared: dtypes are
    immutable, but the metadata h5py gives some (an enum's mapping, a vlen base dtype's
    own metadata) holds values a caller could change, so only dtypes without metadata or
    with h5py's type markers (``vlen=str``) are kept."""
    try:
        found = memo.get(dt)
    except TypeError:  # a record holding something unhashable
        return make(dt)
    if found is None:
        found = make(dt)
        if len(memo) < _MEMO_ITEMS and _shareable(found):
            memo[dt] = found
    return found


def _shareable(dtype: np.dtype) -> bool:
    if dtype.fields is not None:
        return all(_shareable(f[0]) for f in dtype.fields.values())
    if dtype.subdtype is not None:
        return _shareable(dtype.subdtype[0])
    meta = dtype.metadata
    return meta is None or all(isinstance(v, (str, type)) for v in meta.values())


MAX_ITEMSIZE = 2**31 - 1
"""The largest element numpy can describe (its itemsize is a C int)."""


def _check_itemsize(dt: Datatype) -> None:
    if dt.size > MAX_ITEMSIZE:
        raise UnsupportedFeatureError(
            f"{type(dt).__name__} of {dt.size} bytes: numpy elements are limited to "
            f"{MAX_ITEMSIZE} bytes"
        )


def _memory(dt: Datatype) -> np.dtype:
    _check_itemsize(dt)
    conv = _MEMORY.get(type(dt))
    if conv is None:
        raise UnsupportedFeatureError(f"no numpy equivalent for datatype class {dt.cls.name}")
    return conv(dt)


def _m_int(dt: FixedPointType) -> np.dtype:  # type: ignore[misc]
    return np.dtype(f"{_order(dt, dt.byte_order)}{'i' if dt.signed else 'u'}{_int_size(dt)}")


def _m_bitfield(dt: BitfieldType) -> np.dtype:
    return np.dtype(f"{_order(dt, dt.byte_order)}u{_int_size(dt)}")


def _m_time(dt: TimeType) -> np.dtype:
    raise UnsupportedFeatureError("the HDF5 time datatype has no numpy equivalent")


def _m_string(dt: StringType) -> np.dtype:
    return string_dtype("utf-8" if dt.cset == CharacterSet.UTF8 else "ascii", dt.size)


def _m_opaque(dt: OpaqueType) -> np.dtype:
    if dt.tag.startswith(b"NUMPY:"):
        try:
            tagged = np.dtype(dt.tag[6:].decode("ascii"), metadata={"h5py_opaque": True})
        except (TypeError, ValueError, UnicodeDecodeError):
            tagged = None
        if tagged is not None and tagged.itemsize == dt.size:
            return tagged
    return np.dtype(f"V{dt.size}")


def _has_vlen_or_ref(dt: Datatype) -> bool:
    """libhdf5's ``force_conv``: the type contains vlen data or references."""
    if isinstance(dt, (VlenType, ReferenceType)):
        return True
    if isinstance(dt, CompoundType):
        return any(_has_vlen_or_ref(m.effective_type) for m in dt.members)
    if isinstance(dt, (ArrayType, EnumType)):
        return _has_vlen_or_ref(dt.base)
    return False


def library_memory_size(dt: Datatype) -> int:
    """Size of ``dt`` in libhdf5's memory layout (H5T_set_loc to memory): vlen sequences
    are ``hvl_t`` (16 bytes), vlen strings ``char *`` (8), old object references 8, old
    region references 12, revised references ``H5R_ref_t`` (64)."""
    if isinstance(dt, VlenType):
        return 8 if dt.kind == VlenKind.STRING else 16
    if isinstance(dt, ReferenceType):
        return {ReferenceKind.OBJECT1: 8, ReferenceKind.DATASET_REGION1: 12}.get(dt.kind, 64)
    if isinstance(dt, ArrayType):
        n = 1
        for d in dt.dims:
            n *= d
        return n * library_memory_size(dt.base)
    if isinstance(dt, CompoundType):
        return _compound_layout(dt)[1]
    return dt.size


def _compound_layout(dt: CompoundType) -> tuple[list[tuple[str, Datatype, int]], int]:
    """Members (name, type, memory offset) and the memory size h5py reports.

    When the compound holds vlen data or references, libhdf5 re-lays it out for memory
    (H5T__set_loc): members sorted by offset, each shifted by the accumulated size change
    of the members before it."""
    members = [(m.name, m.effective_type, m.offset) for m in dt.members]
    if not _has_vlen_or_ref(dt):
        return members, dt.size
    out = []
    accum = 0
    for name, mtype, offset in sorted(members, key=lambda t: t[2]):
        out.append((name, mtype, offset + accum))
        accum += library_memory_size(mtype) - mtype.size
    return out, dt.size + accum


def _m_compound(dt: CompoundType) -> np.dtype:
    cplx = compound_is_complex(dt)
    if cplx is not None:
        return cplx
    members, size = _compound_layout(dt)
    formats = [_memory(t) for _, t, _ in members]
    try:
        return np.dtype(
            {
                "names": [name for name, _, _ in members],
                "formats": formats,
                "offsets": [off for _, _, off in members],
                "itemsize": size,
            }
        )
    except (TypeError, ValueError) as e:
        # e.g. a 3-byte integer member, which numpy widens past its neighbour's offset
        raise UnsupportedFeatureError(f"compound datatype has no numpy equivalent: {e}") from None


def _m_reference(dt: ReferenceType) -> np.dtype:
    if dt.kind in (ReferenceKind.DATASET_REGION1, ReferenceKind.DATASET_REGION2):
        return regionref_dtype
    return ref_dtype


def enum_members(dt: EnumType) -> dict[str, int]:
    return dict(zip(dt.names, dt.values))


def _m_enum(dt: EnumType) -> np.dtype:
    members = enum_members(dt)
    if members == {"FALSE": 0, "TRUE": 1}:
        return np.dtype(bool)
    return enum_dtype(members, basetype=_memory(dt.base))


def _m_vlen(dt: VlenType) -> np.dtype:
    if dt.kind == VlenKind.STRING:
        return string_dtype("utf-8" if dt.cset == CharacterSet.UTF8 else "ascii", None)
    return vlen_dtype(_memory(dt.base))


def _m_array(dt: ArrayType) -> np.dtype:
    return np.dtype((_memory(dt.base), dt.dims))


def _m_complex(dt: ComplexType) -> np.dtype:
    base = dt.base
    if not isinstance(base, FloatType) or not dt.homogeneous or dt.form != 0:
        raise UnsupportedFeatureError(
            f"complex datatype with base {type(base).__name__} is not supported"
        )
    f = float_memory_dtype(base)
    if f.itemsize not in (4, 8, 16):
        raise UnsupportedFeatureError(f"no numpy complex type of {2 * base.size} bytes")
    return np.dtype(f"{f.str[0]}c{2 * f.itemsize}")


_MEMORY: dict[type, Callable[[Any], np.dtype]] = {
    FixedPointType: _m_int,
    FloatType: float_memory_dtype,
    TimeType: _m_time,
    StringType: _m_string,
    BitfieldType: _m_bitfield,
    OpaqueType: _m_opaque,
    CompoundType: _m_compound,
    ReferenceType: _m_reference,
    EnumType: _m_enum,
    VlenType: _m_vlen,
    ArrayType: _m_array,
    ComplexType: _m_complex,
}


# --------------------------------------------------------------------------- storage


def _address_width(width: int, what: str, size: int) -> int:
    """``width``, the bytes of an address inside a stored ``what`` of ``size`` bytes,
    checked to be an offset size a superblock can declare (2, 4 or 8)."""
    if width not in (2, 4, 8):
        raise FormatError(f"{what} datatype of {size} bytes: no room for a file address")
    return width


def heap_id_dtype(size_of_offsets: int) -> np.dtype:
    """A global heap ID: collection address and object index."""
    _address_width(size_of_offsets, "global heap ID", size_of_offsets + 4)
    return np.dtype(
        {
            "names": ["address", "index"],
            "formats": [f"<u{size_of_offsets}", "<u4"],
            "offsets": [0, size_of_offsets],
            "itemsize": size_of_offsets + 4,
        }
    )


def vlen_storage_dtype(size: int) -> np.dtype:
    """A stored vlen element: u32 length + global heap ID (``size = 4 + O + 4``)."""
    o = _address_width(size - 8, "variable-length", size)
    return np.dtype(
        {
            "names": ["length", "address", "index"],
            "formats": ["<u4", f"<u{o}", "<u4"],
            "offsets": [0, 4, 4 + o],
            "itemsize": size,
        }
    )


def revised_ref_storage_dtype(size: int) -> np.dtype:
    """A stored revised reference: u8 type, u8 flags, u32 blob size, heap ID."""
    o = _address_width(size - 10, "reference", size)
    return np.dtype(
        {
            "names": ["type", "flags", "size", "address", "index"],
            "formats": ["u1", "u1", "<u4", f"<u{o}", "<u4"],
            "offsets": [0, 1, 2, 6, 6 + o],
            "itemsize": size,
        }
    )


def storage_dtype(dt: Datatype) -> np.dtype:
    """A numpy dtype whose layout equals the on-disk bytes of one element of ``dt``."""
    return _memoized(_STORAGE_DTYPES, dt, _storage)


def _storage(dt: Datatype) -> np.dtype:
    _check_itemsize(dt)
    if isinstance(dt, (FixedPointType, BitfieldType)):
        return _memory(dt) if int_is_native(dt) else np.dtype(f"V{dt.size}")
    if isinstance(dt, FloatType):
        return float_memory_dtype(dt) if float_is_native(dt) else np.dtype(f"V{dt.size}")
    if isinstance(dt, StringType):
        return np.dtype(f"S{dt.size}")
    if isinstance(dt, CompoundType):
        return np.dtype(
            {
                "names": [m.name for m in dt.members],
                "formats": [storage_dtype(m.effective_type) for m in dt.members],
                "offsets": [m.offset for m in dt.members],
                "itemsize": dt.size,
            }
        )
    if isinstance(dt, ReferenceType):
        if dt.kind == ReferenceKind.OBJECT1:
            return np.dtype(f"<u{_address_width(dt.size, 'object reference', dt.size)}")
        if dt.kind == ReferenceKind.DATASET_REGION1:
            return heap_id_dtype(dt.size - 4)
        return revised_ref_storage_dtype(dt.size)
    if isinstance(dt, EnumType):
        return storage_dtype(dt.base)
    if isinstance(dt, VlenType):
        return vlen_storage_dtype(dt.size)
    if isinstance(dt, ArrayType):
        return np.dtype((storage_dtype(dt.base), dt.dims))
    if isinstance(dt, ComplexType) and isinstance(dt.base, FloatType) and float_is_native(dt.base):
        mem = _m_complex(dt)
        if mem.itemsize == dt.size:
            return mem
    return np.dtype(f"V{dt.size}")
