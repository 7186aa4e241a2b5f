"""Datasets (issue 6, dataset area): the same body through h5py and h5pure.

Each test states one behaviour h5py documents; ``compare`` runs it on both libraries and
asserts equal results (or the same exception type).  Fancy indexing beyond h5py (lists in
any order, duplicates, several list axes) is checked against numpy instead.
"""

import numpy as np
import pytest

import h5pure

DATA = np.arange(60, dtype="i4").reshape(6, 10)
CDT = np.dtype([("temp", "f4"), ("id", "i2"), ("vec", "f8", (2,))])
CDATA = np.array([(i * 1.5, i, (i, -i)) for i in range(8)], dtype=CDT)


def _table(lib, path, chunks=None, **kw):
    f = lib.File(path, "w")
    return f, f.create_dataset("d", data=DATA, chunks=chunks, **kw)


LAYOUTS = [{}, {"chunks": (4, 3)}, {"chunks": (2, 4), "compression": "gzip"}]


# -- fancy indexing that h5py supports: same results on both -------------------------------

FANCY_KEYS = [
    np.s_[[0, 2, 5]],
    np.s_[[0, 2, 5], :],
    np.s_[[1, 4], 3:9:2],
    np.s_[2:6, [0, 3, 9]],
    np.s_[-1, [1, 2, 7]],
    np.s_[..., [8, 9]],
    np.s_[np.array([0, 3]), 4],
    np.s_[np.array([True, False, True, False, False, True])],
    np.s_[:, np.arange(10) % 3 == 0],
    np.s_[1:5, np.arange(10) > 6],
    np.s_[DATA % 7 == 0],
    np.s_[DATA > 100],
    np.s_[range(0, 5, 2), 1:3],
    np.s_[[True, False, True, False, False, True]],
    np.s_[np.array([0, 2], dtype=np.uint8), -3],
    np.s_[np.arange(6) > 2, 3],
    np.s_[np.zeros((6, 10), bool)],
    np.s_[[], :],
    np.s_[np.array([], dtype=int), 2],
]


@pytest.mark.parametrize("layout", LAYOUTS, ids=["contiguous", "chunked", "gzip"])
@pytest.mark.parametrize("key", FANCY_KEYS, ids=range(len(FANCY_KEYS)))
def test_fancy_read_like_h5py(compare, key, layout):
    def body(lib, path):
        f, d = _table(lib, path, **layout)
        with f:
            return d[key]

    assert compare(body)[0] == "ok"


@pytest.mark.parametrize("layout", LAYOUTS, ids=["contiguous", "chunked", "gzip"])
@pytest.mark.parametrize("key", FANCY_KEYS, ids=range(len(FANCY_KEYS)))
def test_fancy_write_like_h5py(compare, key, layout):
    value = -np.arange(DATA[key].size, dtype="i4").reshape(DATA[key].shape) - 1

    def body(lib, path):
        f, d = _table(lib, path, **layout)
        with f:
            want = DATA.copy()
            want[key] = value
            d[key] = value
            return d[...], np.array_equal(d[...], want)

    assert compare(body)[1][1] is True


@pytest.mark.parametrize("layout", LAYOUTS, ids=["contiguous", "chunked", "gzip"])
@pytest.mark.parametrize("key", FANCY_KEYS, ids=range(len(FANCY_KEYS)))
def test_fancy_write_broadcasts_like_numpy(tmp_path, h5py, key, layout):
    """h5py refuses to broadcast onto some fancy selections ("Broadcasting is not supported
    for complex selections", depending on the layout); h5pure broadcasts like numpy."""
    path = tmp_path / "x.h5"
    f, d = _table(h5pure, path, **layout)
    want = DATA.copy()
    want[key] = -7
    d[key] = -7
    np.testing.assert_array_equal(d[...], want)
    f.close()
    with h5py.File(path, "r") as g:
        np.testing.assert_array_equal(g["d"][...], want)


