"""Run a client library's own test suite twice -- on the real h5py, and on h5pure through
:func:`h5pure.install_as_h5py` -- and compare the outcomes with a tracked list of known
failures.

The tests are taken at test time from the installed packages (h5py's wheel ships
``h5py/tests``; h5netcdf ships ``h5netcdf/tests``, identical to its sdist's).  Each run is
one pytest subprocess (``-n 2``) with two plugins from ``plugins/``: ``suite_report``
writes every outcome to a JSON file, and -- for the h5pure run only -- ``suite_h5pure``
installs the facade before anything imports h5py.

h5py's tests import their package relatively (``from .. import h5t``), so they must run
as ``h5py.tests``: the h5pure run copies them to ``<tmp>/h5py/tests`` and the plugin puts
``<tmp>/h5py`` on the facade's package path.  Node ids are relative to the tests
directory in both runs, so they compare directly.

Known failures (``<suite>_known_failures.txt``): one test per line, ``<node id>  #
<reason>``; blank lines and lines starting with ``#`` are ignored.  A test passing with
h5py, failing with h5pure and not listed fails the project test; a listed test that now
passes is reported so the list shrinks.

Command line: ``python tests/client_suites/runner.py h5py|h5netcdf [--summary]``
prints the comparison and, with ``--summary``, the failures grouped by error.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PLUGINS = HERE / "plugins"
_TIMEOUT = 900
"""Seconds one suite run may take before it is stopped."""


@dataclass(frozen=True)
class Suite:
    """A client library's test suite."""

    name: str
    package: str
    """The installed package whose ``tests`` directory holds the suite."""
    pinned: str | None = None
    """The package version the known-failures list is for (None: any)."""
    copy_as_h5py_tests: bool = False
    """h5py's own tests: run as ``h5py.tests`` (see the module docstring)."""
    extra_args: tuple[str, ...] = ()

    @property
    def known_failures(self) -> Path:
        return HERE / f"{self.name}_known_failures.txt"

    def tests_dir(self) -> Path:
        spec = importlib.util.find_spec(self.package)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(f"{self.package} is not installed")
        return Path(spec.origin).parent / "tests"

    def version(self) -> str:
        out = subprocess.run(
            [sys.executable, "-c", f"import {self.package}; print({self.package}.__version__)"],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()


H5PY = Suite("h5py", "h5py", pinned="3.16.0", copy_as_h5py_tests=True, extra_args=("--no-network",))
H5NETCDF = Suite("h5netcdf", "h5netcdf", pinned="1.8.3")
SUITES = {s.name: s for s in (H5PY, H5NETCDF)}


@dataclass
class RunResult:
    """One run of a suite."""

    library: str
    outcomes: dict[str, dict[str, Any]]
    seconds: float
    returncode: int
    output_tail: str

    def passed(self) -> set[str]:
        return {k for k, v in self.outcomes.items() if v["outcome"] == "passed"}


@dataclass
class Comparison:
    """The two runs of a suite against the known-failures list."""

    real: RunResult
    ours: RunResult
    known: dict[str, str]
    passing_real: set[str] = field(default_factory=set)
    passing_ours: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.passing_real = self.real.passed()
        self.passing_ours = self.passing_real & self.ours.passed()

    @property
    def failing(self) -> set[str]:
        """Tests passing with h5py and not with h5pure."""
        return self.passing_real - self.passing_ours

    @property
    def unexpected(self) -> list[str]:
        return sorted(self.failing - set(self.known))

    @property
    def fixed(self) -> list[str]:
        """Listed tests that now pass with h5pure."""
        return sorted(set(self.known) & self.passing_ours)

    @property
    def stale(self) -> list[str]:
        """Listed tests that do not pass with h5py in this run (gone, renamed, skipped)."""
        return sorted(set(self.known) - self.passing_real)

    def error(self, nodeid: str) -> str:
        entry = self.ours.outcomes.get(nodeid)
        if entry is None:
            lost = [
                v
                for k, v in self.ours.outcomes.items()
                if k.endswith("::<collection>") and nodeid.startswith(k.split("::")[0])
            ]
            return lost[0]["error"] if lost else "not run"
        return str(entry.get("error") or entry["outcome"])

    def summary(self) -> str:
        n_real, n_ours = len(self.passing_real), len(self.passing_ours)
        pct = 100.0 * n_ours / n_real if n_real else 0.0
        return (
            f"{n_ours} of the {n_real} tests passing with h5py pass with h5pure ({pct:.1f}%); "
            f"h5py run {self.real.seconds:.0f} s, h5pure run {self.ours.seconds:.0f} s"
        )


def load_known(path: Path) -> dict[str, str]:
    """``{node id: reason}`` from a known-failures file."""
    known: dict[str, str] = {}
    if not path.exists():
        return known
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        nodeid, _, reason = line.partition("  #")
        known[nodeid.strip()] = reason.strip()
    return known


def _h5pure_path() -> str:
    """The directory to put on ``sys.path`` for the h5pure under test (a checkout's
    ``src`` or site-packages): found from the module, so both work."""
    spec = importlib.util.find_spec("h5pure")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("h5pure is not importable")
    return str(Path(spec.origin).resolve().parent.parent)


_MARKER = '''"""Marks this copy of h5py's tests as the package ``h5py`` for pytest's module names.

The suite's own processes never import it (the facade is ``h5py`` by then).  A process a
test spawns (multiprocessing's "spawn") imports it through ``sys.path``: it then installs
h5pure's facade in its place, as the suite_h5pure plugin does in the suite's processes.
"""

import os
import sys

del sys.modules[__name__]
import h5pure  # noqa: E402

h5pure.install_as_h5py()
import h5py  # noqa: E402

h5py.__path__.append(os.path.dirname(os.path.abspath(__file__)))
'''


def run_suite(
    suite: Suite, library: str, workdir: Path, n_workers: int = 2, trace: bool = False
) -> RunResult:
    """Run ``suite`` on ``library`` ("h5py" or "h5pure") in a subprocess; ``trace``
    (h5pure only): note the facade calls made and missed (:func:`load_trace`)."""
    tests = suite.tests_dir()
    workdir.mkdir(parents=True, exist_ok=True)
    report = workdir / f"{suite.name}-{library}.json"
    # not the calling pytest's settings (xdist worker ids, addopts)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "H5PURE_SUITE_"))}
    paths = [str(PLUGINS)]
    plugins = ["-p", "suite_report"]
    if library == "h5pure":
        paths.append(_h5pure_path())
        plugins += ["-p", "suite_h5pure"]
        if trace:
            plugins += ["-p", "suite_trace"]
            (workdir / "trace").mkdir(exist_ok=True)
            env["H5PURE_SUITE_TRACE"] = str(workdir / "trace")
        if suite.copy_as_h5py_tests:
            package = workdir / "h5py-tests" / "h5py"
            if not package.exists():
                shutil.copytree(
                    tests, package / "tests", ignore=shutil.ignore_patterns("__pycache__")
                )
                (package / "__init__.py").write_text(_MARKER, encoding="utf-8")
            env["H5PURE_SUITE_H5PY_TESTS"] = str(package)
            tests = package / "tests"
    env["PYTHONPATH"] = os.pathsep.join(paths + [p for p in [env.get("PYTHONPATH")] if p])
    env["H5PURE_SUITE_REPORT"] = str(report)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    ini = tests / "pytest.ini"
    if not ini.exists():
        ini = workdir / "empty-pytest.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        str(tests),
        "-c",
        str(ini),
        "--rootdir",
        str(tests),
        "-p",
        "no:cacheprovider",
        *plugins,
        "-q",
        "-o",
        "addopts=",
        "--continue-on-collection-errors",
        "--timeout",
        "120",
        *(["-n", str(n_workers)] if n_workers > 1 else []),
        *suite.extra_args,
    ]
    start = time.monotonic()
    proc = subprocess.run(
        cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=_TIMEOUT
    )
    seconds = time.monotonic() - start
    log = proc.stdout + proc.stderr
    (workdir / f"{suite.name}-{library}.log").write_text(log, encoding="utf-8")
    tail = "\n".join(log.splitlines()[-30:])
    if not report.exists():
        raise RuntimeError(f"the {library} run of {suite.name}'s suite wrote no report:\n{tail}")
    outcomes = json.loads(report.read_text(encoding="utf-8"))
    return RunResult(library, outcomes, seconds, proc.returncode, tail)


