"""Committed types in use, compound field writes, external storage, anonymous datasets,
create_dataset_like and Group.copy: the same calls through h5py and h5pure; h5py reads both."""

from __future__ import annotations

import os
import subprocess
from typing import Any

import h5py
import numpy as np
import pytest

import h5pure
from h5pure.format.object_header import read_object_header
from h5pure.format.superblock import decode_superblock
from h5pure.testing.sources import BytesSource

LIBS = [h5py, h5pure]
CDT = np.dtype([("a", "<i4"), ("b", "<f8"), ("c", "<i2", (2,))])


def _header(path: str, address: int) -> Any:
    data = open(path, "rb").read()
    return read_object_header(BytesSource(data), decode_superblock(data, 0).context(), address)


def _addr(obj: Any) -> int:
    return int(h5py.h5o.get_info(obj.id).addr)


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_committed_type_shared_by_dataset_and_attribute(tmp_path: Any, lib: Any) -> None:
    path = str(tmp_path / "c.h5")
    with lib.File(path, "w") as f:
        f["t"] = np.dtype("<i4")
        d = f.create_dataset("d", (4,), dtype=f["t"])
        d[...] = [1, 2, 3, 4]
        f.attrs.create("a", [1, 2], dtype=f["t"])
    with h5py.File(path) as f:
        assert f["d"].id.get_type().committed()
        assert f.attrs.get_id("a").get_type().committed()
        assert f["d"][...].tolist() == [1, 2, 3, 4]
        assert f.attrs["a"].tolist() == [1, 2]
        info = h5py.h5o.get_info(f["t"].id)
        taddr, daddr = _addr(f["t"]), _addr(f["d"])
    assert info.rc == 3  # its link, the dataset and the attribute
    tmsg = _header(path, taddr).messages[0]
    assert tmsg.flags == 0x05
    dmsg = [m for m in _header(path, daddr).messages if m.type == 3][0]
    assert dmsg.flags == 0x03
    assert bytes(dmsg.data[:10]) == bytes([2, 2]) + taddr.to_bytes(8, "little")
    with h5pure.File(path) as f:
        assert f["d"][...].tolist() == [1, 2, 3, 4]
        assert f.attrs["a"].tolist() == [1, 2]
    dump = subprocess.run(["h5dump", path], capture_output=True, text=True, check=True).stdout
    assert dump.count('DATATYPE  "/t"') == 2


def _fields(lib: Any, path: str) -> None:
    with lib.File(path, "w") as f:
        c = f.create_dataset("c", (5, 3), dtype=CDT)
        c["a"] = np.arange(15).reshape(5, 3)
        c[1:3, "b"] = 2.5
        c[0, "c"] = [7, 8]
        v = np.zeros((3,), dtype=[("b", "<f8"), ("a", "<i4")])
        v["a"], v["b"] = -1, 9
        c[4, "a", "b"] = v
        c[3:4, "a"] = [[100, 101, 102]]
        c[[0, 2], 1:, "b"] = [[0.5, 0.6], [1.5, 1.6]]


def test_compound_field_writes_match_h5py(tmp_path: Any) -> None:
    ours, theirs = str(tmp_path / "p.h5"), str(tmp_path / "h.h5")
    _fields(h5pure, ours)
    _fields(h5py, theirs)
    with h5py.File(ours) as a, h5py.File(theirs) as b:
        assert a["c"][...].tobytes() == b["c"][...].tobytes()
    with h5pure.File(ours, "r+") as f:
        with pytest.raises(ValueError):
            f["c"]["nope"] = 1


def _external(lib: Any, tmp_path: Any, tag: str) -> str:
    path = str(tmp_path / f"{tag}.h5")
    x1, x2 = str(tmp_path / f"{tag}1.bin"), str(tmp_path / f"{tag}2.bin")
    with lib.File(path, "w") as f:
        d = f.create_dataset("d", (10,), dtype="<i4", external=[(x1, 0, 16), (x2, 8, 100)])
        d[...] = np.arange(10)
        d[3:5] = [40, 50]
        r = f.create_dataset("r", (2, 3), dtype="<f8", external=f"{tag}rel.bin")
        r[1] = [1, 2, 3]
        f.create_dataset("u", (5,), dtype="<i2", external=str(tmp_path / f"{tag}u.bin"))
        with pytest.raises(TypeError):
            f.create_dataset("bad", (3,), "f4", external=["x.bin"])
        with pytest.raises(ValueError):
            f.create_dataset("ch", (4,), "f4", chunks=(2,), external=x1 + ".c")
    return path


