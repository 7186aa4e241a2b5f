"""Point selections: an explicit list of element coordinates.

A full-shape boolean mask (``dset[mask]``) or a list of coordinates (region references,
``H5Sselect_elements``) selects single elements; the result is 1-D, in the order of the
coordinates (C order for a mask, as numpy returns).  Grouping the points by chunk is a
stable lexicographic sort of their chunk coordinates, so the points of one chunk keep
their output order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np


class PointGroup(NamedTuple):
    """The points of a point selection that fall in one chunk."""

    chunk_coords: tuple[int, ...]
    """Chunk grid index."""
    local_coords: tuple[np.ndarray, ...]
    """Per-axis int64 coordinates within the chunk (zipped, numpy advanced indexing)."""
    out_positions: np.ndarray
    """int64 positions of these points in the 1-D output."""


def points_from_mask(mask: np.ndarray) -> np.ndarray:
    """``(n, rank)`` int64 coordinates of the true elements of ``mask``, in C order."""
    mask = np.asarray(mask)
    if mask.dtype.kind != "b":
        raise TypeError("PointSelection.from_mask only works with bool arrays")
    if mask.ndim == 0:
        raise ValueError("Illegal slicing argument for scalar dataspace")
    return np.stack(np.nonzero(mask), axis=-1).astype(np.int64, copy=False)


def validate_points(coords: object, shape: tuple[int, ...]) -> np.ndarray:
    """Check a coordinate array against ``shape``; return it as ``(n, rank)`` int64.

    A 1-D array is one point when ``rank > 1`` and a list of positions when ``rank == 1``.
    Coordinates must lie inside the extent (no negative wrap-around, as in HDF5).
    """
    rank = len(shape)
    if rank == 0:
        raise ValueError("Illegal slicing argument for scalar dataspace")
    arr = np.asarray(coords)
    if arr.size == 0:
        return np.zeros((0, rank), dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError("Point coordinates must have an integer dtype")
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1) if rank == 1 else arr.reshape(1, -1)
    if arr.ndim != 2 or arr.shape[1] != rank:
        raise ValueError(f"Point coordinates of shape {arr.shape} do not fit rank {rank}")
    dims = np.asarray(shape, dtype=np.uint64)
    if np.any(arr < 0) or np.any(arr.astype(np.uint64) >= dims):
        raise IndexError(f"Point coordinates out of range for shape {shape}")
    return np.ascontiguousarray(arr, dtype=np.int64)


def point_chunk_coords(points: np.ndarray, chunk_shape: tuple[int, ...]) -> np.ndarray:
    """``(k, rank)`` int64 distinct chunk grid coordinates touched, sorted in C order."""
    rank = points.shape[1]
    if points.shape[0] == 0:
        return np.zeros((0, rank), dtype=np.int64)
    return np.unique(points // np.asarray(chunk_shape, dtype=np.int64), axis=0)


def point_chunk_groups(points: np.ndarray, chunk_shape: tuple[int, ...]) -> Iterator[PointGroup]:
    """Group the points by chunk, in C order of the chunks; lazily, one group at a time."""
    n, rank = points.shape
    if n == 0:
        return
    cshape = np.asarray(chunk_shape, dtype=np.int64)
    chunk_ids = points // cshape
    # one int64 key per point, the chunk's C-order position in the grid; a stable sort
    # keeps the output order within a chunk (and is quick on a mask's nearly sorted keys)
    grid = np.max(chunk_ids, axis=0) + 1
    if float(np.prod(grid.astype(np.float64))) < 2.0**62:
        strides = np.cumprod(np.concatenate(([1], grid[:0:-1])))[::-1].tolist()
        key = chunk_ids[:, 0] * strides[0]
        for axis in range(1, rank):
            key += chunk_ids[:, axis] * strides[axis]
        order = np.argsort(key, kind="stable")
        key = key[order]
        bounds = np.flatnonzero(key[1:] != key[:-1]) + 1
    else:  # a grid too large for one key
        order = np.lexsort(chunk_ids.T[::-1])
        ids = chunk_ids[order]
        bounds = np.flatnonzero(np.any(ids[1:] != ids[:-1], axis=1)) + 1
    starts = np.concatenate(([0], bounds)).tolist()
    stops = np.concatenate((bounds, [n])).tolist()
    for a, b in zip(starts, stops):
        cc = chunk_ids[order[a]]
        pos = order[a:b]
        local = points[pos] - cc * cshape
        yield PointGroup(
            tuple(int(x) for x in cc), tuple(local[:, i] for i in range(rank)), pos.astype(np.int64)
        )
