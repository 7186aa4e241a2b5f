"""Many threads read one open file while another writes to it: the readers always get
exact data, the writer's work is what h5py reads after the file is closed."""

import threading

import numpy as np
import pytest

import h5pure

READERS = 4
ROUNDS = 25


def _sources():
    rng = np.random.default_rng(11)
    return {
        "gz": rng.normal(size=(400, 60)),
        "lzf": rng.integers(0, 1 << 30, size=(300, 50)).astype("<i4"),
        "plain": rng.normal(size=(500, 20)).astype("<f4"),
        "contig": np.arange(40_000, dtype="<f8").reshape(400, 100),
        "f32": rng.normal(size=(200, 33)),
    }


@pytest.fixture
def path(tmp_path, h5py):
    p = tmp_path / "shared.h5"
    with h5py.File(p, "w") as f:
        src = _sources()
        f.create_dataset("gz", data=src["gz"], chunks=(32, 60), compression="gzip", shuffle=True)
        f.create_dataset("lzf", data=src["lzf"], chunks=(30, 25), compression="lzf")
        f.create_dataset("plain", data=src["plain"], chunks=(64, 20))
        f.create_dataset("contig", data=src["contig"])
        f.create_dataset("f32", data=src["f32"], chunks=(50, 11), fletcher32=True)
        g = f.create_group("w")
        g.create_dataset(
            "log", shape=(0, 8), maxshape=(None, 8), chunks=(16, 8), dtype="<f8",
            compression="gzip",
        )
        g.create_dataset("grid", data=np.zeros((200, 40)), chunks=(20, 20), compression="gzip")
    return p


def _keys(rng, shape):
    n0, n1 = shape
    a = int(rng.integers(0, n0 - 1))
    b = int(rng.integers(a + 1, n0 + 1))
    c = int(rng.integers(0, n1 - 1))
    rows = np.unique(rng.integers(0, n0, 5))
    return [
        np.s_[...],
        np.s_[a:b],
        np.s_[a:b:3, c:],
        np.s_[a],
        np.s_[rows, :],
        np.s_[a, c],
    ]


def test_readers_and_a_writer_on_one_open_file(path, h5py):
    src = _sources()
    barrier = threading.Barrier(READERS + 1)
    errors: list[BaseException] = []
    grid = np.zeros((200, 40))
    log_rows = []

    with h5pure.File(path, "a") as f:

        def reader(seed):
            rng = np.random.default_rng(seed)
            try:
                barrier.wait()
                for _ in range(ROUNDS):
                    for name, want in src.items():
                        for key in _keys(rng, want.shape):
                            got = f[name][key]
                            np.testing.assert_array_equal(got, want[key], err_msg=f"{name}{key}")
            except BaseException as e:  # noqa: BLE001 - reported by the main thread
                errors.append(e)

        def writer():
            rng = np.random.default_rng(99)
            try:
                barrier.wait()
                g = f["w"]
                for k in range(ROUNDS):
                    i, j = int(rng.integers(0, 180)), int(rng.integers(0, 30))
                    block = rng.normal(size=(20, 10))
                    g["grid"][i : i + 20, j : j + 10] = block
                    grid[i : i + 20, j : j + 10] = block
                    row = np.full(8, float(k))
                    log = g["log"]
                    log.resize((k + 1, 8))
                    log[k] = row
                    log_rows.append(row)
                    f.create_dataset(f"new{k}", data=np.arange(k * 10.0), compression="gzip")
                    g.attrs[f"a{k}"] = k
                    if k % 5 == 4:
                        f.flush()
                    np.testing.assert_array_equal(g["grid"][...], grid)
            except BaseException as e:  # noqa: BLE001 - reported by the main thread
                errors.append(e)

        threads = [threading.Thread(target=reader, args=(s,)) for s in range(READERS)]
        threads.append(threading.Thread(target=writer))
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert not any(t.is_alive() for t in threads)
        if errors:
            raise errors[0]
    with h5py.File(path, "r") as f:
        for name, want in src.items():
            np.testing.assert_array_equal(f[name][...], want)
        g = f["w"]
        np.testing.assert_array_equal(g["grid"][...], grid)
        np.testing.assert_array_equal(g["log"][...], np.array(log_rows))
        for k in range(ROUNDS):
            np.testing.assert_array_equal(f[f"new{k}"][...], np.arange(k * 10.0))
            assert g.attrs[f"a{k}"] == k
