"""``h5pure.install_as_h5py()``: make ``import h5py`` return this facade, process-wide.

Installing does three things, once:

1. imports every module of the facade and registers each under its h5py name in
   ``sys.modules`` (``h5py``, ``h5py.h5t``, ``h5py._hl.dataset``...), so ``import h5py``,
   ``import h5py.h5t`` and ``from h5py._hl.base import HLObject`` find the same module
   objects in any library, and a name the facade lacks fails as a missing module;
2. renames those modules and the classes and functions they define to their h5py names
   (``__name__``/``__module__``), and gives h5pure's own h5py-API classes (``Dataset``,
   ``File``...) the module and name h5py gives them, as the :data:`~._identity.IDENTITY` table says
   -- clients dispatch on ``type(obj).__module__.startswith("h5py.")`` and on
   ``h5py.__name__ == "h5py"``;
3. routes the ``.id`` of h5pure's objects to the facade's low-level identifiers (which
   extend h5pure's own), adds ``attrs._id``, and lets ``h5py.File(...)`` open a
   :class:`~h5pure.h5py_facade.h5f.FileID` -- the :data:`~._identity.EXTENSIONS` table.

Nothing here runs on ``import h5pure``: without installing, h5pure is unchanged.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import threading
from types import ModuleType
from typing import Any

from ._identity import EXTENSIONS, IDENTITY

_FACADE = __name__.rpartition(".")[0]
"""The facade package's own name (``h5pure.h5py_facade``)."""

_lock = threading.Lock()
_installed = False


def _h5py_name(module_name: str) -> str:
    """``h5pure.h5py_facade.h5t`` -> ``h5py.h5t``."""
    return "h5py" + module_name[len(_FACADE) :]


def _facade_modules() -> list[ModuleType]:
    """Every module of the facade package, imported (the package first)."""
    package = importlib.import_module(_FACADE)
    found = [package]
    for info in pkgutil.walk_packages(package.__path__, _FACADE + "."):
        if info.name.rpartition(".")[2] in ("_install", "_identity"):
            continue  # h5pure's installing machinery, not part of h5py's tree
        found.append(importlib.import_module(info.name))
    return found


def _real_h5py_modules() -> list[str]:
    """Names of real h5py modules already imported (anything ``h5py*`` not ours)."""
    ours = {id(m) for m in _facade_module_objects()}
    return sorted(
        name
        for name, module in list(sys.modules.items())
        if (name == "h5py" or name.startswith("h5py."))
        and module is not None
        and id(module) not in ours
    )


def _facade_module_objects() -> list[ModuleType]:
    return [
        m
        for name, m in list(sys.modules.items())
        if m is not None and (name == _FACADE or name.startswith(_FACADE + "."))
    ]


def _rename(module: ModuleType, old: str, new: str) -> None:
    """Give ``module`` and what it defines the h5py name ``new``."""
    for value in list(vars(module).values()):
        if isinstance(value, type) or callable(value):
            if getattr(value, "__module__", None) == old:
                try:
                    value.__module__ = new
                except (AttributeError, TypeError):  # builtins and slots: leave them
                    pass
    module.__name__ = new


def install_as_h5py() -> None:
    """Make ``import h5py`` -- in this program and in every library it uses -- return
    h5pure's h5py facade (:mod:`h5pure.h5py_facade`), as ``pymysql.install_as_MySQLdb()``
    does for MySQLdb.

    Call it before anything imports h5py.  Afterwards ``h5py.__version__`` is the h5py
    release whose API the facade implements, ``h5py.version.info`` says h5pure runs
    underneath, objects report h5py's classes and modules (``type(f["x"]).__module__ ==
    "h5py._hl.dataset"``), and ``h5py.h5t``, ``h5py.h5p``... offer the low-level calls
    the facade provides; one it does not provide raises, naming itself.

    Raises
    ------
    RuntimeError
        When the real h5py (or any of its modules) was imported already: objects made by
        it could not be mixed with h5pure's.  Calling this twice is harmless.
    """
    global _installed
    with _lock:
        if _installed and sys.modules.get("h5py") is sys.modules.get(_FACADE):
            return
        real = _real_h5py_modules()
        if real:
            where = getattr(sys.modules.get(real[0]), "__file__", None) or "?"
            raise RuntimeError(
                "h5pure.install_as_h5py() must be called before h5py is imported: the real "
                f"h5py is already imported ({', '.join(real[:3])}"
                f"{', ...' if len(real) > 3 else ''} from {where})"
            )
        modules = _facade_modules()
        for cls, (module_name, name) in IDENTITY.items():
            _set_identity(cls, module_name, name)
        for owner, attr, value in EXTENSIONS:
            setattr(owner, attr, value)
        for module in modules:
            old = module.__name__
            new = _h5py_name(old)
            _rename(module, old, new)
            sys.modules[new] = module
        _installed = True


def _set_identity(cls: Any, module_name: str, name: str) -> None:
    cls.__module__ = module_name
    if cls.__name__ != name:
        cls.__name__ = name
        cls.__qualname__ = name
