"""The ``.id`` objects: the few low-level calls h5py users reach for, with h5py's names.

h5py exposes libhdf5 identifiers (``h5d.DatasetID``, ``h5f.FileID``...) through ``obj.id``.
h5pure does not emulate libhdf5; these small classes answer the questions h5py code asks
of them most often (storage size and offsets, the chunks and their raw bytes, the file's
size) from h5pure's own layers.  Addresses given out (``get_offset``, ``StoreInfo
.byte_offset``) are absolute file offsets, user block included, as libhdf5's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..errors import ClosedObjectError

if TYPE_CHECKING:
    from ..lowlevel.dataset import DatasetStorage
    from ..lowlevel.file import FileState
    from .base import HLObject
    from .dataset import Dataset
    from .files import File


class ObjectID:
    """The small ``.id`` object: identifies one object of one open file (``_obj``, the
    object it was taken from: ``h5py.Dataset(dset.id)`` binds to it)."""

    def __init__(self, obj: HLObject) -> None:
        self._obj = obj
        self._fs: FileState = obj._file._state
        self.address = obj._info.address

    @property
    def valid(self) -> bool:
        """Whether the identifier still refers to an open object (False once its file is
        closed)."""
        return self._fs.is_open

    @property
    def fileno(self) -> Any:
        """What identifies the file: the same for every open of one file on disk."""
        return self._fs.file_key()

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ObjectID)
            and self.address == other.address
            and (self._fs is other._fs or self.fileno == other.fileno)
        )

    def __hash__(self) -> int:
        return hash((self.fileno, self.address))

    def __bool__(self) -> bool:
        return self.valid


class StoreInfo(NamedTuple):
    """Where one chunk is stored (h5py's ``h5d.StoreInfo``)."""

    chunk_offset: tuple[int, ...] | None
    """Logical coordinates of the chunk's first element; None when it is not allocated."""
    filter_mask: int
    """Bit ``i`` set: filter ``i`` of the pipeline was skipped for this chunk."""
    byte_offset: int | None
    """Absolute file offset of the chunk's stored bytes; None when it is not allocated."""
    size: int
    """Stored (filtered) size of the chunk in bytes."""


class GroupID(ObjectID):
    """``group.id``."""


class TypeID(ObjectID):
    """``datatype.id`` of a committed datatype."""


class FileID(GroupID):
    """``file.id``: equal to the root group's id, as in h5py."""

    def __init__(self, file: File) -> None:
        super().__init__(file)
        self._file = file

    def _check(self) -> None:
        if not self.valid:
            raise ClosedObjectError("Not a file id (identifier is not of specified type)")

    def get_filesize(self) -> int:
        """Size of the file in bytes (the larger of its physical size and the space in use)."""
        self._check()
        return self._fs.filesize()

    def get_freespace(self) -> int:
        """Bytes of file space freed in this session and not yet reused (0 when read-only).

        libhdf5 tracks free space with its own policy, so after deletions the two libraries
        may report different amounts; both are 0 for a file opened read-only.
        """
        self._check()
        writer = self._fs.writer
        return 0 if writer is None else int(writer.free_bytes)

    def get_intent(self) -> int:
        """1 (``H5F_ACC_RDWR``) when writable, 0 (``H5F_ACC_RDONLY``) otherwise."""
        self._check()
        return 0 if self._fs.writer is None else 1


class DatasetID(ObjectID):
    """``dataset.id``: storage size, offset, chunk queries and direct chunk I/O."""

    def __init__(self, dset: Dataset) -> None:
        super().__init__(dset)
        self._dset = dset

    # -- helpers -----------------------------------------------------------------------
    def _storage(self) -> DatasetStorage:
        if not self.valid:
            raise ClosedObjectError(
                "Invalid dataset identifier (identifier is not of specified type)"
            )
        return self._dset._storage

    def _chunked(self, what: str, exc: type[Exception] = RuntimeError) -> DatasetStorage:
        st = self._storage()
        if st.layout_class != "chunked":
            raise exc(f"{what} (not a chunked dataset)")
        return st

    def _chunk_coords(self, st: DatasetStorage, offset: Any, what: str) -> tuple[int, ...]:
        """Grid coordinates of the chunk starting at ``offset`` (checked as libhdf5 does)."""
        offset = tuple(int(v) for v in offset)
        if len(offset) != len(st.shape):
            raise TypeError(
                f"offsets length ({len(offset)}) must match dataset rank ({len(st.shape)})"
            )
        chunk_shape = st.chunk_shape
        assert chunk_shape is not None  # checked chunked by the caller
        for o, n in zip(offset, st.shape):
            if o < 0 or o >= max(n, 1):
                raise OSError(f"{what} (offset exceeds dimensions of dataset)")
        for o, c in zip(offset, chunk_shape):
            if o % c:
                raise OSError(f"{what} (offset doesn't fall on chunks's boundary)")
        return tuple(o // c for o, c in zip(offset, chunk_shape))

    # -- shape and type ------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The dataset's current shape."""
        return tuple(self._storage().shape)

    @property
    def rank(self) -> int:
        """The number of dimensions."""
        return len(self._storage().shape)

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype of the dataset's elements."""
        return self._dset.dtype

    # -- storage ---------------------------------------------------------------------------
    def get_storage_size(self) -> int:
        """Bytes of file space the dataset's elements occupy (0 until allocated)."""
        return self._storage().storage_size()

    def get_offset(self) -> int | None:
        """Absolute file offset of contiguous storage; None for other layouts or when the
        storage is not allocated."""
        st = self._storage()
        address = st.contiguous_address
        return None if address is None else st.fs.absolute(address)

    # -- chunks ------------------------------------------------------------------------
    def get_num_chunks(self, space: Any = None) -> int:
        """Number of allocated chunks (``space`` is accepted and, as in libhdf5, unused)."""
        st = self._chunked("Can't get number of chunks")
        return len(st.chunk_table())

    def get_chunk_info(self, index: int, space: Any = None) -> StoreInfo:
        """The ``index``-th allocated chunk, in C order of chunk origins."""
        index = int(index)
        if index < 0:
            raise OverflowError("can't convert negative value to hsize_t")
        st = self._chunked("Can't get number of chunks")
        table = st.chunk_table()
        if index >= len(table):
            raise ValueError("Chunk index is out of range (chunk index is out of range)")
        return self._info(st, index, tuple(int(v) for v in table.offsets[index]))

    def get_chunk_info_by_coord(self, chunk_offset: Any) -> StoreInfo:
        """The chunk holding the element at ``chunk_offset`` (StoreInfo of Nones when that
        chunk is not allocated)."""
        offset = tuple(int(v) for v in chunk_offset)
        if not offset or len(offset) != len(self._storage().shape):
            raise ValueError("Tuple length incompatible with array")
        st = self._chunked("Can't get chunk info by its logical coordinates")
        chunk_shape = st.chunk_shape
        assert chunk_shape is not None
        lookup = st.chunk_lookup()
        i = lookup.index.get(tuple(o // c for o, c in zip(offset, chunk_shape)))
        if i is None:
            return StoreInfo(None, 0, None, 0)
        return self._info(st, i, offset)

    @staticmethod
    def _info(st: DatasetStorage, i: int, offset: tuple[int, ...]) -> StoreInfo:
        table = st.chunk_table()
        return StoreInfo(
            offset,
            int(table.filter_masks[i]),
            st.fs.absolute(int(table.addresses[i])),
            int(table.sizes[i]),
        )

    def chunk_iter(self, callback: Any) -> None:
        """Call ``callback(StoreInfo)`` for every allocated chunk, in C order."""
        st = self._chunked("Can't get number of chunks")
        table = st.chunk_table()
        for i in range(len(table)):
            callback(self._info(st, i, tuple(int(v) for v in table.offsets[i])))

    def read_direct_chunk(self, offsets: Any, dxpl: Any = None, out: Any = None) -> tuple[int, Any]:
        """``(filter_mask, stored bytes)`` of the chunk starting at ``offsets``, undecoded.

        With ``out`` (a writable C-contiguous buffer), the bytes go there and ``out`` is
        returned in place of them.
        """
        if not len(offsets):
            raise ValueError("Tuple length incompatible with array")
        st = self._chunked("Can't get storage size of chunk")
        what = "Can't read unprocessed chunk data"
        offsets = tuple(int(v) for v in offsets)
        if len(offsets) != len(st.shape):
            raise TypeError(
                f"offsets length ({len(offsets)}) must match dataset rank ({len(st.shape)})"
            )
        # as libhdf5: the chunk holding the offset must exist before the offset is checked
        assert st.chunk_shape is not None
        lookup = st.chunk_lookup()
        i = lookup.index.get(tuple(o // c for o, c in zip(offsets, st.chunk_shape)))
        if i is None:
            raise RuntimeError("Can't get storage size of chunk (chunk storage is not allocated)")
        self._chunk_coords(st, offsets, what)
        raw = st.read_chunk_bytes(lookup.table, i)
        mask = int(lookup.table.filter_masks[i])
        if out is None:
            return mask, raw
        view = memoryview(out).cast("B")
        if len(view) < len(raw):
            raise ValueError(
                f"out buffer is too small ({len(view)} bytes) for the chunk ({len(raw)} bytes)"
            )
        view[: len(raw)] = raw
        return mask, out

    def write_direct_chunk(
        self, offsets: Any, data: Any, filter_mask: int = 0, dxpl: Any = None
    ) -> None:
        """Store ``data`` (bytes already passed through the dataset's filters, except those
        whose bit is set in ``filter_mask``) as the chunk starting at ``offsets``."""
        what = "Can't write unprocessed chunk data"
        if not len(offsets):
            raise ValueError("Tuple length incompatible with array")
        st = self._chunked(what, OSError)
        writer = st.fs.writer
        if writer is None:
            raise OSError(f"{what} (no write intent on file)")
        coords = self._chunk_coords(st, offsets, what)
        raw = _as_bytes(data)
        if not raw:
            raise ValueError("Chunk data must not be empty")
        writer.put_chunk(st, coords, raw, int(filter_mask))


def _as_bytes(data: Any) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, np.ndarray):
        return np.ascontiguousarray(data).tobytes()
    return bytes(memoryview(data).cast("B"))
