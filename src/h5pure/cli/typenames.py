"""HDF5 datatypes in the words of ``h5ls`` and of ``h5dump``'s DDL.

Both tools name a type by comparing it with libhdf5's predefined types (``H5Tequal``):
the native C types of the platform (x86-64 Linux, LP64), the standard ``H5T_STD_*`` and
``H5T_IEEE_*`` types; anything else is described by its size, byte order and sign.  The
records are :mod:`h5pure.inspect`'s datatype records (the decoded datatype message).

``memory_type`` gives the type as libhdf5 hands it to the tools (``H5Dget_type`` /
``H5Aget_type`` with the memory location set): variable-length strings become pointers
(8 bytes), sequences ``hvl_t`` (16 bytes), and compounds holding them grow, their later
members shifting, exactly as ``H5T_set_loc`` does.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..inspect import (
    ArrayType,
    BitfieldType,
    ByteOrder,
    CompoundMember,
    CompoundType,
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

POINTER_SIZE = 8
"""``sizeof(char *)``: the memory size of a variable-length string."""
HVL_SIZE = 16
"""``sizeof(hvl_t)``: the memory size of a variable-length sequence."""

_NATIVE_INT_NAMES = {
    (1, True): "native signed char",
    (1, False): "native unsigned char",
    (2, True): "native short",
    (2, False): "native unsigned short",
    (4, True): "native int",
    (4, False): "native unsigned int",
    (8, True): "native long",
    (8, False): "native unsigned long",
}
_NATIVE_DDL_INT = {
    (1, True): "H5T_NATIVE_SCHAR",
    (1, False): "H5T_NATIVE_UCHAR",
    (2, True): "H5T_NATIVE_SHORT",
    (2, False): "H5T_NATIVE_USHORT",
    (4, True): "H5T_NATIVE_INT",
    (4, False): "H5T_NATIVE_UINT",
    (8, True): "H5T_NATIVE_LONG",
    (8, False): "H5T_NATIVE_ULONG",
}
_IEEE = {
    # size: (sign bit, exponent location, exponent size, mantissa size, bias)
    4: (31, 23, 8, 23, 127),
    8: (63, 52, 11, 52, 1023),
}
_PAD_WORDS = {0: "zero", 1: "one"}


# --------------------------------------------------------------------------- predicates


def is_standard_int(dt: Any) -> bool:
    """Equal to an ``H5T_STD_[IU]nn{LE,BE}`` type (full precision, no padding)."""
    return (
        isinstance(dt, FixedPointType)
        and dt.size in (1, 2, 4, 8)
        and dt.byte_order in (ByteOrder.LITTLE, ByteOrder.BIG)
        and dt.bit_offset == 0
        and dt.precision == 8 * dt.size
        and dt.lo_pad == 0
        and dt.hi_pad == 0
    )


def is_native_int(dt: Any) -> bool:
    return is_standard_int(dt) and dt.byte_order == ByteOrder.LITTLE


def is_ieee(dt: Any) -> bool:
    """Equal to an ``H5T_IEEE_F32/F64{LE,BE}`` type."""
    if not isinstance(dt, FloatType) or dt.size not in _IEEE:
        return False
    sign, eloc, esize, msize, bias = _IEEE[dt.size]
    return (
        dt.byte_order in (ByteOrder.LITTLE, ByteOrder.BIG)
        and dt.bit_offset == 0
        and dt.precision == 8 * dt.size
        and dt.lo_pad == 0
        and dt.hi_pad == 0
        and dt.internal_pad == 0
        and dt.normalization == Normalization.IMPLIED
        and dt.sign_location == sign
        and dt.exponent_location == eloc
        and dt.exponent_size == esize
        and dt.mantissa_location == 0
        and dt.mantissa_size == msize
        and dt.exponent_bias == bias
    )


def is_standard_bitfield(dt: Any) -> bool:
    return (
        isinstance(dt, BitfieldType)
        and dt.size in (1, 2, 4, 8)
        and dt.byte_order in (ByteOrder.LITTLE, ByteOrder.BIG)
        and dt.bit_offset == 0
        and dt.precision == 8 * dt.size
        and dt.lo_pad == 0
        and dt.hi_pad == 0
    )


def is_vlen_string(dt: Any) -> bool:
    return isinstance(dt, VlenType) and dt.kind == VlenKind.STRING


def is_region_reference(dt: Any) -> bool:
    return isinstance(dt, ReferenceType) and dt.kind == ReferenceKind.DATASET_REGION1


def is_object_reference(dt: Any) -> bool:
    return isinstance(dt, ReferenceType) and dt.kind == ReferenceKind.OBJECT1


def has_vlen(dt: Any) -> bool:
    """Whether the type holds variable-length data anywhere (``h5tools_detect_vlen``)."""
    if isinstance(dt, VlenType):
        return True
    if isinstance(dt, CompoundType):
        return any(has_vlen(m.effective_type) for m in dt.members)
    if isinstance(dt, ArrayType):
        return has_vlen(dt.base)
    return False


def members(dt: CompoundType) -> list[CompoundMember]:
    """A compound's members with the v1 legacy array dimensions applied."""
    return [
        m if not m.legacy_dims else replace(m, datatype=m.effective_type, legacy_dims=())
        for m in dt.members
    ]


