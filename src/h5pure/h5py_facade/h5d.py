"""h5py's ``h5d``: dataset identifiers (``dset.id``) and ``create``/``open``.

``DatasetID`` extends h5pure's own ``dset.id`` (storage size and offset, chunk queries,
direct chunk I/O) with h5py's low-level reads and writes through dataspaces, extent
changes (both onto :meth:`h5pure.hl.Dataset.resize`), and the type, space and property
lists of the dataset.  ``create`` is ``Group.create_dataset`` with the settings of the
type, space and property lists given.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..dtypes import Reference
from ..hl import Empty, VirtualLayout, VirtualSource
from ..hl import ids as hl_ids
from ..hl.create import create_compact_dataset
from ..hl.ids import StoreInfo
from ..lowlevel.chunkcache import ChunkCacheSettings
from ..lowlevel.dataset import configure_chunk_cache, configure_prefixes
from ._ids import ObjectIDMixin, module_getattr
from ._objects import phil, with_phil
from ._wrap import (
    attr_creation_order,
    hl_object,
    object_id,
    register,
    space_of,
    text,
    track_times,
)
from .h5p import PropDAID, PropDCID
from .h5s import ALL as _ALL
from .h5s import SCALAR, SIMPLE, UNLIMITED, SpaceID
from .h5t import TypeID, typewrap

__all__ = ["DatasetID", "StoreInfo", "create", "open", "phil", "with_phil"]

__getattr__ = module_getattr(globals())

COMPACT = 0
CONTIGUOUS = 1
CHUNKED = 2
VIRTUAL = 3
ALLOC_TIME_DEFAULT = 0
ALLOC_TIME_EARLY = 1
ALLOC_TIME_LATE = 2
ALLOC_TIME_INCR = 3
SPACE_STATUS_NOT_ALLOCATED = 0
SPACE_STATUS_PART_ALLOCATED = 1
SPACE_STATUS_ALLOCATED = 2
FILL_TIME_ALLOC = 0
FILL_TIME_NEVER = 1
FILL_TIME_IFSET = 2
FILL_VALUE_UNDEFINED = 0
FILL_VALUE_DEFAULT = 1
FILL_VALUE_USER_DEFINED = 2
VDS_FIRST_MISSING = 0
VDS_LAST_AVAILABLE = 1

_LAYOUT_CODE = {
    "compact": COMPACT,
    "contiguous": CONTIGUOUS,
    "chunked": CHUNKED,
    "virtual": VIRTUAL,
}
_LAYOUT_NAME = {code: name for name, code in _LAYOUT_CODE.items()}
_FILL_TIME_NAME = {FILL_TIME_ALLOC: "alloc", FILL_TIME_NEVER: "never", FILL_TIME_IFSET: "ifset"}


class DatasetID(ObjectIDMixin, hl_ids.DatasetID):
    """A dataset (h5py's ``h5d.DatasetID``)."""

    def __init__(self, dset: Any) -> None:
        hl_ids.DatasetID.__init__(self, dset)
        self._obj = dset

    # -- type, space, property lists -------------------------------------------------------
    def get_type(self) -> TypeID:
        """The dataset's datatype: the committed type it uses, else a transient copy."""
        dset = self._obj
        address = dset._info.committed_datatype_address()
        committed = None if address is None else dset.file[Reference(address)]
        return typewrap(self._storage().datatype, committed=committed)

    def get_space(self) -> SpaceID:
        """A copy of the dataset's dataspace, with its current and maximum shape."""
        return space_of(self._storage().dataspace)

    def get_space_status(self) -> int:
        """Whether file space for the elements is allocated: ``SPACE_STATUS_NOT_ALLOCATED``,
        ``SPACE_STATUS_PART_ALLOCATED`` (some chunks only) or ``SPACE_STATUS_ALLOCATED``."""
        st = self._storage()
        if not st.has_data():
            return SPACE_STATUS_NOT_ALLOCATED
        if st.layout_class == "chunked":
            grid = [-(-n // c) for n, c in zip(st.shape, st.chunk_shape or ())]
            full = int(np.prod(grid, dtype=np.int64))
            have = len(st.chunk_table())
            return SPACE_STATUS_ALLOCATED if have >= full else SPACE_STATUS_PART_ALLOCATED
        return SPACE_STATUS_ALLOCATED

    def get_create_plist(self) -> PropDCID:
        """The dataset's creation settings: layout, chunks, fill value and time, filters."""
        from ..filters.base import stored_filter_name  # (filters load on first use)

        dset = self._obj
        st = self._storage()
        settings: dict[str, Any] = {
            "layout": _LAYOUT_CODE.get(st.layout_class, CONTIGUOUS),
            "filters": tuple(
                (
                    int(f.filter_id),
                    int(f.flags),
                    tuple(int(v) for v in f.client_data),
                    stored_filter_name(f.filter_id, f.name).encode("ascii", "replace"),
                )
                for f in st.filters
            ),
            "obj_track_times": track_times(dset),
            "attr_creation_order": attr_creation_order(dset),
        }
        if st.chunk_shape is not None:
            settings["chunk"] = tuple(st.chunk_shape)
        fill = st.fill_message
        if fill is not None:
            settings["fill_time"] = int(fill.fill_time)
            settings["alloc_time"] = int(fill.alloc_time) or _default_alloc(st.layout_class)
        else:
            settings["alloc_time"] = _default_alloc(st.layout_class)
        if st.fill_bytes() is not None:
            settings["fill_value"] = np.asarray(dset.fillvalue)
        if st.layout_class == "virtual":
            settings["virtual"] = tuple(dset.virtual_sources())
        external = dset.external
        if external:
            settings["external"] = tuple(
                (name.encode("utf-8", "surrogateescape"), off, size) for name, off, size in external
            )
        return PropDCID(**settings)

    def get_access_plist(self) -> PropDAID:
        """The dataset's access settings: its chunk cache, and the directories external
        and virtual source files are looked for in."""
        st = self._storage()
        cache = st.cache_settings
        settings: dict[str, Any] = {"chunk_cache": (cache.nslots, cache.nbytes, cache.w0)}
        for key, table in (
            ("efile_prefix", st.fs.efile_prefixes),
            ("virtual_prefix", st.fs.virtual_prefixes),
        ):
            if st.address in table:
                settings[key] = os.fsencode(table[st.address])
        return PropDAID(**settings)

    # -- direct chunk I/O ------------------------------------------------------------
    def read_direct_chunk(self, offsets: Any, dxpl: Any = None, out: Any = None) -> tuple[int, Any]:
        """``(filter_mask, stored bytes)`` of the chunk at ``offsets``; with ``out`` (a
        writable C-contiguous buffer) the bytes go there, with h5py's errors for others."""
        if out is not None:
            view = memoryview(out)
            if view.readonly:
                raise BufferError("Object is not writable.")
            if not view.c_contiguous:
                raise ValueError("ndarray is not C-contiguous")
        return hl_ids.DatasetID.read_direct_chunk(self, offsets, dxpl, out)

    # -- extent ----------------------------------------------------------------------
    def set_extent(self, shape: Any) -> None:
        """Change the dataset's shape (within its maximum shape)."""
        self._obj.resize(tuple(int(n) for n in shape))

    def extend(self, shape: Any) -> None:
        """Grow the dataset to ``shape`` (no dimension may shrink)."""
        new = tuple(int(n) for n in shape)
        old = self._obj.shape or ()
        if len(new) != len(old):
            raise TypeError(f"New shape length ({len(new)}) must match dataset rank ({len(old)})")
        if any(n < o for n, o in zip(new, old)):
            raise ValueError("Can't shrink a dataset with extend (use set_extent)")
        self._obj.resize(new)

    # -- data ------------------------------------------------------------------------
    def read(
        self, mspace: Any, fspace: Any, arr_obj: np.ndarray, mtype: Any = None, dxpl: Any = None
    ) -> None:
        """Read the elements ``fspace`` selects into those of ``arr_obj`` that ``mspace``
        selects (``h5s.ALL``: the whole dataset / array), converted to ``mtype``."""
        dset = self._obj
        space = self.get_space() if fspace is _ALL else fspace
        key = space.index()
        data = dset[key] if not isinstance(key, np.ndarray) or key.shape else dset[()]
        target_dtype = arr_obj.dtype if mtype is None else _dtype_of(mtype)
        values = np.asarray(data).astype(target_dtype, copy=False)
        if mspace is _ALL:
            arr_obj[...] = values.reshape(arr_obj.shape)
            return
        flat = arr_obj.reshape(-1)
        if not np.shares_memory(flat, arr_obj):
            raise TypeError("Array must be C-contiguous")
        flat[mspace.positions()] = values.reshape(-1)

    def write(
        self, mspace: Any, fspace: Any, arr_obj: Any, mtype: Any = None, dxpl: Any = None
    ) -> None:
        """Write the elements of ``arr_obj`` that ``mspace`` selects to those ``fspace``
        selects (``h5s.ALL``: all of them)."""
        dset = self._obj
        arr = np.asarray(arr_obj)
        values = arr if mspace is _ALL else arr.reshape(-1)[mspace.positions()]
        if fspace is _ALL:
            shape = dset.shape or ()
            dset[...] = values.reshape(shape) if values.size == int(np.prod(shape)) else values
            return
        if fspace.get_select_type() == 1:  # points, in the order selected
            for point, value in zip(fspace._points.tolist(), values.reshape(-1)):
                dset[tuple(point)] = value
            return
        key = fspace.index()
        shape = fspace.guess_shape()
        dset[key] = values.reshape(shape) if shape is not None else values

    def flush(self) -> None:
        """Write pending changes to the file (h5pure commits the whole file's changes, not
        this dataset's alone); nothing to do when the file is read-only."""
        self._obj.flush()

    def refresh(self) -> None:
        """Read the dataset's metadata again from the file, so that a SWMR reader sees
        what the writer has flushed since."""
        self._obj.refresh()


def _default_alloc(layout_class: str) -> int:
    return {"chunked": ALLOC_TIME_INCR, "compact": ALLOC_TIME_EARLY}.get(
        layout_class, ALLOC_TIME_LATE
    )


def _dtype_of(mtype: Any) -> np.dtype:
    return mtype.dtype if isinstance(mtype, TypeID) else np.dtype(mtype)


@register("dataset")
def _dataset_id(dset: Any) -> DatasetID:
    return DatasetID(dset)


def open(loc: Any, name: Any, dapl: Any = None) -> DatasetID:  # noqa: A001 - h5py's name
    """The dataset ``name`` of ``loc``."""
    obj = hl_object(loc, "location")[text(name)]
    if obj.kind != "dataset":
        raise TypeError(f"{text(name)!r} is not a dataset")
    if dapl is not None:
        _apply_dapl(obj, dapl)
    return object_id(obj)  # type: ignore[no-any-return]


def _apply_dapl(dset: Any, dapl: Any) -> None:
    """Give ``dset`` what ``dapl`` sets: chunk cache, external and virtual prefixes."""
    settings = dapl.changed()
    extra = sorted(set(settings) - {"chunk_cache", "efile_prefix", "virtual_prefix"})
    if extra:
        raise NotImplementedError(
            f"h5py.h5d.open: dataset access settings {extra} are not provided by h5pure's "
            "h5py facade"
        )
    if "chunk_cache" in settings:
        nslots, nbytes, w0 = settings["chunk_cache"]
        configure_chunk_cache(
            dset._fs, dset._info.address, ChunkCacheSettings().updated(nslots, nbytes, w0)
        )
    prefixes = {
        k: os.fsdecode(settings[k]) for k in ("efile_prefix", "virtual_prefix") if k in settings
    }
    if prefixes:
        configure_prefixes(
            dset._fs,
            dset._info.address,
            efile=prefixes.get("efile_prefix"),
            virtual=prefixes.get("virtual_prefix"),
        )


def create(
    loc: Any,
    name: Any,
    tid: Any,
    space: Any,
    dcpl: Any = None,
    lcpl: Any = None,
    dapl: Any = None,
) -> DatasetID:
    """A new dataset ``name`` of ``loc`` (anonymous when ``name`` is None) of type
    ``tid`` and dataspace ``space``, with the settings of ``dcpl`` (layout, chunks, fill
    value and time, filters, time tracking, attribute order).  ``lcpl`` and ``dapl`` are
    accepted and ignored."""
    group = hl_object(loc, "location")
    kind = space.get_simple_extent_type()
    dtype = tid.dtype if isinstance(tid, TypeID) else np.dtype(tid)
    kwds: dict[str, Any] = {}
    if kind == SIMPLE:
        kwds["shape"] = space.get_simple_extent_dims()
        maxshape = space.get_simple_extent_dims(True)
        if maxshape != kwds["shape"]:
            kwds["maxshape"] = tuple(None if m == UNLIMITED else m for m in maxshape)
    elif kind == SCALAR:
        kwds["shape"] = ()
    else:
        kwds["data"] = Empty(dtype)
    if dcpl is not None and dcpl.get_layout() == VIRTUAL:
        dset = _create_virtual(group, name, dtype, space, dcpl)
        return object_id(dset)  # type: ignore[no-any-return]
    if dcpl is not None:
        kwds.update(dcpl_keywords(dcpl, dtype))
    name = None if name is None else text(name)
    if dcpl is not None and dcpl.get_layout() == COMPACT:
        # h5py's high-level API has no compact keyword: a dcpl is the way there
        dset = create_compact_dataset(group, name, dtype=dtype, **kwds)
    else:
        dset = group.create_dataset(name, dtype=dtype, **kwds)
    return object_id(dset)  # type: ignore[no-any-return]


def _create_virtual(group: Any, name: Any, dtype: np.dtype, space: Any, dcpl: Any) -> Any:
    """``h5d.create`` of a virtual dataset: the mappings of ``dcpl.set_virtual`` as an
    h5pure :class:`~h5pure.hl.VirtualLayout` (``Group.create_virtual_dataset``)."""
    settings = dcpl.changed()
    extra = sorted(set(settings) - {"layout", "virtual", "fill_value"})
    if extra:
        raise NotImplementedError(
            f"h5py.h5d.create: settings {extra} of a virtual dataset are not provided"
        )
    shape = space.get_simple_extent_dims()
    maxshape = tuple(None if m == UNLIMITED else m for m in space.get_simple_extent_dims(True))
    layout = VirtualLayout(shape, dtype, maxshape=maxshape if maxshape != shape else None)
    for m in settings["virtual"]:
        space = m.src_space
        # libhdf5 lets a source selection reach past the source's current extent (up to
        # where it may grow): the source is described as large enough to hold it
        extent = list(space.shape)
        bounds = space.get_select_bounds()
        if bounds is not None:
            extent = [n if e == UNLIMITED else max(n, e + 1) for n, e in zip(extent, bounds[1])]
        source = VirtualSource(m.file_name, m.dset_name, shape=tuple(extent))
        layout[m.vspace.index()] = source[space.index()]
    fill = settings.get("fill_value")
    fillvalue = None if fill is None else np.asarray(fill).astype(dtype).reshape(-1)[0]
    return group.create_virtual_dataset(
        None if name is None else text(name), layout, fillvalue=fillvalue
    )


_HONOURED = {
    "layout",
    "chunk",
    "fill_value",
    "fill_time",
    "alloc_time",
    "filters",
    "obj_track_times",
    "attr_creation_order",
    "external",
}


def dcpl_keywords(dcpl: Any, dtype: np.dtype | None) -> dict[str, Any]:
    """``create_dataset`` keywords for what ``dcpl`` sets (its fill value converted to
    ``dtype`` unless that is None); refuses what h5pure cannot."""
    settings = dcpl.changed()
    extra = sorted(set(settings) - _HONOURED)
    if extra:
        raise NotImplementedError(
            f"h5py.h5d.create: dataset creation settings {extra} are not provided by h5pure's "
            "h5py facade"
        )
    kwds: dict[str, Any] = {}
    layout = settings.get("layout", CONTIGUOUS)
    if layout == VIRTUAL:
        raise NotImplementedError("h5py.h5d.create: use Group.create_virtual_dataset")
    if layout == CHUNKED:
        kwds["chunks"] = tuple(settings["chunk"])
    elif "chunk" in settings and layout != COMPACT:
        kwds["chunks"] = False
    alloc = settings.get("alloc_time", ALLOC_TIME_DEFAULT)
    if layout == COMPACT and alloc not in (ALLOC_TIME_DEFAULT, ALLOC_TIME_EARLY):
        raise ValueError(
            "Unable to synchronously create dataset "
            "(compact dataset must have early space allocation)"
        )
    if alloc not in (ALLOC_TIME_DEFAULT, _default_alloc(_LAYOUT_NAME.get(layout, "contiguous"))):
        raise NotImplementedError(
            "h5py.h5d.create: an allocation time other than libhdf5's default for the "
            "layout is not provided"
        )
    if "fill_value" in settings:
        fill = np.asarray(settings["fill_value"])
        kwds["fillvalue"] = (fill if dtype is None else fill.astype(dtype)).reshape(())[()]
    if "fill_time" in settings:
        kwds["fill_time"] = _FILL_TIME_NAME[int(settings["fill_time"])]
    if "obj_track_times" in settings:
        kwds["track_times"] = bool(settings["obj_track_times"])
    if settings.get("attr_creation_order"):
        kwds["track_order"] = True
    if settings.get("external"):
        kwds["external"] = [(text(n), off, size) for n, off, size in settings["external"]]
    kwds.update(_filter_keywords(settings.get("filters", ())))
    return kwds


def _filter_keywords(filters: Any) -> dict[str, Any]:
    """h5py's filter keywords for a pipeline set with ``set_deflate``/``set_filter``...
    (one compression filter, with shuffle, Fletcher-32 and scale-offset around it)."""
    kwds: dict[str, Any] = {}
    for code, _flags, values, _name in filters:
        if code == 2:
            kwds["shuffle"] = True
        elif code == 3:
            kwds["fletcher32"] = True
        elif code == 6:
            kwds["scaleoffset"] = int(values[1]) if len(values) > 1 else 0
        elif "compression" in kwds:
            raise NotImplementedError("h5py.h5d.create: two compression filters are not provided")
        elif code == 1:
            kwds["compression"] = "gzip"
            kwds["compression_opts"] = int(values[0]) if values else 5
        else:
            kwds["compression"] = int(code)
            kwds["compression_opts"] = tuple(values)
            kwds["allow_unknown_filter"] = True
    return kwds
