"""h5py's ``_hl.dataset``: datasets and their read views, under h5py 3.16's names."""

from ...hl import Dataset
from ...hl.dataset import AsStrWrapper, AstypeWrapper, DatasetView, FieldsWrapper
from ...hl.values import array_for_new_object
from ...lowlevel.virtual import VDSmap
from .._ids import module_getattr
from .._objects import phil, with_phil

__all__ = [
    "AbstractView",
    "AsStrView",
    "AsTypeView",
    "Dataset",
    "FieldsView",
    "VDSmap",
    "array_for_new_object",
    "phil",
    "with_phil",
]

__getattr__ = module_getattr(globals())

_LEGACY_GZIP_COMPRESSION_VALS = frozenset(range(10))
"""``compression=0..9``: h5py's legacy spelling of gzip levels."""

AbstractView = DatasetView
AsTypeView = AstypeWrapper
"""``dset.astype(dtype)``."""
AsStrView = AsStrWrapper
"""``dset.asstr()``."""
FieldsView = FieldsWrapper
"""``dset.fields(names)``."""
