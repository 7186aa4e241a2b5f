"""Building v2 B-trees: decode what was built; libhdf5 finds links through a built index."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from h5pure.format.btree_v2 import (
    AttributeCreationOrderRecord,
    AttributeNameRecord,
    BTreeV2,
    ChunkRecord,
    FilteredChunkRecord,
    HugeObjectRecord,
    LinkCreationOrderRecord,
    LinkNameRecord,
    build_btree_v2,
)
from h5pure.format.checksum import append_checksum, lookup3
from h5pure.format.context import FormatContext
from h5pure.format.messages import MessageType, decode_message
from h5pure.format.object_header import read_object_header
from h5pure.format.superblock import decode_superblock, encode_superblock
from h5pure.testing.sources import BytesSource
from h5pure.testing.sources import GrowingImage as Image


def _records(rtype: int, n: int) -> list:
    rng = random.Random(n * 31 + rtype)
    hid = [bytes([0]) + rng.randbytes(6) for _ in range(n)]
    if rtype == 1:
        return [HugeObjectRecord(1000 + 10 * i, 5000 + i, i + 1) for i in range(n)]
    if rtype == 5:
        hashes = sorted(rng.sample(range(1 << 32), n))
        return [LinkNameRecord(h, hid[i]) for i, h in enumerate(hashes)]
    if rtype == 6:
        return [LinkCreationOrderRecord(i, hid[i]) for i in range(n)]
    if rtype == 8:
        hashes = sorted(rng.sample(range(1 << 32), n))
        return [AttributeNameRecord(hid[i] + b"\0", 0, i, h) for i, h in enumerate(hashes)]
    if rtype == 9:
        return [AttributeCreationOrderRecord(hid[i] + b"\0", 1, i) for i in range(n)]
    if rtype == 10:
        return [ChunkRecord(4096 * (i + 1), (i // 50, i % 50)) for i in range(n)]
    return [FilteredChunkRecord(4096 * (i + 1), 100 + i % 900, i % 2, (i, 0, 7)) for i in range(n)]


@pytest.mark.parametrize("rtype", [1, 5, 6, 8, 9, 10, 11])
@pytest.mark.parametrize("n", [1, 100, 10_000])
def test_build_then_decode(rtype, n):
    ctx = FormatContext(8, 8)
    img = Image()
    recs = _records(rtype, n)
    addr, blocks = build_btree_v2(recs, rtype, ctx, img.alloc, chunk_size_width=2)
    img.write(blocks)
    tree = BTreeV2.open(BytesSource(bytes(img.data)), ctx, addr, chunk_size_width=2)
    assert tree.record_type == rtype and tree.total_records == n
    assert tree.node_size == (2048 if rtype >= 10 else 512)
    assert (tree.split_percent, tree.merge_percent) == (100, 40)
    assert list(tree.records()) == recs
    if n == 10_000:
        assert tree.depth >= 1
    # every node is full size and blocks do not overlap
    spans = sorted((a, a + len(b)) for a, b in blocks)
    assert all(e <= s for (_, e), (s, _) in zip(spans, spans[1:]))


def test_four_byte_offsets_and_empty_tree():
    ctx = FormatContext(4, 4)
    img = Image()
    recs = [HugeObjectRecord(i, i + 1, i + 2) for i in range(3000)]
    addr, blocks = build_btree_v2(recs, 1, ctx, img.alloc)
    img.write(blocks)
    assert list(BTreeV2.open(BytesSource(bytes(img.data)), ctx, addr).records()) == recs
    addr, blocks = build_btree_v2([], 5, ctx, img.alloc, record_size=11)
    img.write(blocks)
    tree = BTreeV2.open(BytesSource(bytes(img.data)), ctx, addr)
    assert tree.total_records == 0 and list(tree.records()) == []
    with pytest.raises(ValueError, match="record_size"):
        build_btree_v2([], 5, ctx, img.alloc)
    with pytest.raises(ValueError, match="type 7"):
        build_btree_v2(recs, 7, ctx, img.alloc)


def _link_info(data: bytes, sb, addr: int):
    ctx = sb.context()
    oh = read_object_header(BytesSource(data, sb.base_address), ctx, addr)
    msg = oh.first(MessageType.LINK_INFO)
    return oh, msg, decode_message(msg, ctx)


def test_single_leaf_matches_libhdf5(h5py, tmp_path):
    path = tmp_path / "d.h5"
    with h5py.File(path, "w", libver="latest") as f:
        g = f.create_group("g")
        for i in range(20):
            g[f"link{i:03d}"] = i
        gaddr = h5py.h5o.get_info(g.id).addr
    data = path.read_bytes()
    sb = decode_superblock(data, 0)
    ctx = sb.context()
    _, _, info = _link_info(data, sb, gaddr)
    tree = BTreeV2.open(BytesSource(data), ctx, info.name_index_address)
    assert tree.depth == 0
    addrs = iter([info.name_index_address, tree.root_address])
    addr, blocks = build_btree_v2(list(tree.records()), 5, ctx, lambda size: next(addrs))
    assert addr == info.name_index_address
    for at, b in blocks:
        assert b == data[at : at + len(b)]


@pytest.mark.parametrize("nlinks", [600, 3000])
def test_libhdf5_looks_links_up_through_built_index(h5py, tmp_path, nlinks):
    """Replace a dense group's name index with a built (deeper) one: h5py finds every link."""
    path = tmp_path / "big.h5"
    with h5py.File(path, "w", libver="latest") as f:
        g = f.create_group("g")
        for i in range(nlinks):
            g[f"n{i}"] = h5py.SoftLink(f"/target{i}")
        gaddr = h5py.h5o.get_info(g.id).addr
    data = bytearray(path.read_bytes())
    sb = decode_superblock(bytes(data), 0)
    ctx = sb.context()
    oh, msg, info = _link_info(bytes(data), sb, gaddr)
    recs = list(BTreeV2.open(BytesSource(bytes(data)), ctx, info.name_index_address).records())
    assert len(recs) == nlinks
    assert [r.name_hash for r in recs] == sorted(r.name_hash for r in recs)
    # a smaller node size forces a deeper tree than libhdf5's
    new_addr, blocks = build_btree_v2(
        recs, 5, ctx, lambda size: data.extend(bytes(size)) or len(data) - size, node_size=128
    )
    for at, b in blocks:
        data[at : at + len(b)] = b
    tree = BTreeV2.open(BytesSource(bytes(data)), ctx, new_addr)
    assert tree.depth >= 2 and list(tree.records()) == recs
    body = bytearray(msg.data)
    pos = len(body) - 2 * ctx.size_of_offsets - (ctx.size_of_offsets if info.flags & 2 else 0)
    pos += ctx.size_of_offsets  # skip the heap address
    body[pos : pos + 8] = new_addr.to_bytes(8, "little")
    data[msg.address : msg.address + len(body)] = body
    chunk = next(c for c in oh.chunks if c.address <= msg.address < c.address + c.size)
    data[chunk.address : chunk.address + chunk.size] = append_checksum(
        bytes(data[chunk.address : chunk.address + chunk.size - 4])
    )
    enc = encode_superblock(replace(sb, eof_address=len(data)))
    data[: len(enc)] = enc
    path.write_bytes(bytes(data))
    _, _, info2 = _link_info(bytes(data), sb, gaddr)
    assert info2.name_index_address == new_addr
    with h5py.File(path, "r") as f:
        g = f["g"]
        for i in range(0, nlinks, 7):
            assert g.get(f"n{i}", getlink=True).path == f"/target{i}"
        assert f"n{nlinks}" not in g
        assert len(g) == nlinks
    assert lookup3(b"n0") in {r.name_hash for r in recs}
