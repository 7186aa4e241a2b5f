"""``h5pure dump``: HDF5 files in h5dump's DDL (``h5dump`` 1.10), or as JSON.

The command line is h5dump's: ``-H -A[0] -n[1] -B -p -R -e -r -y -m FMT -w N``, objects
``-d -g -a -l -t -N`` (repeatable, in order), subsets ``-s -S -c -k`` after a ``-d`` or
``-d "/dset[start;stride;count;block]"``, ``-o F`` with ``-b LE|BE|NATIVE|FILE``; plus
``--json`` (see ``docs/dump_json.md``).  The work is :func:`h5pure.cli.ddl.dump_ddl` and
:func:`h5pure.cli.dumpjson.dump_json`; this module parses options and reports errors.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

from . import common
from .data import Subset
from .ddl import DumpOptions, Request, dump_ddl

PROG = "h5pure dump"

# h5dump's switches: name -> (takes an argument: "" none, ":" required, "*" optional)
_SHORT = {
    "a": ":", "b": "*", "c": ":", "d": ":", "e": "", "g": ":", "h": "", "k": ":", "l": ":",
    "m": ":", "n": "*", "o": "*", "p": "", "q": ":", "r": "", "s": ":", "t": ":", "w": ":",
    "y": "", "z": ":", "A": "*", "B": "", "H": "", "N": ":", "R": "", "S": ":", "V": "",
}
_LONG = {
    "attribute": "a", "binary": "b", "count": "c", "dataset": "d", "escape": "e",
    "group": "g", "help": "h", "block": "k", "soft-link": "l", "format": "m",
    "contents": "n", "output": "o", "properties": "p", "sort_by": "q", "string": "r",
    "start": "s", "datatype": "t", "width": "w", "noindex": "y", "sort_order": "z",
    "onlyattr": "A", "superblock": "B", "header": "H", "any_path": "N", "region": "R",
    "stride": "S", "version": "V", "json": "json", "no-compact-subset": "no-compact-subset",
}

USAGE = f"""usage: {PROG} [OPTIONS] files
  OPTIONS
     -h,   --help         Print a usage message and exit
     -V,   --version      Print version number and exit
     --json               Write JSON (schema in docs/dump_json.md) instead of DDL
--------------- File Options ---------------
     -n,   --contents     Print a list of the file contents and exit
                          Optional value 1 also prints attributes.
     -B,   --superblock   Print the content of the super block
     -H,   --header       Print the header only; no data is displayed
     -o F, --output=F     Output raw data into file F
     -b B, --binary=B     Binary file output, of form B (NATIVE, FILE, LE or BE)
--------------- Object Options ---------------
     -a P, --attribute=P  Print the specified attribute (escape a slash in its
                          name with a backslash)
     -d P, --dataset=P    Print the specified dataset
     -g P, --group=P      Print the specified group and all members
     -l P, --soft-link=P  Print the value(s) of the specified soft link
     -t P, --datatype=P   Print the specified named datatype
     -N P, --any_path=P   Print any attribute, dataset, group, datatype, or link that
                          matches P
     -A,   --onlyattr     Print the header and value of attributes
                          Optional value 0 suppresses printing attributes.
--------------- Object Property Options ---------------
     -p,   --properties   Print dataset filters, storage layout and fill value
     -R,   --region       Print dataset pointed by region references
--------------- Formatting Options ---------------
     -e,   --escape       Escape non printing characters
     -r,   --string       Print 1-byte integer datasets as ASCII
     -y,   --noindex      Do not print array indices with the data
     -m T, --format=T     Set the floating point output format
     -q Q, --sort_by=Q    Sort groups and attributes by index Q (name, creation_order)
     -z Z, --sort_order=Z Sort groups and attributes by order Z (ascending, descending)
     -w N, --width=N      Set the number of columns of output (0: 65535)
--------------- Subsetting Options ---------------
     -s START,  --start=START    Offset of start of subsetting selection
     -S STRIDE, --stride=STRIDE  Hyperslab stride
     -c COUNT,  --count=COUNT    Number of blocks to include in selection
     -k BLOCK,  --block=BLOCK    Size of block in hyperslab
  Subsetting follows a -d option; also -d "/dset[START;STRIDE;COUNT;BLOCK]".
