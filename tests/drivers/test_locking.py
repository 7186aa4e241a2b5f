"""File locking against other real processes (h5pure and h5py/libhdf5 ones)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure
from h5pure.drivers.locking import ENV_VAR, LockPolicy, lock_policy

HOLD = textwrap.dedent(
    """
    import sys, {module} as m
    f = m.File(sys.argv[1], sys.argv[2], driver=sys.argv[3] if len(sys.argv) > 3 else None,
               **({{"memb_size": 1024}} if len(sys.argv) > 3 and sys.argv[3] == "family" else {{}}))
    print("open", flush=True)
    sys.stdin.readline()
    f.close()
    """
)


class Holder:
    """Another process holding a file open until told to close it."""

    def __init__(self, module: str, path: str, mode: str, driver: str | None = None) -> None:
        args = [sys.executable, "-c", HOLD.format(module=module), path, mode]
        if driver:
            args.append(driver)
        env = dict(os.environ)
        env.pop("HDF5_USE_FILE_LOCKING", None)
        self.proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line == "open\n", line

    def release(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        assert self.proc.wait(timeout=30) == 0


@pytest.fixture
def h5file(tmp_path: Path, h5py: Any) -> str:
    path = str(tmp_path / "lock.h5")
    with h5py.File(path, "w") as f:
        f["d"] = np.arange(5)
    return path


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HDF5_USE_FILE_LOCKING", raising=False)


@pytest.mark.parametrize("holder", ["h5pure", "h5py"])
def test_second_writer_gets_oserror(h5file: str, holder: str) -> None:
    other = Holder(holder, h5file, "r+")
    try:
        for mode in ("r+", "a", "w", "r"):
            with pytest.raises(OSError, match="unable to lock file"):
                h5pure.File(h5file, mode)
    finally:
        other.release()
    with h5pure.File(h5file, "r+") as f:  # the lock went with the other process
        np.testing.assert_array_equal(f["d"][...], np.arange(5))


def test_readers_share_and_exclude_writers(h5file: str, h5py: Any) -> None:
    other = Holder("h5pure", h5file, "r")
    try:
        with h5pure.File(h5file, "r") as f:
            np.testing.assert_array_equal(f["d"][...], np.arange(5))
        with pytest.raises(OSError, match="unable to lock file"):
            h5pure.File(h5file, "r+")
        with pytest.raises(OSError, match="unable to lock file"):
            h5py.File(h5file, "r+")  # libhdf5 sees our lock: both use flock
    finally:
        other.release()


def test_truncating_open_never_empties_a_locked_file(h5file: str) -> None:
    before = Path(h5file).read_bytes()
    other = Holder("h5pure", h5file, "r")
    try:
        with pytest.raises(OSError, match="unable to lock file"):
            h5pure.File(h5file, "w")
        assert Path(h5file).read_bytes() == before
    finally:
        other.release()


@pytest.mark.parametrize("value", ["FALSE", "false", "BEST_EFFORT"])
def test_environment_values_like_libhdf5(h5file: str, value: str) -> None:
    """A writer in another process; readers in further processes with the variable set."""
    other = Holder("h5py", h5file, "r+")
    try:
        want = _try_open("h5py", h5file, "r", {ENV_VAR: value})
        got = _try_open("h5pure", h5file, "r", {ENV_VAR: value})
    finally:
        other.release()
    assert ("unable to lock file" in got) == ("unable to lock file" in want), (got, want)
    assert (got == "ok") == (want == "ok") == (value in ("FALSE", "0"))


def test_locking_false_and_environment(h5file: str, monkeypatch: pytest.MonkeyPatch) -> None:
    other = Holder("h5pure", h5file, "r+")
    try:
        with h5pure.File(h5file, "r", locking=False) as f:
            assert list(f) == ["d"]
        monkeypatch.setenv("HDF5_USE_FILE_LOCKING", "FALSE")
        with h5pure.File(h5file, "r", locking=True) as f:  # the variable wins, as in libhdf5
            assert list(f) == ["d"]
        monkeypatch.setenv("HDF5_USE_FILE_LOCKING", "TRUE")
        with pytest.raises(OSError, match="unable to lock file"):
            h5pure.File(h5file, "r", locking=False)
    finally:
        other.release()


def test_family_members_are_locked(tmp_path: Path) -> None:
    name = str(tmp_path / "f%d.h5")
    with h5pure.File(name, "w", driver="family", memb_size=1024) as f:
        f["d"] = np.arange(1000)
    other = Holder("h5pure", name, "r+", "family")
    try:
        with pytest.raises(OSError, match="unable to lock file"):
            h5pure.File(name, "r", driver="family", memb_size=1024)
    finally:
        other.release()


@pytest.mark.parametrize(
    ("locking", "env", "policy"),
    [
        (None, None, LockPolicy(True, True)),
        (True, None, LockPolicy(True, False)),
        ("false", None, LockPolicy(False, False)),
        ("best-effort", None, LockPolicy(True, True)),
        (True, "0", LockPolicy(False, False)),
        (False, "BEST_EFFORT", LockPolicy(True, True)),
        (True, "1", LockPolicy(True, False)),
        (False, "TRUE", LockPolicy(True, False)),
        # libhdf5 compares the value exactly: anything else leaves the argument in force
        (True, "false", LockPolicy(True, False)),
        (True, " FALSE", LockPolicy(True, False)),
        (False, "best_effort", LockPolicy(False, False)),
        (None, "no", LockPolicy(True, True)),
    ],
)
def test_policy(
    monkeypatch: pytest.MonkeyPatch, locking: Any, env: str | None, policy: LockPolicy
) -> None:
    if env is not None:
        monkeypatch.setenv("HDF5_USE_FILE_LOCKING", env)
    assert lock_policy(locking) == policy


@pytest.mark.parametrize("module", ["h5pure", "h5py"])
def test_one_process_shares_one_open_file(h5file: str, module: str) -> None:
    # libhdf5 shares a file between the opens of one process: the reader opened while the
    # writer is open is a handle of the same (writable, exclusively locked) open file
    m = pytest.importorskip(module)
    writer = m.File(h5file, "r+")
    reader = m.File(h5file, "r")
    assert reader.mode == "r+"
    writer.close()  # the file stays open (and locked) through the reader
    assert "unable to lock file" in _try_open("h5py", h5file, "r")
    assert "unable to lock file" in _try_open("h5pure", h5file, "r")
    reader.close()
    assert _try_open("h5py", h5file, "r+") == "ok"


def test_lock_passes_between_drivers_of_one_process(h5file: str) -> None:
    # opens through different drivers are separate open files (libhdf5 would refuse the
    # second with a lock error); h5pure takes the process's lock once and hands it on
    writer = h5pure.File(h5file, "r+")
    reader = h5pure.File(h5file, "r", driver="core")
    assert reader.mode == "r" and list(reader) == ["d"]
    writer.close()  # the writer's exclusive lock passes to the reader, as a shared one
    assert _try_open("h5pure", h5file, "r") == "ok"
    assert "unable to lock file" in _try_open("h5py", h5file, "r+")
    reader.close()
    assert _try_open("h5py", h5file, "r+") == "ok"


def _try_open(module: str, path: str, mode: str, extra_env: dict[str, str] | None = None) -> str:
    """Open and close ``path`` in another process: "ok" or the error it got."""
    code = (
        f"import sys, {module} as m\n"
        "try:\n    m.File(sys.argv[1], sys.argv[2]).close(); print('ok')\n"
        "except OSError as e:\n    print(e)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "HDF5_USE_FILE_LOCKING"}
    env.update(extra_env or {})
    out = subprocess.run(
        [sys.executable, "-c", code, path, mode], capture_output=True, text=True, env=env
    )
    return out.stdout.strip()
