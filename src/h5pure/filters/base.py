"""The Filter ABC, the per-chunk context, and the registry keyed by HDF5 filter id.

A filter turns the stored bytes of one chunk into the bytes the next filter (or the
datatype layer) expects, and back.  It also knows what a new dataset stores for it: the
client data h5py's keywords ask for (``values``) and what libhdf5's ``set_local`` callback
makes of them for one dataset (``set_local``), and how h5py shows the stored filter
(``h5py_name``, ``h5py_options``).  Filters are looked up by their on-disk id
(``FilterInfo.filter_id`` of the pipeline message) or by h5py's name; never by if/elif
chains.  An id without a registered codec gets a stand-in (:func:`filter_for`) that stores
the client data it is given, as libhdf5 does for a filter it has no class for.
"""

from __future__ import annotations

import math
import sys
from abc import ABC, abstractmethod
from typing import Any, ClassVar, NamedTuple, TypeVar

import numpy as np

from ..errors import FilterError
from ..format.messages.filter_pipeline import FLAG_OPTIONAL, FilterInfo


class ChunkInfo(NamedTuple):
    """What a filter may know about the chunk it works on."""

    element_size: int
    """Bytes per dataset element (the datatype size)."""
    chunk_shape: tuple[int, ...]
    """Chunk dimensions in elements (edge chunks are stored full size)."""
    address: int | None = None
    """File address of the stored chunk, for error messages."""
    out_size: int | None = None
    """Size of the output of the current decode step when it is known (set by the pipeline)."""
    transient: bool = False
    """The next decode step copies this step's output before the thread decodes anything
    else (set by the pipeline): the output may go into a buffer the thread reuses
    (:mod:`h5pure.filters.scratch`)."""

    @property
    def nbytes(self) -> int:
        """Unfiltered size of the chunk: ``element_size * prod(chunk_shape)``."""
        return self.element_size * math.prod(self.chunk_shape)

    def where(self) -> str:
        return f"chunk at 0x{self.address:x}" if self.address is not None else "chunk"


class LocalInfo(NamedTuple):
    """What libhdf5's ``set_local`` callbacks see of a new dataset."""

    dtype: np.dtype
    """The dataset's numpy dtype as h5py gives it (byte order, kind, h5py's metadata)."""
    chunks: tuple[int, ...]
    """The chunk shape in elements."""
    fill: bytes | None = None
    """The user's fill value in the dataset's byte order; ``None``: the default (zeros)."""
    element_size: int | None = None
    """Bytes per element of the HDF5 datatype when it differs from ``dtype.itemsize``
    (region references, compounds holding variable-length members); ``None``: the same."""

    @property
    def size(self) -> int:
        """Bytes per element of the HDF5 datatype (``H5T_get_size``)."""
        return self.dtype.itemsize if self.element_size is None else self.element_size

    @property
    def nelements(self) -> int:
        """Elements per chunk."""
        return math.prod(self.chunks)

    @property
    def variable_length(self) -> bool:
        """Whether the datatype itself is variable-length (a vlen sequence or string).

        libhdf5 (``H5Z_ignore_filters``) then runs no ``can_apply``/``set_local`` callback:
        the pipeline keeps the values h5py set (so shuffle and szip, which need what
        ``set_local`` adds, fail on every chunk and are skipped), and a mandatory filter
        refuses the dataset."""
        return self.dtype.kind == "O" and "vlen" in (self.dtype.metadata or {})


def creation_error(reason: str) -> ValueError:
    """The error h5py raises when libhdf5 refuses to create a dataset for ``reason``."""
    return ValueError(f"Unable to synchronously create dataset ({reason})")


def big_endian(dtype: np.dtype) -> bool:
    """Whether ``dtype``'s values are stored most significant byte first."""
    order = dtype.byteorder
    return order == ">" or (order == "=" and sys.byteorder == "big")


def check_client_values(opts: Any) -> tuple[int, ...] | None:
    """h5py's rules for the client data of a filter chosen by number
    (``compression=32001, compression_opts=(...)``): ``None`` or a tuple of C
    ``unsigned int`` values, raising what h5py raises otherwise."""
    if opts is None:
        return None
    if not isinstance(opts, tuple):
        raise ValueError("values must be a tuple or None.")
    out = []
    for v in opts:
        n = int(v)
        if n < 0:
            raise OverflowError("can't convert negative value to unsigned int")
        if n >= 1 << 32:
            raise OverflowError("value too large to convert to unsigned int")
        out.append(n)
    return tuple(out)


