"""``load_chunk_table``: one entry point for every chunk index (Appendix C).

Dispatches on the layout's :class:`ChunkIndexType` through a registry (no if/elif chain)
and returns the allocated chunks only, sorted in C order of their element offsets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...errors import FormatError
from ..context import ByteSource, FormatContext
from .base import ChunkIndexType, ChunkTable
from .btree import load_btree_v1, load_btree_v2
from .extensible_array import load_extensible_array
from .fixed_array import load_fixed_array
from .implicit import load_implicit
from .single import load_single

if TYPE_CHECKING:
    from ..messages.layout import Layout

__all__ = ["load_chunk_table", "ChunkIndexRequest"]


@dataclass(frozen=True)
class ChunkIndexRequest:
    """Everything an index loader may need about the dataset."""

    source: ByteSource
    ctx: FormatContext
    layout: Layout
    shape: tuple[int, ...]
    maxshape: tuple[int | None, ...]
    chunk_shape: tuple[int, ...]
    chunk_bytes: int
    filtered: bool

    def fixed_maxshape(self, what: str) -> tuple[int, ...]:
        if any(m is None for m in self.maxshape):
            raise FormatError(f"{what} index: maxshape {self.maxshape} has an unlimited dim")
        return tuple(int(m) for m in self.maxshape)  # type: ignore[arg-type]


def _btree_v1(r: ChunkIndexRequest) -> ChunkTable:
    return load_btree_v1(r.source, r.ctx, r.layout.index_address, len(r.chunk_shape))


def _single(r: ChunkIndexRequest) -> ChunkTable:
    return load_single(r.ctx, r.layout, len(r.chunk_shape))


def _implicit(r: ChunkIndexRequest) -> ChunkTable:
    return load_implicit(
        r.ctx,
        r.layout.index_address,
        r.shape,
        r.fixed_maxshape("implicit"),
        r.chunk_shape,
        r.chunk_bytes,
    )


def _fixed_array(r: ChunkIndexRequest) -> ChunkTable:
    return load_fixed_array(
        r.source,
        r.ctx,
        r.layout.index_address,
        r.fixed_maxshape("fixed array"),
        r.chunk_shape,
        r.chunk_bytes,
    )


def _extensible_array(r: ChunkIndexRequest) -> ChunkTable:
    return load_extensible_array(
        r.source, r.ctx, r.layout.index_address, r.maxshape, r.chunk_shape, r.chunk_bytes
    )


def _btree_v2(r: ChunkIndexRequest) -> ChunkTable:
    return load_btree_v2(r.source, r.ctx, r.layout.index_address, r.chunk_shape, r.chunk_bytes)


_LOADERS: dict[ChunkIndexType, Callable[[ChunkIndexRequest], ChunkTable]] = {
    ChunkIndexType.BTREE_V1: _btree_v1,
    ChunkIndexType.SINGLE: _single,
    ChunkIndexType.IMPLICIT: _implicit,
    ChunkIndexType.FIXED_ARRAY: _fixed_array,
    ChunkIndexType.EXTENSIBLE_ARRAY: _extensible_array,
    ChunkIndexType.BTREE_V2: _btree_v2,
}


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
    if layout.layout_class != "chunked" or layout.chunk_shape is None:
        raise FormatError(f"layout is {layout.layout_class}, not chunked: no chunk index")
    chunk_shape = tuple(layout.chunk_shape)
    rank = len(chunk_shape)
    if len(shape) != rank or len(maxshape) != rank:
        raise FormatError(
            f"chunk dims {chunk_shape} do not match the dataspace rank of shape {tuple(shape)}"
        )
    if layout.chunk_element_size != element_size:
        raise FormatError(
            f"layout element size {layout.chunk_element_size} differs from the datatype's "
            f"{element_size}"
        )
    index_type = layout.index_type if layout.index_type is not None else ChunkIndexType.BTREE_V1
    request = ChunkIndexRequest(
        source=source,
        ctx=ctx,
        layout=layout,
        shape=tuple(int(s) for s in shape),
        maxshape=tuple(None if m is None else int(m) for m in maxshape),
        chunk_shape=chunk_shape,
        chunk_bytes=layout.chunk_bytes or 0,
        filtered=filtered,
    )
    return _LOADERS[index_type](request)
