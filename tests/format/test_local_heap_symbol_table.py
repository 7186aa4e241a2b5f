"""Local heaps (III.D) and symbol table nodes/entries (III.B, III.C) against h5py files."""

from __future__ import annotations

import numpy as np
import pytest

from h5pure.errors import FormatError
from h5pure.format.btree_v1 import iter_group_entries
from h5pure.format.context import FormatContext
from h5pure.format.local_heap import LocalHeap
from h5pure.format.symbol_table import (
    CACHE_GROUP,
    CACHE_SOFT_LINK,
    SymbolTableEntry,
    read_symbol_table_node,
)
from h5pure.testing.sources import BytesSource

h5py = pytest.importorskip("h5py")


def _create(path: str, sizes: tuple[int, int]) -> h5py.File:
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_sizes(*sizes)
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_EARLIEST, h5py.h5f.LIBVER_LATEST)
    fid = h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl)
    return h5py.File(fid)


def _root_entry(data: bytes) -> tuple[FormatContext, SymbolTableEntry]:
    """Superblock v0 (II.A): sizes at bytes 13/14, root entry after 24 + 4 addresses."""
    assert data[8] == 0
    ctx = FormatContext(size_of_offsets=data[13], size_of_lengths=data[14])
    return ctx, SymbolTableEntry.decode(data, 24 + 4 * ctx.size_of_offsets, ctx)


@pytest.fixture(params=[(8, 8), (4, 4), (4, 8), (2, 4)], ids=lambda s: f"O{s[0]}L{s[1]}")
def many_groups(request, tmp_path):
    path = str(tmp_path / "groups.h5")
    n = 60 if request.param[0] == 2 else 200
    expected: dict[bytes, tuple[int, str]] = {}
    with _create(path, request.param) as f:
        for i in range(n):
            name = f"group_{(i * 7919) % n:04d}"
            g = f.create_group(name)
            expected[name.encode()] = (h5py.h5o.get_info(g.id).addr, "group")
        f["data"] = np.arange(10)
        expected[b"data"] = (h5py.h5o.get_info(f["data"].id).addr, "dataset")
        f["soft"] = h5py.SoftLink("/group_0003")
        expected[b"soft"] = (0, "soft")
    return path, expected


def test_root_group_members_match_h5py(many_groups):
    path, expected = many_groups
    src = BytesSource.from_path(path)
    ctx, root = _root_entry(src.data)
    assert root.cache_type == CACHE_GROUP
    heap = LocalHeap.read(src, ctx, root.heap_address)
    assert heap.string_at(0) == b""
    got = list(iter_group_entries(src, ctx, root.btree_address, heap))
    names = [n for n, _ in got]
    assert names == sorted(expected)
    for name, entry in got:
        addr, kind = expected[name]
        if kind == "soft":
            assert entry.cache_type == CACHE_SOFT_LINK
            assert heap.string_at(entry.soft_link_offset) == b"/group_0003"
        else:
            assert entry.object_header_address == addr
        if kind == "group":
            assert entry.cache_type == CACHE_GROUP
            child_heap = LocalHeap.read(src, ctx, entry.heap_address)
            assert list(iter_group_entries(src, ctx, entry.btree_address, child_heap)) == []


def test_symbol_table_entry_roundtrip_on_real_bytes(many_groups):
    path, _ = many_groups
    src = BytesSource.from_path(path)
    ctx, root = _root_entry(src.data)
    off = 24 + 4 * ctx.size_of_offsets
    raw = src.data[off : off + SymbolTableEntry.size(ctx)]
    assert root.encode(ctx) == raw
    heap = LocalHeap.read(src, ctx, root.heap_address)
    from h5pure.format.btree_v1 import walk_btree_v1

    snods = [child for _, child in walk_btree_v1(src, ctx, root.btree_address, 0)]
    assert len(snods) > 1
    esize = SymbolTableEntry.size(ctx)
    for addr in snods:
        node = read_symbol_table_node(src, ctx, addr)
        assert 0 < len(node.entries) <= 8  # 2 * group leaf K (4)
        for i, entry in enumerate(node.entries):
            start = addr + 8 + i * esize
            assert entry.encode(ctx) == src.data[start : start + esize]
    assert (
        heap.encode_header(ctx)
        == src.data[
            root.heap_address : root.heap_address
            + 8
            + 2 * ctx.size_of_lengths
            + ctx.size_of_offsets
        ]
    )


def test_free_list_after_unlink(tmp_path):
    path = str(tmp_path / "free.h5")
    with _create(path, (8, 8)) as f:
        for i in range(20):
            f.create_group(f"a_rather_long_group_name_{i:03d}")
        for i in range(0, 20, 2):
            del f[f"a_rather_long_group_name_{i:03d}"]
    src = BytesSource.from_path(path)
    ctx, root = _root_entry(src.data)
    heap = LocalHeap.read(src, ctx, root.heap_address)
    assert heap.free_blocks, "deleting names must leave free blocks"
    spans = sorted((b.offset, b.offset + b.size) for b in heap.free_blocks)
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert end <= start
    assert spans[-1][1] <= len(heap.data)
    names = [n for n, _ in iter_group_entries(src, ctx, root.btree_address, heap)]
    assert names == [f"a_rather_long_group_name_{i:03d}".encode() for i in range(1, 20, 2)]


def test_corrupt_local_heap_and_snod(many_groups):
    path, _ = many_groups
    src = BytesSource.from_path(path)
    ctx, root = _root_entry(src.data)
    heap = LocalHeap.read(src, ctx, root.heap_address)
    with pytest.raises(FormatError, match="outside"):
        heap.string_at(len(heap.data) + 5)
    bad = bytearray(src.data)
    bad[root.heap_address : root.heap_address + 4] = b"HEAX"
    with pytest.raises(FormatError, match=f"local heap at 0x{root.heap_address:x}"):
        LocalHeap.read(BytesSource(bytes(bad)), ctx, root.heap_address)
    # free list pointing at itself
    bad = bytearray(src.data)
    hl = root.heap_address + 8 + ctx.size_of_lengths
    bad[hl : hl + ctx.size_of_lengths] = (0).to_bytes(ctx.size_of_lengths, "little")
    daddr = heap.data_address
    bad[daddr : daddr + ctx.size_of_lengths] = (0).to_bytes(ctx.size_of_lengths, "little")
    bad[daddr + ctx.size_of_lengths : daddr + 2 * ctx.size_of_lengths] = (16).to_bytes(
        ctx.size_of_lengths, "little"
    )
    # read lazily (names never need it), checked when walked
    torn = LocalHeap.read(BytesSource(bytes(bad)), ctx, root.heap_address)
    with pytest.raises(FormatError, match="cycle in free list"):
        torn.free_blocks  # noqa: B018
    from h5pure.format.btree_v1 import walk_btree_v1

    snod = next(iter(walk_btree_v1(src, ctx, root.btree_address, 0)))[1]
    bad = bytearray(src.data)
    bad[snod : snod + 4] = b"SNOX"
    with pytest.raises(FormatError, match=f"symbol table node at 0x{snod:x}"):
        read_symbol_table_node(BytesSource(bytes(bad)), ctx, snod)
    with pytest.raises(FormatError):
        read_symbol_table_node(BytesSource(src.data[: snod + 20]), ctx, snod)
