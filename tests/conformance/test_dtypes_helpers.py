"""h5py's special dtype helpers and public classes, called the same way on both libraries."""

import re

import numpy as np
import pytest

from ._plain import plain

HELPERS = {
    "string default": lambda lib: lib.check_string_dtype(lib.string_dtype()),
    "string ascii": lambda lib: lib.check_string_dtype(lib.string_dtype("ascii")),
    "string fixed": lambda lib: (lib.string_dtype("utf-8", 10), lib.check_string_dtype(lib.string_dtype("utf-8", 10))),
    "string ascii fixed": lambda lib: lib.string_dtype("ascii", 3),
    "string bad": lambda lib: lib.string_dtype("utf-16"),
    "string bad length": lambda lib: lib.string_dtype("utf-8", -1),
    "string upper enc": lambda lib: lib.string_dtype("UTF-8"),
    "string utf8 alias": lambda lib: lib.string_dtype("utf8"),
    "check U": lambda lib: lib.check_string_dtype(np.dtype("U4")),
    "check S": lambda lib: lib.check_string_dtype(np.dtype("S4")),
    "check O": lambda lib: lib.check_string_dtype(np.dtype("O")),
    "vlen f8": lambda lib: (lib.vlen_dtype("f8"), lib.check_vlen_dtype(lib.vlen_dtype(np.float64))),
    "vlen str": lambda lib: lib.check_vlen_dtype(lib.vlen_dtype(str)),
    "vlen bytes": lambda lib: lib.check_vlen_dtype(lib.vlen_dtype(bytes)),
    "vlen compound": lambda lib: lib.check_vlen_dtype(lib.vlen_dtype([("a", "i4"), ("b", "f4")])),
    "vlen of vlen": lambda lib: lib.check_vlen_dtype(lib.vlen_dtype(lib.vlen_dtype("i2"))) is not None,
    "enum": lambda lib: lib.check_enum_dtype(lib.enum_dtype({"a": 1, "b": 2})),
    "enum dtype": lambda lib: lib.enum_dtype({"a": 1, "b": 2}),
    "enum i8": lambda lib: lib.enum_dtype({"a": -1}, basetype="i8"),
    "enum str base": lambda lib: lib.enum_dtype({"a": 1}, basetype=str),
    "enum bool": lambda lib: lib.enum_dtype({"FALSE": 0, "TRUE": 1}, basetype=np.bool_),
    "check enum plain": lambda lib: lib.check_enum_dtype(np.dtype("u1")),
    "opaque": lambda lib: (lib.opaque_dtype("V8"), lib.check_opaque_dtype(lib.opaque_dtype("V8"))),
    "opaque from M8": lambda lib: lib.opaque_dtype(np.dtype("M8[s]")),
    "opaque bad": lambda lib: lib.opaque_dtype("f8"),
    "check opaque f8": lambda lib: lib.check_opaque_dtype(np.dtype("f8")),
    "ref dtypes": lambda lib: (lib.ref_dtype, lib.regionref_dtype),
    "check ref": lambda lib: (
        plain(lib.check_ref_dtype(lib.ref_dtype)), plain(lib.check_ref_dtype(lib.regionref_dtype))
    ),
    "check ref O": lambda lib: lib.check_ref_dtype(np.dtype("O")),
    "special vlen": lambda lib: lib.special_dtype(vlen=np.dtype("i4")),
    "special enum": lambda lib: lib.special_dtype(enum=(np.int16, {"X": 3})),
    "special ref": lambda lib: lib.special_dtype(ref=lib.Reference),
    "special regionref": lambda lib: lib.special_dtype(ref=lib.RegionReference),
    "special ref bad": lambda lib: lib.special_dtype(ref=int),
    "special none": lambda lib: lib.special_dtype(),
    "check_dtype vlen": lambda lib: plain(lib.check_dtype(vlen=lib.string_dtype())),
    "check_dtype enum": lambda lib: lib.check_dtype(enum=lib.enum_dtype({"a": 0})),
    "check_dtype ref": lambda lib: plain(lib.check_dtype(ref=lib.regionref_dtype)),
    "check_dtype two": lambda lib: lib.check_dtype(vlen=np.dtype("O"), enum=np.dtype("O")),
    "check_dtype none": lambda lib: lib.check_dtype(),
    "empty": lambda lib: (lib.Empty("i2") == lib.Empty("i2"), lib.Empty("i2") == lib.Empty("i4"),
                          repr(lib.Empty("i2"))),
    "empty shape": lambda lib: (lib.Empty("i2").shape, lib.Empty("i2").size, lib.Empty("i2").dtype),
    "links": lambda lib: (
        # (h5py compares links by identity, h5pure by value: equality is not compared)
        repr(lib.ExternalLink("a.h5", "/y")),
        repr(lib.SoftLink("/x")), lib.ExternalLink("a.h5", "/y").filename,
    ),
    "softlink bytes": lambda lib: lib.SoftLink(b"/x").path,
    "version": lambda lib: (
        type(lib.version.version).__name__, len(lib.version.version_tuple),
        type(lib.version.hdf5_version).__name__, len(lib.version.hdf5_version_tuple),
        isinstance(lib.version.api_version_tuple, tuple), type(lib.version.numpy_version).__name__,
    ),
    "class relations": lambda lib: (
        issubclass(lib.File, lib.Group), issubclass(lib.Group, lib.HLObject),
        issubclass(lib.Dataset, lib.HLObject), issubclass(lib.Datatype, lib.HLObject),
        issubclass(lib.RegionReference, lib.Reference) if isinstance(lib.Reference, type) else None,
    ),
    "mapping abc": lambda lib: (
        __import__("collections.abc").abc.MutableMapping.__subclasscheck__(lib.Group),
        __import__("collections.abc").abc.MutableMapping.__subclasscheck__(lib.AttributeManager),
    ),
}


