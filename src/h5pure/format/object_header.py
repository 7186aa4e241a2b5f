"""Object headers: the prefix, the chunks and the messages they hold.

HDF5 File Format Specification 4.0, IV.A.1.a (version 1) and IV.A.1.b (version 2);
``src/H5Ocache.c`` settles the details.

* Version 1: version 1, reserved, u16 message count, u32 reference count, u32 size of the
  first chunk, padding to 16 bytes.  Messages are 8-byte aligned: u16 type, u16 size
  (a multiple of 8), u8 flags, 3 reserved, body.  Continuation chunks hold bare messages.
* Version 2: "OHDR", version 2, flags (bits 0-1 width of the chunk#0 size field, bit 2
  attribute creation order tracked, bit 3 indexed, bit 4 attribute phase change values
  stored, bit 5 times stored), [four u32 times], [u16 max compact, u16 min dense], chunk#0
  size, messages (u8 type, u16 size, u8 flags, [u16 creation order if bit 2]), a gap shorter
  than a message header, lookup3 checksum.  Continuation chunks: "OCHK", messages, gap,
  checksum; the continuation message's length covers signature and checksum.

Continuation messages are followed with cycle detection and consumed; NIL messages
are dropped.  Every chunk is bounds-checked against its own size.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol

from ..errors import FormatError
from .checksum import append_checksum, verify_checksum
from .context import ByteSource, FormatContext
from .messages import MessageType
from .messages.symbols import CONTINUATION, Continuation
from .records import SlottedRecord
from .structs import U8, U16, U32, Bytes, Reserved, Struct, check_signature, read_uint

OHDR_SIGNATURE = b"OHDR"
OCHK_SIGNATURE = b"OCHK"

_TYPE_NIL = int(MessageType.NIL)
_TYPE_CONTINUATION = int(MessageType.CONTINUATION)
_TYPE_REFCOUNT = int(MessageType.REFCOUNT)

# v2 prefix flags
FLAG_CHUNK0_SIZE_MASK = 0x03
FLAG_ATTR_CORDER_TRACKED = 0x04
FLAG_ATTR_CORDER_INDEXED = 0x08
FLAG_ATTR_PHASE_CHANGE = 0x10
FLAG_TIMES = 0x20
_V2_KNOWN_FLAGS = 0x3F

DEFAULT_MAX_COMPACT_ATTRIBUTES = 8  # H5O_CRT_ATTR_MAX_COMPACT_DEF
DEFAULT_MIN_DENSE_ATTRIBUTES = 6  # H5O_CRT_ATTR_MIN_DENSE_DEF

_READ_AHEAD = 512
"""Bytes read at once at the start of a version 1 header (prefix and chunk 0)."""
_MAX_CHUNKS = 1 << 16
"""Upper bound on continuation chunks followed for one header (cycles are caught earlier)."""

V1_PREFIX = Struct(
    "object header v1 prefix",
    [
        ("version", U8),
        ("reserved", Reserved(1)),
        ("num_messages", U16),
        ("refcount", U32),
        ("chunk0_size", U32),
        ("padding", Reserved(4)),
    ],
)
V1_MESSAGE_HEADER = Struct(
    "object header v1 message header",
    [("type", U16), ("size", U16), ("flags", U8), ("reserved", Reserved(3))],
)
V2_PREFIX_HEAD = Struct(
    "object header v2 prefix", [("signature", Bytes(4)), ("version", U8), ("flags", U8)]
)
V2_TIMES = Struct(
    "object header v2 times",
    [("access_time", U32), ("modification_time", U32), ("change_time", U32), ("birth_time", U32)],
)
V2_PHASE = Struct(
    "object header v2 attribute phase change",
    [("max_compact_attributes", U16), ("min_dense_attributes", U16)],
)
V2_MESSAGE_HEADER = Struct(
    "object header v2 message header", [("type", U8), ("size", U16), ("flags", U8)]
)


class HeaderMessage(SlottedRecord):
    """One raw message of an object header (immutable by convention: a plain slotted
    class, because a frozen dataclass costs ~1.3 us per message to build and a walk
    builds one per message of every object header, ~0.4 us here)."""

    __slots__ = ("type", "flags", "data", "creation_order", "address")

    type: int
    """Message type number (see :class:`~h5pure.format.messages.MessageType`)."""
    flags: int
    """Message flags byte (bit 0 constant, bit 1 shared, bits 3/7 fail if unknown ...)."""
    data: bytes
    """The message body (for v1 headers including the padding to 8 bytes)."""
    creation_order: int | None
    """Attribute creation order field of v2 headers with flag bit 2, else None."""
    address: int
    """File address of the message body (its header precedes it)."""

    def __init__(
        self, type: int, flags: int, data: bytes, creation_order: int | None, address: int
    ) -> None:
        self.type = type
        self.flags = flags
        self.data = data
        self.creation_order = creation_order
        self.address = address


class HeaderChunk(SlottedRecord):
    """One chunk of an object header as stored (immutable by convention: a slotted class,
    built for every chunk a walk reads)."""

    __slots__ = ("address", "size", "messages_address", "messages_size", "gap")

    address: int
    """Address of the chunk: the header itself (chunk 0, prefix included) or the
    continuation target."""
    size: int
    """Total bytes of the chunk, prefix/signature and checksum included."""
    messages_address: int
    """Address of the first message header in the chunk."""
    messages_size: int
    """Bytes available for messages (gap included, prefix and checksum excluded)."""
    gap: int
    """Unused bytes at the end of the message area (v2 only)."""

    def __init__(
        self, address: int, size: int, messages_address: int, messages_size: int, gap: int
    ) -> None:
        self.address = address
        self.size = size
        self.messages_address = messages_address
        self.messages_size = messages_size
        self.gap = gap


class ObjectHeader(SlottedRecord):
    """A decoded object header with all its chunks' messages, in storage order
    (immutable by convention: a slotted class, built for every header a walk reads)."""

    __slots__ = (
        "address",
        "version",
        "flags",
        "refcount",
        "messages",
        "access_time",
        "modification_time",
        "change_time",
        "birth_time",
        "max_compact_attributes",
        "min_dense_attributes",
        "chunks",
    )

    address: int
    version: int
    flags: int
    """v2 prefix flags (0 for v1)."""
    refcount: int
    """Hard link count: v1 prefix field; for v2 the refcount message (1 when absent)."""
    messages: list[HeaderMessage]
    access_time: int | None
    modification_time: int | None
    change_time: int | None
    birth_time: int | None
    max_compact_attributes: int
    min_dense_attributes: int
    chunks: list[HeaderChunk]
    """The chunks, chunk 0 first, in the order they were reached."""

    def __init__(
        self,
        address: int,
        version: int,
        flags: int,
        refcount: int,
        messages: list[HeaderMessage],
        access_time: int | None = None,
        modification_time: int | None = None,
        change_time: int | None = None,
        birth_time: int | None = None,
        max_compact_attributes: int = DEFAULT_MAX_COMPACT_ATTRIBUTES,
        min_dense_attributes: int = DEFAULT_MIN_DENSE_ATTRIBUTES,
        chunks: list[HeaderChunk] | None = None,
    ) -> None:
        self.address = address
        self.version = version
        self.flags = flags
        self.refcount = refcount
        self.messages = messages
        self.access_time = access_time
        self.modification_time = modification_time
        self.change_time = change_time
        self.birth_time = birth_time
        self.max_compact_attributes = max_compact_attributes
        self.min_dense_attributes = min_dense_attributes
        self.chunks = [] if chunks is None else chunks

    __hash__ = None  # type: ignore[assignment]  # holds lists, as the dataclass did

    def find(self, message_type: int) -> list[HeaderMessage]:
        """Messages of ``message_type``, in storage order."""
        return [m for m in self.messages if m.type == message_type]

    def first(self, message_type: int) -> HeaderMessage | None:
        for m in self.messages:
            if m.type == message_type:
                return m
        return None


def _read(source: ByteSource, ctx: FormatContext, header: int, address: int, size: int) -> bytes:
    """Read ``size`` bytes of the header at ``header``, bounded by the end of file."""
    eof = ctx.eof_address
    if eof is not None and address + size > eof:
        raise FormatError(
            f"object header at 0x{header:x}: {size} bytes at 0x{address:x} run past the "
            f"end of file (0x{eof:x})"
        )
    try:
        return source.read(address, size)
    except FormatError as e:
        raise FormatError(f"object header at 0x{header:x}: {e}") from e


class _Walker:
    """Collects the messages of one header across its chunks."""

    def __init__(self, source: ByteSource, ctx: FormatContext, address: int) -> None:
        self.source = source
        self.ctx = ctx
        self.address = address
        self.messages: list[HeaderMessage] = []
        self.chunks: list[HeaderChunk] = []
        self.pending: list[tuple[int, int]] = []
        self.visited: set[int] = {address}
        self.refcount_message: bytes | None = None

    def add_continuation(self, data: bytes, where: str) -> None:
        unpack = CONTINUATION.compiled(self.ctx)
        if len(data) >= unpack.size:
            target, length = unpack.unpack_from(data, 0)
        else:
            try:
                link = Continuation.decode(data, self.ctx)  # raises the truncation error
            except FormatError as e:
                raise FormatError(f"{where}: {e}") from None
            target, length = link.address, link.length
        if self.ctx.is_undefined(target) or target in self.visited:
            raise FormatError(
                f"object header at 0x{self.address:x}: continuation to 0x{target:x} "
                "is undefined or revisits a chunk (cycle)"
            )
        if len(self.visited) >= _MAX_CHUNKS:
            raise FormatError(f"object header at 0x{self.address:x}: too many chunks")
        self.visited.add(target)
        self.pending.append((target, length))

    def keep(self, mtype: int, mflags: int, data: bytes, corder: int | None, addr: int) -> None:
        if mtype == _TYPE_CONTINUATION:
            where = f"object header at 0x{self.address:x}, message at 0x{addr:x}"
            self.add_continuation(data, where)
        elif mtype != _TYPE_NIL:
            self.messages.append(HeaderMessage(mtype, mflags, data, corder, addr))

    def v1_messages(self, buf: bytes, chunk_address: int) -> None:
        """Messages of a v1 chunk: ``buf`` is the chunk's message area at ``chunk_address``."""
        unpack = V1_MESSAGE_HEADER.compiled(self.ctx).unpack_from
        hsize = V1_MESSAGE_HEADER.size(self.ctx)
        append = self.messages.append
        n = len(buf)
        last = n - hsize
        pos = 0
        while pos <= last:
            mtype, size, mflags = unpack(buf, pos)
            body = pos + hsize
            end = body + size
            if size & 7:
                raise FormatError(
                    f"object header at 0x{self.address:x}: message at 0x{chunk_address + pos:x} "
                    f"has size {size}, not a multiple of 8"
                )
            if end > n:
                raise FormatError(
                    f"object header at 0x{self.address:x}: message at 0x{chunk_address + pos:x} "
                    f"of {size} bytes overruns its chunk ({n - body} bytes left)"
                )
            if mtype == _TYPE_NIL:
                pass
            elif mtype == _TYPE_CONTINUATION:
                self.keep(mtype, mflags, buf[body:end], None, chunk_address + body)
            else:
                append(HeaderMessage(mtype, mflags, buf[body:end], None, chunk_address + body))
            pos = end
        if pos != n:
            raise FormatError(
                f"object header at 0x{self.address:x}: {len(buf) - pos} stray bytes at the end "
                f"of the chunk at 0x{chunk_address:x}"
            )

    def v2_messages(self, buf: bytes, start: int, end: int, chunk_address: int, flags: int) -> int:
        """Messages of ``buf[start:end]`` of a v2 chunk at ``chunk_address``; returns the gap."""
        corder = bool(flags & FLAG_ATTR_CORDER_TRACKED)
        unpack = V2_MESSAGE_HEADER.compiled(self.ctx).unpack_from
        hsize = V2_MESSAGE_HEADER.size(self.ctx) + (2 if corder else 0)
        pos = start
        while end - pos >= hsize:
            mtype, size, mflags = unpack(buf, pos)
            order = read_uint(buf, pos + 4, 2) if corder else None
            body = pos + hsize
            if size > end - body:
                raise FormatError(
                    f"object header at 0x{self.address:x}: message at 0x{chunk_address + pos:x} "
                    f"of {size} bytes overruns its chunk ({end - body} bytes left)"
                )
            self.keep(mtype, mflags, buf[body : body + size], order, chunk_address + body)
            pos = body + size
        return end - pos


