"""Selections as HDF5 stores them (region references, virtual dataset mappings).

A :class:`~h5pure.selection.Selection` or an index expression becomes the
:class:`~h5pure.format.selection_codec.SerializedSelection` libhdf5 stores for the earliest
file formats: a point list, or a list of hyperslab blocks (version 1), or "all".
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..format.selection_codec import RegularHyperslab, SelectionType, SerializedSelection
from .indexers import IntIndexer, SliceIndexer
from .selection import Selection, select

__all__ = [
    "UNLIMITED",
    "SerializedSelection",
    "all_selection",
    "none_selection",
    "serialize_mapping",
    "serialize_region",
]


def all_selection(rank: int = 0) -> SerializedSelection:
    """The "all" selection (of a scalar dataspace, by default)."""
    return SerializedSelection(SelectionType.ALL, rank)


def none_selection(rank: int = 0) -> SerializedSelection:
    """The "none" selection (of a scalar dataspace, by default)."""
    return SerializedSelection(SelectionType.NONE, rank)


def serialize_region(sel: Selection, rank: int) -> SerializedSelection:
    """The stored form of a region reference to ``sel``: its points, or its hyperslab
    blocks -- one block per run of consecutive positions on each axis, as the earliest
    file format stores hyperslabs (version 1)."""
    if sel.points is not None:
        points = tuple(tuple(int(v) for v in p) for p in sel.points)
        return SerializedSelection(SelectionType.POINTS, rank, points=points)
    slabs = sel.hyperslab()
    if slabs is not None:
        runs: list[list[tuple[int, int]]] = []
        for sl in slabs:
            if sl.count == 0:
                runs.append([])
            elif sl.stride == 1 or sl.count == 1:
                runs.append([(sl.start, sl.start + sl.count - 1)])
            else:
                runs.append([(sl.start + i * sl.stride,) * 2 for i in range(sl.count)])
        blocks = tuple(
            (tuple(r[0] for r in combo), tuple(r[1] for r in combo))
            for combo in itertools.product(*runs)
        )
        return SerializedSelection(SelectionType.HYPERSLABS, rank, blocks=blocks)
    per_axis = [np.unique(np.asarray(ax.indices())) for ax in sel.axes]
    grids = np.meshgrid(*per_axis, indexing="ij")
    coords = np.stack([g.reshape(-1) for g in grids], axis=-1)
    blocks = tuple((tuple(int(v) for v in c), tuple(int(v) for v in c)) for c in coords)
    return SerializedSelection(SelectionType.HYPERSLABS, rank, blocks=blocks)


UNLIMITED = (1 << 64) - 1
"""h5py's ``h5s.UNLIMITED``: as a slice's stop in a virtual dataset mapping, the slice
runs on as the dataset grows."""


def serialize_mapping(key: Any, shape: tuple[int, ...]) -> tuple[SerializedSelection, int]:
    """One side of a virtual dataset mapping: ``key`` (integers, slices with steps,
    increasing index lists; a slice whose stop is ``UNLIMITED`` on at most one axis) on
    ``shape``, as a regular hyperslab wherever libhdf5 finds one (its ``rebuild``), else a
    list of blocks; and how many elements it selects -- along the other axes when one
    is unlimited.  :func:`~h5pure.format.selection_codec.stored_selection` then picks
    the stored version."""
    if key is None or key == () or key is Ellipsis:
        return SerializedSelection(SelectionType.ALL, 0), int(np.prod(shape, dtype=np.int64))
    unlimited = _unlimited_axes(key, len(shape))
    if len(unlimited) > 1:
        raise RuntimeError(
            "Unable to set hyperslab selection (cannot have more than one unlimited "
            "dimension in selection)"
        )
    unlimited_start = unlimited_step = 0
    if unlimited:
        args = list(key if isinstance(key, tuple) else (key,))
        at = _arg_position(args, unlimited[0], len(shape))
        cut = args[at]
        unlimited_start, unlimited_step = int(cut.start or 0), int(cut.step or 1)
        if unlimited_start < 0 or unlimited_step < 1:
            raise ValueError(
                "An unlimited selection needs a non-negative start and a positive step"
            )
        args[at] = slice(None)  # a placeholder: the axis is set below
        key = tuple(args)
    sel = select(key, shape)
    if sel.points is not None:
        raise TypeError("Virtual dataset selections must be integers, slices and index lists")
    runs = [_runs(ax) for ax in sel.axes]
    if unlimited:
        (u,) = unlimited
        runs[u] = [(0, 0)]
        count = int(np.prod([_run_total(r) for i, r in enumerate(runs) if i != u], dtype=np.int64))
        regular = _regular(runs)
        if regular is None:
            raise TypeError("An unlimited virtual dataset selection must be a regular hyperslab")
        start, stride, counts, block = (list(v) for v in regular)
        start[u], stride[u], block[u] = unlimited_start, unlimited_step, 1
        hyperslab = RegularHyperslab(
            tuple(start), tuple(stride), (*counts[:u], None, *counts[u + 1 :]), tuple(block)
        )
        return SerializedSelection(SelectionType.HYPERSLABS, len(shape), regular=hyperslab), count
    count = int(np.prod([_run_total(r) for r in runs], dtype=np.int64))
    if count == 0:
        return SerializedSelection(SelectionType.NONE, len(shape)), 0
    found = _regular(runs)
    if found is not None:
        hyperslab = RegularHyperslab(*found)
        return SerializedSelection(SelectionType.HYPERSLABS, len(shape), regular=hyperslab), count
    blocks = tuple(
        (tuple(b[0] for b in combo), tuple(b[1] for b in combo))
        for combo in itertools.product(*runs)
    )
    return SerializedSelection(SelectionType.HYPERSLABS, len(shape), blocks=blocks), count


def _unlimited_axes(key: Any, rank: int) -> list[int]:
    """The axes whose slice in ``key`` stops at ``UNLIMITED``."""
    args = key if isinstance(key, tuple) else (key,)
    found = []
    axis = 0
    for a in args:
        if a is Ellipsis:
            axis += rank - (len(args) - 1)
            continue
        if isinstance(a, slice) and a.stop is not None and a.stop == UNLIMITED:
            found.append(axis)
        axis += 1
    return found


def _arg_position(args: list[Any], axis: int, rank: int) -> int:
    """Which of ``args`` indexes ``axis``."""
    at = 0
    for i, a in enumerate(args):
        if a is Ellipsis:
            at += rank - (len(args) - 1)
            continue
        if at == axis:
            return i
        at += 1
    raise IndexError(axis)


def _runs(ax: Any) -> list[tuple[int, int]]:
    """The positions ``ax`` selects as (first, last) runs of consecutive positions."""
    if isinstance(ax, IntIndexer):
        return [(ax.index, ax.index)]
    if isinstance(ax, SliceIndexer):
        n = ax.count
        if n == 0:
            return []
        if ax.step == 1:
            return [(ax.start, ax.start + n - 1)]
        return [(ax.start + k * ax.step,) * 2 for k in range(n)]
    positions = np.asarray(ax.indices(), dtype=np.int64)
    if positions.size > 1 and np.any(np.diff(positions) <= 0):
        raise TypeError("Indexing elements must be in increasing order")
    if not positions.size:
        return []
    breaks = np.flatnonzero(np.diff(positions) != 1) + 1
    firsts = positions[np.concatenate(([0], breaks))]
    lasts = positions[np.concatenate((breaks - 1, [positions.size - 1]))]
    return [(int(a), int(b)) for a, b in zip(firsts, lasts)]


def _run_total(runs: list[tuple[int, int]]) -> int:
    return sum(b - a + 1 for a, b in runs)


def _regular(
    runs: list[list[tuple[int, int]]],
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]] | None:
    """``(start, stride, count, block)`` when every axis's runs have one length and one
    spacing (libhdf5 then stores the selection as a regular hyperslab); None otherwise."""
    start, stride, count, block = [], [], [], []
    for axis in runs:
        if not axis:
            return None
        lengths = {b - a + 1 for a, b in axis}
        spacings = {axis[k + 1][0] - axis[k][0] for k in range(len(axis) - 1)}
        if len(lengths) != 1 or len(spacings) > 1:
            return None
        start.append(axis[0][0])
        stride.append(spacings.pop() if spacings else 1)
        count.append(len(axis))
        block.append(lengths.pop())
    return tuple(start), tuple(stride), tuple(count), tuple(block)
