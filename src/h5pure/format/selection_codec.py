"""Serialized dataspace selections (H5S_SELECT_SERIALIZE) and encoded dataspaces (H5Sencode).

HDF5 File Format Specification 4.0, App. D ("Encoding of dataspace selections"), with
``src/H5Sall.c``, ``H5Snone.c``, ``H5Spoint.c`` and ``H5Shyper.c`` settling the details.
Selections appear in old region reference blobs (after the object address), in revised
region references (after ``u32 size, u32 rank``), in the VDS global heap block and after
the extent in an H5Sencode buffer.

Every form starts with ``u32 selection type`` (0 none, 1 points, 2 hyperslabs, 3 all) and
``u32 version``, then:

- none / all (v1): ``u32 reserved, u32 length (0)``;
- points v1: ``u32 reserved, u32 length, u32 rank, u32 count``, then ``count * rank``
  u32 coordinates; points v2: ``u8 width, u32 rank``, count and coordinates in ``width``
  bytes;
- hyperslab v1: ``u32 reserved, u32 length, u32 rank, u32 count``, then per block the
  start and the (inclusive) end coordinates as u32;
- hyperslab v2 (regular only): ``u8 flags, u32 length, u32 rank`` then per dimension
  start, stride, count, block as u64 (all ones = unlimited);
- hyperslab v3: ``u8 flags, u8 width, u32 rank`` then either (flag bit 0, regular) per
  dimension start, stride, count, block, or a block count and the blocks, all ``width``
  bytes wide.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from enum import Enum

import numpy as np

from ..errors import FormatError
from .structs import U8, U32, Cursor, Reserved, Struct

MAX_RANK = 32
"""H5S_MAX_RANK."""


class SelectionType(str, Enum):
    """Selection kinds; compare equal to their names ("none", "points", "hyperslabs",
    "all").  :attr:`code` is the on-disk type number."""

    NONE = "none"
    POINTS = "points"
    HYPERSLABS = "hyperslabs"
    ALL = "all"

    @property
    def code(self) -> int:
        return _CODES[self]

    @classmethod
    def from_code(cls, code: int) -> SelectionType:
        for kind, c in _CODES.items():
            if c == code:
                return kind
        raise ValueError(code)


_CODES = {
    SelectionType.NONE: 0,
    SelectionType.POINTS: 1,
    SelectionType.HYPERSLABS: 2,
    SelectionType.ALL: 3,
}


_HEAD = Struct("selection", [("type", U32), ("version", U32)])
_V1_TAIL = Struct("selection (v1)", [("reserved", Reserved(4)), ("length", U32)])
_POINT_V2 = Struct("point selection (v2)", [("width", U8), ("rank", U32)])
_HYPER_V2 = Struct("hyperslab selection (v2)", [("flags", U8), ("length", U32), ("rank", U32)])
_HYPER_V3 = Struct("hyperslab selection (v3)", [("flags", U8), ("width", U8), ("rank", U32)])
_ENCODED_HEAD = Struct(
    "encoded dataspace",
    [("type", U8), ("version", U8), ("size_of_lengths", U8), ("extent_size", U32)],
)


@dataclass(frozen=True)
class RegularHyperslab:
    """``start/stride/count/block`` per dimension; ``None`` count or block = unlimited."""

    start: tuple[int, ...]
    stride: tuple[int, ...]
    count: tuple[int | None, ...]
    block: tuple[int | None, ...]


@dataclass(frozen=True)
class SerializedSelection:
    """A decoded selection.  Exactly one of ``points``, ``blocks``, ``regular`` is set for
    point and hyperslab selections; none for ``NONE``/``ALL``."""

    kind: SelectionType
    rank: int
    version: int = 1
    points: tuple[tuple[int, ...], ...] | None = None
    """Point selections: coordinates in selection order."""
    blocks: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] | None = None
    """Irregular hyperslabs: (start, inclusive end) of each block."""
    regular: RegularHyperslab | None = None
    """Regular hyperslabs (v2, v3 with flag bit 0)."""
    width: int = 4
    """Bytes per number in the encoding (v2 points, v3 hyperslabs; 4 for v1, 8 for v2
    hyperslabs)."""

    def to_mask(self, shape: tuple[int, ...]) -> np.ndarray:
        """Boolean array of ``shape``, True where selected."""
        shape = tuple(int(s) for s in shape)
        if self.kind == SelectionType.ALL:
            return np.ones(shape, dtype=bool)
        mask = np.zeros(shape, dtype=bool)
        if self.kind == SelectionType.NONE:
            return mask
        self._check_rank(shape)
        if self.points is not None:
            if self.points:
                pts = np.array(self.points, dtype=np.int64)
                self._check_bounds(pts, shape)
                mask[tuple(pts.T)] = True
        elif self.blocks is not None:
            for start, end in self.blocks:
                self._check_bounds(np.array([start, end], dtype=np.int64), shape)
                mask[tuple(slice(s, e + 1) for s, e in zip(start, end))] = True
        elif self.regular is not None:
            axes = []
            for dim, (st, sd, ct, bl) in enumerate(
                zip(self.regular.start, self.regular.stride, self.regular.count, self.regular.block)
            ):
                axis = np.zeros(shape[dim], dtype=bool)
                n = shape[dim]
                block = n if bl is None else bl
                stride = max(sd, 1)
                count = (max(n - st, 0) + stride - 1) // stride if ct is None else ct
                for k in range(count):
                    lo = st + k * stride
                    if lo >= n:
                        if ct is None:
                            break
                        raise FormatError(f"hyperslab block at {lo} beyond extent {n} (axis {dim})")
                    if lo + block > n and ct is not None and bl is not None:
                        raise FormatError(f"hyperslab block {lo}+{block} beyond extent {n}")
                    axis[lo : lo + block] = True
                axes.append(axis)
            full = np.ones((), dtype=bool)
            for dim, axis in enumerate(axes):
                view = [1] * len(axes)
                view[dim] = axis.size
                full = full & axis.reshape(view)
            mask[...] = full
        return mask

    def coordinates(self, shape: tuple[int, ...]) -> np.ndarray:
        """Selected coordinates, ``(n, rank)`` int64: points in selection order,
        hyperslabs in C order (the order libhdf5 iterates them)."""
        if self.points is not None and self.kind == SelectionType.POINTS:
            pts = np.array(self.points, dtype=np.int64).reshape(-1, self.rank)
            self._check_rank(tuple(shape))
            self._check_bounds(pts, tuple(shape))
            return pts
        return np.argwhere(self.to_mask(shape)).astype(np.int64)

    def _check_rank(self, shape: tuple[int, ...]) -> None:
        if self.rank != len(shape):
            raise FormatError(
                f"selection of rank {self.rank} applied to a rank-{len(shape)} extent"
            )

    @staticmethod
    def _check_bounds(coords: np.ndarray, shape: tuple[int, ...]) -> None:
        if coords.size and (coords.min() < 0 or (coords >= np.array(shape)).any()):
            raise FormatError(f"selection coordinates outside the extent {shape}")


def _check_rank(rank: int, expected: int | None) -> None:
    if not 0 < rank <= MAX_RANK:
        raise FormatError(f"selection: bad rank {rank}")
    if expected is not None and rank != expected:
        raise FormatError(f"selection: rank {rank}, expected {expected}")


def _count(c: Cursor, n: int, per_item: int, what: str) -> None:
    if n * per_item > c.remaining:
        raise FormatError(f"selection: {n} {what} cannot fit in {c.remaining} bytes")


def decode_selection(
    buf: bytes | bytearray | memoryview, offset: int = 0, rank: int | None = None
) -> tuple[SerializedSelection, int]:
    """Decode a serialized selection at ``buf[offset:]``; returns the record and the
    number of bytes consumed.  ``rank`` (when the container knows it) is checked."""
    c = Cursor(buf, "selection", offset)
    head = c.struct(_HEAD)
    try:
        kind = SelectionType.from_code(head["type"])
    except ValueError:
        raise FormatError(f"selection at byte {offset}: unknown type {head['type']}") from None
    version = head["version"]
    sel: SerializedSelection
    if kind in (SelectionType.NONE, SelectionType.ALL):
        if version != 1:
            raise FormatError(f"{kind.name.lower()} selection: bad version {version}")
        c.struct(_V1_TAIL)
        sel = SerializedSelection(kind, rank or 0, version)
    elif kind == SelectionType.POINTS:
        if version == 1:
            c.struct(_V1_TAIL)
            r, n = c.uints(2, 4)
            width = 4
        elif version == 2:
            h = c.struct(_POINT_V2)
            width, r = h["width"], h["rank"]
            if width not in (2, 4, 8):
                raise FormatError(f"point selection: bad width {width}")
            (n,) = c.uints(1, width)
        else:
            raise FormatError(f"point selection: bad version {version}")
        _check_rank(r, rank)
        _count(c, n, r * width, "points")
        flat = c.uints(n * r, width)
        pts = tuple(tuple(flat[i * r : (i + 1) * r]) for i in range(n))
        sel = SerializedSelection(kind, r, version, points=pts, width=width)
    else:
        sel = _decode_hyperslab(c, version, rank)
    return sel, c.pos - offset


def _blocks(
    c: Cursor, n: int, r: int, width: int
) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
    _count(c, n, 2 * r * width, "blocks")
    flat = c.uints(2 * n * r, width)
    return tuple(
        (tuple(flat[2 * i * r : 2 * i * r + r]), tuple(flat[2 * i * r + r : 2 * i * r + 2 * r]))
        for i in range(n)
    )


def _regular(c: Cursor, r: int, width: int) -> RegularHyperslab:
    vals = c.uints(4 * r, width)
    unlimited = (1 << (8 * width)) - 1
    quads = [vals[4 * i : 4 * i + 4] for i in range(r)]
    return RegularHyperslab(
        tuple(q[0] for q in quads),
        tuple(q[1] for q in quads),
        tuple(None if q[2] == unlimited else q[2] for q in quads),
        tuple(None if q[3] == unlimited else q[3] for q in quads),
    )


def _decode_hyperslab(c: Cursor, version: int, rank: int | None) -> SerializedSelection:
    kind = SelectionType.HYPERSLABS
    if version == 1:
        c.struct(_V1_TAIL)
        r, n = c.uints(2, 4)
        _check_rank(r, rank)
        return SerializedSelection(kind, r, 1, blocks=_blocks(c, n, r, 4), width=4)
    if version == 2:
        h = c.struct(_HYPER_V2)
        r = h["rank"]
        _check_rank(r, rank)
        if not h["flags"] & 1:
            raise FormatError("hyperslab selection v2 without the regular flag")
        return SerializedSelection(kind, r, 2, regular=_regular(c, r, 8), width=8)
    if version == 3:
        h = c.struct(_HYPER_V3)
        r, width = h["rank"], h["width"]
        _check_rank(r, rank)
        if width not in (2, 4, 8):
            raise FormatError(f"hyperslab selection v3: bad width {width}")
        if h["flags"] & 1:
            return SerializedSelection(kind, r, 3, regular=_regular(c, r, width), width=width)
        (n,) = c.uints(1, width)
        return SerializedSelection(kind, r, 3, blocks=_blocks(c, n, r, width), width=width)
    raise FormatError(f"hyperslab selection: bad version {version}")


def _enc(values: list[int], width: int) -> bytes:
    return b"".join(int(v).to_bytes(width, "little") for v in values)


def encode_selection(sel: SerializedSelection) -> bytes:
    """Serialize ``sel`` in its recorded version and width (libhdf5's byte layout)."""
    head = _HEAD.encode({"type": sel.kind.code, "version": sel.version})
    if sel.kind in (SelectionType.NONE, SelectionType.ALL):
        return head + _V1_TAIL.encode({"length": 0})
    if sel.kind == SelectionType.POINTS:
        pts = sel.points or ()
        flat = [v for p in pts for v in p]
        if sel.version == 1:
            body = _enc([sel.rank, len(pts)] + flat, 4)
            return head + _V1_TAIL.encode({"length": len(body)}) + body
        return (
            head
            + _POINT_V2.encode({"width": sel.width, "rank": sel.rank})
            + _enc([len(pts)] + flat, sel.width)
        )
    if sel.regular is not None:
        unlimited = (1 << (8 * sel.width)) - 1
        rg = sel.regular
        vals: list[int] = []
        for st, sd, ct, bl in zip(rg.start, rg.stride, rg.count, rg.block):
            vals += [st, sd, unlimited if ct is None else ct, unlimited if bl is None else bl]
        body = _enc(vals, sel.width)
        if sel.version == 2:
            return (
                head
                + _HYPER_V2.encode({"flags": 1, "length": 4 + len(body), "rank": sel.rank})
                + body
            )
        return head + _HYPER_V3.encode({"flags": 1, "width": sel.width, "rank": sel.rank}) + body
    blocks = sel.blocks or ()
    flat = [v for s, e in blocks for v in (*s, *e)]
    if sel.version == 1:
        body = _enc([sel.rank, len(blocks)] + flat, 4)
        return head + _V1_TAIL.encode({"length": len(body)}) + body
    return (
        head
        + _HYPER_V3.encode({"flags": 0, "width": sel.width, "rank": sel.rank})
        + _enc([len(blocks)] + flat, sel.width)
    )


HYPER_VERSION_BOUNDS = {
    "earliest": 1,
    "v108": 1,
    "v110": 2,
    "v112": 3,
    "v114": 3,
    "v200": 3,
    "latest": 3,
}
"""The hyperslab selection version libhdf5 may use for each low format bound
(``H5O_sds_hyper_ver_bounds``)."""


def stored_selection(sel: SerializedSelection, bound: int) -> SerializedSelection:
    """The form libhdf5 stores the hyperslab selection ``sel`` (a regular hyperslab, or
    blocks) in when the low bound allows hyperslab versions up to ``bound``:

    - version 3 from bound 3: regular or blocks, numbers in 2, 4 or 8 bytes (the fewest
      that hold them);
    - otherwise version 2 (regular, 8-byte numbers) for an unlimited selection, and, from
      bound 2, for a regular one whose version 2 form is the smaller;
    - else version 1: the blocks, 4-byte numbers (v2/v3 when a number does not fit).

    "All" and "none" selections are version 1 whatever the bound."""
    if sel.kind in (SelectionType.ALL, SelectionType.NONE):
        return replace(sel, version=1, width=4, regular=None, blocks=None)
    if sel.kind != SelectionType.HYPERSLABS:
        raise ValueError(f"stored_selection takes hyperslab selections, not {sel.kind}")
    rg = sel.regular
    unlimited = rg is not None and (None in rg.count or None in rg.block)
    if bound >= 3:
        if rg is not None:
            numbers = [v for v in (*rg.start, *rg.stride, *rg.count, *rg.block) if v is not None]
        else:
            blocks = sel.blocks or ()
            numbers = [len(blocks)] + [v for _, end in blocks for v in end]
        return replace(sel, version=3, width=_fewest_bytes(max(numbers, default=0)))
    if unlimited:
        return replace(sel, version=2, width=8)
    blocks = (sel.blocks or ()) if rg is None else _regular_blocks(rg)
    if any(v >= 1 << 32 for _, end in blocks for v in end) or len(blocks) >= 1 << 32:
        return (
            replace(sel, version=2, width=8) if rg is not None else replace(sel, version=3, width=8)
        )
    v1 = SerializedSelection(SelectionType.HYPERSLABS, sel.rank, 1, blocks=blocks, width=4)
    if rg is not None and bound >= 2:
        v2 = replace(sel, version=2, width=8)
        if len(encode_selection(v2)) < len(encode_selection(v1)):
            return v2
    return v1


def _fewest_bytes(value: int) -> int:
    return 2 if value < 1 << 16 else 4 if value < 1 << 32 else 8


def _regular_blocks(rg: RegularHyperslab) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
    """The blocks of a limited regular hyperslab, first axis slowest."""
    per_axis = []
    for st, sd, ct, bl in zip(rg.start, rg.stride, rg.count, rg.block):
        assert ct is not None and bl is not None
        per_axis.append([(st + k * sd, st + k * sd + bl - 1) for k in range(ct)])
    return tuple(
        (tuple(b[0] for b in combo), tuple(b[1] for b in combo))
        for combo in itertools.product(*per_axis)
    )


@dataclass(frozen=True)
class EncodedDataspace:
    """An H5Sencode buffer: the extent and its selection."""

    kind: str
    """"scalar", "simple" or "null"."""
    shape: tuple[int, ...]
    maxshape: tuple[int | None, ...]
    selection: SerializedSelection


def decode_encoded_dataspace(
    buf: bytes | bytearray | memoryview, offset: int = 0
) -> tuple[EncodedDataspace, int]:
    """Decode an H5Sencode buffer: ``u8 type (1 = dataspace), u8 encode version,
    u8 size of lengths, u32 extent size``, the extent as a dataspace message (IV.A.2.b),
    then a serialized selection.  Returns the record and the bytes consumed."""
    data = bytes(buf)
    h = _ENCODED_HEAD.decode(data, offset)
    if h["type"] != 1:
        raise FormatError(f"encoded dataspace: type {h['type']} is not a dataspace")
    width = h["size_of_lengths"]
    if width not in (2, 4, 8):
        raise FormatError(f"encoded dataspace: bad size of lengths {width}")
    pos = offset + _ENCODED_HEAD.size()
    extent = data[pos : pos + h["extent_size"]]
    if len(extent) != h["extent_size"] or len(extent) < 4:
        raise FormatError("encoded dataspace: truncated extent")
    version, rank, flags = extent[0], extent[1], extent[2]
    if rank > MAX_RANK or version not in (1, 2):
        raise FormatError(f"encoded dataspace: bad extent (version {version}, rank {rank})")
    p = 8 if version == 1 else 4
    if len(extent) < p:
        raise FormatError("encoded dataspace: truncated extent")
    need = p + rank * width * (2 if flags & 1 else 1)
    if len(extent) < need:
        raise FormatError("encoded dataspace: truncated extent dimensions")
    dims = [
        int.from_bytes(extent[p + i * width : p + (i + 1) * width], "little") for i in range(rank)
    ]
    p += rank * width
    unlimited = (1 << (8 * width)) - 1
    if flags & 1:
        raw_max = [
            int.from_bytes(extent[p + i * width : p + (i + 1) * width], "little")
            for i in range(rank)
        ]
        maxshape: tuple[int | None, ...] = tuple(None if m == unlimited else m for m in raw_max)
    else:
        maxshape = tuple(dims)
    if version == 2:
        kind = {0: "scalar", 1: "simple", 2: "null"}.get(extent[3])
        if kind is None:
            raise FormatError(f"encoded dataspace: bad dataspace type {extent[3]}")
    else:
        kind = "simple" if rank else "scalar"
    pos += h["extent_size"]
    sel, n = decode_selection(data, pos)
    if sel.kind in (SelectionType.NONE, SelectionType.ALL):
        sel = SerializedSelection(sel.kind, rank, sel.version)
    return EncodedDataspace(kind, tuple(dims), maxshape, sel), pos + n - offset
