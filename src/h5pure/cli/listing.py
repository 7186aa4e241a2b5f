"""Walking a file the way the HDF5 tools do (``h5trav``), as plain records.

``walk`` visits the links of a group in name order (recursively: depth first, a group's
members right after its own link), one :class:`Entry` per link, and remembers the first
path of every object that has more than one hard link: a later link to it carries that
path in ``first_seen`` (h5ls prints "same as", h5dump "HARDLINK"), and a group reached
again is not entered twice.  ``object_paths`` is the same walk reduced to the first path
of each object, which is how the tools name the targets of references and the committed
datatypes a dataset uses.

Only the public API is used: the objects are h5pure's ``Group``/``Dataset``/``Datatype``
and their headers come from :func:`h5pure.inspect.header`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .. import inspect
from ..hl import Dataset, Datatype, ExternalLink, Group, HardLink, SoftLink

KIND_NAMES = {Group: "group", Dataset: "dataset", Datatype: "datatype"}


def kind_of(obj: Any) -> str:
    """"group", "dataset", "datatype" (or "unknown") for an h5pure object."""
    for cls, name in KIND_NAMES.items():
        if isinstance(obj, cls):
            return name
    return "unknown"


@dataclass
class Entry:
    """One link met by :func:`walk`."""

    path: str
    """Absolute path of the link ("/group/name")."""
    link: str
    """"hard", "soft", "external" or "user" ("root" for the starting object)."""
    obj: Any = None
    """The object (hard links and the start), else None."""
    kind: str | None = None
    """"group", "dataset", "datatype" for hard links."""
    address: int | None = None
    """Absolute address of the object header (hard links)."""
    refcount: int = 1
    mtime: int | None = None
    first_seen: str | None = None
    """For an object with several hard links met before: the path it was first met at."""
    target: str | None = None
    """Soft links: the target path; external links: the path in the other file."""
    target_file: str | None = None
    """External links: the file name."""
    error: str | None = None
    """Why the object could not be opened (the tools print ``*ERROR*``)."""


def sorted_names(group: Group) -> list[str]:
    """The link names of ``group`` in the tools' order: by name, byte-wise (H5_INDEX_NAME)."""
    return sorted(group.keys(), key=lambda n: n.encode("utf-8", "surrogateescape"))


def _join(base: str, name: str) -> str:
    return ("" if base == "/" else base) + "/" + name


def describe_link(group: Group, name: str, path: str) -> Entry:
    """The :class:`Entry` of the link ``name`` in ``group`` (not following soft links)."""
    try:
        link = group.get(name, getlink=True)
    except TypeError:  # user-defined link class
        return Entry(path=path, link="user")
    if isinstance(link, SoftLink):
        return Entry(path=path, link="soft", target=link.path)
    if isinstance(link, ExternalLink):
        return Entry(path=path, link="external", target=link.path, target_file=link.filename)
    if not isinstance(link, HardLink) and link is not None:
        return Entry(path=path, link="user")
    return object_entry(group, name, path)


def object_entry(group: Any, name: str, path: str, link: str = "hard") -> Entry:
    """The entry of the object at ``name`` (relative to ``group``), opened."""
    try:
        obj = group[name]
        head = inspect.header(obj)
    except (KeyError, OSError, ValueError, RuntimeError) as exc:
        return Entry(path=path, link=link, error=str(exc))
    return Entry(
        path=path,
        link=link,
        obj=obj,
        kind=kind_of(obj),
        address=head.address,
        refcount=head.refcount,
        mtime=_mtime(head),
    )


def _mtime(head: Any) -> int | None:
    """The modification time libhdf5 1.10 reports (``H5Oget_info``): the times of a
    version-2 header; none for version 1 (whose time message it does not read there)."""
    return head.modification_time if head.version >= 2 else None


def walk(start: Any, path: str, recursive: bool = True, visit_start: bool = False,
         seen: dict[int, str] | None = None,
         names: Callable[[Group], list[str]] = sorted_names) -> Iterator[Entry]:
    """The links below ``start`` (an object opened at absolute ``path``), in the tools'
    order (``names`` lists a group's links; by name unless told otherwise).  ``seen`` maps
    object addresses to their first path (shared between walks)."""
    seen = {} if seen is None else seen
    head = inspect.header(start)
    first = Entry(
        path=path,
        link="root",
        obj=start,
        kind=kind_of(start),
        address=head.address,
        refcount=head.refcount,
        mtime=_mtime(head),
    )
    if visit_start:
        yield first
    if not isinstance(start, Group):
        return
    if head.refcount > 1:
        seen.setdefault(head.address, path)
    visited = {head.address}  # groups entered (libhdf5 tracks those with several links)
    yield from _walk_group(start, path, recursive, seen, visited, names)


def _walk_group(group: Group, base: str, recursive: bool, seen: dict[int, str],
                visited: set[int], names: Callable[[Group], list[str]]) -> Iterator[Entry]:
    for name in names(group):
        path = _join(base, name)
        entry = describe_link(group, name, path)
        if entry.link == "hard" and entry.address is not None and entry.refcount > 1:
            if entry.address in seen:
                entry.first_seen = seen[entry.address]
            else:
                seen[entry.address] = path
        yield entry
        if (
            recursive
            and entry.kind == "group"
            and entry.address is not None
            and not (entry.refcount > 1 and entry.address in visited)
        ):
            visited.add(entry.address)
            yield from _walk_group(entry.obj, path, recursive, seen, visited, names)


def object_paths(file: Any) -> dict[int, str]:
    """``{object header address: first path}`` for every object reachable from the root
    by hard links, in the tools' walk order (the root is "/")."""
    out: dict[int, str] = {}
    for entry in walk(file["/"], "/", recursive=True, visit_start=True):
        if entry.address is not None and entry.address not in out:
            out[entry.address] = entry.path
    return out
