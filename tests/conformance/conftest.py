"""Conformance kit: the same test body runs through h5py (libhdf5) and h5pure.

Two ways to use it:

* the ``lib`` fixture runs a test once per library (``lib.File(...)`` ...), for behaviour
  whose expected value the test states itself;
* ``compare(body)`` runs ``body(lib, path)`` through both libraries, each on its own fresh
  file path, and asserts equal results, or that both raise and h5pure's exception is an
  instance of h5py's type.  ``run``/``same``/``norm`` are the pieces, importable as
  ``from .conftest import run, same``.

Results are compared through ``norm``: arrays by dtype, shape and values; h5py and h5pure
objects (File, Group, Dataset, Datatype) by class name and HDF5 path; containers item by item.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure

LIBS = ("h5py", "h5pure")


def _import(name: str) -> Any:
    if name == "h5pure":
        return h5pure
    return pytest.importorskip(name)


@pytest.fixture(params=LIBS)
def lib(request):
    """The library under test, h5py or h5pure; the test body is the same for both."""
    return _import(request.param)


@pytest.fixture
def h5py():
    return pytest.importorskip("h5py")


@pytest.fixture
def path(tmp_path) -> Path:
    """A fresh file path (not created)."""
    return tmp_path / "conformance.h5"


@pytest.fixture
def f(lib, path):
    """A writable file of ``lib`` at ``path``, closed after the test."""
    fh = lib.File(path, "w")
    yield fh
    fh.close()


def run(fn: Callable[[], Any]) -> tuple[str, Any]:
    """("ok", normalized result) or ("raises", exception)."""
    try:
        return ("ok", norm(fn()))
    except Exception as e:  # noqa: BLE001 - the exception is the result compared
        return ("raises", e)


def norm(value: Any) -> Any:
    """A comparable, library-independent form of ``value``."""
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            return ("ndarray", value.dtype.str, value.shape, norm(value.tolist()))
        return ("ndarray", value.dtype.descr, value.shape, value.tobytes())
    if isinstance(value, np.generic):
        return ("scalar", value.dtype.descr, np.asarray(value).tobytes())
    if isinstance(value, np.dtype):
        return ("dtype", value.descr, value.metadata and sorted(map(str, value.metadata)))
    if isinstance(value, (str, bytes, bool, type(None), numbers.Number)):
        return value
    if isinstance(value, Mapping):
        return {norm(k): norm(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(norm(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(norm(v) for v in value)
    cls = type(value).__name__
    if cls in ("File", "Group", "Dataset", "Datatype"):
        try:
            return (cls, value.name)
        except Exception:  # noqa: BLE001 - closed objects have no name
            return (cls, None)
    if cls == "Empty":
        return ("Empty", value.dtype)
    return value


def same(ours: tuple[str, Any], theirs: tuple[str, Any]) -> None:
    """Assert h5pure's outcome matches h5py's (exceptions: ours is an instance of theirs)."""
    if theirs[0] == "raises":
        assert ours[0] == "raises", f"h5py raised {theirs[1]!r}, h5pure returned {ours[1]!r}"
        assert isinstance(ours[1], type(theirs[1])), (ours[1], theirs[1])
    else:
        assert ours[0] == "ok", f"h5pure raised {ours[1]!r}, h5py returned {theirs[1]!r}"
        assert ours[1] == theirs[1]


def run_both(body: Callable[[Any, Path], Any], tmp_path: Path) -> Any:
    """Run ``body(lib, path)`` on h5py then h5pure (separate files); assert same outcomes.

    Returns h5py's outcome, ("ok", normalized value) or ("raises", exception)."""
    theirs = run(lambda: body(_import("h5py"), tmp_path / "h5py.h5"))
    ours = run(lambda: body(h5pure, tmp_path / "h5pure.h5"))
    same(ours, theirs)
    return theirs


@pytest.fixture
def compare(tmp_path):
    """``compare(body)``: run ``body(lib, path)`` through both libraries, assert the same."""
    n = iter(range(1_000_000))

    def _compare(body: Callable[[Any, Path], Any]) -> Any:
        sub = tmp_path / f"c{next(n)}"
        sub.mkdir()
        return run_both(body, sub)

    return _compare
