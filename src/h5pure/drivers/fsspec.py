"""Read-only access to any fsspec URL ("http://", "https://", "s3://", ...), with few requests.

Remote reads are slow per request, not per byte, so the driver:

* keeps a block cache (aligned blocks, LRU) for the small scattered reads of metadata:
  superblock, object headers, B-trees and heaps mostly share a handful of blocks;
* sends large reads (chunk data) straight to the storage, without polluting the cache;
* implements :meth:`Driver.read_many` by merging adjacent and nearby ranges into one
  request each and issuing them together (``cat_ranges``; concurrent on async file systems).

``fsspec`` is an optional dependency (the ``remote`` extra), imported when a file is opened.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from ..errors import ReadOnlyError
from .base import Driver, register_driver
from .locking import LockPolicy

BLOCK_SIZE = 64 << 10
"""Default cache block size (bytes)."""
CACHE_BLOCKS = 256
"""Default number of cached blocks (16 MiB with the default block size)."""
MERGE_GAP = 8 << 10
"""Ranges of :meth:`FsspecDriver.read_many` closer than this are fetched as one request."""
MAX_MERGED = 32 << 20
"""Upper bound of one merged request (bytes)."""


def import_fsspec() -> Any:
    try:
        import fsspec
    except ImportError as e:
        raise ImportError(
            "reading a file by URL needs the 'fsspec' package "
            "(pip install fsspec, or pip install 'h5pure[remote]')"
        ) from e
    return fsspec


def is_remote_url(name: str) -> bool:
    """True for "protocol://..." names other than local "file://" ones."""
    head, sep, _ = name.partition("://")
    if not sep or not head:
        return False
    protocols = head.lower().split("::")[0].split("+")
    return protocols != ["file"] and all(p.isidentifier() or p.isalnum() for p in protocols)


def merge_ranges(
    ranges: Sequence[tuple[int, int]], gap: int = MERGE_GAP, limit: int = MAX_MERGED
) -> list[tuple[int, int, list[int]]]:
    """Group ``(offset, size)`` ranges into ``(start, end, [indices])`` requests: ranges
    that overlap or lie within ``gap`` bytes of each other share one request of at most
    ``limit`` bytes (a single larger range is never split)."""
    order = sorted(range(len(ranges)), key=lambda i: ranges[i][0])
    groups: list[tuple[int, int, list[int]]] = []
    for i in order:
        off, size = ranges[i]
        end = off + size
        if groups:
            start, gend, members = groups[-1]
            if off <= gend + gap and max(gend, end) - start <= limit:
                groups[-1] = (start, max(gend, end), [*members, i])
                continue
        groups.append((off, end, [i]))
    return groups


@register_driver("fsspec")
class FsspecDriver(Driver):
    """A read-only file behind an fsspec URL.

    Options (``File(url, "r", driver="fsspec", ...)``): ``storage_options`` (a dict given
    to the fsspec file system), ``block_size`` and ``cache_blocks`` (the metadata cache).
    """

    options = ("storage_options", "block_size", "cache_blocks")
    batched_reads = True

    def __init__(
        self,
        path: str,
        mode: str,
        locking: LockPolicy | None = None,
        storage_options: dict[str, Any] | None = None,
        block_size: int = BLOCK_SIZE,
        cache_blocks: int = CACHE_BLOCKS,
    ) -> None:
        if mode != "r":
            raise ReadOnlyError(
                f"cannot open {path!r} for writing: files behind a URL are read-only "
                "(open them with mode 'r')"
            )
        super().__init__(writable=False)
        if block_size <= 0 or cache_blocks < 0:
            raise ValueError("block_size must be positive and cache_blocks not negative")
        fsspec = import_fsspec()
        self.url = path
        try:
            self.fs, self.path = fsspec.core.url_to_fs(path, **(storage_options or {}))
            self._size = int(self.fs.size(self.path))
        except FileNotFoundError as e:
            raise FileNotFoundError(2, f"No such file or directory: {path!r}") from e
        self.block_size = int(block_size)
        self.cache_blocks = int(cache_blocks)
        self._blocks: OrderedDict[int, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.requests = 0
        """Requests sent so far (reads only; the size lookup at open is not counted)."""

    # -- the storage ---------------------------------------------------------------------
    def _fetch(self, start: int, end: int) -> bytes:
        with self._lock:
            self.requests += 1
        data = self.fs.cat_file(self.path, start=start, end=end)
        return bytes(data)

    def _fetch_many(self, spans: Sequence[tuple[int, int]]) -> list[bytes]:
        if len(spans) == 1:
            return [self._fetch(*spans[0])]
        with self._lock:
            self.requests += len(spans)
        n = len(spans)
        out = self.fs.cat_ranges(
            [self.path] * n, [s for s, _ in spans], [e for _, e in spans], on_error="raise"
        )
        return [bytes(d) for d in out]

    # -- the cache -----------------------------------------------------------------------
    def _cached_read(self, offset: int, size: int) -> bytes:
        bs = self.block_size
        first, last = offset // bs, (offset + size - 1) // bs
        blocks: dict[int, bytes] = {}
        with self._lock:
            for b in range(first, last + 1):
                data = self._blocks.get(b)
                if data is not None:
                    self._blocks.move_to_end(b)
                    blocks[b] = data
        missing = [b for b in range(first, last + 1) if b not in blocks]
        if missing:
            # consecutive missing blocks come in one request
            runs: list[list[int]] = []
            for b in missing:
                if runs and runs[-1][-1] == b - 1:
                    runs[-1].append(b)
                else:
                    runs.append([b])
            spans = [(r[0] * bs, min((r[-1] + 1) * bs, self._size)) for r in runs]
            for run, data in zip(runs, self._fetch_many(spans)):
                for j, b in enumerate(run):
                    blocks[b] = data[j * bs : (j + 1) * bs]
            with self._lock:
                for b in missing:
                    self._blocks[b] = blocks[b]
                while len(self._blocks) > self.cache_blocks:
                    self._blocks.popitem(last=False)
        joined = b"".join(blocks[b] for b in range(first, last + 1))
        lo = offset - first * bs
        return joined[lo : lo + size]

    def _bypasses_cache(self, size: int) -> bool:
        return self.cache_blocks == 0 or size > 2 * self.block_size

    # -- Driver ----------------------------------------------------------------------------
    def read(self, offset: int, size: int) -> bytes:
        if size == 0:
            return b""
        if offset < 0 or offset + size > self._size:
            raise self._short(offset, size, max(0, min(size, self._size - offset)))
        if self._bypasses_cache(size):
            data = self._fetch(offset, offset + size)
        else:
            data = self._cached_read(offset, size)
        if len(data) != size:
            raise self._short(offset, size, len(data))
        return data

    def read_many(self, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        """The bytes of every ``(offset, size)`` range, fetched with merged requests."""
        out: list[bytes] = [b""] * len(ranges)
        direct: list[tuple[int, int]] = []
        direct_idx: list[int] = []
        for i, (off, size) in enumerate(ranges):
            if off < 0 or off + size > self._size:
                raise self._short(off, size, max(0, min(size, self._size - off)))
            if size == 0:
                continue
            if self._bypasses_cache(size) or len(ranges) > 1:
                direct.append((off, size))
                direct_idx.append(i)
            else:
                out[i] = self._cached_read(off, size)
        if direct:
            groups = merge_ranges(direct)
            datas = self._fetch_many([(s, e) for s, e, _ in groups])
            for (start, end, members), data in zip(groups, datas):
                if len(data) != end - start:
                    raise self._short(start, end - start, len(data))
                for m in members:
                    off, size = direct[m]
                    out[direct_idx[m]] = data[off - start : off - start + size]
        return out

    def size(self) -> int:
        return self._size

    def _write(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        raise ReadOnlyError("files behind a URL are read-only")

    def close(self) -> None:
        with self._lock:
            self._blocks.clear()
        super().close()

    @classmethod
    def exists(cls, path: str) -> bool:
        fsspec = import_fsspec()
        fs, p = fsspec.core.url_to_fs(path)
        return bool(fs.exists(p))
