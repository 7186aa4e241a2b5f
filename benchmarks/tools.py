"""The command-line tools against the HDF Group's, in the same run: wall time and peak
memory of each command, and their ratio (h5pure / C tool, lower is better).

    python benchmarks/tools.py [--quick] [--repeat N] [--budget 256M] [--json out.json]

Workloads (issue 15):

- ``dump``: ``h5dump`` of a file holding 4M doubles (``h5pure dump`` when this checkout
  has it; otherwise the row says so);
- ``diff``: two files of 2 datasets x 4M doubles each (one element in 1000 differs);
- ``repack``: ``-f GZIP=1`` of a 256 MiB file (two float64 datasets, one contiguous,
  one chunked, values that compress).

Each command runs in a fresh process (``python -m h5pure ...`` with this checkout's
sources, so Python's start-up and imports are included; the start-up alone is measured
and shown too, and the ``call`` columns time the library function alone, in a process
that imported it first).  Peak memory is the process's maximum resident set size (``wait4``).
Files go to a temporary directory under ``$TMPDIR``, removed afterwards.  Not part of the
test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SRC = str(Path(__file__).resolve().parent.parent / "src")
MiB = 1024 * 1024


def run(cmd: list[str]) -> tuple[float, int, int]:
    """(seconds, peak RSS bytes, exit code) of ``cmd`` in a fresh process, measured by
    ``/usr/bin/time`` (a child forked from this Python would count its memory too)."""
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    timer = shutil.which("time") or "/usr/bin/time"
    with tempfile.NamedTemporaryFile("r", suffix=".time") as rec:
        start = time.perf_counter()
        proc = subprocess.run(
            [timer, "-o", rec.name, "-f", "%M", *cmd],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        elapsed = time.perf_counter() - start
        lines = [ln for ln in open(rec.name).read().splitlines() if ln.strip().isdigit()]
    peak = int(lines[-1]) * 1024 if lines else 0
    if proc.returncode not in (0, 1):
        err = proc.stderr.decode().strip()[:200]
        print(f"  ! {' '.join(cmd)} exited {proc.returncode}: {err}")
    return elapsed, peak, proc.returncode


def _in_process(py: str, setup: str, call: str, repeat: int) -> float:
    """Median seconds of the library call alone (imports done first), in a fresh process."""
    code = (
        f"import time, statistics; {setup}\n"
        f"ts = []\nfor _ in range({repeat}):\n    t = time.perf_counter(); {call}; "
        "ts.append(time.perf_counter() - t)\nprint(statistics.median(ts))"
    )
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([py, "-c", code], capture_output=True, text=True, env=env)
    return float(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else float("nan")


def make_files(d: Path, quick: bool) -> dict[str, Path]:
    import h5py

    n = 4 * 1024 * 1024 if not quick else 256 * 1024
    rng = np.random.default_rng(0)
    x = rng.random(n)
    paths = {}
    paths["dump"] = d / "dump.h5"
    with h5py.File(paths["dump"], "w") as f:
        f["x"] = x
    for name, change in (("diff1", False), ("diff2", True)):
        paths[name] = d / f"{name}.h5"
        with h5py.File(paths[name], "w") as f:
            for k in ("a", "b"):
                v = x.copy()
                if change:
                    v[::1000] += 1.0
                f.create_dataset(k, data=v, chunks=(256 * 1024,))
    total = (256 if not quick else 16) * MiB
    half = total // 2 // 8
    side = int(np.sqrt(half))
    grid = np.linspace(0, 20, side * side).reshape(side, side)
    values = np.round(np.sin(grid) * 1000 + rng.normal(0, 1, grid.shape), 1)
    paths["repack"] = d / "big.h5"
    with h5py.File(paths["repack"], "w") as f:
        f.create_dataset("contiguous", data=values)
        f.create_dataset("chunked", data=values, chunks=(min(side, 512), min(side, 512)))
    return paths


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="small files (a smoke run)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--budget", default="256M")
    p.add_argument("--json")
    args = p.parse_args()
    py = sys.executable
    have_dump = (Path(SRC) / "h5pure" / "cli" / "dump.py").exists()
    rows = []
    with tempfile.TemporaryDirectory(prefix="h5pure-tools-bench-") as tmp:
        d = Path(tmp)
        paths = make_files(d, args.quick)
        out_c, out_p = d / "c.h5", d / "p.h5"
        jobs = {
            "dump": (
                ["h5dump", str(paths["dump"])],
                [py, "-m", "h5pure", "dump", str(paths["dump"])] if have_dump else None,
            ),
            "diff": (
                ["h5diff", str(paths["diff1"]), str(paths["diff2"])],
                [py, "-m", "h5pure", "diff", str(paths["diff1"]), str(paths["diff2"])],
            ),
            "repack": (
                ["h5repack", "-f", "GZIP=1", str(paths["repack"]), str(out_c)],
                [
                    py,
                    "-m",
                    "h5pure",
                    "repack",
                    "--no-progress",
                    "--budget",
                    args.budget,
                    "-f",
                    "GZIP=1",
                    str(paths["repack"]),
                    str(out_p),
                ],
            ),
        }
        startup = [run([py, "-c", "import h5pure.cli.main"])[0] for _ in range(args.repeat)]
        inproc = {
            "diff": _in_process(
                py,
                "from h5pure.tools.diff import diff_files, DiffOptions; import io",
                f"diff_files({str(paths['diff1'])!r}, {str(paths['diff2'])!r}, "
                "opts=DiffOptions(), out=io.StringIO())",
                args.repeat,
            ),
            "repack": _in_process(
                py,
                "from h5pure.tools.repack import repack, RepackOptions; "
                "from h5pure.tools.repackspec import parse_filter",
                f"repack({str(paths['repack'])!r}, {str(d / 'q.h5')!r}, RepackOptions("
                "filters=[parse_filter('GZIP=1')], progress=False))",
                args.repeat,
            ),
        }
        for name, (c_cmd, p_cmd) in jobs.items():
            if shutil.which(c_cmd[0]) is None:
                print(f"{name}: {c_cmd[0]} is not installed")
                continue
            c_runs, p_runs = [], []
            for _ in range(args.repeat):
                c_runs.append(run(c_cmd))
                if p_cmd is not None:
                    p_runs.append(run(p_cmd))
            c_t = statistics.median(r[0] for r in c_runs)
            c_m = max(r[1] for r in c_runs)
            row = {"workload": name, "c_seconds": c_t, "c_peak_mib": c_m / MiB}
            if p_runs:
                p_t = statistics.median(r[0] for r in p_runs)
                p_m = max(r[1] for r in p_runs)
                row.update(
                    h5pure_seconds=p_t,
                    h5pure_peak_mib=p_m / MiB,
                    ratio=p_t / c_t,
                    exit_codes=sorted({r[2] for r in p_runs}),
                )
                if name in inproc:
                    row.update(in_process_seconds=inproc[name], in_process_ratio=inproc[name] / c_t)
            rows.append(row)
        sizes = {k: os.path.getsize(v) for k, v in paths.items()}
        if out_c.exists() and out_p.exists():
            sizes["repack_out_c"] = os.path.getsize(out_c)
            sizes["repack_out_h5pure"] = os.path.getsize(out_p)
    print(
        f"python start-up + import h5pure.cli: {statistics.median(startup):.2f} s (in every h5pure time)"
    )
    print(
        f"{'workload':<8} {'C tool s':>9} {'h5pure s':>9} {'ratio':>6} {'call s':>7} "
        f"{'ratio':>6} {'C MiB':>7} {'h5pure MiB':>11}"
    )
    for r in rows:
        if "h5pure_seconds" in r:
            call = r.get("in_process_seconds")
            calls = f"{call:7.2f} {r['in_process_ratio']:6.2f}" if call else f"{'':7} {'':6}"
            print(
                f"{r['workload']:<8} {r['c_seconds']:9.2f} {r['h5pure_seconds']:9.2f} "
                f"{r['ratio']:6.2f} {calls} {r['c_peak_mib']:7.1f} {r['h5pure_peak_mib']:11.1f}"
            )
        else:
            print(
                f"{r['workload']:<8} {r['c_seconds']:9.2f} {'(no h5pure dump in this checkout)':>30}"
            )
    print("file sizes:", ", ".join(f"{k} {v / MiB:.1f} MiB" for k, v in sizes.items()))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"rows": rows, "startup": startup, "sizes": sizes}, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
