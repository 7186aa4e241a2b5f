"""The family driver against h5py's family files, both directions."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure
from h5pure.drivers.family import DEFAULT_MEMBER_SIZE


@pytest.mark.parametrize("libver", ["earliest", "latest"])
def test_reads_h5py_family(tmp_path: Path, h5py: Any, libver: str) -> None:
    name = str(tmp_path / "f%d.h5")
    data = np.arange(3000)
    with h5py.File(name, "w", driver="family", memb_size=4096, libver=libver) as f:
        f["a"] = data
    assert len(os.listdir(tmp_path)) > 2
    with h5pure.File(name, "r", driver="family", memb_size=4096) as f:
        np.testing.assert_array_equal(f["a"][...], data)
    # the member size stored in the driver info must match, as libhdf5 insists
    for size in (DEFAULT_MEMBER_SIZE, 8192):
        with pytest.raises(OSError) as theirs:
            h5py.File(name, "r", driver="family", memb_size=size)
        with pytest.raises(OSError) as ours:
            h5pure.File(name, "r", driver="family", memb_size=size)
        assert str(ours.value) == str(theirs.value)


def test_member_zero_alone_needs_family_driver(tmp_path: Path, h5py: Any) -> None:
    name = str(tmp_path / "f%d.h5")
    with h5pure.File(name, "w", driver="family", memb_size=1024) as f:
        f["a"] = np.arange(1000)
    with pytest.raises(OSError):  # libhdf5 first finds the member shorter than the EOF
        h5py.File(name % 0, "r")
    with pytest.raises(OSError, match="family driver should be used"):
        h5pure.File(name % 0, "r")


def test_driver_info_block_as_libhdf5_writes_it(tmp_path: Path, h5py: Any) -> None:
    ours, theirs = str(tmp_path / "o%d.h5"), str(tmp_path / "t%d.h5")
    for module, name in ((h5pure, ours), (h5py, theirs)):
        with module.File(name, "w", driver="family", memb_size=2048) as f:
            f.create_group("g")
    # superblock v0 + "NCSAfami" block at 0x60, before the root object header
    a = Path(ours % 0).read_bytes()[:0x78]
    b = Path(theirs % 0).read_bytes()[:0x78]
    assert a[0x60:0x78] == b[0x60:0x78]
    assert a[0x60:0x78][8:16] == b"NCSAfami"
    assert int.from_bytes(a[0x70:0x78], "little") == 2048


def test_spans_members_and_grows_in_mode_a(tmp_path: Path, h5py: Any) -> None:
    name = str(tmp_path / "f%d.h5")
    with h5pure.File(name, "w", driver="family", memb_size=1024) as f:
        f["a"] = np.arange(1000)
    n = len(os.listdir(tmp_path))
    with h5pure.File(name, "a", driver="family", memb_size=1024) as f:
        f["b"] = np.arange(2000.0)
    assert len(os.listdir(tmp_path)) > n
    sizes = [os.path.getsize(name % i) for i in range(len(os.listdir(tmp_path)))]
    assert all(s == 1024 for s in sizes[:-1]) and 0 < sizes[-1] <= 1024
    with h5py.File(name, "r", driver="family", memb_size=1024) as f:
        np.testing.assert_array_equal(f["a"][...], np.arange(1000))
        np.testing.assert_array_equal(f["b"][...], np.arange(2000.0))


def test_name_needs_a_conversion(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="integer conversion"):
        h5pure.File(str(tmp_path / "plain%s%s.h5"), "w", driver="family")


@pytest.mark.parametrize("libver", ["v110", "latest"])
def test_driver_info_message_in_superblock_extension(
    tmp_path: Path, h5py: Any, libver: str
) -> None:
    """Superblock v2/v3 files keep "NCSAfami" as a driver info message (0x14) in the
    superblock extension; ours must carry the same message as libhdf5's."""
    from h5pure.drivers.family import FamilyDriver
    from h5pure.format.messages import MessageType
    from h5pure.format.superblock import read_superblock_extension
    from h5pure.lowlevel.file import FileState

    ours, theirs = str(tmp_path / "o%d.h5"), str(tmp_path / "t%d.h5")
    data = np.arange(3000, dtype="<i8")
    for module, name in ((h5pure, ours), (h5py, theirs)):
        with module.File(name, "w", driver="family", memb_size=4096, libver=libver) as f:
            f["a"] = data
    messages = []
    for name in (ours, theirs):
        drv = FamilyDriver(name, "r", memb_size=4096)
        try:
            fs = FileState(drv, name)
            sb = fs.superblock
            assert sb.version >= 2 and sb.has_extension()
            ext = read_superblock_extension(fs.source, fs.ctx, sb.extension_address)
            assert list(ext) == [MessageType.DRIVER_INFO]
            messages.append(ext[MessageType.DRIVER_INFO])
        finally:
            drv.close()
    assert messages[0] == messages[1]
    assert messages[0].driver_id == "NCSAfami" and messages[0].family_member_size == 4096
    # each library reads the other's file, and both refuse another member size alike
    with h5py.File(ours, "r", driver="family", memb_size=4096) as f:
        np.testing.assert_array_equal(f["a"][...], data)
    with h5pure.File(theirs, "r", driver="family", memb_size=4096) as f:
        np.testing.assert_array_equal(f["a"][...], data)
    for name in (ours, theirs):
        for size in (DEFAULT_MEMBER_SIZE, 2048, 8192):
            with pytest.raises(OSError) as want:
                h5py.File(name, "r", driver="family", memb_size=size)
            with pytest.raises(OSError) as got:
                h5pure.File(name, "r", driver="family", memb_size=size)
            assert str(got.value) == str(want.value)
            assert "Family member size should be 4096" in str(got.value)
    # the member zero alone is refused by both (libhdf5 also when the driver info is in
    # the extension)
    with pytest.raises(OSError):
        h5py.File(ours % 0, "r")
    with pytest.raises(OSError, match="family driver should be used"):
        h5pure.File(ours % 0, "r")
    # a later session keeps the extension: both libraries append and read back
    with h5pure.File(ours, "a", driver="family", memb_size=4096) as f:
        f["b"] = data[::-1]
    with h5py.File(ours, "a", driver="family", memb_size=4096) as f:
        np.testing.assert_array_equal(f["b"][...], data[::-1])
        f["c"] = np.arange(10)
    with h5pure.File(ours, "r", driver="family", memb_size=4096) as f:
        assert sorted(f) == ["a", "b", "c"]
        np.testing.assert_array_equal(f["a"][...], data)
    with pytest.raises(OSError, match="Family member size should be 4096"):
        h5pure.File(ours, "r", driver="family", memb_size=8192)


@pytest.mark.parametrize("writer", ["h5pure", "h5py"])
def test_reopening_with_other_member_sizes(tmp_path: Path, h5py: Any, writer: str) -> None:
    """Every member size, smaller or larger than the file's, gives libhdf5's outcome."""
    name = str(tmp_path / "f%d.h5")
    module = h5py if writer == "h5py" else h5pure
    with module.File(name, "w", driver="family", memb_size=4096, libver="latest") as f:
        f["a"] = np.arange(3000)

    def outcome(lib: Any, size: Any) -> str:
        try:
            with lib.File(name, "r", driver="family", memb_size=size) as f:
                return f"ok {int(f['a'][-1])}"
        except Exception as e:  # noqa: BLE001 - the outcome compared
            return f"{type(e).__name__}: {e}"

    for size in (0, 1, 1.5, 100, 2048, 4096, 4097, 8192, DEFAULT_MEMBER_SIZE):
        assert outcome(h5pure, size) == outcome(h5py, size), size
