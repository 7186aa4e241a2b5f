"""Where the bytes of an HDF5 file go, as ``h5stat`` (HDF5 1.10) reports it: objects,
metadata bytes by kind (object headers, group and attribute B-trees and heaps, chunk
indexes, superblock and extension), datasets by rank, layout, filter and type,
attributes, free space, and the summary with the space nothing accounts for.

Beyond ``h5stat``: :func:`explain` lists the bytes each object takes, how well chunked
datasets use their chunks, and how much a repack would save, measured by repacking into
a scratch file.

Entry points: :func:`file_statistics` (numbers), :func:`format_statistics` (``h5stat``'s
text), :func:`explain`.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import inspect as h5inspect
from ..hl import Dataset, Datatype, ExternalLink, File, Group, SoftLink
from .h5types import type_key
from .walk import by_name

_FILTER_SLOTS = {1: "GZIP", 2: "SHUFFLE", 3: "FLETCHER32", 4: "SZIP", 5: "NBIT", 6: "SCALEOFFSET"}
_LAYOUT_SLOTS = ("compact", "contiguous", "chunked", "virtual")


def _ceil_log10(x: int) -> int:
    """``h5stat``'s bin of a count: the number of decimal digits (0 for 0)."""
    power, out = 1, 0
    while x >= power:
        power *= 10
        out += 1
    return out


@dataclass
class TypeStat:
    """One distinct datatype of datasets (``H5Tequal`` classes)."""

    key: Any
    count: int = 0
    named: int = 0
    desc_size: int = 0
    """Bytes of the encoded type (``H5Tencode``: the datatype message and 2 bytes)."""
    elmt_size: int = 0


@dataclass
class FileStats:
    """Everything ``h5stat`` counts, gathered in one walk."""

    filename: str
    file_size: int = 0
    groups: int = 0
    datasets: int = 0
    datatypes: int = 0
    links: int = 0
    others: int = 0
    max_links: int = 0
    max_fanout: int = 0
    superblock: int = 0
    superblock_ext: int = 0
    userblock: int = 0
    group_header: list[int] = field(default_factory=lambda: [0, 0])
    dataset_header: list[int] = field(default_factory=lambda: [0, 0])
    datatype_header: list[int] = field(default_factory=lambda: [0, 0])
    group_index: int = 0
    group_heap: int = 0
    attr_index: int = 0
    attr_heap: int = 0
    chunk_index: int = 0
    dataset_heap: int = 0
    sohm_header: int = 0
    sohm_index: int = 0
    sohm_heap: int = 0
    free_header: int = 0
    free_space: int = 0
    group_links: Counter[int] = field(default_factory=Counter)
    """Groups by number of links."""
    dataset_ranks: Counter[int] = field(default_factory=Counter)
    dataset_dims_1d: Counter[int] = field(default_factory=Counter)
    max_rank: int = 0
    max_dim_1d: int = 0
    raw_data: int = 0
    external_raw: int = 0
    layouts: Counter[str] = field(default_factory=Counter)
    external_files: int = 0
    filters: Counter[str] = field(default_factory=Counter)
    types: list[TypeStat] = field(default_factory=list)
    attr_counts: Counter[int] = field(default_factory=Counter)
    """Objects (groups, datasets, named types) by number of attributes."""

    @property
    def metadata(self) -> int:
        return (
            self.superblock
            + self.superblock_ext
            + self.userblock
            + sum(h[0] for h in (self.group_header, self.dataset_header, self.datatype_header))
            + self.group_index
            + self.group_heap
            + self.attr_index
            + self.attr_heap
            + self.chunk_index
            + self.dataset_heap
            + self.sohm_header
            + self.sohm_index
            + self.sohm_heap
            + self.free_header
        )

    @property
    def unaccounted(self) -> int:
        return self.file_size - (self.metadata + self.raw_data + self.free_space)


def file_statistics(path: str) -> FileStats:
    """Walk ``path`` once and count what ``h5stat`` reports."""
    with File(path, "r") as f:
        stats = FileStats(filename=path)
        space = h5inspect.file_space(f)
        stats.file_size = space.file_size
        stats.superblock = space.superblock
        stats.superblock_ext = space.superblock_extension
        stats.userblock = space.userblock
        stats.sohm_header, stats.sohm_index, stats.sohm_heap = (
            space.sohm_header,
            space.sohm_index,
            space.sohm_heap,
        )
        stats.free_header, stats.free_space = space.free_space_header, space.free_space
        seen: set[Any] = set()
        _visit(f["/"], stats, seen)
        return stats


