"""Datasets: numpy-like partial reads and writes of data stored in the file, with h5py's
semantics."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from ..dtypes import RegionReference, check_string_dtype, check_vlen_dtype, numpy_dtype, to_memory
from ..dtypes.convert import decode_bytes
from ..errors import ExtentError, FormatError
from ..lowlevel.dataset import DatasetStorage
from .base import HLObject
from .ids import DatasetID
from .values import Empty, read_as, unnpystring

_T = TypeVar("_T")
_SWMR_ATTEMPTS = 100
"""Reads a SWMR reader tries before an error is final (libhdf5's default is 100 too)."""
if TYPE_CHECKING:
    from ..filters import FilterDescription
    from ..lowlevel.virtual import VDSmap
    from ..selection import Selection
    from .dims import DimensionManager


class Dataset(HLObject):
    """A dataset: ``dset[sel]`` reads a numpy array; ``shape``, ``dtype``, ``chunks``..."""

    kind = "dataset"

    # -- storage ---------------------------------------------------------------------
    @property
    def _storage(self) -> DatasetStorage:
        fs = self._fs
        if fs.swmr and fs.writer is None:
            return self._swmr_retry(self._open_storage)
        return self._open_storage()

    def _open_storage(self) -> DatasetStorage:
        try:
            return self._fs.dataset(self._info)
        except FormatError as e:  # the message names file and address; add the path
            if self._name and not str(e).startswith(repr(self._name)):
                raise type(e)(f"{self._name!r}: {e}") from e
            raise

    def _swmr_retry(self, read: Callable[[], _T]) -> _T:
        """``read()``, for a SWMR reader: the writer of another process may be rewriting
        what it reads (a structure whose checksum fails, an address past the end the
        file had a moment ago), so a failed read is tried again on what the file holds
        now -- up to ``_SWMR_ATTEMPTS`` times over about two seconds, as libhdf5's
        readers retry metadata reads -- before the error is raised."""
        fs = self._fs
        for attempt in range(_SWMR_ATTEMPTS):
            try:
                return read()
            except OSError:
                if attempt == _SWMR_ATTEMPTS - 1:
                    raise
                time.sleep(min(0.001 * (attempt + 1), 0.05))
                fs.follow_growth()
                fs.invalidate(self._info.address)  # the index is read again
        raise AssertionError("unreachable")

    @property
    def id(self) -> DatasetID:
        """The dataset's identifier (h5py's ``DatasetID``): equal for the same dataset, with
        the chunk-level calls (``read_direct_chunk``, ``get_chunk_info``...)."""
        return DatasetID(self)

    # -- shape and type ----------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...] | None:
        """The current shape (None for an empty dataset); a virtual dataset with unlimited
        mappings is sized from its sources at each look."""
        st = self._storage
        return None if st.is_null else st.shape

    @property
    def maxshape(self) -> tuple[int | None, ...] | None:
        """The largest shape the dataset may be resized to; None on an axis means unlimited."""
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
        """The numpy dtype the dataset's elements read as (h5py's mapping of the stored HDF5
        type)."""
        return numpy_dtype(self._storage.datatype)

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return len(self._storage.shape)

    @property
    def size(self) -> int | None:
        """The number of elements (None for an empty dataset)."""
        st = self._storage
        return None if st.is_null else math.prod(int(n) for n in st.shape)

    @property
    def nbytes(self) -> int:
        """Bytes the whole dataset takes in memory (``size * dtype.itemsize``), not in the
        file."""
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
        """The chunk shape, or None for a dataset that is not chunked (contiguous, compact,
        virtual)."""
        return self._storage.chunk_shape

    def _pipeline(self) -> FilterDescription:
        """h5py's description of the filter pipeline (filters load on first use)."""
        from ..filters import describe_pipeline

        return describe_pipeline(self._storage.filters)

    @property
    def _filters(self) -> dict[str, Any]:
        """h5py's filter dict: h5py's name of each filter (else its id) -> its options."""
        return self._pipeline().filters

    @property
    def filter_ids(self) -> tuple[int, ...]:
        """The ids of the dataset's filters, in pipeline order (h5py 3.16)."""
        return tuple(int(f.filter_id) for f in self._storage.filters)

    @property
    def filter_names(self) -> tuple[str, ...]:
        """The names of the dataset's filters as stored in the file (else the registered
        filter's, as libhdf5 reports them), in pipeline order (h5py 3.16)."""
        from ..filters.base import stored_filter_name

        return tuple(stored_filter_name(f.filter_id, f.name) for f in self._storage.filters)

    @property
    def compression(self) -> str | None:
        """The compression filter by h5py's name (``'gzip'``, ``'lzf'``, ``'szip'``;
        ``'unknown'`` for a plugin h5py has no name for), or None."""
        return self._pipeline().compression

    @property
    def compression_opts(self) -> Any:
        """The compression filter's options (the gzip level, the szip ``(method, pixels per
        block)``), or None."""
        return self._pipeline().compression_opts

    @property
    def shuffle(self) -> bool:
        """Whether the byte-shuffle filter is applied before compression."""
        return self._pipeline().shuffle

    @property
    def fletcher32(self) -> bool:
        """Whether chunks carry a Fletcher-32 checksum (verified on every read)."""
        return self._pipeline().fletcher32

    @property
    def scaleoffset(self) -> int | None:
        """The scale-offset filter's setting (decimal digits kept for floats, bits for
        integers), or None."""
        return self._pipeline().scaleoffset

    @property
    def external(self) -> list[tuple[str, int, int]] | None:
        """The external files holding the raw data as ``(name, offset, size)`` tuples, or None
        when the data is in the HDF5 file."""
        return self._storage.external_files()

    @property
    def is_virtual(self) -> bool:
        """Whether this is a virtual dataset (its elements come from other datasets)."""
        return self._storage.layout_class == "virtual"

    def virtual_sources(self) -> list[VDSmap]:
        """The mappings of a virtual dataset: ``VDSmap(vspace, file_name, dset_name,
        src_space)`` for each."""
        if not self.is_virtual:
            raise RuntimeError("Not a virtual dataset")
        from ..lowlevel.virtual import virtual_mappings  # virtual datasets only

        return virtual_mappings(self._storage)

    @property
    def fillvalue(self) -> Any:
        """The value unwritten elements read as (the stored fill value, else the type's zero)."""
        st = self._storage
        value = to_memory(st.fill_value().reshape(1), st.datatype, st.fs)
        return value[0]

    @property
    def is_scale(self) -> bool:
        """Whether this dataset is a dimension scale (``make_scale``)."""
        from .dims import is_scale  # dimension scales load on first use

        return is_scale(self)

    def make_scale(self, name: str = "") -> None:
        """Make this dataset a dimension scale (``H5DSset_scale``)."""
        from .dims import make_scale

        make_scale(self, name)

    @property
    def dims(self) -> DimensionManager:
        """The dimension scales and labels of each axis (``dset.dims[0].label``,
        ``dset.dims[0].attach_scale(x)``)."""
        from .dims import DimensionManager

        return DimensionManager(self)

    # -- reading ---------------------------------------------------------------------
    def __getitem__(self, args: Any) -> Any:
        args = args if isinstance(args, tuple) else (args,)
        fs = self._fs
        if not fs.swmr or fs.writer is not None:  # keys of ints and slices in one block
            st = self._open_storage()
            # ``dset[...]`` reads everything, as the empty key does (a scalar has no plan)
            fast = st.read_simple(() if len(args) == 1 and args[0] is Ellipsis else args)
            if fast is not None:
                view = st.memory_view()
                if view is None:
                    fast = to_memory(fast, st.datatype, fs)
                elif view is not st.storage_dtype:
                    fast = fast.view(view)
                return fast[()] if fast.shape == () else fast
        names = tuple(a for a in args if isinstance(a, str))
        if names:
            rest = tuple(a for a in args if not isinstance(a, str))
            return self.fields(list(names) if len(names) > 1 else names[0])[rest]
        if self._fs.swmr and self._fs.writer is None:
            return self._swmr_retry(lambda: self._read(args))
        return self._read(args, simple_tried=True)

    def _read(self, args: tuple[Any, ...], dtype: Any = None, simple_tried: bool = False) -> Any:
        st = self._storage
        if st.is_null:
            if args == () or (len(args) == 1 and args[0] is Ellipsis):
                return Empty(self.dtype)
            raise ValueError("Empty datasets cannot be sliced")
        if len(args) == 1 and isinstance(args[0], RegionReference):
            return self._read_region(args[0], dtype)
        if st.shape == () and args not in ((), (Ellipsis,)):
            raise ValueError("Illegal slicing argument for scalar dataspace")
        if dtype is None and not simple_tried:  # (``__getitem__`` tried it already)
            # ``dset[...]`` of a dataset with axes reads everything, as the empty key does
            whole = len(args) == 1 and args[0] is Ellipsis and st.shape != ()
            fast = st.read_simple(() if whole else args)
            if fast is not None:
                arr = self._convert(fast, None)
                return arr[()] if arr.shape == () else arr
        from ..selection import select  # imported on first use

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
            arr = read_as(arr, dtype)
        return arr

    def _read_region(self, ref: Any, dtype: Any) -> Any:
        from .reference import region_shape, single_block  # region references only

        if int(ref.address) != self._info.address:
            raise ValueError("Region reference must point to this dataset")
        st = self._storage
        selection = ref.selection
        if selection is None or selection.kind == "all":
            return self._read((Ellipsis,), dtype)
        if selection.kind == "none" and st.shape == ():
            return Empty(np.dtype(dtype) if dtype is not None else self.dtype)
        shape = region_shape(selection, st.shape)
        if selection.kind == "points":
            coords = selection.coordinates(st.shape)
        else:
            mask = selection.to_mask(st.shape)
            bounds = single_block(mask)
            if bounds is not None:
                return np.asarray(self._read(bounds, dtype)).reshape(shape)
            coords = np.argwhere(mask)
        if len(coords) == 0:
            return np.zeros(shape, dtype=dtype or self.dtype)
        from ..selection import Selection

        raw = st.read(Selection.from_points(coords, st.shape))
        arr = self._convert(raw, dtype)
        return arr.reshape(shape + arr.shape[1:])

    def _region_reference(self, args: Any) -> RegionReference:
        """``dset.regionref[args]``: an in-memory region reference to ``dset[args]``."""
        from ..selection.regions import all_selection, serialize_region

        st = self._storage
        if st.shape == ():
            key = args[0] if type(args) is tuple and len(args) == 1 else args
            if key is Ellipsis or (type(key) is tuple and not key):
                # a scalar dataset: the "all" selection of its scalar dataspace
                return RegionReference(self._info.address, all_selection())
            if isinstance(key, np.ndarray) and key.dtype == bool and key.shape == ():
                # a scalar dataspace's selection as a mask (h5s): all, or none
                from ..selection.regions import none_selection

                chosen = all_selection() if key else none_selection()
                return RegionReference(self._info.address, chosen)
        from ..selection import select  # imported on first use

        sel = select(args, st.shape)
        return RegionReference(self._info.address, serialize_region(sel, len(st.shape)))

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
        if self._read_into(dest, source_sel, dest_sel):
            return
        src = np.asarray(self[source_sel if source_sel is not None else ...])
        target = dest[dest_sel if dest_sel is not None else ...]
        _check_broadcast(src.shape, np.shape(target))
        if not (dest.flags.c_contiguous and dest.flags.writeable):
            raise TypeError("Array must be C-contiguous and writable")
        dest[dest_sel if dest_sel is not None else ...] = src

    def _read_into(self, dest: Any, source_sel: Any, dest_sel: Any) -> bool:
        """``read_direct`` without an intermediate array: when ``dest[dest_sel]`` is a view
        of ``dest`` shaped like the source selection, of the dataset's own numeric dtype,
        the engine fills that view in place.  False when the general path must run
        (conversions, broadcasting, fancy destination indices, region references)."""
        st = self._storage
        if not (
            isinstance(dest, np.ndarray)
            and dest.flags.c_contiguous
            and dest.flags.writeable
            and dest.dtype == st.storage_dtype
            and dest.dtype.kind in "biufc"
            and dest.dtype == self.dtype
        ):
            return False
        args = source_sel if source_sel is not None else (Ellipsis,)
        args = args if isinstance(args, tuple) else (args,)
        if any(isinstance(a, (str, RegionReference)) for a in args):
            return False
        if st.shape == () and args not in ((), (Ellipsis,)):
            return False  # h5py's error comes from the general path
        target = dest[dest_sel if dest_sel is not None else ...]
        if not isinstance(target, np.ndarray) or not np.may_share_memory(target, dest):
            return False  # fancy destination indices: numpy made a copy
        from ..selection import select  # imported on first use

        sel = select(args, st.shape)
        if tuple(target.shape) != tuple(sel.out_shape):
            return False  # broadcasting: the general path checks and copies
        out = target.view()
        try:
            out.shape = tuple(sel.mshape)  # the same memory, integer axes as length 1
        except AttributeError:
            return False
        st.read(sel, out)
        return True

    # -- writing ------------------------------------------------------------------
    def __setitem__(self, args: Any, val: Any) -> None:
        """h5py's ``dset[sel] = value``: numpy broadcasting onto any selection."""
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
        val = unnpystring(val)
        dtype = self.dtype
        if dtype.kind == "S" and not names:
            val = _fixed_string_value(val, dtype)
        if not names and dtype.subdtype is None and writer.write_simple(st, dtype, args, val):
            return
        from ..selection import select  # imported on first use

        sel = select(args, st.shape)
        if names:
            value = _merge_fields(st, sel, dtype, names, val)
        elif dtype.subdtype is not None:
            base, sub = dtype.subdtype
            value = np.asarray(val, dtype=None if isinstance(val, np.ndarray) else base)
            # h5py's rules: the value ends in the element's shape, and one element is
            # not broadcast over a selection (h5py's issue 211)
            tail = value.shape[value.ndim - len(sub) :] if value.ndim >= len(sub) else value.shape
            if tail != sub:
                raise TypeError(
                    "When writing to array types, last N dimensions have to match "
                    f"(got {tail}, but should be {sub})"
                )
            if value.ndim == len(sub) and tuple(sel.out_shape) != ():
                raise TypeError("Scalar broadcasting is not supported for array dtypes")
            value = np.broadcast_to(value.astype(base, copy=False), tuple(sel.out_shape) + sub)
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
        writer.write(st, sel, value)

    def resize(self, size: Any, axis: int | None = None) -> None:
        """Change the dataset's shape within ``maxshape`` (chunked datasets only)."""
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
        if any(n >= 1 << 64 for n in size):
            raise OverflowError("Python int too large to convert to C unsigned long")
        maxshape = self.maxshape or shape
        for n, m in zip(size, maxshape):
            if m is not None and n > m:
                raise ExtentError(
                    "Unable to synchronously change a dataset's dimensions (dimension cannot "
                    f"exceed the existing maximal size (new: {n} max: {m}))"
                )
        self._storage.check_new_extent(size)
        writer.resize(self._storage, size)

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
        """A view reading the data converted to ``dtype`` (numpy 2's ``"T"`` strings too,
        from a string dataset only)."""
        dtype = np.dtype(dtype)
        if dtype.kind == "T" and check_string_dtype(self.dtype) is None:
            raise TypeError(
                "dset.astype(StringDType()) can only be used on datasets with an HDF5 string "
                "datatype"
            )
        return AstypeWrapper(self, dtype)

    def asstr(self, encoding: str | None = None, errors: str = "strict") -> AsStrWrapper:
        """A view that reads a string dataset as Python ``str`` (decoding with the stored
        encoding, or ``encoding``, with ``errors`` as ``bytes.decode``) instead of
        ``bytes``."""
        info = check_string_dtype(self.dtype)
        if info is None:
            raise TypeError(
                "dset.asstr() can only be used on datasets with an HDF5 string datatype"
            )
        return AsStrWrapper(self, encoding or info.encoding, errors)

    def fields(self, names: Any) -> FieldsWrapper:
        """A view that reads only the named field(s) of a compound dataset
        (``dset.fields('x')[:10]``)."""
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
        """The slices of each chunk the selection (slices with step 1) touches, cut to
        it, in C order of the chunks (h5py checks the arguments at the call)."""
        chunks = self.chunks
        if chunks is None:
            raise TypeError("Chunked dataset required")
        shape = self.shape or ()
        key = sel if sel is not None else (Ellipsis,)
        if len(key if isinstance(key, tuple) else (key,)) > len(shape):
            raise ValueError(
                f"Invalid selection - rank of selection does not match dataset rank {len(shape)}"
            )
        from ..selection import select  # imported on first use

        slabs = select(key, shape).hyperslab()
        if slabs is None or any(s.stride != 1 and s.count > 1 for s in slabs):
            raise TypeError("iter_chunks takes a selection of slices with step 1")
        if any(s.count == 0 for s in slabs):
            raise ValueError("Invalid selection - selection region must be within dataset space")
        return _chunk_slices([(s.start, s.start + s.count) for s in slabs], chunks)

    def refresh(self) -> None:
        """Read the dataset's metadata afresh (a SWMR reader sees what the writer flushed)."""
        self._fs.refresh(self._info.address)
        self._info.reload()

    @property
    def collective(self) -> Any:
        """h5py's ``with dset.collective:`` (files opened with ``driver="mpio"``): the raw
        data writes inside are collective MPI-IO calls, made by every rank."""
        from ..lowlevel.collective import collective_mode  # loads the writer

        return collective_mode(self._fs)

    def flush(self) -> None:
        """Write the dataset's changes to the file (a SWMR writer makes them visible)."""
        writer = self._fs.writer
        if writer is not None:
            writer.commit()

    def __repr__(self) -> str:
        if not self._file._is_open:
            return "<Closed HDF5 dataset>"
        name = self.name
        label = (
            "(anonymous)"
            if name is None
            else f'"{name.rsplit("/", 1)[-1] if name != "/" else "/"}"'
        )
        shape = self.shape
        return f'<HDF5 dataset {label}: shape {shape}, type "{self.dtype.str}">'


def _chunk_slices(
    bounds: list[tuple[int, int]], chunks: tuple[int, ...]
) -> Iterator[tuple[slice, ...]]:
    """The chunk-wise pieces of the block ``bounds`` (per axis ``[lo, hi)``), C order."""
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


def _fixed_string_value(val: Any, dtype: np.dtype) -> Any:
    """A value for a fixed-length string dataset: ``str`` items encoded with the
    dataset's character set (h5py writes ``"cù"`` into a UTF-8 ``S5``); numpy ``U``
    arrays are refused as h5py refuses them (no conversion path)."""
    if isinstance(val, np.ndarray) and val.dtype.kind == "U":
        raise TypeError(f"No conversion path for dtype: {val.dtype!r}")
    info = check_string_dtype(dtype)
    encoding = info.encoding if info is not None else "ascii"
    if isinstance(val, str):
        return val.encode(encoding)
    if isinstance(val, (list, tuple)) or (isinstance(val, np.ndarray) and val.dtype.kind == "O"):
        arr = np.asarray(val, dtype=object)
        flat = [v.encode(encoding) if isinstance(v, str) else v for v in arr.reshape(-1)]
        out = np.empty(arr.shape, dtype=object)
        out.reshape(-1)[:] = flat
        return out
    return val


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


class DatasetView:
    """A view of a dataset that converts what it reads (``astype``, ``asstr``,
    ``fields``): index it like the dataset, or turn it into an array."""

    def __init__(self, dset: Dataset) -> None:
        self._dset = dset

    def __getitem__(self, args: Any) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self._dset)

    @property
    def dtype(self) -> np.dtype:
        """The dtype of what the view reads."""
        raise NotImplementedError

    @property
    def ndim(self) -> int:
        """The number of dimensions of the dataset viewed."""
        return self._dset.ndim

    @property
    def shape(self) -> tuple[int, ...] | None:
        """The shape of the dataset viewed."""
        return self._dset.shape

    @property
    def size(self) -> int | None:
        """The number of elements of the dataset viewed."""
        return self._dset.size

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        _refuse_no_copy(copy, type(self).__name__)
        arr = np.asarray(self[...])
        return arr if dtype is None else arr.astype(dtype)


