"""Buffers each thread keeps for a filter step's intermediate bytes.

A decode step whose output the next step copies (inflate before unshuffle; the frame
handed to c-blosc) needs fresh memory only for the moment: a fresh multi-MiB buffer per
chunk costs page faults, a kept one does not.  A buffer comes back for the next request
of the same key on the same thread, so what is in it is valid only until then."""

from __future__ import annotations

import threading

import numpy as np

KEEP_BYTES = 16 << 20
"""Buffers up to this size are kept per thread and key; larger requests get fresh memory."""

_local = threading.local()


def buffer(key: str, nbytes: int) -> np.ndarray:
    """A writable uint8 array of ``nbytes`` this thread may reuse for ``key`` (contents
    undefined)."""
    if nbytes > KEEP_BYTES:
        return np.empty(nbytes, dtype=np.uint8)
    kept: dict[str, np.ndarray] | None = getattr(_local, "buffers", None)
    if kept is None:
        kept = _local.buffers = {}
    buf = kept.get(key)
    if buf is None or len(buf) < nbytes:
        buf = kept[key] = np.empty(max(nbytes, 1 << 16), dtype=np.uint8)
    return buf[:nbytes]
