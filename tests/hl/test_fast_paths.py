"""The shortcuts of the hot paths give exactly what the general machinery gives: simple
``dset[i, a:b]`` reads, row-span writes into stored unfiltered chunks, attribute tables kept
current across sets, and vlen strings resolved a collection at a time.  h5py is the oracle."""

import numpy as np
import pytest

import h5pure

KEYS = [
    (5,),
    (-1,),
    (5, slice(None)),
    (5, slice(2, 9)),
    (slice(3, 4), 7),
    (slice(10, 30),),
    (slice(-20, None), slice(None, -3)),
    (slice(None), 3),
    (slice(0, 200),),  # spans chunks
    (slice(95, 100), slice(60, 64)),  # the edge chunk
    (7, 7),
    (),
    (Ellipsis,),
    (3, Ellipsis),
    (slice(5, 5),),  # empty
    (slice(0, 500),),  # beyond the end: clamped
    (slice(2, 9, 1), -2),
    (np.int64(4), slice(1, 3)),  # not a plain int: general path
]


@pytest.fixture
def table_file(tmp_path, h5py):
    path = tmp_path / "t.h5"
    data = np.arange(100 * 64, dtype="<f8").reshape(100, 64)
    with h5py.File(path, "w") as f:
        f.create_dataset("contig", data=data)
        f.create_dataset("chunked", data=data, chunks=(16, 24))
        f.create_dataset("be", data=data.astype(">i4"), chunks=(16, 64))
        sparse = f.create_dataset(
            "sparse", shape=(100, 64), dtype="f8", chunks=(16, 16), fillvalue=-1.0
        )
        sparse[0:16, 0:16] = 1.0
        f.create_dataset("gzip", data=data, chunks=(16, 16), compression="gzip")
        # chunks reach past the extent on both axes
        f.create_dataset("narrow", data=data[:, :5], chunks=(64, 8), maxshape=(None, 8))
    return path


@pytest.mark.parametrize("name", ["contig", "chunked", "be", "sparse", "gzip", "narrow"])
def test_simple_keys_match_h5py(table_file, h5py, name):
    with h5py.File(table_file, "r") as ref, h5pure.File(table_file, "r") as f:
        for key in KEYS:
            try:
                want = ref[name][key]
            except (IndexError, ValueError) as e:
                with pytest.raises(type(e)):
                    f[name][key]
                continue
            got = f[name][key]
            assert type(got) is type(want), key
            assert np.shape(got) == np.shape(want), key
            assert np.asarray(got).dtype == np.asarray(want).dtype, key
            np.testing.assert_array_equal(got, want, err_msg=str(key))
            if isinstance(got, np.ndarray):
                assert got.flags.writeable and got.flags.c_contiguous, key
        for bad in [(100,), (-101,), (0, 64 if name != "narrow" else 5)]:
            with pytest.raises(IndexError):
                f[name][bad]


def test_row_writes_into_stored_chunks(tmp_path, h5py):
    path = tmp_path / "w.h5"
    data = np.arange(100 * 8, dtype="f8").reshape(100, 8)
    with h5py.File(path, "w") as f:
        f.create_dataset("d", data=data, chunks=(16, 8))
        f.create_dataset("z", data=data, chunks=(16, 8), compression="gzip")
    want = data.copy()
    rng = np.random.default_rng(0)
    with h5pure.File(path, "r+") as f:
        for _ in range(50):
            i = int(rng.integers(0, 100))
            row = rng.random(8)
            f["d"][i] = row
            f["z"][i, 2:5] = row[2:5]
            want[i] = row
            want_z = f["z"][i]
            np.testing.assert_array_equal(f["d"][i], row)
            np.testing.assert_array_equal(want_z[2:5], row[2:5])
        f["d"][10:40:3, 1] = -1.0  # strided, spanning chunks
        want[10:40:3, 1] = -1.0
        np.testing.assert_array_equal(f["d"][...], want)
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(f["d"][...], want)
        np.testing.assert_array_equal(f["z"][:, 2:5], want[:, 2:5])


def test_appends_read_back(tmp_path, h5py):
    path = tmp_path / "a.h5"
    with h5pure.File(path, "w") as f:
        d = f.create_dataset("log", shape=(0, 4), maxshape=(None, 4), dtype="f8", chunks=(8, 4))
        for i in range(40):
            d.resize(i + 1, axis=0)
            d[i] = np.arange(4.0) + i
            np.testing.assert_array_equal(d[i], np.arange(4.0) + i)
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(
            f["log"][...], np.arange(4.0)[None, :] + np.arange(40)[:, None]
        )


