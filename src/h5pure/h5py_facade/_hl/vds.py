"""h5py's ``_hl.vds``: virtual dataset layouts and sources."""

from ...hl import VirtualLayout, VirtualSource
from ...lowlevel.virtual import VDSmap
from .._ids import module_getattr

__all__ = ["VDSmap", "VirtualLayout", "VirtualSource", "vds_support"]

__getattr__ = module_getattr(globals())

vds_support = True
"""Virtual datasets are read and written."""
