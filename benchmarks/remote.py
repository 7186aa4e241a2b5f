"""Remote reads: h5pure's fsspec driver against h5py over an fsspec file object, served by
a loopback HTTP server that waits ``--latency-ms`` before answering each request.

    python benchmarks/remote.py [--latency-ms 20] [--repeat 3] [--json out.json]

The file (written with h5py at start-up into a temporary directory, netCDF-4 style): 200
groups of 4 small chunked gzip datasets with attributes (1,000 objects with the groups),
plus one float32 variable of (2000, 1000) in (100, 100) gzip chunks.  Scenarios:

- ``visit``: open the file and list every object name (``visit``);
- ``whole``: open and read the large variable whole;
- ``chunks``: open and read 10 single-chunk slices of it at seeded random chunk positions.

h5pure opens the URL itself (``h5pure.File(url, "r")``, the fsspec driver); h5py opens
``fsspec.open(url, "rb").open()`` with fsspec's default HTTP settings.  Each repeat opens a
fresh file object (no cache carries over); times include open and close.  The server counts
requests (HEAD and GET) and body bytes per run; the table shows the median time of each
library, its requests and bytes, and the ratio h5pure / h5py (lower is better).  Results
of the two libraries are compared; a mismatch exits with status 1.  Not part of the test
suite.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np

GROUPS, PER_GROUP = 200, 4
VAR_SHAPE, VAR_CHUNKS = [2000, 1000], (100, 100)
"""The large variable's shape (``--var-shape`` changes it) and chunks."""
N_SCATTERED = 10

_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class LatencyServer:
    """A threaded HTTP server for one directory: HEAD with Content-Length, GET with one
    ``bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` range, each answer delayed by ``latency``
    seconds; counts requests and body bytes."""

    def __init__(self, root: Path, latency: float) -> None:
        self.root = root
        self.latency = latency
        self.lock = threading.Lock()
        self.heads = self.gets = self.bytes_sent = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _file(self) -> Path | None:
                p = server.root / self.path.lstrip("/").split("?")[0]
                return p if p.is_file() else None

            def do_HEAD(self) -> None:  # noqa: N802
                time.sleep(server.latency)
                with server.lock:
                    server.heads += 1
                p = self._file()
                if p is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(p.stat().st_size))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()

            def do_GET(self) -> None:  # noqa: N802
                time.sleep(server.latency)
                with server.lock:
                    server.gets += 1
                p = self._file()
                if p is None:
                    self.send_error(404)
                    return
                size = p.stat().st_size
                m = _RANGE.match(self.headers.get("Range", "").strip())
                if m and (m.group(1) or m.group(2)):
                    if not m.group(1):  # suffix: the last n bytes
                        start, end = max(0, size - int(m.group(2))), size - 1
                    else:
                        start = int(m.group(1))
                        end = min(int(m.group(2)) if m.group(2) else size - 1, size - 1)
                    if start >= size:
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{size}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
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

        class Server(ThreadingHTTPServer):
            # the default backlog of 5 drops the connections of a burst of parallel
            # requests, which then wait for a SYN retransmission (a second or more)
            request_queue_size = 256

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def reset(self) -> None:
        with self.lock:
            self.heads = self.gets = self.bytes_sent = 0

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return self.heads + self.gets, self.bytes_sent

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def variable() -> np.ndarray:
    """The large variable: a smooth field plus noise (compresses about 2:1)."""
    rng = np.random.default_rng(17)
    y = np.linspace(0, 6, VAR_SHAPE[0], dtype=np.float32)[:, None]
    x = np.linspace(0, 9, VAR_SHAPE[1], dtype=np.float32)[None, :]
    field = np.sin(y) * np.cos(x) * 100
    noise = rng.normal(0, 1, tuple(VAR_SHAPE)).astype(np.float32).round(1)
    return (field + noise).astype(np.float32)


def make_file(path: Path) -> np.ndarray:
    import h5py

    data = variable()
    rng = np.random.default_rng(3)
    with h5py.File(path, "w") as f:
        f.attrs["Conventions"] = "CF-1.8"
        f.attrs["title"] = "h5pure remote benchmark"
        for g in range(GROUPS):
            grp = f.create_group(f"station_{g:03d}")
            grp.attrs["id"] = g
            grp.attrs["name"] = f"station {g}"
            grp.attrs["lat_lon"] = rng.uniform(-90, 90, 2)
            for k in range(PER_GROUP):
                d = grp.create_dataset(
                    f"var{k}",
                    data=rng.normal(size=64).astype(np.float32),
                    chunks=(32,),
                    compression="gzip",
                )
                d.attrs["units"] = "K"
                d.attrs["_FillValue"] = np.float32(-9999)
        v = f.create_dataset(
            "temperature", data=data, chunks=VAR_CHUNKS, compression="gzip", shuffle=True
        )
        v.attrs["units"] = "K"
        v.attrs["long_name"] = "air temperature"
    return data


