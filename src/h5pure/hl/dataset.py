"""Datasets: numpy-like partial reads of data stored in the file, with h5py's semantics."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from ..dtypes import (
    RegionReference,
    datatype_for,
    fill_value_bytes,
    guess_dtype,
    numpy_dtype,
    to_memory,
    to_storage,
)
from ..dtypes.convert import decode_bytes
from ..errors import ExtentError
from ..format.selection_codec import SelectionType, SerializedSelection
from ..lowlevel.create import DatasetPlan, dataset_messages, filter_pipeline
from ..lowlevel.dataset import DatasetStorage
from ..lowlevel.links import LinkEntry
from ..lowlevel.objects import ObjectInfo
from ..selection import Selection, select
from ..selection.chunking import guess_chunk
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


def _write_simple(
    writer: Any, st: DatasetStorage, dtype: np.dtype, key: tuple[Any, ...], val: Any
) -> bool:
    """``dset[key] = val`` for keys of ints and step-1 slices inside one stored block
    (:meth:`DatasetStorage.simple_target`) and a value of the selection's shape or a
    scalar, written in place; False (nothing done) when the general path is needed."""
    if dtype.hasobject or dtype.subdtype is not None or (st.efl is not None and st.efl.slots):
        return False
    target = st.simple_target(key)
    if target is None:
        return False
    address, block, nrows, index = target
    value = val if type(val) is np.ndarray and val.dtype == dtype else np.asarray(val, dtype=dtype)
    rows_shape = (nrows, *block[1:])
    out_shape = tuple(
        len(range(*k.indices(n))) for k, n in zip(index, rows_shape) if type(k) is slice
    )
    if value.shape != out_shape and value.ndim != 0:
        return False
    from ..dtypes import to_storage

    fs = st.fs
    itemsize = st.storage_dtype.itemsize
    with writer.lock:
        raw = to_storage(value, st.datatype, writer.heap)
        nbytes = nrows * itemsize
        for n in block[1:]:
            nbytes *= n
        whole_rows = all(  # axis 0 spans the rows; every later axis its whole block
            type(k) is slice and k.indices(n) == (0, n, 1)
            for k, n in zip(index[1:-1], rows_shape[1:])
        )
        if whole_rows and raw.ndim:  # every element of the rows: no read needed
            rows = np.ascontiguousarray(raw).reshape(rows_shape)
        else:
            rows = np.frombuffer(
                bytearray(fs.source.read(address, nbytes)), dtype=st.storage_dtype
            ).reshape(rows_shape)
            rows[index] = raw
        fs.driver.write(fs.ctx.base_address + address, rows.reshape(-1).view(np.uint8).data)
        if st.layout_class == "chunked":
            writer.object_model(st.address).touch()  # as the general chunked write does
    return True


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

    def make_scale(self, name: str = "") -> None:
        """Make this dataset a dimension scale (``H5DSset_scale``)."""
        from .dims import make_scale

        make_scale(self, name)

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
        if dtype is None:
            fast = st.read_simple(args)
            if fast is not None:
                arr = self._convert(fast, None)
                return arr[()] if arr.shape == () else arr
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
    def regionref(self) -> Any:
        """``dset.regionref[sel]``: an in-memory region reference to ``dset[sel]``
        (with h5py's ``.shape(ref)`` and ``.selection(ref)``)."""
        from .reference import RegionProxy

        return RegionProxy(self)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        _refuse_no_copy(copy, "Dataset")
        arr = self._read((Ellipsis,))
        if isinstance(arr, Empty):  # h5py fails here too (a TypeError from numpy)
            raise TypeError("Empty datasets have no numpy representation")
        arr = np.asarray(arr)
        return arr if dtype is None else arr.astype(dtype)

    def __iter__(self) -> Iterator[Any]:
        shape = self.shape
        if not shape:
            raise TypeError("Can't iterate over a scalar dataset")
        for i in range(shape[0]):
            yield self[i]

    def read_direct(self, dest: np.ndarray, source_sel: Any = None, dest_sel: Any = None) -> None:
        """Read ``self[source_sel]`` into ``dest[dest_sel]`` (h5py: the source broadcast
        onto the destination selection; ``dest`` a C-contiguous, writable array)."""
        if self._storage.is_null:
            raise TypeError("Empty datasets have no numpy representation")
        src = np.asarray(self[source_sel if source_sel is not None else ...])
        target = dest[dest_sel if dest_sel is not None else ...]
        _check_broadcast(src.shape, np.shape(target))
        if not (dest.flags.c_contiguous and dest.flags.writeable):
            raise TypeError("Array must be C-contiguous and writable")
        dest[dest_sel if dest_sel is not None else ...] = src

    # -- writing ------------------------------------------------------------------
    def __setitem__(self, args: Any, val: Any) -> None:
        """h5py's ``dset[sel] = value``: numpy broadcasting onto any selection."""
        from ..dtypes import to_storage
        from ..lowlevel.datawriter import write_selection

        writer = self._fs.writer
        if writer is None:
            raise OSError("Can't synchronously write data (no write intent on file)")
        args = args if isinstance(args, tuple) else (args,)
        names = tuple(a for a in args if isinstance(a, str))
        args = tuple(a for a in args if not isinstance(a, str))
        st = self._storage
        if st.is_null:  # libhdf5: a null dataspace selects nothing to write into
            raise OSError(
                "Can't synchronously write data "
                "(src and dest dataspaces have different number of elements selected)"
            )
        dtype = self.dtype
        if not names and _write_simple(writer, st, dtype, args, val):
            return
        sel = select(args, st.shape)
        if names:
            value = _merge_fields(st, sel, dtype, names, val)
        elif dtype.subdtype is not None:
            base, sub = dtype.subdtype
            value = np.asarray(val, dtype=base)
            value = np.broadcast_to(value, tuple(sel.out_shape) + sub)
            value = value.reshape(tuple(sel.mshape) + sub)
        else:
            if dtype.kind == "O":
                value = _object_value(val, dtype, tuple(sel.out_shape))
            else:
                value = (
                    np.asarray(val, dtype=dtype)
                    if not isinstance(val, np.ndarray) or val.dtype != dtype
                    else val
                )
            value = sel.broadcast_value(value).reshape(sel.mshape)
        with writer.lock:
            raw = to_storage(value, st.datatype, writer.heap)
            if st.efl is not None and st.efl.slots:
                from ..lowlevel.external import write_external

                write_external(st, sel, raw)
            else:
                write_selection(writer, st, sel, raw)

    def resize(self, size: Any, axis: int | None = None) -> None:
        """Change the dataset's shape within ``maxshape`` (chunked datasets only)."""
        from ..lowlevel.resize import resize_dataset

        writer = self._fs.writer
        if writer is None:
            raise RuntimeError(
                "Unable to synchronously change a dataset's dimensions (no write intent on file)"
            )
        if self.chunks is None:
            raise TypeError("Only chunked datasets can be resized")
        shape = self.shape or ()
        if axis is not None:
            if not 0 <= axis < len(shape):
                raise ValueError(f"Invalid axis (0 to {len(shape) - 1} allowed)")
            new = list(shape)
            new[axis] = int(size)
            size = tuple(new)
        size = tuple(int(n) for n in size)
        if len(size) != len(shape):
            raise TypeError(
                f"New shape length ({len(size)}) must match dataset rank ({len(shape)})"
            )
        if any(n < 0 for n in size):
            raise OverflowError("can't convert negative value to hsize_t")
        maxshape = self.maxshape or shape
        for n, m in zip(size, maxshape):
            if m is not None and n > m:
                raise ExtentError(
                    "Unable to synchronously change a dataset's dimensions (dimension cannot "
                    f"exceed the existing maximal size (new: {n} max: {m}))"
                )
        with writer.lock:
            resize_dataset(writer, self._storage, size)

    def write_direct(
        self, source: np.ndarray, source_sel: Any = None, dest_sel: Any = None
    ) -> None:
        """Write ``source[source_sel]`` into ``self[dest_sel]`` (``source`` C-contiguous)."""
        if self._storage.is_null:
            raise TypeError("Empty datasets cannot be written to")
        source = np.asarray(source)
        if not source.flags.c_contiguous:
            raise TypeError("Array must be C-contiguous")
        data = source[source_sel if source_sel is not None else ...]
        self[dest_sel if dest_sel is not None else ...] = data

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
        if any(s.count == 0 for s in slabs):
            raise ValueError("Invalid selection - selection region must be within dataset space")
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
            # the earliest file format stores hyperslabs as a list of blocks (version 1):
            # one block per run of consecutive positions on each axis
            runs: list[list[tuple[int, int]]] = []
            for sl in sel.hyperslab() or ():
                if sl.count == 0:
                    runs.append([])
                elif sl.stride == 1 or sl.count == 1:
                    runs.append([(sl.start, sl.start + sl.count - 1)])
                else:
                    runs.append([(sl.start + i * sl.stride,) * 2 for i in range(sl.count)])
            blocks = tuple(
                (tuple(r[0] for r in combo), tuple(r[1] for r in combo))
                for combo in itertools.product(*runs)
            )
            ser = SerializedSelection(SelectionType.HYPERSLABS, rank, blocks=blocks)
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


def _refuse_no_copy(copy: Any, owner: str) -> None:
    """numpy 2's ``np.asarray(dset, copy=False)``: a read always allocates (h5py's error)."""
    if copy is False:
        raise ValueError(
            f"{owner}.__array__ received copy=False but memory allocation cannot be avoided on read"
        )


def _check_broadcast(source: tuple[int, ...], target: tuple[int, ...]) -> None:
    """h5py's ``read_direct`` check: the source shape must broadcast onto the target."""
    try:
        ok = np.broadcast_shapes(source, target) == tuple(target)
    except ValueError:
        ok = False
    if not ok:
        raise TypeError(f"Can't broadcast {source} -> {target}")


class AstypeWrapper:
    """``dset.astype(dtype)``: reads converted to ``dtype``."""

    def __init__(self, dset: Dataset, dtype: np.dtype) -> None:
        self._dset = dset
        self._dtype = dtype

    @property
    def dtype(self) -> np.dtype:
        """The dtype reads are converted to."""
        return self._dtype

    def __getitem__(self, args: Any) -> Any:
        args = args if isinstance(args, tuple) else (args,)
        return self._dset._read(args, self._dtype)

    def __len__(self) -> int:
        return len(self._dset)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        _refuse_no_copy(copy, type(self).__name__)
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
        out.reshape(-1)[:] = decode_bytes(arr.reshape(-1).tolist(), self.encoding, self.errors)
        return out

    def __len__(self) -> int:
        return len(self._dset)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        _refuse_no_copy(copy, type(self).__name__)
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
        _refuse_no_copy(copy, type(self).__name__)
        arr = np.asarray(self[...])
        return arr if dtype is None else arr.astype(dtype)


# -- creating datasets -------------------------------------------------------------------
def _fill_time_code(fill_time: Any) -> int | None:
    """h5py's ``fill_time`` names as the fill value message stores them."""
    if fill_time is None:
        return None
    codes = {"alloc": 0, "never": 1, "ifset": 2}
    try:
        return codes[fill_time]
    except (KeyError, TypeError):
        raise ValueError(f"fill_time must be one of the following choices: {list(codes)}") from None


_NEW_DATATYPES: dict[Any, Any] = {}
"""Datatype records of dtypes without fields (numbers, strings), keyed by dtype.str, the
metadata (vlen, encoding) and libver_low: files of many small objects create the same few
types over and over."""


def _datatype_for_new(dtype: np.dtype, libver_low: str) -> Any:
    """``datatype_for`` of a new dataset's or attribute's dtype, the record shared
    (records are frozen) for dtypes without fields whose metadata is hashable."""
    meta = dtype.metadata
    if (
        dtype.fields is not None
        or dtype.subdtype is not None
        # enum mappings, vlen base dtypes (equal whatever their own metadata): not keys
        or (meta is not None and not all(isinstance(v, (str, type)) for v in meta.values()))
    ):
        return datatype_for(dtype, libver_low=libver_low)
    key = (dtype.str, libver_low) if meta is None else (dtype.str, libver_low, *meta.items())
    datatype = _NEW_DATATYPES.get(key)
    if datatype is None:
        datatype = datatype_for(dtype, libver_low=libver_low)
        if len(_NEW_DATATYPES) < 256:
            _NEW_DATATYPES[key] = datatype
    return datatype


def _array_for_new_object(data: Any, dtype: Any) -> np.ndarray:
    """h5py's conversion of ``data=`` values (lists of str become vlen strings...)."""
    if isinstance(data, np.ndarray) and dtype is None and data.dtype.kind != "O":
        return np.asarray(data, order="C")
    as_dtype = np.dtype(dtype) if dtype is not None else guess_dtype(data)
    if as_dtype is not None and as_dtype.kind == "O":
        arr = np.empty(np.shape(data) if not isinstance(data, (str, bytes)) else (), dtype=as_dtype)
        arr[...] = data
        return arr
    return np.asarray(data, order="C", dtype=as_dtype)


def create_dataset(
    group: Any,
    name: str | None,
    shape: Any = None,
    dtype: Any = None,
    data: Any = None,
    *,
    chunks: Any = None,
    maxshape: Any = None,
    compression: Any = None,
    compression_opts: Any = None,
    shuffle: bool | None = None,
    fletcher32: bool | None = None,
    scaleoffset: Any = None,
    fillvalue: Any = None,
    track_times: Any = None,
    track_order: Any = None,
    fill_time: Any = None,
    external: Any = None,
    allow_unknown_filter: bool = False,
    **kwds: Any,
) -> Dataset:
    """h5py's ``Group.create_dataset`` (see :meth:`Group.create_dataset`)."""
    from .datatype import Datatype
    from .group import _join, _writer

    writer = _writer(group, "create dataset")
    committed = None
    if isinstance(dtype, Datatype):
        committed = _committed_address(group, dtype)
        dtype = dtype.dtype
    if data is not None and not isinstance(data, Empty):
        data = _array_for_new_object(data, dtype)
    if shape is None:
        if data is None:
            if dtype is None:
                raise TypeError("One of data, shape or dtype must be specified")
            data = Empty(dtype)
        shape = None if isinstance(data, Empty) else data.shape
    else:
        shape = _shape_tuple(shape)
        if data is not None and not isinstance(data, Empty):
            if int(np.prod(shape, dtype=np.int64)) != data.size:
                raise ValueError("Shape tuple is incompatible with data")
    if dtype is None:
        dtype = data.dtype if data is not None else np.dtype("=f4")
    dtype = np.dtype(dtype)
    if isinstance(maxshape, int):
        maxshape = (maxshape,)
    if maxshape is not None:
        maxshape = tuple(None if m is None else int(m) for m in maxshape)
        if shape is None or len(maxshape) != len(shape):
            raise ValueError("'maxshape' must have same rank as dataset shape")
        if any(m is not None and m < n for m, n in zip(maxshape, shape)):
            raise ValueError("Maxdims is smaller than dims (maxdims is smaller than dims)")
    if isinstance(chunks, (int, np.integer)) and not isinstance(chunks, bool):
        chunks = (int(chunks),)
    if (
        isinstance(compression, (int, np.integer))
        and 0 <= int(compression) <= 9
        and not isinstance(compression, bool)
    ):
        compression, compression_opts = "gzip", int(compression)
    if compression == "gzip" and compression_opts is None:
        compression_opts = 4
    _check_filter_options(dtype, compression, compression_opts, scaleoffset)
    if compression not in (None, "gzip", "lzf", "szip") and not isinstance(
        compression, (int, np.integer)
    ):
        raise ValueError(f'Compression filter "{compression}" is unavailable')
    filtered = bool(compression is not None or shuffle or fletcher32 or scaleoffset is not None)
    if shape is None or shape == ():
        if chunks not in (None, False) or filtered or maxshape is not None:
            raise TypeError("Scalar datasets don't support chunk/filter options")
        chunk_shape = None
    elif isinstance(chunks, tuple):
        check = maxshape if maxshape is not None else shape
        if len(chunks) != len(shape):
            raise ValueError("'chunks' must have same rank as dataset shape")
        if any(int(c) <= 0 for c in chunks):
            raise ValueError(
                "All chunk dimensions must be positive (all chunk dimensions must be positive)"
            )
        if any(c > d for d, c in zip(check, chunks) if d is not None):
            raise ValueError(
                "Chunk shape must not be greater than data shape in any dimension. "
                f"{chunks} is not compatible with {shape}"
            )
        chunk_shape = chunks
    elif chunks is True or (chunks is None and (filtered or maxshape is not None)):
        chunk_shape = guess_chunk(shape, maxshape, dtype.itemsize)
    elif chunks is False and (filtered or maxshape is not None):
        raise ValueError("Chunked format required for given storage options")
    else:
        chunk_shape = None
    efl_entries = None
    if external is not None:
        from ..lowlevel.external import normalize_external

        efl_entries = normalize_external(external)
        if chunk_shape is not None:
            raise ValueError(
                "Unable to synchronously create dataset "
                "(external storage not supported with chunked layout)"
            )
    datatype = _datatype_for_new(dtype, writer.versions.low)
    if fillvalue is not None and dtype.kind not in "OSUV":
        if np.asarray(fillvalue).dtype.kind == "U":
            raise TypeError(f"No conversion path for dtype: {np.asarray(fillvalue).dtype!r}")
    fill = None if fillvalue is None else fill_value_bytes(fillvalue, datatype, writer.heap)
    pipeline: tuple[Any, ...] = ()
    if chunk_shape is not None and filtered:
        pipeline = filter_pipeline(
            dtype=dtype,
            chunks=chunk_shape,
            compression=compression,
            compression_opts=compression_opts,
            shuffle=bool(shuffle),
            fletcher32=bool(fletcher32),
            scaleoffset=(
                None if scaleoffset is None else int(scaleoffset) if scaleoffset is not True else 0
            ),
            fill=fill,
        )
    plan = DatasetPlan(
        shape=shape,
        maxshape=maxshape,
        datatype=datatype,
        chunks=chunk_shape,
        filters=pipeline,
        fill=fill,
        fill_time=_fill_time_code(fill_time),
        vlen=dtype.kind == "O" or dtype.hasobject,
        committed_type=committed,
    )
    parent = None
    if name is not None:
        parent, base = group._create_parent(name, "create dataset")
        if parent._link(base) is not None:
            raise ValueError("Unable to synchronously create dataset (name already exists)")
    with writer.lock:
        if efl_entries:
            from ..lowlevel.external import build_external

            nbytes = int(np.prod(shape or (), dtype=np.int64)) * datatype.size
            plan = replace(plan, external=build_external(writer, efl_entries, nbytes))
        if track_order is None:
            track_order = False  # h5py's default; File(track_order=) only orders the root
        model = writer.new_object(
            dataset_messages(writer.ctx, plan, writer.versions),
            min_area=256,
            track_order=bool(track_order),
            track_times=bool(track_times),
        )
        if committed is not None:
            _link_committed(writer, committed)
        if parent is None:
            from ..lowlevel.anonymous import register_anonymous

            register_anonymous(writer, model.address)
        else:
            writer.add_link(parent._info.address, LinkEntry(base, "hard", address=model.address))
        initial = data is not None and not isinstance(data, Empty)
        if initial and data.size and _stored_at_creation(plan, dtype):
            # contiguous numbers: the values go straight to their space, as the first
            # write of them all would put them, without a storage view to build
            value = data.reshape(shape) if data.shape != shape else data
            mem = numpy_dtype(datatype)
            if value.dtype != mem:
                value = np.asarray(value, dtype=mem)
            raw = np.ascontiguousarray(to_storage(value, datatype, writer.heap))
            writer.store_initial_data(model, raw.reshape(-1).view(np.uint8).data)
            initial = False
    path = None if parent is None else _join(parent.name, base)
    dset = Dataset(group.file, ObjectInfo(writer.fs, model.address, created=True), path)
    if initial:
        dset[...] = data.reshape(shape) if data.shape != shape else data
    return dset


def _stored_at_creation(plan: Any, dtype: np.dtype) -> bool:
    """Whether a new dataset's values are stored by :func:`create_dataset` itself:
    contiguous, without external files, of a plain numeric type."""
    return (
        plan.chunks is None
        and plan.external is None
        and not plan.compact
        and plan.virtual is None
        and dtype.kind in "biufc"
        and dtype.fields is None
        and dtype.subdtype is None
    )


def _merge_fields(
    st: DatasetStorage, sel: Selection, dtype: np.dtype, names: tuple[str, ...], val: Any
) -> np.ndarray:
    """The records of ``sel`` with the fields ``names`` replaced from ``val`` (h5py writes
    through a compound memory type holding only those fields; libhdf5 keeps the others)."""
    if dtype.names is None:
        raise ValueError(f"Field names only allowed for compound types (not {dtype})")
    mshape, out_shape = tuple(sel.mshape), tuple(sel.out_shape)
    current = to_memory(st.read(sel), st.datatype, st.fs).reshape(mshape).copy()
    fields: Any = dtype.fields
    structured = isinstance(val, np.ndarray) and val.dtype.names is not None
    if len(names) == 1 and not structured:
        if names[0] not in fields:
            raise ValueError(f"No such field for indexing: {names[0]}")
        updates = {names[0]: val}
    else:
        if not structured:
            val = np.asarray(val, dtype=dtype)
        # the source's fields that were asked for, matched by name
        updates = {n: val[n] for n in val.dtype.names if n in names}
    for n, v in updates.items():
        if n not in fields:
            raise ValueError(f"No such field for indexing: {n}")
        fdt = fields[n][0]
        if fdt.kind == "O":
            arr = _object_value(v, fdt, out_shape)
        else:
            arr = np.asarray(v, dtype=fdt.base)
        arr = np.broadcast_to(arr, out_shape + fdt.shape)
        current[n] = arr.reshape(mshape + fdt.shape)
    return current


def _committed_address(obj: Any, dtype: Any) -> int:
    """The object header address of the committed datatype ``dtype``, which must live in
    ``obj``'s file."""
    if dtype.file._state is not obj.file._state:
        raise ValueError("Datatype must be committed in the same file (not a file of its own)")
    return int(dtype._info.address)


def _link_committed(writer: Any, address: int) -> None:
    """One more user of a committed datatype: libhdf5 (``H5T_link``) counts it in the
    type's object header reference count."""
    model = writer.object_model(address)
    model.refcount += 1
    model.touch()
    writer.invalidate(address)


def _shape_tuple(shape: Any) -> tuple[int, ...]:
    """A shape argument as h5py converts it (each element to an unsigned hsize_t)."""
    items = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    out = []
    for i, n in enumerate(items):
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"Can't convert element {i} ({n}) to hsize_t")
        if n < 0:
            raise OverflowError("can't convert negative value to hsize_t")
        out.append(int(n))
    return tuple(out)


