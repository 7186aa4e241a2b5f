"""External raw storage on write: the EFL message's name heap and writes into the files.

libhdf5 (``H5D__layout_oh_create``, ``src/H5Dlayout.c``) sizes the local heap of names as
``H5HL_ALIGN(1) + sum(H5HL_ALIGN(len(name) + 1))``, inserts the empty string first (offset
0) and then every name in slot order.  Raw data goes to the files as it is written
(``H5D__efl_write``: each file opened read/write and created when missing); nothing is
written into them at creation.  The name heap is metadata: staged, written by the commit.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from ..format.local_heap import FREE_NULL, HEADER, LocalHeap
from ..format.messages.misc import ExternalFileList, ExternalSlot
from .dataset import DatasetStorage, _ExternalReader

if TYPE_CHECKING:
    from .core import SessionCore

UNLIMITED = (1 << 64) - 1
"""``H5F_UNLIMITED``: the slot extends to the end of the external file."""


def _align8(n: int) -> int:
    return (n + 7) // 8 * 8


def build_external(
    core: SessionCore, entries: tuple[tuple[bytes, int, int], ...], nbytes: int | None
) -> ExternalFileList:
    """Stage the name heap for ``entries`` (name, offset, size) and return the EFL
    record; ``nbytes`` is the most data the dataset can hold (its maximum shape; None
    when unlimited), which the files must have room for, as libhdf5 checks."""
    total = 0
    for _, _, size in entries:
        total = UNLIMITED if size == UNLIMITED or total == UNLIMITED else total + size
    if nbytes is None and total != UNLIMITED:
        raise ValueError(
            "Unable to synchronously create dataset (unlimited dataspace but finite storage)"
        )
    if nbytes is not None and total < nbytes:
        raise ValueError(
            "Unable to synchronously create dataset (dataspace size exceeds external storage size)"
        )
    ctx = core.ctx
    data = bytearray(8)  # the empty string at offset 0, aligned
    slots = []
    for name, offset, size in entries:
        slots.append(ExternalSlot(len(data), offset, size))
        data += name + b"\0" * (_align8(len(name) + 1) - len(name))
    head_size = HEADER.size(ctx)
    address = core.allocator.allocate(head_size + len(data))
    heap = LocalHeap(address, address + head_size, bytes(data), FREE_NULL, ctx.size_of_lengths)
    # the heap never changes after creation: written once, by the next commit
    core.stage(address, heap.encode_header(ctx) + bytes(data))
    return ExternalFileList(address, slots)


def normalize_external(external: Any) -> list[tuple[bytes, int, int]]:
    """h5py's accepted forms: one file name, or a list of ``(name, offset, size)`` tuples."""
    if isinstance(external, (str, bytes, os.PathLike)):
        return [(_encode_name(external), 0, UNLIMITED)]
    out = []
    for entry in external:
        if not isinstance(entry, tuple):
            raise TypeError("Each external entry must be a tuple of (name, offset, size)")
        name, offset, size = entry
        for number in (offset, size):
            if isinstance(number, bool) or not isinstance(number, (int, np.integer)):
                # h5py passes them on as C integers
                raise TypeError(f"an integer is required, not {type(number).__name__}")
        out.append((_encode_name(name), int(offset), int(size)))
    return out


def _encode_name(name: Any) -> bytes:
    name = os.fspath(name)
    return name if isinstance(name, bytes) else name.encode("utf-8", "surrogateescape")


class _ExternalStream(_ExternalReader):
    """The dataset's logical byte stream over its external files, read and written."""

    def read(self, offset: int, size: int) -> bytes:
        # a file not written yet reads as zeros here: it is about to be created
        missing = [slot for slot in self.slots if not os.path.exists(self._path(slot[1]))]
        if not missing:
            return super().read(offset, size)
        saved = self.slots
        try:
            self.slots = [s for s in saved if s not in missing]
            return super().read(offset, size)
        finally:
            self.slots = saved

    def write(self, offset: int, data: bytes) -> None:
        end = offset + len(data)
        for pos, name, file_offset, slot_size in self.slots:
            lo, hi = max(offset, pos), min(end, pos + slot_size)
            if lo >= hi:
                continue
            path = self._path(name)
            mode = "r+b" if os.path.exists(path) else "wb"
            try:
                with open(path, mode) as fh:
                    fh.seek(file_offset + lo - pos)
                    fh.write(data[lo - offset : hi - offset])
            except OSError as e:
                raise OSError(f"external raw data file {name!r}: {e}") from e


def write_external(storage: DatasetStorage, sel: Any, values: np.ndarray) -> None:
    """Write ``values`` (storage dtype, shaped like ``sel.mshape``) to ``sel`` of a
    contiguous dataset stored in external files."""
    stream = _ExternalStream(
        storage.fs, storage.efl, storage.fs.efile_prefixes.get(storage.address)
    )
    shape = storage.shape
    sdtype = storage.storage_dtype
    if getattr(sel, "is_full", False) or not shape:
        stream.write(0, np.ascontiguousarray(values, dtype=sdtype).tobytes())
        return
    rowbytes = int(np.prod(shape[1:], dtype=np.int64)) * sdtype.itemsize
    for proj in sel.chunk_projections((1, *shape[1:])):
        row = int(proj.chunk_coords[0])
        raw = stream.read(row * rowbytes, rowbytes)
        rows = np.frombuffer(raw, dtype=sdtype).reshape((1, *shape[1:], *sdtype.shape)).copy()
        rows[proj.chunk_sel] = values[proj.out_sel]
        stream.write(row * rowbytes, rows.tobytes())
