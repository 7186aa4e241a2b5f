"""An xarray backend: ``xarray.open_dataset(path, engine="h5pure")``.

Reads netCDF-4 files (written by netCDF-C, netCDF4-python, h5netcdf or xarray) and plain
HDF5 files through h5pure, with the reading rules h5netcdf applies on top of h5py, so a
dataset opened with ``engine="h5pure"`` is identical to one opened with
``engine="h5netcdf"``:

* a dataset carrying ``CLASS="DIMENSION_SCALE"`` is a dimension of its group; it is also a
  variable unless its ``NAME`` says "This is a netCDF dimension but not a netCDF variable";
* a variable's dimensions are, in order of preference, its ``_Netcdf4Coordinates`` ids (a
  multi-dimensional coordinate variable), the last scale attached to each axis
  (``DIMENSION_LIST``), its own name when it is a dimension, else phony dimensions
  ``phony_dim_N`` (``phony_dims="access"`` numbers them along the opened groups,
  ``"sort"`` over the whole file as netCDF-C does);
* a variable is as long as its dimensions: a variable shorter than an unlimited dimension
  reads as padded with its fill value;
* the bookkeeping attributes (``CLASS``, ``NAME``, ``DIMENSION_LIST``, ``REFERENCE_LIST``,
  ``_Netcdf4Dimid``, ``_Netcdf4Coordinates``, ``_nc3_strict``, ``_NCProperties``) are
  hidden, text attributes become ``str`` and one-element arrays scalars;
* variable-length strings read as ``str`` objects.

CF decoding (``_FillValue``, ``scale_factor``, times...) is xarray's own. Data stay lazy:
each variable wraps an h5pure dataset, read on indexing; h5pure datasets pickle, so dask's
threaded and process schedulers can both read them.

This module imports xarray; ``import h5pure`` never imports it.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from xarray.backends.common import AbstractDataStore, BackendArray, BackendEntrypoint
from xarray.backends.store import StoreBackendEntrypoint
from xarray.coding.strings import create_vlen_dtype
from xarray.core import indexing
from xarray.core.utils import FrozenDict
from xarray.core.variable import Variable

from .dtypes import check_string_dtype, check_vlen_dtype
from .hl import Dataset, Empty, File, Group

HIDDEN_ATTRS = frozenset(
    [
        "CLASS",
        "NAME",
        "DIMENSION_LIST",
        "REFERENCE_LIST",
        "_Netcdf4Dimid",
        "_Netcdf4Coordinates",
        "_nc3_strict",
        "_NCProperties",
    ]
)
"""Attributes that encode netCDF-4 structure rather than user metadata."""

NOT_A_VARIABLE = "This is a netCDF dimension but not a netCDF variable"
NON_COORD_PREFIX = "_nc4_non_coord_"
"""netCDF-C's prefix for a variable named like a dimension it does not coordinate."""

PHONY_MODES = ("access", "sort")
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


# --- attributes ---------------------------------------------------------------------------


def read_attributes(obj: Group | Dataset) -> dict[str, Any]:
    """The netCDF attributes of ``obj`` as h5netcdf and xarray present them."""
    out: dict[str, Any] = {}
    for key in obj.attrs:
        if key in HIDDEN_ATTRS:
            continue
        value = _attribute_value(obj.attrs[key])
        if key not in ("_FillValue", "missing_value") and isinstance(value, bytes):
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError:
                pass  # xarray keeps undecodable bytes as bytes too
        out[key] = value
    return out


def _attribute_value(value: Any) -> Any:
    if isinstance(value, Empty):
        info = check_string_dtype(value.dtype)
        if info is not None and info.length == 1:
            return b""
        return np.array([], dtype=value.dtype)
    if isinstance(value, str):
        return value
    dtype = getattr(value, "dtype", None)
    if dtype is not None and dtype.kind == "S" and dtype.itemsize > 1:
        # fixed-length text decodes; one-byte strings are netCDF "char" arrays: bytes
        if np.ndim(value) == 0:
            value = bytes(value).decode("utf-8", "surrogateescape")
        else:
            value = [bytes(b).decode("utf-8", "surrogateescape") for b in value.flat]
    elif dtype is not None and np.ndim(value) and (dtype.kind == "S" or _holds_text(value)):
        value = value.tolist()
    if np.ndim(value) != 0 and len(value) == 1:
        return value[0]
    return value


