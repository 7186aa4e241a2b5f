"""dask arrays over h5pure datasets: parallel reads with the threaded and the process
schedulers (datasets pickle by file name and path), and ``da.store`` writing into a file
h5pure has open for writing; numpy and h5py are the oracles."""

import multiprocessing

import dask
import dask.array as da
import h5py
import numpy as np
import pytest
from dask.base import tokenize

import h5pure

SHAPE = (60, 50)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """Chunked datasets written by h5py, raw and compressed, and their numpy values."""
    path = tmp_path_factory.mktemp("dask") / "src.h5"
    values = np.random.default_rng(7).standard_normal(SHAPE)
    with h5py.File(path, "w") as f:
        f.create_dataset("raw", data=values, chunks=(16, 20))
        f.create_dataset(
            "packed", data=values.astype("f4"), chunks=(7, 50), compression="gzip", shuffle=True
        )
        f.create_dataset("ints", data=np.arange(3000, dtype="i8").reshape(SHAPE), chunks=(60, 5))
    return path, values


@pytest.mark.parametrize("name", ["raw", "packed", "ints"])
def test_threaded_reads(source, name):
    path, values = source
    expected = {
        "raw": values,
        "packed": values.astype("f4"),
        "ints": np.arange(3000, dtype="i8").reshape(SHAPE),
    }[name]
    with h5pure.File(path, "r") as f:
        dset = f[name]
        x = da.from_array(dset, chunks=dset.chunks)
        assert x.chunksize == dset.chunks
        with dask.config.set(scheduler="threads", num_workers=4):
            np.testing.assert_array_equal(x.compute(), expected)
            np.testing.assert_array_equal(x[5:50:3, ::-2].compute(), expected[5:50:3, ::-2])
            np.testing.assert_allclose(
                x.astype("f8").sum(axis=0).compute(), expected.astype("f8").sum(axis=0), rtol=1e-12
            )
            mean, high = dask.compute(x.mean(), (x > 0.5).sum())
        assert mean == pytest.approx(expected.mean())
        assert high == (expected > 0.5).sum()


def test_process_scheduler_ships_pickled_datasets(source):
    path, values = source
    with h5pure.File(path, "r") as f:
        x = da.from_array(f["raw"], chunks=f["raw"].chunks)
        y = da.from_array(f["packed"], chunks=f["packed"].chunks)
        with dask.config.set({"multiprocessing.context": "fork"}):
            total, column = dask.compute(
                (x * y).sum(), x[:, 7], scheduler="processes", num_workers=2
            )
    assert total == pytest.approx((values * values.astype("f4")).sum())
    np.testing.assert_array_equal(column, values[:, 7])


def _chunk_sum(dset, rows):
    return float(dset[rows].sum())


def test_pool_maps_over_pickled_datasets(source):
    path, values = source
    with h5pure.File(path, "r") as f:
        dset = f["raw"]
        blocks = [slice(i, i + 16) for i in range(0, SHAPE[0], 16)]
        with multiprocessing.get_context("fork").Pool(2) as pool:
            sums = pool.starmap(_chunk_sum, [(dset, b) for b in blocks])
    assert sums == pytest.approx([values[b].sum() for b in blocks])


@pytest.mark.parametrize("lock", [True, False])
def test_store_into_a_file_open_for_writing(tmp_path, lock):
    """``da.store`` from worker threads; without dask's lock h5pure serializes the
    writes to one file itself."""
    path = tmp_path / "out.h5"
    x = da.arange(np.prod(SHAPE), dtype="f8", chunks=500).reshape(SHAPE).rechunk((12, 25))
    x = da.sin(x) * 10
    with h5pure.File(path, "w") as f:
        f.create_dataset("ready", data=np.zeros(3))
    with h5pure.File(path, "a") as f:
        target = f.create_dataset(
            "out", shape=SHAPE, dtype="f8", chunks=(12, 25), compression="gzip"
        )
        tail = f.create_dataset("tail", shape=(SHAPE[1],), dtype="f8")
        with dask.config.set(scheduler="threads", num_workers=4):
            da.store([x, x[-1]], [target, tail], lock=lock)
    expected = np.sin(np.arange(np.prod(SHAPE), dtype="f8")).reshape(SHAPE) * 10
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(f["out"][...], expected)
        np.testing.assert_array_equal(f["tail"][...], expected[-1])
        np.testing.assert_array_equal(f["ready"][...], np.zeros(3))


def test_dask_names_without_pickling(source, tmp_path):
    """dask names read-only datasets by file and path (same reads, same name) and gives
    objects of a writable file a new name each time, never pickling them (which would
    flush the file and open a reader that outlives the writer's close)."""
    path, _ = source
    with h5pure.File(path, "r") as f:
        assert tokenize(f["raw"]) == tokenize(f["raw"])
        assert tokenize(f["raw"]) != tokenize(f["ints"])
        assert da.from_array(f["raw"]).name == da.from_array(f["raw"]).name
    out = tmp_path / "w.h5"
    with h5pure.File(out, "w") as f:
        d = f.create_dataset("d", data=np.arange(4))
        assert tokenize(d) != tokenize(d)
    with h5py.File(out, "r") as f:  # the writer's close released the file at once
        np.testing.assert_array_equal(f["d"][...], np.arange(4))
