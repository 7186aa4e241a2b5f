"""h5py's ``_selector``: ``MultiBlockSlice`` (h5pure's, from :mod:`h5pure.selection`)."""

from ..selection import MultiBlockSlice
from ._ids import module_getattr

__all__ = ["MultiBlockSlice"]

__getattr__ = module_getattr(globals())