def _read_v1(source: ByteSource, ctx: FormatContext, address: int, prefix: bytes) -> ObjectHeader:
    prefix_struct = V1_PREFIX.compiled(ctx)
    psize = prefix_struct.size
    if len(prefix) < psize:
        V1_PREFIX.decode(prefix, 0, ctx, address)  # raises the truncation error
    _version, _nmessages, refcount, size0 = prefix_struct.unpack_from(prefix, 0)
    walker = _Walker(source, ctx, address)
    if len(prefix) >= psize + size0:  # read along with the prefix
        chunk0 = prefix[psize : psize + size0]
    else:
        chunk0 = _read(source, ctx, address, address + psize, size0)
    walker.chunks.append(HeaderChunk(address, psize + len(chunk0), address + psize, len(chunk0), 0))
    walker.v1_messages(chunk0, address + psize)
    while walker.pending:
        target, length = walker.pending.pop(0)
        buf = _read(source, ctx, address, target, length)
        walker.chunks.append(HeaderChunk(target, length, target, length, 0))
        walker.v1_messages(buf, target)
    return ObjectHeader(address, 1, 0, refcount, walker.messages, chunks=walker.chunks)


def _read_v2(source: ByteSource, ctx: FormatContext, address: int) -> ObjectHeader:
    fixed = V2_PREFIX_HEAD.size(ctx)
    head = V2_PREFIX_HEAD.decode(_read(source, ctx, address, address, fixed), 0, ctx, address)
    if head["version"] != 2:
        raise FormatError(f"object header at 0x{address:x}: unknown version {head['version']}")
    flags = head["flags"]
    if flags & ~_V2_KNOWN_FLAGS:
        raise FormatError(f"object header at 0x{address:x}: unknown prefix flags 0x{flags:02x}")
    if flags & FLAG_ATTR_CORDER_INDEXED and not flags & FLAG_ATTR_CORDER_TRACKED:
        raise FormatError(f"object header at 0x{address:x}: creation order indexed but not tracked")
    size_width = 1 << (flags & FLAG_CHUNK0_SIZE_MASK)
    prefix_size = (
        fixed
        + (V2_TIMES.size(ctx) if flags & FLAG_TIMES else 0)
        + (V2_PHASE.size(ctx) if flags & FLAG_ATTR_PHASE_CHANGE else 0)
        + size_width
    )
    prefix = _read(source, ctx, address, address, prefix_size)
    pos = fixed
    times: dict[str, int | None] = dict.fromkeys(
        ("access_time", "modification_time", "change_time", "birth_time")
    )
    if flags & FLAG_TIMES:
        times.update(V2_TIMES.decode(prefix, pos, ctx, address))
        pos += V2_TIMES.size(ctx)
    max_compact, min_dense = DEFAULT_MAX_COMPACT_ATTRIBUTES, DEFAULT_MIN_DENSE_ATTRIBUTES
    if flags & FLAG_ATTR_PHASE_CHANGE:
        phase = V2_PHASE.decode(prefix, pos, ctx, address)
        max_compact, min_dense = phase["max_compact_attributes"], phase["min_dense_attributes"]
        pos += V2_PHASE.size(ctx)
        if min_dense > max_compact + 1:
            raise FormatError(
                f"object header at 0x{address:x}: min dense attributes {min_dense} > "
                f"max compact {max_compact} + 1"
            )
    chunk0_size = read_uint(prefix, pos, size_width)
    block = _read(source, ctx, address, address, prefix_size + chunk0_size + 4)
    verify_checksum(block, "object header", address)
    walker = _Walker(source, ctx, address)
    gap = walker.v2_messages(block, prefix_size, len(block) - 4, address, flags)
    walker.chunks.append(HeaderChunk(address, len(block), address + prefix_size, chunk0_size, gap))
    while walker.pending:
        target, length = walker.pending.pop(0)
        if length < 8:
            raise FormatError(
                f"object header at 0x{address:x}: continuation chunk at 0x{target:x} "
                f"of {length} bytes cannot hold a signature and checksum"
            )
        buf = _read(source, ctx, address, target, length)
        check_signature(buf, OCHK_SIGNATURE, "object header continuation chunk", target)
        verify_checksum(buf, "object header continuation chunk", target)
        gap = walker.v2_messages(buf, 4, length - 4, target, flags)
        walker.chunks.append(HeaderChunk(target, length, target + 4, length - 8, gap))
    refcount = 1
    for m in walker.messages:
        if m.type == _TYPE_REFCOUNT:
            from .messages.misc import RefCount  # rare: loaded when a header holds one

            refcount = RefCount.decode(m.data, ctx).count
    return ObjectHeader(
        address,
        2,
        flags,
        refcount,
        walker.messages,
        max_compact_attributes=max_compact,
        min_dense_attributes=min_dense,
        chunks=walker.chunks,
        **times,
    )


