"""The Driver interface: bytes at absolute file offsets, nothing about HDF5.

Every storage back end (a local file, memory, a family of files, a Python file object, a
remote URL) implements :class:`Driver` and registers itself under h5py's driver name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from ..errors import FormatError, ReadOnlyError


class Driver(ABC):
    """Random access to the bytes of one HDF5 file (absolute offsets)."""

    name: str = ""
    """h5py's name for this driver ("sec2", "core", ...)."""

    def __init__(self, writable: bool) -> None:
        self.writable = writable
        self.closed = False

    @abstractmethod
    def read(self, offset: int, size: int) -> bytes:
        """Exactly ``size`` bytes at ``offset``; FormatError if the file ends first."""

    def readinto(self, offset: int, buf: memoryview) -> None:
        """Fill ``buf`` with the bytes at ``offset`` (drivers may override to avoid a copy)."""
        buf[:] = self.read(offset, len(buf))

    @abstractmethod
    def size(self) -> int:
        """Current physical size of the file in bytes."""

    def write(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        self._check_writable()
        self._write(offset, data)

    def _write(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        raise ReadOnlyError(f"the {self.name} driver cannot write")

    def truncate(self, size: int) -> None:
        self._check_writable()

    def flush(self) -> None:
        """Push written bytes to the storage."""

    def close(self) -> None:
        self.closed = True

    def _check_writable(self) -> None:
        if not self.writable:
            raise ReadOnlyError("file is opened read-only (mode 'r'): writing is not allowed")

    def _short(self, offset: int, size: int, got: int) -> FormatError:
        return FormatError(
            f"truncated file: read of {size} bytes at 0x{offset:x} got {got} "
            f"(file size {self.size()})"
        )


_REGISTRY: dict[str, Callable[..., Driver]] = {}


def register_driver(name: str) -> Callable[[type[Driver]], type[Driver]]:
    """Class decorator: make a driver available as ``File(..., driver=name)``."""

    def deco(cls: type[Driver]) -> type[Driver]:
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return deco


def get_driver(name: str) -> Callable[..., Driver]:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"Unknown driver type {name!r}") from None


def registered_drivers() -> frozenset[str]:
    return frozenset(_REGISTRY)
