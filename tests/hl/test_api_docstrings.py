"""Every public class, function, method and property of h5pure's h5py API (``h5pure.*``
and what it reaches: groups, datasets, attributes, dimension scales, views, identifiers)
has a docstring of its own."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

import h5pure
import h5pure.hl

_OURS = ("h5pure.hl", "h5pure.dtypes", "h5pure.selection.multiblock", "h5pure.errors")


def _documented(obj: Any) -> bool:
    doc = getattr(obj, "__doc__", None)
    return bool(doc and doc.strip())


def _members(cls: type) -> Iterator[tuple[str, Any]]:
    for base in cls.__mro__:
        if not base.__module__.startswith(_OURS):
            continue
        for name, value in vars(base).items():
            if name.startswith("_"):
                continue
            if isinstance(value, property):
                yield f"{base.__qualname__}.{name}", value.fget
            elif isinstance(value, (classmethod, staticmethod)):
                yield f"{base.__qualname__}.{name}", value.__func__
            elif inspect.isfunction(value):
                yield f"{base.__qualname__}.{name}", value


def _public_api() -> Iterator[tuple[str, Any]]:
    modules = [h5pure] + [
        importlib.import_module(m.name)
        for m in pkgutil.iter_modules(h5pure.hl.__path__, "h5pure.hl.")
    ]
    seen: set[int] = set()
    for module in modules:
        names = getattr(module, "__all__", None) or [n for n in dir(module) if n[0] != "_"]
        for name in names:
            obj = getattr(module, name, None)
            if id(obj) in seen or not getattr(obj, "__module__", "").startswith(("h5pure",)):
                continue
            seen.add(id(obj))
            if inspect.isclass(obj) and obj.__module__.startswith(_OURS):
                yield obj.__qualname__, obj
                yield from _members(obj)
            elif inspect.isfunction(obj) and (
                obj.__module__.startswith(_OURS) or module is h5pure
            ):
                yield f"{obj.__module__}.{name}", obj


def test_every_public_call_has_a_docstring() -> None:
    api = list(_public_api())
    assert len(api) > 250  # the walk reaches the API
    missing = sorted({name for name, obj in api if not _documented(obj)})
    assert not missing, f"{len(missing)} without a docstring:\n" + "\n".join(missing)
