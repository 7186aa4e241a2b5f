"""Selections: index expressions -> per-axis indexers -> chunk projections (pure, no I/O).

``select(key, shape)`` parses the array part of an h5py-style key into a :class:`Selection`;
``Selection.chunk_projections(chunk_shape)`` maps it onto a chunk grid.
"""

from __future__ import annotations

from .indexers import (
    ArrayIndexer,
    AxisIndexer,
    AxisProjection,
    BoolIndexer,
    Hyperslab,
    IntIndexer,
    SliceIndexer,
)
from .multiblock import MultiBlockSlice
from .points import PointGroup, point_chunk_coords, point_chunk_groups, points_from_mask
from .selection import ChunkProjection, Selection, select

__all__ = [
    "ArrayIndexer",
    "AxisIndexer",
    "AxisProjection",
    "BoolIndexer",
    "ChunkProjection",
    "Hyperslab",
    "IntIndexer",
    "MultiBlockSlice",
    "PointGroup",
    "Selection",
    "SliceIndexer",
    "point_chunk_coords",
    "point_chunk_groups",
    "points_from_mask",
    "select",
]