def test_fancy_write_array_value(compare):
    def body(lib, path):
        f, d = _table(lib, path, chunks=(2, 5))
        with f:
            d[[1, 3, 4], 2:5] = np.arange(9).reshape(3, 3) + 100
            d[:, np.arange(10) % 4 == 1] = np.arange(18).reshape(6, 3) * -1
            d[DATA % 11 == 0] = np.arange(6) + 1000
            return d[...]

    compare(body)


BAD_KEYS = {
    "out of range": np.s_[[0, 6]],
    "negative out of range": np.s_[[-7, 1]],
    "float list": np.s_[[0.5, 1.0]],
    "2-D list": np.s_[[[0, 1], [1, 2]]],
    "mask too short": np.s_[np.array([True, False])],
    "mask wrong axis length": np.s_[:, np.ones(6, bool)],
    "2-D mask of wrong shape": np.s_[np.ones((6, 9), bool)],
    "too many indices": np.s_[0, 0, 0],
    "two ellipses": np.s_[..., 0, ...],
    "newaxis": np.s_[np.newaxis, 0],
    "float": np.s_[1.5],
    "step 0": np.s_[::0],
    "negative step": np.s_[::-1],
    "int out of range": np.s_[6],
}


@pytest.mark.parametrize("key", BAD_KEYS.values(), ids=BAD_KEYS.keys())
def test_bad_keys_raise_like_h5py(compare, key):
    def body(lib, path):
        f, d = _table(lib, path, chunks=(3, 3))
        with f:
            return d[key]

    assert compare(body)[0] == "raises"


# -- beyond h5py: any order, duplicates, several list axes; numpy is the oracle ------------

NUMPY_KEYS = [
    ([4, 0, 2], slice(None)),
    ([3, 3, 1, 3], slice(2, 9, 3)),
    ([-1, 0, -6], 5),
    (slice(None), [9, 0, 9, 4]),
    ([5, 1, 1], [8, 2, 2, 0]),
    (np.array([True, False, True, True, False, True]), [7, 7, 1]),
    ([2, 0], np.arange(10) % 2 == 0),
]


def _np_orthogonal(a, key):
    """numpy's result for h5pure's per-axis (outer product) semantics."""
    out = a
    for axis, k in reversed(list(enumerate(key))):
        k = np.asarray(k) if isinstance(k, list) else k
        if isinstance(k, (int, np.integer)):
            out = np.take(out, k, axis=axis)
        elif isinstance(k, slice):
            out = out[(slice(None),) * axis + (k,)]
        else:
            if k.dtype == bool:
                k = np.flatnonzero(k)
            out = np.take(out, k, axis=axis)
    return out


@pytest.mark.parametrize("layout", LAYOUTS, ids=["contiguous", "chunked", "gzip"])
@pytest.mark.parametrize("key", NUMPY_KEYS, ids=range(len(NUMPY_KEYS)))
def test_fancy_beyond_h5py_read_matches_numpy(tmp_path, key, layout):
    _, d = _table(h5pure, tmp_path / "x.h5", **layout)
    np.testing.assert_array_equal(d[key], _np_orthogonal(DATA, key))
    d.file.close()


@pytest.mark.parametrize("layout", LAYOUTS, ids=["contiguous", "chunked", "gzip"])
@pytest.mark.parametrize("key", NUMPY_KEYS, ids=range(len(NUMPY_KEYS)))
def test_fancy_beyond_h5py_write_matches_numpy(tmp_path, h5py, key, layout):
    path = tmp_path / "x.h5"
    f, d = _table(h5pure, path, **layout)
    want = DATA.copy()
    shape = _np_orthogonal(want, key).shape
    value = np.arange(int(np.prod(shape)), dtype="i4").reshape(shape) - 500
    # numpy's assignment with the same orthogonal key (np.ix_ over per-axis positions)
    ix = [
        np.atleast_1d(np.arange(n)[k]) if not isinstance(k, list) else np.asarray(k)
        for k, n in zip(key, DATA.shape)
    ]
    want[np.ix_(*ix)] = value.reshape([len(i) for i in ix])
    d[key] = value
    np.testing.assert_array_equal(d[...], want)
    f.close()
    with h5py.File(path, "r") as g:
        np.testing.assert_array_equal(g["d"][...], want)


