"""A commit that fails (the disk full, an I/O error, a value that cannot be encoded) raises
an OSError saying what failed and what state the file is in -- and the file is in it."""

from __future__ import annotations

import errno
import os
import sys
from typing import Any

import numpy as np
import pytest

import h5pure

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import powerloss  # noqa: E402


def _make(path: str) -> str:
    with h5pure.File(path, "w") as f:
        f.create_dataset("d", data=np.arange(40).reshape(5, 8), maxshape=(None, 8), chunks=(2, 8))
        f.attrs["a"] = 1
    with h5pure.File(path, "r") as f:
        return powerloss.digest(f)


def _change(f: Any) -> None:
    f["d"].resize((9, 8))
    f["d"][5:] = -1
    f["d"][0, 0] = 99  # a chunk rewritten (moves)
    f.attrs["a"] = 2
    f.create_group("new").attrs["b"] = "x"


def _writes_of_close(tmp_path: Any) -> int:
    """How many driver writes the close of the changed file makes."""
    from h5pure.drivers.sec2 import Sec2Driver

    path = str(tmp_path / "count.h5")
    _make(path)
    count = 0
    real = Sec2Driver._write

    def write(driver: Any, offset: int, data: Any) -> None:
        nonlocal count
        count += 1
        real(driver, offset, data)

    f = h5pure.File(path, "r+")
    _change(f)
    Sec2Driver._write = write  # type: ignore[method-assign]
    try:
        f.close()
    finally:
        Sec2Driver._write = real  # type: ignore[method-assign]
    return count


def test_close_that_fails_says_so_and_leaves_a_committed_state(
    tmp_path: Any, monkeypatch: Any, h5py: Any
) -> None:
    from h5pure.drivers.sec2 import Sec2Driver

    total = _writes_of_close(tmp_path)
    assert total >= 4  # fresh metadata, journal, pointer, in place, superblock
    real = Sec2Driver._write
    expected_new = None
    kinds = set()
    for fail_at in range(1, total + 1):
        path = str(tmp_path / f"f{fail_at}.h5")
        old = _make(path)
        f = h5pure.File(path, "r+")
        _change(f)
        if expected_new is None:
            expected_new = powerloss.digest(f)
        seen = 0

        def write(driver: Any, offset: int, data: Any, fail_at: int = fail_at) -> None:
            nonlocal seen
            seen += 1
            if seen == fail_at:
                raise OSError(errno.ENOSPC, "No space left on device")
            real(driver, offset, data)

        monkeypatch.setattr(Sec2Driver, "_write", write)
        with pytest.raises(OSError) as info:
            f.close()
        monkeypatch.setattr(Sec2Driver, "_write", real)
        message = str(info.value)
        assert info.value.errno == errno.ENOSPC
        assert "the commit failed (No space left on device)" in message and path in message
        keeps = "keeps its last committed state" in message
        assert keeps or "journal" in message
        kinds.add(keeps)
        image = open(path, "rb").read()
        with h5pure.File(path, "r") as g:
            state = powerloss.digest(g)
        assert open(path, "rb").read() == image
        assert state == (old if keeps else expected_new), fail_at
        with h5pure.File(path, "r+") as g:
            assert powerloss.digest(g) == state
        with h5py.File(path, "r") as g:
            assert powerloss.digest(g) == state
    assert kinds == {True, False}  # failures before and inside the journal window


def test_a_flush_that_fails_can_be_retried(tmp_path: Any, monkeypatch: Any, h5py: Any) -> None:
    from h5pure.drivers.sec2 import Sec2Driver

    path = str(tmp_path / "retry.h5")
    _make(path)
    real = Sec2Driver._write
    calls = 0

    def write(driver: Any, offset: int, data: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError(errno.EIO, "Input/output error")
        real(driver, offset, data)

    with h5pure.File(path, "r+") as f:
        _change(f)
        want = powerloss.digest(f)
        monkeypatch.setattr(Sec2Driver, "_write", write)
        with pytest.raises(OSError, match="the commit failed"):
            f.flush()
        monkeypatch.setattr(Sec2Driver, "_write", real)
        f.flush()  # the queue was kept: this commit writes everything
    with h5py.File(path, "r") as f:
        assert powerloss.digest(f) == want
