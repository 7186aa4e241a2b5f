"""``h5pure ls``: list the objects of HDF5 files, as ``h5ls`` (1.10) does.

Options, output and exit codes follow ``h5ls``: ``-r -v -l -d -g -f -S -s -w N`` (combined
as ``-vlr``), ``--follow-symlinks``, ``--no-dangling-links``, ``file[/OBJECT]`` arguments.
The listing itself is :func:`list_objects` (lines of text, no printing), which the tests
call directly; :func:`main` parses the command line and reports errors.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import inspect
from ..hl import Dataset, Datatype, File, Group
from . import common
from .data import FileResolver, attribute_source, dataset_source
from .listing import Entry, describe_link, object_entry, walk
from .refs import dump_values
from .render import H5LS_FORMAT, Context, Format, Renderer
from .typenames import filter_name, ls_string, ls_type, memory_type

PROG = "h5pure ls"
DISPATCH = {"group": "Group", "dataset": "Dataset", "datatype": "Type"}


class FileNumbers:
    """libhdf5's file serial numbers (``H5O_info_t.fileno``, shown in ``Location:``):
    every successful open of a file in the process takes the next number."""

    def __init__(self) -> None:
        self.last = 0

    def take(self, count: int = 1) -> int:
        self.last += count
        return self.last


@dataclass
class LsOptions:
    """What ``h5ls`` is asked to show (its command-line switches)."""

    recursive: bool = False
    verbose: int = 0
    label: bool = False
    data: bool = False
    full: bool = False
    group_literal: bool = False
    simple: bool = False
    string: bool = False
    width: int = 80
    no_line_wrap: bool = False
    follow_symlinks: bool = False
    no_dangling_links: bool = False
    address: bool = False


class _Listing:
    """One file's listing (h5ls's ``iter_t`` and its callbacks)."""

    def __init__(self, out: list[str], opts: LsOptions, fname: str, show_file: bool,
                 numbers: FileNumbers | None = None) -> None:
        self.out = out
        self.opts = opts
        self.fname = fname
        self.show_file = show_file
        self.base_len = 0
        self.name_start = 0
        self.symlink_target = False
        self.visited_links: set[tuple[str, str | None, str]] = set()
        self.dangling = False
        self.numbers = numbers or FileNumbers()
        self.fileno = self.numbers.take()
        self.current = "/"
        """The object being listed (named by errors)."""
        self.named = False
        """Whether the argument named an object in the file (``file.h5/obj``)."""

    def write(self, text: str) -> None:
        self.out.append(text)

    # -- names --------------------------------------------------------------------------
    def obj_name(self, name: str, tail: str) -> str:
        """``print_obj_name``: the (base or full) name padded to 24 columns, then ``tail``."""
        shown = name[self.name_start:] if len(name) >= self.name_start else ""
        if self.show_file:
            shown = f"{self.fname}/{shown}"
        if not self.opts.full:
            shown = shown.rsplit("/", 1)[-1]
        text = ls_string(shown, True)
        return text + f"{tail:>{max(0, 24 - len(text))}} "

    # -- objects ------------------------------------------------------------------------
    def list_obj(self, entry: Entry) -> None:
        """``list_obj``: one object's line and (``-v``) its details."""
        self.current = entry.path
        if not self.symlink_target:
            self.write(self.obj_name(entry.path, ""))
        if self.symlink_target:
            self.write("{")
        if entry.kind is not None:
            self.write(DISPATCH.get(entry.kind, ""))
        if entry.first_seen is not None:
            self.write(", same as " + ls_string(entry.first_seen, True))
            if not self.symlink_target:
                self.write("\n")
        elif entry.error is not None or entry.obj is None:
            self.write(" *ERROR*\n")
        else:
            obj = entry.obj
            if isinstance(obj, Dataset):
                self.write(dataset_dims(obj, self.opts.verbose > 0))
            if not self.symlink_target or self.opts.verbose > 0:
                self.write("\n")
            if self.opts.verbose > 0:
                self.details(entry)
            if isinstance(obj, Dataset):
                self.dataset_details(obj)
            elif isinstance(obj, Datatype) and self.opts.verbose > 0:
                addr = inspect.committed_address(obj)
                shared = f"{self.fileno}:{addr}" if addr is not None else None
                self.write(f"    {'Type:':<10} " + ls_type(
                    inspect.datatype(obj), 15, simple=self.opts.simple, shared=shared) + "\n")
        if self.symlink_target:
            self.write("}\n")
            self.symlink_target = False

    def details(self, entry: Entry) -> None:
        """Attributes, location, links, modification time."""
        obj = entry.obj
        for name in sorted(obj.attrs.keys(), key=lambda n: n.encode("utf-8", "surrogateescape")):
            self.list_attr(obj, name)
        self.write(f"    {'Location:':<10} {self.fileno}:{entry.address}\n")
        self.write(f"    {'Links:':<10} {entry.refcount}\n")
        if entry.mtime:
            stamp = time.strftime(
                "%Y-%m-%d %H:%M:%S %Z",
                time.gmtime(entry.mtime) if self.opts.simple else time.localtime(entry.mtime),
            )
            self.write(f"    {'Modified:':<10} {stamp}\n")

    def list_attr(self, obj: Any, name: str) -> None:
        """``list_attr``: an attribute's dataspace, type and (``-d``) value."""
        aid = obj.attrs.get_id(name)
        line = "    Attribute: " + ls_string(name, True)
        if aid.dataspace.kind == "scalar":
            line += " scalar\n"
        elif aid.dataspace.kind == "null":
            line += " null\n"
        else:
            line += " {" + ", ".join(str(int(n)) for n in aid.dataspace.shape) + "}\n"
        self.write(line)
        dt = memory_type(inspect.attribute_datatype(obj, name))
        addresses = inspect.attribute_datatype_addresses(obj)
        shared = f"{self.fileno}:{addresses[name]}" if name in addresses else None
        self.write("        Type:      " + ls_type(dt, 15, simple=self.opts.simple, shared=shared) + "\n")
        if not self.opts.data:
            return
        self.write("        Data:\n")
        info = self.data_format(attribute=True)
        ctx = Context(indent_level=2, need_prefix=True)
        if aid.dataspace.kind == "null":
            r = Renderer(self.out, info)
            r.simple_prefix(info, ctx, 0, 0)
            self.write("        Unable to print data.")
        else:
            source = attribute_source(obj, name, dt, FileResolver(obj.file, None, self.fileno))
            # h5ls 1.10 wraps attribute values three columns before the width
            self.dump(source, dt, info.copy(line_ncols=max(info.line_ncols - 3, 1)), ctx,
                      attribute=True)
        self.write("\n")

    def dataset_details(self, dset: Dataset) -> None:
        """``dataset_list2``: layout, storage, filters, type; then the data (``-d``)."""
        dt = memory_type(inspect.datatype(dset))
        if self.opts.verbose > 0:
            st = inspect.storage(dset)
            if st.layout == "chunked" and st.chunk_shape:
                total = dt.size
                for n in st.chunk_shape:
                    total *= n
                dims = ", ".join(str(n) for n in st.chunk_shape)
                self.write(f"    {'Chunks:':<10} {{{dims}}} {total} bytes\n")
            elif st.layout == "contiguous" and st.external:
                self.write(external_table(st.external))
            elif st.layout == "virtual":
                maps = dset.virtual_sources()
                if maps:
                    self.write(f"    {'Maps:':<10} {{{len(maps)}}} Source {{\n")
                    for m in maps:
                        self.write(f"    {' ':<10}        " + ls_string(m.file_name, True) + "   "
                                   + ls_string(m.dset_name, True) + "\n")
                    self.write(f"     {' ':<10}}}\n")
            self.write(f"    {'Storage:':<10} " + storage_text(dset, dt, st) + "\n")
            for i, flt in enumerate(st.filters):
                cd = ", ".join(str(v) for v in flt.client_data)
                name = filter_name(flt) or "method"
                opt_word = "OPT" if flt.optional else ""
                self.write(f"    {f'Filter-{i}:':<10} {name}-{flt.filter_id} {opt_word} {{{cd}}}\n")
            if self.opts.verbose > 1:
                self.write(f"    {'Fill:':<10} " + self.fill_text(dset, dt, st) + "\n")
            addr = inspect.committed_address(dset)
            shared = f"{self.fileno}:{addr}" if addr is not None else None
            self.write(f"    {'Type:':<10} " + ls_type(dt, 15, simple=self.opts.simple,
                                                        shared=shared) + "\n")
            if self.opts.address:
                self.address_details(dset, st)
        if self.opts.data:
            info = self.data_format(attribute=False)
            self.write("    Data:\n")
            ctx = Context(indent_level=2, need_prefix=True)
            if dset.is_virtual:  # reading opens each source file that exists
                self.numbers.take(_existing_sources(dset))
            try:
                self.dump(dataset_source(dset, dt, FileResolver(dset.file, None, self.fileno)),
                          dt, info, ctx, attribute=False)
            except (OSError, ValueError, KeyError) as exc:  # an undecodable chunk
                r = Renderer(self.out, info)
                ctx.need_prefix = True
                r.render_element(info, ctx, "        Unable to print data.", info.line_ncols, 0, 0)
                common.note_error(common.ToolError(common.first_line(exc), self.fname,
                                                   dset.name))
            self.write("\n")

    def address_details(self, dset: Dataset, st: Any) -> None:
        """``-a`` with ``-v``: where the raw data is -- a contiguous dataset's offset, or a
        chunked dataset's index address and a table of its chunks (h5ls 1.10 crashes on a
        chunked dataset with no chunk written; this lists an empty table)."""
        if st.layout == "contiguous":  # (external data: no address in this file)
            addr = _UNDEFINED_ADDRESS if st.address is None or st.external else st.address
            self.write(f"    {'Address:':<10} {addr}\n")
        elif st.layout == "chunked":
            index = _UNDEFINED_ADDRESS if st.index_address is None else st.index_address
            self.write(f"    Address: {index}\n")
            self.write("           Flags    Bytes     Address          Logical Offset\n")
            self.write("        ========== ======== ========== ==============================\n")
            dsid = dset.id
            for i in range(dsid.get_num_chunks()):
                info = dsid.get_chunk_info(i)
                coords = [int(n) for n in (info.chunk_offset or ())] + [0]
                offset = ", ".join(str(n) for n in coords)
                self.write(f"        0x{int(info.filter_mask or 0):08x} {int(info.size or 0):>8} "
                           f"{int(info.byte_offset or 0):>10} [{offset}]\n")

    def fill_text(self, dset: Dataset, dt: Any, st: Any) -> str:
        """``-vv`` (beyond h5ls, whose second ``-v`` changes nothing): the fill value, when
        it is written and when space is allocated."""
        if st.fill_value is not None:
            info = self.data_format(attribute=False).copy(str_repeat=0)
            value = Renderer([], info).sprint(dt, dset.fillvalue, Context(), info)
        elif st.fill_defined:
            value = "default"
        else:
            value = "undefined"
        alloc = st.alloc_time
        if alloc == "default":
            alloc = {"compact": "early", "contiguous": "late"}.get(st.layout, "incremental")
        written = {"alloc": "written at allocation", "never": "never written"}.get(
            st.fill_time, "written if set")
        return f"{value}, {written}, allocation {alloc}"

    def data_format(self, attribute: bool) -> Format:
        """h5ls's format for dataset (``dump_dataset_values``) or attribute values."""
        o = self.opts
        info = H5LS_FORMAT.copy(line_1st=None)
        lead = " " * (14 if attribute else 8)
        if o.simple:
            info = info.copy(
                idx_fmt="",
                line_per_line=1,
                line_multi_new=False,
                line_pre=lead,
                line_cont=lead + " ",
                arr_pre="",
                arr_suf="",
                arr_sep=" ",
                cmpd_sep=" ",
                elmt_suf1=" ",
                escape_html=True,
            )
            if not o.label:
                info = info.copy(cmpd_pre="", cmpd_suf="")
            else:
                info = info.copy(cmpd_name="%s=")
        else:
            info = info.copy(
                line_pre=lead + "%s ",
                line_cont=lead + "%s ",
                str_repeat=8,
                arr_pre=None, arr_suf=None, arr_sep=None,
                cmpd_pre=None, cmpd_suf=None, cmpd_sep=None,
                vlen_sep=None, vlen_pre=None, vlen_suf=None, vlen_end=None,
            )
            if o.no_line_wrap:
                info = info.copy(line_per_line=1)
            else:
                info = info.copy(line_ncols=o.width)
            if o.label:
                info = info.copy(cmpd_name="%s=")
        info = info.copy(arr_linebreak=False, fmt_float="%1.6g", fmt_double="%1.15g")
        return info

    def dump(self, source: Any, dt: Any, info: Format, ctx: Context, attribute: bool) -> None:
        if self.opts.string and dt.size == 1 and dt.cls == 0:
            info = info.copy(ascii=True, elmt_suf1="", elmt_suf2="",
                             line_pre=(info.line_pre or "") + '"', line_suf='"')
        dump_values(Renderer(self.out, info, source.resolver), info, ctx, source, dt,
                    attribute=attribute)

    # -- links --------------------------------------------------------------------------
    def list_lnk(self, entry: Entry, file: File) -> None:
        """``list_lnk``: a soft, external or user-defined link."""
        self.current = entry.path
        self.write(self.obj_name(entry.path, ""))
        follow = self.opts.follow_symlinks
        if entry.link == "soft":
            target = entry.target or ""
            self.write("Soft Link {" + target + "}")
            if follow:
                resolved = _resolve(file, entry.path)
                if resolved is None and self.opts.no_dangling_links:
                    self.dangling = True
                key: tuple[str, str | None, str] = ("soft", None, target)
                if key in self.visited_links:
                    self.write(" {Already Visited}\n")
                    return
                self.write(" ")
                self.visited_links.add(key)
                self.follow(file, entry, resolved)
            else:
                self.write("\n")
        elif entry.link == "external":
            path = entry.target or ""
            self.write("External Link {" + (entry.target_file or "") + "/"
                       + ("" if path.startswith("/") else "/") + path + "}")
            if follow:
                resolved = _resolve(file, entry.path)
                if resolved is None and self.opts.no_dangling_links:
                    self.dangling = True
                key = ("external", entry.target_file, path)
                if key in self.visited_links:
                    self.write(" {Already Visited}\n")
                    return
                self.write(" ")
                self.visited_links.add(key)
                saved = self.fileno
                if resolved is not None:
                    # libhdf5 numbers each open of a file: following an external link
                    # opens the target four times, the object shown by the third
                    self.fileno = self.numbers.take(3)
                self.follow(file, entry, resolved)
                if resolved is not None:
                    self.numbers.take()
                self.fileno = saved
            else:
                self.write("\n")
        else:
            self.write("UD Link {cannot follow UD links}\n")

    def follow(self, file: File, entry: Entry, resolved: Any) -> None:
        """``visit_obj`` on a symbolic link's target."""
        saved = self.opts.group_literal
        if not self.opts.recursive:
            self.opts.group_literal = True
        self.symlink_target = True
        try:
            if resolved is None:
                self.write("{**NOT FOUND**}\n")
                self.symlink_target = False
                return
            target = object_entry(file, entry.path, entry.path, link="root")
            self.visit(file, entry.path, target)
        finally:
            self.opts.group_literal = saved

    # -- driving --------------------------------------------------------------------------
    def visit(self, file: File, oname: str, start: Entry) -> None:
        """``visit_obj``: a group's contents (or a group literally, or another object)."""
        if start.kind == "group" and not self.opts.group_literal:
            self.name_start = self.base_len
            # h5ls lists the root group itself only when no object was named
            display_root = self.symlink_target or (self.opts.recursive and not self.named)
            for entry in walk(start.obj, oname, recursive=self.opts.recursive,
                              visit_start=display_root):
                if entry.link in ("hard", "root"):
                    self.list_obj(entry)
                else:
                    self.list_lnk(entry, file)
        else:
            self.list_obj(start)


