"""Chunk indexes (Appendix C): every on-disk index decoded to one :class:`ChunkTable`."""

from __future__ import annotations

from .base import ChunkIndexType, ChunkTable
from .dispatch import load_chunk_table

__all__ = ["ChunkIndexType", "ChunkTable", "load_chunk_table"]
