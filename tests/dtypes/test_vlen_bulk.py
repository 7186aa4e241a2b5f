"""Vlen data in bulk: strings and sequences laid out in global heap collections with numpy
on write, gathered from whole collections on read.

Oracles: h5py (libhdf5) reads what h5pure writes and writes what h5pure reads; numpy
indexing of the full list for partial reads; per-item ``bytes.decode`` for the joined
decode; the object-list walk of a collection for the gathered lookup.
"""

from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import h5pure
from h5pure.dtypes.convert import decode_bytes
from h5pure.errors import FormatError
from h5pure.format.context import FormatContext
from h5pure.format.global_heap import (
    encode_global_heap_collection,
    gather_objects,
    read_global_heap_collection,
)
from h5pure.testing.sources import BytesSource

h5py = pytest.importorskip("h5py")

_CHAR = st.characters(blacklist_categories=("Cs",), blacklist_characters="\0")
_SHORT = st.text(alphabet=_CHAR, max_size=30)
_LONG = st.builds(lambda c, n: c * n, _CHAR, st.integers(4000, 70000))
STRING_LISTS = st.lists(st.one_of(_SHORT, _SHORT, _SHORT, st.just(""), _LONG), max_size=120)
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _objects(items) -> np.ndarray:
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    return arr


def _heap_ids(path, name: str) -> np.ndarray:
    """The stored vlen elements of a contiguous dataset (u32 length, address, u32 index)."""
    with h5py.File(path, "r") as f:
        d = f[name]
        offset, n = d.id.get_offset(), d.size
    data = open(path, "rb").read()
    return np.frombuffer(
        data, dtype=[("length", "<u4"), ("address", "<u8"), ("index", "<u4")], count=n,
        offset=offset,
    )


@SETTINGS
@given(strings=STRING_LISTS)
def test_h5pure_writes_h5py_reads(tmp_path, strings):
    path = tmp_path / "w.h5"
    with h5pure.File(path, "w") as f:
        d = f.create_dataset("s", data=_objects(strings), dtype=h5pure.string_dtype())
        # read back from the session's collections before they reach the file
        assert list(d.asstr()[...]) == strings
        assert list(d[...]) == [s.encode() for s in strings]
    with h5py.File(path, "r") as f:
        assert list(f["s"].asstr()[...]) == strings
        assert list(f["s"][...]) == [s.encode() for s in strings]
    with h5pure.File(path, "r") as f:
        got = f["s"][...]
        assert got.dtype == object and all(type(b) is bytes for b in got)
        assert list(got) == [s.encode() for s in strings]


@SETTINGS
@given(strings=STRING_LISTS)
def test_h5py_writes_h5pure_reads(tmp_path, strings):
    path = tmp_path / "r.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("s", data=_objects(strings), dtype=h5py.string_dtype())
        ascii = all(s.isascii() for s in strings)
        f.create_dataset(
            "b",
            data=_objects([s.encode() for s in strings]),
            dtype=h5py.string_dtype("ascii" if ascii else "utf-8"),
        )
        want_s, want_b = list(f["s"][...]), list(f["b"][...])
    with h5pure.File(path, "r") as f:
        assert list(f["s"][...]) == want_s
        assert list(f["s"].asstr()[...]) == strings
        assert list(f["b"][...]) == want_b


@pytest.fixture(scope="module", params=["h5pure", "h5py"])
def vlen_file(request, tmp_path_factory):
    """A file with vlen strings (1-D contiguous, 2-D chunked) and vlen sequences,
    written by either library."""
    lib = h5pure if request.param == "h5pure" else h5py
    path = tmp_path_factory.mktemp("vl") / f"{request.param}.h5"
    strings = [f"s{i}:" + "é" * (i % 17) + "x" * (i % 5) for i in range(3000)]
    strings[7] = ""
    strings[100] = "y" * 70000  # larger than a default collection, and than 64 KiB
    grid = np.array([f"{i}/{j}" * (j % 4) for i in range(30) for j in range(40)], dtype=object)
    seqs = [np.arange(i % 9, dtype="i4") * i for i in range(500)]
    with lib.File(path, "w") as f:
        f.create_dataset("s", data=_objects(strings), dtype=lib.string_dtype())
        f.create_dataset(
            "g", data=grid.reshape(30, 40), dtype=lib.string_dtype(), chunks=(7, 9),
            compression="gzip",
        )
        f.create_dataset("q", data=_objects(seqs), dtype=lib.vlen_dtype("i4"))
    return path, np.array([s.encode() for s in strings], dtype=object), grid.reshape(30, 40), seqs


