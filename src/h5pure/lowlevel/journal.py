"""Finishing a commit that was interrupted (a killed writer, a power cut).

A commit that changes bytes the committed state uses journals them first
(:mod:`h5pure.format.journal`: the record past the end of the file, then a pointer where the
superblock signature was).  Opening such a file finds the pointer instead of the signature:

- opened to write, the record is replayed on disk (the in-place writes, a barrier, then
  the superblock, which overwrites the pointer): the file is then the committed state of
  that commit for every reader, h5py included;
- opened read-only, the file is not touched: the file is read through an
  :class:`OverlayDriver` that answers with the record's bytes where it changes them.

Until a writer replays it, libhdf5 finds no superblock in such a file and refuses it
("file signature not found"); it never sees half a commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..drivers.base import Driver
from ..errors import FormatError
from ..format.journal import (
    POINTER_MAGIC,
    POINTER_SIZE,
    JournalRecord,
    decode_pointer,
    decode_record,
)
from ..format.superblock import SIGNATURE

__all__ = ["InterruptedCommit", "OverlayDriver", "find_interrupted_commit", "replay"]

_MAX_PROBE = 1 << 62


@dataclass(frozen=True)
class InterruptedCommit:
    """A commit whose journal is complete and whose in-place writes may not be."""

    base: int
    """Absolute offset of the superblock (the record's addresses are relative to it)."""
    record: JournalRecord
    record_address: int
    """Absolute offset of the record (past the end of the file it commits)."""

    def absolute(self) -> list[tuple[int, bytes]]:
        """The record's writes at absolute offsets, in order (the superblock last)."""
        return [(self.base + address, data) for address, data in self.record.entries]


def find_interrupted_commit(driver: Driver, name: str = "") -> InterruptedCommit | None:
    """The interrupted commit of the file on ``driver``, or None: where the superblock
    signature is looked for (0, 512, 1024, ...), a journal pointer stands instead.  A
    damaged pointer or record raises FormatError naming the file."""
    size = driver.size()
    offset = 0
    where = f"{name!r}: " if name else ""
    while offset + len(SIGNATURE) <= size and offset < _MAX_PROBE:
        head = driver.read(offset, len(SIGNATURE))
        if head == SIGNATURE:
            return None
        if head == POINTER_MAGIC and offset + POINTER_SIZE <= size:
            at = f"{where}journal pointer at 0x{offset:x}"
            address, length = decode_pointer(driver.read(offset, POINTER_SIZE), at)
            if address + length > size:
                raise FormatError(
                    f"{at}: the interrupted commit's journal (0x{address:x}, {length} bytes) "
                    f"lies past the end of the file ({size} bytes)"
                )
            record = decode_record(
                driver.read(address, length), f"{where}journal record at 0x{address:x}"
            )
            if not record.entries:
                raise FormatError(f"{at}: the interrupted commit's journal is empty")
            return InterruptedCommit(offset, record, address)
        offset = 512 if offset == 0 else offset * 2
    return None


def replay(driver: Driver, commit: InterruptedCommit, sync: bool) -> None:
    """Finish ``commit`` on disk: every in-place write, a barrier, then the superblock
    (its last entry), which replaces the pointer.  Replaying twice is harmless."""
    writes = commit.absolute()
    for offset, data in writes[:-1]:
        driver.write(offset, data)
    _barrier(driver, sync)
    offset, data = writes[-1]
    driver.write(offset, data)
    _barrier(driver, sync)


def _barrier(driver: Driver, sync: bool) -> None:
    if sync:
        driver.sync()
    else:
        driver.flush()


class OverlayDriver(Driver):
    """A read-only view of a file with an interrupted commit's writes applied in memory."""

    def __init__(self, inner: Driver, writes: Sequence[tuple[int, bytes]]) -> None:
        super().__init__(writable=False)
        self.inner = inner
        self.name = inner.name
        self._writes = [(int(o), bytes(d)) for o, d in writes]

    def read(self, offset: int, size: int) -> bytes:
        end = offset + size
        touched = [(o, d) for o, d in self._writes if o < end and o + len(d) > offset]
        if not touched:
            return self.inner.read(offset, size)
        known = max(self.inner.size(), max(o + len(d) for o, d in self._writes))
        if end > known:
            raise self._short(offset, size, max(0, known - offset))
        inner_end = min(end, self.inner.size())
        buf = bytearray(
            self.inner.read(offset, inner_end - offset) if inner_end > offset else b""
        )
        buf.extend(bytes(size - len(buf)))
        for o, d in touched:  # in record order: a later write wins
            lo, hi = max(o, offset), min(o + len(d), end)
            buf[lo - offset : hi - offset] = d[lo - o : hi - o]
        return bytes(buf)

    def size(self) -> int:
        return max(self.inner.size(), max((o + len(d) for o, d in self._writes), default=0))

    def close(self) -> None:
        self.inner.close()
        super().close()

    def driver_info(self) -> tuple[str, bytes] | None:
        return self.inner.driver_info()

    def accept_driver_info(self, driver_id: str, info: bytes) -> None:
        self.inner.accept_driver_info(driver_id, info)

    def __getattr__(self, name: str) -> Any:
        # the wrapped driver's own attributes (path, memb_size, locking...)
        return getattr(self.inner, name)
