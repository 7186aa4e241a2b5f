"""A resize the file cannot store is refused before anything changes: the session stays
usable, closes cleanly, and h5py reads what was there before (issue 13: ``resize((2**62,
10))`` was accepted, then ``close()`` raised and the session's metadata was lost)."""

from __future__ import annotations

import numpy as np
import pytest

import h5pure

h5py = pytest.importorskip("h5py")


@pytest.fixture(params=["earliest", "latest"])
def libver(request):
    return request.param


def _make(path, libver):
    with h5pure.File(path, "w", libver=libver) as f:
        d = f.create_dataset("d", shape=(4, 10), maxshape=(None, 10), chunks=(2, 10), dtype="f8")
        d[...] = np.arange(40.0).reshape(4, 10)


@pytest.mark.parametrize(
    "shape",
    [(2**62, 10), (2**63, 10), (2**64 - 1, 10)],
    ids=["2**62", "2**63", "all-ones"],
)
def test_unencodable_extent_refused_up_front(tmp_path, libver, shape):
    path = tmp_path / "r.h5"
    _make(path, libver)
    with h5pure.File(path, "a") as f:
        d = f["d"]
        with pytest.raises(ValueError, match="dimensions"):
            d.resize(shape)
        assert d.shape == (4, 10)
        d.resize((6, 10))  # the session goes on
        d[4:] = -1
        f.attrs["after"] = 1
    with h5py.File(path, "r") as f:
        assert f["d"].shape == (6, 10)
        np.testing.assert_array_equal(f["d"][:4], np.arange(40.0).reshape(4, 10))
        assert (f["d"][4:] == -1).all()
        assert f.attrs["after"] == 1


@pytest.mark.parametrize("shape", [(2**64, 10), (-1, 10)])
def test_out_of_range_dims_raise_overflow_error_as_h5py(tmp_path, shape):
    path = tmp_path / "r.h5"
    _make(path, "latest")
    with h5pure.File(path, "a") as f, pytest.raises(OverflowError):
        f["d"].resize(shape)
    with h5py.File(path, "r") as f, h5py.File(tmp_path / "theirs.h5", "w") as g:
        assert f["d"].shape == (4, 10)
        theirs = g.create_dataset(
            "d", shape=(4, 10), maxshape=(None, 10), chunks=(2, 10), dtype="f8"
        )
        with pytest.raises(OverflowError):
            theirs.resize(shape)


def test_chunk_index_capacity_refused(tmp_path):
    """An extensible array numbers at most 2**32 chunks (libhdf5's default parameters):
    an extent needing more is refused, not written into an index that cannot hold it."""
    path = tmp_path / "r.h5"
    _make(path, "latest")
    with h5pure.File(path, "a") as f:
        d = f["d"]
        with pytest.raises(ValueError, match="extensible array"):
            d.resize((2**40, 10))
        d.resize((2**33, 10))  # 2**32 chunks of 2 rows: the most it holds
        d[-1] = 7
        d.resize((8, 10))
    with h5py.File(path, "r") as f:
        assert f["d"].shape == (8, 10)
        np.testing.assert_array_equal(f["d"][:4], np.arange(40.0).reshape(4, 10))


def test_v1_btree_takes_a_large_extent(tmp_path):
    """A v1 B-tree keys chunks by 64-bit offsets: a large (encodable) extent is kept, as
    h5py keeps it."""
    path = tmp_path / "r.h5"
    _make(path, "earliest")
    with h5pure.File(path, "a") as f:
        f["d"].resize((2**40, 10))
        f["d"][2**40 - 1] = 5
    with h5py.File(path, "r") as f:
        assert f["d"].shape == (2**40, 10)
        assert (f["d"][2**40 - 1] == 5).all()
        np.testing.assert_array_equal(f["d"][:4], np.arange(40.0).reshape(4, 10))


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(shape=(2**62, 10), chunks=(2, 10)),
        dict(shape=(2**62, 10)),
        dict(shape=(2**40, 10), maxshape=(None, 10), chunks=(2, 10)),
    ],
    ids=["chunked", "contiguous", "extensible-array"],
)
def test_unwritable_new_dataset_refused_up_front(tmp_path, kwargs):
    """The same limits at creation: nothing is created, the session goes on."""
    path = tmp_path / "c.h5"
    with h5pure.File(path, "w", libver="latest") as f:
        with pytest.raises(ValueError):
            f.create_dataset("big", dtype="f8", **kwargs)
        assert "big" not in f
        f["ok"] = np.arange(3)
    with h5py.File(path, "r") as f:
        assert list(f) == ["ok"]


def test_fixed_array_size_limit(tmp_path):
    """A fixed array index is written whole: a grid of more than 2**28 chunks is refused
    (it would need gigabytes of index), one of that many is taken."""
    path = tmp_path / "c.h5"
    with h5pure.File(path, "w", libver="latest") as f:
        with pytest.raises(ValueError, match="fixed array"):
            f.create_dataset("big", dtype="u1", shape=(2**40, 10), chunks=(2, 10))
        f.create_dataset("large", dtype="u1", shape=(2**29, 10), chunks=(2, 10))
    # a v1 B-tree (libver earliest) keys chunks by offset: no such limit
    with h5pure.File(tmp_path / "b.h5", "w", libver="earliest") as f:
        f.create_dataset("btree", dtype="u1", shape=(2**40, 10), chunks=(2, 10))[5] = 1
    with h5py.File(path, "r") as f, h5py.File(tmp_path / "b.h5", "r") as g:
        assert f["large"].shape == (2**29, 10)
        assert g["btree"][5, 0] == 1
