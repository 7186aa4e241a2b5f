"""``fs_strategy`` and ``page_buf_size`` are checked as h5py checks them: a strategy only
when creating, one of h5py's four names, and page buffering at creation only with the
"page" strategy (libhdf5's OSError).  h5py is the oracle for the exception and message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import h5pure

h5py = pytest.importorskip("h5py")

CASES = [
    ("w", {"fs_strategy": "bad"}),
    ("a", {"fs_strategy": "page"}),
    ("r+", {"fs_strategy": "fsm"}),
    ("r", {"fs_strategy": "none"}),
    ("w", {"page_buf_size": 16384}),
    ("w", {"page_buf_size": 16384, "fs_strategy": "aggregate"}),
    ("w-", {"page_buf_size": 16384, "fs_strategy": "page"}),
    ("r", {"page_buf_size": 16384}),
    ("w", {"fs_strategy": "page", "fs_persist": True, "fs_threshold": 100}),
]


def _outcome(lib: Any, path: Path, mode: str, kw: dict[str, Any]) -> tuple[str, str]:
    try:
        lib.File(path, mode, **kw).close()
    except Exception as e:  # noqa: BLE001 - the outcome is what is compared
        return type(e).__name__, str(e)
    return "ok", ""


@pytest.mark.parametrize(("mode", "kw"), CASES, ids=[f"{m}-{sorted(k)}" for m, k in CASES])
def test_file_space_arguments_as_h5py(tmp_path: Path, mode: str, kw: dict[str, Any]) -> None:
    for lib in (h5py, h5pure):
        target = tmp_path / f"{lib.__name__}.h5"
        if mode in ("r", "r+", "a"):
            h5py.File(target, "w").close()
    want = _outcome(h5py, tmp_path / "h5py.h5", mode, kw)
    got = _outcome(h5pure, tmp_path / "h5pure.h5", mode, kw)
    assert got == want
