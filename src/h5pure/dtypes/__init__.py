"""HDF5 datatypes <-> numpy dtypes, h5py's special dtypes and references.

- :func:`numpy_dtype` maps a :class:`~h5pure.format.messages.datatype.Datatype` record to
  the dtype h5py reports for it; :func:`storage_dtype` gives the dtype of the on-disk
  bytes; :func:`to_memory` converts arrays of storage dtype to memory values.
- :class:`Reference`, :class:`RegionReference`: reference values.
- h5py's helpers: :func:`string_dtype`, :func:`vlen_dtype`, :func:`enum_dtype`, ...
"""

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below are loaded on first use (see __getattr__)
    from .convert import decode_strings, needs_conversion, to_memory
    from .from_numpy import datatype_for, guess_dtype
    from .mapping import numpy_dtype, storage_dtype
    from .references import Reference, RegionReference
    from .special import (
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
        string_info,
        vlen_dtype,
    )
    from .to_storage import HeapWriter, fill_value_bytes, to_storage

_LAZY = {
    "decode_strings": "convert",
    "needs_conversion": "convert",
    "to_memory": "convert",
    "datatype_for": "from_numpy",
    "guess_dtype": "from_numpy",
    "numpy_dtype": "mapping",
    "storage_dtype": "mapping",
    "Reference": "references",
    "RegionReference": "references",
    "check_dtype": "special",
    "check_enum_dtype": "special",
    "check_opaque_dtype": "special",
    "check_ref_dtype": "special",
    "check_string_dtype": "special",
    "check_vlen_dtype": "special",
    "enum_dtype": "special",
    "opaque_dtype": "special",
    "ref_dtype": "special",
    "regionref_dtype": "special",
    "special_dtype": "special",
    "string_dtype": "special",
    "string_info": "special",
    "vlen_dtype": "special",
    "HeapWriter": "to_storage",
    "fill_value_bytes": "to_storage",
    "to_storage": "to_storage",
}
"""Public name -> the submodule that defines it, imported on first use: reading a file
loads the mapping of stored types, not the writer's conversions."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    loaded = importlib.import_module(f".{module}", __name__)
    # every name of that module at once: importing ``to_storage`` bound the package's
    # attribute of that name to the module, the function is meant
    for other, where in _LAZY.items():
        if where == module:
            globals()[other] = getattr(loaded, other)  # later lookups skip this function
    return globals()[name]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "HeapWriter",
    "Reference",
    "RegionReference",
    "check_dtype",
    "check_enum_dtype",
    "check_opaque_dtype",
    "check_ref_dtype",
    "check_string_dtype",
    "check_vlen_dtype",
    "datatype_for",
    "decode_strings",
    "enum_dtype",
    "fill_value_bytes",
    "guess_dtype",
    "needs_conversion",
    "numpy_dtype",
    "opaque_dtype",
    "ref_dtype",
    "regionref_dtype",
    "special_dtype",
    "storage_dtype",
    "string_dtype",
    "string_info",
    "to_memory",
    "to_storage",
    "vlen_dtype",
]


class _Package(types.ModuleType):
    """This package, keeping its public names: importing the submodule ``to_storage``
    (``import h5pure.dtypes.to_storage``, a pickle naming it) makes the import system set
    the package's attribute of that name to the module; the package's ``to_storage`` is
    the function of that module, as it was before the names were loaded lazily."""

    def __setattr__(self, name: str, value: Any) -> None:
        if (
            isinstance(value, types.ModuleType)
            and _LAZY.get(name) == name
            and value.__name__ == f"{__name__}.{name}"
            and hasattr(value, name)
        ):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
