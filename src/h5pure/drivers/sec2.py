"""The default driver: one OS file descriptor, positional reads and writes (``pread``)."""

from __future__ import annotations

import os

from .base import Driver, register_driver
from .locking import LockPolicy, lock_fd, unlock_fd

_FLAGS = {
    "r": os.O_RDONLY,
    "r+": os.O_RDWR,
    # "w" truncates only once the lock is held (as libhdf5's H5F_open does), so a file
    # another process is writing is never emptied under it
    "w": os.O_RDWR | os.O_CREAT,
    "x": os.O_RDWR | os.O_CREAT | os.O_EXCL,
}


def open_locked(path: str, mode: str, locking: LockPolicy | None) -> int:
    """A descriptor for ``path`` opened in driver ``mode``, locked as ``locking`` says
    (shared to read, exclusive to write) and emptied for mode "w"."""
    fd = os.open(path, _FLAGS[mode] | getattr(os, "O_BINARY", 0), 0o666)
    try:
        lock_fd(fd, mode != "r", locking or LockPolicy(), path)
        # a new (empty) file is left alone: on ext4 a truncation to zero makes the next
        # close() force the written data out (the "auto_da_alloc" heuristic), which cost
        # a 64 MiB write as much again as the write itself
        if mode == "w" and os.fstat(fd).st_size:
            os.ftruncate(fd, 0)
    except BaseException:
        os.close(fd)
        raise
    return fd


def close_locked(fd: int) -> None:
    unlock_fd(fd)
    os.close(fd)


def pread_exact(fd: int, offset: int, size: int) -> bytes:
    """Up to ``size`` bytes at ``offset`` (fewer only at the end of the file)."""
    data = os.pread(fd, size, offset)
    if len(data) == size or not data:
        return data
    # pread may return short reads for large sizes; read the rest
    chunks = [data]
    got = len(data)
    while got < size:
        more = os.pread(fd, size - got, offset + got)
        if not more:
            break
        chunks.append(more)
        got += len(more)
    return b"".join(chunks)


def pwrite_all(fd: int, offset: int, data: bytes | bytearray | memoryview) -> None:
    mv = memoryview(data).cast("B")
    done = 0
    while done < len(mv):
        done += os.pwrite(fd, mv[done:], offset + done)


@register_driver("sec2")
class Sec2Driver(Driver):
    """A local file through ``os.pread``/``os.pwrite``: thread-safe without a lock."""

    def __init__(self, path: str, mode: str, locking: LockPolicy | None = None) -> None:
        """``mode``: "r" (read), "r+" (read/write existing), "w" (create/truncate),
        "x" (create, fail if it exists)."""
        super().__init__(writable=mode != "r")
        self.path = path
        self.fd = open_locked(path, mode, locking)

    def read(self, offset: int, size: int) -> bytes:
        data = pread_exact(self.fd, offset, size)
        if len(data) != size:
            raise self._short(offset, size, len(data))
        return data

    def readinto(self, offset: int, buf: memoryview) -> None:
        mv = memoryview(buf).cast("B")
        got = 0
        total = len(mv)
        while got < total:
            n = os.preadv(self.fd, [mv[got:]], offset + got)
            if n <= 0:
                raise self._short(offset, total, got)
            got += n

    def size(self) -> int:
        return os.fstat(self.fd).st_size

    def _write(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        pwrite_all(self.fd, offset, data)

    def truncate(self, size: int) -> None:
        super().truncate(size)
        os.ftruncate(self.fd, size)

    #: fsync at every flush. Off by default, as libhdf5's sec2 driver has no flush
    #: callback (written bytes reach the OS page cache; durability is the OS's);
    #: set True on the class or an instance to force data to the disk at each commit.
    sync_on_flush: bool = False

    def flush(self) -> None:
        if self.sync_on_flush and self.writable and not self.closed:
            os.fsync(self.fd)

    def close(self) -> None:
        if not self.closed:
            close_locked(self.fd)
        super().close()


@register_driver("stdio")
class StdioDriver(Sec2Driver):
    """h5py's "stdio" driver: the same behaviour as sec2 for every caller."""
