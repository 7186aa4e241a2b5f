"""Bad arguments to the write API raise what h5py raises, before anything is written; a
file opened read-only never changes; an exception in the middle of a write leaves a file
that h5py reads at close, with everything written before the failure intact."""

from __future__ import annotations

import hashlib
import os

import numpy as np
import pytest

import h5pure

h5py = pytest.importorskip("h5py")


def setup(f):
    f.create_group("g")
    f.create_dataset("fixed", data=np.arange(6.0).reshape(2, 3))
    f.create_dataset("ext", data=np.arange(4), chunks=(2,), maxshape=(8,))
    f.create_dataset("s", data=5)
    f.attrs["a"] = 1


# name -> (the bad call, a fragment of the message both libraries give)
CASES = {
    "group_exists": (lambda f: f.create_group("g"), "name already exists"),
    "group_over_dataset": (lambda f: f.create_group("fixed/x"), "create group"),
    "group_empty_name": (lambda f: f.create_group(""), "cannot be an empty string"),
    "group_name_type": (lambda f: f.create_group(3), "should be string or bytes"),
    "dataset_exists": (lambda f: f.create_dataset("g", (2,), "i4"), "name already exists"),
    "negative_shape": (lambda f: f.create_dataset("x", (-1,), "i4"), "negative"),
    "str_shape": (lambda f: f.create_dataset("x", ("a",), "i4"), "Can't convert element 0"),
    "bad_dtype": (lambda f: f.create_dataset("x", (2,), dtype="bogus"), "not understood"),
    "object_dtype": (lambda f: f.create_dataset("x", (2,), dtype=object), "no native HDF5"),
    "no_shape": (lambda f: f.create_dataset("x"), "One of data, shape or dtype"),
    "data_shape": (lambda f: f.create_dataset("x", (5,), data=np.arange(4)), "incompatible"),
    "data_unconvertible": (lambda f: f.create_dataset("x", data=["a", 1]), "No conversion path"),
    "data_vs_dtype": (lambda f: f.create_dataset("x", data=["a"], dtype="i4"), "invalid literal"),
    "chunks_rank": (lambda f: f.create_dataset("x", (4, 4), "i4", chunks=(2,)), "same rank"),
    "chunks_big": (lambda f: f.create_dataset("x", (4,), "i4", chunks=(5,)), "not be greater"),
    "chunks_zero": (lambda f: f.create_dataset("x", (4,), "i4", chunks=(0,)), "positive"),
    "chunks_scalar": (lambda f: f.create_dataset("x", (), "i4", chunks=(1,)), "Scalar datasets"),
    "chunks_false": (
        lambda f: f.create_dataset("x", (4,), "i4", chunks=False, maxshape=(8,)),
        "Chunked format required",
    ),
    "maxshape_small": (lambda f: f.create_dataset("x", (4,), "i4", maxshape=(2,)), "smaller"),
    "maxshape_rank": (lambda f: f.create_dataset("x", (4,), "i4", maxshape=(4, 4)), "same rank"),
    "compression_bogus": (
        lambda f: f.create_dataset("x", (4,), "i4", compression="bogus"),
        "is unavailable",
    ),
    "compression_number": (
        lambda f: f.create_dataset("x", (4,), "i4", compression=10),
        "Unknown compression filter number",
    ),
    "gzip_level": (
        lambda f: f.create_dataset("x", (4,), "i4", compression="gzip", compression_opts=10),
        "GZIP setting must be an integer from 0-9",
    ),
    "lzf_options": (
        lambda f: f.create_dataset("x", (4,), "i4", compression="lzf", compression_opts=3),
        "accepts no options",
    ),
    "scalar_compression": (
        lambda f: f.create_dataset("x", (), "i4", compression="gzip"),
        "Scalar datasets",
    ),
    "fill_string_for_int": (
        lambda f: f.create_dataset("x", (4,), dtype="i4", fillvalue="abc"),
        "No conversion path",
    ),
    "scaleoffset_float": (
        lambda f: f.create_dataset("x", (4,), dtype="f4", scaleoffset=True),
        "integer scaleoffset must be provided",
    ),
    "require_shape": (lambda f: f.require_dataset("fixed", (3, 2), "f8"), "Shapes do not match"),
    "require_exact": (
        lambda f: f.require_dataset("fixed", (2, 3), "f4", exact=True),
        "do not exactly match",
    ),
    "require_cast": (
        lambda f: f.require_dataset("fixed", (2, 3), "c16"),
        "cannot be safely cast",
    ),
    "require_on_group": (lambda f: f.require_dataset("g", (2, 3), "f8"), "Incompatible object"),
    "require_group_on_dataset": (lambda f: f.require_group("fixed"), "Incompatible object"),
    "resize_beyond_maxshape": (lambda f: f["ext"].resize((9,)), "cannot exceed"),
    "resize_contiguous": (lambda f: f["fixed"].resize((4, 3)), "Only chunked"),
    "resize_rank": (lambda f: f["ext"].resize((4, 4)), "must match dataset rank"),
    "resize_axis": (lambda f: f["ext"].resize(5, axis=1), "Invalid axis"),
    "resize_negative": (lambda f: f["ext"].resize((-1,)), "negative"),
    "write_shape": (lambda f: f["fixed"].__setitem__(..., np.arange(4)), "Can't broadcast"),
    "write_selection_shape": (
        lambda f: f["fixed"].__setitem__((0, slice(None)), np.arange(2)),
        "Can't broadcast",
    ),
    "write_out_of_range": (lambda f: f["fixed"].__setitem__((5, 0), 1), "out of range"),
    "write_bad_value": (lambda f: f["fixed"].__setitem__(0, "abc"), "could not convert"),
    "write_scalar_index": (lambda f: f["s"].__setitem__(0, 1), ""),
    "write_step_zero": (lambda f: f["ext"].__setitem__(slice(0, 4, 0), 1), "step cannot be zero"),
    "write_negative_step": (lambda f: f["ext"].__setitem__(slice(None, None, -1), 1), "Step"),
    "attr_shape": (
        lambda f: f.attrs.create("b", data=np.arange(6), shape=(4,)),
        "conflicts with shape of data",
    ),
    "attr_mixed_objects": (
        lambda f: f.attrs.__setitem__("b", np.array([1, "x"], dtype=object)),
        "no native HDF5",
    ),
    "attr_none": (lambda f: f.attrs.__setitem__("b", None), "no native HDF5"),
    "attr_too_large": (
        lambda f: f.attrs.__setitem__("b", np.zeros(70000, dtype="u1")),
        "object header message is too large",
    ),
    "attr_bad_dtype": (lambda f: f.attrs.create("b", data=1, dtype="bogus"), "not understood"),
    "delete_missing": (lambda f: f.__delitem__("nope"), "Couldn't delete link"),
    "delete_missing_nested": (lambda f: f.__delitem__("g/nope"), "Couldn't delete link"),
    "delete_missing_attr": (lambda f: f.attrs.__delitem__("nope"), "can't locate attribute"),
    "move_onto_existing": (lambda f: f.move("g", "fixed"), "already exists"),
    "move_missing": (lambda f: f.move("nope", "x"), "Unable to move link"),
    "link_exists": (lambda f: f.__setitem__("g", np.arange(3)), "name already exists"),
    "link_bad_object": (lambda f: f.__setitem__("x", object()), "no native HDF5"),
}


