"""h5pure.selection against real h5py: error types and messages for bad keys, result shapes
and values for good ones, write broadcasting; plus the chunk-mapping contracts."""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pytest

from h5pure.selection import (
    ArrayIndexer,
    BoolIndexer,
    ChunkProjection,
    Hyperslab,
    IntIndexer,
    Selection,
    SliceIndexer,
    select,
)

h5py = pytest.importorskip("h5py")

SHAPES = {"d1": (10,), "d3": (3, 4, 5), "scalar": (), "empty": (0, 3)}


@pytest.fixture(scope="module")
def h5(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with h5py.File(tmp_path_factory.mktemp("sel") / "oracle.h5", "w") as f:
        for name, shape in SHAPES.items():
            f.create_dataset(name, data=np.arange(math.prod(shape), dtype=np.int64).reshape(shape))
        yield f


def h5py_outcome(call):  # type: ignore[no-untyped-def]
    try:
        return call(), None
    except Exception as e:  # noqa: BLE001 - the oracle's exception is the data under test
        return None, e


BAD_KEYS = [
    ("d1", slice(None, None, 0)),
    ("d1", slice(None, None, -1)),
    ("d1", slice(0, 10, -2)),
    ("d1", 10),
    ("d1", -11),
    ("d1", (1, 2)),
    ("d1", 1.0),
    ("d1", np.float64(1)),
    ("d1", None),
    ("d1", (0, None)),
    ("d1", (Ellipsis, None)),
    ("d1", [1.5]),
    ("d1", np.array([], dtype=float)),
    ("d1", slice(1.0, 2)),
    ("d1", slice(None, None, 1.5)),
    ("d1", np.array(1.0)),
    ("d1", np.array([[0, 1]])),
    ("d1", [[1, 2]]),
    ("d1", np.ones(9, dtype=bool)),
    ("d1", np.ones(11, dtype=bool)),
    ("d1", (Ellipsis, Ellipsis)),
    ("d1", [11]),
    ("d1", [-11]),
    ("d1", np.True_),
    ("d1", "a"),
    ("d1", b"a"),
    ("d1", {1}),
    ("d3", (0, 0, 0, 0)),
    ("d3", (0, Ellipsis, 0, 0, 0)),
    ("d3", (3, 0, 0)),
    ("d3", (0, 4, 0)),
    ("d3", (0, 0, -6)),
    ("d3", (Ellipsis, [0, 7])),
    ("d3", (0, slice(None, None, -1))),
    ("d3", np.ones((3, 4), dtype=bool)),
    ("d3", np.ones((3, 4, 5, 1), dtype=bool)),
    ("d3", (np.ones(4, dtype=bool),)),
    ("d3", (slice(None), np.ones(5, dtype=bool))),
    ("scalar", 0),
    ("scalar", slice(None)),
    ("scalar", None),
    ("scalar", np.array(True)),
    ("empty", 0),
    ("empty", -1),
    ("empty", (slice(None), 3)),
]


@pytest.mark.parametrize(("name", "key"), BAD_KEYS, ids=[f"{n}-{k!r}" for n, k in BAD_KEYS])
def test_bad_keys_raise_like_h5py(h5, name: str, key: object) -> None:
    _, expected = h5py_outcome(lambda: h5[name][key])
    assert expected is not None, "h5py accepts this key; the case list is wrong"
    with pytest.raises(type(expected)) as info:
        select(key, SHAPES[name])
    assert str(info.value) == str(expected)


GOOD_KEYS = [
    ("d1", ()),
    ("d1", Ellipsis),
    ("d1", 3),
    ("d1", -1),
    ("d1", True),  # h5py (like Python) treats a bool as the integer 1
    ("d1", np.int64(3)),
    ("d1", np.uint8(2)),
    ("d1", np.array(3)),
    ("d1", slice(20, 30)),
    ("d1", slice(-20, 3)),
    ("d1", slice(5, 2)),
    ("d1", slice(np.int64(1), np.int64(9), np.int64(3))),
    ("d1", []),
    ("d1", [0, -1]),
    ("d1", [-2, -1]),
    ("d1", np.array([1, 2], dtype=np.uint8)),
    ("d1", np.array([], dtype=np.int64)),
    ("d1", np.ones(10, dtype=bool)),
    ("d1", np.arange(10) % 3 == 0),
    ("d3", ()),
    ("d3", np.s_[...]),
    ("d3", np.s_[1, ...]),
    ("d3", np.s_[..., 1]),
    ("d3", np.s_[0, ..., 1:3]),
    ("d3", np.s_[:, :, :, ...]),
    ("d3", np.s_[1:, ::2, 4]),
    ("d3", np.s_[:, [0, 2], 1:3]),
    ("d3", np.s_[[0, 2], ...]),
    ("d3", np.s_[..., [1, 3]]),
    ("d3", np.s_[-1, -1, -1]),
    ("d3", ((),)),
    ("d3", (0, ())),
    ("d3", np.ones((3, 4, 5), dtype=bool)),
    ("d3", np.arange(60).reshape(3, 4, 5) % 7 == 1),
    ("d3", np.zeros((3, 4, 5), dtype=bool)),
    ("d3", np.array([True, False, True])),
    ("d3", (slice(None), np.array([True, False, True, False]))),
    ("scalar", ()),
    ("scalar", Ellipsis),
    ("scalar", (Ellipsis,)),
    ("empty", ()),
    ("empty", Ellipsis),
    ("empty", slice(None)),
    ("empty", (slice(None), 1)),
    ("empty", []),
    ("empty", (slice(None), [0, 2])),
    ("empty", np.zeros((0, 3), dtype=bool)),
]


@pytest.mark.parametrize(("name", "key"), GOOD_KEYS, ids=[f"{n}-{k!r}" for n, k in GOOD_KEYS])
def test_good_keys_read_like_h5py(h5, name: str, key: object) -> None:
    dset = h5[name]
    expected = np.asarray(dset[key])
    sel = select(key, SHAPES[name])
    assert sel.out_shape == expected.shape
    assert sel.nselect == expected.size
    np.testing.assert_array_equal(sel.read_from(dset[()]), expected)


def test_deliberate_extensions_beyond_h5py(h5) -> None:
    """Keys h5py refuses that h5pure accepts, with numpy's outer-indexing meaning."""
    d1 = h5["d1"][()]
    d3 = h5["d3"][()]
    for key in ([3, 1], [1, 1], [True, False] * 5):
        _, err = h5py_outcome(lambda k=key: h5["d1"][k])  # type: ignore[misc]
        assert isinstance(err, TypeError)
        np.testing.assert_array_equal(select(key, (10,)).read_from(d1), d1[key])
    sel = select(([2, 0, 2], 1, [4, 0]), (3, 4, 5))
    _, err = h5py_outcome(lambda: h5["d3"][[2, 0, 2], 1, [4, 0]])
    assert isinstance(err, TypeError)
    assert sel.out_shape == (3, 2)
    np.testing.assert_array_equal(sel.read_from(d3), d3[np.ix_([2, 0, 2], [1], [4, 0])][:, 0, :])


def test_fancy_index_past_the_end_is_an_index_error(h5) -> None:
    # h5py lets libhdf5 fail later with an OSError; h5pure says what is wrong up front
    _, err = h5py_outcome(lambda: h5["d1"][[10]])
    assert isinstance(err, OSError)
    with pytest.raises(IndexError, match=r"Fancy indexing out of range for \(0-9\)"):
        select([10], (10,))


BROADCASTS = [
    ((slice(None), 0, slice(None)), (5,)),
    ((slice(None), 0, slice(None)), (3, 1)),
    ((slice(None), 0, slice(None)), (1, 3, 5)),
    ((slice(None), 0, slice(None)), (2, 3, 5)),
    ((slice(None), 0, slice(None)), (4,)),
    ((slice(None), 0, slice(None)), (5, 3)),
    ((slice(None), 0, slice(None)), (3, 1, 5)),
    ((slice(None), 0, slice(None)), (15,)),
    ((0, 0, 0), (1, 1)),
    ((0, 0, 0), (2,)),
    ((0, 0, 0), ()),
    ((slice(None), slice(None), 0), (1, 3, 4)),
    ((slice(None), [0, 2], 0), (3, 2)),
    ((slice(0, 0),), (0, 4, 5)),
    ((slice(0, 0),), (4, 5)),
    ((slice(0, 0),), (2, 4, 5)),
    ((slice(0, 0),), ()),
    (np.ones((3, 4, 5), dtype=bool), (60,)),
    (np.ones((3, 4, 5), dtype=bool), ()),
    (np.ones((3, 4, 5), dtype=bool), (3, 4, 5)),
    (np.ones((3, 4, 5), dtype=bool), (6, 10)),
    (np.ones((3, 4, 5), dtype=bool), (59,)),
]


@pytest.mark.parametrize(("key", "vshape"), BROADCASTS, ids=[str(v) for _, v in BROADCASTS])
def test_write_broadcasting_like_h5py(tmp_path, key: object, vshape: tuple[int, ...]) -> None:
    with h5py.File(tmp_path / "w.h5", "w") as f:
        dset = f.create_dataset("d", data=np.zeros((3, 4, 5), dtype=np.int64))
        value = np.arange(1, math.prod(vshape) + 1, dtype=np.int64).reshape(vshape)
        _, err = h5py_outcome(lambda: dset.__setitem__(key, value))
        expected = dset[()]
    sel = select(key, (3, 4, 5))
    if err is not None:
        with pytest.raises(type(err)) as info:
            sel.broadcast_value(value)
        if "Can't broadcast" in str(err):
            assert str(info.value) == str(err)
        return
    got = np.zeros((3, 4, 5), dtype=np.int64)
    sel.write_into(got, value)
    np.testing.assert_array_equal(got, expected)


def test_numpy_broadcasting_for_fancy_selections_beyond_h5py() -> None:
    # h5py: "Broadcasting is not supported for complex selections"; numpy broadcasts
    sel = select((slice(None), [0, 2], 0), (3, 4, 5))
    np.testing.assert_array_equal(sel.broadcast_value(np.array([7, 8])), [[7, 8]] * 3)


# -- selection objects and flags ------------------------------------------------------


def test_axes_and_hyperslab() -> None:
    sel = select(np.s_[1, 2:9:3, [4, 1, 4], np.array([True, False, True])], (5, 10, 6, 3))
    assert [type(a) for a in sel.axes] == [IntIndexer, SliceIndexer, ArrayIndexer, BoolIndexer]
    assert sel.mshape == (1, 3, 3, 2)
    assert sel.out_shape == (3, 3, 2)
    assert sel.nselect == 18
    assert sel.hyperslab() is None  # [4, 1, 4] is not regular
    sel = select(np.s_[1, 2:9:3, [1, 3, 5], np.array([True, False, True])], (5, 10, 6, 3))
    assert sel.hyperslab() == (
        Hyperslab(1, 1, 1),
        Hyperslab(2, 3, 3),
        Hyperslab(1, 2, 3),
        Hyperslab(0, 2, 2),
    )
    start, stride, count = sel.hyperslab()[1]  # type: ignore[index]
    assert (start, stride, count) == (2, 3, 3)
    assert not sel.is_contiguous_block
    assert select(np.s_[1, 2:5, [3, 4]], (5, 10, 6)).is_contiguous_block
    assert select(np.s_[8:, 2:5], (5, 10)).is_contiguous_block  # empty on axis 0
    assert select(np.s_[...], (5, 10)).is_full
    assert select((), (5, 10)).is_full
    assert select((), ()).is_full
    assert not select(np.s_[:, :9], (5, 10)).is_full
    assert not select(np.s_[0], (1,)).is_full  # drops the axis
    assert not select(np.ones((2, 2), dtype=bool), (2, 2)).is_full
    assert select(np.ones((2, 2), dtype=bool), (2, 2)).hyperslab() is None


def test_existing_selection_passes_through() -> None:
    sel = select(np.s_[1:3], (5, 4))
    assert select(sel, (5, 4)) is sel
    with pytest.raises(TypeError, match="Mismatched selection shape"):
        select(sel, (5, 5))


def test_point_selection_from_coordinates() -> None:
    sel = Selection.from_points([[3, 1], [0, 0], [3, 1]], (4, 2))
    assert sel.is_points and sel.out_shape == (3,) and sel.nselect == 3
    a = np.arange(8).reshape(4, 2)
    np.testing.assert_array_equal(sel.read_from(a), [7, 0, 7])
    with pytest.raises(IndexError):
        Selection.from_points([[4, 0]], (4, 2))
    with pytest.raises(IndexError):
        Selection.from_points([[-1, 0]], (4, 2))
    with pytest.raises(ValueError):
        Selection.from_points([[1, 0, 0]], (4, 2))
    with pytest.raises(TypeError):
        Selection.from_points([[1.0, 0.0]], (4, 2))


# -- chunk projections ------------------------------------------------------------------


def test_projection_of_a_strided_slice_over_chunks() -> None:
    sel = select(np.s_[1:10:2], (12,))
    projs = list(sel.chunk_projections((4,)))
    assert projs == [
        ChunkProjection((0,), (slice(1, 4, 2),), (slice(0, 2),)),
        ChunkProjection((1,), (slice(1, 4, 2),), (slice(2, 4),)),
        ChunkProjection((2,), (slice(1, 2, 2),), (slice(4, 5),)),
    ]
    # a step longer than a chunk skips chunks
    sel = select(np.s_[0:12:5], (12,))
    assert [p.chunk_coords for p in sel.chunk_projections((2,))] == [(0,), (2,), (5,)]
    np.testing.assert_array_equal(sel.chunk_grid_coords((2,)), [[0], [2], [5]])


def test_projection_of_unordered_duplicate_list_keeps_output_positions() -> None:
    sel = select(([5, 0, 5, 1],), (8,))
    projs = list(sel.chunk_projections((4,)))
    assert [p.chunk_coords for p in projs] == [(0,), (1,)]
    (c0,), (o0,) = projs[0].chunk_sel, projs[0].out_sel
    assert c0 == slice(0, 2, 1) and o0 == slice(1, 4, 2)
    (c1,), (o1,) = projs[1].chunk_sel, projs[1].out_sel
    np.testing.assert_array_equal(c1, [1, 1])
    assert o1 == slice(0, 3, 2)


def test_integer_axes_keep_length_one_in_out_sel() -> None:
    sel = select(np.s_[5, 2:4], (8, 8))
    (proj,) = sel.chunk_projections((4, 4))
    assert proj == ChunkProjection(
        (1, 0), (slice(1, 2), slice(2, 4, 1)), (slice(0, 1), slice(0, 2))
    )


def test_several_list_axes_project_with_ix() -> None:
    sel = select(([2, 0], slice(None), [1, 0]), (3, 2, 2))
    a = np.arange(12).reshape(3, 2, 2)
    out = np.empty(sel.mshape, dtype=a.dtype)
    for p in sel.chunk_projections((3, 2, 2)):
        out[p.out_sel] = a[p.chunk_sel]
    np.testing.assert_array_equal(out, a[np.ix_([2, 0], [0, 1], [1, 0])])


def test_empty_selections_touch_no_chunk() -> None:
    for key, shape in [(np.s_[3:3], (10,)), ((), (0, 3)), (np.s_[:, []], (4, 5))]:
        sel = select(key, shape)
        assert sel.nselect == 0 and 0 in sel.mshape
        assert list(sel.chunk_projections((2,) * len(shape))) == []
        assert sel.chunk_grid_coords((2,) * len(shape)).shape == (0, len(shape))


def test_scalar_selection_is_one_projection() -> None:
    sel = select((), ())
    assert (sel.mshape, sel.out_shape, sel.nselect) == ((), (), 1)
    assert list(sel.chunk_projections(())) == [ChunkProjection((), (), ())]
    assert sel.chunk_grid_coords(()).shape == (1, 0)


def test_bad_chunk_shapes() -> None:
    sel = select((), (4, 4))
    with pytest.raises(ValueError, match="rank"):
        list(sel.chunk_projections((2,)))
    with pytest.raises(ValueError, match=">= 1"):
        sel.chunk_grid_coords((2, 0))


def test_projections_are_lazy_over_millions_of_chunks() -> None:
    n = 10**6
    sel = select(np.s_[:, :], (n, n))
    start = time.perf_counter()
    first = list(itertools.islice(sel.chunk_projections((1, 1)), 3))
    assert time.perf_counter() - start < 2.0
    assert [p.chunk_coords for p in first] == [(0, 0), (0, 1), (0, 2)]
    # vectorized chunk list of a large but sparse selection
    sel = select(np.s_[::1000, 7], (n, n))
    grid = sel.chunk_grid_coords((10, 10))
    assert grid.shape == (1000, 2)
    np.testing.assert_array_equal(grid[:, 0], np.arange(0, n // 10, 100))
    assert np.all(grid[:, 1] == 0)
