"""Reads of sparse chunked datasets: when a selection touches many times more chunks than
the file stores, the engine walks the stored chunks (``chunk_projections_among``) instead
of every touched chunk.  The answers must be h5py's, fill values included, for every kind
of per-axis selection, and the read must not cost a step per touched chunk."""

import time

import numpy as np
import pytest

import h5pure
from h5pure.selection import select

SHAPE = (1200, 2100)
CHUNKS = (2, 3)  # 420,000 chunks; 5 stored
WRITTEN = [(0, 0), (7, 11), (599, 699), (300, 4), (123, 456)]


@pytest.fixture(scope="module")
def sparse(tmp_path_factory):
    h5py = pytest.importorskip("h5py")
    path = tmp_path_factory.mktemp("sparse") / "sparse.h5"
    with h5py.File(path, "w") as f:
        for name, kw in (("plain", {}), ("gzip", {"compression": "gzip"})):
            d = f.create_dataset(name, SHAPE, dtype="<i4", chunks=CHUNKS, fillvalue=-7, **kw)
            for k, (a, b) in enumerate(WRITTEN):
                r, c = a * CHUNKS[0], b * CHUNKS[1]
                d[r : r + 2, c : c + 3] = np.arange(6).reshape(2, 3) + 100 * k
    with h5py.File(path, "r") as f:
        want = {name: f[name][...] for name in ("plain", "gzip")}
    return path, want


KEYS = [
    (),
    np.s_[::2, ::5],
    np.s_[1::7, 3:1000:4],
    np.s_[14, :],
    np.s_[:, 34],
    np.s_[246:250, 1368:1371],
    np.s_[[0, 1, 15, 1198], :],
    np.s_[:, [0, 2, 35, 2099]],
    np.s_[600:1200:3, ::11],
]


@pytest.mark.parametrize("name", ["plain", "gzip"])
@pytest.mark.parametrize("key", KEYS, ids=repr)
def test_sparse_reads_match_h5py(sparse, name, key):
    path, want = sparse
    with h5pure.File(path, "r") as f:
        got = f[name][key] if key != () else f[name][...]
    expected = want[name][key] if key != () else want[name]
    np.testing.assert_array_equal(got, expected)


def test_the_sparse_path_is_taken_and_is_fast(sparse, monkeypatch):
    """The whole read walks the 5 stored chunks, not the 420,000 touched ones."""
    path, want = sparse
    from h5pure.selection.selection import Selection

    calls = []
    real = Selection.chunk_projections

    def spy(self, chunk_shape):
        calls.append(chunk_shape)
        return real(self, chunk_shape)

    monkeypatch.setattr(Selection, "chunk_projections", spy)
    with h5pure.File(path, "r") as f:
        start = time.perf_counter()
        got = f["plain"][...]
        elapsed = time.perf_counter() - start
    np.testing.assert_array_equal(got, want["plain"])
    assert calls == []  # every touched chunk would have been enumerated
    assert elapsed < 5, elapsed


def test_projections_among_agree_with_the_full_enumeration():
    sel = select(np.s_[3:40:3, [1, 5, 6, 30]], (50, 40))
    every = list(sel.chunk_projections((4, 5)))
    stored = [p.chunk_coords for p in every][::2] + [(12, 7), (0, 2)]  # some untouched
    among = list(sel.chunk_projections_among((4, 5), sorted(stored)))
    by_coords = {tuple(p.chunk_coords): p for p in every}
    assert [tuple(p.chunk_coords) for p in among] == sorted(
        c for c in stored if tuple(c) in by_coords
    )
    for p in among:
        q = by_coords[tuple(p.chunk_coords)]
        assert repr(p.chunk_sel) == repr(q.chunk_sel) and repr(p.out_sel) == repr(q.out_sel)


@pytest.mark.parametrize(
    ("start", "step", "count", "chunk"), [(0, 1, 10, 3), (5, 7, 9, 3), (2, 3, 20, 3), (1, 4, 7, 4)]
)
def test_slice_projection_finder_matches_project(start, step, count, chunk):
    from h5pure.selection.indexers import SliceIndexer

    ax = SliceIndexer(start, step, count, start + step * count + 5)
    find = ax.projection_finder(chunk)
    listed = {p.chunk_index: p for p in ax.project(chunk)}
    assert ax.chunk_count(chunk) == len(listed)
    for c in range(-1, (start + step * count) // chunk + 3):
        assert find(c) == listed.get(c), c
