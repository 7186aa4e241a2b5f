"""Reading values for the tools and dumping them as ``h5tools`` does.

A :class:`ValueSource` reads a dataset or an attribute through h5pure's API, flattened to
elements in C order, each element in the form :meth:`~h5pure.cli.render.Renderer.sprint`
takes.  :func:`dump_dataset` reads a dataset the way ``h5tools_dump_simple_dset`` does, in
strip-mined passes of at most :data:`~h5pure.cli.render.BUFSIZE` bytes (the passes decide
where the output of a large dataset continues), :func:`dump_subset` the hyperslab of
h5dump's ``-s/-S/-c/-k`` row by row as ``h5tools_print_simple_subset`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import inspect
from ..inspect import ArrayType, CompoundType, EnumType, FixedPointType, FloatType, VlenType
from .listing import kind_of, object_paths
from .render import (
    BUFSIZE,
    Context,
    Format,
    RefTarget,
    RegionTarget,
    Renderer,
    Resolver,
    c_double,
    cformat,
    native_int_size,
    opt,
)
from .typenames import members

START_OF_DATA = 1
END_OF_DATA = 2


# --------------------------------------------------------------------------- reading


class RefPaths:
    """h5dump's table of object paths for references (``lookup_ref_path``): built from
    the file being dumped at the first object reference met, then kept for the whole run
    (so h5dump names no targets of object references in later files of one command)."""

    def __init__(self) -> None:
        self.table: dict[int, str] | None = None

    def lookup(self, file: Any, address: int) -> str:
        if self.table is None:
            self.table = object_paths(file)
        return self.table.get(address, "")


class FileResolver(Resolver):
    """References of one file: a region's dataset named by its first path (``paths``),
    an object reference's target by ``ref_paths`` (h5dump), or not at all (h5ls)."""

    def __init__(self, file: Any, paths: dict[int, str] | None, fileno: int = 1,
                 ref_paths: RefPaths | None = None) -> None:
        self.file = file
        self.paths = paths
        self.fileno = fileno
        self.ref_paths = ref_paths

    def _target(self, ref: Any) -> Any:
        try:
            return self.file[ref]
        except (KeyError, OSError, ValueError, TypeError):
            return None

    def object(self, ref: Any) -> RefTarget | None:
        obj = self._target(ref)
        if obj is None:
            return None
        address = inspect.header(obj).address
        path = "" if self.ref_paths is None else self.ref_paths.lookup(self.file, address)
        kind = {"group": "GROUP", "dataset": "DATASET", "datatype": "DATATYPE"}.get(
            kind_of(obj), "UNKNOWN"
        )
        return RefTarget(kind, address, path, self.fileno)

    def region(self, ref: Any) -> RegionTarget | None:
        obj = self._target(ref)
        if obj is None:
            return None
        address = inspect.header(obj).address
        path = (self.paths or {}).get(address) or obj.name or ""
        return RegionTarget(path, ref.selection)

    def open(self, ref: Any) -> Any:
        return self._target(ref)


@dataclass
class ValueSource:
    """Values of one dataset or attribute: extent, memory type, a reader of blocks."""

    shape: tuple[int, ...] | None
    """None for a null dataspace, () for a scalar."""
    dt: Any
    """The memory datatype record."""
    reader: Callable[[tuple[slice, ...]], Any]
    resolver: Resolver
    name: str = ""

    def read(self, key: tuple[slice, ...]) -> list[Any]:
        return elements(self.reader(key), self.dt)


def elements(value: Any, dt: Any) -> list[Any]:
    """A block read through the API as a flat list of elements (C order)."""
    arr = np.asarray(value)
    inner = _array_ndim(dt)
    if inner:
        lead = arr.shape[: arr.ndim - inner]
        n = int(np.prod(lead, dtype=np.int64)) if lead else 1
        return list(arr.reshape((n,) + arr.shape[arr.ndim - inner :]))
    return list(arr.reshape(-1))


def _array_ndim(dt: Any) -> int:
    n = 0
    while isinstance(dt, ArrayType):
        n += len(dt.dims)
        dt = dt.base
    return n


def dataset_source(dset: Any, dt: Any, resolver: Resolver | None = None) -> ValueSource:
    shape = dset.shape

    def reader(key: tuple[slice, ...]) -> Any:
        if shape == ():
            return dset[()]
        return dset[key]

    return ValueSource(
        None if shape is None else tuple(int(n) for n in shape),
        dt,
        reader,
        resolver or FileResolver(dset.file, None),
        dset.name or "",
    )


