"""Filter pipeline message (type 0x000B).

HDF5 File Format Specification 4.0, IV.A.2.l "The Data Storage - Filter Pipeline Message";
``src/H5Opline.c`` settles the details:

* version 1: six reserved bytes after the filter count; every filter carries a name-length
  field and, when it is non-zero, a NUL-terminated name padded with zeros to a multiple of 8;
  an odd number of client-data values is followed by 4 bytes of padding.
* version 2: no reserved bytes; filters with an id below 256 (the library's own) have neither
  name-length field nor name; names are not padded; client data are not padded.

Filters are listed in the order they are applied when *writing*; a reader applies them in
reverse.  At most 32 filters (``H5Z_MAX_NFILTERS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...errors import FormatError
from ..structs import U8, U16, Reserved, Struct
from . import MessageType, register

MAX_FILTERS = 32
"""``H5Z_MAX_NFILTERS``: libhdf5 refuses pipelines with more filters."""

RESERVED_FILTER_IDS = 256
"""``H5Z_FILTER_RESERVED``: ids below this are libhdf5's own (no name in version 2)."""

FLAG_OPTIONAL = 0x0001
"""Filter flags bit 0: the filter may fail on write; the chunk is then stored without it."""

_HEAD_V1 = Struct(
    "filter pipeline message v1", [("version", U8), ("nfilters", U8), ("_", Reserved(6))]
)
_HEAD_V2 = Struct("filter pipeline message v2", [("version", U8), ("nfilters", U8)])
_FILTER_ID = Struct("filter description id", [("filter_id", U16)])
_NAME_LENGTH = Struct("filter description name length", [("name_length", U16)])
_FILTER_TAIL = Struct("filter description flags", [("flags", U16), ("ncd", U16)])


@dataclass(frozen=True)
class FilterInfo:
    """One filter of a pipeline, as stored."""

    filter_id: int
    """HDF5 filter id (1 deflate, 2 shuffle, 3 fletcher32, 4 szip, 5 nbit, 6 scaleoffset, >= 256 plugins)."""
    name: str | None
    """The stored name (without NUL and padding); ``None`` when the message stores no name."""
    flags: int
    """Bit 0: optional filter (may be skipped on write, see the chunk's filter mask)."""
    client_data: tuple[int, ...] = ()
    """The filter's parameters (``cd_values``), unsigned 32-bit each."""

    @property
    def optional(self) -> bool:
        return bool(self.flags & FLAG_OPTIONAL)


@dataclass(frozen=True)
class FilterPipeline:
    """The ordered filters of a chunked dataset (write order)."""

    version: int
    """Message version, 1 or 2."""
    filters: list[FilterInfo] = field(default_factory=list)
    """Filters in the order they are applied on write."""

    @classmethod
    def decode(
        cls, data: bytes | bytearray | memoryview, address: int | None = None
    ) -> FilterPipeline:
        """Decode the message body ``data``; ``address`` (of the body) only serves error messages."""
        buf = bytes(data)
        where = (
            f"filter pipeline message at 0x{address:x}"
            if address is not None
            else "filter pipeline message"
        )
        if not buf:
            raise FormatError(f"{where}: empty message")
        version = buf[0]
        if version not in (1, 2):
            raise FormatError(f"{where}: bad version {version} (expected 1 or 2)")
        head = (_HEAD_V1 if version == 1 else _HEAD_V2).decode(buf, 0, address=address)
        nfilters = head["nfilters"]
        if nfilters > MAX_FILTERS:
            raise FormatError(f"{where}: {nfilters} filters (at most {MAX_FILTERS})")
        pos = _HEAD_V1.size() if version == 1 else _HEAD_V2.size()
        filters: list[FilterInfo] = []
        for i in range(nfilters):
            what = f"{where}, filter {i}"
            filter_id = _FILTER_ID.decode(buf, pos, address=address)["filter_id"]
            pos += _FILTER_ID.size()
            if version > 1 and filter_id < RESERVED_FILTER_IDS:
                name_length = 0
            else:
                name_length = _NAME_LENGTH.decode(buf, pos, address=address)["name_length"]
                pos += _NAME_LENGTH.size()
                if version == 1 and name_length % 8:
                    raise FormatError(f"{what}: name length {name_length} is not a multiple of 8")
            tail = _FILTER_TAIL.decode(buf, pos, address=address)
            pos += _FILTER_TAIL.size()
            name: str | None = None
            if name_length:
                raw = buf[pos : pos + name_length]
                if len(raw) < name_length:
                    raise FormatError(f"{what}: name runs past the end of the message")
                nul = raw.find(b"\0")
                if nul < 0:
                    raise FormatError(f"{what}: name is not NUL-terminated")
                name = raw[:nul].decode("utf-8", "surrogateescape")
                pos += name_length
            ncd = tail["ncd"]
            cd_bytes = 4 * ncd
            if len(buf) - pos < cd_bytes:
                raise FormatError(
                    f"{what}: {ncd} client data values run past the end of the message"
                )
            client_data = tuple(
                int.from_bytes(buf[pos + 4 * k : pos + 4 * k + 4], "little") for k in range(ncd)
            )
            pos += cd_bytes
            if version == 1 and ncd % 2:
                if len(buf) - pos < 4:
                    raise FormatError(f"{what}: missing client data padding")
                pos += 4
            filters.append(FilterInfo(filter_id, name, tail["flags"], client_data))
        return cls(version, filters)

    def encode(self) -> bytes:
        """The message body, as libhdf5 writes it (``H5O__pline_encode``)."""
        if self.version not in (1, 2):
            raise ValueError(f"filter pipeline message: bad version {self.version}")
        if len(self.filters) > MAX_FILTERS:
            raise ValueError(
                f"filter pipeline message: {len(self.filters)} filters (at most {MAX_FILTERS})"
            )
        head = _HEAD_V1 if self.version == 1 else _HEAD_V2
        out = bytearray(head.encode({"version": self.version, "nfilters": len(self.filters)}))
        for f in self.filters:
            out += _FILTER_ID.encode({"filter_id": f.filter_id})
            raw_name = b""
            if not (self.version > 1 and f.filter_id < RESERVED_FILTER_IDS):
                if f.name is not None:
                    raw_name = f.name.encode("utf-8", "surrogateescape") + b"\0"
                if self.version == 1:
                    raw_name += b"\0" * (-len(raw_name) % 8)
                out += _NAME_LENGTH.encode({"name_length": len(raw_name)})
            out += _FILTER_TAIL.encode({"flags": f.flags, "ncd": len(f.client_data)})
            out += raw_name
            for v in f.client_data:
                out += int(v).to_bytes(4, "little")
            if self.version == 1 and len(f.client_data) % 2:
                out += b"\0\0\0\0"
        return bytes(out)


@register(MessageType.FILTER_PIPELINE)
def decode_filter_pipeline(data: bytes, ctx: object = None, flags: int = 0) -> FilterPipeline:
    """Message-registry entry point: ``(data, ctx, flags) -> FilterPipeline``."""
    return FilterPipeline.decode(data)
