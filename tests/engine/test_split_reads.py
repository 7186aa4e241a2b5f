"""A large read into one buffer (a contiguous dataset read whole, ``read_direct``) is
split across the threads on drivers whose reads may run in parallel (sec2): the parts
cover the range exactly once, run on different threads, and an error in any part is
raised only after every part has stopped writing."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest

import h5pure
from h5pure.drivers.sec2 import Sec2Driver
from h5pure.lowlevel.threads import split_readinto

ROWS, COLS = 640, 4096  # 20 MiB of float64


@pytest.fixture()
def two_threads():
    before = h5pure.get_threads()
    h5pure.set_threads(2)
    yield
    h5pure.set_threads(before)


@pytest.fixture()
def big(tmp_path):
    data = np.random.default_rng(5).random((ROWS, COLS))
    path = tmp_path / "big.h5"
    with h5pure.File(path, "w", userblock_size=1024) as f:
        f["x"] = data
        f["small"] = data[:128]  # 4 MiB
    return path, data


def _spy(monkeypatch):
    seen: list[tuple[int, int, int]] = []
    plain = Sec2Driver.readinto

    def readinto(self, offset, buf):
        seen.append((offset, len(memoryview(buf).cast("B")), threading.get_ident()))
        return plain(self, offset, buf)

    monkeypatch.setattr(Sec2Driver, "readinto", readinto)
    return seen


def _covers(seen, start, size):
    parts = sorted((o, n) for o, n, _ in seen)
    at = start
    for offset, n in parts:
        assert offset == at, parts
        at += n
    assert at == start + size, parts


@pytest.mark.parametrize("how", ["getitem", "read_direct"])
def test_a_large_read_is_split_across_threads(big, monkeypatch, two_threads, how):
    path, data = big
    with h5pure.File(path, "r") as f:
        d = f["x"]
        seen = _spy(monkeypatch)
        if how == "getitem":
            got = d[...]
        else:
            got = np.full(data.shape, -1.0)
            d.read_direct(got)
    np.testing.assert_array_equal(got, data)
    big_parts = [s for s in seen if s[1] >= 1 << 20]
    assert len(big_parts) == 2
    assert len({tid for _, _, tid in big_parts}) == 2
    _covers(big_parts, min(o for o, _, _ in big_parts), data.nbytes)


def test_one_thread_reads_once(big, monkeypatch):
    path, data = big
    before = h5pure.get_threads()
    h5pure.set_threads(1)
    try:
        with h5pure.File(path, "r") as f:
            d = f["x"]
            seen = _spy(monkeypatch)
            got = d[...]
    finally:
        h5pure.set_threads(before)
    np.testing.assert_array_equal(got, data)
    assert [n for _, n, _ in seen] == [data.nbytes]


def test_a_small_read_is_not_split(big, monkeypatch, two_threads):
    path, data = big
    with h5pure.File(path, "r") as f:
        d = f["small"]
        seen = _spy(monkeypatch)
        got = d[...]
    np.testing.assert_array_equal(got, data[:128])
    assert [n for _, n, _ in seen] == [data[:128].nbytes]


@pytest.mark.parametrize("size", [8 << 20, (8 << 20) + 1, (13 << 20) - 7, 40 << 20])
@pytest.mark.parametrize("threads", [2, 3, 4])
def test_parts_cover_the_buffer_exactly_once(size, threads):
    before = h5pure.get_threads()
    h5pure.set_threads(threads)
    try:
        src = np.random.default_rng(size).integers(0, 256, size + 100, dtype=np.uint8)
        calls: list[tuple[int, int, int]] = []
        lock = threading.Lock()

        def readinto(offset, view):
            with lock:
                calls.append((offset, len(view), threading.get_ident()))
            view[:] = src[offset : offset + len(view)].data

        buf = bytearray(size)
        split_readinto(readinto, 100, buf, 4 << 20)
    finally:
        h5pure.set_threads(before)
    assert bytes(buf) == src[100:].tobytes()
    _covers(calls, 100, size)
    assert 2 <= len(calls) <= threads
    assert all(o % 4096 == 100 % 4096 for o, _, _ in calls)


def test_an_error_is_raised_after_every_part_stopped(two_threads):
    finished: list[int] = []

    def readinto(offset, view):
        if offset == 0:
            raise OSError("the first part failed")
        time.sleep(0.2)  # the helper's part is still writing when the first part fails
        view[:] = b"x" * len(view)
        finished.append(offset)

    buf = bytearray(16 << 20)
    with pytest.raises(OSError, match="first part failed"):
        split_readinto(readinto, 0, buf, 4 << 20)
    assert finished  # the helper's part ended before the error was raised
    assert buf[-1:] == b"x"


def test_a_file_cut_short_meanwhile_is_a_clear_error(big, two_threads):
    path, data = big
    with h5pure.File(path, "r") as f:
        d = f["x"]
        assert d.shape == data.shape
        os.truncate(path, os.path.getsize(path) - (12 << 20))  # into "x"
        with pytest.raises(OSError):
            d[...]


@pytest.mark.parametrize(
    "key",
    [np.s_[0:100], np.s_[3:150, 5:900], np.s_[150:200, 3], np.s_[7], np.s_[...], np.s_[0:1]],
)
def test_one_block_reads_into_the_result(tmp_path, key):
    """A read inside one stored block of 64 KiB or more goes into the new array; a key
    taking part of each row gets an array of its own, not a view pinning the block."""
    data = np.random.default_rng(9).random((1000, 1000))
    path = tmp_path / "c.h5"
    with h5pure.File(path, "w") as f:
        f.create_dataset("c", data=data, chunks=(200, 1000))
        f["x"] = data
    with h5pure.File(path, "r") as f:
        for name in ("c", "x"):
            got = f[name][key]
            np.testing.assert_array_equal(got, data[key])
            assert got.flags.writeable
            base = got if got.base is None else got.base
            assert base.nbytes == got.nbytes
