"""h5py's ``h5s``: dataspaces (an extent and a selection in it).

A facade ``SpaceID`` is a value: the extent (scalar, simple with current and maximum
dimensions, or null) and a selection -- all, none, a union of hyperslab blocks or a list
of points.  What it selects is handed to h5pure's datasets as an ordinary index
(:meth:`SpaceID.index`): slices and index arrays for one regular hyperslab, a boolean
mask for anything else, coordinates for points.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._ids import FacadeID, module_getattr
from ._objects import phil, with_phil

__all__ = ["ALL", "SpaceID", "create", "create_simple", "phil", "with_phil"]

__getattr__ = module_getattr(globals())

UNLIMITED = 2**64 - 1
NO_CLASS = -1
SCALAR = 0
SIMPLE = 1
NULL = 2

SELECT_NOOP = -1
SELECT_SET = 0
SELECT_OR = 1
SELECT_AND = 2
SELECT_XOR = 3
SELECT_NOTB = 4
SELECT_NOTA = 5
SELECT_APPEND = 6
SELECT_PREPEND = 7
SELECT_INVALID = 8

SEL_ERROR = -1
SEL_NONE = 0
SEL_POINTS = 1
SEL_HYPERSLABS = 2
SEL_ALL = 3

_MAX_RANK = 32


class SpaceID(FacadeID):
    """A dataspace: extent and selection."""

    def __init__(
        self,
        kind: int = SIMPLE,
        shape: tuple[int, ...] = (),
        maxshape: tuple[int, ...] | None = None,
    ) -> None:
        self._kind = kind
        self._shape = tuple(int(n) for n in shape)
        self._maxshape = self._shape if maxshape is None else tuple(int(n) for n in maxshape)
        self._sel_type = SEL_NONE if kind == NULL else SEL_ALL
        self._blocks: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        """Hyperslab selection: (start, count) of each block, in the order selected."""
        self._regular: tuple[tuple[int, ...], ...] | None = None
        """(start, stride, count, block) of a selection made by one ``SELECT_SET``."""
        self._mask: np.ndarray | None = None
        """The selection as a boolean mask, when set operations other than OR made it."""
        self._points: np.ndarray | None = None
        self._unlimited: int | None = None
        """The axis of a regular hyperslab whose count runs on (``UNLIMITED``), as the
        selections of unlimited virtual dataset mappings."""

    # -- extent --------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...] | None:
        """The current dimensions (``()`` for a scalar dataspace, None for a null one)."""
        return None if self._kind == NULL else self._shape

    def copy(self) -> SpaceID:
        """An independent copy: the same extent and the same selection."""
        out = SpaceID(self._kind, self._shape, self._maxshape)
        out._sel_type = self._sel_type
        out._blocks = list(self._blocks)
        out._regular = self._regular
        out._mask = None if self._mask is None else self._mask.copy()
        out._points = None if self._points is None else self._points.copy()
        out._unlimited = self._unlimited
        return out

    def is_simple(self) -> bool:
        """Always True here (libhdf5 answers False for a null dataspace)."""
        return True

    def get_simple_extent_type(self) -> int:
        """The dataspace's class: ``SCALAR``, ``SIMPLE`` or ``NULL``."""
        return self._kind

    def get_simple_extent_ndims(self) -> int:
        """The rank (0 for scalar and null dataspaces)."""
        return len(self._shape) if self._kind == SIMPLE else 0

    def get_simple_extent_dims(self, maxdims: bool = False) -> tuple[int, ...]:
        """The current dimensions, or with ``maxdims`` the maximum ones (``UNLIMITED`` for
        unlimited axes); ``()`` for scalar and null dataspaces."""
        if self._kind != SIMPLE:
            return ()
        return self._maxshape if maxdims else self._shape

    def get_simple_extent_npoints(self) -> int:
        """The number of elements of the extent (1 for scalar, 0 for null)."""
        if self._kind == NULL:
            return 0
        return int(np.prod(self._shape, dtype=np.int64))

    def set_extent_simple(self, dims_tpl: Any, max_dims_tpl: Any = None) -> None:
        """Make this a simple dataspace of dimensions ``dims_tpl`` (maximum ``max_dims_tpl``;
        None entries are unlimited) and select all of it."""
        shape = tuple(int(n) for n in dims_tpl)
        maxshape = shape if max_dims_tpl is None else _maxdims(max_dims_tpl)
        _check_extent(shape, maxshape)
        self._kind, self._shape, self._maxshape = SIMPLE, shape, maxshape
        self.select_all()

    def set_extent_none(self) -> None:
        """Make this a null dataspace (no elements; nothing selected)."""
        self._kind, self._shape, self._maxshape = NULL, (), ()
        self.select_none()

    def extent_copy(self, source: SpaceID) -> None:
        """Give this dataspace the extent of ``source`` and select all of it."""
        self._kind, self._shape, self._maxshape = source._kind, source._shape, source._maxshape
        self.select_all()

    # -- selections ----------------------------------------------------------------------
    def _reset(self, sel_type: int) -> None:
        self._sel_type = sel_type
        self._blocks = []
        self._regular = None
        self._mask = None
        self._points = None
        self._unlimited = None

    def select_all(self) -> None:
        """Select the whole extent."""
        self._reset(SEL_NONE if self._kind == NULL else SEL_ALL)

    def select_none(self) -> None:
        """Select nothing."""
        self._reset(SEL_NONE)

    def select_hyperslab(
        self,
        start: Any,
        count: Any,
        stride: Any = None,
        block: Any = None,
        op: int = SELECT_SET,
    ) -> None:
        """Select (or combine with ``op``) the blocks ``start + i * stride`` of size
        ``block``, ``count`` of them per axis."""
        rank = len(self._shape)
        start_t = _tuple(start, rank, "start")
        count_t = _tuple(count, rank, "count")
        stride_t = (1,) * rank if stride is None else _tuple(stride, rank, "stride")
        block_t = (1,) * rank if block is None else _tuple(block, rank, "block")
        if any(s <= 0 for s in stride_t):
            raise ValueError("Stride must be positive (hyperslab stride must be positive)")
        endless = [i for i in range(rank) if UNLIMITED in (count_t[i], block_t[i])]
        if endless or self._unlimited is not None:
            self._select_unlimited(start_t, stride_t, count_t, block_t, op, endless)
            return
        if any(b > s for b, s, c in zip(block_t, stride_t, count_t) if c > 1):
            raise ValueError("Hyperslab blocks overlap (hyperslab blocks overlap)")
        blocks = _expand(start_t, stride_t, count_t, block_t)
        if op == SELECT_SET or self._sel_type in (SEL_NONE, SEL_ALL) and op == SELECT_OR:
            if op == SELECT_OR and self._sel_type == SEL_ALL:
                return  # already everything
            self._reset(SEL_HYPERSLABS)
            self._blocks = blocks
            if op == SELECT_SET:
                self._regular = (start_t, stride_t, count_t, block_t)
            return
        if op == SELECT_OR and self._mask is None and self._sel_type == SEL_HYPERSLABS:
            self._blocks.extend(blocks)
            self._regular = None
            return
        other = _mask_of_blocks(self._shape, blocks)
        mine = self._selection_mask()
        combined = {
            SELECT_OR: mine | other,
            SELECT_AND: mine & other,
            SELECT_XOR: mine ^ other,
            SELECT_NOTB: mine & ~other,
            SELECT_NOTA: other & ~mine,
        }.get(op)
        if combined is None:
            raise ValueError(f"Invalid selection operation {op} for a hyperslab")
        self._reset(SEL_HYPERSLABS)
        self._mask = combined

    def _select_unlimited(
        self,
        start: tuple[int, ...],
        stride: tuple[int, ...],
        count: tuple[int, ...],
        block: tuple[int, ...],
        op: int,
        endless: list[int],
    ) -> None:
        """A regular hyperslab running on along one axis (libhdf5 allows one such axis
        and no set operations on it)."""
        if op != SELECT_SET:
            raise ValueError(
                "Unable to set hyperslab selection (cannot modify unlimited selection)"
            )
        if len(endless) > 1:
            raise ValueError(
                "Unable to set hyperslab selection (cannot have more than one unlimited "
                "dimension in selection)"
            )
        (axis,) = endless
        if count[axis] == UNLIMITED and block[axis] == UNLIMITED:
            raise ValueError(
                "Unable to set hyperslab selection (count and block cannot both be unlimited)"
            )
        self._reset(SEL_HYPERSLABS)
        self._regular = (start, stride, count, block)
        self._unlimited = axis

    def select_elements(self, coords: Any, op: int = SELECT_SET) -> None:
        """Select the points ``coords`` (an (n, rank) array), in that order."""
        pts = np.asarray(coords, dtype=np.int64)
        rank = len(self._shape)
        if pts.ndim == 1 and rank == 1:
            pts = pts.reshape(-1, 1)
        if pts.ndim != 2 or pts.shape[1] != rank:
            raise ValueError(f"Coordinate array must have shape (<npoints>, {rank})")
        if np.any(pts < 0) or np.any(pts >= np.asarray(self._shape, dtype=np.int64)):
            raise ValueError("Point selection out of bounds (coordinate out of bounds)")
        if op in (SELECT_APPEND, SELECT_PREPEND) and self._points is not None:
            pts = np.concatenate(
                [self._points, pts] if op == SELECT_APPEND else [pts, self._points]
            )
        elif op not in (SELECT_SET, SELECT_APPEND, SELECT_PREPEND):
            raise ValueError(f"Invalid selection operation {op} for points")
        self._reset(SEL_POINTS)
        self._points = pts

    def _selection_mask(self) -> np.ndarray:
        """What is selected, as a boolean array of the extent's shape."""
        if self._unlimited is not None:
            raise ValueError(
                "An unlimited hyperslab selection has no fixed set of elements (it is for "
                "virtual dataset mappings)"
            )
        shape = self._shape if self._kind == SIMPLE else ()
        if self._sel_type == SEL_ALL:
            return np.ones(shape, dtype=bool)
        if self._sel_type == SEL_NONE:
            return np.zeros(shape, dtype=bool)
        if self._sel_type == SEL_POINTS:
            mask = np.zeros(shape, dtype=bool)
            assert self._points is not None
            mask[tuple(self._points.T)] = True
            return mask
        if self._mask is not None:
            return self._mask
        return _mask_of_blocks(shape, self._blocks)

    def get_select_type(self) -> int:
        """The kind of selection: ``SEL_NONE``, ``SEL_POINTS``, ``SEL_HYPERSLABS`` or
        ``SEL_ALL``."""
        return self._sel_type

    def get_select_npoints(self) -> int:
        """The number of elements selected (``UNLIMITED`` for a selection with an unlimited
        count or block)."""
        if self._sel_type == SEL_ALL:
            return self.get_simple_extent_npoints()
        if self._sel_type == SEL_NONE:
            return 0
        if self._sel_type == SEL_POINTS:
            assert self._points is not None
            return len(self._points)
        if self._unlimited is not None:
            return UNLIMITED  # (libhdf5's count of an unlimited selection)
        if self._regular is not None:
            _, _, count, block = self._regular
            return int(np.prod(count, dtype=np.int64) * np.prod(block, dtype=np.int64))
        return int(np.count_nonzero(self._selection_mask()))

    def get_select_bounds(self) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
        """The first and last corners (inclusive) of the box around the selection; None when
        nothing is selected."""
        if self._sel_type == SEL_NONE:
            return None
        if self._regular is not None:
            start, stride, count, block = self._regular
            end = tuple(
                UNLIMITED if UNLIMITED in (c, b) else s + (c - 1) * st + b - 1
                for s, st, c, b in zip(start, stride, count, block)
            )
            return start, end
        found = np.argwhere(self._selection_mask())
        if not len(found):
            return None
        return tuple(int(v) for v in found.min(0)), tuple(int(v) for v in found.max(0))

    def get_select_elem_npoints(self) -> int:
        """The number of points of a point selection (TypeError for other selections)."""
        self._require(SEL_POINTS, "point")
        return self.get_select_npoints()

    def get_select_elem_pointlist(self) -> np.ndarray:
        """The selected points as an ``(npoints, rank)`` uint64 array, in the order selected."""
        self._require(SEL_POINTS, "point")
        assert self._points is not None
        return self._points.astype(np.uint64)

    def _hyper_blocks(self) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        self._require(SEL_HYPERSLABS, "hyperslab")
        if self._mask is not None:  # one block per selected element
            return [(tuple(p), (1,) * len(p)) for p in np.argwhere(self._mask).tolist()]
        return sorted(set(self._blocks))

    def get_select_hyper_nblocks(self) -> int:
        """The number of blocks of a hyperslab selection: the distinct blocks selected, not
        merged as libhdf5 merges overlapping and adjacent ones (one per element after
        AND/XOR/NOT combinations)."""
        return len(self._hyper_blocks())

    def get_select_hyper_blocklist(self) -> np.ndarray:
        """Each block as ``[start, end]`` (inclusive corners), in order."""
        blocks = self._hyper_blocks()
        out = np.zeros((len(blocks), 2, len(self._shape)), dtype=np.uint64)
        for i, (start, count) in enumerate(blocks):
            out[i, 0] = start
            out[i, 1] = tuple(s + c - 1 for s, c in zip(start, count))
        return out

    def is_regular_hyperslab(self) -> bool:
        """Whether the selection is one regular hyperslab: here, one made by a single
        ``SELECT_SET`` call (libhdf5 also recognises combined hyperslabs that form one)."""
        return self._sel_type == SEL_HYPERSLABS and self._regular is not None

    def get_regular_hyperslab(self) -> tuple[tuple[int, ...], ...]:
        """``(start, stride, count, block)`` of a regular hyperslab selection (see
        :meth:`is_regular_hyperslab`); ValueError otherwise."""
        if self._regular is None:
            raise ValueError("Not a regular hyperslab selection")
        return self._regular

    def select_valid(self) -> bool:
        """Whether the selection lies within the extent."""
        if self._sel_type in (SEL_ALL, SEL_NONE):
            return True
        if self._sel_type == SEL_POINTS:
            return True  # checked when selected
        if self._mask is not None:
            return True
        return all(
            all(s + c <= n for s, c, n in zip(start, count, self._shape))
            for start, count in self._blocks
        )

    def _require(self, sel_type: int, what: str) -> None:
        if self._sel_type != sel_type:
            raise TypeError(f"Selection is not a {what} selection")

    # -- as an index into an h5pure dataset ----------------------------------------------
    def index(self) -> Any:
        """What this selection is as a key of ``Dataset.__getitem__``/``__setitem__``:
        ``Ellipsis`` for all; a tuple of slices or index arrays for one regular
        hyperslab (result shaped by it); a boolean mask otherwise (result 1-D, C order)."""
        if self._sel_type == SEL_ALL:
            return Ellipsis
        if self._unlimited is not None:
            return self._unlimited_index()
        if self._regular is not None:
            return _regular_index(*self._regular)
        return self._selection_mask()

    def _unlimited_index(self) -> tuple[Any, ...]:
        """An unlimited selection as h5py writes it in a virtual mapping: the running axis
        as ``slice(start, UNLIMITED, stride)``."""
        assert self._regular is not None and self._unlimited is not None
        start, stride, count, block = self._regular
        u = self._unlimited
        if block[u] != 1:
            raise NotImplementedError(
                "h5py.h5s: an unlimited selection with blocks larger than 1 along the "
                "unlimited axis (printf-style virtual mappings) is not provided"
            )
        finite = tuple(1 if i == u else c for i, c in enumerate(count))
        key = list(_regular_index(start, stride, finite, block))
        key[u] = slice(start[u], UNLIMITED, stride[u])
        return tuple(key)

    def positions(self) -> np.ndarray:
        """Flat (C order) positions of the selected elements, in the order h5py
        transfers them (points in the order selected)."""
        if self._sel_type == SEL_POINTS:
            assert self._points is not None
            if not len(self._shape):
                return np.zeros(len(self._points), dtype=np.int64)
            return np.ravel_multi_index(tuple(self._points.T), self._shape)
        return np.flatnonzero(self._selection_mask())

    def guess_shape(self) -> tuple[int, ...] | None:
        """The shape h5py gives data read through this selection."""
        if self._kind == NULL:
            return None
        if self._sel_type == SEL_ALL:
            return self._shape
        if self._regular is not None:
            _, _, count, block = self._regular
            return tuple(c * b for c, b in zip(count, block))
        return (self.get_select_npoints(),)


