"""Zstandard (filter id 32015), the HDF Group plugin ``H5Zzstd.c`` that hdf5plugin bundles.

No header of its own: the stored chunk is one plain Zstandard frame, and the plugin sizes its
output from the frame's content-size field.  Client data ``[level]`` (a C ``int``: negative
levels are stored as their unsigned 32-bit pattern; default 3; clamped to -131072..22).
"""

from __future__ import annotations

from ..errors import FilterError
from ..format.messages.filter_pipeline import FilterInfo
from . import blockcodecs
from .base import ChunkInfo, Filter, register_filter

_MIN_LEVEL, _MAX_LEVEL, _DEFAULT_LEVEL = -(1 << 17), 22, 3


@register_filter
class Zstd(Filter):
    filter_id = 32015
    name = "zstd"
    package = blockcodecs.PACKAGE

    def available(self) -> bool:
        return blockcodecs.zstd_available()

    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        what = f"zstd filter, {chunk.where()}"
        size = blockcodecs.zstd_content_size(data, what)
        if size is None:  # libhdf5's plugin cannot size such a frame either
            if chunk.out_size is None:
                raise FilterError(f"{what}: the Zstandard frame does not record its size")
            size = chunk.out_size
        if chunk.out_size is not None and size != chunk.out_size:
            raise FilterError(f"{what}: frame holds {size} bytes, expected {chunk.out_size}")
        if size > blockcodecs.MAX_CHUNK_BYTES:
            raise FilterError(f"{what}: frame claims {size} bytes, more than a chunk can hold")
        out = bytearray(size)
        blockcodecs.zstd_decompress(data, memoryview(out), what)
        return bytes(out)

    def encode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        cd = info.client_data
        level = blockcodecs.signed32(cd[0]) if cd else _DEFAULT_LEVEL
        level = min(max(level, _MIN_LEVEL), _MAX_LEVEL)
        return blockcodecs.zstd_compress(data, level, f"zstd filter, {chunk.where()}")