def _existing_sources(dset: Dataset) -> int:
    base = os.path.dirname(os.path.abspath(dset.file.filename))
    names = {m.file_name for m in dset.virtual_sources()}
    found = 0
    for name in names:
        if name == ".":
            continue
        if os.path.exists(name) or os.path.exists(os.path.join(base, name)):
            found += 1
    return found


def _resolve(file: File, path: str) -> Any:
    try:
        return file[path]
    except (KeyError, OSError, ValueError):
        return None


def dataset_dims(dset: Dataset, verbose: bool) -> str:
    """``dataset_list1``: `` {3/Inf, 4}``, `` {SCALAR}``, `` {NULL}``."""
    shape = dset.shape
    if shape is None:
        return " {NULL}"
    if shape == ():
        return " {SCALAR}"
    maxshape = dset.maxshape or shape
    parts = []
    for n, m in zip(shape, maxshape):
        if m is None:
            parts.append(f"{n}/Inf")
        elif m != n or verbose:
            parts.append(f"{n}/{m}")
        else:
            parts.append(str(n))
    return " {" + ", ".join(parts) + "}"


_UNDEFINED_ADDRESS = 2**64 - 1
"""What h5ls prints for an address never allocated (libhdf5's HADDR_UNDEF)."""


def storage_text(dset: Dataset, dt: Any, st: Any) -> str:
    """The ``Storage:`` line: logical and allocated bytes, utilization."""
    if dt.cls == 9 and not getattr(dt, "kind", 0):  # variable-length sequences
        return "information not available"
    if dt.cls == 7:  # references
        return "information not available"
    shape = dset.shape
    n = 0 if shape is None else int(np.prod(shape, dtype=np.int64))
    total = n * dt.size
    # libhdf5 counts external raw data as the dataset's size (H5Dget_storage_size)
    used = total if st.external else int(st.allocated_bytes)
    text = (f"{total} logical byte{'' if total == 1 else 's'}, "
            f"{used} allocated byte{'' if used == 1 else 's'}")
    if used > 0:
        text += f", {total * 100.0 / used:1.2f}% utilization"
    return text


