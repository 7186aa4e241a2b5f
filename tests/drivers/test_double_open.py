"""Opening a file this process has open already: the same outcomes as h5py (libhdf5).

libhdf5 identifies an open file by its driver and (device, inode); a second open of it
either shares the open file (both handles then see one file, writable if it was opened
writable) or is refused, depending on the modes.  The table below is run through both
libraries and the outcomes compared.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure

MODES = ["r", "r+", "a", "w", "w-", "x"]


def _outcome(module: Any, path: str, first: str, second: str, **kwds: Any) -> str:
    """What opening ``path`` in ``second`` mode gives while it is open in ``first``."""
    folder = os.path.dirname(path)
    for old in os.listdir(folder):  # the file (or family members) of the last round
        os.remove(os.path.join(folder, old))
    if first in ("r", "r+", "a"):
        with module.File(path, "w", **kwds) as f:
            f["d"] = np.arange(5)
    f1 = module.File(path, first, **kwds)
    try:
        try:
            f2 = module.File(path, second, **kwds)
        except Exception as e:  # noqa: BLE001 - the outcome compared
            return f"{type(e).__name__}: {e}"
        try:
            return f"ok, mode {f2.mode}"
        finally:
            f2.close()
    finally:
        f1.close()


@pytest.mark.parametrize("driver", [None, "sec2", "core", "stdio", "family"])
@pytest.mark.parametrize("first", MODES)
def test_double_open_like_h5py(tmp_path: Path, h5py: Any, first: str, driver: str | None) -> None:
    path = str(tmp_path / ("twice-%d.h5" if driver == "family" else "twice.h5"))
    kwds: dict[str, Any] = {"driver": driver} if driver else {}
    if driver == "family":
        kwds["memb_size"] = 1024
    for second in MODES:
        want = _outcome(h5py, path, first, second, **kwds)
        got = _outcome(h5pure, path, first, second, **kwds)
        assert got == want, (first, second)


def test_the_table(tmp_path: Path) -> None:
    """The outcomes h5py gives (libhdf5 2.0) with the default driver, spelled out."""
    refused = {
        ("r", "r+"): "file is already open for read-only",
        ("r", "a"): "file is already open for read-only",
    }
    for first in MODES:
        for second in MODES:
            got = _outcome(h5pure, str(tmp_path / "twice.h5"), first, second)
            if second == "w":
                assert "unable to truncate a file which is already open" in got
            elif second in ("w-", "x"):
                assert got == "OSError: Unable to synchronously create file (file exists)"
            elif (first, second) in refused:
                assert got.startswith("OSError") and refused[first, second] in got
            else:
                assert got == ("ok, mode r" if first == second == "r" else "ok, mode r+")


@pytest.mark.parametrize("module", ["h5pure", "h5py"])
def test_handles_share_one_file(tmp_path: Path, module: str) -> None:
    m = pytest.importorskip(module)
    path = tmp_path / "shared.h5"
    with m.File(path, "w") as f:
        f["d"] = np.arange(5)
    writer = m.File(path, "r+")
    reader = m.File(path, "r")
    writer["x"] = np.arange(3)  # not flushed: the reader sees it all the same
    writer["d"][0] = 42
    assert sorted(reader) == ["d", "x"]
    np.testing.assert_array_equal(reader["x"][...], np.arange(3))
    assert reader["d"][0] == 42
    reader["y"] = 7  # the second handle is writable too (mode "r+")
    assert int(writer["y"][()]) == 7
    d = writer["d"]
    writer.close()  # the file stays open through the reader
    with pytest.raises(Exception):  # noqa: B017 - h5py: RuntimeError, h5pure: ValueError
        d[...]
    assert list(reader["d"][:2]) == [42, 1]
    reader["z"] = 1.5
    reader.close()
    for lib in (h5pure, pytest.importorskip("h5py")):
        with lib.File(path, "r") as f:
            assert sorted(f) == ["d", "x", "y", "z"]
            assert f["d"][0] == 42 and float(f["z"][()]) == 1.5


def test_other_names_of_one_file_are_one_file(tmp_path: Path, h5py: Any) -> None:
    path = tmp_path / "a.h5"
    with h5pure.File(path, "w") as f:
        f["d"] = np.arange(5)
    os.link(path, tmp_path / "hard.h5")
    os.symlink(path, tmp_path / "soft.h5")
    for module in (h5py, h5pure):
        with module.File(path, "r"):
            for other in ("hard.h5", "soft.h5"):
                with pytest.raises(OSError, match="already open for read-only"):
                    module.File(tmp_path / other, "r+")
                with module.File(tmp_path / other, "r") as g:
                    assert list(g["d"][...]) == list(range(5))


def test_refused_truncation_leaves_the_file(tmp_path: Path) -> None:
    path = tmp_path / "keep.h5"
    with h5pure.File(path, "w") as f:
        f["d"] = np.arange(1000)
    before = path.read_bytes()
    with h5pure.File(path, "r") as f:
        with pytest.raises(OSError, match="unable to truncate"):
            h5pure.File(path, "w")
        assert path.read_bytes() == before
        np.testing.assert_array_equal(f["d"][...], np.arange(1000))


def test_shared_open_checks_driver_keywords(tmp_path: Path, h5py: Any) -> None:
    path = str(tmp_path / "f%d.h5")
    with h5pure.File(path, "w", driver="family", memb_size=1024) as f:
        f["d"] = np.arange(1000)
    for module in (h5py, h5pure):
        with module.File(path, "r", driver="family", memb_size=1024) as f:
            with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
                module.File(path, "r", driver="family", memb_size=1024, bogus=1)
            with module.File(path, "r", driver="family", memb_size=1024) as g:
                assert g["d"][999] == 999


def test_failed_open_is_not_shared(tmp_path: Path, h5py: Any) -> None:
    """An open that fails after the superblock (a broken root object header) leaves no
    open file behind: the same file (same inode), rewritten, opens afresh."""
    path = tmp_path / "case.h5"
    with h5py.File(path, "w") as f:
        f["d"] = np.arange(5)
    good = path.read_bytes()
    with h5pure.File(path, "r") as f:
        root = f._state.root_address
    broken = bytearray(good)
    broken[root : root + 16] = bytes(16)
    with open(path, "r+b") as fh:
        fh.write(broken)
    with pytest.raises(OSError) as failed:  # the traceback keeps the half-made File alive
        h5pure.File(path, "r")
    with open(path, "r+b") as fh:  # same inode, good bytes again
        fh.write(good)
    with h5pure.File(path, "r") as f:
        np.testing.assert_array_equal(f["d"][...], np.arange(5))
    with h5pure.File(path, "r+") as f:  # not refused as "already open for read-only"
        f["e"] = 1
    assert failed.value is not None


LOCKINGS = [None, True, "best-effort", False]


@pytest.mark.parametrize("first", LOCKINGS, ids=str)
@pytest.mark.parametrize("second", LOCKINGS, ids=str)
def test_a_second_open_must_ask_for_the_same_locking(
    tmp_path: Path, h5py: Any, monkeypatch: Any, first: Any, second: Any
) -> None:
    """libhdf5 (1.14.4 on) shares an open file only with an open of the same file locking
    (``locking=None`` is "best-effort"): the same outcome and message as h5py."""
    monkeypatch.delenv("HDF5_USE_FILE_LOCKING", raising=False)
    outcomes = []
    for lib in (h5py, h5pure):
        path = tmp_path / f"{lib.__name__}.h5"
        with lib.File(path, "w", locking=first):
            try:
                with lib.File(path, "r", locking=second):
                    outcomes.append("ok")
            except OSError as e:
                outcomes.append(str(e))
    assert outcomes[0] == outcomes[1]


def test_unpickling_shares_a_file_open_with_any_locking(tmp_path: Path) -> None:
    import pickle

    path = tmp_path / "p.h5"
    with h5pure.File(path, "w", locking=False) as f:
        f["x"] = np.arange(3)
        copy = pickle.loads(pickle.dumps(f["x"]))
        np.testing.assert_array_equal(copy[...], np.arange(3))