def _check_filter_options(dtype: np.dtype, compression: Any, opts: Any, scaleoffset: Any) -> None:
    """h5py's checks of filter arguments, made before anything is created."""
    if compression == "gzip" and (
        isinstance(opts, bool) or not isinstance(opts, (int, np.integer)) or not 0 <= opts <= 9
    ):
        raise ValueError(f"GZIP setting must be an integer from 0-9, not {opts!r}")
    if compression == "lzf" and opts is not None:
        raise ValueError("LZF compression filter accepts no options")
    if isinstance(compression, (int, np.integer)) and not 0 <= int(compression) <= 9:
        if compression < 256:  # ids below 256 are libhdf5's own filters
            raise ValueError(f"Unknown compression filter number: {compression}")
    if scaleoffset is not None and scaleoffset is not False and dtype.kind == "f":
        if scaleoffset is True:
            raise ValueError("integer scaleoffset must be provided for floating point types")


def _object_value(val: Any, dtype: np.dtype, out_shape: tuple[int, ...]) -> np.ndarray:
    """An object array of ``dtype`` from ``val``.

    For a vlen sequence dtype, h5py's reading of the value: when it converts to one
    rectangular array of the base type, its last axis runs along each sequence (a 1-D value
    is one sequence, broadcast onto the selection); otherwise (ragged) each item of ``val``
    is one sequence."""
    from ..dtypes import check_vlen_dtype

    base = check_vlen_dtype(dtype)
    if (
        base is not None
        and base not in (str, bytes)
        and not (isinstance(val, np.ndarray) and val.dtype.kind == "O")
    ):
        try:
            arr = np.asarray(val, dtype=base)
        except (ValueError, TypeError):  # ragged: one sequence per item
            items = [np.asarray(item, dtype=base) for item in val]
            value = np.empty(len(items), dtype=dtype)
            for i, item in enumerate(items):
                value[i] = item
            return value
        if arr.ndim <= 1:
            value = np.empty((), dtype=dtype)
            value[()] = arr.reshape(-1)
            return value
        value = np.empty(arr.shape[:-1], dtype=dtype)
        flat = value.reshape(-1)
        for i, row in enumerate(arr.reshape(-1, arr.shape[-1])):
            flat[i] = row
        return value
    value = np.empty(np.shape(val) if not isinstance(val, (str, bytes)) else (), dtype=dtype)
    value[...] = val
    return value
