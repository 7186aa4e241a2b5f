"""h5py's ``h5pl``: libhdf5's plugin search path.  h5pure loads no libhdf5 plugins (its
filters are Python modules registered with :func:`h5pure.filters.register_filter`), so
each call raises, naming itself."""

from __future__ import annotations

from typing import Any

from ._ids import module_getattr

__getattr__ = module_getattr(globals())


def _not_provided(name: str) -> Any:
    def call(*args: Any, **kwds: Any) -> Any:
        raise NotImplementedError(
            f"h5py.h5pl.{name} is not provided by h5pure's h5py facade: h5pure loads no "
            "libhdf5 plugins (filters are registered with h5pure.filters.register_filter)"
        )

    call.__name__ = call.__qualname__ = name
    return call


append = _not_provided("append")
prepend = _not_provided("prepend")
insert = _not_provided("insert")
replace = _not_provided("replace")
remove = _not_provided("remove")
get = _not_provided("get")
size = _not_provided("size")
