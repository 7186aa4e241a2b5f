"""Files written with a ``libver`` low bound newer than "earliest" hold the structures
libhdf5 writes with the same settings.

The oracle: the same builder code runs through h5py (libhdf5 2.0) and h5pure with the same
``libver``; h5py must read ours as it reads its own, and the structure versions of every
object (superblock, object header, message versions, layout version, chunk index type,
compact or dense link storage) decoded from both files must match.  h5dump (libhdf5 1.10)
must read ours where its library knows the format (earliest, v108, v110).
"""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))

from builders import build_chunked, build_groups, build_numeric  # noqa: E402
from compare import compare_files  # noqa: E402

import h5pure  # noqa: E402
from h5pure.format.messages import MessageType, decode_message  # noqa: E402
from h5pure.format.object_header import read_object_header  # noqa: E402

LIBVERS = {
    "earliest": "earliest",
    "v108": ("v108", "latest"),
    "v110": ("v110", "latest"),
    "v112": ("v112", "latest"),
    "v114": ("v114", "latest"),
    "v200": ("v200", "latest"),
    "latest": "latest",
}
H5DUMP_KNOWS = ("earliest", "v108", "v110")


def _build(lib, path, libver):
    with lib.File(path, "w", libver=libver) as f:
        f.attrs["root_attr"] = "root"
        build_groups(f, lib)
        build_numeric(f, lib)
        build_chunked(f, lib)
        small = f.create_group("small_attrs")
        for i in range(5):
            small.attrs[f"a{i}"] = np.arange(i + 1)
        d = f.create_dataset(
            "ea_filtered",
            shape=(10,),
            maxshape=(None,),
            chunks=(4,),
            dtype="i4",
            compression="gzip",
        )
        d[...] = np.arange(10)
        d.resize((23,))
        d[10:] = np.arange(13)


@pytest.fixture(scope="module", params=sorted(LIBVERS))
def written(request, tmp_path_factory):
    h5py = pytest.importorskip("h5py")
    d = tmp_path_factory.mktemp(f"lv_{request.param}")
    ours, theirs = d / "ours.h5", d / "theirs.h5"
    libver = LIBVERS[request.param]
    _build(h5pure, ours, libver)
    _build(h5py, theirs, libver)
    return request.param, ours, theirs


def _structure(path):
    """Per object: header version and creation-order flags, the (type, version, flags) of
    every message but links and attributes, the layout's class and chunk index, and
    whether link storage is dense."""
    out = {}
    with h5pure.File(path, "r") as f:
        fs = f._state
        out["superblock"] = fs.superblock.version
        seen = set()

        def visit(name, address):
            if address in seen:
                return
            seen.add(address)
            header = read_object_header(fs.source, fs.ctx, address)
            msgs = []
            for m in header.messages:
                if m.type in (MessageType.LINK, MessageType.ATTRIBUTE, MessageType.ATTRIBUTE_INFO):
                    continue
                version = m.data[0] >> 4 if m.type == MessageType.DATATYPE else m.data[0]
                if m.type == MessageType.SYMBOL_TABLE:
                    version = None  # no version byte: an address
                detail = None
                if m.type == MessageType.LAYOUT:
                    layout = decode_message(m, fs.ctx)
                    index_type = getattr(layout, "index_type", None)
                    index = index_type.name if index_type is not None else None
                    detail = (layout.layout_class, index)
                elif m.type == MessageType.LINK_INFO:
                    info = decode_message(m, fs.ctx)
                    detail = "dense" if not fs.ctx.is_undefined(info.fractal_heap_address) else ""
                msgs.append((MessageType(m.type).name, version, m.flags, detail))
            out[name] = (header.version, header.flags & ~0x03, sorted(msgs, key=str))

        def walk(group, name):
            visit(name, group._info.address)
            for key in group:
                if type(group.get(key, getlink=True)).__name__ != "HardLink":
                    continue
                obj = group[key]
                child = f"{name.rstrip('/')}/{key}"
                if isinstance(obj, h5pure.Group):
                    walk(obj, child)
                else:
                    visit(child, obj._info.address)

        walk(f, "/")
    return out


def test_h5py_reads_ours_as_its_own(written):
    import h5py

    _, ours, theirs = written
    with h5py.File(ours, "r") as o, h5py.File(theirs, "r") as t:
        compare_files(o, t)


def test_h5pure_reads_ours_as_h5py_does(written):
    import h5py

    _, ours, _ = written
    with h5pure.File(ours, "r") as o, h5py.File(ours, "r") as t:
        compare_files(o, t)


def test_structure_versions_match_libhdf5(written):
    _, ours, theirs = written
    mine, libs = _structure(ours), _structure(theirs)
    assert mine.keys() == libs.keys()
    diffs = {k: (mine[k], libs[k]) for k in mine if mine[k] != libs[k]}
    assert not diffs


@pytest.mark.skipif(shutil.which("h5dump") is None, reason="Debian's hdf5-tools not installed")
@pytest.mark.parametrize("libver", H5DUMP_KNOWS)
def test_h5dump_reads_ours(tmp_path, libver):
    # libhdf5 1.10 knows neither the v112+ datatype versions nor LZF data: headers only
    ours = tmp_path / "ours.h5"
    _build(h5pure, ours, LIBVERS[libver])
    proc = subprocess.run(["h5dump", "-H", str(ours)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "error" not in proc.stdout.lower()


@pytest.mark.parametrize("libver", ["v108", "latest"])
def test_reopened_file_keeps_its_format(tmp_path, libver):
    import h5py

    path = tmp_path / "f.h5"
    with h5pure.File(path, "w", libver=libver):
        pass
    with h5pure.File(path, "a") as f:
        f.create_group("g")
        f.create_dataset("d", data=np.arange(4), chunks=(2,))
    structure = _structure(path)
    assert structure["/g"][0] == 2
    assert structure["/d"][0] == 2
    with h5py.File(path, "r") as f:
        assert list(f["d"][:]) == [0, 1, 2, 3]


def test_dense_group_returns_to_compact_below_six_links(tmp_path):
    import h5py

    path = tmp_path / "f.h5"
    with h5pure.File(path, "w", libver="latest") as f:
        g = f.create_group("g")
        for i in range(12):
            g.create_group(f"m{i:02d}")
        f.flush()
        assert _structure(path)["/g"][2][-1][3] == "dense"
        for i in range(7):
            del g[f"m{i:02d}"]
    assert _structure(path)["/g"][2][-1][3] == ""
    with h5py.File(path, "r") as f:
        assert sorted(f["g"]) == [f"m{i:02d}" for i in range(7, 12)]
