"""What the ``h5pure`` commands share: finding the file in ``file/object`` arguments,
opening files with one-line errors, the version text, the terminal width, exit codes."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

from ..hl import File
from ..version import version as h5pure_version

EXIT_OK = 0
EXIT_FAILURE = 1
"""What the C tools return for their own failures (an object not found, data not printed)."""
EXIT_ERROR = 2
"""Bad usage or input h5pure cannot read: a missing file, not HDF5, truncated, a filter
without a codec."""


class ToolError(Exception):
    """A failure to report as one line, ``<file>: <object>: <what>``, with exit code 2."""

    def __init__(self, message: str, file: str | None = None, obj: str | None = None) -> None:
        super().__init__(message)
        self.file = file
        self.obj = obj

    def line(self) -> str:
        where = ": ".join(p for p in (self.file, self.obj) if p)
        return f"{where}: {self}" if where else str(self)


_NOTED: list[BaseException] = []


def note_error(exc: BaseException) -> None:
    """Remember a failure met while output went on (the tool exits 2 at the end)."""
    _NOTED.append(exc)


def take_errors() -> list[BaseException]:
    out = list(_NOTED)
    _NOTED.clear()
    return out


def version_text(prog: str) -> str:
    return f"{prog} (h5pure {h5pure_version})"


def terminal_width() -> int:
    """h5ls's ``get_width``: ``$COLUMNS``, else the width of the terminal on stderr, else 80."""
    cols = os.environ.get("COLUMNS", "")
    width = 80
    if cols[:1].isdigit():
        try:
            width = int(cols.split()[0], 0)
        except ValueError:
            width = 80
    try:
        width = os.get_terminal_size(2).columns or width
    except OSError:
        pass
    return max(width, 1)


def split_file_object(arg: str) -> tuple[str, str]:
    """``"dir/file.h5/group/data"`` -> ``("dir/file.h5", "/group/data")``: the longest
    prefix that names an existing file is the file (as h5ls and h5dump decide by trying to
    open it), the rest the object; ``""`` when no object is named."""
    if os.path.isfile(arg):
        return arg, ""
    head = arg
    while "/" in head:
        head, _, _ = head.rpartition("/")
        if head and os.path.isfile(head):
            return head, arg[len(head) :]
    if os.path.exists(arg):
        raise ToolError("not a regular file", file=arg)
    raise ToolError("no such file", file=arg)


@contextlib.contextmanager
def open_file(name: str) -> Iterator[File]:
    """The file opened read-only; any failure becomes a :class:`ToolError` naming it."""
    try:
        f = File(name, "r")
    except FileNotFoundError as exc:
        raise ToolError("no such file", file=name) from exc
    except (OSError, ValueError) as exc:
        text = first_line(exc)
        if "(truncated file:" in text:  # an HDF5 file, cut short: say so, with the numbers
            raise ToolError(
                "truncated file" + text[text.index("(truncated file:") + 15 :].rstrip(")"),
                file=name,
            ) from exc
        raise ToolError(f"not an HDF5 file h5pure can read ({text})", file=name) from exc
    try:
        yield f
    finally:
        f.close()


def first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


class StreamOut:
    """Where a command's output goes: ``append`` text as to a list; it reaches stdout in
    pieces of about 1 MiB, so a large dump never sits in memory whole."""

    def __init__(self, limit: int = 1 << 20) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit

    def append(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= self.limit:
            self.flush()

    def __iadd__(self, items: Any) -> StreamOut:
        for text in items:
            self.append(text)
        return self

    def flush(self) -> None:
        if self.parts:
            write_out("".join(self.parts))
            self.parts.clear()
            self.size = 0


def run_tool(prog: str, work: Callable[[StreamOut], tuple[list[str], int]]) -> int:
    """Run ``work(out)``, which writes the command's output to ``out`` and returns its
    stderr lines and the C tool's exit code; turn failures into one-line messages and
    exit code 2 (after the output written so far)."""
    take_errors()
    out = StreamOut()
    try:
        err, status = work(out)
    except ToolError as exc:
        out.flush()
        print(f"{prog}: {exc.line()}", file=sys.stderr)
        return EXIT_ERROR
    except (OSError, KeyError, ValueError, RuntimeError) as exc:
        out.flush()
        print(f"{prog}: {first_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    out.flush()
    for line in err:
        print(f"{prog}: {line}", file=sys.stderr)
    noted = take_errors()
    for failure in noted:
        text = failure.line() if isinstance(failure, ToolError) else first_line(failure)
        print(f"{prog}: {text}", file=sys.stderr)
    return EXIT_ERROR if noted else status


def write_out(text: str) -> None:
    """Write to stdout as bytes (surrogate-escaped bytes of the file come out as they were)."""
    data = text.encode("utf-8", "surrogateescape")
    stream: Any = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    stream.write(data)
    stream.flush()
