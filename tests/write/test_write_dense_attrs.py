"""Attributes of v2 object headers go dense (fractal heap + v2 B-tree name index, plus a
creation-order index when it is tracked) above 8 of them or for one message of 64 KiB or
more, and come back into the header below 6, as libhdf5 moves them.

Oracles: the same calls run through h5py and h5pure; h5py reads both files alike, and the
attribute storage decoded from both (attribute info flags and creation index, which of
its addresses are defined, the messages left in the header, the records of each index)
is the same.  Files h5py wrote with dense groups and dense attributes are changed in
"r+" mode and h5py must read the result; the space of replaced storage is reused.
"""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))

from compare import compare_files  # noqa: E402

import h5pure  # noqa: E402
from h5pure.format.btree_v2 import BTreeV2  # noqa: E402
from h5pure.format.fractal_heap import FractalHeap  # noqa: E402
from h5pure.format.messages import MessageType, decode_message  # noqa: E402
from h5pure.format.object_header import read_object_header  # noqa: E402

h5py = pytest.importorskip("h5py")

SETTINGS = {
    "earliest_track_order": (None, True),
    "v108": (("v108", "latest"), False),
    "latest": ("latest", False),
    "latest_track_order": ("latest", True),
}
CASES = {
    "five": dict(n=5),
    "nine": dict(n=9),
    "thirty": dict(n=30),
    "huge_alone": dict(n=0, big=True),
    "huge_among_nine": dict(n=9, big=True),
    "down_to_five": dict(n=9, delete_to=5),
    "down_to_six": dict(n=9, delete_to=6),
    "replace_and_modify": dict(n=9, replace=True),
    "all_deleted_then_one": dict(n=9, delete_to=0, again=True),
}


def _build(lib, path, libver, track, n, big=False, delete_to=None, replace=False, again=False):
    kw = {"libver": libver} if libver is not None else {}
    with lib.File(path, "w", track_order=track, **kw) as f:
        g = f.create_group("g", track_order=track)
        d = f.create_dataset("d", data=np.arange(4), track_order=track)
        for obj in (g, d):
            for i in range(n):
                obj.attrs[f"a{i}"] = np.arange(i + 1)
            if big:
                obj.attrs["big"] = np.arange(100 * 1024 // 8, dtype="f8")
            if replace:
                obj.attrs["a1"] = "replaced"  # deleted and created again: last in order
                obj.attrs.modify("a2", [7, 8, 9])  # written in place: keeps its order
            if delete_to is not None:
                for i in range(n - delete_to):
                    del obj.attrs[f"a{i}"]
            if again:
                obj.attrs["z"] = 1.5


def _storage(path):
    """What libhdf5 would see of the attributes of /g and /d, addresses aside."""
    out = {}
    with h5pure.File(path, "r") as f:
        fs = f._state
        for name in ("g", "d"):
            header = read_object_header(fs.source, fs.ctx, f[name]._info.address)
            compact = sorted(
                (decode_message(m, fs.ctx).name, m.creation_order)
                for m in header.messages
                if m.type == MessageType.ATTRIBUTE
            )
            infos = [
                (m.flags, decode_message(m, fs.ctx))
                for m in header.messages
                if m.type == MessageType.ATTRIBUTE_INFO
            ]
            dense = None
            summary = []
            for flags, info in infos:
                co = info.creation_order_index_address
                summary.append(
                    (
                        flags,
                        info.flags,
                        info.max_creation_index,
                        fs.ctx.is_undefined(info.fractal_heap_address),
                        fs.ctx.is_undefined(info.name_index_address),
                        None if co is None else fs.ctx.is_undefined(co),
                    )
                )
                if not fs.ctx.is_undefined(info.fractal_heap_address):
                    heap = FractalHeap.open(fs.source, fs.ctx, info.fractal_heap_address)
                    tree = BTreeV2.open(fs.source, fs.ctx, info.name_index_address)
                    dense = [
                        (r.name_hash, r.creation_order, r.message_flags, len(heap.get(r.heap_id)))
                        for r in tree.records()
                    ]
                    h = heap.header
                    dense.append(
                        (
                            h["heap_id_length"],
                            h["starting_block_size"],
                            h["max_heap_size_bits"],
                            h["huge_object_count"],
                            tree.node_size,
                        )
                    )
                    if co is not None and not fs.ctx.is_undefined(co):
                        corder = BTreeV2.open(fs.source, fs.ctx, co)
                        dense.append([r.creation_order for r in corder.records()])
            out[name] = (header.version, header.flags & 0x1C, compact, summary, dense)
    return out


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_dense_attributes_as_libhdf5(tmp_path, setting, case):
    libver, track = SETTINGS[setting]
    ours, theirs = tmp_path / "ours.h5", tmp_path / "theirs.h5"
    _build(h5pure, ours, libver, track, **CASES[case])
    _build(h5py, theirs, libver, track, **CASES[case])
    with h5py.File(ours, "r") as a, h5py.File(theirs, "r") as b:
        compare_files(a, b)
    with h5pure.File(ours, "r") as a, h5py.File(theirs, "r") as b:
        compare_files(a, b)
    assert _storage(ours) == _storage(theirs)


def test_reads_in_the_session_see_dense_attributes(tmp_path):
    with h5pure.File(tmp_path / "f.h5", "w", libver="latest") as f:
        g = f.create_group("g")
        for i in range(12):
            g.attrs[f"a{i:02d}"] = i
        f.flush()  # now dense on disk
        assert sorted(g.attrs) == [f"a{i:02d}" for i in range(12)]
        g.attrs["a03"] = "three"
        del g.attrs["a04"]
        assert g.attrs["a03"] == "three"
        assert "a04" not in g.attrs
        assert len(g.attrs) == 11
    with h5py.File(tmp_path / "f.h5", "r") as f:
        assert len(f["g"].attrs) == 11
        assert f["g"].attrs["a03"] == "three"


def test_v1_header_refuses_a_huge_attribute_as_h5py(tmp_path):
    for lib, path in ((h5py, tmp_path / "theirs.h5"), (h5pure, tmp_path / "ours.h5")):
        with lib.File(path, "w") as f:
            g = f.create_group("g")
            with pytest.raises(OSError, match="object header message is too large"):
                g.attrs["big"] = np.zeros(100 * 1024 // 8)
            assert list(g.attrs) == []


def _h5py_dense_file(path):
    with h5py.File(path, "w", libver="latest") as f:
        g = f.create_group("g", track_order=True)
        for i in range(20):
            g.create_group(f"sub{i:02d}")
            g.attrs[f"a{i:02d}"] = np.arange(i + 1)
        g.attrs["big"] = np.arange(20000, dtype="f8")
        plain = f.create_group("plain")
        for i in range(12):
            plain[f"d{i:02d}"] = np.arange(i + 1)
            plain.attrs[f"p{i:02d}"] = f"value {i}"


def _edit(lib, path):
    with lib.File(path, "r+") as f:
        g = f["g"]
        g.create_group("new")
        del g["sub03"]
        g.attrs["a05"] = "replaced"
        g.attrs.modify("a06", np.arange(7) * 10)
        del g.attrs["a07"]
        g.attrs["added"] = 3.25
        plain = f["plain"]
        plain["d99"] = np.arange(3)
        del plain["d00"]
        for i in range(8):
            del plain.attrs[f"p{i:02d}"]  # down to 4: back into the header
        plain.attrs["q"] = 1


def test_modify_h5py_dense_file_in_place(tmp_path):
    ours, theirs = tmp_path / "ours.h5", tmp_path / "theirs.h5"
    _h5py_dense_file(ours)
    _h5py_dense_file(theirs)
    _edit(h5pure, ours)
    _edit(h5py, theirs)
    with h5py.File(ours, "r") as a, h5py.File(theirs, "r") as b:
        compare_files(a, b)
    with h5pure.File(ours, "r") as a, h5py.File(theirs, "r") as b:
        compare_files(a, b)
    assert _storage_of(ours, "plain") == _storage_of(theirs, "plain")


def _storage_of(path, name):
    with h5pure.File(path, "r") as f:
        fs = f._state
        header = read_object_header(fs.source, fs.ctx, f[name]._info.address)
        out = []
        for m in header.messages:
            if m.type == MessageType.ATTRIBUTE_INFO:
                info = decode_message(m, fs.ctx)
                out.append(("ainfo", fs.ctx.is_undefined(info.fractal_heap_address)))
            elif m.type == MessageType.ATTRIBUTE:
                out.append(("attr", decode_message(m, fs.ctx).name))
        return sorted(out)


def test_rewriting_dense_storage_reuses_its_space(tmp_path):
    # space freed in a session is reused after the next commit (no free-space manager is
    # kept between sessions, as with libhdf5's default file space strategy)
    path = tmp_path / "f.h5"
    _h5py_dense_file(path)
    sizes = []
    with h5pure.File(path, "r+") as f:
        g = f["g"]
        for round_ in range(8):
            g.attrs["a00"] = np.arange(50) + round_
            g.attrs["big"] = np.arange(20000, dtype="f8") + round_
            g[f"link{round_}"] = g["sub00"]
            if round_:
                del g[f"link{round_ - 1}"]
            f.flush()
            sizes.append(os.path.getsize(path))
    # the first rewrites move the structures once; after that the file stops growing
    assert max(sizes[2:]) <= sizes[2] and sizes[-1] == sizes[-2], sizes
    with h5py.File(path, "r") as f:
        assert f["g"].attrs["big"][0] == 7
        assert list(f["g"].attrs)[-1] == "big"
        assert "link7" in f["g"] and "link6" not in f["g"]
