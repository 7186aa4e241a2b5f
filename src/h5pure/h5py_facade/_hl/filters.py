"""h5py's ``filters`` module (``h5py.filters``, ``h5py._hl.filters``): which filters can
encode and decode here, h5py's filter references, and the chunk-shape guess -- all from
h5pure's filter registry (:mod:`h5pure.filters`), so adding a filter there adds it here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...filters import available_filters, describe_pipeline, filter_for, h5py_encoders
from ...format.messages.filter_pipeline import FilterInfo
from ...selection.chunking import guess_chunk
from .._ids import module_getattr

__all__ = [
    "CHUNK_BASE",
    "CHUNK_MAX",
    "CHUNK_MIN",
    "DEFAULT_GZIP",
    "DEFAULT_SZIP",
    "FilterRefBase",
    "Gzip",
    "decode",
    "encode",
    "get_filters",
    "guess_chunk",
]

__getattr__ = module_getattr(globals())

_COMP_FILTERS = {
    "gzip": 1,
    "szip": 4,
    "lzf": 32000,
    "shuffle": 2,
    "fletcher32": 3,
    "scaleoffset": 6,
}
"""h5py's filter names -> HDF5 filter ids."""
DEFAULT_GZIP = 4
DEFAULT_SZIP = ("nn", 8)
CHUNK_BASE = 16 * 1024
CHUNK_MIN = 8 * 1024
CHUNK_MAX = 1024 * 1024

encode = h5py_encoders()
"""h5py's names of the filters that can write here."""
decode = tuple(
    name
    for name, fid in _COMP_FILTERS.items()
    if fid in available_filters() and filter_for(fid).h5py_name == name
)
"""h5py's names of the filters that can read here."""


class FilterRefBase(Mapping):  # type: ignore[type-arg]
    """A reference to a filter and its options, usable as ``compression=`` (and, as a
    mapping, as ``**kwargs`` of ``create_dataset``)."""

    filter_id: int | None = None
    filter_options: tuple[Any, ...] = ()

    @property
    def _kwargs(self) -> dict[str, Any]:
        return {"compression": self.filter_id, "compression_opts": self.filter_options}

    def __hash__(self) -> int:
        return hash((self.filter_id, self.filter_options))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, FilterRefBase)
            and self.filter_id == other.filter_id
            and self.filter_options == other.filter_options
        )

    def __len__(self) -> int:
        return len(self._kwargs)

    def __iter__(self) -> Iterator[str]:
        return iter(self._kwargs)

    def __getitem__(self, item: str) -> Any:
        return self._kwargs[item]


class Gzip(FilterRefBase):
    """The deflate filter at ``level`` (0-9)."""

    filter_id = 1

    def __init__(self, level: int = DEFAULT_GZIP) -> None:
        self.filter_options = (level,)


def get_filters(plist: Any) -> dict[Any, Any]:
    """h5py's filter dict of a dataset creation property list: each filter's h5py name
    (else its id) -> its options, as ``Dataset._filters``."""
    infos = [
        FilterInfo(code, name.decode("ascii", "replace") or None, flags, tuple(values))
        for code, flags, values, name in (plist.get_filter(i) for i in range(plist.get_nfilters()))
    ]
    return describe_pipeline(infos).filters
