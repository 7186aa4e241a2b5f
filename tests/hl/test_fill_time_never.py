"""``fill_time="never"``: the fill value is recorded (``fillvalue`` reports it) but never
written -- unwritten elements and new storage read as zeros, as h5py's reads of libhdf5's
untouched buffers do, not as the fill value; h5py reads the same bytes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import h5pure


def test_never_filled(tmp_path: Path, h5py: Any) -> None:
    path = tmp_path / "n.h5"
    with h5pure.File(path, "w") as f:
        c = f.create_dataset("contig", (10,), "f4", fillvalue=4.0, fill_time="never")
        assert c.fillvalue == 4.0
        assert not np.isclose(c[...], 4.0).any()
        d = f.create_dataset(
            "chunked", (50,), "f4", maxshape=(100,), fillvalue=4.0, fill_time="never", chunks=(5,)
        )
        assert not np.isclose(d[...], 4.0).any()
        d.resize((100,))
        d[3] = 1.0  # a new chunk: its other elements are not filled either
        assert not np.isclose(d[...], 4.0).any()
        e = f.create_dataset("ifset", (10,), "f4", fillvalue=4.0)
        assert (e[...] == 4.0).all()  # the default fill time fills
    with h5py.File(path, "r") as f:
        assert f["chunked"].fillvalue == 4.0
        np.testing.assert_array_equal(f["chunked"][:5], [0, 0, 0, 1, 0])
        assert (f["ifset"][...] == 4.0).all()
