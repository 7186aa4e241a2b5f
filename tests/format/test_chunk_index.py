"""Chunk indexes decoded to a ChunkTable, against h5py's ``get_chunk_info`` of every chunk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from h5pure.errors import ChecksumError, FormatError
from h5pure.format.chunk_index import ChunkIndexType, ChunkTable, load_chunk_table
from h5pure.format.context import FormatContext
from h5pure.format.messages import MessageType
from h5pure.format.messages.layout import Layout
from h5pure.format.object_header import read_object_header
from h5pure.testing.sources import BytesSource

h5py = pytest.importorskip("h5py")

CTX = FormatContext()


def _layout(path: Path, name: str) -> tuple[BytesSource, Layout]:
    source = BytesSource.from_path(str(path))
    with h5py.File(path, "r") as f:
        addr = h5py.h5o.get_info(f[name].id).addr
    msg = read_object_header(source, CTX, addr).first(MessageType.LAYOUT)
    assert msg is not None
    return source, Layout.decode(msg.data, CTX)


def _oracle(path: Path, name: str, by_index: bool = False) -> ChunkTable:
    """libhdf5's list of stored chunks: ``get_chunk_info(i)`` for every i, or (same
    answers, linear time for datasets with many chunks) ``chunk_iter``."""
    with h5py.File(path, "r") as f:
        d = f[name]
        rank = len(d.shape)
        if by_index:
            infos = [d.id.get_chunk_info(i) for i in range(d.id.get_num_chunks())]
        else:
            infos = []
            d.id.chunk_iter(infos.append)
    n = len(infos)
    if not infos:
        return ChunkTable.empty(rank)
    return ChunkTable(
        offsets=np.array([i.chunk_offset for i in infos], dtype=np.int64).reshape(n, rank),
        addresses=np.array([i.byte_offset for i in infos], dtype=np.uint64),
        sizes=np.array([i.size for i in infos], dtype=np.uint64),
        filter_masks=np.array([i.filter_mask for i in infos], dtype=np.uint32),
    ).sorted()


def _check(
    path: Path, name: str, index_type: ChunkIndexType, by_index: bool | None = None
) -> ChunkTable:
    source, layout = _layout(path, name)
    assert layout.index_type == index_type
    with h5py.File(path, "r") as f:
        d = f[name]
        shape, maxshape = d.shape, d.maxshape
        itemsize = d.dtype.itemsize
        filtered = bool(d.compression or d.shuffle or d.fletcher32)
    table = load_chunk_table(source, CTX, layout, shape, maxshape, itemsize, filtered)
    if by_index is None:
        by_index = len(table) <= 200
    expected = _oracle(path, name, by_index)
    np.testing.assert_array_equal(table.offsets, expected.offsets)
    np.testing.assert_array_equal(table.addresses, expected.addresses)
    np.testing.assert_array_equal(table.sizes, expected.sizes)
    np.testing.assert_array_equal(table.filter_masks, expected.filter_masks)
    assert table.offsets.dtype == np.int64 and table.addresses.dtype == np.uint64
    return table


LIBVERS = ["v110", "latest"]
COMPRESSION = [None, "gzip"]


@pytest.mark.parametrize("libver", LIBVERS)
@pytest.mark.parametrize("compression", COMPRESSION)
def test_single_chunk(tmp_path: Path, libver: str, compression: str | None) -> None:
    path = tmp_path / "s.h5"
    with h5py.File(path, "w", libver=libver) as f:
        f.create_dataset(
            "d",
            data=np.arange(60, dtype="i4").reshape(6, 10),
            chunks=(6, 10),
            compression=compression,
        )
        f.create_dataset(
            "empty", shape=(6, 10), dtype="i4", chunks=(6, 10), compression=compression
        )
    t = _check(path, "d", ChunkIndexType.SINGLE)
    assert len(t) == 1
    assert len(_check(path, "empty", ChunkIndexType.SINGLE)) == 0


@pytest.mark.parametrize("libver", LIBVERS)
@pytest.mark.parametrize("maxshape", [(7, 9), (20, 9), (8, 20)])
def test_implicit(tmp_path: Path, libver: str, maxshape: tuple[int, int]) -> None:
    path = tmp_path / "i.h5"
    with h5py.File(path, "w", libver=libver) as f:
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((2, 4))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        space = h5py.h5s.create_simple((7, 9), maxshape)
        h5py.h5d.create(f.id, b"d", h5py.h5t.NATIVE_INT16, space, dcpl)
        f["d"][...] = np.arange(63, dtype="i2").reshape(7, 9)
    t = _check(path, "d", ChunkIndexType.IMPLICIT)
    assert len(t) == 4 * 3  # the chunks of the current extent


def _write_some(d, coords, nbytes: int, compressed: bool) -> None:  # type: ignore[no-untyped-def]
    """Write chunks directly (fast): chunk at each element offset, varying stored sizes."""
    for k, c in enumerate(coords):
        size = nbytes - (k % 3) if compressed else nbytes
        d.id.write_direct_chunk(
            tuple(c), bytes([k % 251]) * size, filter_mask=k % 2 if compressed else 0
        )


@pytest.mark.parametrize("libver", LIBVERS)
@pytest.mark.parametrize("compression", COMPRESSION)
def test_fixed_array_unpaged(tmp_path: Path, libver: str, compression: str | None) -> None:
    path = tmp_path / "fa.h5"
    with h5py.File(path, "w", libver=libver) as f:
        f.create_dataset(
            "d",
            data=np.arange(600, dtype="f8").reshape(20, 30),
            chunks=(3, 7),
            compression=compression,
        )
        # maxshape larger than shape: entries are indexed over the maximum dims
        f.create_dataset(
            "m",
            data=np.arange(600, dtype="f8").reshape(20, 30),
            chunks=(3, 7),
            maxshape=(25, 40),
            compression=compression,
        )
        p = f.create_dataset(
            "p", shape=(20, 30), dtype="i4", chunks=(4, 5), compression=compression
        )
        p[4:8, 10:20] = 1  # only some chunks allocated
        f.create_dataset("none", shape=(20, 30), dtype="i4", chunks=(4, 5), compression=compression)
    assert len(_check(path, "d", ChunkIndexType.FIXED_ARRAY)) == 7 * 5
    _check(path, "m", ChunkIndexType.FIXED_ARRAY)
    assert len(_check(path, "p", ChunkIndexType.FIXED_ARRAY)) == 2
    assert len(_check(path, "none", ChunkIndexType.FIXED_ARRAY)) == 0


@pytest.mark.parametrize("libver", LIBVERS)
@pytest.mark.parametrize("compression", COMPRESSION)
def test_fixed_array_paged(tmp_path: Path, libver: str, compression: str | None) -> None:
    path = tmp_path / "fap.h5"
    with h5py.File(path, "w", libver=libver) as f:
        f.create_dataset(
            "d", data=np.arange(2100, dtype="i1"), chunks=(1,), compression=compression
        )
        s = f.create_dataset("s", shape=(3000,), dtype="i1", chunks=(1,), compression=compression)
        # chunks in pages 0 and 2 only: page 1 stays uninitialised
        _write_some(s, [(i,) for i in (0, 5, 1023, 2048, 2999)], 1, False)
    assert len(_check(path, "d", ChunkIndexType.FIXED_ARRAY)) == 2100
    assert len(_check(path, "s", ChunkIndexType.FIXED_ARRAY)) == 5


def _ea_file(
    path: Path,
    libver: str,
    compression: str | None,
    maxshape: tuple[int | None, ...],
    rows: int,
    picks: list[int],
) -> None:
    udim = maxshape.index(None)
    shape = (rows, 10) if udim == 0 else (10, rows)
    chunks = (1, 10) if udim == 0 else (10, 1)
    with h5py.File(path, "w", libver=libver) as f:
        d = f.create_dataset(
            "d", shape=shape, maxshape=maxshape, dtype="i1", chunks=chunks, compression=compression
        )
        coords = [(r, 0) if udim == 0 else (0, r) for r in picks]
        _write_some(d, coords, 10, compression is not None)
        s = f.create_dataset(
            "small",
            data=np.ones((5, 3)),
            maxshape=(None, 3),
            chunks=(2, 2),
            compression=compression,
        )
        s.resize((9, 3))


@pytest.mark.parametrize("libver", LIBVERS)
@pytest.mark.parametrize("compression", COMPRESSION)
@pytest.mark.parametrize("maxshape", [(None, 10), (10, None), (None, 25)])
def test_extensible_array(
    tmp_path: Path, libver: str, compression: str | None, maxshape: tuple[int | None, ...]
) -> None:
    """Index block, the data blocks it lists, super blocks (sparse, some never created);
    the unlimited dim first, last (swizzled) and with a fixed dim whose maximum exceeds
    its size."""
    rows = 20_000
    picks = sorted({*range(0, 100), *range(100, 5000, 13), *range(9000, rows, 7), rows - 1})
    path = tmp_path / "ea.h5"
    _ea_file(path, libver, compression, maxshape, rows, picks)
    assert len(_check(path, "d", ChunkIndexType.EXTENSIBLE_ARRAY)) == len(picks)
    assert len(_check(path, "small", ChunkIndexType.EXTENSIBLE_ARRAY)) == 3 * 2


@pytest.mark.parametrize("compression", COMPRESSION)
def test_extensible_array_paged(tmp_path: Path, compression: str | None) -> None:
    """Past element 131060 the data blocks (2048 entries) are paged (1024 per page);
    the gap leaves one page uninitialised."""
    rows = 140_000
    picks = sorted(
        {*range(0, 131_000, 97), *range(131_000, 134_000, 3), *range(136_500, rows, 11), rows - 1}
    )
    path = tmp_path / "eap.h5"
    _ea_file(path, "latest", compression, (None, 10), rows, picks)
    assert len(_check(path, "d", ChunkIndexType.EXTENSIBLE_ARRAY)) == len(picks)


@pytest.mark.parametrize("libver", LIBVERS)
@pytest.mark.parametrize("compression", COMPRESSION)
def test_btree_v2(tmp_path: Path, libver: str, compression: str | None) -> None:
    path = tmp_path / "bt2.h5"
    with h5py.File(path, "w", libver=libver) as f:
        d = f.create_dataset(
            "d",
            shape=(300, 200),
            maxshape=(None, None),
            dtype="i2",
            chunks=(4, 5),
            compression=compression,
        )
        d[::3, ::2] = 7  # every chunk, many leaves
        p = f.create_dataset(
            "p",
            shape=(30, 20),
            maxshape=(None, None),
            dtype="i2",
            chunks=(4, 5),
            compression=compression,
        )
        p[8:12, 5:10] = 1
    assert len(_check(path, "d", ChunkIndexType.BTREE_V2)) == 75 * 40
    assert len(_check(path, "p", ChunkIndexType.BTREE_V2)) == 1


@pytest.mark.parametrize("compression", COMPRESSION)
@pytest.mark.parametrize("libver", ["earliest", ("v108", "latest")])
def test_btree_v1(tmp_path: Path, libver: object, compression: str | None) -> None:
    path = tmp_path / "bt1.h5"
    with h5py.File(path, "w", libver=libver) as f:
        f.create_dataset(
            "d",
            data=np.arange(90_000, dtype="i4").reshape(300, 300),
            chunks=(7, 9),
            compression=compression,
        )
        p = f.create_dataset(
            "p",
            shape=(30, 20),
            maxshape=(None, 40),
            dtype="i2",
            chunks=(4, 5),
            compression=compression,
        )
        p[8:12, 5:10] = 1
        f.create_dataset("none", shape=(30, 20), dtype="i2", chunks=(4, 5))
    assert len(_check(path, "d", ChunkIndexType.BTREE_V1)) == 43 * 34
    assert len(_check(path, "p", ChunkIndexType.BTREE_V1)) == 1
    assert len(_check(path, "none", ChunkIndexType.BTREE_V1)) == 0


def test_corrupt_array_indexes(tmp_path: Path) -> None:
    """Every FA/EA block is checksummed; entry counts must match the dataspace."""
    path = tmp_path / "c.h5"
    with h5py.File(path, "w", libver="latest") as f:
        f.create_dataset("fa", data=np.arange(2100, dtype="i1"), chunks=(1,))
        f.create_dataset("ea", data=np.arange(100, dtype="i1"), chunks=(1,), maxshape=(None,))
    for name in ("fa", "ea"):
        source, layout = _layout(path, name)
        assert layout.index_address is not None
        data = bytearray(source.data)
        table = load_chunk_table(
            source,
            CTX,
            layout,
            (2100,) if name == "fa" else (100,),
            (2100,) if name == "fa" else (None,),
            1,
            False,
        )
        assert len(table) > 0
        # the header, then the block it points to (FA data block / EA index block)
        ptr = layout.index_address + (16 if name == "fa" else 60)
        child = int.from_bytes(data[ptr : ptr + 8], "little")
        for target in (layout.index_address + 6, child + 20):
            bad = bytearray(data)
            bad[target] ^= 0xFF
            with pytest.raises(FormatError):
                load_chunk_table(
                    BytesSource(bytes(bad)),
                    CTX,
                    layout,
                    (2100,) if name == "fa" else (100,),
                    (2100,) if name == "fa" else (None,),
                    1,
                    False,
                )
    source, layout = _layout(path, "fa")
    with pytest.raises(FormatError, match="entries"):
        load_chunk_table(source, CTX, layout, (2000,), (2000,), 1, False)
    with pytest.raises(ChecksumError):
        bad = bytearray(source.data)
        bad[int(layout.index_address or 0) + 9] ^= 1
        load_chunk_table(BytesSource(bytes(bad)), CTX, layout, (2100,), (2100,), 1, False)
