"""h5py's ``_hl.attrs``: the attribute manager."""

from ...hl import AttributeManager
from .._ids import module_getattr

__all__ = ["AttributeManager"]

__getattr__ = module_getattr(globals())
