"""HDF5 files in h5dump's DDL, as ``h5dump`` (1.10) writes it: :func:`dump_ddl`.

The dumper follows ``h5dump_ddl.c``: groups, datasets, committed datatypes, attributes
and links in name order (or creation order), objects with several hard links written once
and then named by ``HARDLINK``, external links followed into their files, and the values
through the shared renderer (:mod:`h5pure.cli.render`).  Everything is read through
h5pure's API and :mod:`h5pure.inspect`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, BinaryIO

from .. import inspect
from ..hl import Dataset, Datatype, ExternalLink, File, Group, HardLink, SoftLink
from . import common
from .binary import write_binary, write_text
from .data import (
    FileResolver,
    RefPaths,
    Subset,
    ValueSource,
    attribute_source,
    dataset_source,
    dump_dataset,
    dump_memory,
    dump_subset,
)
from .ddl_props import dump_dcpl
from .ddl_types import Buffer, TypePrinter, ddl_dataspace
from .listing import kind_of, sorted_names, walk
from .refs import dump_reference_list
from .render import H5DUMP_FORMAT, Context, Format, Renderer
from .typenames import is_object_reference, is_region_reference, memory_type

COL = 3
"""h5dump's indentation step."""


@dataclass
class Request:
    """One object named on h5dump's command line: ``-d``, ``-g``, ``-a``, ``-l``, ``-t``,
    ``-N``, with the subset that follows a ``-d``."""

    kind: str
    """"dataset", "group", "attribute", "link", "datatype" or "any"."""
    path: str
    subset: Subset | None = None


@dataclass
class DumpOptions:
    """What ``h5dump`` is asked to write (its command-line switches)."""

    header_only: bool = False
    attributes: bool = True
    attributes_only: bool = False
    contents: int | None = None
    superblock: bool = False
    properties: bool = False
    region: bool = False
    escape: bool = False
    string: bool = False
    index: bool = True
    float_format: str | None = None
    columns: int = 80
    """h5dump's ``nCols``: 0 writes one value per line (``-m``), 65535 no wrapping."""
    sort_by_creation: bool = False
    descending: bool = False
    requests: list[Request] = field(default_factory=list)
    binary: str | None = None
    """``-b``: "NATIVE", "FILE", "LE" or "BE" (with ``-o``)."""
    data_output: BinaryIO | Any = None
    """``-o``: where values go instead of the DDL (a binary file or a list of strings)."""
    ref_paths: RefPaths = field(default_factory=lambda: RefPaths())
    """The paths object references are named by (one table for the whole run)."""

    @property
    def display_data(self) -> bool:
        return not self.header_only and not self.attributes_only

    @property
    def display_attr_data(self) -> bool:
        return not self.header_only


class _Tables:
    """h5dump's object tables of one file: the first path of every group and dataset,
    the name of every committed datatype, whether each was written already."""

    def __init__(self, file: File, by_creation: bool = False, descending: bool = False) -> None:
        self.groups: dict[int, list[Any]] = {}
        self.datasets: dict[int, list[Any]] = {}
        self.types: dict[int, list[Any]] = {}
        self.paths: dict[int, str] = {}
        root = file["/"]
        def order(group: Group) -> list[str]:
            return _link_names(group, by_creation, descending)

        for entry in walk(root, "/", recursive=True, visit_start=True, names=order):
            if entry.address is None:
                continue
            self.paths.setdefault(entry.address, entry.path)
            if entry.kind == "group":
                self.groups.setdefault(entry.address, [entry.path, False])
            elif entry.kind == "dataset":
                self.datasets.setdefault(entry.address, [entry.path, False])
                try:
                    addr = inspect.committed_address(entry.obj)
                except (OSError, ValueError):
                    addr = None
                if addr is not None and addr not in self.types:
                    self.types[addr] = [entry.path, False, False]  # name, recorded, shown
            elif entry.kind == "datatype":
                found = self.types.get(entry.address)
                if found is None:
                    self.types[entry.address] = [entry.path, True, False]
                else:  # h5dump keeps the latest name of a committed type
                    found[0], found[1] = entry.path, True

    def type_name(self, address: int) -> str:
        found = self.types.get(address)
        if found is None or not found[1]:
            return f"/#{address}"
        return str(found[0])

    def unnamed(self) -> list[tuple[int, str]]:
        return [(a, v[0]) for a, v in self.types.items() if not v[1]]


