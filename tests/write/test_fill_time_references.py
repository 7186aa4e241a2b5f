"""A dataset of references is not variable-length data: libhdf5 gives it the fill time
"if set", as any fixed-size type; only types holding vlen data are filled on allocation."""

import numpy as np
import pytest

import h5pure

h5py = pytest.importorskip("h5py")


def _build(lib, path):
    with lib.File(path, "w") as f:
        f["a"] = np.arange(3)
        f["r"] = np.array([f["a"].ref], dtype=lib.ref_dtype)
        f["rr"] = np.array([f["a"].regionref[0:1]], dtype=lib.regionref_dtype)
        f.create_dataset("c", (2,), dtype=[("x", "i4"), ("r", lib.ref_dtype)])
        f["v"] = np.array(["a"], dtype=lib.string_dtype())
        f.create_dataset("vc", (2,), dtype=[("x", "i4"), ("s", lib.string_dtype())])


def _fill_times(path):
    with h5py.File(path, "r") as f:
        return {k: f[k].id.get_create_plist().get_fill_time() for k in f}


def test_fill_time_of_reference_and_vlen_datasets(tmp_path):
    _build(h5py, tmp_path / "theirs.h5")
    _build(h5pure, tmp_path / "ours.h5")
    theirs = _fill_times(tmp_path / "theirs.h5")
    assert theirs["r"] == h5py.h5d.FILL_TIME_IFSET and theirs["v"] == h5py.h5d.FILL_TIME_ALLOC
    assert _fill_times(tmp_path / "ours.h5") == theirs
