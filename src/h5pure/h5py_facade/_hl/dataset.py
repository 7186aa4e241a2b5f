"""h5py's ``_hl.dataset``: datasets and their read views, under h5py 3.16's names."""

import sys
import types
from typing import Any

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


class _Module(types.ModuleType):
    """This module: setting ``_LEGACY_GZIP_COMPRESSION_VALS`` (as h5py's own tests do to
    pass filter ids 0-9 as ``compression``) changes what ``create_dataset`` takes as a
    legacy gzip level."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "_LEGACY_GZIP_COMPRESSION_VALS":
            from ...filters import keywords

            keywords.LEGACY_GZIP = frozenset(value)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Module

AbstractView = DatasetView
AsTypeView = AstypeWrapper
"""``dset.astype(dtype)``."""
AsStrView = AsStrWrapper
"""``dset.asstr()``."""
FieldsView = FieldsWrapper
"""``dset.fields(names)``."""
