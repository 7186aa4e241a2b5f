"""The installs the benchmark compares: ``plain`` (``pip install h5pure``: numpy and the
codec dependencies of pyproject.toml) and ``extras`` (whatever else is installed here:
the ``fast`` and ``codecs`` extras: deflate, isal and python-lzf).

``run.py --install plain`` hides the extras' packages from the import system before
h5pure is imported, so h5pure runs as it would without them.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from typing import Any

INSTALLS: dict[str, tuple[str, ...]] = {
    "extras": (),
    "plain": ("deflate", "isal", "lzf"),
    "numpy-only": ("deflate", "isal", "lzf", "imagecodecs"),
}
"""Install name -> the top-level packages hidden to imitate it."""


class _Hide(importlib.abc.MetaPathFinder):
    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = frozenset(names)

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name.split(".")[0] in self.names:
            raise ImportError(f"{name} is hidden to imitate a plain install")
        return None


def hide(names: Any) -> None:
    """Make ``import`` of these top-level packages fail from now on."""
    names = tuple(names)
    for mod in list(sys.modules):
        if mod.split(".")[0] in names:
            del sys.modules[mod]
    sys.meta_path.insert(0, _Hide(names))


def present(install: str) -> list[str]:
    """The packages ``install`` lacks that are installed here (what the extras add)."""
    found = []
    for name in sorted(INSTALLS[install]):
        try:
            if importlib.util.find_spec(name) is not None:
                found.append(name)
        except ImportError:  # hidden in this process
            pass
    return found
