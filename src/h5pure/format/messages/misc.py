"""Small header messages: times, comment, K values, driver info, refcount, SOHM table,
file space info, bogus and the external file list.

HDF5 File Format Specification 4.0, IV.A.2:

* 0x0E old modification time (IV.A.2.o): 14 ASCII digits YYYYMMDDhhmmss (UTC) + 2 reserved;
* 0x12 modification time (IV.A.2.s): version 1, 3 reserved, u32 seconds since the epoch;
* 0x0D comment (IV.A.2.n): NUL-terminated text;
* 0x13 B-tree 'K' values (IV.A.2.t): version 0, indexed storage internal K, group internal
  K, group leaf K (u16 each);
* 0x14 driver info (IV.A.2.u): version 0, 8-byte driver id, u16 size, driver information;
  the same payload as the superblock v0/v1 driver information block (II.B), decoded here
  for the family ("NCSAfami": u64 member size) and multi ("NCSAmult") drivers;
* 0x16 object reference count (IV.A.2.w): version 0, u32 count;
* 0x0F shared message table (IV.A.2.p): version 0, SOHM table address, number of indices;
* 0x17 file space info (IV.A.2.x and ``src/H5Ofsinfo.c`` for the deprecated version 0);
* 0x09 bogus (IV.A.2.j): u32 0xdeadbeef, used only by library tests;
* 0x07 external data files (IV.A.2.h): version 1, 3 reserved, allocated and used slot
  counts (u16), local heap address, then ``used`` slots of (name offset, file offset,
  size), each an L-byte length.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

from ...errors import FormatError
from ..context import FormatContext
from ..structs import LENGTH, OFFSET, U8, U16, U32, Bytes, Cursor, Reserved, Struct
from . import MessageType, register

# --------------------------------------------------------------------------- times


@dataclass(frozen=True)
class ModificationTime:
    """Object modification time in seconds since the UNIX epoch (UTC)."""

    seconds: int
    version: int = 1
    """0 = the old ASCII message (0x0E), 1 = the current message (0x12)."""

    def encode(self, ctx: FormatContext | None = None) -> bytes:
        """The body of a 0x12 message (the writer never emits the old 0x0E)."""
        return _MTIME.encode({"version": 1, "seconds": self.seconds})


_MTIME = Struct(
    "modification time message", [("version", U8), ("reserved", Reserved(3)), ("seconds", U32)]
)
_MTIME_OLD = Struct(
    "old modification time message", [("text", Bytes(14)), ("reserved", Reserved(2))]
)


def decode_mtime(data: bytes, ctx: FormatContext, flags: int = 0) -> ModificationTime:
    head = _MTIME.decode(data, 0, ctx)
    if head["version"] != 1:
        raise FormatError(f"modification time message: unknown version {head['version']}")
    return ModificationTime(head["seconds"], 1)


def decode_mtime_old(data: bytes, ctx: FormatContext, flags: int = 0) -> ModificationTime:
    text = _MTIME_OLD.decode(data, 0, ctx)["text"]
    if not text.isdigit():
        raise FormatError(f"old modification time message: not a timestamp {text!r}")
    t = text.decode("ascii")
    fields = int(t[0:4]), int(t[4:6]), int(t[6:8]), int(t[8:10]), int(t[10:12]), int(t[12:14])
    if not (1 <= fields[1] <= 12 and 1 <= fields[2] <= 31 and fields[3] < 24 and fields[4] < 60):
        raise FormatError(f"old modification time message: bad timestamp {t!r}")
    return ModificationTime(calendar.timegm((*fields, 0, 0, 0)), 0)


# --------------------------------------------------------------------------- comment


@dataclass(frozen=True)
class Comment:
    """An object comment (``H5Oset_comment``)."""

    text: str


def decode_comment(data: bytes, ctx: FormatContext, flags: int = 0) -> Comment:
    end = data.find(b"\0")
    raw = data if end < 0 else data[:end]
    return Comment(raw.decode("utf-8", "surrogateescape"))


# --------------------------------------------------------------------------- K values


@dataclass(frozen=True)
class BTreeKValues:
    """Non-default v1 B-tree K values, kept in the superblock extension (v2+ superblocks)."""

    indexed_storage_internal_k: int
    group_internal_k: int
    group_leaf_k: int


_BTREE_K = Struct(
    "B-tree K values message",
    [
        ("version", U8),
        ("indexed_storage_internal_k", U16),
        ("group_internal_k", U16),
        ("group_leaf_k", U16),
    ],
)


def decode_btree_k(data: bytes, ctx: FormatContext, flags: int = 0) -> BTreeKValues:
    head = _BTREE_K.decode(data, 0, ctx)
    if head.pop("version") != 0:
        raise FormatError("B-tree K values message: unknown version")
    return BTreeKValues(**head)


# --------------------------------------------------------------------------- driver info


@dataclass(frozen=True)
class MultiMember:
    """One member file of the multi driver."""

    mem_type: int
    """The memory type (1 super ... 6 object header) whose member this is."""
    address: int
    """First address of the member in the combined address space."""
    eoa: int
    """End of allocated space of the member."""
    name: str
    """Member file name template (e.g. "%s-s.h5")."""


@dataclass(frozen=True)
class DriverInfo:
    """File driver information: driver info block (II.B) or driver info message (0x14)."""

    driver_id: str
    """Eight-character driver identification, e.g. "NCSAfami" or "NCSAmult"."""
    info: bytes
    """The raw driver information."""
    version: int = 0
    family_member_size: int | None = None
    """Family driver: size of each member file."""
    multi_map: tuple[int, ...] | None = None
    """Multi driver: member used for each memory type 1..6 (0 = its own)."""
    multi_members: tuple[MultiMember, ...] | None = None
    """Multi driver: the distinct members in memory-type order."""


DRIVER_INFO_BLOCK = Struct(
    "driver info block",
    [("version", U8), ("reserved", Reserved(3)), ("size", U32), ("driver_id", Bytes(8))],
)
_DRIVER_INFO_MSG = Struct(
    "driver info message", [("version", U8), ("driver_id", Bytes(8)), ("size", U16)]
)
_NTYPES = 6  # H5FD_MEM_SUPER .. H5FD_MEM_OHDR


def _decode_multi(info: bytes) -> tuple[tuple[int, ...], tuple[MultiMember, ...]]:
    # H5FDmulti.c (H5FD__multi_sb_encode): 6 map bytes + 2 pad, then (address, eoa) u64
    # pairs for each distinct member, then their NUL-terminated names padded to 8.
    cur = Cursor(info, "multi driver information")
    mapping = tuple(cur.u8() for _ in range(_NTYPES))
    cur.skip(2)
    seen: list[int] = []
    for mt in range(1, _NTYPES + 1):
        target = mapping[mt - 1] or mt
        if target > _NTYPES:
            raise FormatError(f"multi driver information: bad member map entry {target}")
        if target not in seen:
            seen.append(target)
    spans = [(cur.u64(), cur.u64()) for _ in seen]
    members = []
    for target, (address, eoa) in zip(seen, spans):
        start = cur.pos
        raw = cur.cstring()
        cur.pos = min(len(info), start + ((len(raw) + 1 + 7) & ~7))
        members.append(MultiMember(target, address, eoa, raw.decode("utf-8", "surrogateescape")))
    return mapping, tuple(members)


def make_driver_info(driver_id: bytes, info: bytes, version: int = 0) -> DriverInfo:
    """A :class:`DriverInfo` with the family/multi payload decoded when recognised."""
    ident = driver_id.decode("ascii", "replace")
    if driver_id == b"NCSAfami":
        if len(info) < 8:
            raise FormatError(f"family driver information: {len(info)} bytes, need 8")
        member_size = int.from_bytes(info[:8], "little")
        return DriverInfo(ident, info, version, family_member_size=member_size)
    if driver_id == b"NCSAmult":
        mapping, members = _decode_multi(info)
        return DriverInfo(ident, info, version, multi_map=mapping, multi_members=members)
    return DriverInfo(ident, info, version)


def decode_driver_info_block(
    buf: bytes | bytearray | memoryview, offset: int = 0, address: int = 0
) -> DriverInfo:
    """Decode a superblock v0/v1 driver information block (II.B) at ``buf[offset:]``."""
    head = DRIVER_INFO_BLOCK.decode(buf, offset, address=address - offset)
    if head["version"] != 0:
        raise FormatError(f"driver info block at 0x{address:x}: unknown version {head['version']}")
    start = offset + DRIVER_INFO_BLOCK.size()
    size = head["size"]
    if start + size > len(buf):
        raise FormatError(
            f"driver info block at 0x{address:x}: {size} bytes of information overrun the buffer"
        )
    try:
        return make_driver_info(head["driver_id"], bytes(buf[start : start + size]), 0)
    except FormatError as e:
        raise FormatError(f"driver info block at 0x{address:x}: {e}") from e


def encode_driver_info_block(info: DriverInfo) -> bytes:
    """The driver information block (II.B) for ``info`` (inverse of
    :func:`decode_driver_info_block`)."""
    head = DRIVER_INFO_BLOCK.encode(
        {
            "version": 0,
            "size": len(info.info),
            "driver_id": info.driver_id.encode("ascii").ljust(8, b"\0")[:8],
        }
    )
    return head + info.info


def decode_driver_info(data: bytes, ctx: FormatContext, flags: int = 0) -> DriverInfo:
    head = _DRIVER_INFO_MSG.decode(data, 0, ctx)
    if head["version"] != 0:
        raise FormatError(f"driver info message: unknown version {head['version']}")
    cur = Cursor(data, "driver info message", _DRIVER_INFO_MSG.size(ctx))
    return make_driver_info(head["driver_id"], cur.take(head["size"]), 0)


def encode_driver_info(info: DriverInfo) -> bytes:
    """The driver info message (0x14) body for ``info`` (inverse of
    :func:`decode_driver_info`): what a superblock v2/v3 file keeps in its superblock
    extension in place of the v0/v1 driver information block."""
    head = _DRIVER_INFO_MSG.encode(
        {
            "version": 0,
            "driver_id": info.driver_id.encode("ascii").ljust(8, b"\0")[:8],
            "size": len(info.info),
        }
    )
    return head + info.info


# --------------------------------------------------------------------------- refcount, SOHM


_REFCOUNT = Struct("reference count message", [("version", U8), ("count", U32)])


@dataclass(frozen=True)
class RefCount:
    """Object reference count: a v2 header's hard link count, stored only when not 1."""

    count: int

    def encode(self, ctx: FormatContext | None = None) -> bytes:
        return _REFCOUNT.encode({"version": 0, "count": self.count})

    @classmethod
    def decode(cls, data: bytes, ctx: FormatContext, flags: int = 0) -> RefCount:
        head = _REFCOUNT.decode(data, 0, ctx)
        if head["version"] != 0:
            raise FormatError(f"reference count message: unknown version {head['version']}")
        return cls(head["count"])


