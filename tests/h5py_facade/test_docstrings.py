"""Every public class, function, method and property of the h5py facade (its package,
its low-level modules ``h5*``, ``_ids`` and the ``_hl`` modules) has a docstring of its
own -- including h5pure's classes the facade hands out (``File``, ``Dataset``...)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import h5pure.h5py_facade._hl

_MODULES = [
    "h5pure.h5py_facade",
    "h5pure.h5py_facade._ids",
    *(
        f"h5pure.h5py_facade.{name}"
        for name in (
            "h5",
            "h5a",
            "h5d",
            "h5ds",
            "h5f",
            "h5fd",
            "h5g",
            "h5i",
            "h5l",
            "h5o",
            "h5p",
            "h5pl",
            "h5r",
            "h5s",
            "h5t",
            "h5z",
        )
    ),
    "h5pure.h5py_facade._hl",
    *(
        m.name
        for m in pkgutil.iter_modules(h5pure.h5py_facade._hl.__path__, "h5pure.h5py_facade._hl.")
    ),
]


def _ours(obj: Any) -> bool:
    return str(getattr(obj, "__module__", None) or "").startswith("h5pure")


def _documented(doc: Any) -> bool:
    return isinstance(doc, str) and bool(doc.strip())


def _public_names(module: ModuleType) -> list[str]:
    """``__all__`` (else every public name), and the public classes and functions the
    module defines itself (``h5p.PropDCID``, ``h5t.TypeIntegerID``... are not in
    ``__all__``, as in h5py)."""
    names = list(getattr(module, "__all__", None) or [n for n in dir(module) if n[0] != "_"])
    for name, value in vars(module).items():
        if (
            name[0] != "_"
            and (inspect.isclass(value) or inspect.isfunction(value))
            and value.__module__ == module.__name__
            and name not in names
        ):
            names.append(name)
    return names


def _members(cls: type) -> Iterator[tuple[str, Any]]:
    """The public methods and properties of ``cls`` and of its h5pure bases, each as
    ``(qualified name, docstring)``."""
    for base in cls.__mro__:
        if not _ours(base):
            continue
        for name, value in vars(base).items():
            if name.startswith("_"):
                continue
            if isinstance(value, property):
                func = value.fget
            elif isinstance(value, (classmethod, staticmethod)):
                func = value.__func__
            elif inspect.isfunction(value):
                func = value
            else:
                continue
            yield f"{base.__module__}.{base.__qualname__}.{name}", getattr(func, "__doc__", None)


def _api() -> Iterator[tuple[str, Any]]:
    """``(qualified name, docstring)`` of every public call the facade's modules offer."""
    seen: set[int] = set()
    for module_name in _MODULES:
        module = importlib.import_module(module_name)
        for name in _public_names(module):
            obj = getattr(module, name, None)
            if obj is None or inspect.ismodule(obj) or not _ours(obj) or id(obj) in seen:
                continue
            if inspect.isclass(obj):
                seen.add(id(obj))
                yield f"{obj.__module__}.{obj.__qualname__}", vars(obj).get("__doc__")
                yield from _members(obj)
            elif inspect.isfunction(obj):
                seen.add(id(obj))
                yield f"{obj.__module__}.{obj.__qualname__}", obj.__doc__


def test_every_public_call_has_a_docstring() -> None:
    api = dict(_api())
    assert len(api) > 400  # the walk reaches the facade's identifiers and h5pure's classes
    missing = sorted(name for name, doc in api.items() if not _documented(doc))
    assert not missing, f"{len(missing)} without a docstring:\n" + "\n".join(missing)