def test_h5py_refuses_what_h5pure_extends(h5py, tmp_path):
    """The extensions are real: h5py raises TypeError for these keys, h5pure answers."""
    for key in ([4, 0, 2], [1, 1], (slice(None), [3, 1]), ([0, 1], [0, 1])):
        f, d = _table(h5py, tmp_path / "h.h5", chunks=(2, 2))
        with f, pytest.raises(TypeError):
            d[key]
        f, d = _table(h5pure, tmp_path / "p.h5", chunks=(2, 2))
        with f:
            np.testing.assert_array_equal(
                d[key], _np_orthogonal(DATA, key if isinstance(key, tuple) else (key,))
            )


def test_duplicate_write_last_wins_like_numpy(tmp_path):
    f, d = _table(h5pure, tmp_path / "x.h5", chunks=(2, 3))
    with f:
        d[[3, 1, 3, 3], 0] = [10, 11, 12, 13]
        want = DATA.copy()
        want[[3, 1, 3, 3], 0] = [10, 11, 12, 13]
        np.testing.assert_array_equal(d[...], want)


# -- read_direct / write_direct ------------------------------------------------------------

DIRECT = {
    "whole": ({}, (6, 10)),
    "source_sel": ({"source_sel": np.s_[1:3, 2:6]}, (2, 4)),
    "dest_sel": ({"dest_sel": np.s_[2:8, 1:11]}, (8, 12)),
    "both": ({"source_sel": np.s_[0:2, ::3], "dest_sel": np.s_[5:7, 0:4]}, (7, 4)),
    "dest_sel int": ({"source_sel": np.s_[4, :], "dest_sel": np.s_[1]}, (3, 10)),
    "shape mismatch": ({"source_sel": np.s_[0:2, :]}, (3, 10)),
    "dest too small": ({}, (2, 2)),
}


@pytest.mark.parametrize("layout", LAYOUTS[:2], ids=["contiguous", "chunked"])
@pytest.mark.parametrize("case", DIRECT.values(), ids=DIRECT.keys())
def test_read_direct(compare, case, layout):
    kw, dest_shape = case

    def body(lib, path):
        f, d = _table(lib, path, **layout)
        with f:
            dest = np.full(dest_shape, -1, dtype="i4")
            d.read_direct(dest, **kw)
            return dest

    compare(body)


def test_read_direct_dtype_conversion_and_scalar(compare):
    def body(lib, path):
        with lib.File(path, "w") as f:
            d = f.create_dataset("d", data=DATA)
            dest = np.zeros((6, 10), "f8")
            d.read_direct(dest)
            s = f.create_dataset("s", data=3.5)
            sdest = np.zeros((), "f8")
            s.read_direct(sdest)
            return dest, sdest

    compare(body)


def test_read_direct_non_contiguous_dest(compare):
    def body(lib, path):
        f, d = _table(lib, path)
        with f:
            dest = np.zeros((10, 6), "i4").T
            d.read_direct(dest)
            return dest

    compare(body)


WRITE_DIRECT = {
    "whole": ({}, DATA + 1),
    "source_sel": ({"source_sel": np.s_[0:2, 0:3], "dest_sel": np.s_[4:6, 7:10]}, DATA * 2),
    "dest_sel": ({"dest_sel": np.s_[1:3, :]}, np.ones((2, 10), "i4")),
    "steps": ({"source_sel": np.s_[::2, 1], "dest_sel": np.s_[0:3, 9]}, DATA - 3),
    "mismatch": ({"dest_sel": np.s_[0:2, :]}, np.ones((3, 10), "i4")),
}


@pytest.mark.parametrize("layout", LAYOUTS[:2], ids=["contiguous", "chunked"])
@pytest.mark.parametrize("case", WRITE_DIRECT.values(), ids=WRITE_DIRECT.keys())
def test_write_direct(compare, case, layout):
    kw, source = case

    def body(lib, path):
        f, d = _table(lib, path, **layout)
        with f:
            d.write_direct(source, **kw)
            return d[...]

    compare(body)


def test_write_direct_non_contiguous_source(compare):
    def body(lib, path):
        f, d = _table(lib, path)
        with f:
            d.write_direct(np.ascontiguousarray(DATA.T).T * 3)
            return d[...]

    compare(body)


