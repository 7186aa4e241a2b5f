"""What a new dataset's object header holds, decided as libhdf5 decides it for h5py.

Message order and flags follow ``H5D__update_oh_info`` (``src/H5Dint.c``): dataspace,
datatype (constant), fill value v2 (constant) and, when the user set a fill value, the old
fill value message too, then the filter pipeline (constant) and the layout.  Filter client
data is completed the way each filter's ``set_local`` callback completes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..format.context import FormatContext
from ..format.messages import MessageType
from ..format.messages.dataspace import Dataspace
from ..format.messages.datatype import Datatype, encode_datatype
from ..format.messages.fill import FillValue, FillValueOld
from ..format.messages.filter_pipeline import FilterInfo, FilterPipeline
from ..format.messages.layout import ChunkIndexType, Layout
from .model import MessageSlot

_CONSTANT = 0x01
_OPTIONAL = 0x01  # filter flag: may be skipped when it fails
_ALLOC_EARLY, _ALLOC_LATE, _ALLOC_INCR = 1, 2, 3
_FILL_ALLOC, _FILL_IFSET = 0, 2
_SZIP_ALLOW_K13, _SZIP_EC, _SZIP_NN, _SZIP_LSB, _SZIP_MSB, _SZIP_RAW = 1, 4, 32, 8, 16, 128
_SO_FLOAT_DSCALE, _SO_INT = 0, 2


@dataclass(frozen=True)
class DatasetPlan:
    """Everything that goes into a new dataset's header, in h5py's terms."""

    shape: tuple[int, ...] | None
    """None for a null dataspace (``h5py.Empty``)."""
    maxshape: tuple[int | None, ...] | None
    datatype: Datatype
    chunks: tuple[int, ...] | None
    filters: tuple[FilterInfo, ...] = ()
    fill: bytes | None = None
    """User fill value bytes (None: the default, zeros)."""
    compact: bool = False
    vlen: bool = False
    """The datatype holds variable-length data (libhdf5 then fills on allocation)."""


def filter_pipeline(
    *,
    dtype: np.dtype,
    chunks: tuple[int, ...],
    compression: Any,
    compression_opts: Any,
    shuffle: bool,
    fletcher32: bool,
    scaleoffset: int | None,
    fill: bytes | None,
) -> tuple[FilterInfo, ...]:
    """h5py's filter order (scaleoffset, shuffle, compression, fletcher32) with the client
    data libhdf5's ``set_local`` callbacks fill in."""
    esize = dtype.itemsize
    nelmts = int(np.prod(chunks, dtype=np.int64))
    out: list[FilterInfo] = []
    if scaleoffset is not None:
        is_float = dtype.kind == "f"
        cd = [
            _SO_FLOAT_DSCALE if is_float else _SO_INT,
            int(scaleoffset),
            nelmts,
            1 if is_float else 0,
            esize,
            1 if dtype.kind == "i" else 0,
            1 if dtype.byteorder == ">" else 0,
            1,
        ]
        raw = (fill or bytes(esize)).ljust(((esize + 3) // 4) * 4, b"\0")
        cd += [int.from_bytes(raw[i : i + 4], "little") for i in range(0, len(raw), 4)]
        cd += [0] * (20 - len(cd))
        out.append(FilterInfo(6, "scaleoffset", _OPTIONAL, tuple(cd)))
    if shuffle:
        out.append(FilterInfo(2, "shuffle", _OPTIONAL, (esize,)))
    if compression in ("gzip", 1):
        level = 4 if compression_opts is None else int(compression_opts)
        out.append(FilterInfo(1, "deflate", _OPTIONAL, (level,)))
    elif compression in ("lzf", 32000):
        out.append(FilterInfo(32000, "lzf", _OPTIONAL, (4, 261, nelmts * esize)))
    elif compression in ("szip", 4):
        kind, ppb = compression_opts if compression_opts is not None else ("nn", 8)
        mask = _SZIP_ALLOW_K13 | (_SZIP_EC if kind == "ec" else _SZIP_NN) | _SZIP_RAW
        mask |= _SZIP_MSB if dtype.byteorder == ">" else _SZIP_LSB
        scanline = chunks[-1]
        if scanline < ppb:
            scanline = min(ppb * 128, nelmts)
        elif scanline > 4096:
            scanline = ppb * 128
        out.append(FilterInfo(4, "szip", _OPTIONAL, (mask, int(ppb), esize * 8, scanline)))
    elif compression is not None:
        user_cd = tuple(int(v) for v in (compression_opts or ()))
        out.append(FilterInfo(int(compression), None, _OPTIONAL, user_cd))
    if fletcher32:
        out.append(FilterInfo(3, "fletcher32", 0, ()))
    return tuple(out)


def dataset_messages(ctx: FormatContext, plan: DatasetPlan) -> list[MessageSlot]:
    """The messages of a new dataset's object header, in libhdf5's order."""
    if plan.shape is None:
        space = Dataspace("null", (), (), version=2)
    elif plan.shape == ():
        space = Dataspace("scalar", (), (), version=1)
    else:
        maxshape = plan.maxshape if plan.maxshape is not None else plan.shape
        space = Dataspace("simple", tuple(plan.shape), tuple(maxshape), version=1)
    slots = [
        MessageSlot(MessageType.DATASPACE, space.encode(ctx)),
        MessageSlot(MessageType.DATATYPE, encode_datatype(plan.datatype), _CONSTANT),
    ]
    if plan.compact:
        alloc = _ALLOC_EARLY
    elif plan.chunks is not None:
        alloc = _ALLOC_INCR
    else:
        alloc = _ALLOC_LATE
    fill_time = _FILL_ALLOC if plan.vlen else _FILL_IFSET
    fill = FillValue(2, alloc, fill_time, True, plan.fill)
    slots.append(MessageSlot(MessageType.FILL_VALUE, fill.encode(ctx), _CONSTANT))
    if plan.fill is not None:
        slots.append(
            MessageSlot(MessageType.FILL_VALUE_OLD, FillValueOld(plan.fill).encode(ctx), _CONSTANT)
        )
    if plan.filters:
        pipeline = FilterPipeline(1, list(plan.filters))
        slots.append(MessageSlot(MessageType.FILTER_PIPELINE, pipeline.encode(), _CONSTANT))
    slots.append(MessageSlot(MessageType.LAYOUT, _layout(ctx, plan).encode(ctx)))
    return slots


def _layout(ctx: FormatContext, plan: DatasetPlan) -> Layout:
    esize = plan.datatype.size
    n = int(np.prod(plan.shape or (), dtype=np.int64)) if plan.shape is not None else 0
    if plan.compact:
        return Layout(version=3, layout_class="compact", compact_data=bytes(n * esize))
    if plan.chunks is not None:
        return Layout(
            version=3,
            layout_class="chunked",
            chunk_shape=tuple(plan.chunks),
            chunk_element_size=esize,
            index_type=ChunkIndexType.BTREE_V1,
            index_address=ctx.undefined_address,
        )
    return Layout(
        version=3, layout_class="contiguous", address=ctx.undefined_address, size=n * esize
    )
