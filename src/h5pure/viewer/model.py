"""The viewer's model: h5grove's answers (metadata, attributes, data slices, statistics,
paths) computed from h5pure's public API, with the viewer's limits.  No HTTP here: the
server turns a :class:`ViewerError` into a status code and a ``{"message": ...}`` body.

h5grove's semantics kept (its ``content.py`` and ``utils.py`` are the reference):

- entities are addressed by HDF5 path; links are resolved by ``resolve_links``
  (``only_valid`` by default: a dangling soft link is described as a ``soft_link``);
- metadata keys are sorted, attributes listed by name, children in the group's order,
  each child described one level deep;
- ``selection`` is numpy-like text (``"0, 2:5, ::4"``), ``dtype=safe`` converts numbers to
  little-endian types JavaScript's typed arrays hold, ``flatten`` ravels the result.

The viewer's own rules on top (documented in ``docs/viewer.md``):

- **Only the served files**: ``file`` must name one of them.  Paths are HDF5 paths walked
  link by link here, so ``..`` is just a link name, and an **external link is never
  followed** (it is shown as an ``external_link``, unresolved): the server reads no file
  it was not given.
- **Bounded answers**: a data answer larger than ``Limits.max_response_bytes`` (16 MiB)
  is refused with 413 and a message suggesting a step, before anything is read;
  statistics read at most ``Limits.max_stats_bytes``, in blocks.
- Errors that h5grove leaves to its web framework (a 500) are answered with a 4xx and a
  message: 422 for a bad selection or an argument that does not fit the entity, 404 for
  a missing attribute.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from .. import inspect as h5inspect
from ..hl import Dataset, Datatype, ExternalLink, File, Group, SoftLink
from .types import type_metadata

MiB = 1 << 20
_MAX_LINK_HOPS = 32  # soft links followed while walking one path (cycles end here)
LINK_RESOLUTIONS = ("none", "only_valid", "all")


class ViewerError(Exception):
    """An answer other than 200: ``status`` and the message shown to the user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Limits:
    """What one request may cost."""

    max_response_bytes: int = 16 * MiB
    """The largest data answer (elements as read, and the encoded body)."""
    max_stats_bytes: int = 1024 * MiB
    """The most a statistics request reads (in blocks of ``max_response_bytes``)."""


@dataclass(frozen=True)
class Entity:
    """What a path names: an object (group, dataset, committed datatype) or a link left
    unresolved."""

    path: str
    """The path as asked (h5grove names entities by it)."""
    obj: Any
    """A ``Group``, ``Dataset`` or ``Datatype``; or a ``SoftLink`` / ``ExternalLink``."""

    @property
    def name(self) -> str:
        return self.path.split("/")[-1]

    @property
    def kind(self) -> str:
        if isinstance(self.obj, Dataset):
            return "dataset"
        if isinstance(self.obj, Group):
            return "group"
        if isinstance(self.obj, Datatype):
            return "datatype"
        if isinstance(self.obj, SoftLink):
            return "soft_link"
        return "external_link"


# -- paths -------------------------------------------------------------------------------


def _parse_resolution(value: str | None) -> str:
    if value is None:
        return "only_valid"
    low = value.lower()
    if low in ("true", "all"):
        return "all"
    if low in ("false", "none"):
        return "none"
    if low == "only_valid":
        return "only_valid"
    raise ViewerError(
        422,
        f"{value} is not a valid value for link resolution. Accepted values are: "
        "all, none or only_valid",
    )


class _Dangling(Exception):
    """A link on the way could not be resolved (``reason`` says which and why)."""


def _walk(root: Group, path: str, hops: int = 0) -> Any:
    """The object at ``path``, following hard and soft links, never external ones.

    Raises KeyError when a name is missing, _Dangling when a soft link leads nowhere or
    the path needs an external link."""
    if hops > _MAX_LINK_HOPS:
        raise _Dangling("too many soft links")
    node: Any = root
    parts = [p for p in path.split("/") if p not in ("", ".")]
    for i, part in enumerate(parts):
        if not isinstance(node, Group):
            raise KeyError(part)
        link = node.get(part, getlink=True)
        if link is None:
            raise KeyError(part)
        if isinstance(link, ExternalLink):
            raise _Dangling("external links are not followed by this viewer")
        if isinstance(link, SoftLink):
            base = node.name if node.name else "/"
            target = link.path if link.path.startswith("/") else posixpath.join(base, link.path)
            try:
                node = _walk(root, target, hops + 1)
            except KeyError as exc:
                raise _Dangling(f"soft link {'/'.join(parts[: i + 1])} leads nowhere") from exc
        else:
            node = node[part]
    return node


