"""h5py's ``_objects``: the identifier base class and h5py's global lock.

``phil`` is h5py's lock around every libhdf5 call.  h5pure needs none (each open file
serialises its own writes), but code written for h5py takes it (``with phil:``,
``@with_phil``), so it is a real re-entrant lock here: taking it is harmless.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from ..hl.ids import ObjectID

__all__ = ["ObjectID", "phil", "with_phil"]

phil = threading.RLock()

if hasattr(os, "register_at_fork"):
    # as h5py: a fork waits until no other thread holds phil, so a child never inherits it
    # held by a thread that does not exist there
    os.register_at_fork(
        before=phil.acquire, after_in_parent=phil.release, after_in_child=phil.release
    )

F = TypeVar("F", bound=Callable[..., Any])


def with_phil(func: F) -> F:
    """Decorator: run ``func`` holding :data:`phil`."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwds: Any) -> Any:
        with phil:
            return func(*args, **kwds)

    return wrapper  # type: ignore[return-value]
