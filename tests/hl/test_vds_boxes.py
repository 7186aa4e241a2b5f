"""Virtual datasets whose mappings are boxes onto boxes (the common layout: a source per
block of the virtual dataset), read with a slice per axis: the overlap is worked out per
axis and read as one slab.  Every request is compared with h5py's read of the same file,
with mappings that are not boxes (strided, several blocks, unlimited) mixed in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure
from h5pure.lowlevel import virtual

h5py = pytest.importorskip("h5py")


def _build(path: Path) -> None:
    rng = np.random.default_rng(4)
    layout = h5py.VirtualLayout(shape=(40, 30), dtype="f8")
    with h5py.File(path, "w", libver="latest") as f:
        # a grid of 4 x 3 boxes of 10 x 10, each a whole source (ALL -> box) ...
        for i in range(4):
            for j in range(3):
                if (i, j) == (1, 1):
                    continue  # ... one left unmapped: the fill value
                dt = "i4" if (i + j) % 2 else "f8"  # converted to the virtual dtype
                d = f.create_dataset(f"s{i}{j}", data=rng.integers(-99, 99, (10, 10)).astype(dt))
                if (i, j) == (2, 2):  # a box of a larger source onto a box
                    big = f.create_dataset("big", data=rng.normal(size=(25, 25)))
                    layout[20:30, 20:30] = h5py.VirtualSource(big)[7:17, 3:13]
                elif (i, j) == (3, 0):  # not a box: every other column of a wider source
                    wide = f.create_dataset("wide", data=rng.normal(size=(10, 20)))
                    layout[30:40, 0:10] = h5py.VirtualSource(wide)[:, ::2]
                else:
                    layout[10 * i : 10 * i + 10, 10 * j : 10 * j + 10] = h5py.VirtualSource(d)
        f.create_virtual_dataset("v", layout, fillvalue=-1.5)


KEYS = [
    np.s_[...],
    np.s_[::3, ::4],
    np.s_[5:35, 7:29],
    np.s_[9:11, 9:21],  # corners of four boxes
    np.s_[12, :],  # an int index
    np.s_[:, 25],
    np.s_[3:38:7, 1:30:9],
    np.s_[15:15, :],  # nothing
    np.s_[21:29, 21:29],  # inside the box of a larger source
    np.s_[30:40, 0:12],  # the strided mapping and its neighbour
    np.s_[[1, 5, 33], 4:20],  # an index list: the general path
]


@pytest.mark.parametrize("key", KEYS, ids=str)
def test_box_mappings_read_as_h5py(tmp_path: Path, key: Any) -> None:
    path = tmp_path / "vds.h5"
    _build(path)
    with h5py.File(path, "r") as f:
        want = f["v"][key]
    with h5pure.File(path, "r") as f:
        got = f["v"][key]
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def test_boxes_take_the_slab_path(tmp_path: Path, monkeypatch: Any) -> None:
    """The box mappings of a sliced read go through ``_read_box`` (one slab each); the
    strided one through the general path."""
    path = tmp_path / "vds.h5"
    _build(path)
    boxes: list[Any] = []
    general: list[Any] = []
    box, mapping = virtual._read_box, virtual._read_mapping
    monkeypatch.setattr(virtual, "_read_box", lambda *a: (boxes.append(a[0]), box(*a))[1])
    monkeypatch.setattr(virtual, "_read_mapping", lambda *a: (general.append(a[0]), mapping(*a))[1])
    with h5pure.File(path, "r") as f:
        f["v"][::2, 1:]
    assert len(boxes) == 10 and len(general) == 1


def test_box_test_refuses_what_is_not_one_box() -> None:
    from h5pure.format.selection_codec import RegularHyperslab, SelectionType, SerializedSelection

    def hs(start, stride, count, block):
        reg = RegularHyperslab(start, stride, count, block)
        return SerializedSelection(SelectionType.HYPERSLABS, len(start), regular=reg)

    assert virtual._box(hs((2, 3), (1, 1), (1, 1), (4, 5)), (10, 10)) == [(2, 6), (3, 8)]
    assert virtual._box(hs((2, 3), (1, 1), (1, 1), (4, 8)), (10, 10)) is None  # past the extent
    assert virtual._box(hs((0,), (3,), (2,), (1,)), (10,)) is None  # two blocks
    assert virtual._box(hs((0,), (1,), (None,), (1,)), (10,)) is None  # unlimited
    assert virtual._box(hs((0,), (1,), (1,), (None,)), (10,)) is None
    assert virtual._box(SerializedSelection(SelectionType.ALL, 2), (4, 5)) == [(0, 4), (0, 5)]
    assert virtual._box(SerializedSelection(SelectionType.NONE, 1), (4,)) is None
