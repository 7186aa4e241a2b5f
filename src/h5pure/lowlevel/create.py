"""What a new dataset's object header holds, decided as libhdf5 decides it for h5py.

Message order and flags follow ``H5D__update_oh_info`` (``src/H5Dint.c``): dataspace,
datatype (constant), fill value v2 (constant) and, when the user set a fill value, the old
fill value message too, then the filter pipeline (constant) and the layout.  Filter client
data is completed the way each filter's ``set_local`` callback completes it.

A compact dataset keeps its raw data in the layout message (class 0, layout version 3
whatever the bounds), allocated early and filled at creation; its header is 256 bytes
plus the data, as ``H5D__update_oh_info`` asks ``H5O_create`` for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..dtypes import datatype_for, fill_value_bytes
from ..errors import ExtentError
from ..filters import build_pipeline
from ..format.context import FormatContext
from ..format.messages import MessageType
from ..format.messages.dataspace import Dataspace
from ..format.messages.datatype import (
    ArrayType,
    CompoundType,
    Datatype,
    VlenType,
    encode_datatype,
)
from ..format.messages.fill import FillValue, FillValueOld
from ..format.messages.filter_pipeline import FilterInfo, FilterPipeline
from ..format.messages.layout import (
    SINGLE_INDEX_WITH_FILTER,
    BTreeV2Params,
    ChunkedLayout,
    ChunkIndexType,
    CompactLayout,
    ContiguousLayout,
    ExtensibleArrayParams,
    FixedArrayParams,
    Layout,
    SingleChunkParams,
    VirtualLayout,
)
from ..format.messages.misc import ExternalFileList
from ..format.messages.shared import SharedMessage
from .dataset import extent_refusal
from .model import MessageSlot
from .specs import DatasetSpec

if TYPE_CHECKING:
    from .heapwriter import GlobalHeapWriter

_CONSTANT = 0x01
_SHARED = 0x02
_ALLOC_EARLY, _ALLOC_LATE, _ALLOC_INCR = 1, 2, 3
_FILL_ALLOC, _FILL_NEVER, _FILL_IFSET = 0, 1, 2

DATASET_HEADER_AREA = 256
"""The least message area of a new dataset's header (``H5D_MINHDR_SIZE``: room for
attributes to come); a compact dataset's data comes on top of it."""
MESSAGE_MAX_SIZE = 0x10000
"""``H5O_MESG_MAX_SIZE``: a message body must stay below it (its size is a 16-bit field)."""
_COMPACT_META = 4
"""Bytes of a compact layout message before the data: version, class, 16-bit size
(``H5D__layout_meta_size``)."""


LIBVER_ORDER = ("earliest", "v108", "v110", "v112", "v114", "v200", "latest")
"""h5py's libver names, oldest first (``latest`` is V200 in HDF5 2.0)."""


class FormatVersions(NamedTuple):
    """The structure versions libhdf5 stamps for a low version bound (``*_ver_bounds``)."""

    low: str
    """The low bound, one of :data:`LIBVER_ORDER`."""
    superblock: int
    object_header: int
    dataspace: int
    fill: int
    pipeline: int
    attribute: int
    layout_chunked: int
    """Layout version of unfiltered chunked data (contiguous and compact stay at 3)."""
    layout_filtered: int
    """Layout version of filtered chunked data (v5 only from V200 on)."""

    @property
    def new_style(self) -> bool:
        """Link-message groups, v2 headers, dense storage: every bound from v108 on."""
        return self.object_header == 2


def format_versions(low: str) -> FormatVersions:
    """The versions libhdf5 writes with low bound ``low`` (HDF5 2.0's tables, ``src/H5Fsuper.c``,
    ``H5Oint.c``, ``H5Dlayout.c``, ``H5Ofill.c``, ``H5Opline.c``, ``H5Oattr.c``, ``H5S.c``)."""
    if low not in LIBVER_ORDER:
        raise ValueError(f"Invalid libver bound {low!r}")
    rank = LIBVER_ORDER.index(low)
    if rank == 0:
        return FormatVersions(low, 0, 1, 1, 2, 1, 1, 3, 3)
    chunked = 3 if rank == 1 else 4
    filtered = 5 if rank >= 5 else chunked
    return FormatVersions(low, 2 if rank == 1 else 3, 2, 2, 3, 2, 3, chunked, filtered)


