"""Read-only access to any fsspec URL ("http://", "https://", "s3://", ...), with few requests.

Remote reads are slow per request, not per byte, so the driver:

* reads the first ``first_read`` bytes (1 MiB) at open: the superblock, the root group and,
  in files libhdf5 wrote, much of the metadata lie near the start.  Over HTTP that one
  ranged GET also gives the file's size (its ``Content-Range``), so no HEAD is sent.  By
  default the first read of a file from a server timed before (in this process) asks for
  that server's round trip's worth of bytes if that is more (at most the cache): a small
  file then comes whole in one request;
* keeps a block cache (aligned blocks, LRU) for the small scattered reads of metadata:
  superblock, object headers, B-trees and heaps mostly share a handful of blocks;
* reads ahead on cache misses that continue where the previous miss's fetch ended (a walk
  of metadata libhdf5 allocated in order): each such miss fetches twice as much as the last,
  up to ``max_readahead`` (4 MiB); a miss elsewhere halves the readahead again;
* fetches the rest of a small file whole on the first cache miss (and before the first
  chunk read) when it is no more than one round trip's worth of bytes: the bytes the
  connection moves in the time a request waits for its answer (bandwidth x latency),
  measured on the first GET -- sending them costs less than asking twice;
* sends large reads (chunk data) straight to the storage, without polluting the cache;
* implements :meth:`Driver.read_many` by merging adjacent and nearby ranges into one
  request each and issuing them together (``cat_ranges``; concurrent on async file systems).

``fsspec`` is an optional dependency (the ``remote`` extra), imported when a file is opened.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from ..errors import ReadOnlyError
from .base import Driver, register_driver
from .locking import LockPolicy

BLOCK_SIZE = 64 << 10
"""Default cache block size (bytes)."""
CACHE_BLOCKS = 256
"""Default number of cached blocks (16 MiB with the default block size)."""
MERGE_GAP = 8 << 10
"""Ranges of :meth:`FsspecDriver.read_many` closer than this are fetched as one request."""
MAX_MERGED = 64 << 20
"""Upper bound of one merged request (bytes)."""
PREFETCH_GAP = 256 << 10
"""Missing blocks of a :meth:`FsspecDriver.prefetch` closer than this share one request."""
FIRST_READ = 1 << 20
"""Default bytes read from the start of the file at open."""
MAX_READAHEAD = 4 << 20
"""Default upper bound of the bytes one cache miss fetches by readahead."""
MAX_ROUND_TRIP = 32 << 20
"""Upper bound of the measured round trip's worth of bytes (bandwidth x latency)."""
MIN_SAMPLE = 256 << 10
"""Fewest bytes the first GET must bring for its timing to estimate the bandwidth."""


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


def _span(blocks: dict[int, bytes], first: int, last: int, lo: int, size: int) -> bytes:
    """``size`` bytes from offset ``lo`` of the consecutive ``blocks`` ``first..last``: the
    wanted parts joined in one copy (not the whole blocks joined, then sliced)."""
    if first == last:
        return blocks[first][lo : lo + size]
    head = memoryview(blocks[first])[lo:]
    parts = [head]
    rest = size - len(head)
    for b in range(first + 1, last):
        parts.append(memoryview(blocks[b]))
        rest -= len(blocks[b])
    parts.append(memoryview(blocks[last])[:rest])
    return b"".join(parts)


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


def _block_runs(blocks: list[int]) -> list[list[int]]:
    """Increasing block numbers grouped into runs of consecutive ones."""
    runs: list[list[int]] = []
    for b in blocks:
        if runs and runs[-1][-1] == b - 1:
            runs[-1].append(b)
        else:
            runs.append([b])
    return runs


def _is_http(fs: Any) -> bool:
    try:
        from fsspec.implementations.http import HTTPFileSystem
    except ImportError:  # fsspec without aiohttp cannot have opened an HTTP URL either
        return False
    return isinstance(fs, HTTPFileSystem)


