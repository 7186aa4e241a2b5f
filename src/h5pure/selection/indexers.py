"""Per-axis indexers: one axis of an index expression and its projection onto chunks.

Each indexer holds one normalised axis of a key (an integer, a slice with a positive step,
or an array of integer indices in any order, duplicates allowed) and projects it onto a
chunk grid of a given chunk length: for every chunk it touches on that axis it yields an
:class:`AxisProjection` (chunk index, selector within the chunk, selector within the output
axis).  :class:`~h5pure.selection.selection.Selection` takes the cartesian product of the
per-axis projections (the orthogonal, outer-product semantics h5py uses for its single
fancy axis, extended to any number of axes).

Everything is numpy arithmetic; nothing here does I/O.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..errors import SelectionRangeError

AxisSelector = slice | np.ndarray
"""A selector along one axis: a slice, or a 1-D int64 index array (orthogonal)."""


class AxisProjection(NamedTuple):
    """What one indexer selects inside one chunk along its axis."""

    chunk_index: int
    """Index of the chunk along this axis (element index // chunk length)."""
    chunk_sel: AxisSelector
    """Positions within the chunk (0 <= p < chunk length), in output order."""
    out_sel: AxisSelector
    """Positions along the output axis (the axis kept with length 1 for an integer index)."""


@dataclass(frozen=True)
class Hyperslab:
    """A regular selection along one axis: ``start + stride * k`` for ``k < count``.

    Unpacks as ``start, stride, count = slab`` (a dataclass, since a NamedTuple cannot
    have a field called ``count``)."""

    start: int
    stride: int
    count: int

    def __iter__(self) -> Iterator[int]:
        return iter((self.start, self.stride, self.count))


def as_slice(positions: np.ndarray) -> AxisSelector:
    """``positions`` as an equivalent slice when it is a strictly increasing arithmetic
    progression (the cheap path for numpy), else unchanged."""
    n = positions.shape[0]
    if n == 0:
        return positions
    first = int(positions[0])
    if n == 1:
        return slice(first, first + 1)
    step = int(positions[1]) - first
    if step <= 0:
        return positions
    if n > 2 and not np.all(np.diff(positions) == step):
        return positions
    return slice(first, first + step * (n - 1) + 1, step)


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def _check_chunk_len(chunk_len: int) -> int:
    chunk_len = int(chunk_len)
    if chunk_len < 1:
        raise ValueError(f"chunk dimensions must be >= 1 (got {chunk_len})")
    return chunk_len


class AxisIndexer(ABC):
    """One axis of a selection on an axis of length :attr:`dim`."""

    dim: int
    """Length of the dataset axis."""

    drops_axis: bool = False
    """True for an integer index: the axis is absent from ``out_shape`` (length 1 in
    ``mshape``)."""

    @property
    @abstractmethod
    def count(self) -> int:
        """Number of selected positions (the axis length in ``mshape``)."""

    @abstractmethod
    def indices(self) -> np.ndarray:
        """The selected positions, int64, in output order."""

    @abstractmethod
    def numpy_index(self) -> AxisSelector:
        """An orthogonal selector for numpy that keeps the axis (length :attr:`count`)."""

    @abstractmethod
    def hyperslab(self) -> Hyperslab | None:
        """The selection as ``(start, stride, count)`` when it is regular and increasing."""

    @abstractmethod
    def chunk_indices(self, chunk_len: int) -> np.ndarray:
        """Sorted, distinct int64 indices of the chunks this axis touches."""

    @abstractmethod
    def project(self, chunk_len: int) -> Iterator[AxisProjection]:
        """One :class:`AxisProjection` per touched chunk, in increasing chunk order."""

    def chunk_count(self, chunk_len: int) -> int:
        """How many chunks this axis touches."""
        return int(self.chunk_indices(chunk_len).shape[0])

    def projection_finder(self, chunk_len: int) -> Callable[[int], AxisProjection | None]:
        """``find(c)``: the :class:`AxisProjection` of chunk ``c`` (None when the axis does
        not touch it).  This default tabulates :meth:`project`; slices compute it."""
        table = {p.chunk_index: p for p in self.project(chunk_len)}
        return table.get

    @property
    def is_full(self) -> bool:
        """Selects the whole axis, in order, keeping it."""
        return False


class IntIndexer(AxisIndexer):
    """A single position; the axis is dropped from the result."""

    drops_axis = True

    def __init__(self, index: int, dim: int) -> None:
        self.index = int(index)
        """The normalised (non-negative) position."""
        self.dim = int(dim)

    def __repr__(self) -> str:
        return f"IntIndexer({self.index}, dim={self.dim})"

    @property
    def count(self) -> int:
        return 1

    def indices(self) -> np.ndarray:
        return np.array([self.index], dtype=np.int64)

    def numpy_index(self) -> AxisSelector:
        return slice(self.index, self.index + 1)

    def hyperslab(self) -> Hyperslab:
        return Hyperslab(self.index, 1, 1)

    def chunk_indices(self, chunk_len: int) -> np.ndarray:
        return np.array([self.index // _check_chunk_len(chunk_len)], dtype=np.int64)

    def project(self, chunk_len: int) -> Iterator[AxisProjection]:
        chunk_len = _check_chunk_len(chunk_len)
        c, local = divmod(self.index, chunk_len)
        yield AxisProjection(c, slice(local, local + 1), slice(0, 1))


class SliceIndexer(AxisIndexer):
    """``start + step * k`` for ``k < count``, with ``step >= 1``."""

    def __init__(self, start: int, step: int, count: int, dim: int) -> None:
        self.start = int(start)
        self.step = int(step)
        self._count = int(count)
        self.dim = int(dim)

    @classmethod
    def from_slice(cls, key: slice, dim: int) -> SliceIndexer:
        """Normalise ``key`` against an axis of length ``dim`` as h5py does."""
        # slice.indices raises TypeError for non-integer bounds and ValueError for step 0,
        # with the messages h5py users see.
        start, stop, step = key.indices(dim)
        if step < 1:
            raise ValueError(f"Step must be >= 1 (got {step})")
        count = max(0, -(-(stop - start) // step))  # len(range()) overflows past 2**63
        if count == 0:
            start = 0
        return cls(start, step if count > 1 else 1, count, dim)

    def __repr__(self) -> str:
        return f"SliceIndexer(start={self.start}, step={self.step}, count={self._count}, dim={self.dim})"

    @property
    def count(self) -> int:
        return self._count

    @property
    def is_full(self) -> bool:
        return self.start == 0 and self._count == self.dim and (self.step == 1 or self.dim <= 1)

    def indices(self) -> np.ndarray:
        return self.start + self.step * np.arange(self._count, dtype=np.int64)

    def numpy_index(self) -> AxisSelector:
        return slice(self.start, self.start + self.step * (self._count - 1) + 1, self.step)

    def hyperslab(self) -> Hyperslab:
        return Hyperslab(self.start, self.step, self._count)

    def chunk_indices(self, chunk_len: int) -> np.ndarray:
        chunk_len = _check_chunk_len(chunk_len)
        if self._count == 0:
            return np.zeros(0, dtype=np.int64)
        if self.step >= chunk_len:
            # every selected element lies in its own chunk
            return self.indices() // chunk_len
        last = self.start + self.step * (self._count - 1)
        # step < chunk_len: no chunk between the first and the last is skipped
        return np.arange(self.start // chunk_len, last // chunk_len + 1, dtype=np.int64)

    def chunk_count(self, chunk_len: int) -> int:
        chunk_len = _check_chunk_len(chunk_len)
        if self._count == 0:
            return 0
        if self.step >= chunk_len:  # every element in a chunk of its own
            return self._count
        last = self.start + self.step * (self._count - 1)
        return last // chunk_len - self.start // chunk_len + 1

    def projection_finder(self, chunk_len: int) -> Callable[[int], AxisProjection | None]:
        chunk_len = _check_chunk_len(chunk_len)
        start, step, count = self.start, self.step, self._count

        def find(c: int) -> AxisProjection | None:
            lo = c * chunk_len
            k0 = max(0, _ceil_div(lo - start, step))
            k1 = min(count, _ceil_div(lo + chunk_len - start, step))
            if k1 <= k0:
                return None
            local = start + step * k0 - lo
            if step >= chunk_len:
                return AxisProjection(c, slice(local, local + 1), slice(k0, k0 + 1))
            return AxisProjection(
                c, slice(local, local + step * (k1 - k0 - 1) + 1, step), slice(k0, k1)
            )

        return find

    def project(self, chunk_len: int) -> Iterator[AxisProjection]:
        chunk_len = _check_chunk_len(chunk_len)
        start, step, count = self.start, self.step, self._count
        if count == 0:
            return
        if step >= chunk_len:
            for k in range(count):
                c, local = divmod(start + step * k, chunk_len)
                yield AxisProjection(c, slice(local, local + 1), slice(k, k + 1))
            return
        last = start + step * (count - 1)
        for c in range(start // chunk_len, last // chunk_len + 1):
            lo = c * chunk_len
            k0 = max(0, _ceil_div(lo - start, step))
            k1 = min(count, _ceil_div(lo + chunk_len - start, step))
            local = start + step * k0 - lo
            yield AxisProjection(
                c, slice(local, local + step * (k1 - k0 - 1) + 1, step), slice(k0, k1)
            )


class ArrayIndexer(AxisIndexer):
    """A list of positions in any order, duplicates allowed (orthogonal fancy indexing)."""

    def __init__(self, indices: np.ndarray, dim: int) -> None:
        self._indices = np.ascontiguousarray(indices, dtype=np.int64).reshape(-1)
        """Normalised (non-negative, in range) positions, in output order."""
        self.dim = int(dim)
        # sort once; stable so duplicates keep key order (last write wins, as in numpy)
        self._order = np.argsort(self._indices, kind="stable")
        self._sorted = self._indices[self._order]

    @classmethod
    def from_array(cls, key: np.ndarray, dim: int) -> ArrayIndexer:
        """Normalise an integer array (negative positions count from the end)."""
        if key.size and (np.any(key >= dim) or np.any(key < -dim)):
            raise SelectionRangeError(f"Fancy indexing out of range for {_range_text(dim)}")
        idx = key.astype(np.int64, copy=True).reshape(-1)
        idx[idx < 0] += dim
        return cls(idx, dim)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._indices.tolist()!r}, dim={self.dim})"

    @property
    def count(self) -> int:
        return int(self._indices.shape[0])

    @property
    def is_full(self) -> bool:
        return self.count == self.dim and bool(
            np.array_equal(self._indices, np.arange(self.dim, dtype=np.int64))
        )

    def indices(self) -> np.ndarray:
        return self._indices

    def numpy_index(self) -> AxisSelector:
        return self._indices

    def hyperslab(self) -> Hyperslab | None:
        if self.count == 0:
            return Hyperslab(0, 1, 0)
        sel = as_slice(self._indices)
        if isinstance(sel, slice):
            return Hyperslab(sel.start, sel.step or 1, self.count)
        return None

    def chunk_indices(self, chunk_len: int) -> np.ndarray:
        chunk_len = _check_chunk_len(chunk_len)
        return np.unique(self._sorted // chunk_len)

    def project(self, chunk_len: int) -> Iterator[AxisProjection]:
        chunk_len = _check_chunk_len(chunk_len)
        if self.count == 0:
            return
        chunk_ids = self._sorted // chunk_len
        bounds = np.flatnonzero(chunk_ids[1:] != chunk_ids[:-1]) + 1
        starts = np.concatenate(([0], bounds)).tolist()
        stops = np.concatenate((bounds, [self.count])).tolist()
        for a, b in zip(starts, stops):
            c = int(chunk_ids[a])
            local = self._sorted[a:b] - c * chunk_len
            yield AxisProjection(c, as_slice(local), as_slice(self._order[a:b]))


class BoolIndexer(ArrayIndexer):
    """A 1-D boolean mask along one axis, turned into the increasing positions it marks."""

    def __init__(self, mask: np.ndarray, dim: int) -> None:
        mask = np.asarray(mask)
        if mask.ndim != 1 or mask.shape[0] != dim:
            raise TypeError("boolean index did not match indexed array")
        self.mask = mask
        super().__init__(np.flatnonzero(mask), dim)


def _range_text(dim: int) -> str:
    return "empty dimension" if dim == 0 else f"(0-{dim - 1})"


def int_indexer(index: int, dim: int) -> IntIndexer:
    """Normalise one integer index as h5py does (negative counts from the end once)."""
    index = int(index)
    if index < 0:
        index += dim
    if not 0 <= index < dim:
        raise IndexError(f"Index ({index}) out of range for {_range_text(dim)}")
    return IntIndexer(index, dim)
