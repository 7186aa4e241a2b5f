"""``h5pure view FILE|URL``: browse an HDF5 file in the browser (H5Web on h5pure).

Serves the file read-only on the loopback address, under a random token, prints the URL
and opens it in a browser (unless ``--no-browser``); Ctrl-C stops the server.
"""

from __future__ import annotations

import argparse
import posixpath
import sys
import webbrowser
from urllib.parse import urlsplit

from ..hl import File
from ..viewer import ViewerServer, bundle_present
from ..viewer.server import MISSING_BUNDLE


def _served_name(target: str) -> str:
    """The name the file is served under: its base name (a URL's last path segment)."""
    path = urlsplit(target).path if "://" in target else target
    return posixpath.basename(path.replace("\\", "/")) or "file.h5"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="h5pure view",
        description="View an HDF5 file in the browser (H5Web, served by h5pure).",
    )
    p.add_argument("file", metavar="FILE|URL", help="an HDF5 file, or an http(s)/s3 URL (fsspec)")
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; anything else exposes the file "
        "to the network, still behind the token)",
    )
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument(
        "--api-only",
        action="store_true",
        help="serve h5grove's HTTP API only, without the front end",
    )
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.api_only and not bundle_present():
        print(MISSING_BUNDLE, file=sys.stderr)
        return 2
    try:
        f = File(args.file, "r")
    except (OSError, ValueError) as exc:
        print(f"h5pure view: cannot open {args.file}: {exc}", file=sys.stderr)
        return 1
    log = (lambda line: print(line, file=sys.stderr)) if args.verbose else None
    try:
        server = ViewerServer(
            {_served_name(args.file): f},
            host=args.host,
            port=args.port,
            api_only=args.api_only,
            log=log,
        )
    except OSError as exc:
        f.close()
        print(f"h5pure view: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    if not server.loopback:
        print(
            f"h5pure view: warning: listening on {args.host}, reachable from other machines",
            file=sys.stderr,
        )
    url = server.api_url + "/" if args.api_only else server.base_url
    print(f"h5pure view: serving {args.file} at {url}", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    if not args.no_browser and not args.api_only:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nh5pure view: stopped", flush=True)
    finally:
        server.httpd.server_close()
        f.close()
    return 0
