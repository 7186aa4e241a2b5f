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
from h5pure.drivers.fsspec import FsspecDriver, is_remote_url, merge_ranges
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
                with open(p, "rb") as fh:
                    fh.seek(start)
                    self.wfile.write(fh.read(n))
                with server.lock:
                    server.bytes_sent += n

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def reset(self) -> None:
        with self.lock:
            self.gets = self.heads = self.bytes_sent = 0


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[_Server, np.ndarray]]:
    root = tmp_path_factory.mktemp("http")
    rng = np.random.default_rng(7)
    # ~20 MiB of float32, compressible but not trivially so: 80 chunks of 256 KiB
    data = np.round(rng.standard_normal((5120, 1024)), 2).astype(np.float32)
    with h5py.File(root / "big.h5", "w") as f:
        f.create_dataset("data", data=data, chunks=(64, 1024), compression="gzip")
        g = f.create_group("grp")
        g.attrs["note"] = "remote"
        g["small"] = np.arange(10, dtype=np.int64)
        g["contig"] = data[:600]  # contiguous, 2.4 MiB
        g.create_dataset("plain", data=data[:640], chunks=(64, 512))  # chunked, unfiltered
    server = _Server(root)
    server.thread.start()
    try:
        yield server, data
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        server.thread.join(timeout=10)


def test_open_and_read_one_chunk_costs_a_few_requests(served: tuple[_Server, np.ndarray]) -> None:
    server, data = served
    server.reset()
    with h5pure.File(server.url("big.h5"), "r") as f:
        assert f.driver == "fsspec"
        dset = f["data"]
        assert dset.shape == data.shape and dset.chunks == (64, 1024)
        np.testing.assert_array_equal(dset[100:110, 5:500], data[100:110, 5:500])
        assert f["grp"].attrs["note"] == "remote"
        np.testing.assert_array_equal(f["grp/small"][()], np.arange(10))
    # superblock, headers, the chunk B-tree (one cached block run each) + the chunk itself
    assert server.gets <= 6, server.gets
    assert server.bytes_sent < 2 << 20  # far below the 20 MiB file


def test_whole_dataset_in_few_requests(served: tuple[_Server, np.ndarray]) -> None:
    server, data = served
    with h5pure.File(server.url("big.h5"), "r") as f:
        dset = f["data"]
        nchunks = dset.id.get_num_chunks()
        assert nchunks == 80
        server.reset()
        out = dset[...]
        np.testing.assert_array_equal(out, data)
        with h5py.File(server.root / "big.h5", "r") as ref:
            np.testing.assert_array_equal(out, ref["data"][...])
        assert server.gets <= 4, server.gets  # adjacent chunks coalesced (80 chunks)
        server.reset()
        np.testing.assert_array_equal(dset[::7, 3], data[::7, 3])
        assert server.gets <= 4
        np.testing.assert_array_equal(f["grp/contig"][...], data[:600])
        np.testing.assert_array_equal(f["grp/contig"][5:300:3, 7], data[5:300:3, 7])
        np.testing.assert_array_equal(f["grp/plain"][...], data[:640])
        np.testing.assert_array_equal(f["grp/plain"][10:200, 500:600], data[10:200, 500:600])
        drv = f._state.driver
        assert isinstance(drv, FsspecDriver) and drv.requests > 0


def test_read_many_merges_and_cache_serves_metadata(served: tuple[_Server, np.ndarray]) -> None:
    server, _ = served
    raw = (server.root / "big.h5").read_bytes()
    drv = FsspecDriver(server.url("big.h5"), "r", block_size=4096, cache_blocks=4)
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
