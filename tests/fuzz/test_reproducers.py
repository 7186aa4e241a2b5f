"""Every reproducer the fuzzer left (``reproducers/*.h5``, made by
``reproducers/make_reproducers.py``) reads cleanly: OK or an error of h5py's types, within
the fuzzer's bounds (10 s, 1 GiB of address space beyond start-up, the file unchanged).
Each runs in its own process, as the fuzzer runs cases, so the memory cap is real."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPRODUCERS = sorted((HERE / "reproducers").glob("*.h5"))


def test_there_are_reproducers():
    assert REPRODUCERS, "reproducers/*.h5 missing: run reproducers/make_reproducers.py"


@pytest.mark.parametrize("path", REPRODUCERS, ids=[p.stem for p in REPRODUCERS])
def test_reproducer_reads_cleanly(path, run_fuzzer):
    proc = run_fuzzer("check", str(path), timeout=120)
    lines = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith("{")]
    assert lines and lines[0]["kind"] == "ok", (lines, proc.stderr[-3000:])
    assert proc.returncode == 0
