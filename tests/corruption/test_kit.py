"""The corruption kit's own guards: they must catch what they are there to catch."""

from __future__ import annotations

import sys
import time

import numpy as np
import pytest

from h5pure.errors import FormatError
from h5pure.testing import corrupt
from h5pure.testing.corrupt import (
    CaseTimeout,
    flip_bits,
    is_clean,
    memory_limit,
    overwrite_uint,
    time_limit,
    truncate,
)


def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the exception is the result
        return e
    raise AssertionError("no exception")


def test_classification():
    assert is_clean(_raised(lambda: (_ for _ in ()).throw(FormatError("heap at 0x10: bad"))))
    assert not is_clean(_raised(lambda: [][1]))
    assert not is_clean(_raised(lambda: b"\xff".decode("utf-8")))
    assert not is_clean(_raised(lambda: np.zeros(4).reshape(3)))  # numpy's bare ValueError
    assert not is_clean(_raised(lambda: {}["x"]))  # an accidental KeyError
    assert not is_clean(_raised(lambda: 1 // 0))


def test_mutations():
    data = bytes(range(16))
    assert truncate(data, 3) == data[:3]
    assert flip_bits(data, [0, 8]) == b"\x01\x00" + data[2:]
    assert overwrite_uint(data, 2, 0x1FFFF, 2) == data[:2] + b"\xff\xff" + data[4:]
    assert len(overwrite_uint(data, 14, 0, 8)) == len(data)


@pytest.mark.skipif(sys.platform == "win32", reason="interval timers are POSIX")
def test_time_limit_interrupts_a_hang():
    start = time.monotonic()
    with pytest.raises(CaseTimeout), time_limit(0.2):
        while True:
            pass
    assert time.monotonic() - start < 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS on Linux")
def test_memory_limit_refuses_absurd_allocations():
    with memory_limit(256 << 20) as active:
        assert active
        with pytest.raises(MemoryError):
            np.ones(1 << 31, dtype=np.uint8)
    np.ones(1 << 20, dtype=np.uint8)  # lifted afterwards


def test_run_case_detects_writes(tmp_path, monkeypatch):
    path = str(tmp_path / "w.h5")

    def writing_exercise(name, **kwargs):
        with open(name, "ab") as fh:
            fh.write(b"!")
        return corrupt.Report()

    monkeypatch.setattr(corrupt, "exercise", writing_exercise)
    result = corrupt.run_case("writer", b"\x89HDF\r\n\x1a\n", path)
    assert result.modified and not result.ok
    assert "modified" in result.describe()
