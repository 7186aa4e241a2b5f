"""h5py's value types: ``Empty``, the link classes, and the views of group and attribute
mappings."""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, KeysView, ValuesView
from typing import Any

import numpy as np

from ..dtypes import check_string_dtype, string_dtype


class Empty:
    """An empty (null dataspace) dataset or attribute value of a given dtype, as h5py's."""

    shape = None
    size = None

    def __init__(self, dtype: Any) -> None:
        self.dtype = np.dtype(dtype)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Empty) and self.dtype == other.dtype

    def __hash__(self) -> int:
        return hash(("Empty", self.dtype))

    def __repr__(self) -> str:
        return f"Empty(dtype={self.dtype!r})"


class HardLink:
    """A hard link (returned by ``Group.get(name, getlink=True)``)."""

    def __repr__(self) -> str:
        return "<HardLink>"


class SoftLink:
    """A symbolic link to a path in the same file."""

    def __init__(self, path: str) -> None:
        self._path = str(path)

    @property
    def path(self) -> str:
        """The path the link points to (resolved when followed; it may dangle)."""
        return self._path

    def __repr__(self) -> str:
        return f'<SoftLink to "{self.path}">'

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SoftLink) and self._path == other._path

    def __hash__(self) -> int:
        return hash(("SoftLink", self._path))


class ExternalLink:
    """A link to an object in another HDF5 file."""

    def __init__(self, filename: str, path: str) -> None:
        self._filename = str(filename)
        self._path = str(path)

    @property
    def path(self) -> str:
        """The path of the target object inside that file."""
        return self._path

    @property
    def filename(self) -> str:
        """The name of the file the link points into."""
        return self._filename

    def __repr__(self) -> str:
        # (h5py's repr really lacks the closing ">")
        return f'<ExternalLink to "{self.path}" in file "{self.filename}"'

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ExternalLink)
            and self._path == other._path
            and self._filename == other._filename
        )

    def __hash__(self) -> int:
        return hash(("ExternalLink", self._filename, self._path))


class KeysViewHDF5(KeysView):  # type: ignore[type-arg]
    """The names of a group's members or an object's attributes, in iteration order (shown as
    ``<KeysViewHDF5 [...]>``)."""

    def __str__(self) -> str:
        return f"<KeysViewHDF5 {list(self)}>"

    __repr__ = __str__

    def __reversed__(self) -> Iterator[str]:
        yield from reversed(self._mapping)  # type: ignore[attr-defined,call-overload]


class ValuesViewHDF5(ValuesView):  # type: ignore[type-arg]
    """A group's members; None for a link that leads nowhere (as h5py's ``get``)."""

    def __iter__(self) -> Iterator[Any]:
        mapping: Any = self._mapping  # type: ignore[attr-defined]
        pairs = getattr(mapping, "_pairs", None)
        if pairs is not None:  # the mapping walks its table once
            for _, value in pairs():
                yield value
            return
        for key in mapping:
            yield mapping.get(key)

    def __contains__(self, value: object) -> bool:
        return any(v == value for v in self)

    def __reversed__(self) -> Iterator[Any]:
        mapping: Any = self._mapping  # type: ignore[attr-defined]
        for key in reversed(mapping):
            yield mapping.get(key)


class ItemsViewHDF5(ItemsView):  # type: ignore[type-arg]
    """A group's (name, member) pairs; None for a link that leads nowhere."""

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        mapping: Any = self._mapping  # type: ignore[attr-defined]
        pairs = getattr(mapping, "_pairs", None)
        if pairs is not None:  # the mapping walks its table once
            yield from pairs()
            return
        for key in mapping:
            yield (key, mapping.get(key))

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, tuple) or len(item) != 2:
            return False
        key, value = item
        mapping: Any = self._mapping  # type: ignore[attr-defined]
        return key in mapping and mapping.get(key) == value

    def __reversed__(self) -> Iterator[tuple[str, Any]]:
        mapping: Any = self._mapping  # type: ignore[attr-defined]
        for key in reversed(mapping):
            yield (key, mapping.get(key))


class MappingViews:
    """``keys()``, ``values()`` and ``items()`` as h5py's views (groups and attributes),
    ``reversed()``, and IPython's key completions."""

    def __iter__(self) -> Iterator[str]:
        raise NotImplementedError

    def __reversed__(self) -> Iterator[str]:
        yield from reversed(list(self))

    def _ipython_key_completions_(self) -> list[str]:
        """The names IPython completes ``obj[`` with."""
        return sorted(self)

    def keys(self) -> KeysViewHDF5:
        """The names, in iteration order."""
        return KeysViewHDF5(self)  # type: ignore[arg-type]

    def values(self) -> ValuesViewHDF5:
        """The values, in iteration order."""
        return ValuesViewHDF5(self)  # type: ignore[arg-type]

    def items(self) -> ItemsViewHDF5:
        """``(name, value)`` pairs, in iteration order."""
        return ItemsViewHDF5(self)  # type: ignore[arg-type]


def is_npystring(dtype: Any) -> bool:
    """Whether ``dtype`` is numpy 2's variable-width string dtype (``"T"``)."""
    return getattr(dtype, "kind", None) == "T"


def stored_dtype(dtype: Any) -> np.dtype:
    """The dtype h5py stores a ``dtype=`` argument as: numpy 2's ``StringDType`` ("T") is
    a variable-length UTF-8 string (h5py 3.14+), anything else itself."""
    dtype = np.dtype(dtype)
    return string_dtype("utf-8") if is_npystring(dtype) else dtype


def unnpystring(value: Any) -> Any:
    """An array of numpy 2's ``StringDType`` as the object array of ``str`` h5py writes it
    as (anything else unchanged)."""
    if isinstance(value, np.ndarray) and is_npystring(value.dtype):
        return value.astype(object)
    return value


def read_as(arr: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """What was read (memory dtype) converted as ``dset.astype(dtype)`` reads: to numpy 2's
    ``StringDType`` strings are decoded first (h5py reads strings as bytes)."""
    if is_npystring(dtype) and arr.dtype.kind in "OS":
        info = check_string_dtype(arr.dtype)
        encoding = info.encoding if info is not None else "utf-8"
        flat = [
            v.decode(encoding, "surrogateescape") if isinstance(v, bytes) else v
            for v in arr.reshape(-1)
        ]
        return np.asarray(flat, dtype=dtype).reshape(arr.shape)
    return arr.astype(dtype)


def array_for_new_object(data: Any, dtype: Any) -> np.ndarray:
    """h5py's conversion of ``data=`` values (lists of str become vlen strings, numpy 2
    strings too...)."""
    data = unnpystring(data)
    if isinstance(data, np.ndarray) and dtype is None and data.dtype.kind != "O":
        return np.asarray(data, order="C")
    from ..dtypes import guess_dtype  # the writer's

    as_dtype = stored_dtype(dtype) if dtype is not None else guess_dtype(data)
    if as_dtype is not None and as_dtype.kind == "O":
        arr = np.empty(np.shape(data) if not isinstance(data, (str, bytes)) else (), dtype=as_dtype)
        arr[...] = data
        return arr
    return np.asarray(data, order="C", dtype=as_dtype)
