"""Version information, laid out as ``h5py.version``.

h5pure contains no libhdf5: ``hdf5_version`` names the libhdf5 release whose file format
h5pure reads and writes, so code that checks it to enable features (virtual datasets,
SWMR-era structures, ``libver="v200"``) sees what h5pure supports.
"""

from __future__ import annotations

import sys
from typing import NamedTuple

import numpy


class VersionTuple(NamedTuple):
    """Parsed version, as ``h5py.version.version_tuple``."""

    major: int
    minor: int
    bugfix: int
    pre: str | None = None
    post: int | None = None
    dev: int | None = None


version = "0.1.0"
version_tuple = VersionTuple(0, 1, 0)
hdf5_version = "2.0.0"
hdf5_version_tuple = (2, 0, 0)
hdf5_built_version_tuple = hdf5_version_tuple
api_version = "1.8"
api_version_tuple = (1, 8)

info = f"""\
Summary of the h5pure configuration
-----------------------------------

h5pure  {version}
HDF5    {hdf5_version} (file format implemented in pure Python)
Python  {sys.version}
sys.platform    {sys.platform}
sys.maxsize     {sys.maxsize}
numpy   {numpy.__version__}
"""
