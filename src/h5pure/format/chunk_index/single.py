"""Single chunk index (Appendix C, index type 1; libhdf5 ``src/H5Dsingle.c``).

The dataset is one chunk (chunk dims = maximum dims); the layout's index address is the
chunk's own address.  With filters, the layout message carries the stored size and filter
mask (flags bit 1); without, the chunk is stored at its full unfiltered size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..context import FormatContext
from .base import ChunkTable

if TYPE_CHECKING:
    from ..messages.layout import Layout

__all__ = ["SINGLE_INDEX_WITH_FILTER", "load_single"]

SINGLE_INDEX_WITH_FILTER = 0x02
"""Layout v4/v5 chunked flags bit 1: the single-chunk index carries a filtered size + mask
(the spec text says bit 0; libhdf5's ``H5O_LAYOUT_CHUNK_SINGLE_INDEX_WITH_FILTER`` is bit 1)."""


def load_single(ctx: FormatContext, layout: Layout, rank: int) -> ChunkTable:
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
