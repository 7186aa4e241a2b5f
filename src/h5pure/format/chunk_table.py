"""The chunks of a dataset as every chunk index decodes to and builds from: numpy arrays of
chunk origins, addresses, stored sizes and filter masks (``format.chunk_index``; the
B-tree modules that hold chunk records use it too)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ChunkTable:
    """The allocated chunks of one dataset, sorted by chunk origin in C order."""

    offsets: np.ndarray
    """(n, rank) int64: element coordinates of each chunk's first element."""
    addresses: np.ndarray
    """(n,) uint64: relative file address of each stored chunk."""
    sizes: np.ndarray
    """(n,) uint64: stored (possibly filtered) size of each chunk in bytes."""
    filter_masks: np.ndarray
    """(n,) uint32: bit i set = filter i of the pipeline was skipped for this chunk."""

    @classmethod
    def empty(cls, rank: int) -> ChunkTable:
        return cls(
            offsets=np.zeros((0, rank), dtype=np.int64),
            addresses=np.zeros(0, dtype=np.uint64),
            sizes=np.zeros(0, dtype=np.uint64),
            filter_masks=np.zeros(0, dtype=np.uint32),
        )

    def __len__(self) -> int:
        return int(self.addresses.shape[0])

    def sorted(self) -> ChunkTable:
        """A copy sorted by chunk origin (C order), duplicates kept."""
        if len(self) == 0:
            return self
        order = np.lexsort(self.offsets.T[::-1])
        return ChunkTable(
            self.offsets[order], self.addresses[order], self.sizes[order], self.filter_masks[order]
        )
