"""Global heap collections ("GCOL"): storage of variable-length data and region references.

HDF5 File Format Specification 4.0, III.E "Disk Format: Level 1E - Global Heap".
A collection starts with a 16-byte (for 8-byte lengths) header holding its total size,
followed by objects ``(u16 index, u16 refcount, 4 reserved, L size, data padded to 8)``.
Object index 0 describes the free space at the end and terminates the list.
"""

from __future__ import annotations

import numpy as np

from ..errors import FormatError
from .context import ByteSource, FormatContext
from .structs import LENGTH, U8, U16, Bytes, Reserved, Struct, check_signature

SIGNATURE = b"GCOL"
MIN_COLLECTION_SIZE = 4096
"""libhdf5 never writes smaller collections (``H5HG_MINSIZE``); smaller ones are accepted."""

HEADER = Struct(
    "global heap collection",
    [
        ("signature", Bytes(4)),
        ("version", U8),
        ("reserved", Reserved(3)),
        ("collection_size", LENGTH),
    ],
)

OBJECT_HEADER = Struct(
    "global heap object",
    [("index", U16), ("refcount", U16), ("reserved", Reserved(4)), ("size", LENGTH)],
)


def _align8(n: int) -> int:
    return (n + 7) & ~7


def collection_header_size(ctx: FormatContext) -> int:
    """Bytes before the first object: libhdf5 aligns the collection header to 8 bytes
    (``H5HG_SIZEOF_HDR``), 16 bytes even when lengths are 4 bytes wide."""
    return _align8(HEADER.size(ctx))


def object_header_size(ctx: FormatContext) -> int:
    """Bytes of an object header, aligned to 8 like libhdf5's ``H5HG_SIZEOF_OBJHDR``."""
    return _align8(OBJECT_HEADER.size(ctx))


class GlobalHeapCollection:
    """A collection: its bytes, and the table of its objects.

    ``buf`` holds the collection's bytes; ``starts[i]``/``sizes[i]`` locate object ``i``
    in it (``starts[i] == -1``: no such object; entry 0, the free space, is never an
    object).  Bulk readers gather through these tables (see :func:`gather_objects`);
    :attr:`objects` is the same as a dict of bytes.  A collection read lazily parses its
    object list when a table is first needed.
    """

    def __init__(
        self,
        address: int,
        size: int,
        buf: bytes,
        ctx: FormatContext,
        starts: list[int] | None = None,
        sizes: list[int] | None = None,
        free_space: int = 0,
    ) -> None:
        self.address = address
        self.size = size
        """Total collection size in bytes (header included)."""
        self.buf = buf
        self.ctx = ctx
        self._starts = starts
        self._sizes = sizes
        self._free_space = free_space
        self._objects: dict[int, bytes] | None = None

    @property
    def parsed(self) -> bool:
        """Whether the object list has been walked (the tables exist)."""
        return self._starts is not None

    def _parse(self) -> None:
        starts, sizes, free = _parse_objects(self.buf, self.ctx, self.address)
        self._starts, self._sizes, self._free_space = starts, sizes, free

    @property
    def starts(self) -> list[int]:
        """Offset in ``buf`` of each object's data, by object index; -1 where none."""
        if self._starts is None:
            self._parse()
        return self._starts  # type: ignore[return-value]

    @property
    def sizes(self) -> list[int]:
        """Size of each object in bytes, by object index (0 where none)."""
        if self._sizes is None:
            self._parse()
        return self._sizes  # type: ignore[return-value]

    @property
    def free_space(self) -> int:
        """Size recorded for the free-space object 0 (0 if absent)."""
        if self._starts is None:
            self._parse()
        return self._free_space

    @property
    def objects(self) -> dict[int, bytes]:
        """Object index -> object bytes (object 0, free space, excluded)."""
        if self._objects is None:
            buf = self.buf
            self._objects = {
                i: buf[s : s + n] for i, (s, n) in enumerate(zip(self.starts, self.sizes)) if s >= 0
            }
        return self._objects

    def refcounts(self) -> dict[int, int]:
        """Reference count of each object, by index (read from the object headers)."""
        unpack_from = OBJECT_HEADER.compiled(self.ctx).unpack_from
        osize = object_header_size(self.ctx)
        return {i: unpack_from(self.buf, s - osize)[1] for i, s in enumerate(self.starts) if s >= 0}

    def get(self, index: int) -> bytes:
        """Object ``index``; FormatError naming the collection if it does not exist."""
        starts = self.starts
        if 0 < index < len(starts):
            start = starts[index]
            if start >= 0:
                return self.buf[start : start + self.sizes[index]]
        raise FormatError(f"global heap collection at 0x{self.address:x}: no object {index}")


