"""datatype_for: byte for byte the datatype message libhdf5 stores when h5py creates a
dataset or attribute of a numpy dtype, for every libver low bound."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import h5pure.dtypes as hd
from h5pure.format.context import FormatContext
from h5pure.format.messages import MessageType, decode_message
from h5pure.format.messages.datatype import (
    ArrayType,
    CompoundType,
    EnumType,
    VlenType,
    decode_datatype,
    encode_datatype,
)
from h5pure.format.object_header import read_object_header
from h5pure.testing.sources import BytesSource

h5py = pytest.importorskip("h5py")

LIBVERS = ["earliest", "v108", "v110", "v112", "v114", "v200", "latest"]


def _cases() -> dict[str, np.dtype]:
    vstr = h5py.string_dtype()
    enum_ab = h5py.enum_dtype({"a": 1, "b": 2})
    return {
        # integers and floats of every size and byte order
        **{f"int_{c}": np.dtype(c) for c in ["i1", "u1", "<i2", ">u2", "<u4", ">i4", "<i8", ">u8"]},
        **{f"float_{c}": np.dtype(c) for c in ["<f2", ">f2", "<f4", ">f4", "<f8", ">f8"]},
        "native_int": np.dtype("=i4"),
        "longdouble": np.dtype(np.longdouble),
        "bool": np.dtype(bool),
        "c8": np.dtype("<c8"),
        "c8_be": np.dtype(">c8"),
        "c16": np.dtype("<c16"),
        "c16_be": np.dtype(">c16"),
        "clongdouble": np.dtype(np.clongdouble),
        # strings
        "vlen_utf8": vstr,
        "vlen_ascii": h5py.string_dtype("ascii"),
        "fixed_S5": np.dtype("S5"),
        "fixed_utf8": h5py.string_dtype("utf-8", 7),
        "fixed_ascii": h5py.string_dtype("ascii", 3),
        # opaque
        "void": np.dtype("V3"),
        "opaque_m8": h5py.opaque_dtype(np.dtype("<M8[s]")),
        "opaque_be": h5py.opaque_dtype(np.dtype(">u2")),
        # compounds
        "compound": np.dtype([("a", "<i4"), ("b", ">f8", (2, 3)), ("c", vstr)]),
        "compound_offsets": np.dtype(
            {"names": ["x", "y"], "formats": ["u1", "<f4"], "offsets": [8, 0], "itemsize": 20}
        ),
        "compound_vlen_unsorted": np.dtype(
            {"names": ["x", "y", "z"], "formats": [vstr, "<f4", "i2"], "offsets": [8, 0, 16]}
        ),
        "compound_nested": np.dtype([("p", [("q", "i2"), ("r", "S3")]), ("z", "c8")]),
        "compound_aligned": np.dtype([("a", "u1"), ("b", "f8")], align=True),
        "compound_refs": np.dtype([("r", h5py.ref_dtype), ("g", h5py.regionref_dtype)]),
        "compound_vlen_seq": np.dtype([("a", "u1"), ("v", h5py.vlen_dtype("<f8")), ("b", "u1")]),
        # version upgrades on insertion (array members are v2 in earliest files)
        "insert_array_first": np.dtype([("a", "f4", (2,)), ("b", [("c", "i4")])]),
        "insert_array_last": np.dtype([("b", [("c", "i4")]), ("a", "f4", (2,))]),
        "insert_nested": np.dtype([("m", [("q", "f4", (2,)), ("p", [("i", "i4")])])]),
        "insert_mixed": np.dtype(
            [("e", enum_ab), ("a", "f4", (2,)), ("v", h5py.vlen_dtype(np.dtype([("x", "i4")])))]
        ),
        # enums (members stored in name order)
        "enum": h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 42}, basetype=">i2"),
        "enum_names": h5py.enum_dtype({"b": 1, "a": -2, "B": 0, "é": 5}, basetype="i8"),
        # arrays
        "array": np.dtype(("<f4", (2, 2))),
        "array_compound": np.dtype(([("x", "i4"), ("y", "f4", (3,))], (2,))),
        "array_vlen_str": np.dtype((vstr, (3,))),
        # vlen sequences
        "vlen_i4": h5py.vlen_dtype(np.dtype("<i4")),
        "vlen_array": h5py.vlen_dtype(np.dtype(("f4", (3,)))),
        "vlen_compound": h5py.vlen_dtype(np.dtype([("x", "i4"), ("s", vstr)])),
        "vlen_vlen": h5py.vlen_dtype(h5py.vlen_dtype("i2")),
        "vlen_enum": h5py.vlen_dtype(h5py.enum_dtype({"x": 1}, "u1")),
        # references
        "ref": h5py.ref_dtype,
        "regionref": h5py.regionref_dtype,
    }


CASES = _cases()


def _stored_types(path: str) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Datatype message bodies (without v1 padding) of each dataset, and of the attribute
    of each group (one attribute per group keeps them compact in every libver)."""
    src = BytesSource.from_path(path)
    with h5py.File(path, "r") as f:
        addresses = {
            k: (h5py.h5o.get_info(v.id).addr, isinstance(v, h5py.Group)) for k, v in f.items()
        }
    datasets, attributes = {}, {}
    for name, (address, is_group) in addresses.items():
        for msg in read_object_header(src, FormatContext(), address).messages:
            if not is_group and msg.type == MessageType.DATATYPE:
                _, n = decode_datatype(msg.data)
                assert not any(msg.data[n:]), "datatype message padding must be zero"
                datasets[name] = msg.data[:n]
            elif is_group and msg.type == MessageType.ATTRIBUTE:
                attributes[name] = encode_datatype(decode_message(msg, FormatContext()).datatype)
    return datasets, attributes


