"""Unfiltered data lands straight in the output array (one ``readinto``, no bytes object),
and the chunks of one read are fetched with few vectored reads (coalescing)."""

import numpy as np
import pytest

import h5pure
from h5pure.selection import select


class Calls:
    """Counts the driver's reads of one open file (instance attributes shadow methods)."""

    def __init__(self, driver):
        self.read: list[tuple[int, int]] = []
        self.readinto: list[tuple[int, memoryview]] = []
        self.readv: list[tuple[int, list]] = []
        real_read, real_readinto, real_readv = driver.read, driver.readinto, driver.readv

        def read(offset, size):
            self.read.append((offset, size))
            return real_read(offset, size)

        def readinto(offset, buf):
            self.readinto.append((offset, buf))
            return real_readinto(offset, buf)

        def readv(offset, buffers):
            self.readv.append((offset, list(buffers)))
            return real_readv(offset, buffers)

        driver.read, driver.readinto, driver.readv = read, readinto, readv


DATA = np.arange(100 * 8, dtype="<f8").reshape(100, 8)


@pytest.fixture
def path(tmp_path, h5py):
    p = tmp_path / "direct.h5"
    with h5py.File(p, "w") as f:
        f.create_dataset("chunked", data=DATA, chunks=(10, 8))
        f.create_dataset("contig", data=DATA)
        f.create_dataset("gz", data=DATA, chunks=(10, 8), compression="gzip")
    return p


def _storage_read(dset, key):
    st = dset._storage
    st.chunk_table()  # the index is read before counting
    calls = Calls(st.fs.driver)
    out = st.read(select(key, st.shape))
    return out, calls


def _lands_in(out, buf):
    return np.shares_memory(np.asarray(buf.obj if isinstance(buf, memoryview) else buf), out)


@pytest.mark.parametrize("name", ["chunked", "contig"])
@pytest.mark.parametrize(
    "key", [np.s_[20:30], np.s_[25:27], np.s_[21], np.s_[20:30, :], np.s_[3:4, ...]]
)
def test_whole_rows_of_one_block_are_one_readinto_into_the_output(path, name, key):
    with h5pure.File(path, "r") as f:
        out, calls = _storage_read(f[name], key)
        assert calls.read == [] and calls.readv == []
        assert len(calls.readinto) == 1
        offset, buf = calls.readinto[0]
        assert _lands_in(out, buf)
        assert len(buf) == out.nbytes
    np.testing.assert_array_equal(out.reshape(DATA[key].shape), DATA[key])  # ints kept as 1


def test_adjacent_chunks_are_one_vectored_read_into_the_output(path):
    with h5pure.File(path, "r") as f:
        st = f["chunked"]._storage
        table = st.chunk_table()
        addresses = table.addresses.astype(np.int64)
        assert np.all(np.diff(addresses) == 640)  # h5py stored them back to back
        out, calls = _storage_read(f["chunked"], np.s_[15:45])
        assert calls.read == [] and calls.readinto == []
        assert len(calls.readv) == 1
        offset, buffers = calls.readv[0]
        assert len(buffers) == 4 and all(_lands_in(out, b) for b in buffers)
        assert sum(len(memoryview(b)) for b in buffers) == out.nbytes
    np.testing.assert_array_equal(out, DATA[15:45])


def test_partial_rows_are_read_once_then_scattered(path):
    with h5pure.File(path, "r") as f:
        out, calls = _storage_read(f["chunked"], np.s_[15:45, 2:5])
        assert calls.read == [] and calls.readinto == []
        assert len(calls.readv) == 1  # four chunks, one read
        offset, buffers = calls.readv[0]
        assert not any(_lands_in(out, b) for b in buffers)
    np.testing.assert_array_equal(out, DATA[15:45, 2:5])


def test_strided_rows_with_small_gaps_are_one_read(path):
    with h5pure.File(path, "r") as f:
        out, calls = _storage_read(f["chunked"], np.s_[3:97:7])
        assert calls.read == [] and calls.readinto == []
        assert len(calls.readv) == 1
    np.testing.assert_array_equal(out, DATA[3:97:7])


def test_filtered_chunks_are_one_vectored_read(path, h5py):
    with h5pure.File(path, "r") as f:
        f["gz"]._storage.set_cache_settings(f["gz"]._storage.cache_settings.updated(nbytes=0))
        out, calls = _storage_read(f["gz"], np.s_[...])
        assert calls.read == [] and calls.readinto == []
        assert len(calls.readv) == 1 and len(calls.readv[0][1]) == 10
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(out, f["gz"][...])


def test_hl_reads_agree_with_h5py(path, h5py):
    keys = [
        np.s_[...],
        np.s_[15:45],
        np.s_[15:45, 2:5],
        np.s_[3:97:7],
        np.s_[[1, 5, 50, 51, 99], :],
        np.s_[99],
        np.s_[5:95:30, ::3],
        np.s_[:, 7],
    ]
    with h5pure.File(path, "r") as f, h5py.File(path, "r") as ref:
        for name in ("chunked", "contig", "gz"):
            for key in keys:
                np.testing.assert_array_equal(f[name][key], ref[name][key], err_msg=f"{name}{key}")


def test_fsspec_like_batched_drivers_keep_their_path(tmp_path, h5py):
    """A driver with batched reads gets chunks through ``read_many``, never ``readv``."""
    p = tmp_path / "b.h5"
    with h5py.File(p, "w") as f:
        f.create_dataset("c", data=DATA, chunks=(10, 8))
    with h5pure.File(p, "r") as f:
        st = f["c"]._storage
        st.chunk_table()
        drv = st.fs.driver
        many = []
        real = drv.read_many

        def read_many(ranges):
            many.append(list(ranges))
            return real(ranges)

        drv.read_many = read_many
        drv.batched_reads = True
        calls = Calls(drv)
        out = st.read(select(np.s_[15:45], st.shape))
        assert len(many) == 1 and len(many[0]) == 4
        assert calls.readv == [] and calls.readinto == []
    np.testing.assert_array_equal(out, DATA[15:45])
