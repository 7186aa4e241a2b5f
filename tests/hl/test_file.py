"""File-level behaviour, with h5py as the oracle."""

import io

import numpy as np
import pytest

import h5pure


@pytest.fixture
def small(tmp_path, h5py):
    path = tmp_path / "small.h5"
    with h5py.File(path, "w") as f:
        f["x"] = np.arange(10)
        f.create_group("g").attrs["a"] = 1
    return path


def test_open_read_close(small):
    f = h5pure.File(small, "r")
    assert f.mode == "r"
    assert f.filename == str(small)
    assert f.driver == "sec2"
    assert f.name == "/"
    assert f.parent == f
    assert f.userblock_size == 0
    assert f.swmr_mode is False
    assert f.libver == ("earliest", "v200")
    assert bool(f)
    assert repr(f) == '<HDF5 file "small.h5" (mode r)>'
    f.close()
    assert not f
    assert repr(f) == "<Closed HDF5 file>"
    with pytest.raises(ValueError):
        f["x"]


def test_context_manager_and_objects_die_with_file(small):
    with h5pure.File(small, "r") as f:
        d = f["x"]
        assert d[3] == 3
    assert repr(d) == "<Closed HDF5 dataset>"
    with pytest.raises(ValueError):
        d[()]


def test_fileobj(small):
    buf = io.BytesIO(small.read_bytes())
    with h5pure.File(buf, "r") as f:
        assert f.driver == "fileobj"
        np.testing.assert_array_equal(f["x"][...], np.arange(10))


def test_userblock(tmp_path, h5py):
    path = tmp_path / "ub.h5"
    with h5py.File(path, "w", userblock_size=1024) as f:
        f["x"] = np.arange(4)
    with open(path, "r+b") as fh:
        fh.write(b"user block text")
    with h5pure.File(path, "r") as f:
        assert f.userblock_size == 1024
        np.testing.assert_array_equal(f["x"][...], np.arange(4))


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        h5pure.File(tmp_path / "nope.h5", "r")


def test_not_hdf5_raises_oserror(tmp_path):
    path = tmp_path / "bad.h5"
    path.write_bytes(b"x" * 1000)
    with pytest.raises(OSError, match="signature"):
        h5pure.File(path, "r")
    path.write_bytes(b"")
    with pytest.raises(OSError):
        h5pure.File(path, "r")


def test_directory_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        h5pure.File(tmp_path, "r")


def test_bad_mode_and_driver(small):
    with pytest.raises(ValueError):
        h5pure.File(small, "q")
    with pytest.raises(ValueError):
        h5pure.File(small, "r", driver="nonesuch")


def test_read_only_never_writes(small):
    before = small.read_bytes()
    mtime = small.stat().st_mtime_ns
    with h5pure.File(small, "r") as f:
        f.visititems(lambda n, o: None)
        with pytest.raises(OSError):
            f.attrs["new"] = 1
    assert small.read_bytes() == before
    assert small.stat().st_mtime_ns == mtime
