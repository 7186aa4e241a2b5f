"""Blosc (filter id 32001), ``hdf5-blosc/src/blosc_filter.c`` that hdf5plugin bundles.

The stored chunk is one Blosc1 frame, which carries its own sizes in a 16-byte little-endian
header (format version, codec version, flags, type size, decoded bytes, block size, frame
bytes).  Client data ``[filter revision, Blosc format version, type size, chunk bytes,
level (5), shuffle (1 = byte, 2 = bit, 0 = none), compressor (0 blosclz, 1 lz4, 2 lz4hc,
3 snappy, 4 zlib, 5 zstd)]``; the first four are filled in by the plugin's set-local call, the
rest are optional.  The plugin compresses into a buffer the size of the input and fails when
the frame does not fit; hdf5plugin marks the filter optional, so such chunks are stored raw.
"""

from __future__ import annotations

import struct
from typing import Any

from ..errors import FilterError
from ..format.messages.filter_pipeline import FilterInfo
from . import optional
from .base import ChunkInfo, Filter, register_filter
from .blockcodecs import MAX_CHUNK_BYTES

_codecs: Any = optional.NOT_LOADED


def _imagecodecs() -> Any:
    global _codecs
    if _codecs is optional.NOT_LOADED:
        _codecs = optional.load("imagecodecs", "blosc_decode")
    return _codecs


FRAME_HEADER = struct.Struct("<BBBBIII")
"""version, versionlz, flags, typesize, nbytes, blocksize, cbytes."""
COMPRESSORS = ("blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd")
"""Blosc1 compressor codes, as client-data slot 6 stores them."""
_MAX_TYPESIZE = 255  # larger types are shuffled as bytes (typesize 1)


@register_filter
class Blosc(Filter):
    filter_id = 32001
    name = "blosc"
    package = "imagecodecs"

    def available(self) -> bool:
        return _imagecodecs() is not None

    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        what = f"blosc filter, {chunk.where()}"
        if len(data) < FRAME_HEADER.size:
            raise FilterError(f"{what}: {len(data)} bytes cannot hold the 16-byte frame header")
        version, _, _, _, nbytes, _, cbytes = FRAME_HEADER.unpack_from(data)
        if not FRAME_HEADER.size <= cbytes <= len(data):
            raise FilterError(f"{what}: frame claims {cbytes} bytes, the chunk has {len(data)}")
        if chunk.out_size is not None and nbytes != chunk.out_size:
            raise FilterError(f"{what}: frame holds {nbytes} bytes, expected {chunk.out_size}")
        if nbytes > MAX_CHUNK_BYTES:
            raise FilterError(f"{what}: frame claims {nbytes} bytes, more than a chunk can hold")
        if nbytes == 0:
            return b""
        out = _imagecodecs().blosc_decode(bytes(data[:cbytes]), numthreads=1, out=nbytes)
        if len(out) != nbytes:
            raise FilterError(f"{what}: frame (format {version}) decodes to {len(out)} bytes")
        return bytes(out)

    def encode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        what = f"blosc filter, {chunk.where()}"
        cd = info.client_data
        typesize = cd[2] if len(cd) > 2 else chunk.element_size
        if not 0 < typesize <= _MAX_TYPESIZE:
            typesize = 1
        level = cd[4] if len(cd) > 4 else 5
        shuffle = cd[5] if len(cd) > 5 else 1
        compressor = cd[6] if len(cd) > 6 else 0
        if compressor >= len(COMPRESSORS):
            raise FilterError(f"{what}: unknown Blosc compressor code {compressor}")
        if shuffle > 2 or level > 9:
            raise FilterError(f"{what}: bad Blosc parameters (level {level}, shuffle {shuffle})")
        frame = bytes(
            _imagecodecs().blosc_encode(
                bytes(data),
                level,
                compressor=COMPRESSORS[compressor],
                shuffle=shuffle,
                typesize=typesize,
                numthreads=1,
            )
        )
        if len(frame) > len(data):  # the plugin's output buffer is the input size
            raise FilterError(f"{what}: chunk does not compress")
        return frame
