"""SWMR across processes, h5py and h5pure on either side: a writer process appends and
flushes while a reader process (``swmr=True``) refreshes and reads; the reader sees the
appends in order, never a torn structure or a value nobody wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import numpy as np
import pytest

import h5pure

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "swmr_procs.py")


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, SCRIPT, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _result(proc: subprocess.Popen[str], timeout: float = 120) -> dict[str, Any]:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-2000:]
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "writer, reader",
    [("h5pure", "h5py"), ("h5py", "h5pure"), ("h5pure", "h5pure"), ("h5py", "h5py")],
)
def test_reader_follows_writer(tmp_path: Any, h5py: Any, writer: str, reader: str) -> None:
    path = str(tmp_path / "swmr.h5")
    steps = 400
    w = _start("writer", writer, path, str(steps))
    assert w.stdout is not None
    assert json.loads(w.stdout.readline())["ready"]  # swmr_mode is on: readers may open
    r = _start("reader", reader, path, "4")
    seen = _result(r)
    done = _result(w)
    assert seen["n_problems"] == 0, seen["problems"]
    assert seen["reads"] >= 10
    assert 0 < seen["d"] <= done["d"]
    # both libraries read the closed file whole, and libhdf5 opens it without SWMR
    for lib in (h5py, h5pure):
        with lib.File(path, "r") as f:
            np.testing.assert_array_equal(f["d"][:], np.arange(done["d"]))
            np.testing.assert_array_equal(
                f["g"][:].reshape(-1), np.arange(done["g"] * 3, dtype="f4")
            )


def test_swmr_writer_marks_and_unmarks_the_file(tmp_path: Any, h5py: Any) -> None:
    """While h5pure writes in SWMR mode, libhdf5 sees the superblock's SWMR-write flags
    (a plain open is refused, a SWMR open works); after close the flags are gone."""
    path = str(tmp_path / "flags.h5")
    f = h5pure.File(path, "w", libver="latest")
    d = f.create_dataset("d", shape=(0,), maxshape=(None,), chunks=(4,), dtype="i4")
    f.swmr_mode = True
    d.resize((3,))
    d[:] = [1, 2, 3]
    d.flush()
    code = (
        "import h5py, sys\n"
        f"p = {path!r}\n"
        "try:\n"
        "    h5py.File(p, 'r', locking=False).close(); print('plain-ok')\n"
        "except OSError as e:\n"
        "    print('plain-refused')\n"
        "with h5py.File(p, 'r', swmr=True) as g:\n"
        "    print(g['d'][:].tolist())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split("\n")[:2] == ["plain-refused", "[1, 2, 3]"], out.stderr
    f.close()
    with open(path, "rb") as fh:
        assert fh.read(12)[11] == 0  # superblock v3 status flags, cleared
    with h5py.File(path, "r") as g:
        assert list(g["d"][:]) == [1, 2, 3]


def test_reader_retries_until_the_file_is_whole_again(tmp_path: Any) -> None:
    """A SWMR reader that meets a structure the writer is rewriting (here: a chunk index
    whose checksum is broken for a moment) tries again instead of failing."""
    path = str(tmp_path / "retry.h5")
    with h5pure.File(path, "w", libver="latest") as f:
        f.create_dataset("d", data=np.arange(100), maxshape=(None,), chunks=(10,))
    with h5pure.File(path, "r", swmr=True) as f:
        d = f["d"]
        address = d.id.get_chunk_info(0).byte_offset  # noqa: F841 - the index is read
        raw = bytearray(open(path, "rb").read())
        at = raw.find(b"EAHD")
        assert at > 0
        original = bytes(raw[at : at + 8])
        with open(path, "r+b") as fh:  # a torn index header
            fh.seek(at + 4)
            fh.write(b"\xff\xff\xff\xff")

        def heal() -> None:
            time.sleep(0.05)
            with open(path, "r+b") as fh:
                fh.seek(at)
                fh.write(original)

        import threading

        t = threading.Thread(target=heal)
        t.start()
        d.refresh()
        np.testing.assert_array_equal(d[:], np.arange(100))
        t.join()