def _visit(group: Group, stats: FileStats, seen: set[Any]) -> None:
    """``h5trav_visit`` with ``h5stat``'s callbacks: each object once, each symbolic
    link as met."""
    _object(group, stats)
    seen.add(group.id)
    for name in by_name(group):
        link = group.get(name, getlink=True)
        if isinstance(link, (SoftLink, ExternalLink)):
            stats.links += 1
            continue
        obj = group[name]
        if obj.id in seen:
            continue
        seen.add(obj.id)
        if isinstance(obj, Group):
            _visit(obj, stats, seen)
        else:
            _object(obj, stats)


def _object(obj: Any, stats: FileStats) -> None:
    sp = h5inspect.space(obj)
    stats.max_links = max(stats.max_links, sp.refcount)
    stats.attr_index += sp.attribute_index
    stats.attr_heap += sp.attribute_heap
    stats.attr_counts[sp.num_attributes] += 1
    if isinstance(obj, Group):
        stats.groups += 1
        stats.group_header[0] += sp.header_total
        stats.group_header[1] += sp.header_unused
        stats.group_index += sp.link_index
        stats.group_heap += sp.link_heap
        stats.group_links[sp.num_links] += 1
        stats.max_fanout = max(stats.max_fanout, sp.num_links)
    elif isinstance(obj, Dataset):
        _dataset(obj, sp, stats)
    elif isinstance(obj, Datatype):
        stats.datatypes += 1
        stats.datatype_header[0] += sp.header_total
        stats.datatype_header[1] += sp.header_unused
    else:  # pragma: no cover - the walk meets only these
        stats.others += 1


def _dataset(d: Any, sp: Any, stats: FileStats) -> None:
    stats.datasets += 1
    st = h5inspect.storage(d)
    storage = st.allocated_bytes
    header_total = sp.header_total
    if st.layout == "compact":
        header_total -= storage  # h5stat: "exclude compact data"
    stats.dataset_header[0] += header_total
    stats.dataset_header[1] += sp.header_unused
    stats.chunk_index += sp.chunk_index
    stats.dataset_heap += sp.external_heap
    stats.layouts[st.layout] += 1
    if st.external:
        stats.external_files += len(st.external)
        stats.external_raw += st.logical_bytes  # libhdf5: the data's size in the files
    else:
        stats.raw_data += storage
    shape = tuple(d.shape) if d.shape is not None else ()
    rank = len(shape)
    stats.max_rank = max(stats.max_rank, rank)
    stats.dataset_ranks[rank] += 1
    if rank == 1:
        stats.max_dim_1d = max(stats.max_dim_1d, shape[0])
        stats.dataset_dims_1d[shape[0]] += 1
    if not st.filters:
        stats.filters["NO"] += 1
    for flt in st.filters:
        stats.filters[_FILTER_SLOTS.get(flt.filter_id, "USER-DEFINED")] += 1
    record = h5inspect.datatype(d)
    key = type_key(record)
    for t in stats.types:
        if t.key == key:
            break
    else:
        t = TypeStat(
            key,
            desc_size=h5inspect.datatype_encoded_size(record) + 2,
            elmt_size=_memory_size(record),
        )
        stats.types.append(t)
    t.count += 1
    if h5inspect.committed_type_address(d) is not None:
        t.named += 1


def _memory_size(record: Any) -> int:
    """``H5Tget_size`` of a file datatype: variable-length data is held in memory as a
    pointer (strings, 8 bytes) or a length and a pointer (sequences, 16)."""
    if record.cls.name == "VARIABLE_LENGTH":
        return 8 if int(getattr(record, "kind", 0)) == 1 else 16
    return int(record.size)


# -- h5stat's text ------------------------------------------------------------------------

SECTIONS = (
    "file",
    "filemetadata",
    "group",
    "groupmetadata",
    "dset",
    "dsetmetadata",
    "dtypemetadata",
    "attribute",
    "freespace",
    "summary",
)


@dataclass
class Thresholds:
    """``h5stat``'s ``-l``, ``-m`` and ``-a``."""

    links: int = 10
    dims: int = 10
    attrs: int = 10


