"""From h5pure objects to the facade's identifiers.

The identifier classes live in the modules h5py puts them in (``h5g.GroupID``,
``h5d.DatasetID``, ``h5f.FileID``, ``h5t.TypeID``); each registers its maker here, so
any module can turn an h5pure object into its h5py identifier without importing them all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..format.messages import MessageType
from ..hl import Group
from .h5s import NULL, SCALAR, SIMPLE, UNLIMITED, SpaceID

_MAKERS: dict[str, Callable[[Any], Any]] = {}


def register(kind: str) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Register the maker of identifiers for h5pure objects of ``kind`` ("file",
    "group", "dataset", "datatype")."""

    def deco(maker: Callable[[Any], Any]) -> Callable[[Any], Any]:
        _MAKERS[kind] = maker
        return maker

    return deco


def object_id(obj: Any) -> Any:
    """The facade identifier of the h5pure object ``obj`` (a File, Group, Dataset or
    Datatype)."""
    kind = "file" if obj is getattr(obj, "_file", None) else obj.kind
    return _MAKERS[kind](obj)


def hl_object(oid: Any, what: str = "object") -> Any:
    """The h5pure object behind a facade identifier (a group, dataset... or the object
    itself when given one)."""
    obj = getattr(oid, "_obj", None)
    if obj is None:
        if hasattr(oid, "_info") and hasattr(oid, "_file"):
            return oid
        raise TypeError(f"{oid!r} is not an {what} identifier")
    if not oid.valid:
        raise ValueError("Invalid identifier (identifier is not of specified type)")
    return obj


def text(name: Any) -> str:
    """A name given as bytes or str, as str (h5py's names are bytes)."""
    if isinstance(name, (bytes, bytearray)):
        return bytes(name).decode("utf-8", "surrogateescape")
    return str(name)


_CRT_ORDER_TRACKED_INDEXED = 3
"""``h5p.CRT_ORDER_TRACKED | h5p.CRT_ORDER_INDEXED``: what h5py's ``track_order`` sets."""


def attr_creation_order(obj: Any) -> int:
    return _CRT_ORDER_TRACKED_INDEXED if obj._info.tracks_attribute_order else 0


def track_times(obj: Any) -> bool:
    header = obj._info.header
    return header.modification_time is not None or obj._info.has(MessageType.MODIFICATION_TIME)


def space_of(dataspace: Any) -> SpaceID:
    """The facade dataspace of a dataspace record (h5pure's ``Dataspace``)."""
    kind = {"scalar": SCALAR, "simple": SIMPLE, "null": NULL}[dataspace.kind]
    if kind != SIMPLE:
        return SpaceID(kind)
    maxshape = tuple(UNLIMITED if m is None else int(m) for m in dataspace.maxshape)
    return SpaceID(SIMPLE, tuple(int(n) for n in dataspace.shape), maxshape)


def walk_path(group: Any, path: str, what: str) -> tuple[Any, str]:
    """The group holding the last component of ``path`` (relative to ``group``, or absolute)
    and that component ("" for the root itself), following hard, soft and external links
    on the way; RuntimeError, as libhdf5, when a component on the way is missing, dangling
    or not a group."""
    parts = [p for p in path.split("/") if p]
    current = group.file if path.startswith("/") else group
    if not parts:
        return current, ""
    for part in parts[:-1]:
        if part == ".":
            continue
        entry = current._link(part)
        if entry is None:
            raise RuntimeError(f"{what} (component not found)")
        try:
            current = current._follow(entry)
        except KeyError:
            raise RuntimeError(f"{what} (component not found)") from None
        if not isinstance(current, Group):
            raise RuntimeError(f"{what} (message type not found)")
    return current, parts[-1]
