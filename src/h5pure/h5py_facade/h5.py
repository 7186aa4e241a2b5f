"""h5py's ``h5`` module: ``get_config()`` and the library version.

The configuration reports what h5pure supports: no MPI build of libhdf5 (``mpi`` False;
h5pure's own ``driver="mpio"`` needs none), no ROS3 or direct VFD, h5py's default names
for booleans and complex members.  ``complex_names`` may be set (the member names complex
numbers are written as and read from); other options that would change what h5pure
writes are read-only here: assigning a value other than the default raises, rather than
being ignored (give ``track_order=`` to ``File``/``create_group`` instead).
"""

from __future__ import annotations

from typing import Any

from ..drivers.mpio import mpi_available
from ._ids import module_getattr
from ._objects import phil, with_phil
from .h5py_warnings import H5pyDeprecationWarning
from .version import hdf5_version_tuple

__all__ = ["H5PYConfig", "get_config", "get_libversion", "phil", "with_phil"]

__getattr__ = module_getattr(globals())

ITER_INC = 0
ITER_DEC = 1
ITER_NATIVE = 2
INDEX_NAME = 0
INDEX_CRT_ORDER = 1

_FIXED: dict[str, Any] = {
    "track_order": False,
    "bool_names": (b"FALSE", b"TRUE"),
}
"""Settings h5pure's writers do not read: only their defaults are accepted."""


class H5PYConfig:
    """h5py's global configuration object (``h5py.get_config()``)."""

    API_16 = None
    API_18 = None
    ros3 = False
    direct_vfd = False
    has_native_complex = True
    default_file_mode = "r"
    swmr_min_hdf5_version = (1, 9, 178)
    vds_min_hdf5_version = (1, 9, 233)

    @property
    def mpi(self) -> bool:
        """Whether ``driver="mpio"`` is available (mpi4py imports)."""
        return mpi_available()

    def __getattr__(self, name: str) -> Any:
        if name in _FIXED:
            return _FIXED[name]
        if name == "complex_names":
            from ..dtypes import mapping

            return mapping.COMPLEX_NAMES
        if name in ("_r_name", "_i_name"):  # h5py's encoded complex member names
            return self.complex_names[name == "_i_name"].encode()
        if name in ("_f_name", "_t_name"):  # and boolean enum names
            return _FIXED["bool_names"][name == "_t_name"]
        raise AttributeError(f"'H5PYConfig' object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "complex_names":
            # the member names complex numbers are written as and read back from
            from ..dtypes import mapping
            from ..hl import attrs

            mapping.set_complex_names(value)  # TypeError unless two names
            attrs._PLANS.clear()
            return
        if name in _FIXED:
            if value != _FIXED[name]:
                raise NotImplementedError(
                    f"h5py.get_config().{name} = {value!r}: h5pure's h5py facade supports "
                    f"only the default, {_FIXED[name]!r}"
                )
            return
        if name == "default_file_mode":
            if value != "r":
                raise ValueError("Using default_file_mode other than 'r' is no longer supported")
            return
        raise AttributeError(f"'H5PYConfig' object attribute {name!r} is read-only")


_CONFIG = H5PYConfig()

H5pyDeprecationWarning = H5pyDeprecationWarning


def get_config() -> H5PYConfig:
    """h5py's global configuration object."""
    return _CONFIG


def get_libversion() -> tuple[int, int, int]:
    """The libhdf5 version whose file format h5pure implements."""
    return tuple(hdf5_version_tuple)  # type: ignore[return-value]
