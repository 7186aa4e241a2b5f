"""guess_chunk: the chunk shapes h5py picks for ``chunks=True``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from h5pure.selection.chunking import guess_chunk

h5py = pytest.importorskip("h5py")

DTYPES = ["u1", "<i2", "<f4", "<f8", "<c16", "S37", np.dtype([("a", "f8"), ("b", "i4", (5,))])]


def _random_cases(n: int, seed: int) -> list[tuple[tuple[int, ...], tuple[int | None, ...], str]]:
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(n):
        rank = int(rng.integers(1, 5))
        shape = tuple(int(rng.choice([0, 1, 3, 17, 100, 1000, 4096, 100_000])) for _ in range(rank))
        shape = tuple(s if s < 10**5 or rank == 1 else 300 for s in shape)
        maxshape = tuple(None if rng.random() < 0.3 else s for s in shape)
        cases.append((shape, maxshape, str(int(rng.integers(len(DTYPES))))))
    return cases


@pytest.mark.parametrize("shape,maxshape,dtype_index", _random_cases(50, 20260514))
def test_matches_h5py_create_dataset(shape, maxshape, dtype_index, tmp_path) -> None:
    dt = np.dtype(DTYPES[int(dtype_index)])
    with h5py.File(tmp_path / "c.h5", "w") as f:
        d = f.create_dataset("d", shape, dtype=dt, chunks=True, maxshape=maxshape)
        expected = d.chunks
    assert guess_chunk(shape, maxshape, dt.itemsize) == expected


@settings(max_examples=300, deadline=None)
@given(
    shape=st.lists(st.integers(0, 3000) | st.integers(0, 10**7), min_size=1, max_size=5),
    typesize=st.sampled_from([1, 2, 4, 8, 16, 100, 3000, 2_000_000]),
)
def test_matches_h5py_function(shape: list[int], typesize: int) -> None:
    from h5py._hl.filters import guess_chunk as h5py_guess_chunk

    assert guess_chunk(shape, None, typesize) == h5py_guess_chunk(tuple(shape), None, typesize)


def test_scalar_raises() -> None:
    with pytest.raises(ValueError, match="scalar"):
        guess_chunk((), (), 4)


def test_huge_element_stops_at_one() -> None:
    assert guess_chunk((10, 10), None, 4 * 1024 * 1024) == (1, 1)
