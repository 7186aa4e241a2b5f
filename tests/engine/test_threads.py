"""``h5pure.set_threads``/``get_threads``: the decode pool on (2, 4 threads) and off (1)
reads the same arrays as h5py, for every filter h5py writes."""

import os
import threading

import numpy as np
import pytest

import h5pure
import h5pure.lowlevel.dataset as engine
from h5pure.lowlevel import threads

FILTERS = {
    "gzip": {"compression": "gzip"},
    "gzip_shuffle": {"compression": "gzip", "shuffle": True},
    "lzf": {"compression": "lzf"},
    "fletcher32": {"fletcher32": True},
    "all": {"compression": "gzip", "compression_opts": 9, "shuffle": True, "fletcher32": True},
    "lzf_shuffle_f32": {"compression": "lzf", "shuffle": True, "fletcher32": True},
}


@pytest.fixture(autouse=True)
def restore_threads():
    before = h5pure.get_threads()
    yield
    h5pure.set_threads(before)


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    import h5py

    p = tmp_path_factory.mktemp("threads") / "filters.h5"
    rng = np.random.default_rng(3)
    data = rng.normal(size=(300, 170)).astype("<f4")
    ints = rng.integers(-1000, 1000, size=(300, 170)).astype("<i8")
    with h5py.File(p, "w") as f:
        for name, opts in FILTERS.items():
            f.create_dataset(name, data=data, chunks=(32, 40), **opts)
            f.create_dataset(name + "_i8", data=ints, chunks=(16, 16), **opts)
    return p


KEYS = [np.s_[...], np.s_[5:290:3, 7:160:4], np.s_[[0, 31, 32, 299], :], np.s_[100], np.s_[:, 39:41]]


@pytest.mark.parametrize("n", [1, 2, 4])
def test_pool_on_and_off_read_what_h5py_reads(path, n, h5py):
    h5pure.set_threads(n)
    assert h5pure.get_threads() == n
    with h5pure.File(path, "r", rdcc_nbytes=0) as f, h5py.File(path, "r") as ref:
        for name in f:
            for key in KEYS:
                got = f[name][key]
                want = ref[name][key]
                assert got.dtype == want.dtype
                np.testing.assert_array_equal(got, want, err_msg=f"{name} {key} n={n}")


def _decoding_threads(monkeypatch):
    names = set()
    real = engine.decode_chunk

    def hook(data, pipeline, mask, info):
        names.add(threading.current_thread().name)
        return real(data, pipeline, mask, info)

    real_many = engine.decode_chunks

    def hook_many(*args):
        names.add(threading.current_thread().name)
        return real_many(*args)

    monkeypatch.setattr(engine, "decode_chunk", hook)
    monkeypatch.setattr(engine, "decode_chunks", hook_many)
    return names


def test_one_thread_decodes_on_the_calling_thread(path, monkeypatch):
    names = _decoding_threads(monkeypatch)
    h5pure.set_threads(1)
    assert isinstance(threads.decode_pool(), threads.InlineExecutor)
    with h5pure.File(path, "r") as f:
        f["gzip"][...]
    assert names == {threading.current_thread().name}


def test_several_threads_decode_in_the_pool(path, monkeypatch):
    names = _decoding_threads(monkeypatch)
    h5pure.set_threads(2)
    pool = threads.decode_pool()
    assert getattr(pool, "_max_workers", None) == 2
    with h5pure.File(path, "r") as f:
        f["gzip"][...]
    assert names and all(n.startswith("h5pure-codec") for n in names)
    h5pure.set_threads(3)
    assert threads.decode_pool() is not pool  # resized
    assert threads.decode_pool()._max_workers == 3  # type: ignore[attr-defined]


def test_writes_encode_alike_with_and_without_the_pool(tmp_path, h5py):
    data = np.random.default_rng(4).normal(size=(512, 256))
    for n in (1, 2):
        h5pure.set_threads(n)
        p = tmp_path / f"w{n}.h5"
        with h5pure.File(p, "w") as f:
            f.create_dataset("x", data=data, chunks=(64, 256), compression="gzip", shuffle=True)
        with h5py.File(p, "r") as f:
            np.testing.assert_array_equal(f["x"][...], data)
    assert (tmp_path / "w1.h5").read_bytes() == (tmp_path / "w2.h5").read_bytes()


def test_environment_variable_sets_the_default(monkeypatch):
    monkeypatch.setenv("H5PURE_THREADS", "3")
    h5pure.set_threads(None)
    assert h5pure.get_threads() == 3
    monkeypatch.setenv("H5PURE_THREADS", "many")
    with pytest.warns(RuntimeWarning, match="H5PURE_THREADS"):
        h5pure.set_threads(None)
    assert h5pure.get_threads() == (os.cpu_count() or 1)
    monkeypatch.delenv("H5PURE_THREADS")
    h5pure.set_threads(None)
    assert h5pure.get_threads() == (os.cpu_count() or 1)


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, "2"])
def test_bad_thread_counts_are_refused(bad):
    with pytest.raises((ValueError, TypeError)):
        h5pure.set_threads(bad)


