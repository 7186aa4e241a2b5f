"""h5py's ``h5a``: attribute identifiers, and attributes made and read through them.

Every call maps onto the object's ``attrs`` (h5pure's :class:`~h5pure.hl.AttributeManager`):
``create`` makes the attribute with the type and dataspace given (its elements the type's
zero, or empty strings and sequences), ``AttrID.write`` replaces its values in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ..dtypes import check_vlen_dtype
from ..hl import Empty
from ..hl.attrs import AttrID as _HLAttrID
from ..hl.attrs import attribute_value
from ._ids import FacadeID, module_getattr
from ._objects import phil, with_phil
from ._wrap import hl_object, space_of, text
from .h5s import NULL, SCALAR, SpaceID
from .h5t import TypeID, typewrap

__all__ = [
    "AttrID",
    "AttrInfo",
    "create",
    "delete",
    "exists",
    "get_info",
    "get_num_attrs",
    "iterate",
    "open",
    "phil",
    "rename",
    "with_phil",
]

__getattr__ = module_getattr(globals())


class AttrInfo(NamedTuple):
    """What ``get_info`` reports of an attribute."""

    corder_valid: bool
    corder: int
    cset: int
    data_size: int


class AttrID(FacadeID, _HLAttrID):
    """One attribute of an object (h5py's ``h5a.AttrID``)."""

    def __init__(self, parent: Any, name: str) -> None:
        self._parent = parent
        self._attr_name = name
        _HLAttrID.__init__(self, parent.attrs._entry(name))

    def _alive(self) -> bool:
        return bool(self._parent._file._is_open)

    def _refresh(self) -> None:
        _HLAttrID.__init__(self, self._parent.attrs._entry(self._attr_name))

    def get_name(self) -> bytes:
        """The attribute's name, as bytes."""
        return self.name

    def get_type(self) -> TypeID:
        """The attribute's datatype, as a transient ``TypeID`` (never reported as
        committed, even when the attribute uses a committed type)."""
        return typewrap(self.datatype)

    def get_space(self) -> SpaceID:
        """A copy of the attribute's dataspace (scalar, simple or null)."""
        return space_of(self.dataspace)

    def read(self, arr: np.ndarray, mtype: Any = None) -> None:
        """Read the attribute's values into ``arr`` (converted to its dtype)."""
        value = attribute_value(self._parent._fs, self._entry)
        if isinstance(value, Empty):
            raise OSError("Empty attributes can't be read")
        arr[...] = np.asarray(value).astype(arr.dtype, copy=False).reshape(arr.shape)

    def write(self, arr: Any, mtype: Any = None) -> None:
        """Replace the attribute's values with ``arr`` (its type and shape stay)."""
        if self.dataspace.kind == "null":
            raise OSError("Empty attributes can't be written")
        shape = self.shape or ()
        self._parent.attrs.modify(self._attr_name, np.asarray(arr).reshape(shape))
        self._refresh()

    @property
    def fileno(self) -> Any:
        """What identifies the file holding the attribute (as the object's ``id.fileno``)."""
        return self._parent.id.fileno


def _blank(dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    """Values an attribute holds before it is written: zeros, empty strings or sequences."""
    arr = np.zeros(shape, dtype=dtype)
    if dtype.kind == "O":
        base = check_vlen_dtype(dtype)
        empty: Any = "" if base is str else b"" if base is bytes else np.zeros(0, dtype=base)
        for i in np.ndindex(shape):
            arr[i] = empty
    return arr


def create(
    loc: Any, name: Any, tid: Any, space: Any, *, obj_name: Any = None, lapl: Any = None
) -> AttrID:
    """A new attribute ``name`` of the object ``loc`` (or of ``obj_name`` below it) of
    type ``tid`` and dataspace ``space``."""
    obj = hl_object(loc, "object")
    if obj_name not in (None, b".", "."):
        obj = obj[text(obj_name)]
    key = text(name)
    if key in obj.attrs:
        raise ValueError(f"Unable to create attribute (attribute {key!r} already exists)")
    dtype = tid.dtype if isinstance(tid, TypeID) else np.dtype(tid)
    kind = space.get_simple_extent_type()
    if kind == NULL:
        obj.attrs.create(key, Empty(dtype), dtype=dtype)
    else:
        shape = () if kind == SCALAR else space.get_simple_extent_dims()
        obj.attrs.create(key, _blank(dtype, shape), dtype=dtype)
    return AttrID(obj, key)


def open(
    loc: Any, name: Any = None, *, index: int | None = None, obj_name: Any = None, **kwds: Any
) -> AttrID:  # noqa: A001
    """The attribute ``name`` (or the ``index``-th) of the object ``loc``."""
    obj = hl_object(loc, "object")
    if obj_name not in (None, b".", "."):
        obj = obj[text(obj_name)]
    if name is None:
        if index is None:
            raise TypeError("One of name or index must be given")
        key = list(obj.attrs)[int(index)]
    else:
        key = text(name)
    if key not in obj.attrs:
        raise KeyError(f"Unable to synchronously open attribute (can't locate attribute: '{key}')")
    return AttrID(obj, key)


def exists(loc: Any, name: Any, *, obj_name: Any = None, lapl: Any = None) -> bool:
    """Whether the object ``loc`` (or ``obj_name`` below it) has an attribute ``name``
    (``lapl`` is accepted and ignored)."""
    obj = hl_object(loc, "object")
    if obj_name not in (None, b".", "."):
        obj = obj[text(obj_name)]
    return text(name) in obj.attrs


def delete(
    loc: Any, name: Any = None, *, index: int | None = None, obj_name: Any = None, **kwds: Any
) -> None:
    """Remove the attribute ``name`` (or the ``index``-th, in iteration order) of the object
    ``loc``; h5py's ``index_type``/``order`` keywords are accepted and ignored."""
    obj = hl_object(loc, "object")
    if obj_name not in (None, b".", "."):
        obj = obj[text(obj_name)]
    key = text(name) if name is not None else list(obj.attrs)[int(index or 0)]
    del obj.attrs[key]


def get_num_attrs(loc: Any) -> int:
    """The number of attributes of the object ``loc``."""
    return len(hl_object(loc, "object").attrs)


def get_info(
    loc: Any, name: Any = None, *, index: int | None = None, obj_name: Any = None, **kwds: Any
) -> AttrInfo:
    """Creation order, name encoding and stored data size of an attribute (by ``name`` or
    ``index``).  ``corder`` is the attribute's position in iteration order (libhdf5 gives
    the stored creation index, which differs once attributes were deleted), ``cset`` is
    UTF-8 exactly when the name is not ASCII."""
    attr = open(loc, name, index=index, obj_name=obj_name)
    key = attr._attr_name
    order = list(attr._parent.attrs).index(key)
    return AttrInfo(True, order, 0 if key.isascii() else 1, attr.get_storage_size())


def rename(loc: Any, name: Any, new_name: Any, *, obj_name: Any = None, lapl: Any = None) -> None:
    """Give the attribute ``name`` the name ``new_name`` (recreated under the new name:
    it moves to the end of the creation order)."""
    obj = hl_object(loc, "object")
    if obj_name not in (None, b".", "."):
        obj = obj[text(obj_name)]
    old, new = text(name), text(new_name)
    attr = AttrID(obj, old)
    obj.attrs.create(new, obj.attrs[old], dtype=attr.dtype)
    del obj.attrs[old]


def iterate(
    loc: Any,
    func: Callable[..., Any],
    index: int = 0,
    *,
    index_type: int = 0,
    order: int = 0,
    info: bool = False,
) -> Any:
    """Call ``func(name)`` (``func(name, info)`` with ``info``) for each attribute from
    ``index`` on, until it returns something other than None."""
    obj = hl_object(loc, "object")
    for key in list(obj.attrs)[int(index) :]:
        bname = key.encode("utf-8", "surrogateescape")
        found = func(bname, get_info(loc, bname)) if info else func(bname)
        if found is not None:
            return found
    return None
