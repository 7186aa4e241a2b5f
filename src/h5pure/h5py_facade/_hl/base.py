"""h5py's ``_hl.base``: what every high-level object shares."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...dtypes import guess_dtype
from ...hl import Empty, HLObject, is_hdf5
from ...hl.values import (
    ItemsViewHDF5,
    KeysViewHDF5,
    MappingViews,
    ValuesViewHDF5,
    array_for_new_object,
)
from .._ids import module_getattr
from .._objects import phil, with_phil

__all__ = [
    "Empty",
    "HLObject",
    "ItemsViewHDF5",
    "KeysViewHDF5",
    "MappingHDF5",
    "MutableMappingHDF5",
    "ValuesViewHDF5",
    "array_for_new_object",
    "guess_dtype",
    "is_empty_dataspace",
    "is_hdf5",
    "phil",
    "product",
    "with_phil",
]

__getattr__ = module_getattr(globals())

MappingHDF5 = MappingViews
"""h5py's base of groups and attribute managers (their ``keys``/``values``/``items``)."""
MutableMappingHDF5 = MappingViews


def product(nums: Any) -> int:
    """The product of a sequence of integers (1 for an empty one)."""
    return int(np.prod(tuple(nums), dtype=np.int64)) if len(tuple(nums)) else 1


def is_empty_dataspace(obj: Any) -> bool:
    """Whether the object behind the identifier ``obj`` has a null dataspace."""
    space = obj.get_space()
    return bool(space.get_simple_extent_type() == 2)
