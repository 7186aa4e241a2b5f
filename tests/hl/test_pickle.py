"""Pickling files, groups and datasets (beyond h5py): by file name and path, reopened
read-only; h5py reading the same file is the oracle for what the copies see."""

import io
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

import h5pure


@pytest.fixture
def sample(tmp_path, h5py):
    path = tmp_path / "pk.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("g/d", data=np.arange(100.0).reshape(10, 10), chunks=(3, 4))
        f["g"].attrs["a"] = 7
        f["t"] = np.dtype("<i2")
    return path


def _row_sums(dset, rows):
    return [float(dset[r].sum()) for r in rows]


def _describe(obj):
    return type(obj).__name__, obj.name, obj.file.mode, obj.file.filename


def test_round_trip_each_kind(sample):
    with h5pure.File(sample, "r") as f:
        objs = [f, f["/"], f["g"], f["g/d"], f["t"]]
        copies = pickle.loads(pickle.dumps(objs))
        for obj, copy in zip(objs, copies):
            assert type(copy) is type(obj)
            assert copy.name == obj.name
            assert copy == obj
            assert copy.file.mode == "r"
        np.testing.assert_array_equal(copies[3][...], f["g/d"][...])
        assert copies[2].attrs["a"] == 7
        assert copies[4].dtype == np.dtype("<i2")
        # copies of one unchanged file share one open file
        assert copies[2].file is copies[3].file


def test_workers_read_pickled_dataset(sample, h5py):
    with h5py.File(sample, "r") as f:
        expected = _row_sums(f["g/d"], range(10))
    with h5pure.File(sample, "r") as f:
        d = f["g/d"]
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(2, mp_context=ctx) as pool:
            parts = list(pool.map(_row_sums, [d, d], [range(5), range(5, 10)]))
            kinds = list(pool.map(_describe, [f, f["g"], d]))
    assert parts[0] + parts[1] == expected
    assert kinds == [
        ("File", "/", "r", str(sample.resolve())),
        ("Group", "/g", "r", str(sample.resolve())),
        ("Dataset", "/g/d", "r", str(sample.resolve())),
    ]


def test_writable_file_flushes_when_pickled(tmp_path, h5py):
    path = tmp_path / "w.h5"
    with h5pure.File(path, "w") as f:
        f["x"] = np.arange(6)
        blob = pickle.dumps(f["x"])  # flushes: the copy sees x as written so far
        copy = pickle.loads(blob)
        np.testing.assert_array_equal(copy[...], np.arange(6))
        assert copy.file.mode == "r+"  # in one process: the same open file, as in libhdf5
        with h5py.File(path, "r", locking=False) as g:
            np.testing.assert_array_equal(g["x"][...], np.arange(6))
        f["x"][0] = 42
        np.testing.assert_array_equal(pickle.loads(pickle.dumps(f["x"]))[...][:2], [42, 1])


def test_unpicklable(tmp_path):
    bio = io.BytesIO()
    with h5pure.File(bio, "w") as f:
        f["x"] = 1
        with pytest.raises(TypeError, match="file object"):
            pickle.dumps(f["x"])
    with h5pure.File(tmp_path / "mem.h5", "w", driver="core", backing_store=False) as f:
        with pytest.raises(TypeError, match="in-memory"):
            pickle.dumps(f)
    path = tmp_path / "c.h5"
    with h5pure.File(path, "w") as f:
        anon = f.create_dataset(None, data=np.arange(3))
        with pytest.raises(TypeError, match="anonymous"):
            pickle.dumps(anon)
    f = h5pure.File(path, "r")
    f.close()
    with pytest.raises(ValueError):
        pickle.dumps(f)
