"""Storage back ends: bytes at addresses, behind one Driver interface."""

from . import core, family, fileobj, fsspec, mpio, sec2  # noqa: F401  (registration)
from .base import Driver, get_driver, open_driver, register_driver, registered_drivers

__all__ = ["Driver", "get_driver", "open_driver", "register_driver", "registered_drivers"]