@dataclass(frozen=True)
class SharedMessageTable:
    """Where the shared-object-header-message table (III.I) lives."""

    version: int
    table_address: int
    num_indices: int


_SOHM = Struct(
    "shared message table message",
    [("version", U8), ("table_address", OFFSET), ("num_indices", U8)],
)


def decode_sohm_table(data: bytes, ctx: FormatContext, flags: int = 0) -> SharedMessageTable:
    head = _SOHM.decode(data, 0, ctx)
    if head["version"] != 0:
        raise FormatError(f"shared message table message: unknown version {head['version']}")
    return SharedMessageTable(**head)


# --------------------------------------------------------------------------- file space info


@dataclass(frozen=True)
class FileSpaceInfo:
    """File space management settings (superblock extension of 1.10+ files)."""

    version: int
    strategy: int
    """Version 1: H5F_fspace_strategy_t (0 FSM+aggregators, 1 paged, 2 aggregators, 3 none);
    version 0: the deprecated H5F_file_space_type_t (1 all persist, 2 all, 3 aggr+vfd, 4 vfd)."""
    persist: bool
    threshold: int
    """Free-space section size threshold."""
    page_size: int | None
    """File space page size (version 1)."""
    page_end_meta_threshold: int | None
    """Page end metadata threshold (version 1)."""
    eoa_pre_fsm_alloc: int | None
    """EOA before the free-space managers were allocated (version 1)."""
    manager_addresses: tuple[int, ...]
    """Addresses of the persistent free-space managers (empty unless persisting)."""


