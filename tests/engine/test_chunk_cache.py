"""The decoded chunk cache: h5py's ``rdcc_nbytes``/``rdcc_nslots``/``rdcc_w0`` on
``File`` and per dataset, least-recently-used eviction within a byte budget, chunks too
big to hold, and writes keeping it coherent."""

import numpy as np
import pytest

import h5pure
import h5pure.lowlevel.dataset as engine
from h5pure.lowlevel.chunkcache import ChunkCache, ChunkCacheSettings

# 10 chunks of 10 x 10 f8 = 800 bytes each
DATA = np.arange(100 * 10, dtype="<f8").reshape(100, 10)
CHUNK_BYTES = 800
BIG = 10007  # slots: no two chunks share one


@pytest.fixture
def path(tmp_path, h5py):
    p = tmp_path / "cache.h5"
    with h5py.File(p, "w") as f:
        f.create_dataset("z", data=DATA, chunks=(10, 10), compression="gzip")
        f.create_dataset("y", data=DATA, chunks=(10, 10), compression="gzip", shuffle=True)
        f.create_dataset("big", data=np.zeros((1000, 300)), chunks=(1000, 300), compression="gzip")
    return p


@pytest.fixture
def decodes(monkeypatch):
    """Chunks decoded (their addresses), through a counting hook on the engine's decoder."""
    seen = []
    real = engine.decode_chunk

    def counting(data, pipeline, mask, info):
        seen.append(info.address)
        return real(data, pipeline, mask, info)

    real_many = engine.decode_chunks

    def counting_many(raws, addresses, *args):
        seen.extend(addresses)
        return real_many(raws, addresses, *args)

    monkeypatch.setattr(engine, "decode_chunk", counting)
    monkeypatch.setattr(engine, "decode_chunks", counting_many)
    return seen


def _cached(dset):
    return [c[0] for c in dset._storage.chunk_cache().keys()]


def test_repeated_small_reads_of_one_chunk_decode_it_once(path, decodes, h5py):
    with h5pure.File(path, "r") as f, h5py.File(path, "r") as ref:
        d = f["z"]
        for i in range(10):
            for j in range(10):
                assert d[i, j] == ref["z"][i, j]
        assert len(decodes) == 1
        np.testing.assert_array_equal(d[3:7, 2:9], ref["z"][3:7, 2:9])
        assert len(decodes) == 1


def test_defaults_are_h5pys(path):
    with h5pure.File(path, "r") as f:
        assert f["z"]._storage.cache_settings == ChunkCacheSettings(8191, 8 * 1024**2, 0.75)


def test_lru_order_within_the_byte_budget(path, decodes):
    with h5pure.File(path, "r", rdcc_nbytes=3 * CHUNK_BYTES, rdcc_nslots=BIG, rdcc_w0=0) as f:
        d = f["z"]
        for row in (0, 10, 20):
            d[row, 0]
        assert _cached(d) == [0, 1, 2] and len(decodes) == 3
        d[5, 5]  # a hit: chunk 0 becomes the most recent
        assert _cached(d) == [1, 2, 0] and len(decodes) == 3
        d[30, 0]  # chunk 1, least recently used, goes
        assert _cached(d) == [2, 0, 3] and len(decodes) == 4
        assert d._storage.chunk_cache().nbytes_used == 3 * CHUNK_BYTES
        d[10, 0]  # decoded again
        assert _cached(d) == [0, 3, 1] and len(decodes) == 5
        np.testing.assert_array_equal(d[...], DATA)
        assert d._storage.chunk_cache().nbytes_used <= 3 * CHUNK_BYTES


def test_budget_of_two_and_a_half_chunks_holds_two(path, decodes):
    with h5pure.File(path, "r", rdcc_nbytes=2 * CHUNK_BYTES + 400, rdcc_nslots=BIG) as f:
        d = f["z"]
        for row in (0, 10, 20, 0, 10, 20):
            d[row, 1]
        assert len(decodes) == 6  # each evicted just before it is read again
        assert len(_cached(d)) == 2


