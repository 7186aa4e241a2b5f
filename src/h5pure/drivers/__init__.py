"""Storage back ends: bytes at addresses, behind one Driver interface.

The built-in drivers register themselves when their module is imported, which
:func:`get_driver` does on the first use of a driver's name."""

from .base import Driver, get_driver, open_driver, register_driver, registered_drivers

__all__ = ["Driver", "get_driver", "open_driver", "register_driver", "registered_drivers"]