KEYS_1D = [
    (),
    (slice(None),),
    (slice(5, 120),),
    (slice(None, None, 7),),
    (slice(2990, 10),),
    (slice(-50, None, 3),),
    (17,),
    (-1,),
    ([3, 1, 2999, 100, 3, 7],),
    ([100],),
    (np.arange(3000) % 11 == 0,),
]


@pytest.mark.parametrize("key", KEYS_1D, ids=repr)
def test_partial_reads_of_strings(vlen_file, key):
    path, want, _, _ = vlen_file
    expect = want[key] if key else want[()]
    with h5pure.File(path, "r") as f:
        got = f["s"][key] if key else f["s"][()]
        np.testing.assert_array_equal(np.asarray(got, dtype=object), expect)
        asstr = f["s"].asstr()[key] if key else f["s"].asstr()[()]
        exp_str = np.vectorize(lambda b: b.decode(), otypes=[object])(expect)
        np.testing.assert_array_equal(np.asarray(asstr, dtype=object), exp_str)


@pytest.mark.parametrize(
    "key",
    [
        (),
        (slice(3, 20), slice(None, None, 4)),
        (5, slice(None)),
        ([0, 29, 4], 8),
        (slice(None), 39),
    ],
    ids=repr,
)
def test_partial_reads_of_chunked_strings(vlen_file, key):
    path, _, grid, _ = vlen_file
    want = np.vectorize(lambda s: s.encode(), otypes=[object])(grid)
    with h5pure.File(path, "r") as f:
        got = f["g"][key] if key else f["g"][()]
    np.testing.assert_array_equal(np.asarray(got, dtype=object), want[key] if key else want)


@pytest.mark.parametrize("key", [(), (slice(10, 40),), ([0, 8, 9, 499],), (9,)], ids=repr)
def test_partial_reads_of_sequences(vlen_file, key):
    path, _, _, seqs = vlen_file
    want = _objects(seqs)[key] if key else _objects(seqs)
    with h5pure.File(path, "r") as f:
        got = f["q"][key] if key else f["q"][()]
    with h5py.File(path, "r") as f:
        oracle = f["q"][key] if key else f["q"][()]
    got_l = [got] if isinstance(got, np.ndarray) and got.dtype != object else list(got)
    want_l = [want] if isinstance(want, np.ndarray) and want.dtype != object else list(want)
    oracle_l = [oracle] if oracle.dtype != object else list(oracle)
    assert len(got_l) == len(want_l) == len(oracle_l)
    for g, w, o in zip(got_l, want_l, oracle_l):
        assert g.dtype == o.dtype == np.dtype("i4")
        np.testing.assert_array_equal(g, w)
        np.testing.assert_array_equal(g, o)


def test_many_collections_and_large_objects(tmp_path):
    path = tmp_path / "many.h5"
    strings = [f"{i}" * (i % 40) for i in range(20000)]
    strings[50] = "é" * 40000  # 80000 bytes of UTF-8: a collection of its own
    strings[51] = "z" * 4080  # just too large for a default collection
    strings[19999] = "w" * 200000
    with h5pure.File(path, "w") as f:
        f.create_dataset("s", data=_objects(strings), dtype=h5pure.string_dtype())
    ids = _heap_ids(path, "s")
    addresses = np.unique(ids["address"])
    assert len(addresses) > 50
    data = open(path, "rb").read()
    sizes = {int(a): struct.unpack_from("<Q", data, int(a) + 8)[0] for a in addresses}
    assert all(s % 8 == 0 and s >= 4096 for s in sizes.values())
    assert sizes[int(ids["address"][50])] >= 80000 + 32
    assert ids["address"][50] != ids["address"][49] and ids["address"][50] != ids["address"][52]
    with h5py.File(path, "r") as f:
        assert list(f["s"].asstr()[...]) == strings
        assert f["s"].asstr()[19999] == strings[19999]
    with h5pure.File(path, "r") as f:
        assert list(f["s"].asstr()[...]) == strings


def test_ascii_bytes_and_attributes_both_ways(tmp_path):
    items = [b"plain", b"", b"x" * 70000, b"tab\there"]
    texts = ["\u00e9t\u00e9", "", "z" * 5000, "\u4e2d\u6587"]
    for writer, reader in [(h5pure, h5py), (h5py, h5pure)]:
        path = tmp_path / f"{writer.__name__}.h5"
        with writer.File(path, "w") as f:
            f.create_dataset("a", data=_objects(items), dtype=writer.string_dtype("ascii"))
            f.attrs["texts"] = np.array(texts, dtype=writer.string_dtype())
            f.attrs.create("one", "\u00fcber", dtype=writer.string_dtype())
            f.attrs.create("long", "q" * 70000, dtype=writer.string_dtype())
            f.attrs.create("raw", _objects(items), dtype=writer.string_dtype("ascii"))
        with reader.File(path, "r") as f:
            d = f["a"]
            assert reader.check_string_dtype(d.dtype).encoding == "ascii"
            assert list(d[...]) == items
            assert list(f.attrs["texts"]) == texts
            assert f.attrs["one"] == "\u00fcber"
            assert f.attrs["long"] == "q" * 70000
            raw = f.attrs["raw"]
            assert [b.encode() if isinstance(b, str) else bytes(b) for b in raw] == items


