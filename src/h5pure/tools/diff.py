"""Comparing two HDF5 files, or two objects in them, as ``h5diff`` (HDF5 1.10) does:
the same traversal, the same decisions (what is comparable, what counts as a
difference) and the same report, plus what users ask ``h5diff`` for:

- objects and attributes found in one file only are named (``h5diff`` only sets its exit
  code), as lines ``Only in <file>: <path>`` after the report;
- ``atol``/``rtol``: numbers differ when ``|a - b| > atol + rtol * |b|`` (numpy.isclose),
  with ``equal_nan`` to take NaN as equal to NaN;
- ``only_differences``: objects without differences are not mentioned;
- datasets are read in chunk-aligned blocks of at most ``budget`` bytes, so memory stays
  bounded whatever their size; numbers are compared with numpy, a block at a time;
- subsets (``/path/dset[start;stride;count;block]``) are compared as selected.

Entry point: :func:`diff_files`; the exit code ``h5diff`` would give is
:attr:`DiffResult.exit_code`.
"""

from __future__ import annotations

import dataclasses
import io
import os
import sys
from dataclasses import dataclass
from typing import Any, TextIO

import numpy as np

from .. import inspect as h5inspect
from ..dtypes import RegionReference
from ..hl import Empty, ExternalLink, File, SoftLink
from .diffarray import (
    ArrayPrinter,
    DiffOptions,
    Report,
    compare_block,
    dims_text,
    printf,
    type_tree,
)
from .h5types import h5_class, is_vlen_string, std_name, type_key
from .subset import parse_subset, read_subset, subset_shape
from .walk import (
    DATASET,
    DATATYPE,
    GROUP,
    LINK,
    UDLINK,
    TravEntry,
    block_shape,
    blocks,
    by_name,
    object_kind,
    walk,
)

__all__ = ["DiffOptions", "DiffResult", "diff_files"]

_TYPE_NAMES = {
    DATASET: "H5G_DATASET",
    GROUP: "H5G_GROUP",
    DATATYPE: "H5G_TYPE",
    LINK: "H5G_LINK",
    UDLINK: "H5G_UDLINK",
}


@dataclass(frozen=True)
class DiffResult:
    """The outcome of a comparison."""

    nfound: int
    """Differences counted (elements, characters, objects)."""
    not_comparable: bool
    """Some objects could not be compared (different shapes, classes, kinds)."""
    contents_differ: bool
    """The files hold different sets of objects or attributes."""
    error: bool

    @property
    def exit_code(self) -> int:
        """``h5diff``'s: 0 same, 1 different, 2 error."""
        if self.error:
            return 2
        return 1 if self.nfound or self.contents_differ else 0


class DiffError(Exception):
    """A comparison that cannot go on (``h5diff`` exits with 2); already reported."""


def diff_files(
    path1: str,
    path2: str,
    obj1: str | None = None,
    obj2: str | None = None,
    opts: DiffOptions | None = None,
    out: TextIO | None = None,
) -> DiffResult:
    """Compare ``obj1`` of ``path1`` with ``obj2`` of ``path2`` (whole files when
    ``obj1`` is None; ``obj2`` defaults to ``obj1``), writing ``h5diff``'s report to
    ``out`` (stdout)."""
    opts = opts or DiffOptions()
    report = Report(out or sys.stdout, opts)
    session = _Session(report)
    nfound = 0
    try:
        nfound = session.run(path1, path2, obj1, obj2 if obj2 is not None else obj1)
    except DiffError:
        report.error = True
    except (OSError, KeyError, ValueError, TypeError) as e:
        sys.stderr.write(f"h5pure diff: {path1} / {path2}: {e}\n")
        report.error = True
    finally:
        session.close()
    if not report.error and not opts.quiet:
        if report.not_cmp and not opts.list_not_cmp:
            report.write("-" * 32 + "\nSome objects are not comparable\n" + "-" * 32 + "\n")
            if opts.verbose is not None:
                report.write("Use -c for a list of objects without details of differences.\n")
            else:
                report.write("Use -c for a list of objects.\n")
        if opts.name_unmatched:
            for line in report.unmatched:
                report.write(line + "\n")
    return DiffResult(nfound, report.not_cmp, report.contents_differ, report.error)


