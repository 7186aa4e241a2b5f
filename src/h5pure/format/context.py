"""The format context: the per-file widths and base address every decoder needs.

HDF5 File Format Specification 4.0, II.A: "Size of Offsets" and "Size of Lengths" are
stored in the superblock and may be 2, 4 or 8 bytes; every address in the file is relative
to the base address (the superblock's offset when a user block precedes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class ByteSource(Protocol):
    """Reads bytes at *relative* file addresses (the base address is already applied).

    The format layer never opens files; it walks linked structures (B-trees, heaps,
    continuation chunks) through this protocol, which ``lowlevel`` implements on top of a
    driver.  ``read`` must raise :class:`h5pure.errors.FormatError` when the range lies
    beyond the end of the file, never return short data.
    """

    def read(self, address: int, size: int) -> bytes: ...


def prefetch(source: ByteSource, ranges: list[tuple[int, int]]) -> None:
    """Tell ``source`` that the ``(address, size)`` ranges will be read soon, when it takes
    the hint (``lowlevel``'s file source passes it to the driver: a remote driver fetches
    them in parallel).  Sizes may be estimates: a range may be read past or short of them."""
    hint = getattr(source, "prefetch", None)
    if hint is not None and len(ranges) > 1:
        hint(ranges)


@dataclass(frozen=True)
class FormatContext:
    """Widths that depend on the file, resolved once from the superblock."""

    size_of_offsets: int = 8
    """Bytes in an address field (2, 4 or 8)."""
    size_of_lengths: int = 8
    """Bytes in a length field (2, 4 or 8)."""
    base_address: int = 0
    """Absolute file offset that relative addresses are measured from (the user block size)."""
    eof_address: int | None = None
    """End-of-file address (relative) as stored in the superblock, when known."""

    @property
    def undefined_address(self) -> int:
        """The all-ones value that marks an undefined address (App. A)."""
        return (1 << (8 * self.size_of_offsets)) - 1

    def is_undefined(self, address: int) -> bool:
        return address == self.undefined_address

    @property
    def unlimited_size(self) -> int:
        """The all-ones length value that marks an unlimited dimension (App. A)."""
        return (1 << (8 * self.size_of_lengths)) - 1


DEFAULT_CONTEXT = FormatContext()