# -- astype / asstr / fields -----------------------------------------------------------------


def test_astype(compare):
    def body(lib, path):
        f, d = _table(lib, path, chunks=(3, 3))
        with f:
            w = d.astype("f8")
            return (
                w[...],
                w[1:3, ::4],
                w[[0, 5], 2],
                w[2, 3],
                np.asarray(w),
                np.asarray(d.astype("i2"), dtype="f4"),
                len(w),
                d.astype(np.int8)[()],
                w.dtype,
            )

    compare(body)


def test_astype_scalar_and_empty(compare):
    def body(lib, path):
        with lib.File(path, "w") as f:
            s = f.create_dataset("s", data=7)
            e = f.create_dataset("e", data=lib.Empty("i4"))
            return s.astype("f4")[()], np.asarray(s.astype("f8")), e.astype("f8")[()]

    compare(body)


def _strings(lib, f):
    f.create_dataset("v", data=["abc", "é", ""], dtype=lib.string_dtype())
    f.create_dataset("a", data=np.array([b"xy", b"\xff\xfe", b"z"], "S2"))
    f.create_dataset("sv", data="scalar", dtype=lib.string_dtype())
    f.create_dataset("n", data=np.arange(3))


ASSTR = {
    "vlen whole": lambda f: f["v"].asstr()[...],
    "vlen item": lambda f: f["v"].asstr()[1],
    "vlen slice": lambda f: f["v"].asstr()[1:],
    "vlen fancy": lambda f: f["v"].asstr()[[0, 2]],
    "array": lambda f: np.asarray(f["v"].asstr()),
    "len": lambda f: len(f["v"].asstr()),
    "encoding ascii strict": lambda f: f["v"].asstr("ascii")[...],
    "encoding ascii replace": lambda f: f["v"].asstr("ascii", "replace")[...],
    "fixed bytes strict": lambda f: f["a"].asstr()[...],
    "fixed bytes ignore": lambda f: f["a"].asstr(errors="ignore")[...],
    "fixed bytes latin-1": lambda f: f["a"].asstr("latin-1")[...],
    "scalar": lambda f: f["sv"].asstr()[()],
    "numbers": lambda f: f["n"].asstr(),
}


@pytest.mark.parametrize("call", ASSTR.values(), ids=ASSTR.keys())
def test_asstr(compare, call):
    def body(lib, path):
        with lib.File(path, "w") as f:
            _strings(lib, f)
            return call(f)

    compare(body)


FIELDS = {
    "one field": lambda d: d.fields("temp")[...],
    "one field slice": lambda d: d.fields("id")[2:5],
    "two fields": lambda d: d.fields(["id", "temp"])[...],
    "two fields item": lambda d: d.fields(["vec", "id"])[3],
    "fields fancy": lambda d: d.fields(["temp"])[[1, 4, 6]],
    "fields array": lambda d: np.asarray(d.fields("temp")),
    "fields len": lambda d: len(d.fields("id")),
    "name": lambda d: d["temp"],
    "name and slice": lambda d: d[0:3, "temp"],
    "slice and name": lambda d: d["id", 1:4],
    "subarray field": lambda d: d[2:4, "vec"],
    "name and int": lambda d: d[5, "id"],
    "two names": lambda d: d["temp", "id"],
    "missing field": lambda d: d.fields("nope"),
    "missing name": lambda d: d["nope"],
}


@pytest.mark.parametrize("call", FIELDS.values(), ids=FIELDS.keys())
def test_compound_fields(compare, call):
    def body(lib, path):
        with lib.File(path, "w") as f:
            d = f.create_dataset("c", data=CDATA, chunks=(3,))
            return call(d)

    compare(body)


def test_fields_on_non_compound(compare):
    def body(lib, path):
        f, d = _table(lib, path)
        with f:
            return d.fields("x")

    compare(body)


def test_field_name_on_non_compound(compare):
    def body(lib, path):
        f, d = _table(lib, path)
        with f:
            return d["x"]

    compare(body)


