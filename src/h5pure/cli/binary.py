"""h5dump's ``-o F``: values written to a file instead of the DDL, as text or (``-b``)
binary in the native, file, little- or big-endian layout (``render_bin_output``)."""

from __future__ import annotations

from typing import Any, BinaryIO

import numpy as np

from ..inspect import (
    ArrayType,
    BitfieldType,
    ByteOrder,
    CompoundType,
    EnumType,
    FixedPointType,
    FloatType,
    StringPadding,
    StringType,
    VlenType,
)
from .data import Subset, ValueSource, dump_dataset, dump_subset, hyperslab, pick
from .render import Context, Renderer
from .typenames import is_vlen_string, members


def _order(dt: Any, form: str) -> str:
    if form == "BE":
        return ">"
    if form == "LE" or form == "NATIVE":
        return "<"
    return ">" if getattr(dt, "byte_order", ByteOrder.LITTLE) == ByteOrder.BIG else "<"


def _numeric_bytes(dt: Any, value: Any, form: str) -> bytes:
    order = _order(dt, form)
    if isinstance(dt, FloatType):
        size = dt.size
        if form == "NATIVE":
            size = 4 if size <= 4 else 8
        return np.asarray(value, dtype=f"{order}f{size}").tobytes()
    size = dt.size
    if form == "NATIVE":
        size = 1 if size <= 1 else 2 if size <= 2 else 4 if size <= 4 else 8
    signed = bool(getattr(dt, "signed", False)) and not isinstance(dt, BitfieldType)
    return int(value).to_bytes(size, "big" if order == ">" else "little", signed=signed)


def element_bytes(dt: Any, value: Any, form: str) -> bytes:
    """One element as ``render_bin_output`` writes it."""
    if isinstance(dt, (FixedPointType, FloatType, BitfieldType)):
        return _numeric_bytes(dt, value, form)
    if isinstance(dt, EnumType):
        return _numeric_bytes(dt.base, int(value), form)
    if isinstance(dt, StringType) or is_vlen_string(dt):
        raw = value.encode("utf-8", "surrogateescape") if isinstance(value, str) else bytes(value or b"")
        if isinstance(dt, StringType):
            raw = raw.ljust(dt.size, b"\0")[: dt.size]
        if dt.padding == StringPadding.NULLTERM:
            nul = raw.find(b"\0")
            raw = raw if nul < 0 else raw[:nul]
        return raw
    if isinstance(dt, CompoundType):
        if np.iscomplexobj(value):
            parts = (value.real, value.imag)
            return b"".join(element_bytes(m.datatype, p, form) for m, p in zip(members(dt), parts))
        return b"".join(element_bytes(m.datatype, value[m.name], form) for m in members(dt))
    if isinstance(dt, ArrayType):
        arr = np.asarray(value)
        n = int(np.prod(dt.dims, dtype=np.int64))
        items = arr.reshape((n,) + arr.shape[len(dt.dims):]) if arr.ndim else [value]
        return b"".join(element_bytes(dt.base, v, form) for v in items)
    if isinstance(dt, VlenType):
        return b"".join(element_bytes(dt.base, v, form) for v in np.asarray(value).reshape(-1))
    if dt.cls == 7:  # references: nothing, as h5dump without -R
        return b""
    if isinstance(value, np.void):
        return value.tobytes()
    return bytes(np.asarray(value).tobytes())


def _endian_form_supported(dt: Any) -> bool:
    """``h5tools_get_little/big_endian_type`` knows integers, bit fields and IEEE floats
    of the standard sizes; for anything else h5dump writes nothing."""
    if isinstance(dt, (FixedPointType, BitfieldType)):
        return dt.size in (1, 2, 4, 8)
    return isinstance(dt, FloatType) and dt.size in (4, 8)


def write_binary(sink: BinaryIO, source: ValueSource, form: str, sset: Subset | None) -> None:
    if form in ("LE", "BE") and not _endian_form_supported(source.dt):
        return
    shape = source.shape or ()
    if sset is not None:
        coords = hyperslab(shape, sset.start, sset.stride, sset.count, sset.block)
        values = [] if coords is None else pick(source.read(coords[1]), coords, shape)
    else:
        values = source.read(tuple(slice(0, n) for n in shape))
    for v in values:
        sink.write(element_bytes(source.dt, v, form))


def write_text(sink: list[str], source: ValueSource, info: Any, ctx: Context,
               sset: Subset | None) -> None:
    """The values as h5dump writes them into ``-o F`` (no ``DATA`` block around them)."""
    r = Renderer(sink, info, source.resolver)
    if sset is not None:
        dump_subset(r, info, ctx, source, sset)
    else:
        dump_dataset(r, info, ctx, source)


__all__ = ["element_bytes", "write_binary", "write_text"]
