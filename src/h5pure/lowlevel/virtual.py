"""Virtual datasets (VDS): read a selection of a virtual dataset from its source datasets.

The mapping list lives in the global heap (spec III.F, decoded by
:mod:`h5pure.format.vds`).  Each mapping pairs a selection of the virtual dataset with a
selection of one source dataset; the k-th selected element of one (in C order) is the
k-th of the other (libhdf5 ``src/H5Dvirtual.c``).  Elements no mapping covers, and those
whose source file or dataset cannot be opened, read as the fill value.

Source file names resolve as ``H5F_prefix_open_file`` (``src/H5Fint.c``) does: an
absolute name first as given, then (by its last component) under each ``HDF5_VDS_PREFIX``
entry, the directory of the virtual dataset's file, and the current directory.  ``"."``
is the virtual dataset's own file.  A mapping whose virtual selection is unlimited makes
the dataset's extent follow its sources (libhdf5's default "last available" view);
``%b`` in a source name numbers the blocks of such a selection.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..errors import FormatError, ObjectNotFoundError, UnsupportedFeatureError
from ..format.selection_codec import RegularHyperslab, SelectionType, SerializedSelection
from ..format.vds import VirtualMapping, decode_vds_block, read_vds_mappings
from ..selection import Selection, select
from .paths import find_object

if TYPE_CHECKING:
    from .dataset import DatasetStorage
    from .file import FileState

_MAX_PRINTF_BLOCKS = 1 << 20

# h5py.h5s selection type constants
SEL_NONE, SEL_POINTS, SEL_HYPERSLABS, SEL_ALL = 0, 1, 2, 3


# ---------------------------------------------------------------------- public value types


class VirtualSelection:
    """One side of a mapping, as ``h5py``'s ``SpaceID`` shows it in a ``VDSmap``:
    ``shape`` (the extent), ``get_select_type()``, ``get_regular_hyperslab()``,
    ``get_select_bounds()``, ``get_select_npoints()``; plus :attr:`coordinates` (the
    selected elements, C order) and :attr:`slices` (a numpy index, when one exists)."""

    def __init__(self, selection: SerializedSelection, shape: tuple[int, ...]) -> None:
        self.selection = selection
        self.shape = shape

    def __repr__(self) -> str:
        return f"<VirtualSelection {self.selection.kind.value} of extent {self.shape}>"

    def get_simple_extent_dims(self) -> tuple[int, ...]:
        return self.shape

    def get_select_type(self) -> int:
        return {
            SelectionType.NONE: SEL_NONE,
            SelectionType.POINTS: SEL_POINTS,
            SelectionType.HYPERSLABS: SEL_HYPERSLABS,
            SelectionType.ALL: SEL_ALL,
        }[self.selection.kind]

    def is_regular_hyperslab(self) -> bool:
        return self.selection.regular is not None

    def get_regular_hyperslab(self) -> tuple[tuple[Any, ...], ...]:
        """``(start, stride, count, block)``, normalised as libhdf5 reports it (adjacent
        blocks merged; ``h5py.h5s.UNLIMITED`` for unlimited counts)."""
        reg = self.selection.regular
        if reg is None:
            raise ValueError("selection is not a regular hyperslab")
        unlimited = (1 << 64) - 1
        start, stride, count, block = [], [], [], []
        for st, sd, ct, bl in zip(reg.start, reg.stride, reg.count, reg.block):
            if ct is not None and bl is not None and (ct == 1 or sd == bl):
                bl, ct, sd = bl * ct, 1, 1
            start.append(st)
            stride.append(sd)
            count.append(unlimited if ct is None else ct)
            block.append(unlimited if bl is None else bl)
        return tuple(start), tuple(stride), tuple(count), tuple(block)

    def get_select_npoints(self) -> int:
        if self.selection.kind == SelectionType.ALL:
            return int(np.prod(self.shape, dtype=np.int64))
        return int(self.coordinates.shape[0])

    def get_select_bounds(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        bounds = _bounds(self.selection)
        if bounds is None:
            raise ValueError("selection has no bounds")
        return bounds

    @property
    def coordinates(self) -> np.ndarray:
        """The selected elements, ``(n, rank)`` int64, in the order they pair up."""
        if self.selection.kind == SelectionType.ALL:
            return np.argwhere(np.ones(self.shape, dtype=bool)).astype(np.int64)
        axes = _axis_sets(self.selection, self.shape)
        if axes is not None:
            return _product(axes)
        return _coordinates(self.selection, self.shape)

    @property
    def slices(self) -> tuple[Any, ...] | None:
        """A numpy index selecting the same elements (slices, or integer arrays per
        axis), or None when the selection is not an outer product of per-axis sets."""
        if self.selection.kind == SelectionType.ALL:
            return tuple(slice(0, n) for n in self.shape)
        axes = _axis_sets(self.selection, self.shape)
        if axes is None:
            return None
        out: list[Any] = []
        for a in axes:
            step = int(a[1] - a[0]) if len(a) > 1 else 1
            if len(a) and step > 0 and np.array_equal(a, a[0] + step * np.arange(len(a))):
                out.append(slice(int(a[0]), int(a[-1]) + 1, step))
            else:
                out.append(a)
        return tuple(out)


class VDSmap(NamedTuple):
    """One mapping, as ``h5py.Dataset.virtual_sources()`` returns it."""

    vspace: VirtualSelection
    file_name: str
    dset_name: str
    src_space: VirtualSelection


def virtual_mappings(storage: DatasetStorage) -> list[VDSmap]:
    out = []
    for m in _state(storage).mappings:
        vshape = tuple(int(n) for n in storage.shape)
        sb = _bounds(m.source_selection)
        sshape = () if sb is None else tuple(int(h) + 1 for h in sb[1])
        out.append(
            VDSmap(
                VirtualSelection(m.virtual_selection, vshape),
                m.source_file,
                m.source_dataset,
                VirtualSelection(m.source_selection, sshape),
            )
        )
    return out


# ---------------------------------------------------------------------------- selections


def _bounds(sel: SerializedSelection) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """Lowest and highest selected coordinate (None for ALL/NONE and unlimited)."""
    if sel.points is not None and sel.points:
        pts = np.array(sel.points, dtype=np.int64)
        return tuple(int(v) for v in pts.min(0)), tuple(int(v) for v in pts.max(0))
    if sel.blocks is not None and sel.blocks:
        lo = np.array([b[0] for b in sel.blocks], dtype=np.int64).min(0)
        hi = np.array([b[1] for b in sel.blocks], dtype=np.int64).max(0)
        return tuple(int(v) for v in lo), tuple(int(v) for v in hi)
    reg = sel.regular
    if reg is not None:
        if any(c is None for c in reg.count) or any(b is None for b in reg.block):
            return None
        hi = tuple(
            int(st + (int(ct or 0) - 1) * sd + int(bl or 0) - 1)
            for st, sd, ct, bl in zip(reg.start, reg.stride, reg.count, reg.block)
        )
        return tuple(int(s) for s in reg.start), hi
    return None


def _axis_sets(
    sel: SerializedSelection, extent: tuple[int, ...], clip: bool = False
) -> list[np.ndarray] | None:
    """Per-axis sorted coordinates when ``sel`` is their outer product (ALL, regular
    hyperslabs, one block), unlimited counts and blocks cut at ``extent``; None otherwise.
    ``clip``: keep only coordinates inside ``extent`` (what is cut is a suffix of each
    axis, and can be neither requested nor read), so the work is bounded by the extent
    whatever counts a corrupt selection records."""
    if sel.kind == SelectionType.ALL:
        return [np.arange(n, dtype=np.int64) for n in extent]
    if sel.kind == SelectionType.NONE:
        return [np.zeros(0, dtype=np.int64) for _ in extent]
    if len(extent) != sel.rank:
        raise FormatError(
            f"virtual dataset selection of rank {sel.rank} for a dataspace of rank {len(extent)}"
        )
    if sel.regular is not None:
        reg = sel.regular
        axes = []
        for d, (st, sd, ct, bl) in enumerate(zip(reg.start, reg.stride, reg.count, reg.block)):
            n = int(extent[d])
            block = max(n - st, 0) if bl is None else int(bl)
            stride = max(int(sd), 1)
            count = (max(n - st, 0) + stride - 1) // stride if ct is None else int(ct)
            if count > 1 and stride < block:
                raise FormatError(
                    f"virtual dataset selection: hyperslab blocks of {block} overlap at "
                    f"stride {stride}"
                )
            if clip or ct is None or bl is None:
                # blocks starting inside the extent, each cut at the extent
                count = min(count, max(0, -(-(n - st) // stride)))
                block = min(block, max(0, n - st))
            if count * block > 1 << 40:
                raise FormatError(f"virtual dataset selection of {count}x{block} elements")
            idx = (st + stride * np.arange(count, dtype=np.int64))[:, None] + np.arange(block)
            idx = idx.reshape(-1)
            if clip or ct is None or bl is None:
                idx = idx[idx < n]
            axes.append(idx)
        return axes
    if sel.blocks is not None and len(sel.blocks) == 1:
        start, end = sel.blocks[0]
        if clip:
            end = tuple(min(e, n - 1) for e, n in zip(end, extent))
        if sum(max(0, e - s + 1) for s, e in zip(start, end)) > 1 << 40:
            raise FormatError(f"virtual dataset selection block {start}-{end}")
        return [np.arange(s, e + 1, dtype=np.int64) for s, e in zip(start, end)]
    return None


def _product(axes: list[np.ndarray]) -> np.ndarray:
    if not axes:
        return np.zeros((1, 0), dtype=np.int64)
    grids = np.meshgrid(*axes, indexing="ij")
    return np.stack([g.reshape(-1) for g in grids], axis=-1).astype(np.int64)


def _uncut(sel: SerializedSelection, axes: list[np.ndarray]) -> bool:
    """``axes`` (from ``_axis_sets(sel, ..., clip=True)``) hold every coordinate the
    selection records: the extent cut none."""
    if sel.regular is not None:
        reg = sel.regular
        return all(
            ct is not None and bl is not None and len(a) == int(ct) * int(bl)
            for a, ct, bl in zip(axes, reg.count, reg.block)
        )
    if sel.blocks is not None and len(sel.blocks) == 1:
        start, end = sel.blocks[0]
        return all(len(a) == e - s + 1 for a, s, e in zip(axes, start, end))
    return True  # ALL and NONE are the extent itself


def _coordinates(sel: SerializedSelection, extent: tuple[int, ...]) -> np.ndarray:
    """Selected coordinates in C order (libhdf5 iterates hyperslabs in C order)."""
    if sel.points is not None:
        return np.array(sel.points, dtype=np.int64).reshape(-1, sel.rank)
    if sel.blocks is not None:
        total = sum(
            int(np.prod([max(0, e - s + 1) for s, e in zip(start, end)], dtype=object))
            for start, end in sel.blocks
        )
        if total > max(1, int(np.prod(extent, dtype=object))):
            raise FormatError(
                f"virtual dataset selection of {total} elements in blocks is larger than "
                f"its dataspace {tuple(extent)}"
            )
        parts = [
            _product([np.arange(s, e + 1, dtype=np.int64) for s, e in zip(start, end)])
            for start, end in sel.blocks
        ]
        if not parts:
            return np.zeros((0, sel.rank), dtype=np.int64)
        coords = np.concatenate(parts)
        dims = tuple(int(v) + 1 for v in coords.max(0))
        flat = np.unique(np.ravel_multi_index(tuple(coords.T), dims))
        return np.stack(np.unravel_index(flat, dims), axis=-1).astype(np.int64)
    return sel.coordinates(extent)


# ------------------------------------------------------------------------ opening sources


@dataclass
class VirtualState:
    """The mappings of one virtual dataset, decoded once per open file."""

    mappings: tuple[VirtualMapping, ...]
    fs: FileState
    sources: dict[tuple[str, str, str | None], tuple[FileState, Any]] = field(
        default_factory=dict
    )
    """Source datasets found, by (file name, dataset name, prefix): their file and object,
    kept as libhdf5 keeps a virtual dataset's sources open once opened (a missing one is
    looked for again at every read); not kept while this process writes the source's
    file, whose links may change, nor when it is read through a file the user has open,
    which may close first."""


def _cached_source(
    state: VirtualState, file_name: str, dset_name: str, prefix: str | None
) -> DatasetStorage | None:
    key = (file_name, dset_name, prefix)
    found = state.sources.get(key)
    if found is not None:
        src_fs, info = found
        if src_fs.writer is None and src_fs.is_open:
            return src_fs.dataset(info)  # (its storage as the file's views now hold it)
    found = _find_source(state.fs, file_name, dset_name, prefix)
    if found is None:
        return None
    src_fs = found[0]
    owned = src_fs is state.fs or any(src_fs is o for o in state.fs.vds_sources.values())
    if owned and src_fs.writer is None:
        # (a source read through a File the user has open is not kept: it may close)
        state.sources[key] = found
    return src_fs.dataset(found[1])


def _state(storage: DatasetStorage) -> VirtualState:
    views = storage.fs.views(storage.address)
    state = views.virtual
    if state is None:
        state = views.virtual = _read_state(storage)
    return state


def _read_state(storage: DatasetStorage) -> VirtualState:
    layout = storage.layout
    heap_address = getattr(layout, "virtual_heap_address", None)
    heap_index = getattr(layout, "virtual_heap_index", None)
    if heap_address is None or heap_index is None:
        raise FormatError(f"virtual dataset at 0x{storage.address:x}: no mapping heap ID")
    writer = storage.fs.writer
    fresh = writer.heap.get(int(heap_address), int(heap_index)) if writer else None
    if fresh is not None:  # created in this session, not flushed yet
        block = decode_vds_block(fresh, storage.fs.ctx, int(heap_address))
    else:
        block = read_vds_mappings(
            storage.fs.source, storage.fs.ctx, int(heap_address), int(heap_index)
        )
    rank = len(storage.stored_shape)
    for m in block.mappings:
        sel = m.virtual_selection
        if sel.kind not in (SelectionType.ALL, SelectionType.NONE) and sel.rank != rank:
            # libhdf5 checks the virtual selection against the dataspace likewise
            raise FormatError(
                f"virtual dataset at 0x{storage.address:x}: mapping selection of rank "
                f"{sel.rank} for a dataspace of rank {rank}"
            )
    return VirtualState(block.mappings, storage.fs)


def _find_source(
    fs: FileState, file_name: str, dset_name: str, prefix: str | None = None
) -> tuple[FileState, Any] | None:
    """The file and object of a mapping's source dataset; None when it is missing."""
    src_fs = fs.open_vds_source(file_name, prefix)
    if src_fs is None:
        return None
    try:
        info = find_object(src_fs, dset_name)
    except (ObjectNotFoundError, FormatError):
        return None
    if info is None or info.kind != "dataset":
        return None
    return src_fs, info


