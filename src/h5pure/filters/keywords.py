"""h5py's filter keywords and the stored filter pipeline, both directions.

Creating a dataset, h5py (``make_new_dset`` and ``filters.fill_dcpl``) turns the keywords
``compression``, ``compression_opts``, ``shuffle``, ``fletcher32`` and ``scaleoffset`` into
filters in a fixed order (scale-offset, shuffle, the compressor, Fletcher-32), and libhdf5's
``set_local`` callbacks complete their client data for the dataset:

* :func:`normalize_filter_args` applies h5py's argument semantics and checks, in h5py's
  order and with its exceptions (``compression=4`` is gzip level 4, ``compression=True``
  gzip, a number of 10 or more a filter id, ...), and returns :class:`FilterArgs`;
* :func:`build_pipeline` turns such arguments into the ``FilterInfo`` tuple a new dataset
  stores, as libhdf5 would for the same dtype, chunk shape and fill value.

Reading, :func:`describe_pipeline` shows a stored pipeline the way h5py's ``Dataset`` does
(its filter dict and the ``compression``, ``compression_opts``, ``shuffle``, ``fletcher32``
and ``scaleoffset`` properties).  Everything filter-specific is asked of the filters
themselves (:class:`~h5pure.filters.base.Filter`), found by h5py name or by id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np

from ..format.messages.filter_pipeline import FilterInfo
from .base import (
    Filter,
    LocalInfo,
    check_client_values,
    filter_for,
    get_filter,
    h5py_encoders,
    h5py_filter,
    local_client_data,
)

LEGACY_GZIP = frozenset(range(10))
_DEFLATE_ID = 1
"""``compression`` values h5py takes as a gzip level (anything hashing and comparing equal
to 0-9: ``False``, ``np.int64(3)``, ``4.0``)."""
MAX_FILTER_ID = 65535
"""``H5Z_FILTER_MAX``."""
_C_INT_LIMIT = 1 << 31


class FilterArgs(NamedTuple):
    """h5py's filter keywords after its checks and normalisation."""

    compression: str | int | None
    """An h5py compression name ("gzip", "lzf", "szip"), a filter id, or ``None``."""
    compression_opts: Any
    """The gzip level, szip's ``(method, pixels per block)``, a filter id's client data
    (tuple of ints), or ``None``."""
    shuffle: bool
    fletcher32: bool
    scaleoffset: int | None
    """The scale factor, or ``None`` for no scale-offset filter."""

    @property
    def filtered(self) -> bool:
        """Whether any filter is asked for (h5py then needs a chunked layout)."""
        return bool(
            self.compression is not None
            or self.shuffle
            or self.fletcher32
            or self.scaleoffset is not None
        )


class FilterDescription(NamedTuple):
    """A stored pipeline as h5py's ``Dataset`` shows it."""

    filters: dict[str, Any]
    """h5py's ``Dataset._filters``: h5py name (else the id as a string) -> options."""
    compression: str | None
    """"gzip", "lzf" or "szip"; "unknown" when a filter h5py has no name for is present."""
    compression_opts: Any
    shuffle: bool
    fletcher32: bool
    scaleoffset: int | None