def test_none_is_the_null_element_and_empty_string_a_heap_object(tmp_path):
    path = tmp_path / "n.h5"
    with h5pure.File(path, "w") as f:
        f.create_dataset("s", data=_objects([None, "", "a", None]), dtype=h5pure.string_dtype())
        f.create_dataset("q", data=_objects([None, np.arange(0), np.arange(2)]),
                         dtype=h5pure.vlen_dtype("f8"))
    ids = _heap_ids(path, "s")
    assert ids["address"][0] == 0 and ids["address"][3] == 0
    assert ids["address"][1] != 0 and ids["length"][1] == 0
    with h5py.File(path, "r") as f:
        assert list(f["s"][...]) == [b"", b"", b"a", b""]
        q = f["q"][...]
    with h5pure.File(path, "r") as f:
        assert list(f["s"][...]) == [b"", b"", b"a", b""]
        ours = f["q"][...]
    for a, b in zip(ours, q):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def test_fill_values(tmp_path):
    for writer, reader in [(h5pure, h5py), (h5py, h5pure)]:
        path = tmp_path / f"fill-{writer.__name__}.h5"
        with writer.File(path, "w") as f:
            d = f.create_dataset("f", shape=(6,), dtype=writer.string_dtype(), fillvalue=b"fill")
            d[2] = "x"
            e = f.create_dataset("e", shape=(3,), dtype=writer.string_dtype(), chunks=(2,))
            e[1] = "only"
        with reader.File(path, "r") as f:
            assert list(f["f"][...]) == [b"fill", b"fill", b"x", b"fill", b"fill", b"fill"]
            assert f["f"].fillvalue == b"fill"
            assert list(f["e"][...]) == [b"", b"only", b""]


@pytest.mark.parametrize("item", ["a\0b", b"a\0b", "\0"])
def test_embedded_nul_is_refused_as_h5py_does(tmp_path, item):
    def attempt(module, path):
        with module.File(path, "w") as f:
            with pytest.raises(ValueError, match="embedded NULLs"):
                f.create_dataset("s", data=_objects(["c", item]), dtype=module.string_dtype())
            with pytest.raises(ValueError, match="embedded NULLs"):
                f.attrs["a"] = item
            assert "a" not in f.attrs

    attempt(h5py, tmp_path / "oracle.h5")
    attempt(h5pure, tmp_path / "nul.h5")
    with h5py.File(tmp_path / "nul.h5", "r") as f:  # the file stays readable
        assert list(f.attrs) == []


def test_session_keeps_filling_the_current_collection(tmp_path):
    path = tmp_path / "session.h5"
    first = [f"first {i}" for i in range(300)]
    second = [f"second {i}" * (i % 3) for i in range(50)]
    with h5pure.File(path, "w") as f:
        a = f.create_dataset("a", data=_objects(first), dtype=h5pure.string_dtype())
        b = f.create_dataset("b", data=_objects(second), dtype=h5pure.string_dtype())
        f.attrs["between"] = "attr"  # a single put between batches
        c = f.create_dataset("c", shape=(5,), dtype=h5pure.string_dtype(), maxshape=(None,))
        c[1] = "one"
        f.flush()
        c[3] = "three"  # after the commit point: into the collection written at the flush
        c.resize((8,))
        c[5:8] = ["five", "six", "seven"]
        assert list(a.asstr()[...]) == first and list(b.asstr()[...]) == second
        assert list(c[...]) == [b"", b"one", b"", b"three", b"", b"five", b"six", b"seven"]
    ids_a, ids_b = _heap_ids(path, "a"), _heap_ids(path, "b")
    assert ids_b["address"][0] == ids_a["address"][-1]  # the second batch went on in it
    assert ids_b["index"][0] == ids_a["index"][-1] + 1
    with h5py.File(path, "r") as f:
        assert list(f["a"].asstr()[...]) == first
        assert list(f["b"].asstr()[...]) == second
        assert f.attrs["between"] == "attr"
        assert list(f["c"][...]) == [b"", b"one", b"", b"three", b"", b"five", b"six", b"seven"]


