"""The core driver: the file lives in memory, optionally loaded from and saved to a path."""

from __future__ import annotations

import os

from .base import Driver, register_driver
from .locking import LockPolicy
from .options import c_unsigned
from .sec2 import close_locked, open_locked, pwrite_all


@register_driver("core")
class CoreDriver(Driver):
    """An in-memory image of the file.

    With ``backing_store=True`` the file at ``path`` is opened (created for "w"/"x", and
    locked like sec2) and receives the image at every flush and at close; with False the
    disk is never written, and for a new file never touched.  An existing file ("r", "r+")
    is loaded whole.  ``block_size`` is the growth increment libhdf5 uses for its buffer,
    accepted and kept for compatibility.

    ``image`` (libhdf5's file image, h5py's ``File.in_memory(image)``) is the file's
    content, copied: the disk is not read, and is written only with ``backing_store`` and
    a writable mode (the image then replaces what is at ``path``).
    """

    options = ("backing_store", "block_size")

    def __init__(
        self,
        path: str,
        mode: str,
        backing_store: bool = True,
        block_size: int = 64 * 1024,
        locking: LockPolicy | None = None,
        image: bytes | bytearray | memoryview | None = None,
    ) -> None:
        super().__init__(writable=mode != "r")
        # h5py's conversions to C integers (set_fapl_core(size_t, hbool_t))
        block_size = c_unsigned(block_size, "size_t")
        self.path = path
        self.backing_store = bool(c_unsigned(backing_store, "hbool_t"))
        self.block_size = block_size
        self.buf = bytearray()
        self.fd: int | None = None
        if image is not None:
            self.buf = bytearray(memoryview(image).cast("B"))
            if self.backing_store and mode != "r":
                self.fd = open_locked(path, "w", locking)
            self._dirty = mode != "r"
            return
        if mode in ("r", "r+"):
            fd = open_locked(path, "r+" if mode == "r+" and self.backing_store else "r", locking)
            try:
                self.buf = bytearray(os.fstat(fd).st_size)
                os.preadv(fd, [memoryview(self.buf)], 0)
            except BaseException:
                close_locked(fd)
                raise
            if self.backing_store:
                self.fd = fd  # kept (and locked) until close, as libhdf5's core driver does
            else:
                close_locked(fd)
        elif self.backing_store:
            self.fd = open_locked(path, mode, locking)
        self._dirty = mode in ("w", "x")

    def read(self, offset: int, size: int) -> bytes:
        if offset + size > len(self.buf):
            raise self._short(offset, size, max(0, len(self.buf) - offset))
        return bytes(self.buf[offset : offset + size])

    def readinto(self, offset: int, buf: memoryview) -> None:
        n = len(buf)
        if offset + n > len(self.buf):
            raise self._short(offset, n, max(0, len(self.buf) - offset))
        memoryview(buf).cast("B")[:] = memoryview(self.buf)[offset : offset + n]

    def size(self) -> int:
        return len(self.buf)

    def _write(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        end = offset + len(memoryview(data).cast("B"))
        if end > len(self.buf):
            self.buf.extend(bytes(end - len(self.buf)))
        self.buf[offset:end] = data
        self._dirty = True

    def truncate(self, size: int) -> None:
        super().truncate(size)
        if size < len(self.buf):
            del self.buf[size:]
        else:
            self.buf.extend(bytes(size - len(self.buf)))
        self._dirty = True

    journaled = False  # the image reaches the backing store whole, at each flush

    def sync(self) -> None:
        self.flush()
        if self.fd is not None:
            os.fsync(self.fd)

    def flush(self) -> None:
        if self.fd is not None and self._dirty:
            pwrite_all(self.fd, 0, self.buf)
            os.ftruncate(self.fd, len(self.buf))
            self._dirty = False

    def close(self) -> None:
        if not self.closed:
            try:
                self.flush()
            finally:
                if self.fd is not None:
                    close_locked(self.fd)
                    self.fd = None
        super().close()