def _source_storage(
    fs: FileState, file_name: str, dset_name: str, prefix: str | None = None
) -> DatasetStorage | None:
    found = _find_source(fs, file_name, dset_name, prefix)
    return None if found is None else found[0].dataset(found[1])


# ------------------------------------------------------------------------------ printf


def _has_printf(name: str) -> bool:
    return "%b" in name.replace("%%", "")


def _printf(name: str, k: int) -> str:
    return "%".join(part.replace("%b", str(k)) for part in name.split("%%"))


def _unlimited_axis(sel: SerializedSelection) -> int | None:
    reg = sel.regular
    if reg is None:
        return None
    for d, (ct, bl) in enumerate(zip(reg.count, reg.block)):
        if ct is None or bl is None:
            return d
    return None


@dataclass(frozen=True)
class _Concrete:
    """A mapping with printf names expanded: one source, two selections."""

    file_name: str
    dset_name: str
    vsel: SerializedSelection
    ssel: SerializedSelection


def _expand(fs: FileState, m: VirtualMapping, vshape: tuple[int, ...]) -> Iterator[_Concrete]:
    if not (_has_printf(m.source_file) or _has_printf(m.source_dataset)):
        yield _Concrete(m.source_file, m.source_dataset, m.virtual_selection, m.source_selection)
        return
    reg = m.virtual_selection.regular
    u = _unlimited_axis(m.virtual_selection)
    if reg is None or u is None:
        raise UnsupportedFeatureError("printf-style VDS names need an unlimited hyperslab")
    block = reg.block[u]
    if block is None:
        raise UnsupportedFeatureError("printf-style VDS mapping with an unlimited block")
    for k in range(_MAX_PRINTF_BLOCKS):
        start = reg.start[u] + k * reg.stride[u]
        if start >= vshape[u]:
            return
        one = RegularHyperslab(
            reg.start[:u] + (start,) + reg.start[u + 1 :],
            reg.stride,
            reg.count[:u] + (1,) + reg.count[u + 1 :],
            reg.block,
        )
        vsel = SerializedSelection(SelectionType.HYPERSLABS, m.virtual_selection.rank, regular=one)
        yield _Concrete(
            _printf(m.source_file, k), _printf(m.source_dataset, k), vsel, m.source_selection
        )


