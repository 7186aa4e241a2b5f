"""h5py's ``h5l``: link types and a group's link operations (``gid.links``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from ..hl import ExternalLink, SoftLink
from ._ids import FacadeID, module_getattr
from ._objects import phil, with_phil
from ._wrap import hl_object, text

__all__ = ["LinkInfo", "LinkProxy", "phil", "with_phil"]

__getattr__ = module_getattr(globals())

TYPE_HARD = 0
TYPE_SOFT = 1
TYPE_EXTERNAL = 64

_TYPES = {"hard": TYPE_HARD, "soft": TYPE_SOFT, "external": TYPE_EXTERNAL}


class LinkInfo(NamedTuple):
    """What ``get_info`` reports of a link."""

    type: int
    corder_valid: bool
    corder: int
    cset: int
    u: Any


class LinkProxy(FacadeID):
    """The link operations of one group (h5py's ``gid.links``)."""

    def __init__(self, gid: Any) -> None:
        self._gid = gid

    @property
    def _group(self) -> Any:
        return hl_object(self._gid, "group")

    def _entry(self, name: Any) -> Any:
        group = self._group
        path = text(name)
        parent, _, base = path.rstrip("/").rpartition("/")
        if parent:
            owner = group[parent]
        else:
            owner = group.file if path.startswith("/") else group
        entry = owner._link(base)
        if entry is None:
            raise KeyError(f"Unable to get link info (link {path!r} doesn't exist)")
        return entry

    def exists(self, name: Any, lapl: Any = None) -> bool:
        """Whether the link ``name`` (a path, relative to the group or absolute) exists;
        unlike libhdf5, False also when a group on the way is missing."""
        try:
            self._entry(name)
        except KeyError:
            return False
        return True

    def get_info(self, name: Any, index: int = -1, lapl: Any = None) -> LinkInfo:
        """Type, creation order, name encoding and ``u`` of the link ``name``: ``u`` is a
        hard link's address, else the length of the target path plus one (libhdf5 also
        counts an external link's file name and flags).  ``index`` is ignored."""
        entry = self._entry(name)
        order = entry.creation_order
        # libhdf5 stores names as given; h5py (and h5pure) mark non-ASCII names UTF-8
        cset = 0 if entry.name.isascii() else 1
        address = entry.address if entry.kind == "hard" else len(entry.target or "") + 1
        return LinkInfo(
            _TYPES.get(entry.kind, -1), order is not None, int(order or 0), cset, address
        )

    def get_val(self, name: Any, lapl: Any = None) -> Any:
        """The value of a soft link (its target path) or of an external link (``(file
        name, object path)``), as bytes; a TypeError for a hard link."""
        entry = self._entry(name)
        if entry.kind == "soft":
            return (entry.target or "").encode("utf-8", "surrogateescape")
        if entry.kind == "external":
            return (
                (entry.external_file or "").encode("utf-8", "surrogateescape"),
                (entry.target or "").encode("utf-8", "surrogateescape"),
            )
        raise TypeError("Link is not a soft or external link")

    def create_soft(self, new_name: Any, target: Any, lcpl: Any = None, lapl: Any = None) -> None:
        """Make ``new_name`` a soft link to the path ``target``."""
        self._group[text(new_name)] = SoftLink(text(target))

    def create_external(
        self, link_name: Any, file_name: Any, obj_name: Any, lcpl: Any = None, lapl: Any = None
    ) -> None:
        """Make ``link_name`` an external link to the object ``obj_name`` of the file
        ``file_name``."""
        self._group[text(link_name)] = ExternalLink(text(file_name), text(obj_name))

    def create_hard(
        self, new_name: Any, cur_loc: Any, cur_name: Any, lcpl: Any = None, lapl: Any = None
    ) -> None:
        """Make ``new_name`` a hard link to the object ``cur_name`` of ``cur_loc``."""
        self._group[text(new_name)] = hl_object(cur_loc, "location")[text(cur_name)]

    def delete(self, name: Any, lapl: Any = None) -> None:
        """Remove the link ``name``."""
        del self._group[text(name)]

    def move(
        self, src_name: Any, dst_loc: Any, dst_name: Any, lcpl: Any = None, lapl: Any = None
    ) -> None:
        """Rename the link ``src_name`` to ``dst_name``; ``dst_loc`` must be this group
        (moving to another group raises NotImplementedError)."""
        if hl_object(dst_loc, "group") != self._group:
            raise NotImplementedError("LinkProxy.move to another group is not provided")
        self._group.move(text(src_name), text(dst_name))

    def iterate(
        self, func: Callable[[bytes], Any], idx_type: int = 0, order: int = 0, lapl: Any = None
    ) -> Any:
        """Call ``func(name)`` for each link of the group until it returns non-None
        (always in the group's iteration order: ``idx_type`` and ``order`` are ignored)."""
        for name in self._group:
            found = func(name.encode("utf-8", "surrogateescape"))
            if found is not None:
                return found
        return None

    def visit(
        self,
        func: Callable[[bytes], Any],
        idx_type: int = 0,
        order: int = 0,
        lapl: Any = None,
        info: bool = False,
    ) -> Any:
        """Call ``func(name)`` for each link below the group until it returns non-None
        (``idx_type`` and ``order`` are ignored; ``info=True`` is not provided)."""
        if info:
            raise NotImplementedError("LinkProxy.visit(info=True) is not provided")
        return self._group.visit_links(lambda name: func(name.encode("utf-8", "surrogateescape")))
