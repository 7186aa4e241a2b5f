"""Writing virtual datasets, with h5py's ``VirtualSource``, ``VirtualLayout`` and
``Group.create_virtual_dataset``.

Selections on either side are h5py index expressions of integers and slices (steps
allowed); they are stored as libhdf5 stores them for the earliest formats (version 1
hyperslab block lists, "all" for an unindexed source).  A source in the virtual
dataset's own file (the same file name as given to ``File``) is stored as ".", as h5py
does.  Unlimited mappings (``h5py.h5s.UNLIMITED`` in a selection) are not supported.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import numpy as np

from ..errors import UnsupportedFeatureError
from ..format.selection_codec import SelectionType, SerializedSelection
from ..format.vds import VirtualMapping
from ..selection import select
from ..selection.indexers import IntIndexer, SliceIndexer

_MAX_COORD = 1 << 32
"""Version 1 selections store coordinates in 4 bytes."""


def _serialize(key: Any, shape: tuple[int, ...]) -> tuple[SerializedSelection, int]:
    """The stored form of ``key`` on ``shape`` and how many elements it selects."""
    if key is None or key == () or key is Ellipsis:
        return SerializedSelection(SelectionType.ALL, 0), int(np.prod(shape, dtype=np.int64))
    sel = select(key, shape)
    if sel.points is not None:
        raise TypeError("Virtual dataset selections must be integers and slices")
    per_axis: list[list[tuple[int, int]]] = []
    for ax in sel.axes:
        if isinstance(ax, IntIndexer):
            per_axis.append([(ax.index, ax.index)])
        elif isinstance(ax, SliceIndexer):
            n = len(range(ax.start, ax.start + ax.step * ax._count, ax.step))
            if n == 0:
                per_axis.append([])
            elif ax.step == 1:
                per_axis.append([(ax.start, ax.start + n - 1)])
            else:
                per_axis.append([(ax.start + k * ax.step,) * 2 for k in range(n)])
        else:
            raise TypeError("Virtual dataset selections must be integers and slices")
    count = int(np.prod([sum(e - s + 1 for s, e in axis) for axis in per_axis], dtype=np.int64))
    if any(e >= _MAX_COORD for axis in per_axis for _, e in axis):
        raise ValueError("Virtual dataset selections beyond 2**32 are not supported")
    blocks = tuple(
        (tuple(b[0] for b in combo), tuple(b[1] for b in combo))
        for combo in itertools.product(*per_axis)
    )
    kind = SelectionType.HYPERSLABS if blocks else SelectionType.NONE
    return SerializedSelection(kind, len(shape), blocks=blocks or None), count


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
        from .dataset import Dataset

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
        self.maxshape = self._extent if maxshape is None else tuple(maxshape)
        self.sel: Any = None
        """The index expression applied (None: the whole dataset)."""

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the selected part (the whole source until indexed), as h5py's."""
        if self.sel is None:
            return self._extent
        # a zero-strided view: the numpy shape of the selection without allocating it
        return tuple(np.broadcast_to(np.uint8(0), self._extent)[self.sel].shape)

    def __getitem__(self, key: Any) -> VirtualSource:
        if self.sel is not None:
            raise RuntimeError("VirtualSource objects can only be sliced once.")
        _serialize(key, self._extent)  # validate now, as h5py does
        copy = VirtualSource.__new__(VirtualSource)
        copy.__dict__.update(self.__dict__)
        copy.sel = key
        return copy

    @property
    def _selection(self) -> tuple[SerializedSelection, int]:
        return _serialize(self.sel, self._extent)


class VirtualLayout:
    """The shape, type and mappings of a virtual dataset to create (h5py's
    ``VirtualLayout``): ``layout[sel] = source``."""

    def __init__(
        self, shape: Any, dtype: Any, maxshape: Any = None, filename: str | None = None
    ) -> None:
        self.shape: tuple[int, ...] = (int(shape),) if np.ndim(shape) == 0 else tuple(shape)
        self.dtype = dtype  # (as given, like h5py's)
        self.maxshape = (maxshape,) if isinstance(maxshape, int) else maxshape
        if maxshape is not None and any(m is None for m in self.maxshape):
            raise UnsupportedFeatureError("unlimited virtual datasets cannot be written yet")
        self._filename = filename
        self.sources: list[tuple[SerializedSelection, int, VirtualSource]] = []

    def __setitem__(self, key: Any, source: VirtualSource) -> None:
        vsel, vcount = _serialize(key, self.shape)
        _, scount = source._selection
        if vcount != scount:
            raise ValueError(
                "Unable to set virtual mapping (virtual and source space selections have "
                f"different numbers of elements: {vcount} and {scount})"
            )
        self.sources.append((vsel, vcount, source))

    def _mappings(self, dst_filename: str) -> list[VirtualMapping]:
        if self._filename is not None and os.fspath(self._filename) != dst_filename:
            raise ValueError(f"{dst_filename!r} != {self._filename!r}")
        out = []
        for vsel, _, src in self.sources:
            path = "." if dst_filename and src.path == dst_filename else src.path
            out.append(VirtualMapping(path, src.name, src._selection[0], vsel))
        return out


def create_virtual_dataset(
    group: Any, name: str | None, layout: VirtualLayout, fillvalue: Any
) -> Any:
    """``Group.create_virtual_dataset``: a dataset whose elements come from the layout's
    sources, ``fillvalue`` (default 0) where none maps."""
    from dataclasses import replace

    from ..dtypes import datatype_for, fill_value_bytes
    from ..lowlevel.create import DatasetPlan, dataset_messages, store_vds_mappings
    from ..lowlevel.links import LinkEntry
    from .group import _join, _writer

    writer = _writer(group, "create dataset")
    datatype = datatype_for(np.dtype(layout.dtype), libver_low=writer.versions.low)
    fill = None if fillvalue is None else fill_value_bytes(fillvalue, datatype, writer.heap)
    mappings = layout._mappings(group.file.filename)
    parent = None
    if name is not None:
        parent, base = group._create_parent(name, "create dataset")
        if parent._link(base) is not None:
            raise ValueError("Unable to synchronously create dataset (name already exists)")
    plan = DatasetPlan(
        shape=layout.shape,
        maxshape=layout.shape if layout.maxshape is None else tuple(layout.maxshape),
        datatype=datatype,
        chunks=None,
        fill=fill,
    )
    with writer.lock:
        plan = replace(plan, virtual=store_vds_mappings(writer, mappings))
        model = writer.new_object(
            dataset_messages(writer.ctx, plan, writer.versions),
            min_area=256,
            track_order=False,  # h5py creates virtual datasets untracked
        )
        if parent is None:
            from ..lowlevel.anonymous import register_anonymous

            register_anonymous(writer, model.address)
        else:
            writer.add_link(parent._info.address, LinkEntry(base, "hard", address=model.address))
    path = None if parent is None else _join(parent.name, base)
    return group.file._object(model.address, path)
