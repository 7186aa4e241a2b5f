"""Deflate (filter id 1): zlib streams (RFC 1950), as ``src/H5Zdeflate.c`` writes them with
``compress2``; client data ``[level]``.

Decoding prefers libdeflate (package ``deflate``, else imagecodecs' binding of the same
library) when the output size is known, then ``isal.isal_zlib``, then the standard library.

Encoding writes the same kind of stream (zlib header, raw deflate, Adler-32), which any
inflater reads, with the fastest compressor that keeps the level's promise:

* libdeflate (``deflate.zlib_compress``) at the *same* level number.  Its levels 2-9
  compress within a few percent of zlib's at that level (often smaller) while running
  2-7 times faster, so a level keeps its meaning: level 9 still buys about the smallest
  output.  Its level 1, like ISA-L's, trades more ratio for speed than zlib's on some data
  (twice the size on a ramp of integers), which is what level 1 asks for.  Level 0 gives
  stored blocks, as zlib's does.
* otherwise ISA-L (``isal.isal_zlib``) for level 1 only: its levels 2-3 compress clearly
  worse than zlib's 2-3 on some data, and its level 0 is Huffman-only, not zlib's
  "stored"; the other levels stay with zlib.
* otherwise the standard library's zlib.

All three release the GIL, so the writer's thread pool compresses chunks in parallel.
The output bytes differ between compressors (as between zlib versions); the stream and
what it decodes to do not.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import numpy as np

from ..format.messages.filter_pipeline import FilterInfo
from . import optional, scratch
from .base import ChunkInfo, Filter, register_filter

_libdeflate: Any = optional.NOT_LOADED
_isal_zlib: Any = optional.NOT_LOADED


class _ImagecodecsDeflate:
    """imagecodecs' libdeflate binding (a dependency), with the two calls of the
    ``deflate`` package: the same library, the same streams at the same levels, and it
    releases the GIL."""

    def __init__(self, codecs: Any) -> None:
        self._codecs = codecs

    def zlib_compress(self, data: Any, level: int) -> bytes:
        return self._codecs.deflate_encode(data, level=level)  # type: ignore[no-any-return]

    def zlib_decompress(self, data: Any, size: int) -> bytes:
        return self._codecs.deflate_decode(data, out=size)  # type: ignore[no-any-return]


def _codecs() -> tuple[Any, Any]:
    """``(libdeflate, isal.isal_zlib)``, each ``None`` when missing; imported on first use.
    libdeflate comes from the ``deflate`` package, else from imagecodecs."""
    global _libdeflate, _isal_zlib
    if _libdeflate is optional.NOT_LOADED:
        lib: Any = optional.load("deflate")
        if lib is None:
            codecs = optional.load("imagecodecs", "deflate_decode")
            lib = _ImagecodecsDeflate(codecs) if codecs is not None else None
        _libdeflate = lib
    if _isal_zlib is optional.NOT_LOADED:
        _isal_zlib = optional.load("isal.isal_zlib")
    return _libdeflate, _isal_zlib


_ZLIB_SMALL = 2048
"""Chunks up to this size decode faster through zlib than through imagecodecs' binding
of libdeflate (~6.5 against ~9 us for 1 KiB; the ``deflate`` package is faster still)."""

def _into_scratch(datas: list[Any], size: int, lib: Any) -> list[Any] | None:
    """Inflate ``datas`` (each to ``size`` bytes) through imagecodecs' libdeflate into one
    buffer this thread reuses (the next step copies them out: ``ChunkInfo.transient``),
    as views of it; None when the binding is another, the chunks are small (zlib is
    faster there) or any stream is not exactly ``size`` bytes (the caller decodes them
    as usual and names the fault)."""
    if not isinstance(lib, _ImagecodecsDeflate) or size <= _ZLIB_SMALL:
        return None
    buf = scratch.buffer("inflate", size * len(datas))
    decode = lib._codecs.deflate_decode
    out = []
    try:
        for k, data in enumerate(datas):
            part = buf[k * size : (k + 1) * size]
            got = decode(data, out=part)
            if len(got) != size:
                return None
            out.append(part.data)
    except Exception:  # wrong size or odd stream: decoded again, as decode() would
        return None
    return out


_ISAL_LEVELS = (1,)
"""Levels encoded with ISA-L when libdeflate is missing (see the module docstring)."""


def compressor(level: int) -> Callable[[Any], bytes]:
    """The function that compresses a bytes-like object into a zlib stream at ``level``
    (0-9; larger values are capped at 9 as libhdf5 does), the fastest one installed."""
    level = max(0, min(int(level), 9))
    _libdeflate, _isal_zlib = _codecs()
    if _libdeflate is not None:
        lib = _libdeflate
        return lambda data: bytes(lib.zlib_compress(data, level))
    if _isal_zlib is not None and level in _ISAL_LEVELS:
        isal = _isal_zlib
        return lambda data: bytes(isal.compress(data, level))
    return lambda data: zlib.compress(data, level)


DEFAULT_LEVEL = 4
"""h5py's gzip level when ``compression_opts`` is not given."""


