"""``h5pure diff``: compare two HDF5 files (or objects in them) as ``h5diff`` does.

Exit codes: 0 no differences, 1 differences found, 2 error.
"""

from __future__ import annotations

import argparse
import re
import sys

from ..tools.diff import DiffOptions, diff_files

_EPILOG = """\
Beyond h5diff: objects and attributes found in one file only are named ("Only in FILE:
...") unless --no-name-unmatched; --atol/--rtol compare numbers with numpy.isclose
(|a - b| <= atol + rtol * |b|) and --equal-nan makes NaN equal to NaN there;
--only-differences leaves out objects without differences; --budget bounds the memory
used (datasets are read in chunk-aligned blocks).
"""


def _verbose_level(argv: list[str]) -> tuple[list[str], int | None]:
    """h5diff's ``-v``, ``-vN``, ``--verbose``, ``--verbose=N`` (N a level, not a file)."""
    level: int | None = None
    rest = []
    for arg in argv:
        m = re.fullmatch(r"-v(\d*)|--verbose(?:=(\d+))?", arg)
        if m:
            digits = m.group(1) or m.group(2) or "0"
            level = int(digits)
            continue
        rest.append(arg)
    return rest, level


def _positive(text: str) -> float:
    if text.lower().startswith("0x"):
        raise argparse.ArgumentTypeError(f"{text} is not a valid option")
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is not a valid option")
    return value


def _count(text: str) -> int:
    if not re.fullmatch(r"[1-9][0-9]*", text):
        raise argparse.ArgumentTypeError(f"{text} is not a valid option")
    return int(text)


def _size(text: str) -> int:
    m = re.fullmatch(r"(\d+)([KMG]i?B?)?", text.strip(), re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size")
    unit = (m.group(2) or "").upper()[:1]
    return int(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[unit]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="h5pure diff",
        description=__doc__,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file1")
    p.add_argument("file2")
    p.add_argument("obj1", nargs="?", help="object (path, optionally [start;stride;count;block])")
    p.add_argument("obj2", nargs="?")
    p.add_argument("-r", "--report", action="store_true", help="print differences")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    p.add_argument("-n", "--count", type=_count, help="print at most C differences per object")
    p.add_argument("-d", "--delta", type=_positive, help="differ when |a-b| > D")
    p.add_argument("-p", "--relative", type=_positive, help="differ when |(b-a)/a| > R")
    p.add_argument("--use-system-epsilon", action="store_true")
    p.add_argument("-N", "--nan", action="store_true", help="avoid NaN detection")
    p.add_argument("-c", "--compare", action="store_true", help="list objects not comparable")
    p.add_argument("-l", "--follow-symlinks", action="store_true")
    p.add_argument("-x", "--no-dangling-links", action="store_true")
    p.add_argument("-E", "--exclude-path", action="append", default=[])
    p.add_argument("--exclude-attribute", action="append", default=[])
    p.add_argument("--atol", type=_positive, help="numpy.isclose absolute tolerance")
    p.add_argument("--rtol", type=_positive, help="numpy.isclose relative tolerance")
    p.add_argument("--equal-nan", action="store_true", help="NaN == NaN with --atol/--rtol")
    p.add_argument("--only-differences", action="store_true")
    p.add_argument("--no-name-unmatched", action="store_true")
    p.add_argument("--budget", type=_size, default=None, help="memory budget (e.g. 256M)")
    p.add_argument("-V", "--version", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "-V" in argv or "--version" in argv:
        from ..version import version

        print(f"h5pure diff: Version {version}")
        return 0
    argv, level = _verbose_level(argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return 0 if e.code == 0 else 2
    chosen = [x is not None and x != 0 for x in (args.delta, args.relative)]
    if sum(chosen) + bool(args.use_system_epsilon) > 1:
        print("h5diff error: -d, -p and --use-system-epsilon options are mutually-exclusive;")
        print("use no more than one.")
        return 2
    opts = DiffOptions(
        report=args.report,
        verbose=level,
        quiet=args.quiet,
        count=args.count,
        delta=args.delta or None,
        relative=args.relative or None,
        use_system_epsilon=args.use_system_epsilon,
        do_nans=not args.nan,
        list_not_cmp=args.compare,
        follow_links=args.follow_symlinks,
        no_dangling_links=args.no_dangling_links,
        exclude_paths=tuple(args.exclude_path),
        exclude_attrs=tuple(args.exclude_attribute),
        atol=args.atol,
        rtol=args.rtol,
        equal_nan=args.equal_nan,
        only_differences=args.only_differences,
        name_unmatched=not args.no_name_unmatched,
    )
    if args.budget:
        opts.budget = args.budget
    result = diff_files(args.file1, args.file2, args.obj1, args.obj2, opts)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
