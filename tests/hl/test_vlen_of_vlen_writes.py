"""Writing vlen sequences of vlen strings: an object array (or list) of strings is one
sequence along its last axis, as h5py reads the value; numeric vlen keeps an object
array as one sequence per item.  h5py writes the same values; both files read alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure

h5py = pytest.importorskip("h5py")


def _write(lib: Any, path: Path) -> None:
    with lib.File(path, "w") as h:
        vv = lib.special_dtype(vlen=lib.special_dtype(vlen=str))
        ds = h.create_dataset("com", (3,), dtype=vv)
        ds[0] = np.array(["a", "b", "c"], dtype=vv)
        ds[1] = ["d", "e", "f", "g"]  # a list: one sequence
        ds[2] = np.array(["only"], dtype=object)
        two = h.create_dataset("two", (2, 2), dtype=vv)
        two[...] = np.array([[["x", "yy"], ["z", "w"]], [["p", "q"], ["r", "s"]]], dtype=object)
        two[1, 0] = ["changed", "again", "and again"]
        ints = h.create_dataset("ints", (3,), dtype=lib.vlen_dtype(np.int32))
        ints[...] = np.array([np.arange(2), np.arange(3), np.arange(1)], dtype=object)
        ints[1] = [7, 8, 9, 10]


def _read(path: Path) -> dict[str, list[Any]]:
    with h5py.File(path, "r") as h:
        return {
            name: [np.asarray(x).tolist() for x in h[name][...].ravel()]
            for name in ("com", "two", "ints")
        }


def test_vlen_of_vlen_strings_written_as_h5py_writes_them(tmp_path: Path) -> None:
    _write(h5py, tmp_path / "py.h5")
    _write(h5pure, tmp_path / "pure.h5")
    want = _read(tmp_path / "py.h5")
    assert want["com"][0] == [b"a", b"b", b"c"]
    assert _read(tmp_path / "pure.h5") == want
    with h5pure.File(tmp_path / "pure.h5", "r") as f:
        assert f["com"][1].tolist() == [b"d", b"e", b"f", b"g"]
        assert f["two"][1, 0].tolist() == [b"changed", b"again", b"and again"]