def external_table(files: tuple[tuple[str, int, int], ...]) -> str:
    names = [ls_string(name, True) for name, _, _ in files]
    width = max((len(n) for n in names), default=0)
    rule = f"        {'----':>4} {'----------':>10} {'----------':>10} {'----------':>10} " + "-" * width
    lines = [f"    {'Extern:':<10} {len(files)} external file{'' if len(files) == 1 else 's'}",
             f"        {'ID':>4} {'DSet-Addr':>10} {'File-Addr':>10} {'Bytes':>10} File", rule]
    total = 0
    for i, ((_, offset, size), name) in enumerate(zip(files, names)):
        shown = "INF" if size >= 2**64 - 1 else str(size)
        lines.append(f"        #{i:03d} {total:>10} {offset:>10} {shown:>10} {name}")
        total += size
    lines.append(rule)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the library


def list_objects(args: list[str], opts: LsOptions | None = None,
                 out: Any = None) -> tuple[list[str], list[str], int]:
    """List each ``file[/OBJECT]`` as h5ls does: ``(stdout chunks, stderr lines, exit
    code)`` (with ``out``, a list-like sink, the output goes there instead).  What cannot be read (a missing or corrupt file, an object h5pure cannot
    decode) is noted (:func:`h5pure.cli.common.note_error`) naming the file and the object,
    and the listing goes on with the next file."""
    opts = opts or LsOptions()
    out = [] if out is None else out
    err: list[str] = []
    status = 0
    show_file = len(args) > 1
    numbers = FileNumbers()
    for arg in args:
        try:
            fname, oname = common.split_file_object(arg)
            with common.open_file(fname) as f:
                status = max(status, _list_file(f, fname, oname, opts, out, show_file, numbers))
        except common.ToolError as exc:
            common.note_error(exc)
            status = common.EXIT_ERROR
    return out, err, status


