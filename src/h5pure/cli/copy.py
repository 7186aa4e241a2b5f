"""``h5pure copy``: copy an object from one HDF5 file to another, as ``h5copy`` does.

Exit codes: 0 copied, 2 error (h5copy exits 1)."""

from __future__ import annotations

import argparse
import sys

from ..tools.copy import FLAGS, CopyFailed, CopyFlags, copy_object


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="h5pure copy", description=__doc__)
    p.add_argument("-i", "--input", required=True, help="input file name")
    p.add_argument("-o", "--output", required=True, help="output file name")
    p.add_argument("-s", "--source", required=True, help="source object name")
    p.add_argument("-d", "--destination", required=True, help="destination object name")
    p.add_argument("-p", "--parents", action="store_true", help="make parent groups as needed")
    p.add_argument("-v", "--verbose", action="store_true")
    p.add_argument(
        "-f",
        "--flag",
        action="append",
        default=[],
        choices=FLAGS,
        help="shallow, soft, ext, ref, noattr or allflags (repeatable)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "-V" in argv or "--version" in argv:
        from ..version import version

        print(f"h5pure copy: Version {version}")
        return 0
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:
        return 0 if e.code == 0 else 2
    flags = CopyFlags.parse(args.flag)
    if args.verbose:
        print(
            f"Copying file <{args.input}> and object <{args.source}> to file "
            f"<{args.output}> and object <{args.destination}>"
        )
        if args.flag:
            print(f"Using {', '.join(args.flag)} flag(s)")
    try:
        made = copy_object(
            args.input, args.source, args.output, args.destination, flags, args.parents
        )
    except CopyFailed as e:
        print(f"h5pure copy: {e}", file=sys.stderr)
        return 2
    if made and args.verbose:
        print("h5copy: Creating parent groups")
    return 0


if __name__ == "__main__":
    sys.exit(main())