def test_reads_running_while_the_pool_is_resized(path, h5py):
    with h5py.File(path, "r") as ref:
        want = ref["gzip_shuffle"][...]
    errors = []

    def reader():
        try:
            with h5pure.File(path, "r", rdcc_nbytes=0) as f:
                for _ in range(15):
                    np.testing.assert_array_equal(f["gzip_shuffle"][...], want)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    workers = [threading.Thread(target=reader) for _ in range(3)]
    for w in workers:
        w.start()
    for k in range(30):
        h5pure.set_threads(1 + k % 3)
    for w in workers:
        w.join()
    assert errors == []


@pytest.mark.parametrize("n", [1, 2])
def test_a_corrupt_chunk_among_many_is_named_by_its_address(tmp_path, n, h5py):
    """Chunks decoded several to a pool task, one loop per filter: a chunk that fails is
    still named by its address, and a chunk stored unfiltered (mask bit set) among
    filtered ones reads back."""
    path = tmp_path / "bad.h5"
    data = np.arange(64 * 1000, dtype="f4").reshape(64, 1000)
    with h5py.File(path, "w") as f:
        d = f.create_dataset("x", data=data, chunks=(4, 1000), compression="gzip", shuffle=True)
        d.id.write_direct_chunk((8, 0), data[8:12].tobytes(), filter_mask=3)
        bad = d.id.get_chunk_info(9)
    h5pure.set_threads(n)
    try:
        with h5pure.File(path, "r") as f:
            np.testing.assert_array_equal(f["x"][...], data)
        with open(path, "r+b") as fh:
            fh.seek(bad.byte_offset + 2)
            fh.write(b"\xff" * 32)
        with h5pure.File(path, "r") as f, pytest.raises(OSError, match=f"0x{bad.byte_offset:x}"):
            f["x"][...]
    finally:
        h5pure.set_threads(None)


def _read_in_child(path, queue):
    with h5pure.File(path, "r") as f:
        queue.put((float(f["gzip"][...].sum()), float(f["big"][...].sum())))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_reads_with_its_own_pools(tmp_path):
    """A child forked after the parent decoded in the pool and split a large read (a
    data loader's workers, ``multiprocessing`` with "fork") reads too: the pools it
    inherited have no threads in it, so it makes its own instead of waiting forever."""
    import multiprocessing

    path = tmp_path / "fork.h5"
    data = np.arange(400 * 400, dtype="f4").reshape(400, 400)
    big = np.random.default_rng(0).random((1400, 1000))  # 11 MiB: a split read
    with h5pure.File(path, "w") as f:
        f.create_dataset("gzip", data=data, chunks=(50, 50), compression="gzip")
        f["big"] = big
    h5pure.set_threads(2)
    try:
        with h5pure.File(path, "r") as f:  # the parent's pools now have threads
            np.testing.assert_array_equal(f["gzip"][...], data)
            np.testing.assert_array_equal(f["big"][...], big)
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        child = ctx.Process(target=_read_in_child, args=(str(path), queue))
        child.start()
        child.join(60)
        if child.is_alive():
            child.kill()
            child.join()
            pytest.fail("the forked child hung reading")
        assert child.exitcode == 0
        assert queue.get(timeout=5) == (float(data.sum()), float(big.sum()))
    finally:
        h5pure.set_threads(None)


def test_a_failed_read_writes_nothing_into_the_caller_array_afterwards(tmp_path, h5py):
    """Pool threads copy decoded chunks into the caller's array: when one chunk fails,
    the read waits for the tasks already running before it raises, so the array does
    not change after the error reached the caller."""
    import time

    path = tmp_path / "bad.h5"
    data = np.arange(256 * 4096, dtype="f4").reshape(256, 4096)
    with h5py.File(path, "w") as f:
        d = f.create_dataset("x", data=data, chunks=(8, 4096), compression="gzip", shuffle=True)
        bad = d.id.get_chunk_info(1)
    with open(path, "r+b") as fh:
        fh.seek(bad.byte_offset + 2)
        fh.write(b"\xff" * 64)
    h5pure.set_threads(2)
    try:
        dest = np.zeros(data.shape, dtype="f4")
        with h5pure.File(path, "r") as f, pytest.raises(OSError):
            f["x"].read_direct(dest)
        snapshot = dest.copy()
        time.sleep(0.3)
        np.testing.assert_array_equal(dest, snapshot)
    finally:
        h5pure.set_threads(None)
