"""``Group.copy`` and ``Group.create_dataset_like``: objects re-created through the write API.

``H5Ocopy`` semantics as h5py exposes them: a group is copied with its members (only its
immediate members with ``shallow``, sub-groups then empty); an object reached twice by
hard links inside the copied tree is copied once and linked twice; soft and external
links are kept as links unless expanded; attributes are copied unless ``without_attrs``;
a dataset keeps its type, shape, maximum shape, chunking, filters and fill value, and
only the data that was written (unallocated chunks stay unallocated).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..dtypes import numpy_dtype
from .base import Empty, ExternalLink, HLObject, SoftLink


@dataclass
class _Copier:
    shallow: bool
    expand_soft: bool
    expand_external: bool
    without_attrs: bool
    done: dict[tuple[int, int], HLObject] = field(default_factory=dict)
    """(source file id, source address) -> the copy, so shared objects stay shared."""

    def copy(self, obj: HLObject, parent: Any, name: str, depth: int) -> HLObject:
        from .dataset import Dataset
        from .datatype import Datatype, commit_datatype
        from .group import Group

        key = (id(obj.file._state), obj._info.address)
        if key in self.done:
            parent[name] = self.done[key]
            return self.done[key]
        if isinstance(obj, Group):
            new: HLObject = parent.create_group(name)
            self.done[key] = new
            if not (self.shallow and depth > 0):
                self._members(obj, new, depth)
        elif isinstance(obj, Dataset):
            new = self._dataset(obj, parent, name)
            self.done[key] = new
        elif isinstance(obj, Datatype):
            new = commit_datatype(parent, name, obj.dtype)
            self.done[key] = new
        else:
            raise TypeError(f"Unable to copy object of type {type(obj).__name__}")
        if not self.without_attrs:
            _copy_attrs(obj, new)
        return new

    def _members(self, src: Any, dst: Any, depth: int) -> None:
        for name, link in sorted(src._links().entries.items()):
            if link.kind == "hard":
                self.copy(src._follow(link, 0), dst, name, depth + 1)
            elif link.kind == "soft":
                if self.expand_soft and name in src:
                    self.copy(src[name], dst, name, depth + 1)
                else:
                    dst[name] = SoftLink(link.target or "")
            elif link.kind == "external":
                if self.expand_external and name in src:
                    self.copy(src[name], dst, name, depth + 1)
                else:
                    dst[name] = ExternalLink(link.external_file or "", link.target or "")

    def _dataset(self, src: Any, parent: Any, name: str) -> Any:
        from .dataset import create_dataset

        st = src._storage
        dtype: Any = src.dtype
        committed = src._info.committed_datatype_address()
        if committed is not None:
            key = (id(src.file._state), committed)
            copied = self.done.get(key)
            if copied is None and src.file._state is parent.file._state:
                copied = src.file._object(committed, None)
            if copied is not None and copied.file._state is parent.file._state:
                dtype = copied
        kw: dict[str, Any] = {}
        if st.is_null:
            return create_dataset(parent, name, data=Empty(src.dtype), dtype=dtype)
        if src.chunks is not None:
            kw.update(
                chunks=src.chunks,
                compression=src.compression if src.compression != "unknown" else None,
                compression_opts=src.compression_opts if src.compression != "unknown" else None,
                shuffle=src.shuffle,
                fletcher32=src.fletcher32,
                scaleoffset=src.scaleoffset,
            )
            if src.maxshape != src.shape:
                kw["maxshape"] = src.maxshape
        if st.fill_bytes() is not None:
            kw["fillvalue"] = src.fillvalue
        new = create_dataset(parent, name, src.shape, dtype, **kw)
        if src.shape == ():
            new[()] = src[()]
        elif src.chunks is not None:
            table = st.chunk_table()
            shape = src.shape
            for origin in table.offsets:
                region = tuple(
                    slice(int(o), min(int(o) + c, n)) for o, c, n in zip(origin, src.chunks, shape)
                )
                new[region] = src[region]
        elif _has_data(st):
            new[...] = src[...]
        return new


def _has_data(st: Any) -> bool:
    layout = st.layout
    if st.layout_class == "compact" or (st.efl is not None and st.efl.slots):
        return True
    return layout.address is not None and not st.fs.ctx.is_undefined(layout.address)


def _copy_attrs(src: Any, dst: Any) -> None:
    for name in src.attrs:
        entry = src.attrs.get_id(name)
        dst.attrs.create(name, src.attrs[name], dtype=numpy_dtype(entry.datatype))


def copy(
    group: Any,
    source: Any,
    dest: Any,
    name: str | None = None,
    shallow: bool = False,
    expand_soft: bool = False,
    expand_external: bool = False,
    expand_refs: bool = False,
    without_attrs: bool = False,
) -> None:
    """h5py's ``Group.copy`` (see there)."""
    from .group import Group, _writer

    if isinstance(source, HLObject):
        src_obj = source
    else:
        src_obj = group[source]
    if isinstance(dest, Group):
        dest_group = dest
        if name is not None:
            dest_path = name
        else:
            src_name = src_obj.name if isinstance(source, HLObject) else group[source].name
            dest_path = posixpath.basename(src_name or "")
    elif isinstance(dest, HLObject):
        raise TypeError("Destination must be group")
    else:
        dest_group, dest_path = group, dest
    _writer(dest_group, "copy object")
    if not dest_path:
        raise ValueError("Unable to synchronously copy object (no destination name)")
    if dest_path in dest_group:
        raise ValueError("Unable to synchronously copy object (destination object already exists)")
    parent, base = dest_group._create_parent(dest_path, "copy object")
    copier = _Copier(shallow, expand_soft, expand_external, without_attrs)
    copier.copy(src_obj, parent, base, 0)


def create_dataset_like(group: Any, name: str | None, other: Any, **kwupdate: Any) -> Any:
    """h5py's ``Group.create_dataset_like``: shape, dtype, chunking, filters, fill value
    (and maxshape when it differs from shape) taken from ``other`` unless given."""
    for key in (
        "shape",
        "dtype",
        "chunks",
        "compression",
        "compression_opts",
        "scaleoffset",
        "shuffle",
        "fletcher32",
        "fillvalue",
    ):
        kwupdate.setdefault(key, getattr(other, key))
    kwupdate.setdefault("track_order", bool(other._info.header.flags & 0x04))
    if other.maxshape != other.shape:
        kwupdate.setdefault("maxshape", other.maxshape)
    if isinstance(kwupdate.get("fillvalue"), np.ndarray) and kwupdate["fillvalue"].shape == ():
        kwupdate["fillvalue"] = kwupdate["fillvalue"][()]
    return group.create_dataset(name, **kwupdate)