# -- helpers ----------------------------------------------------------------------------


def _dims(shape: Any) -> tuple[int, ...]:
    return tuple(int(n) for n in shape) if shape else ()


def _maxdims(maxshape: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    if maxshape is None:
        return shape
    return tuple(2**64 - 1 if m is None else int(m) for m in maxshape)


# -- the comparison ------------------------------------------------------------------------


class _Session:
    """One run of ``h5diff``: two open files and the report."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.opts = report.opts
        self.files: list[Any] = []
        self.names = ("", "")
        self.subsets: tuple[Any, Any] = (None, None)

    def close(self) -> None:
        for f in self.files:
            try:
                f.close()
            except Exception:  # noqa: BLE001 - closing after an error must not mask it
                pass

    def _open(self, path: str) -> Any:
        try:
            f = File(path, "r")
        except (OSError, ValueError) as e:
            self.report.write(f"h5diff: <{path}>: unable to open file\n")
            sys.stderr.write(f"h5pure diff: {path}: {e}\n")
            raise DiffError(str(e)) from None
        self.files.append(f)
        return f

    def run(self, path1: str, path2: str, obj1: str | None, obj2: str | None) -> int:
        o = self.opts
        w = self.report.write
        if o.quiet and (o.verbose is not None or o.report):
            w("Error: -q (quiet mode) cannot be added to verbose or report modes\n")
            raise DiffError("options")
        if o.no_dangling_links and not o.follow_links:
            w("Error: --no-dangling-links must be used along with --follow-symlinks option.\n")
            raise DiffError("options")
        f1 = self._open(path1)
        f2 = self._open(path2)
        self.names = (path1, path2)
        sub1 = sub2 = None
        if obj1 is not None:
            obj1, sub1 = parse_subset(obj1)
            obj2, sub2 = parse_subset(obj2 or obj1)
            name1 = obj1 if obj1.startswith("/") else "/" + obj1
            name2 = obj2 if obj2.startswith("/") else "/" + obj2
        else:
            name1 = name2 = "/"
        self.subsets = (sub1, sub2)
        type1 = self._top_type(f1, name1, path1)
        type2 = self._top_type(f2, name2, path2)
        nfound = 0
        if o.follow_links:
            type1, dangling1 = self._follow_top(f1, name1, type1, path1)
            type2, dangling2 = self._follow_top(f2, name2, type2, path2)
            for dangling, which, name in ((dangling1, "obj1", name1), (dangling2, "obj2", name2)):
                if dangling:
                    if o.no_dangling_links:
                        if o.verbose is not None:
                            w(f"Warning: <{name}> is a dangling link.\n")
                        raise DiffError("dangling")
                    if o.verbose is not None:
                        w(f"{which} <{name}> is a dangling link.\n")
            if dangling1 != dangling2:
                self.report.found(1)
                return 1
        else:
            dangling1 = dangling2 = False
        if not (o.verbose is not None or o.report) and self._same_object(f1, name1, f2, name2):
            return 0
        both_groups = type1 == GROUP and type2 == GROUP
        if both_groups:
            info1 = self._walk(f1, name1, path1)
            info2 = self._walk(f2, name2, path2)
            if name1 != "/":
                info1 = [dataclasses.replace(e, path=name1 + e.path[len(name1) :]) for e in info1]
            if name2 != "/":
                info2 = [dataclasses.replace(e, path=name2 + e.path[len(name2) :]) for e in info2]
        else:
            info1 = [TravEntry(name1, type1, dangling=dangling1)]
            info2 = [TravEntry(name2, type2, dangling=dangling2)]
        table = self._match(name1, info1, name2, info2)
        if both_groups and o.verbose is not None:
            if o.verbose > 2:
                w(f"file1: {path1}\nfile2: {path2}\n")
            w("\n")
            if name1 != "/" or name2 != "/":
                w("group1   group2\n")
            else:
                w("file1     file2\n")
            w("-" * 39 + "\n")
            for rel, in1, in2, _, _ in table:
                w(printf("%5c %6c    %-15s\n", "x" if in1 else " ", "x" if in2 else " ", rel))
            w("\n")
        nfound += self._diff_match(f1, name1, info1, f2, name2, info2, table)
        return nfound

    def _walk(self, f: Any, name: str, path: str) -> list[TravEntry]:
        try:
            return walk(f[name], follow=self.opts.follow_links)
        except (OSError, KeyError, ValueError) as e:
            sys.stderr.write(f"h5pure diff: {path}: {name}: {e}\n")
            raise DiffError(str(e)) from None

    def _top_type(self, f: Any, name: str, path: str) -> str:
        if name == "/":
            return GROUP
        if name not in f:
            self.report.write(f"Object <{name}> could not be found in <{path}>\n")
            raise DiffError("missing")
        parent, _, base = name.rstrip("/").rpartition("/")
        link = f[parent or "/"].get(base, getlink=True)
        if isinstance(link, SoftLink):
            return LINK
        if isinstance(link, ExternalLink):
            return UDLINK
        return object_kind(f[name])

    def _follow_top(self, f: Any, name: str, kind: str, path: str) -> tuple[str, bool]:
        if kind not in (LINK, UDLINK):
            return kind, False
        try:
            return object_kind(f[name]), False
        except (KeyError, OSError, ValueError):
            return kind, True

    @staticmethod
    def _same_object(f1: Any, name1: str, f2: Any, name2: str) -> bool:
        try:
            if not os.path.samefile(f1.filename, f2.filename):
                return False
            return bool(f1[name1].id == f2[name2].id)
        except (OSError, KeyError, ValueError):
            return False

    def _excluded(self, rel: str, kind: str, table: list[list[Any]]) -> bool:
        for entry in table:
            path, etype = str(entry[0]), entry[1]
            if etype == GROUP:
                if rel.startswith(path) and rel[len(path) : len(path) + 1] == "/":
                    return True
            elif path == rel:
                entry[1] = kind
                return True
        return False

    def _match(
        self, name1: str, info1: list[TravEntry], name2: str, info2: list[TravEntry]
    ) -> list[tuple[str, bool, bool, TravEntry | None, TravEntry | None]]:
        """``h5diff``'s ``build_match_list``: the cosequential merge of the two walks,
        by path relative to the objects compared."""
        off1 = 0 if name1 == "/" else len(name1)
        off2 = 0 if name2 == "/" else len(name2)
        excludes = [[p, None] for p in self.opts.exclude_paths]
        out: list[tuple[str, bool, bool, TravEntry | None, TravEntry | None]] = []
        i = j = 0
        while i < len(info1) and j < len(info2):
            p1 = info1[i].path[off1:]
            p2 = info2[j].path[off2:]
            b1, b2 = p1.encode("utf-8", "surrogateescape"), p2.encode("utf-8", "surrogateescape")
            if b1 == b2:
                if not self._excluded(p1, info1[i].kind, excludes):
                    out.append((p1, True, True, info1[i], info2[j]))
                i += 1
                j += 1
            elif b1 < b2:
                if not self._excluded(p1, info1[i].kind, excludes):
                    out.append((p1, True, False, info1[i], None))
                i += 1
            else:
                if not self._excluded(p2, info2[j].kind, excludes):
                    out.append((p2, False, True, None, info2[j]))
                j += 1
        for e in info1[i:]:
            if not self._excluded(e.path[off1:], e.kind, excludes):
                out.append((e.path[off1:], True, False, e, None))
        for e in info2[j:]:
            if not self._excluded(e.path[off2:], e.kind, excludes):
                out.append((e.path[off2:], False, True, None, e))
        return out

    def _diff_match(
        self,
        f1: Any,
        grp1: str,
        info1: list[TravEntry],
        f2: Any,
        grp2: str,
        info2: list[TravEntry],
        table: list[tuple[str, bool, bool, TravEntry | None, TravEntry | None]],
    ) -> int:
        o = self.opts
        if not o.exclude_paths and len(info1) != len(info2):
            self.report.contents_differ = True
        pre1 = "" if grp1 == "/" else grp1
        pre2 = "" if grp2 == "/" else grp2
        for rel, in1, in2, _, _ in table:
            if in1 != in2:
                self.report.contents_differ = True
                which = self.names[0] if in1 else self.names[1]
                self.report.unmatched.append(f"Only in {which}: {(pre1 if in1 else pre2) + rel}")
        self._attr_excludes = [[p, None] for p in o.exclude_attrs]
        nfound = 0
        for rel, in1, in2, e1, e2 in table:
            if not (in1 and in2):
                continue
            assert e1 is not None and e2 is not None
            try:
                nfound += self._diff(f1, pre1 + rel, e1, f2, pre2 + rel, e2)
            except (OSError, KeyError, ValueError, TypeError) as e:
                # a corrupt or unreadable object: say which, go on, exit 2 at the end
                sys.stderr.write(
                    f"h5pure diff: {self.names[0]} / {self.names[1]}: {pre1 + rel}: {e}\n"
                )
                self.report.error = True
        return nfound

    # -- one pair of objects ----------------------------------------------------------------
    def _objname(self, what: str, path1: str, path2: str) -> None:
        if self.opts.verbose is not None and self.opts.verbose >= 1:
            self.report.write("\n")
        self.report.write(printf("%-7s: <%s> and <%s>\n", what, path1, path2))

    def _print_objname(self, nfound: int) -> bool:
        o = self.opts
        if o.quiet:
            return False
        if o.verbose is not None:
            return not (o.only_differences and not nfound)
        return bool(nfound)

    def _diff(self, f1: Any, path1: str, e1: TravEntry, f2: Any, path2: str, e2: TravEntry) -> int:
        o = self.opts
        w = self.report.write
        type1, type2 = e1.kind, e2.kind
        if e1.dangling or e2.dangling:
            return self._dangling(path1, e1.dangling, path2, e2.dangling)
        if type1 != type2:
            if o.verbose is not None or o.list_not_cmp:
                w(
                    f"Not comparable: <{path1}> is of type {_TYPE_NAMES[type1]} and "
                    f"<{path2}> is of type {_TYPE_NAMES[type2]}\n"
                )
            self.report.not_cmp = True
            return 0
        if type1 in (GROUP, DATASET, DATATYPE) and self._same_object(f1, path1, f2, path2):
            if o.verbose is not None or o.report:
                self._objname({GROUP: "group"}.get(type1, type1), path1, path2)
                self.report.found(0)
            return 0
        verbose_or_report = o.verbose is not None or o.report
        if type1 == DATASET:
            d1, d2 = f1[path1], f2[path2]
            if verbose_or_report:
                if o.only_differences:
                    nfound, text = self._captured(self._diff_dataset, d1, d2, path1, path2)
                    if nfound:
                        self._objname("dataset", path1, path2)
                        w(text)
                        self.report.found(nfound)
                else:
                    self._objname("dataset", path1, path2)
                    nfound = self._diff_dataset(d1, d2, path1, path2)
                    self.report.found(nfound)
            else:
                nfound = self._diff_dataset(d1, d2, path1, path2)
                if nfound and not o.quiet:
                    self._objname("dataset", path1, path2)
                    self.report.found(nfound)
            if not self._attr_excluded(path1, type1):
                nfound += self._diff_attrs(d1, d2, path1, path2)
            return nfound
        if type1 == DATATYPE:
            t1, t2 = f1[path1], f2[path2]
            same = type_key(h5inspect.datatype(t1)) == type_key(h5inspect.datatype(t2))
            nfound = 0 if same else 1
            if self._print_objname(nfound):
                self._objname("datatype", path1, path2)
            if o.verbose is not None and self._print_objname(nfound):
                self.report.found(nfound)
            if not self._attr_excluded(path1, type1):
                nfound += self._diff_attrs(t1, t2, path1, path2)
            return nfound
        if type1 == GROUP:
            if self._print_objname(0):
                self._objname("group", path1, path2)
                if o.verbose is not None:
                    self.report.found(0)
            if not self._attr_excluded(path1, type1):
                return self._diff_attrs(f1[path1], f2[path2], path1, path2)
            return 0
        link1 = self._link(f1, path1)
        link2 = self._link(f2, path2)
        if type1 == LINK:
            nfound = 0 if link1.path == link2.path else 1
            if self._print_objname(nfound):
                self._objname("link", path1, path2)
                if o.verbose is not None:
                    self.report.found(nfound)
            return nfound
        ext = isinstance(link1, ExternalLink) and isinstance(link2, ExternalLink)
        if ext:
            nfound = 0 if (link1.filename, link1.path) == (link2.filename, link2.path) else 1
        else:
            nfound = 0 if type(link1) is type(link2) else 1
        if self._print_objname(nfound):
            self._objname("external link" if ext else "user defined link", path1, path2)
            if o.verbose is not None:
                self.report.found(nfound)
        return nfound

    @staticmethod
    def _link(f: Any, path: str) -> Any:
        parent, _, base = path.rstrip("/").rpartition("/")
        return f[parent or "/"].get(base, getlink=True)

    def _dangling(self, path1: str, d1: bool, path2: str, d2: bool) -> int:
        o = self.opts
        if o.no_dangling_links:
            if o.verbose is not None:
                w = self.report.write
                w(f"Warning: <{path1 if d1 else path2}> is a dangling link.\n")
            self.report.error = True  # h5diff goes on with the next object, then exits 2
            return 0
        if d1 and d2:
            if self._print_objname(0):
                self._objname("dangling link", path1, path2)
                self.report.found(0)
            return 0
        if o.verbose is not None:
            which, path = ("obj1", path1) if d1 else ("obj2", path2)
            self.report.write(f"{which} <{path}> is a dangling link.\n")
        if self._print_objname(1):
            self.report.found(1)
        return 1

    def _attr_excluded(self, path: str, kind: str) -> bool:
        for entry in self._attr_excludes:
            epath, etype = str(entry[0]), entry[1]
            if etype == GROUP:
                if path.startswith(epath) and path[len(epath) : len(epath) + 1] == "/":
                    return True
            elif epath == path:
                entry[1] = kind
                return True
        return False

    # -- datasets ---------------------------------------------------------------------------
    def _can_type(
        self,
        rec1: Any,
        rec2: Any,
        dims1: tuple[int, ...],
        dims2: tuple[int, ...],
        max1: tuple[int, ...] | None,
        max2: tuple[int, ...] | None,
        name1: str | None,
        name2: str | None,
        is_compound: bool = False,
    ) -> bool:
        """``h5diff``'s ``diff_can_type``."""
        o = self.opts
        w = self.report.write
        tell = (o.verbose is not None or o.list_not_cmp) and name1 is not None and name2 is not None
        c1, c2 = h5_class(rec1), h5_class(rec2)
        if c1 != c2:
            if tell:
                verb = "has a class" if is_compound else "is of class"
                w(f"Not comparable: <{name1}> {verb} {c1} and <{name2}> {verb} {c2}\n")
            self.report.not_cmp = True
            return False
        if c1 == "H5T_TIME":
            if tell:
                w(f"Not comparable: <{name1}> and <{name2}> are of class {c2}\n")
            self.report.not_cmp = True
            return False
        if o.verbose is not None and name1 and name2 and type_key(rec1) != type_key(rec2):
            w("Warning: different storage datatype\n")
            if c1 in ("H5T_INTEGER", "H5T_FLOAT"):
                w(f"<{name1}> has file datatype {std_name(rec1)}\n")
                w(f"<{name2}> has file datatype {std_name(rec2)}\n")
        if len(dims1) != len(dims2) or dims1 != dims2:
            if tell:
                w(f"Not comparable: <{name1}> has rank {len(dims1)}, dimensions {dims_text(dims1)}")
                if max1 is not None and max2 is not None:
                    w(f", max dimensions {dims_text(max1)}\n")
                    w(f"and <{name2}> has rank {len(dims2)}, dimensions {dims_text(dims2)}")
                    w(f", max dimensions {dims_text(max2)}\n")
                elif len(dims1) != len(dims2):
                    w("\n")
            self.report.not_cmp = True
            return False
        if max1 is not None and max2 is not None and max1 != max2 and name1:
            if o.verbose is not None:
                w("Warning: different maximum dimensions\n")
                w(f"<{name1}> has max dimensions {dims_text(max1)}\n")
                w(f"<{name2}> has max dimensions {dims_text(max2)}\n")
        if c1 == "H5T_STRING" and is_vlen_string(rec1) != is_vlen_string(rec2):
            if tell:
                w(f"Not comparable: <{name1}> or <{name2}> is of mixed string type\n")
            self.report.not_cmp = True
            return False
        if c1 == "H5T_COMPOUND":
            m1, m2 = rec1.members, rec2.members
            if len(m1) != len(m2):
                if tell:
                    w(f"Not comparable: <{name1}> has {len(m1)} members ")
                    w(f"<{name2}> has {len(m2)} members \n")
                self.report.not_cmp = True
                return False
            for a, b in zip(m1, m2):
                if not self._can_type(
                    a.datatype, b.datatype, dims1, dims2, max1, max2, name1, name2, True
                ):
                    self.report.not_cmp = True
                    return False
        return True

    def _diff_dataset(self, d1: Any, d2: Any, path1: str, path2: str) -> int:
        o = self.opts
        w = self.report.write
        for d, path, fname in ((d1, path1, self.names[0]), (d2, path2, self.names[1])):
            missing = [f.name for f in h5inspect.storage(d).filters if not f.available]
            if missing:
                if o.verbose is not None:
                    w(
                        f"Warning: dataset <{path}> cannot be read, "
                        f"user defined filter is not available\n"
                    )
                sys.stderr.write(
                    f"h5pure diff: {fname}: {path}: filter {missing[0]!r} is not available\n"
                )
                self.report.not_cmp = True
                self.report.error = True
                return 0
        s1, s2 = h5inspect.storage(d1), h5inspect.storage(d2)
        can = True
        if s1.allocated_bytes == 0 or s2.allocated_bytes == 0:
            if s1.layout == "virtual" or s2.layout == "virtual":
                if o.verbose is not None or o.list_not_cmp:
                    w(f"Warning: <{path1}> or <{path2}> is a virtual dataset\n")
            else:
                if o.verbose is not None or o.list_not_cmp:
                    w(f"Not comparable: <{path1}> or <{path2}> is an empty dataset\n")
                can = False
                self.report.not_cmp = True
        rec1, rec2 = h5inspect.datatype(d1), h5inspect.datatype(d2)
        dims1, dims2 = _dims(d1.shape), _dims(d2.shape)
        sel1, sel2 = self.subsets
        if sel1 is not None and dims1:
            dims1 = subset_shape(dims1, sel1)
        if sel2 is not None and dims2:
            dims2 = subset_shape(dims2, sel2)
        max1 = _maxdims(d1.maxshape, _dims(d1.shape))
        max2 = _maxdims(d2.maxshape, _dims(d2.shape))
        if not self._can_type(rec1, rec2, dims1, dims2, max1, max2, path1, path2):
            can = False
        if can and h5_class(rec1) == "H5T_INTEGER" and bool(rec1.signed) != bool(rec2.signed):
            if o.verbose is not None or o.list_not_cmp:
                s = {True: "H5T_SGN_2", False: "H5T_SGN_NONE"}
                w(f"Not comparable: <{path1}> has sign {s[bool(rec1.signed)]} ")
                w(f"and <{path2}> has sign {s[bool(rec2.signed)]}\n")
            can = False
            self.report.not_cmp = True
        if not can:
            return 0
        name1 = path1.rstrip("/").rpartition("/")[2]
        name2 = path2.rstrip("/").rpartition("/")[2]
        info = type_tree(d1.dtype, d2.dtype, rec1, o)
        printer = ArrayPrinter(self.report, dims1, name1, name2)
        self._set_refs(d1.file, d2.file)
        if sel1 is not None or sel2 is not None:
            a = read_subset(d1, sel1)
            b = read_subset(d2, sel2)
            return compare_block(info, a, b, 0, None, printer, self.report, o.count)
        return self._compare_dataset(d1, d2, info, printer, dims1)

    def _compare_dataset(
        self, d1: Any, d2: Any, info: Any, printer: ArrayPrinter, dims: tuple[int, ...]
    ) -> int:
        o = self.opts
        if not dims:
            a = np.asarray(d1[()])
            b = np.asarray(d2[()])
            return compare_block(info, a, b, 0, None, printer, self.report, o.count)
        itemsize = max(d1.dtype.itemsize, d2.dtype.itemsize, 1)
        per_side = max(1, o.budget // 4)
        shape = block_shape(dims, d1.chunks, itemsize, per_side)
        nfound = 0
        strides = np.array([int(np.prod(dims[i + 1 :])) for i in range(len(dims))], dtype=np.int64)
        for region in blocks(dims, shape):
            left = None if o.count is None else o.count - nfound
            if left is not None and left <= 0:
                break
            a = d1[region]
            b = d2[region]
            starts = [s.start for s in region]
            bshape = tuple(s.stop - s.start for s in region)
            contiguous = all(bshape[i] == dims[i] for i in range(1, len(dims)))
            if contiguous:
                start = int(starts[0]) * int(strides[0])
                nfound += compare_block(info, a, b, start, None, printer, self.report, left)
            else:

                def to_global(flat: np.ndarray, bshape: Any = bshape, starts: Any = starts) -> Any:
                    coords = np.unravel_index(flat, bshape)
                    g = np.zeros(flat.shape, dtype=np.int64)
                    for ax, c in enumerate(coords):
                        g += (c + starts[ax]) * strides[ax]
                    return g

                nfound += compare_block(info, a, b, 0, to_global, printer, self.report, left)
        return nfound

    def _captured(self, fn: Any, *args: Any) -> tuple[int, str]:
        """``fn(*args)`` with what it prints held back (``only_differences``)."""
        saved = self.report.out
        self.report.out = io.StringIO()
        try:
            n = int(fn(*args))
            return n, self.report.out.getvalue()
        finally:
            self.report.out = saved

    def _set_refs(self, file1: Any, file2: Any) -> None:
        def ref_compare(r1: Any, r2: Any, name1: str, name2: str) -> int:
            """``h5diff``'s reference case of ``diff_datum``: the referenced datasets
            compared (regions: the selections)."""
            o = self.opts
            if isinstance(r1, RegionReference) or isinstance(r2, RegionReference):
                same = getattr(r1, "selection", None) == getattr(r2, "selection", None)
                return 0 if same else 1
            try:
                t1, t2 = file1[r1], file2[r2]
            except (KeyError, OSError, ValueError):
                self.report.error = True
                return 0
            k1, k2 = object_kind(t1), object_kind(t2)
            if k1 != k2:
                self.report.write(f"Different object types referenced: <{name1}> and <{name2}>")
                self.report.not_cmp = True
                return 0
            if k1 != DATASET:
                if o.verbose is not None:
                    self.report.write(
                        "Warning: Comparison not possible of object types referenced: "
                        f"<{name1}> and <{name2}>\n"
                    )
                self.report.not_cmp = True
                return 0
            saved = self.subsets
            self.subsets = (None, None)
            try:
                return self._diff_dataset(t1, t2, name1, name2)
            finally:
                self.subsets = saved
                self._set_refs(file1, file2)

        self.report.ref_compare = ref_compare

    # -- attributes -------------------------------------------------------------------------
    def _diff_attrs(self, o1: Any, o2: Any, path1: str, path2: str) -> int:
        o = self.opts
        w = self.report.write
        names1 = by_name(o1.attrs)
        names2 = by_name(o2.attrs)
        table: list[tuple[str, bool, bool]] = []
        i = j = 0
        only1 = only2 = 0
        while i < len(names1) and j < len(names2):
            b1 = names1[i].encode("utf-8", "surrogateescape")
            b2 = names2[j].encode("utf-8", "surrogateescape")
            if b1 == b2:
                table.append((names1[i], True, True))
                i += 1
                j += 1
            elif b1 < b2:
                table.append((names1[i], True, False))
                only1 += 1
                i += 1
            else:
                table.append((names2[j], False, True))
                only2 += 1
                j += 1
        for n in names1[i:]:
            table.append((n, True, False))
            only1 += 1
        for n in names2[j:]:
            table.append((n, False, True))
            only2 += 1
        if o.verbose == 2:
            w("   obj1   obj2\n")
            w(" --------------------------------------\n")
            for name, a, b in table:
                w(printf("%5c %6c    %-15s\n", "x" if a else " ", "x" if b else " ", name))
        if o.verbose is not None and o.verbose >= 1:
            common = len(table) - only1 - only2
            w(f"Attributes status:  {common} common, {only1} only in obj1, {only2} only in obj2\n")
        if only1 or only2:
            self.report.contents_differ = True
            for name, a, b in table:
                if a != b:
                    which = self.names[0] if a else self.names[1]
                    self.report.unmatched.append(
                        f"Only in {which}: attribute <{name} of <{path1 if a else path2}>>"
                    )
        nfound = 0
        for name, a, b in table:
            if a and b:
                nfound += self._diff_attr(o1, o2, name, path1, path2)
        return nfound

    def _diff_attr(self, o1: Any, o2: Any, name: str, path1: str, path2: str) -> int:
        o = self.opts
        rec1 = h5inspect.attribute_datatype(o1, name)
        rec2 = h5inspect.attribute_datatype(o2, name)
        id1, id2 = o1.attrs.get_id(name), o2.attrs.get_id(name)
        dims1, dims2 = _dims(id1.shape), _dims(id2.shape)
        if not self._can_type(rec1, rec2, dims1, dims2, dims1, dims2, name, name):
            return 0
        v1 = o1.attrs[name]
        v2 = o2.attrs[name]
        np1 = f"{name} of <{path1}>"
        np2 = f"{name} of <{path2}>"
        if isinstance(v1, Empty) or isinstance(v2, Empty):
            a = b = np.zeros((), dtype=np.uint8)
            info: Any = ("number", type_tree(a.dtype, a.dtype, None, o)[1])
        else:
            a = np.asarray(v1, dtype=id1.dtype) if not id1.dtype.hasobject else _objects(v1)
            b = np.asarray(v2, dtype=id2.dtype) if not id2.dtype.hasobject else _objects(v2)
            info = type_tree(id1.dtype, id2.dtype, rec1, o)
        self._set_refs(o1.file, o2.file)
        printer = ArrayPrinter(self.report, dims1, np1, np2)
        verbose_or_report = o.verbose is not None or o.report
        if verbose_or_report and not o.only_differences:
            self.report.write(printf("%-7s: <%s> and <%s>\n", "attribute", np1, np2))
            nfound = compare_block(info, a, b, 0, None, printer, self.report, o.count)
            self.report.found(nfound)
            return nfound
        if verbose_or_report:
            nfound, text = self._captured(
                compare_block, info, a, b, 0, None, printer, self.report, o.count
            )
            if nfound:
                self.report.write(printf("%-7s: <%s> and <%s>\n", "attribute", np1, np2))
                self.report.write(text)
                self.report.found(nfound)
            return nfound
        nfound = compare_block(info, a, b, 0, None, printer, self.report, o.count)
        if nfound and not o.quiet:
            self.report.write(printf("%-7s: <%s> and <%s>\n", "attribute", np1, np2))
            self.report.found(nfound)
        return nfound


def _objects(value: Any) -> np.ndarray:
    """An attribute value with object members as an array (a scalar kept 0-d)."""
    if isinstance(value, np.ndarray):
        return value
    out = np.empty((), dtype=object)
    out[()] = value
    return out
