"""The superblock (versions 0-3), the root symbol table entry and the driver info block.

HDF5 File Format Specification 4.0:

* II.A superblock.  The signature sits at absolute offset 0, 512, 1024, 2048, ... (a user
  block may precede it).  Versions 0/1: signature, version, free-space / root-group /
  shared-header format versions, sizes of offsets and lengths, group leaf and internal K,
  consistency flags, [v1: indexed storage K + 2 reserved], base address, free-space info
  address, end-of-file address, driver info block address, root group symbol table entry.
  Versions 2/3: signature, version, sizes, u8 flags, base address, superblock extension
  address, end-of-file address, root object header address, lookup3 checksum.
* II.B driver info block (v0/v1 only): version, 3 reserved, u32 size, 8-byte driver id,
  information (decoded in :mod:`.messages.misc`).
* II.C superblock extension: an object header holding file-wide messages (B-tree K values,
  driver info, shared message table, file space info ...).
* III.C the root group's symbol table entry, decoded by
  :class:`~h5pure.format.symbol_table.SymbolTableEntry` (re-exported here).

The stored end-of-file address is absolute (libhdf5 sets EOA = stored EOF - base address).
As libhdf5 does (``H5F__super_read``), a superblock found at an offset other than its stored
base address rebases the file on the superblock's own offset and shifts the EOF alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..errors import FormatError
from .checksum import append_checksum, verify_checksum
from .context import ByteSource, FormatContext
from .messages import MessageType, decode_message
from .object_header import read_object_header
from .structs import OFFSET, U8, U16, U32, Bytes, Reserved, Struct
from .symbol_table import SymbolTableEntry

if TYPE_CHECKING:
    from .messages.misc import DriverInfo

__all__ = [
    "SIGNATURE",
    "Superblock",
    "SymbolTableEntry",
    "decode_superblock",
    "encode_superblock",
    "locate_superblock",
    "read_superblock_extension",
    "superblock_extension_messages",
]

SIGNATURE = b"\x89HDF\r\n\x1a\n"

DEFAULT_GROUP_LEAF_K = 4  # HDF5_GROUP_LEAF_NODE_K_DEF
DEFAULT_GROUP_INTERNAL_K = 16  # HDF5_BTREE_SNODE_IK_DEF
DEFAULT_INDEXED_STORAGE_K = 32  # HDF5_BTREE_CHUNK_IK_DEF

_VALID_SIZES = (2, 4, 8)
_MAX_USERBLOCK_PROBE = 1 << 62

_HEAD = Struct("superblock", [("signature", Bytes(8)), ("version", U8)])
_V0_FIXED = Struct(
    "superblock v0",
    [
        ("signature", Bytes(8)),
        ("version", U8),
        ("free_space_version", U8),
        ("root_group_version", U8),
        ("reserved0", Reserved(1)),
        ("shared_header_version", U8),
        ("size_of_offsets", U8),
        ("size_of_lengths", U8),
        ("reserved1", Reserved(1)),
        ("group_leaf_k", U16),
        ("group_internal_k", U16),
        ("flags", U32),
    ],
)
_V1_EXTRA = Struct(
    "superblock v1 indexed storage K", [("indexed_storage_k", U16), ("reserved", Reserved(2))]
)
_V01_ADDRESSES = Struct(
    "superblock addresses",
    [
        ("base_address", OFFSET),
        ("free_space_address", OFFSET),
        ("eof_address", OFFSET),
        ("driver_info_address", OFFSET),
    ],
)
_V23_FIXED = Struct(
    "superblock v2",
    [
        ("signature", Bytes(8)),
        ("version", U8),
        ("size_of_offsets", U8),
        ("size_of_lengths", U8),
        ("flags", U8),
    ],
)
_V23_ADDRESSES = Struct(
    "superblock v2 addresses",
    [
        ("base_address", OFFSET),
        ("extension_address", OFFSET),
        ("eof_address", OFFSET),
        ("root_object_header_address", OFFSET),
        ("checksum", U32),
    ],
)


@dataclass(frozen=True)
class Superblock:
    """The decoded superblock.  Addresses are relative to ``base_address`` except
    ``base_address`` and ``eof_address`` themselves, which are absolute file offsets."""

    version: int
    size_of_offsets: int
    size_of_lengths: int
    base_address: int
    """Absolute offset all addresses are relative to (the superblock's own offset)."""
    group_leaf_k: int
    group_internal_k: int
    indexed_storage_k: int
    """Stored in v1; the default 32 otherwise (v2+: see the extension's K values message)."""
    flags: int
    """File consistency flags."""
    free_space_address: int
    """v0/v1 free-space info address (always undefined in practice); undefined for v2+."""
    extension_address: int
    """v2/v3 superblock extension object header; undefined when absent (and for v0/v1)."""
    eof_address: int
    """Absolute end-of-file address."""
    driver_info_address: int
    """v0/v1 driver info block; undefined when absent (and for v2+)."""
    root_object_header_address: int
    root_entry: SymbolTableEntry | None
    """v0/v1 root group symbol table entry (None for v2+)."""
    encoded_size: int
    """Bytes of the superblock, root entry or checksum included."""
    driver_info: DriverInfo | None = None
    """The v0/v1 driver info block, when ``decode_superblock`` was given its bytes."""

    def context(self) -> FormatContext:
        """The :class:`FormatContext` every other decoder of this file needs."""
        return FormatContext(
            self.size_of_offsets,
            self.size_of_lengths,
            self.base_address,
            max(0, self.eof_address - self.base_address),
        )

    @property
    def undefined_address(self) -> int:
        return (1 << (8 * self.size_of_offsets)) - 1

    def has_extension(self) -> bool:
        return self.extension_address != self.undefined_address

    def with_extension(self, messages: dict[Any, Any]) -> Superblock:
        """A copy with the K values of a superblock extension's B-tree K message applied."""
        kvals = messages.get(MessageType.BTREE_K_VALUES)
        if kvals is None:
            return self
        from .messages.misc import BTreeKValues  # loaded already: it decoded ``kvals``

        if not isinstance(kvals, BTreeKValues):
            return self
        return replace(
            self,
            group_leaf_k=kvals.group_leaf_k,
            group_internal_k=kvals.group_internal_k,
            indexed_storage_k=kvals.indexed_storage_internal_k,
        )


def locate_superblock(read_abs: Callable[[int, int], bytes], file_size: int) -> int:
    """Absolute offset of the superblock signature: 0, 512, 1024, 2048, ...

    ``read_abs(offset, size)`` reads absolute file bytes.
    """
    offset = 0
    while offset + len(SIGNATURE) <= file_size and offset < _MAX_USERBLOCK_PROBE:
        if read_abs(offset, len(SIGNATURE)) == SIGNATURE:
            return offset
        offset = 512 if offset == 0 else offset * 2
    raise FormatError(
        f"no HDF5 superblock signature at offset 0 or any power of two >= 512 "
        f"(file of {file_size} bytes)"
    )


def _check_sizes(head: dict[str, Any], where: str) -> FormatContext:
    for key in ("size_of_offsets", "size_of_lengths"):
        if head[key] not in _VALID_SIZES:
            raise FormatError(f"{where}: unsupported {key.replace('_', ' ')} {head[key]}")
    return FormatContext(head["size_of_offsets"], head["size_of_lengths"])


def _decode_v01(buf: bytes, at: int, version: int) -> Superblock:
    where = f"superblock at 0x{at:x}"
    head = _V0_FIXED.decode(buf, 0, address=at)
    for key in ("free_space_version", "root_group_version", "shared_header_version"):
        if head[key] != 0:
            raise FormatError(f"{where}: unsupported {key.replace('_', ' ')} {head[key]}")
    ctx = _check_sizes(head, where)
    if head["group_leaf_k"] == 0 or head["group_internal_k"] == 0:
        raise FormatError(f"{where}: group K values must be positive")
    pos = _V0_FIXED.size()
    indexed_k = DEFAULT_INDEXED_STORAGE_K
    if version == 1:
        indexed_k = _V1_EXTRA.decode(buf, pos, address=at)["indexed_storage_k"]
        if indexed_k == 0:
            raise FormatError(f"{where}: indexed storage K must be positive")
        pos += _V1_EXTRA.size()
    addrs = _V01_ADDRESSES.decode(buf, pos, ctx, at)
    pos += _V01_ADDRESSES.size(ctx)
    try:
        root = SymbolTableEntry.decode(buf, pos, ctx)
    except FormatError as e:
        raise FormatError(f"{where}: root group {e}") from e
    pos += SymbolTableEntry.size(ctx)
    base, eof = _rebase(addrs["base_address"], addrs["eof_address"], at)
    driver_info = None
    dia = addrs["driver_info_address"]
    if dia != ctx.undefined_address:
        start = dia + base - at  # index of the block in buf
        if 0 <= start < len(buf):
            from .messages.misc import decode_driver_info_block  # rare (family, multi)

            driver_info = decode_driver_info_block(buf, start, dia)
    return Superblock(
        version=version,
        size_of_offsets=ctx.size_of_offsets,
        size_of_lengths=ctx.size_of_lengths,
        base_address=base,
        group_leaf_k=head["group_leaf_k"],
        group_internal_k=head["group_internal_k"],
        indexed_storage_k=indexed_k,
        flags=head["flags"],
        free_space_address=addrs["free_space_address"],
        extension_address=ctx.undefined_address,
        eof_address=eof,
        driver_info_address=dia,
        root_object_header_address=root.object_header_address,
        root_entry=root,
        encoded_size=pos,
        driver_info=driver_info,
    )


def _rebase(stored_base: int, stored_eof: int, at: int) -> tuple[int, int]:
    # H5F__super_read: a superblock that is not where its base address says moves the
    # base to the superblock and shifts the end-of-file address by the same amount.
    if stored_base != at:
        stored_eof -= stored_base - at
    return at, stored_eof


def _decode_v23(buf: bytes, at: int, version: int) -> Superblock:
    where = f"superblock at 0x{at:x}"
    head = _V23_FIXED.decode(buf, 0, address=at)
    ctx = _check_sizes(head, where)
    pos = _V23_FIXED.size()
    addrs = _V23_ADDRESSES.decode(buf, pos, ctx, at)
    size = pos + _V23_ADDRESSES.size(ctx)
    verify_checksum(buf[:size], "superblock", at)
    base, eof = _rebase(addrs["base_address"], addrs["eof_address"], at)
    return Superblock(
        version=version,
        size_of_offsets=ctx.size_of_offsets,
        size_of_lengths=ctx.size_of_lengths,
        base_address=base,
        group_leaf_k=DEFAULT_GROUP_LEAF_K,
        group_internal_k=DEFAULT_GROUP_INTERNAL_K,
        indexed_storage_k=DEFAULT_INDEXED_STORAGE_K,
        flags=head["flags"],
        free_space_address=ctx.undefined_address,
        extension_address=addrs["extension_address"],
        eof_address=eof,
        driver_info_address=ctx.undefined_address,
        root_object_header_address=addrs["root_object_header_address"],
        root_entry=None,
        encoded_size=size,
    )


def decode_superblock(buf: bytes, absolute_offset: int) -> Superblock:
    """Decode the superblock whose signature starts ``buf`` (at ``absolute_offset``).

    ``buf`` must hold the whole superblock; if it also holds the v0/v1 driver info block,
    that block is decoded into :attr:`Superblock.driver_info` (otherwise read it with
    :func:`~h5pure.format.messages.misc.decode_driver_info_block`).
    """
    head = _HEAD.decode(buf, 0, address=absolute_offset)
    if head["signature"] != SIGNATURE:
        raise FormatError(
            f"superblock at 0x{absolute_offset:x}: bad signature {head['signature']!r}"
        )
    version = head["version"]
    if version in (0, 1):
        return _decode_v01(buf, absolute_offset, version)
    if version in (2, 3):
        return _decode_v23(buf, absolute_offset, version)
    raise FormatError(f"superblock at 0x{absolute_offset:x}: unknown version {version}")


def encode_superblock(sb: Superblock) -> bytes:
    """The bytes of ``sb`` as stored at its base address (inverse of :func:`decode_superblock`).

    v0/v1 end with the root group symbol table entry (``sb.root_entry``, or a plain entry
    for ``root_object_header_address`` when None); v2/v3 end with the lookup3 checksum.  The
    driver info block that ``driver_info_address`` points at is encoded separately
    (:func:`~h5pure.format.messages.misc.encode_driver_info_block`).
    """
    ctx = FormatContext(sb.size_of_offsets, sb.size_of_lengths)
    if sb.version in (0, 1):
        parts = [
            _V0_FIXED.encode(
                {
                    "signature": SIGNATURE,
                    "version": sb.version,
                    "free_space_version": 0,
                    "root_group_version": 0,
                    "shared_header_version": 0,
                    "size_of_offsets": sb.size_of_offsets,
                    "size_of_lengths": sb.size_of_lengths,
                    "group_leaf_k": sb.group_leaf_k,
                    "group_internal_k": sb.group_internal_k,
                    "flags": sb.flags,
                },
                ctx,
            )
        ]
        if sb.version == 1:
            parts.append(_V1_EXTRA.encode({"indexed_storage_k": sb.indexed_storage_k}, ctx))
        parts.append(
            _V01_ADDRESSES.encode(
                {
                    "base_address": sb.base_address,
                    "free_space_address": sb.free_space_address,
                    "eof_address": sb.eof_address,
                    "driver_info_address": sb.driver_info_address,
                },
                ctx,
            )
        )
        root = sb.root_entry or SymbolTableEntry(0, sb.root_object_header_address, 0)
        parts.append(root.encode(ctx))
        return b"".join(parts)
    if sb.version in (2, 3):
        head = _V23_FIXED.encode(
            {
                "signature": SIGNATURE,
                "version": sb.version,
                "size_of_offsets": sb.size_of_offsets,
                "size_of_lengths": sb.size_of_lengths,
                "flags": sb.flags,
            },
            ctx,
        )
        addrs = _V23_ADDRESSES.encode(
            {
                "base_address": sb.base_address,
                "extension_address": sb.extension_address,
                "eof_address": sb.eof_address,
                "root_object_header_address": sb.root_object_header_address,
                "checksum": 0,
            },
            ctx,
        )
        return append_checksum(head + addrs[:-4])
    raise ValueError(f"cannot encode superblock version {sb.version}")


def read_superblock_extension(
    source: ByteSource, ctx: FormatContext, address: int
) -> dict[MessageType | int, Any]:
    """Decode the superblock extension (II.C), an object header, into
    ``{message type: record}`` (the first message of each type)."""
    return superblock_extension_messages(read_object_header(source, ctx, address), ctx)


def superblock_extension_messages(header: Any, ctx: FormatContext) -> dict[MessageType | int, Any]:
    """:func:`read_superblock_extension` of an object header already in hand (a writer's
    model of one not yet written)."""
    out: dict[MessageType | int, Any] = {}
    for msg in header.messages:
        try:
            key: MessageType | int = MessageType(msg.type)
        except ValueError:
            key = msg.type
        if key not in out:
            out[key] = decode_message(msg, ctx)
    return out
