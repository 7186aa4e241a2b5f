"""Parallel writing (the ``mpio`` driver): one write session per rank, kept identical.

Every rank of the communicator runs the same :class:`ParallelSession` -- the write session
with four changes -- so every rank holds the same metadata and the allocator hands out the
same addresses everywhere (it is deterministic: same calls, same addresses):

- **Divergence detector.**  Each collective verb (create, link, unlink, move, attributes,
  resize, ...) feeds ``(operation, arguments)`` into a running digest.  Every
  synchronisation point (commit, a collective write, resize) starts with
  :meth:`Collective.exchange`: a small non-blocking allgather of (what this point is,
  number of operations, digest), then the payload.  Ranks that disagree raise
  :class:`~h5pure.drivers.mpio.CollectiveError` on *every* rank, naming the first operation
  that differs on each rank; a rank that never arrives makes the others give up after a
  timeout (no hang).
- **Metadata once.**  The commit is the serial atomic commit; the driver writes metadata
  on rank 0 only (see :mod:`h5pure.drivers.mpio`), after an exchange that is also the
  barrier ordering every rank's raw data before the publishing superblock write; a barrier
  after staging (every rank has read the structures the commit replaces before rank 0
  writes over them in place), and the driver's end-of-commit flush is a barrier.
- **Raw data through MPI-IO.**  Contiguous datasets are allocated when created (as
  libhdf5 does in parallel) and each rank writes the byte runs of its selection
  (``Write_at``; ``Write_at_all`` inside ``with dset.collective:``).
- **Chunks: placed by agreement.**  A chunk a rank writes (compressed by that rank) first
  goes to the rank's scratch memory; at the next synchronisation point (the end of a
  collective write, a commit, a resize) the ranks exchange (dataset, chunk, size, mask,
  digest of the bytes), place every chunk in one order on every rank -- the chunk indexes
  stay identical -- and each rank writes its own chunks.  A chunk written by several ranks
  with different bytes in one round is an error naming the chunk and the ranks.
- **Variable-length data.**  A write of vlen values is always a collective call: the ranks
  exchange their values and every rank stores all of them in rank order into the global
  heap (identical heaps), then writes the elements of its own selection.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ..drivers.mpio import SCRATCH_BASE, CollectiveError, MpioDriver, barrier, wait
from ..dtypes import to_storage
from .chunkstore import ChunkStore, ChunkStores
from .dataset import DatasetStorage
from .objects import ObjectInfo
from .session import WriteSession

if TYPE_CHECKING:
    from .core import Buffer
    from .file import FileState

_KINDS = ("commit", "write", "vlen", "resize", "create")
_LOG_LIMIT = 10000
"""Operations remembered between two synchronisation points (for the error message)."""


def make_parallel(fs: FileState) -> None:
    """Turn the write session of a file opened through the mpio driver into a
    :class:`ParallelSession` (idempotent; nothing to do for read-only files)."""
    session = fs.writer
    if session is None or isinstance(session, ParallelSession):
        return
    session.__class__ = ParallelSession
    assert isinstance(session, ParallelSession)
    session._init_parallel()


def atomic(fs: FileState, value: bool | None = None) -> bool:
    """MPI atomicity of the file (h5py's ``File.atomic``); set collectively."""
    driver = fs.driver
    if not isinstance(driver, MpioDriver):
        raise ValueError("File.atomic is defined for files opened with driver='mpio' only")
    if value is not None:
        driver.atomic = value
    return driver.atomic


@contextlib.contextmanager
def collective_mode(fs: FileState) -> Iterator[None]:
    """Raw data writes of every rank inside go through MPI's collective calls (h5py's
    ``with dset.collective:``); every rank must make the same writes' calls."""
    if not isinstance(fs.driver, MpioDriver):
        raise ValueError("collective I/O needs a file opened with driver='mpio'")
    session = fs.writer
    if not isinstance(session, ParallelSession):
        yield  # read-only: reads are independent either way
        return
    session.collective += 1
    try:
        yield
    finally:
        session.collective -= 1


class Collective:
    """The running digest of one rank's collective calls and the checked exchange."""

    def __init__(self, comm: Any) -> None:
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        self._digest = hashlib.blake2b(digest_size=16)
        self._log: list[str] = []
        self._count = 0
        self.diverged = False
        self.timed_out = False
        """A collective was given up: the others may still be in it, so this rank makes
        no further collective call on the file (not even the closing one)."""

    def note(self, op: str, *args: Any) -> None:
        """Record one collective operation and its arguments."""
        text = f"{op}({', '.join(_short(a) for a in args)})"
        self._digest.update(op.encode())
        for a in args:
            self._digest.update(_fingerprint(a))
        self._count += 1
        if len(self._log) < _LOG_LIMIT:
            self._log.append(text)

    def exchange(self, kind: str, payload: Any = None) -> list[Any]:
        """Every rank's ``payload`` (in rank order), once every rank arrived at the same
        kind of synchronisation point having made the same collective calls."""
        if self.size == 1:
            self._reset()
            return [payload]
        mine = np.zeros(4, dtype=np.uint64)
        mine[0] = _KINDS.index(kind)
        mine[1] = self._count
        mine[2:] = np.frombuffer(self._digest.digest(), dtype=np.uint64)
        every = np.zeros((self.size, 4), dtype=np.uint64)
        try:
            wait(self.comm.Iallgather(mine, every), kind, self.rank)
        except CollectiveError:
            self.diverged = True  # nothing more is committed from this rank
            self.timed_out = True
            raise
        if not (every == every[0]).all():
            self._raise_divergence(kind, every)
        self._reset()
        return list(self.comm.allgather(payload))

    def _reset(self) -> None:
        self._digest = hashlib.blake2b(digest_size=16)
        self._log = []
        self._count = 0

    def _raise_divergence(self, kind: str, every: np.ndarray) -> None:
        """Raise on every rank: which operation differs, and on which ranks."""
        self.diverged = True
        logs = self.comm.allgather((kind, self._count, self._log))
        reference = logs[0]
        differing = [r for r in range(self.size) if tuple(every[r]) != tuple(every[0])]
        first = 0
        while first < max(len(lg[2]) for lg in logs) and all(
            lg[2][first : first + 1] == reference[2][first : first + 1] for lg in logs
        ):
            first += 1
        lines = []
        for r, (k, count, log) in enumerate(logs):
            op = log[first] if first < len(log) else f"(no further operation; at '{k}')"
            lines.append(f"rank {r}: {op}  [{count} operations, then '{k}']")
        raise CollectiveError(
            f"collective calls diverged: ranks {differing} differ from rank 0 at operation "
            f"#{first + 1} since the last synchronisation point:\n  " + "\n  ".join(lines)
        )


def _short(value: Any) -> str:
    if isinstance(value, int) and value > 255:
        return f"@0x{value:x}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fingerprint(value: Any) -> bytes:
    try:
        return hashlib.blake2b(pickle.dumps(value, protocol=4), digest_size=16).digest()
    except Exception:
        return repr(value).encode()


class _NothingInPlace:
    """The session as the chunk writer sees it, with no space fresh (no in-place rows)."""

    def __init__(self, session: WriteSession) -> None:
        self._session = session
        self.allocator = _NeverFresh(session.allocator)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


class _NeverFresh:
    def __init__(self, allocator: Any) -> None:
        self._allocator = allocator

    def is_fresh(self, address: int, size: int) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._allocator, name)