@pytest.fixture(scope="module", params=LIBVERS)
def stored(request: Any, tmp_path_factory: Any) -> tuple[str, dict[str, bytes], dict[str, bytes]]:
    """One h5py file per libver: a dataset and an attribute of each dtype."""
    libver = request.param
    path = str(tmp_path_factory.mktemp("dt") / f"{libver}.h5")
    with h5py.File(path, "w", libver=(libver, "latest")) as f:
        for name, dt in CASES.items():
            f.create_dataset(name, (2,), dtype=dt)
            tid = h5py.h5t.py_create(dt, logical=True)
            holder = f.create_group(f"attr_{name}")
            h5py.h5a.create(holder.id, b"a", tid, h5py.h5s.create_simple((2,))).close()
        for name, value in VALUES.items():
            f.create_group(f"value_{name}").attrs["a"] = value
    datasets, attributes = _stored_types(path)
    return libver, datasets, attributes


@pytest.mark.parametrize("name", sorted(CASES))
def test_dataset_datatype_bytes(name: str, stored: Any) -> None:
    libver, datasets, _ = stored
    ours = encode_datatype(hd.datatype_for(CASES[name], libver_low=libver))
    assert ours == datasets[name], decode_datatype(datasets[name])[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_attribute_datatype_bytes(name: str, stored: Any) -> None:
    libver, _, attributes = stored
    assert (
        encode_datatype(hd.datatype_for(CASES[name], libver_low=libver))
        == attributes[f"attr_{name}"]
    )


VALUES: dict[str, Any] = {
    "str": "héllo",
    "bytes": b"abc",
    "np_bytes": np.bytes_(b"xy"),
    "str_list": ["a", "bc"],
    "bytes_nested": [[b"a"], [b"bc"]],
    "str_object_array": np.array(["x", "yz"], dtype=object),
    "int": 5,
    "float": 1.5,
    "bool": True,
    "complex": 1j,
    "int_array": np.arange(3, dtype=">i2"),
    "fixed_array": np.array([b"a", b"bcd"]),
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_attribute_value_types(name: str, stored: Any) -> None:
    """``attrs[name] = value``: str -> vlen UTF-8, bytes -> vlen ASCII, np.bytes_ -> fixed."""
    libver, _, attributes = stored
    value = VALUES[name]
    dt = hd.guess_dtype(value)
    if dt is None:
        dt = np.asarray(value).dtype
    assert encode_datatype(hd.datatype_for(dt, libver_low=libver)) == attributes[f"value_{name}"]


def test_guess_dtype_of_reference_lists() -> None:
    """As h5py's ``find_item_type``: a list whose items are all references is stored as
    references (h5py's own test_store_refs / test_store_regionrefs)."""
    refs = [hd.Reference(96), hd.Reference(800)]
    assert hd.check_ref_dtype(hd.guess_dtype(refs)) is hd.Reference
    regions = np.array([hd.RegionReference(96), hd.RegionReference(800)], dtype=object)
    assert hd.check_ref_dtype(hd.guess_dtype(regions)) is hd.RegionReference
    assert hd.guess_dtype([hd.Reference(96), "x"]) is None


def test_guess_dtype() -> None:
    assert hd.check_string_dtype(hd.guess_dtype("x")) == hd.string_info("utf-8", None)
    assert hd.check_string_dtype(hd.guess_dtype([b"x", [b"y"]])) == hd.string_info("ascii", None)
    assert hd.guess_dtype(["x", b"y"]) is None
    assert hd.guess_dtype(np.bytes_(b"x")) is None
    assert hd.guess_dtype(np.array(["x"])) is None
    assert hd.check_ref_dtype(hd.guess_dtype(hd.Reference(8))) is hd.Reference
    assert hd.check_ref_dtype(hd.guess_dtype(hd.RegionReference(8))) is hd.RegionReference


@pytest.mark.parametrize(
    "ours,theirs",
    [
        (hd.string_dtype(), h5py.string_dtype()),
        (hd.string_dtype("ascii", 4), h5py.string_dtype("ascii", 4)),
        (hd.vlen_dtype("i2"), h5py.vlen_dtype("i2")),
        (hd.enum_dtype({"a": 1}, "u2"), h5py.enum_dtype({"a": 1}, "u2")),
        (hd.opaque_dtype("M8[D]"), h5py.opaque_dtype("M8[D]")),
        (hd.ref_dtype, h5py.ref_dtype),
        (hd.regionref_dtype, h5py.regionref_dtype),
    ],
)
def test_h5pure_dtypes_match_h5py_dtypes(ours: np.dtype, theirs: np.dtype) -> None:
    """h5pure's special dtypes map like h5py's."""
    assert hd.datatype_for(ours) == hd.datatype_for(theirs)


def test_versions() -> None:
    cmp = hd.datatype_for(CASES["insert_array_last"])
    assert isinstance(cmp, CompoundType) and cmp.version == 2
    assert [m.datatype.version for m in cmp.members] == [2, 2]
    cmp = hd.datatype_for(CASES["insert_array_first"])
    assert isinstance(cmp, CompoundType)
    assert [m.datatype.version for m in cmp.members] == [2, 1]
    latest = hd.datatype_for(CASES["vlen_compound"], libver_low="latest")
    assert isinstance(latest, VlenType) and latest.version == 5
    assert isinstance(hd.datatype_for(CASES["array"], libver_low="v112"), ArrayType)
    assert hd.datatype_for(CASES["enum"], libver_low="v112").version == 4
    assert hd.datatype_for("<f8", libver_low="latest").version == 1
    assert isinstance(hd.datatype_for(bool), EnumType)


@pytest.mark.parametrize("dt", ["U3", "M8[s]", "m8[s]", object])
def test_unsupported_dtypes_raise_like_h5py(dt: np.dtype) -> None:
    with pytest.raises(TypeError):
        h5py.h5t.py_create(dt, logical=True)
    with pytest.raises(TypeError):
        hd.datatype_for(dt)


def test_zero_size_opaque_raises_like_h5py() -> None:
    with pytest.raises(ValueError):
        h5py.h5t.py_create(np.dtype("V0"), logical=True)
    with pytest.raises(ValueError):
        hd.datatype_for("V0")


def test_unknown_libver() -> None:
    with pytest.raises(ValueError, match="libver"):
        hd.datatype_for("i4", libver_low="v999")


def test_size_of_offsets() -> None:
    ref = hd.datatype_for(hd.regionref_dtype, size_of_offsets=4)
    assert ref.size == 8
    assert hd.datatype_for(hd.string_dtype(), size_of_offsets=4).size == 12