def libver_of_superblock(version: int) -> str:
    """The lowest bound that writes superblock ``version`` (an opened file keeps its format)."""
    return {0: "earliest", 1: "earliest", 2: "v108"}.get(version, "v110")


@dataclass(frozen=True)
class DatasetPlan:
    """Everything that goes into a new dataset's header, in h5py's terms."""

    shape: tuple[int, ...] | None
    """None for a null dataspace (``h5py.Empty``)."""
    maxshape: tuple[int | None, ...] | None
    datatype: Datatype
    chunks: tuple[int, ...] | None
    filters: tuple[FilterInfo, ...] = ()
    fill: bytes | None = None
    """User fill value bytes (None: the default, zeros)."""
    fill_time: int | None = None
    """0 on allocation, 1 never, 2 if set (None: libhdf5's choice for the type)."""
    compact: bool = False
    """The compact layout (the data in the layout message)."""
    vlen: bool = False
    """The datatype holds variable-length data (libhdf5 then fills on allocation)."""
    committed_type: int | None = None
    """Object header address of the committed datatype the dataset uses (stored as a
    shared message), or None for a datatype of its own."""
    external: ExternalFileList | None = None
    """External raw storage (EFL message, its local heap already written), or None."""
    virtual: tuple[int, int] | None = None
    """Global heap ID (collection address, index) of a virtual dataset's mapping block
    (format.vds), or None for a dataset with storage of its own."""


@lru_cache(maxsize=256)
def _encoded_record(record: Any, ctx: FormatContext) -> bytes:
    if isinstance(record, Datatype):
        return encode_datatype(record)
    return record.encode(ctx)  # type: ignore[no-any-return]


def encoded_record(record: Any, ctx: FormatContext) -> bytes:
    """A message record's bytes (a datatype's by ``encode_datatype``), encoded once per
    distinct record: files of many objects repeat a few dataspaces, datatypes and fill
    values."""
    try:
        return _encoded_record(record, ctx)
    except TypeError:  # a record holding something unhashable
        return encode_datatype(record) if isinstance(record, Datatype) else record.encode(ctx)


_NEW_DATASPACES: dict[tuple[Any, ...], bytes] = {}


def new_dataspace(
    ctx: FormatContext,
    shape: tuple[int, ...] | None,
    maxshape: tuple[int | None, ...] | None,
    version: int,
) -> bytes:
    """The dataspace message of a new dataset or attribute: null when ``shape`` is None
    (version 2, the first to have it, as libhdf5 writes it), scalar when it is ``()``,
    else simple with ``maxshape``.  Encoded once per distinct extent, keyed by the plain
    values (cheaper than a record's hash: files of many objects repeat a few shapes)."""
    key = (shape, maxshape, version, ctx)
    body = _NEW_DATASPACES.get(key)
    if body is None:
        if shape is None:
            space = Dataspace("null", (), (), version=2)
        elif shape == ():
            space = Dataspace("scalar", (), (), version=version)
        else:
            dims = tuple(maxshape) if maxshape is not None else tuple(shape)
            space = Dataspace("simple", tuple(shape), dims, version=version)
        body = space.encode(ctx)
        if len(_NEW_DATASPACES) < 256:
            _NEW_DATASPACES[key] = body
    return body