_SCAN_STRUCTS: dict[tuple[int, int], tuple[struct.Struct, Any, struct.Struct, int]] = {}
"""Per (size of offsets, size of lengths): what :func:`scan_v1_message_types` unpacks with."""


def scan_v1_message_types(source: ByteSource, ctx: FormatContext, address: int) -> set[int] | None:
    """The message types of the version 1 object header at ``address`` (continuations
    followed, NIL and continuation messages left out), without building its message
    records: what a walk needs to tell a group from a dataset.  None when the header is
    not version 1 or anything about it is irregular: :func:`read_object_header` then
    reads it and names the fault."""
    eof = ctx.eof_address
    key = (ctx.size_of_offsets, ctx.size_of_lengths)
    structs = _SCAN_STRUCTS.get(key)
    if structs is None:
        structs = _SCAN_STRUCTS[key] = (
            V1_PREFIX.compiled(ctx),
            V1_MESSAGE_HEADER.compiled(ctx).unpack_from,
            CONTINUATION.compiled(ctx),
            ctx.undefined_address,
        )
    prefix, unpack, continuation, undefined = structs
    psize = prefix.size
    if eof is None or address == undefined or address + psize > eof:
        return None
    try:
        first = source.read(address, max(psize, min(_READ_AHEAD, eof - address)))
    except FormatError:
        return None
    if first[:1] != b"\x01" or len(first) < psize:
        return None
    size0 = prefix.unpack_from(first, 0)[3]
    if len(first) >= psize + size0:
        chunk = first[psize : psize + size0]
    elif address + psize + size0 > eof:
        return None
    else:
        try:
            chunk = source.read(address + psize, size0)
        except FormatError:
            return None
    types: set[int] = set()
    add = types.add
    visited = {address}
    pending: list[tuple[int, int]] = []
    while True:
        n = len(chunk)
        last = n - 8
        pos = 0
        while pos <= last:
            mtype, size, _ = unpack(chunk, pos)
            pos += 8 + size
            if size & 7 or pos > n:
                return None
            if mtype == _TYPE_CONTINUATION:
                if size < continuation.size:
                    return None
                target, length = continuation.unpack_from(chunk, pos - size)
                if target == undefined or target in visited or len(visited) >= _MAX_CHUNKS:
                    return None
                visited.add(target)
                pending.append((target, length))
            else:
                add(mtype)
        types.discard(_TYPE_NIL)
        if pos != n:
            return None
        if not pending:
            return types
        target, length = pending.pop(0)
        if target + length > eof:
            return None
        try:
            chunk = source.read(target, length)
        except FormatError:
            return None


