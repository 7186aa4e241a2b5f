"""Benchmark of ``h5pure view``'s server against h5grove on h5py, in the same run.

    python benchmarks/viewer.py             # 1 GiB image, 10,000-object file
    python benchmarks/viewer.py --quick     # 64 MiB image, 1,000 objects (seconds)

Both servers run on the loopback interface in this process (h5grove: its Flask blueprint
on werkzeug's threaded server; h5pure: ``h5pure.viewer.ViewerServer``), on the same files
(written by h5py).  Each request is timed with ``http.client`` from sending the request to
its first body byte (**TTFB**) and to its last byte (**total**), median of ``--repeat``.

Requests, as H5Web sends them (``format=bin&dtype=safe`` for numbers):

- ``heatmap``: the 2-D float32 image (16384 x 16384, 1 GiB).  H5Web asks h5grove for the
  whole dataset; through ``h5pure view`` the front end asks for ``::12,::12`` (the server
  answers at most 16 MiB).  ``heatmap (same slice)`` asks h5grove for that slice too.
- ``tree``: ``/meta`` of a group holding 10,000 datasets (each with an attribute): what
  H5Web fetches to list the group's children; ``paths``: ``/paths`` of the root (H5Web's
  search index).
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

FULL = {"image": (16384, 16384), "objects": 10_000}
QUICK = {"image": (4096, 4096), "objects": 1_000}


def make_files(d: Path, image: tuple[int, int], objects: int) -> tuple[Path, Path]:
    import h5py

    big = d / "image.h5"
    with h5py.File(big, "w") as f:
        dset = f.create_dataset("image", shape=image, dtype="<f4")
        rows = max(1, (64 << 20) // (image[1] * 4))
        x = np.arange(image[1], dtype="<f4")
        for start in range(0, image[0], rows):
            stop = min(start + rows, image[0])
            y = np.arange(start, stop, dtype="<f4")[:, None]
            dset[start:stop] = np.sin(x / 500.0) + np.cos(y / 300.0)
    tree = d / "tree.h5"
    with h5py.File(tree, "w") as f:
        g = f.create_group("many")
        for i in range(objects):
            ds = g.create_dataset(f"d{i:05d}", data=np.arange(4, dtype="<i4"))
            ds.attrs["index"] = i
    return big, tree


class _Grove:
    """h5grove's Flask blueprint on werkzeug's threaded server, in a thread."""

    def __init__(self, base_dir: Path) -> None:
        import logging

        from flask import Flask
        from h5grove.flask_utils import BLUEPRINT
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        app = Flask("h5grove-bench")
        app.config["H5_BASE_DIR"] = str(base_dir)
        app.register_blueprint(BLUEPRINT)
        self.httpd = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()


def timed_get(url: str) -> tuple[float, float, int, int]:
    """(seconds to the first body byte, seconds to the last, body bytes, status)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    target = parts.path + ("?" + parts.query if parts.query else "")
    t0 = time.perf_counter()
    conn.request("GET", target)
    r = conn.getresponse()
    first = r.read(1)
    ttfb = time.perf_counter() - t0
    n = len(first)
    while True:
        chunk = r.read(1 << 20)
        if not chunk:
            break
        n += len(chunk)
    total = time.perf_counter() - t0
    conn.close()
    return ttfb, total, n, r.status


def measure(url: str, repeat: int) -> dict[str, float]:
    runs = [timed_get(url) for _ in range(repeat)]
    return {
        "ttfb": statistics.median(r[0] for r in runs),
        "total": statistics.median(r[1] for r in runs),
        "bytes": runs[0][2],
        "status": runs[0][3],
    }


def _fmt_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="64 MiB image, 1,000 objects")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    sizes = QUICK if args.quick else FULL

    import h5pure
    from h5pure.viewer import ViewerServer

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        t0 = time.perf_counter()
        big, tree = make_files(d, sizes["image"], sizes["objects"])
        print(f"files written in {time.perf_counter() - t0:.1f} s "
              f"(image {sizes['image'][0]} x {sizes['image'][1]} float32, "
              f"{sizes['objects']} datasets)")
        step = int(np.ceil(max(sizes["image"]) / 1448))  # what the front end asks for
        sel = f"%3A%3A{step}%2C%3A%3A{step}"
        grove = _Grove(d)
        files = {"image.h5": h5pure.File(big, "r"), "tree.h5": h5pure.File(tree, "r")}
        ours = ViewerServer(files, api_only=True).start()
        api = ours.api_url
        rows = [
            ("heatmap (as H5Web asks)",
             f"{grove.url}/data?file=image.h5&path=/image&format=bin&dtype=safe",
             f"{api}/data?file=image.h5&path=/image&selection={sel}&format=bin&dtype=safe"),
            ("heatmap (same slice)",
             f"{grove.url}/data?file=image.h5&path=/image&selection={sel}&format=bin&dtype=safe",
             f"{api}/data?file=image.h5&path=/image&selection={sel}&format=bin&dtype=safe"),
            ("tree: /meta of the group",
             f"{grove.url}/meta?file=tree.h5&path=/many",
             f"{api}/meta?file=tree.h5&path=/many"),
            ("paths: /paths of the root",
             f"{grove.url}/paths?file=tree.h5&path=/",
             f"{api}/paths?file=tree.h5&path=/"),
        ]
        print("\n| request | h5grove TTFB s | h5pure TTFB s | h5grove total s | h5pure total s"
              " | h5grove bytes | h5pure bytes |")
        print("|---|---|---|---|---|---|---|")
        for name, gurl, hurl in rows:
            g = measure(gurl, args.repeat)
            h = measure(hurl, args.repeat)
            print(f"| {name} | {g['ttfb']:.3f} | {h['ttfb']:.3f} | {g['total']:.3f} | "
                  f"{h['total']:.3f} | {_fmt_bytes(g['bytes'])} | {_fmt_bytes(h['bytes'])} |",
                  flush=True)
            if g["status"] != 200 or h["status"] != 200:
                print(f"  (status h5grove {g['status']}, h5pure {h['status']})")
        ours.shutdown()
        grove.close()
        for f in files.values():
            f.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
