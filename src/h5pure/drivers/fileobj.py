"""Python file-like objects (``io.BytesIO``, ``open(..., "rb")``, fsspec files) as HDF5 files."""

from __future__ import annotations

import io
import os
import threading
from typing import Any

from .base import Driver, register_driver


@register_driver("fileobj")
class FileObjDriver(Driver):
    """Any binary file object with ``seek``/``read`` (``readinto`` used where it has one,
    as h5py does; ``write``/``truncate`` to write).

    Seek+read pairs are serialized with a lock, since the object has one position.
    """

    def __init__(self, fileobj: Any, writable: bool) -> None:
        super().__init__(writable=writable)
        for attr in ("seek", "read", "tell"):
            if not hasattr(fileobj, attr):
                raise TypeError(f"file-like object needs a {attr}() method")
        self.fileobj = fileobj
        self._lock = threading.Lock()

    def read(self, offset: int, size: int) -> bytes:
        if hasattr(self.fileobj, "readinto"):
            buf = bytearray(size)
            self.readinto(offset, memoryview(buf))
            return bytes(buf)
        with self._lock:
            self.fileobj.seek(offset)
            data = self.fileobj.read(size)
        if data is None or len(data) != size:
            raise self._short(offset, size, 0 if data is None else len(data))
        return bytes(data)

    def readinto(self, offset: int, buf: memoryview) -> None:
        """Fill ``buf`` through the object's ``readinto`` (as h5py's file-object driver
        reads: an object whose ``readinto`` fails, or was removed, fails the read), else
        its ``read``."""
        view = memoryview(buf).cast("B")
        if not hasattr(self.fileobj, "readinto"):
            view[:] = self.read(offset, len(view))
            return
        got = 0
        with self._lock:
            self.fileobj.seek(offset)
            while got < len(view):
                n = self.fileobj.readinto(view[got:])
                if not n:
                    break
                got += n
        if got != len(view):
            raise self._short(offset, len(view), got)

    def size(self) -> int:
        with self._lock:
            pos = self.fileobj.tell()
            end = self.fileobj.seek(0, io.SEEK_END)
            self.fileobj.seek(pos)
        return int(end)

    def _write(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        with self._lock:
            end = self.fileobj.seek(0, io.SEEK_END)
            if offset > end:  # some file objects cannot seek past their end
                self.fileobj.write(b"\0" * (offset - end))
            self.fileobj.seek(offset)
            self.fileobj.write(data)

    def truncate(self, size: int) -> None:
        super().truncate(size)
        with self._lock:
            end = self.fileobj.seek(0, io.SEEK_END)
            if size > end:  # io.BytesIO.truncate never grows a file
                self.fileobj.write(bytes(size - end))
            else:
                self.fileobj.truncate(size)

    def close(self) -> None:
        super().close()
        self.fileobj = None  # the caller's object is theirs again (h5py lets go of it)

    def flush(self) -> None:
        if self.writable and hasattr(self.fileobj, "flush"):
            self.fileobj.flush()

    def sync(self) -> None:
        """Flush, then ``fsync`` the object's descriptor when it has one (a real file)."""
        self.flush()
        fileno = getattr(self.fileobj, "fileno", None)
        if self.writable and fileno is not None:
            try:
                fd = fileno()
            except (OSError, ValueError, io.UnsupportedOperation):
                return  # an in-memory object: nothing more durable exists
            os.fsync(fd)
