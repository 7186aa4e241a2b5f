"""Sizes and chunk keys read from a file are validated as libhdf5 validates them, before
anything is allocated from them: a dimension past its maximum, an extent the stored
bytes cannot hold, a chunk record off the chunk grid or outside the maximum extent all
raise an OSError naming the file and the dataset's address -- never MemoryError,
OverflowError, or a silent read of fill values."""

from __future__ import annotations

import struct

import numpy as np
import pytest

import h5pure
from h5pure.format.checksum import lookup3
from h5pure.format.chunk_index import ChunkTable
from h5pure.format.chunk_index.dispatch import check_chunk_offsets

h5py = pytest.importorskip("h5py")


def _patch(path, out, fn):
    data = bytearray(path.read_bytes())
    fn(data)
    out.write_bytes(bytes(data))
    return out


def _dims_at(data, dims):
    """Offset of the first dataspace body holding ``dims`` then the same maximum dims."""
    pat = b"".join(struct.pack("<Q", d) for d in dims) * 2
    at = data.find(pat)
    assert at > 0
    return at


def _refuses(path, name, *needles):
    with h5pure.File(path, "r") as f:
        with pytest.raises(OSError) as info:
            f[name][...]
    text = str(info.value)
    assert str(path.name) in text and "0x" in text
    for n in needles:
        assert n in text
    return text


@pytest.mark.parametrize("layout", ["contiguous", "chunked", "compact"])
def test_dimension_past_its_maximum(tmp_path, layout):
    src = tmp_path / "src.h5"
    with h5py.File(src, "w") as f:
        kw = {"chunks": (5,)} if layout == "chunked" else {}
        if layout == "compact":
            dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
            dcpl.set_layout(h5py.h5d.COMPACT)
            sp = h5py.h5s.create_simple((10,), (10,))
            h5py.h5d.create(f.id, b"d", h5py.h5t.NATIVE_INT32, sp, dcpl=dcpl)
        else:
            f.create_dataset("d", data=np.arange(10, dtype="i4"), maxshape=(10,), **kw)

    def grow(data):
        at = _dims_at(data, (10,))
        data[at : at + 8] = struct.pack("<Q", 1 << 40)

    bad = _patch(src, tmp_path / "bad.h5", grow)
    with h5py.File(bad, "r") as f, pytest.raises(Exception, match="greater than maxdim"):
        _ = f["d"]  # libhdf5 refuses the object at open
    _refuses(bad, "d", "dataspace dim 0 size of 1099511627776 is greater than maxdim size of 10")


def test_contiguous_extent_the_file_cannot_hold(tmp_path):
    src = tmp_path / "src.h5"
    with h5py.File(src, "w") as f:
        f.create_dataset("d", data=np.arange(12, dtype="f8").reshape(3, 4))

    def grow(data):
        at = _dims_at(data, (3, 4))
        data[at : at + 32] = struct.pack("<QQQQ", 1 << 30, 1 << 20, 1 << 30, 1 << 20)

    bad = _patch(src, tmp_path / "bad.h5", grow)
    with h5py.File(bad, "r") as f, pytest.raises(KeyError, match="invalid dataset size"):
        _ = f["d"]  # libhdf5 refuses the object at open
    _refuses(bad, "d", "invalid dataset size")
    with h5pure.File(bad, "r") as f, pytest.raises(OSError, match="invalid dataset size"):
        _ = f["d"].shape  # the first look at the dataset, before any read is sized


def test_compact_extent_larger_than_its_data(tmp_path):
    src = tmp_path / "src.h5"
    with h5py.File(src, "w") as f:
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        sp = h5py.h5s.create_simple((6,), (6,))
        h5py.h5d.create(f.id, b"d", h5py.h5t.NATIVE_INT32, sp, dcpl=dcpl)

    def grow(data):
        at = _dims_at(data, (6,))
        data[at : at + 16] = struct.pack("<QQ", 50, 50)

    bad = _patch(src, tmp_path / "bad.h5", grow)
    _refuses(bad, "d", "compact dataset's data buffer")


# -- chunk keys ---------------------------------------------------------------------------
def _btree_v1_keys(data):
    """Offset of the first key of the first v1 B-tree chunk node (node type 1)."""
    i = -1
    while True:
        i = data.find(b"TREE", i + 1)
        assert i >= 0
        if data[i + 4] == 1:
            return i + 24


