"""References in the tools' output: each reference on its own line, then what it
points to (``h5tools_dump_reference`` of libhdf5 1.10's tools).

An object reference names its target's kind, address and path; a referenced dataset's
values follow in a ``DATA`` block.  A region reference names its dataset, then the
selected blocks or points, the dataset's type and space and (h5dump ``-R``) the selected
values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import inspect
from ..hl import Dataset
from .data import ValueSource, dataset_source, dump_dataset, dump_memory, elements
from .ddl_types import ddl_dataspace, ddl_datatype_lines
from .render import Context, Format, RegionTarget, Renderer, opt, region_blocks, region_text
from .typenames import is_object_reference, is_region_reference, memory_type


def dump_values(r: Renderer, info: Format, ctx: Context, source: ValueSource, dt: Any,
                attribute: bool = False) -> None:
    """h5ls's data dump of one dataset or attribute (references as h5ls 1.10 prints
    them: each target's type and path, a referenced dataset's values in a DATA block)."""
    if is_object_reference(dt) or is_region_reference(dt):
        ref_info = info.copy(line_indent="   ", pindex=False)
        dump_reference_list(r, ref_info, 0, source, dt,
                            dump_target=lambda obj, c: ls_reference_target(r, ref_info, c, obj))
        r.write("\n")
        return
    if attribute:
        dump_memory(r, info, ctx, source)
    else:
        dump_dataset(r, info, ctx, source)


def dump_reference_list(r: Renderer, info: Format, level: int, source: ValueSource, dt: Any,
                        region_data: bool = False,
                        dump_target: Callable[[Any, Context], None] | None = None,
                        cur_column: int = 0) -> None:
    """``h5tools_dump_reference``: each reference on its own line at indent ``level``,
    then what it points to: a region's type, space and (``region_data``) values; for an
    object, ``dump_target(obj, ctx)`` (h5dump: its ``DATA`` block)."""
    shape = source.shape
    if shape is None:
        return
    values = source.read(tuple(slice(0, n) for n in shape))
    resolver = source.resolver
    ncols = info.line_ncols if info.line_ncols > 0 else 80
    ctx = Context(indent_level=level, need_prefix=True, ndims=len(shape), cur_column=cur_column)
    ctx.init_acc_pos(shape)
    region = is_region_reference(dt)
    for i, ref in enumerate(values):
        ctx.need_prefix = True
        text = r.sprint(dt, ref, ctx, info)
        r.render_element(info, ctx, text, ncols, i, len(values))
        if region and ref and ref.selection is not None:
            if str(ref.selection.kind.value) in ("hyperslabs", "points"):
                target = resolver.region(ref)
                if target is not None:
                    dump_region(r, info, ctx, resolver, ref, target, i, len(values), region_data)
        elif not region and ref and dump_target is not None:
            obj = resolver.open(ref) if hasattr(resolver, "open") else None
            if obj is not None:
                ctx.indent_level += 1
                dump_target(obj, ctx)
                ctx.indent_level -= 1
        ctx.cur_elmt += 1


def ls_reference_target(r: Renderer, info: Format, ctx: Context, target: Any) -> None:
    """h5ls: a referenced object's values in a ``DATA {}`` block (empty for groups)."""
    ncols = info.line_ncols if info.line_ncols > 0 else 80
    ctx.need_prefix = True
    r.render_element(info, ctx, "DATA {", ncols, 0, 0)
    if isinstance(target, Dataset):
        dt = memory_type(inspect.datatype(target))
        dctx = Context(indent_level=ctx.indent_level + 1, need_prefix=True,
                       cur_column=ctx.cur_column)
        dump_dataset(r, info, dctx, dataset_source(target, dt))
        ctx.cur_column = dctx.cur_column
    ctx.need_prefix = True
    r.render_element(info, ctx, "}", ncols, 0, 0)


