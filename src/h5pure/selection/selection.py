"""Index expressions -> :class:`Selection` -> chunk projections.

:func:`select` accepts what h5py's ``Dataset.__getitem__`` / ``__setitem__`` accept for the
array part of a key (integers, positive-step slices, ``Ellipsis``, ``()``, integer lists and
1-D boolean arrays per axis, a full-shape boolean mask) and raises h5py's error types and
messages for bad keys.  Beyond h5py, integer lists may be in any order, hold duplicates, and
appear on several axes; each list then selects along its own axis (outer product, like
``a[np.ix_(...)]``), which is h5py's single-list semantics generalised.

A :class:`Selection` is orthogonal (one :class:`~h5pure.selection.indexers.AxisIndexer` per
axis) or a point selection (a full-shape mask, or explicit coordinates).  Its
:meth:`Selection.chunk_projections` yields, lazily and in C order of the chunk grid, one
:class:`ChunkProjection` per touched chunk, such that::

    out = np.empty(sel.mshape, dtype)
    for p in sel.chunk_projections(chunk_shape):
        out[p.out_sel] = chunk_array(p.chunk_coords)[p.chunk_sel]
    result = out.reshape(sel.out_shape)

and, for writes, ``chunk[p.chunk_sel] = value_m[p.out_sel]`` with
``value_m = sel.broadcast_value(value).reshape(sel.mshape)``.  With duplicate indices the
later occurrence in the key is written last, as numpy's ``a[idx] = v`` does.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

import numpy as np

from .indexers import (
    ArrayIndexer,
    AxisIndexer,
    AxisProjection,
    AxisSelector,
    BoolIndexer,
    Hyperslab,
    SliceIndexer,
    int_indexer,
)
from .multiblock import MultiBlockSlice
from .points import point_chunk_coords, point_chunk_groups, points_from_mask, validate_points

IndexTuple = tuple[AxisSelector, ...]


class ChunkProjection(NamedTuple):
    """The part of a selection that lies in one chunk."""

    chunk_coords: tuple[int, ...]
    """Chunk grid index (element origin = ``chunk_coords * chunk_shape``)."""
    chunk_sel: IndexTuple
    """numpy index into the chunk's array (shape ``chunk_shape``).  Orthogonal selections:
    slices and int arrays whose result has the shape of ``out[out_sel]``; point selections:
    per-axis chunk-local coordinate arrays (zipped)."""
    out_sel: IndexTuple
    """numpy index into the ``mshape``-shaped output (integer axes kept with length 1);
    for point selections ``(positions,)`` into the 1-D output."""


def _orthogonal(sels: Sequence[AxisSelector]) -> IndexTuple:
    """A numpy index that applies each per-axis selector independently (outer product).

    One index array among slices already behaves orthogonally in numpy (its axis stays in
    place); two or more would be zipped, so then every axis goes through ``np.ix_``.
    """
    arrays_seen = 0
    for s in sels:  # (a plain loop: this runs once per chunk of a read)
        if type(s) is not slice and isinstance(s, np.ndarray):
            arrays_seen += 1
    if arrays_seen <= 1:
        return tuple(sels)
    arrays = [
        np.arange(s.start, s.stop, s.step or 1, dtype=np.int64) if isinstance(s, slice) else s
        for s in sels
    ]
    return tuple(np.ix_(*arrays))


_CACHED_AXIS_CHUNKS = 4096
"""Per-axis projections up to this many chunks are computed once per call."""


def _constant(items: list[AxisProjection]) -> list[AxisProjection]:
    return items


def _lazy_product(
    factories: Sequence[Callable[[], Iterable[AxisProjection]]],
) -> Iterator[tuple[AxisProjection, ...]]:
    """``itertools.product`` without materialising its inputs (C order: last axis fastest)."""
    if not factories:
        yield ()
        return
    head, rest = factories[0], factories[1:]
    for p in head():
        for tail in _lazy_product(rest):
            yield (p, *tail)


class Selection:
    """A selection on a dataset of shape :attr:`shape`; build it with :func:`select`."""

    def __init__(
        self,
        shape: tuple[int, ...],
        axes: Sequence[AxisIndexer] | None = None,
        points: np.ndarray | None = None,
    ) -> None:
        self.shape: tuple[int, ...] = tuple(int(d) for d in shape)
        """Shape of the dataset (the dataspace extent)."""
        self.axes: tuple[AxisIndexer, ...] = tuple(axes) if axes is not None else ()
        """Per-axis indexers of an orthogonal selection (empty for a point selection)."""
        self.points: np.ndarray | None = points
        """``(n, rank)`` int64 coordinates of a point selection, else None."""
        if points is None and len(self.axes) != len(self.shape):
            raise ValueError(f"{len(self.axes)} axis indexers for {len(self.shape)} dimensions")
        if points is not None and (not self.shape or points.shape[1:] != (len(self.shape),)):
            # as in h5py, a scalar dataspace takes no point selection
            raise ValueError(f"point selection of shape {points.shape} on dataspace {self.shape}")

    # -- constructors -------------------------------------------------------------------

    @classmethod
    def all(cls, shape: tuple[int, ...]) -> Selection:
        """The whole dataset."""
        return cls(shape, [SliceIndexer(0, 1, d, d) for d in shape])

    @classmethod
    def from_points(cls, coords: object, shape: tuple[int, ...]) -> Selection:
        """A point selection from ``(n, rank)`` coordinates (checked against ``shape``)."""
        shape = tuple(int(d) for d in shape)
        return cls(shape, points=validate_points(coords, shape))

    @classmethod
    def from_mask(cls, mask: np.ndarray) -> Selection:
        """A point selection of the true elements of a full-shape boolean mask (C order);
        ``mask`` has rank >= 1."""
        return cls(tuple(mask.shape), points=points_from_mask(mask))

    def __repr__(self) -> str:
        if self.points is not None:
            return f"Selection(shape={self.shape}, points={self.points.shape[0]})"
        return f"Selection(shape={self.shape}, axes={list(self.axes)!r})"

    # -- shapes -------------------------------------------------------------------------

    @property
    def is_points(self) -> bool:
        """True for a point selection (result is 1-D, one entry per point)."""
        return self.points is not None

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def mshape(self) -> tuple[int, ...]:
        """Per-axis selected lengths, integer axes as 1; ``(n,)`` for a point selection."""
        if self.points is not None:
            return (int(self.points.shape[0]),)
        return tuple(ax.count for ax in self.axes)

    @property
    def out_shape(self) -> tuple[int, ...]:
        """Shape of the numpy result of ``dset[key]`` (integer axes dropped)."""
        if self.points is not None:
            return (int(self.points.shape[0]),)
        return tuple(ax.count for ax in self.axes if not ax.drops_axis)

    @property
    def nselect(self) -> int:
        """Number of selected elements (duplicates counted)."""
        return math.prod(self.mshape)

    @property
    def is_full(self) -> bool:
        """Selects the whole dataset, in order, with ``out_shape == shape``."""
        return self.points is None and all(ax.is_full for ax in self.axes)

    def hyperslab(self) -> tuple[Hyperslab, ...] | None:
        """The selection as one regular hyperslab, ``(start, stride, count)`` per axis, when
        it is one (slices, integers, regular increasing lists); otherwise None."""
        if self.points is not None:
            return None
        slabs = [ax.hyperslab() for ax in self.axes]
        if any(s is None for s in slabs):
            return None
        return tuple(s for s in slabs if s is not None)

    @property
    def is_contiguous_block(self) -> bool:
        """A single box: every axis selects one run of consecutive positions, in order."""
        slabs = self.hyperslab()
        return slabs is not None and all(s.stride == 1 or s.count <= 1 for s in slabs)

    # -- values -------------------------------------------------------------------------

    def broadcast_value(self, value: object) -> np.ndarray:
        """``value`` broadcast to :attr:`out_shape` for ``dset[key] = value``.

        h5py's rules: leading length-1 dimensions beyond the result's rank are dropped, then
        numpy broadcasting applies; a point selection also takes any value with exactly
        :attr:`nselect` elements.  Raises TypeError ("Can't broadcast (2, 3) -> (4,)")
        otherwise.  The result may be a read-only broadcast view; reshape it to
        :attr:`mshape` to index it with :attr:`ChunkProjection.out_sel`.
        """
        arr = np.asarray(value)
        target = self.out_shape
        if self.points is not None and arr.ndim > 0 and arr.size == self.nselect:
            return arr.reshape(target)
        src = arr.shape
        while arr.ndim > len(target) and arr.shape[0] == 1:
            arr = arr.reshape(arr.shape[1:])
        try:
            return np.broadcast_to(arr, target)
        except ValueError:
            raise TypeError(f"Can't broadcast {src} -> {target}") from None

    def read_from(self, array: np.ndarray) -> np.ndarray:
        """Apply the selection to an in-memory array of :attr:`shape` (``out_shape`` result,
        possibly a view), e.g. for compact and contiguous datasets read whole."""
        if self.points is not None:
            return np.asarray(array[tuple(self.points.T)])
        index = _orthogonal([ax.numpy_index() for ax in self.axes])
        return np.asarray(array[index]).reshape(self.out_shape)

    def write_into(self, array: np.ndarray, value: object) -> None:
        """``array[key] = value`` for an in-memory array of :attr:`shape`."""
        val = self.broadcast_value(value)
        if self.points is not None:
            array[tuple(self.points.T)] = val
            return
        array[_orthogonal([ax.numpy_index() for ax in self.axes])] = val.reshape(self.mshape)

    # -- chunks -------------------------------------------------------------------------

    def _check_chunk_shape(self, chunk_shape: Sequence[int]) -> tuple[int, ...]:
        cs = tuple(int(c) for c in chunk_shape)
        if len(cs) != self.rank:
            raise ValueError(f"chunk shape {cs} does not match dataset rank {self.rank}")
        if any(c < 1 for c in cs):
            raise ValueError(f"chunk dimensions must be >= 1 (got {cs})")
        return cs

    def touched_chunk_count(self, chunk_shape: Sequence[int]) -> int:
        """How many chunks an orthogonal selection touches (computed per axis; a point
        selection gives its number of points, an upper bound)."""
        cs = self._check_chunk_shape(chunk_shape)
        if self.points is not None:
            return int(self.points.shape[0])
        if self.nselect == 0:
            return 0
        return math.prod(ax.chunk_count(c) for ax, c in zip(self.axes, cs))

    def chunk_projections_among(
        self, chunk_shape: Sequence[int], coords: Iterable[tuple[int, ...]]
    ) -> Iterator[ChunkProjection]:
        """The :class:`ChunkProjection` of each chunk of ``coords`` (grid coordinates, in
        the order given) the selection touches, skipping the others: the chunks a file
        stores, when far fewer than the selection touches (a sparse dataset).  Orthogonal
        selections only; slices cost nothing per chunk, index arrays an entry per chunk
        they touch."""
        cs = self._check_chunk_shape(chunk_shape)
        if self.points is not None:
            raise ValueError("chunk_projections_among takes orthogonal selections")
        if self.nselect == 0:
            return
        per_axis = [ax.projection_finder(c) for ax, c in zip(self.axes, cs)]
        for key in coords:
            combo = []
            for find, k in zip(per_axis, key):
                p = find(k)
                if p is None:
                    break
                combo.append(p)
            else:
                yield ChunkProjection(
                    tuple(key),
                    _orthogonal([p.chunk_sel for p in combo]),
                    _orthogonal([p.out_sel for p in combo]),
                )

    def chunk_grid_coords(self, chunk_shape: Sequence[int]) -> np.ndarray:
        """``(k, rank)`` int64 grid coordinates of every chunk the selection touches, in C
        order (the order of :meth:`chunk_projections`), without Python loops over chunks."""
        cs = self._check_chunk_shape(chunk_shape)
        if self.points is not None:
            return point_chunk_coords(self.points, cs)
        per_axis = [ax.chunk_indices(c) for ax, c in zip(self.axes, cs)]
        if self.rank == 0:
            return np.zeros((1, 0), dtype=np.int64)
        if any(a.shape[0] == 0 for a in per_axis):
            return np.zeros((0, self.rank), dtype=np.int64)
        grids = np.meshgrid(*per_axis, indexing="ij")
        return np.stack([g.reshape(-1) for g in grids], axis=-1).astype(np.int64, copy=False)

    def chunk_projections(self, chunk_shape: Sequence[int]) -> Iterator[ChunkProjection]:
        """One :class:`ChunkProjection` per touched chunk, in C order; lazy (a generator),
        so selections touching millions of chunks cost memory per axis, not per chunk."""
        cs = self._check_chunk_shape(chunk_shape)
        if self.points is not None:
            for group in point_chunk_groups(self.points, cs):
                yield ChunkProjection(
                    group.chunk_coords, group.local_coords, (group.out_positions,)
                )
            return
        if self.nselect == 0:
            return
        per_axis: list[Callable[[], Iterable[AxisProjection]]] = []
        for ax, c in zip(self.axes, cs):
            if ax.chunk_indices(c).shape[0] <= _CACHED_AXIS_CHUNKS:
                per_axis.append(functools.partial(_constant, list(ax.project(c))))
            else:  # recomputed for each outer combination: memory stays per chunk
                per_axis.append(functools.partial(ax.project, c))
        if per_axis and all(
            isinstance(f, functools.partial) and f.func is _constant for f in per_axis[1:]
        ):
            # the inner axes are lists: their product is enumerated in C
            inner = [f() for f in per_axis[1:]]
            combos: Iterable[tuple[AxisProjection, ...]] = (
                (p, *tail) for p in per_axis[0]() for tail in itertools.product(*inner)
            )
        else:
            combos = _lazy_product(per_axis)
        for combo in combos:
            yield ChunkProjection(
                tuple([p.chunk_index for p in combo]),
                _orthogonal([p.chunk_sel for p in combo]),
                _orthogonal([p.out_sel for p in combo]),
            )


# -- parsing keys -----------------------------------------------------------------------


def select(key: object, shape: Sequence[int]) -> Selection:
    """Parse the array part of an h5py-style key against a dataset of ``shape``.

    Raises the error types h5py raises: TypeError for unsupported index objects (floats,
    ``None``/``np.newaxis``, multi-dimensional index arrays, mismatched boolean arrays),
    ValueError for negative or zero steps, several ellipses and too many indices,
    IndexError for out-of-range positions.
    """
    shape = tuple(int(d) for d in shape)
    if isinstance(key, Selection):
        if key.shape != shape:
            raise TypeError("Mismatched selection shape")
        return key
    args = key if isinstance(key, tuple) else (key,)
    if any(a is None for a in args):
        raise TypeError("Indexing with None (or np.newaxis) is not supported")
    if len(args) == 1 and isinstance(args[0], np.ndarray) and args[0].dtype.kind == "b":
        mask = args[0]
        if mask.shape == shape and len(shape) > 1:
            return Selection.from_mask(mask)
        if mask.shape != shape[:1]:
            raise TypeError("Boolean indexing array has incompatible shape")
    n_ellipsis = sum(a is Ellipsis for a in args)
    if n_ellipsis > 1:
        raise ValueError("Only one ellipsis may be used.")
    if not shape:
        if n_ellipsis != len(args):
            raise ValueError("Illegal slicing argument for scalar dataspace")
        return Selection((), [])
    n_args = len(args) - n_ellipsis
    if n_args > len(shape):
        raise ValueError(f"{n_args} indexing arguments for {len(shape)} dimensions")
    fill = (slice(None),) * (len(shape) - n_args)
    if n_ellipsis:
        at = next(i for i, a in enumerate(args) if a is Ellipsis)
        args = args[:at] + fill + args[at + 1 :]
    else:
        args = args + fill
    return Selection(shape, [_axis_indexer(a, d) for a, d in zip(args, shape)])


def _axis_indexer(arg: object, dim: int) -> AxisIndexer:
    """One element of a key, normalised against an axis of length ``dim``."""
    if isinstance(arg, slice):
        return SliceIndexer.from_slice(arg, dim)
    if isinstance(arg, np.bool_):
        # numpy treats it as a mask, Python's bool as an int; h5py refuses the former
        raise TypeError(f"Selection can't process {arg!r}")
    if isinstance(arg, (int, np.integer)):
        return int_indexer(int(arg), dim)
    if isinstance(arg, str):
        raise ValueError("Field names only allowed for compound types")
    if isinstance(arg, np.ndarray):
        return _array_indexer(arg, dim)
    if isinstance(arg, MultiBlockSlice):
        return ArrayIndexer(arg.positions(dim), dim)
    if isinstance(arg, range):
        arg = list(arg)
    if isinstance(arg, (list, tuple)):
        if len(arg) == 0:
            return ArrayIndexer(np.zeros(0, dtype=np.int64), dim)
        try:
            arr = np.asarray(arg)
        except ValueError:  # ragged
            raise TypeError(f"Selection can't process {arg!r}") from None
        if arr.ndim != 1:
            raise TypeError(f"Selection can't process {arg!r}")
        return _array_indexer(arr, dim)
    if isinstance(arg, (float, complex, bytes, np.floating, np.complexfloating)):
        raise TypeError(f"Selection can't process {arg!r}")
    try:
        return int_indexer(operator.index(arg), dim)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"Selection can't process {arg!r}") from None


def _array_indexer(arr: np.ndarray, dim: int) -> AxisIndexer:
    kind = arr.dtype.kind
    if kind == "b":
        if arr.ndim != 1:
            raise TypeError("Only 1D arrays allowed for fancy indexing")
        return BoolIndexer(arr, dim)
    if kind in "iu" and arr.ndim == 0:
        return int_indexer(int(arr), dim)
    if arr.ndim != 1:
        raise TypeError("Only 1D arrays allowed for fancy indexing")
    if kind not in "iu":
        if arr.size == 0 and kind == "O":
            return ArrayIndexer(np.zeros(0, dtype=np.int64), dim)
        raise TypeError("Indexing arrays must have integer dtypes")
    return ArrayIndexer.from_array(arr, dim)
