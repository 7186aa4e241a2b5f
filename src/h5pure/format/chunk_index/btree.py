"""B-tree chunk indexes: thin adapters over :mod:`..btree_v1` and :mod:`..btree_v2`.

Appendix C: layouts v1-v3 index chunks with a v1 B-tree of node type 1 (III.A.1; keys hold
the chunk size, filter mask and element offsets); layout v4/v5 index type 5 is a v2 B-tree
(III.A.2) with record type 10 (unfiltered: address + scaled offsets) or 11 (filtered:
address, stored size, filter mask, scaled offsets).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..btree_v1 import build_chunk_btree_v1, read_chunk_btree_v1
from ..context import ByteSource, FormatContext
from ..structs import U8, U32, Struct
from .base import Alloc, ChunkIndex, ChunkIndexRequest, ChunkIndexType, ChunkTable, register_index

if TYPE_CHECKING:  # imported where used: most files never need a v2 B-tree
    from ..btree_v2 import BTreeV2Record

# btree_v1 imports this package (for ChunkTable): the B-tree modules are imported where
# used, once the package is initialised.

__all__ = ["BTreeV1Index", "BTreeV2Index", "BTreeV2Params", "load_btree_v1", "load_btree_v2"]


@dataclass(frozen=True)
class BTreeV2Params:
    """v2 B-tree creation parameters (Appendix C, type 5), in layout message order."""

    node_size: int
    split_percent: int
    merge_percent: int


_BT2_PARAMS = Struct(
    "v2 B-tree index parameters",
    [("node_size", U32), ("split_percent", U8), ("merge_percent", U8)],
)


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


@register_index
class BTreeV1Index(ChunkIndex[None]):
    """Index type 0: the v1 B-tree of node type 1 (the only index of layouts v1-v3)."""

    index_type = ChunkIndexType.BTREE_V1

    def load(self, source: ByteSource, request: ChunkIndexRequest) -> ChunkTable:
        layout = request.layout
        return load_btree_v1(source, request.ctx, layout.index_address, len(request.chunk_shape))

    def write(
        self, request: ChunkIndexRequest, table: ChunkTable, alloc: Alloc
    ) -> tuple[int, list[tuple[int, bytes]]]:

        shape = request.chunk_shape
        return build_chunk_btree_v1(table, len(shape), shape, request.ctx, alloc, k=request.btree_k)


@register_index
class BTreeV2Index(ChunkIndex[BTreeV2Params]):
    """Index type 5: a v2 B-tree of record type 10 (unfiltered) or 11 (filtered)."""

    index_type = ChunkIndexType.BTREE_V2
    params_table = _BT2_PARAMS
    params_type = BTreeV2Params

    def load(self, source: ByteSource, request: ChunkIndexRequest) -> ChunkTable:
        return load_btree_v2(
            source,
            request.ctx,
            request.layout.index_address,
            request.chunk_shape,
            request.chunk_bytes,
        )

    def write(
        self, request: ChunkIndexRequest, table: ChunkTable, alloc: Alloc
    ) -> tuple[int, list[tuple[int, bytes]]]:

        params = self.params_of(request.layout.index_params)
        scaled = table.offsets // np.asarray(request.chunk_shape, dtype=np.int64)
        from ..btree_v2 import ChunkRecord, FilteredChunkRecord, build_btree_v2

        records: list[BTreeV2Record] = []
        for row, a, size, mask in zip(scaled, table.addresses, table.sizes, table.filter_masks):
            coords = tuple(int(v) for v in row)
            if request.filtered:
                records.append(FilteredChunkRecord(int(a), int(size), int(mask), coords))
            else:
                records.append(ChunkRecord(int(a), coords))
        return build_btree_v2(
            records,
            11 if request.filtered else 10,
            request.ctx,
            alloc,
            node_size=params.node_size,
            split_percent=params.split_percent,
            merge_percent=params.merge_percent,
            chunk_size_width=request.chunk_size_width,
        )
