"""Automatic chunk shapes: h5py's heuristic for ``chunks=True`` (and for datasets that need
chunks because of filters or a ``maxshape`` but were given none).

The rule (h5py 3.16, ``h5py/_hl/filters.py``, reimplemented): zero-length axes count as
1024; the target chunk size in bytes grows with the dataset size,
``16 KiB * 2 ** log10(dataset bytes / 1 MiB)`` clamped to [8 KiB, 1 MiB]; then the axes
are halved (rounding up) in turn, first axis first, until the chunk is below the target or
within 50 % of it, and below 1 MiB -- or down to a single element.  ``maxshape`` does not
enter the computation.  All arithmetic is in float64, as h5py does it, so results agree
exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["CHUNK_BASE", "CHUNK_MAX", "CHUNK_MIN", "guess_chunk"]

CHUNK_BASE = 16 * 1024
"""Bytes of the target chunk for a 1 MiB dataset."""
CHUNK_MIN = 8 * 1024
"""Soft lower limit of the target chunk size."""
CHUNK_MAX = 1024 * 1024
"""Hard upper limit of a chunk's size (unless one element is larger)."""


def _product(values: Sequence[float]) -> float:
    out = 1.0
    for v in values:
        out *= v
    return out


def guess_chunk(
    shape: Sequence[int], maxshape: Sequence[int | None] | None, typesize: int
) -> tuple[int, ...]:
    """The chunk shape h5py picks for a dataset of ``shape`` whose elements take
    ``typesize`` bytes (h5py passes the numpy itemsize: 8 for vlen strings).

    Raises :class:`ValueError` for scalar shapes, as h5py does.
    """
    chunks = [float(n) if n != 0 else 1024.0 for n in shape]
    ndims = len(chunks)
    if ndims == 0:
        raise ValueError("Chunks not allowed for scalar datasets.")
    if not all(math.isfinite(c) for c in chunks):
        raise ValueError("Illegal value in chunk tuple")

    dset_size = _product(chunks) * typesize
    target = CHUNK_BASE * 2 ** math.log10(dset_size / (1024.0 * 1024))
    target = min(max(target, CHUNK_MIN), CHUNK_MAX)

    axis = 0
    while True:
        chunk_bytes = _product(chunks) * typesize
        close = chunk_bytes < target or abs(chunk_bytes - target) / target < 0.5
        if close and chunk_bytes < CHUNK_MAX:
            break
        if _product(chunks) == 1:
            break  # one element is larger than CHUNK_MAX
        chunks[axis % ndims] = math.ceil(chunks[axis % ndims] / 2.0)
        axis += 1
    return tuple(int(c) for c in chunks)
