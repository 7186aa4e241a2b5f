"""The Driver interface: bytes at absolute file offsets, nothing about HDF5.

Every storage back end (a local file, memory, a family of files, a Python file object, a
remote URL) implements :class:`Driver` and registers itself under h5py's driver name.
"""

from __future__ import annotations

import importlib
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..errors import FormatError, ReadOnlyError


class Driver(ABC):
    """Random access to the bytes of one HDF5 file (absolute offsets)."""

    name: str = ""
    """h5py's name for this driver ("sec2", "core", ...)."""
    options: tuple[str, ...] = ()
    """The keyword arguments ``File(..., driver=name, **options)`` accepts (h5py's
    ``set_fapl_<name>`` parameters)."""

    def __init__(self, writable: bool) -> None:
        self.writable = writable
        self.closed = False

    @abstractmethod
    def read(self, offset: int, size: int) -> bytes:
        """Exactly ``size`` bytes at ``offset``; FormatError if the file ends first."""

    def readinto(self, offset: int, buf: memoryview) -> None:
        """Fill ``buf`` with the bytes at ``offset`` (drivers may override to avoid a copy)."""
        buf[:] = self.read(offset, len(buf))

    def readv(self, offset: int, buffers: Sequence[Any]) -> None:
        """Fill ``buffers`` (writable buffers, in order) from the consecutive bytes at
        ``offset``: one vectored read where the driver has one (sec2's ``preadv``); this
        default fills them one by one through :meth:`readinto`."""
        for buf in buffers:
            view = memoryview(buf).cast("B")
            self.readinto(offset, view)
            offset += len(view)

    def readinto_many(self, pieces: Sequence[tuple[int, memoryview]]) -> None:
        """Fill each ``(offset, bytes view)`` of ``pieces`` with the bytes at its offset
        (drivers may override with a tighter loop: sec2 makes one ``preadv`` a piece)."""
        for offset, buf in pieces:
            self.readinto(offset, buf)

    parallel_reads: bool = False
    """True when :meth:`readinto` may run on several threads at once over disjoint
    ranges, each call releasing the GIL while the OS copies (sec2's ``preadv``): a large
    read is then split across the thread pool, since one thread copying out of the page
    cache does not reach the memory bandwidth of the machine."""

    batched_reads: bool = False
    """True when :meth:`read_many` is cheaper than separate reads (remote storage): the
    dataset engine then fetches the chunks of a selection through it."""

    def read_many(self, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        """The bytes of every ``(offset, size)`` range, in order (drivers may merge
        adjacent ranges into fewer requests)."""
        return [self.read(offset, size) for offset, size in ranges]

    def prefetch(self, ranges: Sequence[tuple[int, int]]) -> None:
        """A hint: the ``(offset, size)`` ranges will be read soon, one by one.  A remote
        driver fetches them into its cache together (requests in parallel); local drivers
        ignore it.  Ranges past the end of the file are ignored, never an error."""

    def holds(self, offset: int, size: int) -> bool:
        """Whether the driver's own cache holds the ``size`` bytes at ``offset`` (a read
        of them makes no request); local drivers have no such cache."""
        return False

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
        """Push written bytes to the storage (the operating system's cache, for files):
        what a killed process has written survives it."""

    def sync(self) -> None:
        """Make every byte written so far durable (``fsync``): what a power cut would
        otherwise lose.  The commit's barriers call it with ``File(fsync=True)``."""
        self.flush()

    def unlock(self) -> None:
        """Release the file lock while staying open (a SWMR writer lets readers in, as
        libhdf5's ``H5Fstart_swmr_write``); a driver without a lock does nothing."""

    journaled: bool = True
    """Whether commits to this driver go through the journal (False where every byte
    reaches the storage in one piece at the end anyway, as the core driver's image)."""

    def close(self) -> None:
        self.closed = True

    @classmethod
    def exists(cls, path: str) -> bool:
        """Whether opening ``path`` in mode "r" could find a file (mode "a" creates one
        otherwise)."""
        return os.path.exists(path)

    def driver_info(self) -> tuple[str, bytes] | None:
        """``(driver id, information)`` to store in a new file's superblock (the family
        driver's "NCSAfami" block); None for drivers that store nothing."""
        return None

    def accept_driver_info(self, driver_id: str, info: bytes) -> None:
        """Check the driver information found in the superblock (libhdf5's
        ``H5FD_sb_load``): a file written through the family or multi driver must be
        opened through it."""
        wanted = {"NCSAfami": "family", "NCSAmult": "multi"}.get(driver_id)
        if wanted is not None and wanted != self.name:
            raise OSError(f"Unable to synchronously open file ({wanted} driver should be used)")

    def _check_writable(self) -> None:
        if not self.writable:
            raise ReadOnlyError("file is opened read-only (mode 'r'): writing is not allowed")

    def _short(self, offset: int, size: int, got: int) -> FormatError:
        return FormatError(
            f"truncated file: read of {size} bytes at 0x{offset:x} got {got} "
            f"(file size {self.size()})"
        )


def coalesce(ranges: Sequence[tuple[int, int]], max_gap: int, max_span: int) -> list[list[int]]:
    """Group ``(offset, size)`` ranges so that each group can be fetched with one read.

    Returns lists of indices into ``ranges``; each group is in increasing offset, its
    ranges neither overlap nor lie more than ``max_gap`` bytes apart, and it spans at most
    ``max_span`` bytes from the first offset to the last end (a single range longer than
    that forms a group of its own).  Every index appears in exactly one group; groups
    come in increasing offset.  Overlapping ranges are never grouped (one vectored read
    cannot deliver a byte twice).
    """
    order = sorted(range(len(ranges)), key=lambda k: ranges[k][0])
    groups: list[list[int]] = []
    start = end = 0
    for k in order:
        offset, size = ranges[k]
        if groups and end <= offset <= end + max_gap and offset + size - start <= max_span:
            groups[-1].append(k)
        else:
            groups.append([k])
            start = offset
        end = offset + size
    return groups


_REGISTRY: dict[str, Callable[..., Driver]] = {}

# The built-in drivers: name -> (module, class).  A module is imported when its driver is
# first asked for (it registers itself then), so opening a local file does not load the
# in-memory, family, remote or MPI drivers.
_BUILT_IN = {
    "sec2": ("sec2", "Sec2Driver"),
    "stdio": ("sec2", "StdioDriver"),
    "core": ("core", "CoreDriver"),
    "family": ("family", "FamilyDriver"),
    "fileobj": ("fileobj", "FileObjDriver"),
    "fsspec": ("fsspec", "FsspecDriver"),
    "mpio": ("mpio", "MpioDriver"),
}


def register_driver(name: str) -> Callable[[type[Driver]], type[Driver]]:
    """Class decorator: make a driver available as ``File(..., driver=name)``."""

    def deco(cls: type[Driver]) -> type[Driver]:
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return deco


def get_driver(name: str) -> Callable[..., Driver]:
    found = _REGISTRY.get(name)
    if found is None:
        built_in = _BUILT_IN.get(name)
        if built_in is None:
            raise ValueError(f"Unknown driver type {name!r}")
        module, cls = built_in
        found = _REGISTRY[name] = getattr(
            importlib.import_module(f"{__package__}.{module}"), cls
        )
    return found


def registered_drivers() -> frozenset[str]:
    for name in _BUILT_IN:
        get_driver(name)
    return frozenset(_REGISTRY)


def open_driver(
    name: str, path: str, mode: str, options: Mapping[str, Any], locking: Any = None
) -> Driver:
    """Open ``path`` through the driver registered as ``name``.

    ``mode``: "r", "r+", "w" (create or truncate), "x" (create, fail if it exists);
    ``locking``: a :class:`~h5pure.drivers.locking.LockPolicy` (None: the default).  Keyword
    arguments the driver does not take raise h5py's TypeError.
    """
    factory = get_driver(name)
    allowed = getattr(factory, "options", ())
    for key in options:
        if key not in allowed:
            raise TypeError(f"set_fapl_{name}() got an unexpected keyword argument {key!r}")
    return factory(path, mode, locking=locking, **options)
