"""Atomic commits under crashes: the power-loss harness (see ``powerloss.py``).

Every cut of a recorded workload must open in h5pure (read-only: nothing changes; then
for writing) and in h5py with exactly the state of a completed commit, never an older one
than the last durable commit.  The default run checks a bounded slice of cut points;
``H5PURE_POWERLOSS_CUTS=N`` sets how many per workload (the documented long run uses
10,000 in all).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

import h5pure

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import powerloss  # noqa: E402

CUTS = int(os.environ.get("H5PURE_POWERLOSS_CUTS", "120"))
WORKLOADS = int(os.environ.get("H5PURE_POWERLOSS_WORKLOADS", "4"))
"""Workloads (seeds 1..N): odd seeds are cut as a kill (no fsync), even ones as a power
cut (``fsync=True``); every workload has a few hundred operations to cut at."""
CASES = [("kill" if seed % 2 else "power", seed, not seed % 2) for seed in range(1, WORKLOADS + 1)]


def _run_workload(tmp_path: Any, monkeypatch: Any, seed: int, fsync: bool) -> powerloss.Log:
    path = str(tmp_path / "work.h5")
    rec = powerloss.Recorder(monkeypatch, path)
    powerloss.workload(h5pure, path, seed, steps=60, fsync=fsync, on_commit=rec.committed)
    with h5pure.File(path, "r") as f:  # the commit made by close()
        rec.log.commits.append((len(rec.log.ops), powerloss.digest(f)))
    monkeypatch.undo()
    return rec.log


def _cuts(log: powerloss.Log, mode: str, seed: int, directory: str) -> list[Any]:
    rng = random.Random(seed)
    first_commit_end = log.commits[0][0]
    jobs = []
    for cut in powerloss.cut_points(log, CUTS, rng):
        if cut < first_commit_end:
            continue  # before the first commit nothing was promised
        image = powerloss.replay(log.ops, cut, mode, rng)
        jobs.append((bytes(image), powerloss.allowed_states(log, cut, mode), directory, cut))
    return jobs


@pytest.mark.parametrize("mode, seed, fsync", CASES)
def test_every_cut_opens_at_a_committed_state(
    tmp_path: Any, monkeypatch: Any, h5py: Any, mode: str, seed: int, fsync: bool
) -> None:
    log = _run_workload(tmp_path, monkeypatch, seed, fsync)
    assert len(log.commits) > 5
    jobs = _cuts(log, mode, seed, str(tmp_path))
    assert jobs
    workers = 1 if os.environ.get("PYTEST_XDIST_WORKER") else 2
    if workers > 1:
        # spawned, not forked: a fork of a process with running threads can deadlock
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            outcomes = list(pool.map(powerloss.check_job, jobs, chunksize=8))
    else:
        outcomes = [powerloss.check_job(job) for job in jobs]
    bad = [o for o in outcomes if not o.ok]
    print(f"{mode} workload {seed}: {len(outcomes)} cuts, {len(bad)} failed")
    assert not bad, f"{len(bad)} of {len(outcomes)} cuts failed: " + "; ".join(
        f"cut {o.cut}: {o.why}" for o in bad[:10]
    )


def test_journal_window_is_exercised(tmp_path: Any, monkeypatch: Any) -> None:
    """The workload's commits change committed structures in place (journaled): the
    harness cuts inside that window, where the superblock holds the journal pointer."""
    from h5pure.format.journal import POINTER_MAGIC

    log = _run_workload(tmp_path, monkeypatch, 5, False)
    pointers = [op for op in log.ops if op[0] == "w" and op[2][:8] == POINTER_MAGIC]
    assert len(pointers) >= 3


def test_harness_catches_commits_made_in_place(tmp_path: Any, monkeypatch: Any, h5py: Any) -> None:
    """Without the journal (committed structures rewritten in place, superblock last, as
    h5pure did before) the same harness finds cuts that leave a broken file: it can fail."""
    from h5pure.drivers.sec2 import Sec2Driver

    monkeypatch.setattr(Sec2Driver, "journaled", False)
    log = _run_workload(tmp_path, monkeypatch, 1, False)
    jobs = _cuts(log, "kill", 1, str(tmp_path))
    outcomes = [powerloss.check_job(job) for job in jobs]
    assert any(not o.ok for o in outcomes)
