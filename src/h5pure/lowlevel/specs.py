"""What the API layer asks the write session to create, in h5py's terms.

The API layer (``hl``) checks and normalises h5py's arguments and fills one of these
records; the write session (:mod:`.session`) turns it into header messages, heaps and
raw data.  Nothing here is an on-disk record: numpy dtypes, shapes and values only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..filters import FilterArgs
from ..format.selection_codec import SerializedSelection

NO_FILTERS = FilterArgs(None, None, False, False, None)


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset to create (``Group.create_dataset``)."""

    shape: tuple[int, ...] | None
    """None: a null dataspace (``h5py.Empty``); () a scalar."""
    dtype: np.dtype
    maxshape: tuple[int | None, ...] | None = None
    """None: the shape (fixed size); None entries are unlimited."""
    chunks: tuple[int, ...] | None = None
    """The chunk shape (chunked layout), or None for contiguous (or compact) storage."""
    compact: bool = False
    """The compact layout: the raw data inside the layout message of the object header
    (libhdf5's ``H5D_COMPACT``; h5py reaches it only through a dataset creation property
    list).  Needs ``chunks`` None, no filters, no external storage and a fixed size."""
    filters: FilterArgs = NO_FILTERS
    """h5py's filter keywords, normalised (``filters.normalize_filter_args``)."""
    fillvalue: Any = None
    """The user's fill value (None: the type's default, zeros)."""
    fill_time: int | None = None
    """0 on allocation, 1 never, 2 if set (None: libhdf5's choice for the type)."""
    track_times: bool = False
    track_order: bool = False
    committed_type: int | None = None
    """Object header address of a committed datatype of this file to use."""
    datatype: Any = None
    """An HDF5 datatype record to store as it is (h5py's ``dtype=Datatype(type_id)``),
    else None: the one h5py maps ``dtype`` to."""
    external: tuple[tuple[bytes, int, int], ...] | None = None
    """External raw storage: (file name, offset, size) slots."""
    initial: np.ndarray | None = None
    """Values (of ``dtype``, shaped ``shape``) to store at creation when the layout allows
    it (contiguous plain numbers): see :meth:`WriteSession.create_dataset`."""
    pipeline: tuple[Any, ...] | None = None
    """A stored filter pipeline (``FilterInfo`` records) to keep as it is -- a copy of a
    dataset, whose chunks are then copied as stored -- else None: built from ``filters``."""


@dataclass(frozen=True)
class VirtualSourceSpec:
    """One mapping of a virtual dataset: the k-th selected element of the virtual
    selection is the k-th of the source selection."""

    file_name: str
    """The source file ("." for the virtual dataset's own file)."""
    dataset_name: str
    source_selection: SerializedSelection
    virtual_selection: SerializedSelection


@dataclass(frozen=True)
class VirtualSpec:
    """A virtual dataset to create (``Group.create_virtual_dataset``)."""

    shape: tuple[int, ...]
    maxshape: tuple[int | None, ...]
    dtype: np.dtype
    sources: tuple[VirtualSourceSpec, ...]
    fillvalue: Any = None


@dataclass(frozen=True)
class AttributeSpec:
    """An attribute to create or replace (``obj.attrs.create``)."""

    name: str
    dtype: np.dtype
    value: np.ndarray | None
    """The values (of ``dtype``, shaped as the attribute); None: an empty attribute
    (``h5py.Empty``, a null dataspace)."""
    committed_type: int | None = None
    """Object header address of a committed datatype of this file the value is of."""
    datatype: Any = None
    """An HDF5 datatype record to store as it is, else None: ``dtype``'s."""
    text: bytes | None = None
    """A scalar NUL-terminated ASCII string of ``len(text) + 1`` bytes, as the dimension
    scale library writes ``CLASS`` and ``NAME`` (``dtype`` and ``value`` are ignored)."""
