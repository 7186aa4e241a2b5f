"""pytest plugin (``-p suite_report``): write each test's outcome to the JSON file named
by ``H5PURE_SUITE_REPORT`` when the session ends.

Outcomes: "passed", "failed" (a failure in any phase), "skipped", "xfailed", "xpassed".
Failures keep the last line of pytest's report (the exception), for the summaries of
:mod:`client_suites.runner`.  Works under pytest-xdist: the reports reach the controller,
which alone writes the file.
"""

from __future__ import annotations

import json
import os
from typing import Any

_RESULTS: dict[str, dict[str, Any]] = {}


def _error_line(report: Any) -> str:
    text = getattr(report, "longreprtext", "") or ""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for line in reversed(lines):
        if line.startswith("E "):
            return line[2:].strip()[:300]
    return (lines[-1] if lines else "")[:300]


def pytest_runtest_logreport(report: Any) -> None:
    entry = _RESULTS.setdefault(report.nodeid, {"outcome": "passed", "error": ""})
    if entry["outcome"] == "failed":
        return
    if report.failed:
        entry["outcome"] = "failed"
        entry["error"] = _error_line(report)
        entry["phase"] = report.when
    elif report.skipped:
        if hasattr(report, "wasxfail"):
            entry["outcome"] = "xfailed"
        elif report.when in ("setup", "call"):
            entry["outcome"] = "skipped"
    elif report.when == "call" and hasattr(report, "wasxfail"):
        entry["outcome"] = "xpassed"


def pytest_collectreport(report: Any) -> None:
    if report.failed:  # a module that does not import: every test in it is lost
        _RESULTS[report.nodeid + "::<collection>"] = {
            "outcome": "failed",
            "error": _error_line(report),
            "phase": "collect",
        }


def pytest_sessionfinish(session: Any) -> None:
    path = os.environ.get("H5PURE_SUITE_REPORT")
    if not path or hasattr(session.config, "workerinput"):
        return  # xdist workers: the controller writes the file
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(_RESULTS, fh, indent=1, sort_keys=True)