def test_attribute_sets_keep_table_current(tmp_path, h5py):
    path = tmp_path / "attrs.h5"
    want: dict[str, object] = {}
    with h5pure.File(path, "w") as f:
        g = f.create_group("g")
        for k in range(300):
            name = f"a{(k * 7) % 23:02d}"
            value = k if k % 3 else np.arange(k % 5, dtype="f4")
            g.attrs[name] = value
            want[name] = value
            np.testing.assert_array_equal(g.attrs[name], value)
            if k % 50 == 49:
                del g.attrs[name]
                del want[name]
            assert list(g.attrs) == sorted(want)
        g.attrs["a03"] = "text"  # a new type replaces the old value
        want["a03"] = "text"
        assert g.attrs["a03"] == "text"
    with h5py.File(path, "r") as f:
        assert list(f["g"].attrs) == sorted(want)
        for name, value in want.items():
            np.testing.assert_array_equal(f["g"].attrs[name], value)


def test_vlen_strings_pending_and_stored(tmp_path, h5py):
    path = tmp_path / "s.h5"
    strings = [f"item {i}: " + "x" * (i % 23) for i in range(3000)]
    with h5pure.File(path, "w") as f:
        d = f.create_dataset("s", data=np.array(strings, dtype=object), dtype=h5pure.string_dtype())
        assert list(d.asstr()[...]) == strings  # from the session's pending collections
        f.flush()
        d[5] = "changed"
        strings[5] = "changed"
        assert list(d.asstr()[...]) == strings  # flushed and pending collections mixed
    with h5pure.File(path, "r") as f:
        assert list(f["s"].asstr()[...]) == strings
    with h5py.File(path, "r") as f:
        assert list(f["s"].asstr()[...]) == strings


WRITE_KEYS = [
    ((5,), "row"),
    ((-1,), "row"),
    ((7, slice(2, 9)), "row"),
    ((slice(3, 6),), "row"),
    ((slice(16, 32),), "row"),  # exactly one chunk's rows
    ((slice(10, 20),), "row"),  # spans chunks: general path
    ((9, 3), "row"),
    ((slice(40, 42), slice(1, 4)), "row"),
    ((11,), "scalar"),
    ((slice(50, 53), 2), "scalar"),
    ((12,), "row1"),  # a (1, n) value broadcast onto a row: general path
    ((np.int64(13),), "row"),  # not a plain int: general path
    ((100,), "row"),  # out of range
    ((slice(0, 4, 2),), "row"),  # a step: general path
]


def _write_value(kind, shape, dtype, k):
    if kind == "scalar":
        return 100 + k
    value = (np.arange(int(np.prod(shape))) + 1000 * (k + 1)).reshape(shape).astype(dtype)
    return value[None] if kind == "row1" else value


@pytest.mark.parametrize("name", ["contig", "chunked", "be", "sparse", "gzip", "narrow"])
def test_simple_writes_match_h5py(table_file, tmp_path, h5py, name):
    mine = tmp_path / "mine.h5"
    mine.write_bytes(table_file.read_bytes())
    with h5py.File(table_file, "r+") as ref, h5pure.File(mine, "r+") as f:
        for k, (key, kind) in enumerate(WRITE_KEYS):
            target = ref[name]
            try:
                shape = target[key].shape
            except (IndexError, ValueError) as e:
                with pytest.raises(type(e)):
                    f[name][key] = 0
                continue
            value = _write_value(kind, shape, target.dtype, k)
            target[key] = value
            f[name][key] = value
            np.testing.assert_array_equal(f[name][key], target[key], err_msg=str(key))
        np.testing.assert_array_equal(f[name][...], ref[name][...])
    with h5py.File(table_file, "r") as ref, h5py.File(mine, "r") as f:
        np.testing.assert_array_equal(f[name][...], ref[name][...])


def test_simple_write_into_first_contiguous_write(tmp_path, h5py):
    """A contiguous dataset with no storage yet takes the general path, later writes the
    fast one; a full write goes to the file without a fill pass."""
    path = tmp_path / "c.h5"
    with h5pure.File(path, "w") as f:
        d = f.create_dataset("d", shape=(20, 3), dtype="i2", fillvalue=7)
        d[4] = [1, 2, 3]
        d[5, 1:] = 9
        e = f.create_dataset("e", data=np.arange(12.0).reshape(4, 3))
        e[2] = -1.0
    want = np.full((20, 3), 7, dtype="i2")
    want[4] = [1, 2, 3]
    want[5, 1:] = 9
    want_e = np.arange(12.0).reshape(4, 3)
    want_e[2] = -1.0
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(f["d"][...], want)
        np.testing.assert_array_equal(f["e"][...], want_e)


