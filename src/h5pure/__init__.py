"""h5pure: HDF5 in pure Python, through the h5py API.

``import h5pure as h5py`` runs h5py code that reads HDF5 files.
"""

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
    SoftLink,
)

__version__ = "0.1.0"
version = __version__

__all__ = [
    "AttributeManager",
    "Dataset",
    "Datatype",
    "Empty",
    "ExternalLink",
    "File",
    "Group",
    "HardLink",
    "Reference",
    "RegionReference",
    "SoftLink",
    "check_dtype",
    "check_enum_dtype",
    "check_opaque_dtype",
    "check_ref_dtype",
    "check_string_dtype",
    "check_vlen_dtype",
    "enum_dtype",
    "opaque_dtype",
    "ref_dtype",
    "regionref_dtype",
    "special_dtype",
    "string_dtype",
    "vlen_dtype",
    "version",
]