def _tuple(value: Any, rank: int, what: str) -> tuple[int, ...]:
    out = tuple(int(v) for v in value)
    if len(out) != rank:
        raise ValueError(f"{what} must have rank {rank}")
    return out


def _expand(
    start: tuple[int, ...], stride: tuple[int, ...], count: tuple[int, ...], block: tuple[int, ...]
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Each block of a hyperslab as (start, extent), in C order."""
    origins = [np.arange(count[i]) * stride[i] + start[i] for i in range(len(start))]
    grids = np.meshgrid(*origins, indexing="ij") if origins else []
    flat = [g.reshape(-1) for g in grids]
    n = int(np.prod(count, dtype=np.int64)) if count else 1
    return [(tuple(int(f[i]) for f in flat), tuple(block)) for i in range(n)]


def _mask_of_blocks(
    shape: tuple[int, ...], blocks: list[tuple[tuple[int, ...], tuple[int, ...]]]
) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    for start, extent in blocks:
        mask[tuple(slice(s, s + e) for s, e in zip(start, extent))] = True
    return mask


def _regular_index(
    start: tuple[int, ...], stride: tuple[int, ...], count: tuple[int, ...], block: tuple[int, ...]
) -> tuple[Any, ...]:
    key: list[Any] = []
    for s, st, c, b in zip(start, stride, count, block):
        if b == 1 or c == 1:
            if c == 1:
                key.append(slice(s, s + b))
            else:
                key.append(slice(s, s + (c - 1) * st + 1, st))
        else:
            key.append((np.arange(c)[:, None] * st + s + np.arange(b)[None, :]).reshape(-1))
    return tuple(key)


def _maxdims(value: Any) -> tuple[int, ...]:
    return tuple(UNLIMITED if v is None else int(v) for v in value)


def _check_extent(shape: tuple[int, ...], maxshape: tuple[int, ...]) -> None:
    if len(shape) > _MAX_RANK:
        raise ValueError(f"Rank {len(shape)} exceeds the maximum of {_MAX_RANK}")
    if len(maxshape) != len(shape):
        raise ValueError("Maximum dimensions must have the rank of the dimensions")
    if any(m != UNLIMITED and m < n for n, m in zip(shape, maxshape)):
        raise ValueError("Maxdims is smaller than dims (maxdims is smaller than dims)")


def create(class_code: int) -> SpaceID:
    """A new dataspace of class ``SCALAR``, ``SIMPLE`` (rank 0 until its extent is set)
    or ``NULL``."""
    code = int(class_code)
    if code not in (SCALAR, SIMPLE, NULL):
        raise ValueError(f"Invalid dataspace class {class_code}")
    return SpaceID(code)


def create_simple(dims_tpl: Any, max_dims_tpl: Any = None) -> SpaceID:
    """A simple dataspace of dimensions ``dims_tpl`` (maximum ``max_dims_tpl``; None or
    ``UNLIMITED`` entries are unlimited)."""
    shape = tuple(int(n) for n in dims_tpl)
    if any(n < 0 for n in shape):
        raise OverflowError("can't convert negative value to hsize_t")
    maxshape = shape if max_dims_tpl is None else _maxdims(max_dims_tpl)
    _check_extent(shape, maxshape)
    return SpaceID(SIMPLE, shape, maxshape)


ALL = SpaceID(SCALAR)
"""``H5S_ALL``: "the whole of the other dataspace" in reads and writes."""
