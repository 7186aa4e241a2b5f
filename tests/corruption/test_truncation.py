"""Truncations at every structure boundary (±1 and a few bytes in) and every 8th byte of
the head of each seed: every failure is an h5py-style exception naming where."""

from __future__ import annotations

import re

import pytest
from seeds import SEEDS

from h5pure.testing.corrupt import (
    FormatErrorTypes,
    boundary_offsets,
    exercise,
    run_case,
    summarize,
    truncate,
)

SHARDS = 3
_WHERE = re.compile(r"0x[0-9a-f]+|truncated|end of the file|is empty|signature at offset")


@pytest.mark.parametrize("shard", range(SHARDS))
@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_truncations_raise_cleanly(seeds, seed, shard, case_path, bounded_memory):
    image = seeds[seed]
    cuts = boundary_offsets(image)[shard::SHARDS]
    results = [run_case(f"{seed} cut at {n}", truncate(image, n), case_path) for n in cuts]
    assert len(results) > 100
    assert all(r.ok for r in results), summarize(results)
    # every format error says where: an address, or that the file is truncated/empty
    vague = [
        f"cut at {n}: {p}"
        for n, r in zip(cuts, results)
        for p in r.report.problems  # type: ignore[union-attr]
        if isinstance(p.exception, FormatErrorTypes) and not _WHERE.search(str(p.exception))
    ]
    assert not vague, "\n".join(vague[:5])


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_truncated_file_reports_truncation(seeds, seed, case_path):
    image = seeds[seed]
    with open(case_path, "wb") as fh:
        fh.write(truncate(image, len(image) * 2 // 3))
    report = exercise(case_path)
    messages = [str(p.exception) for p in report.problems]
    assert any("end of the file" in m or "truncated" in m for m in messages), messages
    assert not report.unclean, [str(p) for p in report.unclean]


def test_empty_and_tiny_files(tmp_path):
    for n, data in enumerate([b"", b"\x89HDF\r\n\x1a\n", b"\x89HDF\r\n\x1a\n\x00", b"x" * 600]):
        path = str(tmp_path / f"tiny{n}.h5")
        result = run_case(f"tiny {n}", data, path)
        assert result.ok, result.describe()
        problems = result.report.problems  # type: ignore[union-attr]
        assert [p.where for p in problems] == ["open"]
        assert isinstance(problems[0].exception, OSError)
