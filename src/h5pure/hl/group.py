"""Groups: dictionary-like containers of links, with h5py's semantics."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..dtypes import Reference, RegionReference
from ..errors import ClosedObjectLookupError
from ..lowlevel.chunkcache import ChunkCacheSettings
from ..lowlevel.dataset import configure_chunk_cache, configure_prefixes, dataset_cache_settings
from ..lowlevel.links import LinkEntry, LinkTable, find_link
from ..lowlevel.objects import ObjectInfo
from ..lowlevel.paths import Resolved, follow_link, join, resolve
from .base import HLObject
from .dataset import Dataset
from .datatype import Datatype, commit_datatype
from .values import ExternalLink, HardLink, MappingViews, SoftLink

if TYPE_CHECKING:
    from ..lowlevel.chunkcache import ChunkCacheSettings
    from .virtual import VirtualLayout


class ExternalAccess(NamedTuple):
    """How files reached through external links are opened (``Group.get``'s ``elink_*``
    keywords); None fields inherit the linking file's."""

    mode: str | None
    swmr: bool | None
    locking: Any


def external_access(file: Any, mode: Any, swmr: Any, locking: Any) -> ExternalAccess | None:
    """h5py's checks of ``elink_mode``, ``elink_swmr``, ``elink_locking`` against the file
    the traversal starts in; None when none is given."""
    if mode is None and swmr is None and locking is None:
        return None
    if file.mode == "r" and mode == "r+":
        raise ValueError(
            "Opening external links in write mode from a file opened in read-only mode is "
            "not supported"
        )
    if mode is not None or swmr is not None:
        want_mode = file.mode if mode is None else mode
        want_swmr = file.swmr_mode if swmr is None else swmr
        if file.mode == "r+" and file.swmr_mode and (want_mode != "r+" or not want_swmr):
            raise ValueError(
                "Changing external links access mode from a file opened in SWMR write mode "
                "is not supported"
            )
        if want_mode not in ("r", "r+"):
            raise RuntimeError(f"Unsupported link access mode: {want_mode}")
    return ExternalAccess(mode, swmr, locking)


