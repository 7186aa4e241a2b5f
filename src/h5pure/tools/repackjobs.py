"""``repack -j N``: worker processes that read, decode and compress blocks of a dataset
while the main process writes the finished chunks (``write_direct_chunk``).

A worker holds the input file open and, per block, writes the values into a dataset of
the same shape, type, chunks and filters in a throw-away in-memory file, then reads the
stored chunks back (``read_direct_chunk``): the chunks come out exactly as the output
file's writer would make them, through h5pure's public API only.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from collections import deque
from typing import Any

import numpy as np

from ..hl import File

_SOURCE: Any = None


def _init(path: str) -> None:
    global _SOURCE
    _SOURCE = File(path, "r")


def _encode(task: tuple[str, tuple[tuple[int, int], ...], dict[str, Any]]) -> Any:
    """Compress one block: ``[(chunk offset, filter mask, bytes)]`` and the block's size."""
    name, bounds, kwargs = task
    region = tuple(slice(a, b) for a, b in bounds)
    values = _SOURCE[name][region]
    shape = kwargs.pop("shape")
    with File("block.h5", "w", driver="core", backing_store=False) as scratch:
        d = scratch.create_dataset("x", shape, **kwargs)
        d[region] = values
        out = []
        infos: list[Any] = []
        d.id.chunk_iter(infos.append)
        for info in infos:
            mask, data = d.id.read_direct_chunk(info.chunk_offset)
            out.append((tuple(info.chunk_offset), mask, bytes(data)))
    return out, int(np.asarray(values).nbytes)


class ChunkPool:
    """``jobs`` processes compressing blocks of the input file ``path``."""

    def __init__(self, jobs: int, path: str) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.jobs = jobs
        self.executor = cf.ProcessPoolExecutor(
            max_workers=jobs, mp_context=ctx, initializer=_init, initargs=(path,)
        )

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def copy(
        self,
        src: Any,
        dst: Any,
        regions: Any,
        progress: Any,
        ratio: float,
        result: Any,
    ) -> None:
        """The ``regions`` of ``src`` (aligned to the chunks of ``dst``), compressed by
        the workers in order and written as chunks of ``dst`` (at most two regions per
        worker in flight, so memory stays bounded)."""
        kwargs: dict[str, Any] = {
            "shape": tuple(dst.shape),
            "dtype": dst.dtype,
            "chunks": dst.chunks,
            "maxshape": dst.maxshape,
            "compression": dst.compression if dst.compression != "unknown" else None,
            "compression_opts": dst.compression_opts if dst.compression != "unknown" else None,
            "shuffle": dst.shuffle,
            "fletcher32": dst.fletcher32,
            "scaleoffset": dst.scaleoffset,
        }
        if dst.compression == "unknown":  # a filter h5py has no name for: by id
            ids = [int(k) for k in dst._filters if str(k).isdigit()]
            if ids:
                kwargs["compression"] = ids[0]
                kwargs["compression_opts"] = tuple(dst._filters[str(ids[0])]) or None
        kwargs = {k: v for k, v in kwargs.items() if v is not None and v is not False}
        fill = dst.fillvalue
        if np.any(np.asarray(fill) != 0):
            kwargs["fillvalue"] = fill
        pending: deque[Any] = deque()

        def drain(limit: int) -> None:
            while len(pending) > limit:
                chunks, nbytes = pending.popleft().result()
                for offset, mask, data in chunks:
                    dst.id.write_direct_chunk(offset, data, mask)
                result.recoded_bytes += nbytes
                progress.advance(int(nbytes * ratio))

        for region in regions:
            bounds = tuple((s.start, s.stop) for s in region)
            pending.append(self.executor.submit(_encode, (src.name, bounds, dict(kwargs))))
            drain(2 * self.jobs)
        drain(0)
