"""Run the same workloads through h5pure and h5py and print time ratios.

    python benchmarks/run.py [--quick] [--only NAME[,NAME]] [--repeat N] [--warmup N]
                             [--json out.json]
                             [--install plain|extras|numpy-only] [--no-compare]

Each workload runs ``warmup`` times per library untimed (default 1), then ``repeat`` times
timed (alternating h5py, h5pure, both times); the table shows
the median times, their ratio h5pure/h5py (lower is better), the issue's target, a floor
from the machine limits measured in the same run, and whether each library's result was
verified correct.  Files go to a temporary directory under ``$TMPDIR``, removed afterwards.

The run is made with the extras installed here (``--install extras``, the default), then
again in a child process as a plain ``pip install h5pure`` would run (``--install plain``:
the extras' packages hidden, see ``installs.py``), and a last table puts both ratios side
by side.  ``--no-compare`` skips the second run.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import installs, limits  # noqa: E402
from benchmarks.sizes import PRESETS, MiB, Sizes  # noqa: E402
from benchmarks.workloads import BY_NAME, CheckError, Context, Measured, Workload  # noqa: E402


@dataclass
class LibResult:
    times: list[float] = field(default_factory=list)
    check: str = "not run"
    """``ok``, or what went wrong (a failed check or an exception)."""

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None


@dataclass
class Result:
    workload: Workload
    sizes: Sizes
    libs: dict[str, LibResult]
    floor: float | None

    @property
    def ratio(self) -> float | None:
        a, b = self.libs["h5pure"].median, self.libs["h5py"].median
        return a / b if a is not None and b else None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.workload.name,
            "summary": self.workload.summary(self.sizes),
            "target": self.workload.target,
            "ratio": self.ratio,
            "floor_s": self.floor,
            **{
                lib: {"times_s": r.times, "median_s": r.median, "check": r.check}
                for lib, r in self.libs.items()
            },
        }


def libraries() -> dict[str, ModuleType]:
    import h5py

    import h5pure

    return {"h5py": h5py, "h5pure": h5pure}


def run_workload(
    w: Workload,
    ctx: Context,
    repeat: int,
    libs: dict[str, ModuleType],
    lim: dict[str, float],
    warmup: int = 1,
) -> Result:
    out = {name: LibResult() for name in libs}
    last: dict[str, tuple[Any, Path]] = {}
    for rep in range(-warmup, repeat):
        for name, module in libs.items():
            r = out[name]
            if r.check not in ("not run", "ok"):
                continue  # failed once: no more timings of a wrong or broken run
            try:
                path = w.prepare(ctx, name)
                gc.collect()
                t0 = time.perf_counter()
                value = w.run(module, path, ctx)
                elapsed = time.perf_counter() - t0
                if rep < 0:  # warm-up: untimed, only its failure counts
                    del value
                    continue
                if isinstance(value, Measured):  # the workload timed the part that counts
                    elapsed, value = value.seconds, value.value
                r.times.append(elapsed)
                last[name] = (value, path)
                r.check = "ok"
            except Exception as exc:  # a library failing is a result, not a crash
                r.check = f"error: {type(exc).__name__}: {exc}"[:200]
                if os.environ.get("H5PURE_BENCH_TRACEBACK"):
                    traceback.print_exc()
    for name, (value, path) in last.items():
        try:
            w.check(value, path, ctx)
        except CheckError as exc:
            out[name].check = f"WRONG: {exc}"
        except Exception as exc:
            out[name].check = f"check error: {type(exc).__name__}: {exc}"[:200]
    del last
    return Result(w, ctx.sizes, out, w.floor(ctx.sizes, lim))


def run_benchmark(
    names: list[str],
    sizes: Sizes,
    repeat: int,
    tmpdir: Path,
    echo: Any = None,
    warmup: int = 1,
) -> tuple[dict[str, float], list[Result]]:
    """Measure the machine limits, then run the named workloads; ``echo(result)`` per row."""
    ctx = Context(sizes, tmpdir)
    limits.warm_memory(sizes)
    rows, width = sizes.gzip_chunks
    lim = limits.measure(sizes, tmpdir, ctx.chunked_data()[:rows, :width])
    libs = libraries()
    results = []
    for name in names:
        res = run_workload(BY_NAME[name], ctx, repeat, libs, lim, warmup)
        results.append(res)
        if echo is not None:
            echo(res)
    return lim, results


def machine() -> dict[str, Any]:
    import h5py
    import numpy

    import h5pure

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        pages, page = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        mem = f"{pages * page / (1 << 30):.0f} GiB"
    except (ValueError, OSError, AttributeError):
        pass
    return {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "h5py": h5py.__version__,
        "libhdf5": h5py.version.hdf5_version,
        "h5pure": h5pure.__version__,
    }


def _fmt_time(t: float | None) -> str:
    return "-" if t is None else f"{t:.3f}" if t < 100 else f"{t:.0f}"


HEADER = (
    f"{'workload':<19} {'size':<42} {'h5py s':>8} {'h5pure s':>9} {'ratio':>7} "
    f"{'target':>7} {'met':>4} {'floor s':>8}  check (h5py / h5pure)"
)


def format_row(r: Result) -> str:
    ratio = r.ratio
    met = "-" if ratio is None else "yes" if ratio <= r.workload.target else "no"
    checks = f"{r.libs['h5py'].check} / {r.libs['h5pure'].check}"
    return (
        f"{r.workload.name:<19} {r.workload.summary(r.sizes):<42} "
        f"{_fmt_time(r.libs['h5py'].median):>8} {_fmt_time(r.libs['h5pure'].median):>9} "
        f"{'-' if ratio is None else f'{ratio:.2f}':>7} {f'<= {r.workload.target:g}':>7} "
        f"{met:>4} {_fmt_time(r.floor):>8}  {checks}"
    )


def format_limits(lim: dict[str, float]) -> str:
    return "\n".join(
        f"  {limits.LABELS.get(k, k):<34} {v / MiB:>9.0f} MiB/s" for k, v in lim.items()
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small sizes: runs in under a minute")
    p.add_argument("--size", choices=sorted(PRESETS), help="a size preset (--quick = quick)")
    p.add_argument("--only", help="comma-separated workload names: " + ",".join(BY_NAME))
    p.add_argument("--repeat", type=int, default=3, help="runs per library (median; default 3)")
    p.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="untimed runs per library before the timed ones (default 1)",
    )
    p.add_argument("--json", metavar="OUT", help="also write every timing to this JSON file")
    p.add_argument(
        "--install",
        choices=sorted(installs.INSTALLS),
        default="extras",
        help="imitate this install (hide the packages it lacks); default: extras (as is)",
    )
    p.add_argument(
        "--no-compare",
        action="store_true",
        help="do not run the plain install again in a child process",
    )
    args = p.parse_args(argv)
    if args.size is None:
        args.size = "quick" if args.quick else "full"
    elif args.quick and args.size != "quick":
        p.error("--quick contradicts --size " + args.size)
    names = args.only.split(",") if args.only else list(BY_NAME)
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        p.error(f"unknown workload {', '.join(unknown)}; choose from {', '.join(BY_NAME)}")
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    if args.warmup < 0:
        p.error("--warmup must be at least 0")
    args.names = names
    return args


def _child_args(args: argparse.Namespace, install: str, out: Path) -> list[str]:
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--size",
        args.size,
        "--only",
        ",".join(args.names),
        "--repeat",
        str(args.repeat),
        "--warmup",
        str(args.warmup),
        "--install",
        install,
        "--no-compare",
        "--json",
        str(out),
    ]


def _met(ratio: float | None, target: float) -> str:
    if ratio is None:
        return "-"
    return f"{ratio:.2f} {'yes' if ratio <= target else 'no'}"


def format_comparison(results: list[Result], plain: dict[str, Any]) -> str:
    """One line per workload: the ratio and whether it meets its target, plain and extras."""
    by_name = {r["name"]: r for r in plain["results"]}
    lines = [f"{'workload':<19} {'target':>7}  {'plain install':>14}  {'with extras':>12}"]
    for r in results:
        p = by_name.get(r.workload.name, {})
        lines.append(
            f"{r.workload.name:<19} {f'<= {r.workload.target:g}':>7}  "
            f"{_met(p.get('ratio'), r.workload.target):>14}  "
            f"{_met(r.ratio, r.workload.target):>12}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = PRESETS[args.size]
    hidden = installs.INSTALLS[args.install]
    if hidden:  # before h5pure is imported: its codecs are imported on first use
        os.environ["H5PURE_BENCH_HIDE"] = ",".join(hidden)
        installs.hide(hidden)
    info = machine()
    extras = installs.present("plain")
    label = (
        f"install {args.install}"
        + (f" (hidden: {', '.join(hidden)})" if hidden else "")
        + (f" (extras present: {', '.join(extras)})" if args.install == "extras" else "")
    )
    print(
        f"h5pure {info['h5pure']} vs h5py {info['h5py']} (libhdf5 {info['libhdf5']}), "
        f"size {sizes.name}, median of {args.repeat} after {args.warmup} untimed, {info['date']}, {label}"
    )
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, {info['memory']}, {info['os']}, "
        f"python {info['python']}, numpy {info['numpy']}"
    )
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="h5pure-bench-") as tmp:
        printed = [False]

        def echo(res: Result) -> None:
            if not printed[0]:
                print(HEADER)
                printed[0] = True
            print(format_row(res), flush=True)

        print("measuring machine limits ...", flush=True)
        lim, results = run_benchmark(
            args.names, sizes, args.repeat, Path(tmp), echo, args.warmup
        )
        print("machine limits (same run):")
        print(format_limits(lim))
        plain: dict[str, Any] | None = None
        child_failed = False
        if args.install == "extras" and not args.no_compare and extras:
            print(f"\nthe same as a plain install would run it (without {', '.join(extras)}):")
            out = Path(tmp) / "plain.json"
            code = subprocess.call(_child_args(args, "plain", out))
            child_failed = code != 0
            if out.exists():
                plain = json.loads(out.read_text())
                print("\nh5pure / h5py, plain install and with extras (each run's own h5py time):")
                print(format_comparison(results, plain))
    print(f"total {time.perf_counter() - t0:.1f} s")
    if args.json:
        doc = {
            "machine": info,
            "size": sizes.name,
            "repeat": args.repeat,
            "warmup": args.warmup,
            "install": args.install,
            "limits_bytes_per_s": lim,
            "results": [r.as_json() for r in results],
        }
        if plain is not None:
            doc["plain"] = plain
        Path(args.json).write_text(json.dumps(doc, indent=1) + "\n")
    bad = [r.workload.name for r in results if any(x.check != "ok" for x in r.libs.values())]
    if child_failed:
        bad.append("(the plain-install run)")
    if bad:
        print("not verified correct: " + ", ".join(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
