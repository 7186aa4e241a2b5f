"""Chunk indexes (Appendix C): one module per index type, each a registered
:class:`~.base.ChunkIndex` that every on-disk index decodes to one :class:`ChunkTable`
with and builds from one.  An index type's module is imported when :func:`chunk_index`
is first asked for that type."""

from __future__ import annotations

from .base import (
    BuiltIndex,
    ChunkIndex,
    ChunkIndexRequest,
    ChunkIndexType,
    ChunkTable,
    chunk_index,
    register_index,
)
from .dispatch import load_chunk_table

__all__ = [
    "BuiltIndex",
    "ChunkIndex",
    "ChunkIndexRequest",
    "ChunkIndexType",
    "ChunkTable",
    "chunk_index",
    "load_chunk_table",
    "register_index",
]
