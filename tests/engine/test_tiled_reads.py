"""Boxes over many small filtered chunks are read as tiles (``_read_tiles``): the stored
bytes in a few large reads, one decode loop, one reshape and transpose.  numpy and h5py
are the oracles; a spy shows which path ran."""

from __future__ import annotations

import numpy as np
import pytest

import h5pure
from h5pure.lowlevel.dataset import DatasetStorage

h5py = pytest.importorskip("h5py")


@pytest.fixture()
def no_general_path(monkeypatch):
    """Fail if a read takes the per-chunk path for filtered chunks."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("the per-chunk path ran")

    monkeypatch.setattr(DatasetStorage, "_read_filtered", refuse)


def _write(path, data, chunks, **kw):
    with h5py.File(path, "w") as f:
        f.create_dataset("d", data=data, chunks=chunks, **kw)


@pytest.mark.parametrize(
    "key",
    [
        np.s_[...],
        np.s_[3:97, 5:60],
        np.s_[40:200, 7:63],  # the edge chunks, partly past the extent
        np.s_[-150:, -29:],
    ],
)
def test_boxes_match_numpy(tmp_path, key, no_general_path):
    data = np.random.default_rng(1).integers(0, 1000, size=(203, 63)).astype("<i4")
    path = tmp_path / "t.h5"
    _write(path, data, (4, 8), compression="gzip", shuffle=True)
    with h5pure.File(path, "r") as f:
        d = f["d"]
        np.testing.assert_array_equal(d[key], data[key])


@pytest.mark.parametrize("key", [np.s_[0:1, :], np.s_[:, 17:18], np.s_[-50:, -9:]])
def test_small_boxes_take_the_general_path(tmp_path, key, monkeypatch):
    data = np.random.default_rng(1).integers(0, 1000, size=(203, 63)).astype("<i4")
    path = tmp_path / "t.h5"
    _write(path, data, (4, 8), compression="gzip", shuffle=True)
    tiles = []
    real = DatasetStorage._read_tiles

    def spy(self, *args):
        done = real(self, *args)
        tiles.append(done)
        return done

    monkeypatch.setattr(DatasetStorage, "_read_tiles", spy)
    with h5pure.File(path, "r") as f:
        np.testing.assert_array_equal(f["d"][key], data[key])
    assert tiles == [False]  # fewer chunks than _TILE_MIN_CHUNKS


def test_three_dimensions_big_endian_and_fletcher32(tmp_path, no_general_path):
    data = np.arange(40 * 30 * 20, dtype=">f8").reshape(40, 30, 20)
    path = tmp_path / "t3.h5"
    _write(path, data, (5, 3, 4), compression="gzip", fletcher32=True)
    with h5pure.File(path, "r") as f:
        got = f["d"][2:39, 1:30, 3:17]
        assert got.dtype == np.dtype(">f8")
        np.testing.assert_array_equal(got, data[2:39, 1:30, 3:17])
        out = np.empty((40, 30, 20), dtype=">f8")
        f["d"].read_direct(out)
        np.testing.assert_array_equal(out, data)


def test_compound_and_lzf(tmp_path, no_general_path):
    dt = np.dtype([("a", "<i2"), ("b", "<f4")])
    data = np.zeros((300, 20), dtype=dt)
    data["a"] = np.arange(6000).reshape(300, 20) % 3000
    data["b"] = np.linspace(0, 1, 6000).reshape(300, 20)
    path = tmp_path / "c.h5"
    _write(path, data, (10, 5), compression="lzf")
    with h5pure.File(path, "r") as f:
        np.testing.assert_array_equal(f["d"][...], data)


def test_missing_chunks_take_the_general_path(tmp_path):
    path = tmp_path / "sparse.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("d", (100, 100), "i4", chunks=(4, 4), compression="gzip", fillvalue=7)
        d[0:50, :] = 1
    want = np.full((100, 100), 7, dtype="i4")
    want[0:50] = 1
    with h5pure.File(path, "r") as f:
        np.testing.assert_array_equal(f["d"][...], want)


def test_chunks_stored_unfiltered_take_the_general_path(tmp_path):
    """A direct chunk write with the filter skipped (mask 1) beside gzip chunks."""
    data = np.arange(64 * 64, dtype="i4").reshape(64, 64)
    path = tmp_path / "mask.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("d", data=data, chunks=(4, 4), compression="gzip")
        d.id.write_direct_chunk((0, 0), np.full((4, 4), -1, dtype="i4").tobytes(), filter_mask=1)
    want = data.copy()
    want[:4, :4] = -1
    with h5pure.File(path, "r") as f:
        np.testing.assert_array_equal(f["d"][...], want)


def test_stepped_and_fancy_keys_take_the_general_path(tmp_path):
    data = np.arange(100 * 40, dtype="f4").reshape(100, 40)
    path = tmp_path / "s.h5"
    _write(path, data, (4, 4), compression="gzip")
    with h5pure.File(path, "r") as f:
        np.testing.assert_array_equal(f["d"][::3, 1:30:2], data[::3, 1:30:2])
        np.testing.assert_array_equal(f["d"][[1, 5, 77], :], data[[1, 5, 77], :])
        np.testing.assert_array_equal(f["d"][5, :], data[5, :])


def test_a_corrupt_chunk_is_named(tmp_path):
    data = np.arange(100 * 40, dtype="f4").reshape(100, 40)
    path = tmp_path / "bad.h5"
    _write(path, data, (4, 4), compression="gzip")
    with h5py.File(path, "r") as f:
        info = f["d"].id.get_chunk_info(37)
    raw = bytearray(path.read_bytes())
    raw[info.byte_offset + 2 : info.byte_offset + 10] = b"\xff" * 8
    path.write_bytes(bytes(raw))
    with h5pure.File(path, "r") as f, pytest.raises(OSError, match=f"0x{info.byte_offset:x}"):
        f["d"][...]


def test_a_writer_reads_what_it_wrote(tmp_path):
    data = np.random.default_rng(3).random((120, 36))
    with h5pure.File(tmp_path / "w.h5", "w") as f:
        d = f.create_dataset("d", data=data, chunks=(4, 6), compression="gzip")
        np.testing.assert_array_equal(d[...], data)
        d[10:20, :] = 5.0
        data[10:20, :] = 5.0
        np.testing.assert_array_equal(d[2:100, 3:30], data[2:100, 3:30])
    with h5py.File(tmp_path / "w.h5", "r") as f:
        np.testing.assert_array_equal(f["d"][...], data)


def test_unfiltered_small_chunks_are_tiles_too(tmp_path, monkeypatch):
    data = np.arange(400 * 48, dtype="<u2").reshape(400, 48)
    path = tmp_path / "u.h5"
    _write(path, data, (4, 6))

    def refuse(self, *args, **kwargs):
        raise AssertionError("the per-chunk path ran")

    monkeypatch.setattr(DatasetStorage, "_read_unfiltered_rows", refuse)
    with h5pure.File(path, "r") as f:
        np.testing.assert_array_equal(f["d"][...], data)
        np.testing.assert_array_equal(f["d"][3:390, 5:47], data[3:390, 5:47])


def test_a_chunk_recorded_twice_takes_the_general_path(tmp_path):
    """A corrupt index holding one chunk twice and missing another must not lay the
    duplicate out in the missing one's place."""
    from h5pure.format.chunk_index import ChunkTable
    from h5pure.lowlevel.dataset import _ChunkLookup
    from h5pure.selection import select

    data = np.arange(64 * 8, dtype="<i4").reshape(64, 8)
    path = tmp_path / "dup.h5"
    _write(path, data, (1, 8), compression="gzip")
    with h5pure.File(path, "r") as f:
        st = f["d"]._storage
        table = st.chunk_lookup().table
        rows = np.arange(len(table))
        rows[5] = 4  # chunk 4 twice, chunk 5 gone
        dup = ChunkTable(
            offsets=table.offsets[rows],
            addresses=table.addresses[rows],
            sizes=table.sizes[rows],
            filter_masks=table.filter_masks[rows],
        )
        lookup = _ChunkLookup(dup, dup.offsets // np.asarray(st.chunk_shape, dtype=np.int64))
        out = np.empty((64, 8), dtype="<i4")
        assert st._read_tiles(select((Ellipsis,), (64, 8)), out, lookup, st.chunk_shape) is False
