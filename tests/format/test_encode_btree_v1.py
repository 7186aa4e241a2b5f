"""Writing v1 B-trees: chunk indexes and symbol-table groups, read back by h5pure and h5py."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from h5pure.format.btree_v1 import (
    CHUNK_NODE,
    GROUP_NODE,
    build_chunk_btree_v1,
    build_symbol_table,
    iter_group_entries,
    read_chunk_btree_v1,
    walk_btree_v1,
)
from h5pure.format.chunk_index import ChunkTable
from h5pure.format.context import FormatContext
from h5pure.format.local_heap import LocalHeap
from h5pure.format.messages import MessageType, decode_message
from h5pure.format.messages.layout import Layout
from h5pure.format.object_header import read_object_header
from h5pure.format.superblock import decode_superblock, encode_superblock
from h5pure.format.symbol_table import SymbolTableEntry
from h5pure.testing.sources import BytesSource
from h5pure.testing.sources import GrowingImage as Image


def _table(n: int, chunk=(4, 3)) -> ChunkTable:
    rng = np.random.default_rng(n)
    grid = np.indices((max(1, -(-n // 50)), 50)).reshape(2, -1).T[:n]
    return ChunkTable(
        offsets=(grid * np.asarray(chunk)).astype(np.int64),
        addresses=np.arange(n, dtype=np.uint64) * 100 + 5000,
        sizes=rng.integers(1, 1 << 20, n).astype(np.uint64),
        filter_masks=rng.integers(0, 4, n).astype(np.uint32),
    )


@pytest.mark.parametrize("n", [0, 1, 64, 65, 5000])
def test_chunk_btree_roundtrip(n):
    ctx = FormatContext(8, 8)
    img = Image()
    table = _table(n)
    root, blocks = build_chunk_btree_v1(table, 2, (4, 3), ctx, img.alloc)
    img.write(blocks)
    assert all(len(b) == 24 + 64 * (32 + 8) + 32 for _, b in blocks)  # full-size nodes
    back = read_chunk_btree_v1(BytesSource(bytes(img.data)), ctx, root, 2)
    for field in ("offsets", "addresses", "sizes", "filter_masks"):
        assert np.array_equal(getattr(back, field), getattr(table, field))
    if n > 64:
        assert img.data[root + 5] >= 1  # level of the root
    keys = [k for k, _ in walk_btree_v1(BytesSource(bytes(img.data)), ctx, root, CHUNK_NODE, 3)]
    assert [k.offsets[:2] for k in keys] == [tuple(o) for o in table.offsets.tolist()]


def test_h5py_reads_chunks_through_built_btree(h5py, tmp_path):
    path = tmp_path / "c.h5"
    data_in = np.arange(300 * 40, dtype="i4").reshape(300, 40)
    with h5py.File(path, "w") as f:
        d = f.create_dataset("d", data=data_in, chunks=(3, 4), compression="gzip")
        addr = h5py.h5o.get_info(d.id).addr
    raw = path.read_bytes()
    sb = decode_superblock(raw, 0)
    ctx = sb.context()
    msg = read_object_header(BytesSource(raw), ctx, addr).first(MessageType.LAYOUT)
    lay = Layout.decode(msg.data, ctx)
    table = read_chunk_btree_v1(BytesSource(raw), ctx, lay.index_address, 2)
    assert len(table) == 1000
    img = Image(raw)
    root, blocks = build_chunk_btree_v1(
        table, 2, lay.chunk_shape, ctx, img.alloc, k=sb.indexed_storage_k
    )
    img.write(blocks)
    assert img.data[root + 5] == 1  # 1000 chunks, 64 per node: two levels
    body = bytearray(msg.data)
    at = body.find(lay.index_address.to_bytes(8, "little"))
    body[at : at + 8] = root.to_bytes(8, "little")
    img.data[msg.address : msg.address + len(body)] = body
    enc = encode_superblock(replace(sb, eof_address=len(img.data)))
    img.data[: len(enc)] = enc
    path.write_bytes(bytes(img.data))
    with h5py.File(path, "r") as f:
        assert np.array_equal(f["d"][()], data_in)
        assert np.array_equal(f["d"][150:151, 17:30], data_in[150:151, 17:30])


def _entries(n: int) -> dict[bytes, SymbolTableEntry]:
    return {f"name{i:05d}".encode(): SymbolTableEntry(0, 1000 + i, 0) for i in range(n)}


@pytest.mark.parametrize("n", [0, 1, 8, 9, 300, 2000])
def test_symbol_table_roundtrip(n):
    ctx = FormatContext(8, 8)
    img = Image()
    entries = _entries(n)
    out = build_symbol_table(entries, ctx, img.alloc, heap_free=64)
    img.write(out.blocks)
    src = BytesSource(bytes(img.data))
    heap = LocalHeap.read(src, ctx, out.heap_address)
    assert heap.string_at(0) == b""
    got = list(iter_group_entries(src, ctx, out.btree_address, heap))
    assert [name for name, _ in got] == sorted(entries)
    assert [e.object_header_address for _, e in got] == [
        entries[k].object_header_address for k in sorted(entries)
    ]
    # key i = offset of the greatest name of child i - 1; key 0 = ""
    keys = [k for k, _ in walk_btree_v1(src, ctx, out.btree_address, GROUP_NODE)]
    if n:
        assert keys[0] == 0
        assert all(heap.string_at(a) < heap.string_at(b) for a, b in zip(keys[1:], keys[2:]))
    if n > 8 * 32:
        assert img.data[out.btree_address + 5] == 1  # two levels
    assert len(heap.free_blocks) == 1 and heap.free_blocks[0].size == 64


def test_h5py_reads_group_from_built_symbol_table(h5py, tmp_path):
    path = tmp_path / "g.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("data", data=[1, 2, 3])
        for i in range(600):
            f[f"link{i:04d}"] = d
        f.create_group("sub").create_dataset("x", data=[7])
    raw = path.read_bytes()
    sb = decode_superblock(raw, 0)
    ctx = sb.context()
    src = BytesSource(raw)
    root = read_object_header(src, ctx, sb.root_object_header_address)
    stab_msg = root.first(MessageType.SYMBOL_TABLE)
    stab = decode_message(stab_msg, ctx)
    heap = LocalHeap.read(src, ctx, stab.heap_address)
    entries = dict(iter_group_entries(src, ctx, stab.btree_address, heap))
    assert len(entries) == 602
    img = Image(raw)
    out = build_symbol_table(entries, ctx, img.alloc)
    img.write(out.blocks)
    body = out.btree_address.to_bytes(8, "little") + out.heap_address.to_bytes(8, "little")
    img.data[stab_msg.address : stab_msg.address + 16] = body
    new_root = replace(
        sb.root_entry, btree_address=out.btree_address, heap_address=out.heap_address
    )
    enc = encode_superblock(replace(sb, eof_address=len(img.data), root_entry=new_root))
    img.data[: len(enc)] = enc
    path.write_bytes(bytes(img.data))
    with h5py.File(path, "r") as f:
        assert len(f) == 602
        assert list(f) == sorted(k.decode() for k in entries)
        assert f["link0421"][()].tolist() == [1, 2, 3]
        assert f["sub/x"][()].tolist() == [7]


def test_invalid_names():
    with pytest.raises(ValueError, match="invalid link name"):
        build_symbol_table({b"a\0b": SymbolTableEntry(0, 1, 0)}, FormatContext(), Image().alloc)


@pytest.mark.parametrize("sizes", [(8, 8), (4, 4), (8, 4), (2, 2)])
@pytest.mark.parametrize("n", [1, 2, 7, 8])
def test_small_symbol_table_matches_general_layout(monkeypatch, sizes, n):
    """Groups whose names fit one symbol table node take a direct path: the same
    allocations and bytes as the general layout."""
    import h5pure.format.btree_v1 as btree_v1

    ctx = FormatContext(*sizes)
    names = [b"z", b"ab", b"a" * 17, b"\xc3\xa9t\xc3\xa9", b"x_1", b"m" * 8, b"b" * 7, b"0"][:n]
    entries = {nm: SymbolTableEntry(0, 3000 + 40 * i, 0) for i, nm in enumerate(names)}
    fast, general = Image(), Image()
    got = build_symbol_table(dict(entries), ctx, fast.alloc)
    monkeypatch.setattr(btree_v1, "_small_symbol_table", lambda *args: None)
    want = build_symbol_table(dict(entries), ctx, general.alloc)
    assert got == want
    fast.write(got.blocks)
    src = BytesSource(bytes(fast.data))
    heap = LocalHeap.read(src, ctx, got.heap_address)
    read = dict(iter_group_entries(src, ctx, got.btree_address, heap))
    assert sorted(read) == sorted(names)
    assert {k: e.object_header_address for k, e in read.items()} == {
        k: e.object_header_address for k, e in entries.items()
    }


def test_invalid_names_in_small_group():
    with pytest.raises(ValueError, match="invalid link name"):
        build_symbol_table(
            {b"ok": SymbolTableEntry(0, 1, 0), b"": SymbolTableEntry(0, 2, 0)},
            FormatContext(),
            Image().alloc,
        )
