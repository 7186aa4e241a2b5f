"""The machine's own limits, measured in the same run: the floor under every workload.

Rates are bytes per second of *output* (decompressed bytes for decoders), one thread.
"""

from __future__ import annotations

import os
import statistics
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .sizes import MiB, Sizes


def _rate(nbytes: int, fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return nbytes / max(statistics.median(times), 1e-9)


def warm_memory(sizes: Sizes, rounds: int = 4) -> None:
    """Touch and free result-sized arrays on every core before anything is timed.

    On this kind of machine (a VM whose memory the host backs on first touch) the first
    large allocations of a run fault slowly - 40-150 ms for 64 MiB instead of 8 - for a
    varying number of repeats, and whichever library allocates then pays it.  Touching
    enough memory from every core first puts that cost before the run, on neither library.
    """
    from concurrent.futures import ThreadPoolExecutor

    nbytes = max(sizes.contig_mib, 1) * MiB

    def touch(_: int) -> None:
        held = [np.ones(nbytes, dtype=np.uint8) for _ in range(rounds)]
        del held

    workers = os.cpu_count() or 1
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(touch, range(workers * rounds)))


def memcpy_rate(sizes: Sizes) -> float:
    src = np.random.default_rng(0).integers(0, 255, sizes.limit_mib * MiB, dtype=np.uint8)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    return _rate(src.nbytes, lambda: np.copyto(dst, src))


def page_cache_read_rate(sizes: Sizes, tmpdir: Path) -> float:
    """Read a file that is in the page cache into a preallocated buffer (``readinto``)."""
    path = tmpdir / "limits-page-cache.bin"
    data = os.urandom(sizes.limit_mib * MiB)
    path.write_bytes(data)
    buf = bytearray(len(data))

    def read() -> None:
        with open(path, "rb", buffering=0) as f:
            view = memoryview(buf)
            while view:
                n = f.readinto(view)
                if not n:
                    raise OSError(f"{path}: short read")
                view = view[n:]

    read()  # warm the cache
    try:
        return _rate(len(data), read)
    finally:
        path.unlink()


def shuffled_chunk(chunk: np.ndarray) -> bytes:
    """The bytes HDF5's shuffle filter makes of a chunk: byte planes one after another."""
    raw = np.ascontiguousarray(chunk).view(np.uint8).reshape(-1, chunk.dtype.itemsize)
    return np.ascontiguousarray(raw.T).tobytes()


def decoder_rates(chunk: np.ndarray) -> dict[str, float]:
    """Single-thread decode rates of one real chunk of the gzip/lzf workloads."""
    raw = shuffled_chunk(chunk)
    packed = zlib.compress(raw, 4)  # h5py's default gzip level
    rates = {"inflate_zlib": _rate(len(raw), lambda: zlib.decompress(packed))}
    try:
        import deflate

        rates["inflate_libdeflate"] = _rate(
            len(raw), lambda: deflate.zlib_decompress(packed, len(raw))
        )
    except ImportError:
        pass
    try:
        import imagecodecs

        rates["inflate_imagecodecs"] = _rate(
            len(raw), lambda: imagecodecs.deflate_decode(packed, out=len(raw))
        )
    except (ImportError, AttributeError):
        pass
    try:
        from isal import isal_zlib

        rates["inflate_isal"] = _rate(len(raw), lambda: isal_zlib.decompress(packed))
    except ImportError:
        pass
    rates["inflate_best"] = max(v for k, v in rates.items() if k.startswith("inflate_"))
    rates["deflate_zlib_l4"] = _rate(len(raw), lambda: zlib.compress(raw, 4), repeat=3)
    plain = np.ascontiguousarray(chunk).tobytes()
    small = None
    try:
        import imagecodecs

        small = imagecodecs.lzf_encode(plain)
        rates["lzf_imagecodecs"] = _rate(
            len(plain), lambda: imagecodecs.lzf_decode(small, out=len(plain))
        )
    except (ImportError, AttributeError):
        pass
    try:
        import lzf

        if small is None:
            small = lzf.compress(plain, len(plain) + len(plain) // 16 + 64)
        rates["lzf_python_lzf"] = _rate(len(plain), lambda: lzf.decompress(small, len(plain)))
    except ImportError:
        pass
    if any(k.startswith("lzf_") for k in rates):
        rates["lzf_best"] = max(v for k, v in rates.items() if k.startswith("lzf_"))
    return rates


def measure(sizes: Sizes, tmpdir: Path, chunk: np.ndarray) -> dict[str, float]:
    """Every limit, in bytes per second."""
    out = {"memcpy": memcpy_rate(sizes), "page_cache_read": page_cache_read_rate(sizes, tmpdir)}
    out.update(decoder_rates(chunk))
    return out


LABELS = {
    "memcpy": "memory copy (numpy copyto)",
    "page_cache_read": "page-cache read (readinto)",
    "inflate_zlib": "inflate, zlib, 1 thread",
    "inflate_libdeflate": "inflate, libdeflate, 1 thread",
    "inflate_imagecodecs": "inflate, imagecodecs (libdeflate), 1 thread",
    "inflate_isal": "inflate, isal, 1 thread",
    "inflate_best": "inflate, fastest of the above",
    "deflate_zlib_l4": "deflate level 4, zlib, 1 thread",
    "lzf_python_lzf": "lzf decode, python-lzf, 1 thread",
    "lzf_imagecodecs": "lzf decode, imagecodecs, 1 thread",
    "lzf_best": "lzf decode, fastest of the above",
}