def byte_order_word(dt: Any) -> str:
    if dt.size <= 1:
        return ""
    order = getattr(dt, "byte_order", None)
    if order == ByteOrder.LITTLE:
        return " little-endian"
    if order == ByteOrder.BIG:
        return " big-endian"
    if order == ByteOrder.VAX:
        return " mixed-endian"
    return " unknown-byte-order"


# --------------------------------------------------------------------------- memory layout


def memory_type(dt: Any) -> Any:
    """The type with libhdf5's memory location set (``H5T_set_loc(dt, H5T_LOC_MEMORY)``)."""
    if isinstance(dt, VlenType):
        size = POINTER_SIZE if dt.kind == VlenKind.STRING else HVL_SIZE
        return replace(dt, size=size, base=memory_type(dt.base))
    if isinstance(dt, ArrayType):
        base = memory_type(dt.base)
        n = 1
        for d in dt.dims:
            n *= d
        return replace(dt, base=base, size=base.size * n)
    if isinstance(dt, EnumType):
        return dt
    if isinstance(dt, CompoundType):
        # members keep their order; a member that changes size shifts every member placed
        # after it (by offset) by the change, and the compound grows by the sum
        mems = members(dt)
        order = sorted(range(len(mems)), key=lambda i: mems[i].offset)
        new = list(mems)
        shift = 0
        for i in order:
            m = mems[i]
            mt = memory_type(m.datatype)
            new[i] = replace(m, offset=m.offset + shift, datatype=mt)
            shift += mt.size - m.datatype.size
        return replace(dt, members=tuple(new), size=dt.size + shift)
    return dt


# --------------------------------------------------------------------------- h5ls words


