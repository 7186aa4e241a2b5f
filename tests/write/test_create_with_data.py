"""Datasets created with their values (``create_dataset(data=...)``) store them at
creation; the file is byte for byte the one the late first write makes, and libhdf5 reads
the values back."""

from __future__ import annotations

import os
from typing import Any

import h5py
import numpy as np
import pytest

import h5pure
from h5pure.drivers.sec2 import Sec2Driver

VALUES = [
    np.arange(12.0).reshape(3, 4),
    np.arange(10, dtype=">i8"),
    np.array([True, False, True]),
    np.arange(3) * (1 + 2j),
    np.float16(2.5),
    np.uint8(7),
    np.arange(6, dtype="u2").reshape(2, 3, 1),
]


def _write(path: Any, libver: str, later: bool) -> None:
    with h5pure.File(path, "w", libver=libver) as f:
        for i, value in enumerate(VALUES):
            g = f.create_group(f"g{i}")
            if later:
                d = g.create_dataset("v", shape=np.shape(value), dtype=np.asarray(value).dtype)
                d[...] = value
            else:
                g.create_dataset("v", data=value)
            g.attrs["i"] = i


@pytest.mark.parametrize("libver", ["earliest", "latest"])
def test_same_bytes_as_a_first_write(tmp_path: Any, libver: str) -> None:
    _write(tmp_path / "created.h5", libver, later=False)
    _write(tmp_path / "written.h5", libver, later=True)
    assert (tmp_path / "created.h5").read_bytes() == (tmp_path / "written.h5").read_bytes()
    with h5py.File(tmp_path / "created.h5", "r") as f:
        for i, value in enumerate(VALUES):
            got = f[f"g{i}/v"][()]
            np.testing.assert_array_equal(got, value)
            assert f[f"g{i}/v"].dtype == np.asarray(value).dtype


def test_values_readable_before_close(tmp_path: Any) -> None:
    with h5pure.File(tmp_path / "a.h5", "w") as f:
        d = f.create_dataset("d", data=np.arange(5, dtype="i4"))
        np.testing.assert_array_equal(d[...], np.arange(5))
        np.testing.assert_array_equal(f["d"][1:3], [1, 2])
        d[2] = 20
        np.testing.assert_array_equal(f["d"][...], [0, 1, 20, 3, 4])
    with h5py.File(tmp_path / "a.h5", "r") as f:
        np.testing.assert_array_equal(f["d"][...], [0, 1, 20, 3, 4])


def test_sec2_size_follows_writes_and_truncation(tmp_path: Any) -> None:
    path = tmp_path / "b.bin"
    d = Sec2Driver(str(path), "w")
    try:
        assert d.size() == 0
        d.write(100, b"x" * 10)
        assert d.size() == 110 == os.stat(path).st_size
        d.write(5, b"y")
        assert d.size() == 110
        d.truncate(50)
        assert d.size() == 50 == os.stat(path).st_size
        d.write(60, b"z")
        assert d.size() == 61 == os.stat(path).st_size
    finally:
        d.close()
    r = Sec2Driver(str(path), "r")
    try:
        assert r.size() == 61
    finally:
        r.close()
