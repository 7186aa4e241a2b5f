"""The dataspace message (type 0x01): rank, dimensions and maximum dimensions.

HDF5 File Format Specification 4.0, IV.A.2.b.  Version 1: version, rank, flags, one
reserved byte, four reserved bytes, then ``rank`` L-byte dimension sizes, the maximum sizes
if flags bit 0 is set and (never written by the library) permutation indices if flags bit 1
is set; rank 0 is a scalar.  Version 2: version, rank, flags, type (0 scalar, 1 simple,
2 null), sizes, maximum sizes if flags bit 0.  An all-ones maximum means unlimited (App. A).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ...errors import FormatError
from ..context import FormatContext
from ..structs import U8, Cursor, Reserved, Struct, encode_uint
from . import MessageType, register

_V1_HEAD = Struct(
    "dataspace message v1",
    [
        ("version", U8),
        ("rank", U8),
        ("flags", U8),
        ("reserved", Reserved(1)),
        ("reserved2", Reserved(4)),
    ],
)
_V2_HEAD = Struct(
    "dataspace message v2", [("version", U8), ("rank", U8), ("flags", U8), ("type", U8)]
)

FLAG_MAX = 0x01
FLAG_PERMUTATION = 0x02
MAX_RANK = 32  # H5S_MAX_RANK
MAX_ELEMENTS = 2**63 - 1
"""Most elements a dataspace may hold: numpy shapes and h5py's sizes are signed 64-bit."""

_KINDS: dict[int, Literal["scalar", "simple", "null"]] = {0: "scalar", 1: "simple", 2: "null"}
_KIND_CODES = {v: k for k, v in _KINDS.items()}


@dataclass(frozen=True)
class Dataspace:
    """A dataspace: ``kind`` with its ``shape`` and ``maxshape`` (None = unlimited)."""

    kind: Literal["scalar", "simple", "null"]
    shape: tuple[int, ...]
    maxshape: tuple[int | None, ...]
    version: int = 2
    """Encoding version the message was read with (1 or 2); used by :meth:`encode`."""
    permutation: tuple[int, ...] | None = None
    """Version-1 permutation indices (flags bit 1); libhdf5 never writes them."""

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        """Number of elements (0 for a null dataspace)."""
        if self.kind == "null":
            return 0
        return math.prod(self.shape)

    def encode(self, ctx: FormatContext, version: int | None = None) -> bytes:
        """Encode as libhdf5 does: maximum sizes always written for rank > 0."""
        version = self.version if version is None else version
        rank = len(self.shape)
        flags = FLAG_MAX if rank else 0
        if self.permutation is not None:
            flags |= FLAG_PERMUTATION
        if version == 1:
            if self.kind == "null":
                raise ValueError("a null dataspace needs dataspace message version 2")
            out = bytearray(_V1_HEAD.encode({"version": 1, "rank": rank, "flags": flags}, ctx))
        elif version == 2:
            out = bytearray(
                _V2_HEAD.encode(
                    {"version": 2, "rank": rank, "flags": flags, "type": _KIND_CODES[self.kind]},
                    ctx,
                )
            )
        else:
            raise ValueError(f"bad dataspace message version {version}")
        width = ctx.size_of_lengths
        for n in self.shape:
            out += encode_uint(n, width)
        if rank:
            for m in self.maxshape:
                out += encode_uint(ctx.unlimited_size if m is None else m, width)
        for p in self.permutation or ():
            out += encode_uint(p, width)
        return bytes(out)


def extent_limit(shape: tuple[int, ...], ctx: FormatContext, current: bool = True) -> str | None:
    """Why dims ``shape`` cannot be stored in a dataspace message of this file (and read
    back: :func:`decode_dataspace` refuses the same), or None when they can.
    ``current``: they are the current dims, whose element count is bounded too (maximum
    dims are only encoded)."""
    for i, n in enumerate(shape):
        if not 0 <= n < ctx.unlimited_size:
            return f"dim {i} of {n} does not fit a {ctx.size_of_lengths}-byte length"
    if current and math.prod(shape) > MAX_ELEMENTS:
        return f"dimensions {shape} hold more than 2**63 - 1 elements"
    return None


def decode_dataspace(data: bytes, ctx: FormatContext, flags: int = 0) -> Dataspace:
    """Decode a dataspace message body (versions 1 and 2)."""
    if not data:
        raise FormatError("truncated dataspace message: empty")
    version = data[0]
    kind: Literal["scalar", "simple", "null"]
    if version == 1:
        head = _V1_HEAD.decode(data, 0, ctx)
        kind = "simple" if head["rank"] else "scalar"
        pos = _V1_HEAD.size(ctx)
    elif version == 2:
        head = _V2_HEAD.decode(data, 0, ctx)
        if head["type"] not in _KINDS:
            raise FormatError(f"dataspace message: unknown dataspace type {head['type']}")
        kind = _KINDS[head["type"]]
        pos = _V2_HEAD.size(ctx)
    else:
        raise FormatError(f"dataspace message: unknown version {version}")
    rank, mflags = head["rank"], head["flags"]
    if rank > MAX_RANK:
        raise FormatError(f"dataspace message: rank {rank} exceeds {MAX_RANK}")
    if kind != "simple" and rank:
        raise FormatError(f"dataspace message: {kind} dataspace with rank {rank}")
    cur = Cursor(data, "dataspace message", pos)
    shape = tuple(cur.length(ctx) for _ in range(rank))
    if math.prod(shape) > MAX_ELEMENTS:
        raise FormatError(
            f"dataspace message: dimensions {shape} hold more than 2**63 - 1 elements"
        )
    maxshape: tuple[int | None, ...]
    if mflags & FLAG_MAX:
        unlimited = ctx.unlimited_size
        raw = [cur.length(ctx) for _ in range(rank)]
        maxshape = tuple(None if m == unlimited else m for m in raw)
        for i, (n, m) in enumerate(zip(shape, maxshape)):
            if m is not None and n > m:  # libhdf5 refuses the object at open likewise
                raise FormatError(
                    f"dataspace message: dataspace dim {i} size of {n} is greater than "
                    f"maxdim size of {m}"
                )
    else:
        maxshape = shape
    permutation = None
    if version == 1 and mflags & FLAG_PERMUTATION:
        permutation = tuple(cur.length(ctx) for _ in range(rank))
    return Dataspace(kind, shape, maxshape, version, permutation)


register(MessageType.DATASPACE)(decode_dataspace)