def test_write_one_field(compare):
    def body(lib, path):
        with lib.File(path, "w") as f:
            d = f.create_dataset("c", data=CDATA)
            d["temp"] = np.arange(8) * -1.0
            d[2:4, "id"] = [77, 78]
            return d[...]

    compare(body)


# -- len, iteration, __array__ ---------------------------------------------------------------


def test_len_and_iteration(compare):
    def body(lib, path):
        f, d = _table(lib, path, chunks=(4, 4))
        with f:
            return len(d), d.len(), [row for row in d], list(iter(d))[-1]

    compare(body)


def test_iteration_over_1d(compare):
    def body(lib, path):
        with lib.File(path, "w") as f:
            d = f.create_dataset("d", data=np.arange(5.0))
            return list(d), [type(x).__name__ for x in d]

    compare(body)


SCALAR_FAILS = {
    "len": lambda d: len(d),
    "iter": lambda d: list(d),
    "index 0": lambda d: d[0],
    "slice": lambda d: d[0:1],
}


@pytest.mark.parametrize("call", SCALAR_FAILS.values(), ids=SCALAR_FAILS.keys())
def test_scalar_refuses(compare, call):
    def body(lib, path):
        with lib.File(path, "w") as f:
            return call(f.create_dataset("s", data=2.5))

    assert compare(body)[0] == "raises"


ARRAY = {
    "plain": lambda d: np.asarray(d),
    "dtype": lambda d: np.asarray(d, dtype="f8"),
    "np.array": lambda d: np.array(d),
    "copy True": lambda d: np.array(d, copy=True),
    "ufunc": lambda d: np.add(d, 1),
    "sum": lambda d: np.sum(d),
}


@pytest.mark.parametrize("call", ARRAY.values(), ids=ARRAY.keys())
def test_array_protocol(compare, call):
    def body(lib, path):
        f, d = _table(lib, path, chunks=(5, 5))
        with f:
            return call(d)

    compare(body)


def test_array_copy_false_refused(compare):
    """numpy 2's ``copy=False`` cannot be honoured by a read from a file."""

    def body(lib, path):
        f, d = _table(lib, path)
        with f:
            return np.asarray(d, copy=False)

    compare(body)


# -- iter_chunks -----------------------------------------------------------------------------

ITER_CHUNKS = {
    "whole": lambda d: list(d.iter_chunks()),
    "sel": lambda d: list(d.iter_chunks(np.s_[1:5, 2:9])),
    "sel int": lambda d: list(d.iter_chunks(np.s_[3, 2:9])),
    "sel empty": lambda d: list(d.iter_chunks(np.s_[2:2, :])),
    "read back": lambda d: [d[s] for s in d.iter_chunks(np.s_[1:, 3:])],
}


@pytest.mark.parametrize("call", ITER_CHUNKS.values(), ids=ITER_CHUNKS.keys())
def test_iter_chunks(compare, call):
    def body(lib, path):
        f, d = _table(lib, path, chunks=(4, 3))
        with f:
            return call(d)

    compare(body)


def test_iter_chunks_contiguous_refused(compare):
    def body(lib, path):
        f, d = _table(lib, path)
        with f:
            return list(d.iter_chunks())

    assert compare(body)[0] == "raises"


# -- identity, refresh, flush ----------------------------------------------------------------


def test_identity(compare):
    def body(lib, path):
        with lib.File(path, "w") as f:
            a = f.create_dataset("a", data=[1])
            f.create_dataset("b", data=[1])
            f["alias"] = a
            same = f["a"] == a and f["alias"] == a and hash(f["alias"]) == hash(a)
            return same, f["a"] != f["b"], a == f["a"].parent["a"], bool(a), a == 1

    compare(body)


def test_identity_across_files_and_closed(compare):
    def body(lib, path):
        f = lib.File(path, "w")
        a = f.create_dataset("a", data=[1])
        g = lib.File(path.with_name("other.h5"), "w")
        b = g.create_dataset("a", data=[1])
        out = (a == b, a == f["a"])
        f.close()
        g.close()
        return out, bool(a)

    compare(body)


