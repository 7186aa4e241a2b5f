"""Committed (named) datatypes."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import check_ref_dtype, numpy_dtype
from ..errors import ClosedDatatypeError, ImmutableDatatypeError
from ..format.messages import MessageType
from .base import HLObject

_COMMITTED_FLAGS = 0x05
"""Constant + do-not-share: the flags ``H5T__commit`` gives a committed type's message."""


class Datatype(HLObject):
    """A datatype stored in the file under a name (``f["t"] = np.dtype(...)`` in h5py)."""

    @property
    def dtype(self) -> np.dtype:
        if not self._file._is_open:
            raise ClosedDatatypeError("Not a datatype (not a datatype)")
        return numpy_dtype(self._info.first(MessageType.DATATYPE))

    def __repr__(self) -> str:
        if not self._file._is_open:
            return "<Closed HDF5 named type>"
        name = self.name
        label = '("anonymous")' if name is None else f'"{name.rsplit("/", 1)[-1]}"'
        return f"<HDF5 named type {label} (dtype {self.dtype.str})>"


def commit_datatype(group: Any, name: str, dtype: np.dtype) -> Datatype:
    """Store ``dtype`` as a named datatype at ``group/name`` (h5py's ``g[name] = dtype``)."""
    from ..dtypes import datatype_for
    from ..format.messages.datatype import encode_datatype
    from ..lowlevel.links import LinkEntry
    from ..lowlevel.model import MessageSlot
    from .group import _join, _writer

    writer = _writer(group, "commit datatype")
    if dtype.names is None and check_ref_dtype(dtype) is not None:
        # libhdf5's reference types are predefined (immutable): they cannot be committed
        raise ImmutableDatatypeError(
            "Unable to commit datatype synchronously (datatype is immutable)"
        )
    body = encode_datatype(datatype_for(dtype, libver_low=writer.versions.low))
    with writer.lock:
        model = writer.new_object([MessageSlot(MessageType.DATATYPE, body, _COMMITTED_FLAGS)])
        writer.add_link(group._info.address, LinkEntry(name, "hard", address=model.address))
    return group.file._object(model.address, _join(group.name, name))  # type: ignore[no-any-return]
