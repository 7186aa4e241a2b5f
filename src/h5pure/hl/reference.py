"""``obj.regionref``: making region references, and the shapes they describe."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import RegionReference


class RegionProxy:
    """h5py's ``obj.regionref``: ``dset.regionref[sel]`` makes a region reference to
    ``dset[sel]``; on any object of the file, ``.shape(ref)`` is the shape of the
    referenced dataset and ``.selection(ref)`` the shape ``dset[ref]`` reads."""

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def __getitem__(self, args: Any) -> RegionReference:
        return self.obj._region_reference(args)  # type: ignore[no-any-return]

    def _target(self, ref: Any) -> Any:
        return self.obj.file[ref]

    def shape(self, ref: Any) -> Any:
        """The shape of the dataset ``ref`` points into."""
        return self._target(ref).shape

    def selection(self, ref: Any) -> Any:
        """The shape of the region ``ref`` selects (h5py's ``guess_shape``)."""
        shape = self._target(ref).shape
        if shape is None:
            return None
        selection = getattr(ref, "selection", None)
        if selection is None:
            return tuple(shape)
        if shape == ():
            return () if selection.kind == "all" else None
        return region_shape(selection, tuple(shape))


def region_shape(selection: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The shape h5py gives ``dset[regref]`` (``h5py._hl.selections.guess_shape``): the
    extent for "all", ``(n,)`` for points, and for hyperslabs the per-axis counts when
    they multiply to the number selected, else ``(n,)``."""
    kind = selection.kind
    if kind == "none":
        return (0,) * len(shape)
    if kind == "all":
        return tuple(shape)
    if kind == "points":
        return (len(selection.coordinates(shape)),)
    mask = selection.to_mask(shape)
    n = int(mask.sum())
    if n == 0:
        return (0,) * len(shape)
    idx = np.nonzero(mask)
    out = []
    for where in idx:
        lo, hi = int(where.min()), int(where.max())
        if hi == lo:
            out.append(1)
            continue
        # h5py masks off all but the lowest plane along the axis and divides
        out.append(n // int((where == lo).sum()))
    return tuple(out) if int(np.prod(out)) == n else (n,)


def single_block(mask: np.ndarray) -> tuple[slice, ...] | None:
    """The bounding slices of ``mask`` when it is exactly one filled block."""
    if not mask.any():
        return None
    idx = np.nonzero(mask)
    bounds = tuple(slice(int(i.min()), int(i.max()) + 1) for i in idx)
    return bounds if mask[bounds].all() and mask.sum() == mask[bounds].size else None
