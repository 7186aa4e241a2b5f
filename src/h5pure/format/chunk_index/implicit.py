"""Implicit chunk index (Appendix C, index type 2; libhdf5 ``src/H5Dnone.c``).

No index structure exists: the chunks of a dataset with fixed maximum dims, no filters and
early allocation are laid out contiguously from the layout's index address, each at its
C-order index over the chunk grid of the *maximum* dims (``H5D__none_idx_get_addr``:
address = base + ``H5VM_array_offset_pre(max_down_chunks, scaled)`` × chunk bytes); the
chunks listed are those of the current extent (``H5D__none_idx_iterate``).

Also holds the small grid helpers the array indexes share (linear chunk index → element
coordinates).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...errors import FormatError
from ..context import ByteSource, FormatContext
from .base import ChunkIndex, ChunkIndexRequest, ChunkIndexType, ChunkTable, register_index

__all__ = ["ImplicitIndex", "load_implicit", "chunk_grid", "linear_to_offsets"]

MAX_TABLE_ENTRIES = 1 << 31
"""No chunk table may hold more entries than this (hostile-input bound)."""


def chunk_grid(dims: Sequence[int], chunk_shape: Sequence[int]) -> tuple[int, ...]:
    """Number of chunks along each dim (ceil division)."""
    return tuple(-(-int(d) // int(c)) for d, c in zip(dims, chunk_shape))


def linear_to_offsets(
    linear: np.ndarray, grid: Sequence[int], chunk_shape: Sequence[int]
) -> np.ndarray:
    """Element coordinates (n, rank) of the chunks at C-order linear indices over ``grid``.

    The first dim of ``grid`` is never used as a divisor, so it may be unbounded (the
    unlimited dim of a swizzled extensible array grid).
    """
    rank = len(chunk_shape)
    rest = np.asarray(linear, dtype=np.uint64).copy()
    out = np.zeros((rest.shape[0], rank), dtype=np.int64)
    for d in range(rank - 1, 0, -1):
        n = np.uint64(max(int(grid[d]), 1))
        out[:, d] = (rest % n).astype(np.int64)
        rest //= n
    if rank:
        out[:, 0] = rest.astype(np.int64)
    return out * np.asarray(chunk_shape, dtype=np.int64)


def load_implicit(
    ctx: FormatContext,
    base_address: int | None,
    shape: Sequence[int],
    maxshape: Sequence[int],
    chunk_shape: Sequence[int],
    chunk_bytes: int,
) -> ChunkTable:
    """The chunks of the current extent, at computed addresses (no I/O needed).

    libhdf5 lists the chunks of the *current* extent (``H5D__none_idx_iterate``) but places
    them by their C-order index over the *maximum* chunk grid.
    """
    rank = len(chunk_shape)
    if base_address is None or ctx.is_undefined(base_address):
        return ChunkTable.empty(rank)
    grid = chunk_grid(shape, chunk_shape)
    max_grid = chunk_grid(maxshape, chunk_shape)
    n = 1
    for g, m in zip(grid, max_grid):
        if g > m:
            raise FormatError(
                f"implicit chunk index at 0x{base_address:x}: shape {tuple(shape)} exceeds "
                f"maxshape {tuple(maxshape)}"
            )
        n *= g
    if n > MAX_TABLE_ENTRIES:
        raise FormatError(f"implicit chunk index at 0x{base_address:x}: {n} chunks is too many")
    if n == 0:
        return ChunkTable.empty(rank)
    offsets = linear_to_offsets(np.arange(n, dtype=np.uint64), grid, chunk_shape)
    scaled = offsets // np.asarray(chunk_shape, dtype=np.int64)
    down = np.ones(rank, dtype=np.int64)
    for d in range(rank - 2, -1, -1):
        down[d] = down[d + 1] * max_grid[d + 1]
    linear = (scaled * down).sum(axis=1).astype(np.uint64)
    last = base_address + (int(linear.max()) + 1) * chunk_bytes
    if ctx.eof_address is not None and last > ctx.eof_address:
        raise FormatError(
            f"implicit chunk index at 0x{base_address:x}: chunks of {chunk_bytes} bytes "
            f"run past the end of the file (0x{ctx.eof_address:x})"
        )
    return ChunkTable(
        offsets=offsets,
        addresses=np.uint64(base_address) + linear * np.uint64(chunk_bytes),
        sizes=np.full(n, chunk_bytes, dtype=np.uint64),
        filter_masks=np.zeros(n, dtype=np.uint32),
    )


@register_index
class ImplicitIndex(ChunkIndex[None]):
    """Index type 2: no structure, chunks at computed addresses (read only)."""

    index_type = ChunkIndexType.IMPLICIT
    writable = False

    def load(self, source: ByteSource, request: ChunkIndexRequest) -> ChunkTable:
        return load_implicit(
            request.ctx,
            request.layout.index_address,
            request.shape,
            request.fixed_maxshape("implicit"),
            request.chunk_shape,
            request.chunk_bytes,
        )
