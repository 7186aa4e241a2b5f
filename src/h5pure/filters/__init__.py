"""The filter pipeline: one module per HDF5 filter, a registry keyed by filter id.

``decode_chunk`` / ``encode_chunk`` run a chunk through a dataset's
:class:`~h5pure.format.messages.filter_pipeline.FilterPipeline`; ``get_filter`` returns the
codec registered for an id and ``register_filter`` adds or replaces one.
"""

from __future__ import annotations

from . import (  # noqa: F401 - register
    bitshuffle,
    blosc,
    deflate,
    fletcher32,
    lz4,
    lzf,
    nbit,
    scaleoffset,
    shuffle,
    szip,
    zstd,
)
from .base import ChunkInfo, Filter, available_filters, get_filter, register_filter
from .pipeline import decode_chunk, encode_chunk

__all__ = [
    "ChunkInfo",
    "Filter",
    "available_filters",
    "decode_chunk",
    "encode_chunk",
    "get_filter",
    "register_filter",
]