def _holds_text(value: np.ndarray) -> bool:
    return value.dtype.kind == "O" and value.size > 0 and isinstance(value.flat[0], (str, bytes))


# --- dimensions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    """One netCDF dimension of a group."""

    name: str
    size: int
    unlimited: bool
    dimid: int | None
    """``_Netcdf4Dimid`` of a dimension scale; None for phony dimensions."""


def _is_scale(dset: Dataset) -> bool:
    return bool(_text(dset.attrs.get("CLASS", b"")) == "DIMENSION_SCALE")


def _text(value: Any) -> str:
    if isinstance(value, np.ndarray):
        value = value.reshape(-1)[0] if value.size else b""
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return str(value)


def _is_variable(dset: Dataset) -> bool:
    name = dset.attrs.get("NAME")
    return name is None or NOT_A_VARIABLE not in _text(name)


def _shape(dset: Dataset) -> tuple[int, ...]:
    return dset.shape or ()  # a null dataspace has no shape


def _basename(path: str | None) -> str:
    return (path or "").rsplit("/", 1)[-1]


def _scale_size(scale: Dataset) -> int:
    """A dimension scale's length; an unlimited one is as long as its longest user."""
    size = int(scale.shape[0]) if scale.shape else 0
    if scale.maxshape and scale.maxshape[0] is None and "REFERENCE_LIST" in scale.attrs:
        for ref, axis in np.asarray(scale.attrs["REFERENCE_LIST"]).reshape(-1).tolist():
            user = scale.file[ref]
            size = max(size, int(user.shape[int(axis)]))
    return size


def _axis_scale_names(dset: Dataset) -> list[list[str]]:
    """For each axis the names of the scales attached to it (``DIMENSION_LIST``)."""
    if "DIMENSION_LIST" not in dset.attrs:
        return [[] for _ in _shape(dset)]
    refs = np.asarray(dset.attrs["DIMENSION_LIST"], dtype=object).reshape(-1)
    return [[_basename(dset.file[r].name) for r in np.asarray(axis).reshape(-1)] for axis in refs]


def _labelling(dset: Dataset) -> str:
    """``"nodim"`` (scalar), ``"unlabeled"``, or ``"labeled"`` (a scale on every axis);
    a mix is malformed netCDF."""
    if not _shape(dset):
        return "nodim"
    counts = {len(names) for names in _axis_scale_names(dset)}
    if counts == {0}:
        return "unlabeled"
    if 0 in counts:
        raise ValueError(
            f"malformed variable {_basename(dset.name)} has mixing of labeled and "
            "unlabeled dimensions."
        )
    return "labeled"


