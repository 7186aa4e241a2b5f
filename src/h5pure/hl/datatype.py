"""Committed (named) datatypes."""

from __future__ import annotations

import numpy as np

from ..dtypes import numpy_dtype
from ..format.messages import MessageType
from .base import HLObject


class Datatype(HLObject):
    """A datatype stored in the file under a name (``f["t"] = np.dtype(...)`` in h5py)."""

    @property
    def dtype(self) -> np.dtype:
        return numpy_dtype(self._info.first(MessageType.DATATYPE))

    def __repr__(self) -> str:
        if not self._file._is_open:
            return "<Closed HDF5 named type>"
        name = self.name
        label = '("anonymous")' if name is None else f'"{name.rsplit("/", 1)[-1]}"'
        return f"<HDF5 named type {label} (dtype {self.dtype.str})>"
