"""h5py's ``_hl.selections``: h5py's selection objects are built on libhdf5 dataspaces,
which h5pure does not have (its selections are :mod:`h5pure.selection`); only the
helpers that need no dataspace are provided."""

from __future__ import annotations

from typing import Any

from .._ids import module_getattr

__all__ = ["guess_shape"]

__getattr__ = module_getattr(globals())


def guess_shape(sid: Any) -> tuple[int, ...] | None:
    """The shape of the selection of the dataspace identifier ``sid`` (None for a null
    dataspace): h5py's helper, on the facade's ``SpaceID``."""
    return sid.guess_shape()  # type: ignore[no-any-return]