# ------------------------------------------------------------------------------ extent


def virtual_extent(storage: DatasetStorage) -> tuple[int, ...]:
    """The extent libhdf5 reports for a virtual dataset: the stored one, grown or shrunk
    along unlimited dimensions to what the sources hold now ("last available" view)."""
    stored = storage.stored_shape
    state = _state(storage)
    prefix = storage.fs.virtual_prefixes.get(storage.address)
    new = list(stored)
    unlimited: dict[int, int] = {}
    fixed_max = [0] * len(stored)
    for m in state.mappings:
        u = _unlimited_axis(m.virtual_selection)
        if u is None:
            b = _bounds(m.virtual_selection)
            if b is not None:
                fixed_max = [max(f, h + 1) for f, h in zip(fixed_max, b[1])]
            continue
        size = _unlimited_size(state.fs, m, u, prefix)
        unlimited[u] = max(unlimited.get(u, 0), size)
    for u, size in unlimited.items():
        new[u] = max(size, fixed_max[u])
    return tuple(new)


def _unlimited_size(fs: FileState, m: VirtualMapping, u: int, prefix: str | None) -> int:
    reg = m.virtual_selection.regular
    assert reg is not None  # _unlimited_axis found one
    if _has_printf(m.source_file) or _has_printf(m.source_dataset):
        block = int(reg.block[u] or 0)
        end = 0
        for k in range(_MAX_PRINTF_BLOCKS):
            src = _source_storage(
                fs, _printf(m.source_file, k), _printf(m.source_dataset, k), prefix
            )
            if src is None:
                break
            end = reg.start[u] + k * reg.stride[u] + block
        return int(end)
    src = _source_storage(fs, m.source_file, m.source_dataset, prefix)
    if src is None:
        return 0
    saxes = _axis_sets(m.source_selection, src.shape)
    if saxes is None:
        return 0
    n = int(np.prod([len(a) for a in saxes], dtype=np.int64))
    others = 1
    for d, (ct, bl) in enumerate(zip(reg.count, reg.block)):
        if d != u:
            others *= int(ct or 0) * int(bl or 0)
    want = n // max(others, 1)
    if want == 0:
        return 0
    # the want-th selected index along the unlimited axis, plus one
    bl = reg.block[u]
    stride = max(int(reg.stride[u]), 1)
    block = want if bl is None else int(bl)
    k, r = divmod(want - 1, block)
    return int(reg.start[u] + k * stride + r + 1)