def scattered_slices() -> list[tuple[slice, slice]]:
    grid = (VAR_SHAPE[0] // VAR_CHUNKS[0], VAR_SHAPE[1] // VAR_CHUNKS[1])
    rng = np.random.default_rng(2026)
    picks = rng.choice(grid[0] * grid[1], N_SCATTERED, replace=False)
    out = []
    for p in picks:
        r, c = divmod(int(p), grid[1])
        out.append(
            (
                slice(r * VAR_CHUNKS[0], (r + 1) * VAR_CHUNKS[0]),
                slice(c * VAR_CHUNKS[1], (c + 1) * VAR_CHUNKS[1]),
            )
        )
    return out


# -- scenarios: each takes an open file (either library) and returns a comparable result
def scenario_visit(f: Any) -> Any:
    names: list[str] = []
    f.visit(names.append)
    return sorted(names)


def scenario_whole(f: Any) -> Any:
    return f["temperature"][...]


def scenario_chunks(f: Any) -> Any:
    v = f["temperature"]
    return [v[key] for key in scattered_slices()]


SCENARIOS: dict[str, Callable[[Any], Any]] = {
    "visit": scenario_visit,
    "whole": scenario_whole,
    "chunks": scenario_chunks,
}


def open_h5py(url: str) -> tuple[Any, Callable[[], None]]:
    import fsspec
    import h5py

    fobj = fsspec.open(url, "rb").open()
    f = h5py.File(fobj, "r")

    def close() -> None:
        f.close()
        fobj.close()

    return f, close


def open_h5pure(url: str) -> tuple[Any, Callable[[], None]]:
    import h5pure

    f = h5pure.File(url, "r")
    return f, f.close


OPENERS = {"h5py": open_h5py, "h5pure": open_h5pure}


@dataclass
class Run:
    seconds: float
    requests: int
    bytes: int
    result: Any


def timed(server: LatencyServer, url: str, lib: str, fn: Callable[[Any], Any]) -> Run:
    server.reset()
    t0 = time.perf_counter()
    f, close = OPENERS[lib](url)
    try:
        result = fn(f)
    finally:
        close()
    elapsed = time.perf_counter() - t0
    requests, nbytes = server.counts()
    return Run(elapsed, requests, nbytes, result)


def same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(np.array_equal(a, b))
    return bool(a == b)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--latency-ms", type=float, default=20.0)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--only", default="", help="comma-separated scenarios")
    p.add_argument(
        "--var-shape",
        default="2000x1000",
        help="shape of the large variable, ROWSxCOLS (multiples of 100)",
    )
    p.add_argument("--json", dest="json_out", default=None)
    args = p.parse_args(argv)
    names = [s for s in args.only.split(",") if s] or list(SCENARIOS)
    VAR_SHAPE[:] = [int(n) for n in args.var_shape.lower().split("x")]

    rows: list[dict[str, Any]] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="h5pure-remote-") as tmp:
        root = Path(tmp)
        data = make_file(root / "file.h5")
        size = (root / "file.h5").stat().st_size
        server = LatencyServer(root, args.latency_ms / 1000)
        url = server.url("file.h5")
        print(
            f"file: {size / 2**20:.1f} MiB, {GROUPS * (PER_GROUP + 1) + 1} objects; "
            f"variable {VAR_SHAPE[0]}x{VAR_SHAPE[1]} float32; "
            f"latency {args.latency_ms:g} ms per request; median of {args.repeat}",
            flush=True,
        )
        try:
            for name in names:
                fn = SCENARIOS[name]
                runs: dict[str, list[Run]] = {"h5py": [], "h5pure": []}
                for _ in range(args.repeat):
                    for lib in ("h5py", "h5pure"):
                        runs[lib].append(timed(server, url, lib, fn))
                ok = same(runs["h5py"][0].result, runs["h5pure"][0].result)
                if name == "whole":
                    ok = ok and bool(np.array_equal(runs["h5pure"][0].result, data))
                row: dict[str, Any] = {"scenario": name, "equal": ok}
                for lib, rs in runs.items():
                    row[lib] = {
                        "seconds": statistics.median(r.seconds for r in rs),
                        "requests": int(statistics.median(r.requests for r in rs)),
                        "bytes": int(statistics.median(r.bytes for r in rs)),
                    }
                row["ratio"] = row["h5pure"]["seconds"] / row["h5py"]["seconds"]
                rows.append(row)
                failed |= not ok
        finally:
            server.close()

    header = (
        f"{'scenario':<8} {'h5py s':>8} {'req':>5} {'bytes':>10}   "
        f"{'h5pure s':>8} {'req':>5} {'bytes':>10}   {'ratio':>6}  equal"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        a, b = row["h5py"], row["h5pure"]
        print(
            f"{row['scenario']:<8} {a['seconds']:8.3f} {a['requests']:5d} {a['bytes']:10d}   "
            f"{b['seconds']:8.3f} {b['requests']:5d} {b['bytes']:10d}   "
            f"{row['ratio']:6.2f}  {'yes' if row['equal'] else 'NO'}"
        )
    if args.json_out:
        meta = {
            "latency_ms": args.latency_ms,
            "repeat": args.repeat,
            "var_shape": VAR_SHAPE,
            "file_bytes": size,
        }
        Path(args.json_out).write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
