"""The write session of a file: every change to a file opened for writing goes through it.

:class:`WriteSession` offers typed verbs, each taking the session's lock itself: create a
group, a dataset, a virtual dataset or a committed datatype under a parent group (or
anonymously), link, unlink and move (counting hard links), set and delete attributes,
write a selection, put a chunk, resize.  Its parts (:mod:`.objectstore`,
:mod:`.groupwriter`, :mod:`.attrwriter`, :mod:`.chunkstore`, :mod:`.datawriter`) see it
through the :class:`~.core.SessionCore` protocol.

Bytes reach the file two ways only.  Raw data (elements, chunks) is written at once by
:meth:`WriteSession.write_raw`.  Metadata is never written where it is made:
:meth:`WriteSession.stage` queues it and :meth:`WriteSession.commit`, the one commit
point, writes it.  Objects live as models (:mod:`.model`) until the commit serializes them
in a fixed order -- link storage, chunk indexes, dense attributes, heap collections,
object headers -- then writes the queued metadata (sorted, neighbours joined) and the
superblock last (its end-of-file address covers everything written before it).
"""

from __future__ import annotations

import math
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..dtypes import datatype_for, fill_value_bytes, numpy_dtype, to_storage
from ..format.context import FormatContext
from ..format.journal import JournalRecord, encode_pointer, encode_record
from ..format.messages import MessageType
from ..format.messages.datatype import encode_datatype
from ..format.messages.misc import encode_driver_info, encode_driver_info_block, make_driver_info
from ..format.selection_codec import HYPER_VERSION_BOUNDS, stored_selection
from ..format.superblock import Superblock, encode_superblock
from ..format.symbol_table import SymbolTableEntry
from ..format.vds import VirtualMapping, encode_vds_block
from .allocator import Allocator
from .attrwriter import AttributeWriter
from .chunkstore import ChunkStores
from .create import (
    DATASET_HEADER_AREA,
    LIBVER_ORDER,
    DatasetPlan,
    FormatVersions,
    PreparedDataset,
    dataset_header_area,
    dataset_messages,
    format_versions,
    libver_of_superblock,
    prepare_dataset,
)
from .dataset import DatasetStorage
from .datawriter import DataWriter
from .external import build_external
from .file import FileState
from .groupwriter import GroupStore
from .heapwriter import GlobalHeapWriter
from .links import LinkEntry
from .model import MessageSlot
from .objects import ObjectInfo
from .objectstore import ObjectStore
from .specs import AttributeSpec, DatasetSpec, VirtualSpec

if TYPE_CHECKING:
    from ..drivers.base import Driver
    from .core import Buffer

_SWMR_WRITE_FLAGS = 0x05
"""Superblock status flags of a file open for SWMR writing (write access + SWMR write
access, libhdf5's ``H5F_SUPER_WRITE_ACCESS | H5F_SUPER_SWMR_WRITE_ACCESS``); cleared
at close."""
SWMR_HOLD = 64
"""Commits a SWMR writer keeps freed space unused beyond the next commit."""
_SWMR_RANKS = {
    # leaves of the chunk indexes, then their inner nodes, then their headers, then the
    # object headers that point at them: the order in which a SWMR writer changes
    # structures in place (libhdf5's flush dependencies: a child before its parent)
    b"EADB": 0,
    b"FADB": 0,
    b"BTLF": 0,
    b"TREE": 0,
    b"FHDB": 0,
    b"EASB": 1,
    b"BTIN": 1,
    b"FHIB": 1,
    b"HEAP": 1,
    b"GCOL": 1,
    b"EAIB": 2,
    b"EAHD": 3,
    b"FAHD": 3,
    b"BTHD": 3,
    b"FRHP": 3,
    b"SNOD": 3,
    b"OCHK": 4,
    b"OHDR": 5,
}


def _swmr_rank(blob: bytes) -> int:
    """Where a structure changed in place comes in a SWMR commit (by its signature)."""
    return _SWMR_RANKS.get(bytes(blob[:4]), 1)


_COMMITTED_TYPE_FLAGS = 0x05
"""Constant + do-not-share: the flags ``H5T__commit`` gives a committed type's message."""


