"""The ``h5pure`` command: ``h5pure <command> [args]``."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

from . import ls


def _lazy(module: str) -> Callable[[list[str]], int]:
    """A command whose module is imported only when it runs (start-up time)."""

    def run(argv: list[str]) -> int:
        return importlib.import_module(f".{module}", __package__).main(argv)  # type: ignore[no-any-return]

    return run


COMMANDS = {
    "ls": ls.main,
    "diff": _lazy("diff"),
    "repack": _lazy("repack"),
    "stat": _lazy("stat"),
    "copy": _lazy("copy"),
    "view": _lazy("view"),
}


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