@pytest.mark.parametrize("case", HELPERS)
def test_helpers(compare, case):
    compare(lambda lib, path: HELPERS[case](lib))


DTYPES = {
    "vlen str": lambda lib: lib.string_dtype(),
    "ascii vlen": lambda lib: lib.string_dtype("ascii"),
    "fixed utf8": lambda lib: lib.string_dtype("utf-8", 7),
    "vlen i4": lambda lib: lib.vlen_dtype("i4"),
    "enum": lambda lib: lib.enum_dtype({"LOW": 0, "HIGH": 9}, basetype="i2"),
    "opaque": lambda lib: lib.opaque_dtype("V3"),
    "ref": lambda lib: lib.ref_dtype,
    "regionref": lambda lib: lib.regionref_dtype,
    "compound with special": lambda lib: np.dtype(
        [("s", lib.string_dtype()), ("e", lib.enum_dtype({"A": 1})), ("r", lib.ref_dtype)]
    ),
    "array of enum": lambda lib: np.dtype((lib.enum_dtype({"A": 1, "B": 2}), (2,))),
}


def _describe_dtype(lib, dt):
    return (
        re.sub(r"<class '[\w.]+\.(\w+)'>", r"\1", repr(dt)),
        plain(lib.check_string_dtype(dt)),
        lib.check_vlen_dtype(dt),
        lib.check_enum_dtype(dt),
        lib.check_opaque_dtype(dt),
        plain(lib.check_ref_dtype(dt)),
    )


@pytest.mark.parametrize("case", DTYPES)
def test_special_dtypes_survive_files(compare, case):
    """Stored as a dataset, an attribute and a committed type, and read back."""

    def body(lib, path):
        dt = DTYPES[case](lib)
        with lib.File(path, "w") as f:
            f.create_dataset("d", shape=(2,), dtype=dt)
            f["t"] = dt
        with lib.File(path, "r") as f:
            t = f["t"]
            return (
                _describe_dtype(lib, f["d"].dtype),
                _describe_dtype(lib, t.dtype),
                type(t).__name__,
                repr(t).split(" (dtype")[0],
            )

    compare(body)


def test_committed_datatypes(compare):
    def body(lib, path):
        with lib.File(path, "w") as f:
            f["t"] = np.dtype("<i2")
            t = f["t"]
            d = f.create_dataset("d", data=[1, 2], dtype=t)
            f.attrs.create("a", data=[3], dtype=t)
            out = [repr(t), t.name, t.dtype, t == f["t"], d.dtype, f.get("t", getclass=True)]
            t.attrs["x"] = 1
            out.append(plain(t.attrs["x"]))
            f["u"] = t  # a second link to the type
            out.append(f["u"] == t)
        with lib.File(path, "r") as f:
            out += [f["d"].dtype, plain(f.attrs["a"]), sorted(f), plain(f["t"].attrs["x"])]
        return [plain(o) for o in out]

    compare(body)
