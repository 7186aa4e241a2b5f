"""Writing virtual datasets, with h5py's ``VirtualSource``, ``VirtualLayout`` and
``Group.create_virtual_dataset``.

Selections on either side are h5py index expressions of integers, slices (steps
allowed) and increasing index lists; a slice stopping at ``h5py.h5s.UNLIMITED`` (on one
axis) makes the mapping unlimited: the virtual dataset grows with its sources.  They are
stored as libhdf5 stores them for the file's format bound (hyperslab versions 1-3, "all"
for an unindexed source).  A source in the virtual dataset's own file (the same file name
as given to ``File``) is stored as ".", as h5py does.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from ..lowlevel.paths import join
from ..lowlevel.specs import VirtualSourceSpec, VirtualSpec
from ..selection.regions import UNLIMITED, SerializedSelection, serialize_mapping
from .dataset import Dataset

if TYPE_CHECKING:
    from .group import Group


class VirtualSource:
    """A source dataset of a virtual dataset (h5py's ``VirtualSource``): a dataset, or
    a file name and a dataset path with its ``shape``; index it to map part of it."""

    def __init__(
        self,
        path_or_dataset: Any,
        name: str | None = None,
        shape: Any = None,
        dtype: Any = None,
        maxshape: Any = None,
    ) -> None:
        if isinstance(path_or_dataset, Dataset):
            if any(v is not None for v in (name, shape, dtype, maxshape)):
                raise TypeError(
                    "If a Dataset is passed as the first argument then no other arguments "
                    "may be passed."
                )
            dset = path_or_dataset
            path, name = dset.file.filename, dset.name
            shape, dtype, maxshape = dset.shape, dset.dtype, dset.maxshape
        else:
            path = os.fspath(path_or_dataset)
            if isinstance(path, bytes):
                path = path.decode("utf-8", "surrogateescape")
            if name is None:
                raise TypeError("The name parameter is required when specifying a path")
            if shape is None:
                raise TypeError("The shape parameter is required when specifying a path")
        self.path: str = str(path)
        self.name: str = str(name)
        self._extent: tuple[int, ...] = (int(shape),) if np.ndim(shape) == 0 else tuple(shape)
        """The source dataset's shape (``shape`` is that of the selected part)."""
        self.dtype = None if dtype is None else np.dtype(dtype)
        if maxshape is None:
            self.maxshape: tuple[int | None, ...] = self._extent
        elif np.ndim(maxshape) == 0:
            self.maxshape = (int(maxshape),)
        else:
            self.maxshape = tuple(None if m is None else int(m) for m in maxshape)
        self.sel: Any = None
        """The index expression applied (None: the whole dataset)."""

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the selected part (the whole source until indexed), as h5py's."""
        if self.sel is None:
            return self._extent
        # a zero-strided view: the numpy shape of the selection without allocating it
        key = self.sel if isinstance(self.sel, tuple) else (self.sel,)
        key = tuple(
            slice(k.start, None, k.step) if isinstance(k, slice) and k.stop == UNLIMITED else k
            for k in key
        )
        return tuple(np.broadcast_to(np.uint8(0), self._extent)[key].shape)

    def __getitem__(self, key: Any) -> VirtualSource:
        if self.sel is not None:
            raise RuntimeError("VirtualSource objects can only be sliced once.")
        serialize_mapping(key, self._extent)  # validate now, as h5py does
        copy = VirtualSource.__new__(VirtualSource)
        copy.__dict__.update(self.__dict__)
        copy.sel = key
        return copy

    @property
    def _selection(self) -> tuple[SerializedSelection, int]:
        return serialize_mapping(self.sel, self._extent)

    @property
    def _has_printf(self) -> bool:
        """Whether the source file or dataset name holds a ``%b`` block number."""
        return any("%b" in n.replace("%%", "") for n in (self.path, self.name))


class VirtualLayout:
    """The shape, type and mappings of a virtual dataset to create (h5py's
    ``VirtualLayout``): ``layout[sel] = source``."""

    def __init__(
        self, shape: Any, dtype: Any, maxshape: Any = None, filename: str | None = None
    ) -> None:
        self.shape: tuple[int, ...] = (int(shape),) if np.ndim(shape) == 0 else tuple(shape)
        self.dtype = dtype  # (as given, like h5py's)
        self.maxshape = (maxshape,) if isinstance(maxshape, int) else maxshape
        self._filename = filename
        self.sources: list[tuple[SerializedSelection, int, VirtualSource]] = []

    def __setitem__(self, key: Any, source: VirtualSource) -> None:
        vsel, vcount = serialize_mapping(key, self.shape)
        ssel, scount = source._selection
        v_unlimited, s_unlimited = _is_unlimited(vsel), _is_unlimited(ssel)
        if v_unlimited and not s_unlimited and not source._has_printf:
            raise ValueError(
                "Invalid mapping entry (unlimited virtual selection, limited source "
                "selection, and no printf specifiers in source names)"
            )
        if v_unlimited and s_unlimited and vcount != scount:
            raise ValueError(
                "Invalid mapping selections (numbers of elements in the non-unlimited "
                "dimensions is different for source and virtual spaces)"
            )
        if not v_unlimited and (s_unlimited or vcount != scount):
            raise ValueError(
                "Invalid mapping selections (virtual and source space selections have "
                f"different numbers of elements: {vcount} and "
                f"{'unlimited' if s_unlimited else scount})"
            )
        self.sources.append((vsel, vcount, source))

    def _sources(self, dst_filename: str) -> tuple[VirtualSourceSpec, ...]:
        if self._filename is not None and os.fspath(self._filename) != dst_filename:
            raise ValueError(f"{dst_filename!r} != {self._filename!r}")
        out = []
        for vsel, _, src in self.sources:
            path = "." if dst_filename and src.path == dst_filename else src.path
            out.append(VirtualSourceSpec(path, src.name, src._selection[0], vsel))
        return tuple(out)


def _is_unlimited(sel: SerializedSelection) -> bool:
    rg = sel.regular
    return rg is not None and (None in rg.count or None in rg.block)


def create_virtual_dataset(
    group: Group, name: str | None, layout: VirtualLayout, fillvalue: Any
) -> Any:
    """``Group.create_virtual_dataset``: a dataset whose elements come from the layout's
    sources, ``fillvalue`` (default 0) where none maps."""
    writer = group._session("create dataset")
    spec = VirtualSpec(
        shape=layout.shape,
        maxshape=layout.shape if layout.maxshape is None else tuple(layout.maxshape),
        dtype=np.dtype(layout.dtype),
        sources=layout._sources(group.file.filename),
        fillvalue=fillvalue,
    )
    prepared = writer.prepare_virtual(spec)
    parent = None
    if name is not None:
        parent, base = group._new_link_place(name, "create dataset")
    address = writer.create_virtual_dataset(
        None if parent is None else parent._info.address,
        None if parent is None else base,
        prepared,
        spec,
    )
    path = None if parent is None else join(parent.name, base)
    return group.file._object(address, path)