def read_object_header(source: ByteSource, ctx: FormatContext, address: int) -> ObjectHeader:
    """Read the object header at relative ``address`` with all its continuation chunks."""
    if ctx.is_undefined(address):
        raise FormatError("object header at an undefined address")
    psize = V1_PREFIX.size(ctx)
    # A v1 prefix and, when the end of file is known, what is likely chunk 0 (the bytes
    # before the end of file: new headers hold a few hundred), in one read.
    ahead = psize
    if ctx.eof_address is not None:
        ahead = max(psize, min(_READ_AHEAD, ctx.eof_address - address))
    try:
        first = _read(source, ctx, address, address, ahead)
    except FormatError:
        first = _read(source, ctx, address, address, 4)  # reports a short file
    if first[:1] == b"\x01":
        if len(first) < psize:
            first = _read(source, ctx, address, address, psize)
        return _read_v1(source, ctx, address, first)
    first = first[:4]
    if first != OHDR_SIGNATURE:
        raise FormatError(
            f"object header at 0x{address:x}: bad signature {first!r} "
            f"(expected {OHDR_SIGNATURE!r} or a version-1 prefix)"
        )
    return _read_v2(source, ctx, address)


# --- encoding ----------------------------------------------------------------------------
#
# The writer builds a header from a list of messages.  Chunk 0's message area has a size
# fixed when the header is created; later chunks are continuation chunks whose size the
# caller chooses (``layout_messages`` proposes one).  The rules follow ``src/H5Oalloc.c``:
# a new continuation chunk holds at least ``H5O_MIN_SIZE`` bytes of messages, v1 messages
# are 8-byte aligned, unused space is a NIL message, except that in v2 a remainder shorter
# than a message header is left as a gap at the end of the chunk.

