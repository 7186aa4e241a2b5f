"""A chunk whose part of the result is one contiguous region, not kept in the chunk cache,
is unshuffled straight into the result (``Filter.decode_into``); edge chunks, chunks the
cache keeps and strided destinations go the usual way.  h5py is the oracle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure
from h5pure.filters.shuffle import Shuffle

h5py = pytest.importorskip("h5py")


@pytest.fixture
def into_calls(monkeypatch: Any) -> list[int]:
    calls: list[int] = []
    plain = Shuffle.decode_into

    def spy(self: Any, data: Any, info: Any, chunk: Any, dest: memoryview) -> bool:
        done = plain(self, data, info, chunk, dest)
        calls.append(int(done))
        return done

    monkeypatch.setattr(Shuffle, "decode_into", spy)
    return calls


def _file(path: Path, shape: tuple[int, ...], chunks: tuple[int, ...]) -> np.ndarray:
    data = np.random.default_rng(3).normal(size=shape).astype("<f4").round(2)
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=data, chunks=chunks, compression="gzip", shuffle=True)
    return data


def test_whole_row_chunks_go_straight_into_the_result(tmp_path: Path, into_calls: list[int]) -> None:
    data = _file(tmp_path / "a.h5", (512, 3000), (64, 3000))  # 8 chunks of 750 KB
    with h5pure.File(tmp_path / "a.h5", "r", rdcc_nbytes=0) as f:
        np.testing.assert_array_equal(f["x"][...], data)
        assert sum(into_calls) == 8
        dest = np.full((512, 3000), -1, "<f4")
        f["x"].read_direct(dest)
        np.testing.assert_array_equal(dest, data)
        np.testing.assert_array_equal(f["x"][64:320], data[64:320])
        np.testing.assert_array_equal(f["x"][10:500:7, ::3], data[10:500:7, ::3])


def test_edge_kept_and_strided_chunks_take_the_usual_way(
    tmp_path: Path, into_calls: list[int]
) -> None:
    data = _file(tmp_path / "b.h5", (500, 3000), (64, 3000))  # the last chunk: 52 rows
    with h5pure.File(tmp_path / "b.h5", "r") as f:  # the default cache keeps the last chunks
        np.testing.assert_array_equal(f["x"][...], data)
        kept_or_edge = 8 - sum(into_calls)
        assert kept_or_edge >= 1
    into_calls.clear()
    big = _file(tmp_path / "c.h5", (256, 2000), (64, 1000))  # chunks are half rows
    with h5pure.File(tmp_path / "c.h5", "r", rdcc_nbytes=0) as f:
        np.testing.assert_array_equal(f["x"][...], big)
    assert sum(into_calls) == 0
