"""Datatypes and dataspaces in h5dump's DDL (``h5tools_print_datatype``/``_dataspace``).

Block types (strings, compounds, enums, opaque) are written a line at a time through the
renderer, as h5dump does, and leave their closing ``}`` in the buffer for the caller, who
appends what follows it (a member name, ``;``) before rendering it.
"""

from __future__ import annotations

from typing import Any

from ..inspect import (
    ArrayType,
    CharacterSet,
    CompoundType,
    EnumType,
    OpaqueType,
    StringPadding,
    StringType,
    VlenType,
)
from .render import Context, Format, Renderer
from .typenames import ddl_atomic, is_vlen_string, members

_PADS = {
    StringPadding.NULLTERM: "H5T_STR_NULLTERM;",
    StringPadding.NULLPAD: "H5T_STR_NULLPAD;",
    StringPadding.SPACEPAD: "H5T_STR_SPACEPAD;",
}
_CSETS = {CharacterSet.ASCII: "H5T_CSET_ASCII;", CharacterSet.UTF8: "H5T_CSET_UTF8;"}


class Buffer:
    """h5tools' string buffer: text not yet rendered."""

    def __init__(self, text: str = "") -> None:
        self.text = text


class TypePrinter:
    """``h5tools_print_datatype`` for one renderer and format."""

    def __init__(self, r: Renderer, info: Format, ncols: int | None = None) -> None:
        self.r = r
        self.info = info
        self.ncols = ncols if ncols is not None else (info.line_ncols if info.line_ncols > 0 else 80)

    def flush(self, ctx: Context, buf: Buffer, local: int = 0, counter: int = 0) -> None:
        self.r.render_element(self.info, ctx, buf.text, self.ncols, local, counter)
        buf.text = ""

    def print(self, ctx: Context, buf: Buffer, dt: Any, committed: str | None = None,
              names: Any = None) -> None:
        """Append ``dt`` to ``buf``, rendering the lines of block types as it goes.
        ``committed``: the name h5dump gives a committed type (printed instead);
        ``names`` maps compound members' committed types (not used by libhdf5 files)."""
        if committed is not None:
            buf.text += f'"{committed}"'
            return
        atomic = ddl_atomic(dt)
        if atomic is not None:
            buf.text += atomic
            return
        if isinstance(dt, StringType) or is_vlen_string(dt):
            self._string(ctx, buf, dt)
        elif isinstance(dt, OpaqueType):
            buf.text += "H5T_OPAQUE {"
            self.flush(ctx, buf)
            ctx.indent_level += 1
            ctx.need_prefix = True
            tag = dt.tag.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
            buf.text = f'OPAQUE_TAG "{tag}";'
            self.flush(ctx, buf)
            ctx.indent_level -= 1
            ctx.need_prefix = True
            buf.text = "}"
        elif isinstance(dt, CompoundType):
            buf.text += "H5T_COMPOUND {"
            self.flush(ctx, buf)
            ctx.indent_level += 1
            for m in members(dt):
                ctx.need_prefix = True
                buf.text = ""
                self.print(ctx, buf, m.datatype)
                buf.text += f' "{m.name}";'
                self.flush(ctx, buf)
            ctx.indent_level -= 1
            ctx.need_prefix = True
            buf.text = "}"
        elif isinstance(dt, EnumType):
            buf.text += "H5T_ENUM {"
            self.flush(ctx, buf)
            ctx.indent_level += 1
            ctx.need_prefix = True
            buf.text = ""
            self.print(ctx, buf, dt.base)
            buf.text += ";"
            self.flush(ctx, buf)
            for name, value in zip(dt.names, dt.values):
                ctx.need_prefix = True
                self.r.simple_prefix(self.info, ctx, 0, 0)
                pad = " " * max(0, 16 - len(name.encode("utf-8", "surrogateescape")))
                buf.text = f'"{name}"{pad} {value};'
                self.flush(ctx, buf)
            ctx.indent_level -= 1
            ctx.need_prefix = True
            buf.text = "}"
        elif isinstance(dt, VlenType):
            buf.text += "H5T_VLEN { "
            self.print(ctx, buf, dt.base)
            buf.text += "}"
        elif isinstance(dt, ArrayType):
            buf.text += "H5T_ARRAY { " + "".join(f"[{d}]" for d in dt.dims) + " "
            self.print(ctx, buf, dt.base)
            buf.text += " }"
        else:
            buf.text += "unknown datatype"

    def _string(self, ctx: Context, buf: Buffer, dt: Any) -> None:
        buf.text += "H5T_STRING {"
        self.flush(ctx, buf)
        ctx.indent_level += 1
        ctx.need_prefix = True
        size = "H5T_VARIABLE" if is_vlen_string(dt) else str(dt.size)
        buf.text = f"STRSIZE {size};"
        self.flush(ctx, buf)
        ctx.need_prefix = True
        buf.text = "STRPAD " + _PADS.get(dt.padding, "H5T_STR_UNKNOWN;")
        self.flush(ctx, buf)
        ctx.need_prefix = True
        buf.text = "CSET " + _CSETS.get(dt.cset, "H5T_CSET_UNKNOWN;")
        self.flush(ctx, buf)
        ctx.need_prefix = True
        buf.text = "CTYPE H5T_C_S1;"
        self.flush(ctx, buf)
        ctx.indent_level -= 1
        ctx.need_prefix = True
        buf.text = "}"


def ddl_dataspace(shape: tuple[int, ...] | None, maxshape: Any) -> str:
    """``h5tools_print_dataspace`` (after ``DATASPACE ``)."""
    if shape is None:
        return " NULL"
    if shape == ():
        return " SCALAR"
    maxshape = maxshape if maxshape is not None else shape
    cur = ", ".join(str(int(n)) for n in shape)
    mx = ", ".join("H5S_UNLIMITED" if m is None else str(int(m)) for m in maxshape)
    return f" SIMPLE {{ ( {cur} ) / ( {mx} ) }}"


def ddl_datatype_lines(r: Renderer, info: Format, ctx: Context, dt: Any, lead: str,
                       resolver: Any = None, index: int = 0, count: int = 0,
                       committed: str | None = None) -> None:
    """Render ``lead`` + the datatype (h5dump's ``DATATYPE  ...`` element)."""
    printer = TypePrinter(r, info)
    buf = Buffer(lead)
    ctx.indent_level += 1
    printer.print(ctx, buf, dt, committed=committed)
    ctx.indent_level -= 1
    r.render_element(info, ctx, buf.text, printer.ncols, index, count)