class Group(HLObject, MappingViews, MutableMapping):  # type: ignore[type-arg]
    """A group: ``g[name]``, iteration over member names, ``in``, ``get``, ``visit``..."""

    kind = "group"

    # -- links ------------------------------------------------------------------------
    def _links(self) -> LinkTable:
        return self._fs.links(self._info)

    def _link(self, name: str) -> LinkEntry | None:
        return find_link(self._fs, self._info, name)

    # -- traversal -------------------------------------------------------------------
    def _at(self, found: Resolved) -> HLObject:
        """The object a traversal from this group ended at."""
        file = found.handle if found.handle is not None else self.file
        return file._object(found.address, found.path)  # type: ignore[no-any-return]

    def _traverse(self, path: str, access: ExternalAccess | None = None) -> HLObject:
        found = resolve(
            self._fs,
            self._info.address,
            self.name or "/",
            path,
            self.file._external_opener(access),
        )
        return self._at(found)

    def _follow(self, link: LinkEntry) -> HLObject:
        """The object ``link`` (one of this group's links) leads to."""
        found = follow_link(
            self._fs, self._info.address, self.name or "/", link, self.file._external_opener()
        )
        return self._at(found)

    # -- mapping interface ------------------------------------------------------------
    def __getitem__(self, name: Any) -> Any:
        return self._lookup(name)

    def _lookup(self, name: Any, access: ExternalAccess | None = None) -> Any:
        if not self._file._is_open:
            raise ClosedObjectLookupError("Unable to open object (the file is closed)")
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
        return self._traverse(name, access)

    def _parent_and_base(self, name: str) -> tuple[Any, str]:
        """The group that holds the last link of ``name``, and that link's name."""
        parent, _, base = name.rstrip("/").rpartition("/")
        if parent:
            return self[parent], base
        return (self.file._root() if name.startswith("/") else self), base

    def __contains__(self, name: object) -> bool:
        if isinstance(name, bytes):
            name = name.decode("utf-8", "surrogateescape")
        if not self._file._is_open:
            return False
        if not isinstance(name, str):
            raise TypeError(f"A name should be string or bytes, not {type(name)}")
        if not name:
            return False
        parts = [p for p in name.split("/") if p and p != "."]
        if not parts:
            return True  # "/", "//", ".", ".///": the root or this group
        name = ("/" if name.startswith("/") else "") + "/".join(parts)
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

    def get(
        self,
        name: str,
        default: Any = None,
        getclass: bool = False,
        getlink: bool = False,
        elink_mode: str | None = None,
        elink_locking: Any = None,
        elink_swmr: bool | None = None,
    ) -> Any:
        """Like h5py's: the object, its class, its link, or the link's class.
        ``elink_mode`` ("r", "r+"), ``elink_swmr`` and ``elink_locking`` say how files
        reached through external links are opened (default: as this file)."""
        access = external_access(self._file, elink_mode, elink_swmr, elink_locking)
        if not (getclass or getlink):
            try:
                return self._lookup(name, access)
            except KeyError:
                return default
        if name not in self:
            return default
        if getlink:
            if isinstance(name, bytes):
                name = name.decode("utf-8", "surrogateescape")
            name = _drop_dots(name)
            if name.strip("/") in ("", "."):
                # libhdf5's H5Lget_info has no link to describe for "." or "/"
                raise RuntimeError("Unable to get link info (name doesn't exist)")
            grp, base = self._parent_and_base(name)
            link = grp._link(base)
            if link is None:  # checked by ``in`` above
                return default
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
            obj = self._lookup(name, access)
        except KeyError as e:
            # h5py reports a dangling link here through libhdf5's H5Oget_info failure
            raise RuntimeError(f"Can't get deprecated info for object ({e})") from None
        for cls in (Group, Dataset, Datatype):
            if isinstance(obj, cls):
                return cls
        raise TypeError("Unknown object type")

    # -- visiting ----------------------------------------------------------------------
    def visit(self, func: Callable[[str], Any]) -> Any:
        """Call ``func(name)`` for every object below this group (each object once);
        stop when ``func`` returns something other than None, and return that.

        Names only: no object is opened, and an object's header is only scanned for its
        message types (group or not) -- unless a writer or a SWMR reader holds the file,
        where the objects are opened as :meth:`visititems` does."""
        fs = self._fs
        if fs.writer is not None or fs.swmr:
            return self.visititems(lambda name, obj: func(name))
        seen = {self._info.address}

        def walk(info: ObjectInfo, prefix: str) -> Any:
            for name, link in _by_name_in(fs.links(info)):
                if link.kind != "hard":
                    continue
                address = int(link.address or 0)
                if address in seen:
                    continue
                kind = _target_kind(fs, address)
                seen.add(address)
                rel = f"{prefix}{name}"
                ret = func(rel)
                if ret is not None:
                    return ret
                if kind == "group":
                    ret = walk(ObjectInfo(fs, address), rel + "/")
                    if ret is not None:
                        return ret
            return None

        self.file._check_open()
        return walk(self._info, "")

    def visititems(self, func: Callable[[str, Any], Any]) -> Any:
        """Call ``func(name, obj)`` for every object below this group (names relative to it,
        each object once); stop when ``func`` returns something other than None, and
        return that."""
        seen = {self._info.address}

        def walk(grp: Group, prefix: str) -> Any:
            for name, link in _by_name(grp):
                if link.kind != "hard":
                    continue
                rel = f"{prefix}{name}"
                obj = grp._follow(link)
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
        """Call ``func(name, link)`` for every link below this group (a ``HardLink``,
        ``SoftLink`` or ``ExternalLink``); stop when ``func`` returns something
        other than None, and return that."""
        seen = {self._info.address}
        fs = self._fs
        # as ``visit``: a hard link's target is only scanned for its kind (a group is
        # entered, nothing else is opened) unless a writer or a SWMR reader holds the file
        names_only = fs.writer is None and not fs.swmr

        def walk(grp: Group, prefix: str) -> Any:
            for name, link in _by_name(grp):
                rel = f"{prefix}{name}"
                ret = func(rel, _link_object(link))
                if ret is not None:
                    return ret
                if link.kind != "hard":
                    continue
                if names_only:
                    address = int(link.address or 0)
                    if _target_kind(fs, address) != "group" or address in seen:
                        continue
                    obj: Any = Group(grp.file, ObjectInfo(fs, address), join(grp.name or "/", name))
                else:
                    obj = grp._follow(link)
                    if not isinstance(obj, Group) or obj._info.address in seen:
                        continue
                seen.add(obj._info.address)
                ret = walk(obj, rel + "/")
                if ret is not None:
                    return ret
            return None

        if names_only:
            self.file._check_open()
        return walk(self, "")

    # -- writing ------------------------------------------------------------------
    def create_group(self, name: str | None, track_order: bool | None = None) -> Group:
        """Create a group (and any missing intermediate groups) at ``name``; ``None``
        creates an anonymous group (no link: link it with ``g[name] = group``)."""
        writer = self._session("create group")
        if name is None:
            address = writer.create_group(None, None, track_order=bool(track_order))
            return Group(self.file, ObjectInfo(writer.fs, address, created=True), None)
        parent, base = self._new_link_place(name, "create group")
        # h5py's default (h5.get_config().track_order) is False; File(track_order=) only
        # orders the root group
        address = writer.create_group(parent._info.address, base, track_order=bool(track_order))
        return Group(
            self.file, ObjectInfo(writer.fs, address, created=True), join(parent.name, base)
        )

    def _create_parent(self, name: str, what: str) -> tuple[Group, str]:
        """The group that will hold ``name``'s last component (created as needed)."""
        if isinstance(name, bytes):
            name = name.decode("utf-8", "surrogateescape")
        if not isinstance(name, str):
            raise TypeError(f"A name should be string or bytes, not {type(name)}")
        parts = [p for p in name.split("/") if p and p != "."]
        if not parts:
            raise ValueError(
                f"Unable to synchronously {what} (name parameter cannot be an empty string)"
            )
        cur: Group = self.file._root() if name.startswith("/") else self
        for part in parts[:-1]:
            link = cur._link(part)
            if link is None:
                cur = cur.create_group(part)
            else:
                nxt = cur._follow(link)
                if not isinstance(nxt, Group):
                    raise ValueError(f"Unable to synchronously {what} (parent is not a group)")
                cur = nxt
        return cur, parts[-1]

    def _new_link_place(self, name: str, what: str) -> tuple[Group, str]:
        """Where a new object named ``name`` gets its link: the parent group (made with any
        missing intermediate groups) and the link's name, which must be free."""
        parent, base = self._create_parent(name, what)
        if parent._link(base) is not None:
            raise ValueError(f"Unable to synchronously {what} (name already exists)")
        return parent, base

    def require_group(self, name: str) -> Group:
        """The group ``name``, created (with any missing parents) when it does not exist;
        TypeError when something else has the name."""
        if name not in self:
            return self.create_group(name)
        grp = self[name]
        if not isinstance(grp, Group):
            raise TypeError(f"Incompatible object ({type(grp).__name__}) already exists")
        return grp

    def create_dataset(
        self, name: str | None, shape: Any = None, dtype: Any = None, data: Any = None, **kwds: Any
    ) -> Any:
        """Create a dataset, as h5py's ``create_dataset`` (shape, dtype, data, chunks,
        maxshape, compression, compression_opts, shuffle, fletcher32, scaleoffset,
        fillvalue..., and ``dcpl``, a dataset creation property list of the h5py facade:
        with ``dcpl.set_layout(h5d.COMPACT)`` the values live in the object header)."""
        access = _DatasetAccess.take(kwds)
        from .create import create_dataset  # the writer's modules load on first use

        dset = create_dataset(self, name, shape, dtype, data, **kwds)
        access.apply(dset)
        return dset

    def create_virtual_dataset(
        self, name: str | None, layout: VirtualLayout, fillvalue: Any = None
    ) -> Any:
        """A virtual dataset mapping the sources of ``layout`` (a :class:`VirtualLayout`)."""
        from .virtual import create_virtual_dataset

        return create_virtual_dataset(self, name, layout, fillvalue)

    @contextmanager
    def build_virtual_dataset(
        self,
        name: str | None,
        shape: Any,
        dtype: Any,
        maxshape: Any = None,
        fillvalue: Any = None,
    ) -> Iterator[VirtualLayout]:
        """Assemble a virtual dataset in a ``with`` block: the block fills the
        :class:`VirtualLayout` it is given (``layout[sel] = VirtualSource(...)``), and the
        dataset ``name`` is created when the block ends without an error.  Sources in this
        file are stored as ".", so the file may be renamed."""
        from .virtual import VirtualLayout

        layout = VirtualLayout(shape, dtype, maxshape, self.file.filename)
        yield layout
        self.create_virtual_dataset(name, layout, fillvalue)

    def create_dataset_like(self, name: str | None, other: Any, **kwupdate: Any) -> Any:
        """A new dataset shaped, typed, chunked and filtered like ``other`` (keywords win)."""
        from . import copying

        return copying.create_dataset_like(self, name, other, **kwupdate)

    def copy(
        self,
        source: Any,
        dest: Any,
        name: str | None = None,
        shallow: bool = False,
        expand_soft: bool = False,
        expand_external: bool = False,
        expand_refs: bool = False,
        without_attrs: bool = False,
    ) -> None:
        """Copy the object ``source`` (an object or a path here) to ``dest`` (a group, then
        named ``name`` or the source's base name, or a path here), as ``H5Ocopy``."""
        from . import copying

        copying.copy(
            self,
            source,
            dest,
            name,
            shallow=shallow,
            expand_soft=expand_soft,
            expand_external=expand_external,
            expand_refs=expand_refs,
            without_attrs=without_attrs,
        )

    def require_dataset(
        self, name: str, shape: Any, dtype: Any, exact: bool = False, **kwds: Any
    ) -> Any:
        """Open the dataset ``name`` if it matches shape and dtype, else create it."""
        if name not in self:
            return self.create_dataset(name, shape, dtype, **kwds)
        access = _DatasetAccess.take(kwds)
        dset = self[name]
        if not isinstance(dset, Dataset):
            raise TypeError(f"Incompatible object ({type(dset).__name__}) already exists")
        access.apply(dset)
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if shape != dset.shape:
            if "maxshape" not in kwds:
                raise TypeError(f"Shapes do not match (existing {dset.shape} vs new {shape})")
            maxshape = kwds["maxshape"]
            maxshape = (maxshape,) if isinstance(maxshape, int) else tuple(maxshape)
            if maxshape != dset.maxshape:
                raise TypeError(
                    f"Max shapes do not match (existing {dset.maxshape} vs new {maxshape})"
                )
        dtype = np.dtype(dtype)
        if exact:
            if dtype != dset.dtype:
                raise TypeError(
                    f"Datatypes do not exactly match (existing {dset.dtype} vs new {dtype})"
                )
        elif not np.can_cast(dtype, dset.dtype):
            raise TypeError(
                f"Datatypes cannot be safely cast (existing {dset.dtype} vs new {dtype})"
            )
        return dset

    def __setitem__(self, name: str, obj: Any) -> None:
        """h5py's ``g[name] = obj``: hard, soft or external link, committed type, or data."""
        if self._fs.writer is None and isinstance(obj, (HLObject, SoftLink, ExternalLink)):
            # libhdf5 2.0 reports each kind of link through a different error class
            if isinstance(obj, HLObject):
                raise OSError("Unable to create link (no write intent on file)")
            if isinstance(obj, SoftLink):
                raise OSError("Unable to synchronously create soft link (no write intent on file)")
            raise RuntimeError("Unable to create external link (no write intent on file)")
        writer = self._session("create link")
        parent, base = self._create_parent(name, "create link")
        if parent._link(base) is not None:
            raise OSError("Unable to create link (name already exists)")
        where = parent._info.address
        if isinstance(obj, HLObject):
            if obj.file._state is not self.file._state:
                raise ValueError(
                    "Unable to synchronously create link (interfile hard links are not allowed)"
                )
            writer.link_hard(where, base, obj._info.address)
        elif isinstance(obj, SoftLink):
            writer.link_soft(where, base, obj.path)
        elif isinstance(obj, ExternalLink):
            writer.link_external(where, base, obj.filename, obj.path)
        elif isinstance(obj, np.dtype) or (isinstance(obj, type) and issubclass(obj, np.generic)):
            commit_datatype(parent, base, np.dtype(obj))
        else:
            from .create import create_dataset

            create_dataset(parent, base, data=obj)

    def __delitem__(self, name: str) -> None:
        writer = self._fs.writer
        if writer is None:
            raise KeyError("Couldn't delete link (no write intent on file)")
        try:
            parent, base = self._parent_and_base(name)
        except KeyError:
            raise KeyError(
                "Couldn't delete link (callback link pointer is NULL "
                "(specified link may be '.' or not exist))"
            ) from None
        writer.unlink(parent._info.address, base)

    def move(self, source: str, dest: str) -> None:
        """Move the link ``source`` to ``dest`` (both relative to this group)."""
        writer = self._session("move link")
        if source == dest:
            return
        try:
            sparent, sbase = self._parent_and_base(source)
        except KeyError:
            sparent, sbase = None, ""
        link = sparent._link(sbase) if isinstance(sparent, Group) else None
        if link is None:
            raise ValueError(f"Unable to move link (name doesn't exist: '{source}')")
        if dest in self:
            raise ValueError("Unable to move link (an object with that name already exists)")
        dparent, dbase = self._create_parent(dest, "move link")
        writer.move(sparent._info.address, sbase, dparent._info.address, dbase)  # type: ignore[union-attr]

    def __repr__(self) -> str:
        if not self._file._is_open:
            return "<Closed HDF5 group>"
        return f'<HDF5 group "{self.name}" ({len(self)} members)>'


