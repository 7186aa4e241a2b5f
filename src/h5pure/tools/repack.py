"""Rewriting an HDF5 file into a new one, as ``h5repack`` does: every group, dataset,
committed datatype, attribute and link kept (hard links stay shared, soft and external
links stay links), creation order tracking kept, object and region references remapped
to the new addresses, dimension scales re-attached; filters and layouts changed where
asked (``-f``/``-l``).

Beyond ``h5repack``:

- memory is bounded by ``budget`` whatever the dataset size: data moves a chunk at a
  time, or in chunk-aligned blocks when it must be decoded;
- a dataset whose chunk shape and filter pipeline do not change is copied as raw chunks
  (``read_direct_chunk``/``write_direct_chunk``, filter masks kept): nothing is
  decoded or compressed again;
- only chunks the source holds are written, so sparse datasets stay sparse;
- a filter or layout that was asked for and could not be applied is reported
  (:attr:`RepackResult.not_applied`) instead of passing in silence;
- ``verify`` compares the result with the source (:func:`h5pure.tools.diff.diff_files`);
- ``jobs`` worker processes compress chunks in parallel.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import inspect as h5inspect
from ..dtypes import Reference, RegionReference, check_ref_dtype, check_vlen_dtype
from ..hl import Dataset, Datatype, Empty, ExternalLink, File, Group, SoftLink
from ..hl.create import create_compact_dataset
from ..hl.group import set_link_phase_change
from .progress import Progress
from .repackspec import (
    FilterRequest,
    LayoutRequest,
    SpecError,
    filter_keywords,
    for_object,
    pipeline_keywords,
)
from .walk import block_shape, block_unit, blocks, by_name, copy_regions

__all__ = ["RepackError", "RepackOptions", "RepackResult", "repack"]

DEFAULT_BUDGET = 256 * 1024 * 1024
LIBVER_BOUNDS = ("earliest", "v108", "v110", "v112", "v114")
"""``h5repack``'s ``--low``/``--high`` numbers, as h5py's libver names."""
_DS_ATTRS = ("CLASS", "NAME", "REFERENCE_LIST", "DIMENSION_LIST", "DIMENSION_LABELS")
_WHOLE_CHUNK_LIMIT = 1024 * 1024
"""A contiguous dataset given filters becomes one chunk (as ``h5repack``) up to this
size; a larger one gets h5py's automatic chunk shape, so memory stays bounded."""


class RepackError(Exception):
    """The repack could not be done (the message names the file and the object)."""


@dataclass
class RepackOptions:
    """``h5repack``'s options and h5pure's additions."""

    filters: list[FilterRequest] = field(default_factory=list)
    """``-f`` requests, in command-line order (pipeline order per object)."""
    layouts: list[LayoutRequest] = field(default_factory=list)
    min_size: int = 0
    """``-m``: datasets smaller than this many bytes get no new filters."""
    libver: tuple[str, str] | None = None
    """h5py's ``libver`` for the new file (None: h5py's default, earliest)."""
    userblock_file: str | None = None
    userblock_size: int | None = None
    budget: int = DEFAULT_BUDGET
    """Bytes of data held at once."""
    verify: bool = False
    jobs: int = 1
    progress: bool | None = None
    """Draw a progress bar (None: when stderr is a terminal)."""
    verbose: bool = False
    link_phase_change: tuple[int, int] | None = None
    """``-c``/``-d``: (most links in compact groups, fewest in dense ones) for every group
    of the new file (None: each group keeps libhdf5's 8 and 6)."""


@dataclass
class RepackResult:
    """What a repack did."""

    objects: int = 0
    datasets: int = 0
    raw_chunks: int = 0
    """Chunks copied as stored bytes (no decode/encode)."""
    recoded_bytes: int = 0
    """Bytes of data decoded and written through the filters."""
    not_applied: list[str] = field(default_factory=list)
    """Requested filters or layouts that were not applied, one line each."""
    notes: list[str] = field(default_factory=list)
    """What changed that was not asked for (compact layouts written contiguous, ...)."""
    verified: bool | None = None
    input_size: int = 0
    output_size: int = 0
    log: list[str] = field(default_factory=list)


