"""Writes to datasets of array dtypes follow h5py's rules: the value must end in the
element's shape, and one element is not broadcast over a selection of several (h5py's
issue 211); h5py raises the same ``TypeError`` messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure

VALUES = [42, np.int32(42), [1, 2, 3], np.array(5), np.ones((2, 2))]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
@pytest.mark.parametrize("key", [np.s_[...], np.s_[2], np.s_[3:4]], ids=["all", "int", "slice"])
def test_errors_match_h5py(tmp_path: Path, h5py: Any, value: Any, key: Any) -> None:
    outcome = []
    for lib in (h5py, h5pure):
        with lib.File(tmp_path / f"{lib.__name__}.h5", "w") as f:
            d = f.create_dataset("a", (10,), dtype=np.dtype("(3,)i4"))
            try:
                d[key] = value
                outcome.append(("ok", d[...].tolist()))
            except TypeError as e:
                outcome.append(("TypeError", str(e)))
    assert outcome[0] == outcome[1]


def test_whole_elements_are_written(tmp_path: Path, h5py: Any) -> None:
    path = tmp_path / "w.h5"
    with h5pure.File(path, "w") as f:
        d = f.create_dataset("a", (10,), dtype=np.dtype("(3,)f8"))
        d[4] = np.array([1, 2, 3.0])
        d[0:2] = np.ones((2, 3))
        d[6:8] = np.full((1, 3), 9.0)  # broadcast over the selection's axis
    with h5py.File(path, "r") as f:
        got = f["a"][...]
    np.testing.assert_array_equal(got[4], [1, 2, 3])
    np.testing.assert_array_equal(got[0:2], np.ones((2, 3)))
    np.testing.assert_array_equal(got[6:8], np.full((2, 3), 9.0))
