"""Walking a file the way the HDF Group's tools do (``h5trav``): every link below a group,
depth first, members in name order, each group entered once; soft and external links
listed as links, or followed to what they point at.

Also the memory-bounded, chunk-aligned blocks that the tools read datasets in.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..hl import Dataset, Datatype, ExternalLink, Group, SoftLink

GROUP = "group"
DATASET = "dataset"
DATATYPE = "datatype"
LINK = "link"
"""A soft link (not followed, or dangling)."""
UDLINK = "udlink"
"""An external (user-defined) link (not followed, or dangling)."""


@dataclass(frozen=True)
class TravEntry:
    """One link met while walking a file."""

    path: str
    """Absolute path of the link."""
    kind: str
    """:data:`GROUP`, :data:`DATASET`, :data:`DATATYPE`, :data:`LINK` or :data:`UDLINK`."""
    dangling: bool = False
    """A soft or external link whose target does not resolve (with ``follow``)."""


def object_kind(obj: Any) -> str:
    """The walk kind of an opened object."""
    if isinstance(obj, Group):
        return GROUP
    if isinstance(obj, Dataset):
        return DATASET
    if isinstance(obj, Datatype):
        return DATATYPE
    raise TypeError(f"unknown object {obj!r}")


def by_name(names: Any) -> list[str]:
    """Names in libhdf5's name-index order (bytewise UTF-8)."""
    return sorted(names, key=lambda s: s.encode("utf-8", "surrogateescape"))


def walk(group: Group, follow: bool = False) -> list[TravEntry]:
    """Every link below ``group`` (itself first, as ``h5trav_visit`` with the start
    object), in the order libhdf5's ``H5Lvisit`` meets them by name."""
    start = group.name or "/"
    out = [TravEntry(start, GROUP)]
    seen = {_identity(group)}
    seen_links: set[tuple[str, str]] = set()
    _walk(group, start, out, seen, seen_links, follow)
    return out


def _identity(obj: Any) -> Any:
    return (obj.file.filename, obj.id)


def _walk(
    group: Group,
    prefix: str,
    out: list[TravEntry],
    seen: set[Any],
    seen_links: set[tuple[str, str]],
    follow: bool,
) -> None:
    for name in by_name(group):
        path = (prefix.rstrip("/") + "/" + name) if prefix != "/" else "/" + name
        link = group.get(name, getlink=True)
        if isinstance(link, (SoftLink, ExternalLink)):
            kind = LINK if isinstance(link, SoftLink) else UDLINK
            if not follow:
                out.append(TravEntry(path, kind))
                continue
            target = resolve(group, name)
            if target is None:
                out.append(TravEntry(path, kind, dangling=True))
                continue
            key = ("soft", link.path) if isinstance(link, SoftLink) else (link.filename, link.path)
            if key in seen_links:
                continue
            seen_links.add(key)
            out.append(TravEntry(path, object_kind(target)))
            if isinstance(target, Group):
                _walk(target, path, out, seen, seen_links, follow)
            continue
        obj = group[name]
        out.append(TravEntry(path, object_kind(obj)))
        if isinstance(obj, Group):
            ident = _identity(obj)
            if ident not in seen:
                seen.add(ident)
                _walk(obj, path, out, seen, seen_links, follow)


def resolve(group: Group, name: str) -> Any:
    """The object ``group[name]`` leads to, or None for a dangling link."""
    try:
        return group[name]
    except (KeyError, OSError, ValueError):
        return None


# -- memory-bounded reading -------------------------------------------------------------