def test_external_storage(tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HDF5_EXTFILE_PREFIX", raising=False)
    ours, theirs = _external(h5pure, tmp_path, "p"), _external(h5py, tmp_path, "h")
    for tag in "12":
        assert open(f"p{tag}.bin", "rb").read() == open(f"h{tag}.bin", "rb").read()
    assert open("prel.bin", "rb").read() == open("hrel.bin", "rb").read()
    assert not os.path.exists("pu.bin") and not os.path.exists("hu.bin")
    with h5py.File(ours) as f:
        assert f["d"][...].tolist() == [0, 1, 2, 40, 50, 5, 6, 7, 8, 9]
        assert f["r"][...].tolist() == [[0, 0, 0], [1, 2, 3]]
        assert f["d"].external == [
            (str(tmp_path / "p1.bin"), 0, 16),
            (str(tmp_path / "p2.bin"), 8, 100),
        ]
        assert f["r"].external == [("prel.bin", 0, (1 << 64) - 1)]
        daddr = _addr(f["d"])
    with h5py.File(theirs) as f:
        taddr = _addr(f["d"])
    mine = [m.flags for m in _header(ours, daddr).messages if m.type == 7]
    ref = [m.flags for m in _header(theirs, taddr).messages if m.type == 7]
    assert mine == ref == [1]


def test_anonymous_dataset(tmp_path: Any) -> None:
    path = str(tmp_path / "a.h5")
    with h5pure.File(path, "w") as f:
        a = f.create_dataset(None, data=np.arange(3))
        assert a.name is None
        f["linked"] = a
        f.create_dataset(None, data=np.arange(1000))  # never linked: freed at close
    with h5py.File(path) as f:
        assert list(f) == ["linked"]
        assert f["linked"][...].tolist() == [0, 1, 2]
    with h5pure.File(path) as f:
        assert f["linked"].name == "/linked"


def _copies(lib: Any, path: str, other: str) -> None:
    with lib.File(path, "w") as f:
        g = f.create_group("g/h")
        g["x"] = np.arange(6).reshape(2, 3)
        g["x"].attrs["u"] = "m"
        f["d"] = np.arange(4)
        f["g/s"] = lib.SoftLink("/d")
        f["g/e"] = lib.ExternalLink("o.h5", "/z")
        c = f.create_dataset(
            "g/c",
            (20,),
            chunks=(5,),
            compression="gzip",
            fillvalue=-1,
            maxshape=(None,),
            dtype="i4",
        )
        c[6:8] = 3
        f["g/hl"] = g["x"]
        f.copy("g", "g2")
        f.copy(f["g"], f, name="g3", shallow=True)
        f.copy("g", "g4", expand_soft=True, without_attrs=True)
        with lib.File(other, "w") as o:
            f.copy(f["g"], o)
            o.create_dataset_like("like", f["g/c"])


def _tree(path: str) -> list[Any]:
    out: list[Any] = []
    with h5py.File(path) as f:

        def visit(name: str) -> None:
            link = f.get(name, getlink=True)
            item: list[Any] = [name, type(link).__name__]
            if isinstance(link, h5py.HardLink):
                obj = f[name]
                item.append(sorted((k, str(v)) for k, v in obj.attrs.items()))
                if isinstance(obj, h5py.Dataset):
                    item += [obj[...].tolist(), obj.chunks, obj.compression, obj.maxshape]
                    item.append(obj.fillvalue.item())
            out.append(item)

        f.visit_links(visit)
        if "g2" in f:
            out.append(f["g2/h/x"].id == f["g2/hl"].id)
    return out


def test_copy_and_create_dataset_like(tmp_path: Any) -> None:
    paths = {
        lib.__name__: (str(tmp_path / f"{lib.__name__}.h5"), str(tmp_path / f"{lib.__name__}o.h5"))
        for lib in LIBS
    }
    for lib in LIBS:
        _copies(lib, *paths[lib.__name__])
    for i in range(2):
        assert _tree(paths["h5pure"][i]) == _tree(paths["h5py"][i])
