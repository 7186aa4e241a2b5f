"""The benchmark harness runs end to end at a tiny size, so it cannot rot unnoticed."""

import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


@pytest.fixture
def bench(h5py):
    from benchmarks import run

    return run


def test_two_workloads_run_and_verify_at_smoke_size(bench, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # as TMPDIR would
    out = tmp_path / "out.json"
    code = bench.main(
        ["--size", "smoke", "--only", "gzip_read,attrs", "--repeat", "2", "--json", str(out)]
    )
    doc = json.loads(out.read_text())
    assert code == 0, capsys.readouterr().out
    assert [r["name"] for r in doc["results"]] == ["gzip_read", "attrs"]
    for r in doc["results"]:
        for lib in ("h5py", "h5pure"):
            assert r[lib]["check"] == "ok"
            assert len(r[lib]["times_s"]) == 2 and r[lib]["median_s"] > 0
        assert r["ratio"] == pytest.approx(r["h5pure"]["median_s"] / r["h5py"]["median_s"])
    assert doc["limits_bytes_per_s"]["inflate_zlib"] > 0
    assert doc["limits_bytes_per_s"]["page_cache_read"] > 0
    printed = capsys.readouterr().out
    assert "gzip_read" in printed and "<= 0.5" in printed and "memory copy" in printed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]  # temp files removed


def test_a_wrong_result_is_reported_not_timed(bench, h5py, tmp_path):
    from benchmarks.sizes import SMOKE
    from benchmarks.workloads import BY_NAME, Context

    class Broken:
        """h5py, except that every dataset read comes back off by one."""

        def __getattr__(self, name):
            return getattr(h5py, name)

        class File(h5py.File):
            def __getitem__(self, name):
                obj = super().__getitem__(name)
                return _OffByOne(obj) if isinstance(obj, h5py.Dataset) else obj

    class _OffByOne:
        def __init__(self, d):
            self.d = d

        def __getitem__(self, key):
            return np.asarray(self.d[key]) + 1

    ctx = Context(SMOKE, tmp_path)
    res = bench.run_workload(BY_NAME["fancy_read"], ctx, 1, {"h5py": h5py, "h5pure": Broken()}, {})
    assert res.libs["h5py"].check == "ok"
    assert res.libs["h5pure"].check.startswith("WRONG: fancy read")
