"""The default driver: one OS file descriptor, positional reads and writes (``pread``)."""

from __future__ import annotations

import os

from .base import Driver, register_driver


@register_driver("sec2")
class Sec2Driver(Driver):
    """A local file through ``os.pread``/``os.pwrite``: thread-safe without a lock."""

    def __init__(self, path: str, mode: str) -> None:
        """``mode``: "r" (read), "r+" (read/write existing), "w" (create/truncate),
        "x" (create, fail if it exists)."""
        flags = {
            "r": os.O_RDONLY,
            "r+": os.O_RDWR,
            "w": os.O_RDWR | os.O_CREAT | os.O_TRUNC,
            "x": os.O_RDWR | os.O_CREAT | os.O_EXCL,
        }[mode]
        flags |= getattr(os, "O_BINARY", 0)
        super().__init__(writable=mode != "r")
        self.path = path
        self.fd = os.open(path, flags, 0o666)

    def read(self, offset: int, size: int) -> bytes:
        data = os.pread(self.fd, size, offset)
        if len(data) != size:
            # pread may return short reads on some systems for large sizes; retry the rest.
            chunks = [data]
            got = len(data)
            while got < size:
                more = os.pread(self.fd, size - got, offset + got)
                if not more:
                    raise self._short(offset, size, got)
                chunks.append(more)
                got += len(more)
            data = b"".join(chunks)
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
        mv = memoryview(data).cast("B")
        done = 0
        while done < len(mv):
            done += os.pwrite(self.fd, mv[done:], offset + done)

    def truncate(self, size: int) -> None:
        super().truncate(size)
        os.ftruncate(self.fd, size)

    def flush(self) -> None:
        if self.writable and not self.closed:
            os.fsync(self.fd)

    def close(self) -> None:
        if not self.closed:
            os.close(self.fd)
        super().close()


# h5py accepts "stdio"; its behaviour is the same as sec2's for every caller.
register_driver("stdio")(type("StdioDriver", (Sec2Driver,), {}))
