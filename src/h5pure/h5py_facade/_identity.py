"""What installing changes on h5pure's own classes: the two tables
:func:`~h5pure.h5py_facade._install.install_as_h5py` applies.

:data:`IDENTITY` gives h5pure's implementations of h5py's classes the module and name h5py
gives them, so ``type(obj).__module__`` and ``repr(type(obj))`` read as h5py's (clients
dispatch on ``__module__.startswith("h5py.")``) and pickles refer to ``h5py.*``.

:data:`EXTENSIONS` routes ``obj.id`` (and h5py's ``obj._id`` and ``attrs._id``) to the
facade's identifiers, which extend h5pure's ``.id`` classes with h5py's low-level calls,
and makes ``attrs.get_id`` return an ``h5a.AttrID``.  Without installing, h5pure's
objects keep their own ``.id``.
"""

from __future__ import annotations

from typing import Any

from ..dtypes import Reference, RegionReference
from ..hl import (
    AttributeManager,
    Dataset,
    Datatype,
    Empty,
    ExternalLink,
    File,
    Group,
    HardLink,
    HLObject,
    SoftLink,
    VirtualLayout,
    VirtualSource,
)
from ..hl.dataset import AsStrWrapper, AstypeWrapper, DatasetView, FieldsWrapper
from ..hl.dims import DimensionManager, DimensionProxy
from ..hl.ids import ObjectID
from ..hl.values import ItemsViewHDF5, KeysViewHDF5, ValuesViewHDF5
from ..lowlevel.virtual import VDSmap
from ..selection import MultiBlockSlice
from ._wrap import object_id, text
from .h5a import AttrID

IDENTITY: dict[type, tuple[str, str]] = {
    HLObject: ("h5py._hl.base", "HLObject"),
    Empty: ("h5py._hl.base", "Empty"),
    KeysViewHDF5: ("h5py._hl.base", "KeysViewHDF5"),
    ValuesViewHDF5: ("h5py._hl.base", "ValuesViewHDF5"),
    ItemsViewHDF5: ("h5py._hl.base", "ItemsViewHDF5"),
    File: ("h5py._hl.files", "File"),
    Group: ("h5py._hl.group", "Group"),
    SoftLink: ("h5py._hl.group", "SoftLink"),
    ExternalLink: ("h5py._hl.group", "ExternalLink"),
    HardLink: ("h5py._hl.group", "HardLink"),
    Dataset: ("h5py._hl.dataset", "Dataset"),
    DatasetView: ("h5py._hl.dataset", "AbstractView"),
    AstypeWrapper: ("h5py._hl.dataset", "AsTypeView"),
    AsStrWrapper: ("h5py._hl.dataset", "AsStrView"),
    FieldsWrapper: ("h5py._hl.dataset", "FieldsView"),
    Datatype: ("h5py._hl.datatype", "Datatype"),
    AttributeManager: ("h5py._hl.attrs", "AttributeManager"),
    DimensionManager: ("h5py._hl.dims", "DimensionManager"),
    DimensionProxy: ("h5py._hl.dims", "DimensionProxy"),
    VirtualLayout: ("h5py._hl.vds", "VirtualLayout"),
    VirtualSource: ("h5py._hl.vds", "VirtualSource"),
    VDSmap: ("h5py._hl.vds", "VDSmap"),
    Reference: ("h5py.h5r", "Reference"),
    RegionReference: ("h5py.h5r", "RegionReference"),
    ObjectID: ("h5py._objects", "ObjectID"),
    MultiBlockSlice: ("h5py._selector", "MultiBlockSlice"),
}
"""h5pure class -> (h5py module, h5py class name)."""


def _object_id(self: Any) -> Any:
    """``obj.id``: the facade identifier of the object."""
    return object_id(self)


def _attrs_id(self: AttributeManager) -> Any:
    """``attrs._id``: the identifier of the object the attributes belong to."""
    return object_id(self._parent)


def _attrs_get_id(self: AttributeManager, name: Any) -> AttrID:
    """``attrs.get_id(name)``: the attribute as an ``h5a.AttrID``."""
    return AttrID(self._parent, text(name))


_ID = property(_object_id)

EXTENSIONS: list[tuple[type, str, Any]] = [
    (HLObject, "id", _ID),
    (HLObject, "_id", _ID),
    (File, "id", _ID),
    (Dataset, "id", _ID),
    (Datatype, "id", _ID),
    (AttributeManager, "_id", property(_attrs_id)),
    (AttributeManager, "get_id", _attrs_get_id),
]
"""(h5pure class, attribute, value) set on install."""
