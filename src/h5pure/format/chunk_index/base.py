"""What every chunk index is: a :class:`ChunkIndex` type, and one table of numpy arrays.

HDF5 File Format Specification 4.0, IV.A.2.i (layout) and Appendix C (chunk indexes).
Whatever the on-disk index (v1 B-tree, single chunk, implicit, fixed array, extensible
array, v2 B-tree), the dataset engine sees the same :class:`ChunkTable`, loaded once per
dataset, so that a selection maps to chunks by vectorized arithmetic.

Each index type is one module defining a :class:`ChunkIndex` subclass registered with
:func:`register_index` under its :class:`ChunkIndexType`: it decodes and encodes its
parameters in the layout message, loads a :class:`ChunkTable` and builds the index for one.
Adding an index type is one new module and its entry in :data:`_MODULE_OF` (the module is
imported when the type is first asked for).
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, NamedTuple, TypeVar

from ...errors import FormatError, UnsupportedFeatureError
from ..chunk_table import ChunkTable
from ..context import ByteSource, FormatContext
from ..structs import Cursor, Struct

if TYPE_CHECKING:
    from ..messages.layout import ChunkedLayout


SINGLE_INDEX_WITH_FILTER = 0x02
"""Layout v4/v5 chunked flags bit 1: the single-chunk index carries a filtered size + mask
(the spec text says bit 0; libhdf5's ``H5O_LAYOUT_CHUNK_SINGLE_INDEX_WITH_FILTER`` is bit 1)."""


class ChunkIndexType(IntEnum):
    """Chunk index types (Appendix C; ``H5D_chunk_index_t``).  Layouts v1-v3 use BTREE_V1."""

    BTREE_V1 = 0
    SINGLE = 1
    IMPLICIT = 2
    FIXED_ARRAY = 3
    EXTENSIBLE_ARRAY = 4
    BTREE_V2 = 5


@dataclass(frozen=True)
class ChunkIndexRequest:
    """What a chunk index needs to know of its dataset, to load it or to build it."""

    ctx: FormatContext
    layout: ChunkedLayout
    shape: tuple[int, ...]
    """The dataspace's current dims."""
    maxshape: tuple[int | None, ...]
    """The dataspace's maximum dims (None = unlimited)."""
    filtered: bool
    """The dataset has a filter pipeline: index records carry stored sizes and masks."""
    btree_k: int = 32
    """v1 B-tree index: the superblock's indexed-storage K (``2K`` children per node)."""

    @property
    def chunk_shape(self) -> tuple[int, ...]:
        """Chunk dims in elements."""
        return tuple(int(c) for c in self.layout.chunk_shape)

    @property
    def chunk_bytes(self) -> int:
        """Unfiltered bytes of one chunk."""
        return self.layout.chunk_bytes or 0

    def fixed_maxshape(self, what: str) -> tuple[int, ...]:
        """The maximum dims of an index type that cannot grow (none may be unlimited)."""
        if any(m is None for m in self.maxshape):
            raise FormatError(f"{what} index: maxshape {self.maxshape} has an unlimited dim")
        return tuple(int(m) for m in self.maxshape)  # type: ignore[arg-type]

    @property
    def chunk_size_width(self) -> int:
        """Bytes of a filtered chunk's stored size in fixed/extensible array and v2 B-tree
        records: a length with layout v5; with v4, one byte more than the unfiltered chunk
        size needs, at most 8 (``chunk_size_len`` of libhdf5's ``H5D__farray_crt_context``,
        ``H5D__earray_crt_context``, ``H5D__bt2_crt_context``)."""
        if self.layout.version >= 5:
            return self.ctx.size_of_lengths
        nbytes = self.layout.chunk_bytes or 1
        return min(8, 1 + ((nbytes.bit_length() - 1) + 8) // 8)


class BuiltIndex(NamedTuple):
    """An index written for a table of chunks."""

    address: int
    """The layout's index address: the index's root, the single chunk, or undefined."""
    blocks: list[tuple[int, bytes]]
    """``(address, bytes)`` of every structure to write."""
    params: Any
    """The layout's index parameters after the build (the single chunk's filtered size)."""


Alloc = Callable[[int], int]
"""``alloc(size) -> address``: file space for one structure of the index."""

P = TypeVar("P")


class ChunkIndex(ABC, Generic[P]):
    """One chunk index type (Appendix C): its parameters in the layout message (a record
    of type ``P``), loading its chunks and building it."""

    index_type: ClassVar[ChunkIndexType]
    params_table: ClassVar[Struct | None] = None
    """The parameters as the layout message v4/v5 stores them (None: there are none)."""
    params_type: ClassVar[type[Any] | None] = None
    """The parameters' record: a dataclass with the fields of :attr:`params_table`."""
    writable: ClassVar[bool] = True
    """h5pure can write datasets indexed this way."""

    @property
    def name(self) -> str:
        return self.index_type.name.lower().replace("_", " ")

    def decode_params(self, cur: Cursor, ctx: FormatContext, flags: int) -> P | None:
        """The parameters after the index type byte of a layout message v4/v5 (``flags``:
        the layout's chunked flags).  Errors say what is wrong; the layout says where."""
        if self.params_table is None or self.params_type is None:
            return None
        params: P = self.params_type(**cur.struct(self.params_table, ctx))
        self.check_params(params)
        return params

    def check_params(self, params: P) -> None:
        """Raise :class:`FormatError` for parameters the index cannot work with."""

    def encode_params(self, params: P | None, ctx: FormatContext, flags: int) -> bytes:
        """Inverse of :meth:`decode_params`."""
        if self.params_table is None:
            return b""
        return self.params_table.encode(asdict(self.params_of(params)), ctx)  # type: ignore[call-overload]

    def params_of(self, params: object) -> P:
        """``params`` checked to be this index's parameters."""
        if self.params_type is None or not isinstance(params, self.params_type):
            raise ValueError(f"{self.name} chunk index without its parameters: {params!r}")
        return params  # type: ignore[return-value]

    def extent_limit(self, request: ChunkIndexRequest) -> str | None:
        """Why this index cannot describe chunks over ``request.shape`` (with
        ``request.maxshape``), or None when it can.  Asked before a resize changes
        anything, so an extent the index could not be written for is refused up front."""
        return None

    @abstractmethod
    def load(self, source: ByteSource, request: ChunkIndexRequest) -> ChunkTable:
        """The allocated chunks, sorted by origin (C order)."""

    def build(self, request: ChunkIndexRequest, table: ChunkTable, alloc: Alloc) -> BuiltIndex:
        """The index of ``table``'s chunks, its structures placed by ``alloc``: nothing for
        no chunks, else what :meth:`write` makes (the layout's parameters unchanged)."""
        if not self.writable:
            raise UnsupportedFeatureError(
                f"writing chunks indexed by a {self.index_type.name} is not supported yet"
            )
        if not len(table):
            return BuiltIndex(request.ctx.undefined_address, [], request.layout.index_params)
        return BuiltIndex(*self.write(request, table, alloc), request.layout.index_params)

    def write(
        self, request: ChunkIndexRequest, table: ChunkTable, alloc: Alloc
    ) -> tuple[int, list[tuple[int, bytes]]]:
        """The structures of the index of a non-empty ``table``: its address and the
        ``(address, bytes)`` blocks (every writable index type implements it)."""
        raise NotImplementedError


_INDEXES: dict[ChunkIndexType, ChunkIndex[Any]] = {}

_I = TypeVar("_I", bound=type[ChunkIndex[Any]])


def register_index(cls: _I) -> _I:
    """Class decorator: make ``cls`` the index of its :attr:`ChunkIndex.index_type`."""
    _INDEXES[cls.index_type] = cls()
    return cls


# The module that registers each index type, imported when the type is first asked for: a
# file whose datasets use B-tree v1 indexes loads no fixed or extensible array module.
_MODULE_OF = {
    ChunkIndexType.BTREE_V1: "btree",
    ChunkIndexType.SINGLE: "single",
    ChunkIndexType.IMPLICIT: "implicit",
    ChunkIndexType.FIXED_ARRAY: "fixed_array",
    ChunkIndexType.EXTENSIBLE_ARRAY: "extensible_array",
    ChunkIndexType.BTREE_V2: "btree",
}


def chunk_index(index_type: int) -> ChunkIndex[Any]:
    """The registered index of ``index_type``."""
    try:
        kind = ChunkIndexType(index_type)
    except ValueError:
        raise UnsupportedFeatureError(f"chunk index type {index_type} is not supported") from None
    found = _INDEXES.get(kind)
    if found is None:
        module = _MODULE_OF.get(kind)
        if module is not None:
            importlib.import_module(f"{__package__}.{module}")  # registers it
            found = _INDEXES.get(kind)
        if found is None:
            raise UnsupportedFeatureError(f"chunk index type {index_type} is not supported")
    return found