def _raised(lib, path, call):
    with lib.File(path, "w") as f:
        setup(f)
        with pytest.raises(Exception) as info:
            call(f)
    return info.value


def _digest(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_call_raises_like_h5py_and_writes_nothing(tmp_path, case):
    call, fragment = CASES[case]
    theirs = _raised(h5py, tmp_path / "h5py.h5", call)
    ours = _raised(h5pure, tmp_path / "ours.h5", call)
    assert isinstance(ours, type(theirs)), f"h5py raised {theirs!r}, h5pure {ours!r}"
    assert fragment in str(theirs) and fragment in str(ours), (str(theirs), str(ours))
    # the same session without the bad call gives the same bytes
    with h5pure.File(tmp_path / "clean.h5", "w") as f:
        setup(f)
    assert _digest(tmp_path / "ours.h5") == _digest(tmp_path / "clean.h5")
    with h5py.File(tmp_path / "ours.h5", "r") as f:
        assert sorted(f) == ["ext", "fixed", "g", "s"]


@pytest.mark.parametrize(
    "kwargs",
    [{"mode": "z"}, {"mode": "a", "userblock_size": 100}, {"mode": "w", "userblock_size": 768}],
)
def test_bad_file_arguments(tmp_path, kwargs):
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f["x"] = np.arange(3)
    before = _digest(path)
    with pytest.raises(Exception) as theirs:
        h5py.File(path, **kwargs)
    assert _digest(path) == before
    with pytest.raises(type(theirs.value)):
        h5pure.File(path, **kwargs)
    assert _digest(path) == before
    assert not os.path.exists(tmp_path / "new.h5")
    with pytest.raises(type(theirs.value)):
        h5pure.File(tmp_path / "new.h5", **kwargs)
    assert not os.path.exists(tmp_path / "new.h5")


@pytest.mark.parametrize(
    ("mode", "exists"), [("w-", True), ("x", True), ("r+", False), ("r", False)]
)
def test_mode_errors(tmp_path, mode, exists):
    path = tmp_path / "f.h5"
    if exists:
        with h5py.File(path, "w") as f:
            f["x"] = np.arange(3)
        before = _digest(path)
    with pytest.raises(OSError) as theirs:
        h5py.File(path, mode)
    with pytest.raises(type(theirs.value)):
        h5pure.File(path, mode)
    if exists:
        assert _digest(path) == before
    else:
        assert not os.path.exists(path)


# -- read-only files ----------------------------------------------------------------------
def _lib(f):
    return h5py if isinstance(f, h5py.File) else h5pure


READ_ONLY_ATTEMPTS = {
    "create_group": lambda f: f.create_group("new"),
    "create_dataset": lambda f: f.create_dataset("new", data=np.arange(3)),
    "setitem": lambda f: f.__setitem__("new", np.arange(3)),
    "soft_link": lambda f: f.__setitem__("new", _lib(f).SoftLink("/g")),
    "external_link": lambda f: f.__setitem__("new", _lib(f).ExternalLink("o.h5", "/g")),
    "hard_link": lambda f: f.__setitem__("new", f["g"]),
    "write": lambda f: f["ext"].__setitem__(0, 7),
    "write_contiguous": lambda f: f["fixed"].__setitem__((0, 0), 7),
    "resize": lambda f: f["ext"].resize((6,)),
    "delete": lambda f: f.__delitem__("g"),
    "move": lambda f: f.move("g", "h"),
    "attr_set": lambda f: f.attrs.__setitem__("b", 1),
    "attr_overwrite": lambda f: f.attrs.__setitem__("a", 2),
    "attr_delete": lambda f: f.attrs.__delitem__("a"),
    "attr_modify": lambda f: f.attrs.modify("a", 3),
    "flush": lambda f: f.flush(),
}


@pytest.mark.parametrize("attempt", sorted(READ_ONLY_ATTEMPTS))
def test_read_only_file_never_changes(tmp_path, attempt):
    path = tmp_path / "ro.h5"
    with h5py.File(path, "w") as f:
        setup(f)
    before = _digest(path)
    mtime = os.stat(path).st_mtime_ns
    call = READ_ONLY_ATTEMPTS[attempt]
    with h5py.File(path, "r") as f:
        theirs = None
        try:
            call(f)
        except Exception as e:  # noqa: BLE001 - the oracle's answer, whatever it is
            theirs = e
    with h5pure.File(path, "r") as f:
        if theirs is None:
            call(f)  # h5py allows it (flush): so must we, without writing
        else:
            with pytest.raises(type(theirs)):
                call(f)
        assert f.attrs["a"] == 1
    assert _digest(path) == before
    assert os.stat(path).st_mtime_ns == mtime


# -- failures in the middle of an operation ------------------------------------------------
class Boom(RuntimeError):
    pass


def _fail_once(monkeypatch, module, name, after=0):
    """Make ``module.name`` raise Boom on its call number ``after`` (0-based), once."""
    real = getattr(module, name)
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        n = calls["n"]
        calls["n"] += 1
        if n == after:
            raise Boom(f"injected failure in {name}")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_filter_failure_mid_write(tmp_path, monkeypatch):
    from h5pure.lowlevel import datawriter

    path = tmp_path / "mid.h5"
    old = np.arange(40.0).reshape(4, 10)
    with h5pure.File(path, "w") as f:
        setup(f)
        f.create_dataset("z", data=old, chunks=(2, 5), compression="gzip")
        f.flush()
        _fail_once(monkeypatch, datawriter, "encode_chunk", after=2)
        with pytest.raises(Boom):
            f["z"][...] = -1.0  # four chunks: two are written, the third fails
        monkeypatch.undo()
        with pytest.raises(Boom):
            _fail_once(monkeypatch, datawriter, "encode_chunk")
            f.create_dataset("made", data=np.ones(10), chunks=(5,), compression="gzip")
        monkeypatch.undo()
        f.attrs["after"] = "still writable"
    with h5py.File(path, "r") as f:
        z = f["z"][...]
        for i in range(2):
            for j in range(2):
                block = z[2 * i : 2 * i + 2, 5 * j : 5 * j + 5]
                expect = old[2 * i : 2 * i + 2, 5 * j : 5 * j + 5]
                assert (block == -1).all() or (block == expect).all()
        assert (z == -1).sum() == 20  # exactly the two chunks written before the failure
        # the dataset was created before its data failed to encode, as in h5py
        np.testing.assert_array_equal(f["made"][...], np.zeros(10))
        np.testing.assert_array_equal(f["fixed"][...], np.arange(6.0).reshape(2, 3))
        assert f.attrs["after"] == "still writable"


@pytest.mark.parametrize("after", [0, 1, 3, 4])  # the commit joins neighbours: 5 writes
def test_driver_failure_during_flush(tmp_path, monkeypatch, after):
    """A failed write in the commit is retried by the next flush/close: h5py reads it all."""
    path = tmp_path / "flush.h5"
    with h5pure.File(path, "w") as f:
        setup(f)
        f.flush()
        f.create_group("later/deeper")
        f["ext"].resize((7,))
        f["ext"][4:] = [40, 50, 60]
        f.attrs["b"] = np.arange(3)
        driver = f._state.driver
        _fail_once(monkeypatch, driver, "write", after=after)
        with pytest.raises(OSError, match="the commit failed") as info:
            f.flush()
        assert isinstance(info.value.__cause__, Boom)
        monkeypatch.undo()
    with h5py.File(path, "r") as f:
        assert sorted(f) == ["ext", "fixed", "g", "later", "s"]
        assert list(f["later"]) == ["deeper"]
        np.testing.assert_array_equal(f["ext"][...], [0, 1, 2, 3, 40, 50, 60])
        np.testing.assert_array_equal(f.attrs["b"], np.arange(3))
        np.testing.assert_array_equal(f["fixed"][...], np.arange(6.0).reshape(2, 3))
