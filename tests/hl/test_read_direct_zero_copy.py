"""``read_direct`` fills the caller's array in place -- no intermediate array -- for
contiguous and chunked (filtered or not) datasets and selections that map to strided
memory; values as h5py reads them, fill values where nothing was written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure
from h5pure.lowlevel.dataset import DatasetStorage

DATA = np.arange(60 * 40, dtype="<f8").reshape(60, 40) * 0.5

LAYOUTS = {
    "contiguous": {},
    "chunked": {"chunks": (16, 8)},
    "gzip": {"chunks": (16, 8), "compression": "gzip", "shuffle": True},
    "lzf": {"chunks": (7, 40), "compression": "lzf"},
}

CASES = [
    (None, None, (60, 40)),
    (np.s_[5:50, 3:30], None, (45, 27)),
    (np.s_[5:50:3, ::4], np.s_[2:17, 1:11], (20, 12)),
    (np.s_[7, 2:38], np.s_[3, ::2], (5, 72)),
    (np.s_[10:20, 5], np.s_[:, 4], (10, 9)),
    (np.s_[::2, 1:2], np.s_[:, 0:1], (30, 1)),
]


@pytest.fixture(params=sorted(LAYOUTS))
def dataset_file(request: Any, tmp_path: Path, h5py: Any) -> tuple[Path, str]:
    path = tmp_path / "d.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("d", data=DATA, **LAYOUTS[request.param])
    return path, request.param


@pytest.mark.parametrize("source_sel, dest_sel, dest_shape", CASES)
def test_read_direct_fills_callers_array_in_place(
    dataset_file: tuple[Path, str],
    h5py: Any,
    monkeypatch: Any,
    source_sel: Any,
    dest_sel: Any,
    dest_shape: tuple[int, ...],
) -> None:
    path, _ = dataset_file
    want = np.full(dest_shape, -1.0)
    with h5py.File(path, "r") as f:
        f["d"].read_direct(want, source_sel, dest_sel)
    targets: list[np.ndarray] = []
    real_read = DatasetStorage.read

    def spy(self: DatasetStorage, sel: Any, out: Any = None) -> np.ndarray:
        assert out is not None, "read_direct went through an intermediate array"
        targets.append(out)
        return real_read(self, sel, out)

    monkeypatch.setattr(DatasetStorage, "read", spy)
    got = np.full(dest_shape, -1.0)
    with h5pure.File(path, "r") as f:
        f["d"].read_direct(got, source_sel, dest_sel)
    np.testing.assert_array_equal(got, want)
    assert len(targets) == 1 and np.shares_memory(targets[0], got)


def test_read_direct_of_unwritten_chunks_gives_the_fill_value(tmp_path: Path, h5py: Any) -> None:
    path = tmp_path / "sparse.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("d", shape=(40, 40), dtype="i4", chunks=(10, 10), fillvalue=7)
        d[12:18, 3:5] = 1
        f.create_dataset("never", shape=(5, 5), dtype="i4", fillvalue=-3)
    with h5pure.File(path, "r") as f:
        got = np.zeros((40, 40), dtype="i4")
        f["d"].read_direct(got)
        np.testing.assert_array_equal(got, f["d"][...])
        assert got[0, 0] == 7 and got[12, 3] == 1
        never = np.zeros((5, 5), dtype="i4")
        f["never"].read_direct(never)
        assert (never == -3).all()


def test_read_direct_converts_and_broadcasts_as_before(tmp_path: Path, h5py: Any) -> None:
    """Other dtypes, broadcasting and fancy destination indices take the general path."""
    path = tmp_path / "d.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("d", data=DATA, chunks=(16, 8))
    with h5pure.File(path, "r") as f, h5py.File(path, "r") as g:
        for dest_dtype in ("f4", ">f8", "i8"):
            a, b = np.zeros((60, 40), dest_dtype), np.zeros((60, 40), dest_dtype)
            f["d"].read_direct(a)
            g["d"].read_direct(b)
            np.testing.assert_array_equal(a, b)
        a, b = np.zeros((4, 40)), np.zeros((4, 40))
        f["d"].read_direct(a, np.s_[3:4, :], np.s_[0:4, :])
        g["d"].read_direct(b, np.s_[3:4, :], np.s_[0:4, :])
        np.testing.assert_array_equal(a, b)
        with pytest.raises(TypeError):
            f["d"].read_direct(np.zeros((60, 40))[:, ::2])