def attribute_source(obj: Any, name: str, dt: Any, resolver: Resolver | None = None) -> ValueSource:
    aid = obj.attrs.get_id(name)
    shape = aid.shape

    def reader(key: tuple[slice, ...]) -> Any:
        value = obj.attrs[name]
        arr = np.asarray(value) if not isinstance(value, (bytes, str)) else np.array(value, dtype=object)
        if arr.dtype.kind == "U":
            arr = np.array([s.encode("utf-8", "surrogateescape") for s in arr.reshape(-1)],
                           dtype=object).reshape(arr.shape)
        return arr[key] if key else arr

    return ValueSource(
        None if shape is None else tuple(int(n) for n in shape),
        dt,
        reader,
        resolver or FileResolver(obj.file, None),
        name,
    )


# --------------------------------------------------------------------------- sizes


def native_size(dt: Any) -> int:
    """``H5Tget_size(H5Tget_native_type(dt))``: the memory element size the tools read."""
    return _native(dt)[0]


def _native(dt: Any) -> tuple[int, int]:
    """(size, alignment) of the native type."""
    if isinstance(dt, FixedPointType):
        n = native_int_size(dt.size)
        return n, n
    if isinstance(dt, FloatType):
        n = 4 if dt.size <= 4 else 8 if dt.size <= 8 else 16
        return n, n
    if isinstance(dt, EnumType):
        return _native(dt.base)
    if isinstance(dt, VlenType):
        return dt.size, 8
    if isinstance(dt, ArrayType):
        size, align = _native(dt.base)
        n = 1
        for d in dt.dims:
            n *= d
        return size * n, align
    if isinstance(dt, CompoundType):
        offset = 0
        maxalign = 1
        for m in members(dt):
            size, align = _native(m.datatype)
            offset = (offset + align - 1) // align * align + size
            maxalign = max(maxalign, align)
        return (offset + maxalign - 1) // maxalign * maxalign, maxalign
    return int(dt.size), 1


# --------------------------------------------------------------------------- dumping


def dump_simple_data(r: Renderer, info: Format, ctx: Context, flags: int,
                     values: Sequence[Any], dt: Any) -> None:
    """``h5tools_dump_simple_data``: render one pass of elements."""
    if _plain_numbers(dt, info):
        _dump_numbers(r, info, ctx, flags, values, dt)
        return
    ncols = info.line_ncols if info.line_ncols > 0 else 80
    elmt_counter = 0
    n = len(values)
    for i, value in enumerate(values):
        text = r.sprint(dt, value, ctx, info)
        if i + 1 < n or not flags & END_OF_DATA:
            text += opt(info.elmt_suf1, ",")
        if not r.render_element(info, ctx, text, ncols, i, elmt_counter):
            elmt_counter = 0
        ctx.cur_elmt += 1
        elmt_counter += 1


def _plain_numbers(dt: Any, info: Format) -> bool:
    """Integers and floats in the usual formats: every element is one short section of
    printable text, so the line rules reduce to column counting (the fast path)."""
    if info.raw or info.ascii or (info.elmt_fmt not in (None, "%s")):
        return False
    return isinstance(dt, (FixedPointType, FloatType)) and dt.size <= 8


def _number_texts(values: Sequence[Any], dt: Any, info: Format) -> list[str]:
    if isinstance(dt, FixedPointType):
        size = native_int_size(dt.size)
        fmt = {1: info.fmt_schar if dt.signed else info.fmt_uchar,
               2: info.fmt_short if dt.signed else info.fmt_ushort,
               4: info.fmt_int if dt.signed else info.fmt_uint}.get(
            size, info.fmt_long if dt.signed else info.fmt_ulong)
        ints = [int(v) for v in values]
        if fmt in ("%d", "%u", "%ld", "%lu", "%hhd", "%hd", "%hu"):
            return list(map(str, ints))
        return [cformat(fmt, v) for v in ints]
    fmt = info.fmt_float if dt.size <= 4 else info.fmt_double
    floats = np.asarray(values, dtype=np.float64).tolist()
    if fmt == "%g":
        out = []
        for x in floats:
            out.append(format(x, "g") if x == x and x not in (_INF, _NINF) else c_double(x, fmt))
        return out
    return [c_double(x, fmt) for x in floats]


_INF = float("inf")
_NINF = float("-inf")


def _dump_numbers(r: Renderer, info: Format, ctx: Context, flags: int,
                  values: Sequence[Any], dt: Any) -> None:
    """``dump_simple_data`` for :func:`_plain_numbers`: ``render_element`` inlined for
    one-section elements (same decisions, without the per-element machinery)."""
    texts = _number_texts(values, dt, info)
    ncols = info.line_ncols if info.line_ncols > 0 else 80
    suf1 = opt(info.elmt_suf1, ",")
    suf2 = opt(info.elmt_suf2, " ")
    extra = len(suf2) + len(opt(info.line_suf, ""))
    multi_new = info.line_multi_new
    linebreak = info.arr_linebreak
    per_line = info.line_per_line
    last_dim = ctx.size_last_dim
    saved = r.out
    out: list[str] = []
    r.out = out  # the prefixes written meanwhile land in order in the local list
    try:
        _lay_out(r, info, ctx, texts, flags, ncols, suf1, suf2, extra, multi_new, linebreak,
                 per_line, last_dim, out)
    finally:
        r.out = saved
        saved.append("".join(out))


