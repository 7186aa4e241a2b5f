"""Unwritten chunks read as the fill value, or as zero bytes when there is none, in a new
array and into the caller's (``read_direct``), for every kind of dtype: zero bytes of a
string dtype are ``b""``, never the number 0 converted (``b"0"``).  h5py is the oracle."""

from __future__ import annotations

import numpy as np
import pytest

import h5pure

h5py = pytest.importorskip("h5py")

DTYPES = ["S6", "<f4", ">i8", np.dtype([("a", "<i2"), ("b", "S3")]), "?", "<c8"]


def _make(lib, path, dtype, fill):
    with lib.File(path, "w") as f:
        kw = {} if fill is None else {"fillvalue": fill}
        f.create_dataset("c", shape=(7, 5), chunks=(3, 2), dtype=dtype, **kw)
        f["c"][0:3, 0:2] = np.ones((3, 2), dtype=dtype) if dtype != "S6" else b"abc"


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("writer", ["h5py", "h5pure"])
def test_unwritten_chunks_read_as_h5py_reads_them(tmp_path, dtype, writer):
    path = tmp_path / "f.h5"
    _make(h5py if writer == "h5py" else h5pure, path, dtype, None)
    with h5py.File(path, "r") as f:
        want = f["c"][...]
        want_part = f["c"][2:6, 1:4]
    with h5pure.File(path, "r") as f:
        d = f["c"]
        assert np.array_equal(d[...], want)
        assert np.array_equal(d[2:6, 1:4], want_part)
        dest = np.full((7, 5), np.ones((), dtype=d.dtype)[()], dtype=d.dtype)
        d.read_direct(dest)
        assert np.array_equal(dest, want)
        # a strided part of a larger caller array
        big = np.full((10, 12), np.ones((), dtype=d.dtype)[()], dtype=d.dtype)
        d.read_direct(big, np.s_[2:6, 1:4], np.s_[1:9:2, 3:12:3])
        assert np.array_equal(big[1:9:2, 3:12:3], want_part)


@pytest.mark.parametrize("writer", ["h5py", "h5pure"])
def test_unwritten_chunks_with_a_fill_value(tmp_path, writer):
    path = tmp_path / "f.h5"
    _make(h5py if writer == "h5py" else h5pure, path, "<f4", -7.5)
    with h5py.File(path, "r") as f:
        want = f["c"][...]
    with h5pure.File(path, "r") as f:
        assert np.array_equal(f["c"][...], want)
        dest = np.zeros((7, 5), "<f4")
        f["c"].read_direct(dest)
        assert np.array_equal(dest, want)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("chunked", [True, False])
def test_a_dataset_never_written(tmp_path, dtype, chunked):
    """No chunk at all: read in the writing session and after reopening."""
    path = tmp_path / "f.h5"
    with h5pure.File(path, "w") as f:
        d = f.create_dataset("n", shape=(4,), dtype=dtype, chunks=(2,) if chunked else None)
        in_session = d[...]
        scalar = f.create_dataset("s", shape=(), dtype=dtype)[()]
    with h5py.File(path, "r") as f:
        want = f["n"][...]
        want_scalar = f["s"][()]
    assert np.array_equal(in_session, want)
    assert np.array_equal(np.asarray(scalar), np.asarray(want_scalar))
    with h5pure.File(path, "r") as f:
        assert np.array_equal(f["n"][...], want)
