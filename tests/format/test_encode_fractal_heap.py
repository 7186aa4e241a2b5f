"""Writing fractal heaps: decode what was written; match libhdf5's dense-link heaps."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from h5pure.format.btree_v2 import BTreeV2, LinkNameRecord, build_btree_v2
from h5pure.format.checksum import append_checksum
from h5pure.format.context import FormatContext
from h5pure.format.fractal_heap import (
    ATTRIBUTE_HEAP_PARAMS,
    LINK_HEAP_PARAMS,
    FractalHeap,
    FractalHeapWriter,
    HeapParams,
)
from h5pure.format.messages import MessageType, decode_message
from h5pure.format.object_header import read_object_header
from h5pure.format.superblock import decode_superblock, encode_superblock
from h5pure.testing.sources import BytesSource
from h5pure.testing.sources import GrowingImage as Image

CTX = FormatContext(8, 8)


def _roundtrip(objects, params=LINK_HEAP_PARAMS, ctx=CTX):
    w = FractalHeapWriter(ctx, params)
    ids = [w.add(o) for o in objects]
    assert all(len(i) == params.id_length for i in ids)
    img = Image()
    addr, blocks = w.write(img.alloc)
    img.write(blocks)
    heap = FractalHeap.open(BytesSource(bytes(img.data)), ctx, addr)
    assert [heap.get(i) for i in ids] == list(objects)
    return heap, ids


def test_small_objects_root_direct_block():
    heap, ids = _roundtrip([f"object {i}".encode() * 3 for i in range(10)])
    assert heap.root_rows == 0
    assert len(list(heap.iter_managed())) == 1
    assert all(i[0] == 0 for i in ids)  # managed IDs


@pytest.mark.parametrize("params", [LINK_HEAP_PARAMS, ATTRIBUTE_HEAP_PARAMS])
def test_growing_heap_indirect_blocks(params):
    rng = random.Random(5)
    # > 512 KiB of objects: past the direct rows of the root, so child indirect blocks
    objects = [rng.randbytes(rng.randint(20, 4096)) for _ in range(400)]
    heap, ids = _roundtrip(objects, params)
    assert heap.root_rows > heap.max_direct_rows or params is ATTRIBUTE_HEAP_PARAMS
    assert heap.root_rows & (heap.root_rows - 1) == 0  # a power of two, as libhdf5 grows it
    offsets = [off for off, _ in heap.iter_managed()]
    assert offsets == sorted(offsets) and len(offsets) > 8


def test_huge_and_tiny_objects():
    rng = random.Random(1)
    objects = [b"abc", rng.randbytes(5000), b"x" * 100, rng.randbytes(70000), b"\x01"]
    heap, ids = _roundtrip(objects)
    assert [(i[0] >> 4) & 3 for i in ids] == [2, 1, 0, 1, 2]
    assert heap.header["huge_object_count"] == 2 and heap.header["tiny_object_count"] == 2
    # 4-byte offsets and lengths: a 7-byte ID still cannot hold both, the B-tree is used
    ctx4 = FormatContext(4, 4)
    heap4, _ = _roundtrip(objects, ctx=ctx4)
    assert heap4.header["huge_object_count"] == 2


def test_extended_tiny_ids():
    params = HeapParams(id_length=24)
    objects = [bytes(range(20)), b"y" * 22, b"z" * 300]
    heap, ids = _roundtrip(objects, params)
    assert [(i[0] >> 4) & 3 for i in ids] == [2, 2, 0]


def test_empty_object_rejected():
    with pytest.raises(ValueError, match="empty"):
        FractalHeapWriter(FormatContext()).add(b"")


def _dense_group(h5py, path, n):
    with h5py.File(path, "w", libver="latest") as f:
        g = f.create_group("g")
        for i in range(n):
            g[f"link{i:04d}"] = h5py.SoftLink(f"/target/{i}")
        return h5py.h5o.get_info(g.id).addr


def _heap_and_links(data, gaddr):
    sb = decode_superblock(data, 0)
    ctx = sb.context()
    src = BytesSource(data)
    oh = read_object_header(src, ctx, gaddr)
    msg = oh.first(MessageType.LINK_INFO)
    info = decode_message(msg, ctx)
    heap = FractalHeap.open(src, ctx, info.fractal_heap_address)
    recs = list(BTreeV2.open(src, ctx, info.name_index_address).records())
    return sb, ctx, oh, msg, info, heap, recs


def test_ids_and_direct_block_match_libhdf5(h5py, tmp_path):
    path = tmp_path / "d.h5"
    gaddr = _dense_group(h5py, path, 20)
    data = path.read_bytes()
    sb, ctx, oh, msg, info, heap, recs = _heap_and_links(data, gaddr)
    assert heap.root_rows == 0
    # links went into the heap in creation order: offsets order them
    by_offset = sorted(recs, key=lambda r: int.from_bytes(r.heap_id[1:5], "little"))
    w = FractalHeapWriter(ctx, LINK_HEAP_PARAMS)
    ids = [w.add(heap.get(r.heap_id)) for r in by_offset]
    assert ids == [r.heap_id for r in by_offset]
    addrs = iter([info.fractal_heap_address, heap.root_address])
    addr, blocks = w.write(lambda size: next(addrs))
    (hdr_at, hdr), (root_at, root) = blocks
    assert root == data[root_at : root_at + len(root)]
    mine = FractalHeap.open(BytesSource(data[:hdr_at] + hdr + data[hdr_at + len(hdr) :]), ctx, addr)
    same = ("heap_id_length", "flags", "max_managed_object_size", "table_width")
    same += ("starting_block_size", "max_direct_block_size", "max_heap_size_bits")
    same += ("managed_space", "managed_allocated_space", "managed_object_count")
    same += ("managed_free_space", "root_block_address", "current_root_rows")
    assert {k: mine.header[k] for k in same} == {k: heap.header[k] for k in same}


@pytest.mark.parametrize("n", [200, 3000])
def test_growth_matches_libhdf5_layout(h5py, tmp_path, n):
    path = tmp_path / "g.h5"
    gaddr = _dense_group(h5py, path, n)
    data = path.read_bytes()
    _, ctx, _, _, _, heap, recs = _heap_and_links(data, gaddr)
    by_offset = sorted(recs, key=lambda r: int.from_bytes(r.heap_id[1:5], "little"))
    w = FractalHeapWriter(ctx, LINK_HEAP_PARAMS)
    ids = [w.add(heap.get(r.heap_id)) for r in by_offset]
    assert ids == [r.heap_id for r in by_offset]
    img = Image()
    addr, blocks = w.write(img.alloc)
    img.write(blocks)
    mine = FractalHeap.open(BytesSource(bytes(img.data)), ctx, addr)
    for key in ("current_root_rows", "managed_space", "managed_allocated_space"):
        assert mine.header[key] == heap.header[key], key
    assert (
        mine.header["direct_block_iterator_offset"] == heap.header["direct_block_iterator_offset"]
    )
    assert [o for o, _ in mine.iter_managed()] == [o for o, _ in heap.iter_managed()]


def test_h5py_reads_links_from_written_heap(h5py, tmp_path):
    """Move a dense group's links into a heap and name index we wrote: h5py follows them."""
    path = tmp_path / "m.h5"
    gaddr = _dense_group(h5py, path, 300)
    data = bytearray(path.read_bytes())
    sb, ctx, oh, msg, info, heap, recs = _heap_and_links(bytes(data), gaddr)
    w = FractalHeapWriter(ctx, LINK_HEAP_PARAMS)
    # a different insertion order than libhdf5's, so every heap ID changes
    new = [LinkNameRecord(r.name_hash, w.add(heap.get(r.heap_id))) for r in reversed(recs)]
    new.reverse()

    def alloc(size: int) -> int:
        data.extend(bytes(size))
        return len(data) - size

    heap_addr, blocks = w.write(alloc)
    bt_addr, bt_blocks = build_btree_v2(new, 5, ctx, alloc)
    for at, b in blocks + bt_blocks:
        data[at : at + len(b)] = b
    o = ctx.size_of_offsets
    body = bytearray(msg.data)
    pos = 2 + (8 if info.flags & 1 else 0)
    body[pos : pos + 2 * o] = heap_addr.to_bytes(o, "little") + bt_addr.to_bytes(o, "little")
    data[msg.address : msg.address + len(body)] = body
    chunk = next(c for c in oh.chunks if c.address <= msg.address < c.address + c.size)
    end = chunk.address + chunk.size
    data[chunk.address : end] = append_checksum(bytes(data[chunk.address : end - 4]))
    enc = encode_superblock(replace(sb, eof_address=len(data)))
    data[: len(enc)] = enc
    path.write_bytes(bytes(data))
    with h5py.File(path, "r") as f:
        g = f["g"]
        assert len(g) == 300
        for i in range(0, 300, 11):
            assert g.get(f"link{i:04d}", getlink=True).path == f"/target/{i}"
