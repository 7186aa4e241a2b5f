"""The bounded fuzz run of every test session: a fixed slice of the mutational fuzzer
(``fuzzer.py``) over a seed corpus h5py writes here -- every structure the reader
decodes, libver earliest, v108 and latest, files written by h5pure too.  It must find no
crash, hang, over-allocation, foreign exception type or modified file.  The long run is
documented in ``tests/fuzz/README.md``."""

from __future__ import annotations

import json

import pytest

INPUTS = 1000
"""About 30 s on the idle 2-core development machine (60 s with other jobs on it); the
long run takes 100,000."""


def test_bounded_fuzz_run(tmp_path, run_fuzzer):
    pytest.importorskip("h5py")
    out = tmp_path / "out"
    proc = run_fuzzer(
        "run",
        "--inputs",
        str(INPUTS),
        "--workers",
        "2",
        "--batch",
        str(INPUTS // 4),
        "--seed",
        "13",
        "--corpus",
        str(tmp_path / "corpus"),
        "--out",
        str(out),
        timeout=600,
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary["inputs"] == INPUTS, proc.stderr[-3000:]
    assert not summary["findings"], proc.stdout[-5000:]
    assert proc.returncode == 0, proc.stderr[-3000:]
