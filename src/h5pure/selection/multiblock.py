"""h5py's ``MultiBlockSlice``: ``count`` blocks of ``block`` elements, ``stride`` apart,
from ``start`` -- libhdf5's hyperslab parameters for one axis, usable in a dataset key
like a slice."""

from __future__ import annotations

import numpy as np


class MultiBlockSlice:
    """A selection of ``count`` blocks of ``block`` elements along one axis, the first
    at ``start``, each ``stride`` after the previous (``count=None``: as many whole
    blocks as fit).  With the defaults it selects the whole axis."""

    def __init__(
        self, start: int = 0, count: int | None = None, stride: int = 1, block: int = 1
    ) -> None:
        if start < 0:
            raise ValueError("Start can't be negative")
        if stride <= 0 or block <= 0 or (count is not None and count <= 0):
            raise ValueError("Stride, count and block can't be 0 or negative")
        if block > stride:
            raise ValueError("Blocks will overlap if block > stride")
        self.start = int(start)
        self.count = None if count is None else int(count)
        self.stride = int(stride)
        self.block = int(block)

    def indices(self, length: int) -> tuple[int, int, int, int]:
        """``(start, stride, count, block)`` against an axis of ``length`` elements;
        ValueError when the blocks do not fit."""
        if self.start >= length:
            raise ValueError(f"Start ({self.start}) is beyond the axis length ({length})")
        count = self.count
        if count is None:
            count = (length - self.start - self.block) // self.stride + 1
            if count <= 0:
                raise ValueError(f"No full blocks can fit in the axis of length {length}: {self!r}")
        end = self.start + self.stride * (count - 1) + self.block
        if end > length:
            raise ValueError(f"{self!r} range ({end}) extends beyond the axis length ({length})")
        return self.start, self.stride, count, self.block

    def positions(self, length: int) -> np.ndarray:
        """The selected positions, in order."""
        start, stride, count, block = self.indices(length)
        origins = start + stride * np.arange(count, dtype=np.int64)
        return (origins[:, None] + np.arange(block, dtype=np.int64)[None, :]).reshape(-1)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(start={self.start}, stride={self.stride}, "
            f"count={self.count}, block={self.block})"
        )
