"""h5py's ``h5r``: object and region references (h5pure's reference values)."""

from __future__ import annotations

from typing import Any

from ..dtypes import Reference, RegionReference
from ._ids import module_getattr
from ._objects import phil, with_phil
from ._wrap import hl_object, object_id, text

__all__ = [
    "Reference",
    "RegionReference",
    "create",
    "dereference",
    "get_name",
    "get_obj_type",
    "phil",
    "with_phil",
]

__getattr__ = module_getattr(globals())

OBJECT = 0
DATASET_REGION = 1

_TYPE_CODE = {"group": 0, "dataset": 1, "datatype": 2}


def create(loc: Any, name: Any, ref_type: int, space: Any = None) -> Reference:
    """A reference to the object ``name`` of ``loc`` (``DATASET_REGION``: to the part of
    that dataset ``space`` selects)."""
    base = hl_object(loc, "location")
    path = text(name)
    # "." is the location itself, which may be a dataset (libhdf5 resolves names from
    # any object's location)
    obj = base if path == "." else base[path] if hasattr(base, "keys") else base.file[path]
    if int(ref_type) == OBJECT:
        return obj.ref  # type: ignore[no-any-return]
    if space is None:
        raise ValueError("Dataspace required for region reference")
    return obj.regionref[space.index()]  # type: ignore[no-any-return]


def dereference(ref: Any, id: Any) -> Any:  # noqa: A002 - h5py's name
    """The identifier of the object ``ref`` points to (in the file of ``id``); None for a
    null reference."""
    if not ref:
        return None
    return object_id(hl_object(id, "location").file[ref])


def get_name(ref: Any, loc: Any) -> bytes | None:
    """The path of the object ``ref`` points to (in the file of ``loc``), as bytes; None
    when no link names it."""
    name = hl_object(loc, "location").file[ref].name
    return None if name is None else name.encode("utf-8", "surrogateescape")


def get_obj_type(ref: Any, id: Any) -> int:  # noqa: A002 - h5py's name
    """``h5o.TYPE_GROUP``, ``TYPE_DATASET`` or ``TYPE_NAMED_DATATYPE``."""
    return _TYPE_CODE[hl_object(id, "location").file[ref].kind]
