"""Dimension scales as libhdf5's H5DS stores them (``CLASS``, ``NAME``,
``DIMENSION_LIST``, ``REFERENCE_LIST``, ``DIMENSION_LABELS`` attributes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .dataset import Dataset


def _as_text(value: Any) -> str:
    if isinstance(value, np.ndarray):
        value = value.reshape(-1)[0] if value.size else b""
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
    return str(value)


def is_scale(dset: Dataset) -> bool:
    attrs = dset.attrs
    return "CLASS" in attrs and _as_text(attrs["CLASS"]) == "DIMENSION_SCALE"


class DimensionProxy:
    """``dset.dims[i]``: the label and the scales attached to one dimension."""

    def __init__(self, dset: Dataset, dim: int) -> None:
        self._dset = dset
        self._dim = dim

    @property
    def label(self) -> str:
        attrs = self._dset.attrs
        if "DIMENSION_LABELS" not in attrs:
            return ""
        labels = np.asarray(attrs["DIMENSION_LABELS"]).reshape(-1)
        if self._dim >= len(labels):
            return ""
        return _as_text(labels[self._dim])

    def _scales(self) -> list[Dataset]:
        attrs = self._dset.attrs
        if "DIMENSION_LIST" not in attrs:
            return []
        lists = np.asarray(attrs["DIMENSION_LIST"], dtype=object).reshape(-1)
        if self._dim >= len(lists):
            return []
        refs = lists[self._dim]
        return [self._dset.file[r] for r in np.asarray(refs, dtype=object).reshape(-1) if r]

    def __len__(self) -> int:
        return len(self._scales())

    def __iter__(self) -> Iterator[Dataset]:
        yield from self._scales()

    def __getitem__(self, item: int | str) -> Dataset:
        scales = self._scales()
        if isinstance(item, int):
            return scales[item]
        for s in scales:
            if _scale_name(s) == item:
                return s
        raise KeyError(f"No such scale: {item!r}")

    def keys(self) -> list[str]:
        return [_scale_name(s) for s in self._scales()]

    def values(self) -> list[Dataset]:
        return self._scales()

    def items(self) -> list[tuple[str, Dataset]]:
        return [(_scale_name(s), s) for s in self._scales()]

    def __repr__(self) -> str:
        return f'<"{self.label}" dimension {self._dim} of HDF5 dataset at {id(self._dset)}>'


def _scale_name(scale: Dataset) -> str:
    attrs = scale.attrs
    return _as_text(attrs["NAME"]) if "NAME" in attrs else ""


class DimensionManager:
    """``dset.dims``: one :class:`DimensionProxy` per axis."""

    def __init__(self, dset: Dataset) -> None:
        self._dset = dset

    def __len__(self) -> int:
        return len(self._dset.shape or ())

    def __getitem__(self, index: int) -> DimensionProxy:
        if not -len(self) <= index < len(self):
            raise IndexError("Index out of range")
        return DimensionProxy(self._dset, index % len(self))

    def __iter__(self) -> Iterator[DimensionProxy]:
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        return f"<Dimensions of HDF5 object at {id(self._dset)}>"