def normalize_filter_args(
    *,
    dtype: np.dtype,
    compression: Any = None,
    compression_opts: Any = None,
    shuffle: Any = None,
    fletcher32: Any = None,
    scaleoffset: Any = None,
    allow_unknown_filter: bool = False,
) -> FilterArgs:
    """h5py's semantics and checks of its filter keywords for a dataset of ``dtype``.

    Raises what h5py raises, for the first problem h5py would find.  The checks that need
    the chunk shape or fill value (libhdf5's, made when the dataset is created) are
    :func:`build_pipeline`'s.  Checks of the layout (scalar datasets, ``chunks=False``) are
    the caller's, made before this.

    ``compression`` may also be one of h5py's filter references (``h5py.filters.Gzip(5)``,
    hdf5plugin's filters): h5py takes its filter id and options."""
    dtype = np.dtype(dtype)
    if compression is True:  # h5py's legacy spellings of gzip
        compression = "gzip"
        if compression_opts is None:
            compression_opts = 4
    if compression in LEGACY_GZIP:
        if compression_opts is not None:
            raise TypeError("Conflict in compression options")
        compression, compression_opts = "gzip", compression
    by_name: Filter | None = None
    if compression is not None:
        if _is_filter_ref(compression):
            compression_opts = compression.filter_options
            compression = compression.filter_id
        if compression not in h5py_encoders() and not isinstance(compression, int):
            # h5py formats its messages with ``%`` (a tuple is taken as the arguments)
            message = 'Compression filter "%s" is unavailable' % compression  # noqa: UP031
            raise ValueError(message + _install_hint(compression))
        if not isinstance(compression, int):
            by_name = h5py_filter(compression)
            if by_name.h5py_compression is not None:
                compression_opts = by_name.check_options(compression_opts, dtype)
    elif compression_opts is not None:
        raise TypeError("Compression method must be specified")
    if scaleoffset is not None:
        scaleoffset = h5py_filter("scaleoffset").check_options(scaleoffset, dtype)
        if fletcher32:
            raise ValueError("fletcher32 cannot be used with potentially lossy scale/offset filter")
    if isinstance(compression, int):
        if not -_C_INT_LIMIT <= compression < _C_INT_LIMIT:  # h5py passes it as a C int
            raise OverflowError("value too large to convert to int")
        if not allow_unknown_filter and not _available(compression):
            raise ValueError("Unknown compression filter number: %s" % compression)  # noqa: UP031
        compression_opts = check_client_values(compression_opts)
        if not 0 <= compression <= MAX_FILTER_ID:
            raise ValueError("Invalid filter identifier (invalid filter identifier)")
        if compression == _DEFLATE_ID and not compression_opts:
            # h5py fails reading the level out of the empty options
            raise IndexError(
                "tuple index out of range (the deflate filter, id 1, takes its level as "
                "compression_opts=(level,))"
            )
    elif by_name is not None and by_name.h5py_compression is None:
        # "shuffle", "fletcher32", "scaleoffset": names h5py takes but adds nothing for
        compression, compression_opts = None, None
        _check_requested(by_name.h5py_key(), dtype, shuffle, fletcher32, scaleoffset)
    return FilterArgs(compression, compression_opts, bool(shuffle), bool(fletcher32), scaleoffset)


def build_pipeline(
    *,
    dtype: np.dtype,
    chunks: tuple[int, ...],
    compression: str | int | None = None,
    compression_opts: Any = None,
    shuffle: bool = False,
    fletcher32: bool = False,
    scaleoffset: int | None = None,
    fill: bytes | None = None,
    element_size: int | None = None,
) -> tuple[FilterInfo, ...]:
    """The filter pipeline libhdf5 stores for a new dataset made with these (normalised)
    keywords: h5py's order (scale-offset, shuffle, compression, Fletcher-32), each filter's
    flags and stored name, and the client data its ``set_local`` callback completes.

    ``compression`` is an h5py compression name or a filter id (a filter without a
    registered codec keeps the client data it is given); ``fill`` is the user's fill value
    in the dataset's byte order (``None``: the default); ``element_size`` the size of the
    HDF5 datatype when it differs from ``dtype.itemsize``.  Raises what h5py raises when
    libhdf5 refuses the dataset (``ValueError("Unable to synchronously create dataset
    (...)")``)."""
    dtype = np.dtype(dtype)
    requested = _requested(dtype, compression, compression_opts, shuffle, fletcher32, scaleoffset)
    local = LocalInfo(dtype, tuple(int(c) for c in chunks), fill, element_size)
    client_data = local_client_data(requested, local)
    return tuple(
        FilterInfo(f.filter_id, f.stored_name, f.flags, cd)
        for (f, _), cd in zip(requested, client_data)
    )