def _drop_dots(name: str) -> str:
    """``name`` without its "." components ("g/./d" is "g/d", "g/." is "g")."""
    if "." not in name or name == ".":
        return name
    parts = [p for p in name.split("/") if p != "."]
    out = "/".join(parts)
    if name.startswith("/") and not out.startswith("/"):
        out = "/" + out
    return out or "."


def _target_kind(fs: Any, address: int) -> str:
    """The kind of a hard link's target by a scan of its header, or for a group by its
    parent's cached symbol table entry (``FileState.object_kind``; entering an object that
    is not a group after all finds no links in it); h5py's TypeError for an object that
    is none of group, dataset, datatype."""
    kind = fs.object_kind(address)
    if kind == "unknown":
        raise TypeError(f"Unknown object type at address 0x{address:x}")
    return str(kind)


def _by_name(grp: Group) -> list[tuple[str, LinkEntry]]:
    """A group's links in name order: h5py's visit functions use libhdf5's name index
    (H5Ovisit/H5Lvisit with H5_INDEX_NAME) even in groups that track creation order."""
    return _by_name_in(grp._links())


def _by_name_in(table: LinkTable) -> list[tuple[str, LinkEntry]]:
    return sorted(table.entries.items(), key=lambda item: item[0].encode("utf-8", "surrogateescape"))