def test_chunk_bigger_than_the_cache_is_not_held(path, decodes):
    with h5pure.File(path, "r", rdcc_nbytes=CHUNK_BYTES - 1) as f:
        d = f["z"]
        d[0, 0]
        d[0, 1]
        assert len(decodes) == 2 and _cached(d) == []
    decodes.clear()
    with h5pure.File(path, "r", rdcc_nbytes=1024**2) as f:  # 2.4 MB chunk, 1 MiB cache
        d = f["big"]
        d[0, 0]
        d[1, 1]
        assert len(decodes) == 2 and _cached(d) == []
    decodes.clear()
    with h5pure.File(path, "r", rdcc_nbytes=CHUNK_BYTES) as f:  # exactly fits
        d = f["z"]
        d[0, 0]
        d[0, 1]
        assert len(decodes) == 1 and _cached(d) == [0]


@pytest.mark.parametrize("kwargs", [{"rdcc_nbytes": 0}, {"rdcc_nslots": 0}])
def test_zero_turns_the_cache_off(path, decodes, kwargs):
    with h5pure.File(path, "r", **kwargs) as f:
        d = f["z"]
        for _ in range(3):
            np.testing.assert_array_equal(d[2, :], DATA[2])
        assert len(decodes) == 3 and _cached(d) == []


def test_a_chunk_taking_an_occupied_hash_slot_evicts_its_holder(path, decodes):
    # with 2 slots, chunks 0 and 2 (linear indices 0 and 2) share slot 0
    with h5pure.File(path, "r", rdcc_nslots=2) as f:
        d = f["z"]
        d[0, 0]
        d[10, 0]
        assert _cached(d) == [0, 1]
        d[20, 0]
        assert _cached(d) == [1, 2]
        d[0, 0]
        assert _cached(d) == [1, 0] and len(decodes) == 4


@pytest.mark.parametrize("w0, evicted", [(0.0, 0), (1.0, 1)])
def test_w0_prefers_evicting_fully_read_chunks(path, w0, evicted):
    with h5pure.File(path, "r", rdcc_nbytes=3 * CHUNK_BYTES, rdcc_nslots=BIG, rdcc_w0=w0) as f:
        d = f["z"]
        d[0, 0]  # chunk 0: partly
        d[10:20]  # chunk 1: in full
        d[20, 0]  # chunk 2: partly
        d[30, 0]
        kept = {0, 1, 2, 3} - {evicted}
        assert set(_cached(d)) == kept


def test_cache_unit_bookkeeping():
    cache = ChunkCache(ChunkCacheSettings(nslots=BIG, nbytes=100, w0=0), (10,))
    a = np.zeros(5, dtype="f8")  # 40 bytes
    cache.put((0,), a)
    cache.put((1,), a)
    assert cache.nbytes_used == 80
    cache.put((1,), np.zeros(6, dtype="f8"))  # replacing an entry frees the old bytes
    assert cache.nbytes_used == 88 and cache.keys() == [(0,), (1,)]
    got = cache.get((0,))
    assert got is not None and not got.flags.writeable  # callers cannot alter it
    assert a.flags.writeable  # the caller's array is untouched
    cache.put((2,), a)  # 128 > 100: the LRU entry (1,) goes
    assert cache.keys() == [(0,), (2,)] and cache.nbytes_used == 80
    cache.discard((0,))
    assert cache.keys() == [(2,)] and cache.nbytes_used == 40
    stale = cache.generation - 1
    cache.put((3,), a, generation=stale)  # fetched before a writer changed chunks
    assert (3,) not in cache
    cache.clear()
    assert len(cache) == 0 and cache.nbytes_used == 0


def test_invalid_settings_raise_as_h5py(path, h5py):
    for lib in (h5py, h5pure):
        with pytest.raises(ValueError):
            lib.File(path, "r", rdcc_w0=1.5)
        with pytest.raises(OverflowError):
            lib.File(path, "r", rdcc_nbytes=-1)
    with h5pure.File(path, "a") as f:
        with pytest.raises(ValueError):
            f.create_dataset("bad", (10,), "f4", chunks=(5,), rdcc_w0=2)
        assert "bad" not in f