_FSINFO_V0 = Struct(
    "file space info message v0", [("version", U8), ("strategy", U8), ("threshold", LENGTH)]
)
_FSINFO_V1 = Struct(
    "file space info message",
    [
        ("version", U8),
        ("strategy", U8),
        ("persist", U8),
        ("threshold", LENGTH),
        ("page_size", LENGTH),
        ("page_end_meta_threshold", U16),
        ("eoa_pre_fsm_alloc", OFFSET),
    ],
)
_FS_V0_ALL_PERSIST = 1
_FS_V0_MANAGERS = 6  # H5FD_MEM_SUPER .. H5FD_MEM_OHDR
_FS_V1_MANAGERS = 12  # H5F_MEM_PAGE_SUPER .. H5F_MEM_PAGE_LARGE_OHDR


def decode_file_space_info(data: bytes, ctx: FormatContext, flags: int = 0) -> FileSpaceInfo:
    if not data:
        raise FormatError("truncated file space info message: empty")
    version = data[0]
    if version == 0:
        head = _FSINFO_V0.decode(data, 0, ctx)
        cur = Cursor(data, "file space info message", _FSINFO_V0.size(ctx))
        persist = head["strategy"] == _FS_V0_ALL_PERSIST
        managers = tuple(cur.offset(ctx) for _ in range(_FS_V0_MANAGERS)) if persist else ()
        return FileSpaceInfo(
            0, head["strategy"], persist, head["threshold"], None, None, None, managers
        )
    if version == 1:
        head = _FSINFO_V1.decode(data, 0, ctx)
        cur = Cursor(data, "file space info message", _FSINFO_V1.size(ctx))
        persist = bool(head["persist"])
        managers = tuple(cur.offset(ctx) for _ in range(_FS_V1_MANAGERS)) if persist else ()
        return FileSpaceInfo(
            1,
            head["strategy"],
            persist,
            head["threshold"],
            head["page_size"],
            head["page_end_meta_threshold"],
            head["eoa_pre_fsm_alloc"],
            managers,
        )
    raise FormatError(f"file space info message: unknown version {version}")