def format_statistics(
    stats: FileStats, sections: set[str] | None = None, thresholds: Thresholds | None = None
) -> str:
    """``h5stat``'s report of ``stats``: every section, or those named (``SECTIONS``)."""
    th = thresholds or Thresholds()
    show_all = not sections
    want = set(SECTIONS) if show_all else set(sections or ())
    out: list[str] = [f"Filename: {stats.filename}"]
    w = out.append
    if "file" in want:
        w("File information")
        w(f"\t# of unique groups: {stats.groups}")
        w(f"\t# of unique datasets: {stats.datasets}")
        w(f"\t# of unique named datatypes: {stats.datatypes}")
        w(f"\t# of unique links: {stats.links}")
        w(f"\t# of unique other: {stats.others}")
        w(f"\tMax. # of links to object: {stats.max_links}")
        w(f"\tMax. # of objects in group: {stats.max_fanout}")
    if "filemetadata" in want:
        w("File space information for file metadata (in bytes):")
        w(f"\tSuperblock: {stats.superblock}")
        w(f"\tSuperblock extension: {stats.superblock_ext}")
        w(f"\tUser block: {stats.userblock}")
        w("\tObject headers: (total/unused)")
        w(f"\t\tGroups: {stats.group_header[0]}/{stats.group_header[1]}")
        w(
            f"\t\tDatasets(exclude compact data): {stats.dataset_header[0]}/{stats.dataset_header[1]}"
        )
        w(f"\t\tDatatypes: {stats.datatype_header[0]}/{stats.datatype_header[1]}")
        w("\tGroups:")
        w(f"\t\tB-tree/List: {stats.group_index}")
        w(f"\t\tHeap: {stats.group_heap}")
        w("\tAttributes:")
        w(f"\t\tB-tree/List: {stats.attr_index}")
        w(f"\t\tHeap: {stats.attr_heap}")
        w("\tChunked datasets:")
        w(f"\t\tIndex: {stats.chunk_index}")
        w("\tDatasets:")
        w(f"\t\tHeap: {stats.dataset_heap}")
        w("\tShared Messages:")
        w(f"\t\tHeader: {stats.sohm_header}")
        w(f"\t\tB-tree/List: {stats.sohm_index}")
        w(f"\t\tHeap: {stats.sohm_heap}")
        w("\tFree-space managers:")
        w(f"\t\tHeader: {stats.free_header}")
        w(f"\t\tAmount of free space: {stats.free_space}")
    if "group" in want:
        w(f"Small groups (with 0 to {th.links - 1} links):")
        total = 0
        for n in range(th.links):
            if stats.group_links.get(n):
                w(f"\t# of groups with {n} link(s): {stats.group_links[n]}")
                total += stats.group_links[n]
        w(f"\tTotal # of small groups: {total}")
        w("Group bins:")
        _bins(
            w,
            stats.group_links,
            "\t# of groups with 0 link: {}",
            "\t# of groups with {} - {} links: {}",
            "\tTotal # of groups: {}",
        )
    if "groupmetadata" in want and not show_all:
        w("File space information for groups' metadata (in bytes):")
        w(f"\tObject headers (total/unused): {stats.group_header[0]}/{stats.group_header[1]}")
        w(f"\tB-tree/List: {stats.group_index}")
        w(f"\tHeap: {stats.group_heap}")
    if "dset" in want and stats.datasets:
        w("Dataset dimension information:")
        w(f"\tMax. rank of datasets: {stats.max_rank}")
        w("\tDataset ranks:")
        for r in range(33):
            if stats.dataset_ranks.get(r):
                w(f"\t\t# of dataset with rank {r}: {stats.dataset_ranks[r]}")
        w("1-D Dataset information:")
        w(f"\tMax. dimension size of 1-D datasets: {stats.max_dim_1d}")
        w(f"\tSmall 1-D datasets (with dimension sizes 0 to {th.dims - 1}):")
        total = 0
        for n in range(th.dims):
            if stats.dataset_dims_1d.get(n):
                w(f"\t\t# of datasets with dimension sizes {n}: {stats.dataset_dims_1d[n]}")
                total += stats.dataset_dims_1d[n]
        w(f"\t\tTotal # of small datasets: {total}")
        if stats.dataset_dims_1d:
            w("\t1-D Dataset dimension bins:")
            _bins(
                w,
                stats.dataset_dims_1d,
                "\t\t# of datasets with dimension size 0: {}",
                "\t\t# of datasets with dimension size {} - {}: {}",
                "\t\tTotal # of datasets: {}",
            )
        w("Dataset storage information:")
        w(f"\tTotal raw data size: {stats.raw_data}")
        w(f"\tTotal external raw data size: {stats.external_raw}")
        w("Dataset layout information:")
        for name, key in (
            ("COMPACT", "compact"),
            ("CONTIG", "contiguous"),
            ("CHUNKED", "chunked"),
            ("VIRTUAL", "virtual"),
        ):
            w(f"\tDataset layout counts[{name}]: {stats.layouts.get(key, 0)}")
        w(f"\tNumber of external files : {stats.external_files}")
        w("Dataset filters information:")
        w("\tNumber of datasets with:")
        for name in (
            "NO",
            "GZIP",
            "SHUFFLE",
            "FLETCHER32",
            "SZIP",
            "NBIT",
            "SCALEOFFSET",
            "USER-DEFINED",
        ):
            w(f"\t\t{name} filter: {stats.filters.get(name, 0)}")
    if "dtypemetadata" in want and stats.types:
        w("Dataset datatype information:")
        w(f"\t# of unique datatypes used by datasets: {len(stats.types)}")
        for i, t in enumerate(stats.types):
            w(f"\tDataset datatype #{i}:")
            w(f"\t\tCount (total/named) = ({t.count}/{t.named})")
            w(f"\t\tSize (desc./elmt) = ({t.desc_size}/{t.elmt_size})")
        w(f"\tTotal dataset datatype count: {sum(t.count for t in stats.types)}")
    if "dsetmetadata" in want and not show_all:
        w("File space information for datasets' metadata (in bytes):")
        w(f"\tObject headers (total/unused): {stats.dataset_header[0]}/{stats.dataset_header[1]}")
        w(f"\tIndex for Chunked datasets: {stats.chunk_index}")
        w(f"\tHeap: {stats.dataset_heap}")
    if "attribute" in want:
        w(f"Small # of attributes (objects with 1 to {th.attrs} attributes):")
        total = 0
        for n in range(1, th.attrs + 1):
            if stats.attr_counts.get(n):
                w(f"\t# of objects with {n} attributes: {stats.attr_counts[n]}")
                total += stats.attr_counts[n]
        w(f"\tTotal # of objects with small # of attributes: {total}")
        w("Attribute bins:")
        bins: Counter[int] = Counter()
        for n, c in stats.attr_counts.items():
            bins[_ceil_log10(n)] += c
        total = 0
        power = 1
        for b in range(1, max(bins, default=0) + 1):
            if bins.get(b):
                w(f"\t# of objects with {power} - {power * 10 - 1} attributes: {bins[b]}")
                total += bins[b]
            power *= 10
        w(f"\tTotal # of objects with attributes: {total}")
        w(f"\tMax. # of attributes to objects: {max(stats.attr_counts, default=0)}")
    if "freespace" in want:
        w("Free-space persist: FALSE")
        w("Free-space section threshold: 1 bytes")
        w("Small size free-space sections (< 10 bytes):")
        w("\tTotal # of small size sections: 0")
        w("Free-space section bins:")
        w("\tTotal # of sections: 0")
    if "summary" in want:
        w("File space management strategy: H5F_FSPACE_STRATEGY_FSM_AGGR")
        w("File space page size: 4096 bytes")
        w("Summary of file space information:")
        w(f"  File metadata: {stats.metadata} bytes")
        w(f"  Raw data: {stats.raw_data} bytes")
        percent = stats.free_space / stats.file_size * 100.0 if stats.file_size else 0.0
        w(f"  Amount/Percent of tracked free space: {stats.free_space} bytes/{percent:3.1f}%")
        if stats.unaccounted < 0:
            w(f"  ??? File has {-stats.unaccounted} more bytes accounted for than its size! ???")
        else:
            w(f"  Unaccounted space: {stats.unaccounted} bytes")
        w(f"Total space: {stats.file_size} bytes")
        if stats.external_files:
            w(f"External raw data: {stats.external_raw} bytes")
    return "\n".join(out) + "\n"


