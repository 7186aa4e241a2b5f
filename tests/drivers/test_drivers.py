"""Every driver through the DriverTests conformance suite."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure
from h5pure.drivers import Driver, get_driver
from h5pure.drivers.fileobj import FileObjDriver
from h5pure.testing.drivers import DriverTests


class TestSec2(DriverTests):
    driver = "sec2"


class TestStdio(DriverTests):
    driver = "stdio"


class TestCoreBackingStore(DriverTests):
    driver = "core"
    options = {"backing_store": True}


class TestCoreDefaultOptions(DriverTests):
    driver = "core"
    options = {"block_size": 1024}


class TestCoreInMemory(DriverTests):
    driver = "core"
    options = {"backing_store": False}
    persistent = False


class TestFamily(DriverTests):
    driver = "family"
    options = {"memb_size": 4096}
    filename = "fam-%d.h5"

    def disk_files(self, tmp_path: Path) -> list[str]:
        return sorted(os.listdir(tmp_path))


class TestFileObjBytesIO(DriverTests):
    driver = "fileobj"

    def location(self, tmp_path: Path) -> Any:
        return io.BytesIO()

    def open_h5pure(self, loc: Any, mode: str) -> Any:
        return h5pure.File(loc, mode)

    def open_h5py(self, loc: Any, mode: str) -> Any:
        import h5py

        return h5py.File(loc, mode)

    def open_raw(self, loc: Any, mode: str) -> Driver:
        return FileObjDriver(loc, writable=mode != "r")

    def test_unknown_keyword(self, tmp_path: Path) -> None:
        # h5py ignores driver keywords with a file object; only another driver is refused
        with h5pure.File(io.BytesIO(), "w", not_an_option=1) as f:
            assert f.driver == "fileobj"
        with pytest.raises(ValueError, match="Driver must be 'fileobj'"):
            h5pure.File(io.BytesIO(), "w", driver="core")


class TestFileObjOpenFile(TestFileObjBytesIO):
    """A real file opened with ``open(..., "r+b")``, kept open between File objects."""

    def location(self, tmp_path: Path) -> Any:
        path = tmp_path / "obj.h5"
        path.touch()
        fh = open(path, "r+b")  # closed in teardown_method
        self._handles = [*getattr(self, "_handles", []), fh]
        return fh

    def teardown_method(self) -> None:
        for fh in getattr(self, "_handles", []):
            fh.close()


# -- File(driver=..., **kwds) against h5py's errors -----------------------------------------


@pytest.mark.parametrize(
    "kwds",
    [
        {"driver": "nope"},
        {"driver": "core", "foo": 1},
        {"driver": "sec2", "backing_store": True},
        {"driver": "stdio", "memb_size": 10},
        {"driver": "family", "memb_size": 1024, "bogus": 3},
        {"foo": 1},
        {"locking": "sometimes"},
        {"driver": "core", "block_size": -1},
        {"driver": "core", "block_size": "big"},
        {"driver": "core", "backing_store": "yes"},
        {"driver": "core", "backing_store": None},
        {"driver": "family", "memb_size": -5},
        {"driver": "family", "memb_size": "x"},
    ],
)
def test_bad_driver_arguments_like_h5py(tmp_path: Path, h5py: Any, kwds: dict[str, Any]) -> None:
    name = str(tmp_path / "x%d.h5")
    with pytest.raises(Exception) as theirs:
        h5py.File(name, "w", **kwds)
    with pytest.raises(type(theirs.value)) as ours:
        h5pure.File(name, "w", **kwds)
    assert str(ours.value) == str(theirs.value)
    assert os.listdir(tmp_path) == []


def test_registry_has_h5py_names() -> None:
    for name in ("sec2", "stdio", "core", "family", "fileobj"):
        assert get_driver(name).name == name  # type: ignore[attr-defined]


def test_core_without_backing_store_never_touches_disk(tmp_path: Path, h5py: Any) -> None:
    path = tmp_path / "mem.h5"
    with h5pure.File(path, "w", driver="core", backing_store=False) as f:
        f["d"] = np.arange(10)
        f.flush()
        assert not path.exists()
        np.testing.assert_array_equal(f["d"][...], np.arange(10))
    assert not path.exists()
    # an existing file is loaded; changes are discarded
    with h5py.File(path, "w") as f:
        f["d"] = np.arange(4)
    before = path.read_bytes()
    with h5pure.File(path, "r+", driver="core", backing_store=False) as f:
        np.testing.assert_array_equal(f["d"][...], np.arange(4))
        f["e"] = np.ones(100)
    assert path.read_bytes() == before


def test_core_reads_h5py_core_file(tmp_path: Path, h5py: Any) -> None:
    path = tmp_path / "c.h5"
    with h5py.File(path, "w", driver="core", backing_store=True) as f:
        f["d"] = np.arange(100.0)
    with h5pure.File(path, "r", driver="core") as f:
        np.testing.assert_array_equal(f["d"][...], np.arange(100.0))


def test_bytesio_saved_then_read_by_h5py(tmp_path: Path, h5py: Any) -> None:
    bio = io.BytesIO()
    with h5pure.File(bio, "w") as f:
        f["d"] = np.arange(12).reshape(3, 4)
    path = tmp_path / "saved.h5"
    path.write_bytes(bio.getvalue())
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(f["d"][...], np.arange(12).reshape(3, 4))
    bio2 = io.BytesIO()
    with h5py.File(bio2, "w") as f:
        f["x"] = [1, 2, 3]
    with h5pure.File(io.BytesIO(bio2.getvalue()), "r") as f:
        assert list(f["x"][...]) == [1, 2, 3]


@pytest.mark.parametrize(
    "kwds",
    [
        {"driver": "core", "block_size": 0},
        {"driver": "core", "block_size": 1.5},
        {"driver": "core", "backing_store": 1.5},
        {"driver": "core", "backing_store": 0},
        {"driver": "family", "memb_size": 100.7},
    ],
)
def test_driver_arguments_h5py_converts(tmp_path: Path, h5py: Any, kwds: dict[str, Any]) -> None:
    """Numbers h5py truncates to the C integers of ``set_fapl_*`` work alike here."""
    for module, name in ((h5py, "theirs"), (h5pure, "ours")):
        path = str(tmp_path / (name + ("%d.h5" if kwds["driver"] == "family" else ".h5")))
        with module.File(path, "w", **kwds) as f:
            f["x"] = np.arange(50)
        if kwds.get("backing_store", 1):
            for reader in (h5py, h5pure):
                with reader.File(path, "r", **kwds) as f:
                    np.testing.assert_array_equal(f["x"][...], np.arange(50))
        else:
            assert not os.path.exists(path)


def test_family_member_size_zero(tmp_path: Path, h5py: Any) -> None:
    name = str(tmp_path / "f%d.h5")
    for module in (h5py, h5pure):
        with pytest.raises(OSError, match="zero format address range"):
            module.File(name, "w", driver="family", memb_size=0)
    with h5py.File(name, "w", driver="family", memb_size=1024) as f:
        f["x"] = np.arange(500)
    # opening with 0 takes the member size the file records, in both libraries
    for module in (h5py, h5pure):
        with module.File(name, "r", driver="family", memb_size=0) as f:
            np.testing.assert_array_equal(f["x"][...], np.arange(500))
