"""``load_chunk_table``: one entry point for every chunk index (Appendix C).

Finds the layout's :class:`~.base.ChunkIndex` in the registry (no if/elif chain) and
returns the allocated chunks only, sorted in C order of their element offsets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from ...errors import FormatError
from ..context import ByteSource, FormatContext
from .base import ChunkIndexRequest, ChunkTable, chunk_index

if TYPE_CHECKING:
    from ..messages.layout import ChunkedLayout, Layout

__all__ = ["load_chunk_table"]


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
    return chunk_index(chunked.index_type).load(source, request)
