"""Selections as HDF5 stores them (region references, virtual dataset mappings).

A :class:`~h5pure.selection.Selection` or an index expression becomes the
:class:`~h5pure.format.selection_codec.SerializedSelection` libhdf5 stores for the earliest
file formats: a point list, or a list of hyperslab blocks (version 1), or "all".
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..format.selection_codec import SelectionType, SerializedSelection
from .indexers import IntIndexer, SliceIndexer
from .selection import Selection, select

__all__ = ["SerializedSelection", "all_selection", "serialize_mapping", "serialize_region"]

_MAX_COORD = 1 << 32
"""Version 1 selections store coordinates in 4 bytes."""


def all_selection(rank: int = 0) -> SerializedSelection:
    """The "all" selection (of a scalar dataspace, by default)."""
    return SerializedSelection(SelectionType.ALL, rank)


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


def serialize_mapping(key: Any, shape: tuple[int, ...]) -> tuple[SerializedSelection, int]:
    """The stored form of one side of a virtual dataset mapping (``key``, integers and
    slices with steps, on ``shape``) and how many elements it selects."""
    if key is None or key == () or key is Ellipsis:
        return SerializedSelection(SelectionType.ALL, 0), int(np.prod(shape, dtype=np.int64))
    sel = select(key, shape)
    if sel.points is not None:
        raise TypeError("Virtual dataset selections must be integers and slices")
    per_axis: list[list[tuple[int, int]]] = []
    for ax in sel.axes:
        if isinstance(ax, IntIndexer):
            per_axis.append([(ax.index, ax.index)])
        elif isinstance(ax, SliceIndexer):
            n = len(range(ax.start, ax.start + ax.step * ax._count, ax.step))
            if n == 0:
                per_axis.append([])
            elif ax.step == 1:
                per_axis.append([(ax.start, ax.start + n - 1)])
            else:
                per_axis.append([(ax.start + k * ax.step,) * 2 for k in range(n)])
        else:
            raise TypeError("Virtual dataset selections must be integers and slices")
    count = int(np.prod([sum(e - s + 1 for s, e in axis) for axis in per_axis], dtype=np.int64))
    if any(e >= _MAX_COORD for axis in per_axis for _, e in axis):
        raise ValueError("Virtual dataset selections beyond 2**32 are not supported")
    blocks = tuple(
        (tuple(b[0] for b in combo), tuple(b[1] for b in combo))
        for combo in itertools.product(*per_axis)
    )
    kind = SelectionType.HYPERSLABS if blocks else SelectionType.NONE
    return SerializedSelection(kind, len(shape), blocks=blocks or None), count