def encode_file_space_info(info: FileSpaceInfo, ctx: FormatContext) -> bytes:
    """The version 1 file space info message (0x17) body for ``info`` (inverse of
    :func:`decode_file_space_info`): the 12 manager addresses follow when persisting."""
    body = _FSINFO_V1.encode(
        {
            "version": 1,
            "strategy": info.strategy,
            "persist": int(info.persist),
            "threshold": info.threshold,
            "page_size": info.page_size or 4096,
            "page_end_meta_threshold": info.page_end_meta_threshold or 0,
            "eoa_pre_fsm_alloc": (
                ctx.undefined_address if info.eoa_pre_fsm_alloc is None else info.eoa_pre_fsm_alloc
            ),
        },
        ctx,
    )
    if not info.persist:
        return body
    managers = list(info.manager_addresses) + [ctx.undefined_address] * _FS_V1_MANAGERS
    return body + b"".join(
        a.to_bytes(ctx.size_of_offsets, "little") for a in managers[:_FS_V1_MANAGERS]
    )


# --------------------------------------------------------------------------- bogus


@dataclass(frozen=True)
class Bogus:
    """The library's test message; its value should be 0xdeadbeef."""

    value: int


_BOGUS = Struct("bogus message", [("value", U32)])


def decode_bogus(data: bytes, ctx: FormatContext, flags: int = 0) -> Bogus:
    return Bogus(_BOGUS.decode(data, 0, ctx)["value"])


