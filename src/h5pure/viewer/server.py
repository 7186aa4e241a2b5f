"""The viewer's HTTP server: h5grove's API over h5pure, plus the H5Web front end.

Standard library only (``http.server.ThreadingHTTPServer``: one thread per connection;
h5pure reads one file from many threads without a global lock).

Layout of the URLs, all below a random token (``secrets.token_urlsafe``)::

    /<token>/               the front end (index.html, assets/..., config.json)
    /<token>/api/           h5grove's endpoints: meta, attr, data, stats, paths
                            (with or without a trailing slash), and the viewer's
                            own: histogram (``bins=``, ``selection=``)

Safety rules, each tested in ``tests/viewer/test_security.py``:

- a request without the token, or with a wrong one, gets 403 and nothing else;
- bound to loopback by default, and then a ``Host`` header other than the loopback
  address and port is refused (403), so a web page cannot reach the server through DNS
  rebinding;
- read-only: files are opened ``"r"``, only GET and HEAD are answered (405 otherwise);
- only the served files (``file=`` must name one of them) and only the bundle's own
  assets (a fixed table made at start, so no path reaches the file system);
- every data answer is capped (:class:`~h5pure.viewer.model.Limits`), before reading and
  after encoding; pages carry a content security policy, ``nosniff`` and
  ``Referrer-Policy: no-referrer`` (the token never leaves in a ``Referer``).
"""

from __future__ import annotations

import hmac
import ipaddress
import mimetypes
import secrets
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..hl import File
from . import jsonenc
from .encoders import Encoded, encode
from .model import Limits, ViewerError, ViewerModel

STATIC_DIR = Path(__file__).parent / "static"
"""Where the package build puts the front end (``index.html`` and ``assets/``)."""

# 'unsafe-eval': H5Web's array kernels (ndarray-ops) compile their loops at run time
_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:; "
    "font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def bundle_present(static_dir: Path = STATIC_DIR) -> bool:
    """Whether the front end was built into the package."""
    return (static_dir / "index.html").is_file()


MISSING_BUNDLE = (
    "h5pure view: the viewer's front end is not built into this installation "
    "(h5pure/viewer/static/index.html is missing).\n"
    "Build it with Node.js 18+ and npm on the PATH: from a source checkout run\n"
    "    pip install .            (the build runs `npm ci` and `npm run build` in webapp/)\n"
    "or, for an editable install, `cd webapp && npm ci && npm run build`.\n"
    "The HTTP API alone is served with --api-only."
)


def _static_table(static_dir: Path) -> dict[str, Path]:
    """URL path below the token -> file, for every file of the bundle."""
    table: dict[str, Path] = {}
    if not static_dir.is_dir():
        return table
    for path in static_dir.rglob("*"):
        if path.is_file():
            table[path.relative_to(static_dir).as_posix()] = path
    return table


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    app: ViewerServer


class _Server6(_Server):
    address_family = socket.AF_INET6


