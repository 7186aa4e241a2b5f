"""File space: one allocator for every byte h5pure writes.

New space comes from the end of the file; space freed in the session is reused, first fit,
lowest address first, so the same sequence of calls always gives the same addresses (MPI
ranks rely on this).  Space freed since the last commit is *pending*: it becomes reusable
only after the next commit point, so the metadata of the last flush never points at bytes
that were overwritten (crash consistency).  Freed space touching the end of the file
shrinks the end-of-file address instead.  Space handed out since the last commit is
*fresh*: no committed structure uses it, so it may be written before the commit that
publishes it; any other write to the file is an in-place change the commit journals.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field


@dataclass
class Allocator:
    """Relative addresses; ``eoa`` is the end-of-allocation (the superblock's EOF - base)."""

    eoa: int
    free: list[tuple[int, int]] = field(default_factory=list)
    """Reusable (address, size) blocks, sorted by address, coalesced."""
    pending: list[tuple[int, int]] = field(default_factory=list)
    """Blocks freed since the last commit."""
    fresh: list[tuple[int, int]] = field(default_factory=list)
    """Blocks allocated since the last commit, sorted, coalesced."""
    hold: int = 0
    """Commits that freed space waits beyond the next before reuse: a SWMR writer holds
    it (readers in other processes may still follow the structures of a recent commit)."""
    aging: list[list[tuple[int, int]]] = field(default_factory=list)
    """Freed blocks held back, one list per commit, oldest first (``hold`` > 0)."""
    align_threshold: int = 1
    align_interval: int = 1
    """h5py's ``alignment_threshold``/``alignment_interval`` (libhdf5's
    ``H5Pset_alignment``): an allocation of at least the threshold starts at a multiple of
    the interval."""
    page_size: int = 0
    """A file with the "page" file space strategy (libhdf5's paged aggregation): an
    allocation of at least a page starts on a page boundary, a smaller one never
    crosses one (0: no pages)."""

    def allocate(self, size: int, align: int = 1) -> int:
        """Address of ``size`` new bytes, a multiple of ``align`` (and of the file's
        alignment interval when ``size`` reaches its threshold)."""
        if size <= 0:
            raise ValueError(f"allocation size must be positive, not {size}")
        if self.align_interval > 1 and size >= self.align_threshold:
            align = math.lcm(align, self.align_interval)
        page = self.page_size
        if page and size >= page:
            align = math.lcm(align, page)
        for i, (addr, avail) in enumerate(self.free):
            start = self._paged(-(-addr // align) * align, size, align)
            waste = start - addr
            if avail - waste >= size:
                del self.free[i]
                if waste:
                    self._insert(self.free, addr, waste)
                if avail - waste > size:
                    self._insert(self.free, start + size, avail - waste - size)
                self._insert(self.fresh, start, size)
                return start
        start = self._paged(-(-self.eoa // align) * align, size, align)
        if start > self.eoa:
            self._insert(self.free, self.eoa, start - self.eoa)
        self.eoa = start + size
        fresh = self.fresh
        if fresh and fresh[-1][0] + fresh[-1][1] == start:
            # the usual case, space after the last fresh block: what _insert would merge
            fresh[-1] = (fresh[-1][0], fresh[-1][1] + size)
        else:
            self._insert(fresh, start, size)
        return start

    def _paged(self, start: int, size: int, align: int) -> int:
        """``start``, or the next page boundary (a multiple of ``align``) when a block
        smaller than a page would cross one there."""
        page = self.page_size
        if page and size < page and start // page != (start + size - 1) // page:
            boundary = -(-start // page) * page
            return -(-boundary // align) * align
        return start

    def is_fresh(self, address: int, size: int) -> bool:
        """Whether ``[address, address + size)`` lies in space allocated since the last
        commit (no committed structure uses it: it may be written in place)."""
        i = bisect.bisect_right(self.fresh, (address, 1 << 63)) - 1
        if i < 0:
            return False
        start, length = self.fresh[i]
        return start <= address and address + size <= start + length

    def release(self, address: int, size: int) -> None:
        """Give back ``size`` bytes at ``address``; reusable after the next commit."""
        if size > 0:
            self.pending.append((address, size))

    def commit(self) -> None:
        """The last flush is on disk: space freed before it may now be reused (after
        ``hold`` more commits)."""
        self.aging.append(self.pending)
        self.pending = []
        while len(self.aging) > self.hold:
            for addr, size in self.aging.pop(0):
                self._insert(self.free, addr, size)
        self.fresh.clear()
        # free space at the end of the file shrinks the file instead
        while self.free and self.free[-1][0] + self.free[-1][1] == self.eoa:
            addr, _ = self.free.pop()
            self.eoa = addr

    @staticmethod
    def _insert(blocks: list[tuple[int, int]], address: int, size: int) -> None:
        i = bisect.bisect_left(blocks, (address, 0))
        # merge with the following block
        if i < len(blocks) and address + size == blocks[i][0]:
            size += blocks[i][1]
            del blocks[i]
        # merge with the preceding block
        if i > 0 and blocks[i - 1][0] + blocks[i - 1][1] == address:
            address = blocks[i - 1][0]
            size += blocks[i - 1][1]
            del blocks[i - 1]
            i -= 1
        blocks.insert(i, (address, size))

    @property
    def free_bytes(self) -> int:
        held = sum(size for blocks in self.aging for _, size in blocks)
        return sum(size for _, size in self.free) + sum(size for _, size in self.pending) + held