class ParallelChunkStores(ChunkStores):
    """Chunk stores whose new chunks wait in scratch memory until the ranks agree on
    their place (:meth:`ParallelSession.sync_chunks`)."""

    pending: dict[tuple[int, tuple[int, ...]], tuple[int, int, int, Any]]
    """(dataset address, coords) -> (scratch address, size, mask, entry before)."""
    _scratch_top: int

    def _address_of(self, store: ChunkStore) -> int:
        for address, s in self._stores.items():
            if s is store:
                return address
        raise KeyError("chunk store of no dataset")

    def place(self, store: ChunkStore, coords: tuple[int, ...], data: Buffer, mask: int) -> None:
        core = self._core
        nbytes = memoryview(data).nbytes
        key = (self._address_of(store), coords)
        held = self.pending.get(key)
        if held is not None and held[1] == nbytes:
            scratch, before = held[0], held[3]
        else:
            scratch = self._scratch_top
            self._scratch_top += (nbytes + 7) & ~7 or 8
            before = held[3] if held is not None else store.entries.get(coords)
        core.write_raw(scratch, data)
        self.pending[key] = (scratch, nbytes, int(mask), before)
        store.entries[coords] = (scratch, nbytes, int(mask))
        store.dirty = True


class ParallelSession(WriteSession):
    """The write session of a file opened through the mpio driver (see the module)."""

    collective: int
    comm: Any
    sync: Collective
    chunks: ParallelChunkStores

    def _init_parallel(self) -> None:
        driver = self.fs.driver
        assert isinstance(driver, MpioDriver)
        self.comm = driver.comm
        self.sync = Collective(driver.comm)
        self.collective = 0
        chunks = ParallelChunkStores(self)
        chunks._stores = self.chunks._stores
        chunks.pending = {}
        chunks._scratch_top = SCRATCH_BASE - self.ctx.base_address
        self.chunks = chunks
        self.data.chunks = chunks

    @property
    def driver(self) -> MpioDriver:
        driver = self.fs.driver
        assert isinstance(driver, MpioDriver)
        return driver

    def write_raw(self, address: int, data: Buffer) -> None:
        self.driver.write_raw(self.ctx.base_address + address, data)

    # -- collective verbs: noted in the digest ----------------------------------------
    def create_group(
        self, parent: int | None, name: str | None, *, track_order: bool = False
    ) -> int:
        self.sync.note("create_group", parent, name, track_order)
        return super().create_group(parent, name, track_order=track_order)

    def create_dataset(self, parent: int | None, name: str | None, prepared: Any) -> int:
        spec = prepared.spec
        self.sync.note(
            "create_dataset", parent, name, getattr(spec, "shape", None), str(prepared.plan)
        )
        address = super().create_dataset(parent, name, prepared)
        with self.lock:
            self._allocate_early(address)
        return address

    def create_virtual_dataset(self, parent: Any, name: Any, prepared: Any, spec: Any) -> int:
        self.sync.note("create_virtual_dataset", parent, name, spec)
        return super().create_virtual_dataset(parent, name, prepared, spec)

    def commit_datatype(self, parent: int, name: str, dtype: np.dtype) -> int:
        self.sync.note("commit_datatype", parent, name, str(dtype))
        return super().commit_datatype(parent, name, dtype)

    def link_hard(self, parent: int, name: str, address: int) -> None:
        self.sync.note("link_hard", parent, name, address)
        super().link_hard(parent, name, address)

    def link_soft(self, parent: int, name: str, target: str) -> None:
        self.sync.note("link_soft", parent, name, target)
        super().link_soft(parent, name, target)

    def link_external(self, parent: int, name: str, filename: str, path: str) -> None:
        self.sync.note("link_external", parent, name, filename, path)
        super().link_external(parent, name, filename, path)

    def unlink(self, parent: int, name: str) -> None:
        self.sync.note("unlink", parent, name)
        super().unlink(parent, name)

    def move(self, src_parent: int, src_name: str, dst_parent: int, dst_name: str) -> None:
        self.sync.note("move", src_parent, src_name, dst_parent, dst_name)
        super().move(src_parent, src_name, dst_parent, dst_name)

    def set_attribute(self, address: int, spec: Any, *, in_place: bool = False) -> None:
        self.sync.note("set_attribute", address, spec.name, spec)
        super().set_attribute(address, spec, in_place=in_place)

    def delete_attribute(self, address: int, name: str) -> bool:
        self.sync.note("delete_attribute", address, name)
        return super().delete_attribute(address, name)

    def resize(self, storage: DatasetStorage, shape: tuple[int, ...]) -> None:
        self.sync.note("resize", storage.address, tuple(shape))
        with self.lock:
            self.sync_chunks("resize")
            # every rank makes the same changes to straddling chunks: placed directly
            self.data.chunks = ChunkStores.__new__(ChunkStores)
            self.data.chunks.__dict__.update(self.chunks.__dict__)
            try:
                super().resize(storage, shape)
            finally:
                self.data.chunks = self.chunks

    def start_swmr(self) -> None:
        raise ValueError("SWMR writing is not available with driver='mpio'")

    # -- raw data -------------------------------------------------------------------------
    def write_simple(self, storage: DatasetStorage, dtype: np.dtype, key: Any, value: Any) -> bool:
        return False  # the general path writes exactly the selected bytes

    def write(self, storage: DatasetStorage, sel: Any, values: np.ndarray) -> None:
        with self.lock:
            if storage.efl is not None and storage.efl.slots:
                raise ValueError("external raw storage cannot be written with driver='mpio'")
            if values.dtype.hasobject:
                raw = self._vlen_raw(storage, sel, values)
            else:
                raw = to_storage(values, storage.datatype, self.heap)
            if sel.nselect == 0 and not self.collective:
                return
            cls = storage.layout_class
            if cls == "contiguous":
                self._write_contiguous(storage, sel, raw)
            elif cls == "chunked":
                if sel.nselect:
                    # every touched chunk is rewritten whole (never rows in place: ranks
                    # writing other parts of one chunk would overwrite each other's rows
                    # unseen), so the synchronisation sees each writer of each chunk
                    self.data._core = cast(Any, _NothingInPlace(self))
                    try:
                        self.data._write_chunked(storage, sel, raw)
                    finally:
                        self.data._core = self
                if self.collective:
                    self.sync_chunks("write")
            elif cls == "compact":  # metadata: every rank must write the same values
                if sel.nselect:
                    self.data._write_compact(storage, sel, raw)
            else:
                raise TypeError(f"writing to a {cls} dataset is not supported")
            self.fs.invalidate(storage.address)

    def _vlen_raw(self, storage: DatasetStorage, sel: Any, values: np.ndarray) -> np.ndarray:
        """Variable-length values: exchanged, and stored by every rank in rank order (the
        global heaps stay identical); this rank's elements returned."""
        if not self.collective:
            self.sync.note("vlen_write", storage.address)
        every = self.sync.exchange("vlen", values)
        mine: np.ndarray | None = None
        for rank, vals in enumerate(every):
            raw = to_storage(vals, storage.datatype, self.heap)
            if rank == self.sync.rank:
                mine = raw
        assert mine is not None
        return mine

    def _allocate_early(self, address: int) -> None:
        """Place a new contiguous dataset's storage now (libhdf5's early allocation in
        parallel): the ranks write into it independently.  A fill value other than zero,
        or space an earlier object used, is written by rank 0 before any rank goes on."""
        storage = DatasetStorage(self.fs, ObjectInfo(self.fs, address))
        if storage.layout_class != "contiguous" or storage.contiguous_address is not None:
            return
        if storage.efl is not None and storage.efl.slots:
            return
        end_before = self.allocator.eoa
        at = self.data._ensure_contiguous(storage, True)
        fill = storage.fill_value()
        if at < end_before or (fill.size and np.frombuffer(fill.tobytes(), np.uint8).any()):
            if self.driver.rank == 0:  # (inside the allocated space: every rank's size()
                # stays the same without the others recording this write)
                block = storage.new_output(storage.shape).reshape(-1).view(np.uint8).data
                self.driver.write(self.ctx.base_address + at, block)
            self.sync.exchange("create")  # nobody writes into it before the fill
        # every rank knows the dataset's space is part of the file now (what any rank
        # writes there reads back on every rank; unwritten bytes read as zeros)
        nbytes = int(np.prod(storage.shape, dtype=np.int64)) * storage.storage_dtype.itemsize
        self.driver.note_extent(self.ctx.base_address + at + nbytes)
        self.fs.invalidate(address)

    def _write_contiguous(self, storage: DatasetStorage, sel: Any, raw: np.ndarray) -> None:
        address = storage.contiguous_address
        if address is None:
            if not self.collective:
                raise ValueError(
                    "this dataset's storage is not allocated yet: write it first inside "
                    "'with dset.collective:' (every rank), as the ranks must agree on its place"
                )
            self.sync.exchange("write")
            self._allocate_early(storage.address)
            storage = DatasetStorage(self.fs, ObjectInfo(self.fs, storage.address))
            address = storage.contiguous_address
            assert address is not None
        runs, buf = _contiguous_runs(sel, storage.shape, raw)
        base = self.ctx.base_address + int(address)
        absolute = [(base + off, n) for off, n in runs]
        if self.collective:
            self.sync.exchange("write")
        self.driver.write_runs(absolute, buf, bool(self.collective))

    def sync_chunks(self, kind: str) -> None:
        """Agree on the place of every rank's new chunks (see the module)."""
        chunks = self.chunks
        driver = self.driver
        mine = []
        for (ds, coords), (scratch, nbytes, mask, _) in sorted(chunks.pending.items()):
            digest = hashlib.blake2b(
                driver._scratch_at(self.ctx.base_address + scratch, nbytes), digest_size=16
            ).digest()
            mine.append((ds, coords, nbytes, mask, digest))
        every = self.sync.exchange(kind, mine)
        owners: dict[tuple[int, tuple[int, ...]], tuple[int, int, int, bytes]] = {}
        for rank, items in enumerate(every):
            for ds, coords, nbytes, mask, digest in items:
                key = (ds, coords)
                held = owners.get(key)
                if held is None:
                    owners[key] = (rank, nbytes, mask, digest)
                elif held[3] != digest:
                    self.sync.diverged = True  # every rank: nothing more is committed
                    raise CollectiveError(
                        f"chunk {coords} of the dataset at 0x{ds:x} was written by ranks "
                        f"{held[0]} and {rank} with different values since the last "
                        "synchronisation point: each chunk must have one writer (or all "
                        "writers the same values)"
                    )
        if not owners:
            return
        # this rank's pending entries go back to what every other rank has
        datasets = sorted({ds for ds, _ in owners})
        scratch_of = {}
        for (ds, coords), (scratch, nbytes, _mask, before) in chunks.pending.items():
            store = chunks._stores[ds]
            if before is None:
                store.entries.pop(coords, None)
            else:
                store.entries[coords] = before
            scratch_of[(ds, coords)] = (scratch, nbytes)
        chunks.pending = {}
        runs: list[tuple[int, int]] = []
        parts: list[bytes] = []
        base = self.ctx.base_address
        for ds in datasets:
            storage = DatasetStorage(self.fs, ObjectInfo(self.fs, ds))
            store = ChunkStores.get(chunks, storage)
            for key in sorted(k for k in owners if k[0] == ds):
                rank, nbytes, mask, _ = owners[key]
                coords = key[1]
                entry = store.entries.get(coords)
                if (
                    entry is not None
                    and entry[1] == nbytes
                    and self.allocator.is_fresh(entry[0], nbytes)
                ):
                    address = entry[0]
                else:
                    if entry is not None:
                        self.allocator.release(entry[0], entry[1])
                    address = self.allocator.allocate(nbytes)
                store.entries[coords] = (address, nbytes, mask)
                if rank == self.sync.rank:
                    scratch, size = scratch_of[key]
                    parts.append(driver.take_scratch(base + scratch, size))
                    runs.append((base + address, nbytes))
            store.dirty = True
            self.objects.load(ds).touch()
            self.fs.invalidate(ds)
        placed = [store.entries[k[1]] for k in owners for store in [chunks._stores[k[0]]]]
        driver.note_extent(base + max(a + n for a, n, _ in placed))
        driver._scratch.clear()
        chunks._scratch_top = SCRATCH_BASE - base
        collective = kind == "write" and bool(self.collective)
        driver.write_runs(runs, memoryview(b"".join(parts)), collective)

    # -- the commit point ---------------------------------------------------------------
    def commit(self) -> None:
        """The serial atomic commit, run by every rank after the exchange that checks the
        ranks agree and places their chunks (rank 0 writes the metadata)."""
        with self.lock:
            if self.sync.diverged:
                raise CollectiveError(
                    "this file's ranks diverged earlier: nothing more is committed (the file "
                    "keeps its last committed state)"
                )
            self.sync_chunks("commit")
            super().commit()

    def _publish(self, staged: list[tuple[int, bytes]]) -> None:
        """Publish once every rank has staged the commit: staging reads the committed
        structures it replaces (a group's old symbol table, a chunk index), and rank 0
        must not overwrite them in place while a slower rank still reads them."""
        barrier(self.comm, "publish")
        super()._publish(staged)

    def close(self) -> None:
        if self.sync.timed_out:
            self.driver.abandoned = True
        if self.sync.diverged:
            return  # the last committed state stays; the driver still closes collectively
        super().close()


