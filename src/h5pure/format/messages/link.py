"""Link-group messages: link (0x06), link info (0x02) and group info (0x0A).

HDF5 File Format Specification 4.0:

* IV.A.2.g Link Message: version 1, flags (bits 0-1 width of the name-length field,
  bit 2 creation order present, bit 3 link type present, bit 4 name character set
  present), [type u8], [creation order u64], [cset u8], name length, name (no NUL), then
  the link information: hard = O-byte object header address; soft = u16 length + path;
  external (type 64) and other user-defined types (>= 64) = u16 length + blob.  An external
  blob is a version/flags byte then two NUL-terminated strings, file name and object path
  (``src/H5Lexternal.c``).
* IV.A.2.c Link Info Message: version 0, flags (bit 0 creation order tracked, bit 1
  indexed), [max creation index u64], fractal heap address, name index v2 B-tree address,
  [creation order index v2 B-tree address].
* IV.A.2.k Group Info Message: version 0, flags (bit 0 link phase change values stored,
  bit 1 estimated entry information stored), [max compact u16, min dense u16],
  [estimated number of entries u16, estimated link name length u16].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from ...errors import FormatError
from ..context import FormatContext
from ..structs import U8, U16, U64, Cursor, FlagStruct, Struct, When, encode_uint
from . import MessageType, register
from .storage_info import StorageInfo, storage_info_table

LINK_TYPE_HARD = 0
LINK_TYPE_SOFT = 1
LINK_TYPE_EXTERNAL = 64
CSET_ASCII, CSET_UTF8 = 0, 1

_HEAD = Struct("message head", [("version", U8), ("flags", U8)])

_NAME_WIDTHS = (1, 2, 4, 8)
_STORE_CORDER = 0x04
_STORE_TYPE = 0x08
_STORE_CSET = 0x10
_LINK_KNOWN_FLAGS = 0x1F

LinkKind = Literal["hard", "soft", "external", "user"]


def _text(raw: bytes) -> str:
    # Names are ASCII or UTF-8; surrogateescape keeps undecodable bytes round-trippable.
    return raw.decode("utf-8", "surrogateescape")


def _raw(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class Link:
    """One link of a new-style group."""

    name: str
    kind: LinkKind
    address: int | None
    """Object header address (hard links)."""
    target: str | None
    """Path of a soft link, or object path inside the external file."""
    external_file: str | None
    """File name of an external link."""
    creation_order: int | None
    """Creation order index, when the message stores one."""
    cset: int
    """Character set of the name: 0 ASCII, 1 UTF-8."""
    user_type: int | None
    """Link type number of a user-defined link (>= 64, not 64 itself)."""
    user_data: bytes | None
    """Raw link information of a user-defined link."""

    @property
    def link_type(self) -> int:
        if self.kind == "hard":
            return LINK_TYPE_HARD
        if self.kind == "soft":
            return LINK_TYPE_SOFT
        if self.kind == "external":
            return LINK_TYPE_EXTERNAL
        if self.user_type is None:
            raise ValueError(f"user-defined link {self.name!r} without a type number")
        return self.user_type

    def _info(self) -> bytes:
        """u16 length + blob of a soft, external or user-defined link."""
        if self.kind == "soft":
            blob = _raw(self.target or "")
        elif self.kind == "external":
            blob = b"\0" + _raw(self.external_file or "") + b"\0" + _raw(self.target or "") + b"\0"
        else:
            blob = self.user_data or b""
        if len(blob) > 0xFFFF:
            raise ValueError(f"link {self.name!r}: link information longer than 65535 bytes")
        return encode_uint(len(blob), 2) + blob

    def encode(self, ctx: FormatContext) -> bytes:
        """Encode as libhdf5 does (smallest name-length width, optional fields as needed)."""
        name = _raw(self.name)
        n = len(name)
        width_code = 0 if n <= 0xFF else 1 if n <= 0xFFFF else 2 if n <= 0xFFFFFFFF else 3
        flags = width_code
        ltype = self.link_type
        if ltype != LINK_TYPE_HARD:
            flags |= _STORE_TYPE
        if self.creation_order is not None:
            flags |= _STORE_CORDER
        if self.cset != CSET_ASCII:
            flags |= _STORE_CSET
        out = bytearray(_HEAD.encode({"version": 1, "flags": flags}))
        if flags & _STORE_TYPE:
            out.append(ltype)
        if self.creation_order is not None:
            out += encode_uint(self.creation_order, 8)
        if flags & _STORE_CSET:
            out.append(self.cset)
        out += encode_uint(n, _NAME_WIDTHS[width_code]) + name
        if self.kind == "hard":
            if self.address is None:
                raise ValueError(f"hard link {self.name!r} without an address")
            out += encode_uint(self.address, ctx.size_of_offsets)
        else:
            out += self._info()
        return bytes(out)


def decode_link(data: bytes, ctx: FormatContext, flags: int = 0) -> Link:
    head = _HEAD.decode(data, 0, ctx)
    if head["version"] != 1:
        raise FormatError(f"link message: unknown version {head['version']}")
    lflags = head["flags"]
    if lflags & ~_LINK_KNOWN_FLAGS:
        raise FormatError(f"link message: unknown flags 0x{lflags:02x}")
    cur = Cursor(data, "link message", _HEAD.size(ctx))
    ltype = cur.u8() if lflags & _STORE_TYPE else LINK_TYPE_HARD
    corder = cur.u64() if lflags & _STORE_CORDER else None
    cset = cur.u8() if lflags & _STORE_CSET else CSET_ASCII
    name_len = cur.uint(_NAME_WIDTHS[lflags & 3])
    if name_len == 0:
        raise FormatError("link message: zero-length link name")
    name = _text(cur.take(name_len))
    if ltype == LINK_TYPE_HARD:
        return Link(name, "hard", cur.offset(ctx), None, None, corder, cset, None, None)
    if ltype == LINK_TYPE_SOFT:
        target = _text(cur.take(cur.u16()))
        return Link(name, "soft", None, target, None, corder, cset, None, None)
    if ltype < LINK_TYPE_EXTERNAL:
        raise FormatError(f"link message: reserved link type {ltype}")
    blob = cur.take(cur.u16())
    if ltype == LINK_TYPE_EXTERNAL:
        ext = Cursor(blob, "external link information")
        version_flags = ext.u8()
        if version_flags >> 4 != 0:
            raise FormatError(f"external link: unknown version {version_flags >> 4}")
        file_name = _text(ext.cstring())
        obj_path = _text(ext.cstring())
        return Link(name, "external", None, obj_path, file_name, corder, cset, None, None)
    return Link(name, "user", None, None, None, corder, cset, ltype, blob)


@dataclass(frozen=True)
class LinkInfo(StorageInfo):
    """The link info message (0x02) of a new-style group: its name index is a v2 B-tree of
    type 5, its creation-order index one of type 6."""

    TABLE: ClassVar[FlagStruct] = storage_info_table("link info message", U64)


_GROUP_INFO = FlagStruct(
    "group info message",
    [
        ("version", U8),
        ("flags", U8),
        ("max_compact", U16, When("flags", 0x01)),
        ("min_dense", U16, When("flags", 0x01)),
        ("est_num_entries", U16, When("flags", 0x02)),
        ("est_name_length", U16, When("flags", 0x02)),
    ],
)


@dataclass(frozen=True)
class GroupInfo:
    """The group info message (0x0A): compact/dense thresholds and size estimates."""

    flags: int
    """Bit 0: phase change values stored; bit 1: estimates stored."""
    max_compact: int | None
    """Most links stored compactly (libhdf5 default 8 when absent)."""
    min_dense: int | None
    """Fewest links stored densely (default 6 when absent)."""
    est_num_entries: int | None
    """Estimated number of entries (default 4 when absent)."""
    est_name_length: int | None
    """Estimated link name length (default 8 when absent)."""

    def encode(self, ctx: FormatContext | None = None) -> bytes:
        values = {
            "version": 0,
            "flags": self.flags,
            "max_compact": self.max_compact or 0,
            "min_dense": self.min_dense or 0,
            "est_num_entries": self.est_num_entries or 0,
            "est_name_length": self.est_name_length or 0,
        }
        return _GROUP_INFO.encode(values)


def decode_group_info(data: bytes, ctx: FormatContext, flags: int = 0) -> GroupInfo:
    cur = Cursor(data, _GROUP_INFO.name)
    v = _GROUP_INFO.read(cur, ctx, stop="max_compact")
    if v["version"] != 0:
        raise FormatError(f"group info message: unknown version {v['version']}")
    if v["flags"] & ~3:
        raise FormatError(f"group info message: unknown flags 0x{v['flags']:02x}")
    v = _GROUP_INFO.read(cur, ctx, start="max_compact", values=v)
    del v["version"]
    return GroupInfo(**v)


register(MessageType.LINK)(decode_link)
register(MessageType.LINK_INFO)(LinkInfo.decode)
register(MessageType.GROUP_INFO)(decode_group_info)
