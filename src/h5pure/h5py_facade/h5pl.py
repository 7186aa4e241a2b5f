"""h5py's ``h5pl``: libhdf5's plugin search path.  h5pure loads no libhdf5 plugins (its
filters are Python modules registered with :func:`h5pure.filters.register_filter`), so
each call raises, naming itself."""

from __future__ import annotations

from typing import Any

from ._ids import module_getattr

__getattr__ = module_getattr(globals())


def _not_provided(name: str, summary: str) -> Any:
    def call(*args: Any, **kwds: Any) -> Any:
        raise NotImplementedError(
            f"h5py.h5pl.{name} is not provided by h5pure's h5py facade: h5pure loads no "
            "libhdf5 plugins (filters are registered with h5pure.filters.register_filter)"
        )

    call.__name__ = call.__qualname__ = name
    call.__doc__ = (
        f"In h5py: {summary}\n\nNot provided: h5pure loads no libhdf5 plugins, so this "
        "raises NotImplementedError."
    )
    return call


append = _not_provided("append", "add a directory at the end of the plugin search path.")
prepend = _not_provided("prepend", "add a directory at the start of the plugin search path.")
insert = _not_provided("insert", "put a directory at position ``index`` of the plugin search path.")
replace = _not_provided(
    "replace", "put a directory in place of entry ``index`` of the plugin search path."
)
remove = _not_provided("remove", "drop entry ``index`` of the plugin search path.")
get = _not_provided("get", "the directory at position ``index`` of the plugin search path.")
size = _not_provided("size", "the number of directories in the plugin search path.")