class WriteSession:
    """The mutable state of a file opened for writing, and the verbs that change it."""

    def __init__(self, fs: FileState, libver: tuple[str, str]) -> None:
        self.fs = fs
        # the file grows while it is written: the end-of-file bound of the opening
        # superblock no longer limits where structures may lie
        fs.ctx = replace(fs.ctx, eof_address=None)
        self.ctx: FormatContext = fs.ctx
        self.libver = libver
        self.versions: FormatVersions = format_versions(libver[0])
        """Structure versions for new objects, from the low bound (an opened file keeps its
        own format: see :func:`open_for_writing`)."""
        eoa = fs.superblock.eof_address - fs.superblock.base_address
        self.allocator = Allocator(eoa=max(eoa, 0))
        self.heap = GlobalHeapWriter(self.ctx, self.allocator)
        self.lock = threading.RLock()
        """Held by every verb and by the commit: one writer at a time per file."""
        self.objects = ObjectStore(self)
        self.groups = GroupStore(self)
        self.attributes = AttributeWriter(self)
        self.chunks = ChunkStores(self)
        self.data = DataWriter(self, self.chunks)
        self._anonymous: set[int] = set()
        """Objects created without a link (reference count 0), freed at close unless
        linked meanwhile (libhdf5 frees them when their last handle closes)."""
        self._staged: list[tuple[int, bytes]] = []
        """Metadata queued for the next commit, in the order it was staged."""
        self._committing = False
        self._sequence = 0
        self._journal_published = False
        """Whether the commit under way has written its journal pointer (see commit)."""
        """Commits journaled in this session (numbers the journal records)."""
        self.fsync = False
        """``File(fsync=True)``: each commit's barriers and end ``fsync`` the file, so a
        committed state survives a power cut; off by default, as libhdf5's flush."""

    # -- the two ways bytes reach the file ----------------------------------------------
    def write_raw(self, address: int, data: Buffer) -> None:
        """Write raw data (dataset elements, chunks) at relative ``address`` now."""
        self.fs.driver.write(self.ctx.base_address + address, data)

    def stage(self, address: int, blob: bytes) -> None:
        """Queue the metadata ``blob`` for relative ``address``; the commit writes it
        (until then the file state reads it from the queue)."""
        self._staged.append((address, blob))
        if not self._committing:
            self.fs.source.staged[address] = blob

    def _write_metadata(self, items: list[tuple[int, bytes]]) -> None:
        """Write metadata: sorted by address, neighbours joined into one write (new
        objects lie side by side), in the given order if any overlap."""
        ordered = sorted(items, key=lambda p: p[0])
        if any(a + len(d) > b for (a, d), (b, _) in zip(ordered, ordered[1:])):
            ordered = items
        driver, base = self.fs.driver, self.ctx.base_address
        run: list[bytes] = []
        start = end = -1
        for address, data in ordered:
            if address != end and run:
                driver.write(base + start, b"".join(run))
                run = []
            if not run:
                start = end = address
            run.append(data)
            end += len(data)
        if run:
            driver.write(base + start, b"".join(run))

    # -- creating objects ---------------------------------------------------------------
    def create_group(
        self, parent: int | None, name: str | None, *, track_order: bool = False
    ) -> int:
        """A new empty group linked as ``parent/name`` (anonymous when ``parent`` is None);
        its object header address."""
        with self.lock:
            address = self.groups.create(track_order)
            self._link_new(parent, name, address)
            return address

    def set_link_phase_change(self, group: int, max_compact: int, min_dense: int) -> None:
        """The link storage phase change of the group at ``group`` (see
        :meth:`GroupStore.set_phase_change`)."""
        with self.lock:
            self.groups.set_phase_change(group, max_compact, min_dense)

    def prepare_dataset(self, spec: DatasetSpec) -> PreparedDataset:
        """The datatype, fill value and filter pipeline of a dataset to create (checks
        them; a vlen fill value goes to the global heap now)."""
        with self.lock:
            return prepare_dataset(spec, self.versions.low, self.heap)

    def create_dataset(
        self, parent: int | None, name: str | None, prepared: PreparedDataset
    ) -> int:
        """Create the dataset ``prepared`` as ``parent/name`` (anonymous when ``parent`` is
        None); its values ``spec.initial`` are stored with it when
        :attr:`PreparedDataset.stores_initial` (the caller writes them otherwise)."""
        spec, plan = prepared.spec, prepared.plan
        with self.lock:
            if spec.external:
                dims = spec.maxshape if spec.maxshape is not None else spec.shape or ()
                nbytes = (
                    None if None in dims else math.prod(d or 0 for d in dims) * plan.datatype.size
                )
                plan = replace(plan, external=build_external(self, spec.external, nbytes))
            model = self.objects.new(
                dataset_messages(self.ctx, plan, self.versions),
                min_area=dataset_header_area(plan),
                track_order=spec.track_order,
                track_times=spec.track_times,
            )
            if plan.committed_type is not None:
                # libhdf5 (H5T_link) counts each user in the committed type's link count
                self._add_reference(plan.committed_type)
            self._link_new(parent, name, model.address)
            if prepared.stores_initial and spec.initial is not None:
                value = spec.initial
                if value.shape != spec.shape:
                    value = value.reshape(spec.shape)
                mem = numpy_dtype(plan.datatype)
                if value.dtype != mem:
                    value = np.asarray(value, dtype=mem)
                raw = np.ascontiguousarray(to_storage(value, plan.datatype, self.heap))
                self.data.store_initial(model.address, raw.reshape(-1).view(np.uint8).data)
            return model.address

    def prepare_virtual(self, spec: VirtualSpec) -> PreparedDataset:
        """The datatype and fill value of a virtual dataset to create."""
        with self.lock:
            datatype = datatype_for(spec.dtype, libver_low=self.versions.low)
            fill = (
                None
                if spec.fillvalue is None
                else fill_value_bytes(spec.fillvalue, datatype, self.heap)
            )
            plan = DatasetPlan(
                shape=spec.shape, maxshape=spec.maxshape, datatype=datatype, chunks=None, fill=fill
            )
            return PreparedDataset(DatasetSpec(spec.shape, spec.dtype), plan)

    def create_virtual_dataset(
        self, parent: int | None, name: str | None, prepared: PreparedDataset, spec: VirtualSpec
    ) -> int:
        """Create a virtual dataset mapping ``spec.sources`` as ``parent/name``."""
        with self.lock:
            bound = HYPER_VERSION_BOUNDS[self.versions.low]
            mappings = [
                VirtualMapping(
                    s.file_name,
                    s.dataset_name,
                    stored_selection(s.source_selection, bound),
                    stored_selection(s.virtual_selection, bound),
                )
                for s in spec.sources
            ]
            heap_id = self.heap.put(encode_vds_block(mappings, self.ctx))
            plan = replace(prepared.plan, virtual=heap_id)
            model = self.objects.new(
                dataset_messages(self.ctx, plan, self.versions),
                min_area=DATASET_HEADER_AREA,
                track_order=False,  # h5py creates virtual datasets untracked
            )
            self._link_new(parent, name, model.address)
            return model.address

    def commit_datatype(self, parent: int, name: str, dtype: np.dtype) -> int:
        """Store ``dtype`` as a committed (named) datatype ``parent/name``."""
        body = encode_datatype(datatype_for(dtype, libver_low=self.versions.low))
        with self.lock:
            slot = MessageSlot(MessageType.DATATYPE, body, _COMMITTED_TYPE_FLAGS)
            model = self.objects.new([slot])
            self.groups.add_link(parent, LinkEntry(name, "hard", address=model.address))
            return model.address

    def _link_new(self, parent: int | None, name: str | None, address: int) -> None:
        """Link a new object as ``parent/name``, or keep it anonymous: libhdf5 gives such
        an object header a link count of 0, and a later hard link raises it to 1."""
        if parent is None or name is None:
            model = self.objects.load(address)
            model.refcount = 0
            model.touch()
            self._anonymous.add(address)
        else:
            self.groups.add_link(parent, LinkEntry(name, "hard", address=address))

    def _add_reference(self, address: int) -> None:
        """One more hard link to (or user of) the object at ``address``."""
        model = self.objects.load(address)
        model.refcount += 1
        model.touch()
        self.fs.invalidate(address)

    # -- links ------------------------------------------------------------------------
    def link_hard(self, parent: int, name: str, address: int) -> None:
        """A hard link ``parent/name`` to the object at ``address`` (same file)."""
        with self.lock:
            model = self.objects.load(address)
            model.refcount += 1
            model.touch()
            self.groups.add_link(parent, LinkEntry(name, "hard", address=address))

    def link_soft(self, parent: int, name: str, target: str) -> None:
        """A soft link ``parent/name`` to the path ``target``."""
        with self.lock:
            self.groups.add_link(parent, LinkEntry(name, "soft", target=target))

    def link_external(self, parent: int, name: str, filename: str, path: str) -> None:
        """An external link ``parent/name`` to ``path`` in the file ``filename``."""
        with self.lock:
            self.groups.add_link(
                parent, LinkEntry(name, "external", target=path, external_file=filename)
            )

    def unlink(self, parent: int, name: str) -> None:
        """Remove the link ``parent/name``; an object left without hard links is deleted
        (with everything only it links to)."""
        with self.lock:
            entry = self.groups.remove_link(parent, name)
            if entry.kind == "hard" and entry.address is not None:
                self._release(int(entry.address))

    def move(self, src_parent: int, src_name: str, dst_parent: int, dst_name: str) -> None:
        """Move the link ``src_parent/src_name`` to ``dst_parent/dst_name``."""
        with self.lock:
            link = self.groups.remove_link(src_parent, src_name)
            self.groups.add_link(
                dst_parent,
                LinkEntry(dst_name, link.kind, link.address, link.target, link.external_file),
            )

    def _release(self, address: int) -> None:
        """Drop one hard link to the object at ``address``; when none is left, release its
        header, its raw data and (for groups) everything only it links to."""
        model = self.objects.load(address)
        model.refcount -= 1
        model.touch()
        if model.refcount > 0:
            return
        fs = self.fs
        info = ObjectInfo(fs, address)
        kind = info.kind
        if kind == "group":
            group = self.groups.load(address)
            for entry in list(group.links.values()):
                if entry.kind == "hard" and entry.address is not None:
                    self._release(int(entry.address))
            self.groups.release(address)
        elif kind == "dataset":
            committed = info.committed_datatype_address()
            if committed is not None:
                # the dataset held one reference to its committed datatype
                self._release(committed)
            storage = DatasetStorage(fs, info)
            if storage.contiguous_address is not None:
                self.allocator.release(storage.contiguous_address, storage.storage_size())
            elif storage.layout_class == "chunked":
                self.chunks.release(storage)
        self.attributes.release(model)
        self.objects.release(model)
        fs.invalidate(address)

    # -- attributes ---------------------------------------------------------------------
    def set_attribute(self, address: int, spec: AttributeSpec, *, in_place: bool = False) -> None:
        """Create or replace an attribute of the object at ``address`` (``in_place``:
        rewrite it where it is, as h5py's ``modify``, instead of delete and create)."""
        with self.lock:
            body = self.attributes.encode(spec)
            self.attributes.set(address, spec.name, body, in_place=in_place)
            if spec.committed_type is not None:
                self._add_reference(spec.committed_type)

    def delete_attribute(self, address: int, name: str) -> bool:
        """Delete an attribute of the object at ``address``; False when it has none of
        that name."""
        with self.lock:
            return self.attributes.delete(address, name)

    # -- raw data -----------------------------------------------------------------------
    def write(self, storage: DatasetStorage, sel: Any, values: np.ndarray) -> None:
        """Write ``values`` (memory dtype, shaped ``sel.mshape``) to the selection."""
        with self.lock:
            self.data.write(storage, sel, values)

    def write_simple(
        self, storage: DatasetStorage, dtype: np.dtype, key: tuple[Any, ...], value: Any
    ) -> bool:
        """The fast path of ``dset[key] = value`` (see :meth:`DataWriter.write_simple`)."""
        with self.lock:
            return self.data.write_simple(storage, dtype, key, value)

    def put_chunk(
        self, storage: DatasetStorage, coords: tuple[int, ...], data: bytes, filter_mask: int
    ) -> None:
        """Store already filtered bytes as the chunk at grid ``coords``."""
        with self.lock:
            self.data.put_chunk(storage, coords, data, filter_mask)

    def resize(self, storage: DatasetStorage, shape: tuple[int, ...]) -> None:
        """Change the extent of a chunked dataset."""
        with self.lock:
            self.data.resize(storage, shape)

    def start_swmr(self) -> None:
        """Switch to SWMR writing (h5py's ``f.swmr_mode = True``), as libhdf5 does:
        the superblock is marked open for SWMR writing, everything so far is committed,
        and the file lock is released so that readers in other processes (``swmr=True``)
        can open the file.  From then on commits publish in reader order (see
        :meth:`_publish`) and freed space waits :data:`SWMR_HOLD` commits before reuse.
        The file stays in SWMR mode until it is closed."""
        with self.lock:
            fs = self.fs
            fs.superblock = replace(fs.superblock, flags=fs.superblock.flags | _SWMR_WRITE_FLAGS)
            self.fs.swmr = True
            self.allocator.hold = SWMR_HOLD
            self.commit()
            fs.driver.unlock()

    @property
    def free_bytes(self) -> int:
        """Bytes freed in this session and not yet reused."""
        return self.allocator.free_bytes

    # -- the commit point ---------------------------------------------------------------
    def commit(self) -> None:
        """Serialize every change -- link storage, chunk indexes, heaps, headers, then the
        queued metadata -- and publish it with the superblock, atomically: the file holds
        either the last committed state or this one, whenever the process dies (and,
        with ``fsync``, whenever the power goes).  Metadata in space allocated since the
        last commit is written first (nothing committed points at it); changes to bytes
        the committed state uses are journaled (:mod:`h5pure.format.journal`) before they
        are made; the superblock is the last write."""
        with self.lock:
            fs = self.fs
            self._committing = True
            self._journal_published = False
            try:
                self.groups.write_dirty()
                self.chunks.write_dirty()
                self.attributes.write_dense()
                for address, data in self.heap.flush():
                    self.stage(address, data)
                    fs.forget_global_heap_collection(address)
                self.objects.write_dirty(self.attributes.header_slots)
            except Exception as e:  # what was staged stays queued for the next commit
                raise self._commit_failed(e) from e
            finally:
                self._committing = False
            staged, self._staged = self._staged, []
            try:
                self._publish(staged)
            except BaseException as e:
                # nothing in the models is dirty any more: the next commit writes these
                self._staged = staged
                if isinstance(e, Exception):
                    raise self._commit_failed(e) from e
                raise
            fs.source.staged.clear()
            fs.source.refresh_size()
            self.allocator.commit()

    def _commit_failed(self, error: Exception) -> OSError:
        """The error a failed commit raises: what failed, and the state the file is in."""
        if self._journal_published:
            state = (
                "the file holds this commit's journal, which the next h5pure open for "
                "writing completes (until then h5pure reads the file as this commit left it)"
            )
        else:
            state = "the file keeps its last committed state"
        if isinstance(error, OSError) and error.strerror:
            what = error.strerror
        else:
            what = f"{type(error).__name__}: {error}"
        errno = error.errno if isinstance(error, OSError) else None
        message = f"{self.fs.filename!r}: the commit failed ({what}); {state}"
        return OSError(errno, message) if errno is not None else OSError(message)

    def _publish(self, staged: list[tuple[int, bytes]]) -> None:
        """Write ``staged`` and the new superblock in the crash-safe order."""
        fs = self.fs
        allocator = self.allocator
        fresh: list[tuple[int, bytes]] = []
        in_place: list[tuple[int, bytes]] = []
        is_fresh = allocator.is_fresh
        for item in staged:
            (fresh if is_fresh(item[0], len(item[1])) else in_place).append(item)
        self._write_metadata(fresh)
        superblock = self._superblock_writes()
        end = fs.superblock.eof_address
        if fs.driver.size() < end:  # the physical file reaches the end-of-file address
            self._write_metadata([(end - 1 - self.ctx.base_address, b"\0")])
        driver_info = superblock[1:]  # (unchanged bytes after the v0/v1 superblock)
        if in_place and fs.driver.journaled and not fs.swmr:
            self._sequence += 1
            record = encode_record(
                JournalRecord(self._sequence, tuple(in_place + driver_info + superblock[:1]))
            )
            base = self.ctx.base_address
            at = base + ((max(allocator.eoa, fs.driver.size() - base) + 7) & ~7)
            fs.driver.write(at, record)
            self._barrier()
            fs.driver.write(base, encode_pointer(at, len(record)))
            self._journal_published = True
            self._barrier()
            self._write_metadata(in_place + driver_info)
            self._barrier()
            self._write_metadata(superblock[:1])
            # the record is past the end of the file: no reader looks there; cut it off,
            # once the superblock no longer points at it
            if fs.driver.size() > end:
                self._barrier()
                fs.driver.truncate(end)
        elif fs.swmr:
            # SWMR readers in other processes follow the file while it is written: the
            # superblock stays valid (no journal pointer), and what an object header
            # points at is written before it -- new structures first, then changed
            # continuation chunks and indexes, then first header chunks, one object at
            # a time -- so each object is seen at its last or its new state
            self._barrier()
            ranks = sorted({_swmr_rank(d) for _, d in in_place})
            for rank in ranks:
                group = [(a, d) for a, d in in_place if _swmr_rank(d) == rank]
                if rank == _SWMR_RANKS[b"OHDR"]:
                    for item in group:  # one object at a time
                        self._write_metadata([item])
                else:
                    self._write_metadata(group)
            self._barrier()
            self._write_metadata(superblock)
        else:
            self._write_metadata(in_place)
            self._barrier()
            self._write_metadata(superblock)
        if self.fsync:
            fs.driver.sync()
        else:
            fs.driver.flush()

    def _barrier(self) -> None:
        """Order the writes before it before those after it, against a power cut too when
        the file asks for ``fsync`` (a killed process loses nothing it wrote anyway)."""
        if self.fsync:
            self.fs.driver.sync()

    def _superblock_writes(self) -> list[tuple[int, bytes]]:
        """The new superblock (first) and the driver info block of a v0/v1 superblock."""
        fs = self.fs
        sb = fs.superblock
        root_entry = sb.root_entry
        if root_entry is not None:
            stab = self.groups.root_entry_stab(sb.root_object_header_address)
            if stab is not None:
                root_entry = SymbolTableEntry(
                    0, sb.root_object_header_address, 1, stab.btree_address, stab.heap_address
                )
        page = self.allocator.page_size
        if page and self.allocator.eoa % page:
            # a paged file ends on a page boundary, as libhdf5 leaves it (its page buffer
            # corrupts memory writing to a paged file whose end is not)
            self.allocator.eoa = -(-self.allocator.eoa // page) * page
        sb = replace(sb, eof_address=self.allocator.eoa + sb.base_address, root_entry=root_entry)
        fs.superblock = sb
        items = [(0, encode_superblock(sb))]
        if sb.driver_info is not None and not self.ctx.is_undefined(sb.driver_info_address):
            items.append((sb.driver_info_address, encode_driver_info_block(sb.driver_info)))
        return items

    def close(self) -> None:
        """Free the anonymous objects nothing links to, commit, then cut the file at its
        end-of-file address, as libhdf5 does."""
        with self.lock:
            pending, self._anonymous = sorted(self._anonymous), set()
            for address in pending:
                model = self.objects.get(address)
                if model is not None and model.refcount == 0:
                    model.refcount = 1  # _release drops the last reference itself
                    self._release(address)
        if self.fs.swmr:  # the file is closed properly: no longer open for SWMR writing
            sb = self.fs.superblock
            self.fs.superblock = replace(sb, flags=sb.flags & ~_SWMR_WRITE_FLAGS)
        self.commit()
        end = self.fs.superblock.eof_address
        if self.fs.driver.size() > end:
            self.fs.driver.truncate(end)


def create_file(
    driver: Driver,
    filename: str,
    userblock_size: int,
    libver: tuple[str, str],
    track_order: bool = False,
    file_space: Any = None,
) -> FileState:
    """A new, empty HDF5 file on ``driver``, written at the first commit: superblock v0 and
    an empty root group, as h5py creates it with its default (earliest) format, or with a
    low bound of v108 and newer superblock v2/v3 (checksummed, the root object header
    address in place of the root symbol table entry)."""
    ctx = FormatContext(8, 8, userblock_size)
    undef = ctx.undefined_address
    sb_version = format_versions(libver[0]).superblock
    if file_space is not None:
        # (a format.messages.misc.FileSpaceInfo) kept in a superblock extension: version 2
        # at least, as libhdf5 writes files with non-default file space settings
        sb_version = max(sb_version, 2)
    probe = Superblock(
        version=sb_version,
        size_of_offsets=8,
        size_of_lengths=8,
        base_address=userblock_size,
        group_leaf_k=4,
        group_internal_k=16,
        indexed_storage_k=32,
        flags=0,
        free_space_address=undef,
        extension_address=undef,
        eof_address=userblock_size,
        driver_info_address=undef,
        root_object_header_address=0,
        root_entry=SymbolTableEntry(0, 0, 1, undef, undef) if sb_version < 2 else None,
        encoded_size=0,
    )
    sb_size = len(encode_superblock(probe))
    probe = replace(probe, encoded_size=sb_size)
    block = b""
    dinfo = driver.driver_info() if sb_version < 2 else None
    if dinfo is not None:
        # H5F__super_init: the driver info block follows the v0/v1 superblock (II.B)
        info = make_driver_info(dinfo[0].encode("ascii"), dinfo[1])
        block = encode_driver_info_block(info)
        probe = replace(probe, driver_info_address=sb_size, driver_info=info)
    fs = FileState(driver, filename, probe)
    session = WriteSession(fs, libver)
    session.allocator.eoa = 0
    session.allocator.allocate(sb_size + len(block))
    ext_info = driver.driver_info() if sb_version >= 2 else None
    slots = []
    if ext_info is not None:
        # H5F__super_init: a v2/v3 superblock keeps the driver information as a driver
        # info message in the superblock extension, created right after the superblock
        # (libhdf5 stamps its times); the extension never changes afterwards
        body = encode_driver_info(make_driver_info(ext_info[0].encode("ascii"), ext_info[1]))
        slots.append(MessageSlot(MessageType.DRIVER_INFO, body, 0x04))  # 0x04: never shared
    if file_space is not None:
        from ..format.messages.misc import encode_file_space_info

        # libhdf5's flags: never shared, and "mark if unknown" (0x10)
        body = encode_file_space_info(file_space, ctx)
        slots.append(MessageSlot(MessageType.FILE_SPACE_INFO, body, 0x14))
        if file_space.strategy == 1:  # paged aggregation
            session.allocator.page_size = int(file_space.page_size or 4096)
    if slots:
        ext = session.objects.new(slots, track_times=bool(ext_info))
        fs.superblock = replace(fs.superblock, extension_address=ext.address)
    root = session.groups.create(track_order)  # the root: linked from the superblock
    fs.superblock = replace(
        fs.superblock,
        root_object_header_address=root,
        root_entry=SymbolTableEntry(0, root, 1, undef, undef) if sb_version < 2 else None,
    )
    fs.writer = session
    return fs


def open_for_writing(fs: FileState, libver: tuple[str, str]) -> None:
    """Attach a write session to an existing file opened read/write.  New objects get at
    least the format the file already has (a file written with a v108+ low bound stays
    new-style)."""
    low = max(libver[0], libver_of_superblock(fs.superblock.version), key=LIBVER_ORDER.index)
    page = fs.page_size()  # (read from the file, before the session answers for it)
    fs.writer = WriteSession(fs, (low, libver[1]))
    # a paged file stays paged: no new block smaller than a page crosses a page boundary
    fs.writer.allocator.page_size = page