@register_filter
class Deflate(Filter):
    filter_id = 1
    name = "deflate"
    accepts_buffers = True
    h5py_name = "gzip"
    h5py_compression = 0
    stored_name = "deflate"

    def check_options(self, opts: Any, dtype: np.dtype) -> int:
        """The gzip level: 0-9 (anything equal to one), 4 when not given."""
        if opts is None:
            return DEFAULT_LEVEL
        if opts in range(10):
            return int(opts)
        # h5py formats the value with ``%``, so a 1-tuple shows as its item
        raise ValueError("GZIP setting must be an integer from 0-9, not %r" % opts)  # noqa: UP031

    def values(self, opts: Any, dtype: np.dtype) -> tuple[int, ...]:
        """``(level,)`` from a level (``H5Pset_deflate``); a tuple is client data as given."""
        if isinstance(opts, tuple):
            return tuple(int(v) for v in opts)
        return (DEFAULT_LEVEL if opts is None else int(opts),)

    def h5py_options(self, client_data: tuple[int, ...]) -> int | None:
        """The level."""
        return int(client_data[0]) if client_data else None

    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        _libdeflate, _isal_zlib = _codecs()
        if chunk.transient and chunk.out_size:
            kept = _into_scratch([data], chunk.out_size, _libdeflate)
            if kept is not None:
                return kept[0]  # type: ignore[return-value]
        if _libdeflate is not None and chunk.out_size:
            try:
                # bytes or a bytearray, handed on uncopied (every later step takes buffers)
                return _libdeflate.zlib_decompress(data, chunk.out_size)  # type: ignore[no-any-return]
            except Exception:  # wrong size guess or odd stream: let zlib judge
                pass
        inflate = _isal_zlib.decompress if _isal_zlib is not None else zlib.decompress
        return bytes(inflate(data))

    def decode_many(self, datas: list[Any], info: FilterInfo, chunk: ChunkInfo) -> list[Any]:
        _libdeflate, _isal_zlib = _codecs()
        size = chunk.out_size
        if chunk.transient and size:
            kept = _into_scratch(datas, size, _libdeflate)
            if kept is not None:
                return kept
        if size and size <= _ZLIB_SMALL and isinstance(_libdeflate, _ImagecodecsDeflate):
            # imagecodecs' call costs more than zlib's whole inflate of a small chunk
            decompress = zlib.decompress
            out = [decompress(d) for d in datas]
            if all(len(o) == size for o in out):
                return out
        elif _libdeflate is not None and size:
            inflate = _libdeflate.zlib_decompress
            try:
                return [inflate(d, size) for d in datas]
            except Exception:  # some chunk is odd: each judged as decode() would
                pass
        return [self.decode(d, info, chunk) for d in datas]

    def encode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        level = info.client_data[0] if info.client_data else 6
        return compressor(level)(data)
