"""h5py's ``h5o``: objects by name or reference, their information, links and copies."""

from __future__ import annotations

from typing import Any, NamedTuple

from ._ids import module_getattr
from ._objects import phil, with_phil
from ._wrap import hl_object, object_id, text, walk_path
from .h5g import get_objinfo

__all__ = ["ObjInfo", "copy", "exists_by_name", "get_info", "link", "open", "phil", "with_phil"]

__getattr__ = module_getattr(globals())

TYPE_GROUP = 0
TYPE_DATASET = 1
TYPE_NAMED_DATATYPE = 2
COPY_SHALLOW_HIERARCHY_FLAG = 1
COPY_EXPAND_SOFT_LINK_FLAG = 2
COPY_EXPAND_EXT_LINK_FLAG = 4
COPY_EXPAND_REFERENCE_FLAG = 8
COPY_WITHOUT_ATTR_FLAG = 16
COPY_PRESERVE_NULL_FLAG = 32


class ObjInfo(NamedTuple):
    """What ``get_info`` reports of an object."""

    fileno: Any
    addr: int
    type: int
    rc: int
    num_attrs: int


def open(loc: Any, name: Any, lapl: Any = None) -> Any:  # noqa: A001 - h5py's name
    """The identifier of the object ``name`` of ``loc``."""
    return object_id(hl_object(loc, "location")[text(name)])


def exists_by_name(loc: Any, name: Any, lapl: Any = None) -> bool:
    """Whether the path ``name`` (relative to ``loc``) leads to an object: False for a
    missing last link and for a dangling soft or external link, RuntimeError when a group
    on the way is missing, as libhdf5."""
    path = text(name)
    if not path:
        raise ValueError(
            "Name parameter cannot be an empty string (name parameter cannot be an empty string)"
        )
    parent, last = walk_path(
        hl_object(loc, "location"), path, f"Unable to determine if '{path}' exists"
    )
    if last in ("", "."):
        return True  # the root, or the group the path ends in
    entry = parent._link(last)
    if entry is None:
        return False
    try:
        parent._follow(entry)
    except KeyError:
        return False
    return True


def get_info(
    loc: Any, name: Any = None, index: int = -1, *, lapl: Any = None, **kwds: Any
) -> ObjInfo:
    """File, address, type, link count and number of attributes of the object ``loc``
    (or ``name`` below it); ``index`` and h5py's other keywords are ignored."""
    obj = hl_object(loc, "location")
    if name is not None:
        obj = obj[text(name)]
    stat = get_objinfo(obj, b".")
    return ObjInfo(stat.fileno, stat.objno, stat.type, stat.nlink, len(obj.attrs))


def link(obj: Any, loc: Any, name: Any, lcpl: Any = None, lapl: Any = None) -> None:
    """Make ``name`` in ``loc`` a hard link to ``obj``."""
    hl_object(loc, "group")[text(name)] = hl_object(obj, "object")


def copy(
    src_loc: Any,
    src_name: Any,
    dst_loc: Any,
    dst_name: Any,
    copypl: Any = None,
    lcpl: Any = None,
) -> None:
    """Copy ``src_name`` of ``src_loc`` to ``dst_name`` of ``dst_loc``, as
    ``Group.copy`` with the flags of ``copypl``."""
    flags = copypl.get_copy_object() if copypl is not None else 0
    hl_object(src_loc, "location").copy(
        text(src_name),
        hl_object(dst_loc, "location"),
        text(dst_name),
        shallow=bool(flags & COPY_SHALLOW_HIERARCHY_FLAG),
        expand_soft=bool(flags & COPY_EXPAND_SOFT_LINK_FLAG),
        expand_external=bool(flags & COPY_EXPAND_EXT_LINK_FLAG),
        expand_refs=bool(flags & COPY_EXPAND_REFERENCE_FLAG),
        without_attrs=bool(flags & COPY_WITHOUT_ATTR_FLAG),
    )
