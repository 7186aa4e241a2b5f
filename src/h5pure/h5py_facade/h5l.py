"""h5py's ``h5l``: link types and a group's link operations (``gid.links``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from ..hl import ExternalLink, Group, SoftLink
from ._ids import FacadeID, module_getattr
from ._objects import phil, with_phil
from ._wrap import hl_object, text, walk_path

__all__ = ["LinkInfo", "LinkProxy", "phil", "with_phil"]

__getattr__ = module_getattr(globals())

_INDEX_NAME = 0
_INDEX_CRT_ORDER = 1
_ITER_INC = 0
_ITER_DEC = 1
_ITER_NATIVE = 2

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
        path = text(name)
        if not path:
            raise ValueError("No name specified (no name specified)")
        parent, last = walk_path(self._group, path, "Unable to get link info")
        entry = parent._link(last) if last not in ("", ".") else None
        if entry is None:
            raise RuntimeError("Unable to get link info (name doesn't exist)")
        return entry

    def exists(self, name: Any, lapl: Any = None) -> bool:
        """Whether the link ``name`` (a path, relative to the group or absolute) exists;
        RuntimeError when a group on the way is missing, as libhdf5 (a final "." names no
        link)."""
        path = text(name)
        what = "Unable to synchronously check link existence"
        if not path:
            raise RuntimeError(f"{what} (name parameter cannot be an empty string)")
        parent, last = walk_path(self._group, path, what)
        if not last:
            return True  # "/": the root group
        return last != "." and parent._link(last) is not None

    def get_info(self, name: Any, index: int = -1, *, lapl: Any = None) -> LinkInfo:
        """Type, creation order, name encoding and ``u`` of the link ``name``: ``u`` is a
        hard link's address, else the size of the stored value as libhdf5 counts it (a soft
        link's path and its NUL; an external link's flags byte, file name and path, each
        with its NUL).  ``index`` is ignored, as by h5py."""
        return _link_info(self._entry(name))

    def get_val(self, name: Any, lapl: Any = None) -> Any:
        """The value of a soft link (its target path) or of an external link (``(file
        name, object path)``), as bytes; a TypeError for a hard link."""
        entry = self._entry(name)
        if entry.kind == "soft":
            return _bytes(entry.target)
        if entry.kind == "external":
            return (_bytes(entry.external_file), _bytes(entry.target))
        raise TypeError("Link must be either a soft or external link")

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

    def _start(self, obj_name: Any, what: str) -> Any:
        """The group ``obj_name`` names (relative to this one)."""
        key = text(obj_name)
        if key in ("", "."):
            return self._group
        try:
            found = self._group[key]
        except KeyError:
            raise RuntimeError(f"{what} (object '{key}' doesn't exist)") from None
        if not isinstance(found, Group):
            raise RuntimeError(f"{what} (not a group)")
        return found

    def iterate(
        self,
        func: Callable[..., Any],
        *,
        idx_type: int = _INDEX_NAME,
        order: int = _ITER_NATIVE,
        obj_name: Any = b".",
        lapl: Any = None,
        info: bool = False,
        idx: int = 0,
    ) -> tuple[Any, int]:
        """Call ``func(name)`` (``func(name, LinkInfo)`` with ``info``) for each link of the
        group (or of its member ``obj_name``) from the ``idx``-th on, in the order of
        ``idx_type`` and ``order``, until it returns something true; return ``(that value,
        the index to go on from)``.  ``_ITER_NATIVE`` is creation order in a group that
        tracks it, name order otherwise (libhdf5's storage order)."""
        what = "Link iteration failed"
        group = self._start(obj_name, what)
        if int(idx_type) == _INDEX_CRT_ORDER and not group._links().track_order:
            raise RuntimeError(f"{what} (no creation order index to query)")
        entries = _ordered_links(group, idx_type, order)
        start = int(idx)
        if start < 0:
            raise OverflowError("can't convert negative value to hsize_t")
        if start and start >= len(entries):
            raise RuntimeError(f"{what} (invalid index specified)")
        result = None
        for i, entry in enumerate(entries[start:], start):
            bname = _bytes(entry.name)
            result = func(bname, _link_info(entry)) if info else func(bname)
            if result:
                return result, i + 1
        return result, len(entries)

    def visit(
        self,
        func: Callable[..., Any],
        *,
        idx_type: int = _INDEX_NAME,
        order: int = _ITER_NATIVE,
        obj_name: Any = b".",
        lapl: Any = None,
        info: bool = False,
    ) -> Any:
        """Call ``func(path)`` (``func(path, LinkInfo)`` with ``info``) for each link below
        the group (or its member ``obj_name``), each group entered once, in the order of
        ``idx_type`` and ``order`` in every group (name order in groups that do not track
        creation order), until it returns something true; return that."""
        group = self._start(obj_name, "Link visiting failed")
        seen = {group._info.address}
        result: Any = None

        def walk_group(grp: Any, prefix: str) -> bool:
            nonlocal result
            index = idx_type
            if int(index) == _INDEX_CRT_ORDER and not grp._links().track_order:
                index = _INDEX_NAME
            for entry in _ordered_links(grp, index, order):
                path = _bytes(prefix + entry.name)
                result = func(path, _link_info(entry)) if info else func(path)
                if result:
                    return True
                if entry.kind != "hard":
                    continue
                target = grp._follow(entry)
                if isinstance(target, Group) and target._info.address not in seen:
                    seen.add(target._info.address)
                    if walk_group(target, f"{prefix}{entry.name}/"):
                        return True
            return False

        walk_group(group, "")
        return result


def _bytes(value: str | None) -> bytes:
    return (value or "").encode("utf-8", "surrogateescape")


def _link_info(entry: Any) -> LinkInfo:
    """h5py's ``LinkInfo`` of one of h5pure's link entries."""
    order = entry.creation_order
    # libhdf5 stores names as given; h5py (and h5pure) mark non-ASCII names UTF-8
    cset = 0 if entry.name.isascii() else 1
    if entry.kind == "hard":
        u = entry.address
    elif entry.kind == "external":
        u = 1 + len(_bytes(entry.external_file)) + 1 + len(_bytes(entry.target)) + 1
    else:
        u = len(_bytes(entry.target)) + 1
    return LinkInfo(_TYPES.get(entry.kind, -1), order is not None, int(order or 0), cset, u)


def _ordered_links(group: Any, index_type: int, order: int) -> list[Any]:
    """The link entries of ``group`` in the order of ``index_type`` (``h5._INDEX_NAME``,
    ``_INDEX_CRT_ORDER``) and ``order`` (``h5._ITER_INC``, ``_ITER_DEC``, ``_ITER_NATIVE``:
    creation order when tracked, else name order)."""
    table = group._links()
    entries = list(table.entries.values())
    index_type, order = int(index_type), int(order)
    if index_type not in (_INDEX_NAME, _INDEX_CRT_ORDER) or order not in (
        _ITER_INC,
        _ITER_DEC,
        _ITER_NATIVE,
    ):
        raise ValueError("Invalid index type or order (invalid index type specified)")
    if order == _ITER_NATIVE:
        index_type = _INDEX_CRT_ORDER if table.track_order else _INDEX_NAME
    if index_type == _INDEX_CRT_ORDER:
        entries.sort(key=lambda e: -1 if e.creation_order is None else e.creation_order)
    else:
        entries.sort(key=lambda e: _bytes(e.name))
    return entries[::-1] if order == _ITER_DEC else entries
