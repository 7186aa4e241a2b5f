"""LZF (filter id 32000), h5py's ``lzf/lzf_filter.c``.

No header: the stored chunk is a bare LZF stream.  Client data ``[filter version (4), LZF
version (0x0105), chunk bytes]`` as h5py's ``set_local`` fills them in.  h5py registers the filter as optional
and its compressor fails when the output would not be smaller than the input, so such
chunks are stored raw with the filter's mask bit set; :meth:`Lzf.encode` raises in that case
and the pipeline does the same.

Both directions prefer ``imagecodecs`` (its liblzf calls release the GIL, so the thread
pool runs them in parallel; python-lzf holds the GIL), then ``lzf`` (python-lzf); without
either, a pure-Python decoder reads LZF files with numpy only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import FilterError
from ..format.messages.filter_pipeline import FilterInfo
from . import optional
from .base import ChunkInfo, Filter, LocalInfo, register_filter

_lzf: Any = optional.NOT_LOADED
_codecs: Any = optional.NOT_LOADED


def _python_lzf() -> Any:
    global _lzf
    if _lzf is optional.NOT_LOADED:
        _lzf = optional.load("lzf")
    return _lzf


def _imagecodecs() -> Any:
    global _codecs
    if _codecs is optional.NOT_LOADED:
        _codecs = optional.load("imagecodecs", "lzf_decode")
    return _codecs


_MAX_OUT = 1 << 31
FILTER_VERSION, LZF_VERSION = 4, 0x0105
"""What h5py's ``set_local`` puts in the first two client-data slots when they are 0."""


def lzf_decompress(data: bytes, limit: int) -> bytes:
    """Pure-Python LZF decoder (liblzf ``lzf_d.c`` format); output capped at ``limit``."""
    src = memoryview(bytes(data))
    out = bytearray()
    i, n = 0, len(src)
    while i < n:
        ctrl = src[i]
        i += 1
        if ctrl < 32:  # literal run of ctrl + 1 bytes
            length = ctrl + 1
            if i + length > n:
                raise FilterError("LZF stream: literal run past the end of the input")
            out += src[i : i + length]
            i += length
        else:  # back reference
            length = ctrl >> 5
            if length == 7:
                if i >= n:
                    raise FilterError("LZF stream: truncated back reference")
                length += src[i]
                i += 1
            if i >= n:
                raise FilterError("LZF stream: truncated back reference")
            distance = ((ctrl & 0x1F) << 8) + src[i] + 1
            i += 1
            length += 2
            start = len(out) - distance
            if start < 0:
                raise FilterError("LZF stream: back reference before the start of the output")
            if distance >= length:
                out += out[start : start + length]
            else:  # overlapping copy repeats the last `distance` bytes
                pattern = bytes(out[start:])
                reps = -(-length // distance)
                out += (pattern * reps)[:length]
        if len(out) > limit:
            raise FilterError(f"LZF stream: output exceeds {limit} bytes")
    return bytes(out)


@register_filter
class Lzf(Filter):
    filter_id = 32000
    name = "lzf"
    package = "imagecodecs"
    accepts_buffers = True
    h5py_name = "lzf"
    h5py_compression = 1
    stored_name = "lzf"

    def check_options(self, opts: Any, dtype: np.dtype) -> None:
        if opts is not None:
            raise ValueError("LZF compression filter accepts no options")
        return None

    def set_local(self, values: tuple[int, ...], local: LocalInfo) -> tuple[int, ...]:
        """h5py's ``set_local``: at least three values; filter and LZF versions where
        they are 0, the chunk's size in bytes third, the rest as given."""
        cd = list(values) + [0] * (3 - len(values))
        cd[0] = cd[0] or FILTER_VERSION
        cd[1] = cd[1] or LZF_VERSION
        cd[2] = local.size * local.nelements
        return tuple(cd)

    def h5py_options(self, client_data: tuple[int, ...]) -> None:
        """h5py shows no options for LZF."""
        return None

    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        # h5py >= 2.x stores the chunk size as the third client-data value.
        size = chunk.out_size or (info.client_data[2] if len(info.client_data) > 2 else 0)
        _codecs, _lzf = _imagecodecs(), _python_lzf()
        if _codecs is not None and chunk.out_size:
            # imagecodecs releases the GIL (python-lzf does not): chunks decode in parallel
            return bytes(_codecs.lzf_decode(data, out=chunk.out_size))
        if _lzf is not None and size:
            guess = size
            while guess <= _MAX_OUT:
                out = _lzf.decompress(bytes(data), guess)
                if out is not None:
                    return bytes(out)
                if chunk.out_size:  # the exact size was known: the stream is bad
                    break
                guess *= 2
            raise FilterError(f"lzf filter: {chunk.where()} does not decompress to {size} bytes")
        if _codecs is not None:
            return bytes(_codecs.lzf_decode(data, out=size or None))
        optional.warn_slow("LZF", "imagecodecs")
        return lzf_decompress(data, size or _MAX_OUT)

    def can_encode(self) -> bool:
        return (
            _imagecodecs() is not None or _python_lzf() is not None
        )  # the pure-Python codec only reads

    def encode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        out: bytes | None = None
        _codecs, _lzf = _imagecodecs(), _python_lzf()
        if not len(data):
            pass  # nothing to compress: stored raw (mask bit set), as h5py's filter does
        elif _codecs is not None:
            # the same liblzf stream as python-lzf's, and the GIL is released meanwhile
            try:
                out = bytes(_codecs.lzf_encode(data))
            except _codecs.LzfError:
                out = None
            if out is not None and len(out) > len(data):
                out = None
        elif _lzf is not None:
            raw = bytes(data)
            out = _lzf.compress(raw, len(raw))
        else:
            raise FilterError("lzf filter: no LZF compressor: pip install imagecodecs")
        if out is None:
            raise FilterError(f"lzf filter: {chunk.where()} does not compress")
        return bytes(out)