def read_global_heap_collection(
    source: ByteSource, ctx: FormatContext, address: int, lazy: bool = False
) -> GlobalHeapCollection:
    """Read the collection at ``address``: its size first, then the whole collection.
    ``lazy``: walk the object list only when a table is first needed (then errors in it
    are raised there), since :func:`gather_objects` can often do without."""
    hsize = collection_header_size(ctx)
    try:  # the usual 4 KiB collection in one read
        head = source.read(address, MIN_COLLECTION_SIZE)
    except FormatError:  # a smaller one at the end of the file
        head = source.read(address, hsize)
    check_signature(head, SIGNATURE, "global heap collection", address)
    h = HEADER.decode(head, 0, ctx, address)
    if h["version"] != 1:
        raise FormatError(
            f"global heap collection at 0x{address:x}: unsupported version {h['version']}"
        )
    size = h["collection_size"]
    if size < hsize:
        raise FormatError(f"global heap collection at 0x{address:x}: bad size {size}")
    if ctx.eof_address is not None and address + size > ctx.eof_address:
        raise FormatError(
            f"global heap collection at 0x{address:x}: size {size} runs past the end of file"
        )
    buf = head[:size] if size <= len(head) else source.read(address, size)
    coll = GlobalHeapCollection(address, size, buf, ctx)
    if not lazy:
        coll._parse()
    return coll


def _parse_objects(
    buf: bytes, ctx: FormatContext, address: int
) -> tuple[list[int], list[int], int]:
    """Walk the object list: (starts, sizes) by object index, and the free space."""
    hsize = collection_header_size(ctx)
    size = len(buf)
    # one compiled struct for every object header (index, refcount, size): the bounds
    # test of the loop keeps each header inside ``buf``
    unpack_from = OBJECT_HEADER.compiled(ctx).unpack_from
    osize = object_header_size(ctx)
    # libhdf5 numbers objects 1, 2, ... in the order it lays them out: then the tables
    # built in layout order are already by object index (anything else: _by_index)
    starts, sizes = [-1], [0]
    append_start, append_size = starts.append, sizes.append
    free = 0
    pos = hsize
    while pos + osize <= size:
        index, _, objsize = unpack_from(buf, pos)
        if index == 0:
            free = objsize
            break
        start = pos + osize
        if objsize > size - start or index != len(starts):
            return _by_index(buf, ctx, address)
        append_start(start)
        append_size(objsize)
        pos = start + ((objsize + 7) & ~7)
    return starts, sizes, free


def _by_index(buf: bytes, ctx: FormatContext, address: int) -> tuple[list[int], list[int], int]:
    """:func:`_parse_objects` for objects in any index order."""
    size = len(buf)
    unpack_from = OBJECT_HEADER.compiled(ctx).unpack_from
    osize = object_header_size(ctx)
    found: dict[int, tuple[int, int]] = {}
    free = 0
    pos = collection_header_size(ctx)
    while pos + osize <= size:
        index, _, objsize = unpack_from(buf, pos)
        if index == 0:
            free = objsize
            break
        start = pos + osize
        if objsize > size - start:
            raise FormatError(
                f"global heap collection at 0x{address:x}: object {index} at offset {pos} "
                f"of size {objsize} runs past the collection end"
            )
        if index in found:
            raise FormatError(
                f"global heap collection at 0x{address:x}: duplicate object index {index}"
            )
        found[index] = (start, objsize)
        pos = start + ((objsize + 7) & ~7)
    n = max(found, default=0) + 1
    starts, sizes = [-1] * n, [0] * n
    for index, (start, objsize) in found.items():
        starts[index], sizes[index] = start, objsize
    return starts, sizes, free