def dataset_messages(
    ctx: FormatContext, plan: DatasetPlan, versions: FormatVersions | None = None
) -> list[MessageSlot]:
    """The messages of a new dataset's object header, in libhdf5's order."""
    v = versions if versions is not None else format_versions("earliest")
    maxshape = plan.maxshape if plan.maxshape is not None else plan.shape
    slots = [
        MessageSlot(MessageType.DATASPACE, new_dataspace(ctx, plan.shape, maxshape, v.dataspace))
    ]
    if plan.committed_type is not None:
        # libhdf5 (H5O_msg_append_oh with a committed type) writes a shared message of
        # encoding version 2 pointing at the committed type's object header
        # (version 3 once the low bound allows new-style headers)
        shared = SharedMessage(
            3 if v.new_style else 2, MessageType.DATATYPE, plan.committed_type, None
        )
        slots.append(MessageSlot(MessageType.DATATYPE, shared.encode(ctx), _CONSTANT | _SHARED))
    else:
        slots.append(
            MessageSlot(MessageType.DATATYPE, encoded_record(plan.datatype, ctx), _CONSTANT)
        )
    if plan.compact:
        alloc = _ALLOC_EARLY
    elif plan.chunks is not None or plan.virtual is not None:
        alloc = _ALLOC_INCR
    else:
        alloc = _ALLOC_LATE
    fill_time = plan.fill_time
    if fill_time is None:
        fill_time = _FILL_ALLOC if plan.vlen else _FILL_IFSET
    fill = FillValue(v.fill, alloc, fill_time, True, plan.fill)
    slots.append(MessageSlot(MessageType.FILL_VALUE, encoded_record(fill, ctx), _CONSTANT))
    if plan.fill is not None and v.fill < 3:
        slots.append(
            MessageSlot(MessageType.FILL_VALUE_OLD, FillValueOld(plan.fill).encode(ctx), _CONSTANT)
        )
    if plan.filters:
        pipeline = FilterPipeline(v.pipeline, list(plan.filters))
        slots.append(MessageSlot(MessageType.FILTER_PIPELINE, pipeline.encode(), _CONSTANT))
    if plan.external is not None:
        slots.append(
            MessageSlot(MessageType.EXTERNAL_FILE_LIST, plan.external.encode(ctx), _CONSTANT)
        )
    slots.append(MessageSlot(MessageType.LAYOUT, _layout(ctx, plan, v).encode(ctx)))
    return slots


def _layout(ctx: FormatContext, plan: DatasetPlan, v: FormatVersions) -> Layout:
    esize = plan.datatype.size
    n = math.prod(int(d) for d in plan.shape) if plan.shape is not None else 0
    if plan.compact:
        return CompactLayout(3, compact_fill(plan, n))
    if plan.virtual is not None:
        # the virtual layout class exists from layout message version 4 (libhdf5 1.10)
        return VirtualLayout(4, plan.virtual[0], plan.virtual[1])
    if plan.chunks is not None and v.layout_chunked >= 4:
        return _layout_v4(ctx, plan, v)
    if plan.chunks is not None:
        chunks = tuple(plan.chunks)
        return ChunkedLayout(3, chunks, esize, ChunkIndexType.BTREE_V1, ctx.undefined_address)
    return ContiguousLayout(3, ctx.undefined_address, n * esize)


def compact_fill(plan: DatasetPlan, n: int) -> bytes:
    """The initial data of a compact dataset of ``n`` elements: the user's fill value
    repeated, unless it is never to be written (``H5D__init_storage``: zeros otherwise,
    the default fill value of every type, vlen included)."""
    fill_time = plan.fill_time if plan.fill_time is not None else _FILL_IFSET
    if plan.fill is None or fill_time == _FILL_NEVER or len(plan.fill) != plan.datatype.size:
        return bytes(n * plan.datatype.size)
    return plan.fill * n


def dataset_header_area(plan: DatasetPlan) -> int:
    """The message area ``H5D__update_oh_info`` asks for: the least dataset area plus the
    raw data of a compact dataset."""
    if not plan.compact:
        return DATASET_HEADER_AREA
    n = math.prod(int(d) for d in plan.shape) if plan.shape is not None else 0
    return DATASET_HEADER_AREA + n * plan.datatype.size


