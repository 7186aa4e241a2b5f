"""h5py's "mpio" driver: one file shared by the ranks of an MPI communicator, through
MPI-IO (:mod:`mpi4py`, imported only when the driver is asked for).

Every rank opens the file collectively and keeps the same metadata in memory (the write
session above runs identically on every rank).  The two kinds of writes take different
paths:

- :meth:`MpioDriver.write` is metadata (the commit's blobs, journal, superblock): every rank
  makes the same call, rank 0 alone writes the bytes, and every rank records the end of
  the write, so :meth:`size` -- which the commit consults to decide what to write and
  truncate -- is the same number on every rank.
- :meth:`MpioDriver.write_raw` / :meth:`write_runs` are raw data, each rank its own: MPI
  ``Write_at`` (independent) or ``Write_at_all`` (collective), in pieces below MPI's
  2 GiB count limit.

Raw bytes written at addresses of the *scratch* area (from :data:`SCRATCH_BASE` up) stay
in this rank's memory: chunks a rank wrote whose place in the file the ranks have not
agreed yet (see :mod:`h5pure.lowlevel.collective`).  They read back like file bytes.

Collectives that may meet a diverged or failed rank go through :func:`wait`, which gives up
with a clear error after :data:`TIMEOUT` seconds instead of hanging.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

from ..errors import FormatError
from .base import Driver, register_driver

SCRATCH_BASE = 1 << 52
"""Absolute offsets from here up are this rank's scratch memory, never the file."""
PIECE = 1 << 30
"""Bytes per MPI call (counts are C ints: below 2 GiB)."""
TIMEOUT = float(os.environ.get("H5PURE_MPI_TIMEOUT", "60"))
"""Seconds a rank waits at a collective for the others before raising."""


class CollectiveError(RuntimeError):
    """Ranks of an mpio file disagreed (a collective call diverged) or one never arrived."""


def load_mpi() -> Any:
    """The ``mpi4py.MPI`` module, or ImportError saying how to install it."""
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise ImportError(
            "driver='mpio' needs mpi4py and an MPI library: pip install mpi4py mpich "
            "(or pip install 'h5pure[mpi]')"
        ) from e
    return MPI


def mpi_available() -> bool:
    """Whether mpi4py imports (h5py's ``get_config().mpi``)."""
    try:
        load_mpi()
    except ImportError:
        return False
    return True


def wait(request: Any, what: str, rank: int, timeout: float | None = None) -> None:
    """Complete the non-blocking collective ``request``, polling; CollectiveError after
    ``timeout`` seconds (a rank that raised or took another path never arrives)."""
    limit = TIMEOUT if timeout is None else timeout
    deadline = time.monotonic() + limit
    pause = 0.0
    while not request.Test():
        if time.monotonic() > deadline:
            raise CollectiveError(
                f"rank {rank}: gave up after {limit:g} s waiting at the collective "
                f"{what!r} for the other ranks (one of them raised, exited or made a "
                "different call; H5PURE_MPI_TIMEOUT sets the wait)"
            )
        time.sleep(pause)
        pause = min(0.01, pause + 0.0002)


def barrier(comm: Any, what: str) -> None:
    """A barrier that gives up after :data:`TIMEOUT` (see :func:`wait`)."""
    wait(comm.Ibarrier(), what, comm.Get_rank())


def _pieces(offset: int, view: memoryview) -> list[tuple[int, memoryview]]:
    return [(offset + k, view[k : k + PIECE]) for k in range(0, len(view), PIECE)] or [
        (offset, view)
    ]


