"""B-tree chunk indexes: thin adapters over :mod:`..btree_v1` and :mod:`..btree_v2`.

Appendix C: layouts v1-v3 index chunks with a v1 B-tree of node type 1 (III.A.1; keys hold
the chunk size, filter mask and element offsets); layout v4/v5 index type 5 is a v2 B-tree
(III.A.2) with record type 10 (unfiltered: address + scaled offsets) or 11 (filtered:
address, stored size, filter mask, scaled offsets).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..context import ByteSource, FormatContext
from .base import ChunkTable

__all__ = ["load_btree_v1", "load_btree_v2"]


def _drop_unallocated(table: ChunkTable, ctx: FormatContext) -> ChunkTable:
    keep = table.addresses != np.uint64(ctx.undefined_address)
    if bool(keep.all()):
        return table.sorted()
    return ChunkTable(
        table.offsets[keep], table.addresses[keep], table.sizes[keep], table.filter_masks[keep]
    ).sorted()


def load_btree_v1(
    source: ByteSource, ctx: FormatContext, address: int | None, rank: int
) -> ChunkTable:
    """Every chunk of a v1 B-tree (node type 1) chunk index."""
    if address is None or ctx.is_undefined(address):
        return ChunkTable.empty(rank)
    from ..btree_v1 import read_chunk_btree_v1

    return _drop_unallocated(read_chunk_btree_v1(source, ctx, address, rank), ctx)


def load_btree_v2(
    source: ByteSource,
    ctx: FormatContext,
    address: int | None,
    chunk_shape: Sequence[int],
    chunk_bytes: int,
) -> ChunkTable:
    """Every chunk of a v2 B-tree (record type 10/11) chunk index.

    The filtered chunk-size width is taken from the tree's record size (it is 1 + bytes
    of the chunk size, capped at 8, for layout v4, and 8 for layout v5).
    """
    rank = len(chunk_shape)
    if address is None or ctx.is_undefined(address):
        return ChunkTable.empty(rank)
    from ..btree_v2 import BTreeV2

    tree = BTreeV2.open(source, ctx, address, ndims=rank)
    table = tree.records_as_chunk_table(rank, tuple(chunk_shape), chunk_bytes)
    return _drop_unallocated(table, ctx)
