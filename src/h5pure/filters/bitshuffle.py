"""Bitshuffle (filter id 32008), ``bitshuffle/src/bshuf_h5filter.c`` that hdf5plugin bundles.

Client data ``[filter version, bitshuffle version, element size, block size (elements; 0 or
absent = 8 KiB worth, a multiple of 8, at least 128), compression (0 none, 2 LZ4, 3 Zstandard),
Zstandard level]``.

The transform works on blocks of ``block`` elements: each block's bits are transposed so that
bit ``b`` of every element forms one row (bytes in element order, bits least significant
first); a last partial block keeps a multiple of 8 elements, and the remaining (< 8) elements
are copied unchanged.  Uncompressed, that is the stored chunk.  Compressed, the chunk starts
with the decoded size (big-endian u64) and the block size in bytes (big-endian u32), then each
transposed block as a big-endian u32 size plus an LZ4 block or Zstandard frame, then the
copied tail elements.  The transform runs in numpy when ``imagecodecs`` is missing.
"""

from __future__ import annotations

import struct
from typing import Any, NamedTuple

import numpy as np

from ..errors import FilterError
from ..format.messages.filter_pipeline import FilterInfo
from . import blockcodecs, optional
from .base import ChunkInfo, Filter, register_filter

_codecs: Any = optional.NOT_LOADED


def _imagecodecs() -> Any:
    global _codecs
    if _codecs is optional.NOT_LOADED:
        _codecs = optional.load("imagecodecs", "bitshuffle_decode")
    return _codecs


HEADER = struct.Struct(">QI")
"""Decoded size (u64) and block size in bytes (u32), big-endian (compressed variants only)."""
NONE, LZ4, ZSTD = 0, 2, 3
_TARGET_BLOCK_BYTES, _MIN_BLOCK, _MULT = 8192, 128, 8