class DDLDumper:
    """``h5dump``'s DDL writer for one open file (output into the list ``out``)."""

    def __init__(self, file: File, fname: str, opts: DumpOptions, out: list[str]) -> None:
        self.file = file
        self.fname = fname
        self.opts = opts
        self.out = out
        self.indent = 0
        self.status = common.EXIT_OK
        self.errors: list[str] = []
        self.hit_elink = False
        self.current = "/"
        """The object being written (named by errors)."""
        self.tables = _Tables(file, opts.sort_by_creation, opts.descending)
        self.format = self._format()
        self.r = Renderer(out, self.format,
                          FileResolver(file, self.tables.paths, ref_paths=opts.ref_paths))

    # -- formats ------------------------------------------------------------------------
    def _format(self) -> Format:
        o = self.opts
        info = H5DUMP_FORMAT.copy(do_escape=o.escape)
        if o.float_format:
            info = info.copy(fmt_double=o.float_format, fmt_float=o.float_format)
        if o.columns == 0:
            info = info.copy(line_ncols=65535, line_per_line=1)
        else:
            info = info.copy(line_ncols=o.columns)
        return info

    def error(self, message: str) -> None:
        """One of h5dump's own failures (exit 1): an object not found, a bad subset."""
        self.errors.append(f"{self.fname}: {message}")
        self.status = common.EXIT_FAILURE

    def ctx(self) -> Context:
        return Context(indent_level=self.indent // COL, cur_column=self.indent)

    def render(self, ctx: Context, text: str, info: Format | None = None) -> None:
        info = info or self.format
        ctx.need_prefix = True
        self.r.render_element(info, ctx, text, info.line_ncols, 0, 0)

    def render_on(self, ctx: Context, text: str, info: Format | None = None) -> None:
        """Render without asking for a new line."""
        info = info or self.format
        self.r.render_element(info, ctx, text, info.line_ncols, 0, 0)

    # -- the whole file -----------------------------------------------------------------
    def dump(self) -> int:
        o = self.opts
        self.out.append(f'HDF5 "{self.fname}" {{')
        if o.contents is not None:
            self.out.append("\n")
            self.dump_contents()
            self.out.append("}\n")
            return self.status
        if o.superblock:
            self.dump_superblock()
        if not o.requests:
            self.indent += COL
            self.dump_group(self.file["/"], "/")
            self.indent -= COL
        else:
            for req in o.requests:
                self.handle(req)
        self.out.append("\n}\n")
        return self.status

    def dump_superblock(self) -> None:
        sb = inspect.superblock(self.file)
        strategy = {
            0: "H5F_FSPACE_STRATEGY_FSM_AGGR",
            1: "H5F_FSPACE_STRATEGY_PAGE",
            2: "H5F_FSPACE_STRATEGY_AGGR",
            3: "H5F_FSPACE_STRATEGY_NONE",
        }.get(sb.file_space_strategy, "Unknown strategy")
        pad = " " * COL
        lines = [
            "\nSUPER_BLOCK {",
            f"{pad}SUPERBLOCK_VERSION {sb.version}",
            f"{pad}FREELIST_VERSION 0",
            f"{pad}SYMBOLTABLE_VERSION 0",
            f"{pad}OBJECTHEADER_VERSION {sb.sohm_version}",
            f"{pad}OFFSET_SIZE {sb.size_of_offsets}",
            f"{pad}LENGTH_SIZE {sb.size_of_lengths}",
            f"{pad}BTREE_RANK {sb.group_internal_k}",
            f"{pad}BTREE_LEAF {sb.group_leaf_k}",
            f"{pad}ISTORE_K {sb.indexed_storage_k}",
            f"{pad}FILE_SPACE_STRATEGY {strategy}",
            f"{pad}FREE_SPACE_PERSIST {'TRUE' if sb.free_space_persist else 'FALSE'}",
            f"{pad}FREE_SPACE_SECTION_THRESHOLD {sb.free_space_threshold}",
            f"{pad}FILE_SPACE_PAGE_SIZE {sb.file_space_page_size}",
            f"{pad}USER_BLOCK {{",
            f"{pad}{pad}USERBLOCK_SIZE {sb.userblock_size}",
            f"{pad}}}",
        ]
        self.out.append("\n".join(lines) + "\n}")

    def dump_contents(self) -> None:
        """``-n``: every object, one line each (``h5trav_print``)."""
        self.out.append("FILE_CONTENTS {\n")
        for addr, _ in self.tables.unnamed():
            self.out.append(f" {'datatype':<10} /#{addr}\n")
        with_attrs = bool(self.opts.contents)
        for entry in walk(self.file["/"], "/", recursive=True, visit_start=True):
            if entry.link in ("hard", "root"):
                kind = entry.kind or "unknown"
                word = {"group": "group", "dataset": "dataset", "datatype": "datatype"}.get(
                    kind, "unknown")
                line = f" {word:<10} {entry.path}"
                if entry.first_seen is not None:
                    line += " -> " + entry.first_seen
                self.out.append(line + "\n")
                if with_attrs and entry.obj is not None and entry.first_seen is None:
                    base = "" if entry.path == "/" else entry.path
                    for name in _attr_names(entry.obj, False, False):
                        self.out.append(f" {'attribute':<10} {base}/{name}\n")
            elif entry.link == "soft":
                self.out.append(f" {'link':<10} {entry.path} -> {entry.target}\n")
            elif entry.link == "external":
                self.out.append(
                    f" {'ext link':<10} {entry.path} -> {entry.target_file} {entry.target}\n")
            else:
                self.out.append(f" {'UD link':<10} {entry.path}\n")
        self.out.append(" }\n")

    # -- objects named on the command line -----------------------------------------------
    def handle(self, req: Request) -> None:
        kind = req.kind
        if kind == "dataset":
            self.handle_dataset(req.path, req.subset, req.path)
        elif kind == "group":
            self.handle_group(req.path, req.path)
        elif kind == "attribute":
            self.handle_attribute(req.path)
        elif kind == "link":
            self.handle_link(req.path)
        elif kind == "datatype":
            self.handle_datatype(req.path, req.path)
        else:
            self.handle_any(req.path)

    def handle_dataset(self, path: str, subset: Subset | None, display: str,
                       file: File | None = None) -> None:
        obj = _get(file or self.file, path)
        if not isinstance(obj, Dataset):
            if obj is None or file is None:
                self.handle_link(path, pe_dataset=True)
            return
        if subset is not None and not self._check_subset(obj, subset):
            return
        head = inspect.header(obj)
        if head.refcount > 1 or self.hit_elink:
            found = self.tables.datasets.get(head.address)
            if found is None:
                self.status = common.EXIT_FAILURE
                return
            if found[1]:
                self.out.append("\n" + " " * self.indent + f'DATASET "{display}" {{\n')
                self.out.append(" " * (self.indent + COL) + f'HARDLINK "{found[0]}"\n')
                self.out.append(" " * self.indent + "}")
                return
            found[1] = True
        self.indent += COL
        self.dump_dataset(obj, display, subset)
        self.indent -= COL

    def _check_subset(self, dset: Dataset, sset: Subset) -> bool:
        shape = dset.shape or ()
        ndims = len(shape)
        for name in ("start", "stride", "count", "block"):
            values = getattr(sset, name)
            if len(values) > ndims:
                self.error(f"number of {name} dims ({len(values)}) exceed dataset dims ({ndims})")
                return False
        defaults = {"start": 0, "stride": 1, "count": 1, "block": 1}
        for name, default in defaults.items():
            values = getattr(sset, name)
            if not values:
                setattr(sset, name, [default] * ndims)
            elif len(values) < ndims:
                setattr(sset, name, list(values) + [default] * (ndims - len(values)))
        for i in range(ndims):
            if sset.count[i] > 1 and sset.stride[i] < sset.block[i]:
                self.error("wrong subset selection; blocks overlap")
                return False
        return True

    def handle_group(self, path: str, display: str, file: File | None = None) -> None:
        obj = _get(file or self.file, path)
        if not isinstance(obj, Group):
            if file is None:
                self.out.append(f'\nGROUP "{display}" {{\n' + " " * COL)
                self.error(f'unable to open group "{display}"')
                self.out.append("}")
            return
        self.indent += COL
        self.dump_group(obj, display)
        self.indent -= COL

    def handle_datatype(self, path: str, display: str, file: File | None = None) -> None:
        obj = _get(file or self.file, path)
        if not isinstance(obj, Datatype):
            if file is None:  # h5dump's DATATYPE block has no braces of its own
                self.out.append(f'\nDATATYPE "{display}" \n' + " " * COL)
                self.error(f'unable to open datatype "{display}"')
            return
        self.indent += COL
        self.dump_named_datatype(obj, display)
        self.indent -= COL

    def handle_attribute(self, spec: str) -> None:
        obj_name, attr_name = _split_attribute(spec)
        self.indent += COL
        ctx = self.ctx()
        obj = _get(self.file, obj_name)
        if obj is None:
            self.render(ctx, f'ATTRIBUTE "{spec}" {{')
            self.error(f'unable to open object "{obj_name}"')
            self.render(ctx, "}")
        else:
            self.dump_attribute(obj, attr_name, ctx)
        self.indent -= COL

    def handle_link(self, path: str, pe_dataset: bool = False) -> None:
        parent, _, name = path.rstrip("/").rpartition("/")
        group = _get(self.file, parent or "/")
        link = None
        if isinstance(group, Group) and name:
            try:
                link = group.get(name, getlink=True)
            except (KeyError, TypeError, RuntimeError):
                link = None
        if link is None:
            self.error(f'unable to get link info from "{path}"')
            return
        if isinstance(link, HardLink):
            self.error(f'"{path}" is a hard link')
            return
        self.out.append("\n")
        if isinstance(link, SoftLink):
            self.out.append(f'SOFTLINK "{path}" {{\n' + " " * COL)
            self.out.append(f'LINKTARGET "{link.path}"\n}}')
        elif isinstance(link, ExternalLink):
            self.out.append(f'EXTERNAL_LINK "{path}" {{\n')
            self.out.append(" " * COL + f'TARGETFILE "{link.filename}"\n')
            self.out.append(" " * COL + f'TARGETPATH "{link.path}"\n}}')

    def handle_any(self, wanted: str) -> None:
        """``-N``: every attribute, object or link whose path is ``wanted``."""
        target = wanted if wanted.startswith("/") else "/" + wanted
        for entry in walk(self.file["/"], "/", recursive=True, visit_start=True):
            obj = entry.obj
            if obj is not None and entry.first_seen is None:
                base = "" if entry.path == "/" else entry.path
                for aname in _attr_names(obj, False, False):
                    if _attr_matches(aname, wanted):
                        self.indent += COL
                        self.dump_attribute(obj, aname, self.ctx())
                        self.indent -= COL
                        del base
                        break
            if entry.link in ("hard", "root") and entry.path == wanted:
                if entry.kind == "group":
                    self.handle_group(entry.path, entry.path)
                elif entry.kind == "dataset":
                    self.handle_dataset(entry.path, None, entry.path)
                elif entry.kind == "datatype":
                    self.handle_datatype(entry.path, entry.path)
            elif entry.link in ("soft", "external") and entry.path == target:
                self.handle_link(wanted)

    # -- groups, links ------------------------------------------------------------------
    def dump_group(self, group: Group, name: str) -> None:
        self.current = group.name or name
        ctx = self.ctx()
        self.render(ctx, f'GROUP "{name}" {{')
        ctx.indent_level += 1
        self.indent += COL
        if name == "/":
            for addr, dset_path in self.tables.unnamed():
                dset = _get(self.file, dset_path)
                if isinstance(dset, Dataset):
                    self.dump_named_datatype(dset, f"#{addr}", anonymous_of=dset)
        head = inspect.header(group)
        if head.refcount > 1 or self.hit_elink:
            found = self.tables.groups.get(head.address)
            if found is None:
                self.status = common.EXIT_FAILURE
            elif found[1]:
                self.render(ctx, f'HARDLINK "{found[0]}"')
            else:
                found[1] = True
                self.attr_iteration(group)
                self.link_iteration(group)
        else:
            self.attr_iteration(group)
            self.link_iteration(group)
        self.indent -= COL
        ctx.indent_level -= 1
        self.render(ctx, "}")

    def attr_iteration(self, obj: Any) -> None:
        if not self.opts.attributes:
            return
        for name in _attr_names(obj, self.opts.sort_by_creation, self.opts.descending):
            self.dump_attribute(obj, name, self.ctx())

    def link_iteration(self, group: Group) -> None:
        for name in _link_names(group, self.opts.sort_by_creation, self.opts.descending):
            self.dump_link(group, name)

    def dump_link(self, group: Group, name: str) -> None:
        self.current = ("" if group.name == "/" else group.name or "") + "/" + name
        ctx = self.ctx()
        try:
            link = group.get(name, getlink=True)
        except TypeError:
            link = None
        if isinstance(link, SoftLink):
            self.render(ctx, f'SOFTLINK "{name}" {{')
            ctx.indent_level += 1
            self.render(ctx, f'LINKTARGET "{link.path}"')
            ctx.indent_level -= 1
            self.render(ctx, "}")
            return
        if isinstance(link, ExternalLink):
            self.render(ctx, f'EXTERNAL_LINK "{name}" {{')
            ctx.indent_level += 1
            self.render(ctx, f'TARGETFILE "{link.filename}"')
            self.render(ctx, f'TARGETPATH "{link.path}"')
            self.dump_external(group, name, link.path)
            ctx.indent_level -= 1
            self.render(ctx, "}")
            return
        if not isinstance(link, HardLink):
            self.render(ctx, f'USERDEFINED_LINK "{name}" {{')
            ctx.indent_level += 1
            self.render(ctx, "LINKCLASS 64")
            ctx.indent_level -= 1
            self.render(ctx, "}")
            return
        try:
            obj = group[name]
        except (KeyError, OSError, ValueError) as exc:
            self.error(f'unable to get object information for "{name}"')
            common.note_error(common.ToolError(common.first_line(exc), self.fname, name))
            return
        kind = kind_of(obj)
        if kind == "group":
            self.dump_group(obj, name)
        elif kind == "dataset":
            head = inspect.header(obj)
            if head.refcount > 1 or self.hit_elink:
                found = self.tables.datasets.get(head.address)
                if found is not None and found[1]:
                    self.render(ctx, f'DATASET "{name}" {{')
                    ctx.indent_level += 1
                    self.render(ctx, f'HARDLINK "{found[0]}"')
                    ctx.indent_level -= 1
                    self.render(ctx, "}")
                    return
                if found is not None:
                    found[1] = True
            self.dump_dataset(obj, name, None)
        elif kind == "datatype":
            self.dump_named_datatype(obj, name)
        else:
            self.error(f'unknown object "{name}"')

    def dump_external(self, group: Group, name: str, objname: str) -> None:
        """``dump_extlink``: the target of an external link, with the other file's tables."""
        try:
            target = group[name]
        except (KeyError, OSError, ValueError):
            return
        other = target.file
        if other == self.file or getattr(other, "filename", None) == self.file.filename:
            return
        saved = (self.tables, self.hit_elink, self.r)
        self.tables = _Tables(other, self.opts.sort_by_creation, self.opts.descending)
        self.r = Renderer(self.out, self.format,
                          FileResolver(other, self.tables.paths, ref_paths=self.opts.ref_paths))
        self.hit_elink = True
        self.indent += COL
        try:
            kind = kind_of(target)
            if kind == "group":
                self.handle_group("/" if objname in ("", "/") else objname, objname, file=other)
            elif kind == "dataset":
                self.handle_dataset(objname, None, objname, file=other)
            elif kind == "datatype":
                self.handle_datatype(objname, objname, file=other)
        finally:
            self.indent -= COL
            self.tables, self.hit_elink, self.r = saved

    # -- datatypes ----------------------------------------------------------------------
    def dump_named_datatype(self, obj: Any, name: str, anonymous_of: Any = None) -> None:
        ctx = self.ctx()
        self.render(ctx, f'DATATYPE "{name}" ')
        dt = inspect.datatype(obj)
        if anonymous_of is None:
            head = inspect.header(obj)
            if head.refcount > 1 or self.hit_elink:
                found = self.tables.types.get(head.address)
                if found is not None:
                    if found[2]:
                        self.render_on(ctx, f'HARDLINK "{found[0]}"')
                        return
                    found[2] = True
        buf = Buffer()
        TypePrinter(self.r, self.format).print(ctx, buf, dt)
        if not isinstance(dt, inspect.CompoundType):
            buf.text += ";"
        self.render_on(ctx, buf.text)
        if anonymous_of is None:
            self.indent += COL
            self.attr_iteration(obj)
            self.indent -= COL

    def type_text(self, ctx: Context, dt: Any, committed: int | None, lead: str) -> None:
        """``h5tools_dump_datatype``: ``DATATYPE  <type>`` (a committed type by name)."""
        buf = Buffer(lead)
        name = None if committed is None else self.tables.type_name(committed)
        ctx.need_prefix = True
        TypePrinter(self.r, self.format).print(ctx, buf, dt, committed=name)
        self.render_on(ctx, buf.text)

    # -- datasets -----------------------------------------------------------------------
    def dump_dataset(self, dset: Dataset, name: str, subset: Subset | None) -> None:
        self.current = dset.name or name
        ctx = self.ctx()
        ctx.need_prefix = True
        self.r.simple_prefix(self.format, ctx, 0, 0)
        self.render_on(ctx, f'DATASET "{name}" {{')
        self.indent += COL
        ctx.indent_level += 1
        file_dt = inspect.datatype(dset)
        self.type_text(ctx, file_dt, inspect.committed_address(dset), "DATATYPE  ")
        self.render(ctx, "DATASPACE " + ddl_dataspace(dset.shape, dset.maxshape))
        if self.opts.properties:
            dump_dcpl(self, ctx, dset, file_dt)
        if self.opts.display_data:
            self.dump_data(ctx, dset, None, subset)
        if not self.opts.binary:
            self.attr_iteration(dset)
        ctx.indent_level -= 1
        self.indent -= COL
        ctx.need_prefix = True
        self.r.simple_prefix(self.format, ctx, 0, 0)
        self.render_on(ctx, "}")

    def dump_attribute(self, obj: Any, name: str, ctx: Context) -> None:
        self.render(ctx, f'ATTRIBUTE "{name}" {{')
        if name not in obj.attrs:
            self.error(f'unable to open attribute "{name}"')
            self.render(ctx, "}")
            return
        ctx.indent_level += 1
        aid = obj.attrs.get_id(name)
        committed = inspect.attribute_datatype_addresses(obj).get(name)
        file_dt = inspect.attribute_datatype(obj, name)
        self.type_text(ctx, file_dt, committed, "DATATYPE  ")
        shape = None if aid.shape is None else tuple(aid.shape)
        self.render(ctx, "DATASPACE " + ddl_dataspace(shape, shape))
        if self.opts.display_data or self.opts.display_attr_data:
            self.dump_data(ctx, obj, name, None)
        ctx.indent_level -= 1
        self.render(ctx, "}")

    # -- values -------------------------------------------------------------------------
    def dump_data(self, ctx: Context, obj: Any, attr: str | None, sset: Subset | None) -> None:
        """``h5tools_dump_data``: ``DATA {`` the values ``}``, a ``SUBSET`` around them."""
        o = self.opts
        outputformat = self.format
        info = outputformat.copy(pindex=o.index)
        if info.pindex:
            info = info.copy(idx_fmt="(%s): ", idx_n_fmt="%lu", idx_sep=",", line_pre="%s")
        is_dataset = attr is None
        if attr is None:
            file_dt = inspect.datatype(obj)
            shape = obj.shape
        else:
            file_dt = inspect.attribute_datatype(obj, attr)
            shape = obj.attrs.get_id(attr).shape
        dt = memory_type(file_dt)
        if sset is not None and is_dataset:
            self.subset_header(ctx, sset, len(shape or ()))
            ctx.indent_level += 1
        self.render(ctx, "DATA {")
        resolver = self.r.resolver
        source: ValueSource = (
            dataset_source(obj, dt, resolver) if is_dataset
            else attribute_source(obj, attr or "", dt, resolver)
        )
        r = self.r
        raw = self.opts.data_output
        if is_object_reference(file_dt) or is_region_reference(file_dt):
            ctx.indent_level += 1
            try:
                dump_reference_list(
                    r, outputformat, ctx.indent_level, source, dt, region_data=o.region,
                    dump_target=lambda target, c: self.dump_reference_target(target, c),
                    cur_column=ctx.cur_column)
            except (OSError, ValueError, KeyError) as exc:
                self._data_error(obj, attr, exc)
            ctx.indent_level -= 1
        else:
            datactx = ctx.copy()
            string = (o.string and dt.size == 1 and dt.cls == 0)
            if string:
                info = info.copy(idx_fmt='"')
                datactx.indent_level += 1
                datactx.need_prefix = True
                r.simple_prefix(info, datactx, 0, 0)
                info = info.copy(line_multi_new=True, str_repeat=8, ascii=True, elmt_suf1="",
                                 elmt_suf2="", line_suf='"')
            else:
                datactx.need_prefix = True
            try:
                if shape is None:
                    pass
                elif self.opts.binary or isinstance(raw, list):
                    self.raw_output(source, sset, info, datactx)
                elif is_dataset:
                    if sset is not None:
                        dump_subset(r, info, datactx, source, sset)
                    else:
                        dump_dataset(r, info, datactx, source)
                else:
                    dump_memory(r, info, datactx, source)
            except (OSError, ValueError, KeyError) as exc:
                self._data_error(obj, attr, exc)
            if string:
                datactx.need_prefix = False
                end = info.copy(arr_linebreak=False, idx_fmt="", line_multi_new=False, line_suf="")
                r.render_element(end, datactx, '"', end.line_ncols, 0, 0)
        ctx.need_prefix = True
        r.simple_prefix(outputformat, ctx, 0, 0)
        self.render_on(ctx, "}")
        if sset is not None and is_dataset:
            ctx.indent_level -= 1
            ctx.need_prefix = True
            r.simple_prefix(outputformat, ctx, 0, 0)
            self.render_on(ctx, "}")

    def _data_error(self, obj: Any, attr: str | None, exc: BaseException) -> None:
        """Values h5pure cannot read (a filter without a codec, a truncated file): the
        output goes on, and the tool ends with this error (exit 2)."""
        where = obj.name if attr is None else f"{obj.name} (attribute {attr})"
        common.note_error(common.ToolError(common.first_line(exc), self.fname, where))

    def dump_reference_target(self, target: Any, ctx: Context) -> None:
        """A referenced object's ``DATA`` block (empty for groups, as h5dump 1.10)."""
        saved_sset = None
        if isinstance(target, Dataset):
            self.dump_data(ctx, target, None, saved_sset)
            return
        self.render(ctx, "DATA {")
        ctx.need_prefix = True
        self.r.simple_prefix(self.format, ctx, 0, 0)
        self.render_on(ctx, "}")

    def subset_header(self, ctx: Context, sset: Subset, ndims: int) -> None:
        def dims(values: list[int]) -> str:
            return ", ".join(str(v) for v in values)

        self.render(ctx, "SUBSET {")
        ctx.indent_level += 1
        self.render(ctx, f"START ( {dims(sset.start)} );")
        self.render(ctx, f"STRIDE ( {dims(sset.stride)} );")
        self.render(ctx, f"COUNT ( {dims(sset.count)} );")
        self.render(ctx, f"BLOCK ( {dims(sset.block)} );")
        ctx.indent_level -= 1

    def raw_output(self, source: ValueSource, sset: Subset | None, info: Format,
                   ctx: Context) -> None:
        """``-o``/``-b``: the values into the output file, not the DDL."""
        sink = self.opts.data_output
        if self.opts.binary:
            write_binary(sink, source, self.opts.binary, sset)
        elif isinstance(sink, list):
            write_text(sink, source, info, ctx, sset)


def _get(file: Any, path: str) -> Any:
    try:
        return file[path]
    except (KeyError, OSError, ValueError, TypeError):
        return None


def _attr_names(obj: Any, by_creation: bool, descending: bool) -> list[str]:
    """Attribute names in h5dump's order: by name, or (``-q creation_order``) by creation
    order where the object tracks it (h5py's order then), reversed with ``-z``."""
    names = list(obj.attrs.keys())
    if not by_creation:
        names.sort(key=lambda n: n.encode("utf-8", "surrogateescape"))
    if descending:
        names.reverse()
    return names


def _link_names(group: Any, by_creation: bool, descending: bool) -> list[str]:
    """Link names in h5dump's order (h5py lists a group that tracks creation order in
    that order, any other by name)."""
    names = list(group.keys()) if by_creation else sorted_names(group)
    if descending:
        names.reverse()
    return names


def _attr_matches(name: str, wanted: str) -> bool:
    return wanted.rsplit("/", 1)[-1].replace("\\/", "/") == name


def _split_attribute(spec: str) -> tuple[str, str]:
    """``/obj/attr`` -> (``/obj/``, ``attr``); a ``\\/`` in the name is a slash."""
    j = len(spec) - 1
    while j >= 0:
        if spec[j] == "/" and (j == 0 or spec[j - 1] != "\\"):
            break
        j -= 1
    obj = "/" if j < 0 else spec[: j + 1]
    return obj, spec[j + 1:].replace("\\/", "/")


def dump_ddl(file: File, fname: str, opts: DumpOptions | None = None,
             out: Any = None) -> tuple[str, list[str], int]:
    """The DDL of ``file`` (shown as ``fname``) with ``opts``: ``(text, error lines, exit
    code)`` as h5dump would give them (with ``out``, a list-like sink, the text goes
    there and ``""`` is returned).  A structure h5pure cannot read (a truncated or
    corrupt file) ends the dump: the text so far is returned and the error noted
    (:func:`h5pure.cli.common.note_error`) naming the file and the object."""
    opts = opts or DumpOptions()
    sink = [] if out is None else out
    dumper: DDLDumper | None = None
    try:
        dumper = DDLDumper(file, fname, opts, sink)
        status = dumper.dump()
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        where = dumper.current if dumper is not None else "/"
        common.note_error(common.ToolError(common.first_line(exc), fname, where))
        if dumper is not None:
            sink.append("\n")
        status = common.EXIT_ERROR
    text = "".join(sink) if out is None else ""
    return text, (dumper.errors if dumper is not None else []), status


__all__ = ["DDLDumper", "DumpOptions", "Request", "Subset", "dump_ddl"]
