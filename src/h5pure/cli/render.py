"""The HDF5 tools' data renderer, for ``h5pure ls -d`` and ``h5pure dump``.

``h5ls`` and ``h5dump`` print values through one shared library (``h5tools``): each
element is rendered to a string (:func:`Renderer.sprint`), then placed on the output line
by line-wrapping rules that depend on the column, the element's index, the end of each row
and whether the previous element spanned lines (:meth:`Renderer.render_element`).  Matching
their output byte for byte means following those rules; this module does, with the
element values read through h5pure's API and described by :mod:`h5pure.inspect`'s datatype
records (in their memory layout, :func:`~h5pure.cli.typenames.memory_type`).

A :class:`Format` carries the tool's format table (``h5tool_format_t``); ``None`` in a
field means "unset" (the C code's ``NULL``, for which a default applies).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..inspect import (
    ArrayType,
    BitfieldType,
    CompoundType,
    EnumType,
    FixedPointType,
    FloatType,
    OpaqueType,
    ReferenceType,
    StringPadding,
    StringType,
    TimeType,
    VlenType,
)
from .typenames import is_object_reference, is_region_reference, is_vlen_string, members

LINE_BREAK = "\x01"
"""``OPTIONAL_LINE_BREAK``: where a rendered element may be split across lines."""

BUFSIZE = 1024 * 1024
"""``H5TOOLS_BUFSIZE``: the strip-mine buffer size, which decides how a large dataset is
read (and so where its output continues)."""


def opt(value: str | None, default: str) -> str:
    return default if value is None else value


_CONV = re.compile(r"%([-+ #0]*\d*(?:\.\d+)?)(?:hh|h|ll|l|L|z|j)?([diouxXeEfFgGcs%])")


@functools.lru_cache(maxsize=256)
def _python_format(fmt: str) -> tuple[str, int]:
    """A C format as a Python one (length modifiers dropped) and its argument count."""
    conv = _CONV.sub(lambda m: "%" + m.group(1) + ("d" if m.group(2) == "u" else m.group(2)), fmt)
    return conv, sum(1 for m in _CONV.finditer(conv) if m.group(2) != "%")


def cformat(fmt: str, *args: Any) -> str:
    """printf: C length modifiers dropped; extra arguments ignored, as C does."""
    conv, wanted = _python_format(fmt)
    return conv % args[:wanted] if wanted else conv.replace("%%", "%")


def str_fmt(text: str, fmt: str | None) -> str:
    """``h5tools_str_fmt``: reformat ``text`` through ``fmt`` (a format without ``%``
    replaces the text)."""
    if fmt is None or fmt == "%s":
        return text
    if "%" in fmt:
        return cformat(fmt, text)
    return fmt


def c_double(value: float, fmt: str) -> str:
    """A double through a C float format: glibc writes non-finite values as ``nan``,
    ``-nan``, ``inf``, ``-inf`` (upper case for ``%E``/``%G``...), padded to the field width
    but never cut by the precision."""
    if math.isfinite(value):
        return cformat(fmt, value)
    if math.isnan(value):
        body = ("-" if math.copysign(1.0, value) < 0 else "") + "nan"
    else:
        body = ("-" if value < 0 else "") + "inf"
    conv = _CONV.search(fmt)
    if conv is None:
        return cformat(fmt)
    if conv.group(2).isupper():
        body = body.upper()
    flags = re.sub(r"\.\d*", "", conv.group(1)).replace("0", "").replace("#", "")
    spec = "%" + flags.replace("+", "").replace(" ", "") + "s"
    if value > 0 or (math.isnan(value) and math.copysign(1.0, value) > 0):
        body = ("+" if "+" in flags else " " if " " in flags else "") + body
    return (fmt[: conv.start()] + spec + fmt[conv.end():]) % body


@dataclass
class Format:
    """``h5tool_format_t``: how values are written (``None``: unset, default applies)."""

    raw: bool = False
    fmt_raw: str | None = ""
    fmt_int: str = "%d"
    fmt_uint: str = "%u"
    fmt_schar: str = "%hhd"
    fmt_uchar: str = "%u"
    fmt_short: str = "%d"
    fmt_ushort: str = "%u"
    fmt_long: str = "%ld"
    fmt_ulong: str = "%lu"
    fmt_double: str = "%g"
    fmt_float: str = "%g"
    ascii: bool = False
    escape_html: bool = False
    str_repeat: int = 0
    arr_pre: str | None = "[ "
    arr_sep: str | None = ","
    arr_suf: str | None = " ]"
    arr_linebreak: bool = True
    cmpd_name: str | None = ""
    cmpd_sep: str | None = ",\n"
    cmpd_pre: str | None = "{"
    cmpd_suf: str | None = "}"
    cmpd_end: str | None = "\n"
    vlen_sep: str | None = ", "
    vlen_pre: str | None = "("
    vlen_suf: str | None = ")"
    vlen_end: str | None = ""
    elmt_fmt: str | None = "%s"
    elmt_suf1: str | None = ","
    elmt_suf2: str | None = " "
    idx_n_fmt: str | None = ""
    idx_sep: str | None = ""
    idx_fmt: str | None = ""
    line_ncols: int = 80
    line_per_line: int = 0
    line_pre: str | None = ""
    line_1st: str | None = "%s"
    line_cont: str | None = "%s"
    line_suf: str | None = ""
    line_sep: str | None = ""
    line_multi_new: bool = True
    line_indent: str | None = "   "
    skip_first: bool = True
    obj_hidefileno: bool = True
    obj_format: str = " %lu"
    dset_format: str = 'DATASET "%s"'
    dset_blockformat_pre: str = "%s"
    dset_ptformat_pre: str = "%s"
    pindex: bool = True
    do_escape: bool = True

    def copy(self, **changes: Any) -> Format:
        return replace(self, **changes)


H5DUMP_FORMAT = Format()
"""``h5tools_dataformat``: h5dump's table."""