def test_refresh_and_flush(compare):
    def body(lib, path):
        f, d = _table(lib, path, chunks=(2, 2))
        with f:
            d[0, 0] = 99
            return d.refresh(), d.flush(), d[0, 0]

    compare(body)


# -- create_dataset_like / require_dataset -----------------------------------------------------


def test_create_dataset_like(compare):
    def body(lib, path):
        with lib.File(path, "w") as f:
            src = f.create_dataset(
                "src",
                shape=(10, 6),
                dtype="f4",
                chunks=(5, 3),
                maxshape=(None, 6),
                compression="gzip",
                compression_opts=6,
                shuffle=True,
                fillvalue=2.5,
            )
            a = f.create_dataset_like("a", src)
            b = f.create_dataset_like("b", src, shape=(4, 6), dtype="i2", chunks=(2, 2))
            c = f.create_dataset_like("c", f.create_dataset("plain", data=np.arange(3)))
            props = lambda d: (  # noqa: E731
                d.shape,
                d.dtype,
                d.chunks,
                d.maxshape,
                d.compression,
                d.compression_opts,
                d.shuffle,
                d.fillvalue,
                d[...],
            )
            return props(a), props(b), props(c)

    compare(body)


REQUIRE = {
    "create": lambda f: f.require_dataset("new", (3,), "f4").shape,
    "existing": lambda f: f.require_dataset("d", (6, 10), "i4")[0, 0],
    "existing is same": lambda f: f.require_dataset("d", (6, 10), "i4") == f["d"],
    "castable": lambda f: f.require_dataset("d", (6, 10), "i2").dtype,
    "castable exact": lambda f: f.require_dataset("d", (6, 10), "i2", exact=True),
    "not castable": lambda f: f.require_dataset("d", (6, 10), "f8"),
    "not castable exact": lambda f: f.require_dataset("d", (6, 10), "f8", exact=True),
    "exact ok": lambda f: f.require_dataset("d", (6, 10), "<i4", exact=True).dtype,
    "wrong shape": lambda f: f.require_dataset("d", (10, 6), "i4"),
    "int shape": lambda f: f.require_dataset("d", 60, "i4"),
    "group there": lambda f: f.require_dataset("g", (1,), "i4"),
    "create with data": lambda f: f.require_dataset("n", (2,), "i4", data=[4, 5])[...],
}


@pytest.mark.parametrize("call", REQUIRE.values(), ids=REQUIRE.keys())
def test_require_dataset(compare, call):
    def body(lib, path):
        f, _ = _table(lib, path)
        f.create_group("g")
        with f:
            return call(f)

    compare(body)


# -- Empty, zero-size, scalar ------------------------------------------------------------------

EMPTY = {
    "shape": lambda d: (d.shape, d.size, d.ndim, d.maxshape, d.chunks),
    "read ()": lambda d: d[()],
    "read ...": lambda d: d[...],
    "read slice": lambda d: d[0:1],
    "read int": lambda d: d[0],
    "len": lambda d: len(d),
    "write": lambda d: d.__setitem__((), 1),
    "attrs kind": lambda d: isinstance(d[()], type(d[()])),
    "astype": lambda d: d.astype("f8")[()],
    "read_direct": lambda d: d.read_direct(np.zeros(1)),
    "write_direct": lambda d: d.write_direct(np.zeros(1)),
    "array": lambda d: np.asarray(d),
    "iter": lambda d: list(d),
    "bool": lambda d: bool(d),
    "fancy": lambda d: d[[0]],
    "mask": lambda d: d[np.array([True])],
}


@pytest.mark.parametrize("call", EMPTY.values(), ids=EMPTY.keys())
def test_empty_dataset(compare, call):
    def body(lib, path):
        with lib.File(path, "w") as f:
            f.create_dataset("e", data=lib.Empty("f4"))
            f.create_dataset("e2", dtype="i2")  # no shape, no data: Empty too
            return call(f["e"]), f["e2"].shape, f["e2"][()]

    compare(body)


