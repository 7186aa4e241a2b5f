"""The ``h5pure`` command: ``h5pure <command> [args]``."""

from __future__ import annotations

import sys

from . import ls, view

COMMANDS = {"ls": ls.main, "view": view.main}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: h5pure <command> [args]\n\ncommands:\n  ls    list a file's objects")
        return 0 if argv else 2
    cmd = COMMANDS.get(argv[0])
    if cmd is None:
        print(f"h5pure: unknown command {argv[0]!r}", file=sys.stderr)
        return 2
    return cmd(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