def _contiguous_runs(
    sel: Any, shape: tuple[int, ...], raw: np.ndarray
) -> tuple[list[tuple[int, int]], memoryview]:
    """The byte runs ``(offset, length)`` in a C-ordered array of ``shape`` that the
    selection covers, and the bytes to write there in run order."""
    itemsize = raw.dtype.itemsize
    if not shape:
        return [(0, itemsize)], np.ascontiguousarray(raw).reshape(-1).view(np.uint8).data
    proj = next(iter(sel.chunk_projections(shape)), None)
    if proj is None:
        return [], memoryview(b"")
    strides = np.ones(len(shape), dtype=np.int64)
    for k in range(len(shape) - 2, -1, -1):
        strides[k] = strides[k + 1] * shape[k + 1]
    values = np.ascontiguousarray(raw[proj.out_sel])
    buf = values.reshape(-1).view(np.uint8).data
    if sel.is_points:
        offsets = sum(np.asarray(c, dtype=np.int64) * s for c, s in zip(proj.chunk_sel, strides))
        offsets = np.asarray(offsets, dtype=np.int64).reshape(-1)
        return _merge(offsets * itemsize, itemsize), buf
    axes = []
    for s, n in zip(proj.chunk_sel, shape):
        if isinstance(s, slice):
            axes.append(np.arange(*s.indices(n), dtype=np.int64))
        else:
            axes.append(np.asarray(s, dtype=np.int64).reshape(-1))
    k = len(shape)
    inner = 1
    while k > 0 and len(axes[k - 1]) == shape[k - 1] and _is_range(axes[k - 1], 0):
        k -= 1
        inner *= shape[k]
    if k > 0 and _is_range(axes[k - 1], int(axes[k - 1][0]) if len(axes[k - 1]) else 0):
        k -= 1
        run = len(axes[k]) * inner
        start = int(axes[k][0]) * int(strides[k]) if len(axes[k]) else 0
    else:
        run, start = inner, 0
    offsets = np.asarray([start], dtype=np.int64)
    for j in range(k - 1, -1, -1):
        offsets = np.add.outer(axes[j] * strides[j], offsets).reshape(-1)
    return _merge(offsets * itemsize, run * itemsize), buf


def _is_range(a: np.ndarray, first: int) -> bool:
    return len(a) > 0 and int(a[0]) == first and bool(np.all(np.diff(a) == 1))


def _merge(offsets: np.ndarray, length: int) -> list[tuple[int, int]]:
    """Runs of ``length`` bytes at ``offsets`` (in write order), neighbours joined."""
    if length == 0 or not len(offsets):
        return []
    breaks = np.flatnonzero(offsets[1:] != offsets[:-1] + length) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [len(offsets)]))
    return [(int(offsets[s]), int(e - s) * length) for s, e in zip(starts, ends)]
