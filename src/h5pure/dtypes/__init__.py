"""HDF5 datatypes <-> numpy dtypes, h5py's special dtypes and references.

- :func:`numpy_dtype` maps a :class:`~h5pure.format.messages.datatype.Datatype` record to
  the dtype h5py reports for it; :func:`storage_dtype` gives the dtype of the on-disk
  bytes; :func:`to_memory` converts arrays of storage dtype to memory values.
- :class:`Reference`, :class:`RegionReference`: reference values.
- h5py's helpers: :func:`string_dtype`, :func:`vlen_dtype`, :func:`enum_dtype`, ...
"""

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
