"""The one field-table mechanism: declare an on-disk structure once, derive decode,
encode and size from the declaration.

A :class:`Struct` is an ordered table of ``(name, FieldType)`` pairs.  Widths that depend on
the file (``OFFSET``, ``LENGTH``) are symbolic and resolved from a
:class:`~h5pure.format.context.FormatContext`; the compiled :mod:`struct` format is cached per
pair of widths.  All HDF5 metadata is little-endian.

Variable-length tails (names, lists of members) are not expressed here; modules decode the
fixed head with a table and walk the rest by hand, citing the spec section.
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
        self.names = [n for n, t in fields if t.kind != "reserved"]
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
        s = self.compiled(ctx)
        if offset < 0 or len(buf) - offset < s.size:
            where = f" at 0x{address + offset:x}" if address is not None else ""
            raise FormatError(
                f"truncated {self.name}{where}: need {s.size} bytes, have {max(0, len(buf) - offset)}"
            )
        return dict(zip(self.names, s.unpack_from(buf, offset)))

    def encode(self, values: Mapping[str, Any], ctx: FormatContext = DEFAULT_CONTEXT) -> bytes:
        s = self.compiled(ctx)
        try:
            return s.pack(*(values[n] for n in self.names))
        except KeyError as e:
            raise ValueError(f"{self.name}: missing field {e.args[0]!r}") from None
        except struct.error as e:
            raise ValueError(f"{self.name}: {e}") from None


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