def gather_objects(
    colls: list[GlobalHeapCollection],
    which: np.ndarray,
    indices: np.ndarray,
    expect: np.ndarray,
    ctx: FormatContext,
) -> tuple[bytes, np.ndarray, np.ndarray]:
    """Locate many objects at once: object ``indices[k]`` of collection
    ``colls[which[k]]``, expected to be ``expect[k]`` bytes (a hint: the size found is
    returned).  Returns the collections' bytes joined and, per request, the offset of the
    object's data in them and its size; FormatError for an object that does not exist.

    A collection whose object list has not been walked yet is first checked against the
    usual layout, which libhdf5 and h5pure write: objects 1..m in index order, each of
    the expected size.  When the requests name every index 1..m, their header positions
    follow from cumulative sums, and reading those headers (index and size) with numpy
    proves the layout; the object list is walked only for collections that fail.
    """
    ncoll = len(colls)
    buf = colls[0].buf if ncoll == 1 else b"".join([c.buf for c in colls])
    lens = np.fromiter((len(c.buf) for c in colls), dtype=np.int64, count=ncoll)
    buf_at = np.zeros(ncoll, dtype=np.int64)
    np.cumsum(lens[:-1], out=buf_at[1:])
    starts = np.empty(len(indices), dtype=np.int64)
    sizes = np.empty(len(indices), dtype=np.int64)
    done = _gather_usual(buf, buf_at, lens, which, indices, expect, starts, sizes, ctx)
    if done.all():
        return buf, starts, sizes
    # the others through their object tables
    rest = np.flatnonzero(~done)
    tabled = [colls[k] for k in rest.tolist()]
    table_len = np.fromiter((len(c.starts) for c in tabled), dtype=np.int64, count=len(tabled))
    table_at = np.zeros(ncoll, dtype=np.int64)
    table_at[rest[1:]] = np.cumsum(table_len[:-1])
    limit = np.zeros(ncoll, dtype=np.int64)
    limit[rest] = table_len
    total = int(table_len.sum())
    t_starts = np.fromiter((v for c in tabled for v in c.starts), dtype=np.int64, count=total)
    t_sizes = np.fromiter((v for c in tabled for v in c.sizes), dtype=np.int64, count=total)
    todo = np.flatnonzero(~done[which])
    w, k = which[todo], indices[todo]
    known = (k > 0) & (k < limit[w])
    slot = np.where(known, table_at[w] + k, 0)
    found = t_starts[slot]
    missing = np.flatnonzero(~known | (found < 0))
    if len(missing):
        m = int(todo[missing[0]])
        colls[int(which[m])].get(int(indices[m]))  # raises the FormatError
    starts[todo] = buf_at[w] + found
    sizes[todo] = t_sizes[slot]
    return buf, starts, sizes