class ViewerServer:
    """Serves ``files`` (name -> open ``File``) on ``host:port`` until :meth:`shutdown`.

    ``port=0`` picks a free port; ``token=None`` a random one.  ``api_only`` serves the
    API without the front end."""

    def __init__(
        self,
        files: Mapping[str, File],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        limits: Limits | None = None,
        static_dir: Path = STATIC_DIR,
        api_only: bool = False,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.model = ViewerModel(files, limits)
        self.token = token or secrets.token_urlsafe(24)
        self.static = {} if api_only else _static_table(static_dir)
        self.loopback = _is_loopback(host)
        self.log = log
        cls = _Server6 if ":" in host else _Server
        self.httpd = cls((host, port), _Handler)
        self.httpd.app = self
        self.host = host
        self.port = int(self.httpd.server_address[1])
        self._thread: threading.Thread | None = None

    # -- addresses
    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/{self.token}/"

    @property
    def api_url(self) -> str:
        return self.base_url + "api"

    def allowed_host(self, header: str | None) -> bool:
        if not self.loopback:
            return True
        if header is None:
            return False
        allowed = {f"{h}:{self.port}" for h in ("127.0.0.1", "localhost", "[::1]")}
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            allowed.add(f"{self.host}:{self.port}")
        return header.lower() in allowed

    # -- life cycle
    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> ViewerServer:
        """Serve from a background thread (tests, notebooks)."""
        self._thread = threading.Thread(target=self.serve_forever, name="h5pure-view", daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join()
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> ViewerServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # -- answers
    def config(self) -> dict[str, Any]:
        names = list(self.model.files)
        return {"api": "api", "file": names[0] if names else None, "files": names}

    def api(self, endpoint: str, query: dict[str, list[str]]) -> Encoded | str:
        def arg(name: str) -> str | None:
            values = query.get(name)
            return values[0] if values else None

        if endpoint == "":
            return "ok"
        model = self.model
        if endpoint not in ("meta", "attr", "data", "stats", "paths", "histogram"):
            raise ViewerError(404, f"no endpoint {endpoint!r}")
        f = model.file(arg("file"))
        links = arg("resolve_links") if endpoint in ("meta", "paths") else None
        entity = model.entity(f, arg("path"), links)
        if endpoint == "meta":
            return encode(model.metadata(entity), "json")
        if endpoint == "attr":
            keys = query.get("attr_keys")
            return encode(model.attributes(entity, keys), "json")
        if endpoint == "paths":
            return encode(model.paths(entity, links), "json")
        if endpoint == "stats":
            return encode(model.stats(entity, arg("selection")), "json")
        if endpoint == "histogram":
            return encode(model.histogram(entity, arg("selection"), arg("bins")), "json")
        flatten = arg("flatten")
        value = model.data(
            entity,
            arg("selection"),
            flatten is not None and flatten.lower() != "false",
            arg("dtype"),
        )
        out = encode(value, arg("format"))
        if len(out.body) > model.limits.max_response_bytes:
            raise ViewerError(
                413,
                f"the answer would be {len(out.body):,} bytes in format "
                f"{arg('format') or 'json'}, more than this server's "
                f"{model.limits.max_response_bytes:,}-byte limit; select a slice or a step",
            )
        return out


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "h5pure-view"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log = self.server.app.log
        if log is not None:
            log(f"{self.address_string()} {format % args}")

    # -- replies
    def _send(
        self, status: int, body: bytes, content_type: str, extra: Mapping[str, str] = {}
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        self._send(status, jsonenc.dumps({"message": message}), "application/json")

    # -- requests
    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        app = self.server.app
        try:
            if not app.allowed_host(self.headers.get("Host")):
                self._error(403, "Host not allowed: use the URL the server printed")
                return
            url = urlsplit(self.path)
            prefix, _, rest = url.path.lstrip("/").partition("/")
            if not hmac.compare_digest(prefix.encode(), app.token.encode()):
                self._error(403, "Missing or wrong token: use the URL the server printed")
                return
            if rest == "" and not url.path.endswith("/"):
                self._send(301, b"", "text/plain", {"Location": f"/{app.token}/"})
                return
            if rest == "api" or rest.startswith("api/"):
                endpoint = rest[4:].strip("/")
                self._api(endpoint, parse_qs(url.query, keep_blank_values=True))
                return
            self._static(rest)
        except BrokenPipeError:
            pass

    def _api(self, endpoint: str, query: dict[str, list[str]]) -> None:
        app = self.server.app
        try:
            out = app.api(endpoint, query)
        except ViewerError as exc:
            self._error(exc.status, exc.message)
            return
        except Exception as exc:  # a corrupt file, a codec missing: say so, keep serving
            traceback.print_exc(file=sys.stderr)
            self._error(500, f"{type(exc).__name__}: {exc}")
            return
        if isinstance(out, str):
            self._send(200, out.encode(), "text/plain; charset=utf-8")
            return
        extra = {"Content-Disposition": out.disposition} if out.disposition else {}
        self._send(200, out.body, out.content_type, extra)

    def _static(self, rest: str) -> None:
        app = self.server.app
        if rest == "config.json":
            self._send(200, jsonenc.dumps(app.config()), "application/json")
            return
        name = rest or "index.html"
        path = app.static.get(name)
        if path is None:
            if name == "index.html":
                self._send(
                    404, MISSING_BUNDLE.encode(), "text/plain; charset=utf-8"
                )
                return
            self._error(404, f"no such file: {name}")
            return
        ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        extra = {"Content-Security-Policy": _CSP} if name.endswith(".html") else {}
        self._send(200, path.read_bytes(), ctype, extra)

    def _refuse(self) -> None:
        self._error(HTTPStatus.METHOD_NOT_ALLOWED, "read-only server: GET and HEAD only")

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse
