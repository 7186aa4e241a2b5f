"""Link storage phase change of new-style groups, as libhdf5 does it link by link.

A group with link messages goes dense (fractal heap + v2 B-tree name index, plus a
creation-order index when order is tracked) when a link is added to ``max_compact`` (8)
of them, and back to link messages when a removal leaves fewer than ``min_dense`` (6);
between the two it keeps the storage it has.  The oracle: the same sequence of creations
and deletions, in one session or across reopenings, run through h5py (libhdf5) and
h5pure; the storage of every group (symbol table, n link messages, or dense) and the
links h5py lists, in its order, must match.  Non-default values (``h5repack -c/-d``) are
checked against files ``h5repack`` writes in ``tests/cli/test_repack_links.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import h5pure
from h5pure.hl.group import set_link_phase_change
from h5pure.testing.groups import link_storage as storage_of

h5py = pytest.importorskip("h5py")


def listing(path):
    with h5py.File(path, "r") as f:
        out = {"/": list(f)}
        f.visititems(
            lambda n, o: out.__setitem__(n, list(o)) if isinstance(o, h5py.Group) else None
        )
        return out


# each step: ("add", group, names) | ("del", group, names) | ("reopen",)
SCENARIOS = {
    "grow-past-8": [("add", "g", range(9))],
    "exactly-8": [("add", "g", range(8))],
    "grow-then-shrink-to-6-stays-dense": [("add", "g", range(10)), ("del", "g", range(4))],
    "grow-then-shrink-to-5-goes-compact": [("add", "g", range(10)), ("del", "g", range(5))],
    "across-sessions": [
        ("add", "g", range(9)),
        ("reopen",),
        ("del", "g", range(3)),
        ("reopen",),
        ("del", "g", range(3, 4)),
        ("reopen",),
        ("add", "g", range(20, 22)),
    ],
    "shrink-to-nothing": [("add", "g", range(12)), ("reopen",), ("del", "g", range(12))],
    "compact-then-dense-again": [
        ("add", "g", range(9)),
        ("del", "g", range(5)),
        ("add", "g", range(30, 34)),
        ("add", "g", range(40, 41)),
    ],
    "root-and-nested": [("add", "/", range(10)), ("add", "g", range(3)), ("del", "/", range(6))],
}


def _run(lib, path, steps, libver, track_order):
    mode = "w"
    f = lib.File(path, mode, libver=libver, track_order=track_order)
    try:
        f.create_group("g", track_order=track_order)
        for step in steps:
            if step[0] == "reopen":
                f.close()
                f = lib.File(path, "r+")
                continue
            op, group, names = step
            g = f[group]
            for k in names:
                key = f"n{(k * 7919) % 1000:03d}"  # not in name or hash order
                if op == "add":
                    g[key] = np.int32(k)
                else:
                    del g[key]
    finally:
        f.close()


@pytest.mark.parametrize("what", sorted(SCENARIOS))
@pytest.mark.parametrize("libver,track_order", [("latest", False), ("earliest", True)])
def test_phase_change_as_libhdf5(tmp_path, what, libver, track_order):
    ours, theirs = tmp_path / "ours.h5", tmp_path / "theirs.h5"
    _run(h5py, theirs, SCENARIOS[what], libver, track_order)
    _run(h5pure, ours, SCENARIOS[what], libver, track_order)
    assert storage_of(ours) == storage_of(theirs)
    assert listing(ours) == listing(theirs)


def test_old_style_groups_stay_symbol_tables(tmp_path):
    path = tmp_path / "x.h5"
    _run(h5pure, path, SCENARIOS["grow-past-8"], "earliest", False)
    assert storage_of(path) == {"/": ("stab", None), "g": ("stab", None)}


@pytest.mark.parametrize("libver", ["earliest", "latest"])
def test_non_default_values_are_stored_and_followed(tmp_path, libver):
    """``set_link_phase_change`` (libhdf5's ``H5Pset_link_phase_change``): the values go
    to the group info message, make an old-style group new-style, and move the phase."""
    path = tmp_path / "x.h5"
    with h5pure.File(path, "w", libver=libver) as f:
        g = f.create_group("g")
        set_link_phase_change(g, 3, 2)
        for k in range(4):
            g[f"x{k}"] = k
        h = f.create_group("h")
        set_link_phase_change(h, 3, 2)
        for k in range(3):
            h[f"x{k}"] = k
    assert storage_of(path)["g"] == ("dense", (3, 2))
    assert storage_of(path)["h"] == ("compact3", (3, 2))
    with h5pure.File(path, "r+") as f:
        del f["g/x0"]  # 3 left: still dense (min_dense 2)
        del f["g/x1"]
        f["h/x3"] = 3  # 4: dense, the values read back from the file
    assert storage_of(path)["g"] == ("dense", (3, 2))
    assert storage_of(path)["h"] == ("dense", (3, 2))
    with h5pure.File(path, "r+") as f:
        del f["g/x2"]  # 1 < 2: back to link messages
        set_link_phase_change(f["h"], 8, 6)  # the defaults again: not stored, compact
    assert storage_of(path)["g"] == ("compact1", (3, 2))
    assert storage_of(path)["h"] == ("compact4", None)
    with h5py.File(path, "r") as f:
        assert sorted(f["g"]) == ["x3"] and sorted(f["h"]) == ["x0", "x1", "x2", "x3"]


@pytest.mark.parametrize("values", [(65536, 6), (4, 6), (-1, 0)])
def test_values_libhdf5_refuses(tmp_path, values):
    with h5pure.File(tmp_path / "x.h5", "w") as f:
        with pytest.raises(ValueError, match="Unable to set link phase change"):
            set_link_phase_change(f, *values)