class DimensionTable:
    """The dimensions of every group on the way from the root to the opened group.

    Phony dimensions are numbered as h5netcdf numbers them: ``"access"`` counts phony
    dimensions of the groups met so far, ``"sort"`` counts every dimension of the groups
    before this one in a depth-first walk of the whole file.
    """

    def __init__(self, root: Group, phony_dims: str) -> None:
        if phony_dims not in PHONY_MODES:
            raise ValueError(f"unknown value {phony_dims!r} for phony_dims; use 'sort' or 'access'")
        self._mode = phony_dims
        self._phony_count = 0
        self._labeled_count = 0
        self._groups: dict[str, dict[str, Dimension]] = {}
        if phony_dims == "sort":
            for group in _walk_groups(root):
                self._add_group(group)

    def of_group(self, group: Group) -> dict[str, Dimension]:
        name = group.name or "/"
        if name not in self._groups:
            self._add_group(group)
        return self._groups[name]

    def visible(self, group: Group) -> dict[str, Dimension]:
        """Dimensions seen from ``group``: its own, then its ancestors' (nearest first)."""
        paths = _ancestry(group.name or "/")
        tables = {path: self.of_group(group.file[path]) for path in reversed(paths)}
        chain: dict[str, Dimension] = {}
        for path in paths:
            for name, dim in tables[path].items():
                chain.setdefault(name, dim)
        return chain

    def _add_group(self, group: Group) -> None:
        dims: dict[str, Dimension] = {}
        phony_sizes: Counter[int] = Counter()
        for key, obj in _members(group):
            if not isinstance(obj, Dataset):
                continue
            if _is_scale(obj):
                dimid = obj.attrs.get("_Netcdf4Dimid")
                maxshape = obj.maxshape or (0,)
                dims[key] = Dimension(
                    key,
                    _scale_size(obj),
                    maxshape[0] is None,
                    None if dimid is None else int(np.asarray(dimid).reshape(-1)[0]),
                )
                self._labeled_count += 1
            elif _labelling(obj) == "unlabeled":
                phony_sizes |= Counter(_shape(obj))
        labeled_sizes = Counter(d.size for d in dims.values())
        for size, count in phony_sizes.items():
            for _ in range(labeled_sizes[size], count):
                number = self._phony_count
                if self._mode == "sort":
                    number += self._labeled_count
                name = f"phony_dim_{number}"
                dims[name] = Dimension(name, size, False, None)
                self._phony_count += 1
        self._groups[group.name or "/"] = dims

    def dimensions_of(self, dset: Dataset, group: Group) -> tuple[str, ...]:
        """The netCDF dimension names of variable ``dset`` of ``group``."""
        attrs = dset.attrs
        if "_Netcdf4Coordinates" in attrs and _is_scale(dset):
            by_id = {d.dimid: name for name, d in reversed(self.visible(group).items())}
            return tuple(by_id[int(i)] for i in np.asarray(attrs["_Netcdf4Coordinates"]).flat)
        scales = _axis_scale_names(dset)
        if "DIMENSION_LIST" in attrs and _labelling(dset) == "labeled":
            return tuple(names[-1] for names in scales)
        own = _basename(dset.name)
        if own in self.visible(group):
            return (own,)
        local = self.of_group(group)
        used: Counter[int] = Counter()
        names = []
        for axis, size in enumerate(_shape(dset)):
            if scales[axis]:
                names.append(scales[axis][0])
                continue
            same_size = [name for name, d in local.items() if d.size == size]
            names.append(same_size[used[size]])
            used[size] += 1
        return tuple(names)


def _members(group: Group) -> Iterator[tuple[str, Any]]:
    for key in group:
        yield key, group[key]


def _walk_groups(group: Group) -> Iterator[Group]:
    yield group
    for _, obj in _members(group):
        if isinstance(obj, Group):
            yield from _walk_groups(obj)


