"""``h5pure repack``: rewrite an HDF5 file, as ``h5repack`` does (every object kept,
filters and layouts changed where asked, freed space left behind).

Exit codes: 0 done; 1 done, but a filter or layout asked for was not applied (each is
listed), or ``--verify`` found a difference; 2 error.
"""

from __future__ import annotations

import argparse
import sys

from ..tools.repack import LIBVER_BOUNDS, RepackError, RepackOptions, repack
from ..tools.repackspec import SpecError, parse_filter, parse_layout

_EPILOG = """\
FILT: [objects:]GZIP=1-9 | SZIP=pixels,NN|EC | SHUF | FLET | NBIT | SOFF=factor,IN|DS |
      LZF | UD=id,flag,count,values... | NONE          (repeat -f for a pipeline)
LAYT: [objects:]CHUNK=AxB... | CHUNK=NONE | CONTI | COMPA
      CONTI and COMPA fix the maximum shape to the shape; COMPA (the data inside the
      object header, at most 64 KiB) is not applied to a dataset with filters unless
      -f NONE removes them, nor to one too large: it keeps its layout
-c L1 -d L2: groups keep up to L1 links in their header and switch to dense storage
      (a fractal heap and B-tree) above, back below L2 (libhdf5's defaults 8 and 6;
      L2 <= L1; other values make every group new-style, as h5repack does)

Beyond h5repack: chunks whose shape and filters do not change are copied as stored
(no decompression); memory stays within --budget; --verify compares the result with
the input; -j N compresses in N worker processes; a progress bar is drawn on a
terminal (--progress/--no-progress).
"""


def _size(text: str) -> int:
    import re

    m = re.fullmatch(r"(\d+)([KMG]i?B?)?", text.strip(), re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size")
    unit = (m.group(2) or "").upper()[:1]
    return int(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[unit]


def _bound(text: str) -> int:
    value = int(text)
    if not 0 <= value < len(LIBVER_BOUNDS):
        raise argparse.ArgumentTypeError(f"bound {text} is not 0-{len(LIBVER_BOUNDS) - 1}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="h5pure repack",
        description=__doc__,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="*", metavar="file", help="input and output files")
    p.add_argument("-i", "--input")
    p.add_argument("-o", "--output")
    p.add_argument("-f", "--filter", action="append", default=[], metavar="FILT")
    p.add_argument("-l", "--layout", action="append", default=[], metavar="LAYT")
    p.add_argument(
        "-m",
        "--minimum",
        type=_size,
        default=0,
        metavar="M",
        help="no filter on datasets smaller than M bytes",
    )
    p.add_argument("-L", "--latest", action="store_true", help="latest file format")
    p.add_argument("--low", type=_bound, help="low libver bound (0 earliest, 1 v18, 2 v110)")
    p.add_argument("--high", type=_bound, help="high libver bound")
    p.add_argument("-c", "--compact", type=int, metavar="L1", help="most links in a compact group")
    p.add_argument(
        "-d", "--indexed", type=int, metavar="L2", help="fewest links in an indexed group"
    )
    p.add_argument("-u", "--ublock", metavar="U", help="file holding a user block")
    p.add_argument("-b", "--block", type=int, metavar="B", help="user block size")
    p.add_argument("-v", "--verbose", action="store_true")
    p.add_argument("--verify", action="store_true", help="compare the output with the input")
    p.add_argument("-j", "--jobs", type=int, default=1, help="worker processes")
    p.add_argument("--budget", type=_size, default=None, help="memory budget (e.g. 256M)")
    p.add_argument("--progress", dest="progress", action="store_true", default=None)
    p.add_argument("--no-progress", dest="progress", action="store_false")
    p.add_argument("-V", "--version", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return 0 if e.code == 0 else 2
    if args.version:
        from ..version import version

        print(f"h5pure repack: Version {version}")
        return 0
    files = list(args.files)
    src = args.input or (files.pop(0) if files else None)
    dst = args.output or (files.pop(0) if files else None)
    if src is None or dst is None or files:
        print("h5pure repack: need an input and an output file", file=sys.stderr)
        return 2
    phase = None
    if (args.compact or 0) > 0 or (args.indexed or 0) > 0:
        # h5repack: an option not given is 0
        phase = (args.compact or 0, args.indexed or 0)
        if phase[1] > phase[0] or phase[0] > 65535:
            # h5repack's own check (libhdf5 would take one more)
            print(
                f"h5pure repack: -c {phase[0]} -d {phase[1]}: minimum indexed size is "
                "greater than maximum compact size (or above 65535)",
                file=sys.stderr,
            )
            return 2
    try:
        opts = RepackOptions(
            filters=[parse_filter(f) for f in args.filter],
            layouts=[parse_layout(x) for x in args.layout],
            min_size=args.minimum,
            userblock_file=args.ublock,
            userblock_size=args.block,
            verify=args.verify,
            jobs=max(1, args.jobs),
            progress=args.progress,
            verbose=args.verbose,
            link_phase_change=phase,
        )
    except SpecError as e:
        print(f"h5pure repack: {e}", file=sys.stderr)
        return 2
    if args.budget:
        opts.budget = args.budget
    if args.latest:
        opts.libver = ("latest", "latest")
    elif args.low is not None or args.high is not None:
        low = LIBVER_BOUNDS[args.low or 0]
        high = "latest" if args.high is None else LIBVER_BOUNDS[args.high]
        opts.libver = (low, high)
    try:
        result = repack(src, dst, opts)
    except RepackError as e:
        print(f"h5pure repack: {e}", file=sys.stderr)
        return 2
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"h5pure repack: {src}: {e}", file=sys.stderr)
        return 2
    if args.verbose:
        for line in result.log:
            print(line)
        print(
            f"{result.objects} objects, {result.datasets} datasets: {result.raw_chunks} chunks "
            f"copied as stored, {result.recoded_bytes} bytes recoded; "
            f"{result.input_size} -> {result.output_size} bytes"
        )
    for note in result.notes:
        print(f"h5pure repack: note: {note}", file=sys.stderr)
    code = 0
    for line in result.not_applied:
        print(f"h5pure repack: {line}", file=sys.stderr)
        code = 1
    if result.verified is False:
        print(f"h5pure repack: --verify: {dst} differs from {src}", file=sys.stderr)
        code = 1
    return code


if __name__ == "__main__":
    sys.exit(main())
