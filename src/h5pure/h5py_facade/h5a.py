"""h5py's ``h5a``: attribute identifiers, and attributes made and read through them.

Every call maps onto the object's ``attrs`` (h5pure's :class:`~h5pure.hl.AttributeManager`):
``create`` makes the attribute with the type and dataspace given (its elements the type's
zero, or empty strings and sequences), ``AttrID.write`` replaces its values in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ..dtypes import Reference, check_vlen_dtype
from ..hl import Empty
from ..hl.attrs import AttrID as _HLAttrID
from ..hl.attrs import attribute_value
from ._attributes import (
    INDEX_NAME,
    ITER_INC,
    committed_type_address,
    ordered,
    stored_attributes,
)
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
        """The attribute's datatype: the committed type it uses (``committed()`` True),
        else a transient copy."""
        address = committed_type_address(self._parent, self._attr_name)
        committed = None if address is None else self._parent.file[Reference(address)]
        return typewrap(self.datatype, committed=committed)

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


def _target(loc: Any, obj_name: Any) -> Any:
    """The h5pure object ``loc`` names (or its member ``obj_name``)."""
    obj = hl_object(loc, "object")
    if obj_name not in (None, b".", "."):
        obj = obj[text(obj_name)]
    return obj


def _by_index(obj: Any, index: int, index_type: int, order: int) -> str | None:
    """The name of the ``index``-th attribute of ``obj`` in the order of ``index_type``
    and ``order``; None when there is no such attribute."""
    found = ordered(obj, index_type, order)
    return found[int(index)].name if int(index) < len(found) else None


def open(  # noqa: A001 - h5py's name
    loc: Any,
    name: Any = None,
    index: int = -1,
    *,
    obj_name: Any = None,
    index_type: int = INDEX_NAME,
    order: int = ITER_INC,
    lapl: Any = None,
) -> AttrID:
    """The attribute ``name`` (or the ``index``-th, in the order ``index_type`` and
    ``order`` give) of the object ``loc``; exactly one of ``name`` and ``index``."""
    if (name is None) == (index is None or int(index) < 0):
        raise TypeError("Exactly one of name or idx must be specified")
    obj = _target(loc, obj_name)
    if name is None:
        try:
            key = _by_index(obj, index, index_type, order)
        except ValueError as e:
            raise OSError(f"Unable to synchronously open attribute ({e})") from None
        if key is None:
            raise OSError("Unable to synchronously open attribute (invalid index specified)")
    else:
        key = text(name)
    if key not in obj.attrs:
        raise KeyError(f"Unable to synchronously open attribute (can't locate attribute: '{key}')")
    return AttrID(obj, key)


def exists(loc: Any, name: Any, *, obj_name: Any = None, lapl: Any = None) -> bool:
    """Whether the object ``loc`` (or ``obj_name`` below it) has an attribute ``name``
    (``lapl`` is accepted and ignored)."""
    return text(name) in _target(loc, obj_name).attrs


def delete(
    loc: Any,
    name: Any = None,
    index: int = -1,
    *,
    obj_name: Any = None,
    index_type: int = INDEX_NAME,
    order: int = ITER_INC,
    lapl: Any = None,
) -> None:
    """Remove the attribute ``name`` (or the ``index``-th, in the order ``index_type`` and
    ``order`` give) of the object ``loc``; exactly one of ``name`` and ``index`` must be
    given (TypeError otherwise, as h5py)."""
    if (name is None) == (index is None or int(index) < 0):
        raise TypeError("Exactly one of index or name must be specified.")
    obj = _target(loc, obj_name)
    if name is None:
        key = _by_index(obj, index, index_type, order)
        if key is None:
            raise KeyError("Unable to delete attribute (invalid index specified)")
    else:
        key = text(name)
    if key not in obj.attrs:
        raise KeyError("Unable to delete attribute (can't locate attribute)")
    del obj.attrs[key]


def get_num_attrs(loc: Any) -> int:
    """The number of attributes of the object ``loc``."""
    return len(hl_object(loc, "object").attrs)


def get_info(
    loc: Any,
    name: Any = None,
    index: int = -1,
    *,
    obj_name: Any = None,
    index_type: int = INDEX_NAME,
    order: int = ITER_INC,
    lapl: Any = None,
) -> AttrInfo:
    """Creation index, name encoding and stored data size of the attribute ``loc`` (an
    ``AttrID``), or of the attribute ``name`` (or the ``index``-th) of the object ``loc``.
    ``corder`` is libhdf5's creation index: the stored one when the object tracks creation
    order, else the attribute message's position in the object header (``corder_valid``
    False for dense attributes of such an object); ``cset`` is UTF-8 exactly when the name
    is not ASCII."""
    given = index is not None and int(index) >= 0
    if name is not None and given:
        raise TypeError("At most one of name and index may be specified")
    key: str | None
    if isinstance(loc, AttrID) and name is None and not given:
        obj, key = loc._parent, loc._attr_name
    elif name is None and not given:
        raise ValueError("Not an attribute (identifier is not of specified type)")
    else:
        obj = _target(loc, obj_name)
        key = _by_index(obj, index, index_type, order) if name is None else text(name)
        if key is None:
            raise RuntimeError("Unable to get attribute info (invalid index specified)")
    stored = next((a for a in stored_attributes(obj) if a.name == key), None)
    if stored is None:
        raise RuntimeError(f"Unable to get attribute info (can't locate attribute: '{key}')")
    size = AttrID(obj, key).get_storage_size()
    corder = stored.corder if stored.corder_valid else 0
    return AttrInfo(stored.corder_valid, corder, 0 if key.isascii() else 1, size)


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
    index_type: int = INDEX_NAME,
    order: int = ITER_INC,
    info: bool = False,
) -> Any:
    """Call ``func(name)`` (``func(name, info)`` with ``info``) for each attribute of the
    object ``loc`` from the ``index``-th on, in the order ``index_type`` and ``order``
    give, until it returns something other than None; return that."""
    obj = hl_object(loc, "object")
    if int(index) < 0:
        raise ValueError("Starting index must be a non-negative integer.")
    found = ordered(obj, index_type, order)
    if int(index) and int(index) >= len(found):
        raise RuntimeError("Error iterating over attributes (invalid index specified)")
    for attr in found[int(index) :]:
        bname = attr.name.encode("utf-8", "surrogateescape")
        result = func(bname, get_info(loc, bname)) if info else func(bname)
        if result is not None:
            return result
    return None
