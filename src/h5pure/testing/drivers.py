"""``DriverTests``: the conformance suite every driver's tests subclass in a few lines.

A subclass names the driver and its keyword arguments and, where a driver does not sit on
one path, says how a file is located (``location``), opened (``open_h5pure``) and shown to
h5py (``open_h5py``).  The suite then checks, on that driver:

* raw reads and writes at offsets, across any internal boundary, and reads of the whole file;
* growing and shrinking the file (``truncate``) and short reads past its end (FormatError);
* a read-only driver refusing writes (ReadOnlyError);
* a file written through ``h5pure.File`` read back after reopening, by h5pure and by h5py
  (the oracle), extended in mode "a", and a dataset resized;
* a file h5py wrote read by h5pure;
* a missing file (FileNotFoundError) and a wrong keyword argument (h5py's TypeError).

Drivers whose files do not outlive ``close()`` (core without a backing store) set
``persistent = False``: the suite then checks that nothing reached the disk.
h5py is imported inside the tests only (it is the oracle, never a dependency).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from ..drivers import Driver, open_driver
from ..errors import FormatError, ReadOnlyError


class DriverTests:
    """Subclass as ``class TestSec2(DriverTests): driver = "sec2"``."""

    driver: ClassVar[str] = ""
    options: ClassVar[dict[str, Any]] = {}
    """Keyword arguments for ``File(..., driver=driver, **options)``."""
    persistent: ClassVar[bool] = True
    """The file survives ``close()`` (False: core with ``backing_store=False``)."""
    filename: ClassVar[str] = "f.h5"
    boundary: ClassVar[int] = 4096
    """An offset where the driver's storage changes (a family member's end); raw tests
    write across it."""

    # -- hooks a subclass may override -------------------------------------------------
    def location(self, tmp_path: Path) -> Any:
        """What ``File()`` is given: a path by default."""
        return str(tmp_path / self.filename)

    def open_h5pure(self, loc: Any, mode: str) -> Any:
        import h5pure

        return h5pure.File(loc, mode, driver=self.driver, **self.options)

    def open_h5py(self, loc: Any, mode: str) -> Any:
        import h5py

        return h5py.File(loc, mode, driver=self.driver, **self.options)

    def open_raw(self, loc: Any, mode: str) -> Driver:
        return open_driver(self.driver, loc, mode, self.options)

    def disk_files(self, tmp_path: Path) -> list[str]:
        return sorted(os.listdir(tmp_path))

    # -- raw bytes ---------------------------------------------------------------------
    def test_write_read_across_boundary(self, tmp_path: Path) -> None:
        loc = self.location(tmp_path)
        drv = self.open_raw(loc, "w")
        try:
            data = bytes(range(256)) * 40
            start = self.boundary - 1000
            drv.write(start, data)
            assert drv.size() == start + len(data)
            assert drv.read(start, len(data)) == data
            assert drv.read(0, start) == bytes(start)  # never written: zeros
            buf = bytearray(300)
            drv.readinto(self.boundary - 100, memoryview(buf))
            assert bytes(buf) == data[900:1200]
            drv.write(self.boundary - 2, b"XYZW")
            assert drv.read(self.boundary - 3, 6) == data[997:998] + b"XYZW" + data[1002:1003]
            drv.flush()
        finally:
            drv.close()
        assert drv.closed

    def test_resize_file(self, tmp_path: Path) -> None:
        loc = self.location(tmp_path)
        drv = self.open_raw(loc, "w")
        try:
            drv.write(0, b"\1" * (self.boundary + 500))
            drv.truncate(self.boundary + 10)
            assert drv.size() == self.boundary + 10
            drv.truncate(100)
            assert drv.size() == 100
            assert drv.read(0, 100) == b"\1" * 100
            drv.truncate(self.boundary + 20)  # growing reads back zeros
            assert drv.size() == self.boundary + 20
            assert drv.read(90, 20) == b"\1" * 10 + bytes(10)
        finally:
            drv.close()

    def test_short_read_raises(self, tmp_path: Path) -> None:
        drv = self.open_raw(self.location(tmp_path), "w")
        try:
            drv.write(0, b"abc")
            with pytest.raises(FormatError, match="truncated file"):
                drv.read(1, 10)
        finally:
            drv.close()

    def test_read_only_refuses_writes(self, tmp_path: Path) -> None:
        loc = self.location(tmp_path)
        with self.open_h5pure(loc, "w") as f:
            f["x"] = np.arange(3)
        if not self.persistent:
            return  # a read-only open of a file that is gone is test_missing_file's case
        drv = self.open_raw(loc, "r")
        try:
            assert not drv.writable
            with pytest.raises(ReadOnlyError):
                drv.write(0, b"x")
            with pytest.raises(ReadOnlyError):
                drv.truncate(0)
        finally:
            drv.close()

    # -- whole files -------------------------------------------------------------------
    def test_write_reopen_read(self, tmp_path: Path) -> None:
        loc = self.location(tmp_path)
        before = self.disk_files(tmp_path)
        data = np.arange(5000, dtype="<f8").reshape(50, 100)
        with self.open_h5pure(loc, "w") as f:
            assert f.driver == self.driver
            f.create_dataset("g/d", data=data, chunks=(10, 100))
            f["g"].attrs["a"] = "text"
            f["small"] = np.int32(7)
        if not self.persistent:
            assert self.disk_files(tmp_path) == before
            return
        with self.open_h5pure(loc, "r") as f:
            np.testing.assert_array_equal(f["g/d"][...], data)
            assert f["g"].attrs["a"] == "text"
        with self.open_h5py(loc, "r") as f:
            np.testing.assert_array_equal(f["g/d"][...], data)
            assert int(f["small"][()]) == 7
        with self.open_h5pure(loc, "a") as f:
            f.create_dataset("r", shape=(10,), maxshape=(None,), chunks=(4,), dtype="i4")
            f["r"].resize((30,))
            f["r"][...] = np.arange(30)
            del f["small"]
        with self.open_h5py(loc, "r") as f:
            assert sorted(f) == ["g", "r"]
            np.testing.assert_array_equal(f["r"][...], np.arange(30))
            np.testing.assert_array_equal(f["g/d"][...], data)

    def test_reads_what_h5py_wrote(self, tmp_path: Path) -> None:
        if not self.persistent:
            return  # h5py's in-memory file is gone at close as well
        loc = self.location(tmp_path)
        data = np.arange(20000, dtype="<i4")
        with self.open_h5py(loc, "w") as f:
            f.create_dataset("d", data=data, chunks=(1000,), compression="gzip")
            f.attrs["who"] = "h5py"
        with self.open_h5pure(loc, "r") as f:
            np.testing.assert_array_equal(f["d"][...], data)
            assert f.attrs["who"] == "h5py"
        with self.open_h5pure(loc, "r+") as f:
            f["d"][:10] = -1
        with self.open_h5py(loc, "r") as f:
            np.testing.assert_array_equal(f["d"][:12], [-1] * 10 + [10, 11])

    # -- errors --------------------------------------------------------------------------
    def test_missing_file(self, tmp_path: Path) -> None:
        loc = self.location(tmp_path)
        if not isinstance(loc, str):
            return  # a file object always exists
        with pytest.raises(FileNotFoundError):
            self.open_h5pure(loc, "r")
        with pytest.raises(FileNotFoundError):
            self.open_h5pure(loc, "r+")

    def test_unknown_keyword(self, tmp_path: Path) -> None:
        import h5pure

        loc = self.location(tmp_path)
        kwds = dict(self.options, not_an_option=1)
        with pytest.raises(TypeError, match="unexpected keyword argument 'not_an_option'"):
            h5pure.File(loc, "w", driver=self.driver, **kwds)