def repack(src_path: str, dst_path: str, opts: RepackOptions | None = None) -> RepackResult:
    """Rewrite ``src_path`` into ``dst_path`` (overwritten) as ``opts`` ask."""
    opts = opts or RepackOptions()
    if os.path.exists(dst_path) and os.path.exists(src_path):
        if os.path.samefile(src_path, dst_path):
            raise RepackError(f"{dst_path}: output file is the input file")
    try:
        src = File(src_path, "r")
    except (OSError, ValueError) as e:
        raise RepackError(f"{src_path}: {e}") from None
    result = RepackResult(input_size=os.path.getsize(src_path))
    try:
        ub_size, ub_bytes = _userblock(src, opts)
        kwargs: dict[str, Any] = {"track_order": h5inspect.settings(src).link_order_tracked}
        if opts.libver is not None:
            kwargs["libver"] = opts.libver
        if ub_size:
            kwargs["userblock_size"] = ub_size
        try:
            dst = File(dst_path, "w", **kwargs)
        except (OSError, ValueError) as e:
            raise RepackError(f"{dst_path}: {e}") from None
        try:
            if opts.link_phase_change is not None:
                try:
                    set_link_phase_change(dst, *opts.link_phase_change)
                except ValueError as e:
                    raise RepackError(f"-c/-d: {e}") from None
            copier = _Copier(src, dst, opts, result, src_path)
            copier.run()
        finally:
            dst.close()
        if ub_bytes:
            with open(dst_path, "r+b") as fh:
                fh.write(ub_bytes[:ub_size])
    finally:
        src.close()
    result.output_size = os.path.getsize(dst_path)
    if opts.verify:
        from .diff import DiffOptions, diff_files

        check = diff_files(dst_path, src_path, opts=DiffOptions(quiet=True), out=io.StringIO())
        result.verified = check.exit_code == 0
    return result


def _userblock(src: Any, opts: RepackOptions) -> tuple[int, bytes]:
    """The user block size of the new file and the bytes to put in it: ``-u``/``-b``,
    else the source's own."""
    data = b""
    if opts.userblock_file:
        with open(opts.userblock_file, "rb") as fh:
            data = fh.read()
    size = opts.userblock_size or 0
    if data and not size:
        size = 512
        while size < len(data):
            size *= 2
    if data and len(data) > size:
        raise RepackError(
            f"{opts.userblock_file}: {len(data)} bytes do not fit a user block of {size}"
        )
    if not size and not data:
        size = int(src.userblock_size)
        if size:
            with open(src.filename, "rb") as fh:
                data = fh.read(size)
    return size, data


def _identity(obj: Any) -> Any:
    return obj.id


@dataclass
class _Plan:
    """How one dataset is written."""

    kwargs: dict[str, Any]
    compact: bool
    """The compact layout (the source's, or ``-l COMPA``)."""
    raw_copy_possible: bool
    layout: LayoutRequest | None
    """The requested layout these keywords carry out."""
    filters: list[FilterRequest] | None
    """The requested filters these keywords carry out."""
    fallback: dict[str, Any] | None
    """Keywords without the requested filters (the source's own pipeline kept)."""


