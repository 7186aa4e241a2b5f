"""The one field-table mechanism: declare an on-disk structure once, derive decode,
encode and size from the declaration.

A :class:`Struct` is an ordered table of ``(name, FieldType)`` pairs.  Widths that depend on
the file (``OFFSET``, ``LENGTH``) are symbolic and resolved from a
:class:`~h5pure.format.context.FormatContext`; the compiled :mod:`struct` format is cached per
pair of widths.  All HDF5 metadata is little-endian.

A :class:`FlagStruct` declares a structure whose fields are present or absent by flag bits
stored before them (``When("flags", 0x01)``).  Variable-length tails (names, lists of
members) are walked with the one bounds-checked :class:`Cursor`, which also decodes tables
at its position; modules cite the spec section.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import FormatError
from .context import DEFAULT_CONTEXT, FormatContext

_UINT_CODES = {1: "B", 2: "H", 4: "I", 8: "Q"}


@dataclass(frozen=True)
class FieldType:
    """One field's on-disk representation."""

    kind: str
    """"uint" (width bytes), "offset", "length", "bytes" (width bytes), "reserved" (width bytes, zero)."""
    width: int = 0

    def nbytes(self, ctx: FormatContext = DEFAULT_CONTEXT) -> int:
        """Bytes the field takes in a file of context ``ctx``."""
        if self.kind == "offset":
            return ctx.size_of_offsets
        if self.kind == "length":
            return ctx.size_of_lengths
        return self.width

    def code(self, ctx: FormatContext) -> str:
        if self.kind == "uint":
            return _UINT_CODES[self.width]
        if self.kind == "offset":
            return _uint_code(ctx.size_of_offsets)
        if self.kind == "length":
            return _uint_code(ctx.size_of_lengths)
        if self.kind == "bytes":
            return f"{self.width}s"
        if self.kind == "reserved":
            return f"{self.width}x"
        raise ValueError(f"unknown field kind {self.kind!r}")


def _uint_code(width: int) -> str:
    try:
        return _UINT_CODES[width]
    except KeyError:
        raise FormatError(f"unsupported field width {width} (must be 1, 2, 4 or 8)") from None


U8 = FieldType("uint", 1)
U16 = FieldType("uint", 2)
U32 = FieldType("uint", 4)
U64 = FieldType("uint", 8)
OFFSET = FieldType("offset")
"""An address: ``size_of_offsets`` bytes."""
LENGTH = FieldType("length")
"""A length: ``size_of_lengths`` bytes."""


def Bytes(n: int) -> FieldType:  # noqa: N802 - reads like a type in field tables
    """``n`` raw bytes (signatures, fixed names)."""
    return FieldType("bytes", n)


def Reserved(n: int) -> FieldType:  # noqa: N802
    """``n`` bytes skipped on decode and written as zero on encode."""
    return FieldType("reserved", n)


class Struct:
    """A fixed-size on-disk structure declared as a table of fields.

    >>> HDR = Struct("local heap header", [("signature", Bytes(4)), ("version", U8)])
    >>> HDR.decode(b"HEAP\\x00")["version"]
    0
    """

    def __init__(self, name: str, fields: list[tuple[str, FieldType]]) -> None:
        self.name = name
        self.fields = fields
        self.names = tuple(n for n, t in fields if t.kind != "reserved")
        self._cache: dict[tuple[int, int], struct.Struct] = {}
        self._last: tuple[FormatContext, struct.Struct] | None = None
        """The context last asked for and its struct (contexts are immutable)."""

    def compiled(self, ctx: FormatContext = DEFAULT_CONTEXT) -> struct.Struct:
        last = self._last
        if last is not None and last[0] is ctx:
            return last[1]
        key = (ctx.size_of_offsets, ctx.size_of_lengths)
        s = self._cache.get(key)
        if s is None:
            s = struct.Struct("<" + "".join(t.code(ctx) for _, t in self.fields))
            self._cache[key] = s
        self._last = (ctx, s)
        return s

    def size(self, ctx: FormatContext = DEFAULT_CONTEXT) -> int:
        return self.compiled(ctx).size

    def decode(
        self,
        buf: bytes | bytearray | memoryview,
        offset: int = 0,
        ctx: FormatContext = DEFAULT_CONTEXT,
        address: int | None = None,
    ) -> dict[str, Any]:
        """Decode the structure at ``buf[offset:]``; ``address`` (file address of ``buf[0]``)
        only serves error messages."""
        last = self._last  # (inline :meth:`compiled`: decoders run this once per record)
        s = last[1] if last is not None and last[0] is ctx else self.compiled(ctx)
        if offset < 0 or len(buf) - offset < s.size:
            where = f" at 0x{address + offset:x}" if address is not None else ""
            raise FormatError(
                f"truncated {self.name}{where}: need {s.size} bytes, have {max(0, len(buf) - offset)}"
            )
        return dict(zip(self.names, s.unpack_from(buf, offset)))

    def encode(self, values: Mapping[str, Any], ctx: FormatContext = DEFAULT_CONTEXT) -> bytes:
        last = self._last
        s = last[1] if last is not None and last[0] is ctx else self.compiled(ctx)
        try:
            return s.pack(*map(values.__getitem__, self.names))
        except KeyError as e:
            raise ValueError(f"{self.name}: missing field {e.args[0]!r}") from None
        except struct.error as e:
            raise ValueError(f"{self.name}: {e}") from None


