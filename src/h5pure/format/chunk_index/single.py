"""Single chunk index (Appendix C, index type 1; libhdf5 ``src/H5Dsingle.c``).

The dataset is one chunk (chunk dims = maximum dims); the layout's index address is the
chunk's own address.  With filters, the layout message carries the stored size and filter
mask (flags bit 1); without, the chunk is stored at its full unfiltered size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..context import ByteSource, FormatContext
from ..structs import LENGTH, U32, Cursor, Struct
from .base import SINGLE_INDEX_WITH_FILTER as SINGLE_INDEX_WITH_FILTER
from .base import (
    Alloc,
    BuiltIndex,
    ChunkIndex,
    ChunkIndexRequest,
    ChunkIndexType,
    ChunkTable,
    register_index,
)

if TYPE_CHECKING:
    from ..messages.layout import ChunkedLayout

__all__ = ["SINGLE_INDEX_WITH_FILTER", "SingleChunkIndex", "SingleChunkParams", "load_single"]

_PARAMS = Struct("single chunk index parameters", [("filtered_size", LENGTH), ("filter_mask", U32)])


@dataclass(frozen=True)
class SingleChunkParams:
    """The filtered chunk's stored size and filter mask (present with flags bit 1)."""

    filtered_size: int
    filter_mask: int


def load_single(ctx: FormatContext, layout: ChunkedLayout, rank: int) -> ChunkTable:
    """A table of zero or one chunk, at the origin."""
    address = layout.index_address
    if address is None or ctx.is_undefined(address):
        return ChunkTable.empty(rank)
    if layout.flags & SINGLE_INDEX_WITH_FILTER:
        size = layout.single_chunk_filtered_size or 0
        mask = layout.single_chunk_filter_mask or 0
    else:
        size = layout.chunk_bytes or 0
        mask = 0
    return ChunkTable(
        offsets=np.zeros((1, rank), dtype=np.int64),
        addresses=np.array([address], dtype=np.uint64),
        sizes=np.array([size], dtype=np.uint64),
        filter_masks=np.array([mask], dtype=np.uint32),
    )


@register_index
class SingleChunkIndex(ChunkIndex[SingleChunkParams]):
    """Index type 1: the one chunk of a dataset whose chunk spans its maximum dims."""

    index_type = ChunkIndexType.SINGLE

    def decode_params(
        self, cur: Cursor, ctx: FormatContext, flags: int
    ) -> SingleChunkParams | None:
        if not flags & SINGLE_INDEX_WITH_FILTER:
            return None
        return SingleChunkParams(**cur.struct(_PARAMS, ctx))

    def encode_params(
        self, params: SingleChunkParams | None, ctx: FormatContext, flags: int
    ) -> bytes:
        if not flags & SINGLE_INDEX_WITH_FILTER:
            return b""
        p = params or SingleChunkParams(0, 0)
        return _PARAMS.encode({"filtered_size": p.filtered_size, "filter_mask": p.filter_mask}, ctx)

    def load(self, source: ByteSource, request: ChunkIndexRequest) -> ChunkTable:
        return load_single(request.ctx, request.layout, len(request.chunk_shape))

    def build(self, request: ChunkIndexRequest, table: ChunkTable, alloc: Alloc) -> BuiltIndex:
        """No structure: the layout points at the chunk (and, filtered, records its stored
        size and mask)."""
        if not len(table):
            return super().build(request, table, alloc)
        params = request.layout.index_params
        if params is not None:
            params = SingleChunkParams(int(table.sizes[0]), int(table.filter_masks[0]))
        return BuiltIndex(int(table.addresses[0]), [], params)
