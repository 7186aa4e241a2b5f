"""``load_chunk_table``: one entry point for every chunk index (Appendix C).

Finds the layout's :class:`~.base.ChunkIndex` in the registry (no if/elif chain) and
returns the allocated chunks only, sorted in C order of their element offsets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

import numpy as np

from ...errors import FormatError
from ..context import ByteSource, FormatContext
from .base import ChunkIndexRequest, ChunkTable, chunk_index

if TYPE_CHECKING:
    from ..messages.layout import ChunkedLayout, Layout

__all__ = ["check_chunk_offsets", "load_chunk_table"]


def load_chunk_table(
    source: ByteSource,
    ctx: FormatContext,
    layout: Layout,
    shape: Sequence[int],
    maxshape: Sequence[int | None],
    element_size: int,
    filtered: bool,
) -> ChunkTable:
    """The allocated chunks of a chunked dataset, sorted by origin (C order).

    ``shape``/``maxshape`` come from the dataspace (None = unlimited), ``element_size``
    from the datatype (it must equal the layout's trailing chunk dimension), ``filtered``
    says whether the dataset has a filter pipeline.
    """
    if layout.layout_class != "chunked":
        raise FormatError(f"layout is {layout.layout_class}, not chunked: no chunk index")
    chunked = cast("ChunkedLayout", layout)  # (its class, without importing the layouts)
    chunk_shape = tuple(chunked.chunk_shape)
    rank = len(chunk_shape)
    if len(shape) != rank or len(maxshape) != rank:
        raise FormatError(
            f"chunk dims {chunk_shape} do not match the dataspace rank of shape {tuple(shape)}"
        )
    if chunked.chunk_element_size != element_size:
        raise FormatError(
            f"layout element size {chunked.chunk_element_size} differs from the datatype's "
            f"{element_size}"
        )
    request = ChunkIndexRequest(
        ctx=ctx,
        layout=chunked,
        shape=tuple(int(s) for s in shape),
        maxshape=tuple(None if m is None else int(m) for m in maxshape),
        filtered=filtered,
    )
    table = chunk_index(chunked.index_type).load(source, request)
    index = chunked.index_type
    name = index.name if hasattr(index, "name") else str(index)
    address = chunked.index_address
    where = f"chunk index ({name.lower().replace('_', ' ')})" + (
        "" if address is None or ctx.is_undefined(address) else f" at 0x{address:x}"
    )
    check_chunk_offsets(table, chunk_shape, request.maxshape, where)
    return table


def check_chunk_offsets(
    table: ChunkTable,
    chunk_shape: Sequence[int],
    maxshape: Sequence[int | None],
    where: str,
) -> None:
    """Refuse chunk records whose origin is not on the chunk grid or lies outside the
    maximum extent (libhdf5's "bad coordinate offset"): read as they are, such a record
    would be silently skipped (its data read as fill values) or overwrite another chunk.
    A record inside the maximum extent but past the current one is allowed (libhdf5
    ignores it, and so do reads here)."""
    if len(table) == 0:
        return
    offsets = table.offsets
    cs = np.asarray(chunk_shape, dtype=np.int64)
    bad = (offsets < 0).any(axis=1) | (offsets % cs != 0).any(axis=1)
    for axis, m in enumerate(maxshape):
        if m is not None:
            bad |= offsets[:, axis] >= max(int(m), 1)
    if bool(bad.any()):
        i = int(np.flatnonzero(bad)[0])
        origin = tuple(int(v) for v in offsets[i])
        raise FormatError(
            f"{where}: bad coordinate offset: chunk at element offset {origin} (address "
            f"0x{int(table.addresses[i]):x}) is not on the chunk grid {tuple(chunk_shape)} "
            f"inside the maximum extent {tuple('unlimited' if m is None else m for m in maxshape)}"
        )
