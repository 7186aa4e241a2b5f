"""HDF5 datatypes as h5grove describes them (the ``type`` of ``/meta`` answers).

h5grove builds these records from h5py's low-level ``TypeID`` of an object: the HDF5
class number, the numpy dtype h5py maps the type to (``dtype.str``, a dict for compounds),
the size libhdf5 reports for the type in memory, and per class the byte order, sign,
character set, padding, tag, array dims, members or base type.  We build them from the
datatype record the file declares (:func:`h5pure.inspect.datatype`), with h5py's mapping
rules: a two-member ``FALSE``/``TRUE`` enum is a bool, a compound of two equal floats
named ``r`` and ``i`` is complex, variable-length strings report 8 bytes (a pointer),
sequences 16 (``hvl_t``) and region references 12 (``hdset_reg_ref_t``).

The records are read by their documented fields only; handlers are keyed by the HDF5
class number (File Format Specification IV.A.2.d).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# HDF5 datatype class numbers
INTEGER, FLOAT, TIME, STRING, BITFIELD, OPAQUE, COMPOUND, REFERENCE, ENUM, VLEN, ARRAY, COMPLEX = range(12)
_BIG_ENDIAN = 1
_VLEN_STRING = 1
_REF_SIZES = {0: 8, 1: 12}  # old object reference, old region reference
_REVISED_REF_SIZE = 64  # sizeof(H5R_ref_t)


def _order_char(t: Any) -> str:
    if t.size == 1:
        return "|"
    return ">" if int(t.byte_order) == _BIG_ENDIAN else "<"


def enum_values(t: Any) -> list[int]:
    """The integer value of each member of an enum record, in the file's order."""
    big = int(getattr(t.base, "byte_order", 0)) == _BIG_ENDIAN
    signed = bool(getattr(t.base, "signed", False))
    return [int.from_bytes(raw, "big" if big else "little", signed=signed) for raw in t.raw_values]


def _is_bool(t: Any) -> bool:
    base = t.base
    if int(base.cls) != INTEGER or base.size != 1 or not base.signed:
        return False
    return dict(zip(t.names, enum_values(t))) == {"FALSE": 0, "TRUE": 1}


def _member_type(m: Any) -> Any:
    return m.effective_type


def complex_part(t: Any) -> Any:
    """The float record of h5py's complex compound (members ``r`` then ``i``), else None."""
    if int(t.cls) != COMPOUND or len(t.members) != 2:
        return None
    r, i = t.members
    rt, it = _member_type(r), _member_type(i)
    if (r.name, i.name) != ("r", "i") or int(rt.cls) != FLOAT or rt != it:
        return None
    if r.offset != 0 or i.offset != rt.size or t.size != 2 * rt.size:
        return None
    return rt


def _str_integer(t: Any) -> Any:
    return f"{_order_char(t)}{'i' if t.signed else 'u'}{t.size}"


def _str_compound(t: Any) -> Any:
    part = complex_part(t)
    if part is not None:
        return f"{_order_char(part)}c{t.size}"
    return {m.name: numpy_str(_member_type(m)) for m in t.members}


def _str_complex(t: Any) -> Any:
    return f"{_order_char(t.base)}c{t.size}"


_NUMPY_STR: dict[int, Callable[[Any], Any]] = {
    INTEGER: _str_integer,
    FLOAT: lambda t: f"{_order_char(t)}f{t.size}",
    BITFIELD: lambda t: f"{_order_char(t)}u{t.size}",
    STRING: lambda t: f"|S{t.size}",
    VLEN: lambda t: "|O",
    REFERENCE: lambda t: "|O",
    ENUM: lambda t: "|b1" if _is_bool(t) else numpy_str(t.base),
    COMPOUND: _str_compound,
    COMPLEX: _str_complex,
}


def numpy_str(t: Any) -> Any:
    """h5py's numpy dtype for the record ``t``, as ``dtype.str`` (a dict for compounds)."""
    return _NUMPY_STR.get(int(t.cls), lambda t: f"|V{t.size}")(t)  # opaque, array, time


def _is_vlen_string(t: Any) -> bool:
    return int(t.cls) == VLEN and int(t.kind) == _VLEN_STRING


def _size(t: Any) -> int:
    """The size libhdf5 reports for ``t`` once converted to its memory form."""
    cls = int(t.cls)
    if cls == VLEN:
        return 8 if _is_vlen_string(t) else 16
    if cls == REFERENCE:
        return _REF_SIZES.get(int(t.kind), _REVISED_REF_SIZE)
    return int(t.size)


def _extra_integer(t: Any) -> dict[str, Any]:
    return {"order": int(t.byte_order), "sign": int(t.signed)}


def _extra_order(t: Any) -> dict[str, Any]:
    return {"order": int(t.byte_order)}


def _extra_string(t: Any) -> dict[str, Any]:
    return {"cset": int(t.cset), "strpad": int(t.padding), "vlen": _is_vlen_string(t)}


def _extra_vlen(t: Any) -> dict[str, Any]:
    if _is_vlen_string(t):
        return _extra_string(t)
    return {"base": type_metadata(t.base)}


def _extra_compound(t: Any) -> dict[str, Any]:
    return {"members": [{"name": m.name, **type_metadata(_member_type(m))} for m in t.members]}


def _extra_enum(t: Any) -> dict[str, Any]:
    return {"members": dict(zip(t.names, enum_values(t))), "base": type_metadata(t.base)}


def _extra_array(t: Any) -> dict[str, Any]:
    return {"dims": list(t.dims), "base": type_metadata(t.base)}


_EXTRA: dict[int, Callable[[Any], dict[str, Any]]] = {
    INTEGER: _extra_integer,
    FLOAT: _extra_order,
    BITFIELD: _extra_order,
    STRING: _extra_string,
    VLEN: _extra_vlen,
    OPAQUE: lambda t: {"tag": t.tag.decode("ascii", "replace")},
    COMPOUND: _extra_compound,
    ENUM: _extra_enum,
    ARRAY: _extra_array,
}


def type_metadata(t: Any) -> dict[str, Any]:
    """h5grove's type record for the HDF5 datatype record ``t``."""
    cls = STRING if _is_vlen_string(t) else int(t.cls)
    meta: dict[str, Any] = {"class": cls, "dtype": numpy_str(t), "size": _size(t)}
    extra = _EXTRA.get(int(t.cls))
    if extra is not None:
        meta.update(extra(t))
    return meta
