"""The LZ4 and Zstandard block codecs that the plugin filters (lz4, zstd, bitshuffle) share.

The compiled codecs come from ``imagecodecs``; without it these filters are registered but
report themselves unavailable, and their errors name the package to install.  The
decoders fill a buffer the caller allocated after bounding the size a header claims, so a
corrupt header cannot make a codec allocate more.
"""

from __future__ import annotations

from typing import Any

from ..errors import FilterError
from . import optional

PACKAGE = "imagecodecs"
"""The pip package that provides the codecs."""

MAX_CHUNK_BYTES = (1 << 32) - 1
"""libhdf5 refuses chunks of 4 GiB or more, so no decoded chunk can be larger."""
LZ4_MAX_RATIO = 256
"""An LZ4 block never decodes to more than 255 bytes per stored byte (plus a literal tail)."""

_codecs: Any = optional.NOT_LOADED


def _imagecodecs() -> Any:
    global _codecs
    if _codecs is optional.NOT_LOADED:
        _codecs = optional.load("imagecodecs")
    return _codecs


def lz4_available() -> bool:
    return _imagecodecs() is not None and hasattr(_codecs, "lz4_decode")


def zstd_available() -> bool:
    return _imagecodecs() is not None and hasattr(_codecs, "zstd_decode")


def require(available: bool, codec: str, what: str) -> None:
    """Raise :class:`FilterError` naming the package when ``codec`` cannot run."""
    if not available:
        raise FilterError(f"{what}: the {codec} codec is not available: pip install {PACKAGE}")


def lz4_decompress(data: bytes | memoryview, out: memoryview, what: str) -> None:
    """Decode one raw LZ4 block (no size prefix) that must fill ``out`` exactly."""
    require(lz4_available(), "LZ4", what)
    got = len(_codecs.lz4_decode(data, header=False, out=out))
    if got != len(out):
        raise FilterError(f"{what}: LZ4 block decodes to {got} bytes, expected {len(out)}")


def lz4_compress(data: bytes | memoryview, what: str) -> bytes:
    """One raw LZ4 block, as ``LZ4_compress_default`` writes it."""
    require(lz4_available(), "LZ4", what)
    return bytes(_codecs.lz4_encode(bytes(data), header=False))


_ZSTD_MAGIC = 0xFD2FB528
_ZSTD_DICT_ID_BYTES = (0, 1, 2, 4)
_ZSTD_FCS_BYTES = (0, 2, 4, 8)


def zstd_content_size(data: bytes | memoryview, what: str) -> int | None:
    """The decoded size a Zstandard frame header records (RFC 8878 3.1.1.1), or ``None``."""
    head = bytes(data[:18])
    if len(head) < 5 or int.from_bytes(head[:4], "little") != _ZSTD_MAGIC:
        raise FilterError(f"{what}: not a Zstandard frame (magic {head[:4].hex() or 'missing'})")
    descriptor = head[4]
    single_segment = (descriptor >> 5) & 1
    pos = 5 + (0 if single_segment else 1) + _ZSTD_DICT_ID_BYTES[descriptor & 3]
    width = _ZSTD_FCS_BYTES[descriptor >> 6] or (1 if single_segment else 0)
    if width == 0:
        return None
    if pos + width > len(head):
        raise FilterError(f"{what}: truncated Zstandard frame header")
    value = int.from_bytes(head[pos : pos + width], "little")
    return value + 256 if width == 2 else value


def zstd_decompress(data: bytes | memoryview, out: memoryview, what: str) -> None:
    """Decode Zstandard data that must fill ``out`` exactly."""
    require(zstd_available(), "Zstandard", what)
    got = len(_codecs.zstd_decode(data, out=out))
    if got != len(out):
        raise FilterError(f"{what}: Zstandard data decodes to {got} bytes, expected {len(out)}")


def zstd_compress(data: bytes | memoryview, level: int, what: str) -> bytes:
    """One Zstandard frame that records its content size (as ``ZSTD_compress`` writes)."""
    require(zstd_available(), "Zstandard", what)
    return bytes(_codecs.zstd_encode(bytes(data), level))


def signed32(value: int) -> int:
    """An ``unsigned int`` client-data value read back as the C ``int`` it was set from."""
    return value - (1 << 32) if value >= 1 << 31 else value
