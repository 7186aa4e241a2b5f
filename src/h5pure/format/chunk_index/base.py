"""What every chunk index decodes to: one table of numpy arrays.

HDF5 File Format Specification 4.0, IV.A.2.i (layout) and Appendix C (chunk indexes).
Whatever the on-disk index (v1 B-tree, single chunk, implicit, fixed array, extensible
array, v2 B-tree), the dataset engine sees the same :class:`ChunkTable`, loaded once per
dataset, so that a selection maps to chunks by vectorized arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np


class ChunkIndexType(IntEnum):
    """Chunk index types (Appendix C; ``H5D_chunk_index_t``).  Layouts v1-v3 use BTREE_V1."""

    BTREE_V1 = 0
    SINGLE = 1
    IMPLICIT = 2
    FIXED_ARRAY = 3
    EXTENSIBLE_ARRAY = 4
    BTREE_V2 = 5


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
