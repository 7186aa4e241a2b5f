"""h5py's ``_hl.datatype``: committed datatypes."""

from ...hl import Datatype
from .._ids import module_getattr

__all__ = ["Datatype"]

__getattr__ = module_getattr(globals())
