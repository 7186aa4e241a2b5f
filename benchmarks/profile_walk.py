"""cProfile of the metadata walk (``metadata_walk`` at full size: 15,000 objects).

    python benchmarks/profile_walk.py [FILE]

Writes the many-objects file with h5py (at FILE, default a temporary file kept between
runs), walks it once untimed, then once under cProfile, and prints the cumulative time,
share and call count of the functions that matter (see docs/performance.md).
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import workloads as w  # noqa: E402
from benchmarks.sizes import FULL  # noqa: E402

SHOWN = (
    "attribute_value",
    "_pairs",
    "_c_vlen_gathered",
    "_c_vlen_few",
    "gather_objects",
    "_follow",
    "_cached_entry",
    "read_links",
    "read_object_header",
    "decode_attribute",
    "read_attributes",
    "to_memory",
    "numpy_dtype",
    "storage_dtype",
    "_value_plan",
)


def main(argv: list[str] | None = None) -> int:
    import h5py

    import h5pure

    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else Path(tempfile.gettempdir()) / "h5pure-walk-5000.h5"
    ctx = w.Context(FULL, path.parent)
    if not path.exists():
        w.build_many_objects(h5py, path, ctx)
    w.metadata_walk(h5pure, path, ctx)  # untimed: imports, caches of the interpreter
    prof = cProfile.Profile()
    prof.enable()
    w.metadata_walk(h5pure, path, ctx)
    prof.disable()
    stats = pstats.Stats(prof)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"total {total:.2f} s, {stats.total_calls} calls")  # type: ignore[attr-defined]
    print("cumulative  share   calls  function")
    rows = []
    for func, (_, ncalls, _, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        if func[2] in SHOWN and "h5pure" in func[0]:
            where = func[0].split("h5pure/", 1)[-1]
            rows.append((cumtime, ncalls, f"{where}:{func[2]}"))
    for cumtime, ncalls, name in sorted(rows, reverse=True):
        print(f"{cumtime:9.2f} {100 * cumtime / total:8.1f}% {ncalls:7d}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