def _list_file(f: File, fname: str, oname: str, opts: LsOptions, out: list[str],
               show_file: bool, numbers: FileNumbers) -> int:
    if opts.verbose:
        out.append(f'Opened "{fname}" with sec2 driver.\n')
    listing = _Listing(out, opts, fname, show_file, numbers)
    if oname:
        listing.base_len = len(oname) - (1 if oname.endswith("/") else 0)
        listing.name_start = 1
        listing.named = True
    else:
        oname = "/"
    try:
        if oname != "/":
            try:
                link = _link_kind(f, oname)
            except KeyError:
                out.append(listing.obj_name(oname, "**NOT FOUND**"))
                return common.EXIT_FAILURE
        else:
            link = "hard"
        if link == "hard":
            start = object_entry(f, oname, oname, link="root")
            if start.obj is None:
                out.append(listing.obj_name(oname, "**NOT FOUND**"))
                return common.EXIT_FAILURE
            listing.visit(f, oname, start)
        else:
            parent, _, name = oname.rstrip("/").rpartition("/")
            entry = describe_link(f[parent or "/"], name, oname)
            listing.list_lnk(entry, f)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:  # a corrupt structure
        out.append("\n")
        raise common.ToolError(common.first_line(exc), fname, listing.current) from exc
    if opts.no_dangling_links and listing.dangling:
        return common.EXIT_FAILURE
    return common.EXIT_OK


