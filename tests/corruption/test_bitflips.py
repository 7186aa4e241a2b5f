"""Seeded random bit flips (single and multi-bit) across the whole of each seed: each
mutated file is opened and read completely; values may change (raw data), but every
failure is an h5py-style exception, nothing hangs and the file is never written."""

from __future__ import annotations

import random

import pytest
from seeds import SEEDS

from h5pure.testing.corrupt import (
    checksummed_blocks,
    flip_bits,
    random_flips,
    refresh_checksums,
    run_case,
    summarize,
)

SHARDS = 4
FLIPS_PER_SHARD = {"earliest": 80, "latest": 70, "bulky": 30}
BITS = (1, 1, 1, 2, 3, 8)


@pytest.mark.parametrize("shard", range(SHARDS))
@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_random_bit_flips(seeds, seed, shard, case_path, bounded_memory):
    image = seeds[seed]
    rng = random.Random(f"{seed}/{shard}")
    results = []
    for _ in range(FLIPS_PER_SHARD[seed]):
        mutated, bits = random_flips(image, rng, rng.choice(BITS))
        results.append(run_case(f"{seed} flip bits {bits}", mutated, case_path))
    assert all(r.ok for r in results), summarize(results)
    # the flips reached past the superblock: some files still open and read values
    assert sum(1 for r in results if r.report and r.report.values) > len(results) // 2


@pytest.mark.parametrize("seed", ["latest", "bulky"])
def test_bit_flips_behind_checksums(seeds, seed, case_path, bounded_memory):
    """Single flips inside checksummed blocks (object header chunks, B-tree, heap and
    array heads) with the checksum recomputed, so the decoder sees the flipped field."""
    image = seeds[seed]
    blocks = checksummed_blocks(image)
    rng = random.Random(f"behind {seed}")
    results = []
    for _ in range(60):
        start, end = rng.choice(blocks)
        bit = rng.randrange(start * 8, end * 8)
        mutated = refresh_checksums(flip_bits(image, [bit]), blocks, bit >> 3)
        results.append(run_case(f"{seed} flip bit {bit} in block {start:#x}", mutated, case_path))
    assert all(r.ok for r in results), summarize(results)
    # the refresh worked: decoders behind the checksums reported the flipped fields
    behind = [
        p
        for r in results
        for p in (r.report.problems if r.report else [])
        if isinstance(p.exception, OSError) and "checksum" not in str(p.exception).lower()
    ]
    assert behind
