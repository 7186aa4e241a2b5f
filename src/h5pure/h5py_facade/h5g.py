"""h5py's ``h5g``: group identifiers, ``get_objinfo``, ``open``/``create``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from ..format.messages import MessageType
from ..hl import SoftLink
from ..hl import ids as hl_ids
from ._ids import ObjectIDMixin, module_getattr
from ._objects import phil, with_phil
from ._wrap import attr_creation_order, hl_object, object_id, register, text, track_times
from .h5l import LinkProxy
from .h5p import CRT_ORDER_INDEXED, CRT_ORDER_TRACKED, PropGCID

__all__ = ["GroupID", "GroupStat", "create", "get_objinfo", "open", "phil", "with_phil"]

__getattr__ = module_getattr(globals())

UNKNOWN = -1
GROUP = 0
DATASET = 1
TYPE = 2
LINK = 3
LINK_ERROR = -1
LINK_HARD = 0
LINK_SOFT = 1
CRT_ORDER_TRACKED = CRT_ORDER_TRACKED

_KIND_CODE = {"group": GROUP, "dataset": DATASET, "datatype": TYPE}


class GroupStat(NamedTuple):
    """What ``get_objinfo`` reports (libhdf5's deprecated ``H5G_stat_t``)."""

    fileno: Any
    objno: int
    nlink: int
    type: int
    mtime: int
    linklen: int


class GroupID(ObjectIDMixin, hl_ids.GroupID):
    """A group (h5py's ``h5g.GroupID``)."""

    def __init__(self, obj: Any) -> None:
        hl_ids.GroupID.__init__(self, obj)

    # -- members -------------------------------------------------------------------------
    def __contains__(self, name: Any) -> bool:
        return text(name) in self._obj

    def __iter__(self) -> Iterator[bytes]:
        for name in self._obj:
            yield name.encode("utf-8", "surrogateescape")

    def __len__(self) -> int:
        return len(self._obj)

    def get_num_objs(self) -> int:
        """The number of links in the group."""
        return len(self._obj)

    def _name_by_idx(self, idx: int, what: str, exc: type[Exception]) -> str:
        """The name of the ``idx``-th link in name order (libhdf5's deprecated
        ``H5Gget_objname_by_idx``/``H5Gget_objtype_by_idx`` use the name index, whatever
        the group tracks)."""
        names = sorted(self._obj, key=lambda n: n.encode("utf-8", "surrogateescape"))
        if not 0 <= int(idx) < len(names):
            raise exc(f"Can't get object {what} (index out of bound)")
        return names[int(idx)]

    def get_objname_by_idx(self, idx: int) -> bytes:
        """The name of the ``idx``-th link of the group in name order, as bytes."""
        name = self._name_by_idx(idx, "name", RuntimeError)
        return name.encode("utf-8", "surrogateescape")

    def get_objtype_by_idx(self, idx: int) -> int:
        """The kind (``GROUP``, ``DATASET``, ``TYPE``) of the object the ``idx``-th link (in
        name order) leads to, following soft and external links (TypeError when it leads
        nowhere)."""
        name = self._name_by_idx(idx, "info", TypeError)
        try:
            obj = self._obj[name]
        except KeyError as e:
            raise TypeError(f"Can't get object info ({e})") from None
        return _KIND_CODE.get(obj.kind, UNKNOWN)

    def get_linkval(self, name: Any) -> bytes:
        """The target path of the soft link ``name``, as bytes (ValueError for a hard or
        external link, as h5py)."""
        try:
            link = self._obj.get(text(name), getlink=True)
        except (KeyError, RuntimeError):
            link = None
        if link is None:
            raise RuntimeError(f"Can't get info for object: '{text(name)}' (component not found)")
        if not isinstance(link, SoftLink):
            raise ValueError(f"{name!r} is not a symbolic link.")
        return str(link.path).encode("utf-8", "surrogateescape")

    # -- changing links ------------------------------------------------------------------
    def link(
        self, current_name: Any, new_name: Any, link_type: int = LINK_HARD, remote: Any = None
    ) -> None:
        """Make ``new_name`` (in ``remote``, else here) a hard or soft link to
        ``current_name``."""
        dest = self._obj if remote is None else hl_object(remote, "group")
        if int(link_type) == LINK_SOFT:
            dest[text(new_name)] = SoftLink(text(current_name))
        else:
            dest[text(new_name)] = self._obj[text(current_name)]

    def unlink(self, name: Any) -> None:
        """Remove the link ``name`` from the group."""
        del self._obj[text(name)]

    def move(self, current_name: Any, new_name: Any, remote: Any = None) -> None:
        """Rename the link ``current_name`` to ``new_name``; moving it to another group
        (``remote``) is not provided and raises NotImplementedError."""
        if remote is not None and hl_object(remote, "group") != self._obj:
            raise NotImplementedError("GroupID.move to another group (remote=) is not provided")
        self._obj.move(text(current_name), text(new_name))

    # -- properties ----------------------------------------------------------------------
    def get_create_plist(self) -> PropGCID:
        """The group's creation settings: link and attribute creation order, time
        tracking."""
        obj = self._obj
        order = CRT_ORDER_TRACKED | CRT_ORDER_INDEXED if obj._links().track_order else 0
        return PropGCID(
            link_creation_order=order,
            attr_creation_order=attr_creation_order(obj),
            obj_track_times=track_times(obj),
        )

    @property
    def links(self) -> Any:
        """The group's link operations (an ``h5l.LinkProxy``)."""
        return LinkProxy(self)


@register("group")
def _group_id(obj: Any) -> GroupID:
    return GroupID(obj)


def open(loc: Any, name: Any) -> Any:  # noqa: A001 - h5py's name
    """The identifier of the group ``name`` (relative to ``loc``)."""
    obj = hl_object(loc, "location")[text(name)]
    if obj.kind != "group":
        raise TypeError(f"{text(name)!r} is not a group")
    return object_id(obj)


def create(loc: Any, name: Any, lcpl: Any = None, gcpl: Any = None) -> Any:
    """A new group ``name`` of ``loc`` (anonymous groups, ``name=None``, are not
    provided); a ``gcpl`` asking for link or attribute creation order tracks it.  ``lcpl``
    is accepted and ignored."""
    if name is None:
        raise NotImplementedError("h5py.h5g.create of an anonymous group is not provided")
    track: bool | None = None
    if gcpl is not None:
        settings = gcpl.changed()
        track = bool(settings.get("link_creation_order") or settings.get("attr_creation_order"))
        _refuse(settings, {"link_creation_order", "attr_creation_order"}, "h5g.create")
    group = hl_object(loc, "location").create_group(text(name), track_order=track)
    return object_id(group)


def _refuse(settings: dict[str, Any], honoured: set[str], where: str) -> None:
    extra = sorted(set(settings) - honoured)
    if extra:
        raise NotImplementedError(
            f"h5py.{where}: property list settings {extra} are not provided by h5pure's h5py facade"
        )


def get_objinfo(obj: Any, name: Any = b".", follow_link: bool = True) -> GroupStat:
    """libhdf5's ``H5Gget_objinfo``: file, address, link count, type and time of the
    object ``name`` (relative to ``obj``)."""
    base = hl_object(obj, "object")
    key = text(name)
    target = base if key == "." else base[key]
    info = target._info
    header = info.header
    mtime = header.modification_time
    if mtime is None:
        found = info.first(MessageType.MODIFICATION_TIME)
        mtime = 0 if found is None else int(found.seconds)
    return GroupStat(
        fileno=target.id.fileno,
        objno=int(info.address),
        nlink=int(header.refcount),
        type=_KIND_CODE.get(target.kind, UNKNOWN),
        mtime=int(mtime),
        linklen=0,
    )