class AstypeWrapper(DatasetView):
    """``dset.astype(dtype)``: reads converted to ``dtype``."""

    def __init__(self, dset: Dataset, dtype: np.dtype) -> None:
        super().__init__(dset)
        self._dtype = dtype

    @property
    def dtype(self) -> np.dtype:
        """The dtype reads are converted to."""
        return self._dtype

    def __getitem__(self, args: Any) -> Any:
        args = args if isinstance(args, tuple) else (args,)
        return self._dset._read(args, self._dtype)


class AsStrWrapper(DatasetView):
    """``dset.asstr()``: string data decoded to ``str``."""

    def __init__(self, dset: Dataset, encoding: str, errors: str) -> None:
        super().__init__(dset)
        self.encoding = encoding
        self.errors = errors

    @property
    def dtype(self) -> np.dtype:
        """The dtype of what indexing gives: numpy objects holding ``str``."""
        return np.dtype(object)

    def __getitem__(self, args: Any) -> Any:
        raw = self._dset[args]
        if isinstance(raw, bytes):
            return raw.decode(self.encoding, self.errors)
        arr = np.asarray(raw, dtype=object)
        out = np.empty(arr.shape, dtype=object)
        out.reshape(-1)[:] = decode_bytes(arr.reshape(-1).tolist(), self.encoding, self.errors)
        return out


