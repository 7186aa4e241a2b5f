"""dask.distributed with worker processes: datasets pickle and reopen on the workers, and
``h5pure.dask.store`` writes a dask array into one file (workers compress, the writing
process places the chunks, one commit), read back by h5py."""

from __future__ import annotations

import numpy as np
import pytest

import h5pure

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_datasets_pickle_and_reopen_on_workers(tmp_path, client):
    da = pytest.importorskip("dask.array")
    path = str(tmp_path / "src.h5")
    data = np.arange(200 * 30, dtype="f8").reshape(200, 30)
    with h5pure.File(path, "w") as f:
        f.create_dataset("x", data=data, chunks=(50, 30), compression="gzip")
    with h5pure.File(path, "r") as f:
        x = da.from_array(f["x"], chunks=f["x"].chunks)
        pids = client.run(lambda: __import__("os").getpid())
        assert len(set(pids.values())) == 2
        got = x.sum(axis=1).compute(scheduler=client)
        assert np.allclose(got, data.sum(axis=1))
        # the tasks ran in the workers: a dataset object travels there and back
        shape = client.submit(lambda d: (d.shape, d.file.mode), f["x"]).result()
        assert shape == ((200, 30), "r")


def test_store_from_a_distributed_cluster(tmp_path, client, h5py):
    da = pytest.importorskip("dask.array")
    from h5pure.dask import store

    path = str(tmp_path / "out.h5")
    darr = da.arange(300 * 40, dtype="i4", chunks=1000).reshape(300, 40).rechunk((70, 40))
    with h5pure.File(path, "w") as f:
        d = f.create_dataset(
            "x", (300, 40), dtype="i4", chunks=(25, 40), compression="gzip", shuffle=True
        )
        store(darr, d, scheduler=client)
        assert np.array_equal(d[...], np.arange(300 * 40, dtype="i4").reshape(300, 40))
    with h5py.File(path, "r") as f:
        assert f["x"].compression == "gzip"
        assert np.array_equal(f["x"][...], np.arange(300 * 40, dtype="i4").reshape(300, 40))
        assert f["x"].id.get_num_chunks() == 12


def test_store_refuses_what_it_cannot_do(tmp_path):
    da = pytest.importorskip("dask.array")
    from h5pure.dask import store

    with h5pure.File(str(tmp_path / "r.h5"), "w") as f:
        with pytest.raises(TypeError):
            store(da.zeros((4,)), f.create_dataset("c", (4,), dtype="f8"))
        with pytest.raises(ValueError):
            store(da.zeros((5,), chunks=5), f.create_dataset("k", (4,), dtype="f8", chunks=(2,)))
