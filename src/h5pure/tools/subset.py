"""``[start;stride;count;block]`` subsets of datasets, as ``h5diff`` names them."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

_SUBSET = re.compile(r"^(?P<path>.*?)\[(?P<spec>[^\]]*)\]$")


def parse_subset(name: str) -> tuple[str, tuple[list[int] | None, ...] | None]:
    """``/path/dset[start;stride;count;block]`` -> (path, the four lists or None)."""
    m = _SUBSET.match(name)
    if not m:
        return name, None
    parts = m.group("spec").split(";")
    lists: list[list[int] | None] = []
    for part in parts[:4]:
        part = part.strip()
        lists.append([int(v) for v in part.split(",")] if part else None)
    while len(lists) < 4:
        lists.append(None)
    return m.group("path"), tuple(lists)


def hyperslab(shape: tuple[int, ...], sel: Any) -> tuple[np.ndarray, ...]:
    """The indices selected on each axis."""
    start, stride, count, block = sel
    rank = len(shape)
    start = start or [0] * rank
    stride = stride or [1] * rank
    block = block or [1] * rank
    count = count or [1] * rank
    axes = []
    for ax in range(rank):
        idx = [start[ax] + k * stride[ax] + b for k in range(count[ax]) for b in range(block[ax])]
        axes.append(np.array(idx, dtype=np.int64))
    return tuple(axes)


def subset_shape(shape: tuple[int, ...], sel: Any) -> tuple[int, ...]:
    return tuple(len(a) for a in hyperslab(shape, sel))


def read_subset(d: Any, sel: Any) -> np.ndarray:
    """The elements ``sel`` selects of dataset ``d`` (all of it when None)."""
    shape = tuple(int(n) for n in d.shape) if d.shape else ()
    if sel is None:
        return np.asarray(d[()])
    axes = hyperslab(shape, sel)
    lo = [int(a.min()) if a.size else 0 for a in axes]
    hi = [int(a.max()) + 1 if a.size else 0 for a in axes]
    if any(h > n for h, n in zip(hi, shape)):
        raise ValueError(f"subset {sel} is outside the dataset {shape}")
    block = np.asarray(d[tuple(slice(a, b) for a, b in zip(lo, hi))])
    return block[np.ix_(*[a - lo_ for a, lo_ in zip(axes, lo)])]