def local_client_data(
    requested: list[tuple[Filter, tuple[int, ...]]], local: LocalInfo
) -> list[tuple[int, ...]]:
    """The client data libhdf5 stores for a new dataset's pipeline, given each filter and
    the values it was added with, in pipeline order.

    As ``H5D__create`` does: a variable-length datatype skips the callbacks (and refuses a
    mandatory filter, ``H5Z_ignore_filters``); otherwise every filter's ``can_apply`` runs,
    then every ``set_local``.  An error carries the first reason libhdf5 recorded, which is
    what h5py reports."""
    if local.variable_length:
        if any(not f.flags & FLAG_OPTIONAL for f, _ in requested):
            raise creation_error("not suitable for filters")
        return [values for _, values in requested]
    reasons = []
    for f, _ in requested:
        reason = f.can_apply(local)
        if reason is not None:
            if not f.flags & FLAG_OPTIONAL:
                raise creation_error(reason)
            reasons.append(reason)
    try:
        return [f.set_local(values, local) for f, values in requested]
    except ValueError as e:
        if reasons:
            raise creation_error(reasons[0]) from e
        raise


class Filter(ABC):
    """One HDF5 filter.  Subclasses set the class attributes and implement the codec.

    The write-side hooks (``values``, ``set_local``, ``check_options``, ``h5py_options``)
    have defaults that fit a plugin filter h5py knows only by number: its client data are
    stored as given and shown as a tuple."""

    filter_id: ClassVar[int]
    """The HDF5 filter id this class implements."""
    name: ClassVar[str]
    """Short name as libhdf5/h5py register it ("deflate", "lzf", ...)."""
    package: ClassVar[str | None] = None
    """The pip package that provides the codec; ``None`` when numpy/stdlib suffice."""
    size_preserving: ClassVar[bool] = False
    """True when decode output has the size of its input (shuffle); lets the pipeline
    tell earlier steps their exact output size."""
    accepts_buffers: ClassVar[bool] = False
    """True when ``encode`` and ``decode`` take any flat (1-D, unsigned byte) C-contiguous
    buffer (a ``memoryview`` of the caller's array, a ``bytearray`` a chunk was read into),
    not only ``bytes``: the pipeline then passes it on instead of a copy.  They still
    return ``bytes`` (or a buffer the next step accepts; the pipeline makes the end
    result ``bytes``)."""

    h5py_name: ClassVar[str | None] = None
    """The name h5py gives the filter (``dset.compression``, the keys of its filter dict):
    "gzip", "lzf", "szip", "shuffle", "fletcher32", "scaleoffset"; ``None`` when h5py has
    none, and then reports the filter by its id (``"32001"``) and ``compression`` as
    ``"unknown"``."""
    h5py_compression: ClassVar[int | None] = None
    """Set for the filters h5py's ``compression=`` selects by ``h5py_name`` (gzip 0, lzf 1,
    szip 2): when a pipeline holds several, ``dset.compression`` names the lowest."""
    flags: ClassVar[int] = FLAG_OPTIONAL
    """Pipeline flags the filter is added with: h5py adds every filter optional (bit 0)
    except fletcher32."""
    stored_name: ClassVar[str | None] = None
    """The name written into the pipeline message: the name libhdf5 registers the filter
    under, for libhdf5's own filters and h5py's lzf; ``None`` for plugins (what libhdf5
    writes for a filter it has no class for)."""

    def available(self) -> bool:
        """Whether the codec can run in this interpreter (at least to read)."""
        return True

    def can_encode(self) -> bool:
        """Whether the codec can also write: a new dataset asking for a filter that cannot
        is refused, as h5py refuses a filter libhdf5 lacks, rather than stored raw while
        the dataset reports the filter."""
        return self.available()

    # -- creating a dataset --------------------------------------------------------------
    def check_options(self, opts: Any, dtype: np.dtype) -> Any:
        """h5py's checks of this filter's options (``compression_opts`` for a filter chosen
        by name, the ``scaleoffset`` value); returns them normalised, raising exactly what
        h5py raises.  Default: a tuple of unsigned ints, or ``None``."""
        return check_client_values(opts)

    def values(self, opts: Any, dtype: np.dtype) -> tuple[int, ...]:
        """The client data the filter is added with (``H5Pset_deflate``, ``H5Pset_szip``,
        ``H5Pset_filter``, ...), before ``set_local``, from checked options (or from client
        data given as a tuple).  Default: the tuple as given (``()`` for ``None``)."""
        return tuple(int(v) for v in (opts or ()))

    def can_apply(self, local: LocalInfo) -> str | None:
        """libhdf5's ``can_apply`` callback: ``None`` when the filter fits the dataset, else
        why it does not.  libhdf5 then refuses the dataset if the filter is mandatory; an
        optional filter goes on to ``set_local``, but the reason is the message h5py shows
        if anything later refuses the dataset (it is the first error libhdf5 recorded).
        Raise :func:`creation_error` where libhdf5 fails outright."""
        return None

    def set_local(self, values: tuple[int, ...], local: LocalInfo) -> tuple[int, ...]:
        """What libhdf5's ``set_local`` callback makes of ``values`` for one dataset; raise
        :func:`creation_error` where it refuses the dataset.  Default: the values unchanged
        (a filter without callbacks)."""
        return values

    def client_data(
        self,
        opts: Any,
        *,
        dtype: np.dtype,
        chunks: tuple[int, ...],
        fill: bytes | None = None,
        element_size: int | None = None,
    ) -> tuple[int, ...]:
        """The client data libhdf5 stores for this filter alone on a new dataset, from
        options as :meth:`values` takes them; raises what h5py raises when libhdf5 refuses
        the dataset.  A variable-length datatype keeps the values: libhdf5 runs no callback
        for it (and refuses it when the filter is mandatory)."""
        local = LocalInfo(np.dtype(dtype), tuple(chunks), fill, element_size)
        return local_client_data([(self, self.values(opts, local.dtype))], local)[0]

    def h5py_options(self, client_data: tuple[int, ...]) -> Any:
        """What h5py shows for the stored filter (``compression_opts``, the value in its
        filter dict).  Default: the client data as a tuple, ``None`` when there are none."""
        return tuple(int(v) for v in client_data) or None

    def h5py_key(self) -> str:
        """The key of the filter in h5py's filter dict: its h5py name, else its id."""
        return self.h5py_name if self.h5py_name is not None else str(self.filter_id)

    def ensure_available(self) -> None:
        if not self.available():
            hint = f": pip install {self.package}" if self.package else ""
            raise FilterError(f"filter {self.name!r} (id {self.filter_id}) is not available{hint}")

    @abstractmethod
    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        """Undo the filter (read direction)."""

    def decode_many(self, datas: list[Any], info: FilterInfo, chunk: ChunkInfo) -> list[Any]:
        """:meth:`decode` for many chunks of one shape (``chunk`` without an address):
        codecs may override with a tighter loop.  An exception says only that some
        chunk failed; the caller finds which by decoding them one by one."""
        return [self.decode(d, info, chunk) for d in datas]

    def decode_into(self, data: Any, info: FilterInfo, chunk: ChunkInfo, dest: memoryview) -> bool:
        """:meth:`decode` written into ``dest`` (a writable flat byte view of exactly the
        decoded size, the caller's memory) when the filter can do that without another
        copy; False, with ``dest`` untouched, when it cannot (the caller then decodes as
        usual)."""
        return False

    @abstractmethod
    def encode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        """Apply the filter (write direction).  Raise :class:`FilterError` when it cannot."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.filter_id} name={self.name!r}>"


_REGISTRY: dict[int, Filter] = {}

F = TypeVar("F", bound=type[Filter])


def register_filter(cls: F) -> F:
    """Register a Filter subclass under its ``filter_id`` (usable as a class decorator).

    A later registration for the same id replaces the earlier one, so applications can
    plug in a faster codec.
    """
    _REGISTRY[cls.filter_id] = cls()
    return cls


def get_filter(filter_id: int) -> Filter:
    """The registered filter for ``filter_id``; :class:`FilterError` when none is known."""
    try:
        return _REGISTRY[filter_id]
    except KeyError:
        raise FilterError(f"unknown filter id {filter_id}: no codec is registered for it") from None


def stored_filter_name(filter_id: int, name: str | None) -> str:
    """A pipeline entry's name as libhdf5's ``H5Pget_filter`` gives it: the name stored
    in the file, else the registered filter's (filters of a version 2 pipeline message
    store none), else empty."""
    if name:
        return name
    known = _REGISTRY.get(int(filter_id))
    return (known.stored_name or "") if known is not None else ""


class UnregisteredFilter(Filter):
    """The stand-in for a filter id without a registered codec: it is stored with the client
    data it is given (no ``set_local``), shown by id, and cannot run."""

    name = "unknown"

    def __init__(self, filter_id: int) -> None:
        self.filter_id = filter_id  # type: ignore[misc]  # per instance, not per class

    def available(self) -> bool:
        return False

    def _missing(self) -> FilterError:
        return FilterError(f"unknown filter id {self.filter_id}: no codec is registered for it")

    def ensure_available(self) -> None:
        raise self._missing()

    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        raise self._missing()

    def encode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        raise self._missing()


def filter_for(filter_id: int) -> Filter:
    """The registered filter for ``filter_id``, else an :class:`UnregisteredFilter`;
    never raises, so describing and building pipelines need no branch on ids."""
    found = _REGISTRY.get(filter_id)
    return found if found is not None else UnregisteredFilter(filter_id)


def h5py_filter(name: str) -> Filter:
    """The registered filter h5py calls ``name`` ("gzip", "shuffle", ...); ``KeyError``
    when there is none."""
    for f in _REGISTRY.values():
        if f.h5py_name == name:
            return f
    raise KeyError(name)


def h5py_encoders() -> tuple[str, ...]:
    """The h5py names of the filters that can write here (h5py's ``filters.encode``)."""
    return tuple(f.h5py_name for f in _REGISTRY.values() if f.h5py_name and f.can_encode())


def available_filters() -> dict[int, str]:
    """``{filter_id: name}`` of the registered filters whose codec can run here."""
    return {fid: f.name for fid, f in sorted(_REGISTRY.items()) if f.available()}