def test_append_to_h5py_file(tmp_path):
    path = tmp_path / "append.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("old", data=_objects(["x", "yy"]), dtype=h5py.string_dtype())
    new = [f"n{i}" * (i % 7) for i in range(1000)]
    with h5pure.File(path, "a") as f:
        f.create_dataset("new", data=_objects(new), dtype=h5pure.string_dtype())
        assert list(f["old"].asstr()[...]) == ["x", "yy"]
    with h5py.File(path, "r") as f:
        assert list(f["old"].asstr()[...]) == ["x", "yy"]
        assert list(f["new"].asstr()[...]) == new


# ------------------------------------------------------------ the gathered lookup itself

CTX = FormatContext()


def _collection(objects: dict[int, bytes]):
    return read_global_heap_collection(
        BytesSource(encode_global_heap_collection(objects, CTX)), CTX, 0, lazy=True
    )


@pytest.mark.parametrize(
    "objects",
    [
        {1: b"a", 2: b"bb", 3: b""},  # the usual layout
        {2: b"bb", 1: b"a", 3: b"ccc"},  # objects not in index order
        {1: b"a", 3: b"ccc"},  # a gap
    ],
)
@pytest.mark.parametrize("expect_exact", [True, False])
def test_gather_matches_the_object_walk(objects, expect_exact):
    colls = [_collection(objects), _collection({1: b"other", 2: b"\x00\x01"})]
    requests = [(0, k) for k in objects] + [(1, 2), (0, min(objects)), (1, 1)]
    which = np.array([c for c, _ in requests], dtype=np.int64)
    indices = np.array([k for _, k in requests], dtype=np.int64)
    walked = [read_global_heap_collection(BytesSource(c.buf), CTX, 0) for c in colls]
    sizes = [len(walked[c].objects[k]) for c, k in requests]
    expect = np.array(sizes if expect_exact else [s + 1 for s in sizes], dtype=np.int64)
    buf, starts, got_sizes = gather_objects(colls, which, indices, expect, CTX)
    for (c, k), s, n in zip(requests, starts.tolist(), got_sizes.tolist()):
        assert buf[s : s + n] == walked[c].objects[k]


def test_gather_reports_a_missing_object():
    colls = [_collection({1: b"a", 2: b"bb"})]
    for index in (3, 0, 70000):
        with pytest.raises(FormatError, match=f"no object {index}"):
            gather_objects(
                colls, np.array([0, 0]), np.array([1, index]), np.array([1, 2]), CTX
            )


def test_gather_checks_the_headers_it_assumes():
    """A header that does not say what the usual layout assumes is found by the walk."""
    good = encode_global_heap_collection({1: b"abc", 2: b"defg"}, CTX)
    bad = bytearray(good)
    struct.pack_into("<Q", bad, 16 + 8, 2)  # object 1 says 2 bytes, not 3
    coll = read_global_heap_collection(BytesSource(bytes(bad)), CTX, 0, lazy=True)
    buf, starts, sizes = gather_objects([coll], np.array([0]), np.array([1]), np.array([3]), CTX)
    assert sizes.tolist() == [2] and buf[starts[0] : starts[0] + 2] == b"ab"


def test_short_object_is_a_format_error(tmp_path):
    path = tmp_path / "short.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("s", data=_objects(["abc", "de"]), dtype=h5py.string_dtype())
        offset = f["s"].id.get_offset()
    data = bytearray(open(path, "rb").read())
    struct.pack_into("<I", data, offset, 1000)  # element 0 claims 1000 bytes
    path.write_bytes(bytes(data))
    with h5pure.File(path, "r") as f, pytest.raises(FormatError, match="need 1000"):
        f["s"][...]


# ------------------------------------------------------------ decoding all at once


@settings(max_examples=200, deadline=None)
@given(
    items=st.lists(st.binary(max_size=8).map(lambda b: b.replace(b"\0", b"")), max_size=12),
    encoding=st.sampled_from(["utf-8", "ascii", "latin-1", "UTF8"]),
    errors=st.sampled_from(["strict", "surrogateescape", "replace", "ignore", "backslashreplace"]),
)
def test_decode_bytes_matches_item_by_item(items, encoding, errors):
    try:
        want = [b.decode(encoding, errors) for b in items]
    except UnicodeDecodeError:
        with pytest.raises(UnicodeDecodeError):
            decode_bytes(items, encoding, errors)
        return
    assert decode_bytes(items, encoding, errors) == want


def test_decode_bytes_with_nul_and_non_bytes_items():
    assert decode_bytes([b"a\0b", b"c"], "utf-8", "strict") == ["a\0b", "c"]
    assert decode_bytes([np.bytes_(b"x"), bytearray(b"y")], "utf-8", "strict") == ["x", "y"]
