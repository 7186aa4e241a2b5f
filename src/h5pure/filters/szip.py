"""SZIP (filter id 4) through ``imagecodecs`` (libaec), ``src/H5Zszip.c``.

Client data ``[options mask, pixels per block, bits per pixel, pixels per scanline]``.
The stored chunk starts with the uncompressed size as a little-endian u32.
"""

from __future__ import annotations

from typing import Any

from ..errors import FilterError
from ..format.messages.filter_pipeline import FilterInfo
from .base import ChunkInfo, Filter, register_filter

_codecs: Any
try:
    import imagecodecs as _codecs

    if not hasattr(_codecs, "szip_decode"):
        _codecs = None
except ImportError:
    _codecs = None


def _params(info: FilterInfo, chunk: ChunkInfo) -> tuple[int, int, int, int]:
    if len(info.client_data) != 4:
        raise FilterError(
            f"szip filter for {chunk.where()}: expected 4 parameters, got {info.client_data}"
        )
    mask, ppb, bpp, pps = info.client_data
    return mask, ppb, bpp, pps


@register_filter
class Szip(Filter):
    filter_id = 4
    name = "szip"
    package = "imagecodecs"

    def available(self) -> bool:
        return _codecs is not None

    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        mask, ppb, bpp, pps = _params(info, chunk)
        if len(data) < 4:
            raise FilterError(f"szip filter: {chunk.where()} is too short ({len(data)} bytes)")
        size = int.from_bytes(data[:4], "little")
        if chunk.out_size is not None and size != chunk.out_size:
            raise FilterError(
                f"szip filter: {chunk.where()} claims {size} bytes, expected {chunk.out_size}"
            )
        return bytes(_codecs.szip_decode(data[4:], mask, ppb, bpp, pps, out=size))

    def encode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        mask, ppb, bpp, pps = _params(info, chunk)
        body = bytes(_codecs.szip_encode(bytes(data), mask, ppb, bpp, pps))
        if len(body) > len(data):  # libhdf5's output buffer is the input size
            raise FilterError(f"szip filter: {chunk.where()} does not compress")
        return len(data).to_bytes(4, "little") + body
