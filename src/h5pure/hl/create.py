"""Creating datasets: h5py's ``create_dataset`` arguments checked and normalised, then
handed to the write session.

:func:`create_compact_dataset` is the same with the compact layout, which h5py's
high-level API reaches only through a dataset creation property list: the h5py facade's
``h5d.create`` and the tools use it."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import H5pyDeprecationWarning
from ..filters import normalize_filter_args
from ..lowlevel.create import check_new_extent
from ..lowlevel.external import normalize_external
from ..lowlevel.objects import ObjectInfo
from ..lowlevel.paths import join
from ..lowlevel.specs import DatasetSpec
from ..selection.chunking import guess_chunk
from .dataset import Dataset
from .values import Empty, array_for_new_object, stored_dtype

if TYPE_CHECKING:
    from .group import Group


def _fill_time_code(fill_time: Any) -> int | None:
    """h5py's ``fill_time`` names as the fill value message stores them."""
    if fill_time is None:
        return None
    codes = {"alloc": 0, "never": 1, "ifset": 2}
    try:
        return codes[fill_time]
    except (KeyError, TypeError):
        raise ValueError(f"fill_time must be one of the following choices: {list(codes)}") from None


def create_dataset(
    group: Group,
    name: str | None,
    shape: Any = None,
    dtype: Any = None,
    data: Any = None,
    *,
    dcpl: Any = None,
    **kwds: Any,
) -> Dataset:
    """h5py's ``Group.create_dataset`` (see :meth:`Group.create_dataset`).

    ``dcpl`` is a dataset creation property list: any object with a
    ``dataset_keywords(dtype) -> dict`` method giving the ``create_dataset`` keywords it
    stands for, ``compact=True`` for the compact layout (the h5py facade's ``h5p``
    lists have it)."""
    compact = False
    if dcpl is not None and not _scalar_or_empty(shape, data):
        kwds, compact = _with_creation_list(dcpl, dtype, data, kwds)
    return _create(group, name, shape, dtype, data, compact, **kwds)


def _scalar_or_empty(shape: Any, data: Any) -> bool:
    if shape is not None:
        return shape == ()
    return data is None or isinstance(data, Empty) or np.ndim(data) == 0


def _with_creation_list(
    dcpl: Any, dtype: Any, data: Any, kwds: dict[str, Any]
) -> tuple[dict[str, Any], bool]:
    """The keywords of ``create_dataset(..., dcpl=dcpl, **kwds)`` and whether the layout
    is compact, as h5py's ``filters.fill_dcpl`` completes the list: the keywords add to
    it, and a chunk shape (given, or guessed for filters or a maximum shape) makes it
    chunked.  h5py gives an empty or scalar dataset a new list (the caller checks)."""
    try:
        known = np.dtype(dtype) if dtype is not None else np.asarray(data).dtype
    except TypeError:  # a committed type or a type identifier: the fill value as given
        known = None
    base = dict(dcpl.dataset_keywords(known))
    compact = bool(base.pop("compact", False))
    base.pop("track_times", None)  # h5py always sets its own (False by default)
    given = {k: v for k, v in kwds.items() if v is not None}
    chunks = given.get("chunks")
    if chunks not in (None, False):
        compact = False
    elif chunks is None and (
        any(given.get(k) for k in ("shuffle", "fletcher32", "compression"))
        or (given.get("maxshape") and not given.get("external"))
        or "scaleoffset" in given
    ):
        compact = False
        base.pop("chunks", None)
    return {**kwds, **base, **given}, compact


def create_compact_dataset(
    group: Group,
    name: str | None,
    shape: Any = None,
    dtype: Any = None,
    data: Any = None,
    **kwds: Any,
) -> Dataset:
    """``create_dataset`` with the compact layout: the values live in the dataset's object
    header (at most 64 KiB of them).  libhdf5 refuses chunks, filters, external storage
    and a maximum shape beyond the shape, with ``ValueError``."""
    return _create(group, name, shape, dtype, data, True, **kwds)


