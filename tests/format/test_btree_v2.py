"""Version 2 B-trees (III.A.2): link, attribute and chunk indexes of h5py files."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest

from h5pure.errors import ChecksumError, FormatError
from h5pure.format.btree_v2 import (
    AttributeCreationOrderRecord,
    AttributeNameRecord,
    BTreeV2,
    ChunkRecord,
    FilteredChunkRecord,
    LinkCreationOrderRecord,
    LinkNameRecord,
)
from h5pure.format.checksum import lookup3
from h5pure.format.context import FormatContext
from h5pure.format.object_header import read_object_header
from h5pure.testing.sources import BytesSource

h5py = pytest.importorskip("h5py")

CTX = FormatContext()


def v2_messages(data: bytes, addr: int) -> list[tuple[int, bytes]]:
    """(type, body) of every message of the object header at ``addr``, continuations
    followed (h5pure's own decoder, tested on its own in test_object_header.py)."""
    header = read_object_header(BytesSource(data), CTX, addr)
    return [(m.type, bytes(m.data)) for m in header.messages]


def index_addresses(data: bytes, oh: int, msg_type: int) -> tuple[int, int, int | None]:
    """(fractal heap, name index, creation-order index) of a Link/Attribute Info message."""
    body = next(b for t, b in v2_messages(data, oh) if t == msg_type)
    flags = body[1]
    pos = 2
    if flags & 1:
        pos += 8 if msg_type == 0x02 else 2
    heap, name = struct.unpack_from("<QQ", body, pos)
    corder = struct.unpack_from("<Q", body, pos + 16)[0] if flags & 2 else None
    return heap, name, corder


@pytest.fixture(scope="module")
def dense_group(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("bt2") / "dense.h5")
    names = [f"link_{(i * 613) % 1500:05d}" for i in range(1500)]
    with h5py.File(path, "w", libver="latest", track_order=True) as f:
        g = f.create_group("g", track_order=True)
        for n in names:
            g[n] = h5py.SoftLink("/somewhere")
        oh = h5py.h5o.get_info(g.id).addr
    data = open(path, "rb").read()
    return data, oh, names


def test_link_name_index(dense_group):
    data, oh, names = dense_group
    _, name_bt, corder_bt = index_addresses(data, oh, 0x02)
    tree = BTreeV2.open(BytesSource(data), CTX, name_bt)
    assert tree.record_type == 5 and tree.total_records == len(names)
    assert tree.depth == 2, "1500 records of 11 bytes in 512-byte nodes need depth 2"
    recs = list(tree.records())
    assert all(isinstance(r, LinkNameRecord) and len(r.heap_id) == 7 for r in recs)
    hashes = [r.name_hash for r in recs]
    assert hashes == sorted(hashes)
    assert sorted(hashes) == sorted(lookup3(n.encode()) for n in names)
    assert len({r.heap_id for r in recs}) == len(names)


def test_link_creation_order_index(dense_group):
    data, oh, names = dense_group
    _, name_bt, corder_bt = index_addresses(data, oh, 0x02)
    assert corder_bt is not None
    tree = BTreeV2.open(BytesSource(data), CTX, corder_bt)
    recs = list(tree.records())
    assert tree.record_type == 6
    assert all(isinstance(r, LinkCreationOrderRecord) for r in recs)
    assert [r.creation_order for r in recs] == list(range(len(names)))
    by_name = {r.heap_id for r in BTreeV2.open(BytesSource(data), CTX, name_bt).records()}
    assert {r.heap_id for r in recs} == by_name


def test_dense_attribute_indexes(tmp_path):
    path = str(tmp_path / "attrs.h5")
    with h5py.File(path, "w", libver="latest") as f:
        d = f.create_dataset("d", data=np.arange(4), track_order=True)
        for i in range(40):
            d.attrs[f"attr{i:03d}"] = np.arange(i + 1)
        oh = h5py.h5o.get_info(d.id).addr
    data = open(path, "rb").read()
    _, name_bt, corder_bt = index_addresses(data, oh, 0x15)
    names = list(BTreeV2.open(BytesSource(data), CTX, name_bt).records())
    assert len(names) == 40 and all(isinstance(r, AttributeNameRecord) for r in names)
    assert sorted(r.name_hash for r in names) == sorted(
        lookup3(f"attr{i:03d}".encode()) for i in range(40)
    )
    assert sorted(r.creation_order for r in names) == list(range(40))
    assert corder_bt is not None
    corder = list(BTreeV2.open(BytesSource(data), CTX, corder_bt).records())
    assert all(isinstance(r, AttributeCreationOrderRecord) for r in corder)
    assert [r.creation_order for r in corder] == list(range(40))
    assert {r.heap_id for r in corder} == {r.heap_id for r in names}


def _layout_v4_btree(data: bytes, oh: int) -> tuple[int, tuple[int, ...]]:
    body = next(b for t, b in v2_messages(data, oh) if t == 0x08)
    assert body[0] in (4, 5) and body[1] == 2
    ndims, enc = body[3], body[4]
    dims = tuple(
        int.from_bytes(body[5 + i * enc : 5 + (i + 1) * enc], "little") for i in range(ndims)
    )
    pos = 5 + ndims * enc
    assert body[pos] == 5  # v2 B-tree index
    return struct.unpack_from("<Q", body, pos + 7)[0], dims[:-1]


@pytest.fixture(scope="module", params=[False, True], ids=["plain", "deflate"])
def bt2_chunks(request, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("bt2c") / "chunks.h5")
    rng = np.random.default_rng(7)
    with h5py.File(path, "w", libver="latest") as f:
        d = f.create_dataset(
            "d",
            shape=(2048, 2048),
            chunks=(32, 32),
            maxshape=(None, None),
            dtype="u1",
            compression="gzip" if request.param else None,
        )
        for i in range(64):
            for j in range(64):
                if (i + j) % 5 == 4:
                    continue  # leave some chunks unallocated
                raw = rng.integers(0, 4, size=32 * 32, dtype=np.uint8).tobytes()
                if request.param:
                    mask = 1 if (i * j) % 7 == 3 else 0
                    payload = raw if mask else zlib.compress(raw)
                    d.id.write_direct_chunk((i * 32, j * 32), payload, filter_mask=mask)
                else:
                    d.id.write_direct_chunk((i * 32, j * 32), raw)
        ref = sorted(
            (tuple(c.chunk_offset), c.byte_offset, c.size, c.filter_mask)
            for c in (d.id.get_chunk_info(k) for k in range(d.id.get_num_chunks()))
        )
        oh = h5py.h5o.get_info(d.id).addr
    data = open(path, "rb").read()
    return data, oh, ref, request.param


def test_chunk_index_records(bt2_chunks):
    data, oh, ref, filtered = bt2_chunks
    addr, chunk = _layout_v4_btree(data, oh)
    tree = BTreeV2.open(BytesSource(data), CTX, addr, ndims=2)
    assert tree.record_type == (11 if filtered else 10)
    assert tree.depth >= 1 and tree.total_records == len(ref)
    recs = list(tree.records())
    got = []
    for r in recs:
        off = tuple(s * c for s, c in zip(r.scaled_offsets, chunk))
        if filtered:
            assert isinstance(r, FilteredChunkRecord)
            got.append((off, r.address, r.size, r.filter_mask))
        else:
            assert isinstance(r, ChunkRecord)
            got.append((off, r.address, 1024, 0))
    assert sorted(got) == ref
    table = tree.records_as_chunk_table(2, chunk, chunk_nbytes=1024)
    rows = sorted(
        (tuple(int(x) for x in o), int(a), int(s), int(m))
        for o, a, s, m in zip(table.offsets, table.addresses, table.sizes, table.filter_masks)
    )
    assert rows == ref


def test_corrupt_btree_v2(dense_group):
    data, oh, _ = dense_group
    _, name_bt, _ = index_addresses(data, oh, 0x02)
    bad = bytearray(data)
    bad[name_bt + 10] ^= 0xFF
    with pytest.raises(ChecksumError, match=f"v2 B-tree header at 0x{name_bt:x}"):
        BTreeV2.open(BytesSource(bytes(bad)), CTX, name_bt)
    bad = bytearray(data)
    bad[name_bt : name_bt + 4] = b"BTHX"
    with pytest.raises(FormatError, match="bad signature"):
        BTreeV2.open(BytesSource(bytes(bad)), CTX, name_bt)
    tree = BTreeV2.open(BytesSource(data), CTX, name_bt)
    root = tree.root_address
    bad = bytearray(data)
    bad[root + 8] ^= 0x01
    tree = BTreeV2.open(BytesSource(bytes(bad)), CTX, name_bt)
    with pytest.raises(ChecksumError, match=f"internal node at 0x{root:x}"):
        list(tree.records())
    tree = BTreeV2.open(BytesSource(data[: root + 100]), CTX, name_bt)
    with pytest.raises(FormatError):
        list(tree.records())


def test_cycle_between_nodes(dense_group):
    from h5pure.format.checksum import append_checksum

    data, oh, _ = dense_group
    _, name_bt, _ = index_addresses(data, oh, 0x02)
    tree = BTreeV2.open(BytesSource(data), CTX, name_bt)
    root, nrec = tree.root_address, tree.root_nrec
    ptrs = 6 + nrec * tree.record_size
    size = ptrs + (nrec + 1) * tree.pointer_size[tree.depth]
    node = bytearray(data[root : root + size])
    first = node[ptrs : ptrs + tree.pointer_size[tree.depth]]
    node[ptrs + tree.pointer_size[tree.depth] : ptrs + 2 * tree.pointer_size[tree.depth]] = first
    bad = bytearray(data)
    bad[root : root + size + 4] = append_checksum(bytes(node))
    with pytest.raises(FormatError, match="cycle"):
        list(BTreeV2.open(BytesSource(bytes(bad)), CTX, name_bt).records())
