"""h5py's ``h5i``: identifier types."""

from __future__ import annotations

from typing import Any

from . import h5a, h5d, h5f, h5g, h5p, h5s, h5t
from ._ids import module_getattr

__getattr__ = module_getattr(globals())

BADID = -1
INVALID_HID = -1
FILE = 1
GROUP = 2
DATATYPE = 3
DATASPACE = 4
DATASET = 5
ATTR = 7
GENPROP_CLS = 10
GENPROP_LST = 11


def get_type(obj: Any) -> int:
    """The kind of identifier ``obj`` is (``FILE``, ``GROUP``, ``DATASET``...)."""
    for cls, kind in (
        (h5f.FileID, FILE),
        (h5g.GroupID, GROUP),
        (h5d.DatasetID, DATASET),
        (h5t.TypeID, DATATYPE),
        (h5s.SpaceID, DATASPACE),
        (h5a.AttrID, ATTR),
        (h5p.PropClassID, GENPROP_CLS),
        (h5p.PropID, GENPROP_LST),
    ):
        if isinstance(obj, cls):
            return kind
    return BADID


def get_name(obj: Any) -> bytes | None:
    """The path of the object ``obj`` names (None when it has none)."""
    name = getattr(getattr(obj, "_obj", None), "name", None)
    return None if name is None else name.encode("utf-8", "surrogateescape")


def get_file_id(obj: Any) -> Any:
    """The file identifier of the object ``obj`` names."""
    return obj._obj.file.id
