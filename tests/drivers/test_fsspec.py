"""The fsspec driver: files read over HTTP from a real server on loopback, counting requests."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure
from h5pure.drivers.fsspec import (
    MAX_ROUND_TRIP,
    FsspecDriver,
    is_remote_url,
    merge_ranges,
    round_trip_bytes,
)
from h5pure.errors import ReadOnlyError

h5py = pytest.importorskip("h5py")
pytest.importorskip("fsspec")
pytest.importorskip("aiohttp")

_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


class _Server:
    """A ThreadingHTTPServer serving one directory with HEAD and single-range GET."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.gets = 0
        self.heads = 0
        self.bytes_sent = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _target(self) -> Path | None:
                p = server.root / self.path.lstrip("/").split("?")[0]
                return p if p.is_file() else None

            def do_HEAD(self) -> None:  # noqa: N802
                with server.lock:
                    server.heads += 1
                p = self._target()
                if p is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(p.stat().st_size))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()

            def do_GET(self) -> None:  # noqa: N802
                with server.lock:
                    server.gets += 1
                p = self._target()
                if p is None:
                    self.send_error(404)
                    return
                size = p.stat().st_size
                m = _RANGE.match(self.headers.get("Range", ""))
                if m:
                    start = int(m.group(1))
                    end = min(int(m.group(2)) if m.group(2) else size - 1, size - 1)
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
                else:
                    start, end = 0, size - 1
                    self.send_response(200)
                n = max(0, end - start + 1)
                self.send_header("Content-Length", str(n))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()
                # counted before the body goes out: a client that has it sees the count
                with server.lock:
                    server.bytes_sent += n
                with open(p, "rb") as fh:
                    fh.seek(start)
                    self.wfile.write(fh.read(n))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def reset(self) -> None:
        with self.lock:
            self.gets = self.heads = self.bytes_sent = 0


ROWS, COLS, CHUNK_ROWS = 6400, 4096, 64
"""The main dataset: 100 MiB of int32 in 100 gzip chunks of 64 rows (1 MiB each)."""


