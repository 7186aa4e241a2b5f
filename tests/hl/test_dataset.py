"""Dataset reads and properties against h5py on the same file."""

import numpy as np
import pytest

import h5pure


@pytest.fixture(scope="module")
def dsets(tmp_path_factory):
    h5py = pytest.importorskip("h5py")
    path = tmp_path_factory.mktemp("dsets") / "d.h5"
    a = np.arange(20 * 30 * 4, dtype="f8").reshape(20, 30, 4)
    with h5py.File(path, "w") as f:
        f.create_dataset("contig", data=a)
        f.create_dataset("chunked", data=a, chunks=(7, 8, 3), compression="gzip")
        f.create_dataset("scalar", data=42.0)
        f.create_dataset("s", data=np.array([b"ab", b"c"]), dtype="S2")
        f.create_dataset("vs", data=["x", "yy", "zzz"], dtype=h5py.string_dtype())
        f.create_dataset(
            "comp", data=np.array([(1, 2.0), (3, 4.0)], dtype=[("i", "i4"), ("f", "f8")])
        )
        f.create_dataset("empty", data=h5py.Empty("f4"))
    return path


KEYS = [
    (),
    Ellipsis,
    0,
    -1,
    (slice(None), 0),
    (slice(2, 17, 3), slice(None, None, 7), 1),
    (5, slice(None), slice(1, 3)),
    (Ellipsis, 2),
    ([1, 4, 9],),
    (slice(None), [0, 5, 29]),
    (np.array([True, False] * 10),),
    (slice(3, 3),),
    (slice(-5, None), -2, slice(None, None, 2)),
]


@pytest.mark.parametrize("name", ["contig", "chunked"])
@pytest.mark.parametrize("key", KEYS, ids=repr)
def test_selection_matches_h5py(dsets, name, key):
    import h5py

    with h5py.File(dsets, "r") as theirs, h5pure.File(dsets, "r") as ours:
        expected = theirs[name][key]
        got = ours[name][key]
        assert type(got) is type(expected)
        np.testing.assert_array_equal(got, expected)
        assert np.shape(got) == np.shape(expected)


def test_beyond_h5py_fancy(dsets):
    with h5pure.File(dsets, "r") as ours:
        a = ours["chunked"][...]
        np.testing.assert_array_equal(ours["chunked"][[9, 1, 1, 4]], a[[9, 1, 1, 4]])
        np.testing.assert_array_equal(
            ours["chunked"][[3, 0], :, [2, 1]], a[np.ix_([3, 0], range(30), [2, 1])]
        )


def test_scalar(dsets):
    import h5py

    with h5py.File(dsets, "r") as theirs, h5pure.File(dsets, "r") as ours:
        for key in [(), Ellipsis]:
            e, g = theirs["scalar"][key], ours["scalar"][key]
            assert type(g) is type(e) and g == e
        with pytest.raises(ValueError):
            ours["scalar"][0]
        with pytest.raises(TypeError):
            len(ours["scalar"])


def test_strings_and_wrappers(dsets):
    import h5py

    with h5py.File(dsets, "r") as theirs, h5pure.File(dsets, "r") as ours:
        assert list(ours["vs"][...]) == list(theirs["vs"][...])
        assert list(ours["vs"].asstr()[...]) == list(theirs["vs"].asstr()[...])
        assert ours["vs"].asstr()[1] == "yy"
        np.testing.assert_array_equal(ours["s"][...], theirs["s"][...])
        np.testing.assert_array_equal(ours["comp"]["f"], theirs["comp"]["f"])
        np.testing.assert_array_equal(
            ours["comp"].fields(["i"])[...], theirs["comp"].fields(["i"])[...]
        )
        np.testing.assert_array_equal(
            ours["contig"].astype("f4")[2:4], theirs["contig"].astype("f4")[2:4]
        )
        assert np.asarray(ours["contig"]).shape == (20, 30, 4)
        assert ours["empty"].shape is None and isinstance(ours["empty"][()], h5pure.Empty)


def test_properties(dsets):
    import h5py

    with h5py.File(dsets, "r") as theirs, h5pure.File(dsets, "r") as ours:
        for name in ["contig", "chunked", "scalar", "s", "vs", "comp"]:
            o, t = ours[name], theirs[name]
            for attr in [
                "shape",
                "maxshape",
                "chunks",
                "ndim",
                "size",
                "nbytes",
                "dtype",
                "compression",
                "compression_opts",
                "shuffle",
                "fletcher32",
            ]:
                assert getattr(o, attr) == getattr(t, attr), (name, attr)
            assert repr(o) == repr(t)


def test_read_direct_and_iter_chunks(dsets):
    import h5py

    with h5py.File(dsets, "r") as theirs, h5pure.File(dsets, "r") as ours:
        dest = np.zeros((5, 30, 4))
        ours["contig"].read_direct(dest, np.s_[0:5], np.s_[0:5])
        np.testing.assert_array_equal(dest, theirs["contig"][0:5])
        assert list(ours["chunked"].iter_chunks()) == list(theirs["chunked"].iter_chunks())
        sel = np.s_[3:15, 2:20, 1:3]
        assert list(ours["chunked"].iter_chunks(sel)) == list(theirs["chunked"].iter_chunks(sel))
        with pytest.raises(TypeError):
            list(ours["contig"].iter_chunks())
        rows = [row for row in ours["contig"]]
        assert len(rows) == 20
        np.testing.assert_array_equal(rows[3], theirs["contig"][3])