def _link_at(root: Group, path: str) -> Any:
    """The link object (``SoftLink``/``ExternalLink``/``HardLink``) named by ``path``, or
    None when a name on the way is missing."""
    parent, _, base = path.rstrip("/").rpartition("/")
    if not base:
        return None
    try:
        group = _walk(root, parent or "/")
    except (KeyError, _Dangling):
        return None
    if not isinstance(group, Group):
        return None
    return group.get(base, getlink=True)


def _not_found(path: str, f: File) -> ViewerError:
    return ViewerError(404, f"{path} is not a valid path in {posixpath.basename(f.filename)}")


# -- values -----------------------------------------------------------------------------


def parse_selection(text: str) -> tuple[int | slice, ...]:
    """h5grove's selection text as an index tuple (``"1, 2:5, ::4"``).

    As h5grove: a member without ``:`` is an integer; ``a:b`` starts at 0 when ``a`` is
    empty; ``a:b:c`` leaves empty parts to numpy."""
    try:
        return tuple(_member(m) for m in text.split(","))
    except ValueError as exc:
        raise ViewerError(422, f"{text!r} is not a valid selection: {exc}") from None


def _member(text: str) -> int | slice:
    if ":" not in text:
        return int(text)
    parts = text.split(":")
    if len(parts) == 2:
        return slice(int(parts[0]) if parts[0].strip() else 0, _opt(parts[1]))
    if len(parts) == 3:
        return slice(_opt(parts[0]), _opt(parts[1]), _opt(parts[2]))
    raise ValueError(f"{text} is not a valid slice")


def _opt(text: str) -> int | None:
    return int(text) if text.strip() else None