def _bins(w: Any, counts: Counter[int], zero: str, line: str, total_line: str) -> None:
    bins: Counter[int] = Counter()
    for n, c in counts.items():
        bins[_ceil_log10(n)] += c
    total = 0
    if bins.get(0):
        w(zero.format(bins[0]))
        total = bins[0]
    power = 1
    for b in range(1, max(bins, default=0) + 1):
        if bins.get(b):
            w(line.format(power, power * 10 - 1, bins[b]))
            total += bins[b]
        power *= 10
    w(total_line.format(total))


# -- --explain ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectUse:
    """The bytes one object takes."""

    path: str
    kind: str
    metadata: int
    """Header, link or attribute storage, chunk index, heaps."""
    raw: int
    """Allocated raw data bytes."""
    logical: int
    """Bytes of its elements, unfiltered (datasets)."""
    chunks: int
    chunks_possible: int
    utilisation: float | None
    """Chunked datasets: the share of the allocated chunks' (unfiltered) bytes that
    holds elements of the dataset (edge chunks overhang the extent)."""


@dataclass(frozen=True)
class Explanation:
    objects: list[ObjectUse]
    file_size: int
    repacked_size: int | None
    """Size of the file after ``h5pure repack`` (measured in a scratch file)."""

    @property
    def repack_saves(self) -> int | None:
        if self.repacked_size is None:
            return None
        return max(0, self.file_size - self.repacked_size)


