"""Groups: dictionary-like containers of links, with h5py's semantics."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, ItemsView, Iterator, KeysView, ValuesView
from typing import Any

from ..errors import ObjectNotFoundError
from ..lowlevel.links import LinkEntry, LinkTable, read_links
from .base import ExternalLink, HardLink, HLObject, SoftLink

_MAX_LINK_DEPTH = 16  # libhdf5's H5L_NUM_LINKS: soft/external hops per traversal


def _not_found(name: str) -> ObjectNotFoundError:
    return ObjectNotFoundError(
        f"Unable to synchronously open object (object '{name}' doesn't exist)"
    )


def _join(base: str | None, name: str) -> str:
    return posixpath.normpath(posixpath.join(base or "/", name)).replace("//", "/")


class Group(HLObject):
    """A group: ``g[name]``, iteration over member names, ``in``, ``get``, ``visit``..."""

    # -- links ------------------------------------------------------------------------
    def _links(self) -> LinkTable:
        fs = self._fs
        return fs.memo(("links", self._info.address), lambda: read_links(fs, self._info))  # type: ignore[no-any-return]

    def _link(self, name: str) -> LinkEntry | None:
        return self._links().entries.get(name)

    # -- traversal -------------------------------------------------------------------
    def _traverse(self, path: str, depth: int = 0) -> HLObject:
        if depth > _MAX_LINK_DEPTH:
            raise ObjectNotFoundError("Unable to synchronously open object (too many links)")
        if path.startswith("/"):
            cur: HLObject = self.file._root()
        else:
            cur = self
        parts = [p for p in path.split("/") if p and p != "."]
        for i, part in enumerate(parts):
            if not isinstance(cur, Group):
                raise ObjectNotFoundError(
                    "Unable to synchronously open object (message type not found)"
                )
            link = cur._link(part)
            if link is None:
                raise _not_found(part)
            cur = cur._follow(link, depth, last=i == len(parts) - 1)
        return cur

    def _follow(self, link: LinkEntry, depth: int, last: bool = True) -> HLObject:
        path = _join(self.name, link.name)
        if link.kind == "hard":
            return self.file._object(int(link.address or 0), path)
        if link.kind == "soft":
            try:
                target = self._traverse(link.target or "", depth + 1)
            except KeyError:
                raise ObjectNotFoundError(
                    "Unable to synchronously open object (component not found)"
                ) from None
            if target.file is self.file and target._name is not None and target._name != path:
                # h5py names an object by the path it was opened through
                target = self.file._object(target._info.address, path)
            return target
        if link.kind == "external":
            try:
                other = self.file._open_external(link.external_file or "")
                return other._root()._traverse(link.target or "/", depth + 1)
            except (OSError, KeyError):
                raise ObjectNotFoundError(
                    "Unable to synchronously open object (unable to open external file, "
                    f"external link file name = '{link.external_file}')"
                ) from None
        raise ObjectNotFoundError(
            f"Unable to synchronously open object (user-defined link {link.name!r} cannot be followed)"
        )

    # -- mapping interface ------------------------------------------------------------
    def __getitem__(self, name: Any) -> Any:
        from ..dtypes import Reference, RegionReference

        if isinstance(name, (Reference, RegionReference)):
            return self.file._dereference(name)
        if isinstance(name, bytes):
            name = name.decode("utf-8", "surrogateescape")
        if not isinstance(name, str):
            raise TypeError(f"Accessing a group is done with bytes or str, not {type(name)}")
        if name in ("", "."):
            return self.file._object(self._info.address, self.name)
        if name.strip("/") == "" and name.startswith("/"):
            return self.file._root()
        return self._traverse(name)

    def _parent_and_base(self, name: str) -> tuple[Any, str]:
        """The group that holds the last link of ``name``, and that link's name."""
        parent, _, base = name.rstrip("/").rpartition("/")
        if parent:
            return self[parent], base
        return (self.file._root() if name.startswith("/") else self), base

    def __contains__(self, name: object) -> bool:
        if isinstance(name, bytes):
            name = name.decode("utf-8", "surrogateescape")
        if not isinstance(name, str):
            return False
        if name.strip("/") in ("", "."):
            return name.startswith("/") or name == "."
        try:
            grp, base = self._parent_and_base(name)
        except KeyError:
            return False
        return isinstance(grp, Group) and grp._link(base) is not None

    def __iter__(self) -> Iterator[str]:
        yield from list(self._links().entries)

    def __len__(self) -> int:
        return len(self._links().entries)

    def __bool__(self) -> bool:
        return self._file._is_open

    def keys(self) -> KeysViewHDF5:
        return KeysViewHDF5(self)

    def values(self) -> ValuesViewHDF5:
        return ValuesViewHDF5(self)

    def items(self) -> ItemsViewHDF5:
        return ItemsViewHDF5(self)

    def get(
        self, name: str, default: Any = None, getclass: bool = False, getlink: bool = False
    ) -> Any:
        """Like h5py's: the object, its class, its link, or the link's class."""
        from .dataset import Dataset
        from .datatype import Datatype

        if not (getclass or getlink):
            try:
                return self[name]
            except KeyError:
                return default
        if name not in self:
            return default
        if getlink:
            grp, base = self._parent_and_base(name)
            link = grp._link(base)
            assert link is not None  # checked by `in` above
            if link.kind == "soft":
                return SoftLink if getclass else SoftLink(link.target or "")
            if link.kind == "external":
                if getclass:
                    return ExternalLink
                return ExternalLink(link.external_file or "", link.target or "")
            if link.kind == "hard":
                return HardLink if getclass else HardLink()
            raise TypeError("Unknown link type")
        try:
            obj = self[name]
        except KeyError as e:
            # h5py reports a dangling link here through libhdf5's H5Oget_info failure
            raise RuntimeError(f"Can't get deprecated info for object ({e})") from None
        for cls in (Group, Dataset, Datatype):
            if isinstance(obj, cls):
                return cls
        raise TypeError("Unknown object type")

    # -- visiting ----------------------------------------------------------------------
    def visit(self, func: Callable[[str], Any]) -> Any:
        """Call ``func(name)`` for every object below this group (each object once)."""
        return self.visititems(lambda name, obj: func(name))

    def visititems(self, func: Callable[[str, Any], Any]) -> Any:
        seen = {self._info.address}

        def walk(grp: Group, prefix: str) -> Any:
            for name, link in _by_name(grp):
                if link.kind != "hard":
                    continue
                rel = f"{prefix}{name}"
                obj = grp._follow(link, 0)
                if obj._info.address in seen:
                    continue
                seen.add(obj._info.address)
                ret = func(rel, obj)
                if ret is not None:
                    return ret
                if isinstance(obj, Group):
                    ret = walk(obj, rel + "/")
                    if ret is not None:
                        return ret
            return None

        return walk(self, "")

    def visit_links(self, func: Callable[[str], Any]) -> Any:
        """Call ``func(name)`` for every link below this group (groups entered once)."""
        return self.visititems_links(lambda name, link: func(name))

    def visititems_links(self, func: Callable[[str, Any], Any]) -> Any:
        seen = {self._info.address}

        def walk(grp: Group, prefix: str) -> Any:
            for name, link in _by_name(grp):
                rel = f"{prefix}{name}"
                ret = func(rel, _link_object(link))
                if ret is not None:
                    return ret
                if link.kind == "hard":
                    obj = grp._follow(link, 0)
                    if isinstance(obj, Group) and obj._info.address not in seen:
                        seen.add(obj._info.address)
                        ret = walk(obj, rel + "/")
                        if ret is not None:
                            return ret
            return None

        return walk(self, "")

    def __repr__(self) -> str:
        if not self._file._is_open:
            return "<Closed HDF5 group>"
        return f'<HDF5 group "{self.name}" ({len(self)} members)>'


def _by_name(grp: Group) -> list[tuple[str, LinkEntry]]:
    """A group's links in name order: h5py's visit functions use libhdf5's name index
    (H5Ovisit/H5Lvisit with H5_INDEX_NAME) even in groups that track creation order."""
    return sorted(
        grp._links().entries.items(), key=lambda item: item[0].encode("utf-8", "surrogateescape")
    )


def _link_object(link: LinkEntry) -> Any:
    if link.kind == "soft":
        return SoftLink(link.target or "")
    if link.kind == "external":
        return ExternalLink(link.external_file or "", link.target or "")
    return HardLink()


class KeysViewHDF5(KeysView):  # type: ignore[type-arg]
    def __str__(self) -> str:
        return f"<KeysViewHDF5 {list(self)}>"

    __repr__ = __str__


class ValuesViewHDF5(ValuesView):  # type: ignore[type-arg]
    def __str__(self) -> str:
        return "<ValuesViewHDF5>"

    __repr__ = __str__


class ItemsViewHDF5(ItemsView):  # type: ignore[type-arg]
    def __str__(self) -> str:
        return "<ItemsViewHDF5>"

    __repr__ = __str__
