"""Dimension scales as libhdf5's H5DS stores them (``CLASS``, ``NAME``,
``DIMENSION_LIST``, ``REFERENCE_LIST``, ``DIMENSION_LABELS`` attributes)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from ..dtypes import ref_dtype, string_dtype, vlen_dtype
from ..lowlevel.specs import AttributeSpec

if TYPE_CHECKING:
    from .dataset import Dataset


def _as_text(value: Any) -> str:
    if isinstance(value, np.ndarray):
        value = value.reshape(-1)[0] if value.size else b""
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
    return str(value)


def _reference_list_dtype() -> np.dtype:
    # H5DS's ds_list_t: an object reference and an unsigned int, padded to 16 bytes
    return np.dtype(
        {
            "names": ["dataset", "dimension"],
            "formats": [ref_dtype, "<u4"],
            "offsets": [0, 8],
            "itemsize": 16,
        }
    )


REFERENCE_LIST_DTYPE = _reference_list_dtype()


def _reference_list(scale: Dataset) -> np.ndarray:
    if "REFERENCE_LIST" not in scale.attrs:
        return np.zeros(0, dtype=REFERENCE_LIST_DTYPE)
    old = np.asarray(scale.attrs["REFERENCE_LIST"]).reshape(-1)
    out = np.empty(len(old), dtype=REFERENCE_LIST_DTYPE)
    out["dataset"] = old["dataset"]
    out["dimension"] = old["dimension"]
    return out


def make_scale(dset: Dataset, name: str | None = "") -> None:
    """``H5DSset_scale``: mark ``dset`` as a dimension scale with a ``NAME`` (h5py always
    passes one, "" included; ``None`` writes no ``NAME``, as when attaching makes a scale)."""
    if dset.attrs.get("DIMENSION_LIST") is not None:
        raise RuntimeError("Unable to set scale (a dataset with attached scales cannot be a scale)")
    _set_cstring(dset, "CLASS", b"DIMENSION_SCALE")
    if name is not None:
        _set_cstring(dset, "NAME", name.encode() if isinstance(name, str) else bytes(name))


def _set_cstring(dset: Dataset, attr: str, value: bytes) -> None:
    """A scalar NUL-terminated ASCII string attribute of ``len(value) + 1`` bytes, the type
    H5DS gives ``CLASS`` and ``NAME`` (h5py's fixed strings would be NUL-padded)."""
    writer = dset._fs.writer
    if writer is None:
        raise ValueError("Unable to set scale (no write intent on file)")
    writer.set_attribute(dset._info.address, AttributeSpec(attr, np.dtype("S1"), None, text=value))


def is_scale(dset: Dataset) -> bool:
    """Whether ``dset`` is a dimension scale: its ``CLASS`` attribute says ``DIMENSION_SCALE``."""
    attrs = dset.attrs
    return "CLASS" in attrs and _as_text(attrs["CLASS"]) == "DIMENSION_SCALE"


class DimensionProxy:
    """``dset.dims[i]``: the label and the scales attached to one dimension."""

    def __init__(self, dset: Dataset, dim: int) -> None:
        self._dset = dset
        self._dim = dim

    def _index(self) -> int:
        if self._dim < 0:
            # h5py hands a negative index to H5DS, whose unsigned index refuses it
            raise OverflowError("can't convert negative value to unsigned int")
        return self._dim

    def __hash__(self) -> int:
        return hash((type(self), self._dset.id, self._dim))

    def __eq__(self, other: object) -> bool:
        return hash(self) == hash(other)

    @property
    def label(self) -> str:
        """The dimension's label (``''`` when unset); setting it writes ``DIMENSION_LABELS`` as
        libhdf5's ``H5DSset_label``."""
        self._index()
        attrs = self._dset.attrs
        if "DIMENSION_LABELS" not in attrs:
            return ""
        labels = np.asarray(attrs["DIMENSION_LABELS"]).reshape(-1)
        if self._dim >= len(labels):
            return ""
        return _as_text(labels[self._dim])

    @label.setter
    def label(self, value: str) -> None:
        """``H5DSset_label``: one vlen string per dimension in ``DIMENSION_LABELS``."""
        self._index()
        rank = len(self._dset.shape or ())
        attrs = self._dset.attrs
        labels = np.empty(rank, dtype=string_dtype("ascii"))
        labels[...] = b""
        if "DIMENSION_LABELS" in attrs:
            for i, old in enumerate(np.asarray(attrs["DIMENSION_LABELS"]).reshape(-1)[:rank]):
                labels[i] = old if isinstance(old, bytes) else str(old).encode()
        labels[self._dim] = value.encode() if isinstance(value, str) else bytes(value)
        attrs.create("DIMENSION_LABELS", labels)

    def attach_scale(self, scale: Dataset) -> None:
        """``H5DSattach_scale``: reference ``scale`` from this dimension, and this dataset
        from the scale's ``REFERENCE_LIST``."""
        dset = self._dset
        self._index()
        if scale == dset:
            raise RuntimeError(
                "Unable to attach dimension scale (a dataset cannot be its own scale)"
            )
        if is_scale(dset):
            raise RuntimeError("Unspecified error in H5DSattach_scale (return value <0)")
        if not is_scale(scale):
            make_scale(scale, None)
        rank = len(dset.shape or ())
        attrs = dset.attrs
        lists = np.empty(rank, dtype=vlen_dtype(ref_dtype))
        for i in range(rank):
            lists[i] = np.zeros(0, dtype=ref_dtype)
        if "DIMENSION_LIST" in attrs:
            for i, old in enumerate(
                np.asarray(attrs["DIMENSION_LIST"], dtype=object).reshape(-1)[:rank]
            ):
                lists[i] = np.asarray(old, dtype=ref_dtype)
        current = [r for r in lists[self._dim] if r]
        if any(r.address == scale.ref.address for r in current):
            return
        new = np.empty(len(current) + 1, dtype=ref_dtype)
        new[:-1] = current
        new[-1] = scale.ref
        lists[self._dim] = new
        attrs.create("DIMENSION_LIST", lists)
        backrefs = _reference_list(scale)
        # (np.concatenate would drop the padding of the structured dtype)
        table = np.empty(len(backrefs) + 1, dtype=REFERENCE_LIST_DTYPE)
        table[:-1] = backrefs
        table["dataset"][-1] = dset.ref
        table["dimension"][-1] = self._dim
        scale.attrs.create("REFERENCE_LIST", table)

    def detach_scale(self, scale: Dataset) -> None:
        """``H5DSdetach_scale``: undo :meth:`attach_scale`."""
        dset = self._dset
        self._index()
        attrs = dset.attrs
        if "DIMENSION_LIST" not in attrs:
            raise RuntimeError("Unable to detach dimension scale (no scales attached)")
        lists = np.asarray(attrs["DIMENSION_LIST"], dtype=object).reshape(-1)
        current = [r for r in lists[self._dim] if r]
        kept = [r for r in current if r.address != scale.ref.address]
        if len(kept) == len(current):
            raise RuntimeError("Unable to detach dimension scale (scale not attached)")
        out = np.empty(len(lists), dtype=vlen_dtype(ref_dtype))
        for i, refs in enumerate(lists):
            out[i] = np.asarray(kept if i == self._dim else list(refs), dtype=ref_dtype)
        if all(len(v) == 0 for v in out):
            del attrs["DIMENSION_LIST"]
        else:
            attrs.create("DIMENSION_LIST", out)
        backrefs = _reference_list(scale)
        keep = [
            i
            for i, (ref, dim) in enumerate(zip(backrefs["dataset"], backrefs["dimension"]))
            if not (ref and ref.address == dset.ref.address and int(dim) == self._dim)
        ]
        if keep:
            table = np.empty(len(keep), dtype=REFERENCE_LIST_DTYPE)
            table[...] = backrefs[keep]
            scale.attrs.create("REFERENCE_LIST", table)
        elif "REFERENCE_LIST" in scale.attrs:
            del scale.attrs["REFERENCE_LIST"]

    def _scales(self) -> list[Dataset]:
        self._index()
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

    def __iter__(self) -> Iterator[str]:
        """The names of the attached scales (as h5py's, which iterates ``keys()``)."""
        yield from self.keys()

    def __getitem__(self, item: int | str) -> Dataset:
        scales = self._scales()
        if isinstance(item, int):
            if not scales:
                raise RuntimeError("Unspecified error in H5DSiterate_scales (return value <0)")
            return scales[item]
        for s in scales:
            if _scale_name(s) == item:
                return s
        raise KeyError(f"No such scale: {item!r}")

    def keys(self) -> list[str]:
        """The names of the scales attached to this dimension."""
        return [_scale_name(s) for s in self._scales()]

    def values(self) -> list[Dataset]:
        """The scales (datasets) attached to this dimension."""
        return self._scales()

    def items(self) -> list[tuple[str, Dataset]]:
        """``(name, scale)`` pairs of the scales attached to this dimension, in the order
        attached."""
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
        if index > len(self) - 1:
            raise IndexError("Index out of range")
        return DimensionProxy(self._dset, index)

    def __iter__(self) -> Iterator[DimensionProxy]:
        for i in range(len(self)):
            yield self[i]

    def create_scale(self, dset: Dataset, name: str = "") -> None:
        """Deprecated h5py spelling of ``dset.make_scale(name)``."""
        # (h5py warns with its H5pyDeprecationWarning, a UserWarning)
        warnings.warn(
            "other_ds.dims.create_scale(ds, name) is deprecated. Use ds.make_scale(name) instead.",
            UserWarning,
            stacklevel=2,
        )
        make_scale(dset, name)

    def __repr__(self) -> str:
        return f"<Dimensions of HDF5 object at {id(self._dset)}>"