@dataclass(frozen=True)
class When:
    """A field's presence condition: ``mask`` bits set in the earlier field ``field``."""

    field: str
    mask: int

    def __call__(self, values: Mapping[str, Any]) -> bool:
        return bool(values[self.field] & self.mask)


class FlagStruct:
    """A structure declared as a table of fields, some present only when flag bits stored
    before them are set: ``(name, FieldType)`` or ``(name, FieldType, When(flag, mask))``.

    Decoding gives every declared field, ``None`` for the absent ones; encoding writes the
    present ones (a present field must have a value).  Consecutive fields under the same
    condition form one segment, a :class:`Struct` decoded or encoded in one step.
    """

    def __init__(
        self, name: str, fields: list[tuple[str, FieldType] | tuple[str, FieldType, When]]
    ) -> None:
        self.name = name
        groups: list[tuple[When | None, list[tuple[str, FieldType]]]] = []
        for f in fields:
            when = f[2] if len(f) == 3 else None  # type: ignore[misc]
            if not groups or groups[-1][0] != when:
                groups.append((when, []))
            groups[-1][1].append((f[0], f[1]))
        self.segments: list[tuple[When | None, Struct]] = [
            (when, Struct(name, group)) for when, group in groups
        ]
        self._segment_of = {group[0][0]: i for i, (_, group) in enumerate(groups)}

    def _index(self, field: str | None, default: int | None) -> int | None:
        if field is None:
            return default
        try:
            return self._segment_of[field]
        except KeyError:
            raise ValueError(f"{self.name}: no segment starts at field {field!r}") from None

    def read(
        self,
        cur: Cursor,
        ctx: FormatContext = DEFAULT_CONTEXT,
        *,
        start: str | None = None,
        stop: str | None = None,
        values: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Decode the structure at ``cur``'s position and move past it, into ``values``.

        ``start``/``stop`` (field names where segments begin) read only part of it, say the
        version and flags, to check them before reading the rest.
        """
        values = {} if values is None else values
        for when, seg in self.segments[self._index(start, 0) : self._index(stop, None)]:
            if when is not None and not when(values):
                for n in seg.names:
                    values[n] = None
                continue
            s = seg.compiled(ctx)
            pos = cur.pos
            if len(cur.buf) - pos < s.size:
                cur.need(s.size)  # raises
            for n, v in zip(seg.names, s.unpack_from(cur.buf, pos)):
                values[n] = v
            cur.pos = pos + s.size
        return values

    def decode(
        self,
        buf: bytes | bytearray | memoryview,
        offset: int = 0,
        ctx: FormatContext = DEFAULT_CONTEXT,
    ) -> dict[str, Any]:
        return self.read(Cursor(buf, self.name, offset), ctx)

    def encode(self, values: Mapping[str, Any], ctx: FormatContext = DEFAULT_CONTEXT) -> bytes:
        parts = []
        for when, seg in self.segments:
            if when is None or when(values):
                try:
                    parts.append(seg.compiled(ctx).pack(*[values.get(n) for n in seg.names]))
                except struct.error as e:
                    missing = [n for n in seg.names if values.get(n) is None]
                    if missing:
                        raise ValueError(
                            f"{self.name}: present fields {missing} have no value"
                        ) from None
                    raise ValueError(f"{self.name}: {e}") from None
        return b"".join(parts)


def read_uint(buf: bytes | bytearray | memoryview, offset: int, width: int) -> int:
    """Little-endian unsigned integer of any width (1-8 bytes, also odd widths such as 3)."""
    if len(buf) - offset < width:
        raise FormatError(f"truncated integer field: need {width} bytes at offset {offset}")
    return int.from_bytes(buf[offset : offset + width], "little")


def encode_uint(value: int, width: int) -> bytes:
    return int(value).to_bytes(width, "little")


def check_signature(
    buf: bytes | bytearray | memoryview, expected: bytes, what: str, address: int
) -> None:
    """Raise FormatError unless ``buf`` starts with ``expected``."""
    got = bytes(buf[: len(expected)])
    if got != expected:
        raise FormatError(f"{what} at 0x{address:x}: bad signature {got!r} (expected {expected!r})")


_Buffer = bytes | bytearray | memoryview


class Cursor:
    """Bounds-checked little-endian reader for variable-length tails.

    Every read checks that the bytes exist and raises :class:`FormatError` naming ``what``
    and the byte position otherwise, so decoders never index past their buffer.  Fixed
    heads inside a tail are read with :meth:`struct` from their :class:`Struct` table.
    """

    __slots__ = ("buf", "what", "pos")

    def __init__(self, buf: _Buffer, what: str, pos: int = 0) -> None:
        self.buf = buf
        self.what = what
        """What the buffer holds, for error messages ("link message")."""
        self.pos = pos

    @property
    def remaining(self) -> int:
        return len(self.buf) - self.pos

    def fail(self, msg: str) -> FormatError:
        """A :class:`FormatError` about the bytes at the current position."""
        return FormatError(f"{self.what} at byte {self.pos}: {msg}")

    def need(self, n: int) -> None:
        if n < 0 or n > len(self.buf) - self.pos:
            raise FormatError(
                f"truncated {self.what}: need {n} bytes at byte {self.pos}, "
                f"have {max(0, self.remaining)}"
            )

    def take(self, n: int) -> bytes:
        self.need(n)
        pos = self.pos
        self.pos = pos + n
        return bytes(self.buf[pos : pos + n])

    def skip(self, n: int) -> None:
        self.need(n)
        self.pos += n

    def uint(self, width: int) -> int:
        self.need(width)
        pos = self.pos
        self.pos = pos + width
        return int.from_bytes(self.buf[pos : pos + width], "little")

    def uints(self, n: int, width: int) -> list[int]:
        """``n`` consecutive unsigned integers of ``width`` bytes each."""
        self.need(n * width)
        b, p = self.buf, self.pos
        self.pos = p + n * width
        return [int.from_bytes(b[p + i * width : p + (i + 1) * width], "little") for i in range(n)]

    def u8(self) -> int:
        return self.uint(1)

    def u16(self) -> int:
        return self.uint(2)

    def u32(self) -> int:
        return self.uint(4)

    def u64(self) -> int:
        return self.uint(8)

    def offset(self, ctx: FormatContext) -> int:
        return self.uint(ctx.size_of_offsets)

    def length(self, ctx: FormatContext) -> int:
        return self.uint(ctx.size_of_lengths)

    def struct(self, table: Struct, ctx: FormatContext = DEFAULT_CONTEXT) -> dict[str, Any]:
        """Decode ``table`` at the current position and move past it."""
        size = table.size(ctx)
        self.need(size)
        values = table.decode(self.buf, self.pos, ctx)
        self.pos += size
        return values

    def cstring(self, pad8: bool = False) -> bytes:
        """Bytes up to (not including) the next NUL; the NUL is consumed, and with ``pad8``
        also the zero padding that makes the string (with its NUL) a multiple of 8 bytes."""
        buf, pos = self.buf, self.pos
        if isinstance(buf, memoryview):
            end = bytes(buf[pos:]).find(b"\0")
            end = end + pos if end >= 0 else -1
        else:
            end = buf.find(b"\0", pos)
        if end < 0:
            raise self.fail("unterminated string (no NUL)")
        out = bytes(buf[pos:end])
        used = end - pos + 1
        if pad8:
            used += -used % 8
        self.skip(used)
        return out

    def align(self, boundary: int) -> None:
        """Skip padding up to the next multiple of ``boundary`` (relative to byte 0).

        Lenient at the end of the buffer: a final pad may be cut short.
        """
        self.pos += min(-self.pos % boundary, max(0, self.remaining))