def selection_shape(key: tuple[int | slice, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """The shape ``dset[key]`` has, checked as h5py checks it (422 when it cannot be read)."""
    if len(key) > len(shape):
        raise ViewerError(
            422, f"{len(key)} selection members are too many for a {len(shape)}D dataset"
        )
    out: list[int] = []
    for member, n in zip(key, shape):
        if isinstance(member, slice):
            if member.step is not None and member.step < 1:
                raise ViewerError(422, f"selection step must be at least 1, got {member.step}")
            out.append(len(range(*member.indices(n))))
        elif not -n <= member < n:
            raise ViewerError(422, f"index {member} is out of range for an axis of {n}")
    out.extend(shape[len(key) :])
    return tuple(out)


def _suggest_steps(shape: tuple[int, ...], itemsize: int, budget: int) -> str:
    """A selection text with steps that fits ``budget`` (for the 413 message)."""
    nelem = int(np.prod(shape, dtype=np.float64)) or 1
    step = 1
    if shape:
        ratio = nelem * itemsize / budget
        step = max(1, int(np.ceil(ratio ** (1.0 / min(len(shape), 2)))))
    dims = [f"::{step}" if i >= len(shape) - 2 else "0" for i in range(len(shape))]
    return ",".join(dims)


def _memory_itemsize(dtype: np.dtype) -> int:
    # an object element (vlen string, sequence, reference) costs at least its pointer
    return max(int(dtype.itemsize), 8) if dtype.hasobject else max(int(dtype.itemsize), 1)


def _is_numeric(value: Any) -> bool:
    if not isinstance(value, (np.ndarray, np.number, np.bool_)):
        return False
    return bool(np.issubdtype(value.dtype, np.number) or np.issubdtype(value.dtype, np.bool_))


def _safe_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype of ``dtype=safe``: one a JavaScript typed array holds, little-endian."""
    if dtype.kind == "f" and dtype.itemsize < 4:
        return np.dtype("<f4")
    if dtype.kind == "f" and dtype.itemsize > 8:
        return np.dtype("<f8")
    if dtype.byteorder in ("=", ">"):
        return dtype.newbyteorder("<")
    return dtype


def convert(value: Any, dtype: str | None) -> Any:
    """h5grove's ``dtype`` argument: ``origin`` (as stored) or ``safe``."""
    if dtype in ("origin", None):
        return value
    if dtype == "safe":
        if not _is_numeric(value):
            raise ViewerError(422, f"Unsupported dtype {dtype} for non-numeric data")
        return value.astype(_safe_dtype(value.dtype), order="C", copy=False)
    raise ViewerError(422, f"Unsupported dtype {dtype}")


def array_stats(data: np.ndarray) -> dict[str, Any]:
    """h5grove's statistics of an array whose non-finite values are already dropped."""
    if data.size == 0:
        return dict.fromkeys(
            ("strict_positive_min", "positive_min", "min", "max", "mean", "std")
        )
    cast: Any = float if np.issubdtype(data.dtype, np.floating) else int
    strict = data[data > 0]
    positive = data[data >= 0]
    return {
        "strict_positive_min": cast(np.min(strict)) if strict.size else None,
        "positive_min": cast(np.min(positive)) if positive.size else None,
        "min": cast(np.min(data)),
        "max": cast(np.max(data)),
        "mean": cast(np.mean(data)),
        "std": cast(np.std(data)),
    }


class _Moments:
    """Statistics merged block by block (for selections above one read's budget)."""

    def __init__(self) -> None:
        self.count = 0
        self.mean = 0.0
        self.m2 = 0.0
        self.mins: dict[str, Any] = {}
        self.integer = False

    def add(self, block: np.ndarray) -> None:
        if block.size == 0:
            return
        self.integer = not np.issubdtype(block.dtype, np.floating)
        part = array_stats(block)
        for key in ("strict_positive_min", "positive_min", "min"):
            if part[key] is not None:
                self.mins[key] = min(self.mins.get(key, part[key]), part[key])
        self.mins["max"] = max(self.mins.get("max", part["max"]), part["max"])
        n, mean = block.size, float(np.mean(block, dtype=np.float64))
        m2 = float(np.var(block, dtype=np.float64)) * n
        delta = mean - self.mean
        total = self.count + n
        self.mean += delta * n / total
        self.m2 += m2 + delta * delta * self.count * n / total
        self.count = total

    def result(self) -> dict[str, Any]:
        if not self.count:
            return array_stats(np.zeros(0))
        out = {key: self.mins.get(key) for key in ("strict_positive_min", "positive_min", "min")}
        out["max"] = self.mins["max"]
        cast: Any = int if self.integer else float
        out["mean"] = cast(self.mean)
        out["std"] = cast(np.sqrt(self.m2 / self.count))
        return out


def _finite(data: Any) -> np.ndarray:
    data = np.asarray(data)
    if not np.issubdtype(data.dtype, np.floating):
        return data
    mask = np.isfinite(data)
    return data if mask.all() else data[mask]


# -- the model --------------------------------------------------------------------------


class ViewerModel:
    """h5grove's answers for a fixed set of open files, each served under a name."""

    def __init__(self, files: Mapping[str, File], limits: Limits | None = None) -> None:
        self.files = dict(files)
        self.limits = limits or Limits()

    # entities
    def file(self, name: str | None) -> File:
        if name is None:
            raise ViewerError(400, "Missing argument file")
        f = self.files.get(name)
        if f is None:
            raise ViewerError(404, "File not found!")
        return f

    def entity(self, f: File, path: str | None, resolve_links: str | None = None) -> Entity:
        mode = _parse_resolution(resolve_links)
        path = "/" if path is None else path
        if path == "/":
            return Entity(path, f)
        link = _link_at(f, path)
        if link is None:
            raise _not_found(path, f)
        if isinstance(link, (SoftLink, ExternalLink)):
            if mode == "none":
                return Entity(path, link)
            try:
                return Entity(path, _walk(f, path))
            except (KeyError, _Dangling):
                if mode == "only_valid":
                    return Entity(path, link)
                raise ViewerError(
                    404,
                    f"Cannot resolve {link!r} at {path} of {posixpath.basename(f.filename)}",
                ) from None
        try:
            return Entity(path, _walk(f, path))
        except (KeyError, _Dangling):
            raise _not_found(path, f) from None

    # /meta
    def metadata(self, e: Entity, depth: int = 1) -> dict[str, Any]:
        base: dict[str, Any] = {"kind": e.kind, "name": e.name}
        obj = e.obj
        if isinstance(obj, SoftLink):
            return {**base, "target_path": obj.path}
        if isinstance(obj, ExternalLink):
            return {**base, "target_file": obj.filename, "target_path": obj.path}
        base["attributes"] = [self._attr_meta(obj, name) for name in sorted(obj.attrs.keys())]
        if isinstance(obj, Dataset):
            base.update(
                chunks=list(obj.chunks) if obj.chunks else None,
                filters=self._filters(obj),
                shape=None if obj.shape is None else list(obj.shape),
                type=type_metadata(h5inspect.datatype(obj)),
            )
        elif isinstance(obj, Datatype):
            base["type"] = type_metadata(h5inspect.datatype(obj))
        elif isinstance(obj, Group) and depth > 0:
            base["children"] = [
                self.metadata(self.entity(obj.file, _join(e.path, name)), depth - 1)
                for name in obj.keys()
            ]
        return dict(sorted(base.items()))

    @staticmethod
    def _attr_meta(obj: Any, name: str) -> dict[str, Any]:
        aid = obj.attrs.get_id(name)
        shape = aid.shape
        return {
            "name": name,
            "shape": None if shape is None else list(shape),
            "type": type_metadata(h5inspect.attribute_datatype(obj, name)),
        }

    @staticmethod
    def _filters(dset: Dataset) -> list[dict[str, Any]] | None:
        if dset.chunks is None:
            return None
        filters = h5inspect.storage(dset).filters
        return [{"id": flt.filter_id, "name": flt.name} for flt in filters] or None

    # /attr
    def attributes(self, e: Entity, keys: list[str] | None = None) -> dict[str, Any]:
        obj = _resolved(e)
        if keys is None:
            return dict(obj.attrs.items())
        missing = [k for k in keys if k not in obj.attrs]
        if missing:
            raise ViewerError(404, f"no attribute {missing[0]!r} at {e.path}")
        return {key: obj.attrs[key] for key in keys}

    # /data
    def data(
        self,
        e: Entity,
        selection: str | None = None,
        flatten: bool = False,
        dtype: str | None = "origin",
    ) -> Any:
        dset = _dataset(e)
        key = self._check_budget(dset, selection)
        try:
            value = dset[()] if key is None else dset[key]
        except (IndexError, ValueError, TypeError) as exc:
            raise ViewerError(422, f"cannot read selection {selection!r}: {exc}") from None
        value = convert(value, dtype)
        if flatten and isinstance(value, np.ndarray):
            return np.ravel(value)
        return value

    def _check_budget(self, dset: Dataset, selection: str | None) -> tuple[int | slice, ...] | None:
        """The parsed selection, refused (413) when reading it would exceed the limit."""
        key = None if selection is None else parse_selection(selection)
        if dset.shape is None:
            return key
        shape = selection_shape(key or (), tuple(dset.shape))
        itemsize = _memory_itemsize(dset.dtype)
        nbytes = int(np.prod(shape, dtype=np.float64)) * itemsize
        budget = self.limits.max_response_bytes
        if nbytes > budget:
            raise ViewerError(
                413,
                f"the selection holds {nbytes:,} bytes, more than this server's "
                f"{budget:,}-byte limit per response; select a slice or a step "
                f"(e.g. selection={_suggest_steps(shape, itemsize, budget)})",
            )
        return key

    # /stats
    def stats(self, e: Entity, selection: str | None = None) -> dict[str, Any]:
        dset = _dataset(e)
        if not np.issubdtype(dset.dtype, np.number) and dset.dtype.kind != "b":
            raise ViewerError(422, f"statistics need numbers; {e.path} holds {dset.dtype}")
        key = None if selection is None else parse_selection(selection)
        if dset.shape is None:
            return array_stats(np.zeros(0))
        shape = selection_shape(key or (), tuple(dset.shape))
        nbytes = int(np.prod(shape, dtype=np.float64)) * dset.dtype.itemsize
        if nbytes > self.limits.max_stats_bytes:
            raise ViewerError(
                413,
                f"statistics over {nbytes:,} bytes exceed this server's "
                f"{self.limits.max_stats_bytes:,}-byte limit; select a slice",
            )
        if nbytes <= self.limits.max_response_bytes:
            value = dset[()] if key is None else dset[key]
            return array_stats(_finite(value))
        moments = _Moments()
        for block in self._blocks(dset, key or ()):
            moments.add(_finite(block))
        return moments.result()

    # /histogram (the viewer's own endpoint, beyond h5grove)
    def histogram(
        self, e: Entity, selection: str | None = None, bins: str | None = None
    ) -> dict[str, Any]:
        """Counts of the finite values of a numeric dataset (or a selection of it) in
        ``bins`` equal bins between its minimum and maximum (two bounded passes)."""
        n_bins = _parse_bins(bins)
        stats = self.stats(e, selection)  # checks the type and the read limit
        dset = _dataset(e)
        lo, hi = stats["min"], stats["max"]
        if lo is None:
            return {"bins": [], "values": [], "count": 0}
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(float(lo), float(hi), n_bins + 1)
        counts = np.zeros(n_bins, dtype=np.int64)
        key = None if selection is None else parse_selection(selection)
        if dset.shape == ():
            blocks: Iterator[np.ndarray] = iter([np.asarray(dset[()])])
        else:
            blocks = self._blocks(dset, key or ())
        for block in blocks:
            counts += np.histogram(_finite(block).astype(np.float64), bins=edges)[0]
        return {"bins": edges.tolist(), "values": counts.tolist(), "count": int(counts.sum())}

    def _blocks(self, dset: Dataset, key: tuple[int | slice, ...]) -> Iterator[np.ndarray]:
        """The selection read in pieces of at most one response's size, along its first
        sliced axis."""
        shape = tuple(dset.shape or ())
        full: list[int | slice] = list(key) + [slice(None)] * (len(shape) - len(key))
        axis = next(i for i, m in enumerate(full) if isinstance(m, slice))
        member = cast(slice, full[axis])
        idx = range(*member.indices(shape[axis]))
        out_shape = selection_shape(tuple(full), shape)
        per_index = int(np.prod(np.array(out_shape, dtype=np.int64))) // max(len(idx), 1)
        row_bytes = max(1, per_index * dset.dtype.itemsize)
        per = max(1, self.limits.max_response_bytes // row_bytes)
        for i in range(0, len(idx), per):
            sub = idx[i : i + per]
            full[axis] = slice(sub.start, sub.stop, sub.step)
            yield np.asarray(dset[tuple(full)])

    # /paths
    def paths(self, e: Entity, resolve_links: str | None = None) -> list[str]:
        _parse_resolution(resolve_links)
        if not isinstance(e.obj, Group):
            raise ViewerError(422, f"{e.path} is not a group")
        names = [e.path]
        group = e.obj
        base = e.path
        f = group.file

        def visit(name: str) -> None:
            full = _join(base, name)
            self.entity(f, full, resolve_links)  # as h5grove: every path must resolve
            names.append(full)

        group.visit_links(visit)
        return names


MAX_BINS = 10_000


def _parse_bins(text: str | None) -> int:
    if text is None:
        return 64
    try:
        n = int(text)
    except ValueError:
        raise ViewerError(422, f"bins must be an integer, got {text!r}") from None
    if not 1 <= n <= MAX_BINS:
        raise ViewerError(422, f"bins must be between 1 and {MAX_BINS}, got {n}")
    return n


def _join(prefix: str | None, name: str) -> str:
    if prefix is None or prefix == "/":
        return f"/{name}"
    return f"{prefix.rstrip('/')}/{name}"


def _resolved(e: Entity) -> Any:
    if isinstance(e.obj, (SoftLink, ExternalLink)):
        raise ViewerError(422, f"{e.path} is an unresolved link: it has no attributes or data")
    return e.obj


def _dataset(e: Entity) -> Dataset:
    obj = _resolved(e)
    if not isinstance(obj, Dataset):
        raise ViewerError(422, f"{e.path} is not a dataset")
    return obj


__all__ = [
    "Entity",
    "Limits",
    "ViewerError",
    "ViewerModel",
    "array_stats",
    "convert",
    "parse_selection",
    "selection_shape",
]