def dump_region(r: Renderer, info: Format, ctx: Context, resolver: Any, ref: Any,
                target: RegionTarget, index: int, count: int, with_data: bool) -> None:
    """``h5tools_dump_region_data_blocks/points``: a region's selection, the dataset's
    type and space, and (``-R``) the selected values."""
    sel = ref.selection
    points = str(sel.kind.value) == "points"
    r.render_element(info, ctx, "{" if points else " {", 80, index, count)
    ctx.indent_level += 1
    ctx.need_prefix = True
    head = "REGION_TYPE POINT  " if points else "REGION_TYPE BLOCK  "
    r.render_element(info, ctx, head + region_text(sel, info), 80, index, count)
    dset = resolver.open(ref)
    file_dt = inspect.datatype(dset)
    ctx.need_prefix = True
    ddl_datatype_lines(r, info, ctx, file_dt, "DATATYPE  ", resolver, index, count)
    ctx.need_prefix = True
    r.render_element(info, ctx, "DATASPACE " + ddl_dataspace(dset.shape, dset.maxshape), 80,
                     index, count)
    if with_data:
        ctx.need_prefix = True
        r.render_element(info, ctx, "DATA {", 80, index, count)
        _region_values(r, info, ctx, dset, sel, points)
        ctx.need_prefix = True
        r.render_element(info, ctx, "}", 80, index, count)
    ctx.indent_level -= 1
    ctx.need_prefix = True
    r.render_element(info, ctx, "}", 80, index, count)


def _region_values(r: Renderer, info: Format, cur: Context, dset: Any, sel: Any,
                   points: bool) -> None:
    """``h5tools_print_region_data_blocks/points``."""
    dt = memory_type(inspect.datatype(dset))
    ctx = Context(indent_level=cur.indent_level, cur_column=cur.cur_column,
                  prev_multiline=cur.prev_multiline)
    fmt = info.copy(idx_fmt="", idx_n_fmt="", idx_sep="", line_pre="")
    if points:
        pts = list(sel.points or ())
        ndims = len(pts[0]) if pts else 0
        ctx.ndims = ndims
        for j, pt in enumerate(pts):
            ctx.need_prefix = True
            ctx.cur_elmt = 0
            ctx.indent_level += 1
            ctx.init_acc_pos([1])
            ctx.sm_pos = j * ndims
            ctx.size_last_dim = cur.p_max_idx[-1] if cur.p_max_idx else 0
            value = elements(dset[tuple(int(c) for c in pt)], dt)[0]
            text = ("\x01" if j else "") + r.sprint(dt, value, ctx, fmt)
            if j + 1 < len(pts):
                text += opt(fmt.elmt_suf1, ",")
            r.render_element(fmt, ctx, text, 80, 0, j, region=lambda: "")
            ctx.indent_level -= 1
    else:
        blocks = region_blocks(sel)
        ndims = len(blocks[0][0]) if blocks else 0
        ctx.ndims = ndims
        for b, (start, end) in enumerate(blocks):
            ctx.need_prefix = True
            ctx.cur_elmt = 0
            dims = [e - s + 1 for s, e in zip(start, end)]
            values = elements(dset[tuple(slice(s, e + 1) for s, e in zip(start, end))], dt)
            ctx.indent_level += 1
            ctx.init_acc_pos(dims)
            ctx.size_last_dim = dims[-1]
            ctx.sm_pos = b * 2 * ndims
            r.simple_prefix(fmt, ctx, 0, 0, prefix=lambda: "")
            elmtno = 0
            for k, value in enumerate(values):
                text = ("\x01" if k else "") + r.sprint(dt, value, ctx, fmt)
                if k + 1 < len(values) or b + 1 < len(blocks):
                    text += opt(fmt.elmt_suf1, ",")
                if not r.render_element(fmt, ctx, text, 80, k, elmtno, region=lambda: ""):
                    elmtno = 0
                elmtno += 1
                ctx.cur_elmt += 1
            ctx.indent_level -= 1
    cur.cur_column = ctx.cur_column


__all__ = ["dump_reference_list", "dump_region", "dump_values", "ls_reference_target"]