def _http_head_and_size(fs: Any, url: str, n: int) -> tuple[bytes, int | None, int]:
    """The first ``n`` bytes of ``url``, the file's size and the bytes of a round trip,
    from one ranged GET on the file system's own session (its headers and options apply).
    The size comes from the answer's ``Content-Range``, or is the body's length when the
    server sent the whole file; ``None`` when the answer does not say (a compressed
    transfer, no range header).  The round trip's worth of bytes is the body's rate times
    the wait for the answer's headers (:func:`round_trip_bytes`)."""
    from fsspec.asyn import sync

    async def get() -> tuple[bytes, int | None, int]:
        session = await fs.set_session()
        kw = dict(fs.kwargs)
        headers = dict(kw.pop("headers", None) or {})
        headers["Range"] = f"bytes=0-{n - 1}"
        encode = getattr(fs, "encode_url", None)  # quoting as fsspec does, where it does
        sent = time.perf_counter()
        async with session.get(encode(url) if encode else url, headers=headers, **kw) as r:
            answered = time.perf_counter()
            if r.status == 404:
                raise FileNotFoundError(url)
            if r.status == 416:  # an empty file has no byte 0
                return b"", 0, 0
            r.raise_for_status()
            body = bytes(await r.read())
            trip = round_trip_bytes(len(body), answered - sent, time.perf_counter() - answered)
            if r.headers.get("Content-Encoding", "identity") != "identity":
                return b"", None, trip
            if r.status == 200:
                return body[:n], len(body), trip
            total = r.headers.get("Content-Range", "").rpartition("/")[2]
            if r.status == 206 and total.isdigit():
                return body, int(total), trip
            return b"", None, trip

    result: tuple[bytes, int | None, int] = sync(fs.loop, get)
    return result


_ROUND_TRIPS: dict[str, int] = {}
"""The round trip's worth of bytes last measured per server (``scheme://host:port``):
the next file opened from that server asks for that much in its first request."""


def _server_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def round_trip_bytes(nbytes: int, wait: float, transfer: float) -> int:
    """The bytes a connection moves while a request waits for its answer: ``nbytes``
    arrived in ``transfer`` seconds after a ``wait`` for the headers.  Fetching up to
    this many bytes more costs less time than another request.  0 when the sample is too
    small to tell (fewer than :data:`MIN_SAMPLE` bytes)."""
    if nbytes < MIN_SAMPLE or wait <= 0:
        return 0
    rate = nbytes / max(transfer, 1e-4)
    return int(min(MAX_ROUND_TRIP, rate * wait))


