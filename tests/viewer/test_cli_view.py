"""``h5pure view``: prints the URL, serves until Ctrl-C, says how to build a missing
front end."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from h5pure.cli import view
from h5pure.cli.main import main

from .kit import fetch

SRC = str(Path(view.__file__).resolve().parents[2])


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "h5pure.cli", "view", "--no-browser", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.search(r"(http://\S+)", line)
    if m is None:
        proc.kill()
        raise AssertionError(f"no URL printed: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc, m.group(1)


def test_serves_until_ctrl_c(sample_dir):
    proc, url = _start("--api-only", str(sample_dir / "pure.h5"))
    try:
        assert url.startswith("http://127.0.0.1:")
        got = fetch(url + "meta?file=pure.h5&path=/nD/image")
        assert got.status == 200
        assert json.loads(got.body)["shape"] == [120, 160]
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "stopped" in out


def test_port_option(sample_dir):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc, url = _start("--api-only", "--port", str(port), str(sample_dir / "pure.h5"))
    try:
        assert f":{port}/" in url
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)


def test_missing_bundle_says_how_to_build(sample_dir, monkeypatch, capsys):
    monkeypatch.setattr(view, "bundle_present", lambda: False)
    assert main(["view", "--no-browser", str(sample_dir / "pure.h5")]) == 2
    err = capsys.readouterr().err
    assert "not built" in err
    assert "npm ci" in err and "pip install ." in err


def test_unreadable_file(tmp_path, capsys):
    bad = tmp_path / "not.h5"
    bad.write_bytes(b"not hdf5")
    assert main(["view", "--no-browser", "--api-only", str(bad)]) == 1
    assert "cannot open" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("target", "name"),
    [("data/run.h5", "run.h5"), ("https://example.org/files/x.nxs?raw=1", "x.nxs"),
     ("C:\\data\\y.h5", "y.h5")],
)
def test_served_name(target, name):
    assert view._served_name(target) == name
