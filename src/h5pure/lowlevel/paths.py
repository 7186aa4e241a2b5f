"""Path traversal: from a group through hard, soft and external links to an object.

libhdf5's rules (``H5G_traverse``): a path starting with "/" starts at the root group, any
other at the given group; "." components are skipped; every component but the last must
name a group; a soft link's target is resolved relative to the group holding the link
(from the root when absolute); an external link continues at its target path inside
another file; at most ``H5L_NUM_LINKS`` (16) soft or external links are followed on one
traversal.  The errors are libhdf5's, in h5py's words.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ObjectNotFoundError
from .links import LinkEntry, find_link
from .objects import ObjectInfo

if TYPE_CHECKING:
    from .file import FileState

MAX_LINK_DEPTH = 16
"""libhdf5's ``H5L_NUM_LINKS``: soft and external links followed on one traversal."""

OpenExternal = Callable[["FileState", str], tuple["FileState", Any]]
"""Opens the file an external link names (relative to the file holding the link): its
state and a handle the caller wants back (the API layer's ``File``)."""


@dataclass(frozen=True)
class Resolved:
    """Where a traversal ended."""

    fs: FileState
    address: int
    path: str
    """The path of the object in its file as traversed (h5py's name for it): through a
    soft link, the link's own path; through an external link, its target path."""
    handle: Any = None
    """What ``open_external`` returned for the file the traversal ended in (None: the
    starting file)."""


def join(base: str | None, name: str) -> str:
    """``name`` under the group path ``base``, normalised ("/a" + "b/../c" is "/a/c")."""
    if name and "/" not in name and name != "." and name != ".." and base:
        # one plain name under a path that is normalised already (no empty, "." or ".."
        # components: no "//" and no component starting with "."): nothing to normalise
        if base == "/":
            return "/" + name
        if base[0] == "/" and base[-1] != "/" and "//" not in base and "/." not in base:
            return base + "/" + name
    return posixpath.normpath(posixpath.join(base or "/", name)).replace("//", "/")


def components(path: str) -> list[str]:
    """The names a path passes through ("." and empty components dropped)."""
    return [p for p in path.split("/") if p and p != "."]


def _not_found(name: str) -> ObjectNotFoundError:
    return ObjectNotFoundError(
        f"Unable to synchronously open object (object '{name}' doesn't exist)"
    )


def resolve(
    fs: FileState,
    start: int,
    start_path: str,
    path: str,
    open_external: OpenExternal | None = None,
    *,
    handle: Any = None,
    depth: int = 0,
) -> Resolved:
    """Follow ``path`` from the group at ``start`` (named ``start_path``); raises
    ObjectNotFoundError (a KeyError) as libhdf5 reports a failed traversal."""
    if depth > MAX_LINK_DEPTH:
        raise ObjectNotFoundError("Unable to synchronously open object (too many links)")
    if path.startswith("/"):
        address, cur_path = fs.root_address, "/"
    else:
        address, cur_path = start, start_path
    parts = components(path)
    for part in parts:
        info = ObjectInfo(fs, address)
        if info.kind != "group":
            raise ObjectNotFoundError(
                "Unable to synchronously open object (message type not found)"
            )
        link = find_link(fs, info, part)
        if link is None:
            raise _not_found(part)
        fs, address, cur_path, handle = _follow(
            fs, address, cur_path, link, open_external, handle, depth
        )
    return Resolved(fs, address, cur_path, handle)


def _follow(
    fs: FileState,
    group: int,
    group_path: str,
    link: LinkEntry,
    open_external: OpenExternal | None,
    handle: Any,
    depth: int,
) -> tuple[FileState, int, str, Any]:
    """One link of the group at ``group``: where it leads."""
    path = join(group_path, link.name)
    if link.kind == "hard":
        return fs, int(link.address or 0), path, handle
    if link.kind == "soft":
        try:
            found = resolve(
                fs,
                group,
                group_path,
                link.target or "",
                open_external,
                handle=handle,
                depth=depth + 1,
            )
        except KeyError:
            raise ObjectNotFoundError(
                "Unable to synchronously open object (component not found)"
            ) from None
        if found.fs is fs:
            return fs, found.address, path, handle  # named by the path it was opened through
        return found.fs, found.address, found.path, found.handle
    if link.kind == "external" and open_external is not None:
        try:
            other, other_handle = open_external(fs, link.external_file or "")
            found = resolve(
                other,
                other.root_address,
                "/",
                link.target or "/",
                open_external,
                handle=other_handle,
                depth=depth + 1,
            )
        except (OSError, KeyError):
            raise ObjectNotFoundError(
                "Unable to synchronously open object (unable to open external file, "
                f"external link file name = '{link.external_file}')"
            ) from None
        return found.fs, found.address, found.path, found.handle
    if link.kind == "external":
        raise _not_found(link.name)
    raise ObjectNotFoundError(
        f"Unable to synchronously open object (user-defined link {link.name!r} cannot be followed)"
    )


def follow_link(
    fs: FileState,
    group: int,
    group_path: str,
    link: LinkEntry,
    open_external: OpenExternal | None = None,
    handle: Any = None,
) -> Resolved:
    """Where one link of the group at ``group`` leads (see :func:`resolve`)."""
    return Resolved(*_follow(fs, group, group_path, link, open_external, handle, 0))


def find_object(fs: FileState, path: str) -> ObjectInfo | None:
    """The object at the absolute ``path`` through hard and soft links, or None when the
    path leads nowhere (virtual dataset sources: a missing source reads as fill)."""
    try:
        found = resolve(fs, fs.root_address, "/", "/" + path.lstrip("/"))
    except KeyError:
        return None
    return ObjectInfo(found.fs, found.address)
