"""SZIP (filter id 4) through ``imagecodecs`` (libaec), ``src/H5Zszip.c``.

Client data ``[options mask, pixels per block, bits per pixel, pixels per scanline]``.
``H5Pset_szip`` records the first two (h5py's "ec"/"nn" mask with the K13 and raw bits);
``set_local`` adds the byte-order bit, the bits per pixel (the datatype's precision, 25-32
rounded to 32 and 33-64 to 64) and the scanline (the chunk's last dimension, at most 128
blocks; the whole chunk, at most 128 blocks, when the last dimension is shorter than a
block).  The stored chunk starts with the uncompressed size as a little-endian u32.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import FilterError
from ..format.messages.filter_pipeline import FilterInfo
from . import optional
from .base import (
    ChunkInfo,
    Filter,
    LocalInfo,
    big_endian,
    creation_error,
    register_filter,
)

ALLOW_K13, CHIP, EC, LSB, MSB, NN, RAW = 1, 2, 4, 8, 16, 32, 128
"""szlib's option mask bits (``H5_SZIP_*_OPTION_MASK``)."""
METHODS = {"ec": EC, "nn": NN}
"""h5py's coding method names."""
DEFAULT_OPTIONS = ("nn", 8)
"""h5py's ``compression_opts`` when none are given."""
MAX_BLOCKS_PER_SCANLINE = 128
MAX_PIXELS_PER_SCANLINE = 4096
_OPTIONS_ERROR = "SZIP options must be a 2-tuple ('ec'|'nn', even integer 0-32)"
_EXTENDED_PRECISION = 80  # x87 long double: numpy float128/float96 on x86


def _precision(base: np.dtype) -> int:
    """Significant bits of an atomic numeric type (``H5T_get_precision``)."""
    if base.kind == "f" and base.itemsize > 8 and np.finfo(base).nmant == 63:
        return _EXTENDED_PRECISION
    return base.itemsize * 8


def _byte_order(base: np.dtype) -> str | None:
    """ "le"/"be" for numbers, ``None`` for types without one (strings, opaque, references);
    raises for compounds (complex numbers are compounds), as ``H5T_get_order`` fails."""
    if base.names is not None or base.kind == "c":
        raise LookupError("operation not defined for specified datatype")
    if base.kind in "iufb":
        return "be" if big_endian(base) else "le"
    return None


_codecs: Any = optional.NOT_LOADED


def _imagecodecs() -> Any:
    global _codecs
    if _codecs is optional.NOT_LOADED:
        _codecs = optional.load("imagecodecs", "szip_decode")
    return _codecs


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
    h5py_name = "szip"
    h5py_compression = 2
    stored_name = "szip"

    def check_options(self, opts: Any, dtype: np.dtype) -> tuple[str, int]:
        """``(method, pixels per block)``: "ec" or "nn", an even number 2-32."""
        try:
            method, ppb = DEFAULT_OPTIONS if opts is None else opts
        except TypeError as e:
            raise TypeError(_OPTIONS_ERROR) from e
        if method not in METHODS:
            raise ValueError(_OPTIONS_ERROR)
        if not (0 < ppb <= 32 and ppb % 2 == 0):
            raise ValueError(_OPTIONS_ERROR)
        return method, int(ppb)

    def values(self, opts: Any, dtype: np.dtype) -> tuple[int, ...]:
        """``(mask, pixels per block)`` from h5py's options (``H5Pset_szip``); a tuple of
        numbers is client data as given."""
        if opts is None:
            opts = DEFAULT_OPTIONS
        if len(opts) and isinstance(opts[0], str):
            method, ppb = opts
            return (METHODS[method] | ALLOW_K13 | RAW, int(ppb))
        return tuple(int(v) for v in opts)

    def can_apply(self, local: LocalInfo) -> str | None:
        """Numbers of at most 32 bits or of 64; anything else is refused only later."""
        bits = 8 * local.size
        size_problem = "invalid datatype size" if bits > 32 and bits != 64 else None
        try:
            order = _byte_order(local.dtype.base)
        except LookupError as e:
            raise creation_error(size_problem or str(e)) from None
        if order is None:
            return size_problem or "invalid datatype endianness order"
        return size_problem

    def set_local(self, values: tuple[int, ...], local: LocalInfo) -> tuple[int, ...]:
        if len(values) < 2:
            raise creation_error("can't get szip parameters")
        mask, ppb = values[0], values[1]
        base = local.dtype.base  # an array type's base: libhdf5 asks its parent
        bits = _precision(base)
        if bits > 24:
            bits = 32 if bits <= 32 else 64 if bits <= 64 else bits
        scanline = local.chunks[-1]
        if scanline < ppb:
            if local.nelements < ppb:
                raise creation_error(
                    "pixels per block greater than total number of elements in the chunk"
                )
            scanline = min(ppb * MAX_BLOCKS_PER_SCANLINE, local.nelements)
        elif scanline <= MAX_PIXELS_PER_SCANLINE:
            scanline = min(ppb * MAX_BLOCKS_PER_SCANLINE, scanline)
        else:
            scanline = ppb * MAX_BLOCKS_PER_SCANLINE
        order = _byte_order(base)
        if order is None:
            raise creation_error("bad datatype endianness order")
        mask = (mask & ~(LSB | MSB)) | (MSB if order == "be" else LSB)
        return (mask, ppb, bits, scanline)

    def h5py_options(self, client_data: tuple[int, ...]) -> tuple[str, int | None]:
        """``("ec"|"nn", pixels per block)`` ("?" for a mask with neither bit)."""
        mask = client_data[0] if client_data else 0
        method = "ec" if mask & EC else "nn" if mask & NN else "?"
        return method, (int(client_data[1]) if len(client_data) > 1 else None)

    def available(self) -> bool:
        return _imagecodecs() is not None

    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        mask, ppb, bpp, pps = _params(info, chunk)
        if len(data) < 4:
            raise FilterError(f"szip filter: {chunk.where()} is too short ({len(data)} bytes)")
        size = int.from_bytes(data[:4], "little")
        if chunk.out_size is not None and size != chunk.out_size:
            raise FilterError(
                f"szip filter: {chunk.where()} claims {size} bytes, expected {chunk.out_size}"
            )
        return bytes(_imagecodecs().szip_decode(data[4:], mask, ppb, bpp, pps, out=size))

    def encode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        mask, ppb, bpp, pps = _params(info, chunk)
        body = bytes(_imagecodecs().szip_encode(bytes(data), mask, ppb, bpp, pps))
        if len(body) > len(data):  # libhdf5's output buffer is the input size
            raise FilterError(f"szip filter: {chunk.where()} does not compress")
        return len(data).to_bytes(4, "little") + body
