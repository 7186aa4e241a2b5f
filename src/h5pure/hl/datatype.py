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
    """A datatype stored in the file under a name (``f["t"] = np.dtype(...)`` in h5py);
    or, built from a transient type identifier (``h5py.Datatype(h5py.h5t.STD_B16LE)``), an
    HDF5 type to give ``dtype=`` of ``create_dataset`` and ``attrs.create`` as it is."""

    kind = "datatype"
    _record: Any = None
    """The HDF5 datatype of a transient type (no file, no name), else None."""

    def __init__(self, file: Any, info: Any = None, name: str | None = None) -> None:
        record = getattr(file, "record", None) if info is None else None
        committed = getattr(file, "_committed", None)
        if record is not None and committed is None:
            self._record = record  # a transient type: not an object of a file
            self._bound = file
            return
        super().__init__(committed.id if committed is not None else file, info, name)

    @property
    def id(self) -> Any:
        """The type's identifier (h5py's ``TypeID``)."""
        if self._record is not None:
            return self._bound  # the transient type's identifier
        return TypeID(self)

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype of the committed (named) type."""
        if self._record is not None:
            return numpy_dtype(self._record)
        if not self._file._is_open:
            raise ClosedDatatypeError("Not a datatype (not a datatype)")
        return numpy_dtype(self._info.datatype())

    def __repr__(self) -> str:
        if self._record is not None:
            return f"<HDF5 datatype (transient) (dtype {self.dtype.str})>"
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
