"""Helpers of the viewer's tests."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

SAMPLES = {"pure.h5": "h5pure", "h5py.h5": "h5py"}


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str | None
    headers: dict[str, str]


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> Reply:
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return Reply(r.status, r.read(), r.headers.get("Content-Type"), dict(r.headers))
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.read(), e.headers.get("Content-Type"), dict(e.headers))