def test_per_dataset_settings(path, decodes):
    with h5pure.File(path, "a", rdcc_nbytes=0) as f:
        assert not f["z"]._storage.cache_settings.enabled
        d = f.require_dataset("z", (100, 10), "f8", rdcc_nbytes=2 * CHUNK_BYTES)
        assert d._storage.cache_settings == ChunkCacheSettings(8191, 2 * CHUNK_BYTES, 0.75)
        d[0, 0]
        d[0, 1]
        assert len(decodes) == 1
        # the other datasets keep the file's settings
        assert not f["y"]._storage.cache_settings.enabled
        new = f.create_dataset(
            "n", data=DATA, chunks=(10, 10), compression="gzip", rdcc_nslots=3, rdcc_w0=0.5
        )
        assert new._storage.cache_settings == ChunkCacheSettings(3, 8 * 1024**2, 0.5)
        # as h5py: all-falsy arguments ask for nothing
        e = f.require_dataset("y", (100, 10), "f8", rdcc_nbytes=0)
        assert not e._storage.cache_settings.enabled


def test_writes_keep_the_cache_coherent(path, decodes, h5py):
    want = DATA.copy()
    with h5pure.File(path, "r+") as f:
        d = f["z"]
        np.testing.assert_array_equal(d[0:20], want[0:20])  # chunks 0, 1 cached
        assert set(_cached(d)) == {0, 1}  # decoded in the pool: in either order
        n = len(decodes)
        d[3, 2:5] = [-1, -2, -3]
        want[3, 2:5] = [-1, -2, -3]
        d[12] = -7.0
        want[12] = -7.0
        decoded_by_writes = len(decodes) - n
        np.testing.assert_array_equal(d[0:20], want[0:20])
        assert len(decodes) - n == decoded_by_writes  # the cache holds the new data
        d[40:50] = 5.0  # a chunk not cached: written, not cached
        want[40:50] = 5.0
        assert 4 not in _cached(d)
        np.testing.assert_array_equal(d[...], want)
        # many writes with reads in between
        rng = np.random.default_rng(0)
        for _ in range(40):
            i, j = (int(v) for v in rng.integers(0, 10, 2))
            d[i * 10 + j, j] = float(i * j + 0.5)
            want[i * 10 + j, j] = float(i * j + 0.5)
            np.testing.assert_array_equal(d[i * 10 : i * 10 + 10], want[i * 10 : i * 10 + 10])
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(f["z"][...], want)


def test_resize_and_direct_chunk_writes_drop_cached_chunks(tmp_path, h5py):
    p = tmp_path / "r.h5"
    with h5py.File(p, "w") as f:
        f.create_dataset(
            "r", data=DATA, chunks=(10, 10), maxshape=(None, 10), compression="gzip", fillvalue=-1
        )
    with h5pure.File(p, "r+") as f:
        d = f["r"]
        np.testing.assert_array_equal(d[90:100], DATA[90:100])  # chunk 9 cached
        d.resize((95, 10))
        d.resize((100, 10))
        want = DATA.copy()
        want[95:] = -1
        np.testing.assert_array_equal(d[90:100], want[90:100])
        np.testing.assert_array_equal(d[0:10], DATA[0:10])  # chunk 0 cached
        import zlib

        raw = zlib.compress(np.full((10, 10), 3.0).tobytes())
        d.id.write_direct_chunk((0, 0), raw)
        want[0:10] = 3.0
        np.testing.assert_array_equal(f["r"][0:10], want[0:10])
    with h5py.File(p, "r") as f:
        np.testing.assert_array_equal(f["r"][...], want)


@pytest.mark.parametrize("threads", [1, 2])
def test_a_read_larger_than_the_cache_leaves_its_last_chunks_cached(path, decodes, threads):
    """A read of more chunks than the budget holds caches only what survives it (the
    last ones, as LRU eviction would leave them) and reads the same as h5py's."""
    h5pure.set_threads(threads)
    try:
        with h5pure.File(path, "r", rdcc_nbytes=3 * CHUNK_BYTES, rdcc_nslots=BIG) as f:
            d = f["z"]
            np.testing.assert_array_equal(d[...], DATA)
            assert len(decodes) == 10
            assert sorted(_cached(d)) == [7, 8, 9]  # (threads put them in any order)
            np.testing.assert_array_equal(d[70:100], DATA[70:100])
            assert len(decodes) == 10  # all three from the cache
    finally:
        h5pure.set_threads(None)