@register_driver("mpio")
class MpioDriver(Driver):
    """A file opened by every rank of ``comm`` through MPI-IO."""

    options = ("comm", "info")

    def __init__(
        self,
        path: str,
        mode: str,
        locking: Any = None,
        comm: Any = None,
        info: Any = None,
    ) -> None:
        super().__init__(writable=mode != "r")
        MPI = load_mpi()
        if comm is None:
            raise TypeError("set_fapl_mpio() missing required argument 'comm'")
        self.MPI = MPI
        self.comm = comm
        self.rank = comm.Get_rank()
        self.nranks = comm.Get_size()
        self.path = path
        self.info = info
        # every rank has looked at the file (File's mode "a" asks whether it exists)
        # before any rank creates it
        barrier(comm, "open")
        error: OSError | None = None
        if mode == "x":  # rank 0 creates the file (MPICH's MODE_EXCL misreports on others)
            if self.rank == 0:
                try:
                    os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666))
                except OSError as e:
                    error = e
            error = comm.bcast(error, root=0)
            if error is not None:
                raise error
        amode = {
            "r": MPI.MODE_RDONLY,
            "r+": MPI.MODE_RDWR,
            "w": MPI.MODE_RDWR | MPI.MODE_CREATE,
            "x": MPI.MODE_RDWR,
        }[mode]
        fh: Any = None
        try:
            fh = MPI.File.Open(comm, path, amode, info or MPI.INFO_NULL)
        except MPI.Exception as e:
            error = _os_error(MPI, e, path)
        # the ranks fail together, with the first failing rank's error
        errors = comm.allgather(error)
        first = next((e for e in errors if e is not None), None)
        if first is not None:
            if fh is not None:
                fh.Close()
            raise first
        self.fh = fh
        if mode == "w":
            self.fh.Set_size(0)  # collective; libhdf5 truncates a file opened with "w"
        # rank 0's view: another rank may return from Set_size before rank 0 truncated,
        # and every rank must start from the same size (the commit decides on it)
        self._size = int(comm.bcast(self.fh.Get_size() if self.rank == 0 else None, root=0))
        """The end of the file as every rank sees it (metadata writes and truncations)."""
        self._raw_end = 0
        """The end of this rank's raw writes (within the allocated space)."""
        self._scratch: dict[int, bytearray] = {}
        """Absolute offset -> bytes of this rank's not yet placed raw data."""
        self.abandoned = False
        """Set when a collective was given up: closing then skips ``MPI_File_close``
        (collective), which the other ranks might never join."""
        self.collective_writes = 0
        """Raw data writes inside ``with dset.collective:`` (for tests and statistics)."""

    # -- reading ------------------------------------------------------------------------
    def _scratch_at(self, offset: int, size: int) -> memoryview:
        """The scratch bytes at ``offset``: one chunk's, or a span over several (a read
        coalesced across neighbouring chunks), the gaps between them zero bytes (never
        data: the engine drops them)."""
        end = offset + size
        pieces = []
        for start, blob in self._scratch.items():
            if start <= offset and end <= start + len(blob):
                return memoryview(blob)[offset - start : end - start]
            if start < end and offset < start + len(blob):
                pieces.append((start, blob))
        if not pieces:
            raise FormatError(f"mpio: no scratch bytes at 0x{offset:x} (+{size})")
        out = bytearray(size)
        for start, blob in pieces:
            lo, hi = max(start, offset), min(start + len(blob), end)
            out[lo - offset : hi - offset] = memoryview(blob)[lo - start : hi - start]
        return memoryview(out)

    def read(self, offset: int, size: int) -> bytes:
        buf = bytearray(size)
        self.readinto(offset, memoryview(buf))
        return bytes(buf)

    def readinto(self, offset: int, buf: memoryview) -> None:
        view = memoryview(buf).cast("B")
        if offset >= SCRATCH_BASE:
            view[:] = self._scratch_at(offset, len(view))
            return
        status = self.MPI.Status()
        for at, piece in _pieces(offset, view):
            self.fh.Read_at(at, piece, status)
            got = max(status.Get_count(self.MPI.BYTE), 0)
            if got != len(piece):
                if at + len(piece) > self.size():
                    raise self._short(offset, len(view), at - offset + got)
                # space the ranks allocated that nobody has written yet: zeros, as in a
                # sparse file
                piece[got:] = bytes(len(piece) - got)

    def readv(self, offset: int, buffers: Sequence[Any]) -> None:
        for buf in buffers:
            view = memoryview(buf).cast("B")
            self.readinto(offset, view)
            offset += len(view)

    def size(self) -> int:
        top = max(self._size, self._raw_end)
        if self._scratch:  # reads of scratch bytes pass the bounds checks above us
            top = max(top, max(a + len(b) for a, b in self._scratch.items()))
        return top

    # -- writing --------------------------------------------------------------------------
    def _write(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        """Metadata: the same call on every rank; rank 0 writes it."""
        view = memoryview(data).cast("B")
        if self.rank == 0:
            for at, piece in _pieces(offset, view):
                self.fh.Write_at(at, piece)
        self._size = max(self._size, offset + len(view))

    def write_raw(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        """This rank's raw data (independent ``Write_at``), or scratch bytes."""
        self._check_writable()
        view = memoryview(data).cast("B")
        if offset >= SCRATCH_BASE:
            for start, blob in self._scratch.items():
                if start <= offset and offset + len(view) <= start + len(blob):
                    blob[offset - start : offset - start + len(view)] = view
                    return
            self._scratch[offset] = bytearray(view)
            return
        for at, piece in _pieces(offset, view):
            self.fh.Write_at(at, piece)
        self._raw_end = max(self._raw_end, offset + len(view))

    def write_runs(
        self, runs: Sequence[tuple[int, int]], data: memoryview, collective: bool
    ) -> None:
        """Write ``data`` to the ``(absolute offset, length)`` runs, consumed in order.
        Collective: every rank calls this (its own runs, maybe none); the pieces go out
        as the same number of ``Write_at_all`` calls on every rank."""
        self._check_writable()
        view = memoryview(data).cast("B")
        pieces: list[tuple[int, memoryview]] = []
        pos = 0
        for offset, length in runs:
            pieces.extend(_pieces(offset, view[pos : pos + length]))
            pos += length
            self._raw_end = max(self._raw_end, offset + length)
        if not collective:
            for at, piece in pieces:
                self.fh.Write_at(at, piece)
            return
        self.collective_writes += 1
        count = max(self.comm.allgather(len(pieces)))
        empty = memoryview(b"")
        for k in range(count):
            at, piece = pieces[k] if k < len(pieces) else (0, empty)
            self.fh.Write_at_all(at, piece)

    def note_extent(self, end: int) -> None:
        """Every rank learnt that the file's allocated space reaches ``end`` (raw data
        any rank may have written there must read back; the same call on every rank, so
        :meth:`size` stays the same everywhere)."""
        self._raw_end = max(self._raw_end, end)

    def take_scratch(self, offset: int, size: int) -> bytes:
        """The scratch bytes at ``offset``, forgotten."""
        data = bytes(self._scratch_at(offset, size))
        self._scratch = {a: b for a, b in self._scratch.items() if not a <= offset < a + len(b)}
        return data

    def truncate(self, size: int) -> None:
        """Collective (``MPI_File_set_size``): every rank makes the same call."""
        super().truncate(size)
        self.fh.Set_size(size)
        self._size = size
        self._raw_end = min(self._raw_end, size)

    def flush(self) -> None:
        """The end of a commit: once every rank is past it, what rank 0 wrote is in the
        file for all of them (ROMIO writes through to the file system)."""
        barrier(self.comm, "flush")

    def sync(self) -> None:
        """``MPI_File_sync`` (collective) and a barrier: durable, and seen by every rank."""
        if self.writable and not self.closed:
            self.fh.Sync()
        barrier(self.comm, "sync")

    @property
    def atomic(self) -> bool:
        return bool(self.fh.Get_atomicity())

    @atomic.setter
    def atomic(self, value: bool) -> None:
        self.fh.Set_atomicity(bool(value))

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if not self.abandoned:
                self.fh.Close()
        super().close()

    @classmethod
    def exists(cls, path: str) -> bool:
        return os.path.exists(path)


def _os_error(MPI: Any, error: Any, path: str) -> OSError:
    """The OSError h5py users catch for a failed ``MPI_File_open``."""
    cls = error.Get_error_class()
    text = error.Get_error_string().strip()
    if cls == MPI.ERR_NO_SUCH_FILE:
        return FileNotFoundError(2, f"No such file or directory ({text})", path)
    if cls == MPI.ERR_FILE_EXISTS:
        return FileExistsError(17, f"File exists ({text})", path)
    if cls == MPI.ERR_ACCESS:
        return PermissionError(13, f"Permission denied ({text})", path)
    return OSError(f"MPI_File_open of {path!r} failed: {text}")
