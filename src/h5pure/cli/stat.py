"""``h5pure stat``: where the bytes of an HDF5 file go, as ``h5stat`` reports it, and
``--explain``: the bytes of each object, chunk utilisation, what a repack would save."""

from __future__ import annotations

import argparse
import sys

from ..tools.stat import (
    Thresholds,
    explain,
    file_statistics,
    format_explanation,
    format_statistics,
)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be an integer greater than 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="h5pure stat", description=__doc__)
    p.add_argument("file")
    p.add_argument(
        "-f",
        "--file-info",
        dest="sections",
        action="append_const",
        const="file",
        help="file information",
    )
    p.add_argument(
        "-F",
        "--filemetadata",
        dest="sections",
        action="append_const",
        const="filemetadata",
        help="space of the file's metadata",
    )
    p.add_argument("-g", "--group", dest="sections", action="append_const", const="group")
    p.add_argument(
        "-G", "--groupmetadata", dest="sections", action="append_const", const="groupmetadata"
    )
    p.add_argument("-d", "--dset", dest="sections", action="append_const", const="dset")
    p.add_argument(
        "-D", "--dsetmetadata", dest="sections", action="append_const", const="dsetmetadata"
    )
    p.add_argument(
        "-T", "--dtypemetadata", dest="sections", action="append_const", const="dtypemetadata"
    )
    p.add_argument("-A", "--attribute", dest="sections", action="append_const", const="attribute")
    p.add_argument("-s", "--freespace", dest="sections", action="append_const", const="freespace")
    p.add_argument("-S", "--summary", dest="sections", action="append_const", const="summary")
    p.add_argument("-l", "--links", type=_positive, default=10, metavar="N")
    p.add_argument("-m", "--dims", type=_positive, default=10, metavar="N")
    p.add_argument("-a", "--numattrs", type=_positive, default=10, metavar="N")
    p.add_argument(
        "--explain",
        action="store_true",
        help="bytes per object, chunk utilisation, what a repack would save",
    )
    p.add_argument(
        "--no-repack-estimate", action="store_true", help="with --explain: skip the trial repack"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "-V" in argv or "--version" in argv:
        from ..version import version

        print(f"h5pure stat: Version {version}")
        return 0
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:
        return 0 if e.code == 0 else 2
    try:
        stats = file_statistics(args.file)
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"Filename: {args.file}")
        print(f"h5pure stat: {args.file}: unable to open or read the file: {e}", file=sys.stderr)
        return 2
    thresholds = Thresholds(args.links, args.dims, args.numattrs)
    sys.stdout.write(format_statistics(stats, set(args.sections or ()), thresholds))
    if args.explain:
        try:
            ex = explain(args.file, measure_repack=not args.no_repack_estimate)
        except Exception as e:  # noqa: BLE001 - the report above stands; say what failed
            print(f"h5pure stat: {args.file}: --explain failed: {e}", file=sys.stderr)
            return 2
        sys.stdout.write(format_explanation(ex))
    return 0


if __name__ == "__main__":
    sys.exit(main())