def test_resize_keeps_views_current(tmp_path, h5py):
    path = tmp_path / "r.h5"
    with h5pure.File(path, "w") as f:
        d = f.create_dataset(
            "d", shape=(4, 3), maxshape=(None, 5), dtype="f4", chunks=(4, 2), fillvalue=-1
        )
        d[...] = np.arange(12.0).reshape(4, 3)
        d.resize((9, 5))
        assert d.shape == (9, 5) and f["d"].shape == (9, 5)
        d[8] = np.arange(5.0)
        d.resize(2, axis=0)  # shrink: rows 2.. and their chunks go
        assert d[...].shape == (2, 5)
        d.resize(6, axis=0)  # grow again: fill, not the old data
        d[5, :2] = 3.0
        got = d[...]
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(f["d"][...], got)
        assert f["d"].shape == (6, 5)
        np.testing.assert_array_equal(got[2:5], -1)


def test_vlen_strings_mixed_items(tmp_path, h5py):
    path = tmp_path / "m.h5"
    items = ["a", b"bytes", "\u00e9t\u00e9", "", "x" * 5000]
    with h5pure.File(path, "w") as f:
        f.create_dataset("s", data=np.array(items, dtype=object), dtype=h5pure.string_dtype())
        with pytest.raises(TypeError):
            f.create_dataset(
                "bad", data=np.array(["ok", 3], dtype=object), dtype=h5pure.string_dtype()
            )
    with h5py.File(path, "r") as f:
        assert list(f["s"].asstr()[...]) == ["a", "bytes", "\u00e9t\u00e9", "", "x" * 5000]


def test_attribute_overwrite_in_h5py_file(tmp_path, h5py):
    """Attributes found by name in a v1 header written by libhdf5 (ASCII and UTF-8 names)."""
    path = tmp_path / "a.h5"
    with h5py.File(path, "w") as f:
        f.attrs["plain"] = 1
        f.attrs["\u00fcnic\u00f6de"] = 2
        f.attrs["x" * 40] = 3
    with h5pure.File(path, "r+") as f:
        f.attrs["plain"] = 10
        f.attrs["\u00fcnic\u00f6de"] = 20
        f.attrs["x" * 40] = 30
    with h5py.File(path, "r") as f:
        assert dict(f.attrs) == {"plain": 10, "\u00fcnic\u00f6de": 20, "x" * 40: 30}


def test_sec2_flush_does_not_fsync_unless_asked(tmp_path, monkeypatch):
    """libhdf5's sec2 driver has no flush callback: a commit leaves the bytes to the OS,
    unless the file is opened with ``fsync=True``."""
    import os

    calls: list[int] = []
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append(fd))
    with h5pure.File(tmp_path / "f.h5", "w") as f:
        f["d"] = np.arange(3)
        f.flush()
    assert calls == []
    with h5pure.File(tmp_path / "g.h5", "w", fsync=True) as f:
        f["d"] = np.arange(3)
        f.flush()
    assert calls


def test_parallel_chunk_encoding_is_deterministic(tmp_path, h5py):
    """Many filtered chunks of one write are encoded in the thread pool and placed in
    order: the same file every time, chunks at ascending addresses, h5py reads it."""
    rng = np.random.default_rng(3)
    data = np.cumsum(rng.integers(-3, 4, size=(64, 4096)), axis=1).astype("f4")
    blobs = []
    for name in ("a.h5", "b.h5"):
        with h5pure.File(tmp_path / name, "w") as f:  # 64 KiB chunks: encoded in the pool
            f.create_dataset(
                "x", data=data, chunks=(16, 1024), compression="gzip", shuffle=True, fletcher32=True
            )
        blobs.append((tmp_path / name).read_bytes())
    assert blobs[0] == blobs[1]
    with h5py.File(tmp_path / "a.h5", "r") as f:
        d = f["x"]
        np.testing.assert_array_equal(d[...], data)
        infos = [d.id.get_chunk_info(i) for i in range(d.id.get_num_chunks())]
        order = sorted(infos, key=lambda c: c.chunk_offset)
        addresses = [c.byte_offset for c in order]
        assert len(addresses) == 16 and addresses == sorted(addresses)