# ------------------------------------------------------------------------------ reading


def read_virtual(storage: DatasetStorage, sel: Any, out: np.ndarray) -> None:
    """Fill ``out`` (shape ``sel.mshape``, already holding the fill value) with the
    mapped elements of the selection ``sel``."""
    state = _state(storage)
    vshape = tuple(int(n) for n in storage.shape)
    request = _Request.from_selection(sel)
    boxes = _slice_request(sel)
    prefix = storage.fs.virtual_prefixes.get(storage.address)
    for m in state.mappings:
        printf = _has_printf(m.source_file) or _has_printf(m.source_dataset)
        for c in _expand(state.fs, m, vshape):
            src = _cached_source(state, c.file_name, c.dset_name, prefix)
            if src is None and printf:
                # the printf sources end at the first missing one (libhdf5's default
                # printf gap of 0, as in virtual_extent); looking further would probe
                # one name per block of an extent a corrupt file may make astronomic
                break
            if src is None:
                continue  # libhdf5 leaves the fill value where a source is missing
            if boxes is not None:
                vbox = _box(c.vsel, vshape)
                sbox = _box(c.ssel, tuple(int(n) for n in src.shape)) if vbox else None
                if sbox is not None and vbox is not None and _same_lengths(vbox, sbox):
                    _read_box(vbox, sbox, boxes, src, out, storage.storage_dtype)
                    continue
            _read_mapping(c, src, vshape, request, out, storage.storage_dtype)