# --------------------------------------------------------------------------- external files


@dataclass(frozen=True)
class ExternalSlot:
    """One external raw-data file segment."""

    name_offset: int
    """Offset of the file name in the local heap."""
    offset: int
    """Byte offset of the data in that file."""
    size: int
    """Bytes of the dataset stored there (unlimited = all ones)."""


@dataclass(frozen=True)
class ExternalFileList:
    """External raw-data storage of a dataset."""

    heap_address: int
    slots: list[ExternalSlot]
    allocated_slots: int = 0

    def encode(self, ctx: FormatContext) -> bytes:
        """The message body; libhdf5 writes the used slot count as the allocated one."""
        used = len(self.slots)
        head = {
            "version": 1,
            "allocated": max(self.allocated_slots, used),
            "used": used,
            "heap_address": self.heap_address,
        }
        out = [_EFL_HEAD.encode(head, ctx)]
        for s in self.slots:
            out.append(
                _EFL_SLOT.encode(
                    {"name_offset": s.name_offset, "offset": s.offset, "size": s.size}, ctx
                )
            )
        return b"".join(out)


_EFL_HEAD = Struct(
    "external file list message",
    [
        ("version", U8),
        ("reserved", Reserved(3)),
        ("allocated", U16),
        ("used", U16),
        ("heap_address", OFFSET),
    ],
)
_MAX_FILE_OFFSET = 2**63 - 1
_EFL_SLOT = Struct(
    "external file list slot", [("name_offset", LENGTH), ("offset", LENGTH), ("size", LENGTH)]
)


def decode_external_file_list(data: bytes, ctx: FormatContext, flags: int = 0) -> ExternalFileList:
    head = _EFL_HEAD.decode(data, 0, ctx)
    if head["version"] != 1:
        raise FormatError(f"external file list message: unknown version {head['version']}")
    if head["used"] > head["allocated"]:
        raise FormatError(
            f"external file list message: {head['used']} used slots > {head['allocated']} allocated"
        )
    pos, step = _EFL_HEAD.size(ctx), _EFL_SLOT.size(ctx)
    if pos + head["used"] * step > len(data):
        raise FormatError(f"external file list message: {head['used']} slots overrun the message")
    slots = [
        ExternalSlot(**_EFL_SLOT.decode(data, pos + i * step, ctx)) for i in range(head["used"])
    ]
    for i, slot in enumerate(slots):
        if slot.offset > _MAX_FILE_OFFSET:  # libhdf5 keeps it in a signed off_t
            raise FormatError(
                f"external file list message: slot {i} offset {slot.offset} is past the "
                "largest file offset"
            )
    return ExternalFileList(head["heap_address"], slots, head["allocated"])


register(MessageType.MODIFICATION_TIME)(decode_mtime)
register(MessageType.MODIFICATION_TIME_OLD)(decode_mtime_old)
register(MessageType.COMMENT)(decode_comment)
register(MessageType.BTREE_K_VALUES)(decode_btree_k)
register(MessageType.DRIVER_INFO)(decode_driver_info)
register(MessageType.REFCOUNT)(RefCount.decode)
register(MessageType.SHARED_MESSAGE_TABLE)(decode_sohm_table)
register(MessageType.FILE_SPACE_INFO)(decode_file_space_info)
register(MessageType.BOGUS)(decode_bogus)
register(MessageType.EXTERNAL_FILE_LIST)(decode_external_file_list)