def _lay_out(r: Renderer, info: Format, ctx: Context, texts: list[str], flags: int, ncols: int,
             suf1: str, suf2: str, extra: int, multi_new: bool, linebreak: bool, per_line: int,
             last_dim: int, out: list[str]) -> None:
    n = len(texts)
    end = bool(flags & END_OF_DATA)
    elmt_counter = 0
    for i in range(n):
        text = texts[i] if (i + 1 == n and end) else texts[i] + suf1
        width = len(text)
        row_end = False
        if multi_new and ctx.cur_column + width + extra > ncols and (
            ctx.prev_multiline or ctx.prev_prefix_len + width + extra <= ncols
        ):
            ctx.need_prefix = True
        if linebreak and ctx.cur_elmt:
            if last_dim and ctx.cur_elmt % last_dim == 0:
                ctx.need_prefix = True
            if elmt_counter == last_dim:
                ctx.need_prefix = True
                row_end = True
        if per_line > 0 and ctx.cur_elmt >= per_line:
            ctx.need_prefix = True
        if ctx.cur_column + width + extra > ncols:
            ctx.need_prefix = True
        if ctx.need_prefix:
            r.simple_prefix(info, ctx, ctx.sm_pos + i, 0)
        elif i or ctx.continuation:
            out.append(suf2)
            ctx.cur_column += len(suf2)
        out.append(text)
        ctx.cur_column += width
        ctx.prev_multiline = 0
        if row_end:
            elmt_counter = 0
        ctx.cur_elmt += 1
        elmt_counter += 1


def strip_mine(shape: tuple[int, ...], item_size: int) -> list[int]:
    """The strip-mine block of ``h5tools_dump_simple_dset``."""
    sm = [0] * len(shape)
    nbytes = max(item_size, 1)
    for i in range(len(shape) - 1, -1, -1):
        size = BUFSIZE // nbytes or 1
        sm[i] = min(shape[i], size)
        nbytes *= max(sm[i], 1)
    return sm


def dump_dataset(r: Renderer, info: Format, ctx: Context, source: ValueSource) -> None:
    """``h5tools_dump_simple_dset``: every element, in strip-mined passes."""
    shape = source.shape
    if shape is None:
        return
    ndims = len(shape)
    ctx.ndims = ndims
    total = int(np.prod(shape, dtype=np.int64)) if ndims else 1
    ctx.size_last_dim = shape[-1] if ndims else 0
    if total == 0:
        return
    sm = strip_mine(shape, native_size(source.dt))
    if ndims:
        ctx.init_acc_pos(shape)
    offset = [0] * ndims
    elmtno = 0
    while elmtno < total:
        if ndims:
            size = [min(shape[i] - offset[i], sm[i]) for i in range(ndims)]
            count = int(np.prod(size, dtype=np.int64))
            key = tuple(slice(o, o + s) for o, s in zip(offset, size))
        else:
            size, count, key = [], 1, ()
        values = source.read(key)
        flags = (START_OF_DATA if elmtno == 0 else 0) | (
            END_OF_DATA if elmtno + count >= total else 0
        )
        ctx.sm_pos = elmtno
        dump_simple_data(r, info, ctx, flags, values, source.dt)
        for i in range(ndims - 1, -1, -1):
            offset[i] += size[i]
            if offset[i] == shape[i]:
                offset[i] = 0
            else:
                break
        ctx.continuation += 1
        elmtno += count


def dump_memory(r: Renderer, info: Format, ctx: Context, source: ValueSource) -> None:
    """``h5tools_dump_simple_mem``: all elements in one pass (attributes)."""
    shape = source.shape
    if shape is None:
        return
    ndims = len(shape)
    ctx.ndims = ndims
    total = int(np.prod(shape, dtype=np.int64)) if ndims else 1
    if total == 0:
        return
    ctx.size_last_dim = shape[-1] if ndims else 0
    if ndims:
        ctx.init_acc_pos(shape)
    values = source.read(tuple(slice(0, n) for n in shape))
    dump_simple_data(r, info, ctx, START_OF_DATA | END_OF_DATA, values, source.dt)


@dataclass
class Subset:
    """h5dump's ``-s/-S/-c/-k`` (or ``[start;stride;count;block]``), one value per axis."""

    start: list[int]
    stride: list[int]
    count: list[int]
    block: list[int]


