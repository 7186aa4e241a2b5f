"""h5py's public names and their behaviour: the same calls through h5py and h5pure give
equal results and compatible exceptions (h5pure's error is an instance of h5py's type)."""

import numpy as np
import pytest

import h5pure

PUBLIC = (
    "string_dtype vlen_dtype enum_dtype opaque_dtype ref_dtype regionref_dtype special_dtype "
    "check_dtype check_string_dtype check_vlen_dtype check_enum_dtype check_opaque_dtype "
    "check_ref_dtype Reference RegionReference Empty SoftLink ExternalLink HardLink Group "
    "Dataset Datatype AttributeManager File HLObject version is_hdf5 UNLIMITED"
).split()


def _run(fn):
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001 - the exception is the result compared
        return ("raises", e)


def _same(ours, theirs):
    if theirs[0] == "raises":
        assert ours[0] == "raises", (ours, theirs)
        assert isinstance(ours[1], type(theirs[1])), (ours[1], theirs[1])
    else:
        assert ours == theirs


def test_public_names(h5py):
    for name in PUBLIC:
        assert hasattr(h5pure, name), name
        assert hasattr(h5py, name), name
    assert h5pure.UNLIMITED == h5py.UNLIMITED
    assert h5pure.version.version == h5pure.__version__
    assert len(h5pure.version.version_tuple) == len(h5py.version.version_tuple)
    assert h5pure.version.hdf5_version_tuple >= (1, 10, 0)
    assert "h5pure" in h5pure.version.info


def _dtype_calls(lib):
    """Each helper called as h5py documents it; results made comparable across libraries."""
    ref = lib.ref_dtype
    enum = lib.enum_dtype({"RED": 0, "GREEN": 1}, basetype="i1")
    calls = {
        "string utf8": lambda: lib.check_string_dtype(lib.string_dtype()),
        "string ascii 5": lambda: lib.check_string_dtype(lib.string_dtype("ascii", 5)),
        "string bad enc": lambda: lib.string_dtype("latin-1"),
        "string plain": lambda: lib.check_string_dtype(np.dtype("S3")),
        "string none": lambda: lib.check_string_dtype(np.dtype("i4")),
        "vlen int": lambda: lib.check_vlen_dtype(lib.vlen_dtype("i4")),
        "vlen str": lambda: lib.check_vlen_dtype(lib.string_dtype()),
        "vlen none": lambda: lib.check_vlen_dtype(np.dtype("f8")),
        "enum": lambda: lib.check_enum_dtype(enum),
        "enum base": lambda: enum.base if hasattr(enum, "base") else None,
        "enum none": lambda: lib.check_enum_dtype(np.dtype("i1")),
        "enum bad base": lambda: lib.enum_dtype({"A": 1}, basetype="f8"),
        "opaque": lambda: lib.check_opaque_dtype(lib.opaque_dtype(np.dtype("V4"))),
        "opaque plain": lambda: lib.check_opaque_dtype(np.dtype("V4")),
        "ref": lambda: lib.check_ref_dtype(ref) is lib.Reference,
        "regionref": lambda: lib.check_ref_dtype(lib.regionref_dtype) is lib.RegionReference,
        "ref none": lambda: lib.check_ref_dtype(np.dtype("i4")),
        "legacy vlen": lambda: lib.check_dtype(vlen=lib.special_dtype(vlen=str)) is str,
        "legacy vlen bytes": lambda: lib.check_dtype(vlen=lib.special_dtype(vlen=bytes)),
        "legacy enum": lambda: lib.check_dtype(enum=lib.special_dtype(enum=("i2", {"A": 3}))),
        "legacy ref": lambda: (
            lib.check_dtype(ref=lib.special_dtype(ref=lib.Reference)) is lib.Reference
        ),
        "legacy bad": lambda: lib.special_dtype(foo=1),
        "legacy two": lambda: lib.special_dtype(vlen=str, enum=("i2", {})),
        "check bad": lambda: lib.check_dtype(foo=np.dtype("i4")),
        "vlen dtype kind": lambda: lib.vlen_dtype("i4").kind,
        "string dtype kind": lambda: (lib.string_dtype().kind, lib.string_dtype(length=4).str),
        "empty": lambda: (lib.Empty("f4").dtype, lib.Empty("f4").shape, lib.Empty("f4").size),
        "links": lambda: (
            lib.SoftLink("/a").path,
            lib.ExternalLink("f.h5", "/b").filename,
            lib.ExternalLink("f.h5", "/b").path,
            repr(lib.SoftLink("/a")),
        ),
    }
    return {k: _run(v) for k, v in calls.items()}


def test_special_dtype_helpers_match_h5py(h5py):
    ours, theirs = _dtype_calls(h5pure), _dtype_calls(h5py)
    for key in theirs:
        _same(ours[key], theirs[key])


def test_special_dtypes_are_interchangeable(h5py):
    """A dtype made by one library's helper is recognised by the other's check."""
    for make, check in ((h5pure, h5py), (h5py, h5pure)):
        assert check.check_string_dtype(make.string_dtype("ascii")).encoding == "ascii"
        assert check.check_vlen_dtype(make.vlen_dtype("i2")) == np.dtype("i2")
        assert check.check_enum_dtype(make.enum_dtype({"A": 1})) == {"A": 1}