H5O_MIN_SIZE = 22
"""Smallest message area of a new continuation chunk (``H5O_MIN_SIZE``, ``src/H5Opkg.h``)."""
_MAX_MESSAGE_SIZE = 0xFFFF


class EncodableMessage(Protocol):
    """What the encoders need of a message: any record with these attributes (the writer
    passes the messages it keeps as they are, :class:`MessageSpec` is the plain one)."""

    @property
    def type(self) -> int: ...
    @property
    def flags(self) -> int: ...
    @property
    def body(self) -> bytes: ...
    @property
    def creation_order(self) -> int | None: ...


class MessageSpec(NamedTuple):
    """A message to encode: what :class:`HeaderMessage` holds, without an address."""

    type: int
    flags: int
    body: bytes
    """The message body as stored (a v1 encoder pads it to a multiple of 8)."""
    creation_order: int | None = None
    """Written only when the v2 header tracks attribute creation order (flag bit 2)."""


class ChunkPlan(NamedTuple):
    """The messages of one chunk and its size, as :func:`layout_messages` decides."""

    messages: Sequence[EncodableMessage]
    """In storage order, without the continuation message that links to the next chunk."""
    size: int
    """Chunk 0: bytes of the message area (the prefix's chunk#0 size).  Continuation chunks:
    the length stored in the continuation message (v2: "OCHK" and checksum included)."""


def _align8(n: int) -> int:
    return (n + 7) & ~7


_V1_MESSAGE_HEADER_SIZE = V1_MESSAGE_HEADER.size()
_V2_MESSAGE_HEADER_SIZE = V2_MESSAGE_HEADER.size()


def message_header_size(version: int, flags: int = 0) -> int:
    """Bytes of a message header: 8 (v1), 4 or 6 (v2, with creation order)."""
    if version == 1:
        return _V1_MESSAGE_HEADER_SIZE
    return _V2_MESSAGE_HEADER_SIZE + (2 if flags & FLAG_ATTR_CORDER_TRACKED else 0)


def encoded_message_size(data_size: int, version: int, flags: int = 0) -> int:
    """Bytes a message with a ``data_size``-byte body takes in a chunk, header included."""
    if version == 1:
        return _V1_MESSAGE_HEADER_SIZE + ((data_size + 7) & ~7)
    return _V2_MESSAGE_HEADER_SIZE + (2 if flags & FLAG_ATTR_CORDER_TRACKED else 0) + data_size


def continuation_message_size(ctx: FormatContext, version: int, flags: int = 0) -> int:
    """Bytes a continuation message takes in a chunk, header included."""
    return encoded_message_size(ctx.size_of_offsets + ctx.size_of_lengths, version, flags)


_V1_MESSAGE_PACK = V1_MESSAGE_HEADER.compiled().pack
_V2_MESSAGE_PACK = V2_MESSAGE_HEADER.compiled().pack
"""Message headers hold no addresses or lengths: one layout whatever the context."""


