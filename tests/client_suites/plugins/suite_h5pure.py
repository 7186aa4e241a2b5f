"""pytest plugin (``-p suite_h5pure``): run a client library's test suite on h5pure.

Loaded before any conftest or test module imports h5py, it calls
:func:`h5pure.install_as_h5py`, so every ``import h5py`` of the suite (and of the library
under test) gets h5pure's h5py facade.  ``H5PURE_SUITE_H5PY_TESTS``, when set, names a
directory holding a copy of h5py's ``tests`` package: it is added to the facade's package
path, so ``h5py.tests.*`` (imported relatively by h5py's tests) resolves to that copy.

Test-only helpers h5py's tests reach for, supplied here as thin calls of h5py's public
API (and nowhere else):

- ``Dataset._fast_reader.read(args)``: ``dset[args]`` (h5py's Cython fast path for simple
  reads; ``tests/common.py`` compares it with ``dset[args]``).
"""

from __future__ import annotations

import os
from typing import Any

import h5pure

h5pure.install_as_h5py()

import h5py  # noqa: E402 - the facade, installed above

_tests = os.environ.get("H5PURE_SUITE_H5PY_TESTS")
if _tests:
    h5py.__path__.append(_tests)


class _FastReader:
    """``dset._fast_reader``: reads through the public ``dset[args]``."""

    def __init__(self, dset: Any) -> None:
        self._dset = dset

    def read(self, args: Any) -> Any:
        return self._dset[args]


h5py.Dataset._fast_reader = property(_FastReader)  # type: ignore[attr-defined]
