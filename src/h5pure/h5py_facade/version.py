"""h5py's ``version`` module: the h5py release whose API the facade implements.

``version`` is that h5py release, so clients choose their code paths for it;
``hdf5_version`` is the libhdf5 release whose file format h5pure reads and writes (h5pure
contains no libhdf5); ``info`` says that h5pure runs underneath, and which version.
"""

from __future__ import annotations

import sys
from typing import NamedTuple

import numpy

from .. import version as _h5pure


class _H5PY_VERSION_CLS(NamedTuple):  # noqa: N801 - h5py's name
    """A parsed version, as ``h5py.version.version_tuple``."""

    major: int
    minor: int
    bugfix: int
    pre: str | None = None
    post: int | None = None
    dev: int | None = None


version = "3.16.0"
"""The h5py release whose API the facade implements."""
version_tuple = _H5PY_VERSION_CLS(3, 16, 0)
hdf5_version = _h5pure.hdf5_version
hdf5_version_tuple = _h5pure.hdf5_version_tuple
hdf5_built_version_tuple = _h5pure.hdf5_built_version_tuple
api_version = _h5pure.api_version
api_version_tuple = _h5pure.api_version_tuple
h5pure_version = _h5pure.version
"""The h5pure release underneath (beyond h5py)."""

info = f"""\
Summary of the h5py configuration
---------------------------------

h5py    {version} (API level, provided by h5pure's h5py facade)
h5pure  {h5pure_version} (HDF5 in pure Python: no libhdf5 underneath)
HDF5    {hdf5_version} (file format implemented by h5pure)
Python  {sys.version}
sys.platform    {sys.platform}
sys.maxsize     {sys.maxsize}
numpy   {numpy.__version__}
"""
