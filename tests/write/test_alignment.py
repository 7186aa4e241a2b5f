"""``File(alignment_threshold=, alignment_interval=)`` as libhdf5's ``H5Pset_alignment``:
allocations of at least the threshold start at multiples of the interval (any interval,
not only powers of two); smaller ones are packed; h5py reads the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure


@pytest.mark.parametrize("interval", [4096, 1000])
def test_datasets_above_the_threshold_are_aligned(tmp_path: Path, h5py: Any, interval: int) -> None:
    path = tmp_path / "a.h5"
    with h5pure.File(path, "w", alignment_threshold=1000, alignment_interval=interval) as f:
        for i, n in enumerate([1033, 1000, 1001] * 20):
            d = f.create_dataset(f"d{i:03d}", (n,), dtype="u1")
            d[...] = i % 256
            assert d.id.get_offset() % interval == 0, (i, n, d.id.get_offset())
        small = []
        for i in range(20):
            d = f.create_dataset(f"s{i:03d}", (881,), dtype="u1")
            d[...] = i
            small.append(d.id.get_offset() % interval)
        assert any(small)  # below the threshold: packed, not aligned
    with h5py.File(path, "r") as f:
        assert len(f) == 80
        np.testing.assert_array_equal(f["d004"][...], np.full(1000, 4, dtype="u1"))


def test_alignment_is_not_kept_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.h5"
    with h5pure.File(path, "w", alignment_threshold=1, alignment_interval=4096) as f:
        f["x"] = np.arange(300, dtype="u1")
    with h5pure.File(path, "a") as f:
        offsets = []
        for i in range(10):
            f[f"y{i}"] = np.arange(300 + i, dtype="u2")
            offsets.append(f[f"y{i}"].id.get_offset() % 4096)
        assert any(offsets)  # reopened without alignment: packed


def test_a_bad_interval_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="alignment"):
        h5pure.File(tmp_path / "b.h5", "w", alignment_interval=0)
