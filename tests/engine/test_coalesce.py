"""Which stored ranges are fetched together (``drivers.base.coalesce``), and the vectored
read that fetches them (``Driver.readv``: sec2's ``preadv`` and the default)."""

import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from h5pure.drivers import get_driver
from h5pure.drivers.base import coalesce
from h5pure.errors import FormatError


def test_adjacent_ranges_form_one_group():
    assert coalesce([(0, 10), (10, 5), (15, 1)], max_gap=0, max_span=100) == [[0, 1, 2]]


def test_groups_come_in_offset_order_whatever_the_input_order():
    ranges = [(100, 10), (0, 10), (10, 10), (110, 10)]
    assert coalesce(ranges, max_gap=0, max_span=1000) == [[1, 2], [0, 3]]


def test_gap_at_most_max_gap_is_bridged():
    ranges = [(0, 10), (14, 6), (30, 1)]
    assert coalesce(ranges, max_gap=4, max_span=100) == [[0, 1], [2]]
    assert coalesce(ranges, max_gap=3, max_span=100) == [[0], [1], [2]]
    assert coalesce(ranges, max_gap=10, max_span=100) == [[0, 1, 2]]


def test_span_limit_starts_a_new_group():
    ranges = [(0, 10), (10, 10), (20, 10), (30, 10)]
    assert coalesce(ranges, max_gap=0, max_span=20) == [[0, 1], [2, 3]]
    assert coalesce(ranges, max_gap=0, max_span=25) == [[0, 1], [2, 3]]
    assert coalesce(ranges, max_gap=0, max_span=30) == [[0, 1, 2], [3]]


def test_a_range_longer_than_the_span_stands_alone():
    assert coalesce([(0, 5), (5, 100), (105, 5)], max_gap=0, max_span=10) == [[0], [1], [2]]


def test_overlapping_and_duplicate_ranges_are_never_grouped():
    assert coalesce([(0, 10), (5, 10)], max_gap=100, max_span=100) == [[0], [1]]
    assert coalesce([(0, 10), (0, 10)], max_gap=100, max_span=100) == [[0], [1]]


def test_empty_input():
    assert coalesce([], max_gap=10, max_span=10) == []


ranges_st = st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(0, 300)), min_size=0, max_size=40
)


@given(ranges_st, st.integers(0, 200), st.integers(1, 2000))
def test_groups_are_a_valid_partition(ranges, max_gap, max_span):
    groups = coalesce(ranges, max_gap, max_span)
    flat = [k for g in groups for k in g]
    assert sorted(flat) == list(range(len(ranges)))
    starts = [ranges[g[0]][0] for g in groups]
    assert starts == sorted(starts)
    for g in groups:
        first = ranges[g[0]][0]
        end = first
        for n, k in enumerate(g):
            offset, size = ranges[k]
            if n:
                assert end <= offset <= end + max_gap  # no overlap, gap bridged
            end = offset + size
        if len(g) > 1:
            assert end - first <= max_span


@given(ranges_st, st.integers(0, 200), st.integers(1, 2000))
def test_neighbours_that_could_join_do_join(ranges, max_gap, max_span):
    """Greedy in offset order: the next group's first range could not have extended
    the previous group."""
    groups = coalesce(ranges, max_gap, max_span)
    for prev, nxt in zip(groups, groups[1:]):
        first = ranges[prev[0]][0]
        end = max(ranges[k][0] + ranges[k][1] for k in prev)
        offset, size = ranges[nxt[0]]
        assert not (end <= offset <= end + max_gap and offset + size - first <= max_span)


# -- vectored reads --------------------------------------------------------------------


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "bytes.bin"
    data = np.random.default_rng(1).integers(0, 256, 200_000, dtype=np.uint8).tobytes()
    path.write_bytes(data)
    return str(path), data


@pytest.mark.parametrize("name", ["sec2", "stdio", "core"])
def test_readv_fills_buffers_from_consecutive_bytes(data_file, name):
    path, data = data_file
    drv = get_driver(name)(path, "r")
    try:
        sizes = [0, 7, 1, 4096, 0, 33_000, 5]
        buffers = [bytearray(n) for n in sizes]
        drv.readv(1234, buffers)
        pos = 1234
        for buf in buffers:
            assert bytes(buf) == data[pos : pos + len(buf)]
            pos += len(buf)
        arr = np.zeros(100, dtype=np.uint8)
        drv.readv(50, [memoryview(arr)[:60], memoryview(arr)[60:]])
        assert arr.tobytes() == data[50:150]
    finally:
        drv.close()


def test_sec2_readv_is_one_preadv(data_file, monkeypatch):
    path, data = data_file
    calls = []
    real = os.preadv

    def counting(fd, buffers, offset):
        calls.append(len(buffers))
        return real(fd, buffers, offset)

    drv = get_driver("sec2")(path, "r")
    try:
        monkeypatch.setattr(os, "preadv", counting)
        buffers = [bytearray(1000) for _ in range(10)]
        drv.readv(0, buffers)
        assert calls == [10]
        assert b"".join(buffers) == data[:10_000]
    finally:
        drv.close()


def test_sec2_readv_more_buffers_than_iov_max(data_file):
    path, data = data_file
    drv = get_driver("sec2")(path, "r")
    try:
        buffers = [bytearray(3) for _ in range(3000)]
        drv.readv(10, buffers)
        assert b"".join(buffers) == data[10:9010]
    finally:
        drv.close()


def test_sec2_readv_continues_after_short_reads(data_file, monkeypatch):
    path, data = data_file
    real = os.preadv

    def short(fd, buffers, offset):  # at most 5 bytes per call, as a slow device might
        first = memoryview(buffers[0])
        return real(fd, [first[: min(5, len(first))]], offset)

    drv = get_driver("sec2")(path, "r")
    try:
        monkeypatch.setattr(os, "preadv", short)
        buffers = [bytearray(n) for n in (3, 12, 1, 9)]
        drv.readv(100, buffers)
        assert b"".join(buffers) == data[100:125]
    finally:
        drv.close()


@pytest.mark.parametrize("name", ["sec2", "core"])
def test_readv_past_the_end_raises(data_file, name):
    path, data = data_file
    drv = get_driver(name)(path, "r")
    try:
        with pytest.raises(FormatError):
            drv.readv(len(data) - 10, [bytearray(5), bytearray(10)])
    finally:
        drv.close()