@pytest.mark.parametrize(
    "origin,what",
    [(6, "off the grid"), (25, "past a fixed maximum"), (1 << 63, "negative as int64")],
)
def test_btree_v1_key_refused(tmp_path, origin, what):
    src = tmp_path / "src.h5"
    with h5py.File(src, "w") as f:
        f.create_dataset("d", data=np.arange(20, dtype="i4"), chunks=(5,))

    def corrupt(data):
        key1 = _btree_v1_keys(data) + 32  # u32 size, u32 mask, 2 x u64 offsets, child
        data[key1 + 8 : key1 + 16] = struct.pack("<Q", origin)

    bad = _patch(src, tmp_path / "bad.h5", corrupt)
    text = _refuses(bad, "d", "bad coordinate offset", "chunk index (btree v1) at 0x")
    assert "dataset at 0x" in text


def test_btree_v1_key_past_the_extent_inside_the_maximum_is_ignored(tmp_path):
    """libhdf5 skips a record past the current extent but inside the maximum one."""
    src = tmp_path / "src.h5"
    with h5py.File(src, "w") as f:
        f.create_dataset("d", data=np.arange(20, dtype="i4"), chunks=(5,), maxshape=(None,))

    def corrupt(data):
        key1 = _btree_v1_keys(data) + 32
        data[key1 + 8 : key1 + 16] = struct.pack("<Q", 40)

    bad = _patch(src, tmp_path / "bad.h5", corrupt)
    with h5py.File(bad, "r") as f:
        theirs = f["d"][...]
    with h5pure.File(bad, "r") as f:
        np.testing.assert_array_equal(f["d"][...], theirs)


def test_btree_v2_scaled_offset_refused(tmp_path):
    src = tmp_path / "src.h5"
    with h5py.File(src, "w", libver="latest") as f:
        d = f.create_dataset("d", shape=(10, 12), maxshape=(None, None), chunks=(3, 5), dtype="u1")
        d[...] = np.arange(120).reshape(10, 12)

    def corrupt(data):
        leaf = data.find(b"BTLF")
        nrec, rsize = 12, 8 + 16
        rec1 = leaf + 6 + rsize
        data[rec1 + 8 : rec1 + 16] = struct.pack("<Q", 1 << 62)
        body = bytes(data[leaf : leaf + 6 + nrec * rsize])
        data[leaf + 6 + nrec * rsize : leaf + 10 + nrec * rsize] = struct.pack("<I", lookup3(body))

    bad = _patch(src, tmp_path / "bad.h5", corrupt)
    _refuses(bad, "d", "bad coordinate offset")


def _table(offsets):
    n = len(offsets)
    return ChunkTable(
        np.asarray(offsets, dtype=np.int64).reshape(n, -1),
        np.arange(n, dtype=np.uint64) + 4096,
        np.full(n, 8, dtype=np.uint64),
        np.zeros(n, dtype=np.uint32),
    )


@pytest.mark.parametrize(
    "offsets,maxshape,ok",
    [
        ([(0, 0), (4, 5)], (8, 10), True),
        ([(0, 0), (4, 5)], (None, None), True),
        ([(0, 0), (40, 5)], (None, 10), True),  # unlimited axis: no bound
        ([(0, 0), (3, 5)], (8, 10), False),  # off the grid
        ([(0, 0), (8, 0)], (8, 10), False),  # at the fixed maximum
        ([(-4, 0)], (None, 10), False),
    ],
)
def test_check_chunk_offsets(offsets, maxshape, ok):
    """The one check every index's table goes through (v1/v2 B-tree, fixed and
    extensible array, single, implicit: the last four derive origins from positions,
    so only a corrupt count or extent can move them)."""
    table = _table(offsets)
    if ok:
        check_chunk_offsets(table, (4, 5), maxshape, "index")
    else:
        with pytest.raises(OSError, match="bad coordinate offset"):
            check_chunk_offsets(table, (4, 5), maxshape, "index")


def test_fixed_array_entry_count_refused(tmp_path):
    src = tmp_path / "src.h5"
    with h5py.File(src, "w", libver="latest") as f:
        f.create_dataset("d", data=np.arange(40, dtype="i4"), chunks=(4,))

    def corrupt(data):
        hd = data.find(b"FAHD")
        # sig 4, version 1, client 1, entry size 1, page bits 1, nelmts (L)
        data[hd + 8 : hd + 16] = struct.pack("<Q", 11)
        end = hd + 8 + 8 + 8
        data[end : end + 4] = struct.pack("<I", lookup3(bytes(data[hd:end])))

    bad = _patch(src, tmp_path / "bad.h5", corrupt)
    _refuses(bad, "d", "entries")
