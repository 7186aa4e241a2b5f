"""h5py's ``_hl.dims``: dimension scales."""

from ...hl.dims import DimensionManager, DimensionProxy
from .._ids import module_getattr

__all__ = ["DimensionManager", "DimensionProxy"]

__getattr__ = module_getattr(globals())
