"""Version 1 B-trees (III.A.1): group nodes and chunk nodes against h5py files."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from h5pure.errors import FormatError
from h5pure.format.btree_v1 import (
    ChunkKey,
    encode_btree_v1_node,
    iter_group_entries,
    read_chunk_btree_v1,
    walk_btree_v1,
)
from h5pure.format.context import FormatContext
from h5pure.format.local_heap import LocalHeap
from h5pure.format.symbol_table import SymbolTableEntry
from h5pure.testing.sources import BytesSource

h5py = pytest.importorskip("h5py")

CTX = FormatContext()


def _v1_messages(data: bytes, addr: int) -> list[tuple[int, bytes]]:
    """Test-only walk of a version-1 object header (IV.A.1.a), following continuations."""
    assert data[addr] == 1
    nmsgs = struct.unpack_from("<H", data, addr + 2)[0]
    size = struct.unpack_from("<I", data, addr + 8)[0]
    chunks = [(addr + 16, size)]
    out: list[tuple[int, bytes]] = []
    while chunks and len(out) < nmsgs:
        pos, size = chunks.pop(0)
        end = pos + size
        while pos + 8 <= end:
            mtype, msize = struct.unpack_from("<HH", data, pos)
            body = data[pos + 8 : pos + 8 + msize]
            if mtype == 0x10:
                chunks.append(struct.unpack_from("<QQ", body))
            out.append((mtype, body))
            pos += 8 + msize
    return out


def _chunk_btree_address(data: bytes, oh_addr: int) -> int:
    layout = next(b for t, b in _v1_messages(data, oh_addr) if t == 0x08)
    assert layout[0] == 3 and layout[1] == 2
    return struct.unpack_from("<Q", layout, 3)[0]


def _reference_chunks(dset) -> list[tuple[tuple[int, ...], int, int, int]]:
    out = []
    for i in range(dset.id.get_num_chunks()):
        info = dset.id.get_chunk_info(i)
        out.append((tuple(info.chunk_offset), info.byte_offset, info.size, info.filter_mask))
    return sorted(out)


@pytest.fixture(scope="module", params=[None, "gzip"])
def chunked(request, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("v1") / "chunks.h5")
    rng = np.random.default_rng(1)
    with h5py.File(path, "w", libver="earliest") as f:
        d = f.create_dataset(
            "d",
            shape=(250, 270),
            chunks=(10, 9),
            dtype="i2",
            compression=request.param,
            maxshape=(None, None),
        )
        d[:] = rng.integers(0, 50, size=(250, 270))
        d[240:, :] = 0
        ref = _reference_chunks(d)
        oh = h5py.h5o.get_info(d.id).addr
    data = open(path, "rb").read()
    return data, _chunk_btree_address(data, oh), ref


def test_chunk_table_matches_get_chunk_info(chunked):
    data, btree, ref = chunked
    src = BytesSource(data)
    assert data[btree + 5] >= 1, "need a multi-level tree"
    table = read_chunk_btree_v1(src, CTX, btree, rank=2)
    assert len(table) == len(ref) == 25 * 30
    got = sorted(
        (tuple(int(x) for x in o), int(a), int(s), int(m))
        for o, a, s, m in zip(table.offsets, table.addresses, table.sizes, table.filter_masks)
    )
    assert got == ref
    # B-tree order is C order of the chunk origins
    assert [tuple(o) for o in table.offsets] == sorted(tuple(o) for o in table.offsets)


def test_walk_chunk_keys(chunked):
    data, btree, ref = chunked
    items = list(walk_btree_v1(BytesSource(data), CTX, btree, 1, ndims=3))
    assert len(items) == len(ref)
    for key, _child in items:
        assert isinstance(key, ChunkKey)
        assert key.offsets[-1] == 0 and len(key.offsets) == 3
    got = sorted((k.offsets[:2], c, k.size, k.filter_mask) for k, c in items)
    assert got == ref


def _root_group(tmp_path, n: int):
    path = str(tmp_path / "g.h5")
    with h5py.File(path, "w", libver="earliest") as f:
        for i in range(n):
            f.create_group(f"g{i:05d}")
    data = open(path, "rb").read()
    root = SymbolTableEntry.decode(data, 56, CTX)
    return data, root


def test_group_btree_keys_are_name_ordered(tmp_path):
    data, root = _root_group(tmp_path, 300)
    src = BytesSource(data)
    assert data[root.btree_address + 5] >= 1, "need internal nodes"
    heap = LocalHeap.read(src, CTX, root.heap_address)
    items = list(walk_btree_v1(src, CTX, root.btree_address, 0))
    assert items[0][0] == 0  # key 0 is the empty name
    keys = [heap.string_at(k) for k, _ in items]
    assert keys == sorted(keys)
    assert len({c for _, c in items}) == len(items)
    names = [n for n, _ in iter_group_entries(src, CTX, root.btree_address, heap)]
    assert names == [f"g{i:05d}".encode() for i in range(300)]


def test_encode_node_roundtrip(tmp_path):
    data, root = _root_group(tmp_path, 5)
    addr = root.btree_address
    n = struct.unpack_from("<H", data, addr + 6)[0]
    keys = [data[addr + 24 + i * 16 : addr + 32 + i * 16] for i in range(n + 1)]
    children = [struct.unpack_from("<Q", data, addr + 32 + i * 16)[0] for i in range(n)]
    full = 24 + 33 * 8 + 32 * 8  # 2K+1 keys, 2K children with K = 16
    assert encode_btree_v1_node(CTX, 0, 0, keys, children, 32) == data[addr : addr + full]


def test_corrupt_trees(chunked, tmp_path):
    data, btree, _ = chunked
    src = BytesSource(data)
    bad = bytearray(data)
    bad[btree : btree + 4] = b"TREX"
    with pytest.raises(FormatError, match=f"0x{btree:x}: bad signature"):
        read_chunk_btree_v1(BytesSource(bytes(bad)), CTX, btree, 2)
    with pytest.raises(FormatError, match="node type 1, expected 0"):
        list(walk_btree_v1(src, CTX, btree, 0))
    # internal root: second child pointer duplicated from the first -> cycle
    bad = bytearray(data)
    step = 8 + 8 * 3 + 8
    first = data[btree + 24 + 32 : btree + 24 + 40]
    bad[btree + 24 + step + 32 : btree + 24 + step + 40] = first
    with pytest.raises(FormatError, match="cycle"):
        read_chunk_btree_v1(BytesSource(bytes(bad)), CTX, btree, 2)
    # child pointing back at the root: level mismatch
    bad = bytearray(data)
    bad[btree + 24 + 32 : btree + 24 + 40] = btree.to_bytes(8, "little")
    with pytest.raises(FormatError):
        read_chunk_btree_v1(BytesSource(bytes(bad)), CTX, btree, 2)
    # entries-used larger than the file can hold
    bad = bytearray(data[: btree + 200])
    bad[btree + 6 : btree + 8] = (65535).to_bytes(2, "little")
    with pytest.raises(FormatError, match=f"0x{btree:x}: truncated"):
        read_chunk_btree_v1(BytesSource(bytes(bad)), CTX, btree, 2)


def test_find_chunks_descends_to_what_the_full_table_holds(chunked):
    """Looking chunks up down the tree finds exactly the records the whole table has for
    them: every stored chunk, none for origins never written or off the grid."""
    from h5pure.format.btree_v1 import find_chunks_btree_v1

    data, btree, ref = chunked
    src = BytesSource(data)
    table = read_chunk_btree_v1(src, CTX, btree, rank=2)
    records = {
        tuple(int(x) for x in o): (int(a), int(s), int(m))
        for o, a, s, m in zip(table.offsets, table.addresses, table.sizes, table.filter_masks)
    }
    rng = np.random.default_rng(3)
    origins = sorted(records)
    for _ in range(20):
        picks = [origins[i] for i in rng.choice(len(origins), 7, replace=False)]
        picks += [(0, 0), origins[-1], (260, 0), (0, 279), (5, 5)]  # past the data, off grid
        got = find_chunks_btree_v1(src, CTX, btree, 2, picks)
        found = {
            tuple(int(x) for x in o): (int(a), int(s), int(m))
            for o, a, s, m in zip(got.offsets, got.addresses, got.sizes, got.filter_masks)
        }
        assert found == {p: records[p] for p in picks if p in records}
        assert [tuple(o) for o in got.offsets] == sorted(found)
    assert len(find_chunks_btree_v1(src, CTX, btree, 2, [])) == 0


def test_find_chunks_in_corrupt_trees(chunked):
    from h5pure.format.btree_v1 import find_chunks_btree_v1

    data, btree, _ = chunked
    bad = bytearray(data)
    bad[btree : btree + 4] = b"TREX"
    with pytest.raises(FormatError, match=f"0x{btree:x}: bad signature"):
        find_chunks_btree_v1(BytesSource(bytes(bad)), CTX, btree, 2, [(0, 0)])
    # child pointing back at the root: the level check (or the cycle check) refuses it
    bad = bytearray(data)
    bad[btree + 24 + 32 : btree + 24 + 40] = btree.to_bytes(8, "little")
    with pytest.raises(FormatError):
        find_chunks_btree_v1(BytesSource(bytes(bad)), CTX, btree, 2, [(0, 0)])


def test_leaf_addresses_are_the_leaves_the_walk_reads(chunked):
    """``chunk_leaf_addresses`` reads the internal nodes only and names exactly the
    level-0 nodes a full walk visits; a root that is a leaf gives None."""
    from h5pure.format import btree_v1

    data, btree, _ = chunked
    src = BytesSource(data)
    found = btree_v1.chunk_leaf_addresses(src, CTX, btree, 2)
    assert found is not None
    leaves, span = found
    key_size = btree_v1._key_size(CTX, btree_v1.CHUNK_NODE, 3)
    walked = [n.address for n in btree_v1._iter_leaves(src, CTX, btree, btree_v1.CHUNK_NODE, key_size)]
    assert leaves == walked and len(leaves) > 1
    assert span >= max(
        len(btree_v1._read_node(src, CTX, a, btree_v1.CHUNK_NODE, key_size, 0).body) for a in leaves
    )
    leaf = leaves[0]
    assert btree_v1.chunk_leaf_addresses(src, CTX, leaf, 2) is None


def test_leaf_addresses_of_corrupt_trees(chunked):
    from h5pure.format.btree_v1 import chunk_leaf_addresses

    data, btree, _ = chunked
    bad = bytearray(data)
    bad[btree : btree + 4] = b"TREX"
    with pytest.raises(FormatError, match=f"0x{btree:x}: bad signature"):
        chunk_leaf_addresses(BytesSource(bytes(bad)), CTX, btree, 2)
    bad = bytearray(data)  # the first child is the root itself: a level mismatch or cycle
    bad[btree + 24 + 32 : btree + 24 + 40] = btree.to_bytes(8, "little")
    if data[btree + 5] > 1:
        with pytest.raises(FormatError):
            chunk_leaf_addresses(BytesSource(bytes(bad)), CTX, btree, 2)
    bad = bytearray(data)  # an undefined child
    bad[btree + 24 + 32 : btree + 24 + 40] = b"\xff" * 8
    with pytest.raises(FormatError, match="undefined child"):
        chunk_leaf_addresses(BytesSource(bytes(bad)), CTX, btree, 2)
