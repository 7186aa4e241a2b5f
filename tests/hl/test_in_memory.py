"""``File.in_memory()`` and file images (h5py 3.13+); h5py is the oracle."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure


def test_new_in_memory_file_touches_no_disk(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    with h5pure.File.in_memory(track_order=True, rdcc_nbytes=2_000_000) as f:
        f["b"] = np.arange(10)
        f["a/x"] = 1.5
        assert list(f) == ["b", "a"]  # track_order went to the file
        assert f.driver == "core" and f.mode == "r+"
        assert f.filename.startswith("h5py_in_memory_nonfile_")
    assert os.listdir(tmp_path) == []


def test_images_go_both_ways_with_h5py(h5py: Any) -> None:
    arr = np.arange(12.0).reshape(3, 4)
    with h5pure.File.in_memory() as f:
        f["a"] = arr
        f.attrs["note"] = "from h5pure"
        f.flush()
        image = _image(f)
    with h5py.File.in_memory(image) as g:  # libhdf5 opens h5pure's image
        np.testing.assert_array_equal(g["a"][...], arr)
        assert g.attrs["note"] == "from h5pure"
        g["b"] = np.arange(3)
        g.flush()
        theirs = g.id.get_file_image()
    with h5pure.File.in_memory(theirs) as f:  # and h5pure libhdf5's, for writing
        assert sorted(f) == ["a", "b"]
        f["c"] = [1, 2]
        f.flush()
        again = _image(f)
    with h5py.File.in_memory(again) as g:
        assert sorted(g) == ["a", "b", "c"]
    with h5pure.File.in_memory(theirs) as f:  # the image was copied, not changed
        assert sorted(f) == ["a", "b"]


def _image(f: Any) -> bytes:
    return bytes(f._state.image())


def test_in_memory_argument_errors_as_h5py(h5py: Any) -> None:
    with h5py.File.in_memory() as g:
        g["x"] = 1
        g.flush()
        image = g.id.get_file_image()
    for module in (h5py, h5pure):
        for key in ("driver", "locking", "backing_store"):
            with pytest.raises(TypeError, match=key):
                module.File.in_memory(**{key: None})
        with pytest.raises(TypeError, match="cannot be used with file_image"):
            module.File.in_memory(image, track_order=True)


def test_two_in_memory_files_are_apart() -> None:
    with h5pure.File.in_memory() as a, h5pure.File.in_memory() as b:
        a["x"] = 1
        assert "x" not in b
        assert a.filename != b.filename
