"""``obj.attrs``: the attributes of an object, as a dictionary, with h5py's semantics."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..dtypes import check_string_dtype, numpy_dtype, storage_dtype, to_memory
from ..errors import FormatError, ObjectNotFoundError, ReadOnlyError
from ..lowlevel.attributes import AttributeEntry, AttributeTable, read_attributes
from .base import Empty

if TYPE_CHECKING:
    from .base import HLObject


class AttributeManager(MutableMapping):  # type: ignore[type-arg]
    """Dictionary-like access to an object's attributes (name or creation order)."""

    def __init__(self, parent: HLObject) -> None:
        self._parent = parent

    def _table(self) -> AttributeTable:
        fs = self._parent._fs
        info = self._parent._info
        return fs.memo(("attrs", info.address), lambda: read_attributes(fs, info))  # type: ignore[no-any-return]

    def _entry(self, name: str) -> AttributeEntry:
        entry = self._table().entries.get(name)
        if entry is None:
            raise ObjectNotFoundError(
                f"Unable to synchronously open attribute (can't locate attribute: '{name}')"
            )
        return entry

    def __getitem__(self, name: str) -> Any:
        return attribute_value(self._parent._fs, self._entry(name))

    def get_id(self, name: str) -> AttributeEntry:
        return self._entry(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._table().entries

    def __iter__(self) -> Iterator[str]:
        yield from list(self._table().entries)

    def __len__(self) -> int:
        return len(self._table().entries)

    def __setitem__(self, name: str, value: Any) -> None:
        raise ReadOnlyError("Unable to create attribute (no write intent on file)")

    def __delitem__(self, name: str) -> None:
        raise ReadOnlyError("Unable to delete attribute (no write intent on file)")

    def create(self, name: str, data: Any, shape: Any = None, dtype: Any = None) -> None:
        raise ReadOnlyError("Unable to create attribute (no write intent on file)")

    def modify(self, name: str, value: Any) -> None:
        raise ReadOnlyError("Unable to modify attribute (no write intent on file)")

    def __repr__(self) -> str:
        if not self._parent._file._is_open:
            return "<Attributes of closed HDF5 object>"
        return f"<Attributes of HDF5 object at {id(self._parent)}>"


def attribute_value(fs: Any, entry: AttributeEntry) -> Any:
    """The value h5py returns for an attribute: Empty, a numpy scalar, str, or an array."""
    dt = entry.datatype
    space = entry.dataspace
    mdtype = numpy_dtype(dt)
    if space.kind == "null":
        return Empty(mdtype)
    shape = tuple(int(n) for n in space.shape)
    sdtype = storage_dtype(dt)
    n = int(np.prod(shape, dtype=np.int64))
    if len(entry.data) < n * sdtype.itemsize:
        raise FormatError(
            f"attribute {entry.name!r}: {len(entry.data)} bytes of data, "
            f"{n * sdtype.itemsize} expected for shape {shape}"
        )
    raw = np.frombuffer(entry.data, dtype=sdtype, count=n).reshape(shape)
    arr = to_memory(raw, dt, fs)
    info = check_string_dtype(mdtype)
    if info is not None and info.length is None:
        arr = _decode_vlen_strings(arr, info.encoding)
    if arr.shape == ():
        return arr[()]
    return arr


def _decode_vlen_strings(arr: np.ndarray, encoding: str) -> np.ndarray:
    out = np.empty(arr.shape, dtype=object)
    flat = out.reshape(-1)
    for i, b in enumerate(arr.reshape(-1)):
        flat[i] = b.decode(encoding, "surrogateescape") if isinstance(b, bytes) else b
    return out
