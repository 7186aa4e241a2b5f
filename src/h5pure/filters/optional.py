"""Codec packages imported on first use, so ``import h5pure`` loads none of them.

Each filter module keeps its codec module in a module global that starts as
:data:`NOT_LOADED` and is filled by :func:`load` the first time a chunk needs it (``None``
when the package is missing).  Tests replace the global to force a fallback.
"""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType
from typing import Any, Final

NOT_LOADED: Final[Any] = type("NotLoaded", (), {"__repr__": lambda self: "NOT_LOADED"})()
"""The value of a codec global before its first use."""


def load(name: str, needs: str | None = None) -> ModuleType | None:
    """``import name``; ``None`` when it is missing or lacks the attribute ``needs`` (an
    imagecodecs build without that codec)."""
    try:
        module = importlib.import_module(name)
    except ImportError:  # optional codec package
        return None
    if needs is not None and not hasattr(module, needs):
        return None
    return module


_warned: set[str] = set()


class SlowCodecWarning(RuntimeWarning):
    """A chunk is decoded by h5pure's pure-Python fallback: correct, but many times slower
    than the compiled codec the named package provides."""


def warn_slow(codec: str, package: str) -> None:
    """Warn, once per process and codec, that ``codec`` runs in pure Python."""
    if codec in _warned:
        return
    _warned.add(codec)
    warnings.warn(
        f"h5pure: decoding {codec} in pure Python, which is many times slower; "
        f"pip install {package} for the compiled codec",
        SlowCodecWarning,
        stacklevel=3,
    )
