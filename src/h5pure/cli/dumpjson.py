"""``h5pure dump --json``: a file (or the objects named with ``-d -g -a -t -l``) as one
JSON document with a stable, documented structure (``docs/dump_json.md``, ``"version": 1``).

Everything h5dump's DDL shows is there, in JSON's own terms: the group tree with every
link kind, datasets with their HDF5 type, extent, storage (layout, chunks, the filter
pipeline in order, fill value) and values, attributes, committed datatypes.  Values map
to JSON naturally (see the schema); what JSON cannot hold (NaN, infinities, bytes that are
not text) has a documented spelling.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import inspect
from ..hl import Dataset, Datatype, ExternalLink, File, Group, SoftLink
from ..inspect import (
    ArrayType,
    BitfieldType,
    ByteOrder,
    CompoundType,
    EnumType,
    FixedPointType,
    FloatType,
    OpaqueType,
    ReferenceType,
    StringPadding,
    StringType,
    TimeType,
    VlenType,
)
from . import common
from .data import elements
from .listing import kind_of, object_paths, sorted_names
from .render import region_blocks
from .typenames import (
    filter_name,
    is_object_reference,
    is_region_reference,
    is_vlen_string,
    members,
    memory_type,
)

SCHEMA_VERSION = 1

_PADS = {StringPadding.NULLTERM: "nullterm", StringPadding.NULLPAD: "nullpad",
         StringPadding.SPACEPAD: "spacepad"}


# --------------------------------------------------------------------------- types


def type_json(dt: Any, committed: str | None = None) -> dict[str, Any]:
    """An HDF5 datatype record as JSON (``committed``: the committed type's path)."""
    out: dict[str, Any]
    if isinstance(dt, FixedPointType):
        out = {"class": "integer", "size": dt.size, "order": _order(dt),
               "signed": bool(dt.signed), "precision": dt.precision, "offset": dt.bit_offset}
    elif isinstance(dt, FloatType):
        out = {"class": "float", "size": dt.size, "order": _order(dt), "precision": dt.precision,
               "exponent_bits": dt.exponent_size, "mantissa_bits": dt.mantissa_size}
    elif isinstance(dt, StringType) or is_vlen_string(dt):
        out = {"class": "string", "size": "variable" if is_vlen_string(dt) else dt.size,
               "padding": _PADS.get(dt.padding, "unknown"),
               "cset": "utf-8" if int(dt.cset) == 1 else "ascii"}
    elif isinstance(dt, BitfieldType):
        out = {"class": "bitfield", "size": dt.size, "order": _order(dt),
               "precision": dt.precision, "offset": dt.bit_offset}
    elif isinstance(dt, OpaqueType):
        out = {"class": "opaque", "size": dt.size,
               "tag": dt.tag.split(b"\0", 1)[0].decode("utf-8", "replace")}
    elif isinstance(dt, CompoundType):
        out = {"class": "compound", "size": dt.size, "members": [
            {"name": m.name, "offset": m.offset, "type": type_json(m.datatype)}
            for m in members(dt)]}
    elif isinstance(dt, EnumType):
        out = {"class": "enum", "size": dt.size, "base": type_json(dt.base),
               "members": [[n, v] for n, v in zip(dt.names, dt.values)]}
    elif isinstance(dt, ReferenceType):
        kind = ("object" if is_object_reference(dt) else "region" if is_region_reference(dt)
                else "other")
        out = {"class": "reference", "size": dt.size, "kind": kind}
    elif isinstance(dt, VlenType):
        out = {"class": "vlen", "base": type_json(dt.base)}
    elif isinstance(dt, ArrayType):
        out = {"class": "array", "size": dt.size, "dims": list(dt.dims),
               "base": type_json(dt.base)}
    elif isinstance(dt, TimeType):
        out = {"class": "time", "size": dt.size}
    else:
        out = {"class": "unknown", "size": int(getattr(dt, "size", 0))}
    if committed is not None:
        out["committed"] = committed
    return out


def _order(dt: Any) -> str:
    order = getattr(dt, "byte_order", ByteOrder.LITTLE)
    return {ByteOrder.LITTLE: "LE", ByteOrder.BIG: "BE"}.get(order, "VAX")


# --------------------------------------------------------------------------- values


class _Values:
    """Values as JSON, references named by the paths of their targets."""

    def __init__(self, file: File, paths: dict[int, str]) -> None:
        self.file = file
        self.paths = paths

    def value(self, dt: Any, v: Any) -> Any:
        if isinstance(dt, FloatType):
            f = float(v)
            if math.isnan(f):
                return "nan"
            if math.isinf(f):
                return "inf" if f > 0 else "-inf"
            return f
        if isinstance(dt, (FixedPointType, BitfieldType)):
            return int(v)
        if isinstance(dt, EnumType):
            number = int(v)
            for name, value in zip(dt.names, dt.values):
                if value == number:
                    return name
            return number
        if isinstance(dt, StringType) or is_vlen_string(dt):
            return self.text(dt, v)
        if isinstance(dt, CompoundType):
            if np.iscomplexobj(v):
                parts = (v.real, v.imag)
                return {m.name: self.value(m.datatype, p) for m, p in zip(members(dt), parts)}
            return {m.name: self.value(m.datatype, v[m.name]) for m in members(dt)}
        if isinstance(dt, ArrayType):
            flat = [self.value(dt.base, x) for x in _array_items(np.asarray(v), dt)]
            return _nest(flat, list(dt.dims))
        if isinstance(dt, VlenType):
            if v is None:
                return []
            return [self.value(dt.base, x) for x in np.asarray(v).reshape(-1)]
        if isinstance(dt, ReferenceType):
            return self.reference(dt, v)
        if isinstance(dt, OpaqueType) or isinstance(dt, TimeType):
            raw = v.tobytes() if isinstance(v, np.void) else bytes(np.asarray(v).tobytes())
            return raw[: dt.size].hex()
        return None

    def text(self, dt: Any, v: Any) -> str:
        raw = v.encode("utf-8", "surrogateescape") if isinstance(v, str) else bytes(v or b"")
        if isinstance(dt, StringType):
            raw = raw.ljust(dt.size, b"\0")[: dt.size]
            if dt.padding == StringPadding.SPACEPAD:
                raw = raw.rstrip(b" ")
            nul = raw.find(b"\0") if dt.padding == StringPadding.NULLTERM else -1
            raw = raw[:nul] if nul >= 0 else raw.rstrip(b"\0")
        encoding = "utf-8" if int(dt.cset) == 1 else "ascii"
        return raw.decode(encoding, "backslashreplace")

    def reference(self, dt: Any, ref: Any) -> Any:
        if ref is None or not ref:
            return None
        try:
            obj = self.file[ref]
        except (KeyError, OSError, ValueError, TypeError):
            return None
        address = inspect.header(obj).address
        out: dict[str, Any] = {"path": self.paths.get(address, obj.name)}
        if is_region_reference(dt) and getattr(ref, "selection", None) is not None:
            out["selection"] = selection_json(ref.selection)
        return out

    def array(self, dt: Any, data: Any, shape: tuple[int, ...] | None) -> Any:
        if shape is None:
            return None
        flat = [self.value(dt, x) for x in elements(data, dt)]
        if shape == ():
            return flat[0] if flat else None
        return _nest(flat, list(shape))


def _array_items(arr: np.ndarray, dt: ArrayType) -> list[Any]:
    n = int(np.prod(dt.dims, dtype=np.int64))
    return list(arr.reshape((n,) + arr.shape[len(dt.dims):]))


def _nest(flat: list[Any], dims: list[int]) -> Any:
    if len(dims) <= 1:
        return flat
    step = len(flat) // dims[0] if dims[0] else 0
    return [_nest(flat[i * step:(i + 1) * step], dims[1:]) for i in range(dims[0])]


def selection_json(sel: Any) -> dict[str, Any]:
    kind = str(sel.kind.value)
    out: dict[str, Any] = {"kind": kind}
    if kind == "points":
        out["points"] = [list(p) for p in sel.points or ()]
    elif kind == "hyperslabs":
        out["blocks"] = [[list(s), list(e)] for s, e in region_blocks(sel)]
    return out


# --------------------------------------------------------------------------- objects


class JSONDumper:
    def __init__(self, file: File, fname: str, header_only: bool, attributes: bool) -> None:
        self.file = file
        self.fname = fname
        self.header_only = header_only
        self.with_attributes = attributes
        self.current = "/"
        """The object being written (named by errors)."""
        self.paths = object_paths(file)
        self.values = _Values(file, self.paths)
        self.seen: dict[int, str] = {}

    def committed_name(self, address: int | None) -> str | None:
        if address is None:
            return None
        return self.paths.get(address, f"/#{address}")

    def attributes(self, obj: Any) -> list[dict[str, Any]]:
        if not self.with_attributes:
            return []
        committed = inspect.attribute_datatype_addresses(obj)
        names = sorted(obj.attrs.keys(), key=lambda n: n.encode("utf-8", "surrogateescape"))
        return [self.attribute(obj, name, committed.get(name)) for name in names]

    def attribute(self, obj: Any, name: str, committed: int | None = None) -> dict[str, Any]:
        dt = inspect.attribute_datatype(obj, name)
        shape = obj.attrs.get_id(name).shape
        out: dict[str, Any] = {"name": name, "type": type_json(dt, self.committed_name(committed)),
                               "shape": None if shape is None else list(shape)}
        if not self.header_only:
            data = obj.attrs[name] if shape is not None else None
            if isinstance(data, str):
                data = data.encode("utf-8", "surrogateescape")
            out["data"] = self.values.array(memory_type(dt), data, None if shape is None
                                            else tuple(shape))
        return out

    def object(self, obj: Any, path: str) -> dict[str, Any]:
        self.current = path
        head = inspect.header(obj)
        if head.refcount > 1:
            first = self.seen.get(head.address)
            if first is not None:
                return {"kind": kind_of(obj), "path": path, "hardlink": first}
            self.seen[head.address] = path
        if isinstance(obj, Group):
            return self.group(obj, path, head.address)
        if isinstance(obj, Dataset):
            return self.dataset(obj, path, head.address)
        if isinstance(obj, Datatype):
            return {"kind": "datatype", "path": path, "address": head.address,
                    "type": type_json(inspect.datatype(obj)),
                    "attributes": self.attributes(obj)}
        return {"kind": "unknown", "path": path, "address": head.address}

    def group(self, group: Group, path: str, address: int) -> dict[str, Any]:
        links = []
        for name in sorted_names(group):
            child = ("" if path == "/" else path) + "/" + name
            links.append(self.link(group, name, child))
        return {"kind": "group", "path": path, "address": address,
                "attributes": self.attributes(group), "links": links}

    def link(self, group: Group, name: str, path: str) -> dict[str, Any]:
        try:
            link = group.get(name, getlink=True)
        except TypeError:
            return {"name": name, "kind": "user"}
        if isinstance(link, SoftLink):
            return {"name": name, "kind": "soft", "target": link.path}
        if isinstance(link, ExternalLink):
            return {"name": name, "kind": "external", "file": link.filename, "target": link.path}
        return {"name": name, "kind": "hard", "object": self.object(group[name], path)}

    def dataset(self, dset: Dataset, path: str, address: int) -> dict[str, Any]:
        dt = inspect.datatype(dset)
        shape = dset.shape
        out: dict[str, Any] = {
            "kind": "dataset",
            "path": path,
            "address": address,
            "type": type_json(dt, self.committed_name(inspect.committed_address(dset))),
            "shape": None if shape is None else list(shape),
            "maxshape": None if shape is None else list(dset.maxshape or shape),
            "storage": self.storage(dset, dt),
            "attributes": self.attributes(dset),
        }
        if not self.header_only:
            try:
                data = dset[()] if shape is not None else None
                out["data"] = self.values.array(memory_type(dt), data,
                                                None if shape is None else tuple(shape))
            except (OSError, ValueError, KeyError) as exc:  # a filter without a codec...
                out["data"] = None
                out["error"] = common.first_line(exc)
                common.note_error(common.ToolError(out["error"], self.fname, path))
        return out

    def storage(self, dset: Dataset, dt: Any) -> dict[str, Any]:
        st = inspect.storage(dset)
        out: dict[str, Any] = {
            "layout": st.layout,
            "chunks": None if st.chunk_shape is None else list(st.chunk_shape),
            "chunk_index": st.chunk_index,
            "filters": [{"id": f.filter_id, "name": filter_name(f) or f.name,
                         "optional": f.optional, "client_data": list(f.client_data)}
                        for f in st.filters],
            "address": st.address,
            "logical_bytes": st.logical_bytes,
            "allocated_bytes": st.allocated_bytes,
            "fill_time": st.fill_time,
            "alloc_time": st.alloc_time,
            "fill_value": None,
        }
        if st.fill_value is not None:
            out["fill_value"] = self.values.value(memory_type(dt), dset.fillvalue)
        if st.external:
            out["external"] = [{"file": n, "offset": o, "size": s} for n, o, s in st.external]
        if st.layout == "virtual":
            out["virtual"] = [
                {"file": m.file_name, "dataset": m.dset_name,
                 "virtual_selection": selection_json(m.vspace.selection),
                 "source_selection": selection_json(m.src_space.selection)}
                for m in dset.virtual_sources()]
        return out


def dump_json(file: File, fname: str, requests: list[Any] | None = None,
              header_only: bool = False, attributes: bool = True) -> dict[str, Any]:
    """The JSON document of ``file`` (or of the objects ``requests`` names: the
    :class:`~h5pure.cli.ddl.Request` records of ``-d -g -t -a -l``).  A structure h5pure
    cannot read (a truncated or corrupt file) raises :class:`~h5pure.cli.common.ToolError`
    naming the file and the object."""
    dumper: JSONDumper | None = None
    try:
        dumper = JSONDumper(file, fname, header_only, attributes)
        return _document(dumper, file, fname, requests)
    except (OSError, ValueError, RuntimeError) as exc:
        where = dumper.current if dumper is not None else "/"
        raise common.ToolError(common.first_line(exc), fname, where) from exc


def _document(dumper: JSONDumper, file: File, fname: str,
              requests: list[Any] | None) -> dict[str, Any]:
    sb = inspect.superblock(file)
    doc: dict[str, Any] = {
        "format": "h5pure-dump",
        "version": SCHEMA_VERSION,
        "file": fname,
        "superblock": {"version": sb.version, "size_of_offsets": sb.size_of_offsets,
                       "size_of_lengths": sb.size_of_lengths,
                       "userblock_size": sb.userblock_size},
    }
    if not requests:
        doc["root"] = dumper.object(file["/"], "/")
        return doc
    objects: list[dict[str, Any]] = []
    for req in requests:
        path = req.path if req.path.startswith("/") else "/" + req.path
        parent, _, name = path.rpartition("/")
        try:
            if req.kind == "attribute":
                obj = file[parent or "/"]
                if name not in obj.attrs:
                    raise KeyError(name)
                objects.append({"kind": "attribute", "path": path,
                                **dumper.attribute(obj, name)})
            elif req.kind == "link":
                objects.append({"path": path, **dumper.link(file[parent or "/"], name, path)})
            else:
                objects.append(dumper.object(file[path], path))
        except KeyError:
            objects.append({"path": path, "error": "not found"})
    doc["objects"] = objects
    return doc