def dump_subset(r: Renderer, info: Format, ctx: Context, source: ValueSource, sset: Subset) -> None:
    """``h5tools_display_simple_subset``: the hyperslab, one row at a time."""
    shape = source.shape or ()
    ndims = len(shape)
    ctx.ndims = ndims
    ctx.size_last_dim = shape[-1] if ndims else 0
    row_dim = 0 if ndims == 1 else ndims - 2
    outer_count = 1
    for i in range(max(ndims - 2, 0)):
        outer_count *= sset.count[i]
    t_start = list(sset.start)
    t_count = list(sset.count)
    t_block = list(sset.block)
    t_stride = list(sset.stride)
    max_start = [0] * ndims
    for i in range(max(ndims - 2, 0)):
        max_start[i] = t_start[i] + sset.count[i] * sset.stride[i]
        t_count[i] = 1
    for _ in range(outer_count):
        if ndims > 1:
            count = sset.count[row_dim] * sset.block[row_dim]
            t_count[row_dim] = 1
            t_block[row_dim] = 1
            if sset.block[row_dim] > 1:
                t_stride[row_dim] = 1
        else:
            count = 1
        _print_simple_subset(r, info, ctx, source, sset, count, t_start, t_count, t_block,
                             t_stride, row_dim)
        if ndims > 2:
            dim = ndims - 3
            for i in range(dim + 1, ndims):
                t_start[i] = sset.start[i]
            while True:
                t_start[dim] += sset.stride[dim]
                if t_start[dim] >= max_start[dim]:
                    t_start[dim] = sset.start[dim]
                    dim -= 1
                    if dim >= 0:
                        continue
                break


def _print_simple_subset(r: Renderer, info: Format, ctx: Context, source: ValueSource,
                         sset: Subset, hyperslab_count: int, start: list[int], count: list[int],
                         block: list[int], stride: list[int], row_dim: int) -> None:
    shape = source.shape or ()
    ndims = len(shape)
    if ndims:
        ctx.init_acc_pos(shape)
    size_row_block = sset.block[row_dim]
    row_counter = 0
    while hyperslab_count > 0:
        if (
            size_row_block > 1
            and row_counter == size_row_block
            and sset.stride[row_dim] > sset.block[row_dim]
        ):
            start[row_dim] += sset.stride[row_dim] - sset.block[row_dim]
            row_counter = 0
        row_counter += 1
        coords = hyperslab(shape, start, stride, count, block)
        if coords is None or not len(coords[0]):
            return
        values = source.read(coords[1])
        values = pick(values, coords, shape)
        flags = START_OF_DATA | (END_OF_DATA if hyperslab_count == 1 else 0)
        low = [int(min(c)) for c in coords[0]]
        elmtno = 0
        for i in range(ndims - 1):
            off = 1
            for j in range(i + 1, ndims):
                off *= shape[j]
            elmtno += low[i] * off
        elmtno += low[ndims - 1]
        ctx.sm_pos = elmtno
        ctx.need_prefix = True
        dump_simple_data(r, info, ctx, flags, values, source.dt)
        ctx.continuation += 1
        start[row_dim] += stride[row_dim]
        hyperslab_count -= 1


def hyperslab(shape: tuple[int, ...], start: list[int], stride: list[int], count: list[int],
               block: list[int]) -> tuple[list[np.ndarray], tuple[slice, ...]] | None:
    """Per-axis coordinates of a hyperslab, and the bounding slices to read it with."""
    axes = []
    for n, st, sd, ct, bl in zip(shape, start, stride, count, block):
        idx = (st + sd * np.arange(ct))[:, None] + np.arange(bl)
        idx = idx.reshape(-1)
        if len(idx) and (idx.max() >= n or idx.min() < 0):
            raise ValueError("subset selection beyond the dataset's extent")
        axes.append(idx)
    if any(len(a) == 0 for a in axes):
        return None
    key = tuple(slice(int(a.min()), int(a.max()) + 1) for a in axes)
    return axes, key


def pick(values: list[Any], coords: tuple[list[np.ndarray], tuple[slice, ...]],
          shape: tuple[int, ...]) -> list[Any]:
    axes, key = coords
    box = [s.stop - s.start for s in key]
    local = [a - s.start for a, s in zip(axes, key)]
    flat = np.ravel_multi_index(np.ix_(*local), box).reshape(-1) if box else np.zeros(1, int)
    return [values[int(i)] for i in flat]


__all__ = [
    "FileResolver",
    "RefPaths",
    "Subset",
    "ValueSource",
    "attribute_source",
    "dataset_source",
    "dump_dataset",
    "dump_memory",
    "dump_simple_data",
    "dump_subset",
    "elements",
    "hyperslab",
    "native_size",
    "pick",
]