ZERO = {
    "shape": lambda d: (d.shape, d.size, len(d)),
    "all": lambda d: d[...],
    "slice": lambda d: d[0:0, 1],
    "axis 1": lambda d: d[:, 1:2],
    "list": lambda d: d[[], :],
    "mask": lambda d: d[np.zeros(0, bool), :],
    "int": lambda d: d[0],
    "iter": lambda d: list(d),
    "array": lambda d: np.asarray(d),
    "write": lambda d: (d.__setitem__(np.s_[...], 5), d[...])[1],
    "write list": lambda d: (d.__setitem__(np.s_[[], 1], 5), d[...])[1],
}


@pytest.mark.parametrize("chunked", [False, True], ids=["contiguous", "chunked"])
@pytest.mark.parametrize("call", ZERO.values(), ids=ZERO.keys())
def test_zero_size_dimension(compare, call, chunked):
    def body(lib, path):
        with lib.File(path, "w") as f:
            kw = {"chunks": (4, 3), "maxshape": (None, 3)} if chunked else {}
            d = f.create_dataset("z", shape=(0, 3), dtype="f8", **kw)
            return call(d)

    compare(body)


def test_zero_size_middle_axis_and_resize(compare):
    def body(lib, path):
        with lib.File(path, "w") as f:
            d = f.create_dataset("z", shape=(3, 0, 2), maxshape=(3, None, 2), dtype="i4")
            before = (d[...], d[1], d[:, :, 0], list(d))
            d.resize(2, axis=1)
            d[:, 1, :] = 7
            return before, d[...]

    compare(body)


SCALAR = {
    "()": lambda d: d[()],
    "...": lambda d: d[...],
    "shape": lambda d: (d.shape, d.size, d.ndim, d.chunks, d.maxshape),
    "array": lambda d: np.asarray(d),
    "write ()": lambda d: (d.__setitem__((), 5), d[()])[1],
    "write ...": lambda d: (d.__setitem__(Ellipsis, 6), d[...])[1],
    "write array": lambda d: (d.__setitem__((), np.array(8)), d[()])[1],
    "empty tuple list": lambda d: d[[]],
    "mask": lambda d: d[np.array(True)],
}


@pytest.mark.parametrize("call", SCALAR.values(), ids=SCALAR.keys())
@pytest.mark.parametrize("data", [2.5, np.int16(-3), b"bytes"], ids=["f8", "i2", "S5"])
def test_scalar_dataset(compare, call, data):
    def body(lib, path):
        with lib.File(path, "w") as f:
            return call(f.create_dataset("s", data=data))

    compare(body)


def test_scalar_string_and_compound(compare):
    def body(lib, path):
        with lib.File(path, "w") as f:
            s = f.create_dataset("s", data="text", dtype=lib.string_dtype())
            c = f.create_dataset("c", data=CDATA[3])
            return s[()], s[...], s.asstr()[()], c[()], c[...], c["temp"], c.fields("id")[()]

    compare(body)


# -- fancy selections on other element types -------------------------------------------------

ARRAY_DT = np.dtype(("i4", (3,)))


@pytest.mark.parametrize("layout", LAYOUTS, ids=["contiguous", "chunked", "gzip"])
def test_array_dtype_partial_and_fancy(compare, layout):
    kw = {"chunks": layout["chunks"][:1]} if "chunks" in layout else {}
    if "compression" in layout:
        kw["compression"] = "gzip"

    def body(lib, path):
        with lib.File(path, "w") as f:
            d = f.create_dataset("a", shape=(6,), dtype=ARRAY_DT, **kw)
            d[...] = np.arange(18).reshape(6, 3)
            d[[1, 4]] = [[-1, -2, -3], [-4, -5, -6]]
            d[np.array([False, False, True, False, False, True])] = [[7, 7, 7], [8, 8, 8]]
            d[0] = [9, 9, 9]
            return d[...], d[1:4], d[[0, 3, 5]], d[-1], d[np.arange(6) % 2 == 0]

    compare(body)


