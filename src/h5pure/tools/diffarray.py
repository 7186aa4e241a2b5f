"""Comparing two arrays element by element as ``h5diff`` (HDF5 1.10) does, and printing
the differences in its words.

Numbers are compared a block at a time with numpy (a mask of the differing elements,
then one printed line per difference); other types (compounds, strings, enums,
variable-length data, opaque, bitfields, references) are screened with numpy and only
the elements that differ are walked member by member, as ``h5diff``'s ``diff_datum``.

Printing follows ``h5diff``'s C formats (``%-15g``, ``%-15d``, ...), including what its
C arithmetic does: integer differences computed in the C type of the values (wrapping
where C wraps), the absolute difference of a NaN printed as ``-nan``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np

from ..dtypes import Reference, RegionReference, check_vlen_dtype

FLT_EPSILON = float(np.finfo(np.float32).eps)
DBL_EPSILON = float(np.finfo(np.float64).eps)
SPACES = " " * 10
DEFAULT_BUDGET = 256 * 1024 * 1024


@dataclass
class DiffOptions:
    """What ``h5diff``'s options ask for, and h5pure's additions."""

    report: bool = False
    """``-r``: print every difference."""
    verbose: int | None = None
    """``-v``/``-vN``: the level (0-3), or None when not verbose."""
    quiet: bool = False
    count: int | None = None
    """``-n``: stop after this many differences in one object."""
    delta: float | None = None
    relative: float | None = None
    use_system_epsilon: bool = False
    do_nans: bool = True
    """``-N`` turns NaN detection off (a NaN then differs from everything, itself too)."""
    list_not_cmp: bool = False
    follow_links: bool = False
    no_dangling_links: bool = False
    exclude_paths: tuple[str, ...] = ()
    exclude_attrs: tuple[str, ...] = ()
    atol: float | None = None
    """numpy.isclose's absolute tolerance (h5pure): numbers differ when
    ``|a - b| > atol + rtol * |b|``."""
    rtol: float | None = None
    equal_nan: bool = False
    """With ``atol``/``rtol``: NaN equals NaN (numpy.isclose's ``equal_nan``)."""
    only_differences: bool = False
    """Print nothing about objects without differences (h5pure)."""
    name_unmatched: bool = True
    """Name the objects and attributes found in one file only (h5pure)."""
    budget: int = DEFAULT_BUDGET
    """Bytes of data held at once while comparing datasets."""

    @property
    def print_data(self) -> bool:
        return (self.report or self.verbose is not None) and not self.quiet

    @property
    def isclose(self) -> bool:
        return self.atol is not None or self.rtol is not None


@dataclass
class Report:
    """Where the comparison writes, and what it learns besides counts."""

    out: TextIO
    opts: DiffOptions
    not_cmp: bool = False
    """Some objects could not be compared."""
    contents_differ: bool = False
    """Objects or attributes present in one file only, or different object counts."""
    error: bool = False
    unmatched: list[str] = field(default_factory=list)
    """Lines naming what is found in one file only."""
    ref_compare: Callable[[Any, Any, str, str], int] = lambda a, b, n1, n2: 0  # noqa: E731
    """The differences between what two non-null references point to (the object
    comparison sets it: the referenced datasets are compared)."""

    def write(self, text: str) -> None:
        self.out.write(text)

    def found(self, n: int) -> None:
        self.out.write(f"{n} differences found\n")


# -- C printf ---------------------------------------------------------------------------


def printf(fmt: str, *args: Any) -> str:
    """C's ``sprintf`` for the conversions ``h5diff`` uses (Python's ``%`` operator
    implements them as C does; NaN signs are handled by :func:`_g`)."""
    return fmt % args  # noqa: UP031 - printf formats are the point


def _g(x: Any, spec: str) -> str:
    """C's ``%<spec>g`` of a double (NaN keeps its sign: ``-nan``)."""
    v = float(x)
    if math.isnan(v):
        text = "-nan" if math.copysign(1.0, v) < 0 else "nan"
        width = spec.split(".")[0]
        return printf(f"%{width}s", text)
    return printf(f"%{spec}g", v)


def _f14(x: float) -> str:
    v = float(x)
    if math.isnan(v):
        return printf("%-14s", "-nan" if math.copysign(1.0, v) < 0 else "nan")
    return printf("%-14f", v)


def _c_abs(d: Any) -> Any:
    """C's ``ABS`` macro: ``d >= 0 ? d : -d`` (a NaN comes out with its sign flipped)."""
    return d if d >= 0 else -d


def position(index: int, dims: tuple[int, ...]) -> str:
    """``h5diff``'s position of element ``index`` (C order) of an array of ``dims``."""
    if not dims:
        return "      "
    parts = []
    for n in reversed(dims):
        parts.append(index % n if n else 0)
        index = index // n if n else 0
    return "[ " + "".join(f"{p} " for p in reversed(parts)) + "]"


def char_position(index: int, u: int, dims: tuple[int, ...]) -> str:
    """``h5diff``'s position of character ``u`` of string element ``index``."""
    if not dims:
        return f"[ {u}]"
    return position(index, dims)


def dims_text(dims: tuple[int, ...] | None) -> str:
    if not dims:
        return "H5S_SCALAR"
    return "[" + "x".join(str(d) for d in dims) + "]"


class ArrayPrinter:
    """Prints one array's differences under ``h5diff``'s header (printed before the first
    difference, with the ``relative`` column when that first line has one)."""

    def __init__(self, report: Report, dims: tuple[int, ...], name1: str, name2: str) -> None:
        self.report = report
        self.dims = dims
        self.name1 = name1
        self.name2 = name2
        self.header_done = False

    def line(self, pos: str, pp: bool, body: str) -> None:
        if not self.header_done:
            self.header_done = True
            d = dims_text(self.dims)
            w = self.report.write
            w(f"{'size:':<16}{d}{'':<11}{d}\n")
            if pp:
                n1, n2 = self.name1 or " ", self.name2 or " "
                w(
                    printf(
                        "%-15s %-15s %-15s %-15s %-15s\n",
                        "position",
                        n1,
                        n2,
                        "difference",
                        "relative",
                    )
                )
                w("-" * 72 + "\n")
            else:
                n1, n2 = self.name1 or " ", self.name2 or " "
                w(printf("%-15s %-15s %-15s %-20s\n", "position", n1, n2, "difference"))
                w("-" * 60 + "\n")
        self.report.write(pos + body)


# -- numbers ----------------------------------------------------------------------------


class NumberRule:
    """How ``h5diff`` compares and prints two numbers of one numpy dtype."""

    def __init__(self, dtype: np.dtype, opts: DiffOptions) -> None:
        self.dtype = np.dtype(dtype)
        self.opts = opts
        self.kind = self.dtype.kind
        self.size = self.dtype.itemsize
        if self.kind == "f" and self.size < 4:  # no native half: libhdf5 converts to float
            self.dtype = np.dtype(np.float32)
            self.size = 4
        self.eps = FLT_EPSILON if self.size == 4 else DBL_EPSILON

    # C integer arithmetic -------------------------------------------------------------
    def _c_sub(self, x: int, y: int) -> int:
        """``x - y`` in the C type the signed value is promoted to (wrapping)."""
        d = x - y
        if self.size >= 4:
            bits = 8 * self.size
            d = (d + (1 << (bits - 1))) % (1 << bits) - (1 << (bits - 1))
        return d

    def _c_abs_int(self, d: int) -> int:
        if d >= 0:
            return d
        if self.size >= 4 and d == -(1 << (8 * self.size - 1)):
            return d  # ABS(INT_MIN) overflows back to itself
        return -d

    def _per_unsigned(self, x: int, y: int) -> int:
        """``(signed TYPE)(y - x)`` of PER_UNSIGN."""
        bits = 8 * self.size
        d = (y - x) % (1 << bits)
        return d - (1 << bits) if d >= (1 << (bits - 1)) else d

    # one pair -------------------------------------------------------------------------
    def line(self, x: Any, y: Any) -> tuple[bool, str] | None:
        """``(pp, text)`` when ``x`` and ``y`` differ (``pp``: the line has a relative
        column), None when they do not."""
        if self.kind == "f":
            x, y = self.dtype.type(x), self.dtype.type(y)
            if x.tobytes() == y.tobytes() and not self.opts.isclose:
                return None  # h5diff memcmp()s each element first
            return self._float_line(x, y)
        return self._int_line(int(x), int(y))

    def _float_line(self, x: Any, y: Any) -> tuple[bool, str] | None:
        o = self.opts
        with np.errstate(all="ignore"):
            absd = _c_abs(x - y)
        n1 = bool(np.isnan(x)) if o.do_nans else False
        n2 = bool(np.isnan(y)) if o.do_nans else False
        plain = f"{_g(x, '-15')} {_g(y, '-15')} {_g(absd, '-15')}\n"
        if o.isclose:
            same = np.isclose(x, y, rtol=o.rtol or 0.0, atol=o.atol or 0.0, equal_nan=o.equal_nan)
            return None if same else (False, plain)
        if o.delta is not None:
            if not n1 and not n2:
                return (False, plain) if float(absd) > o.delta else None
            return (False, plain) if n1 != n2 else None
        if o.relative is not None:
            if not n1 and not n2:
                a, b = float(x), float(y)
                not_comparable = abs(a) < DBL_EPSILON
                both_zero = not_comparable and abs(b) < DBL_EPSILON
                with np.errstate(all="ignore"):
                    per = -1.0 if not_comparable else abs(float(y - x) / a)
                if not_comparable and not both_zero:
                    return True, (
                        f"{_g(x, '-15.10')} {_g(y, '-15.10')} {_g(absd, '-15.10')} not comparable\n"
                    )
                if per > o.relative:
                    with np.errstate(all="ignore"):
                        rel = _c_abs(self.dtype.type(1) - y / x)
                    return True, (
                        f"{_g(x, '-15.10')} {_g(y, '-15.10')} {_g(absd, '-15.10')} "
                        f"{_g(rel, '-14.10')}\n"
                    )
                return None
            return (False, plain) if n1 != n2 else None
        if o.do_nans:
            if n1 and n2:
                return None
            if n1 != n2:
                return False, plain
        if x == y:
            return None
        if o.use_system_epsilon and float(absd) < self.eps:
            return None
        return False, plain

    def _int_line(self, x: int, y: int) -> tuple[bool, str] | None:
        o = self.opts
        signed = self.kind == "i"
        absd = self._c_abs_int(self._c_sub(x, y)) if signed else abs(x - y)

        def row(extra: str) -> str:
            return printf("%-15d %-15d %-15d%s\n", x, y, absd, extra)

        if o.isclose:
            same = np.isclose(x, y, rtol=o.rtol or 0.0, atol=o.atol or 0.0)
            return None if same else (False, row(""))
        if o.delta is not None:
            if self.kind == "u" and self.size == 8:
                return (False, row("")) if absd > int(o.delta) else None
            return (False, row("")) if float(absd) > o.delta else None
        if o.relative is not None:
            num = self._c_sub(y, x) if signed else self._per_unsigned(x, y)
            not_comparable = x == 0
            both_zero = x == 0 and y == 0
            if not_comparable and not both_zero:
                return True, row(" not comparable")
            if not not_comparable:
                per = abs(float(num) / float(x))
                if per > o.relative:
                    return True, row(" " + _f14(per))
            return None
        return (False, row("")) if x != y else None

    # many pairs -------------------------------------------------------------------------
    def differences(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The flat indices where ``line`` reports a difference, for whole arrays.

        ``h5diff`` compares the bytes of each pair first (identical bytes never differ,
        a NaN included), so one pass over the bits finds the candidates and the rule
        runs on those only; numpy.isclose's rule (``atol``/``rtol``) runs on all."""
        a = np.ascontiguousarray(a, dtype=self.dtype).reshape(-1)
        b = np.ascontiguousarray(b, dtype=self.dtype).reshape(-1)
        if self.opts.isclose:
            mask = self._float_mask(a, b) if self.kind == "f" else self._int_mask(a, b)
            return np.flatnonzero(mask)
        bits = np.dtype(f"u{self.size}")
        cand = np.flatnonzero(a.view(bits) != b.view(bits))
        if self.kind != "f" and self.opts.delta is None and self.opts.relative is None:
            return cand
        sa, sb = a[cand], b[cand]
        mask = self._float_mask(sa, sb) if self.kind == "f" else self._int_mask(sa, sb)
        return cand[mask]

    def mask(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Where ``line`` would report a difference (same shape as ``a``)."""
        out = np.zeros(np.shape(a), dtype=bool).reshape(-1)
        out[self.differences(a, b)] = True
        return out.reshape(np.shape(a))

    def _float_mask(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        o = self.opts
        with np.errstate(all="ignore"):
            if o.isclose:
                return ~np.isclose(
                    a, b, rtol=o.rtol or 0.0, atol=o.atol or 0.0, equal_nan=o.equal_nan
                )
            if o.do_nans:
                n1, n2 = np.isnan(a), np.isnan(b)
                one = n1 ^ n2
                both_ok = ~(n1 | n2)
            else:
                one = np.zeros(a.shape, bool)
                both_ok = np.ones(a.shape, bool)
            if o.delta is not None:
                absd = np.abs(a - b).astype(np.float64)
                return (both_ok & (absd > o.delta)) | one
            if o.relative is not None:
                a64 = a.astype(np.float64)
                notcomp = np.abs(a64) < DBL_EPSILON
                bothzero = notcomp & (np.abs(b.astype(np.float64)) < DBL_EPSILON)
                per = np.abs((b - a).astype(np.float64) / np.where(notcomp, 1.0, a64))
                hit = (notcomp & ~bothzero) | (~notcomp & (per > o.relative))
                return (both_ok & hit) | one
            differ = a != b
            if o.do_nans:
                differ &= ~(n1 & n2)
            if o.use_system_epsilon:
                differ &= ~(np.abs(a - b).astype(np.float64) < self.eps)
            return differ

    def _int_mask(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        o = self.opts
        if o.isclose:
            return ~np.isclose(a, b, rtol=o.rtol or 0.0, atol=o.atol or 0.0)
        if o.delta is None and o.relative is None:
            return a != b
        signed = self.kind == "i"
        with np.errstate(all="ignore"):
            if signed:
                d = a.astype(np.int64) - b.astype(np.int64)
                if self.size == 4:
                    d = d.astype(np.int32)
                absd = np.abs(d).astype(np.float64)
            else:
                absd_u = np.where(b > a, b - a, a - b)
                absd = absd_u.astype(np.float64)
            if o.delta is not None:
                if self.kind == "u" and self.size == 8:
                    return absd_u > np.uint64(int(o.delta))
                return absd > o.delta
            if signed:
                num = b.astype(np.int64) - a.astype(np.int64)
                if self.size == 4:
                    num = num.astype(np.int32)
            else:
                signed_t = {1: np.int8, 2: np.int16, 4: np.int32, 8: np.int64}[self.size]
                num = (b - a).astype(signed_t)
            notcomp = a == 0
            bothzero = notcomp & (b == 0)
            per = np.abs(num.astype(np.float64) / np.where(notcomp, 1, a).astype(np.float64))
            return (notcomp & ~bothzero) | (~notcomp & (per > o.relative))


# -- the element walk of other types ----------------------------------------------------


@dataclass
class DatumContext:
    """What ``diff_datum`` carries down into members: where to print and how."""

    report: Report
    printer: ArrayPrinter
    index: int
    dims: tuple[int, ...]


TypeInfo = Any
"""A node of :func:`type_tree`: ``("number", NumberRule)``, ``("string", pad, vlen)``,
``("enum", {value: name})``, ``("compound", [(name, TypeInfo)])``, ``("array", n,
TypeInfo)``, ``("vlen", TypeInfo)``, ``("bytes",)`` (opaque, bitfield) or
``("reference",)``."""


def enum_names(record: Any) -> dict[int, str]:
    """Value -> name of an HDF5 enumeration record."""
    base = record.base
    big = int(getattr(base, "byte_order", 0)) == 1
    signed = bool(getattr(base, "signed", False))
    return {
        int.from_bytes(raw, "big" if big else "little", signed=signed): name
        for name, raw in zip(record.names, record.raw_values)
    }


def common_number(d1: np.dtype, d2: np.dtype) -> np.dtype:
    """``h5diff``'s ``match_up_memsize``: two numbers of one class compared in the larger
    of their native types."""
    d1, d2 = np.dtype(d1).newbyteorder("="), np.dtype(d2).newbyteorder("=")
    return d1 if d1.itemsize >= d2.itemsize else d2


def type_tree(dtype1: np.dtype, dtype2: np.dtype, record: Any, opts: DiffOptions) -> TypeInfo:
    """How each part of values of ``dtype1`` (read as the HDF5 datatype ``record``) is
    compared with the same part of values of ``dtype2``."""
    cls = getattr(record, "cls", None)
    clsname = getattr(cls, "name", "")
    if clsname == "VARIABLE_LENGTH":
        if int(getattr(record, "kind", 0)) == 1:
            return ("string", "nullterm", True, 0)
        b1 = check_vlen_dtype(dtype1)
        b2 = check_vlen_dtype(dtype2)
        base1 = np.dtype(b1) if b1 is not None else dtype1
        base2 = np.dtype(b2) if b2 is not None else base1
        return ("vlen", type_tree(base1, base2, record.base, opts))
    if clsname == "STRING":
        pad = getattr(record, "padding", None)
        return ("string", getattr(pad, "name", "NULLTERM").lower(), False, int(record.size))
    if clsname == "ENUM":
        return ("enum", enum_names(record))
    if clsname == "COMPOUND" and dtype1.kind == "c":
        rule = NumberRule(np.dtype(f"f{common_number(dtype1, dtype2).itemsize // 2}"), opts)
        return ("complex", [m.name for m in record.members], rule)
    if clsname == "COMPOUND":
        members = []
        fields1: Any = dtype1.fields or {}
        fields2: Any = dtype2.fields or {}
        names2 = list(dtype2.names or ())
        for i, m in enumerate(record.members):
            sub1 = fields1[m.name][0]
            sub2 = fields2[names2[i]][0] if i < len(names2) else sub1
            members.append((m.name, type_tree(sub1, sub2, m.datatype, opts)))
        return ("compound", members)
    if clsname == "ARRAY":
        base1 = dtype1.subdtype[0] if dtype1.subdtype else dtype1
        base2 = dtype2.subdtype[0] if dtype2.subdtype else base1
        return ("array", int(np.prod(record.dims)), type_tree(base1, base2, record.base, opts))
    if clsname in ("OPAQUE", "BITFIELD"):
        return ("bytes",)
    if clsname == "REFERENCE":
        return ("reference",)
    if dtype1.subdtype is not None:
        base, shape = dtype1.subdtype
        base2 = dtype2.subdtype[0] if dtype2.subdtype else base
        return ("array", int(np.prod(shape)), type_tree(base, base2, record, opts))
    return ("number", NumberRule(common_number(dtype1, dtype2), opts))


def _print_char(ch: int) -> str:
    special = {34: '\\"', 92: "\\\\", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t"}
    if ch in special:
        return special[ch]
    if 32 <= ch < 127:
        return chr(ch)
    # C's char is signed: bytes above 127 print as negative octal of an int
    return "\\%03o" % (ch if ch < 128 else ch - 256 + (1 << 32))


def _as_bytes(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, bytes):  # np.bytes_ too (trailing NULs already stripped)
        return bytes(value)
    return np.asarray(value).tobytes()


def datum(info: TypeInfo, v1: Any, v2: Any, ctx: DatumContext) -> int:
    """``h5diff``'s ``diff_datum``: the differences between two values of one element
    (printing each, when asked), counted as ``h5diff`` counts them."""
    kind = info[0]
    opts = ctx.report.opts
    if kind == "compound":
        n = 0
        for name, sub in info[1]:
            n += datum(sub, v1[name], v2[name], ctx)
        return n
    if kind == "number":
        rule: NumberRule = info[1]
        if np.asarray(v1).tobytes() == np.asarray(v2).tobytes():
            return 0
        hit = rule.line(v1, v2)
        if hit is None:
            return 0
        if opts.print_data:
            pp, text = hit
            ctx.printer.line(position(ctx.index, ctx.dims), pp, SPACES + text)
        return 1
    if kind == "string":
        return _string_datum(info, v1, v2, ctx)
    if kind == "complex":
        sub = ("number", info[2])
        return datum(sub, np.real(v1), np.real(v2), ctx) + datum(sub, np.imag(v1), np.imag(v2), ctx)
    if kind == "enum":
        if np.asarray(v1).tobytes() == np.asarray(v2).tobytes():
            return 0
        names = info[1]
        n1 = names.get(int(v1), "**INVALID VALUE**")
        n2 = names.get(int(v2), "**INVALID VALUE**")
        if n1 == n2:
            return _bytes_datum(np.asarray(v1).tobytes(), np.asarray(v2).tobytes(), ctx)
        if opts.print_data:
            ctx.printer.line(
                position(ctx.index, ctx.dims), False, SPACES + printf("%-16s %-17s\n", n1, n2)
            )
        return 1
    if kind == "array":
        a1 = np.asarray(v1).reshape(-1)
        a2 = np.asarray(v2).reshape(-1)
        return sum(datum(info[2], a1[i], a2[i], ctx) for i in range(min(len(a1), len(a2))))
    if kind == "vlen":
        a1 = np.asarray(v1).reshape(-1)
        a2 = np.asarray(v2).reshape(-1)
        return sum(datum(info[1], a1[i], a2[i], ctx) for i in range(min(len(a1), len(a2))))
    if kind == "bytes":
        b1, b2 = _as_bytes(v1), _as_bytes(v2)
        if b1 == b2:
            return 0
        return _bytes_datum(b1, b2, ctx)
    if kind == "reference":
        null1, null2 = not v1, not v2
        if null1 != null2:
            return 1
        if null1:
            return 0
        return ctx.report.ref_compare(v1, v2, ctx.printer.name1, ctx.printer.name2)
    raise TypeError(f"cannot compare {kind}")


def _byte_line(c1: int, c2: int, opts: DiffOptions) -> tuple[bool, str] | None:
    """``character_compare_opt``: one byte of opaque, bitfield or enum data."""
    pdiff = abs(c1 - c2)
    if opts.delta is not None:
        return (False, printf("%-15d %-15d %-15d\n", c1, c2, pdiff)) if pdiff > opts.delta else None
    if opts.relative is not None:
        d = (c2 - c1) % 256
        d = d - 256 if d >= 128 else d
        per = -1.0 if c1 == 0 else abs(d / c1)
        if per > opts.relative:
            return True, printf("%-15d %-15d %-15d %s\n", c1, c2, pdiff, _f14(per))
        return None
    return (False, printf("%-15d %-15d %-15d\n", c1, c2, pdiff)) if c1 != c2 else None


def _bytes_datum(b1: bytes, b2: bytes, ctx: DatumContext) -> int:
    """``character_compare_opt`` on each byte: numeric lines."""
    n = 0
    opts = ctx.report.opts
    for c1, c2 in zip(b1, b2):
        hit = _byte_line(c1, c2, opts)
        if hit is None:
            continue
        n += 1
        if opts.print_data:
            pp, text = hit
            ctx.printer.line(position(ctx.index, ctx.dims), pp, SPACES + text)
    return n


def _string_datum(info: TypeInfo, v1: Any, v2: Any, ctx: DatumContext) -> int:
    _, pad, vlen, fixed = info
    s1, s2 = _as_bytes(v1), _as_bytes(v2)
    if not vlen:
        s1 = s1[:fixed].ljust(fixed, b"\0")
        s2 = s2[:fixed].ljust(fixed, b"\0")
    if vlen:
        size1, size2 = len(s1.split(b"\0", 1)[0]), len(s2.split(b"\0", 1)[0])
    elif pad == "nullterm":
        size1, size2 = len(s1.split(b"\0", 1)[0]), len(s2.split(b"\0", 1)[0])
    else:
        size1 = size2 = fixed
    # the C strings are read past their length up to the NUL that ends them
    s1 = s1 + b"\0" * (max(size1, size2) + 1)
    s2 = s2 + b"\0" * (max(size1, size2) + 1)
    n = 1 if size1 != size2 else 0
    if size1 < size2:
        size, s, sizex, sx = size1, s1, size2, s2
    else:
        size, s, sizex, sx = size2, s2, size1, s1
    opts = ctx.report.opts
    if s[:size] == sx[:size]:
        if size1 != size2 and opts.print_data:
            for u in range(size, sizex):
                _char_compare(s[u], sx[u], u, ctx)
        return n
    for u in range(size):
        n += _char_compare(s[u], sx[u], u, ctx)
    return n


def _char_compare(c1: int, c2: int, u: int, ctx: DatumContext) -> int:
    if c1 == c2:
        return 0
    if ctx.report.opts.print_data:
        ctx.printer.line(
            char_position(ctx.index, u, ctx.dims),
            False,
            " " * 12 + _print_char(c1) + " " * 12 + _print_char(c2) + "\n",
        )
    return 1


def differing(info: TypeInfo, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A cheap superset of the elements ``datum`` may find different (flat mask)."""
    a = a.reshape(-1)
    b = b.reshape(-1)
    if info[0] == "reference":  # equal addresses in two files may point to different data
        return np.ones(a.shape, bool)
    if a.dtype.hasobject or b.dtype.hasobject:
        out = np.zeros(a.shape, bool)
        for i in range(a.size):
            out[i] = not _same_object(a[i], b[i])
        return out
    if a.dtype != b.dtype:
        return np.ones(a.shape, bool)
    ra = np.ascontiguousarray(a).view(np.uint8).reshape(a.size, -1)
    rb = np.ascontiguousarray(b).view(np.uint8).reshape(b.size, -1)
    return (ra != rb).any(axis=1) if ra.size else np.zeros(a.shape, bool)


def _same_object(x: Any, y: Any) -> bool:
    if isinstance(x, (Reference, RegionReference)) or isinstance(y, (Reference, RegionReference)):
        return not x and not y
    if isinstance(x, np.void) and isinstance(y, np.void):
        return all(_same_object(x[n], y[n]) for n in x.dtype.names or ())
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        ax, ay = np.asarray(x), np.asarray(y)
        if ax.shape != ay.shape:
            return False
        if ax.dtype.hasobject or ay.dtype.hasobject:
            return all(_same_object(p, q) for p, q in zip(ax.reshape(-1), ay.reshape(-1)))
        return ax.tobytes() == ay.tobytes()
    if isinstance(x, (bytes, str)) or isinstance(y, (bytes, str)):
        return _as_bytes(x) == _as_bytes(y)
    try:
        return bool(x == y) and type(x) is type(y)
    except (TypeError, ValueError):
        return False


# -- one array ------------------------------------------------------------------------------


def compare_block(
    info: TypeInfo,
    a: np.ndarray,
    b: np.ndarray,
    start: int,
    flat_index: Callable[[np.ndarray], np.ndarray] | None,
    printer: ArrayPrinter,
    report: Report,
    budget_left: int | None,
) -> int:
    """The differences in one block; ``flat_index`` maps block-flat positions to
    positions in the whole array (None: the block is the run ``start, start+1, ...``).
    ``budget_left`` is what ``-n`` still allows (None: no limit)."""
    opts = report.opts
    a = np.asarray(a)
    b = np.asarray(b)
    if info[0] == "number":
        rule: NumberRule = info[1]
        where = rule.differences(a, b)
        if budget_left is not None:
            where = where[:budget_left]
        if not opts.print_data:
            return int(where.size)
        fa = a.reshape(-1)
        fb = b.reshape(-1)
        glob = where + start if flat_index is None else flat_index(where)
        for i, g in zip(where.tolist(), glob.tolist()):
            hit = rule.line(fa[i], fb[i])
            if hit is None:  # pragma: no cover - mask and line agree
                continue
            pp, text = hit
            printer.line(position(g, printer.dims), pp, SPACES + text)
        return int(where.size)
    cand = np.flatnonzero(differing(info, a, b))
    fa = a.reshape(-1)
    fb = b.reshape(-1)
    glob = cand + start if flat_index is None else flat_index(cand)
    n = 0
    for i, g in zip(cand.tolist(), glob.tolist()):
        ctx = DatumContext(report, printer, int(g), printer.dims)
        n += datum(info, fa[i], fb[i], ctx)
        if budget_left is not None and n >= budget_left:
            break
    return n
