"""Byte sources for tests and tools that want to drive ``format/`` decoders directly."""

from __future__ import annotations

from ..errors import FormatError


class BytesSource:
    """A :class:`~h5pure.format.context.ByteSource` over an in-memory image of a file.

    ``base`` is the absolute offset that relative addresses are measured from.
    """

    def __init__(self, data: bytes, base: int = 0) -> None:
        self.data = data
        self.base = base

    @classmethod
    def from_path(cls, path: str, base: int = 0) -> BytesSource:
        with open(path, "rb") as fh:
            return cls(fh.read(), base)

    def read(self, address: int, size: int) -> bytes:
        start = self.base + address
        if address < 0 or size < 0 or start + size > len(self.data):
            raise FormatError(
                f"read of {size} bytes at 0x{address:x} is beyond the end of the file "
                f"({len(self.data) - self.base} bytes)"
            )
        return self.data[start : start + size]


class GrowingImage:
    """A file image that grows as encoders allocate space: the ``alloc(size) -> address``
    callback every ``build_*`` encoder takes, plus writing their ``(address, bytes)`` blocks
    and reading the result back through a :class:`BytesSource`."""

    def __init__(self, start: bytes | int = 64) -> None:
        self.data = bytearray(start) if isinstance(start, int) else bytearray(start)

    def alloc(self, size: int) -> int:
        at = len(self.data)
        self.data += bytes(size)
        return at

    def write(self, blocks: list[tuple[int, bytes]]) -> None:
        for at, blob in blocks:
            self.data[at : at + len(blob)] = blob

    def source(self) -> BytesSource:
        return BytesSource(bytes(self.data))