def test_array_dtype_unsorted_matches_numpy(tmp_path, h5py):
    want = np.arange(18, dtype="i4").reshape(6, 3)
    with h5pure.File(tmp_path / "a.h5", "w") as f:
        d = f.create_dataset("a", shape=(6,), dtype=ARRAY_DT, chunks=(4,))
        d[...] = want
        np.testing.assert_array_equal(d[[5, 0, 5]], want[[5, 0, 5]])
        d[[4, 1]] = [[1, 1, 1], [2, 2, 2]]
        want[[4, 1]] = [[1, 1, 1], [2, 2, 2]]
    with h5py.File(tmp_path / "a.h5", "r") as f:
        np.testing.assert_array_equal(f["a"][...], want)


VLEN_WRITES = {
    "ragged list": (np.s_[[0, 2]], lambda: [np.arange(3), np.arange(1)]),
    "equal lengths": (np.s_[[0, 2]], lambda: [np.arange(2), np.arange(2) + 5]),
    "nested lists": (np.s_[[1, 3]], lambda: [[1, 2], [3]]),
    "2-D value": (np.s_[0:2], lambda: [[1, 2], [3, 4]]),
    "one sequence": (np.s_[1], lambda: np.arange(3)),
    "one sequence broadcast": (np.s_[1:3], lambda: [7, 8]),
    "object array": (np.s_[1:3], lambda: np.array([np.arange(2), np.arange(3)], dtype=object)),
    "mask": (np.s_[np.array([True, False, False, True])], lambda: [[1], [2, 3]]),
}


@pytest.mark.parametrize("case", VLEN_WRITES.values(), ids=VLEN_WRITES.keys())
def test_vlen_sequence_writes(compare, case):
    key, value = case

    def body(lib, path):
        with lib.File(path, "w") as f:
            d = f.create_dataset("v", shape=(4,), dtype=lib.vlen_dtype("i4"), chunks=(2,))
            d[key] = value()
            return [x.tolist() for x in d[...]], [x.tolist() for x in d[[0, 3]]]

    compare(body)


def test_vlen_strings_fancy(compare):
    def body(lib, path):
        with lib.File(path, "w") as f:
            d = f.create_dataset(
                "s", data=["a", "bb", "ccc", "dddd"], dtype=lib.string_dtype(), chunks=(2,)
            )
            d[[0, 3]] = ["X", "YY"]
            return d[[1, 3]], d.asstr()[[0, 2]], d[np.array([True, False, True, True])]

    compare(body)


def test_compound_field_fancy(compare):
    def body(lib, path):
        with lib.File(path, "w") as f:
            d = f.create_dataset("c", data=CDATA, chunks=(3,))
            d[[1, 4], "id"] = [40, 41]
            return d[[0, 3, 5], "temp"], d[np.arange(8) % 2 == 0, "vec"], d["id"]

    compare(body)


def test_compound_field_unsorted_matches_numpy(tmp_path):
    with h5pure.File(tmp_path / "c.h5", "w") as f:
        d = f.create_dataset("c", data=CDATA, chunks=(3,))
        np.testing.assert_array_equal(d[[5, 0, 0], "temp"], CDATA["temp"][[5, 0, 0]])
        np.testing.assert_array_equal(d.fields(["id"])[[7, 2]], CDATA[["id"]][[7, 2]])


def test_read_special_dtypes_keep_their_metadata(compare):
    """h5py reads vlen sequences, vlen strings and references into arrays of the
    dataset's special dtype, so the result can be written back as it is."""

    def body(lib, path):
        with lib.File(path, "w") as f:
            seq = f.create_dataset("seq", (2,), dtype=lib.vlen_dtype("i4"))
            seq[0] = [1, 2, 3]
            txt = f.create_dataset("txt", data=["a", "bc"], dtype=lib.string_dtype())
            refs = f.create_dataset("refs", data=[f.ref, seq.ref])
            read = {"seq": seq[()], "txt": txt[()], "refs": refs[()]}
            out = {
                "seq": str(lib.check_vlen_dtype(read["seq"].dtype)),
                "txt": str(lib.check_string_dtype(read["txt"].dtype)),
                "refs": lib.check_ref_dtype(read["refs"].dtype).__name__,
            }
            f.create_dataset("seq2", data=read["seq"])  # written back as read
            out["seq2"] = str(lib.check_vlen_dtype(f["seq2"].dtype))
            return out

    assert compare(body)[0] == "ok"