def _create(
    group: Group,
    name: str | None,
    shape: Any,
    dtype: Any,
    data: Any,
    compact: bool,
    /,
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
    _pipeline: Any = None,
    **kwds: Any,
) -> Dataset:
    """h5py's ``Group.create_dataset`` (see :meth:`Group.create_dataset`).

    ``_pipeline`` (``Group.copy``): a stored filter pipeline to keep as it is, in place of
    the filter keywords."""
    writer = group._session("create dataset")
    committed, dtype, record = group._type_argument(dtype)
    if data is not None and not isinstance(data, Empty):
        data = array_for_new_object(data, dtype)
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
        if data is None:
            warnings.warn(
                "From h5py 4.0, either dtype or data will be required to create a dataset",
                H5pyDeprecationWarning,
                stacklevel=3,
            )
        dtype = data.dtype if data is not None else np.dtype("=f4")
    dtype = stored_dtype(dtype)
    if track_times not in (None, True, False):
        raise TypeError(f"track_times must be either True or False, not {track_times!r}")
    if shape is None or shape == ():
        # h5py refuses chunk and filter options of an empty or scalar dataset first
        if (
            chunks not in (None, False)
            or compression is not None
            or shuffle
            or fletcher32
            or scaleoffset is not None
            or maxshape is not None
        ):
            kind = "Empty" if shape is None else "Scalar"
            raise TypeError(f"{kind} datasets don't support chunk/filter options")
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
    filters = normalize_filter_args(
        dtype=dtype,
        compression=compression,
        compression_opts=compression_opts,
        shuffle=shuffle,
        fletcher32=fletcher32,
        scaleoffset=scaleoffset,
        allow_unknown_filter=allow_unknown_filter,
    )
    filtered = filters.filtered
    if shape is None or shape == () or (compact and chunks in (None, False)):
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
    elif chunks is True or (
        chunks is None and (filtered or (maxshape is not None and external is None))
    ):
        chunk_shape = guess_chunk(shape, maxshape, dtype.itemsize)
    elif chunks is False and (filtered or (maxshape is not None and external is None)):
        raise ValueError("Chunked format required for given storage options")
    else:
        chunk_shape = None
    efl_entries = None
    if external is not None:
        efl_entries = normalize_external(external)
        if chunk_shape is not None:
            raise ValueError(
                "Unable to synchronously create dataset "
                "(external storage not supported with chunked layout)"
            )
    if fillvalue is not None and dtype.kind not in "OSUV":
        if np.asarray(fillvalue).dtype.kind == "U":
            raise TypeError(f"No conversion path for dtype: {np.asarray(fillvalue).dtype!r}")
    if fillvalue is not None and dtype.names is not None:
        given = np.asarray(fillvalue)
        if given.dtype.names is None and not isinstance(fillvalue, tuple):
            # libhdf5 has no conversion from a number to a compound
            raise ValueError(
                "Unable to synchronously set fill value (unable to convert fill value "
                f"{fillvalue!r} to {dtype})"
            )
    initial = data is not None and not isinstance(data, Empty)
    spec = DatasetSpec(
        shape=shape,
        dtype=dtype,
        maxshape=maxshape,
        chunks=chunk_shape,
        compact=compact,
        filters=filters,
        pipeline=_pipeline,
        fillvalue=fillvalue,
        fill_time=_fill_time_code(fill_time),
        # h5py's default track_order (File(track_order=) only orders the root group)
        track_times=bool(track_times),
        track_order=bool(track_order),
        committed_type=committed,
        datatype=record,
        external=tuple(efl_entries) if efl_entries else None,
        initial=data if initial else None,
    )
    # the fill value is stored (a vlen one in the global heap) before any missing parent
    # group is created, as libhdf5 sets up the creation property list first
    prepared = writer.prepare_dataset(spec)
    check_new_extent(writer.ctx, prepared.plan, writer.versions)
    parent = None
    if name is not None:
        parent, base = group._new_link_place(name, "create dataset")
    address = writer.create_dataset(
        None if parent is None else parent._info.address, None if parent is None else base, prepared
    )
    path = None if parent is None else join(parent.name, base)
    dset = Dataset(group.file, ObjectInfo(writer.fs, address, created=True), path)
    if initial and not prepared.stores_initial:
        dset[...] = data.reshape(shape) if data.shape != shape else data
    return dset


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