@pytest.fixture
def closed(tmp_path):
    def make(lib):
        path = tmp_path / f"closed-{lib.__name__}.h5"
        f = lib.File(path, "w")
        g = f.create_group("g")
        g.attrs["q"] = 1
        d = f.create_dataset("d", shape=(4,), dtype="i4", chunks=(2,))
        at = g.attrs
        f.close()
        return f, g, d, at

    return make


CLOSED_CALLS = {
    "bool file": lambda f, g, d, at: bool(f),
    "bool group": lambda f, g, d, at: bool(g),
    "bool dataset": lambda f, g, d, at: bool(d),
    "repr": lambda f, g, d, at: (repr(f), repr(g), repr(d)),
    "group name": lambda f, g, d, at: g.name,
    "dataset name": lambda f, g, d, at: d.name,
    "contains": lambda f, g, d, at: "d" in f,
    "len group": lambda f, g, d, at: len(g),
    "iter": lambda f, g, d, at: list(f),
    "getitem": lambda f, g, d, at: f["d"],
    "getitem missing": lambda f, g, d, at: g["x"],
    "shape": lambda f, g, d, at: d.shape,
    "dtype": lambda f, g, d, at: d.dtype,
    "read": lambda f, g, d, at: d[0],
    "write": lambda f, g, d, at: d.__setitem__(0, 1),
    "attr read": lambda f, g, d, at: at["q"],
    "attr len": lambda f, g, d, at: len(at),
    "attr write": lambda f, g, d, at: g.attrs.__setitem__("r", 1),
    "create group": lambda f, g, d, at: g.create_group("h"),
    "create dataset": lambda f, g, d, at: f.create_dataset("z", data=1),
    "resize": lambda f, g, d, at: d.resize((5,)),
    "flush": lambda f, g, d, at: f.flush(),
    "close again": lambda f, g, d, at: f.close(),
    "filename": lambda f, g, d, at: f.filename,
    "driver": lambda f, g, d, at: f.driver,
    "file of": lambda f, g, d, at: d.file,
    "parent": lambda f, g, d, at: d.parent,
    "ref": lambda f, g, d, at: d.ref,
    "len dataset": lambda f, g, d, at: len(d),
    "size": lambda f, g, d, at: d.size,
    "id valid": lambda f, g, d, at: bool(d.id.valid),
    # (h5py cannot hash an object of a closed file it never hashed; h5pure can)
    "id equal": lambda f, g, d, at: (d.id == d.id, d == d),
    "storage size": lambda f, g, d, at: d.id.get_storage_size(),
    "filesize": lambda f, g, d, at: f.id.get_filesize(),
}


@pytest.mark.parametrize("call", CLOSED_CALLS)
def test_closed_file_invalidates_objects(closed, h5py, call):
    fn = CLOSED_CALLS[call]
    _same(_run(lambda: fn(*closed(h5pure))), _run(lambda: fn(*closed(h5py))))


def test_open_errors(tmp_path, h5py):
    (tmp_path / "dir").mkdir()
    (tmp_path / "text.txt").write_text("hello, not HDF5\n" * 100)
    (tmp_path / "empty.h5").write_bytes(b"")
    cases = [
        (tmp_path / "dir", "r"),
        (tmp_path / "dir", "a"),
        (tmp_path / "text.txt", "r"),
        (tmp_path / "text.txt", "r+"),
        (tmp_path / "text.txt", "a"),
        (tmp_path / "empty.h5", "r"),
        (tmp_path / "missing.h5", "r"),
        (tmp_path / "missing.h5", "r+"),
    ]
    for path, mode in cases:
        theirs = _run(lambda p=path, m=mode: h5py.File(p, m))
        ours = _run(lambda p=path, m=mode: h5pure.File(p, m))
        assert theirs[0] == "raises", (path, mode)
        _same(ours, theirs)
        assert h5pure.is_hdf5(path) == h5py.is_hdf5(path) is False


def test_file_properties_and_tuning_arguments(tmp_path, h5py):
    """Arguments tuning libhdf5's caches are accepted where h5py accepts them."""
    tuning = {"rdcc_nbytes": 1 << 20, "rdcc_w0": 0.5, "rdcc_nslots": 521}
    for lib in (h5py, h5pure):
        path = tmp_path / f"tune-{lib.__name__}.h5"
        with lib.File(path, "w", meta_block_size=4096, **tuning) as f:
            assert bool(f) and f.swmr_mode is False
            assert f.meta_block_size == 4096
            d = f.create_dataset("d", shape=(8,), dtype="i4", chunks=(4,), **tuning)
            assert f.require_dataset("d", (8,), "i4", **tuning) == d
            e = f.require_dataset("e", (8,), "i4", chunks=(2,), **tuning)
            assert e.chunks == (2,)
        assert not f
        with lib.File(path, "r") as f:
            assert f.meta_block_size == 2048
        assert lib.is_hdf5(path)
    assert h5py.is_hdf5(tmp_path / "tune-h5pure.h5")