def _link_kind(f: File, path: str) -> str:
    parent, _, name = path.rstrip("/").rpartition("/")
    group = f[parent or "/"]
    if not isinstance(group, Group) or name not in group and group.get(name, getlink=True) is None:
        raise KeyError(path)
    link = group.get(name, getlink=True)
    if link is None:
        raise KeyError(path)
    return {"SoftLink": "soft", "ExternalLink": "external"}.get(type(link).__name__, "hard")


# --------------------------------------------------------------------------- the command


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="List the objects of HDF5 files, as h5ls does.",
        epilog="Each FILE may be followed by a slash and an object path inside it "
        "(file.h5/group/dataset); without one the root group's contents are listed.",
    )
    p.add_argument("files", nargs="+", metavar="file[/OBJECT]")
    p.add_argument("-r", "--recursive", action="store_true",
                   help="list all groups recursively, avoiding cycles (implies -f)")
    p.add_argument("-v", "--verbose", action="count", default=0,
                   help="more details: attributes, location, storage, filters, type; "
                   "given twice, also the fill value (beyond h5ls)")
    p.add_argument("-l", "--label", action="store_true", help="label members of compound data")
    p.add_argument("-d", "--data", action="store_true", help="print the values of datasets")
    p.add_argument("-g", "--group", action="store_true",
                   help="show information about a group, not its contents")
    p.add_argument("-f", "--full", action="store_true",
                   help="print full path names instead of base names")
    p.add_argument("-S", "--simple", action="store_true", help="machine-readable output")
    p.add_argument("-s", "--string", action="store_true",
                   help="print 1-byte integer datasets as ASCII")
    p.add_argument("-w", "--width", metavar="N", type=int, default=None,
                   help="number of columns of output (0: no line wrapping)")
    p.add_argument("--follow-symlinks", action="store_true",
                   help="follow soft and external links and show their targets")
    p.add_argument("--no-dangling-links", action="store_true",
                   help="with --follow-symlinks: exit 1 if a link does not resolve")
    p.add_argument("-a", "--address", action="store_true",
                   help="with -v: print raw data addresses (a contiguous dataset's offset; "
                   "a chunked dataset's index address and each chunk's flags, size, address "
                   "and logical offset)")
    p.add_argument("-V", "--version", action="version", version=common.version_text(PROG))
    return p


