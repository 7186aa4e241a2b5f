"""Python file-like objects (``io.BytesIO``, ``open(..., "rb")``, fsspec files) as HDF5 files."""

from __future__ import annotations

import io
import threading
from typing import Any

from .base import Driver, register_driver


@register_driver("fileobj")
class FileObjDriver(Driver):
    """Any binary file object with ``seek``/``read`` (and ``write``/``truncate`` to write).

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
        with self._lock:
            self.fileobj.seek(offset)
            data = self.fileobj.read(size)
        if data is None or len(data) != size:
            raise self._short(offset, size, 0 if data is None else len(data))
        return bytes(data)

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
            self.fileobj.truncate(size)

    def flush(self) -> None:
        if self.writable and hasattr(self.fileobj, "flush"):
            self.fileobj.flush()


@register_driver("core")
class CoreDriver(Driver):
    """The file lives in memory; optionally loaded from and saved to a path."""

    def __init__(
        self, path: str, mode: str, backing_store: bool = True, block_size: int = 64 * 1024
    ) -> None:
        super().__init__(writable=mode != "r")
        self.path = path
        self.backing_store = backing_store
        self.block_size = block_size
        self.mode = mode
        self.buf = bytearray()
        if mode in ("r", "r+"):
            with open(path, "rb") as fh:
                self.buf = bytearray(fh.read())
        elif mode == "x":
            import os

            if os.path.exists(path):
                raise FileExistsError(f"Unable to create file (file exists: {path!r})")
        self._dirty = mode in ("w", "x")

    def read(self, offset: int, size: int) -> bytes:
        if offset + size > len(self.buf):
            raise self._short(offset, size, max(0, len(self.buf) - offset))
        return bytes(self.buf[offset : offset + size])

    def size(self) -> int:
        return len(self.buf)

    def _write(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        end = offset + len(data)
        if end > len(self.buf):
            self.buf.extend(b"\0" * (end - len(self.buf)))
        self.buf[offset:end] = data
        self._dirty = True

    def truncate(self, size: int) -> None:
        super().truncate(size)
        del self.buf[size:]
        self._dirty = True

    def flush(self) -> None:
        if self.writable and self.backing_store and self._dirty:
            with open(self.path, "wb") as fh:
                fh.write(self.buf)
            self._dirty = False

    def close(self) -> None:
        if not self.closed:
            self.flush()
        super().close()