class FieldsWrapper(DatasetView):
    """``dset.fields(names)``: reads a subset of a compound's fields."""

    def __init__(self, dset: Dataset, names: list[str], single: bool) -> None:
        super().__init__(dset)
        self._names = names
        self._single = single

    @property
    def dtype(self) -> np.dtype:
        """The dtype of what indexing gives: the chosen field's, or a compound of the chosen
        fields."""
        fields: Any = self._dset.dtype.fields
        if self._single:
            return np.dtype(fields[self._names[0]][0])
        return np.dtype([(n, fields[n][0]) for n in self._names])

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


def _object_value(val: Any, dtype: np.dtype, out_shape: tuple[int, ...]) -> np.ndarray:
    """An object array of ``dtype`` from ``val``.

    For a vlen sequence dtype, h5py's reading of the value: when it converts to one
    rectangular array of the base type, its last axis runs along each sequence (a 1-D value
    is one sequence, broadcast onto the selection); otherwise (ragged) each item of ``val``
    is one sequence.  A sequence of vlen strings (or of other vlen sequences) converts to
    an object array whatever its shape: its last axis is always one sequence."""
    base = check_vlen_dtype(dtype)
    if (
        base is not None
        and base not in (str, bytes)
        # an object array is an array of sequences -- unless the sequences' own items are
        # objects (vlen strings, vlen of vlen): then, as in h5py, its last axis is one
        and (np.dtype(base).kind == "O" or not (isinstance(val, np.ndarray) and val.dtype.kind == "O"))
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