def check_compact(spec: DatasetSpec, nbytes: int, header_version: int) -> None:
    """libhdf5's refusals of a compact dataset (``H5D__create``,
    ``H5D__compact_construct``, ``H5O_msg_alloc``), in its order, with its messages.

    A version 1 header stores message sizes padded to 8 bytes in a 16-bit field: libhdf5
    writes a header it cannot read back for 65525-65531 bytes of data there; h5pure
    refuses those as libhdf5 refuses 65532 bytes."""
    prefix = "Unable to synchronously create dataset"
    if spec.filters.filtered:
        raise ValueError(f"{prefix} (filters can only be used with chunked layout)")
    if spec.external:
        raise ValueError(f"{prefix} (external storage not supported with compact layout)")
    if spec.chunks is not None:
        raise ValueError(f"{prefix} (a chunked dataset cannot have the compact layout)")
    if (
        spec.shape is not None
        and spec.maxshape is not None
        and any(m is None or m > n for m, n in zip(spec.maxshape, spec.shape))
    ):
        raise ValueError(f"{prefix} (extendible compact dataset not allowed)")
    if nbytes > MESSAGE_MAX_SIZE - _COMPACT_META:
        raise ValueError(
            f"{prefix} (compact dataset size is bigger than header message maximum size)"
        )
    body = _COMPACT_META + nbytes
    if header_version == 1:
        body = (body + 7) & ~7
    if body >= MESSAGE_MAX_SIZE:
        raise ValueError(f"{prefix} (object header message is too large)")


def check_new_extent(ctx: FormatContext, plan: DatasetPlan, v: FormatVersions) -> None:
    """Raise :class:`ExtentError` when the dataset ``plan`` describes could not be
    written: dims its dataspace message cannot encode, or more chunks than the chunk
    index it gets can number.  Called before anything of the dataset is created."""
    if plan.shape is None or plan.virtual is not None:
        return
    maxshape = plan.maxshape if plan.maxshape is not None else plan.shape
    why = extent_refusal(ctx, _layout_for_check(ctx, plan, v), plan.shape, maxshape)
    if why is not None:
        raise ExtentError(f"Unable to synchronously create dataset (extent {plan.shape}: {why})")


def _layout_for_check(ctx: FormatContext, plan: DatasetPlan, v: FormatVersions) -> Layout:
    if plan.chunks is not None and v.layout_chunked >= 4:
        return _layout_v4(ctx, plan, v)
    if plan.chunks is not None:
        return ChunkedLayout(3, tuple(plan.chunks), plan.datatype.size, ChunkIndexType.BTREE_V1)
    return ContiguousLayout(3, ctx.undefined_address, 0)


def contiguous_layout(address: int, size: int) -> ContiguousLayout:
    """The layout of contiguous data of ``size`` bytes stored at ``address``."""
    return ContiguousLayout(3, address, size)


def _layout_v4(ctx: FormatContext, plan: DatasetPlan, v: FormatVersions) -> ChunkedLayout:
    """Layout v4/v5 with the chunk index libhdf5 picks (``H5D__layout_set_latest_indexing``):
    no unlimited dim -> single chunk when one chunk spans the maximum extent, else a fixed
    array; one unlimited dim -> extensible array; more -> v2 B-tree."""
    chunks = tuple(plan.chunks or ())
    shape = tuple(plan.shape or ())
    maxshape = plan.maxshape if plan.maxshape is not None else shape
    filtered = bool(plan.filters)
    version = v.layout_filtered if filtered else v.layout_chunked
    unlimited = sum(1 for m in maxshape if m is None)
    flags = 0
    params: FixedArrayParams | ExtensibleArrayParams | BTreeV2Params | SingleChunkParams | None
    params = None
    if unlimited == 0:
        if all(int(m) == c for m, c in zip(maxshape, chunks)):  # type: ignore[arg-type]
            index = ChunkIndexType.SINGLE
            if filtered:
                flags = SINGLE_INDEX_WITH_FILTER
                params = SingleChunkParams(0, 0)
        else:
            index = ChunkIndexType.FIXED_ARRAY
            params = FixedArrayParams(page_bits=10)
    elif unlimited == 1:
        index = ChunkIndexType.EXTENSIBLE_ARRAY
        params = ExtensibleArrayParams()
    else:
        index = ChunkIndexType.BTREE_V2
        params = BTreeV2Params(node_size=2048, split_percent=100, merge_percent=40)
    return ChunkedLayout(
        version,
        chunks,
        plan.datatype.size,
        index,
        ctx.undefined_address,
        params,
        flags,
    )