def _gather_usual(
    buf: bytes,
    buf_at: np.ndarray,
    lens: np.ndarray,
    which: np.ndarray,
    indices: np.ndarray,
    expect: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    ctx: FormatContext,
) -> np.ndarray:
    """:func:`gather_objects` for collections in the usual layout: fills ``starts`` and
    ``sizes`` of their requests, returns which collections it did."""
    ncoll = len(lens)
    none = np.zeros(ncoll, dtype=bool)
    hsize, osize = collection_header_size(ctx), object_header_size(ctx)
    if len(buf) % 8 or (buf_at % 8).any() or ctx.size_of_lengths > 8:
        return none  # headers are read as aligned 8-byte words
    if int(indices.min()) < 1 or int(indices.max()) > 0xFFFF or int(expect.min()) < 0:
        return none
    key = (which.astype(np.int64) << 16) | indices
    if len(key) > 1 and not bool((key[1:] > key[:-1]).all()):
        ukey, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        u_expect = expect[first]
        consistent = u_expect[inverse] == expect  # one expected size per object
        bad_coll = np.zeros(ncoll, dtype=bool)
        bad_coll[which[~consistent]] = True
    else:  # requests already sorted and distinct (a whole dataset written in one go)
        ukey, inverse, u_expect = key, None, expect
        bad_coll = none
    u_which = ukey >> 16
    u_index = ukey & 0xFFFF
    # every index 1..m requested: the count of distinct objects is the largest index
    count = np.bincount(u_which, minlength=ncoll)
    last = np.cumsum(count) - 1
    present = count > 0
    largest = np.zeros(ncoll, dtype=np.int64)
    largest[present] = u_index[last[present]]
    ok_coll = present & (count == largest) & ~bad_coll
    # header positions in each collection, from the cumulative padded object sizes
    need = osize + ((u_expect + 7) & ~7)
    cum = np.cumsum(need) - need
    first_of = np.zeros(ncoll, dtype=np.int64)
    first_of[present] = (last - count + 1)[present]
    header = hsize + cum - cum[first_of[u_which]]
    end = header + osize + u_expect
    inside = end <= lens[u_which]
    words = np.frombuffer(buf, dtype="<u8")
    w = np.where(inside, (buf_at[u_which] + header) >> 3, 0)
    # an object header: u16 index, u16 refcount, 4 reserved (one word), then the size
    # in L bytes padded to 8 (the next word)
    mask = np.uint64((1 << (8 * ctx.size_of_lengths)) - 1)
    ok = inside & ((words[w] & np.uint64(0xFFFF)) == u_index.astype(np.uint64))
    ok &= (words[w + 1] & mask) == u_expect.astype(np.uint64)
    failed = np.zeros(ncoll, dtype=bool)
    failed[u_which[~ok]] = True
    ok_coll &= ~failed
    u_start = buf_at[u_which] + header + osize
    if inverse is None:
        mine = ok_coll[which]
        starts[mine] = u_start[mine]
        sizes[mine] = u_expect[mine]
    else:
        mine = ok_coll[which]
        starts[mine] = u_start[inverse[mine]]
        sizes[mine] = u_expect[inverse[mine]]
    return ok_coll


def encode_global_heap_collection(
    objects: dict[int, bytes], ctx: FormatContext, min_size: int = MIN_COLLECTION_SIZE
) -> bytes:
    """A collection holding ``objects`` (refcount 0, as libhdf5 writes for vlen data),
    padded to at least ``min_size`` with a trailing free-space object 0."""
    osize = object_header_size(ctx)
    pad_o = b"\0" * (osize - OBJECT_HEADER.size(ctx))
    pack = OBJECT_HEADER.compiled(ctx).pack  # fields: index, refcount, size
    zeros = b"\0" * 8
    parts: list[bytes] = []
    append = parts.append
    for index, data in objects.items():
        if not 1 <= index <= 0xFFFF:
            raise ValueError(f"global heap object index {index} out of range")
        n = len(data)
        append(pack(index, 0, n))
        append(pad_o)
        append(data)
        append(zeros[: -n & 7])
    body = bytearray().join(parts)
    hsize = _align8(HEADER.size(ctx))
    size = max(min_size, _align8(hsize + len(body) + osize))
    free = size - hsize - len(body)
    body += OBJECT_HEADER.encode({"index": 0, "refcount": 0, "size": free}, ctx) + pad_o
    body += b"\0" * (free - osize)
    head = HEADER.encode({"signature": SIGNATURE, "version": 1, "collection_size": size}, ctx)
    return head + b"\0" * (hsize - len(head)) + bytes(body)


def encode_collection_header(size: int, ctx: FormatContext) -> bytes:
    """The collection header (padded to :func:`collection_header_size`) of a collection
    of ``size`` bytes."""
    head = HEADER.compiled(ctx).pack(SIGNATURE, 1, size)  # fields: signature, version, size
    return head + b"\0" * (collection_header_size(ctx) - len(head))


def encode_object_header(index: int, size: int, ctx: FormatContext) -> bytes:
    """The header (padded to :func:`object_header_size`) of object ``index`` holding
    ``size`` bytes, refcount 0 as libhdf5 writes for vlen data; index 0 with the free
    space size is the free-space object."""
    head = OBJECT_HEADER.compiled(ctx).pack(index, 0, size)  # fields: index, refcount, size
    return head + b"\0" * (object_header_size(ctx) - len(head))