def block_shape(
    shape: tuple[int, ...], chunks: tuple[int, ...] | None, itemsize: int, budget: int
) -> tuple[int, ...]:
    """The shape of the blocks a dataset is read in: whole chunks (rows for contiguous
    data), grown along the last axes first up to ``budget`` bytes, so a block is a
    C-contiguous run of the array whenever it spans every later axis."""
    if not shape:
        return ()
    unit = list(chunks) if chunks else [1, *shape[1:]]
    unit = [max(1, min(u, n)) if n else 1 for u, n in zip(unit, shape)]
    itemsize = max(1, itemsize)
    block = list(unit)
    for axis in reversed(range(len(shape))):
        other = math.prod(block) // block[axis] * itemsize
        units = max(1, budget // max(1, other * unit[axis]))
        full = -(-shape[axis] // unit[axis]) if shape[axis] else 1
        block[axis] = min(full, units) * unit[axis]
        if units < full:
            break
    return tuple(max(1, min(b, n)) if n else 1 for b, n in zip(block, shape))


def blocks(shape: tuple[int, ...], block: tuple[int, ...]) -> Iterator[tuple[slice, ...]]:
    """The blocks of ``shape`` (each ``block`` big, smaller at the ends), in C order."""
    if not shape:
        yield ()
        return
    if any(n == 0 for n in shape):
        return
    counts = [-(-n // b) for n, b in zip(shape, block)]
    for flat in range(math.prod(counts)):
        idx = []
        for c in reversed(counts):
            idx.append(flat % c)
            flat //= c
        idx.reverse()
        yield tuple(slice(i * b, min((i + 1) * b, n)) for i, b, n in zip(idx, block, shape))


def block_unit(
    src_chunks: Any, dst_chunks: Any, shape: tuple[int, ...], itemsize: int, budget: int
) -> tuple[int, ...] | None:
    """The block unit: the new chunk, grown to a common multiple of the old one on each
    axis while the block stays within the budget (every chunk read and written whole)."""
    if dst_chunks is None and src_chunks is None:
        return None
    if dst_chunks is None:
        return tuple(src_chunks)
    if src_chunks is None:
        return tuple(dst_chunks)
    unit = []
    for s, d, n in zip(src_chunks, dst_chunks, shape):
        lcm = s * d // math.gcd(s, d)
        unit.append(d if lcm > n else lcm)
    if math.prod(unit) * itemsize > budget:
        return tuple(dst_chunks)
    return tuple(unit)


def copy_regions(src: Any, dst: Any, shape: tuple[int, ...], bshape: tuple[int, ...]) -> Any:
    """The regions to copy, in order: whole blocks, or within a block only the new
    chunks that hold stored source chunks (all blocks when either side is not chunked:
    contiguous storage is allocated whole anyway)."""
    if src.chunks is None or dst.chunks is None:
        yield from blocks(shape, bshape)
        return
    tile = tuple(dst.chunks)
    stored = _stored_tiles(src, tile, shape)
    for region in blocks(shape, bshape):
        lo = [s.start // t for s, t in zip(region, tile)]
        hi = [-(-s.stop // t) for s, t in zip(region, tile)]
        total = math.prod(h - lo_ for lo_, h in zip(lo, hi))
        inside = (
            [t for t in _tiles_in(lo, hi) if t in stored]
            if total <= 4 * len(stored) + 64
            else [t for t in stored if _within(t, lo, hi)]
        )
        if not inside:
            continue
        if len(inside) == total:
            yield region
            continue
        for t in sorted(inside):
            yield tuple(slice(i * c, min((i + 1) * c, n)) for i, c, n in zip(t, tile, shape))


def _tiles_in(lo: list[int], hi: list[int]) -> Any:
    for combo in np.ndindex(*[h - lo_ for lo_, h in zip(lo, hi)]):
        yield tuple(lo_ + c for lo_, c in zip(lo, combo))


def _within(t: tuple[int, ...], lo: list[int], hi: list[int]) -> bool:
    return all(a <= x < b for x, a, b in zip(t, lo, hi))


def _stored_tiles(src: Any, tile: tuple[int, ...], shape: tuple[int, ...]) -> set[tuple[int, ...]]:
    """The new chunks (grid coordinates) that overlap a chunk the source stores."""
    out: set[tuple[int, ...]] = set()
    chunks = tuple(src.chunks)

    def add(info: Any) -> None:
        origin = info.chunk_offset
        ranges = [
            range(o // t, (min(o + c, n) - 1) // t + 1)
            for o, c, t, n in zip(origin, chunks, tile, shape)
        ]
        for combo in np.ndindex(*[len(r) for r in ranges]):
            out.add(tuple(r[i] for r, i in zip(ranges, combo)))

    src.id.chunk_iter(add)
    return out