@dataclass(frozen=True)
class PreparedDataset:
    """A dataset ready to create: what was asked for, and the header it gets."""

    spec: DatasetSpec
    plan: DatasetPlan

    @property
    def stores_initial(self) -> bool:
        """Whether the values of ``spec.initial`` go to the file with the dataset itself:
        contiguous, without external files, of a plain numeric type (other values are
        written after creation, as any write)."""
        plan, dtype = self.plan, self.spec.dtype
        return (
            self.spec.initial is not None
            and self.spec.initial.size > 0
            and plan.chunks is None
            and plan.external is None
            and not plan.compact
            and plan.virtual is None
            and dtype.kind in "biufc"
            and dtype.fields is None
            and dtype.subdtype is None
        )


def _holds_vlen(dt: Datatype) -> bool:
    """The type is or holds variable-length data (libhdf5 then fills on allocation);
    references, numpy objects too, do not count."""
    if isinstance(dt, VlenType):
        return True
    if isinstance(dt, CompoundType):
        return any(_holds_vlen(m.effective_type) for m in dt.members)
    if isinstance(dt, ArrayType):
        return _holds_vlen(dt.base)
    return False


def prepare_dataset(spec: DatasetSpec, low: str, heap: GlobalHeapWriter) -> PreparedDataset:
    """The datatype, fill value and filter pipeline of a new dataset (a vlen fill value
    goes to the global heap ``heap`` now); a compact dataset is checked first."""
    dtype = spec.dtype
    datatype = spec.datatype if spec.datatype is not None else datatype_for_new(dtype, low)
    if spec.compact:
        n = math.prod(int(d) for d in spec.shape) if spec.shape is not None else 0
        new_style = spec.track_order or LIBVER_ORDER.index(low) > 0
        check_compact(spec, n * datatype.size, 2 if new_style else 1)
    fill = None if spec.fillvalue is None else fill_value_bytes(spec.fillvalue, datatype, heap)
    pipeline: tuple[FilterInfo, ...] = ()
    if spec.chunks is not None and spec.pipeline is not None:
        pipeline = tuple(spec.pipeline)
    elif spec.chunks is not None and spec.filters.filtered:
        pipeline = build_pipeline(
            dtype=dtype,
            chunks=spec.chunks,
            fill=fill,
            element_size=datatype.size,
            **spec.filters._asdict(),
        )
    plan = DatasetPlan(
        shape=spec.shape,
        maxshape=spec.maxshape,
        datatype=datatype,
        chunks=spec.chunks,
        filters=pipeline,
        fill=fill,
        fill_time=spec.fill_time,
        compact=spec.compact,
        vlen=_holds_vlen(datatype),
        committed_type=spec.committed_type,
    )
    return PreparedDataset(spec, plan)


_NEW_DATATYPES: dict[Any, Datatype] = {}
"""Datatype records of dtypes without fields (numbers, strings), keyed by dtype.str, the
metadata (vlen, encoding) and libver_low: files of many small objects create the same few
types over and over."""


def datatype_for_new(dtype: np.dtype, libver_low: str) -> Datatype:
    """``datatype_for`` of a new dataset's or attribute's dtype, the record shared
    (records are frozen) for dtypes without fields whose metadata is hashable."""
    meta = dtype.metadata
    if (
        dtype.fields is not None
        or dtype.subdtype is not None
        or dtype.kind == "c"  # its member names follow h5py's complex_names setting
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
