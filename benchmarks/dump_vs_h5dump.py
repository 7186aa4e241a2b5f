"""``h5pure dump`` against ``h5dump``: 4M doubles (issue 15), the same file, the same run.

    python benchmarks/dump_vs_h5dump.py [--elements 4194304] [--repeat 3]

Both commands run as subprocesses with stdout to a file; the table gives the median wall
time of each, the ratio h5pure / h5dump, each one's peak resident memory (``ru_maxrss`` of
the child) and whether the two outputs are byte for byte equal.  h5pure's time includes
starting Python and importing h5pure (about 0.7 s on the development machine).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def _run(argv: list[str], out_path: str, cwd: str) -> tuple[float, int]:
    """(seconds, peak RSS in KiB) of one run of ``argv`` writing stdout to ``out_path``."""
    with open(out_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, cwd=cwd)
        _, _, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    if proc.stderr is not None:
        proc.stderr.close()
    return seconds, usage.ru_maxrss


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--elements", type=int, default=4 * 1024 * 1024)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    if shutil.which("h5dump") is None:
        print("h5dump is not installed (Debian: apt-get install hdf5-tools)", file=sys.stderr)
        return 2
    import numpy as np

    import h5pure

    work = tempfile.mkdtemp(prefix="h5pure-dump-bench-")
    try:
        with h5pure.File(os.path.join(work, "doubles.h5"), "w") as f:
            f["x"] = np.random.default_rng(0).random(args.elements)
        env_python = [sys.executable, "-m", "h5pure", "dump", "doubles.h5"]
        results: dict[str, list[tuple[float, int]]] = {"h5dump": [], "h5pure": []}
        for _ in range(args.repeat):
            results["h5dump"].append(_run(["h5dump", "doubles.h5"], os.path.join(work, "c.txt"),
                                          work))
            results["h5pure"].append(_run(env_python, os.path.join(work, "p.txt"), work))
        with open(os.path.join(work, "c.txt"), "rb") as a, open(os.path.join(work, "p.txt"),
                                                                   "rb") as b:
            same = a.read() == b.read()
        c_time = statistics.median(t for t, _ in results["h5dump"])
        p_time = statistics.median(t for t, _ in results["h5pure"])
        c_mem = max(m for _, m in results["h5dump"]) / 1024
        p_mem = max(m for _, m in results["h5pure"]) / 1024
        print(f"dump of {args.elements} doubles, median of {args.repeat}")
        print("| tool | seconds | peak RSS MiB |")
        print("|---|---|---|")
        print(f"| h5dump | {c_time:.2f} | {c_mem:.0f} |")
        print(f"| h5pure dump | {p_time:.2f} | {p_mem:.0f} |")
        print(f"ratio h5pure / h5dump: {p_time / c_time:.2f}; outputs equal: {same}")
        return 0 if same else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