def _ancestry(path: str) -> list[str]:
    """``"/a/b"`` -> ``["/a/b", "/a", "/"]``."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:n]) for n in range(len(parts), -1, -1)]


# --- data ---------------------------------------------------------------------------------


class H5pureArray(BackendArray):
    """One variable's data, read from its h5pure dataset on indexing.

    ``shape`` is the netCDF shape (the sizes of the variable's dimensions); where the
    HDF5 dataset is shorter (an unlimited dimension grown by another variable) the rest
    reads as the dataset's fill value.
    """

    __slots__ = ("dset", "shape", "dtype", "_as_text")

    def __init__(self, dset: Dataset, shape: tuple[int, ...]) -> None:
        self.dset = dset
        self.shape = shape
        self._as_text = _is_vlen_text(dset.dtype)
        self.dtype = create_vlen_dtype(str) if self._as_text else dset.dtype

    def __getitem__(self, key: indexing.ExplicitIndexer) -> Any:
        return indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.OUTER_1VECTOR, self._getitem
        )

    def _read(self, key: tuple[Any, ...]) -> np.ndarray:
        source: Any = self.dset.asstr() if self._as_text else self.dset
        return np.asarray(source[key])

    def _getitem(self, key: tuple[Any, ...]) -> np.ndarray:
        if _shape(self.dset) == self.shape:
            return self._read(key)
        return self._padded(key)

    def _padded(self, key: tuple[Any, ...]) -> np.ndarray:
        """Read ``key`` of the netCDF shape: the bounding box of the selection, filled
        from the dataset where it has data and with the fill value beyond, then indexed
        in memory."""
        axes = [np.atleast_1d(np.arange(size)[k]) for k, size in zip(key, self.shape)]
        lows = [int(a.min()) if a.size else 0 for a in axes]
        highs = [int(a.max()) + 1 if a.size else 0 for a in axes]
        fill = "" if self._as_text else self.dset.fillvalue
        box = np.full([hi - lo for lo, hi in zip(lows, highs)], fill, dtype=self.dtype)
        stored = tuple(
            slice(min(lo, n), min(hi, n)) for lo, hi, n in zip(lows, highs, _shape(self.dset))
        )
        if all(s.stop > s.start for s in stored):
            box[tuple(slice(0, s.stop - s.start) for s in stored)] = self._read(stored)
        picked = box[np.ix_(*[a - lo for a, lo in zip(axes, lows)])]
        return picked[tuple(0 if isinstance(k, (int, np.integer)) else slice(None) for k in key)]


COMPRESSORS = {"gzip": "zlib", "szip": "szip", "307": "bzip2", "32004": "blosc", "32015": "zstd"}
"""HDF5 filters (h5pure's filter names, else ids) named as netCDF4-python's ``filters()``."""


def _filter_flags(dset: Dataset) -> dict[str, Any]:
    """The variable encoding netCDF4-python's ``Variable.filters()`` describes."""
    flags: dict[str, Any] = {name: False for name in COMPRESSORS.values()}
    flags.update(shuffle=dset.shuffle, fletcher32=dset.fletcher32)
    for name, opts in dset._filters.items():
        if name in COMPRESSORS:
            flags[COMPRESSORS[name]] = True
            if opts is not None and np.size(opts):
                flags["complevel"] = np.atleast_1d(opts)[0]
    return flags


def _is_vlen_text(dtype: np.dtype) -> bool:
    info = check_string_dtype(dtype)
    return info is not None and info.length is None


# --- the store ----------------------------------------------------------------------------


class H5pureStore(AbstractDataStore):
    """A read-only xarray data store over one group of an h5pure file."""

    def __init__(
        self,
        group: Group,
        *,
        phony_dims: str = "access",
        close_file: bool = True,
        source: Any = None,
    ) -> None:
        self.group = group
        self._close_file = close_file
        self._dims = DimensionTable(group.file, phony_dims)
        self._filename = source

    @classmethod
    def open(
        cls,
        filename_or_obj: Any,
        group: str | None = None,
        phony_dims: str = "access",
        **file_kwds: Any,
    ) -> H5pureStore:
        """Open a path, file object, or an open h5pure ``File``/``Group`` (left open)."""
        source: str | None
        if isinstance(filename_or_obj, Group):
            root, close_file = filename_or_obj, False
            source = root.file.filename
        else:
            if isinstance(filename_or_obj, os.PathLike):
                filename_or_obj = os.fspath(filename_or_obj)
            source = os.path.abspath(filename_or_obj) if isinstance(filename_or_obj, str) else None
            root, close_file = File(filename_or_obj, "r", **file_kwds), True
        try:
            node = root[group] if group not in (None, "", "/") else root
            if not isinstance(node, Group):
                raise ValueError(f"group {group!r} is not a group of {root.file.filename!r}")
            return cls(node, phony_dims=phony_dims, close_file=close_file, source=source)
        except BaseException:
            if close_file:
                root.file.close()
            raise

    def _datasets(self) -> Iterator[tuple[str, Dataset]]:
        for key, obj in _members(self.group):
            if isinstance(obj, Dataset) and _is_variable(obj):
                yield key.removeprefix(NON_COORD_PREFIX), obj

    def get_variables(self) -> Mapping[str, Any]:
        return FrozenDict((name, self._variable(dset)) for name, dset in self._datasets())

    def _variable(self, dset: Dataset) -> Variable:
        dims = self._dims.dimensions_of(dset, self.group)
        visible = self._dims.visible(self.group)
        shape = tuple(
            max(visible[d].size, n) if d in visible else n for d, n in zip(dims, _shape(dset))
        )
        array = H5pureArray(dset, shape)
        encoding: dict[str, Any] = {
            "dtype": str if array._as_text else dset.dtype,
            "source": self._filename,
            "original_shape": shape,
        }
        encoding.update(_filter_flags(dset))
        if dset.chunks:
            encoding.update(
                contiguous=False,
                chunksizes=dset.chunks,
                preferred_chunks=dict(zip(dims, dset.chunks)),
            )
        else:
            encoding.update(contiguous=True, chunksizes=None)
        if dset.compression not in (None, "gzip"):
            encoding.update(compression=dset.compression, compression_opts=dset.compression_opts)
        if check_vlen_dtype(dset.dtype) not in (None, str, bytes):
            encoding["dtype"] = dset.dtype
        data = indexing.LazilyIndexedArray(array)
        return Variable(dims, data, read_attributes(dset), encoding)

    def get_attrs(self) -> Mapping[str, Any]:
        return FrozenDict(read_attributes(self.group))

    def get_dimensions(self) -> Mapping[str, Any]:
        return FrozenDict((k, d.size) for k, d in self._dims.of_group(self.group).items())

    def get_parent_dimensions(self) -> Mapping[str, Any]:
        own = self._dims.of_group(self.group)
        visible = self._dims.visible(self.group)
        return FrozenDict((k, d.size) for k, d in visible.items() if k not in own)

    def get_encoding(self) -> dict[str, Any]:
        dims = self._dims.of_group(self.group)
        return {"unlimited_dims": {k for k, d in dims.items() if d.unlimited}}

    def close(self, **kwargs: Any) -> None:
        if self._close_file:
            self.group.file.close()


# --- the entry point ----------------------------------------------------------------------


class H5pureBackendEntrypoint(BackendEntrypoint):
    """Open netCDF-4 and HDF5 files with h5pure: ``xarray.open_dataset(path,
    engine="h5pure")``; also takes an open ``h5pure.File`` or ``Group`` (left open).

    Keywords beyond xarray's decoding ones: ``group`` (path of the group to open),
    ``phony_dims`` (``"access"`` or ``"sort"``, as h5netcdf), ``driver`` and any other
    ``h5pure.File`` keyword through ``open_kwargs``.
    """

    description = "Open netCDF-4 (.nc, .nc4) and HDF5 files with h5pure (pure Python)"
    open_dataset_parameters = (
        "filename_or_obj",
        "mask_and_scale",
        "decode_times",
        "concat_characters",
        "decode_coords",
        "drop_variables",
        "use_cftime",
        "decode_timedelta",
        "group",
        "phony_dims",
        "driver",
        "open_kwargs",
    )
    supports_groups = True

    def guess_can_open(self, filename_or_obj: Any) -> bool:
        if isinstance(filename_or_obj, Group):
            return True
        if isinstance(filename_or_obj, (str, os.PathLike)):
            path = os.fspath(filename_or_obj)
            try:
                with open(path, "rb") as fh:
                    return fh.read(8) == HDF5_SIGNATURE
            except OSError:
                return os.path.splitext(str(path))[1] in {".nc", ".nc4", ".h5", ".hdf5"}
        return False

    def open_dataset(  # type: ignore[override]
        self,
        filename_or_obj: Any,
        *,
        mask_and_scale: Any = True,
        decode_times: Any = True,
        concat_characters: Any = True,
        decode_coords: Any = True,
        drop_variables: str | Iterable[str] | None = None,
        use_cftime: Any = None,
        decode_timedelta: Any = None,
        group: str | None = None,
        phony_dims: str = "access",
        driver: str | None = None,
        open_kwargs: dict[str, Any] | None = None,
    ) -> Any:
        kwds = dict(open_kwargs or {})
        if driver is not None:
            kwds["driver"] = driver
        store = H5pureStore.open(filename_or_obj, group=group, phony_dims=phony_dims, **kwds)
        try:
            return StoreBackendEntrypoint().open_dataset(
                store,
                mask_and_scale=mask_and_scale,
                decode_times=decode_times,
                concat_characters=concat_characters,
                decode_coords=decode_coords,
                drop_variables=drop_variables,
                use_cftime=use_cftime,
                decode_timedelta=decode_timedelta,
            )
        except BaseException:
            store.close()
            raise