# A mapping of one box onto one box (ALL, or a regular hyperslab of one block per axis,
# inside the extent, on either side) read by a request of a slice per axis: the overlap
# is worked out with integers per axis and read as one slab, no coordinate arrays --
# what most virtual datasets are (one source dataset per block of the virtual one).


def _slice_request(sel: Any) -> list[tuple[int, int, int]] | None:
    """``(start, step, count)`` per axis when the request is a slice on every axis."""
    if sel.points is not None:
        return None
    from ..selection.indexers import SliceIndexer  # (a read has loaded it)

    out = []
    for ax in sel.axes:
        if type(ax) is not SliceIndexer:
            return None
        out.append((ax.start, ax.step, ax.count))
    return out


def _box(sel: SerializedSelection, extent: tuple[int, ...]) -> list[tuple[int, int]] | None:
    """``[lo, hi)`` per axis when ``sel`` is one box inside ``extent``, else None."""
    if sel.kind == SelectionType.ALL:
        return [(0, n) for n in extent]
    reg = sel.regular
    if sel.kind != SelectionType.HYPERSLABS or reg is None or sel.rank != len(extent):
        return None
    box = []
    for st, ct, bl, n in zip(reg.start, reg.count, reg.block, extent):
        if ct != 1 or bl is None or st < 0 or bl < 1 or st + bl > n:
            return None
        box.append((int(st), int(st) + int(bl)))
    return box


