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