class _Copier:
    def __init__(
        self, src: Any, dst: Any, opts: RepackOptions, result: RepackResult, src_path: str
    ) -> None:
        self.src = src
        self.dst = dst
        self.opts = opts
        self.result = result
        self.src_path = src_path
        self.done: dict[Any, Any] = {}
        """Source object identity -> its copy."""
        self.datasets: list[tuple[Any, Any]] = []
        """(source, copy) of every dataset, in walk order."""
        self.deferred: list[tuple[Any, Any]] = []
        """Datasets whose values are references: written once every object exists."""
        self.objects: list[tuple[Any, Any]] = []
        self.progress: Progress | None = None
        self.pool: Any = None
        self.type_paths: dict[int, str] = {}
        """Header address of each committed datatype of the source -> its path."""
        self.candidates: dict[int, int] = {}
        """id() of each request -> datasets it was tried on (not left out by design)."""
        self.applied: dict[int, int] = {}
        """id() of each request -> datasets it was applied to."""
        self.walked: set[Any] = set()
        """Source groups whose members have been copied."""

    # -- the walk ---------------------------------------------------------------------------
    def run(self) -> None:
        root_src, root_dst = self.src["/"], self.dst["/"]
        self.done[_identity(root_src)] = root_dst
        self.objects.append((root_src, root_dst))
        total = self._measure(root_src)
        self.progress = Progress(total, self.opts.progress, label="repack ")
        try:
            if self.opts.jobs > 1:
                from .repackjobs import ChunkPool

                self.pool = ChunkPool(self.opts.jobs, self.src_path)
            self._find_types(root_src)
            self._group(root_src, root_dst)
            for s, d in self.deferred:
                self._write_references(s, d)
            for s, d in self.objects:
                self._attributes(s, d)
            self._dimension_scales()
            self._unused_requests()
        finally:
            if self.pool is not None:
                self.pool.close()
            self.progress.close()
        self.result.objects = len(self.objects)

    def _measure(self, root: Any) -> int:
        total = 0
        seen = set()

        def visit(name: str, obj: Any) -> None:
            nonlocal total
            if isinstance(obj, Dataset) and _identity(obj) not in seen:
                seen.add(_identity(obj))
                try:
                    total += h5inspect.storage(obj).allocated_bytes
                except (OSError, ValueError):
                    pass

        root.visititems(visit)
        return total

    def _find_types(self, root: Any) -> None:
        """Where each committed datatype lives (header address -> path): a dataset met
        before its type has the type made first."""

        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, Datatype):
                self.type_paths.setdefault(h5inspect.header(obj).address, "/" + name)

        root.visititems(visit)

    def _ensure_type(self, address: int) -> Any:
        """The copy of the committed datatype at ``address`` (made now, with the groups
        on its path, when the walk has not reached it yet)."""
        path = self.type_paths.get(address)
        if path is None:
            return None
        obj = self.src[path]
        known = self.done.get(_identity(obj))
        if known is not None:
            return known
        parent_path, _, base = path.rpartition("/")
        parent = self._ensure_group(parent_path or "/")
        try:
            parent[base] = obj.dtype
        except (OSError, ValueError, TypeError) as e:
            raise RepackError(f"{self.src_path}: {path}: {e}") from None
        copy = parent[base]
        self.done[_identity(obj)] = copy
        self.objects.append((obj, copy))
        return copy

    def _ensure_group(self, path: str) -> Any:
        """The copy of the source group at ``path``, made now if the walk has not
        reached it yet."""
        if path in ("", "/"):
            return self.dst["/"]
        src_group = self.src[path]
        known = self.done.get(_identity(src_group))
        if known is not None:
            return known
        parent_path, _, base = path.rpartition("/")
        parent = self._ensure_group(parent_path or "/")
        copy = self._new_group(parent, base, src_group)
        self.done[_identity(src_group)] = copy
        self.objects.append((src_group, copy))
        return copy

    def _new_group(self, parent: Any, name: str, src: Any) -> Any:
        """The copy of the group ``src`` as ``parent/name`` (empty)."""
        copy = parent.create_group(name, track_order=h5inspect.settings(src).link_order_tracked)
        if self.opts.link_phase_change is not None:
            set_link_phase_change(copy, *self.opts.link_phase_change)
        return copy

    def _group(self, src: Any, dst: Any) -> None:
        self.walked.add(_identity(src))
        tracked = h5inspect.settings(src).link_order_tracked
        names = list(src) if tracked else by_name(src)
        for name in names:
            link = src.get(name, getlink=True)
            if name in dst:  # made ahead: a committed type, or a group holding one
                if not isinstance(link, (SoftLink, ExternalLink)):
                    obj = src[name]
                    if isinstance(obj, Group) and _identity(obj) not in self.walked:
                        self._group(obj, dst[name])
                continue
            if isinstance(link, SoftLink):
                dst[name] = SoftLink(link.path)
                continue
            if isinstance(link, ExternalLink):
                dst[name] = ExternalLink(link.filename, link.path)
                continue
            try:
                obj = src[name]
            except (KeyError, OSError, ValueError) as e:
                raise RepackError(f"{self.src_path}: {src.name}/{name}: {e}") from None
            key = _identity(obj)
            if key in self.done:
                dst[name] = self.done[key]
                continue
            if isinstance(obj, Group):
                copy = self._new_group(dst, name, obj)
                self.done[key] = copy
                self.objects.append((obj, copy))
                self._group(obj, copy)
            elif isinstance(obj, Dataset):
                copy = self._dataset(obj, dst, name)
                self.done[key] = copy
                self.objects.append((obj, copy))
            elif isinstance(obj, Datatype):
                dst[name] = obj.dtype
                self.done[key] = dst[name]
                self.objects.append((obj, dst[name]))

    # -- datasets ---------------------------------------------------------------------------
    def _path_of(self, obj: Any) -> str:
        return obj.name or "(anonymous)"

    def _plan(self, src: Any, with_layouts: bool = True) -> _Plan:
        """The ``create_dataset`` keywords of the copy of ``src``, the requests they
        carry out, and the keywords to fall back on if the requested filters fail
        (without ``with_layouts``: the plan ignoring the ``-l`` requests)."""
        path = self._path_of(src)
        st = h5inspect.storage(src)
        kw: dict[str, Any] = {}
        shape = src.shape
        scalar = shape is None or shape == ()
        dtype = src.dtype
        settings = h5inspect.settings(src)
        kw["track_order"] = settings.attribute_order_tracked
        if settings.times_tracked:
            kw["track_times"] = True
        if st.fill_value is not None and st.fill_defined and st.layout != "virtual":
            kw["fillvalue"] = src.fillvalue
        if st.fill_time in ("alloc", "never") and st.layout != "virtual":
            kw["fill_time"] = st.fill_time
        if not scalar and src.maxshape is not None and src.maxshape != shape:
            kw["maxshape"] = src.maxshape
        committed = self._committed_type(src)
        kw["dtype"] = committed if committed is not None else dtype
        nbytes = int(np.prod(shape)) * dtype.itemsize if not scalar else dtype.itemsize
        layouts = for_object(self.opts.layouts, path) if with_layouts else None
        filters = for_object(self.opts.filters, path)
        layout = layouts[-1] if layouts else None
        chunks: Any = src.chunks
        compact = st.layout == "compact"
        if st.layout in ("compact", "virtual") or st.external:
            chunks = None
        # h5repack writes datasets of references in a pass of their own, with the
        # source's storage whatever -l and -f ask
        refs = check_ref_dtype(dtype) is not None
        if layout is not None:
            why = None
            if scalar:
                why = "a scalar dataset has one layout"
            elif refs:
                why = "h5repack keeps the storage of a dataset of references"
            elif layout.kind == "CHUNK":
                assert layout.chunks is not None
                limit = kw.get("maxshape") or shape
                if len(layout.chunks) != len(shape):
                    why = f"the dataset has rank {len(shape)}"
                elif any(c > m for c, m in zip(layout.chunks, limit) if m is not None):
                    why = f"chunks larger than the dataset {tuple(shape)}"
                else:
                    chunks = tuple(layout.chunks)
            elif layout.kind == "COMPA" and st.filters and _names(filters or []) != "NONE":
                # h5repack keeps the filters, which the compact layout refuses
                why = "its filters need chunked storage (-f NONE removes them)"
            else:
                # h5repack makes the maximum shape the shape, unlimited or not
                chunks = None
                kw.pop("maxshape", None)
            if why is not None:
                self._skip([layout], path, why, by_design=scalar or refs)
                layout = None
            else:
                self.candidates[id(layout)] = self.candidates.get(id(layout), 0) + 1
        if layout is not None:
            compact = layout.kind == "COMPA"
        no_filters = layout is not None and layout.kind in ("CONTI", "COMPA")
        requested = filters
        fkw: dict[str, Any] = {}
        if requested is not None:
            why = None
            if scalar or nbytes == 0:
                why = "a scalar or empty dataset takes no filters"
            elif refs:
                why = "h5repack keeps the storage of a dataset of references"
            elif nbytes < self.opts.min_size:
                requested = None  # -m: by design, not a failure
            elif no_filters and _names(requested) != "NONE":
                why = "contiguous or compact storage takes no filters"
            if why is not None and requested is not None:
                self._skip(requested, path, why, by_design=True)
                requested = None
            for r in requested or ():
                self.candidates[id(r)] = self.candidates.get(id(r), 0) + 1
        if requested is not None:
            try:
                fkw = filter_keywords(requested, dtype)
            except SpecError as e:
                self._skip(requested, path, str(e))
                requested = None
        keep: dict[str, Any] = {}
        if st.filters and not scalar and not no_filters:
            try:
                keep = filter_keywords(pipeline_keywords(st.filters)["requests"], dtype)
            except SpecError as e:
                self.result.not_applied.append(
                    f"{path}: its filter pipeline could not be kept ({e}); written unfiltered"
                )
        elif st.filters and no_filters:
            assert layout is not None
            self.result.notes.append(f"{path}: filters dropped with the {layout.kind} layout")
        if requested is None:
            fkw = keep
        filtered = any(fkw.get(k) for k in ("compression", "shuffle", "fletcher32")) or (
            fkw.get("scaleoffset") is not None
        )
        if filtered and chunks is None:
            chunks = self._auto_chunks(shape, dtype, nbytes)
            compact = False
        if chunks is not None and not scalar:
            kw["chunks"] = chunks
        fallback = None
        if requested is not None:
            fallback = dict(kw)
            fallback.update(_filter_kwargs(keep))
            if not keep and "chunks" in fallback and src.chunks is None and layout is None:
                del fallback["chunks"]
        if chunks is not None and not scalar:
            kw.update(_filter_kwargs(fkw))
        raw = (
            st.layout == "chunked"
            and chunks is not None
            and tuple(chunks) == tuple(src.chunks or ())
            and check_ref_dtype(dtype) is None
        )
        return _Plan(kw, compact and not scalar, raw, layout, requested, fallback)

    def _skip(self, requests: list[Any], path: str, why: str, by_design: bool = False) -> None:
        """A request that cannot apply to ``path``: a failure when it names the object,
        a note when it is for all objects (it applies where it can; nothing is said
        when the dataset cannot take it by its nature, a scalar one for instance)."""
        text = ",".join(str(r) for r in requests)
        if any(path in r.objects for r in requests):
            self.result.not_applied.append(f"{path}: {text} not applied: {why}")
        elif not by_design:
            self.result.notes.append(f"{path}: {text} skipped: {why}")

    def _auto_chunks(self, shape: Any, dtype: Any, nbytes: int) -> Any:
        if nbytes <= _WHOLE_CHUNK_LIMIT:
            return tuple(max(1, int(n)) for n in shape)
        return True

    def _committed_type(self, src: Any) -> Any:
        address = h5inspect.committed_type_address(src)
        if address is None:
            return None
        return self._ensure_type(address)

    def _dataset(self, src: Any, parent: Any, name: str) -> Any:
        path = self._path_of(src)
        st = h5inspect.storage(src)
        missing = [f.name for f in st.filters if not f.available]
        if missing:
            raise RepackError(
                f"{self.src_path}: {path}: filter {missing[0]!r} is not available to read it"
            )
        plan = self._plan(src)
        shape = src.shape
        try:
            if shape is None:
                copy = parent.create_dataset(name, data=Empty(plan.kwargs.pop("dtype")))
            elif plan.compact:
                copy = self._compact_copy(src, parent, name, plan)
            else:
                try:
                    copy = parent.create_dataset(name, shape, **plan.kwargs)
                except (OSError, ValueError, TypeError) as e:
                    if plan.filters is None or plan.fallback is None:
                        raise
                    self._skip(plan.filters, path, str(e))
                    plan.filters = None
                    copy = parent.create_dataset(name, shape, **plan.fallback)
        except (OSError, ValueError, TypeError) as e:
            raise RepackError(f"{self.src_path}: {path}: {e}") from None
        self._check_applied(plan, copy, path)
        self.result.datasets += 1
        self.datasets.append((src, copy))
        if self.opts.verbose:
            how = "raw chunks" if plan.raw_copy_possible else "decoded"
            self.result.log.append(f" {path} ({how})")
        if shape is None or st.allocated_bytes == 0 and st.layout != "virtual":
            return copy
        if _holds_references(src.dtype):
            self.deferred.append((src, copy))
            return copy
        if plan.raw_copy_possible and self._same_pipeline(st, h5inspect.storage(copy)):
            self._copy_raw(src, copy)
        else:
            self._copy_values(src, copy)
        return copy

    def _compact_copy(self, src: Any, parent: Any, name: str, plan: _Plan) -> Any:
        """The compact copy of ``src``; when libhdf5 would refuse it (beyond the 64 KiB
        of a header message), the copy the plan without ``-l`` makes, as h5repack falls
        back on the source's settings."""
        try:
            return create_compact_dataset(parent, name, src.shape, **plan.kwargs)
        except ValueError as e:
            if plan.layout is None:
                raise
            self._skip([plan.layout], self._path_of(src), str(e))
            fallback = self._plan(src, with_layouts=False)
            plan.kwargs, plan.compact, plan.layout = fallback.kwargs, fallback.compact, None
            plan.raw_copy_possible = fallback.raw_copy_possible
            if plan.compact:
                return create_compact_dataset(parent, name, src.shape, **plan.kwargs)
            return parent.create_dataset(name, src.shape, **plan.kwargs)

    def _check_applied(self, plan: _Plan, copy: Any, path: str) -> None:
        """Count the requests the new dataset really carries (its stored layout and
        pipeline are read back), report the others."""
        st = h5inspect.storage(copy)
        if plan.layout is not None:
            ok = (
                (plan.layout.kind == "CONTI" and st.layout == "contiguous")
                or (plan.layout.kind == "COMPA" and st.layout == "compact")
                or (plan.layout.kind == "CHUNK" and st.chunk_shape == plan.layout.chunks)
            )
            if ok:
                self.applied[id(plan.layout)] = self.applied.get(id(plan.layout), 0) + 1
            else:
                self._skip([plan.layout], path, f"the copy is {st.layout}")
        if plan.filters is not None:
            want = [
                _FILTER_IDS.get(f.name, f.params[0] if f.params else None) for f in plan.filters
            ]
            want = [w for w in want if w is not None]
            have = [f.filter_id for f in st.filters]
            if want == have:
                for f in plan.filters:
                    self.applied[id(f)] = self.applied.get(id(f), 0) + 1
            else:
                self._skip(plan.filters, path, f"the copy's filters are {have}")

    def _unused_requests(self) -> None:
        """Requests that reached no dataset at all."""
        requests: list[FilterRequest | LayoutRequest] = [*self.opts.filters, *self.opts.layouts]
        for req in requests:
            if self.applied.get(id(req)):
                continue
            if isinstance(req, FilterRequest) and req.name == "NONE":
                continue
            for obj in req.objects:
                if obj not in self.src:
                    self.result.not_applied.append(f"{obj}: {req} not applied: no such object")
            if not req.objects and self.candidates.get(id(req)):
                self.result.not_applied.append(f"{req} not applied: no dataset could take it")

    @staticmethod
    def _same_pipeline(a: Any, b: Any) -> bool:
        def key(s: Any) -> Any:
            return [(f.filter_id, f.optional, f.client_data) for f in s.filters]

        return bool(a.chunk_shape == b.chunk_shape and key(a) == key(b))

    def _copy_raw(self, src: Any, dst: Any) -> None:
        """Every stored chunk as it is (bytes and filter mask), one at a time."""
        infos: list[Any] = []
        src.id.chunk_iter(infos.append)
        for info in infos:
            mask, data = src.id.read_direct_chunk(info.chunk_offset)
            dst.id.write_direct_chunk(info.chunk_offset, data, mask)
            self.result.raw_chunks += 1
            assert self.progress is not None
            self.progress.advance(len(data))

    def _copy_values(self, src: Any, dst: Any) -> None:
        """The values, in blocks aligned to the new chunks (and the old ones when that
        stays within the budget); where the source stores only some chunks of a block,
        just the new chunks they touch are written, so sparse data stays sparse."""
        shape = tuple(src.shape)
        assert self.progress is not None
        if shape == ():
            dst[()] = src[()]
            self.progress.advance(src.dtype.itemsize)
            return
        if 0 in shape:
            return
        itemsize = max(1, src.dtype.itemsize)
        budget = max(1, self.opts.budget // 4)
        unit = block_unit(src.chunks, dst.chunks, shape, itemsize, budget)
        bshape = block_shape(shape, unit, itemsize, budget)
        st = h5inspect.storage(src)
        ratio = st.allocated_bytes / max(1, st.logical_bytes)
        regions = copy_regions(src, dst, shape, bshape)
        if self.pool is not None and dst.chunks is not None:
            self.pool.copy(src, dst, regions, self.progress, ratio, self.result)
            return
        for region in regions:
            values = src[region]
            dst[region] = values
            n = int(np.asarray(values).nbytes)
            self.result.recoded_bytes += n
            self.progress.advance(int(n * ratio))

    def _write_references(self, src: Any, dst: Any) -> None:
        shape = tuple(src.shape or ())
        if shape == ():
            dst[()] = self._remap(src[()])
            return
        for region in blocks(shape, block_shape(shape, src.chunks, 16, self.opts.budget // 8)):
            dst[region] = self._remap(src[region])

    # -- references -------------------------------------------------------------------------
    def _target(self, ref: Any) -> Any:
        if not ref:
            return None
        try:
            obj = self.src[ref]
        except (KeyError, OSError, ValueError):
            return None
        return self.done.get(_identity(obj))

    def _remap(self, value: Any) -> Any:
        """``value`` with every reference pointing at the copy of its target (null when
        the target was not copied: an object no link reaches)."""
        if isinstance(value, RegionReference):
            target = self._target(value)
            if target is None:
                return RegionReference()
            return RegionReference(target.ref.address, value.selection)
        if isinstance(value, Reference):
            target = self._target(value)
            return Reference() if target is None else target.ref
        if isinstance(value, np.void) and value.dtype.names:
            out = np.array(value, dtype=value.dtype)
            for name in value.dtype.names:
                out[name] = self._remap(value[name])
            return out[()]
        if isinstance(value, np.ndarray) and value.dtype.hasobject:
            if value.dtype.names:
                out = value.copy()
                for name in value.dtype.names:
                    out[name] = self._remap(value[name])
                return out
            out = np.empty(value.shape, dtype=value.dtype)
            flat_out = out.reshape(-1)
            for i, v in enumerate(value.reshape(-1)):
                flat_out[i] = self._remap(v)
            return out
        return value

    # -- attributes and dimension scales ----------------------------------------------------
    def _attributes(self, src: Any, dst: Any) -> None:
        names = list(src.attrs)
        is_dataset = isinstance(src, Dataset)
        for name in names:
            if is_dataset and name in _DS_ATTRS and self._is_ds_attribute(src, name):
                continue
            try:
                aid = src.attrs.get_id(name)
                value = src.attrs[name]
            except (OSError, ValueError, KeyError) as e:
                raise RepackError(
                    f"{self.src_path}: {self._path_of(src)}: attribute {name!r}: {e}"
                ) from None
            dtype = aid.dtype
            if isinstance(value, Empty):
                dst.attrs.create(name, Empty(dtype))
                continue
            if _holds_references(dtype):
                value = self._remap(
                    np.asarray(value, dtype=dtype) if not dtype.hasobject else value
                )
            try:
                dst.attrs.create(name, value, shape=aid.shape, dtype=dtype)
            except (OSError, ValueError, TypeError) as e:
                raise RepackError(
                    f"{self.src_path}: {self._path_of(src)}: attribute {name!r}: {e}"
                ) from None

    @staticmethod
    def _is_ds_attribute(src: Any, name: str) -> bool:
        if name in ("CLASS", "NAME"):
            return bool(src.is_scale)
        if name == "DIMENSION_LABELS":
            return True
        return True

    def _dimension_scales(self) -> None:
        for src, dst in self.datasets:
            if src.is_scale:
                name = src.attrs.get("NAME", b"")
                if isinstance(name, bytes | np.bytes_):
                    name = bytes(name).decode("utf-8", "replace")
                dst.make_scale(str(name) if name is not None else "")
        for src, dst in self.datasets:
            if src.shape is None or "DIMENSION_LIST" not in src.attrs and not _has_labels(src):
                continue
            for i in range(len(src.shape)):
                dim = src.dims[i]
                label = dim.label
                if label:
                    dst.dims[i].label = label
                for k in range(len(dim)):
                    scale = dim[k]
                    copy = self.done.get(_identity(scale))
                    if copy is not None:
                        dst.dims[i].attach_scale(copy)


_FILTER_IDS = {"GZIP": 1, "SHUF": 2, "FLET": 3, "SZIP": 4, "NBIT": 5, "SOFF": 6, "LZF": 32000}


def _filter_kwargs(fkw: dict[str, Any]) -> dict[str, Any]:
    """The filter keywords worth passing (h5py's defaults left out)."""
    out = {k: v for k, v in fkw.items() if v is not None and v is not False}
    if not out.get("compression"):
        out.pop("compression_opts", None)
    return out


def _names(filters: list[FilterRequest]) -> str:
    return ",".join(str(f) for f in filters)


def _has_labels(src: Any) -> bool:
    return "DIMENSION_LABELS" in src.attrs


def _holds_references(dtype: Any) -> bool:
    dtype = np.dtype(dtype)
    if check_ref_dtype(dtype) is not None:
        return True
    base = check_vlen_dtype(dtype)
    if base is not None and check_ref_dtype(np.dtype(base)) is not None:
        return True
    if dtype.names:
        return any(_holds_references(dtype.fields[n][0]) for n in dtype.names)
    if dtype.subdtype is not None:
        return _holds_references(dtype.subdtype[0])
    return False
