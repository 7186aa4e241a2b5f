"""``obj.attrs``: the attributes of an object, as a dictionary, with h5py's semantics."""

from __future__ import annotations

import math
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..dtypes import check_string_dtype, numpy_dtype, storage_dtype, to_memory
from ..errors import ClosedObjectLookupError, FormatError, ObjectNotFoundError, ReadOnlyError
from ..lowlevel.attributes import AttributeEntry, AttributeTable
from ..lowlevel.specs import AttributeSpec
from .values import Empty, MappingViews, array_for_new_object, stored_dtype

if TYPE_CHECKING:
    from .base import HLObject


class AttributeManager(MappingViews, MutableMapping):  # type: ignore[type-arg]
    """Dictionary-like access to an object's attributes (name or creation order)."""

    def __init__(self, parent: HLObject) -> None:
        self._parent = parent

    def _table(self) -> AttributeTable:
        if not self._parent._file._is_open:
            raise ClosedObjectLookupError(
                "Unable to synchronously open object (invalid identifier type to function)"
            )
        return self._parent._fs.attributes(self._parent._info)

    def _entry(self, name: str) -> AttributeEntry:
        name = _attr_name(name)
        entry = self._table().get(name)
        if entry is None:
            raise ObjectNotFoundError(
                f"Unable to synchronously open attribute (can't locate attribute: '{name}')"
            )
        return entry

    def __getitem__(self, name: str) -> Any:
        if not self._parent._file._is_open:
            raise ClosedObjectLookupError("Unable to open attribute (the file is closed)")
        return attribute_value(self._parent._fs, self._entry(name))

    def get_id(self, name: str) -> AttrID:
        """The attribute as h5py's ``h5a.AttrID``: ``name`` (bytes), ``shape``, ``dtype``."""
        return AttrID(self._entry(name))

    def _pairs(self) -> Iterator[tuple[str, Any]]:
        """``(name, value)`` of every attribute in order, the table looked up once
        (``items()`` and ``values()``)."""
        table = self._table()
        fs = self._parent._fs
        for name in table.names():
            entry = table.get(name)
            if entry is None:  # deleted while iterating: as a lookup by name would
                raise ObjectNotFoundError(
                    f"Unable to synchronously open attribute (can't locate attribute: '{name}')"
                )
            yield name, attribute_value(fs, entry)

    def __contains__(self, name: object) -> bool:
        name = _attr_name(name)
        return isinstance(name, str) and name in self._table()

    def __iter__(self) -> Iterator[str]:
        yield from self._table().names()

    def __len__(self) -> int:
        return len(self._table())

    def get(self, name: str, default: Any = None) -> Any:
        """The value of attribute ``name``, or ``default`` when the object has none of that
        name."""
        try:
            return self[name]
        except KeyError:
            return default

    def __setitem__(self, name: str, value: Any) -> None:
        """Create or replace the attribute ``name`` (type and shape from the value)."""
        self.create(name, data=value)

    def __delitem__(self, name: str) -> None:
        name = _attr_name(name)
        writer = self._parent._fs.writer
        if writer is None:
            raise KeyError("Unable to delete attribute (no write intent on file)")
        if not writer.delete_attribute(self._parent._info.address, name):
            raise KeyError("Unable to delete attribute (can't locate attribute)")

    def create(
        self, name: str, data: Any, shape: Any = None, dtype: Any = None, *, _in_place: bool = False
    ) -> None:
        """Create (or replace) an attribute, as h5py's ``AttributeManager.create``."""
        name = _attr_name(name)
        if not isinstance(name, str):
            raise TypeError(f"Attribute name must be str or bytes, not {type(name).__name__}")
        if not name:
            raise RuntimeError(
                "Can't synchronously determine if attribute exists by name (no attribute name)"
            )
        writer = self._parent._fs.writer
        if writer is None:
            if name in self:  # h5py deletes the old attribute first, and fails there
                raise KeyError("Unable to delete attribute (no write intent on file)")
            raise ReadOnlyError(
                "Unable to synchronously create attribute (no write intent on file)"
            )

        committed, dtype, record = self._parent._type_argument(dtype)
        if isinstance(data, Empty):
            spec = AttributeSpec(
                name,
                stored_dtype(dtype) if dtype is not None else data.dtype,
                None,
                committed,
                datatype=record,
            )
        else:
            wanted = stored_dtype(dtype) if dtype is not None else None
            if wanted is not None and wanted.subdtype is not None:
                # a top-level array type: the data holds the elements' values, of its base
                arr = np.asarray(array_for_new_object(data, None), dtype=wanted.subdtype[0])
            else:
                arr = array_for_new_object(data, dtype)
            given = shape is not None
            shape = (
                arr.shape if shape is None else (shape,) if isinstance(shape, int) else tuple(shape)
            )
            wanted = wanted if wanted is not None else arr.dtype
            if wanted.subdtype is not None:
                # a top-level array type: the data's last axes are one element each
                sub = wanted.subdtype[1]
                if tuple(shape[len(shape) - len(sub) :]) != sub:
                    raise ValueError(
                        f"Array dtype shape {sub} is incompatible with data shape {shape}"
                    )
            elif given and int(np.prod(shape, dtype=np.int64)) != arr.size:
                raise ValueError("Shape of new attribute conflicts with shape of data")
            if given:
                arr = arr.reshape(shape)
            spec = AttributeSpec(name, wanted, arr, committed, datatype=record)
        writer.set_attribute(self._parent._info.address, spec, in_place=_in_place)

    def modify(self, name: str, value: Any) -> None:
        """Change an attribute's value keeping its type and shape (h5py's ``modify``:
        a new attribute when there is none; TypeError when the shape differs)."""
        name = _attr_name(name)
        if name not in self:
            self[name] = value
            return
        entry = self._entry(name)
        if entry.dataspace.kind == "null":
            raise OSError("Empty attributes can't be modified")
        current = numpy_dtype(entry.datatype)
        # an array is converted to the attribute's type; anything else is read as that type
        arr = np.asarray(value, dtype=None if isinstance(value, np.ndarray) else current)
        shape = () if entry.dataspace.kind == "scalar" else tuple(entry.dataspace.shape)
        if arr.shape != shape and not (arr.size == 1 and int(np.prod(shape)) == 1):
            raise TypeError("Shape of data is incompatible with existing attribute")
        if self._parent._fs.writer is None:
            raise ReadOnlyError("Can't synchronously write data (no write intent on file)")
        self.create(name, data=arr.astype(current).reshape(shape), dtype=current, _in_place=True)

    def __repr__(self) -> str:
        if not self._parent._file._is_open:
            return "<Attributes of closed HDF5 object>"
        return f"<Attributes of HDF5 object at {id(self._parent)}>"


