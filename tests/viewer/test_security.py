"""The viewer's server lets only the token holder read only the served file, in bounded
answers, and changes nothing."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlsplit

import numpy as np
import pytest

import h5pure
from h5pure.viewer import Limits, ViewerServer

from .kit import fetch


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("viewer_security")
    with h5pure.File(d / "other.h5", "w") as f:
        f["secret"] = np.arange(3)
    with h5pure.File(d / "main.h5", "w") as f:
        f["small"] = np.arange(10.0)
        # 50,000 x 50,000 float32 (10 GB logically), no chunk written: a tiny file
        f.create_dataset("huge", shape=(50_000, 50_000), dtype="<f4", chunks=(1000, 1000),
                         fillvalue=1.5)
        f["to_other"] = h5pure.ExternalLink("other.h5", "/secret")
        f["dir"] = np.arange(2)
        f[".."] = np.arange(2)  # ".." is an ordinary link name in HDF5
    return d


@pytest.fixture(scope="module")
def server(files):
    f = h5pure.File(files / "main.h5", "r")
    with ViewerServer({"main.h5": f}, api_only=True) as s:
        yield s
    f.close()


def _raw(server: ViewerServer, target: str, host: str | None = None, method: str = "GET"):
    """A request sent as is (no client-side normalisation of ``..`` or the Host header)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.putrequest(method, target, skip_host=True)
    conn.putheader("Host", host if host is not None else f"127.0.0.1:{server.port}")
    conn.endheaders()
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, body, dict(r.getheaders())


def _message(body: bytes) -> str:
    return json.loads(body)["message"]


@pytest.mark.parametrize(
    "target",
    ["/", "/api/meta?file=main.h5&path=/", "/index.html", "/config.json",
     "/wrongtoken/api/meta?file=main.h5", "/wrongtoken/", "/assets/x.js"],
)
def test_without_the_token_403(server, target):
    status, body, _ = _raw(server, target)
    assert status == 403
    assert "token" in _message(body)


def test_token_prefix_is_not_enough(server):
    status, _, _ = _raw(server, f"/{server.token[:-1]}/api/")
    assert status == 403
    status, _, _ = _raw(server, f"/{server.token}x/api/")
    assert status == 403


def test_with_the_token(server):
    status, body, _ = _raw(server, f"/{server.token}/api/")
    assert (status, body) == (200, b"ok")


@pytest.mark.parametrize("host", ["evil.example:80", "attacker.test", ""])
def test_foreign_host_header_403(server, host):
    """DNS rebinding: a page of another site resolved to 127.0.0.1 sends its own Host."""
    status, body, _ = _raw(server, f"/{server.token}/api/", host=host)
    assert status == 403
    assert "Host" in _message(body)


def test_localhost_host_header_allowed(server):
    status, _, _ = _raw(server, f"/{server.token}/api/", host=f"localhost:{server.port}")
    assert status == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_read_only(server, method):
    status, body, _ = _raw(server, f"/{server.token}/api/meta?file=main.h5", method=method)
    assert status == 405
    assert "read-only" in _message(body)


@pytest.mark.parametrize(
    "name",
    ["other.h5", "../other.h5", "/etc/passwd", "main.h5/../other.h5", "./main.h5", "MAIN.H5"],
)
def test_only_the_served_file(server, files, name):
    got = fetch(server.api_url + f"/meta?file={name}&path=/")
    assert got.status == 404
    assert _message(got.body) == "File not found!"
    got = fetch(server.api_url + f"/meta?file={files / 'other.h5'}&path=/")
    assert got.status == 404


def test_dotdot_is_an_hdf5_name_not_a_directory(server):
    got = fetch(server.api_url + "/meta?file=main.h5&path=/dir/../secret")
    assert got.status == 404
    assert "not a valid path" in _message(got.body)
    got = fetch(server.api_url + "/data?file=main.h5&path=/..")
    assert (got.status, got.body) == (200, b"[0,1]")


def test_external_links_are_not_followed(server):
    got = fetch(server.api_url + "/meta?file=main.h5&path=/to_other")
    assert got.status == 200
    assert json.loads(got.body) == {
        "kind": "external_link", "name": "to_other", "target_file": "other.h5",
        "target_path": "/secret",
    }
    got = fetch(server.api_url + "/data?file=main.h5&path=/to_other")
    assert got.status == 422
    got = fetch(server.api_url + "/meta?file=main.h5&path=/to_other&resolve_links=all")
    assert got.status == 404
    assert "Cannot resolve" in _message(got.body)


@pytest.mark.parametrize(
    "target",
    ["/assets/../../server.py", "/../model.py", "/assets/%2e%2e/%2e%2e/server.py",
     "/assets/..%2f..%2fserver.py", "/static/index.html", "/%2fetc%2fpasswd"],
)
def test_static_files_only_from_the_bundle(server, target):
    status, _, _ = _raw(server, f"/{server.token}{target}")
    assert status == 404


def test_huge_selection_refused_before_reading(server):
    t0 = time.perf_counter()
    got = fetch(server.api_url + "/data?file=main.h5&path=/huge&format=bin&dtype=safe")
    assert time.perf_counter() - t0 < 5
    assert got.status == 413
    message = _message(got.body)
    assert "10,000,000,000 bytes" in message
    assert "selection=::" in message  # says how to ask for less
    got = fetch(server.api_url + "/stats?file=main.h5&path=/huge")
    assert got.status == 413


def test_decimated_read_of_a_huge_dataset(server):
    """What the front end asks for a heatmap of the 50,000 x 50,000 dataset."""
    got = fetch(server.api_url + "/data?file=main.h5&path=/huge&selection=::35,::35"
                "&format=bin&dtype=safe")
    assert got.status == 200
    values = np.frombuffer(got.body, "<f4")
    assert values.size == 1429 * 1429
    assert np.all(values == 1.5)


def test_json_answer_capped_after_encoding(files):
    f = h5pure.File(files / "main.h5", "r")
    limits = Limits(max_response_bytes=100)
    with ViewerServer({"main.h5": f}, api_only=True, limits=limits) as s:
        ok = fetch(s.api_url + "/data?file=main.h5&path=/small&format=bin")  # 80 bytes
        assert ok.status == 200
        got = fetch(s.api_url + "/data?file=main.h5&path=/small&format=csv")
        assert got.status == 413
        assert "csv" in _message(got.body)
    f.close()


def test_pages_carry_protective_headers(sample_dir):
    f = h5pure.File(sample_dir / "pure.h5", "r")
    static = sample_dir / "fake_static"
    static.mkdir(exist_ok=True)
    (static / "index.html").write_text("<!doctype html><p>hi</p>")
    with ViewerServer({"pure.h5": f}, static_dir=static) as s:
        got = fetch(s.base_url)
        assert got.status == 200
        assert "frame-ancestors 'none'" in got.headers["Content-Security-Policy"]
        assert got.headers["Referrer-Policy"] == "no-referrer"
        assert got.headers["X-Content-Type-Options"] == "nosniff"
        cfg = fetch(s.base_url + "config.json")
        assert json.loads(cfg.body) == {"api": "api", "file": "pure.h5", "files": ["pure.h5"]}
        # without the token the redirect target is not revealed either
        assert fetch(f"http://127.0.0.1:{s.port}/").status == 403
        assert urlsplit(s.base_url).hostname == "127.0.0.1"
    f.close()