H5LS_FORMAT = Format(
    fmt_int="%d",
    arr_pre="[",
    arr_sep=",",
    arr_suf="]",
    cmpd_name="",
    cmpd_sep=",",
    cmpd_pre="{",
    cmpd_suf="}",
    cmpd_end="",
    vlen_sep=",",
    vlen_pre="(",
    vlen_suf=")",
    vlen_end="",
    idx_n_fmt="",
    idx_sep="",
    idx_fmt="",
    line_ncols=65535,
    line_pre="",
    line_indent="",
    skip_first=False,
    obj_hidefileno=False,
    obj_format="-%lu:%lu",
    dset_format="DSET-%s ",
    dset_blockformat_pre="%sBlk%lu: ",
    dset_ptformat_pre="%sPt%lu: ",
    pindex=True,
    do_escape=True,
)
"""``ls_dataformat``: h5ls's table."""


@dataclass
class Context:
    """``h5tools_context_t``: where the renderer is."""

    indent_level: int = 0
    cur_column: int = 0
    need_prefix: bool = False
    ndims: int = 0
    prev_multiline: int = 0
    prev_prefix_len: int = 0
    continuation: int = 0
    size_last_dim: int = 0
    cur_elmt: int = 0
    sm_pos: int = 0
    default_indent_level: int = 0
    acc: list[int] = field(default_factory=list)
    pos: list[int] = field(default_factory=list)
    p_max_idx: list[int] = field(default_factory=list)

    def copy(self) -> Context:
        return replace(self, acc=list(self.acc), pos=list(self.pos), p_max_idx=list(self.p_max_idx))

    def init_acc_pos(self, dims: tuple[int, ...] | list[int]) -> None:
        n = self.ndims
        self.acc = [1] * n
        for i in range(n - 2, -1, -1):
            self.acc[i] = self.acc[i + 1] * (int(dims[i + 1]) if i + 1 < len(dims) else 1)
        self.pos = [0] * n


@dataclass(frozen=True)
class RefTarget:
    """What an object reference points at, as the dumper prints it."""

    kind: str
    """"GROUP", "DATASET", "DATATYPE" or "UNKNOWN"."""
    address: int
    path: str
    fileno: int = 1


@dataclass(frozen=True)
class RegionTarget:
    """A dataset region reference resolved: the dataset's path and the selection."""

    path: str
    selection: Any
    """The :class:`~h5pure.format.selection_codec.SerializedSelection`."""


class Resolver:
    """Turns references into what the dumper prints (the tool supplies one)."""

    def object(self, ref: Any) -> RefTarget | None:
        return None

    def region(self, ref: Any) -> RegionTarget | None:
        return None


def _c_char_octal(byte: int) -> str:
    """``"\\%03o"`` of a (signed) C ``char``: bytes >= 0x80 are negative, printed as the
    32-bit unsigned value of their sign extension."""
    value = byte if byte < 0x80 else (byte - 256) & 0xFFFFFFFF
    return f"\\{value:03o}"