def _encode_messages(
    version: int, flags: int, messages: Sequence[EncodableMessage], out: list[bytes]
) -> int:
    """Append each message (header, body, v1 padding) to ``out``; the bytes appended."""
    used = 0
    if version == 1:
        for m in messages:
            data = m.body
            pad = -len(data) % 8
            size = len(data) + pad
            if size > _MAX_MESSAGE_SIZE:
                raise ValueError(f"object header message of type {m.type}: {size} bytes > 65535")
            out.append(_V1_MESSAGE_PACK(m.type, size, m.flags))
            out.append(data)
            if pad:
                out.append(bytes(pad))
            used += _V1_MESSAGE_HEADER_SIZE + size
        return used
    corder = flags & FLAG_ATTR_CORDER_TRACKED
    hsize = message_header_size(version, flags)
    for m in messages:
        data = m.body
        size = len(data)
        if size > _MAX_MESSAGE_SIZE:
            raise ValueError(f"object header message of type {m.type}: {size} bytes > 65535")
        out.append(_V2_MESSAGE_PACK(m.type, size, m.flags))
        if corder:
            out.append((m.creation_order or 0).to_bytes(2, "little"))
        out.append(data)
        used += hsize + size
    return used


def encode_message_area(
    ctx: FormatContext,
    version: int,
    messages: Sequence[EncodableMessage],
    capacity: int,
    flags: int = 0,
) -> tuple[bytes, int]:
    """The ``capacity``-byte message area of a chunk and its number of messages.

    Unused space becomes one NIL message (counted), or in v2 a gap when it is shorter than
    a message header.  Raises ValueError when the messages do not fit.
    """
    parts: list[bytes] = []
    try:
        used = _encode_messages(version, flags, messages, parts)
    except struct.error as e:  # a type or flags value out of its field's range
        raise ValueError(f"object header message: {e}") from None
    rest = capacity - used
    count = len(messages)
    if rest < 0:
        raise ValueError(f"{used} bytes of messages exceed the chunk's {capacity} bytes")
    hsize = message_header_size(version, flags)
    if version == 1 and rest % 8:
        raise ValueError(f"v1 chunk of {capacity} bytes leaves {rest}, not a multiple of 8")
    if rest >= hsize:
        _encode_messages(version, flags, [MessageSpec(_TYPE_NIL, 0, bytes(rest - hsize))], parts)
        count += 1
    elif rest:
        parts.append(bytes(rest))  # v2 gap
    return b"".join(parts), count


def _chunk0_size_flags(size: int) -> int:
    if size <= 0xFF:
        return 0
    if size <= 0xFFFF:
        return 1
    if size <= 0xFFFFFFFF:
        return 2
    return 3


def encode_object_header(
    ctx: FormatContext,
    version: int,
    messages: Sequence[EncodableMessage],
    chunk0_size: int,
    *,
    refcount: int = 1,
    flags: int = 0,
    total_messages: int | None = None,
    times: tuple[int, int, int, int] | None = None,
    max_compact_attributes: int = DEFAULT_MAX_COMPACT_ATTRIBUTES,
    min_dense_attributes: int = DEFAULT_MIN_DENSE_ATTRIBUTES,
) -> bytes:
    """Chunk 0 of an object header: prefix plus a ``chunk0_size``-byte message area.

    v1: ``total_messages`` is the prefix's message count over *all* chunks (NIL and
    continuation messages included); None counts chunk 0 alone.  v2: ``flags`` bits 2-5 are
    kept (``times`` = access, modification, change, birth are required with bit 5; the
    phase-change values are written with bit 4), bits 0-1 are chosen from ``chunk0_size``.
    The refcount of a v2 header is a refcount message (0x16) among ``messages``.
    """
    area, count = encode_message_area(ctx, version, messages, chunk0_size, flags)
    return _with_prefix(
        ctx,
        version,
        area,
        chunk0_size,
        count if total_messages is None else total_messages,
        refcount=refcount,
        flags=flags,
        times=times,
        max_compact_attributes=max_compact_attributes,
        min_dense_attributes=min_dense_attributes,
    )


def v2_chunk0_total(chunk0_size: int, flags: int = 0) -> int:
    """Bytes of chunk 0 of a v2 header with a ``chunk0_size``-byte message area: prefix
    (times and phase-change values as ``flags`` say, the chunk size field as wide as the
    size needs), area and checksum (IV.A.1.b)."""
    size = V2_PREFIX_HEAD.size() + (1 << _chunk0_size_flags(chunk0_size)) + chunk0_size + 4
    if flags & FLAG_TIMES:
        size += V2_TIMES.size()
    if flags & FLAG_ATTR_PHASE_CHANGE:
        size += V2_PHASE.size()
    return size


