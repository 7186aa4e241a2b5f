"""The h5py-compatible high-level API."""

from .attrs import AttributeManager
from .base import HLObject
from .dataset import Dataset
from .datatype import Datatype
from .files import File, is_hdf5
from .group import Group
from .values import Empty, ExternalLink, HardLink, SoftLink
from .virtual import VirtualLayout, VirtualSource

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