def default_block_size(elem_size: int) -> int:
    """``bshuf_default_block_size``: about 8 KiB of elements, a multiple of 8, at least 128."""
    return max(_TARGET_BLOCK_BYTES // elem_size // _MULT * _MULT, _MIN_BLOCK)


def _block_sizes(n: int, block: int) -> list[int]:
    """Element counts of the transposed blocks of ``n`` elements (the tail is not a block)."""
    last = (n % block) // _MULT * _MULT
    return [block] * (n // block) + ([last] if last else [])


def _transpose(a: np.ndarray, k: int, m: int, elem: int, inverse: bool) -> bytes:
    """Bit-transpose ``k`` consecutive blocks of ``m`` elements held in ``a`` (uint8)."""
    if inverse:
        bits = np.unpackbits(a.reshape(k, 8 * elem, m // 8), axis=2, bitorder="little")
    else:
        bits = np.unpackbits(a.reshape(k, m, elem), axis=2, bitorder="little")
    return np.packbits(bits.transpose(0, 2, 1), axis=2, bitorder="little").tobytes()


def bitshuffle(data: bytes | bytearray, elem: int, block: int, *, inverse: bool = False) -> bytes:
    """The blocked bit transposition of ``bshuf_bitshuffle`` (``inverse``: its undoing)."""
    _codecs = _imagecodecs()
    if _codecs is not None:
        codec = _codecs.bitshuffle_decode if inverse else _codecs.bitshuffle_encode
        return bytes(codec(data, itemsize=elem, blocksize=block))
    a = np.frombuffer(data, dtype=np.uint8)
    n = len(a) // elem
    full = n // block
    last = (n % block) // _MULT * _MULT
    parts = []
    if full:
        parts.append(_transpose(a[: full * block * elem], full, block, elem, inverse))
    start = full * block * elem
    if last:
        parts.append(_transpose(a[start : start + last * elem], 1, last, elem, inverse))
    parts.append(a[start + last * elem :].tobytes())
    return b"".join(parts)


class Params(NamedTuple):
    """The client data of one bitshuffle filter, with the plugin's defaults applied."""

    elem_size: int
    """Bytes per element."""
    block: int
    """Elements per block (a multiple of 8)."""
    compression: int
    """NONE, LZ4 or ZSTD."""
    level: int
    """Zstandard level (0: the library default)."""


def _params(info: FilterInfo, chunk: ChunkInfo) -> Params:
    cd = info.client_data
    what = f"bitshuffle filter, {chunk.where()}"
    if len(cd) < 3 or cd[2] <= 0:
        raise FilterError(f"{what}: client data {cd} lacks an element size")
    elem = cd[2]
    block = (cd[3] if len(cd) > 3 else 0) or default_block_size(elem)
    if block % _MULT:
        raise FilterError(f"{what}: block size {block} is not a multiple of 8")
    compression = cd[4] if len(cd) > 4 else NONE
    if compression not in (NONE, LZ4, ZSTD):
        raise FilterError(f"{what}: unknown compression {compression}")
    level = blockcodecs.signed32(cd[5]) if len(cd) > 5 else 0
    return Params(elem, block, compression, level)


@register_filter
class Bitshuffle(Filter):
    filter_id = 32008
    name = "bitshuffle"
    package = blockcodecs.PACKAGE

    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        p = _params(info, chunk)
        what = f"bitshuffle filter, {chunk.where()}"
        if p.compression == NONE:
            if len(data) % p.elem_size:
                raise FilterError(f"{what}: {len(data)} bytes is not a whole number of elements")
            return bitshuffle(data, p.elem_size, p.block, inverse=True)
        view = memoryview(data)
        if len(view) < HEADER.size:
            raise FilterError(f"{what}: {len(view)} bytes cannot hold the 12-byte header")
        total, block_bytes = HEADER.unpack_from(view)
        if chunk.out_size is not None and total != chunk.out_size:
            raise FilterError(f"{what}: header claims {total} bytes, expected {chunk.out_size}")
        if total % p.elem_size:
            raise FilterError(f"{what}: header claims {total} bytes of {p.elem_size}-byte elements")
        if chunk.out_size is None and total > blockcodecs.LZ4_MAX_RATIO * len(view):
            # Zstandard can expand further, but not for blocks of a few KiB as written here.
            raise FilterError(f"{what}: header claims {total} bytes from {len(view)} stored")
        block = block_bytes // p.elem_size  # the header's block size wins over client data
        if block == 0 or block % _MULT:
            raise FilterError(f"{what}: bad block size {block_bytes} bytes in the header")
        n = total // p.elem_size
        sizes = _block_sizes(n, block)
        if 4 * len(sizes) > len(view):  # every block needs at least its size field
            raise FilterError(f"{what}: {len(sizes)} blocks cannot fit in {len(view)} bytes")
        decompress = (
            blockcodecs.lz4_decompress if p.compression == LZ4 else blockcodecs.zstd_decompress
        )
        shuffled = bytearray(total)
        dest = memoryview(shuffled)
        pos, done = HEADER.size, 0
        for m in sizes:
            if pos + 4 > len(view):
                raise FilterError(f"{what}: truncated at byte {pos}")
            stored = int.from_bytes(view[pos : pos + 4], "big")
            pos += 4
            if stored > len(view) - pos:
                raise FilterError(f"{what}: block of {stored} bytes runs past the chunk end")
            size = m * p.elem_size
            decompress(view[pos : pos + stored], dest[done : done + size], what)
            pos += stored
            done += size
        tail = total - done  # the last (< 8) elements are stored as they are
        if pos + tail > len(view):
            raise FilterError(f"{what}: truncated in the {tail} uncompressed tail bytes")
        dest[done:] = view[pos : pos + tail]
        return bitshuffle(shuffled, p.elem_size, block, inverse=True)

    def encode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        p = _params(info, chunk)
        what = f"bitshuffle filter, {chunk.where()}"
        if len(data) % p.elem_size:
            raise FilterError(f"{what}: {len(data)} bytes is not a whole number of elements")
        shuffled = bitshuffle(data, p.elem_size, p.block)
        if p.compression == NONE:
            return shuffled
        view = memoryview(shuffled)
        parts = [HEADER.pack(len(data), p.block * p.elem_size)]
        pos = 0
        for m in _block_sizes(len(data) // p.elem_size, p.block):
            piece = view[pos : pos + m * p.elem_size]
            if p.compression == LZ4:
                packed = blockcodecs.lz4_compress(piece, what)
            else:
                packed = blockcodecs.zstd_compress(piece, p.level, what)
            parts += [len(packed).to_bytes(4, "big"), packed]
            pos += len(piece)
        parts.append(bytes(view[pos:]))
        return b"".join(parts)
