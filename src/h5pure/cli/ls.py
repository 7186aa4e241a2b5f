"""``h5pure ls``: list the objects of an HDF5 file, in the spirit of ``h5ls -r``/``-v``."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, TextIO

import numpy as np

from ..hl import Dataset, Datatype, Empty, File, Group


def _describe(obj: Any) -> str:
    if isinstance(obj, Dataset):
        shape = obj.shape
        if shape is None:
            return "Dataset {NULL}"
        if shape == ():
            return "Dataset {SCALAR}"
        maxshape = obj.maxshape or shape
        dims = ", ".join(
            f"{n}/{'Inf' if m is None else m}" if m != n else str(n)
            for n, m in zip(shape, maxshape)
        )
        return f"Dataset {{{dims}}}"
    if isinstance(obj, Group):
        return "Group"
    if isinstance(obj, Datatype):
        return "Type"
    return "Unknown"


def _format_value(value: Any) -> str:
    if isinstance(value, Empty):
        return "Empty"
    text = (
        np.array2string(np.asarray(value), threshold=8)
        if isinstance(value, np.ndarray)
        else repr(value)
    )
    return text.replace("\n", " ")


def _details(obj: Any, out: TextIO) -> None:
    for name, value in obj.attrs.items():
        out.write(f"    Attribute: {name} = {_format_value(value)}\n")
    if isinstance(obj, Dataset):
        out.write(f"    Type:      {obj.dtype}\n")
        if obj.chunks:
            out.write(f"    Chunks:    {obj.chunks}\n")
        filters: list[str] = [f for f in ("gzip", "lzf", "szip") if obj.compression == f]
        filters += [f for f in ("shuffle", "fletcher32") if getattr(obj, f)]
        if filters:
            out.write(f"    Filters:   {', '.join(filters)}\n")


def list_file(
    path: str,
    recursive: bool = True,
    verbose: bool = False,
    out: TextIO | None = None,
    start: str = "/",
) -> None:
    """Print one line per object (and its details with ``verbose``)."""
    out = out or sys.stdout
    with File(path, "r") as f:
        top = f[start]
        out.write(f"{top.name:<30} {_describe(top)}\n")
        if verbose:
            _details(top, out)
        if not isinstance(top, Group):
            return

        def show(name: str, link: Any) -> None:
            full = (top.name.rstrip("/") + "/" + name) if top.name else name
            kind = type(link).__name__
            if kind == "SoftLink":
                out.write(f"{full:<30} Soft Link {{{link.path}}}\n")
                return
            if kind == "ExternalLink":
                out.write(f"{full:<30} External Link {{{link.filename}/{link.path}}}\n")
                return
            obj = top[name]
            out.write(f"{full:<30} {_describe(obj)}\n")
            if verbose:
                _details(obj, out)

        if recursive:
            top.visititems_links(show)
        else:
            for name in top:
                show(name, top.get(name, getlink=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="h5pure ls", description=__doc__)
    parser.add_argument("file", help="HDF5 file, optionally followed by /path/in/file")
    parser.add_argument("-r", "--recursive", action="store_true", help="list all objects below")
    parser.add_argument("-v", "--verbose", action="store_true", help="attributes, types, chunks")
    args = parser.parse_args(argv)
    path, start = split_object_path(args.file)
    try:
        list_file(path, recursive=args.recursive, verbose=args.verbose, start=start)
    except (OSError, KeyError, ValueError) as e:
        print(f"h5pure ls: {path}: {e}", file=sys.stderr)
        return 1
    return 0


def split_object_path(arg: str) -> tuple[str, str]:
    """``"dir/file.h5/group/data"`` -> ``("dir/file.h5", "/group/data")``: the longest prefix
    that is an existing file names the file, the rest the object inside it."""
    if os.path.exists(arg):
        return arg, "/"
    head, rest = arg, ""
    while "/" in head:
        head, _, tail = head.rpartition("/")
        rest = f"{tail}/{rest}" if rest else tail
        if head and os.path.isfile(head):
            return head, "/" + rest
    return arg, "/"
