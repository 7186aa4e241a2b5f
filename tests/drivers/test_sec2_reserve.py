"""sec2 reserves the space of large writes that grow the file; the bytes and the size of
the file are those of plain writes, whether the reservation works, fails or is missing."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pytest

from h5pure.drivers import sec2

BIG = sec2._RESERVE_BYTES + 12345  # odd size: the reservation need not be page-aligned


def _write_pattern(path: Any) -> tuple[bytes, bytes]:
    """Three writes: large at a gap past the end, large overlapping the end, small."""
    rng = np.random.default_rng(1)
    first = rng.integers(0, 256, BIG, dtype=np.uint8)
    second = rng.integers(0, 256, BIG, dtype=np.uint8)
    d = sec2.Sec2Driver(str(path), "w")
    try:
        d.write(1000, first.data)  # leaves a hole at the start
        d.write(1000 + BIG // 2, bytes(second))  # half over written data, half past the end
        d.write(5, b"tail")
    finally:
        d.close()
    want = bytearray(1000 + BIG // 2 + BIG)
    want[1000 : 1000 + BIG] = first.tobytes()
    want[1000 + BIG // 2 :] = second.tobytes()
    want[5:9] = b"tail"
    return bytes(want), path.read_bytes()


def test_large_writes_keep_plain_write_results(tmp_path: Any) -> None:
    want, got = _write_pattern(tmp_path / "a.bin")
    assert got == want


@pytest.mark.parametrize("fallocate", ["failing", "missing"])
def test_without_reservation_the_data_is_the_same(
    tmp_path: Any, monkeypatch: Any, fallocate: str
) -> None:
    calls: list[tuple[int, int]] = []

    def failing(fd: int, mode: int, offset: int, length: int) -> int:
        calls.append((offset, length))
        return -1  # as libc reports EOPNOTSUPP and the like

    monkeypatch.setattr(sec2, "_fallocate", failing if fallocate == "failing" else False)
    want, got = _write_pattern(tmp_path / "b.bin")
    assert got == want
    if fallocate == "failing":
        # only the parts past the end of the file were asked for
        assert calls == [(1000, BIG), (1000 + BIG, BIG // 2)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fallocate(2) is Linux's")
def test_libc_fallocate_is_found_on_linux() -> None:
    assert sec2._libc_fallocate()
