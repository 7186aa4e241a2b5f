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