def main(argv: list[str] | None = None) -> int:
    """``h5pure ls [options] file[/OBJECT] ...``; exit 0, 1 (h5ls's failures: an object
    not found, a dangling link with ``--no-dangling-links``) or 2 (bad usage, a file that
    cannot be read)."""
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.recursive and args.group:
        print(f"{PROG}: 'recursive' option not compatible with 'group info' option",
              file=sys.stderr)
        return 2
    if args.no_dangling_links and not args.follow_symlinks:
        print(f"{PROG}: --no-dangling-links must be used along with --follow-symlinks",
              file=sys.stderr)
        return 2
    width = args.width if args.width is not None else common.terminal_width()
    if width < 0:
        parser.print_usage(sys.stderr)
        return 2
    opts = LsOptions(
        recursive=args.recursive,
        verbose=args.verbose,
        label=args.label,
        data=args.data,
        full=args.full or args.recursive,
        group_literal=args.group,
        simple=args.simple,
        string=args.string,
        width=width if width > 0 else 80,
        no_line_wrap=width == 0,
        follow_symlinks=args.follow_symlinks,
        no_dangling_links=args.no_dangling_links,
        address=args.address,
    )
    def work(out: common.StreamOut) -> tuple[list[str], int]:
        _, err, status = list_objects(args.files, opts, out)
        return err, status

    return common.run_tool(PROG, work)


__all__ = ["LsOptions", "list_objects", "main"]