def _with_prefix(
    ctx: FormatContext,
    version: int,
    area: bytes,
    chunk0_size: int,
    num_messages: int,
    *,
    refcount: int,
    flags: int,
    times: tuple[int, int, int, int] | None,
    max_compact_attributes: int,
    min_dense_attributes: int,
) -> bytes:
    """Chunk 0: the prefix before its encoded message ``area`` (and the v2 checksum)."""
    if version == 1:
        prefix = V1_PREFIX.encode(
            {
                "version": 1,
                "num_messages": num_messages,
                "refcount": refcount,
                "chunk0_size": chunk0_size,
            },
            ctx,
        )
        return prefix + area
    if version != 2:
        raise ValueError(f"cannot encode object header version {version}")
    flags = (flags & ~FLAG_CHUNK0_SIZE_MASK) | _chunk0_size_flags(chunk0_size)
    parts = [V2_PREFIX_HEAD.encode({"signature": OHDR_SIGNATURE, "version": 2, "flags": flags})]
    if flags & FLAG_TIMES:
        if times is None:
            raise ValueError("object header flag bit 5 needs the four times")
        keys = ("access_time", "modification_time", "change_time", "birth_time")
        parts.append(V2_TIMES.encode(dict(zip(keys, times))))
    if flags & FLAG_ATTR_PHASE_CHANGE:
        parts.append(
            V2_PHASE.encode(
                {
                    "max_compact_attributes": max_compact_attributes,
                    "min_dense_attributes": min_dense_attributes,
                }
            )
        )
    parts.append(chunk0_size.to_bytes(1 << (flags & FLAG_CHUNK0_SIZE_MASK), "little"))
    parts.append(area)
    return append_checksum(b"".join(parts))


_V1_PREFIX_PACK = V1_PREFIX.compiled().pack
"""The v1 prefix holds no addresses or lengths: one layout whatever the context."""

_ONE_PASS_V1 = True
"""Encode v1 headers with :func:`_encode_v1_chunks` (tests turn it off to compare with the
general encoder, which must give the same bytes)."""


def _v1_area(parts: list[bytes], messages: Sequence[EncodableMessage], capacity: int) -> int:
    """Append a v1 message area of ``capacity`` bytes holding ``messages`` and a NIL
    message over the rest to ``parts``; the number of messages written, -1 when they
    overrun it or leave a rest no NIL message fills (nothing usable)."""
    used = 0
    pack = _V1_MESSAGE_PACK
    for m in messages:
        data = m.body
        pad = -len(data) % 8
        size = len(data) + pad
        used += _V1_MESSAGE_HEADER_SIZE + size
        if size > _MAX_MESSAGE_SIZE or used > capacity:
            return -1
        parts.append(pack(m.type, size, m.flags))
        parts.append(data)
        if pad:
            parts.append(bytes(pad))
    rest = capacity - used
    if rest < 0 or rest % 8:
        return -1
    if not rest:
        return len(messages)
    parts.append(pack(_TYPE_NIL, rest - _V1_MESSAGE_HEADER_SIZE, 0))
    parts.append(bytes(rest - _V1_MESSAGE_HEADER_SIZE))
    return len(messages) + 1


def _encode_v1_chunks(
    ctx: FormatContext, plans: list[ChunkPlan], chunk_addresses: list[int], refcount: int
) -> list[bytes] | None:
    """The chunks of a v1 header in one pass each (the prefix packed once its message count
    is known): the bytes of the general encoder, or None when some chunk is not usable
    (overrun, a rest that is not whole 8-byte units, a field out of range), left to the
    general encoder to report."""
    heads: list[bytes] = [b""]
    count = 0
    out: list[bytes] = []
    last = len(plans) - 1
    try:
        for i, plan in enumerate(plans):
            messages = plan.messages
            if i < last:
                link = continuation_message(ctx, chunk_addresses[i + 1], plans[i + 1].size)
                messages = [*messages, link]
            parts = heads if i == 0 else []
            n = _v1_area(parts, messages, plan.size)
            if n < 0:
                return None
            count += n
            if i:
                out.append(b"".join(parts))
        heads[0] = _V1_PREFIX_PACK(1, count, refcount, plans[0].size)
    except struct.error:
        return None
    return [b"".join(heads), *out]


def encode_continuation_chunk(
    ctx: FormatContext,
    version: int,
    messages: Sequence[EncodableMessage],
    size: int,
    flags: int = 0,
) -> bytes:
    """A continuation chunk of ``size`` bytes (the length in its continuation message):
    bare messages for v1, "OCHK" + messages + gap + checksum for v2 (``flags`` = the
    header's prefix flags, for the creation-order field)."""
    if version == 1:
        return encode_message_area(ctx, version, messages, size, flags)[0]
    area, _ = encode_message_area(ctx, version, messages, size - 8, flags)
    return append_checksum(OCHK_SIGNATURE + area)


def continuation_message(ctx: FormatContext, address: int, length: int) -> MessageSpec:
    """The continuation message (0x10) pointing at a chunk (IV.A.2.q)."""
    return MessageSpec(_TYPE_CONTINUATION, 0, Continuation(address, length).encode(ctx))


