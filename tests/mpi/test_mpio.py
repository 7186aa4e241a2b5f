"""The mpio driver under real MPI: scripts run with ``mpiexec -n 1, 2, 4`` (oversubscribed
on small machines), every script asserting its rank count; files checked by serial h5py,
and both ways against Debian's parallel h5py (libhdf5 1.10.8)."""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pytest

from .launch import SCRIPTS, check_ok, run, run_oracle

sys.path.insert(0, SCRIPTS)
from common import ROWS, check_all  # noqa: E402

pytestmark = pytest.mark.timeout(600)


@pytest.mark.parametrize("n", [1, 2, 4])
@pytest.mark.parametrize("mode", ["independent", "collective"])
def test_all_ranks_write_serial_h5py_reads(tmp_path, n, mode, h5py):
    path = str(tmp_path / f"w{n}{mode}.h5")
    check_ok(run(n, "write_h5pure.py", path, mode), n)
    with h5py.File(path, "r") as f:
        check_all(f, n)
        assert f["gzip"].chunks == (3, 5)


def test_a_rank_reads_back_its_unplaced_chunks(tmp_path, h5py):
    """Many small chunks a rank wrote wait in its scratch memory until the commit; reads
    coalesced across them (tiles, row gathers, vectored reads) read them back."""
    path = str(tmp_path / "readback.h5")
    check_ok(run(2, "readback.py", path), 2)
    with h5py.File(path, "r") as f:
        want = np.arange(2 * 400 * 16, dtype="f4").reshape(800, 16)
        np.testing.assert_array_equal(f["gz"][...], want)
        np.testing.assert_array_equal(f["plain"][...], want)


def test_parallel_h5py_reads_h5pure_files(tmp_path):
    path = str(tmp_path / "h5pure4.h5")
    check_ok(run(4, "write_h5pure.py", path, "independent"), 4)
    check_ok(run_oracle(4, "oracle_read.py", path), 4)


def test_h5pure_reads_parallel_h5py_files(tmp_path, h5py):
    path = str(tmp_path / "libhdf5_4.h5")
    check_ok(run_oracle(4, "oracle_write.py", path), 4)
    check_ok(run(2, "read_h5pure.py", path), 2)
    check_ok(run(4, "read_h5pure.py", path), 4)


def test_h5pure_reads_serial_h5py_files_under_mpio(tmp_path, h5py):
    """A file serial libhdf5 wrote (through h5py), read by 4 ranks, each a slab."""
    from common import COLS, expected

    path = str(tmp_path / "serial.h5")
    n = 3
    with h5py.File(path, "w") as f:
        f.attrs["ranks"] = n
        sub = f.create_group("group/sub")
        sub.attrs["title"] = "written by every rank"
        sub.attrs["done"] = True
        f["contiguous"] = expected("contiguous", n)
        f.create_dataset("chunked", data=expected("chunked", n), chunks=(3, COLS))
        f.create_dataset(
            "gzip", data=expected("gzip", n), chunks=(3, COLS), compression="gzip", shuffle=True
        )
        f.create_dataset("resizable", data=expected("resizable", n), maxshape=(None, COLS))
        f["compound"] = expected("compound", n)
        f.create_dataset("strings", data=expected("strings", n), dtype=h5py.string_dtype())
    check_ok(run(4, "read_h5pure.py", path), 4)


def test_fill_values_and_reused_space(tmp_path, h5py):
    path = str(tmp_path / "fill.h5")
    n = 4
    check_ok(run(n, "fill.py", path), n)
    with h5py.File(path, "r") as f:
        want = np.full((n * 4, 3), -5, dtype="i4")
        for r in range(n):
            want[r * 4 : r * 4 + 2] = r
        assert np.array_equal(f["f"][...], want)
        want = np.zeros((n, 100))
        want[:, :50] = 1.0
        assert np.array_equal(f["reuse"][...], want)


def test_modes(tmp_path):
    check_ok(run(2, "modes.py", str(tmp_path / "modes.h5")), 2)


@pytest.mark.parametrize("scenario", ["names", "missing", "raised"])
def test_divergence_raises_on_every_rank(tmp_path, scenario):
    n = 4
    start = time.monotonic()
    proc = run(n, "diverge.py", str(tmp_path / "d.h5"), scenario, timeout=60)
    assert time.monotonic() - start < 30, "divergence took too long to surface"
    out = proc.stdout + proc.stderr
    for r in range(n):
        assert f"rank {r}: CollectiveError" in proc.stdout, out
    assert "ranks [3] differ from rank 0" in proc.stdout, out
    op = {"names": "create_group", "missing": "set_attribute", "raised": "create_dataset"}
    assert op[scenario] in proc.stdout, out


@pytest.mark.parametrize("scenario", ["chunk", "columns"])
def test_one_chunk_written_by_several_ranks_raises_on_every_rank(tmp_path, h5py, scenario):
    """Independent writes of different values into one chunk: each rank's chunk would
    overwrite the others', so the synchronisation refuses (on every rank), and the file
    keeps its last committed state."""
    n = 2
    path = str(tmp_path / "c.h5")
    proc = run(n, "diverge.py", path, scenario, timeout=60)
    out = proc.stdout + proc.stderr
    for r in range(n):
        assert f"rank {r}: CollectiveError" in proc.stdout, out
    assert "was written by ranks 0 and 1 with different values" in proc.stdout, out
    if scenario == "chunk":
        with h5py.File(path, "r") as f:  # the state the file was created in: empty
            assert list(f) == []


def test_a_rank_that_never_arrives_times_out(tmp_path):
    proc = run(
        2,
        "diverge.py",
        str(tmp_path / "t.h5"),
        "timeout",
        timeout=60,
        env={"H5PURE_MPI_TIMEOUT": "2"},
    )
    out = proc.stdout + proc.stderr
    assert "rank 0: CollectiveError" in proc.stdout, out
    assert "gave up after 2 s waiting at the collective 'commit'" in proc.stdout, out


def test_contiguous_runs():
    from h5pure.lowlevel.collective import _contiguous_runs
    from h5pure.selection import select

    shape = (4, 6)
    full = np.arange(24).reshape(shape)
    for key in [(slice(1, 3),), (slice(None), slice(2, 4)), (2, 3), ([0, 2], slice(1, 5, 2))]:
        sel = select(key, shape)
        raw = sel.broadcast_value(full[key]).reshape(sel.mshape).astype("<i8")
        runs, buf = _contiguous_runs(sel, shape, raw)
        image = np.full(24, -1, dtype="<i8").view(np.uint8)
        pos = 0
        for off, n in runs:
            image[off : off + n] = np.frombuffer(buf, np.uint8)[pos : pos + n]
            pos += n
        got = image.view("<i8").reshape(shape)
        assert np.array_equal(got[key], full[key]), key
        assert (got != -1).sum() == np.asarray(full[key]).size, key
    assert os.path.exists(SCRIPTS)
    assert ROWS > 0


def test_a_slow_rank_stages_before_rank_0_publishes(tmp_path, h5py):
    path = str(tmp_path / "slow.h5")
    check_ok(run(2, "slow_stager.py", path, timeout=180), 2)
    with h5py.File(path, "r") as f:
        assert sorted(f) == ["c", "g0", "g1", "g2", "x"]
