"""h5pure: HDF5 in pure Python, through the h5py API.

``import h5pure as h5py`` runs h5py code that reads HDF5 files.
"""

from typing import TYPE_CHECKING, Any

from . import version

if TYPE_CHECKING:  # the names below are loaded on first use (see __getattr__)
    from .dtypes import (
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
    from .hl import (
        AttributeManager,
        Dataset,
        Datatype,
        Empty,
        ExternalLink,
        File,
        Group,
        HardLink,
        HLObject,
        SoftLink,
        VirtualLayout,
        VirtualSource,
        is_hdf5,
    )
    from .lowlevel.threads import get_threads, set_threads
    from .selection import MultiBlockSlice

_LAZY = {
    **dict.fromkeys(
        (
            "Reference RegionReference check_dtype check_enum_dtype check_opaque_dtype "
            "check_ref_dtype check_string_dtype check_vlen_dtype enum_dtype opaque_dtype "
            "ref_dtype regionref_dtype special_dtype string_dtype vlen_dtype"
        ).split(),
        "dtypes",
    ),
    **dict.fromkeys(
        (
            "AttributeManager Dataset Datatype Empty ExternalLink File Group HardLink HLObject "
            "SoftLink VirtualLayout VirtualSource is_hdf5"
        ).split(),
        "hl",
    ),
    "get_threads": "lowlevel.threads",
    "set_threads": "lowlevel.threads",
    "MultiBlockSlice": "selection",
}
"""Public name -> the submodule that defines it.  ``import h5pure`` loads none of them:
the engine (and numpy) are imported when a name is first used, so a program pays only for
what it touches -- and a command such as ``h5pure --help`` starts at once."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'h5pure' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = version.version

UNLIMITED = 2**64 - 1
"""libhdf5's ``H5S_UNLIMITED``, as ``h5py.UNLIMITED``."""

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
    "check_dtype",
    "check_enum_dtype",
    "check_opaque_dtype",
    "check_ref_dtype",
    "check_string_dtype",
    "check_vlen_dtype",
    "enum_dtype",
    "get_config",
    "get_threads",
    "install_as_h5py",
    "is_hdf5",
    "opaque_dtype",
    "ref_dtype",
    "regionref_dtype",
    "set_threads",
    "special_dtype",
    "string_dtype",
    "vlen_dtype",
    "version",
]


def install_as_h5py() -> None:
    """Make ``import h5py`` -- here and in every library -- return h5pure's h5py facade
    (:mod:`h5pure.h5py_facade`); see :func:`h5pure.h5py_facade._install.install_as_h5py`.
    Call it before anything imports h5py."""
    # imported here: the facade is the top layer, loaded only by those who install it
    from .h5py_facade._install import install_as_h5py as install

    install()


def get_config() -> Any:
    """h5py's configuration object (``h5py.get_config()``): ``get_config().mpi`` is true
    when ``driver="mpio"`` is available (mpi4py imports)."""
    from .h5py_facade.h5 import get_config as config

    return config()
