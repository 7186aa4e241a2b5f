"""to_storage / fill_value_bytes: the bytes libhdf5 writes for h5py values.

Oracles: the contiguous dataset bytes h5py writes for the same values (heap IDs excepted:
there the referenced heap objects are compared), libhdf5's own string conversion, the fill
value message h5py stores, and the round trip through to_memory."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import h5pure.dtypes as hd
from h5pure.dtypes.mapping import storage_dtype
from h5pure.format.context import FormatContext
from h5pure.format.global_heap import read_global_heap_collection
from h5pure.format.messages import MessageType, decode_message
from h5pure.format.messages.datatype import (
    ArrayType,
    CharacterSet,
    CompoundType,
    Datatype,
    ReferenceKind,
    ReferenceType,
    StringPadding,
    StringType,
    VlenType,
)
from h5pure.format.object_header import read_object_header
from h5pure.testing.sources import BytesSource

h5py = pytest.importorskip("h5py")


class FakeHeap:
    """In-memory global heap: the HeapWriter protocol plus a to_memory resolver."""

    def __init__(self) -> None:
        self.objects: dict[tuple[int, int], bytes] = {}

    def put(self, data: bytes) -> tuple[int, int]:
        key = (0x1000 + 0x100 * (len(self.objects) // 3), len(self.objects) % 3 + 1)
        self.objects[key] = bytes(data)
        return key

    def global_heap_object(self, collection_address: int, index: int) -> bytes:
        return self.objects[(collection_address, index)]


class FileHeap:
    """Resolver over an h5py-written file."""

    def __init__(self, src: BytesSource) -> None:
        self.src = src

    def global_heap_object(self, collection_address: int, index: int) -> bytes:
        return read_global_heap_collection(self.src, FormatContext(), collection_address).objects[
            index
        ]


def _objects(*items: Any) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = list(items)
    return out


VSTR = h5py.string_dtype()
POINT = np.dtype([("x", "<i4"), ("y", ">f8")])

CASES: dict[str, tuple[Any, Any]] = {
    "i1": ("i1", np.array([-128, 0, 127], "i1")),
    "u2_be": (">u2", np.array([0, 1, 65535], ">u2")),
    "i8": ("<i8", np.array([-(2**63), 5, 2**63 - 1], "<i8")),
    "f2": ("<f2", np.array([0.5, -1.0, np.inf], "<f2")),
    "f4_be": (">f4", np.array([1.5, -0.0, 3e38], ">f4")),
    "f8": ("<f8", np.linspace(-1, 1, 5)),
    "longdouble": (np.longdouble, np.array([1.25, -3.5], np.longdouble)),
    "bool": (bool, np.array([True, False, True])),
    "c8": ("<c8", np.array([1 + 2j, -3.5j], "<c8")),
    "c16_be": (">c16", np.array([1 + 2j, 0j], ">c16")),
    "S5": ("S5", np.array([b"ab", b"abcde", b""], "S5")),
    "fixed_utf8": (
        h5py.string_dtype("utf-8", 6),
        np.array(["é".encode(), b"xyz"], h5py.string_dtype("utf-8", 6)),
    ),
    "void": ("V3", np.array([b"abc", b"\0\1\2"], "V3")),
    "opaque_m8": (
        h5py.opaque_dtype("M8[s]"),
        np.array([1, 2], "M8[s]").astype(h5py.opaque_dtype("M8[s]")),
    ),
    "enum": (h5py.enum_dtype({"A": 1, "B": -7}, ">i2"), np.array([1, -7, 1], ">i2")),
    "array": (np.dtype(("<i4", (2, 3))), np.arange(12, dtype="<i4").reshape(2, 2, 3)),
    "compound": (POINT, np.array([(1, 2.5), (-3, 0.0)], POINT)),
    "compound_nested": (
        np.dtype([("p", POINT), ("c", "<c8"), ("b", "?"), ("a", "u1", (2,))]),
        np.array(
            [((1, 2.0), 1j, True, (1, 2)), ((3, 4.0), 2, False, (3, 4))],
            np.dtype([("p", POINT), ("c", "<c8"), ("b", "?"), ("a", "u1", (2,))]),
        ),
    ),  # fmt: skip
    "vstr": (VSTR, _objects("hello", "wörld", "")),
    "vbytes": (h5py.string_dtype("ascii"), _objects(b"abc", b"", b"xy")),
    "vlen_i4": (
        h5py.vlen_dtype("<i4"),
        _objects(np.arange(3, dtype="<i4"), np.array([], "<i4"), np.array([7], "<i4")),
    ),
    "vlen_compound": (
        h5py.vlen_dtype(POINT),
        _objects(np.array([(1, 2.0)], POINT), np.array([(3, 4.0), (5, 6.0)], POINT)),
    ),
    "compound_vstr": (
        np.dtype([("n", "u1"), ("s", VSTR), ("v", h5py.vlen_dtype("<u2"))]),
        np.array(
            [(1, "x", np.arange(2, dtype="<u2")), (2, "", np.array([], "<u2"))],
            np.dtype([("n", "u1"), ("s", VSTR), ("v", h5py.vlen_dtype("<u2"))]),
        ),
    ),
}

ROUND_TRIP_ONLY: dict[str, tuple[Any, Any]] = {
    # h5py cannot write these (no conversion path), but libhdf5 reads them
    "vlen_array": (
        h5py.vlen_dtype(np.dtype(("<f4", (2,)))),
        _objects(np.ones((2, 2), "<f4"), np.zeros((1, 2), "<f4")),
    ),
    "array_vstr": (np.dtype((VSTR, (2,))), np.array([["a", "bc"], ["", "d"]], dtype=object)),
}


def _raw(path: str, name: str) -> bytes:
    with h5py.File(path, "r") as f:
        d = f[name]
        off, size = d.id.get_offset(), d.id.get_storage_size()
    with open(path, "rb") as fh:
        fh.seek(off)
        return fh.read(size)


@pytest.fixture(scope="module")
def h5py_file(tmp_path_factory: Any) -> str:
    path = str(tmp_path_factory.mktemp("ts") / "values.h5")
    with h5py.File(path, "w") as f:
        for name, (dtype, values) in CASES.items():
            dt = np.dtype(dtype)
            if dt.subdtype is None:
                f.create_dataset(name, data=values, dtype=dt)
                continue
            tid = h5py.h5t.py_create(dt)  # top-level arrays: h5py's high level cannot write
            space = h5py.h5s.create_simple(values.shape[: values.ndim - len(dt.shape)])
            h5py.h5d.create(f.id, name.encode(), tid, space).write(
                h5py.h5s.ALL, h5py.h5s.ALL, values, mtype=tid
            )
    return path


def _compare(ours: np.ndarray, theirs: np.ndarray, dt: Datatype, oh: Any, th: Any) -> None:
    """Equal storage bytes, except heap IDs: there the heap objects must be equal."""
    if isinstance(dt, VlenType) or (
        isinstance(dt, ReferenceType) and dt.kind == ReferenceKind.DATASET_REGION1
    ):
        for a, b in zip(ours.reshape(-1), theirs.reshape(-1)):
            if isinstance(dt, VlenType):
                assert a["length"] == b["length"]
            assert (a["address"] == 0) == (b["address"] == 0)
            if b["address"] == 0:
                continue
            ablob = oh.global_heap_object(int(a["address"]), int(a["index"]))
            bblob = th.global_heap_object(int(b["address"]), int(b["index"]))
            if isinstance(dt, VlenType) and dt.kind == 0:  # sequence: recurse on its elements
                n = int(b["length"])
                sd = storage_dtype(dt.base)
                _compare(np.frombuffer(ablob, sd, n), np.frombuffer(bblob, sd, n), dt.base, oh, th)
            else:
                assert ablob == bblob
    elif isinstance(dt, CompoundType):
        for m in dt.members:
            _compare(ours[m.name], theirs[m.name], m.effective_type, oh, th)
    elif isinstance(dt, ArrayType):
        _compare(ours, theirs, dt.base, oh, th)
    else:
        assert np.ascontiguousarray(ours).tobytes() == np.ascontiguousarray(theirs).tobytes()


def _has_heap_ids(dt: Datatype) -> bool:
    if isinstance(dt, VlenType):
        return True
    if isinstance(dt, ReferenceType):
        return dt.kind == ReferenceKind.DATASET_REGION1
    if isinstance(dt, CompoundType):
        return any(_has_heap_ids(m.effective_type) for m in dt.members)
    if isinstance(dt, ArrayType):
        return _has_heap_ids(dt.base)
    return False


@pytest.mark.parametrize("name", sorted(CASES))
def test_bytes_match_h5py(name: str, h5py_file: str) -> None:
    dtype, values = CASES[name]
    dt = hd.datatype_for(dtype)
    heap = FakeHeap()
    ours = hd.to_storage(values, dt, heap)
    assert ours.dtype == storage_dtype(dt) or ours.dtype == storage_dtype(dt).subdtype[0]
    raw = _raw(h5py_file, name)
    if not _has_heap_ids(dt):
        assert np.ascontiguousarray(ours).tobytes() == raw
        return
    theirs = np.frombuffer(raw, dtype=storage_dtype(dt), count=len(values))
    _compare(ours, theirs, dt, heap, FileHeap(BytesSource.from_path(h5py_file)))


def _equal(ours: Any, theirs: Any) -> None:
    if isinstance(theirs, np.ndarray) and theirs.dtype.names:
        for n in theirs.dtype.names:
            _equal(ours[n], theirs[n])
    elif isinstance(theirs, np.ndarray) and theirs.dtype.kind == "O":
        assert ours.shape == theirs.shape
        for a, b in zip(ours.reshape(-1), theirs.reshape(-1)):
            _equal(a, b)
    elif isinstance(theirs, str):
        assert ours == theirs.encode()
    elif isinstance(theirs, np.ndarray):
        np.testing.assert_array_equal(ours, theirs)
    else:
        assert ours == theirs


@pytest.mark.parametrize("name", sorted(CASES) + sorted(ROUND_TRIP_ONLY))
def test_round_trip(name: str, h5py_file: str) -> None:
    dtype, values = {**CASES, **ROUND_TRIP_ONLY}[name]
    dt = hd.datatype_for(dtype)
    heap = FakeHeap()
    back = hd.to_memory(hd.to_storage(values, dt, heap), dt, heap)
    _equal(back, values)
    if name in CASES:
        with h5py.File(h5py_file, "r") as f:  # and h5py reads the same values
            _equal(back, f[name][()])


def test_native_numbers_are_not_copied() -> None:
    a = np.arange(10, dtype="<f8")
    assert hd.to_storage(a, hd.datatype_for("<f8")) is a
    e = np.array([1, 2], dtype=h5py.enum_dtype({"a": 1, "b": 2}, "u1"))
    assert hd.to_storage(e, hd.datatype_for(e.dtype)) is e
    s = np.array([b"ab"], "S4")
    assert hd.to_storage(s, hd.datatype_for(s.dtype)) is s
    c = np.array([(1, 2.0)], POINT)
    assert hd.to_storage(c, hd.datatype_for(POINT)) is c


def test_byte_order_and_casts() -> None:
    out = hd.to_storage(np.array([1, 258], "<i4"), hd.datatype_for(">i4"))
    assert out.tobytes() == b"\0\0\0\x01\0\0\x01\x02"
    out = hd.to_storage(np.array([1.0]), hd.datatype_for("<f4"))
    assert out.dtype == np.dtype("<f4") and out[0] == 1.0


def test_references_match_h5py(tmp_path: Any) -> None:
    path = str(tmp_path / "refs.h5")
    with h5py.File(path, "w") as f:
        t1 = f.create_dataset("t1", data=np.arange(10))
        t2 = f.create_dataset("t2", data=np.zeros((4, 5)))
        f.create_dataset("ref", data=[t1.ref, h5py.Reference(), t2.ref], dtype=h5py.ref_dtype)
        rr = f.create_dataset("rr", (4,), dtype=h5py.regionref_dtype)
        rr[0] = t1.regionref[2:7:2]
        rr[2] = t2.regionref[1:3, ::2]
        rr[3] = t2.regionref[...]
        addresses = [h5py.h5o.get_info(d.id).addr for d in (t1, t2)]
    src = BytesSource.from_path(path)
    file_heap = FileHeap(src)

    refs = [hd.Reference(addresses[0]), None, hd.Reference(addresses[1])]
    ref_dt = hd.datatype_for(hd.ref_dtype)
    assert hd.to_storage(np.array(refs, dtype=object), ref_dt).tobytes() == _raw(path, "ref")

    # region references: the selections h5pure decodes from libhdf5's blobs re-encode to
    # the same blobs; the null reference stays all zero
    rr_dt = hd.datatype_for(hd.regionref_dtype)
    theirs = np.frombuffer(_raw(path, "rr"), storage_dtype(rr_dt))
    values = hd.to_memory(theirs, rr_dt, file_heap)
    assert not values[1] and values[0].address == addresses[0]
    heap = FakeHeap()
    ours = hd.to_storage(values, rr_dt, heap)
    _compare(ours, theirs, rr_dt, heap, file_heap)
    assert ours[1].tobytes() == bytes(12)


def test_empty_string_is_a_heap_object_and_empty_sequence_is_null() -> None:
    heap = FakeHeap()
    out = hd.to_storage(_objects("", None), hd.datatype_for(VSTR), heap)
    assert out[0]["length"] == 0 and out[0]["address"] != 0  # libhdf5 stores "" in the heap
    assert out[1].tobytes() == bytes(16)
    assert list(heap.objects.values()) == [b""]
    out = hd.to_storage(_objects(np.array([], "i4")), hd.datatype_for(hd.vlen_dtype("i4")), heap)
    assert out.tobytes() == bytes(16)


def test_vlen_without_heap_writer_raises() -> None:
    with pytest.raises(ValueError, match="heap writer"):
        hd.to_storage(_objects("x"), hd.datatype_for(VSTR))


def test_non_string_in_vlen_string_raises() -> None:
    with pytest.raises(TypeError):
        hd.to_storage(_objects(3), hd.datatype_for(VSTR), FakeHeap())


@pytest.mark.parametrize(
    "pad", [StringPadding.NULLTERM, StringPadding.NULLPAD, StringPadding.SPACEPAD]
)
def test_fixed_strings_convert_like_libhdf5(pad: StringPadding, tmp_path: Any) -> None:
    values = np.array([b"ab", b"abcdefgh", b"", b"a\0b", b"abcdef"], "S8")
    ftype = h5py.h5t.C_S1.copy()
    ftype.set_size(6)
    ftype.set_strpad(int(pad))
    path = str(tmp_path / "s.h5")
    with h5py.File(path, "w") as f:
        d = h5py.h5d.create(f.id, b"s", ftype, h5py.h5s.create_simple(values.shape))
        d.write(h5py.h5s.ALL, h5py.h5s.ALL, values)
    ours = hd.to_storage(values, StringType(1, 6, pad, CharacterSet.ASCII))
    assert ours.tobytes() == _raw(path, "s")


def test_str_items_in_fixed_strings_are_encoded() -> None:
    dt = hd.datatype_for(hd.string_dtype("utf-8", 4))
    out = hd.to_storage(np.array(["é", "abcdef"]), dt)
    assert out.tolist() == ["é".encode(), b"abcd"]
    with pytest.raises(UnicodeEncodeError):
        hd.to_storage(np.array(["é"]), hd.datatype_for("S4"))


FILL_CASES: dict[str, tuple[Any, Any]] = {
    "i2_be": (">i2", -5),
    "f8": ("<f8", 2.5),
    "f2": ("<f2", -1.5),
    "bool": (bool, True),
    "c8": ("<c8", 1 + 2j),
    "S4": ("S4", b"ab"),
    "enum": (h5py.enum_dtype({"A": 1, "B": 7}, "u1"), 7),
    "compound": (POINT, np.array((3, 1.5), POINT)),
    "opaque": ("V2", np.void(b"\x01\x02")),
}


@pytest.mark.parametrize("name", sorted(FILL_CASES))
def test_fill_value_bytes_match_h5py(name: str, tmp_path: Any) -> None:
    dtype, value = FILL_CASES[name]
    path = str(tmp_path / "fill.h5")
    with h5py.File(path, "w") as f:
        d = f.create_dataset("d", (3,), dtype=dtype, fillvalue=value)
        address = h5py.h5o.get_info(d.id).addr
    oh = read_object_header(BytesSource.from_path(path), FormatContext(), address)
    (msg,) = [m for m in oh.messages if m.type == MessageType.FILL_VALUE]
    stored = decode_message(msg, FormatContext()).value
    assert hd.fill_value_bytes(value, hd.datatype_for(dtype)) == stored


def test_fill_value_for_vlen_string_goes_to_the_heap() -> None:
    heap = FakeHeap()
    raw = hd.fill_value_bytes("abc", hd.datatype_for(VSTR), heap)
    assert len(raw) == 16 and list(heap.objects.values()) == [b"abc"]
