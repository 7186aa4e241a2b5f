"""Writing fixed and extensible array chunk indexes: load what was built; match libhdf5."""

from __future__ import annotations

import numpy as np
import pytest

from h5pure.format.chunk_index import ChunkIndexType, ChunkTable
from h5pure.format.chunk_index.extensible_array import (
    ExtensibleArrayParams,
    build_extensible_array,
    load_extensible_array,
)
from h5pure.format.chunk_index.fixed_array import build_fixed_array, load_fixed_array
from h5pure.format.context import FormatContext
from h5pure.format.messages import MessageType
from h5pure.format.messages.layout import Layout
from h5pure.format.object_header import read_object_header
from h5pure.format.superblock import decode_superblock
from h5pure.testing.sources import BytesSource
from h5pure.testing.sources import GrowingImage as Image


def _table(shape_in_chunks, chunk, keep, filtered, seed=0) -> ChunkTable:
    rng = np.random.default_rng(seed)
    grid = np.indices(shape_in_chunks).reshape(len(shape_in_chunks), -1).T
    grid = grid[rng.random(len(grid)) < keep]
    n = len(grid)
    return ChunkTable(
        offsets=(grid * np.asarray(chunk)).astype(np.int64),
        addresses=(np.arange(n, dtype=np.uint64) * 4096 + 100_000),
        sizes=(
            rng.integers(1, 60_000, n).astype(np.uint64) if filtered else np.full(n, 800, np.uint64)
        ),
        filter_masks=(
            rng.integers(0, 2, n).astype(np.uint32) if filtered else np.zeros(n, np.uint32)
        ),
    ).sorted()


def _same(a: ChunkTable, b: ChunkTable) -> None:
    assert np.array_equal(a.offsets, b.offsets)
    assert np.array_equal(a.addresses, b.addresses)
    assert np.array_equal(a.sizes, b.sizes)
    assert np.array_equal(a.filter_masks, b.filter_masks)


@pytest.mark.parametrize("filtered", [False, True])
@pytest.mark.parametrize(
    ("grid", "keep"), [((1,), 1.0), ((7, 9), 0.6), ((50, 60), 1.0), ((40, 100), 0.1), ((3, 4), 0.0)]
)
def test_fixed_array_roundtrip(filtered, grid, keep):
    ctx = FormatContext(8, 8)
    chunk = (4, 5)[: len(grid)]
    maxshape = tuple(g * c for g, c in zip(grid, chunk))
    table = _table(grid, chunk, keep, filtered)
    img = Image()
    addr, blocks = build_fixed_array(
        table, ctx, maxshape, chunk, img.alloc, filtered=filtered, chunk_size_width=3
    )
    img.write(blocks)
    back = load_fixed_array(img.source(), ctx, addr, maxshape, chunk, 800)
    _same(back, table)
    if np.prod(grid) > 1024 and keep < 0.5:
        # paged, and sparse: some pages stay uninitialised
        assert len(blocks) == 2


@pytest.mark.parametrize("filtered", [False, True])
@pytest.mark.parametrize(
    ("nchunks", "keep"), [(1, 1.0), (3, 1.0), (60, 0.7), (700, 1.0), (5000, 0.3), (40_000, 0.05)]
)
def test_extensible_array_roundtrip(filtered, nchunks, keep):
    ctx = FormatContext(8, 8)
    chunk = (10, 3)
    table = _table((nchunks, 2), chunk, keep, filtered, seed=nchunks)
    img = Image()
    maxshape = (None, 6)
    addr, blocks = build_extensible_array(
        table, ctx, maxshape, chunk, img.alloc, filtered=filtered, chunk_size_width=4
    )
    img.write(blocks)
    _same(load_extensible_array(img.source(), ctx, addr, maxshape, chunk, 800), table)


