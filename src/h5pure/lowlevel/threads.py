"""The threads that decode and encode chunks (zlib and the other codecs release the GIL).

``set_threads(n)`` / ``get_threads()`` (exported as ``h5pure.set_threads`` /
``h5pure.get_threads``) size the one process-wide pool; the ``H5PURE_THREADS``
environment variable gives the starting value, else ``os.cpu_count()``.  With 1 thread
there is no pool: chunks are decoded on the calling thread.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any

ENV_VAR = "H5PURE_THREADS"

_lock = threading.Lock()
_threads: int | None = None
_pool: Executor | None = None


class InlineExecutor(Executor):
    """An executor without threads: ``submit`` runs the call at once, ``map`` is the
    builtin (lazy) ``map``."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:  # noqa: BLE001 - delivered through the future
            future.set_exception(e)
        return future

    def map(  # type: ignore[override]
        self, fn: Callable[..., Any], *iterables: Iterable[Any], **_: Any
    ) -> Iterator[Any]:
        return map(fn, *iterables)


_INLINE = InlineExecutor()


def _default_threads() -> int:
    raw = os.environ.get(ENV_VAR, "").strip()
    if raw:
        try:
            n = int(raw)
            if n >= 1:
                return n
        except ValueError:
            pass
        warnings.warn(
            f"{ENV_VAR}={raw!r} is not a positive integer; using os.cpu_count()",
            RuntimeWarning,
            stacklevel=3,
        )
    return os.cpu_count() or 1


def get_threads() -> int:
    """The number of threads that decode and encode chunks (1: no thread pool)."""
    n = _threads
    if n is None:
        with _lock:
            if _threads is None:
                _set(_default_threads())
            n = _threads
    assert n is not None
    return n


def set_threads(n: int | None) -> None:
    """Decode and encode chunks in ``n`` threads (1: on the calling thread, no pool);
    None goes back to the default (``H5PURE_THREADS``, else ``os.cpu_count()``).

    Reads already running finish on the pool they started with."""
    if n is not None:
        if isinstance(n, bool) or int(n) != n or n < 1:
            raise ValueError(f"the number of threads must be a positive integer, not {n!r}")
        n = int(n)
    with _lock:
        _set(_default_threads() if n is None else n)


def _set(n: int) -> None:
    global _threads, _pool
    if n != _threads:
        # the old pool is dropped, not shut down: a read holding it may still submit;
        # its idle threads exit once it is garbage collected
        _pool = None
        _threads = n


def decode_pool() -> Executor:
    """The process-wide executor of chunk decoding and encoding: a thread pool of
    :func:`get_threads` threads, or an inline executor when that is 1."""
    pool = _pool
    if pool is None:
        get_threads()
        with _lock:
            if _pool is None:
                n = _threads or 1
                _install(_INLINE if n <= 1 else ThreadPoolExecutor(n, "h5pure-codec"))
            pool = _pool
    assert pool is not None
    return pool


def _install(pool: Executor) -> None:
    global _pool
    _pool = pool


def settle(futures: Iterable[Future[Any]]) -> None:
    """Cancel the tasks not started yet and wait for the running ones (their errors are
    the caller's to ignore): after a failure, nothing of the work runs on into a
    caller's array or a buffer about to be reused."""
    for future in futures:
        if not future.cancel():
            future.exception()


_io_pool: ThreadPoolExecutor | None = None
_io_workers = 0
_READER_NAME = "h5pure-read"


def reader_pool() -> ThreadPoolExecutor:
    """The threads that read ahead or help a split read: ``get_threads() - 1`` of them
    (at least 1), apart from the decode pool, since a split read may run on a decode
    thread (a task waiting on tasks queued behind it in its own pool could wait
    forever).  Its tasks wait on nothing: a read on one of them is never split."""
    global _io_pool, _io_workers
    workers = max(1, get_threads() - 1)
    with _lock:
        if _io_pool is None or _io_workers != workers:
            _io_pool = ThreadPoolExecutor(workers, _READER_NAME)
            _io_workers = workers
        return _io_pool


def split_readinto(
    readinto: Callable[[int, memoryview], None], offset: int, buf: Any, min_part: int
) -> None:
    """``readinto(offset, buf)`` as up to :func:`get_threads` reads of consecutive parts
    of at least ``min_part`` bytes (page aligned), the first on the calling thread.
    Returns once every part is done; the first part's error is raised after all parts
    have stopped writing into ``buf``."""
    view = memoryview(buf).cast("B")
    total = len(view)
    parts = min(get_threads(), max(1, total // max(min_part, 1)))
    if parts <= 1 or threading.current_thread().name.startswith(_READER_NAME):
        readinto(offset, view)
        return
    pool = reader_pool()
    step = ((total + parts - 1) // parts + 4095) & ~4095
    futures = [
        pool.submit(readinto, offset + at, view[at : at + step]) for at in range(step, total, step)
    ]
    error: BaseException | None = None
    try:
        readinto(offset, view[:step])
    except BaseException as e:  # noqa: BLE001 - raised once the helpers have finished
        error = e
    for fut in futures:
        try:
            fut.result()
        except BaseException as e:  # noqa: BLE001
            error = error or e
    if error is not None:
        raise error


def _after_fork_in_child() -> None:
    """A forked child (``multiprocessing`` with "fork", a data loader's workers) has none
    of its parent's threads: a pool inherited from the parent would queue work that no
    thread ever runs, and every read would wait forever.  The child makes its pools anew
    on first use (the thread count setting is kept)."""
    global _lock, _pool, _io_pool, _io_workers
    _lock = threading.Lock()
    _pool = None
    _io_pool = None
    _io_workers = 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
