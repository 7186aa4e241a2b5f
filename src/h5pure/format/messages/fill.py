"""Fill value messages: the old one (type 0x04) and the current one (type 0x05).

HDF5 File Format Specification 4.0, IV.A.2.e (old: u32 size, value) and IV.A.2.f (versions
1-3).  Versions 1 and 2: version, space allocation time, fill write time, "fill value
defined" byte, then u32 size and value (version 1: always; version 2: only if defined).
Version 3 packs the times into one flags byte (bits 0-1 allocation time, 2-3 write time,
bit 4 "undefined", bit 5 "value present") followed by u32 size and value when bit 5 is set.
``src/H5Ofill.c`` (``H5O__fill_new_decode``) is the reference for the semantics:

* "undefined" (v1/v2 defined byte 0, v3 bit 4): no fill value, :attr:`FillValue.defined`
  False;
* "default" (v2 defined with size 0, v3 neither bit): zeros, ``defined`` True, ``value`` None;
* "user" (size > 0): ``defined`` True and ``value`` the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import FormatError
from ..context import FormatContext
from ..structs import U8, U32, Cursor, Struct, encode_uint
from . import MessageType, register

ALLOC_TIME_DEFAULT, ALLOC_TIME_EARLY, ALLOC_TIME_LATE, ALLOC_TIME_INCR = 0, 1, 2, 3
FILL_TIME_ALLOC, FILL_TIME_NEVER, FILL_TIME_IFSET = 0, 1, 2

_V12_HEAD = Struct(
    "fill value message",
    [("version", U8), ("alloc_time", U8), ("fill_time", U8), ("defined", U8)],
)
_V3_HEAD = Struct("fill value message v3", [("version", U8), ("flags", U8)])
_SIZE = Struct("fill value size", [("size", U32)])

_V3_UNDEFINED = 0x10
_V3_HAVE_VALUE = 0x20
_V3_KNOWN_FLAGS = 0x3F


@dataclass(frozen=True)
class FillValueOld:
    """The old fill value message (0x04): the value's bytes (empty = none)."""

    value: bytes

    def encode(self, ctx: FormatContext | None = None) -> bytes:
        return encode_uint(len(self.value), 4) + self.value


@dataclass(frozen=True)
class FillValue:
    """The fill value message (0x05)."""

    version: int
    alloc_time: int
    """0 default, 1 early, 2 late, 3 incremental."""
    fill_time: int
    """0 on allocation, 1 never, 2 if set by the user."""
    defined: bool
    """False: the fill value is undefined (libhdf5 size -1)."""
    value: bytes | None
    """The fill value's bytes; None = the default (zeros) or undefined."""

    def encode(self, ctx: FormatContext | None = None) -> bytes:
        if self.version in (1, 2):
            out = _V12_HEAD.encode(
                {
                    "version": self.version,
                    "alloc_time": self.alloc_time,
                    "fill_time": self.fill_time,
                    "defined": int(self.defined),
                }
            )
            if self.version == 1 or self.defined:
                value = self.value or b""
                out += _SIZE.encode({"size": len(value)}) + value
            return out
        if self.version == 3:
            flags = (self.alloc_time & 3) | ((self.fill_time & 3) << 2)
            if not self.defined:
                return _V3_HEAD.encode({"version": 3, "flags": flags | _V3_UNDEFINED})
            if self.value is None:
                return _V3_HEAD.encode({"version": 3, "flags": flags})
            return (
                _V3_HEAD.encode({"version": 3, "flags": flags | _V3_HAVE_VALUE})
                + _SIZE.encode({"size": len(self.value)})
                + self.value
            )
        raise ValueError(f"bad fill value message version {self.version}")


def decode_fill_value_old(data: bytes, ctx: FormatContext, flags: int = 0) -> FillValueOld:
    cur = Cursor(data, "old fill value message")
    size = cur.u32()
    return FillValueOld(cur.take(size))


def decode_fill_value(data: bytes, ctx: FormatContext, flags: int = 0) -> FillValue:
    if not data:
        raise FormatError("truncated fill value message: empty")
    version = data[0]
    if version in (1, 2):
        head = _V12_HEAD.decode(data, 0, ctx)
        cur = Cursor(data, "fill value message", _V12_HEAD.size(ctx))
        defined = bool(head["defined"])
        value: bytes | None = None
        if version == 1 or defined:
            size = cur.u32()
            if size == 0xFFFFFFFF:  # size -1 written for an undefined value
                defined = False
            elif size:
                value = cur.take(size)
        return FillValue(version, head["alloc_time"], head["fill_time"], defined, value)
    if version == 3:
        head = _V3_HEAD.decode(data, 0, ctx)
        vflags = head["flags"]
        if vflags & ~_V3_KNOWN_FLAGS:
            raise FormatError(f"fill value message: unknown flags 0x{vflags:02x}")
        if vflags & _V3_UNDEFINED and vflags & _V3_HAVE_VALUE:
            raise FormatError("fill value message: both 'undefined' and 'have value' set")
        alloc_time, fill_time = vflags & 3, (vflags >> 2) & 3
        if vflags & _V3_UNDEFINED:
            return FillValue(3, alloc_time, fill_time, False, None)
        if vflags & _V3_HAVE_VALUE:
            cur = Cursor(data, "fill value message", _V3_HEAD.size(ctx))
            return FillValue(3, alloc_time, fill_time, True, cur.take(cur.u32()))
        return FillValue(3, alloc_time, fill_time, True, None)
    raise FormatError(f"fill value message: unknown version {version}")


register(MessageType.FILL_VALUE_OLD)(decode_fill_value_old)
register(MessageType.FILL_VALUE)(decode_fill_value)