def layout_messages(
    messages: Sequence[EncodableMessage],
    chunk0_capacity: int,
    version: int,
    ctx: FormatContext,
    flags: int = 0,
    *,
    slack: int = 0,
) -> list[ChunkPlan]:
    """Decide which messages go in chunk 0 and how big a continuation chunk must be.

    Messages keep their order.  Chunk 0 takes the longest prefix that fits, leaving room for
    a continuation message when messages remain (as ``H5O__alloc`` keeps a NIL big enough for
    one, moving a message out of the way otherwise); the rest go into one continuation chunk
    sized to hold them (at least ``H5O_MIN_SIZE`` bytes of messages) plus ``slack`` bytes of
    free space, left as a NIL message for later growth.
    """
    if version == 1:
        # a header then the body padded to 8 bytes (the header is 8 bytes itself)
        sizes = [(len(m.body) + _V1_MESSAGE_HEADER_SIZE + 7) & ~7 for m in messages]
    else:
        sizes = [encoded_message_size(len(m.body), version, flags) for m in messages]
    if sum(sizes) <= chunk0_capacity:
        return [ChunkPlan(list(messages), chunk0_capacity)]
    room = chunk0_capacity - continuation_message_size(ctx, version, flags)
    if room < 0:
        raise ValueError(f"chunk 0 of {chunk0_capacity} bytes cannot hold a continuation message")
    k = used = 0
    while k < len(messages) and used + sizes[k] <= room:
        used += sizes[k]
        k += 1
    need = max(H5O_MIN_SIZE, sum(sizes[k:])) + slack
    # v1 leftovers are multiples of 8, so they always hold a NIL message header
    size = _align8(need) if version == 1 else need + 8  # v2: "OCHK" and the checksum
    return [ChunkPlan(list(messages[:k]), chunk0_capacity), ChunkPlan(list(messages[k:]), size)]


def encode_object_header_chunks(
    ctx: FormatContext,
    version: int,
    plans: list[ChunkPlan],
    chunk_addresses: list[int],
    *,
    refcount: int = 1,
    flags: int = 0,
    times: tuple[int, int, int, int] | None = None,
    max_compact_attributes: int = DEFAULT_MAX_COMPACT_ATTRIBUTES,
    min_dense_attributes: int = DEFAULT_MIN_DENSE_ATTRIBUTES,
) -> list[bytes]:
    """The bytes of every chunk of a header laid out by :func:`layout_messages`.

    ``chunk_addresses[i]`` is where chunk ``i`` will be written (index 0, the header itself,
    is not used); chunk ``i`` ends with a continuation message to chunk ``i + 1``.
    """
    if len(chunk_addresses) != len(plans):
        raise ValueError("need one address per chunk")
    if version == 1 and _ONE_PASS_V1:
        chunks = _encode_v1_chunks(ctx, plans, chunk_addresses, refcount)
        if chunks is not None:
            return chunks
    msgs = [list(p.messages) for p in plans]
    for i in range(len(plans) - 1):
        msgs[i].append(continuation_message(ctx, chunk_addresses[i + 1], plans[i + 1].size))
    tail: list[bytes] = []
    total = 0
    for i in range(1, len(plans)):
        if version == 1:
            blob, count = encode_message_area(ctx, 1, msgs[i], plans[i].size)
            total += count
        else:
            area, _ = encode_message_area(ctx, version, msgs[i], plans[i].size - 8, flags)
            blob = append_checksum(OCHK_SIGNATURE + area)
        tail.append(blob)
    area, count = encode_message_area(ctx, version, msgs[0], plans[0].size, flags)
    head = _with_prefix(
        ctx,
        version,
        area,
        plans[0].size,
        count + total,
        refcount=refcount,
        flags=flags,
        times=times,
        max_compact_attributes=max_compact_attributes,
        min_dense_attributes=min_dense_attributes,
    )
    return [head, *tail]


def encode_header(
    ctx: FormatContext,
    version: int,
    messages: Sequence[EncodableMessage],
    chunk0_size: int,
    address: int,
    alloc: Callable[[int], int],
    *,
    refcount: int = 1,
    flags: int = 0,
    times: tuple[int, int, int, int] | None = None,
    slack: int = 0,
) -> list[tuple[int, bytes]]:
    """Every chunk of the header at ``address`` as ``(address, bytes)``, chunk 0 first.

    The one entry point for writing a header of any version: :func:`layout_messages`, then
    ``alloc(size) -> address`` for each continuation chunk in chunk order (a continuation
    chunk's bytes are as long as the space it needs), then
    :func:`encode_object_header_chunks`.  A v1 header whose messages fit chunk 0 (most do)
    is encoded in one pass, without laying anything out first.
    """
    if version == 1 and _ONE_PASS_V1:
        parts = [b""]
        try:
            count = _v1_area(parts, messages, chunk0_size)
            if count >= 0:
                parts[0] = _V1_PREFIX_PACK(1, count, refcount, chunk0_size)
                return [(address, b"".join(parts))]
        except struct.error:
            pass  # a field out of range: the general encoder reports it
    plans = layout_messages(messages, chunk0_size, version, ctx, flags, slack=slack)
    addresses = [address] + [alloc(p.size) for p in plans[1:]]
    blobs = encode_object_header_chunks(
        ctx, version, plans, addresses, refcount=refcount, flags=flags, times=times
    )
    return list(zip(addresses, blobs))