def explain(path: str, measure_repack: bool = True, budget: int | None = None) -> Explanation:
    """Per-object allocated bytes, chunk utilisation, and what a repack would save."""
    uses: list[ObjectUse] = []
    with File(path, "r") as f:
        file_size = h5inspect.file_space(f).file_size
        seen: set[Any] = set()

        def add(name: str, obj: Any) -> None:
            if obj.id in seen:
                return
            seen.add(obj.id)
            sp = h5inspect.space(obj)
            meta = (
                sp.header_total
                + sp.link_index
                + sp.link_heap
                + sp.attribute_index
                + sp.attribute_heap
                + sp.chunk_index
                + sp.external_heap
            )
            raw = logical = chunks = possible = 0
            util = None
            if isinstance(obj, Dataset):
                st = h5inspect.storage(obj)
                raw, logical, chunks = st.allocated_bytes, st.logical_bytes, st.chunks_allocated
                if st.layout == "compact":
                    meta -= raw
                if st.chunk_shape and obj.shape:
                    shape = tuple(obj.shape)
                    grid = [math.ceil(n / c) for n, c in zip(shape, st.chunk_shape)]
                    possible = int(np.prod(grid))
                    util = _utilisation(obj, st)
            uses.append(
                ObjectUse(
                    "/" + name if name else "/", sp.kind, meta, raw, logical, chunks, possible, util
                )
            )

        add("", f["/"])
        f["/"].visititems(add)
    repacked = None
    if measure_repack:
        from .repack import RepackOptions, repack

        fd, scratch = tempfile.mkstemp(suffix=".h5", prefix="h5pure-explain-")
        os.close(fd)
        try:
            opts = RepackOptions(progress=False)
            if budget:
                opts.budget = budget
            repack(path, scratch, opts)
            repacked = os.path.getsize(scratch)
        finally:
            os.unlink(scratch)
    return Explanation(uses, file_size, repacked)


def _utilisation(d: Any, st: Any) -> float | None:
    """Element bytes inside the allocated chunks over the chunks' bytes."""
    chunk = tuple(st.chunk_shape)
    shape = tuple(d.shape)
    infos: list[Any] = []
    d.id.chunk_iter(infos.append)
    if not infos:
        return None
    full = int(np.prod(chunk))
    inside = 0
    for info in infos:
        n = 1
        for o, c, s in zip(info.chunk_offset, chunk, shape):
            n *= max(0, min(c, s - o))
        inside += n
    return inside / (full * len(infos))


def format_explanation(ex: Explanation) -> str:
    lines = [
        "Space by object (bytes):",
        f"  {'metadata':>10} {'raw data':>12} {'logical':>12} {'chunks':>13} {'use':>6}  path",
    ]
    for u in sorted(ex.objects, key=lambda u: u.metadata + u.raw, reverse=True):
        chunks = f"{u.chunks}/{u.chunks_possible}" if u.chunks_possible else ""
        use = f"{u.utilisation * 100:5.1f}%" if u.utilisation is not None else ""
        lines.append(
            f"  {u.metadata:>10} {u.raw:>12} {u.logical:>12} {chunks:>13} {use:>6}  {u.path}"
        )
    if ex.repacked_size is not None:
        lines.append(
            f"repack would save {ex.repack_saves} bytes "
            f"({ex.file_size} -> {ex.repacked_size}, measured by repacking into a scratch file)"
        )
    return "\n".join(lines) + "\n"