def ls_string(text: str, escape_spaces: bool) -> str:
    """h5ls's ``print_string``: C escapes, octal for other non-printable bytes."""
    out = []
    for ch in text.encode("utf-8", "surrogateescape"):
        c = chr(ch)
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c in "\b\f\n\r\t":
            out.append({"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}[c])
        elif c == " ":
            out.append("\\ " if escape_spaces else " ")
        elif 0x20 <= ch < 0x7F:
            out.append(c)
        else:
            out.append(f"\\{ch:03o}")
    return "".join(out)


def ls_type(dt: Any, ind: int, *, simple: bool = False, shared: str | None = None) -> str:
    """``h5ls``'s ``print_type``: the text after ``Type:`` (may span lines, each later
    line indented for a first line that starts at column ``ind``)."""
    prefix = f"shared-{shared} " if shared else ""
    return prefix + _ls_type(dt, ind, simple)


def _ls_type(dt: Any, ind: int, simple: bool) -> str:
    if isinstance(dt, FixedPointType):
        if not simple and is_native_int(dt):
            return _NATIVE_INT_NAMES[(dt.size, bool(dt.signed))]
        sign = "" if dt.signed else " unsigned"
        return f"{8 * dt.size}-bit{byte_order_word(dt)}{sign} integer" + _ls_precision(dt, ind)
    if isinstance(dt, FloatType):
        if not simple and is_ieee(dt) and dt.byte_order == ByteOrder.LITTLE:
            return "native float" if dt.size == 4 else "native double"
        if is_ieee(dt):
            order = "little" if dt.byte_order == ByteOrder.LITTLE else "big"
            return f"IEEE {8 * dt.size}-bit {order}-endian float"
        return _ls_float(dt, ind)
    if isinstance(dt, CompoundType):
        lines = ["struct {"]
        for m in members(dt):
            name = ls_string(m.name, False)
            head = f"{'':{ind + 4}}\"{name}\"{'':{max(0, 16 - len(name))}} +{m.offset:<4} "
            lines.append(head + _ls_type(m.datatype, ind + 4, simple))
        size = dt.size
        lines.append(f"{'':{ind}}}} {size} byte{'' if size == 1 else 's'}")
        return "\n".join(lines)
    if isinstance(dt, EnumType):
        out = "enum " + _ls_type(dt.base, ind + 4, simple) + " {"
        if not dt.names:
            out += f"\n{'':{ind + 4}} <empty>"
        for name, value in zip(dt.names, dt.values):
            shown = ls_string(name, True)
            out += f"\n{'':{ind + 4}}{shown}{'':{max(0, 16 - len(shown))}} = {value}"
        return out + f"\n{'':{ind}}}}"
    if isinstance(dt, StringType) or is_vlen_string(dt):
        pad = {
            StringPadding.NULLTERM: "null-terminated",
            StringPadding.NULLPAD: "null-padded",
            StringPadding.SPACEPAD: "space-padded",
        }.get(dt.padding, "unknown-format")
        cset = {0: "ASCII", 1: "UTF-8"}.get(int(dt.cset), "unknown-character-set")
        extent = "variable-length" if is_vlen_string(dt) else f"{dt.size}-byte"
        return f"{extent} {pad} {cset} string"
    if isinstance(dt, ReferenceType):
        if is_object_reference(dt):
            return "object reference"
        if is_region_reference(dt):
            return "dataset region reference"
        return f"{dt.size}-byte unknown reference"
    if isinstance(dt, VlenType):
        return f"variable length of\n{'':{ind + 4}}" + _ls_type(dt.base, ind + 4, simple)
    if isinstance(dt, ArrayType):
        dims = "[" + ",".join(str(d) for d in dt.dims) + "]" if dt.dims else " [SCALAR]\n"
        return dims + " " + _ls_type(dt.base, ind + 4, simple)
    if isinstance(dt, OpaqueType):
        tag = dt.tag.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
        return f"{dt.size}-byte opaque type\n{'':{ind}}(tag = \"{ls_string(tag, False)}\")"
    if isinstance(dt, BitfieldType):
        if not simple and is_standard_bitfield(dt) and dt.byte_order == ByteOrder.LITTLE:
            return f"native {8 * dt.size}-bit field"
        return f"{8 * dt.size}-bit{byte_order_word(dt)} bitfield" + _ls_precision(dt, ind)
    return f"{dt.size}-byte class-{int(dt.cls)} unknown"


def _ls_precision(dt: Any, ind: int) -> str:
    """h5ls's ``print_precision``: precision and padding when not the whole size."""
    nbits = 8 * dt.size
    prec = int(dt.precision)
    if prec == nbits:
        return ""
    off = int(dt.bit_offset)
    out = f"\n{'':{ind}}({prec} bit{'' if prec == 1 else 's'} of precision beginning at bit {off})"
    lsb = _PAD_WORDS.get(int(dt.lo_pad), "unknown") if off > 0 else None
    msb = _PAD_WORDS.get(int(dt.hi_pad), "unknown") if off + prec < nbits else None
    if lsb or msb:
        parts = []
        if lsb:
            parts.append(f"{off} {lsb} bit{'' if off == 1 else 's'} at bit 0")
        if msb:
            n = nbits - (off + prec)
            parts.append(f"{n} {msb} bit{'' if n == 1 else 's'} at bit {nbits - n}")
        out += f"\n{'':{ind}}(" + ", ".join(parts) + ")"
    return out


def _ls_float(dt: FloatType, ind: int) -> str:
    out = f"{8 * dt.size}-bit{byte_order_word(dt)} floating-point" + _ls_precision(dt, ind)
    norm = {
        Normalization.IMPLIED: ", msb implied",
        Normalization.MSB_SET: ", msb always set",
        Normalization.NONE: ", no normalization",
    }.get(dt.normalization, ", unknown normalization")
    ms, es = dt.mantissa_size, dt.exponent_size
    out += (
        f"\n{'':{ind}}(significant for {ms} bit{'' if ms == 1 else 's'} at bit "
        f"{dt.mantissa_location}{norm})"
    )
    out += (
        f"\n{'':{ind}}(exponent for {es} bit{'' if es == 1 else 's'} at bit "
        f"{dt.exponent_location}, bias is 0x{dt.exponent_bias:x})"
    )
    out += f"\n{'':{ind}}(sign bit at {dt.sign_location})"
    if 1 + es + ms < dt.precision:
        pad = _PAD_WORDS.get(int(dt.internal_pad), "unknown")
        out += f"\n{'':{ind}}(internal padding bits are {pad})"
    return out


# --------------------------------------------------------------------------- DDL words


def ddl_atomic(dt: Any) -> str | None:
    """The DDL name of an atomic type (integers, floats, bitfields, references), or
    None for types DDL writes as a block."""
    if isinstance(dt, FixedPointType):
        if is_standard_int(dt):
            kind = "I" if dt.signed else "U"
            order = "LE" if dt.byte_order == ByteOrder.LITTLE else "BE"
            return f"H5T_STD_{kind}{8 * dt.size}{order}"
        sign = "" if dt.signed else " unsigned"
        return (
            f"{8 * dt.size}-bit{byte_order_word(dt)}{sign} integer {dt.precision}-bit precision"
        )
    if isinstance(dt, FloatType):
        if is_ieee(dt):
            order = "LE" if dt.byte_order == ByteOrder.LITTLE else "BE"
            return f"H5T_IEEE_F{8 * dt.size}{order}"
        return f"{8 * dt.size}-bit{byte_order_word(dt)} floating-point {dt.precision}-bit precision"
    if isinstance(dt, BitfieldType):
        if is_standard_bitfield(dt):
            order = "LE" if dt.byte_order == ByteOrder.LITTLE else "BE"
            return f"H5T_STD_B{8 * dt.size}{order}"
        return "undefined bitfield"
    if isinstance(dt, ReferenceType):
        if is_region_reference(dt):
            return "H5T_REFERENCE { H5T_STD_REF_DSETREG }"
        return "H5T_REFERENCE { H5T_STD_REF_OBJECT }"
    if isinstance(dt, TimeType):
        return "H5T_TIME: not yet implemented"
    return None


_LIBHDF5_FILTERS = {1: "deflate", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit",
                    6: "scaleoffset"}


def filter_name(flt: Any) -> str:
    """The name ``H5Pget_filter2`` reports: the stored one, else libhdf5's own filters'
    names, else empty (libhdf5 1.10 knows no plugin without loading it)."""
    return flt.stored_name or _LIBHDF5_FILTERS.get(int(flt.filter_id), "")
