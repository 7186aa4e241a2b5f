"""Deflate (filter id 1): zlib streams (RFC 1950), as ``src/H5Zdeflate.c`` writes them with
``compress2``; client data ``[level]``.

Decoding prefers libdeflate (package ``deflate``) when the output size is known, then
``isal.isal_zlib``, then the standard library.
"""

from __future__ import annotations

import importlib
import zlib
from types import ModuleType
from typing import Any

from ..format.messages.filter_pipeline import FilterInfo
from .base import ChunkInfo, Filter, register_filter


def _optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:  # optional speed-up
        return None


_libdeflate = _optional("deflate")

_inflate: Any = zlib.decompress
try:
    from isal import isal_zlib as _isal_zlib

    _inflate = _isal_zlib.decompress
except ImportError:  # optional speed-up
    pass


@register_filter
class Deflate(Filter):
    filter_id = 1
    name = "deflate"

    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        if _libdeflate is not None and chunk.out_size:
            try:
                return bytes(_libdeflate.zlib_decompress(data, chunk.out_size))
            except Exception:  # wrong size guess or odd stream: let zlib judge
                pass
        return bytes(_inflate(data))

    def encode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        level = info.client_data[0] if info.client_data else 6
        return zlib.compress(data, min(int(level), 9))