def _link_object(link: LinkEntry) -> Any:
    if link.kind == "soft":
        return SoftLink(link.target or "")
    if link.kind == "external":
        return ExternalLink(link.external_file or "", link.target or "")
    return HardLink()


@dataclass(frozen=True)
class _DatasetAccess:
    """h5py's dataset access keywords of ``create_dataset``/``require_dataset``: the
    chunk cache (``rdcc_nslots``, ``rdcc_nbytes``, ``rdcc_w0``) and the ``efile_prefix``
    and ``virtual_prefix`` directories; kept with the dataset while the file is open."""

    cache: ChunkCacheSettings | None
    efile_prefix: str | None
    virtual_prefix: str | None

    @classmethod
    def take(cls, kwds: dict[str, Any]) -> _DatasetAccess:
        """Take the access keywords out of ``kwds``."""
        cache = dataset_cache_settings(
            kwds.pop("rdcc_nslots", None), kwds.pop("rdcc_nbytes", None), kwds.pop("rdcc_w0", None)
        )
        return cls(
            cache,
            _path_text(kwds.pop("efile_prefix", None)),
            _path_text(kwds.pop("virtual_prefix", None)),
        )

    def apply(self, dset: Any) -> None:
        if self.cache is not None:
            configure_chunk_cache(dset._fs, dset._info.address, self.cache)
        if self.efile_prefix is not None or self.virtual_prefix is not None:
            configure_prefixes(
                dset._fs, dset._info.address, efile=self.efile_prefix, virtual=self.virtual_prefix
            )


def _path_text(value: Any) -> str | None:
    """A directory given as str, bytes or path (None stays None)."""
    return None if value is None else os.fsdecode(value)


def set_link_phase_change(group: Group, max_compact: int = 8, min_dense: int = 6) -> None:
    """Beyond h5py (libhdf5's ``H5Pset_link_phase_change``, which h5py does not expose):
    ``group`` keeps its links as link messages in its header up to ``max_compact`` of
    them and in dense storage (a fractal heap indexed by a v2 B-tree) beyond, going back
    below ``min_dense``.  Values other than libhdf5's 8 and 6 are stored with the group,
    which is then new-style whatever the file's ``libver``.  ``ValueError`` for values
    libhdf5 refuses (above 65535, ``min_dense > max_compact + 1``)."""
    writer = group._session("set link phase change")
    try:
        writer.set_link_phase_change(group._info.address, int(max_compact), int(min_dense))
    except ValueError as e:
        raise ValueError(f"Unable to set link phase change ({e})") from None
