"""Grouping a point selection by chunk: C order of the chunks, output order within one."""

import numpy as np
import pytest

from h5pure.selection import point_chunk_groups


def _check(points, chunk_shape):
    groups = list(point_chunk_groups(points, chunk_shape))
    coords = [g.chunk_coords for g in groups]
    assert coords == sorted(set(coords))  # each chunk once, in C order
    seen = np.concatenate([g.out_positions for g in groups]) if groups else np.zeros(0, int)
    assert sorted(seen.tolist()) == list(range(len(points)))
    for g in groups:
        assert np.all(np.diff(g.out_positions) > 0)  # output order kept within a chunk
        local = np.stack(g.local_coords, axis=-1)
        assert np.all((local >= 0) & (local < np.asarray(chunk_shape)))
        back = local + np.asarray(g.chunk_coords) * np.asarray(chunk_shape)
        np.testing.assert_array_equal(back, points[g.out_positions])
    return groups


@pytest.mark.parametrize(
    ("shape", "chunks"), [((13,), (5,)), ((9, 7), (2, 3)), ((6, 5, 4), (4, 2, 3))]
)
def test_groups_of_shuffled_points_with_duplicates(shape, chunks):
    rng = np.random.default_rng(sum(shape))
    points = np.argwhere(rng.random(shape) < 0.4)
    points = np.concatenate([points, points[rng.integers(0, len(points), 20)]])
    _check(points[rng.permutation(len(points))], chunks)


def test_huge_chunk_grid_falls_back_to_lexsort():
    """A grid with more than 2**62 chunks has no int64 key per chunk."""
    big = 2**40
    points = np.array([[big - 1, 0], [0, big - 1], [0, 0], [big - 1, 0], [5, 7]], dtype=np.int64)
    groups = _check(points, (1, 1))
    assert [g.chunk_coords for g in groups] == [(0, 0), (0, big - 1), (5, 7), (big - 1, 0)]
    assert groups[-1].out_positions.tolist() == [0, 3]