@register_driver("fsspec")
class FsspecDriver(Driver):
    """A read-only file behind an fsspec URL.

    Options (``File(url, "r", driver="fsspec", ...)``): ``storage_options`` (a dict given
    to the fsspec file system), ``block_size`` and ``cache_blocks`` (the metadata cache),
    ``first_read`` (bytes read from the start at open; default 1 MiB, or the round trip's
    worth last measured for the server when more), ``max_readahead`` (the most one
    cache miss fetches) and ``round_trip_bytes`` (a file whose unread rest is no larger is
    fetched whole on the first miss; default: measured on the first GET over HTTP, else
    0); 0 turns each off.
    """

    options = (
        "storage_options",
        "block_size",
        "cache_blocks",
        "first_read",
        "max_readahead",
        "round_trip_bytes",
    )
    batched_reads = True

    def __init__(
        self,
        path: str,
        mode: str,
        locking: LockPolicy | None = None,
        storage_options: dict[str, Any] | None = None,
        block_size: int = BLOCK_SIZE,
        cache_blocks: int = CACHE_BLOCKS,
        first_read: int | None = None,
        max_readahead: int = MAX_READAHEAD,
        round_trip_bytes: int | None = None,
    ) -> None:
        if mode != "r":
            raise ReadOnlyError(
                f"cannot open {path!r} for writing: files behind a URL are read-only "
                "(open them with mode 'r')"
            )
        super().__init__(writable=False)
        if (
            block_size <= 0
            or cache_blocks < 0
            or (first_read is not None and first_read < 0)
            or max_readahead < 0
            or (round_trip_bytes is not None and round_trip_bytes < 0)
        ):
            raise ValueError(
                "block_size must be positive; cache_blocks, first_read, max_readahead and "
                "round_trip_bytes not negative"
            )
        fsspec = import_fsspec()
        self.url = path
        self.block_size = int(block_size)
        self.cache_blocks = int(cache_blocks)
        self._blocks: OrderedDict[int, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.requests = 0
        """Requests sent so far: reads, and the size lookup (HEAD) when one was needed."""
        bs = self.block_size
        # readahead state, in blocks: the span the last miss fetched and the next miss's size
        self._max_ahead = max(1, int(max_readahead) // bs) if self.cache_blocks else 1
        self._ahead = 1
        self._last_fetch = (-1, -1)
        self.round_trip_bytes = 0
        """Bytes the connection moves in the time a request waits for its answer."""
        self._fetch_rest = False
        """The rest of the file is to be fetched whole on the next miss or data read."""
        server = _server_of(path)
        first = FIRST_READ if first_read is None else int(first_read)
        if first_read is None and round_trip_bytes is None:
            # a round trip's worth of bytes costs no more than the request itself: asked
            # for at once, a small file from a server timed before comes in one request
            first = max(first, _ROUND_TRIPS.get(server, 0))
        try:
            self.fs, self.path = fsspec.core.url_to_fs(path, **(storage_options or {}))
            # no more than the cache holds: the head is kept there
            head = self._open_head(min(first, self.cache_blocks * bs))
        except FileNotFoundError as e:
            raise FileNotFoundError(2, f"No such file or directory: {path!r}") from e
        if round_trip_bytes is None and self.round_trip_bytes > 0:
            _ROUND_TRIPS[server] = self.round_trip_bytes
        if head:
            whole = len(head) // bs * bs if len(head) < self._size else len(head)
            with self._lock:
                for b in range(0, -(-whole // bs)):
                    self._blocks[b] = head[b * bs : (b + 1) * bs]
                while len(self._blocks) > self.cache_blocks:
                    self._blocks.popitem(last=False)
            n = -(-whole // bs)
            self._last_fetch = (0, n)
            self._ahead = min(self._max_ahead, max(1, n))
        self._whole_fits = self._size <= self.cache_blocks * bs
        """The cache can hold every block of the file: nothing is ever evicted."""
        if round_trip_bytes is not None:
            self.round_trip_bytes = int(round_trip_bytes)
        rest = self._size - len(head)
        self._fetch_rest = (
            0 < rest <= self.round_trip_bytes and self._size <= self.cache_blocks * bs
        )

    # -- the storage ---------------------------------------------------------------------
    def _open_head(self, first_read: int) -> bytes:
        """Set the file size; the first ``first_read`` bytes (fewer at the end of the file)."""
        if first_read and _is_http(self.fs):
            with self._lock:
                self.requests += 1
            head, size, self.round_trip_bytes = _http_head_and_size(
                self.fs, self.path, first_read
            )
            if size is not None:
                self._size = size
                return head
            # no usable Content-Range: ask for the size the ordinary way
        with self._lock:
            self.requests += 1
        self._size = int(self.fs.size(self.path))
        if not first_read or not self._size:
            return b""
        return self._fetch(0, min(first_read, self._size))

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
        if first == last:  # most metadata reads: one cached block, one slice
            with self._lock:
                data = self._blocks.get(first)
                if data is not None:
                    self._blocks.move_to_end(first)
            if data is not None:
                lo = offset - first * bs
                return data[lo : lo + size]
        blocks: dict[int, bytes] = {}
        with self._lock:
            for b in range(first, last + 1):
                data = self._blocks.get(b)
                if data is not None:
                    self._blocks.move_to_end(b)
                    blocks[b] = data
        missing = [b for b in range(first, last + 1) if b not in blocks]
        if missing and self._fetch_rest:
            self._fill_rest()
            return self._cached_read(offset, size)
        if missing:
            runs = _block_runs(missing)  # consecutive missing blocks: one request
            self._read_ahead(runs[-1])
            fetched = self._fetch_runs(runs)
            blocks.update(fetched)
            self._keep(fetched)
        return _span(blocks, first, last, offset - first * bs, size)

    def _fill_rest(self) -> None:
        """Fetch every block of the file the cache lacks (runs of them in parallel), once:
        the file is small enough that this costs less than a request more."""
        bs = self.block_size
        with self._lock:
            if not self._fetch_rest:
                return  # another thread did
            self._fetch_rest = False
            missing = [b for b in range(-(-self._size // bs)) if b not in self._blocks]
        if not missing:
            return
        self._keep(self._fetch_runs(_block_runs(missing)))
        with self._lock:
            self._last_fetch = (0, -(-self._size // bs))

    def _fetch_runs(self, runs: list[list[int]]) -> dict[int, bytes]:
        """The blocks of ``runs`` (runs of consecutive block numbers), a request a run,
        sent together."""
        bs = self.block_size
        spans = [(r[0] * bs, min((r[-1] + 1) * bs, self._size)) for r in runs]
        out: dict[int, bytes] = {}
        for run, data in zip(runs, self._fetch_many(spans)):
            for j, b in enumerate(run):
                out[b] = data[j * bs : (j + 1) * bs]
        return out

    def _keep(self, blocks: dict[int, bytes]) -> None:
        """Put ``blocks`` in the cache (the least recently used leave when it is full)."""
        with self._lock:
            self._blocks.update(blocks)
            while len(self._blocks) > self.cache_blocks:
                self._blocks.popitem(last=False)

    def holds(self, offset: int, size: int) -> bool:
        bs = self.block_size
        first, last = offset // bs, (offset + max(size, 1) - 1) // bs
        with self._lock:
            return all(b in self._blocks for b in range(first, last + 1))

    def _held(self, offset: int, size: int) -> bytes | None:
        """The bytes at ``offset`` when the cache holds all their blocks, else None (the
        blocks are not marked as used: data reads should not keep metadata cached)."""
        bs = self.block_size
        first, last = offset // bs, (offset + size - 1) // bs
        if last - first >= self.cache_blocks:
            return None
        parts: list[bytes] = []
        with self._lock:
            for b in range(first, last + 1):
                data = self._blocks.get(b)
                if data is None:
                    return None
                parts.append(data)
        return _span(dict(zip(range(first, last + 1), parts)), first, last, offset - first * bs, size)

    def _read_ahead(self, run: list[int]) -> None:
        """Extend ``run`` (the last run of missing blocks of a read, in place) by readahead:
        up to the current readahead size, stopping at a block the cache holds or the end of
        the file.  A miss that starts inside or just past the span the previous miss
        fetched doubles the readahead; any other miss halves it."""
        with self._lock:
            start, end = self._last_fetch
            if start <= run[0] <= end + self._ahead:
                self._ahead = min(self._max_ahead, self._ahead * 2)
            else:
                self._ahead = max(1, self._ahead // 2)
            nblocks = -(-self._size // self.block_size)
            stop = min(nblocks, run[0] + self._ahead)
            b = run[-1] + 1
            while b < stop and b not in self._blocks:
                run.append(b)
                b += 1
            self._last_fetch = (run[0], run[-1] + 1)

    def prefetch(self, ranges: Sequence[tuple[int, int]]) -> None:
        """Fetch the blocks of ``ranges`` the cache lacks, in parallel: runs of missing
        blocks at most :data:`PREFETCH_GAP` apart share one request."""
        if not self.cache_blocks:
            return
        if self._fetch_rest:
            self._fill_rest()
            return
        bs = self.block_size
        wanted: set[int] = set()
        for off, size in ranges:
            end = min(off + size, self._size)
            if off < 0 or end <= off:
                continue
            wanted.update(range(off // bs, (end - 1) // bs + 1))
        with self._lock:
            blocks = self._blocks
            missing = []
            for b in sorted(wanted):
                if b in blocks:
                    blocks.move_to_end(b)  # about to be read: not the ones to evict now
                else:
                    missing.append(b)
        # more than the cache holds would evict what the reads are about to need
        missing = missing[: self.cache_blocks]
        if not missing:
            return
        gap = max(1, PREFETCH_GAP // bs)
        runs: list[list[int]] = []
        for b in missing:
            if runs and b - runs[-1][-1] <= gap:
                runs[-1].extend(range(runs[-1][-1] + 1, b + 1))
            else:
                runs.append([b])
        spans = [(r[0] * bs, min((r[-1] + 1) * bs, self._size)) for r in runs]
        datas = self._fetch_many(spans)
        keep = set(missing)  # not the gaps bridged: they would crowd out the blocks asked for
        with self._lock:
            for run, data in zip(runs, datas):
                for j, b in enumerate(run):
                    if b in keep and b not in self._blocks:
                        self._blocks[b] = data[j * bs : (j + 1) * bs]
            while len(self._blocks) > self.cache_blocks:
                self._blocks.popitem(last=False)

    def _bypasses_cache(self, size: int) -> bool:
        return self.cache_blocks == 0 or size > 2 * self.block_size

    # -- Driver ----------------------------------------------------------------------------
    def read(self, offset: int, size: int) -> bytes:
        bs = self.block_size
        first = offset // bs
        if 0 < size and offset >= 0 and offset + size <= (first + 1) * bs and self._whole_fits:
            # a metadata read inside one block of a file the cache holds whole (nothing
            # is ever evicted, so the LRU order needs no update): one lookup, one slice
            data = self._blocks.get(first)
            if data is not None and offset + size <= self._size:
                lo = offset - first * bs
                return data[lo : lo + size]
        if size == 0:
            return b""
        if offset < 0 or offset + size > self._size:
            raise self._short(offset, size, max(0, min(size, self._size - offset)))
        if self._fetch_rest:
            self._fill_rest()
        if self._bypasses_cache(size) and self._held(offset, size) is None:
            data = self._fetch(offset, offset + size)
        else:
            data = self._cached_read(offset, size)
        if len(data) != size:
            raise self._short(offset, size, len(data))
        return data

    def read_many(self, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        """The bytes of every ``(offset, size)`` range, fetched with merged requests; a
        merged request whose ranges the cache holds entirely (the first read, readahead)
        is not sent."""
        if self._fetch_rest:
            self._fill_rest()
        out: list[bytes] = [b""] * len(ranges)
        wanted: list[tuple[int, int]] = []
        wanted_idx: list[int] = []
        for i, (off, size) in enumerate(ranges):
            if off < 0 or off + size > self._size:
                raise self._short(off, size, max(0, min(size, self._size - off)))
            if size:
                wanted.append((off, size))
                wanted_idx.append(i)
        if len(wanted) == 1 and not self._bypasses_cache(wanted[0][1]):
            out[wanted_idx[0]] = self._cached_read(*wanted[0])
            return out
        fetch: list[tuple[int, int, list[int]]] = []
        for start, end, members in merge_ranges(wanted):
            held = [self._held(*wanted[m]) for m in members]
            if all(h is not None for h in held):
                for m, h in zip(members, held):
                    out[wanted_idx[m]] = h or b""
            else:
                fetch.append((start, end, members))
        if fetch:
            datas = self._fetch_many([(s, e) for s, e, _ in fetch])
            for (start, end, members), data in zip(fetch, datas):
                if len(data) != end - start:
                    raise self._short(start, end - start, len(data))
                for m in members:
                    off, size = wanted[m]
                    out[wanted_idx[m]] = data[off - start : off - start + size]
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
