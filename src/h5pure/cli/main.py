"""The ``h5pure`` command: ``h5pure <command> [args]`` (also ``python -m h5pure``).

Each command is a module with ``main(argv) -> int``; :data:`COMMANDS` is the table of
them (name -> (module, one-line summary)), imported only when the command runs.
"""

from __future__ import annotations

import importlib
import sys

from ..version import version

COMMANDS: dict[str, tuple[str, str]] = {
    "ls": ("h5pure.cli.ls", "list the objects of HDF5 files (h5ls)"),
    "dump": ("h5pure.cli.dump", "dump HDF5 files in DDL or JSON (h5dump)"),
    "diff": ("h5pure.cli.diff", "compare two files or objects (h5diff)"),
    "repack": ("h5pure.cli.repack", "rewrite a file with new filters and layouts (h5repack)"),
    "stat": ("h5pure.cli.stat", "where a file's bytes go (h5stat)"),
    "copy": ("h5pure.cli.copy", "copy an object to another file (h5copy)"),
    "view": ("h5pure.cli.view", "browse a file in the browser (H5Web)"),
}


def usage() -> str:
    lines = ["usage: h5pure <command> [options] [args]", "", "commands:"]
    width = max(len(name) for name in COMMANDS)
    for name, (_, summary) in COMMANDS.items():
        lines.append(f"  {name:<{width}}  {summary}")
    lines += ["", "'h5pure <command> --help' describes a command's options.",
              "options: -h/--help, -V/--version"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print(usage(), file=sys.stderr)
        return 2
    if argv[0] in ("-h", "--help"):
        print(usage())
        return 0
    if argv[0] in ("-V", "--version"):
        print(f"h5pure {version}")
        return 0
    entry = COMMANDS.get(argv[0])
    if entry is None:
        print(f"h5pure: unknown command {argv[0]!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(entry[0])
    return int(module.main(argv[1:]))


if __name__ == "__main__":
    sys.exit(main())
