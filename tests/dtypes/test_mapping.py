"""numpy_dtype / storage_dtype / to_memory against what h5py reads from the same files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import h5pure.dtypes as hd
from h5pure.errors import UnsupportedFeatureError
from h5pure.format.context import FormatContext
from h5pure.format.global_heap import read_global_heap_collection
from h5pure.format.messages.datatype import decode_datatype
from h5pure.format.object_header import read_object_header
from h5pure.testing.sources import BytesSource

h5py = pytest.importorskip("h5py")
h5t = h5py.h5t


class HeapResolver:
    """Test resolver over a file image, built on format/global_heap.py."""

    def __init__(self, src: BytesSource) -> None:
        self.src = src
        self.calls = 0

    def global_heap_object(self, collection_address: int, index: int) -> bytes:
        self.calls += 1
        coll = read_global_heap_collection(self.src, FormatContext(), collection_address)
        return coll.objects[index]


def _datatype_of(path: str, name: str) -> Any:
    with h5py.File(path, "r") as f:
        address = h5py.h5o.get_info(f[name].id).addr
    oh = read_object_header(BytesSource.from_path(path), FormatContext(), address)
    (msg,) = [m for m in oh.messages if m.type == 3]
    return decode_datatype(msg.data)[0]


def _raw(path: str, name: str) -> bytes:
    with h5py.File(path, "r") as f:
        d = f[name]
        off, size = d.id.get_offset(), d.id.get_storage_size()
    with open(path, "rb") as fh:
        fh.seek(off)
        return fh.read(size)


def _ref_address(f: Any, ref: Any) -> int:
    if not ref:
        return 0
    return int(h5py.h5o.get_info(h5py.h5r.dereference(ref, f.id)).addr)


def _same_dtype(ours: np.dtype, theirs: np.dtype) -> None:
    assert ours == theirs
    assert ours.str == theirs.str
    if theirs.names:
        assert ours.names == theirs.names
        for n in theirs.names:
            _same_dtype(ours.fields[n][0], theirs.fields[n][0])
            assert ours.fields[n][1] == theirs.fields[n][1]
    if theirs.subdtype:
        assert ours.subdtype is not None
        _same_dtype(ours.subdtype[0], theirs.subdtype[0])
        assert ours.shape == theirs.shape
    tm, om = theirs.metadata or {}, ours.metadata or {}
    assert set(om) == set(tm)
    for k, v in tm.items():
        if k == "ref":
            assert om[k].__name__ == v.__name__
        elif isinstance(v, np.dtype):
            _same_dtype(om[k], v)
        else:
            assert om[k] == v
    assert hd.check_string_dtype(ours) == h5py.check_string_dtype(theirs)


def _equal_values(ours: Any, theirs: Any) -> None:
    if isinstance(theirs, np.ndarray) and theirs.dtype.kind == "O":
        assert ours.shape == theirs.shape
        for a, b in zip(ours.reshape(-1), theirs.reshape(-1)):
            _equal_values(a, b)
    elif isinstance(theirs, np.ndarray) and theirs.dtype.names:
        assert ours.dtype.names == theirs.dtype.names
        for n in theirs.dtype.names:
            _equal_values(ours[n], theirs[n])
    elif isinstance(theirs, np.ndarray):
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)
    else:
        assert ours == theirs


def _low(f: Any, name: str, tid: Any, data: np.ndarray, mem: Any = None) -> None:
    shape = data.shape[:1] if mem is not None and mem.get_class() == h5t.ARRAY else data.shape
    d = h5py.h5d.create(f.id, name.encode(), tid, h5py.h5s.create_simple(shape))
    d.write(h5py.h5s.ALL, h5py.h5s.ALL, data, mtype=mem)


def _string_type(pad: int, cset: int = 0) -> Any:
    t = h5t.C_S1.copy()
    t.set_size(6)
    t.set_strpad(pad)
    t.set_cset(cset)
    return t


def _float_type(size: int, fields: tuple[int, ...], bias: int, order: int = h5t.ORDER_LE) -> Any:
    t = (h5t.IEEE_F64LE if size > 4 else h5t.IEEE_F32LE).copy()
    t.set_fields(*fields)
    t.set_size(size)
    t.set_precision(8 * size)
    t.set_fields(*fields)
    t.set_ebias(bias)
    t.set_order(order)
    return t


FLOAT_SAMPLES = np.array([0.0, -0.0, 1.0, -2.5, 0.15625, 3.0e-3, 100.0, np.inf, -np.inf], "<f4")


def _int_precision(f: Any) -> None:
    t = h5t.STD_I16LE.copy()
    t.set_precision(12)
    t.set_offset(2)
    _low(f, "int12", t, np.array([0, 1, -1, 2047, -2048, 77], "<i2"))


def _bfloat(f: Any) -> None:
    _low(f, "bf16", _float_type(2, (15, 7, 8, 0, 7), 127), FLOAT_SAMPLES, mem=h5t.IEEE_F32LE)
    _low(
        f,
        "bf16be",
        _float_type(2, (15, 7, 8, 0, 7), 127, h5t.ORDER_BE),
        FLOAT_SAMPLES,
        mem=h5t.IEEE_F32LE,
    )
    e4m3 = np.array([0.0, 1.0, -1.5, 0.125, 4.0], "<f4")
    _low(f, "e4m3", _float_type(1, (7, 3, 4, 0, 3), 7), e4m3, mem=h5t.IEEE_F32LE)


def _strings(f: Any) -> None:
    # written with the file type as memory type: the bytes land on disk as given
    nt = _string_type(h5t.STR_NULLTERM)
    _low(f, "s_nullterm", nt, np.array([b"ab\0xyz", b"abcdef", b"", b"a c  "], "S6"), mem=nt)
    sp = _string_type(h5t.STR_SPACEPAD, h5t.CSET_UTF8)
    _low(f, "s_spacepad", sp, np.array([b"ab    ", b"abcdef", b"      ", b"a c  "], "S6"), mem=sp)
    npd = _string_type(h5t.STR_NULLPAD)
    _low(f, "s_nullpad", npd, np.array([b"ab", b"abcdef", b"", b"a c  "], "S6"), mem=npd)
    f["s_fixed"] = np.array([b"xy", b"z"], "S3")


def _numbers(f: Any) -> None:
    for code in ["i1", "u1", "<i2", ">i2", "<u2", ">u4", "<i4", ">i8", "<u8", ">u8"]:
        f[f"int_{code}"] = (
            np.arange(-3, 5).astype(code) if "i" in code else np.arange(8).astype(code)
        )
    for code in [
        "<f2",
        ">f2",
        "<f4",
        ">f4",
        "<f8",
        ">f8",
        "<c8",
        ">c8",
        "<c16",
        ">c16",
        "longdouble",
    ]:
        f[f"num_{code}"] = (
            np.linspace(-2, 3, 7) * (1 + 1j if code[-2:] in ("c8", "16") and "c" in code else 1)
        ).astype(code)
    f["bool"] = np.array([True, False, True])
    f["bitfield"] = np.zeros(3, "u1")
    _low(f, "bitfield16be", h5t.STD_B16BE, np.array([1, 2, 65535], ">u2"))


def _special(f: Any) -> None:
    f.create_dataset(
        "enum", data=np.array([1, -7, 1], "i2"), dtype=h5py.enum_dtype({"RED": 1, "BLUE": -7}, "i2")
    )
    f.create_dataset("opaque", data=np.array([1, 2], "M8[s]").astype(h5py.opaque_dtype("M8[s]")))
    f.create_dataset("void", data=np.array([b"abcde", b"xy"], "V5"))
    f.create_dataset("vstr", data=["hello", "wörld", ""], dtype=h5py.string_dtype())
    f.create_dataset("vbytes", data=[b"abc", b"", b"xy"], dtype=h5py.string_dtype("ascii"))
    vl = np.empty(3, object)
    vl[:] = [np.arange(3, dtype="<i4"), np.array([], "<i4"), np.array([7], "<i4")]
    f.create_dataset("vlen_i4", data=vl, dtype=h5py.vlen_dtype("<i4"))
    vf = np.empty(2, object)
    vf[:] = [np.array([1.5, 2.5], "<f8"), np.array([3.0], "<f8")]
    f.create_dataset("vlen_f8", data=vf, dtype=h5py.vlen_dtype("<f8"))
    arr_t = h5t.array_create(h5t.STD_I32LE, (3, 2))
    _low(f, "array", arr_t, np.arange(12, dtype="<i4").reshape(2, 3, 2), mem=arr_t)


def _compounds(f: Any) -> None:
    vstr = h5py.string_dtype()
    dt = np.dtype(
        [
            ("a", "<i4"),
            ("b", [("x", ">f8"), ("y", "S3")]),
            ("c", "<f4", (2, 3)),
            ("s", vstr),
            ("z", "?"),
        ]
    )
    data = np.zeros(3, dt)
    data["a"] = [1, 2, 3]
    data["b"]["x"] = [0.5, 1.5, 2.5]
    data["b"]["y"] = [b"a", b"bb", b"ccc"]
    data["c"] = np.arange(18).reshape(3, 2, 3)
    data["s"] = ["one", "two", ""]
    data["z"] = [True, False, True]
    f["compound"] = data
    aligned = np.dtype(
        {"names": ["p", "q"], "formats": ["u1", "<f8"], "offsets": [0, 8], "itemsize": 16}
    )
    f["padded"] = np.array([(1, 2.0), (3, 4.0)], aligned)
    half = h5t.create(h5t.COMPOUND, 4)
    half.insert(b"r", 0, h5t.IEEE_F16LE)
    half.insert(b"i", 2, h5t.IEEE_F16LE)
    _low(f, "half_ri", half, np.array([(1.0, 2.0)], [("r", "<f2"), ("i", "<f2")]))
    odd = h5t.create(h5t.COMPOUND, 20)
    odd.insert(b"r", 12, h5t.IEEE_F64LE)
    odd.insert(b"i", 0, h5t.IEEE_F64LE)
    _low(f, "odd_ri", odd, np.array([1 + 2j, -3.5j]), mem=h5t.py_create(np.dtype("<c16")))
    f["complex11"] = np.array([1 + 2j, 3 - 4j], "<c8")
    cplx = h5t.COMPLEX_IEEE_F64BE
    _low(f, "complex11be", cplx, np.array([1 + 2j, 3 - 4j], "<c16"), mem=h5t.COMPLEX_IEEE_F64LE)


def _refs(f: Any) -> None:
    tgt = f.create_dataset("target", data=np.arange(100).reshape(10, 10))
    r = f.create_dataset("objref", (3,), dtype=h5py.ref_dtype)
    r[0] = tgt.ref
    r[1] = f["/"].ref
    g = f.create_dataset("regref", (3,), dtype=h5py.regionref_dtype)
    g[0] = tgt.regionref[1:3, 2:5]
    g[1] = tgt.regionref[[1, 4], :]


BUILDERS: dict[str, Callable[[Any], None]] = {
    "numbers": _numbers,
    "int_precision": _int_precision,
    "bfloat": _bfloat,
    "strings": _strings,
    "special": _special,
    "compounds": _compounds,
    "refs": _refs,
}


@pytest.fixture(scope="module", params=["earliest", "latest"])
def built(request: Any, tmp_path_factory: Any) -> str:
    path = str(tmp_path_factory.mktemp("m") / f"all_{request.param}.h5")
    with h5py.File(path, "w", libver=request.param) as f:
        for build in BUILDERS.values():
            build(f)
    return path


def _names(path: str) -> list[str]:
    with h5py.File(path, "r") as f:
        return sorted(f)


def test_numpy_dtype_and_values_match_h5py(built: str) -> None:
    src = BytesSource.from_path(built)
    names = _names(built)
    assert len(names) > 40
    for name in names:
        dt = _datatype_of(built, name)
        with h5py.File(built, "r") as f:
            theirs_dtype = f[name].dtype
            theirs = f[name][...]
            if h5py.check_ref_dtype(theirs_dtype) is not None:  # compare target addresses
                theirs = np.array([_ref_address(f, r) for r in theirs.reshape(-1)])
        ours_dtype = hd.numpy_dtype(dt)
        _same_dtype(ours_dtype, theirs_dtype)
        sdt = hd.storage_dtype(dt)
        assert sdt.itemsize == dt.size, name
        raw = np.frombuffer(_raw(built, name), dtype=sdt)
        ours = hd.to_memory(raw, dt, HeapResolver(src))
        if hd.check_ref_dtype(ours_dtype) is not None:
            assert all(type(r) is hd.check_ref_dtype(ours_dtype) for r in ours)
            ours = np.array([r.address for r in ours])
        try:
            _equal_values(ours.reshape(theirs.shape), theirs)
        except AssertionError as e:  # name the dataset that failed
            raise AssertionError(f"{name}: {e}") from None


@pytest.mark.parametrize(
    "name", ["int_<i4", "num_>f8", "num_<c16", "enum", "array", "s_nullpad", "opaque"]
)
def test_fast_path_returns_input_without_copy(built: str, name: str) -> None:
    dt = _datatype_of(built, name)
    assert not hd.needs_conversion(dt)
    raw = np.frombuffer(_raw(built, name), dtype=hd.storage_dtype(dt))
    out = hd.to_memory(raw, dt, None)
    assert np.shares_memory(out, raw)
    if out.dtype == raw.dtype and (out.dtype.metadata or {}) == (raw.dtype.metadata or {}):
        assert out is raw


@pytest.mark.parametrize(
    "name", ["vstr", "vlen_i4", "objref", "bool", "s_spacepad", "bf16", "int12"]
)
def test_conversion_needed(built: str, name: str) -> None:
    assert hd.needs_conversion(_datatype_of(built, name))


def test_decode_strings_for_attributes(built: str) -> None:
    dt = _datatype_of(built, "vstr")
    raw = np.frombuffer(_raw(built, "vstr"), dtype=hd.storage_dtype(dt))
    got = hd.to_memory(raw, dt, HeapResolver(BytesSource.from_path(built)))
    assert list(got) == [b"hello", "wörld".encode(), b""]
    assert list(hd.decode_strings(got)) == ["hello", "wörld", ""]


def test_time_and_complex16_raise_cleanly(tmp_path: Any) -> None:
    path = str(tmp_path / "t.h5")
    with h5py.File(path, "w") as f:
        h5py.h5d.create(f.id, b"time", h5t.UNIX_D32LE, h5py.h5s.create_simple((2,)))
        h5py.h5d.create(f.id, b"c32", h5t.COMPLEX_IEEE_F16LE, h5py.h5s.create_simple((2,)))
    for name in ("time", "c32"):
        dt = _datatype_of(path, name)
        with pytest.raises(UnsupportedFeatureError):
            hd.numpy_dtype(dt)
        with h5py.File(path, "r") as f, pytest.raises(TypeError):
            f[name].dtype  # noqa: B018 - h5py refuses too
    with pytest.raises(UnsupportedFeatureError):
        hd.to_memory(np.zeros(2, "V4"), _datatype_of(path, "time"), None)


HELPER_CASES: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("string_dtype", (), {}),
    ("string_dtype", ("ascii",), {}),
    ("string_dtype", ("utf8", 10), {}),
    ("string_dtype", (), {"encoding": "ASCII", "length": 3}),
    ("vlen_dtype", (np.dtype("<i4"),), {}),
    ("vlen_dtype", (str,), {}),
    ("enum_dtype", ({"a": 1, "b": 2},), {}),
    ("enum_dtype", ({"a": 1},), {"basetype": "i2"}),
    ("opaque_dtype", (np.dtype("M8[ns]"),), {}),
    ("special_dtype", (), {"vlen": bytes}),
    ("special_dtype", (), {"enum": (np.int8, {"x": 0})}),
]


@pytest.mark.parametrize("func,args,kwargs", HELPER_CASES)
def test_helper_functions_match_h5py(
    func: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    ours = getattr(hd, func)(*args, **kwargs)
    theirs = getattr(h5py, func)(*args, **kwargs)
    assert ours == theirs and ours.str == theirs.str
    assert ours.metadata == theirs.metadata
    for check in (
        "check_vlen_dtype",
        "check_enum_dtype",
        "check_opaque_dtype",
        "check_string_dtype",
    ):
        assert getattr(hd, check)(ours) == getattr(h5py, check)(theirs)
    for kind in ("vlen", "enum", "ref"):
        assert hd.check_dtype(**{kind: ours}) == h5py.check_dtype(**{kind: theirs})


@pytest.mark.parametrize(
    "func,args,kwargs",
    [
        ("string_dtype", ("latin-1",), {}),
        ("string_dtype", (), {"length": 2.5}),
        ("enum_dtype", ({"a": 1},), {"basetype": "f4"}),
        ("opaque_dtype", ("O",), {}),
        ("opaque_dtype", ("V0",), {}),
        ("opaque_dtype", ([("a", "i4")],), {}),
        ("special_dtype", (), {"vlen": str, "enum": 1}),
        ("special_dtype", (), {"ref": int}),
        ("special_dtype", (), {"nope": int}),
        ("check_dtype", (), {"nope": int}),
    ],
)
def test_helper_errors_match_h5py(func: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    with pytest.raises(Exception) as theirs:
        getattr(h5py, func)(*args, **dict(kwargs))
    with pytest.raises(theirs.type):
        getattr(hd, func)(*args, **dict(kwargs))


def test_ref_dtypes_and_check_ref() -> None:
    assert hd.check_ref_dtype(hd.ref_dtype) is hd.Reference
    assert hd.check_ref_dtype(hd.regionref_dtype) is hd.RegionReference
    assert hd.check_ref_dtype(np.dtype("O")) is None
    assert hd.special_dtype(ref=hd.Reference) is hd.ref_dtype
    assert hd.check_dtype(ref=hd.regionref_dtype) is hd.RegionReference
    assert hd.check_string_dtype(np.dtype("i4")) is None
