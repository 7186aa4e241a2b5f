"""h5dump's ``-p``: a dataset's storage layout, filters, fill value and allocation time
(``h5tools_dump_dcpl``), virtual dataset mappings included.  ``d`` is the
:class:`~h5pure.cli.ddl.DDLDumper` writing the dataset."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import inspect
from ..hl import Dataset
from .render import Context, region_blocks
from .typenames import filter_name, memory_type


def dump_dcpl(d: Any, ctx: Context, dset: Dataset, file_dt: Any) -> None:
    """``h5tools_dump_dcpl``: layout, filters, fill value, allocation time."""
    st = inspect.storage(dset)
    dt = memory_type(file_dt)
    size = int(st.allocated_bytes)
    d.render(ctx, "STORAGE_LAYOUT {")
    ctx.indent_level += 1
    if st.layout == "chunked":
        d.render(ctx, "CHUNKED ( " + ", ".join(str(n) for n in st.chunk_shape or ()) + " )")
        text = f"SIZE {size}"
        if st.filters and dset.shape:
            n = int(np.prod(dset.shape, dtype=np.int64))
            ratio = (n * dt.size) / size if size else 0.0
            text += f" ({ratio:.3f}:1 COMPRESSION)"
        d.render(ctx, text)
    elif st.layout == "compact":
        d.render(ctx, "COMPACT")
        d.render(ctx, f"SIZE {size}")
    elif st.layout == "contiguous":
        d.render(ctx, "CONTIGUOUS")
        if st.external:
            d.render(ctx, "EXTERNAL {")
            ctx.indent_level += 1
            for fname, offset, nbytes in st.external:
                d.render(ctx, f"FILENAME {fname} SIZE {nbytes} OFFSET {offset}")
            ctx.indent_level -= 1
            d.render(ctx, "}")
        else:
            d.render(ctx, f"SIZE {size}")
            offset = st.address if st.address is not None else 2**64 - 1
            d.render(ctx, f"OFFSET {offset}")
    elif st.layout == "virtual":
        dump_mappings(d, ctx, dset)
    ctx.indent_level -= 1
    d.render(ctx, "}")
    if st.layout != "virtual":
        d.render(ctx, "FILTERS {")
        ctx.indent_level += 1
        for flt in st.filters:
            dump_filter(d, ctx, flt)
        if not st.filters:
            d.render(ctx, "NONE")
        ctx.indent_level -= 1
        d.render(ctx, "}")
    d.render(ctx, "FILLVALUE {")
    ctx.indent_level += 1
    fill_time = {"alloc": "H5D_FILL_TIME_ALLOC", "never": "H5D_FILL_TIME_NEVER"}.get(
        st.fill_time, "H5D_FILL_TIME_IFSET")
    d.render(ctx, f"FILL_TIME {fill_time}")
    if st.fill_value is not None:
        ctx.indent_level -= 1
        value = d.r.sprint(dt, _fill_value(dset, dt), ctx, d.format)
        ctx.indent_level += 1
        d.render(ctx, "VALUE  " + value)
    elif st.fill_defined:
        d.render(ctx, "VALUE  H5D_FILL_VALUE_DEFAULT")
    else:
        d.render(ctx, "VALUE  H5D_FILL_VALUE_UNDEFINED")
    ctx.indent_level -= 1
    d.render(ctx, "}")
    if st.layout != "virtual":
        alloc = st.alloc_time
        if alloc == "default":
            alloc = {"compact": "early", "contiguous": "late"}.get(st.layout, "incremental")
        word = {"early": "H5D_ALLOC_TIME_EARLY", "late": "H5D_ALLOC_TIME_LATE"}.get(
            alloc, "H5D_ALLOC_TIME_INCR")
        d.render(ctx, "ALLOCATION_TIME {")
        ctx.indent_level += 1
        d.render(ctx, word)
        ctx.indent_level -= 1
        d.render(ctx, "}")

def dump_filter(d: Any, ctx: Context, flt: Any) -> None:
    cd = flt.client_data
    fid = int(flt.filter_id)
    if fid == 1:
        d.render(ctx, f"COMPRESSION DEFLATE {{ LEVEL {cd[0] if cd else 0} }}")
    elif fid == 2:
        d.render(ctx, "PREPROCESSING SHUFFLE")
    elif fid == 3:
        d.render(ctx, "CHECKSUM FLETCHER32")
    elif fid == 4:
        mask = cd[0] if cd else 0
        d.render(ctx, "COMPRESSION SZIP {")
        ctx.indent_level += 1
        d.render(ctx, f"PIXELS_PER_BLOCK {cd[1] if len(cd) > 1 else 0}")
        # H5_SZIP_CHIP/ALLOW_K13/EC/NN option masks, szlib's LSB/MSB/RAW
        d.render(ctx, "MODE HARDWARE" if mask & 2 else "MODE K13" if mask & 1 else "")
        d.render(ctx, "CODING ENTROPY" if mask & 4 else
                    "CODING NEAREST NEIGHBOUR" if mask & 32 else "")
        d.render(ctx, "BYTE_ORDER LSB" if mask & 8 else "BYTE_ORDER MSB" if mask & 16 else "")
        if mask & 128:
            d.render(ctx, "HEADER RAW")
        ctx.indent_level -= 1
        d.render(ctx, "}")
    elif fid == 5:
        d.render(ctx, "COMPRESSION NBIT")
    elif fid == 6:
        d.render(ctx, f"COMPRESSION SCALEOFFSET {{ MIN BITS {cd[0] if cd else 0} }}")
    else:
        d.render(ctx, "USER_DEFINED_FILTER {")
        ctx.indent_level += 1
        d.render(ctx, f"FILTER_ID {fid}")
        name = filter_name(flt)
        if name:
            d.render(ctx, f"COMMENT {name}")
        if cd:
            d.render(ctx, "PARAMS { " + "".join(f"{v} " for v in cd) + "}")
        ctx.indent_level -= 1
        d.render(ctx, "}")

def dump_mappings(d: Any, ctx: Context, dset: Dataset) -> None:
    for i, m in enumerate(dset.virtual_sources()):
        d.render(ctx, f"MAPPING {i} {{ ")
        ctx.indent_level += 1
        d.render(ctx, "VIRTUAL {")
        ctx.indent_level += 1
        virtual_selection(d, ctx, m.vspace.selection)
        ctx.indent_level -= 1
        d.render(ctx, "}")
        d.render(ctx, "SOURCE {")
        ctx.indent_level += 1
        d.render(ctx, f'FILE "{m.file_name}"')
        d.render(ctx, f'DATASET "{m.dset_name}"')
        virtual_selection(d, ctx, m.src_space.selection)
        ctx.indent_level -= 1
        d.render(ctx, "}")
        ctx.indent_level -= 1
        d.render(ctx, "}")

def virtual_selection(d: Any, ctx: Context, sel: Any) -> None:
    kind = str(sel.kind.value)
    if kind == "all":
        d.render(ctx, "SELECTION ALL")
    elif kind == "none":
        d.render(ctx, "SELECTION NONE")
    elif kind == "points":
        pts = ", ".join("(" + ",".join(str(v) for v in p) + ")" for p in sel.points or ())
        d.render(ctx, "SELECTION POINT { " + pts + " }")
    else:
        regular = _regular(sel)
        if regular is not None:
            start, stride, count, block = regular

            def dims(values: Any) -> str:
                return "(" + ",".join("H5S_UNLIMITED" if v is None else str(v)
                                      for v in values) + ")"

            d.render(ctx, "SELECTION REGULAR_HYPERSLAB { ")
            ctx.indent_level += 1
            for word, values in (("START", start), ("STRIDE", stride), ("COUNT", count),
                                 ("BLOCK", block)):
                d.render(ctx, f"{word} {dims(values)}")
            ctx.indent_level -= 1
            d.render(ctx, "}")
        else:
            d.render(ctx, "SELECTION IRREGULAR_HYPERSLAB { ")
            ctx.indent_level += 1
            blocks = ", ".join(
                "(" + ",".join(str(v) for v in s) + ")-(" + ",".join(str(v) for v in e) + ")"
                for s, e in region_blocks(sel))
            d.render(ctx, blocks)
            ctx.indent_level -= 1
            d.render(ctx, "}")


def _regular(sel: Any) -> tuple[Any, Any, Any, Any] | None:
    reg = sel.regular
    if reg is not None:
        return reg.start, reg.stride, reg.count, reg.block
    blocks: Any = sel.blocks or ()
    if len(blocks) == 1:
        start, end = blocks[0]
        return (start, tuple(1 for _ in start), tuple(1 for _ in start),
                tuple(e - s + 1 for s, e in zip(start, end)))
    return None


def _fill_value(dset: Dataset, dt: Any) -> Any:
    """The user-defined fill value, as h5py gives it (``dset.fillvalue``)."""
    return dset.fillvalue
