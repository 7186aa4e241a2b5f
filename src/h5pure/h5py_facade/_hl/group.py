"""h5py's ``_hl.group``: groups and link values."""

from ...hl import ExternalLink, Group, HardLink, SoftLink
from .._ids import module_getattr

__all__ = ["ExternalLink", "Group", "HardLink", "SoftLink"]

__getattr__ = module_getattr(globals())
