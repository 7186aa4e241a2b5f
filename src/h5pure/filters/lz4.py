"""LZ4 (filter id 32004), the HDF Group plugin ``H5Zlz4.c`` that hdf5plugin bundles.

Stored chunk: the decoded size as a big-endian u64 and the block size as a big-endian u32
(both header fields count bytes), then for each block of the decoded data (the last may be
shorter) a big-endian u32 stored size and the block's bytes: a raw LZ4 block, or the block
itself when compression did not make it smaller (stored size == block size).  Client data
``[block size]`` (0 or absent: 1 GiB; capped at the chunk size).
"""

from __future__ import annotations

import struct

from ..errors import FilterError
from ..format.messages.filter_pipeline import FilterInfo
from . import blockcodecs
from .base import ChunkInfo, Filter, register_filter

HEADER = struct.Struct(">QI")
"""Decoded size (u64) and block size (u32), big-endian."""
_DEFAULT_BLOCK = 1 << 30
_MAX_INPUT = (1 << 31) - 1  # the plugin compresses chunks below 2 GiB only


@register_filter
class Lz4(Filter):
    filter_id = 32004
    name = "lz4"
    package = blockcodecs.PACKAGE

    def available(self) -> bool:
        return blockcodecs.lz4_available()

    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        what = f"lz4 filter, {chunk.where()}"
        view = memoryview(data)
        if len(view) < HEADER.size:
            raise FilterError(f"{what}: {len(view)} bytes cannot hold the 12-byte header")
        total, block = HEADER.unpack_from(view)
        if chunk.out_size is not None and total != chunk.out_size:
            raise FilterError(f"{what}: header claims {total} bytes, expected {chunk.out_size}")
        if chunk.out_size is None and total > blockcodecs.LZ4_MAX_RATIO * len(view):
            raise FilterError(f"{what}: header claims {total} bytes from {len(view)} stored")
        if total and not block:
            raise FilterError(f"{what}: block size 0 for {total} bytes of data")
        block = min(block, total)
        out = bytearray(total)
        dest = memoryview(out)
        pos, done = HEADER.size, 0
        while done < total:  # every block consumes at least its 4-byte size from the input
            n = min(block, total - done)
            if pos + 4 > len(view):
                raise FilterError(f"{what}: truncated after {done} of {total} bytes")
            stored = int.from_bytes(view[pos : pos + 4], "big")
            pos += 4
            if stored > len(view) - pos:
                raise FilterError(f"{what}: block of {stored} bytes runs past the chunk end")
            body = view[pos : pos + stored]
            if stored == n:  # stored raw: compression did not help
                dest[done : done + n] = body
            else:
                blockcodecs.lz4_decompress(body, dest[done : done + n], what)
            pos += stored
            done += n
        return bytes(out)

    def encode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        what = f"lz4 filter, {chunk.where()}"
        view = memoryview(data)
        if len(view) > _MAX_INPUT:
            raise FilterError(f"{what}: {len(view)} bytes is more than LZ4 can compress at once")
        cd = info.client_data
        block = min(cd[0] if cd and cd[0] > 0 else _DEFAULT_BLOCK, len(view))
        parts = [HEADER.pack(len(view), block)]
        for start in range(0, len(view), block or 1):
            piece = view[start : start + block]
            packed = blockcodecs.lz4_compress(piece, what)
            body = packed if len(packed) < len(piece) else bytes(piece)
            parts += [len(body).to_bytes(4, "big"), body]
        return b"".join(parts)
