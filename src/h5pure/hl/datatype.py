"""Committed (named) datatypes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..dtypes import check_ref_dtype, numpy_dtype
from ..errors import ClosedDatatypeError, ImmutableDatatypeError
from ..lowlevel.paths import join
from .base import HLObject
from .ids import TypeID

if TYPE_CHECKING:
    from .group import Group


class Datatype(HLObject):
    """A datatype stored in the file under a name (``f["t"] = np.dtype(...)`` in h5py)."""

    kind = "datatype"

    @property
    def id(self) -> TypeID:
        return TypeID(self._file._state, self._info.address)

    @property
    def dtype(self) -> np.dtype:
        if not self._file._is_open:
            raise ClosedDatatypeError("Not a datatype (not a datatype)")
        return numpy_dtype(self._info.datatype())

    def __repr__(self) -> str:
        if not self._file._is_open:
            return "<Closed HDF5 named type>"
        name = self.name
        label = '("anonymous")' if name is None else f'"{name.rsplit("/", 1)[-1]}"'
        return f"<HDF5 named type {label} (dtype {self.dtype.str})>"


def commit_datatype(group: Group, name: str, dtype: np.dtype) -> Any:
    """Store ``dtype`` as a named datatype at ``group/name`` (h5py's ``g[name] = dtype``)."""
    writer = group._session("commit datatype")
    if dtype.names is None and check_ref_dtype(dtype) is not None:
        # libhdf5's reference types are predefined (immutable): they cannot be committed
        raise ImmutableDatatypeError(
            "Unable to commit datatype synchronously (datatype is immutable)"
        )
    address = writer.commit_datatype(group._info.address, name, dtype)
    return group.file._object(address, join(group.name, name))