def _big_array() -> np.ndarray:
    """100 MiB that gzip shrinks to about 16 MiB, made in a fraction of a second: a
    smooth ramp plus 2 bits of noise (low entropy, but no two chunks alike)."""
    rng = np.random.default_rng(7)
    ramp = (np.arange(COLS, dtype=np.int32) // 64)[None, :]
    ramp = ramp + (np.arange(ROWS, dtype=np.int32) // 16)[:, None]
    return ramp + rng.integers(0, 4, size=(ROWS, COLS), dtype=np.int8)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[_Server, np.ndarray]]:
    root = tmp_path_factory.mktemp("http")
    data = _big_array()
    assert data.nbytes == 100 << 20
    with h5py.File(root / "big.h5", "w") as f:
        f.create_dataset(
            "data",
            data=data,
            chunks=(CHUNK_ROWS, COLS),
            compression="gzip",
            compression_opts=1,
        )
        g = f.create_group("grp")
        g.attrs["note"] = "remote"
        g["small"] = np.arange(10, dtype=np.int64)
        g["contig"] = data[:150]  # contiguous, 2.4 MiB
        g.create_dataset("plain", data=data[:160], chunks=(64, 512))  # chunked, unfiltered
    server = _Server(root)
    server.thread.start()
    try:
        yield server, data
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        server.thread.join(timeout=10)


def _chunks_touched(rows: slice, cols: slice) -> int:
    """Chunks of the main dataset a ``[rows, cols]`` selection touches (chunks span
    whole rows)."""
    picked = range(ROWS)[rows]
    return len({r // CHUNK_ROWS for r in picked}) if len(range(COLS)[cols]) else 0


INDEX_READS = 4
"""Requests a first read may add for the chunk index (B-tree nodes not yet cached)."""


def test_open_and_read_one_chunk_costs_a_few_requests(served: tuple[_Server, np.ndarray]) -> None:
    server, data = served
    server.reset()
    with h5pure.File(server.url("big.h5"), "r", round_trip_bytes=0) as f:
        assert f.driver == "fsspec"
        dset = f["data"]
        assert dset.shape == data.shape and dset.chunks == (CHUNK_ROWS, COLS)
        opening = server.gets
        assert opening <= 4, opening  # superblock and headers share the first cache block
        np.testing.assert_array_equal(dset[100:110, 5:500], data[100:110, 5:500])
        assert f["grp"].attrs["note"] == "remote"
        np.testing.assert_array_equal(f["grp/small"][()], np.arange(10))
    # the chunk B-tree (one cached block run each) + the one chunk itself
    assert server.gets <= opening + 1 + INDEX_READS, server.gets
    assert server.bytes_sent < 2 << 20  # far below the 16 MiB file


@pytest.mark.parametrize(
    ("rows", "cols"),
    [
        (slice(None), slice(None)),  # all 100 chunks
        (slice(1000, 1100), slice(100, 200)),  # 3 chunks
        (slice(3200, 3210), slice(None)),  # 1 chunk
        (slice(None, None, 7), slice(3, 4)),  # a column: every chunk
        (slice(100, 5000, 640), slice(None, None, 9)),  # 8 chunks, far apart
        (slice(6300, None), slice(4000, None)),  # the last chunks
    ],
)
def test_100mib_dataset_over_http(
    served: tuple[_Server, np.ndarray], rows: slice, cols: slice
) -> None:
    """The whole 100 MiB dataset and parts of it, with the requests bounded by the chunks
    the selection touches; values equal to h5py's local read."""
    server, data = served
    touched = _chunks_touched(rows, cols)
    server.reset()
    with h5pure.File(server.url("big.h5"), "r", round_trip_bytes=0) as f:
        dset = f["data"]
        opening = server.gets
        assert opening <= 4, opening
        server.reset()
        out = dset[rows, cols]
        reading = server.gets
        again = dset[rows, cols]  # the index is cached now: chunks only (or none: the
        # engine may keep decoded chunks)
        rereading = server.gets - reading
        sent = server.bytes_sent
    with h5py.File(server.root / "big.h5", "r") as ref:
        np.testing.assert_array_equal(out, ref["data"][rows, cols])
    np.testing.assert_array_equal(again, out)
    np.testing.assert_array_equal(out, data[rows, cols])
    # at most a request per chunk touched (fewer when adjacent chunks are coalesced)
    assert rereading <= touched, (rereading, touched)
    assert reading <= touched + INDEX_READS, (reading, touched)
    # and no chunk fetched twice within a read: the two whole reads move the file twice
    size = os.path.getsize(server.root / "big.h5")
    if touched == ROWS // CHUNK_ROWS:
        assert sent <= 2 * size + (1 << 20), (sent, size)


def test_other_layouts_over_http(served: tuple[_Server, np.ndarray]) -> None:
    server, data = served
    with h5pure.File(server.url("big.h5"), "r") as f:
        np.testing.assert_array_equal(f["grp/contig"][...], data[:150])
        np.testing.assert_array_equal(f["grp/contig"][5:140:3, 7], data[5:140:3, 7])
        np.testing.assert_array_equal(f["grp/plain"][...], data[:160])
        np.testing.assert_array_equal(f["grp/plain"][10:150, 500:600], data[10:150, 500:600])
        assert f["data"].id.get_num_chunks() == ROWS // CHUNK_ROWS
        drv = f._state.driver
        assert isinstance(drv, FsspecDriver) and drv.requests > 0


def test_read_many_merges_and_cache_serves_metadata(served: tuple[_Server, np.ndarray]) -> None:
    server, _ = served
    raw = (server.root / "big.h5").read_bytes()
    # the cache alone: no read at open, no readahead
    drv = FsspecDriver(
        server.url("big.h5"), "r", block_size=4096, cache_blocks=4, first_read=0, max_readahead=0
    )
    try:
        assert drv.size() == len(raw)
        server.reset()
        ranges = [(5000, 100), (5100, 50), (9000, 10), (1 << 20, 300000), (100, 10)]
        got = drv.read_many(ranges)
        assert got == [raw[o : o + n] for o, n in ranges]
        assert server.gets == 2  # [100, 9010) in one request, the far range in another
        server.reset()
        assert drv.read(10, 20) == raw[10:30]
        assert drv.read(30, 4000) == raw[30:4030]  # blocks 0 and 1: block 1 fetched
        assert drv.read(0, 8192) == raw[:8192]  # cached
        assert server.gets == 2
        for b in range(2, 8):  # evicts blocks 0 and 1 (LRU of 4)
            drv.read(b * 4096, 1)
        server.reset()
        drv.read(0, 1)
        assert server.gets == 1
        with pytest.raises(ReadOnlyError):
            drv.write(0, b"x")
        with pytest.raises(OSError):
            drv.read(len(raw) - 2, 10)
    finally:
        drv.close()


def test_remote_files_are_read_only(served: tuple[_Server, np.ndarray]) -> None:
    server, _ = served
    for mode in ("r+", "a", "w", "w-"):
        with pytest.raises(ReadOnlyError, match="read-only"):
            h5pure.File(server.url("big.h5"), mode)
    with pytest.raises(FileNotFoundError):
        h5pure.File(server.url("missing.h5"), "r")
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        h5pure.File(server.url("big.h5"), "r", driver="fsspec", bogus=1)
    with h5pure.File(server.url("big.h5"), "r", driver="fsspec", block_size=8192) as f:
        assert f.filename == server.url("big.h5")
        assert f["grp/small"][3] == 3


def test_url_detection_and_merging() -> None:
    assert is_remote_url("http://h/x.h5") and is_remote_url("s3://bucket/x.h5")
    assert is_remote_url("simplecache::https://h/x.h5")
    assert not is_remote_url("file:///tmp/x.h5")
    assert not is_remote_url("/tmp/x.h5") and not is_remote_url(os.path.join("a", "b.h5"))
    groups = merge_ranges([(100, 10), (0, 50), (52, 10), (10_000_000, 5)], gap=8)
    assert groups == [(0, 62, [1, 2]), (100, 110, [0]), (10_000_000, 10_000_005, [3])]


def test_missing_fsspec_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_fsspec(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "fsspec" or name.startswith("fsspec."):
            raise ImportError("No module named 'fsspec'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_fsspec)
    with pytest.raises(ImportError, match="'fsspec' package"):
        h5pure.File("http://127.0.0.1:9/x.h5", "r")


def test_fsspec_file_objects(served: tuple[_Server, np.ndarray], tmp_path: Path) -> None:
    """fsspec's own file objects go through the fileobj driver, as in h5py."""
    import fsspec

    server, data = served
    with fsspec.open(server.url("big.h5"), "rb", block_size=1 << 20) as fh:
        with h5pure.File(fh, "r") as f:
            assert f.driver == "fileobj"
            np.testing.assert_array_equal(f["data"][3200:3210, ::5], data[3200:3210, ::5])
            assert f["grp"].attrs["note"] == "remote"
        with h5py.File(fh, "r") as f:  # the same object through libhdf5
            np.testing.assert_array_equal(f["grp/small"][...], np.arange(10))
    # a local file opened read/write through fsspec: written here, read by h5py
    path = tmp_path / "via-fsspec.h5"
    path.touch()
    with fsspec.open(f"file://{path}", "r+b") as fh:
        with h5pure.File(fh, "a") as f:
            f.create_dataset("x", data=data[:64, :100], chunks=(16, 100), compression="gzip")
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(f["x"][...], data[:64, :100])
    with fsspec.open(f"file://{path}", "r+b") as fh:
        with h5pure.File(fh, "r+") as f:
            f["x"][0] = -1
    with h5py.File(path, "r") as f:
        assert (f["x"][0] == -1).all() and (f["x"][1:] == data[1:64, :100]).all()


# -- fewer round trips: the first read, readahead, prefetch (issue 17) -------------------


def test_open_is_one_get_without_head(served: tuple[_Server, np.ndarray]) -> None:
    """Over HTTP the first read's Content-Range gives the size: no HEAD; what it brought
    (the first MiB) serves later reads there without requests."""
    server, _ = served
    raw = (server.root / "big.h5").read_bytes()
    server.reset()
    drv = FsspecDriver(server.url("big.h5"), "r")
    try:
        assert (server.heads, server.gets) == (0, 1)
        assert drv.size() == len(raw) and drv.requests == 1
        assert drv.read(1000, 5000) == raw[1000:6000]
        assert drv.read((1 << 20) - 10, 10) == raw[(1 << 20) - 10 : 1 << 20]
        assert server.gets == 1
    finally:
        drv.close()
    # a file shorter than the first read: its size is the body's length
    (server.root / "tiny.bin").write_bytes(raw[:3000])
    server.reset()
    drv = FsspecDriver(server.url("tiny.bin"), "r")
    try:
        assert drv.size() == 3000 and drv.read(2990, 10) == raw[2990:3000]
        assert (server.heads, server.gets) == (0, 1)
        with pytest.raises(OSError):
            drv.read(2990, 11)
    finally:
        drv.close()
    # an empty file: size 0 from the same GET
    (server.root / "empty.bin").write_bytes(b"")
    server.reset()
    drv = FsspecDriver(server.url("empty.bin"), "r")
    try:
        assert drv.size() == 0 and (server.heads, server.gets) == (0, 1)
    finally:
        drv.close()
    # without a first read, the size comes from a HEAD
    server.reset()
    drv = FsspecDriver(server.url("big.h5"), "r", first_read=0)
    try:
        assert drv.size() == len(raw) and (server.heads, server.gets) == (1, 0)
    finally:
        drv.close()


def test_readahead_grows_on_sequential_misses(served: tuple[_Server, np.ndarray]) -> None:
    server, _ = served
    raw = (server.root / "big.h5").read_bytes()
    bs = 4096
    drv = FsspecDriver(
        server.url("big.h5"), "r", block_size=bs, first_read=bs, max_readahead=16 * bs
    )
    try:
        server.reset()
        # a forward walk over blocks 0-64 (block 0 read at open): misses fetch 2, 4, 8,
        # then 16 blocks (the most) each: 1 + 2 + 4 + 8 + 16 + 16 + 16 + 16 > 65
        got = b"".join(drv.read(b * bs + 7, bs) for b in range(64))
        assert got == raw[7 : 64 * bs + 7]
        assert server.gets == 7, server.gets
        assert server.bytes_sent <= (64 + 16) * bs
        # scattered misses shrink it back to one block each
        server.reset()
        far = [3 << 20, 1 << 20, 5 << 20, 2 << 20, 7 << 20, 4 << 20, 6 << 20]
        for off in far:
            assert drv.read(off, 10) == raw[off : off + 10]
        assert server.gets == len(far)
        assert server.bytes_sent <= (8 + 4 + 2 + 1 + 1 + 1 + 1) * bs
    finally:
        drv.close()


def test_prefetch_fetches_ranges_together(served: tuple[_Server, np.ndarray]) -> None:
    server, _ = served
    raw = (server.root / "big.h5").read_bytes()
    bs = 4096
    drv = FsspecDriver(server.url("big.h5"), "r", block_size=bs, first_read=0)
    try:
        rng = np.random.default_rng(5)
        offsets = sorted(int(o) for o in rng.choice(len(raw) // bs - 2, 40, replace=False) * bs)
        ranges = [(o + 100, 3000) for o in offsets]
        server.reset()
        drv.prefetch([*ranges, (len(raw) - 5, 100), (len(raw) + 10, 5)])  # past the end: ignored
        fetched = server.gets
        # nearby blocks share a request; the requests go out together
        assert 0 < fetched <= len(ranges) + 1
        got = [drv.read(o, n) for o, n in ranges]
        assert got == [raw[o : o + n] for o, n in ranges]
        assert drv.read(len(raw) - 5, 5) == raw[-5:]
        assert server.gets == fetched  # every read came from the cache
    finally:
        drv.close()


def test_group_listing_prefetches_symbol_table_nodes(served: tuple[_Server, np.ndarray]) -> None:
    """A group of 400 members whose symbol table nodes lie scattered among data: listing
    it fetches them in one round of parallel requests, not one request each."""
    server, _ = served
    path = server.root / "wide.h5"
    payload = np.random.default_rng(1).integers(0, 255, 40_000, dtype=np.uint8)
    with h5py.File(path, "w", libver="earliest") as f:
        for i in range(400):
            f.create_dataset(f"d{i:03d}", data=payload)  # 40 KB of data between nodes
    with h5py.File(path, "r") as f:
        names = list(f)
    fetches: list[int] = []  # requests per round trip (one call of the driver's fetch)
    real_fetch_many = FsspecDriver._fetch_many

    def counting(self: FsspecDriver, spans: Any) -> list[bytes]:
        fetches.append(len(spans))
        return real_fetch_many(self, spans)

    server.reset()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(FsspecDriver, "_fetch_many", counting)
        with h5pure.File(server.url("wide.h5"), "r", driver="fsspec", first_read=4096) as f:
            assert list(f) == names
            requests = f._state.driver.requests
    assert requests == server.gets + server.heads
    # after the open (superblock and root): the B-tree's root with the heap's header, its
    # children, then the nodes (25 of 16 members, 1 MiB apart: blocks nearer than 256 KiB
    # share a request) along with the heap's names: 3 round trips, not one per node
    assert server.gets <= 4 + 25, server.gets
    assert len(fetches) <= 3, fetches


def test_batches_fetched_while_decoding(
    served: tuple[_Server, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read of many batches (1 MiB each here) fetches the next while one decodes: the
    values, the requests (about one per batch) and a failed fetch all come out right."""
    from h5pure.lowlevel import dataset as engine

    server, data = served
    monkeypatch.setattr(engine, "_REMOTE_BATCH_BYTES", 1 << 20)
    with h5pure.File(server.url("big.h5"), "r", round_trip_bytes=0) as f:
        dset = f["data"]
        dset.id.get_num_chunks()  # the index, before counting
        server.reset()
        np.testing.assert_array_equal(dset[:, 7:4000:3], data[:, 7:4000:3])
        stored = sum(dset.id.get_chunk_info(i).size for i in range(ROWS // CHUNK_ROWS))
        # each batch holds whole chunks of at most 1 MiB together (one chunk alone when
        # bigger): a request per batch, merged
        assert server.gets <= ROWS // CHUNK_ROWS, server.gets
        assert server.bytes_sent <= stored + (1 << 20)

        drv = f._state.driver
        real = drv.read_many
        calls = []

        def failing(ranges: Any) -> list[bytes]:
            calls.append(len(ranges))
            if len(calls) == 3:
                raise OSError("connection reset")
            return real(ranges)

        monkeypatch.setattr(drv, "read_many", failing)
        with pytest.raises(OSError, match="connection reset"):
            f["data"][:4000]
        assert len(calls) == 3  # stopped at the failure


def test_read_many_serves_cached_bytes_without_requests(served: tuple[_Server, np.ndarray]) -> None:
    server, _ = served
    raw = (server.root / "big.h5").read_bytes()
    drv = FsspecDriver(server.url("big.h5"), "r", round_trip_bytes=0)  # first MiB cached
    try:
        server.reset()
        ranges = [(5000, 300_000), (400_000, 10), ((1 << 20) - 100, 100)]
        assert drv.read_many(ranges) == [raw[o : o + n] for o, n in ranges]
        assert server.gets == 0
        # a range reaching past the cached part is fetched (and only that one)
        ranges = [(10, 10), ((1 << 20) - 100, 200)]
        assert drv.read_many(ranges) == [raw[o : o + n] for o, n in ranges]
        assert server.gets == 1 and server.bytes_sent == 200
    finally:
        drv.close()


# -- a small file is fetched whole on the first miss (issue 17) ---------------------------


def _small_file(root: Path) -> tuple[Path, np.ndarray]:
    """A 3 MiB file with 40 groups spread through it (each with a dataset of its own)."""
    path = root / "small.h5"
    values = np.random.default_rng(11).integers(0, 1000, size=(40, 18_000), dtype=np.int32)
    with h5py.File(path, "w") as f:
        for i in range(40):
            f.create_group(f"g{i:02d}").create_dataset("v", data=values[i], chunks=(4500,))
    return path, values


def test_small_file_fetched_whole_on_the_first_miss(served: tuple[_Server, np.ndarray]) -> None:
    server, _ = served
    path, values = _small_file(server.root)
    size = path.stat().st_size
    assert 2 << 20 < size < 4 << 20
    server.reset()
    with h5pure.File(server.url("small.h5"), "r", round_trip_bytes=8 << 20) as f:
        names: list[str] = []
        f.visit(names.append)
        assert len(names) == 80
        for i in (0, 17, 39):
            np.testing.assert_array_equal(f[f"g{i:02d}/v"][...], values[i])
    # the first MiB at open, everything else in the first miss's round: once each
    assert server.gets == 2, server.gets
    assert server.bytes_sent == size


def test_small_file_not_fetched_whole_when_a_round_trip_moves_less(
    served: tuple[_Server, np.ndarray],
) -> None:
    server, _ = served
    path, values = _small_file(server.root)
    server.reset()
    with h5pure.File(server.url("small.h5"), "r", round_trip_bytes=1 << 20) as f:
        np.testing.assert_array_equal(f["g39/v"][100:200], values[39][100:200])
    assert server.bytes_sent < path.stat().st_size


def test_round_trip_estimate() -> None:
    # 1 MiB in 1 ms after a 20 ms wait: about 20 MiB move while a request waits
    assert round_trip_bytes(1 << 20, 0.020, 0.001) == 20 << 20
    assert round_trip_bytes(1 << 20, 0.5, 0.001) == MAX_ROUND_TRIP  # bounded
    assert round_trip_bytes(4096, 0.020, 0.001) == 0  # too small a sample to tell
    assert round_trip_bytes(1 << 20, 0.0, 0.001) == 0


def test_round_trip_measured_at_open(served: tuple[_Server, np.ndarray]) -> None:
    server, _ = served
    drv = FsspecDriver(server.url("big.h5"), "r")
    try:
        assert 0 < drv.round_trip_bytes <= MAX_ROUND_TRIP
    finally:
        drv.close()
    drv = FsspecDriver(server.url("big.h5"), "r", first_read=4096)  # too small to time
    try:
        assert drv.round_trip_bytes == 0
    finally:
        drv.close()
    with pytest.raises(ValueError, match="round_trip_bytes"):
        FsspecDriver(server.url("big.h5"), "r", round_trip_bytes=-1)


def test_a_server_timed_before_sends_a_small_file_in_one_request(
    served: tuple[_Server, np.ndarray], monkeypatch: Any
) -> None:
    """The round trip measured at one open sizes the next open's first request to that
    server: a small file then comes whole in one request; an explicit ``first_read`` or
    ``round_trip_bytes`` keeps the first request as asked."""
    from h5pure.drivers import fsspec as fsspec_driver

    server, _ = served
    path, values = _small_file(server.root)
    size = path.stat().st_size
    monkeypatch.setattr(fsspec_driver, "_ROUND_TRIPS", {})
    server.reset()
    with h5pure.File(server.url("small.h5"), "r") as f:  # the first open times the server
        np.testing.assert_array_equal(f["g00/v"][...], values[0])
    learned = fsspec_driver._ROUND_TRIPS[fsspec_driver._server_of(server.url("small.h5"))]
    assert learned > 0
    monkeypatch.setitem(
        fsspec_driver._ROUND_TRIPS, fsspec_driver._server_of(server.url("x")), 8 << 20
    )
    server.reset()
    with h5pure.File(server.url("small.h5"), "r") as f:
        names: list[str] = []
        f.visit(names.append)
        assert len(names) == 80
        np.testing.assert_array_equal(f["g39/v"][...], values[39])
    assert server.gets == 1 and server.heads == 0
    assert server.bytes_sent == size
    for kw in ({"first_read": 1 << 20}, {"round_trip_bytes": 0}):
        server.reset()
        with h5pure.File(server.url("small.h5"), "r", **kw) as f:
            assert f["g39/v"].shape == values[39].shape
        assert server.gets >= 2, kw


def test_the_learned_round_trip_is_per_server(monkeypatch: Any) -> None:
    from h5pure.drivers import fsspec as fsspec_driver

    assert fsspec_driver._server_of("http://Example.org:8080/a/b.h5?x=1") == (
        "http://example.org:8080"
    )
    assert fsspec_driver._server_of("https://example.org/a.h5") != fsspec_driver._server_of(
        "https://example.org:8443/a.h5"
    )


def test_a_few_chunks_of_a_large_index_are_found_down_the_tree(
    served: tuple[_Server, np.ndarray], monkeypatch: Any
) -> None:
    """A read touching a few chunks of a dataset with thousands looks them up down its
    v1 B-tree (the nodes on their paths) instead of loading every leaf; chunks never
    written read as the fill value; after a number of reads the whole index is loaded."""
    from h5pure.format import btree_v1
    from h5pure.lowlevel import dataset as engine

    server, _ = served
    path = server.root / "sparse_index.h5"
    data = np.full((400, 400), -7, dtype="i4")
    with h5py.File(path, "w", libver="earliest") as f:
        d = f.create_dataset("s", (400, 400), "i4", chunks=(5, 5), fillvalue=-7, compression="gzip")
        rng = np.random.default_rng(8)
        for r in range(0, 400, 5):
            for c in rng.choice(80, 50, replace=False) * 5:  # 4,000 of 6,400 chunks stored
                block = rng.integers(0, 1000, (5, 5)).astype("i4")
                d[r : r + 5, c : c + 5] = block
                data[r : r + 5, c : c + 5] = block
    descents: list[int] = []
    plain = btree_v1.find_chunks_btree_v1

    def counting(*args: Any, **kw: Any) -> Any:
        descents.append(len(args[4]))
        return plain(*args, **kw)

    monkeypatch.setattr(btree_v1, "find_chunks_btree_v1", counting)
    keys = [np.s_[12:18, 33:41], np.s_[399, :9], np.s_[200:205, 200:205], np.s_[0, 0]]
    with h5pure.File(server.url("sparse_index.h5"), "r", round_trip_bytes=0) as f:
        d = f["s"]
        assert d.shape == (400, 400)
        server.reset()
        np.testing.assert_array_equal(d[keys[0]], data[keys[0]])
        # the path of the touched chunks, a level a round: far fewer than the ~100 leaves
        assert server.gets <= 12, server.gets
        for key in keys[1:]:
            np.testing.assert_array_equal(d[key], data[key])
        assert descents and d._storage._lookup is None  # the index was never loaded whole
        for _ in range(engine._PATH_LOOKUPS):
            np.testing.assert_array_equal(d[keys[0]], data[keys[0]])
        assert d._storage._lookup is not None  # read after read: loaded once, whole
        np.testing.assert_array_equal(d[...], data)


def _leafy(path: Path, dtypes: tuple[str, ...] = ("f4",), compress: bool = True) -> list[np.ndarray]:
    """(1000, 1000) datasets of ``dtypes`` in (25, 25) chunks (1,600 each: a two-level
    chunk B-tree of dozens of leaves among the chunks), written a chunk row at a time,
    the datasets in turn (their chunks and leaves interleave in the file)."""
    rng = np.random.default_rng(11)
    arrays = [(rng.normal(size=(1000, 1000)) * 20).astype(dt) for dt in dtypes]
    kw: dict[str, Any] = {"compression": "gzip", "shuffle": True} if compress else {}
    # no chunk cache: each chunk is allocated as it is written (not all at the close)
    with h5py.File(path, "w", libver="earliest", rdcc_nbytes=0) as f:
        ds = [
            f.create_dataset(f"v{k}", (1000, 1000), a.dtype, chunks=(25, 25), **kw)
            for k, a in enumerate(arrays)
        ]
        for r in range(0, 1000, 25):
            for d, a in zip(ds, arrays):
                d[r : r + 25] = a[r : r + 25]
    return arrays


def _leaves(path: Path, name: str) -> int:
    from h5pure.format import btree_v1

    with h5pure.File(path, "r") as f:
        st = f[name]._storage
        found = btree_v1.chunk_leaf_addresses(st.fs.source, st.fs.ctx, st.layout.index_address, 2)
    assert found is not None
    return len(found[0])


def test_a_whole_read_fetches_the_span_of_the_index_leaves(
    served: tuple[_Server, np.ndarray],
) -> None:
    """A read of most of a dataset whose chunk index has dozens of leaves among its chunks:
    the internal node, then the leaves' span in a few large requests, the chunks taken
    from it -- not a request per leaf and the chunks fetched again."""
    server, _ = served
    path = server.root / "leafy.h5"
    (data,) = _leafy(path)
    leaves = _leaves(path, "v0")
    assert leaves >= 20
    with h5pure.File(server.url("leafy.h5"), "r", round_trip_bytes=0) as f:
        d = f["v0"]
        server.reset()
        np.testing.assert_array_equal(d[...], data)
        assert server.gets <= 6, (server.gets, leaves)
        assert server.bytes_sent <= 1.2 * os.path.getsize(path)
        assert d._storage._lookup is not None  # the index is kept for the next reads
        server.reset()
        np.testing.assert_array_equal(d[10:990, 5:600], data[10:990, 5:600])


def test_the_span_is_not_fetched_for_a_part_or_when_others_fill_it(
    served: tuple[_Server, np.ndarray], monkeypatch: Any
) -> None:
    """Under half the chunks: the index as before.  The leaves of a 4 MB int32 dataset
    spread among three float64 datasets' chunks: their span holds many times its bytes,
    so it is not fetched either; the values are right every way."""
    from h5pure.lowlevel import dataset as engine

    server, _ = served
    regions: list[int] = []
    plain = engine._Region.__init__

    def counting(self: Any, start: int, parts: list[bytes]) -> None:
        regions.append(sum(len(p) for p in parts))
        plain(self, start, parts)

    monkeypatch.setattr(engine._Region, "__init__", counting)
    path = server.root / "interleaved.h5"
    arrays = _leafy(path, ("i4", "f8", "f8", "f8"), compress=False)
    assert _leaves(path, "v0") >= 20
    with h5pure.File(server.url("interleaved.h5"), "r", round_trip_bytes=0) as f:
        np.testing.assert_array_equal(f["v0"][...], arrays[0])
    assert regions == []
    path = server.root / "leafy_part.h5"
    (data,) = _leafy(path)
    with h5pure.File(server.url("leafy_part.h5"), "r", round_trip_bytes=0) as f:
        np.testing.assert_array_equal(f["v0"][:400], data[:400])
        assert regions == []
        np.testing.assert_array_equal(f["v0"][...], data)  # the index is loaded by now
    assert regions == []


def test_a_corrupt_leaf_address_in_the_span_path_names_the_dataset(
    served: tuple[_Server, np.ndarray],
) -> None:
    server, _ = served
    path = server.root / "leafy_bad.h5"
    _leafy(path)
    from h5pure.format import btree_v1

    with h5pure.File(path, "r") as f:
        st = f["v0"]._storage
        root = st.layout.index_address
        leaves, _ = btree_v1.chunk_leaf_addresses(st.fs.source, st.fs.ctx, root, 2)
    raw = bytearray(path.read_bytes())
    at = raw.index(leaves[3].to_bytes(8, "little"), root)
    raw[at : at + 8] = (len(raw) + 4096).to_bytes(8, "little")  # a leaf past the end
    path.write_bytes(bytes(raw))
    with h5pure.File(server.url("leafy_bad.h5"), "r", round_trip_bytes=0) as f:
        with pytest.raises(OSError, match="dataset at 0x.*beyond the end of the file"):
            f["v0"][...]


def test_a_span_larger_than_the_cap_is_not_held(
    served: tuple[_Server, np.ndarray], monkeypatch: Any
) -> None:
    """The span is held in memory for the read: above ``_REGION_MAX`` the index is loaded
    and the chunks fetched in batches as before."""
    from h5pure.lowlevel import dataset as engine

    server, _ = served
    path = server.root / "leafy_cap.h5"
    (data,) = _leafy(path)
    monkeypatch.setattr(engine, "_REGION_MAX", 1 << 20)
    regions: list[int] = []
    plain = engine._Region.__init__
    monkeypatch.setattr(
        engine._Region, "__init__", lambda self, start, parts: (regions.append(1), plain(self, start, parts))[1]
    )
    with h5pure.File(server.url("leafy_cap.h5"), "r", round_trip_bytes=0) as f:
        np.testing.assert_array_equal(f["v0"][...], data)
    assert regions == []