"""


class UsageError(Exception):
    """A bad command line (exit 2 after the usage text)."""


@dataclass
class Parsed:
    opts: DumpOptions
    files: list[str]
    json: bool = False
    output: str | None = None
    binary: str | None = None
    show_help: bool = False
    show_version: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _atoi(text: str) -> int:
    """C's ``atoi``: the leading decimal digits (0 when there are none)."""
    text = text.strip()
    digits = ""
    for i, c in enumerate(text):
        if c.isdigit() or (i == 0 and c in "+-"):
            digits += c
        else:
            break
    try:
        return int(digits)
    except ValueError:
        return 0


def _ints(text: str) -> list[int]:
    parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
    try:
        return [int(p) for p in parts]
    except ValueError:
        raise UsageError(f"bad subsetting value {text!r}") from None


def _compact_subset(path: str) -> tuple[str, Subset | None]:
    """``/dset[start;stride;count;block]`` -> the path and its subset."""
    if not path.endswith("]") or "[" not in path:
        return path, None
    name, _, spec = path[:-1].partition("[")
    fields = spec.split(";")
    values = [_ints(f) if f.strip() else [] for f in fields] + [[]] * 4
    return name, Subset(values[0], values[1], values[2], values[3])


def parse_args(argv: list[str]) -> Parsed:
    """h5dump's command line (``get_option``): combined short switches, attached or
    separate arguments, optional arguments taken only when another argument follows."""
    opts = DumpOptions()
    parsed = Parsed(opts, [])
    compact = True
    last_dataset: Request | None = None
    i = 0
    columns = 80
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            parsed.files.extend(argv[i + 1:])
            break
        if not arg.startswith("-") or arg == "-":
            parsed.files.append(arg)
            i += 1
            continue
        items: list[tuple[str, str | None]] = []
        if arg.startswith("--"):
            name, eq, attached = arg[2:].partition("=")
            long_key = _LONG.get(name)
            if long_key is None:
                raise UsageError(f"unknown option '{arg}'")
            key = long_key
            kind = _SHORT.get(key, "")
            if eq:
                items.append((key, attached))
            elif kind == ":":
                if i + 1 >= len(argv):
                    raise UsageError(f"option '{arg}' needs a value")
                i += 1
                items.append((key, argv[i]))
            else:
                items.append((key, None))
            i += 1
        else:
            j = 1
            while j < len(arg):
                key = arg[j]
                short = _SHORT.get(key)
                if short is None:
                    raise UsageError(f"unknown option '-{key}'")
                if short == "":
                    items.append((key, None))
                    j += 1
                    continue
                rest = arg[j + 1:]
                if rest:
                    items.append((key, rest))
                elif short == ":":
                    if i + 1 >= len(argv):
                        raise UsageError(f"option '-{key}' needs a value")
                    i += 1
                    items.append((key, argv[i]))
                elif i + 2 < len(argv) and not argv[i + 1].startswith("-"):
                    i += 1
                    items.append((key, argv[i]))
                else:
                    items.append((key, None))
                break
            i += 1
        for key, value in items:
            if key == "h":
                parsed.show_help = True
            elif key == "V":
                parsed.show_version = True
            elif key == "json":
                parsed.json = True
            elif key == "no-compact-subset":
                compact = False
            elif key == "n":
                opts.contents = 1 if value is not None and _atoi(value) == 1 else 0
            elif key == "B":
                opts.superblock = True
            elif key == "H":
                opts.header_only = True
            elif key == "A":
                if value is None:
                    opts.attributes_only = True
                elif _atoi(value) == 0:  # as h5dump, which reads the value with atoi()
                    opts.attributes = False
            elif key == "p":
                opts.properties = True
            elif key == "R":
                opts.region = True
            elif key == "e":
                opts.escape = True
            elif key == "r":
                opts.string = True
            elif key == "y":
                opts.index = False
            elif key == "m":
                opts.float_format = value
                columns = 0
            elif key == "w":
                try:
                    width = int(value or "")
                except ValueError:
                    raise UsageError(f"bad width {value!r}") from None
                columns = width if width > 0 else 65535
            elif key == "q":
                if value not in ("name", "creation_order"):
                    raise UsageError(f"invalid sort index {value!r}")
                opts.sort_by_creation = value == "creation_order"
            elif key == "z":
                if value not in ("ascending", "descending"):
                    raise UsageError(f"invalid sort order {value!r}")
                opts.descending = value == "descending"
            elif key == "o":
                parsed.output = value
            elif key == "b":
                form = (value or "NATIVE").upper()
                if form not in ("NATIVE", "FILE", "LE", "BE", "MEMORY"):
                    raise UsageError(f"invalid binary form {value!r}")
                parsed.binary = "NATIVE" if form == "MEMORY" else form
            elif key in ("d", "g", "a", "l", "t", "N"):
                kind_name = {"d": "dataset", "g": "group", "a": "attribute", "l": "link",
                             "t": "datatype", "N": "any"}[key]
                path = value or ""
                subset = None
                if key == "d" and compact:
                    path, subset = _compact_subset(path)
                req = Request(kind_name, path, subset)
                opts.requests.append(req)
                last_dataset = req if key == "d" else None
            elif key in ("s", "S", "c", "k"):
                if last_dataset is None:
                    raise UsageError("subsetting options must follow a dataset (-d)")
                if last_dataset.subset is None:
                    last_dataset.subset = Subset([], [], [], [])
                attr = {"s": "start", "S": "stride", "c": "count", "k": "block"}[key]
                setattr(last_dataset.subset, attr, _ints(value or ""))
    opts.columns = columns
    return parsed


