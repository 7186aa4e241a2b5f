"""``File(fs_strategy=, fs_persist=, fs_threshold=, fs_page_size=)``: the settings are
stored in a File Space Info message of a version 2 superblock's extension, as libhdf5
stores them; h5py reads them back with its property lists, writes to the file (with
page buffering on paged files) and h5dump shows them.  A paged file's blocks smaller
than a page never cross a page boundary, and larger ones start on one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure
from h5pure.lowlevel.allocator import Allocator

h5py = pytest.importorskip("h5py")

CASES = [
    {"fs_strategy": "page"},
    {"fs_strategy": "page", "fs_persist": True, "fs_threshold": 100},
    {"fs_strategy": "page", "fs_page_size": 8192},
    {"fs_strategy": "fsm", "fs_persist": True},
    {"fs_strategy": "aggregate", "fs_threshold": 7, "fs_persist": True},  # both dropped
    {"fs_strategy": "none"},
    {"fs_strategy": "fsm", "fs_page_size": 1024},  # the page size only counts for "page"
]


def _fill(f: Any) -> None:
    for i in range(30):
        f[f"d{i}"] = np.arange(40 + 97 * i)
    f.create_dataset("c", data=np.arange(60000.0), chunks=(5000,), compression="gzip")
    g = f.create_group("g")
    g.attrs["a"] = np.arange(12)
    del f["d4"]


def _settings(path: Path) -> tuple[Any, ...]:
    with h5py.File(path, "r") as f:
        pl = f.id.get_create_plist()
        return pl.get_file_space_strategy(), pl.get_file_space_page_size(), f.id.get_create_plist().get_userblock()


@pytest.mark.parametrize("kw", CASES, ids=[str(sorted(c.items())) for c in CASES])
def test_settings_stored_as_libhdf5_stores_them(tmp_path: Path, kw: dict[str, Any]) -> None:
    for lib in (h5py, h5pure):
        with lib.File(tmp_path / f"{lib.__name__}.h5", "w", **kw) as f:
            _fill(f)
    want = _settings(tmp_path / "h5py.h5")
    mine = tmp_path / "h5pure.h5"
    assert _settings(mine) == want
    with h5pure.File(mine, "r") as f:  # and h5pure's own facade reads them the same
        from h5pure.inspect import superblock

        sb = superblock(f)
        assert (sb.file_space_strategy, sb.free_space_persist, sb.free_space_threshold) == want[0]
        assert sb.file_space_page_size == want[1] and sb.version == 2
    paged = kw["fs_strategy"] == "page"
    extra = {"page_buf_size": 4 * want[1]} if paged else {}
    with h5py.File(mine, "r+", **extra) as f:  # libhdf5 writes to it (page-buffered if paged)
        f["more"] = np.arange(33333)
        del f["d7"]
    with h5py.File(mine, "r", **extra) as f:
        assert all(
            np.array_equal(f[f"d{i}"][...], np.arange(40 + 97 * i)) for i in range(30) if i not in (4, 7)
        )
        assert f["c"][-1] == 59999.0 and f["more"][-1] == 33332
    assert _settings(mine) == want


@pytest.mark.skipif(shutil.which("h5dump") is None, reason="h5dump (hdf5-tools) not installed")
def test_h5dump_shows_the_strategy(tmp_path: Path) -> None:
    path = tmp_path / "p.h5"
    with h5pure.File(path, "w", fs_strategy="page", fs_page_size=8192) as f:
        _fill(f)
    out = subprocess.run(["h5dump", "-H", "-B", str(path)], capture_output=True, text=True, check=True)
    assert "FILE_SPACE_STRATEGY H5F_FSPACE_STRATEGY_PAGE" in out.stdout
    assert "FILE_SPACE_PAGE_SIZE 8192" in out.stdout


def test_a_paged_file_reopened_stays_paged(tmp_path: Path) -> None:
    path = tmp_path / "p.h5"
    with h5py.File(path, "w", fs_strategy="page") as f:
        f["a"] = np.arange(10)
    with h5pure.File(path, "r+") as f:
        assert f._state.writer.allocator.page_size == 4096
        _fill(f)
    with h5py.File(path, "r", page_buf_size=16384) as f:
        assert f["d29"][-1] == 40 + 97 * 29 - 1


def test_the_page_rule_of_the_allocator() -> None:
    rng = np.random.default_rng(0)
    a = Allocator(eoa=96, page_size=4096)
    blocks = []
    for _ in range(2000):
        size = int(rng.choice([8, 40, 300, 1000, 4095, 4096, 5000, 20000]))
        at = a.allocate(size)
        blocks.append((at, size))
        if size < 4096:
            assert at // 4096 == (at + size - 1) // 4096, (at, size)
        else:
            assert at % 4096 == 0, (at, size)
    ends = sorted(blocks)
    assert all(x + n <= y for (x, n), (y, _) in zip(ends, ends[1:]))  # no overlap


_LIBHDF5_WRITES = """
import sys, h5py, numpy as np
import h5pure
libver, persist, path = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
rng = np.random.default_rng(len(libver) + persist)
truth = {}
with h5pure.File(path, "w", libver=libver, fs_strategy="page", fs_persist=persist) as f:
    f["a"] = np.arange(1000)
    truth["a"] = np.arange(1000)
    for i in range(25):
        truth[f"s{i}"] = rng.integers(0, 99, int(rng.integers(1, 700)))
        f[f"s{i}"] = truth[f"s{i}"]
with h5py.File(path, "r+", page_buf_size=16384) as f:
    f["b"] = np.arange(7)
    truth["b"] = np.arange(7)
    for i in range(0, 25, 4):
        truth[f"s{i}"] = truth[f"s{i}"][::-1].copy()
        f[f"s{i}"][...] = truth[f"s{i}"]
    del f["s1"], truth["s1"]
with h5pure.File(path, "r+") as f:
    f["c"] = np.arange(3000)
    truth["c"] = np.arange(3000)
with h5py.File(path, "r", page_buf_size=16384) as f:
    assert sorted(f) == sorted(truth)
    assert all(np.array_equal(f[k][...], v) for k, v in truth.items())
print("ok")
"""


@pytest.mark.parametrize("libver", ["earliest", "latest"])
@pytest.mark.parametrize("persist", [False, True])
def test_libhdf5_page_buffering_writes_our_paged_files(
    tmp_path: Path, libver: str, persist: bool
) -> None:
    """libhdf5's page buffer, writing to a paged file, corrupted its own memory (abort)
    when the file did not end on a page boundary; h5pure pads the end as libhdf5 does.
    In a child process: an abort would take the test runner with it."""
    import sys

    out = subprocess.run(
        [sys.executable, "-c", _LIBHDF5_WRITES, libver, "1" if persist else "0", str(tmp_path / "p.h5")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]
    with h5pure.File(tmp_path / "p.h5", "r") as f:
        eof = f["a"]._storage.fs.superblock.eof_address
    assert eof % 4096 == 0