def _same_lengths(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return len(a) == len(b) and all(h1 - l1 == h2 - l2 for (l1, h1), (l2, h2) in zip(a, b))


def _read_box(
    vbox: list[tuple[int, int]],
    sbox: list[tuple[int, int]],
    request: list[tuple[int, int, int]],
    src: DatasetStorage,
    out: np.ndarray,
    dtype: np.dtype,
) -> None:
    """The requested elements of the virtual box ``vbox`` from the source box ``sbox``
    (the same lengths): per axis, the request indices ``k`` whose coordinate
    ``start + k * step`` falls in the box, read from the source as one slab."""
    src_key = []
    out_key = []
    for (vlo, vhi), (slo, _), (start, step, count) in zip(vbox, sbox, request):
        first = max(0, -(-(vlo - start) // step))
        stop = min(count, -(-(vhi - start) // step))
        if first >= stop:
            return  # no requested element in this box
        at = slo + start + first * step - vlo
        src_key.append(slice(at, at + (stop - first - 1) * step + 1, step))
        out_key.append(slice(first, stop))
    key = tuple(src_key)
    data = None
    if all(k.step == 1 for k in src_key):
        data = src.read_simple(key)
    if data is None:
        data = src.read(select(key, src.shape))
    out[tuple(out_key)] = _cast(np.asarray(data).reshape([k.stop - k.start for k in out_key]), dtype)


class _AxisRequest(NamedTuple):
    """The requested coordinates along one axis: ``uniq`` sorted and unique; the output
    positions of ``uniq[i]`` are ``order[starts[i] : starts[i] + counts[i]]``."""

    uniq: np.ndarray
    order: np.ndarray
    starts: np.ndarray
    counts: np.ndarray
    once: bool
    """Every coordinate is requested once (no repeated index)."""

    @classmethod
    def of(cls, idx: np.ndarray) -> _AxisRequest:
        uniq, inverse, counts = np.unique(idx, return_inverse=True, return_counts=True)
        order = np.argsort(inverse.reshape(-1), kind="stable")
        starts = np.cumsum(counts) - counts
        return cls(uniq, order, starts, counts, bool(len(uniq) == len(idx)))

    def positions(self, hits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Output positions of the request entries ``hits`` (indices into ``uniq``),
        concatenated, and how many each has."""
        if self.once:
            return self.order[hits], np.ones(len(hits), dtype=np.int64)
        lens = self.counts[hits]
        first = np.cumsum(lens) - lens
        flat = np.repeat(self.starts[hits] - first, lens) + np.arange(int(lens.sum()))
        return self.order[flat], lens

    def find(self, coords: np.ndarray) -> np.ndarray:
        """Index into ``uniq`` of each coordinate, -1 where it is not requested."""
        pos = np.searchsorted(self.uniq, coords)
        ok = pos < len(self.uniq)
        ok[ok] = self.uniq[pos[ok]] == coords[ok]
        return np.where(ok, pos, -1)


class _Request:
    """The requested elements: per-axis requests (orthogonal selections), or
    coordinates with positions (points)."""

    def __init__(self, axes: list[_AxisRequest] | None, points: np.ndarray | None) -> None:
        self.axes = axes
        self.points = points

    @classmethod
    def from_selection(cls, sel: Any) -> _Request:
        if sel.points is not None:
            return cls(None, np.asarray(sel.points, dtype=np.int64))
        axes = [
            _AxisRequest.of(np.asarray(ax.indices(), dtype=np.int64).reshape(-1))
            for ax in sel.axes
        ]
        return cls(axes, None)


def _read_mapping(
    c: _Concrete,
    src: DatasetStorage,
    vshape: tuple[int, ...],
    request: _Request,
    out: np.ndarray,
    dtype: np.dtype,
) -> None:
    if c.vsel.kind != SelectionType.ALL and c.vsel.rank != len(vshape):
        raise FormatError(
            f"virtual dataset mapping selection of rank {c.vsel.rank} for a dataspace of "
            f"rank {len(vshape)}"
        )
    if request.axes is not None:
        # cut at the extents, the axes cost no more than the extents whatever a corrupt
        # selection records.  An unlimited selection is cut to the shorter side: along
        # each paired axis the coordinates increase (blocks cannot overlap), so the
        # pairs left are a prefix, exact.  Any other selection cut at an extent falls to
        # the general path below, which pairs element by element or refuses it.
        cut = _unlimited_axis(c.vsel) is not None or _unlimited_axis(c.ssel) is not None
        vaxes = _axis_sets(c.vsel, vshape, clip=True)
        saxes = _axis_sets(c.ssel, src.shape, clip=True)
        if (
            vaxes is not None
            and saxes is not None
            and (cut or (_uncut(c.vsel, vaxes) and _uncut(c.ssel, saxes)))
        ):
            pairing = _pair_axes(vaxes, saxes, cut)
            if pairing is not None:
                _read_separable(vaxes, saxes, pairing, src, request, out, dtype)
                return
    vaxes = _axis_sets(c.vsel, vshape)
    saxes = _axis_sets(c.ssel, src.shape)
    for axes, what in ((vaxes, "virtual"), (saxes, "source")):
        if axes is not None and math.prod(len(a) for a in axes) > max(
            math.prod(vshape), math.prod(src.shape)
        ):
            raise FormatError(
                f"virtual dataset mapping: the {what} selection holds more elements than "
                f"either dataspace ({tuple(vshape)}, {tuple(src.shape)})"
            )
    vcoords = _product(vaxes) if vaxes is not None else _coordinates(c.vsel, vshape)
    scoords = _product(saxes) if saxes is not None else _coordinates(c.ssel, src.shape)
    n = min(len(vcoords), len(scoords))
    _read_points(vcoords[:n], scoords[:n], src, vshape, request, out, dtype)


def _pair_axes(
    vaxes: list[np.ndarray], saxes: list[np.ndarray], cut: bool
) -> list[tuple[int, int]] | None:
    """Pairs (virtual axis, source axis) of the non-singleton axes, when the selections
    are outer products of matching per-axis lengths (the k-th element pairing then works
    axis by axis).  Unlimited selections are cut to the shorter side."""
    vk = [d for d, a in enumerate(vaxes) if len(a) != 1]
    sk = [d for d, a in enumerate(saxes) if len(a) != 1]
    if len(vk) != len(sk):
        return None
    for dv, ds in zip(vk, sk):
        if len(vaxes[dv]) != len(saxes[ds]):
            if not cut:
                return None
            n = min(len(vaxes[dv]), len(saxes[ds]))
            vaxes[dv] = vaxes[dv][:n]
            saxes[ds] = saxes[ds][:n]
    return list(zip(vk, sk))


def _read_separable(
    vaxes: list[np.ndarray],
    saxes: list[np.ndarray],
    pairing: list[tuple[int, int]],
    src: DatasetStorage,
    request: _Request,
    out: np.ndarray,
    dtype: np.dtype,
) -> None:
    assert request.axes is not None
    hit_req: list[np.ndarray] = []  # per virtual axis: indices into the request's uniq
    hit_map: list[np.ndarray] = []  # per virtual axis: positions within vaxes[d]
    for ax, a in zip(request.axes, vaxes):
        # the work is the smaller of the mapping's and the request's coordinates (times
        # a log): reading many small mappings stays linear in the elements read
        if len(a) <= len(ax.uniq):
            found = ax.find(a)
            mine = np.flatnonzero(found >= 0)
            if not len(mine):
                return
            hit_req.append(found[mine])
            hit_map.append(mine)
        else:
            uniq = ax.uniq
            pos = np.searchsorted(a, uniq)
            ok = pos < len(a)
            ok[ok] = a[pos[ok]] == uniq[ok]
            if not ok.any():
                return
            hit_req.append(np.nonzero(ok)[0])
            hit_map.append(pos[ok])
    src_index: list[Any] = [np.array([a[0]]) if len(a) == 1 else None for a in saxes]
    for dv, ds in pairing:
        src_index[ds] = _as_slice(saxes[ds][hit_map[dv]])
    key = tuple(
        slice(int(k[0]), int(k[0]) + 1) if isinstance(k, np.ndarray) and len(k) == 1 else k
        for k in src_index
    )
    data = None
    if all(isinstance(k, slice) for k in key):  # one block: the one-read fast path
        data = src.read_simple(key)
    if data is None:
        data = src.read(select(tuple(src_index), src.shape))
    # source axes in pairing order, then singleton virtual axes broadcast
    kept = [ds for _, ds in pairing]
    dropped = [d for d in range(len(saxes)) if d not in kept]
    data = data.transpose(kept + dropped).reshape([data.shape[d] for d in kept])
    vshape_sub = [1] * len(vaxes)
    for i, (dv, _) in enumerate(pairing):
        vshape_sub[dv] = data.shape[i]
    data = data.reshape(vshape_sub)
    data = _cast(data, dtype)
    _scatter(request, hit_req, data, out)


def _scatter(
    request: _Request, hit_req: list[np.ndarray], data: np.ndarray, out: np.ndarray
) -> None:
    """``out`` positions of the hit request coordinates get ``data`` (broadcast over
    singleton virtual axes and duplicate request indices)."""
    assert request.axes is not None
    out_axes = []
    take = []
    for ax, hits, n in zip(request.axes, hit_req, data.shape):
        positions, lens = ax.positions(hits)
        out_axes.append(positions)
        src_pos = np.repeat(np.arange(len(hits)) if n != 1 else np.zeros(len(hits), int), lens)
        take.append(src_pos)
    slices = [_as_slice(a) for a in out_axes]
    if all(isinstance(a, slice) for a in slices) and all(
        len(t) == n or n == 1 for t, n in zip(take, data.shape)
    ):  # one block of the output, in order: no index arrays
        out[tuple(slices)] = data
        return
    out[np.ix_(*out_axes)] = data[np.ix_(*take)]


def _as_slice(idx: np.ndarray) -> Any:
    """``idx`` as a step-1 slice when it is a run of consecutive integers (faster to
    select and to read), else unchanged."""
    n = len(idx)
    if n and int(idx[-1]) - int(idx[0]) == n - 1 and (n < 3 or bool(np.all(np.diff(idx) == 1))):
        return slice(int(idx[0]), int(idx[-1]) + 1)
    return idx


def _read_points(
    vcoords: np.ndarray,
    scoords: np.ndarray,
    src: DatasetStorage,
    vshape: tuple[int, ...],
    request: _Request,
    out: np.ndarray,
    dtype: np.dtype,
) -> None:
    if len(vcoords) == 0:
        return
    inside = np.all((vcoords >= 0) & (vcoords < np.array(vshape)), axis=1)
    inside &= np.all((scoords >= 0) & (scoords < np.array(src.shape)), axis=1)
    vcoords, scoords = vcoords[inside], scoords[inside]
    if request.points is not None:
        flat_req = np.ravel_multi_index(tuple(request.points.T), vshape)
        flat_map = np.ravel_multi_index(tuple(vcoords.T), vshape)
        order = np.argsort(flat_map)
        pos = np.searchsorted(flat_map[order], flat_req)
        ok = pos < len(order)
        ok[ok] = flat_map[order][pos[ok]] == flat_req[ok]
        if not ok.any():
            return
        rows = order[pos[ok]]
        values = src.read(Selection.from_points(scoords[rows], src.shape))
        out[np.nonzero(ok)[0]] = _cast(values, dtype)
        return
    assert request.axes is not None
    ids = np.stack([ax.find(vcoords[:, d]) for d, ax in enumerate(request.axes)], axis=-1)
    keep = np.all(ids >= 0, axis=1)
    if not keep.any():
        return
    values = _cast(src.read(Selection.from_points(scoords[keep], src.shape)), dtype)
    rows = ids[keep]
    if all(ax.once for ax in request.axes):
        out[tuple(ax.order[rows[:, d]] for d, ax in enumerate(request.axes))] = values
        return
    for row, value in zip(rows, values):  # a request repeating indices
        target = tuple(ax.positions(np.array([i]))[0] for ax, i in zip(request.axes, row))
        out[np.ix_(*target)] = value


def _cast(data: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if data.dtype == dtype:
        return data
    try:
        return data.astype(dtype)
    except (TypeError, ValueError) as e:
        raise UnsupportedFeatureError(
            f"virtual dataset source type {data.dtype} does not convert to {dtype}"
        ) from e
