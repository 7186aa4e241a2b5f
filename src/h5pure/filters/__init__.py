"""The filter pipeline: one module per HDF5 filter, a registry keyed by filter id.

``decode_chunk`` / ``encode_chunk`` run a chunk through a dataset's
:class:`~h5pure.format.messages.filter_pipeline.FilterPipeline`; ``get_filter`` returns the
codec registered for an id and ``register_filter`` adds or replaces one; ``filter_for``
never fails (a stand-in for unregistered ids) and ``h5py_filter`` finds a filter by h5py's
name.  ``normalize_filter_args`` / ``build_pipeline`` turn h5py's filter keywords into the
pipeline a new dataset stores, ``describe_pipeline`` shows a stored one as h5py does.
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
from .base import (
    ChunkInfo,
    Filter,
    LocalInfo,
    UnregisteredFilter,
    available_filters,
    filter_for,
    get_filter,
    h5py_encoders,
    h5py_filter,
    register_filter,
)
from .keywords import (
    FilterArgs,
    FilterDescription,
    build_pipeline,
    describe_pipeline,
    normalize_filter_args,
)
from .pipeline import decode_chunk, encode_chunk

__all__ = [
    "ChunkInfo",
    "Filter",
    "FilterArgs",
    "FilterDescription",
    "LocalInfo",
    "UnregisteredFilter",
    "available_filters",
    "build_pipeline",
    "decode_chunk",
    "describe_pipeline",
    "encode_chunk",
    "filter_for",
    "get_filter",
    "h5py_encoders",
    "h5py_filter",
    "normalize_filter_args",
    "register_filter",
]