class Renderer:
    """Writes values with one tool's :class:`Format` to ``out`` (a list of strings)."""

    def __init__(self, out: list[str], info: Format, resolver: Resolver | None = None) -> None:
        self.out = out
        self.info = info
        self.resolver = resolver or Resolver()
        self._next_array_element = False  # h5tools' static is_next_arry_elmt

    def write(self, text: str) -> None:
        self.out.append(text)

    # -- characters and strings ----------------------------------------------------------
    def print_char(self, byte: int, info: Format) -> str:
        """``h5tools_print_char`` for one byte of a string."""
        if info.escape_html:
            if byte <= 0x20 or byte > 0x7E:
                value = byte if byte < 0x80 else (byte - 256) & 0xFFFFFFFF
                return f"%{value:02x}"
            return chr(byte)
        c = chr(byte)
        if c == '"':
            return '\\"' if info.do_escape else '"'
        if c == "\\":
            return "\\\\" if info.do_escape else "\\"
        if c == "\b":
            return "\\b" if info.do_escape else "\b"
        if c == "\f":
            return "\\f" if info.do_escape else "\f"
        if c == "\n":
            return "\\n" if info.do_escape else "\n           "
        if c == "\r":
            return "\\r" if info.do_escape else "\r           "
        if c == "\t":
            return "\\t" if info.do_escape else "\t"
        if 0x20 <= byte < 0x7F:
            return c
        return _c_char_octal(byte)

    def sprint_string(self, raw: bytes | None, size: int, pad: int, info: Format) -> str:
        if raw is None:
            return "NULL"
        out: list[str] = []
        quote = ""
        i = 0
        while i < size and (raw[i] or pad != StringPadding.NULLTERM):
            j = 1
            if info.str_repeat > 0:
                while i + j < size and raw[i] == raw[i + j]:
                    j += 1
            if info.str_repeat > 0 and j > info.str_repeat:
                if quote:
                    out.append(quote)
                quote = "'"
                out.append((" " if i else "") + quote)
            elif not quote:
                quote = '"'
                out.append((" " if i else "") + quote)
            out.append(self.print_char(raw[i], info))
            if info.str_repeat and j > info.str_repeat:
                out.append(f"{quote} repeats {j - 1} times")
                quote = ""
                i += j - 1
            i += 1
        if quote:
            out.append(quote)
        if i == 0:
            out.append('""')
        return "".join(out)

    # -- one value ----------------------------------------------------------------------
    def indent_str(self, ctx: Context, info: Format) -> str:
        level = ctx.indent_level if ctx.indent_level > 0 else ctx.default_indent_level
        return opt(info.line_indent, "") * level

    def sprint(self, dt: Any, value: Any, ctx: Context, info: Format | None = None) -> str:
        """``h5tools_str_sprint``: one value of the memory type ``dt``."""
        info = info or self.info
        text = self._sprint(dt, value, ctx, info)
        return str_fmt(text, info.elmt_fmt)

    def _sprint(self, dt: Any, value: Any, ctx: Context, info: Format) -> str:
        if isinstance(dt, FloatType):
            fmt = info.fmt_float if dt.size <= 4 else info.fmt_double
            return c_double(float(value), fmt)
        if isinstance(dt, FixedPointType):
            return self._sprint_int(dt, int(value), info)
        if isinstance(dt, StringType):
            raw = bytes(value) if not isinstance(value, str) else value.encode("utf-8")
            raw = raw.ljust(dt.size, b"\0")[: dt.size]
            return self.sprint_string(raw, dt.size, int(dt.padding), info)
        if is_vlen_string(dt):
            if value is None:
                return "NULL"
            raw = value.encode("utf-8", "surrogateescape") if isinstance(value, str) else bytes(value)
            nul = raw.find(b"\0")
            raw = raw if nul < 0 else raw[:nul]
            return self.sprint_string(raw, len(raw), int(dt.padding), info)
        if isinstance(dt, CompoundType):
            return self._sprint_compound(dt, value, ctx, info)
        if isinstance(dt, EnumType):
            return self._sprint_enum(dt, value)
        if isinstance(dt, ReferenceType):
            return self._sprint_reference(dt, value, info)
        if isinstance(dt, ArrayType):
            return self._sprint_array(dt, value, ctx, info)
        if isinstance(dt, VlenType):
            parts = [opt(info.vlen_pre, "(")]
            seq = [] if value is None else list(np.asarray(value).reshape(-1))
            for i, item in enumerate(seq):
                if i:
                    parts.append(opt(info.vlen_sep, "," + LINE_BREAK))
                ctx.indent_level += 1
                parts.append(self.sprint(dt.base, item, ctx, info))
                ctx.indent_level -= 1
            parts.append(opt(info.vlen_suf, ")"))
            return "".join(parts)
        if isinstance(dt, (BitfieldType, OpaqueType, TimeType)):
            raw = self._raw_bytes(dt, value)
            if len(raw) == 1:
                return f"0x{raw[0]:02x}"
            return ":".join(f"{b:02x}" for b in raw)
        return "invalid datatype"

    def _sprint_int(self, dt: FixedPointType, value: int, info: Format) -> str:
        size = native_int_size(dt.size)
        signed = bool(dt.signed)
        if size == 1:
            if info.ascii:
                return self.print_char(value & 0xFF, info)
            return cformat(info.fmt_schar if signed else info.fmt_uchar, value)
        if size == 4:
            return cformat(info.fmt_int if signed else info.fmt_uint, value)
        if size == 2:
            return cformat(info.fmt_short if signed else info.fmt_ushort, value)
        return cformat(info.fmt_long if signed else info.fmt_ulong, value)

    def _sprint_compound(self, dt: CompoundType, value: Any, ctx: Context, info: Format) -> str:
        if np.iscomplexobj(value):  # h5py reads a {r, i} pair of floats as complex
            value = {m.name: part for m, part in zip(members(dt), (value.real, value.imag))}
        parts = [opt(info.cmpd_pre, "{")]
        ctx.indent_level += 1
        for j, m in enumerate(members(dt)):
            parts.append(opt(info.cmpd_sep, ", " + LINE_BREAK) if j else opt(info.cmpd_end, ""))
            if info.arr_linebreak:
                parts.append(self.indent_str(ctx, info))
            parts.append(cformat(opt(info.cmpd_name, ""), m.name) if info.cmpd_name else "")
            parts.append(self.sprint(m.datatype, value[m.name], ctx, info))
        ctx.indent_level -= 1
        if info.arr_linebreak:
            parts.append(opt(info.cmpd_end, ""))
            parts.append(self.indent_str(ctx, info))
        parts.append(opt(info.cmpd_suf, "}"))
        return "".join(parts)

    def _sprint_array(self, dt: ArrayType, value: Any, ctx: Context, info: Format) -> str:
        items = _array_items(dt, value)
        last = dt.dims[-1] if dt.dims else 1
        parts = [opt(info.arr_pre, "[")]
        ctx.indent_level += 1
        for i, item in enumerate(items):
            if i:
                parts.append(opt(info.arr_sep, "," + LINE_BREAK))
            if info.arr_linebreak and i and i % last == 0:
                parts.append("\n")
                parts.append(self.indent_str(ctx, info))
            elif i and info.arr_sep is not None:
                if self._next_array_element:
                    self._next_array_element = False
                    parts.append("\n ")
                    parts.append(self.indent_str(ctx, info))
                else:
                    parts.append(" ")
            self._next_array_element = False
            parts.append(self.sprint(dt.base, item, ctx, info))
        ctx.indent_level -= 1
        parts.append(opt(info.arr_suf, "]"))
        self._next_array_element = True
        return "".join(parts)

    def _sprint_enum(self, dt: EnumType, value: Any) -> str:
        number = int(value)
        for name, v in zip(dt.names, dt.values):
            if v == number:
                return c_escape(name)
        size = dt.base.size
        raw = (number & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
        if size == 1:
            return f"0x{raw[0]:02x}"
        return ":".join(f"{b:02x}" for b in raw)

    def _sprint_reference(self, dt: ReferenceType, value: Any, info: Format) -> str:
        if value is None or not value:
            return "NULL"
        if is_region_reference(dt):
            target = self.resolver.region(value)
            if target is None:
                return "NULL"
            return f'DATASET "{target.path}"'
        if is_object_reference(dt):
            obj = self.resolver.object(value)
            if obj is None:
                return "NULL"
            if info.obj_hidefileno:
                oid = cformat(info.obj_format, obj.address)
            else:
                oid = cformat(info.obj_format, obj.fileno, obj.address)
            return f'{obj.kind}{oid} "{obj.path}"'
        return "NULL"

    def _raw_bytes(self, dt: Any, value: Any) -> bytes:
        if isinstance(dt, BitfieldType):
            # the memory (native, little-endian) bytes of the bit field
            return (int(value) & ((1 << (8 * dt.size)) - 1)).to_bytes(dt.size, "little")
        if isinstance(value, np.void):
            return value.tobytes()
        if isinstance(value, (bytes, bytearray)):
            return bytes(value).ljust(dt.size, b"\0")
        arr = np.asarray(value)
        return arr.tobytes()[: dt.size].ljust(dt.size, b"\0")

    # -- placing values on lines -----------------------------------------------------------
    def prefix_text(self, info: Format, elmtno: int, ctx: Context) -> str:
        """``h5tools_str_prefix``: the element's index, formatted."""
        fmt = opt(info.idx_n_fmt, "%lu")
        if ctx.ndims > 0:
            cur = elmtno
            pos = ctx.pos
            for i, acc in enumerate(ctx.acc[: ctx.ndims]):
                pos[i], cur = divmod(cur, acc)
            values = pos[: ctx.ndims]
        else:
            values = [elmtno]
        if not fmt:
            idx = opt(info.idx_sep, ",").join("" for _ in values)
        elif fmt in ("%lu", "%llu", "%d"):
            idx = opt(info.idx_sep, ",").join(map(str, values))
        else:
            idx = opt(info.idx_sep, ",").join(cformat(fmt, p) for p in values)
        return str_fmt(idx, opt(info.idx_fmt, "%s: "))

    def simple_prefix(self, info: Format, ctx: Context, elmtno: int, secnum: int,
                      prefix: Callable[[], str] | None = None) -> None:
        """``h5tools_simple_prefix``: end the line and start the next with its prefix."""
        if not ctx.need_prefix:
            return
        parts = []
        if ctx.cur_column:
            parts.append(opt(info.line_suf, "") + "\n" + opt(info.line_sep, ""))
        text = prefix() if prefix is not None else self.prefix_text(info, elmtno, ctx)
        level = ctx.indent_level if ctx.indent_level >= 0 else ctx.default_indent_level
        line_indent = opt(info.line_indent, "")
        indent = ""
        if info.pindex and level > 1:
            indent = line_indent
            parts.append(line_indent * (level - 1))
        if elmtno == 0 and secnum == 0 and info.line_1st is not None:
            text = str_fmt(text, info.line_1st)
        elif secnum and info.line_cont is not None:
            text = str_fmt(text, info.line_cont)
        else:
            text = str_fmt(text, info.line_pre)
        parts.append(text)
        length = len(text)
        if level > 0:
            if not info.pindex:
                parts.append(line_indent * level)
                length += len(line_indent) * level
            else:
                # libhdf5 counts the indentation written before the prefix once per
                # level (none when it wrote none): the column it believes it is at
                length += len(indent) * level
        self.write("".join(parts))
        ctx.cur_column = ctx.prev_prefix_len = length
        ctx.cur_elmt = 0
        ctx.need_prefix = False

    def render_element(self, info: Format, ctx: Context, text: str, ncols: int,
                       local_elmt_counter: int, elmt_counter: int,
                       region: Callable[[], str] | None = None) -> bool:
        """``h5tools_render_element``: place ``text`` on the output; False when a row of
        the last dimension ended here."""
        dimension_break = True
        width = count_ncols(text)
        suf2 = len(opt(info.elmt_suf2, " "))
        lsuf = len(opt(info.line_suf, ""))
        if info.line_multi_new and ctx.cur_column + width + suf2 + lsuf > ncols:
            if ctx.prev_multiline:
                ctx.need_prefix = True
            elif ctx.prev_prefix_len + width + suf2 + lsuf <= ncols:
                ctx.need_prefix = True
        if info.arr_linebreak and ctx.cur_elmt:
            if ctx.size_last_dim and ctx.cur_elmt % ctx.size_last_dim == 0:
                ctx.need_prefix = True
            if elmt_counter == ctx.size_last_dim:
                ctx.need_prefix = True
                dimension_break = False
        if (
            info.line_multi_new
            and ctx.prev_multiline
            and ctx.cur_column + width + suf2 + lsuf > ncols
        ):
            ctx.need_prefix = True
        if info.line_per_line > 0 and ctx.cur_elmt >= info.line_per_line:
            ctx.need_prefix = True
        multiline = 0
        for secnum, section in enumerate(s for s in text.split(LINE_BREAK) if s):
            check = region is None or not info.skip_first or local_elmt_counter
            if check and ctx.cur_column + len(section) + suf2 + lsuf > ncols:
                ctx.need_prefix = True
            if ctx.need_prefix:
                if secnum:
                    multiline += 1
                if region is not None:
                    self.simple_prefix(info, ctx, local_elmt_counter, secnum, region)
                else:
                    self.simple_prefix(info, ctx, ctx.sm_pos + local_elmt_counter, secnum)
            elif (local_elmt_counter or ctx.continuation) and secnum == 0:
                self.write(opt(info.elmt_suf2, " "))
                ctx.cur_column += suf2
            self.write(section)
            ctx.cur_column += len(section)
        ctx.prev_multiline = multiline
        return dimension_break

    def render_text(self, info: Format, ctx: Context, text: str) -> None:
        """A header line: the common ``need_prefix = TRUE; render_element(...)`` idiom."""
        ctx.need_prefix = True
        self.render_element(info, ctx, text, info.line_ncols, 0, 0)


def count_ncols(text: str) -> int:
    """``h5tools_count_ncols``: characters not counting control characters."""
    return sum(1 for c in text if c >= " ")


def native_int_size(size: int) -> int:
    """The size of the native integer type ``H5Tget_native_type`` picks."""
    for n in (1, 2, 4, 8):
        if size <= n:
            return n
    return size


def c_escape(text: str) -> str:
    """``h5tools_escape``: C escapes for an enum member's name."""
    table = {
        "'": "\\'",
        '"': '\\"',
        "\\": "\\\\",
        "?": "\\?",
        "\a": "\\a",
        "\b": "\\b",
        "\f": "\\f",
        "\n": "\\n",
        "\r": "\\r",
        "\t": "\\t",
        "\v": "\\v",
    }
    out = []
    for b in text.encode("utf-8", "surrogateescape"):
        c = chr(b)
        if c in table:
            out.append(table[c])
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append(f"\\{b:03o}")
    return "".join(out)


def region_blocks(selection: Any, shape: tuple[int, ...] | None = None) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """``H5Sget_select_hyper_blocklist``: (start, inclusive end) of each block."""
    if selection.blocks is not None:
        return [(tuple(s), tuple(e)) for s, e in selection.blocks]
    reg = selection.regular
    if reg is None:
        return []
    axes = []
    for st, sd, ct, bl in zip(reg.start, reg.stride, reg.count, reg.block):
        count = 1 if ct is None else int(ct)
        block = 1 if bl is None else int(bl)
        axes.append([(st + k * sd, st + k * sd + block - 1) for k in range(count)])
    out = []
    for combo in _product(axes):
        out.append((tuple(c[0] for c in combo), tuple(c[1] for c in combo)))
    return out


def _product(axes: list[list[Any]]) -> list[tuple[Any, ...]]:
    result: list[tuple[Any, ...]] = [()]
    for axis in axes:
        result = [r + (a,) for r in result for a in axis]
    return result


def region_text(selection: Any, info: Format) -> str:
    """``h5tools_str_dump_space_points/blocks``: a selection as text."""
    kind = str(selection.kind.value if hasattr(selection.kind, "value") else selection.kind)
    out = []
    if kind == "points":
        for u, pt in enumerate(selection.points or ()):
            out.append(cformat(info.dset_ptformat_pre, "," + LINE_BREAK + " " if u else "", u))
            out.append("(" + ",".join(str(v) for v in pt) + ")")
    elif kind == "hyperslabs":
        for u, (start, end) in enumerate(region_blocks(selection)):
            out.append(cformat(info.dset_blockformat_pre, "," + LINE_BREAK + " " if u else "", u))
            out.append("(" + ",".join(str(v) for v in start) + ")-(")
            out.append(",".join(str(v) for v in end) + ")")
    return "".join(out)


def _array_items(dt: ArrayType, value: Any) -> list[Any]:
    """The elements of an array value whose base is itself structured."""
    arr = np.asarray(value)
    n = 1
    for d in dt.dims:
        n *= d
    return list(arr.reshape((n,) + arr.shape[len(dt.dims):]))


__all__ = [
    "BUFSIZE",
    "Context",
    "Format",
    "H5DUMP_FORMAT",
    "H5LS_FORMAT",
    "LINE_BREAK",
    "RefTarget",
    "RegionTarget",
    "Renderer",
    "Resolver",
]
