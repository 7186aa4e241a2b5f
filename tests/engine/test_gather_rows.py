"""Rows picked far apart along axis 0 of unfiltered chunks are read one run at a time,
straight into the result, the rows between them never read (``_gather_rows``); numpy is
the oracle, the driver's calls show what was read."""

from __future__ import annotations

import os

import numpy as np
import pytest

import h5pure
from h5pure.drivers.sec2 import Sec2Driver

ROWS, COLS = 20_000, 64


@pytest.fixture()
def table(tmp_path):
    data = np.random.default_rng(1).random((ROWS, COLS))
    path = tmp_path / "t.h5"
    with h5pure.File(path, "w") as f:
        f.create_dataset("t", data=data, chunks=(1024, COLS))
    return path, data


def _spy(monkeypatch):
    """Record every byte range the sec2 driver reads."""
    seen: list[tuple[int, int]] = []
    plain_readinto = Sec2Driver.readinto
    plain_readv = Sec2Driver.readv
    plain_many = Sec2Driver.readinto_many

    def readinto(self, offset, buf):
        seen.append((offset, len(memoryview(buf).cast("B"))))
        return plain_readinto(self, offset, buf)

    def readv(self, offset, buffers):
        seen.append((offset, sum(memoryview(b).nbytes for b in buffers)))
        return plain_readv(self, offset, buffers)

    def readinto_many(self, pieces):
        seen.extend((offset, len(buf)) for offset, buf in pieces)
        return plain_many(self, pieces)

    monkeypatch.setattr(Sec2Driver, "readinto", readinto)
    monkeypatch.setattr(Sec2Driver, "readv", readv)
    monkeypatch.setattr(Sec2Driver, "readinto_many", readinto_many)
    return seen


def test_sorted_rows_read_alone(table, monkeypatch):
    path, data = table
    idx = np.sort(np.random.default_rng(2).choice(ROWS, 300, replace=False))
    with h5pure.File(path, "r") as f:
        d = f["t"]
        assert d.shape == (ROWS, COLS)  # the object header is read before the spy starts
        seen = _spy(monkeypatch)
        got = d[idx, :]
    np.testing.assert_array_equal(got, data[idx])
    read = sum(n for _, n in seen)
    # the rows themselves (plus at most the chunk index, read once), not the spans
    assert read < len(idx) * COLS * 8 + 64 << 10, read
    assert read >= len(idx) * COLS * 8


def test_runs_of_consecutive_rows_are_one_read(table, monkeypatch):
    path, data = table
    idx = np.concatenate([np.arange(100, 110), np.arange(5000, 5003), np.arange(19_990, 20_000)])
    idx = np.concatenate([idx, np.arange(9000, 9900, 90)])
    idx.sort()
    with h5pure.File(path, "r") as f:
        d = f["t"]
        assert d.shape == (ROWS, COLS)  # the object header is read before the spy starts
        seen = _spy(monkeypatch)
        got = d[idx]
    np.testing.assert_array_equal(got, data[idx])
    rows = [n // (COLS * 8) for _, n in seen if n % (COLS * 8) == 0]
    assert sorted(rows, reverse=True)[:3] == [10, 10, 3]


@pytest.mark.parametrize(
    "key",
    [
        (np.arange(3, ROWS, 97),),
        (slice(5, ROWS, 131), slice(None)),
        (slice(None, None, 40),),  # a stepped slice
        ([0, 1, 2, 5000, 5001, 19_999],),  # below the minimum count: the general path
        (np.arange(0, ROWS, 3),),  # dense: the general path reads the spans
        (np.array([5, 4, 3, 9000, 8, 7, 6, 10, 11, 12]),),  # unsorted: the general path
        (np.arange(0, ROWS, 501), slice(3, 9)),  # not whole rows: the general path
        (np.arange(0, ROWS, 501), 7),
        (np.random.default_rng(3).random(ROWS) < 0.01,),  # a mask
    ],
)
def test_any_key_reads_what_numpy_reads(table, key):
    path, data = table
    with h5pure.File(path, "r") as f:
        np.testing.assert_array_equal(f["t"][key], data[key])


def test_read_direct_and_dtype_views(tmp_path):
    data = np.arange(50_000 * 8, dtype=">i4").reshape(50_000, 8)
    path = tmp_path / "be.h5"
    with h5pure.File(path, "w", userblock_size=512) as f:
        f.create_dataset("be", data=data, chunks=(4096, 8))
    idx = np.arange(7, 50_000, 1009)
    with h5pure.File(path, "r") as f:
        got = f["be"][idx]
        assert got.dtype == np.dtype(">i4")
        np.testing.assert_array_equal(got, data[idx])
        out = np.zeros((len(idx), 8), dtype=">i4")
        f["be"].read_direct(out, np.s_[idx, :])
        np.testing.assert_array_equal(out, data[idx])


def test_missing_chunks_read_the_fill_value(tmp_path):
    path = tmp_path / "sparse.h5"
    with h5pure.File(path, "w") as f:
        d = f.create_dataset("s", (40_000, 4), "f8", chunks=(1000, 4), fillvalue=-1.0)
        d[0:1000] = 1.0
        d[30_000:31_000] = 2.0
    want = np.full((40_000, 4), -1.0)
    want[0:1000] = 1.0
    want[30_000:31_000] = 2.0
    idx = np.arange(0, 40_000, 777)
    with h5pure.File(path, "r") as f:
        np.testing.assert_array_equal(f["s"][idx], want[idx])


def test_three_dimensions_and_a_writer_reading_its_own_data(tmp_path):
    data = np.random.default_rng(4).random((6000, 3, 5)).astype("f4")
    path = tmp_path / "w.h5"
    idx = np.arange(11, 6000, 200)
    with h5pure.File(path, "w") as f:
        d = f.create_dataset("c", data=data, chunks=(500, 3, 5))
        np.testing.assert_array_equal(d[idx], data[idx])
        d[idx] = -data[idx]
        want = data.copy()
        want[idx] = -data[idx]
        np.testing.assert_array_equal(d[idx], want[idx])
        np.testing.assert_array_equal(d[...], want)


@pytest.mark.parametrize("driver", ["core", "stdio", "fileobj"])
def test_other_drivers(table, driver):
    path, data = table
    idx = np.arange(3, ROWS, 97)
    if driver == "fileobj":
        with open(path, "rb") as fh, h5pure.File(fh, "r") as f:
            np.testing.assert_array_equal(f["t"][idx], data[idx])
    else:
        with h5pure.File(path, "r", driver=driver) as f:
            np.testing.assert_array_equal(f["t"][idx], data[idx])


def test_a_file_cut_short_meanwhile_is_a_clear_error(table):
    path, data = table
    idx = np.arange(3, ROWS, 97)
    with h5pure.File(path, "r") as f:
        d = f["t"]
        np.testing.assert_array_equal(d[idx[:10]], data[idx[:10]])  # the index is read
        os.truncate(path, os.path.getsize(path) // 2)  # another process cut it
        with pytest.raises(OSError, match="truncated file|beyond the end of the file"):
            d[idx]
