"""The Filter ABC, the per-chunk context, and the registry keyed by HDF5 filter id.

A filter turns the stored bytes of one chunk into the bytes the next filter (or the
datatype layer) expects, and back.  Filters are looked up by their on-disk id
(``FilterInfo.filter_id`` of the pipeline message); never by if/elif chains.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import ClassVar, NamedTuple, TypeVar

from ..errors import FilterError
from ..format.messages.filter_pipeline import FilterInfo


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

    @property
    def nbytes(self) -> int:
        """Unfiltered size of the chunk: ``element_size * prod(chunk_shape)``."""
        return self.element_size * math.prod(self.chunk_shape)

    def where(self) -> str:
        return f"chunk at 0x{self.address:x}" if self.address is not None else "chunk"


class Filter(ABC):
    """One HDF5 filter.  Subclasses set the class attributes and implement the codec."""

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

    def available(self) -> bool:
        """Whether the codec can run in this interpreter."""
        return True

    def ensure_available(self) -> None:
        if not self.available():
            hint = f": pip install {self.package}" if self.package else ""
            raise FilterError(f"filter {self.name!r} (id {self.filter_id}) is not available{hint}")

    @abstractmethod
    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        """Undo the filter (read direction)."""

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


def available_filters() -> dict[int, str]:
    """``{filter_id: name}`` of the registered filters whose codec can run here."""
    return {fid: f.name for fid, f in sorted(_REGISTRY.items()) if f.available()}
