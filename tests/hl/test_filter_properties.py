"""``Dataset.filter_ids`` / ``filter_names`` (h5py 3.16): the pipeline in order, names as
stored in the file or, where a version 2 pipeline message stores none, the registered
filter's -- what h5py reports for the same file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure

CASES = [
    {"fletcher32": True, "shuffle": True, "compression": "lzf"},
    {"shuffle": True, "compression": "gzip"},
    {"scaleoffset": 2, "compression": "lzf"},
    {},
]


@pytest.mark.parametrize("libver", ["earliest", "latest"])
@pytest.mark.parametrize("writer", ["h5py", "h5pure"])
def test_filter_ids_and_names_match_h5py(tmp_path: Path, h5py: Any, libver: str, writer: str) -> None:
    path = tmp_path / "f.h5"
    lib = h5py if writer == "h5py" else h5pure
    with lib.File(path, "w", libver=libver) as f:
        for i, kw in enumerate(CASES):
            f.create_dataset(f"d{i}", (1000,), np.float32, chunks=(100,), **kw)
    with h5py.File(path, "r") as ref, h5pure.File(path, "r") as f:
        for i in range(len(CASES)):
            want, got = ref[f"d{i}"], f[f"d{i}"]
            assert got.filter_ids == want.filter_ids
            assert got.filter_names == want.filter_names
