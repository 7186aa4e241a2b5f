"""Counts, sizes, dimensions and addresses overwritten with absurd values (zero, one,
all ones, the sign bit, 2**62...).  Inside checksummed blocks the checksum is recomputed,
so the decoder behind it sees the absurd value instead of a checksum mismatch."""

from __future__ import annotations

import random

import pytest
from seeds import SEEDS

from h5pure.testing.corrupt import (
    absurd_values,
    checksummed_blocks,
    message_fields,
    overwrite_uint,
    refresh_checksums,
    run_case,
    structure_fields,
    summarize,
)

SHARDS = 3
CASES_PER_SHARD = {"earliest": 70, "latest": 60, "bulky": 30}


@pytest.fixture(scope="module")
def targets(seed_dir, seeds):
    """Per seed: (message fields, structure fields, checksummed blocks)."""
    return {
        name: (
            message_fields(str(seed_dir / f"{name}.h5")),
            structure_fields(image),
            checksummed_blocks(image),
        )
        for name, image in seeds.items()
    }


def _mutate(image, field, value, blocks):
    out = overwrite_uint(image, field.offset, value, field.width)
    return refresh_checksums(out, blocks, field.offset)


@pytest.mark.parametrize("shard", range(SHARDS))
@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_absurd_values_in_fields(seeds, targets, seed, shard, case_path, bounded_memory):
    image = seeds[seed]
    messages, structures, blocks = targets[seed]
    rng = random.Random(f"absurd {seed}/{shard}")
    results = []
    for i in range(CASES_PER_SHARD[seed]):
        pool = messages if i % 3 else structures
        field = rng.choice(pool)
        width = field.width if pool is messages else rng.choice((1, 2, 4, 8))
        value = rng.choice(absurd_values(width))
        mutated = _mutate(image, type(field)(field.offset, width, field.what), value, blocks)
        results.append(run_case(f"{seed} {field.what} := {value:#x}", mutated, case_path))
    assert all(r.ok for r in results), summarize(results)


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_dimensions_and_sizes(seeds, targets, seed, case_path, bounded_memory):
    """Every dataspace dimension and datatype size set to each absurd value."""
    image = seeds[seed]
    messages, _, blocks = targets[seed]
    chosen = [f for f in messages if f.what.endswith(("dim 0", "dim 1", "datatype size"))]
    assert chosen
    results = []
    for field in chosen[:: max(1, len(chosen) // 16)]:
        for value in (0, 1 << 62, (1 << (8 * field.width)) - 1, 0x7FFFFFFF):
            mutated = _mutate(image, field, value, blocks)
            results.append(run_case(f"{seed} {field.what} := {value:#x}", mutated, case_path))
    assert all(r.ok for r in results), summarize(results)


def test_checksums_are_refreshed(seeds, targets):
    """The kit's checksum refresh is right: recomputing over an unmodified image is a
    no-op, and the latest seed has checksummed heads and object header chunks."""
    image = seeds["latest"]
    blocks = targets["latest"][2]
    assert len(blocks) > 20
    for start, _ in blocks[:10]:
        assert refresh_checksums(image, blocks, start) == image
