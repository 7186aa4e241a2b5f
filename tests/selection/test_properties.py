"""Property tests for h5pure.selection, with numpy (and h5py) as the oracle.

For random shapes, keys of every kind and chunk shapes: gathering the output chunk by chunk
through ``chunk_projections`` equals numpy's outer indexing, scattering a value through them
equals numpy's assignment, and the vectorized chunk list equals the chunks really touched.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from h5pure.selection import Selection, select

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

INT_DTYPES: list[type[np.integer[Any]]] = [
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.uint32,
    np.uint64,
    np.intp,
]


@st.composite
def shapes(draw: st.DrawFn, min_rank: int = 0, max_rank: int = 4) -> tuple[int, ...]:
    rank = draw(st.integers(min_rank, max_rank))
    return tuple(draw(st.lists(st.integers(0, 20), min_size=rank, max_size=rank)))


@st.composite
def axis_keys(draw: st.DrawFn, dim: int) -> tuple[object, np.ndarray, bool]:
    """(key element, oracle positions along the axis, True if the axis is dropped)."""
    kinds = ["slice", "list", "array", "bool"] + (["int", "npint"] if dim else [])
    kind = draw(st.sampled_from(kinds))
    if kind in ("int", "npint"):
        i = draw(st.integers(-dim, dim - 1))
        key: object = i if kind == "int" else draw(st.sampled_from([np.int64, np.int32]))(i)
        return key, np.array([i % dim], dtype=np.int64), True
    if kind == "slice":
        bound = st.none() | st.integers(-25, 25)
        sl = slice(draw(bound), draw(bound), draw(st.none() | st.integers(1, 6)))
        return sl, np.arange(dim, dtype=np.int64)[sl], False
    if kind == "bool":
        mask = np.array(draw(st.lists(st.booleans(), min_size=dim, max_size=dim)), dtype=bool)
        return mask, np.flatnonzero(mask).astype(np.int64), False
    lo = 0 if kind == "array" and dim else -dim
    idx = draw(st.lists(st.integers(lo, dim - 1), max_size=8)) if dim else []
    oracle = np.array(idx, dtype=np.int64) % max(dim, 1)
    if kind == "list":
        return idx, oracle, False
    dtype = draw(st.sampled_from(INT_DTYPES))
    if any(i > np.iinfo(dtype).max for i in idx):
        dtype = np.int64
    return np.array(idx, dtype=dtype), oracle, False


@st.composite
def ortho_cases(draw: st.DrawFn) -> tuple[tuple[int, ...], object, list[np.ndarray], list[bool]]:
    """A shape, a key on it, per-axis oracle positions, per-axis "dropped" flags."""
    shape = draw(shapes())
    rank = len(shape)
    parts = [draw(axis_keys(d)) for d in shape]
    keys = [p[0] for p in parts]
    arrs = [p[1] for p in parts]
    drops = [p[2] for p in parts]
    form = draw(st.sampled_from(["tuple", "ellipsis", "truncate", "bare"]))
    lo = draw(st.integers(0, rank))
    hi = draw(st.integers(lo, rank))
    # axes in [lo, hi) become full: written as Ellipsis, or omitted at the end
    for i in range(lo, hi):
        arrs[i] = np.arange(shape[i], dtype=np.int64)
        drops[i] = False
    key: object
    if form == "ellipsis":
        key = (*keys[:lo], Ellipsis, *keys[hi:])
    elif form == "truncate":
        key = tuple(keys[:lo])
        for i in range(lo, rank):
            arrs[i] = np.arange(shape[i], dtype=np.int64)
            drops[i] = False
    else:
        key = keys[0] if form == "bare" and rank == 1 else tuple(keys)
        for i in range(lo, hi):  # not replaced: restore the drawn axes
            arrs[i], drops[i] = parts[i][1], parts[i][2]
    return shape, key, arrs, drops


def chunk_shapes_for(shape: tuple[int, ...]) -> st.SearchStrategy[tuple[int, ...]]:
    return st.tuples(*[st.integers(1, max(d, 1) + 3) for d in shape])


# -- oracles and chunk-wise assembly ----------------------------------------------------


def outer_oracle(a: np.ndarray, arrs: list[np.ndarray], drops: list[bool]) -> np.ndarray:
    if a.ndim == 0:
        return a[()]
    out = a[np.ix_(*arrs)]
    return out.reshape([len(x) for x, d in zip(arrs, drops) if not d])


def padded(a: np.ndarray, cs: tuple[int, ...]) -> np.ndarray:
    full = tuple(-(-d // c) * c for d, c in zip(a.shape, cs))
    p = np.full(full, -99, dtype=a.dtype)
    p[tuple(slice(0, d) for d in a.shape)] = a
    return p


def chunk_of(p: np.ndarray, cc: tuple[int, ...], cs: tuple[int, ...]) -> np.ndarray:
    # the trailing Ellipsis keeps a rank-0 "chunk" a writable 0-d view
    index: tuple[Any, ...] = tuple(slice(c * s, (c + 1) * s) for c, s in zip(cc, cs))
    view = p[index + (Ellipsis,)]
    assert view.shape == cs
    return view


def gather(sel: Selection, a: np.ndarray, cs: tuple[int, ...]) -> np.ndarray:
    p = padded(a, cs)
    out = np.full(sel.mshape, -7, dtype=a.dtype)
    hits = np.zeros(sel.mshape, dtype=np.int64)
    for proj in sel.chunk_projections(cs):
        out[proj.out_sel] = chunk_of(p, proj.chunk_coords, cs)[proj.chunk_sel]
        out_index: Any = proj.out_sel
        np.add.at(hits, out_index, 1)
    assert np.all(hits == 1), "every output element is written exactly once"
    return out.reshape(sel.out_shape)


def scatter(sel: Selection, a: np.ndarray, cs: tuple[int, ...], value: object) -> np.ndarray:
    p = padded(a, cs)
    vm = sel.broadcast_value(value).reshape(sel.mshape)
    for proj in sel.chunk_projections(cs):
        chunk_of(p, proj.chunk_coords, cs)[proj.chunk_sel] = vm[proj.out_sel]
    pad = p.copy()
    pad[tuple(slice(0, d) for d in a.shape)] = -99
    assert np.all(pad == -99), "nothing written into the padding of edge chunks"
    return p[tuple(slice(0, d) for d in a.shape)]


def touched_chunks(coords: np.ndarray, cs: tuple[int, ...]) -> np.ndarray:
    """Brute force: distinct chunk coordinates of the selected elements, sorted."""
    if coords.shape[0] == 0:
        return np.zeros((0, len(cs)), dtype=np.int64)
    if not cs:
        return np.zeros((1, 0), dtype=np.int64)
    return np.unique(coords // np.array(cs), axis=0)


# -- orthogonal selections ---------------------------------------------------------------


@SETTINGS
@given(data=st.data(), case=ortho_cases())
def test_read_matches_numpy_outer_indexing(data: st.DataObject, case: tuple) -> None:
    shape, key, arrs, drops = case
    a = np.arange(math.prod(shape), dtype=np.int64).reshape(shape)
    sel = select(key, shape)
    expected = outer_oracle(a, arrs, drops)
    assert sel.out_shape == expected.shape
    assert sel.mshape == tuple(len(x) for x in arrs)
    assert sel.nselect == expected.size
    np.testing.assert_array_equal(sel.read_from(a), expected)
    cs = data.draw(chunk_shapes_for(shape))
    np.testing.assert_array_equal(gather(sel, a, cs), expected)
    # numpy itself agrees where its semantics are the outer ones: no index array, or one
    # and no integer (numpy treats integers next to arrays as advanced indices too)
    parts = key if isinstance(key, tuple) else (key,)
    n_fancy = sum(isinstance(k, (list, np.ndarray)) for k in parts)
    if n_fancy == 0 or (n_fancy == 1 and not any(drops)):
        np.testing.assert_array_equal(a[key], expected)


@SETTINGS
@given(data=st.data(), case=ortho_cases())
def test_write_matches_numpy_assignment(data: st.DataObject, case: tuple) -> None:
    shape, key, arrs, drops = case
    a = np.arange(math.prod(shape), dtype=np.int64).reshape(shape)
    sel = select(key, shape)
    value = -1 - np.arange(sel.nselect, dtype=np.int64).reshape(sel.out_shape)
    expected = a.copy()
    if a.ndim == 0:
        expected[()] = value
    else:
        # duplicates: the last occurrence in C order of the output wins, as in numpy
        expected[np.ix_(*arrs)] = value.reshape(sel.mshape)
    cs = data.draw(chunk_shapes_for(shape))
    np.testing.assert_array_equal(scatter(sel, a, cs, value), expected)
    b = a.copy()
    sel.write_into(b, value)
    np.testing.assert_array_equal(b, expected)


@SETTINGS
@given(data=st.data(), case=ortho_cases())
def test_chunk_grid_coords_are_the_touched_chunks(data: st.DataObject, case: tuple) -> None:
    shape, key, arrs, _ = case
    sel = select(key, shape)
    cs = data.draw(chunk_shapes_for(shape))
    grid = sel.chunk_grid_coords(cs)
    listed = [p.chunk_coords for p in sel.chunk_projections(cs)]
    from_projections = np.array(listed, dtype=np.int64).reshape(len(listed), len(shape))
    np.testing.assert_array_equal(grid, from_projections)
    if shape:
        mesh = np.meshgrid(*arrs, indexing="ij")
        coords = np.stack([m.reshape(-1) for m in mesh], axis=-1)
    else:
        coords = np.zeros((1, 0), dtype=np.int64)
    np.testing.assert_array_equal(grid, touched_chunks(coords, cs))


@SETTINGS
@given(case=ortho_cases())
def test_hyperslab_and_flags_describe_the_selection(case: tuple) -> None:
    shape, key, arrs, drops = case
    sel = select(key, shape)
    slabs = sel.hyperslab()
    regular = all(len(x) <= 1 or (np.all(np.diff(x) == x[1] - x[0]) and x[1] > x[0]) for x in arrs)
    assert (slabs is not None) == regular
    if slabs is not None:
        for (start, stride, count), x in zip(slabs, arrs):
            np.testing.assert_array_equal(start + stride * np.arange(count), x)
        runs = all(len(x) <= 1 or x[1] - x[0] == 1 for x in arrs)
        assert sel.is_contiguous_block == runs
    else:
        assert not sel.is_contiguous_block
    whole = not any(drops) and all(np.array_equal(x, np.arange(d)) for x, d in zip(arrs, shape))
    assert sel.is_full == whole


@st.composite
def broadcastable(draw: st.DrawFn, target: tuple[int, ...]) -> tuple[int, ...]:
    """A value shape that h5py broadcasts to ``target``."""
    keep = draw(st.integers(0, len(target)))
    tail = [d if draw(st.booleans()) else 1 for d in target[len(target) - keep :]]
    return (1,) * draw(st.integers(0, 2)) + tuple(tail)


@SETTINGS
@given(data=st.data(), case=ortho_cases())
def test_broadcast_writes(data: st.DataObject, case: tuple) -> None:
    shape, key, arrs, _ = case
    a = np.zeros(shape, dtype=np.int64)
    sel = select(key, shape)
    vshape = data.draw(broadcastable(sel.out_shape))
    value = np.arange(1, math.prod(vshape) + 1, dtype=np.int64).reshape(vshape)
    got = sel.broadcast_value(value)
    squeezed = (
        value.reshape(vshape[len(vshape) - len(sel.out_shape) :])
        if len(vshape) > len(sel.out_shape)
        else value
    )
    np.testing.assert_array_equal(got, np.broadcast_to(squeezed, sel.out_shape))
    cs = data.draw(chunk_shapes_for(shape))
    expected = a.copy()
    if shape:
        expected[np.ix_(*arrs)] = got.reshape(sel.mshape)
    else:
        expected[()] = got
    np.testing.assert_array_equal(scatter(sel, a, cs, value), expected)


# -- point selections --------------------------------------------------------------------


@st.composite
def mask_cases(draw: st.DrawFn) -> tuple[tuple[int, ...], np.ndarray]:
    shape = draw(shapes(min_rank=1, max_rank=4))
    seed = draw(st.integers(0, 2**32 - 1))
    density = draw(st.sampled_from([0.0, 0.05, 0.3, 0.7, 1.0]))
    return shape, np.random.default_rng(seed).random(shape) < density


@SETTINGS
@given(data=st.data(), case=mask_cases())
def test_mask_read_write_match_numpy(data: st.DataObject, case: tuple) -> None:
    shape, mask = case
    a = np.arange(math.prod(shape), dtype=np.int64).reshape(shape)
    sel = select(mask, shape)
    expected = a[mask]
    assert sel.out_shape == expected.shape == sel.mshape
    cs = data.draw(chunk_shapes_for(shape))
    np.testing.assert_array_equal(gather(sel, a, cs), expected)
    np.testing.assert_array_equal(sel.read_from(a), expected)
    value = -1 - np.arange(sel.nselect, dtype=np.int64)
    b = a.copy()
    b[mask] = value
    np.testing.assert_array_equal(scatter(sel, a, cs, value), b)
    c = a.copy()
    sel.write_into(c, value)
    np.testing.assert_array_equal(c, b)
    coords = np.argwhere(mask)
    np.testing.assert_array_equal(sel.chunk_grid_coords(cs), touched_chunks(coords, cs))


@SETTINGS
@given(data=st.data(), shape=shapes(min_rank=1, max_rank=3))
def test_explicit_points_any_order_with_duplicates(data: st.DataObject, shape: tuple) -> None:
    if 0 in shape:
        coords = np.zeros((0, len(shape)), dtype=np.int64)
    else:
        n = data.draw(st.integers(0, 12))
        coords = np.array(
            [[data.draw(st.integers(0, d - 1)) for d in shape] for _ in range(n)], dtype=np.int64
        ).reshape(n, len(shape))
    a = np.arange(math.prod(shape), dtype=np.int64).reshape(shape)
    sel = Selection.from_points(coords, shape)
    index = tuple(coords.T)
    cs = data.draw(chunk_shapes_for(shape))
    np.testing.assert_array_equal(gather(sel, a, cs), a[index])
    value = -1 - np.arange(len(coords), dtype=np.int64)
    b = a.copy()
    b[index] = value  # duplicates: the later point wins
    np.testing.assert_array_equal(scatter(sel, a, cs, value), b)


# -- h5py as the oracle for the keys it supports ------------------------------------------


@pytest.fixture(scope="module")
def h5file(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path_factory.mktemp("sel") / "oracle.h5", "w") as f:
        yield f


@st.composite
def h5py_cases(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple]:
    """Keys h5py accepts: ints, slices, Ellipsis and at most one increasing list."""
    shape = draw(shapes(max_rank=3).filter(lambda s: len(s) > 0))
    fancy_axis = draw(st.integers(-1, len(shape) - 1))
    key: list[object] = []
    for axis, d in enumerate(shape):
        if axis == fancy_axis:
            key.append(sorted(set(draw(st.lists(st.integers(0, d - 1), max_size=5)))) if d else [])
        elif d and draw(st.booleans()):
            key.append(draw(st.integers(-d, d - 1)))
        else:
            bound = st.none() | st.integers(-25, 25)
            key.append(slice(draw(bound), draw(bound), draw(st.none() | st.integers(1, 4))))
    return shape, tuple(key)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=h5py_cases())
def test_read_matches_h5py(h5file, case: tuple) -> None:  # type: ignore[no-untyped-def]
    shape, key = case
    name = "x".join(map(str, shape))
    if name not in h5file:
        h5file.create_dataset(
            name, data=np.arange(math.prod(shape), dtype=np.int64).reshape(shape), chunks=None
        )
    dset = h5file[name]
    a = dset[()]
    expected = dset[key]
    sel = select(key, shape)
    assert sel.out_shape == np.shape(expected)
    np.testing.assert_array_equal(gather(sel, a, tuple(max(1, d // 2) for d in shape)), expected)