def test_extensible_array_unlimited_last_dim_and_small_pages():
    ctx = FormatContext(4, 4)
    chunk = (2, 8)
    table = _table((3, 300), chunk, 0.5, False, seed=3)
    img = Image()
    params = ExtensibleArrayParams(max_data_block_page_bits=3)
    addr, blocks = build_extensible_array(table, ctx, (6, None), chunk, img.alloc, params=params)
    img.write(blocks)
    _same(load_extensible_array(img.source(), ctx, addr, (6, None), chunk, 800), table)
    with pytest.raises(ValueError, match="unlimited"):
        build_extensible_array(table, ctx, (6, 8), chunk, img.alloc)


def _libhdf5_index(h5py, path, **kw):
    with h5py.File(path, "w", libver="latest") as f:
        d = f.create_dataset("d", **kw)
        d[...] = np.arange(d.size, dtype=d.dtype).reshape(d.shape)
        addr = h5py.h5o.get_info(d.id).addr
    data = path.read_bytes()
    sb = decode_superblock(data, 0)
    ctx = sb.context()
    msg = read_object_header(BytesSource(data), ctx, addr).first(MessageType.LAYOUT)
    return data, ctx, Layout.decode(msg.data, ctx)


@pytest.mark.parametrize("compression", [None, "gzip"])
@pytest.mark.parametrize("shape", [(40, 30), (400, 300)])
def test_fixed_array_bytes_match_libhdf5(h5py, tmp_path, compression, shape):
    data, ctx, lay = _libhdf5_index(
        h5py, tmp_path / "fa.h5", shape=shape, dtype="i4", chunks=(10, 6), compression=compression
    )
    assert lay.index_type == ChunkIndexType.FIXED_ARRAY
    src = BytesSource(data)
    table = load_fixed_array(src, ctx, lay.index_address, shape, lay.chunk_shape, 240)
    esize = data[lay.index_address + 6]
    width = esize - ctx.size_of_offsets - 4
    dblk = int.from_bytes(data[lay.index_address + 16 : lay.index_address + 24], "little")
    addrs = iter([lay.index_address, dblk])
    addr, blocks = build_fixed_array(
        table,
        ctx,
        shape,
        lay.chunk_shape,
        lambda size: next(addrs),
        filtered=compression is not None,
        chunk_size_width=width,
        page_bits=lay.index_params.page_bits,
    )
    for at, b in blocks:
        assert b == data[at : at + len(b)]


@pytest.mark.parametrize("compression", [None, "gzip"])
def test_extensible_array_reads_like_libhdf5(h5py, tmp_path, compression):
    data, ctx, lay = _libhdf5_index(
        h5py,
        tmp_path / "ea.h5",
        shape=(3000, 4),
        maxshape=(None, 4),
        dtype="i4",
        chunks=(10, 4),
        compression=compression,
    )
    assert lay.index_type == ChunkIndexType.EXTENSIBLE_ARRAY
    src = BytesSource(data)
    table = load_extensible_array(src, ctx, lay.index_address, (None, 4), lay.chunk_shape, 160)
    assert len(table) == 300
    esize = data[lay.index_address + 6]
    p = lay.index_params
    params = ExtensibleArrayParams(
        p.max_nelmts_bits,
        p.index_block_elements,
        p.super_block_min_data_ptrs,
        p.data_block_min_elements,
        p.max_data_block_page_bits,
    )
    img = Image()
    addr, blocks = build_extensible_array(
        table,
        ctx,
        (None, 4),
        lay.chunk_shape,
        img.alloc,
        filtered=compression is not None,
        chunk_size_width=esize - ctx.size_of_offsets - 4,
        params=params,
    )
    img.write(blocks)
    _same(load_extensible_array(img.source(), ctx, addr, (None, 4), lay.chunk_shape, 160), table)
    # the header's statistics agree with libhdf5's (same blocks created)
    mine = bytes(img.data[addr + 12 : addr + 12 + 6 * ctx.size_of_lengths])
    theirs = data[lay.index_address + 12 : lay.index_address + 12 + 6 * ctx.size_of_lengths]
    stats_mine = np.frombuffer(mine, "<u8")
    stats_theirs = np.frombuffer(theirs, "<u8")
    assert stats_mine[[0, 2, 4, 5]].tolist() == stats_theirs[[0, 2, 4, 5]].tolist()