def compare(
    suite: Suite, workdir: Path | None = None, n_workers: int = 2, trace: bool = False
) -> Comparison:
    """Run ``suite`` on h5py and on h5pure (one after the other) and compare."""
    own = workdir is None
    work = Path(tempfile.mkdtemp(prefix=f"h5pure-{suite.name}-suite-")) if own else workdir
    assert work is not None
    try:
        real = run_suite(suite, "h5py", work, n_workers)
        ours = run_suite(suite, "h5pure", work, n_workers, trace)
        lost = real.passed() - set(ours.outcomes)
        if lost or ours.returncode not in (0, 1):
            # a worker that died (killed on a busy machine, an interpreter crash) loses
            # its tests: run the suite once more, and keep what the first run reported
            again = run_suite(suite, "h5pure", work / "again", n_workers, trace)
            again.outcomes.update(ours.outcomes)
            again.seconds += ours.seconds
            ours = again
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)
    return Comparison(real, ours, load_known(suite.known_failures))


def load_trace(workdir: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """``(calls, missing)`` of a traced run: facade call -> the tests that made it, and
    calls asked for but not provided -> the tests that asked."""
    calls: dict[str, set[str]] = collections.defaultdict(set)
    missing: dict[str, set[str]] = collections.defaultdict(set)
    for path in (workdir / "trace").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        for key, ids in data["calls"].items():
            calls[key].update(ids)
        for key, ids in data["missing"].items():
            missing[key].update(ids)
    return calls, missing


def group_failures(cmp: Comparison) -> list[tuple[str, int]]:
    """The failures grouped by their error, normalised (names, numbers and paths
    replaced), most frequent first."""
    counts: collections.Counter[str] = collections.Counter()
    for nodeid in cmp.failing:
        err = cmp.error(nodeid)
        err = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", err)
        err = re.sub(r"\b0x[0-9a-f]+\b|\b\d+\b", "N", err)
        counts[err[:160]] += 1
    return counts.most_common()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", choices=sorted(SUITES))
    parser.add_argument("--summary", action="store_true", help="group the failures by error")
    parser.add_argument(
        "--write-known",
        action="store_true",
        help="rewrite the known-failures file from this run (keeps reasons)",
    )
    parser.add_argument("--keep", type=Path, help="run in (and keep) this directory")
    parser.add_argument("-n", type=int, default=2, help="pytest-xdist workers (1: none)")
    parser.add_argument("--trace", action="store_true",
                        help="list the facade's low-level calls the suite makes and misses "
                        "(needs --keep)")
    args = parser.parse_args(argv)
    suite = SUITES[args.suite]
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    cmp = compare(suite, args.keep, args.n, args.trace and args.keep is not None)
    print(cmp.summary())
    if args.trace and args.keep is not None:
        calls, missing = load_trace(args.keep)
        for title, table in (("calls made", calls), ("calls missing", missing)):
            print(f"-- low-level {title} (tests making them) --")
            for key, ids in sorted(table.items(), key=lambda kv: (-len(kv[1]), kv[0])):
                passing = len(ids & cmp.passing_real)
                print(f"{passing:5d}  {key}")
    if args.summary:
        for err, n in group_failures(cmp):
            print(f"{n:5d}  {err}")
    for nodeid in cmp.unexpected:
        print(f"UNEXPECTED  {nodeid}  # {cmp.error(nodeid)}")
    for nodeid in cmp.fixed:
        print(f"NOW PASSES  {nodeid}")
    if args.write_known:
        lines = [
            f"# {suite.name} {suite.pinned or ''}: tests passing with h5py, failing with h5pure",
            "# <node id>  # <reason>",
            "",
        ]
        for nodeid in sorted(cmp.failing):
            reason = cmp.known.get(nodeid) or cmp.error(nodeid)
            lines.append(f"{nodeid}  # {reason}")
        suite.known_failures.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 1 if cmp.unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
