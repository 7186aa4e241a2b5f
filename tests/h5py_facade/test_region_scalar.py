"""Region references to a scalar dataset through the facade (h5py's
``TestRegionRefs.test_scalar_dataset``): ``h5r.create(dset.id, b".", ...)`` names the
dataset itself; a scalar dataspace with nothing selected gives a region that reads as
``Empty``, with everything selected the value -- stored in a file, h5py reads the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import h5pure
from h5pure.h5py_facade import h5r, h5s


def test_scalar_regions(tmp_path: Path, h5py: Any) -> None:
    path = tmp_path / "r.h5"
    with h5pure.File(path, "w") as f:
        ds = f.create_dataset("s", data=1.5, dtype="f4")
        sid = h5s.create(h5s.SCALAR)
        sid.select_none()
        none = h5r.create(ds.id, b".", h5r.DATASET_REGION, sid)
        assert ds[none] == h5pure.Empty(np.dtype("f4"))
        sid.select_all()
        every = h5r.create(ds.id, b".", h5r.DATASET_REGION, sid)
        assert ds[every] == ds[()] == np.float32(1.5)
        assert h5r.create(ds.id, b".", h5r.OBJECT) == ds.ref
        f.create_dataset("refs", data=[none, every], dtype=h5pure.regionref_dtype)
    with h5py.File(path, "r") as f:
        refs = f["refs"][...]
        assert f["s"][refs[0]] == h5py.Empty(np.dtype("f4"))
        assert f["s"][refs[1]] == np.float32(1.5)