def _attr_name(name: Any) -> Any:
    if isinstance(name, bytes):
        return name.decode("utf-8", "surrogateescape")
    return name


class AttrID:
    """One attribute as h5py's ``attrs.get_id(name)`` shows it (an ``h5a.AttrID``)."""

    def __init__(self, entry: AttributeEntry) -> None:
        self._entry = entry
        self.datatype = entry.datatype
        self.dataspace = entry.dataspace

    @property
    def name(self) -> bytes:
        """The attribute's name, as bytes (as h5py's low-level name)."""
        return self._entry.name.encode("utf-8", "surrogateescape")

    @property
    def shape(self) -> tuple[int, ...] | None:
        """The attribute's shape: () for a scalar, None for an empty (null dataspace) one."""
        space = self._entry.dataspace
        if space.kind == "null":
            return None
        return () if space.kind == "scalar" else tuple(int(n) for n in space.shape)

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype the attribute's values read as."""
        return numpy_dtype(self._entry.datatype)

    def get_storage_size(self) -> int:
        """Bytes the attribute's value takes in the file (0 for an empty attribute)."""
        return len(self._entry.data)


def attribute_value(fs: Any, entry: AttributeEntry) -> Any:
    """The value h5py returns for an attribute: Empty, a numpy scalar, str, or an array."""
    dt = entry.datatype
    space = entry.dataspace
    mdtype, sdtype, vlen_encoding = _value_plan(dt)
    if space.kind == "null":
        return Empty(mdtype)
    shape = tuple(int(n) for n in space.shape)
    n = math.prod(shape)
    if len(entry.data) < n * sdtype.itemsize:
        raise FormatError(
            f"attribute {entry.name!r}: {len(entry.data)} bytes of data, "
            f"{n * sdtype.itemsize} expected for shape {shape}"
        )
    raw = np.frombuffer(entry.data, dtype=sdtype, count=n).reshape(shape + sdtype.shape)
    arr = to_memory(raw, dt, fs)
    if vlen_encoding is not None:
        arr = _decode_vlen_strings(arr, vlen_encoding)
    if arr.shape == ():
        return arr[()]
    return arr


_PLANS: dict[Any, tuple[np.dtype, np.dtype, str | None]] = {}
"""Datatype record -> (memory dtype, storage dtype, encoding of a vlen string type): the
attributes of a file repeat a few types (records are immutable, so sharing is safe)."""


def _value_plan(dt: Any) -> tuple[np.dtype, np.dtype, str | None]:
    try:
        plan = _PLANS.get(dt)
        hashable = True
    except TypeError:  # a record holding a list
        plan, hashable = None, False
    if plan is None:
        mdtype = numpy_dtype(dt)
        info = check_string_dtype(mdtype)
        encoding = info.encoding if info is not None and info.length is None else None
        plan = (mdtype, storage_dtype(dt), encoding)
        if hashable and len(_PLANS) < 4096:
            _PLANS[dt] = plan
    return plan


def _decode_vlen_strings(arr: np.ndarray, encoding: str) -> np.ndarray:
    out = np.empty(arr.shape, dtype=object)
    flat = out.reshape(-1)
    for i, b in enumerate(arr.reshape(-1)):
        flat[i] = b.decode(encoding, "surrogateescape") if isinstance(b, bytes) else b
    return out
