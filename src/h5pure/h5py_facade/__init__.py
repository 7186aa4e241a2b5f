"""h5py, presented by h5pure: the package ``import h5py`` returns after
:func:`h5pure.install_as_h5py`.

It has h5py's module tree and top-level namespace -- ``h5py.File``, ``h5py.h5t``,
``h5py._hl.dataset``, ``h5py.filters``, ``h5py.version``, ``h5py.get_config()`` -- over
h5pure's own classes and functions: the high-level classes *are* h5pure's
(:mod:`h5pure.hl`), and the low-level modules (``h5a``, ``h5d``, ``h5ds``, ``h5f``,
``h5g``, ``h5l``, ``h5o``, ``h5p``, ``h5r``, ``h5s``, ``h5t``, ``h5z``) are thin views
that map h5py's calls onto them.  A call h5py has and this facade does not raises,
naming itself; nothing is silently ignored.

Imported as ``h5pure.h5py_facade`` without installing, it can be used side by side with
the real h5py (its classes then keep h5pure's module names).
"""

from __future__ import annotations

from typing import Any

from ..dtypes import (
    Reference,
    RegionReference,
    check_dtype,
    check_enum_dtype,
    check_opaque_dtype,
    check_ref_dtype,
    check_string_dtype,
    check_vlen_dtype,
    enum_dtype,
    opaque_dtype,
    ref_dtype,
    regionref_dtype,
    special_dtype,
    string_dtype,
    vlen_dtype,
)
from . import (
    _errors,
    _hl,
    _objects,
    _selector,
    h5,
    h5a,
    h5d,
    h5ds,
    h5f,
    h5fd,
    h5g,
    h5i,
    h5l,
    h5o,
    h5p,
    h5pl,
    h5py_warnings,
    h5r,
    h5s,
    h5t,
    h5z,
    version,
)
from ._hl import filters
from ._hl.attrs import AttributeManager
from ._hl.base import Empty, HLObject, is_hdf5
from ._hl.dataset import Dataset
from ._hl.datatype import Datatype
from ._hl.files import File, register_driver, registered_drivers, unregister_driver
from ._hl.group import ExternalLink, Group, HardLink, SoftLink
from ._hl.vds import VirtualLayout, VirtualSource
from ._selector import MultiBlockSlice
from .h5 import get_config
from .h5s import UNLIMITED
from .h5t import check_complex_dtype, complex_compat_dtype

__version__ = version.version

__all__ = [
    "AttributeManager",
    "Dataset",
    "Datatype",
    "Empty",
    "ExternalLink",
    "File",
    "Group",
    "HLObject",
    "HardLink",
    "MultiBlockSlice",
    "Reference",
    "RegionReference",
    "SoftLink",
    "UNLIMITED",
    "VirtualLayout",
    "VirtualSource",
    "check_complex_dtype",
    "check_dtype",
    "check_enum_dtype",
    "check_opaque_dtype",
    "check_ref_dtype",
    "check_string_dtype",
    "check_vlen_dtype",
    "complex_compat_dtype",
    "enable_ipython_completer",
    "enum_dtype",
    "filters",
    "get_config",
    "h5",
    "h5a",
    "h5d",
    "h5ds",
    "h5f",
    "h5fd",
    "h5g",
    "h5i",
    "h5l",
    "h5o",
    "h5p",
    "h5pl",
    "h5py_warnings",
    "h5r",
    "h5s",
    "h5t",
    "h5z",
    "is_hdf5",
    "opaque_dtype",
    "ref_dtype",
    "regionref_dtype",
    "register_driver",
    "registered_drivers",
    "run_tests",
    "special_dtype",
    "string_dtype",
    "unregister_driver",
    "version",
    "vlen_dtype",
]

_ = (_errors, _hl, _objects, _selector)  # h5py's private modules, reachable as attributes


def run_tests(args: str = "") -> int:
    """h5py's own test suite runs against this facade with h5pure's runner
    (``tests/h5py_suite`` in h5pure's repository), not from here."""
    raise NotImplementedError(
        "h5py.run_tests is not provided by h5pure's h5py facade: run h5pure's "
        "tests/h5py_suite runner instead"
    )


def enable_ipython_completer() -> Any:
    """h5py's IPython completer is not provided (IPython completes h5pure's groups
    through their ``keys()``)."""
    raise NotImplementedError(
        "h5py.enable_ipython_completer is not provided by h5pure's h5py facade"
    )