def place_collection_headers(
    out: np.ndarray, at: np.ndarray, sizes: np.ndarray, ctx: FormatContext
) -> None:
    """Write the headers of collections of ``sizes`` bytes at the 8-aligned offsets
    ``at`` of ``out`` (a zeroed uint8 array whose length is a multiple of 8)."""
    if not len(at):
        return
    if ctx.size_of_lengths < 8 and int(sizes.max()) >> (8 * ctx.size_of_lengths):
        raise ValueError(f"global heap collection of {int(sizes.max())} bytes is too large")
    # "GCOL", version 1, 3 reserved bytes, then the size in L <= 8 bytes padded to 8:
    # two little-endian u64 words
    words = out.view("<u8")
    w = np.asarray(at, dtype=np.int64) >> 3
    words[w] = int.from_bytes(SIGNATURE + b"\x01\0\0\0", "little")
    words[w + 1] = sizes


def place_free_space(out: np.ndarray, at: np.ndarray, free: np.ndarray, ctx: FormatContext) -> None:
    """Write free-space objects (index 0, size ``free``: the bytes left in the collection,
    this header included) at the 8-aligned offsets ``at`` of ``out`` (zeroed there)."""
    if not len(at):
        return
    words = out.view("<u8")
    w = np.asarray(at, dtype=np.int64) >> 3
    words[w] = 0
    words[w + 1] = free


_BULK_CHUNK = 1 << 16
"""Bytes of small objects copied per numpy scatter (bounds the index arrays' memory)."""
_BULK_LARGE = 1 << 12
"""Objects at least this large are copied one by one (a slice copy each)."""


def place_objects(
    out: np.ndarray,
    header_at: np.ndarray,
    indices: np.ndarray,
    blob: bytes,
    blob_starts: np.ndarray,
    sizes: np.ndarray,
    ctx: FormatContext,
) -> None:
    """Write objects into collection images: object ``k`` (index ``indices[k]``, refcount
    0, the ``sizes[k]`` bytes of ``blob`` from ``blob_starts[k]``) with its header at byte
    ``header_at[k]`` of ``out``, a zeroed uint8 array whose length and ``header_at`` are
    multiples of 8 (collections and objects are 8-aligned)."""
    if not len(indices):
        return
    if int(indices.min()) < 1 or int(indices.max()) > 0xFFFF:
        raise ValueError("global heap object index out of range 1..65535")
    if ctx.size_of_lengths < 8 and int(sizes.max()) >> (8 * ctx.size_of_lengths):
        raise ValueError(f"global heap object of {int(sizes.max())} bytes is too large")
    # an object header is (u16 index, u16 refcount 0, 4 reserved) then the size in L <= 8
    # bytes padded to 8: two little-endian u64 words, the index and the size
    words = out.view("<u8")
    w = header_at >> 3
    words[w] = indices
    words[w + 1] = sizes
    osize = object_header_size(ctx)
    dest = header_at + osize
    src = np.frombuffer(blob, dtype=np.uint8)
    large = sizes >= _BULK_LARGE
    if large.any():
        view = out.data
        for d, s, n in zip(
            dest[large].tolist(), blob_starts[large].tolist(), sizes[large].tolist()
        ):
            view[d : d + n] = blob[s : s + n]
        small = ~large
        dest, blob_starts, sizes = dest[small], blob_starts[small], sizes[small]
    # small objects: every byte's destination at once (``np.repeat`` of the per-object
    # shift), in chunks of at most _BULK_CHUNK bytes
    ends = np.cumsum(sizes)
    # objects back to back in ``blob`` (the usual case) are read as one slice
    packed = bool(len(sizes)) and bool((blob_starts - blob_starts[0] == ends - sizes).all())
    first = 0
    while first < len(sizes):
        base = int(ends[first - 1]) if first else 0
        last = int(np.searchsorted(ends, base + _BULK_CHUNK, side="right"))
        last = max(last, first + 1)
        n = sizes[first:last]
        total = int(ends[last - 1]) - base
        if total:
            within = np.arange(total, dtype=np.int64)
            starts_in = ends[first:last] - n - base  # each object's offset in the chunk
            if packed:
                s0 = int(blob_starts[first])
                data = src[s0 : s0 + total]
            else:
                data = src[np.repeat(blob_starts[first:last] - starts_in, n) + within]
            out[np.repeat(dest[first:last] - starts_in, n) + within] = data
        first = last
