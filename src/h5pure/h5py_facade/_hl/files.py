"""h5py's ``_hl.files``: ``File`` and the driver registry."""

from __future__ import annotations

from typing import Any

from ...drivers.base import registered_drivers as _h5pure_drivers
from ...hl import File
from .._ids import module_getattr
from ..version import hdf5_version

__all__ = [
    "File",
    "direct_vfd",
    "hdf5_version",
    "libver_dict",
    "libver_dict_r",
    "mpi",
    "register_driver",
    "registered_drivers",
    "ros3",
    "unregister_driver",
]

__getattr__ = module_getattr(globals())

mpi = False
"""No MPI build of libhdf5 (h5pure's ``driver="mpio"`` needs none)."""
ros3 = False
direct_vfd = False

libver_dict = {"earliest": 0, "v108": 1, "v110": 2, "v112": 3, "v114": 4, "v200": 5, "latest": 5}
"""h5py's ``libver`` names -> ``h5f.LIBVER_*``."""
libver_dict_r = {v: k for k, v in libver_dict.items() if k != "latest"}
libver_dict_r[5] = "v200"


def _set_fapl(driver: str) -> Any:
    def set_fapl(plist: Any, **kwds: Any) -> None:
        getattr(plist, f"set_fapl_{driver}")(**kwds)

    set_fapl.__name__ = f"set_fapl_{driver}"
    return set_fapl


_drivers = {name: _set_fapl(name) for name in ("sec2", "stdio", "core", "family")}
"""h5py's table of driver name -> function configuring a file access property list."""


def registered_drivers() -> frozenset[str]:
    """The names ``File(driver=...)`` accepts."""
    return frozenset(_h5pure_drivers())


def register_driver(name: str, set_fapl: Any) -> None:
    """h5py's hook for drivers configured through a libhdf5 property list: h5pure's
    drivers are Python classes (``h5pure.drivers.register_driver``), so this raises."""
    raise NotImplementedError(
        "h5py.register_driver is not provided by h5pure's h5py facade: drivers are "
        "h5pure.drivers.Driver subclasses registered with h5pure.drivers.base.register_driver"
    )


def unregister_driver(name: str) -> None:
    """See :func:`register_driver`: not provided."""
    raise NotImplementedError("h5py.unregister_driver is not provided by h5pure's h5py facade")
