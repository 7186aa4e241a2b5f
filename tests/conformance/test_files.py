"""Files: properties, modes, closing and reopening, through h5py and h5pure alike."""

import os

import numpy as np
import pytest


def _make(lib, path, **kw):
    with lib.File(path, "w", **kw) as f:
        f.create_group("g").attrs["a"] = 1
        f["d"] = np.arange(6)


PROPERTIES = {
    "default": {},
    "libver earliest": {"libver": "earliest"},
    "libver latest": {"libver": "latest"},
    "libver tuple": {"libver": ("v110", "latest")},
    "libver v112": {"libver": "v112"},
    "libver bad": {"libver": "v999"},
    "userblock": {"userblock_size": 1024},
    "userblock small": {"userblock_size": 100},
    "userblock odd": {"userblock_size": 1000},
    "userblock zero": {"userblock_size": 0},
    "meta block": {"meta_block_size": 8192},
    "rdcc": {"rdcc_nbytes": 1 << 22, "rdcc_w0": 0.25, "rdcc_nslots": 1009},
    "track order": {"track_order": True},
    "core": {"driver": "core"},
    "core no backing": {"driver": "core", "backing_store": False},
    "bad driver": {"driver": "nosuchdriver"},
    "unknown kw": {"nosuchkw": 1},
    "core unknown kw": {"driver": "core", "nosuchkw": 1},
}


@pytest.mark.parametrize("case", PROPERTIES)
def test_file_properties(compare, case):
    def body(lib, path):
        with lib.File(path, "w", **PROPERTIES[case]) as f:
            f["x"] = 1
            out = [
                f.mode, f.driver, f.libver, f.userblock_size, f.swmr_mode, f.name,
                f.parent.name, f.file == f, bool(f), os.path.basename(f.filename) == path.name,
                f.meta_block_size, repr(f).replace(path.name, "F"),
            ]  # fmt: skip
        return out

    compare(body)


@pytest.mark.parametrize("mode", ["r", "r+", "a", "w", "w-", "x", "rw", "", None])
@pytest.mark.parametrize("exists", [True, False])
def test_modes(compare, mode, exists):
    def body(lib, path):
        if exists:
            _make(lib, path)
        kw = {} if mode is None else {"mode": mode}
        with lib.File(path, **kw) as f:
            res = [f.mode, sorted(f)]
            try:
                f["new"] = 1
                res.append("wrote")
            except Exception as e:  # noqa: BLE001
                res.append(type(e).__mro__[1:3] if False else isinstance(e, (ValueError, OSError)))
        with lib.File(path, "r") as f:
            res.append(sorted(f))
        return res

    compare(body)


@pytest.mark.parametrize("mode", ["r", "r+", "a", "w", "w-", "x"])
@pytest.mark.parametrize("what", ["directory", "text", "empty", "truncated"])
def test_open_bad_targets(compare, mode, what):
    def body(lib, path):
        if what == "directory":
            path.mkdir()
        elif what == "text":
            path.write_text("not HDF5 at all\n" * 64)
        elif what == "empty":
            path.write_bytes(b"")
        else:
            _make(lib, path)
            data = path.read_bytes()
            path.write_bytes(data[:100])
        with lib.File(path, mode) as f:
            return sorted(f)

    compare(body)


def test_reopen_sees_changes(compare):
    def body(lib, path):
        _make(lib, path)
        out = []
        with lib.File(path, "a") as f:
            f["g"].attrs["b"] = 2
            f.create_dataset("e", data=[1.5])
            del f["d"]
        with lib.File(path, "r+") as f:
            out.append((sorted(f), sorted(f["g"].attrs)))
            f["d2"] = np.zeros(2)
        with lib.File(path, "r") as f:
            out.append(sorted(f))
        f2 = lib.File(path, "r")
        f3 = lib.File(path, "r")
        out.append((f2 == f3, f2["g"] == f3["g"], f2.id == f3.id))
        f2.close()
        out.append((bool(f3), sorted(f3), bool(f2)))
        f3.close()
        return out

    compare(body)


CLOSED = {
    "bool": lambda f, g, d, t: (bool(f), bool(g), bool(d), bool(t)),
    "repr": lambda f, g, d, t: (repr(f), repr(g), repr(d), repr(t)),
    "name": lambda f, g, d, t: (g.name, d.name, t.name),
    "attrs": lambda f, g, d, t: g.attrs,
    "attrs of dataset": lambda f, g, d, t: d.attrs["a"],
    "dtype of type": lambda f, g, d, t: t.dtype,
    "file of group": lambda f, g, d, t: g.file,
    "parent": lambda f, g, d, t: g.parent,
    "keys": lambda f, g, d, t: list(g.keys()),
    "get": lambda f, g, d, t: g.get("x"),
    "visit": lambda f, g, d, t: f.visit(print),
    "mode": lambda f, g, d, t: f.mode,
    "libver": lambda f, g, d, t: f.libver,
    "userblock": lambda f, g, d, t: f.userblock_size,
    "swmr": lambda f, g, d, t: f.swmr_mode,
    "copy": lambda f, g, d, t: f.copy("g", "h"),
    "move": lambda f, g, d, t: f.move("g", "h"),
    "delete": lambda f, g, d, t: f.__delitem__("g"),
    "setitem": lambda f, g, d, t: g.__setitem__("x", 1),
    "require group": lambda f, g, d, t: f.require_group("g"),
    "enter": lambda f, g, d, t: f.__enter__() is f,
    "iterate": lambda f, g, d, t: list(f),
    "iterate group": lambda f, g, d, t: list(g),
    "attrs len": lambda f, g, d, t: len(d.attrs),
    "attrs in": lambda f, g, d, t: "a" in d.attrs,
    "attrs iter": lambda f, g, d, t: list(d.attrs),
    "file attrs": lambda f, g, d, t: f.attrs,
    "meta block": lambda f, g, d, t: f.meta_block_size,
    "with": lambda f, g, d, t: [x for x in [f] if x],
}


@pytest.mark.parametrize("case", CLOSED)
def test_closed_file_invalidates_every_object(compare, case):
    def body(lib, path):
        f = lib.File(path, "w")
        g = f.create_group("g")
        d = g.create_dataset("d", data=[1, 2])
        d.attrs["a"] = 1
        f["t"] = np.dtype("i2")
        t = f["t"]
        f.close()
        return CLOSED[case](f, g, d, t)

    compare(body)


def test_file_like_object(compare):
    def body(lib, path):
        import io

        buf = io.BytesIO()
        with lib.File(buf, "w") as f:
            f["x"] = np.arange(3)
            res = [f.driver, f.filename == repr(buf), f.mode]
        with lib.File(buf, "r") as f:
            res.append(f["x"][()])
        return res

    compare(body)


def test_libver_written_files_open_in_h5py(h5py, tmp_path):
    import h5pure

    for libver in ("earliest", "latest", ("v110", "v112")):
        p = tmp_path / "lv.h5"
        with h5pure.File(p, "w", libver=libver) as f:
            f.create_group("g", track_order=True).attrs["x"] = 1
        with h5py.File(p, "r") as f:
            assert f["g"].attrs["x"] == 1
        with h5pure.File(p, "r") as f:
            assert f.libver == ("earliest", "v200") or f.libver[0] != "earliest"
