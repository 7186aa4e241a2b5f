"""The chunk index registry: every index type loads what it builds, through the same
:class:`ChunkIndex` interface the writer and the reader use."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from h5pure.errors import UnsupportedFeatureError
from h5pure.format.chunk_index import (
    ChunkIndex,
    ChunkIndexRequest,
    ChunkIndexType,
    ChunkTable,
    chunk_index,
)
from h5pure.format.context import FormatContext
from h5pure.format.messages.layout import (
    SINGLE_INDEX_WITH_FILTER,
    BTreeV2Params,
    ChunkedLayout,
    ExtensibleArrayParams,
    FixedArrayParams,
    SingleChunkParams,
)
from h5pure.testing.sources import GrowingImage

CTX = FormatContext(8, 8)
CHUNK = (4, 3)


def _table(grid: tuple[int, int], filtered: bool) -> ChunkTable:
    coords = np.indices(grid).reshape(2, -1).T[::2]  # every other chunk
    n = len(coords)
    return ChunkTable(
        offsets=(coords * np.asarray(CHUNK)).astype(np.int64),
        addresses=np.arange(n, dtype=np.uint64) * 512 + 50_000,
        sizes=np.arange(n, dtype=np.uint64) + 10 if filtered else np.full(n, 48, np.uint64),
        filter_masks=(np.arange(n) % 2).astype(np.uint32) if filtered else np.zeros(n, np.uint32),
    ).sorted()


def _layout(index_type: ChunkIndexType, params: object, version: int = 4) -> ChunkedLayout:
    return ChunkedLayout(
        version if index_type != ChunkIndexType.BTREE_V1 else 3,
        CHUNK,
        4,
        index_type,
        CTX.undefined_address,
        params,  # type: ignore[arg-type]
    )


CASES = [
    (ChunkIndexType.BTREE_V1, None, (12, 9), (12, 9)),
    (ChunkIndexType.FIXED_ARRAY, FixedArrayParams(10), (12, 9), (12, 9)),
    (ChunkIndexType.EXTENSIBLE_ARRAY, ExtensibleArrayParams(), (12, 9), (None, 9)),
    (ChunkIndexType.BTREE_V2, BTreeV2Params(512, 100, 40), (12, 9), (None, None)),
]


def test_every_index_type_is_registered() -> None:
    for t in ChunkIndexType:
        index = chunk_index(t)
        assert isinstance(index, ChunkIndex) and index.index_type == t
    with pytest.raises(UnsupportedFeatureError):
        chunk_index(17)


@pytest.mark.parametrize("version", [4, 5])
@pytest.mark.parametrize("filtered", [False, True])
@pytest.mark.parametrize(("index_type", "params", "shape", "maxshape"), CASES)
def test_build_then_load(index_type, params, shape, maxshape, filtered, version) -> None:
    layout = _layout(index_type, params, version)
    request = ChunkIndexRequest(CTX, layout, shape, maxshape, filtered, btree_k=4)
    table = _table((3, 3), filtered)
    img = GrowingImage()
    built = chunk_index(index_type).build(request, table, img.alloc)
    assert built.params == params
    assert built.address in [address for address, _ in built.blocks]
    img.write(built.blocks)
    done = replace(request, layout=replace(layout, index_address=built.address))
    back = chunk_index(index_type).load(img.source(), done)
    for got, want in zip(
        (back.offsets, back.addresses, back.sizes, back.filter_masks),
        (table.offsets, table.addresses, table.sizes, table.filter_masks),
    ):
        assert np.array_equal(got, want)
    # nothing stored: no structure, an undefined address
    empty = chunk_index(index_type).build(request, ChunkTable.empty(2), img.alloc)
    assert empty.blocks == [] and CTX.is_undefined(empty.address)


@pytest.mark.parametrize("filtered", [False, True])
def test_single_chunk_lives_in_the_layout(filtered: bool) -> None:
    params = SingleChunkParams(0, 0) if filtered else None
    layout = replace(
        _layout(ChunkIndexType.SINGLE, params), flags=SINGLE_INDEX_WITH_FILTER if filtered else 0
    )
    request = ChunkIndexRequest(CTX, layout, CHUNK, CHUNK, filtered)
    table = ChunkTable(
        np.zeros((1, 2), np.int64),
        np.array([7000], np.uint64),
        np.array([30], np.uint64),
        np.array([1], np.uint32),
    )
    built = chunk_index(ChunkIndexType.SINGLE).build(request, table, GrowingImage().alloc)
    assert built.address == 7000 and built.blocks == []
    assert built.params == (SingleChunkParams(30, 1) if filtered else None)
    done = replace(request, layout=replace(layout, index_address=7000, index_params=built.params))
    back = chunk_index(ChunkIndexType.SINGLE).load(GrowingImage().source(), done)
    assert back.addresses.tolist() == [7000]
    assert back.sizes.tolist() == [30 if filtered else 48]


def test_implicit_index_is_read_only() -> None:
    request = ChunkIndexRequest(CTX, _layout(ChunkIndexType.IMPLICIT, None), (8, 6), (8, 6), False)
    with pytest.raises(UnsupportedFeatureError, match="IMPLICIT"):
        chunk_index(ChunkIndexType.IMPLICIT).build(request, _table((2, 2), False), id)


def test_filtered_chunk_size_width() -> None:
    layout = _layout(ChunkIndexType.FIXED_ARRAY, FixedArrayParams(10))
    assert ChunkIndexRequest(CTX, layout, (8, 6), (8, 6), True).chunk_size_width == 2  # 48 bytes
    v5 = replace(layout, version=5)
    assert ChunkIndexRequest(CTX, v5, (8, 6), (8, 6), True).chunk_size_width == 8
