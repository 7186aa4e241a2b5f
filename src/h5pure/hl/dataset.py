"""Datasets: numpy-like partial reads of data stored in the file, with h5py's semantics."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..dtypes import RegionReference, numpy_dtype, to_memory
from ..format.selection_codec import RegularHyperslab, SelectionType, SerializedSelection
from ..lowlevel.dataset import DatasetStorage
from ..selection import Selection, select
from .base import Empty, HLObject

_FILTER_NAMES = {
    1: "gzip",
    2: "shuffle",
    3: "fletcher32",
    4: "szip",
    6: "scaleoffset",
    32000: "lzf",
}
_SZIP_EC, _SZIP_NN = 4, 32
_H5PY_KNOWN_FILTERS = {"gzip", "szip", "lzf", "shuffle", "fletcher32", "scaleoffset"}


class Dataset(HLObject):
    """A dataset: ``dset[sel]`` reads a numpy array; ``shape``, ``dtype``, ``chunks``..."""

    # -- storage ---------------------------------------------------------------------
    @property
    def _storage(self) -> DatasetStorage:
        fs = self._fs
        return fs.memo(("dataset", self._info.address), lambda: DatasetStorage(fs, self._info))  # type: ignore[no-any-return]

    # -- shape and type ----------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...] | None:
        st = self._storage
        return None if st.is_null else st.shape

    @property
    def maxshape(self) -> tuple[int | None, ...] | None:
        st = self._storage
        if st.is_null:
            return None
        width = st.fs.ctx.size_of_lengths
        if width < 8:
            # libhdf5 decodes maximum dimensions without mapping the all-ones value of a
            # narrow length field to H5S_UNLIMITED, so h5py reports 2**(8 * L) - 1
            return tuple((1 << 8 * width) - 1 if n is None else n for n in st.maxshape)
        return tuple(st.maxshape)

    @property
    def dtype(self) -> np.dtype:
        return numpy_dtype(self._storage.datatype)

    @property
    def ndim(self) -> int:
        return len(self._storage.shape)

    @property
    def size(self) -> int | None:
        st = self._storage
        return None if st.is_null else int(np.prod(st.shape, dtype=np.int64))

    @property
    def nbytes(self) -> int:
        size = self.size or 0
        return size * self.dtype.itemsize

    def __len__(self) -> int:
        shape = self.shape
        if not shape:
            raise TypeError("Attempt to take len() of scalar dataset")
        return shape[0]

    def len(self) -> int:
        """The length of the first axis (works beyond ``sys.maxsize`` in h5py)."""
        return len(self)

    # -- storage properties ------------------------------------------------------------
    @property
    def chunks(self) -> tuple[int, ...] | None:
        return self._storage.chunk_shape

    @property
    def _filters(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self._storage.filters:
            fid = int(f.filter_id)
            vals: Any = tuple(int(v) for v in f.client_data)
            if fid == 1:
                vals = vals[0] if vals else None
            elif fid == 4:
                mask = vals[0] if vals else 0
                kind = "ec" if mask & _SZIP_EC else "nn" if mask & _SZIP_NN else "?"
                vals = (kind, vals[1] if len(vals) > 1 else None)
            elif fid == 32000 or not vals:
                vals = None
            out[_FILTER_NAMES.get(fid, str(fid))] = vals
        return out

    @property
    def compression(self) -> str | None:
        filters = self._filters
        for name in ("gzip", "lzf", "szip"):
            if name in filters:
                return name
        if any(name not in _H5PY_KNOWN_FILTERS for name in filters):
            return "unknown"  # h5py's answer for filters it has no name for (nbit, plugins)
        return None

    @property
    def compression_opts(self) -> Any:
        comp = self.compression
        return self._filters.get(comp) if comp else None

    @property
    def shuffle(self) -> bool:
        return "shuffle" in self._filters

    @property
    def fletcher32(self) -> bool:
        return "fletcher32" in self._filters

    @property
    def scaleoffset(self) -> int | None:
        vals = self._filters.get("scaleoffset")
        return None if vals is None else int(vals[1])

    @property
    def external(self) -> list[tuple[str, int, int]] | None:
        st = self._storage
        if st.efl is None:
            return None
        from ..format.local_heap import LocalHeap

        heap = LocalHeap.read(st.fs.source, st.fs.ctx, st.efl.heap_address)
        return [
            (
                heap.string_at(s.name_offset).decode("utf-8", "surrogateescape"),
                int(s.offset),
                int(s.size),
            )
            for s in st.efl.slots
        ]

    @property
    def is_virtual(self) -> bool:
        return self._storage.layout_class == "virtual"

    def virtual_sources(self) -> list[Any]:
        if not self.is_virtual:
            raise RuntimeError("Not a virtual dataset")
        from ..lowlevel.virtual import virtual_mappings

        return virtual_mappings(self._storage)

    @property
    def fillvalue(self) -> Any:
        st = self._storage
        value = to_memory(st.fill_value().reshape(1), st.datatype, st.fs)
        return value[0]

    @property
    def is_scale(self) -> bool:
        from .dims import is_scale

        return is_scale(self)

    @property
    def dims(self) -> Any:
        from .dims import DimensionManager

        return DimensionManager(self)

    # -- reading ---------------------------------------------------------------------
    def __getitem__(self, args: Any) -> Any:
        args = args if isinstance(args, tuple) else (args,)
        names = tuple(a for a in args if isinstance(a, str))
        if names:
            rest = tuple(a for a in args if not isinstance(a, str))
            return self.fields(list(names) if len(names) > 1 else names[0])[rest]
        return self._read(args)

    def _read(self, args: tuple[Any, ...], dtype: Any = None) -> Any:
        st = self._storage
        if st.is_null:
            if args == () or (len(args) == 1 and args[0] is Ellipsis):
                return Empty(self.dtype)
            raise ValueError("Empty datasets cannot be sliced")
        if len(args) == 1 and isinstance(args[0], RegionReference):
            return self._read_region(args[0], dtype)
        if st.shape == () and args not in ((), (Ellipsis,)):
            raise ValueError("Illegal slicing argument for scalar dataspace")
        sel = select(args, st.shape)
        raw = st.read(sel)
        arr = self._convert(raw, dtype)
        # array datatypes come back with their dimensions trailing the selection's
        arr = arr.reshape(tuple(sel.out_shape) + arr.shape[len(sel.mshape) :])
        if arr.shape == () and not (st.shape == () and args == (Ellipsis,)):
            return arr[()]
        return arr

    def _convert(self, raw: np.ndarray, dtype: Any) -> np.ndarray:
        st = self._storage
        arr = to_memory(raw, st.datatype, st.fs)
        if dtype is not None:
            arr = arr.astype(dtype)
        return arr

    def _read_region(self, ref: Any, dtype: Any) -> Any:
        if int(ref.address) != self._info.address:
            raise ValueError("Region reference must point to this dataset")
        st = self._storage
        selection = ref.selection
        if selection is None or selection.kind == "all":
            return self._read((Ellipsis,), dtype)
        shape = region_shape(selection, st.shape)
        if selection.kind == "points":
            coords = selection.coordinates(st.shape)
        else:
            mask = selection.to_mask(st.shape)
            bounds = _single_block(mask)
            if bounds is not None:
                return np.asarray(self._read(bounds, dtype)).reshape(shape)
            coords = np.argwhere(mask)
        if len(coords) == 0:
            return np.zeros(shape, dtype=dtype or self.dtype)
        raw = st.read(Selection.from_points(coords, st.shape))
        arr = self._convert(raw, dtype)
        return arr.reshape(shape + arr.shape[1:])

    @property
    def regionref(self) -> _RegionRefMaker:
        """``dset.regionref[sel]``: an in-memory region reference to ``dset[sel]``."""
        return _RegionRefMaker(self)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = self._read((Ellipsis,))
        if isinstance(arr, Empty):
            return np.zeros((0,), dtype=dtype or self.dtype)
        arr = np.asarray(arr)
        return arr if dtype is None else arr.astype(dtype)

    def __iter__(self) -> Iterator[Any]:
        shape = self.shape
        if not shape:
            raise TypeError("Can't iterate over a scalar dataset")
        for i in range(shape[0]):
            yield self[i]

    def read_direct(self, dest: np.ndarray, source_sel: Any = None, dest_sel: Any = None) -> None:
        """Read ``self[source_sel]`` into ``dest[dest_sel]``."""
        src = self[source_sel if source_sel is not None else ()]
        if self.shape == () and source_sel is None:
            src = self[()]
        dest[dest_sel if dest_sel is not None else ...] = src

    def astype(self, dtype: Any) -> AstypeWrapper:
        return AstypeWrapper(self, np.dtype(dtype))

    def asstr(self, encoding: str | None = None, errors: str = "strict") -> AsStrWrapper:
        from ..dtypes import check_string_dtype

        info = check_string_dtype(self.dtype)
        if info is None:
            raise TypeError(
                "dset.asstr() can only be used on datasets with an HDF5 string datatype"
            )
        return AsStrWrapper(self, encoding or info.encoding, errors)

    def fields(self, names: Any) -> FieldsWrapper:
        dt = self.dtype
        if dt.names is None:
            raise ValueError(f"Field names only allowed for compound types (not {dt})")
        single = isinstance(names, str)
        want = [names] if single else list(names)
        for n in want:
            if n not in dt.names:
                raise ValueError(f"Field {n} does not appear in this type.")
        return FieldsWrapper(self, want, single)

    def iter_chunks(self, sel: Any = None) -> Iterator[tuple[slice, ...]]:
        chunks = self.chunks
        if chunks is None:
            raise TypeError("Chunked dataset required")
        shape = self.shape or ()
        region = select(sel if sel is not None else (Ellipsis,), shape)
        slabs = region.hyperslab()
        if slabs is None or any(s.stride != 1 and s.count > 1 for s in slabs):
            raise TypeError("iter_chunks takes a selection of slices with step 1")
        bounds = [(s.start, s.start + s.count) for s in slabs]
        per_axis = []
        for (lo, hi), c in zip(bounds, chunks):
            cuts = []
            start = lo
            while start < hi:
                stop = min(hi, (start // c + 1) * c)
                cuts.append(slice(start, stop, 1))
                start = stop
            per_axis.append(cuts)
        yield from itertools.product(*per_axis)

    def refresh(self) -> None:
        pass

    def flush(self) -> None:
        pass

    def __repr__(self) -> str:
        if not self._file._is_open:
            return "<Closed HDF5 dataset>"
        name = self.name
        label = (
            '("anonymous")'
            if name is None
            else f'"{name.rsplit("/", 1)[-1] if name != "/" else "/"}"'
        )
        shape = self.shape
        return f'<HDF5 dataset {label}: shape {shape}, type "{self.dtype.str}">'


def region_shape(selection: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The shape h5py gives ``dset[regref]`` (``h5py._hl.selections.guess_shape``): the
    extent for "all", ``(n,)`` for points, and for hyperslabs the per-axis counts when
    they multiply to the number selected, else ``(n,)``."""
    kind = selection.kind
    if kind == "none":
        return (0,) * len(shape)
    if kind == "all":
        return tuple(shape)
    if kind == "points":
        return (len(selection.coordinates(shape)),)
    mask = selection.to_mask(shape)
    n = int(mask.sum())
    if n == 0:
        return (0,) * len(shape)
    idx = np.nonzero(mask)
    out = []
    for where in idx:
        lo, hi = int(where.min()), int(where.max())
        if hi == lo:
            out.append(1)
            continue
        # h5py masks off all but the lowest plane along the axis and divides
        out.append(n // int((where == lo).sum()))
    return tuple(out) if int(np.prod(out)) == n else (n,)


class _RegionRefMaker:
    def __init__(self, dset: Dataset) -> None:
        self._dset = dset

    def __getitem__(self, args: Any) -> RegionReference:
        dset = self._dset
        shape = dset._storage.shape
        sel = select(args, shape)
        rank = len(shape)
        if sel.points is not None:
            points = tuple(tuple(int(v) for v in p) for p in sel.points)
            ser = SerializedSelection(SelectionType.POINTS, rank, points=points)
        elif sel.hyperslab() is not None:
            slabs = sel.hyperslab() or ()
            reg = RegularHyperslab(
                tuple(sl.start for sl in slabs),
                tuple(max(sl.stride, 1) for sl in slabs),
                tuple(sl.count for sl in slabs),
                (1,) * rank,
            )
            ser = SerializedSelection(SelectionType.HYPERSLABS, rank, regular=reg)
        else:
            per_axis = [np.unique(np.asarray(ax.indices())) for ax in sel.axes]
            grids = np.meshgrid(*per_axis, indexing="ij")
            coords = np.stack([g.reshape(-1) for g in grids], axis=-1)
            blocks = tuple((tuple(int(v) for v in c), tuple(int(v) for v in c)) for c in coords)
            ser = SerializedSelection(SelectionType.HYPERSLABS, rank, blocks=blocks)
        return RegionReference(dset._info.address, ser)


def _single_block(mask: np.ndarray) -> tuple[slice, ...] | None:
    """The bounding slices of ``mask`` when it is exactly one filled block."""
    if not mask.any():
        return None
    idx = np.nonzero(mask)
    bounds = tuple(slice(int(i.min()), int(i.max()) + 1) for i in idx)
    return bounds if mask[bounds].all() and mask.sum() == mask[bounds].size else None


class AstypeWrapper:
    """``dset.astype(dtype)``: reads converted to ``dtype``."""

    def __init__(self, dset: Dataset, dtype: np.dtype) -> None:
        self._dset = dset
        self._dtype = dtype

    def __getitem__(self, args: Any) -> Any:
        args = args if isinstance(args, tuple) else (args,)
        return self._dset._read(args, self._dtype)

    def __len__(self) -> int:
        return len(self._dset)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = np.asarray(self[...])
        return arr if dtype is None else arr.astype(dtype)


class AsStrWrapper:
    """``dset.asstr()``: string data decoded to ``str``."""

    def __init__(self, dset: Dataset, encoding: str, errors: str) -> None:
        self._dset = dset
        self.encoding = encoding
        self.errors = errors

    def __getitem__(self, args: Any) -> Any:
        raw = self._dset[args]
        if isinstance(raw, bytes):
            return raw.decode(self.encoding, self.errors)
        arr = np.asarray(raw, dtype=object)
        out = np.empty(arr.shape, dtype=object)
        flat = arr.reshape(-1)
        out.reshape(-1)[:] = [
            (b if isinstance(b, bytes) else bytes(b)).decode(self.encoding, self.errors)
            for b in flat
        ]
        return out

    def __len__(self) -> int:
        return len(self._dset)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = np.asarray(self[...])
        return arr if dtype is None else arr.astype(dtype)


class FieldsWrapper:
    """``dset.fields(names)``: reads a subset of a compound's fields."""

    def __init__(self, dset: Dataset, names: list[str], single: bool) -> None:
        self._dset = dset
        self._names = names
        self._single = single

    def __getitem__(self, args: Any) -> Any:
        args = args if isinstance(args, tuple) else (args,)
        full = self._dset._read(args)
        if self._single:
            value = full[self._names[0]]
        else:
            sub = np.asarray(full)[self._names]
            fields: Any = sub.dtype.fields
            value = np.array(sub, dtype=np.dtype([(n, fields[n][0]) for n in self._names]))
            if value.shape == () and np.ndim(full) == 0:
                value = value[()]
        return value

    def __len__(self) -> int:
        return len(self._dset)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = np.asarray(self[...])
        return arr if dtype is None else arr.astype(dtype)
