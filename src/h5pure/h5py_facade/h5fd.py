"""h5py's ``h5fd``: driver identifiers and their constants.

libhdf5 identifies drivers by numbers; h5pure by h5py's driver names.  The numbers are
h5py's, so code comparing ``fapl.get_driver()`` with ``h5fd.SEC2`` keeps working.
"""

from __future__ import annotations

from ._ids import module_getattr

__getattr__ = module_getattr(globals())

_BASE = 576460752303423488
CORE = _BASE
FAMILY = _BASE + 1
LOG = _BASE + 2
MULTI = _BASE + 3
SEC2 = _BASE + 5
STDIO = _BASE + 7
fileobj_driver = _BASE + 8
MPIO = -1
MPIPOSIX = -1
DIRECT = -1
ROS3D = -1
WINDOWS = -1

MEM_DEFAULT = 0
MEM_SUPER = 1
MEM_BTREE = 2
MEM_DRAW = 3
MEM_GHEAP = 4
MEM_LHEAP = 5
MEM_OHDR = 6
MEM_NTYPES = 7
MPIO_INDEPENDENT = 0
MPIO_COLLECTIVE = 1

_BY_NAME = {
    "core": CORE,
    "family": FAMILY,
    "sec2": SEC2,
    "stdio": STDIO,
    "fileobj": fileobj_driver,
    "mpio": MPIO,
}


def driver_id(name: str) -> int:
    """h5py's number for the driver h5pure calls ``name`` (-1 when libhdf5 has none)."""
    return _BY_NAME.get(name, -1)
