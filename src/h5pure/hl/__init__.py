"""The h5py-compatible high-level API."""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below are loaded on first use (see __getattr__)
    from .attrs import AttributeManager
    from .base import HLObject
    from .dataset import Dataset
    from .datatype import Datatype
    from .files import File, is_hdf5
    from .group import Group
    from .values import Empty, ExternalLink, HardLink, SoftLink
    from .virtual import VirtualLayout, VirtualSource

_LAZY = {
    "AttributeManager": "attrs",
    "HLObject": "base",
    "Dataset": "dataset",
    "Datatype": "datatype",
    "File": "files",
    "is_hdf5": "files",
    "Group": "group",
    "Empty": "values",
    "ExternalLink": "values",
    "HardLink": "values",
    "SoftLink": "values",
    "VirtualLayout": "virtual",
    "VirtualSource": "virtual",
}
"""Public name -> the module that defines it, imported on first use: opening a file for
reading does not load the writer's modules (attributes, copying, virtual layouts)."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AttributeManager",
    "Dataset",
    "Datatype",
    "Empty",
    "ExternalLink",
    "File",
    "Group",
    "HLObject",
    "HardLink",
    "SoftLink",
    "VirtualLayout",
    "VirtualSource",
    "is_hdf5",
]