def describe_pipeline(filters: Iterable[FilterInfo]) -> FilterDescription:
    """A stored pipeline as h5py's ``Dataset`` shows it (``_filters`` and the
    ``compression``, ``compression_opts``, ``shuffle``, ``fletcher32`` and ``scaleoffset``
    properties).  A later filter of the same kind replaces an earlier one in the dict, as
    in h5py."""
    out: dict[str, Any] = {}
    ranks: dict[str, int] = {}
    unknown = False
    for info in filters:
        f = filter_for(int(info.filter_id))
        key = f.h5py_key()
        out[key] = f.h5py_options(tuple(int(v) for v in info.client_data))
        if f.h5py_compression is not None:
            ranks[key] = f.h5py_compression
        unknown = unknown or f.h5py_name is None
    if ranks:
        compression: str | None = min(ranks, key=ranks.__getitem__)
    else:
        compression = "unknown" if unknown else None
    opts = out.get(compression) if compression is not None else None
    so = out.get("scaleoffset")
    return FilterDescription(
        filters=out,
        compression=compression,
        compression_opts=opts,
        shuffle="shuffle" in out,
        fletcher32="fletcher32" in out,
        scaleoffset=int(so[1]) if so is not None and len(so) > 1 else None,
    )


# -- helpers ---------------------------------------------------------------------------------


def _is_filter_ref(compression: Any) -> bool:
    """Whether ``compression`` is one of h5py's filter references (``h5py.filters.Gzip(5)``,
    hdf5plugin's ``Zstd()``, any ``h5py.filters.FilterRefBase``): it names a filter id and
    its client data, and h5py takes those for ``compression`` and ``compression_opts``."""
    return hasattr(compression, "filter_id") and hasattr(compression, "filter_options")


def _install_hint(name: Any) -> str:
    """Which package would make the filter h5py names ``name`` write."""
    try:
        package = h5py_filter(name).package if isinstance(name, str) else None
    except KeyError:
        package = None
    return f" (pip install {package})" if package else ""


def _available(filter_id: int) -> bool:
    """h5py's ``h5z.filter_avail`` when creating a dataset: a codec that can write is
    registered for the id (a read-only codec would leave every chunk unfiltered)."""
    if not 0 <= filter_id <= MAX_FILTER_ID:
        raise ValueError(
            "Invalid filter identification number (invalid filter identification number)"
        )
    try:
        return get_filter(filter_id).can_encode()
    except OSError:  # FilterError: nothing registered
        return False


def _requested(
    dtype: np.dtype,
    compression: str | int | None,
    compression_opts: Any,
    shuffle: Any,
    fletcher32: Any,
    scaleoffset: int | None,
) -> list[tuple[Filter, tuple[int, ...]]]:
    """Each filter h5py adds, in its order, with the client data it is added with."""
    chosen: list[tuple[Filter, Any]] = []
    if scaleoffset is not None:
        chosen.append((h5py_filter("scaleoffset"), scaleoffset))
    if shuffle:
        chosen.append((h5py_filter("shuffle"), None))
    if isinstance(compression, str):
        chosen.append((h5py_filter(compression), compression_opts))
    elif compression is not None:
        chosen.append((filter_for(int(compression)), compression_opts))
    if fletcher32:
        chosen.append((h5py_filter("fletcher32"), None))
    return [(f, f.values(opts, dtype)) for f, opts in chosen]


def _check_requested(
    name: str, dtype: np.dtype, shuffle: Any, fletcher32: Any, scaleoffset: int | None
) -> None:
    """h5py's last check: the filter named by ``compression`` is in the pipeline asked for
    (it is not when ``compression="shuffle"`` comes without ``shuffle=True``)."""
    requested = _requested(dtype, None, None, shuffle, fletcher32, scaleoffset)
    listed = describe_pipeline(
        FilterInfo(f.filter_id, f.stored_name, f.flags, values) for f, values in requested
    ).filters
    if name not in listed:
        raise ValueError(f"compression {name!r} not in filters {listed!r}")
