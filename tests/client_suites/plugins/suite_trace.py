"""pytest plugin (``-p suite_trace``, after ``suite_h5pure``): which of the facade's
low-level calls a suite makes, and which calls it asks for that the facade lacks.

Every public function of the facade's ``h5*`` modules and every public method of their
identifier and property-list classes is wrapped to note the running test; the facade's
"not provided" error notes the name asked for.  At the end each process (xdist workers
included) writes ``{"calls": {name: [node ids]}, "missing": {...}}`` to
``$H5PURE_SUITE_TRACE/<pid>.json``; :func:`client_suites.runner.load_trace` merges them.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
from collections import defaultdict
from typing import Any

import h5py

from h5pure.h5py_facade import _ids

_MODULES = ("h5a", "h5d", "h5ds", "h5f", "h5g", "h5l", "h5o", "h5p", "h5r", "h5s", "h5t", "h5z")
_CALLS: dict[str, set[str]] = defaultdict(set)
_MISSING: dict[str, set[str]] = defaultdict(set)
_current = ["<outside tests>"]


def _wrap(name: str, func: Any) -> Any:
    @functools.wraps(func)
    def traced(*args: Any, **kwds: Any) -> Any:
        _CALLS[name].add(_current[0])
        return func(*args, **kwds)

    return traced


def _install() -> None:
    for mod_name in _MODULES:
        module = getattr(h5py, mod_name)
        for attr, value in list(vars(module).items()):
            if attr.startswith("_"):
                continue
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                setattr(module, attr, _wrap(f"{mod_name}.{attr}", value))
            elif inspect.isclass(value) and value.__module__ == module.__name__:
                for meth, func in list(vars(value).items()):
                    if not meth.startswith("_") and inspect.isfunction(func):
                        setattr(value, meth, _wrap(f"{mod_name}.{attr}.{meth}", func))
    original = _ids.missing

    def missing(owner: str, name: str) -> AttributeError:
        _MISSING[f"{owner}.{name}"].add(_current[0])
        return original(owner, name)

    _ids.missing = missing


if os.environ.get("H5PURE_SUITE_TRACE"):
    _install()


def pytest_runtest_setup(item: Any) -> None:
    _current[0] = item.nodeid


def pytest_sessionfinish(session: Any) -> None:
    where = os.environ.get("H5PURE_SUITE_TRACE")
    if not where:
        return
    data = {
        "calls": {k: sorted(v) for k, v in _CALLS.items()},
        "missing": {k: sorted(v) for k, v in _MISSING.items()},
    }
    with open(os.path.join(where, f"{os.getpid()}.json"), "w", encoding="utf-8") as fh:
        json.dump(data, fh)
