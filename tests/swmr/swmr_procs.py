"""The two sides of the cross-process SWMR tests, run as scripts:
``writer LIB PATH STEPS`` and ``reader LIB PATH SECONDS`` (LIB: h5py or h5pure).

The writer appends to two datasets (a plain one and a gzip one, different chunkings) and
flushes each after every append; the reader refreshes and reads both in a loop, checking
that every value it sees is the one written there and that the lengths never shrink.
Both print one line of JSON at the end.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np


def _lib(name: str):  # type: ignore[no-untyped-def]
    if name == "h5py":
        import h5py

        return h5py
    import h5pure

    return h5pure


def writer(lib: str, path: str, steps: int) -> None:
    h = _lib(lib)
    f = h.File(path, "w", libver="latest")
    d = f.create_dataset("d", shape=(0,), maxshape=(None,), chunks=(64,), dtype="i8")
    g = f.create_dataset(
        "g", shape=(0, 3), maxshape=(None, 3), chunks=(16, 3), dtype="f4", compression="gzip"
    )
    f.swmr_mode = True
    print(json.dumps({"ready": True}), flush=True)
    for _ in range(steps):
        k = d.shape[0]
        d.resize((k + 7,))
        d[k:] = np.arange(k, k + 7)
        m = g.shape[0]
        g.resize((m + 5, 3))
        g[m:] = np.arange(m * 3, (m + 5) * 3).reshape(5, 3)
        d.flush()
        g.flush()
    f.close()
    print(json.dumps({"done": True, "d": steps * 7, "g": steps * 5}), flush=True)


def reader(lib: str, path: str, seconds: float) -> None:
    h = _lib(lib)
    f = h.File(path, "r", libver="latest", swmr=True)
    d, g = f["d"], f["g"]
    last_d = last_g = reads = 0
    problems: list[str] = []
    t0 = time.time()
    while time.time() - t0 < seconds:
        try:
            d.refresh()
            g.refresh()
            a = d[:]
            b = g[:]
        except Exception as e:  # noqa: BLE001 - reported
            problems.append(f"{type(e).__name__}: {e}")
            continue
        if not (a == np.arange(len(a))).all():
            problems.append(f"d holds values nobody wrote at length {len(a)}")
        if not (b.reshape(-1) == np.arange(b.size)).all():
            problems.append(f"g holds values nobody wrote at length {len(b)}")
        if len(a) < last_d or len(b) < last_g:
            problems.append("a dataset shrank")
        last_d, last_g = len(a), len(b)
        reads += 1
    f.close()
    print(json.dumps({"reads": reads, "d": last_d, "g": last_g, "problems": problems[:5],
                      "n_problems": len(problems)}), flush=True)


if __name__ == "__main__":
    role, lib, path, arg = sys.argv[1:5]
    if role == "writer":
        writer(lib, path, int(arg))
    else:
        reader(lib, path, float(arg))