def dump_file(fname: str, parsed: Parsed, out: Any) -> tuple[list[str], int]:
    """One file into ``out``: ``(stderr lines, exit code)``."""
    opts = parsed.opts
    with common.open_file(fname) as f:
        if parsed.json:
            from .dumpjson import dump_json

            doc = dump_json(f, fname, requests=opts.requests, header_only=opts.header_only,
                            attributes=opts.attributes)
            missing = [o["path"] for o in doc.get("objects", ()) if "error" in o]
            out.append(json.dumps(doc, ensure_ascii=False) + "\n")
            return [f"{fname}: {p}: not found" for p in missing], 1 if missing else 0
        sink: Any = None
        if parsed.output is not None:
            if parsed.binary:
                sink = open(parsed.output, "wb")  # noqa: SIM115 (closed below)
            else:
                sink = []
        opts.binary = parsed.binary if parsed.output is not None else None
        opts.data_output = sink
        try:
            _, errors, status = dump_ddl(f, fname, opts, out)
        finally:
            if sink is not None and not isinstance(sink, list):
                sink.close()
        if isinstance(sink, list) and parsed.output is not None:
            with open(parsed.output, "w", encoding="utf-8", errors="surrogateescape") as fh:
                fh.write("".join(sink))
        return errors, status


def main(argv: list[str] | None = None) -> int:
    """``h5pure dump [options] files``: exit 0, 1 (h5dump's failures: an object not
    found, values not printed) or 2 (bad usage, a file or object h5pure cannot read)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parsed = parse_args(argv)
    except UsageError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        print(USAGE, file=sys.stderr, end="")
        return 2
    if parsed.show_help:
        print(USAGE, end="")
        return 0
    if parsed.show_version:
        print(common.version_text(PROG))
        return 0
    if not parsed.files:
        print(USAGE, file=sys.stderr, end="")
        return 2
    if parsed.binary and parsed.output is None:
        print(f"{PROG}: -b needs -o FILE", file=sys.stderr)
        return 2

    def work(out: common.StreamOut) -> tuple[list[str], int]:
        err: list[str] = []
        status = 0
        # h5dump -n lists the first file only (its file loop ends there)
        files = parsed.files[:1] if parsed.opts.contents is not None else parsed.files
        for fname in files:
            errors, code = dump_file(fname, parsed, out)
            err += errors
            status = max(status, code)
        return err, status

    return common.run_tool(PROG, work)
