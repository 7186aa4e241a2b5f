"""Version 1 B-trees ("TREE"): group nodes (type 0) and raw data chunk nodes (type 1).

HDF5 File Format Specification 4.0, III.A.1 "Disk Format: Level 1A1 - Version 1 B-trees".
A node holds ``entries used`` children between ``entries used + 1`` keys
(key 0, child 0, key 1, ..., child n-1, key n).  Level 0 nodes point at the data (symbol
table nodes or chunks); higher levels point at nodes one level down.  Nodes are allocated
at full size (2K entries) but only the used entries are read here.

Type 0 keys are heap offsets (``size_of_lengths`` bytes) of the greatest name in the
preceding child; type 1 keys are ``u32 chunk size, u32 filter mask, ndims x u64 offsets``
where ``ndims`` = dataset rank + 1 (the last offset is the element-size dimension, 0).
"""

from __future__ import annotations

import struct
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import numpy as np

from ..errors import FormatError
from .chunk_table import ChunkTable
from .context import ByteSource, FormatContext, prefetch
from .local_heap import FREE_NULL, LocalHeap
from .local_heap import HEADER as HEAP_HEADER
from .structs import OFFSET, U8, U16, Bytes, Struct, check_signature, read_uint
from .symbol_table import (
    CACHE_NONE,
    NODE_READ_AHEAD,
    SCRATCH_SIZE,
    SNOD_SIGNATURE,
    SymbolTableEntry,
    encode_symbol_table_node,
    read_symbol_table_node,
    symbol_table_node_size,
)
from .symbol_table import ENTRY as SNOD_ENTRY
from .symbol_table import NODE_HEADER as SNOD_HEADER

SIGNATURE = b"TREE"
GROUP_NODE = 0
CHUNK_NODE = 1
MAX_LEVEL = 64
"""No real tree is this deep (a level holds up to 2K^level leaves); deeper means corrupt."""
MAX_NDIMS = 33
"""32 dataset dimensions + the element-size dimension."""

NODE_HEADER = Struct(
    "v1 B-tree node",
    [
        ("signature", Bytes(4)),
        ("node_type", U8),
        ("level", U8),
        ("entries_used", U16),
        ("left_sibling", OFFSET),
        ("right_sibling", OFFSET),
    ],
)


@dataclass(frozen=True)
class ChunkKey:
    """The key of a raw-data chunk node (type 1)."""

    size: int
    """Stored (filtered) size of the chunk in bytes."""
    filter_mask: int
    """Bit i set = filter i of the pipeline was skipped."""
    offsets: tuple[int, ...]
    """Element offsets of the chunk origin, ``ndims`` entries incl. the trailing 0."""


@dataclass
class _Node:
    address: int
    node_type: int
    level: int
    entries_used: int
    body: bytes
    """Keys and children, starting at key 0."""


_DEFAULT_CAPACITY = {GROUP_NODE: 32, CHUNK_NODE: 64}
"""Children of a full node with libhdf5's default K (16 for groups, 32 for chunks)."""


def _key_size(ctx: FormatContext, node_type: int, ndims: int | None) -> int:
    if node_type == GROUP_NODE:
        return ctx.size_of_lengths
    if node_type == CHUNK_NODE:
        if ndims is None or not 1 <= ndims <= MAX_NDIMS:
            raise ValueError(f"chunk B-tree needs ndims in 1..{MAX_NDIMS}, got {ndims}")
        return 8 + 8 * ndims
    raise ValueError(f"unknown v1 B-tree node type {node_type}")


def _read_node(
    source: ByteSource,
    ctx: FormatContext,
    address: int,
    node_type: int,
    key_size: int,
    expected_level: int | None,
) -> _Node:
    hsize = NODE_HEADER.size(ctx)
    head = source.read(address, hsize)
    check_signature(head, SIGNATURE, "v1 B-tree node", address)
    h = NODE_HEADER.decode(head, 0, ctx, address)
    if h["node_type"] != node_type:
        raise FormatError(
            f"v1 B-tree node at 0x{address:x}: node type {h['node_type']}, expected {node_type}"
        )
    level = h["level"]
    if level > MAX_LEVEL:
        raise FormatError(f"v1 B-tree node at 0x{address:x}: implausible level {level}")
    if expected_level is not None and level != expected_level:
        raise FormatError(
            f"v1 B-tree node at 0x{address:x}: level {level}, expected {expected_level}"
        )
    n = h["entries_used"]
    # u16 count: the body is bounded; a count past the end of file raises in source.read
    size = n * (key_size + ctx.size_of_offsets) + key_size
    try:
        body = source.read(address + hsize, size)
    except FormatError as e:
        raise FormatError(
            f"v1 B-tree node at 0x{address:x}: truncated ({n} entries need {size} bytes): {e}"
        ) from None
    return _Node(address, node_type, level, n, body)


def _children(node: _Node, ctx: FormatContext, key_size: int) -> list[int]:
    step = key_size + ctx.size_of_offsets
    o = ctx.size_of_offsets
    return [read_uint(node.body, i * step + key_size, o) for i in range(node.entries_used)]


def _iter_leaves(
    source: ByteSource,
    ctx: FormatContext,
    address: int,
    node_type: int,
    key_size: int,
) -> Iterator[_Node]:
    """Every level-0 node in key order (depth-first), with cycle and level checks."""
    # a module-level generator, not a recursive closure: a closure that refers to itself
    # is a reference cycle, left for the garbage collector after every group read
    return _visit_leaves(source, ctx, address, node_type, key_size, None, set())


def _visit_leaves(
    source: ByteSource,
    ctx: FormatContext,
    addr: int,
    node_type: int,
    key_size: int,
    expected: int | None,
    visited: set[int],
) -> Iterator[_Node]:
    if addr in visited:
        raise FormatError(f"v1 B-tree node at 0x{addr:x}: cycle (node visited twice)")
    visited.add(addr)
    node = _read_node(source, ctx, addr, node_type, key_size, expected)
    if node.level == 0:
        yield node
        return
    children = _children(node, ctx, key_size)
    # siblings are read one after the other: on remote storage, fetch them together first
    # (their sizes are a guess: this node's, or full nodes of libhdf5's default capacity)
    full = _DEFAULT_CAPACITY[node_type] * (key_size + ctx.size_of_offsets) + key_size
    span = NODE_HEADER.size(ctx) + max(len(node.body), full)
    prefetch(source, [(c, span) for c in children if not ctx.is_undefined(c)])
    for child in children:
        if ctx.is_undefined(child):
            raise FormatError(f"v1 B-tree node at 0x{addr:x}: undefined child address")
        yield from _visit_leaves(source, ctx, child, node_type, key_size, node.level - 1, visited)


def node_addresses(
    source: ByteSource,
    ctx: FormatContext,
    address: int,
    node_type: int,
    ndims: int | None = None,
) -> Iterator[tuple[int, int]]:
    """``(address, level)`` of every node of the tree at ``address``, internal nodes
    included (read-only; for space accounting: each node takes :func:`node_size` bytes)."""
    key_size = _key_size(ctx, node_type, ndims)
    visited: set[int] = set()
    stack: list[tuple[int, int | None]] = [(address, None)]
    while stack:
        addr, expected = stack.pop()
        if addr in visited:
            raise FormatError(f"v1 B-tree node at 0x{addr:x}: cycle (node visited twice)")
        visited.add(addr)
        node = _read_node(source, ctx, addr, node_type, key_size, expected)
        yield addr, node.level
        if node.level:
            for child in _children(node, ctx, key_size):
                stack.append((child, node.level - 1))


def node_size(ctx: FormatContext, node_type: int, k: int, ndims: int | None = None) -> int:
    """Bytes libhdf5 allocates for one node of a tree of half-capacity ``k`` (2k
    children, 2k + 1 keys, whatever the node holds)."""
    return _node_size(ctx, _key_size(ctx, node_type, ndims), 2 * k)


def _decode_key(
    buf: bytes, offset: int, node_type: int, ctx: FormatContext, ndims: int | None
) -> int | ChunkKey:
    if node_type == GROUP_NODE:
        return read_uint(buf, offset, ctx.size_of_lengths)
    if ndims is None:
        raise ValueError("chunk B-tree keys need ndims")
    size = read_uint(buf, offset, 4)
    mask = read_uint(buf, offset + 4, 4)
    offs = tuple(read_uint(buf, offset + 8 + 8 * i, 8) for i in range(ndims))
    return ChunkKey(size, mask, offs)


def walk_btree_v1(
    source: ByteSource,
    ctx: FormatContext,
    address: int,
    node_type: int,
    ndims: int | None = None,
) -> Iterator[tuple[int | ChunkKey, int]]:
    """Yield ``(key, child_address)`` for every leaf-level child, in key order.

    ``key`` is the key to the left of the child: a local-heap offset (int) for group
    nodes, a :class:`ChunkKey` for chunk nodes (``ndims`` = dataset rank + 1).
    """
    key_size = _key_size(ctx, node_type, ndims)
    step = key_size + ctx.size_of_offsets
    for node in _iter_leaves(source, ctx, address, node_type, key_size):
        for i in range(node.entries_used):
            pos = i * step
            key = _decode_key(node.body, pos, node_type, ctx, ndims)
            child = read_uint(node.body, pos + key_size, ctx.size_of_offsets)
            yield key, child


def read_chunk_btree_v1(
    source: ByteSource, ctx: FormatContext, address: int, rank: int
) -> ChunkTable:
    """All chunks of a type-1 B-tree as a :class:`ChunkTable` (offsets without the
    element-size dimension), decoded leaf by leaf with a numpy structured dtype."""
    ndims = rank + 1
    key_size = _key_size(ctx, CHUNK_NODE, ndims)
    entry = np.dtype(
        [
            ("size", "<u4"),
            ("mask", "<u4"),
            ("offsets", "<u8", (ndims,)),
            ("child", f"<u{ctx.size_of_offsets}"),
        ]
    )
    parts = [
        np.frombuffer(node.body, dtype=entry, count=node.entries_used)
        for node in _iter_leaves(source, ctx, address, CHUNK_NODE, key_size)
        if node.entries_used
    ]
    if not parts:
        return ChunkTable.empty(rank)
    recs = np.concatenate(parts)
    return ChunkTable(
        offsets=recs["offsets"][:, :rank].astype(np.int64),
        addresses=recs["child"].astype(np.uint64),
        sizes=recs["size"].astype(np.uint64),
        filter_masks=recs["mask"].astype(np.uint32),
    )


def find_chunks_btree_v1(
    source: ByteSource,
    ctx: FormatContext,
    address: int,
    rank: int,
    targets: list[tuple[int, ...]],
    around: int = 0,
) -> ChunkTable:
    """The records of the chunks whose origins (element offsets, ``rank`` of them) are
    ``targets``, found as libhdf5 finds a chunk: down from the root, each node's child
    chosen by its keys, so only the nodes on the targets' paths are read -- a level's
    nodes requested together (one round on remote storage).  A target not stored is
    absent from the table, which is sorted by origin.

    ``around``: bytes to fetch around each leaf along with it (the hint to ``prefetch``);
    libhdf5 writes a leaf right after chunks it indexes, so a round trip's worth of
    bytes around it usually brings the chunk too."""
    ndims = rank + 1
    key_size = _key_size(ctx, CHUNK_NODE, ndims)
    step = key_size + ctx.size_of_offsets
    o = ctx.size_of_offsets
    full = _DEFAULT_CAPACITY[CHUNK_NODE] * step + key_size
    span = NODE_HEADER.size(ctx) + full
    offsets_of = struct.Struct(f"<{ndims}Q")
    pending: dict[int, list[tuple[int, ...]]] = {address: sorted({(*t, 0) for t in targets})}
    expected: int | None = None
    visited: set[int] = set()
    found: list[tuple[tuple[int, ...], int, int, int]] = []
    while pending:
        hint = getattr(source, "prefetch", None)
        if expected == 0 and around and hint is not None:
            # even for one leaf: the bytes around it are more than the read of the leaf
            half = around // 2
            hint([(max(0, a - half), 2 * half + span) for a in pending])
        else:
            prefetch(source, [(a, span) for a in pending])
        nxt: dict[int, list[tuple[int, ...]]] = {}
        level = None
        for addr, wanted in pending.items():
            if addr in visited:
                raise FormatError(f"v1 B-tree node at 0x{addr:x}: cycle (node visited twice)")
            visited.add(addr)
            node = _read_node(source, ctx, addr, CHUNK_NODE, key_size, expected)
            level = node.level
            n = node.entries_used
            body = node.body
            keys = [offsets_of.unpack_from(body, i * step + 8) for i in range(n)]
            for t in wanted:
                i = bisect_right(keys, t) - 1
                if i < 0:
                    continue  # before the node's first chunk: not stored
                pos = i * step
                child = read_uint(body, pos + key_size, o)
                if node.level == 0:
                    if keys[i] == t:
                        size, mask = struct.unpack_from("<II", body, pos)
                        found.append((t[:rank], child, size, mask))
                elif ctx.is_undefined(child):
                    raise FormatError(f"v1 B-tree node at 0x{addr:x}: undefined child address")
                else:
                    nxt.setdefault(child, []).append(t)
        if level is not None and level > 0:
            expected = level - 1
        pending = nxt
    if not found:
        return ChunkTable.empty(rank)
    found.sort()
    return ChunkTable(
        offsets=np.array([f[0] for f in found], dtype=np.int64).reshape(len(found), rank),
        addresses=np.array([f[1] for f in found], dtype=np.uint64),
        sizes=np.array([f[2] for f in found], dtype=np.uint64),
        filter_masks=np.array([f[3] for f in found], dtype=np.uint32),
    )


def chunk_leaf_addresses(
    source: ByteSource, ctx: FormatContext, address: int, rank: int
) -> tuple[list[int], int] | None:
    """The addresses of the leaves of the chunk B-tree at ``address`` (its internal nodes
    read, a level per round), and the bytes a full leaf of libhdf5's default capacity
    takes; None when the root is itself a leaf.  Lets a reader fetch the span the leaves
    lie in at once (libhdf5 writes each leaf among the chunks it indexes) before the
    tree is read from it."""
    key_size = _key_size(ctx, CHUNK_NODE, rank + 1)
    span = NODE_HEADER.size(ctx) + _DEFAULT_CAPACITY[CHUNK_NODE] * (key_size + ctx.size_of_offsets) + key_size
    level: int | None = None
    nodes = [address]
    visited: set[int] = set()
    while True:
        prefetch(source, [(a, span) for a in nodes])
        children: list[int] = []
        for addr in nodes:
            if addr in visited:
                raise FormatError(f"v1 B-tree node at 0x{addr:x}: cycle (node visited twice)")
            visited.add(addr)
            node = _read_node(source, ctx, addr, CHUNK_NODE, key_size, level)
            if node.level == 0:
                return None  # (only the root can be: the levels below are checked)
            level = node.level - 1
            for child in _children(node, ctx, key_size):
                if ctx.is_undefined(child):
                    raise FormatError(f"v1 B-tree node at 0x{addr:x}: undefined child address")
                children.append(child)
        if level == 0:
            return children, span
        nodes = children


def symbol_table_nodes(source: ByteSource, ctx: FormatContext, btree_address: int) -> list[int]:
    """Addresses of a symbol-table group's nodes, in name order (the B-tree walked)."""
    return [child for _key, child in walk_btree_v1(source, ctx, btree_address, GROUP_NODE)]


def symbol_table_node_span(ctx: FormatContext) -> int:
    """Bytes to fetch ahead for one symbol table node (its header and usual entries)."""
    return SNOD_HEADER.size(ctx) + NODE_READ_AHEAD


def iter_group_entries(
    source: ByteSource,
    ctx: FormatContext,
    btree_address: int,
    heap: LocalHeap,
    nodes: list[int] | None = None,
) -> Iterator[tuple[bytes, SymbolTableEntry]]:
    """Yield ``(name, entry)`` for every member of a symbol-table group, in name order
    (``nodes``: the group's :func:`symbol_table_nodes`, when the caller walked them)."""
    seen: set[int] = set()
    snods = symbol_table_nodes(source, ctx, btree_address) if nodes is None else nodes
    prefetch(source, [(a, symbol_table_node_span(ctx)) for a in snods])
    for snod_address in snods:
        if snod_address in seen:
            raise FormatError(
                f"v1 B-tree at 0x{btree_address:x}: symbol table node 0x{snod_address:x} "
                "referenced twice"
            )
        seen.add(snod_address)
        node = read_symbol_table_node(source, ctx, snod_address)
        for entry in node.entries:
            yield heap.string_at(entry.name_offset), entry


def encode_btree_v1_node(
    ctx: FormatContext,
    node_type: int,
    level: int,
    keys: list[bytes],
    children: list[int],
    capacity: int,
    left_sibling: int | None = None,
    right_sibling: int | None = None,
) -> bytes:
    """A full-size node: ``keys`` are pre-encoded (len(children) + 1 of them), ``capacity``
    is 2K children; unused space is zeroed as libhdf5 does."""
    if len(keys) != len(children) + 1 or len(children) > capacity:
        raise ValueError("need len(children) + 1 keys and at most `capacity` children")
    undef = ctx.undefined_address
    head = NODE_HEADER.encode(
        {
            "signature": SIGNATURE,
            "node_type": node_type,
            "level": level,
            "entries_used": len(children),
            "left_sibling": undef if left_sibling is None else left_sibling,
            "right_sibling": undef if right_sibling is None else right_sibling,
        },
        ctx,
    )
    o = ctx.size_of_offsets
    parts = [head]
    for k, c in zip(keys, children):
        parts += [k, c.to_bytes(o, "little")]
    parts.append(keys[-1])
    key_size = len(keys[0])
    pad = (capacity - len(children)) * (key_size + o)
    return b"".join(parts) + b"\0" * pad


# --- building -----------------------------------------------------------------------------


def _node_size(ctx: FormatContext, key_size: int, capacity: int) -> int:
    return NODE_HEADER.size(ctx) + capacity * (key_size + ctx.size_of_offsets) + key_size


def build_btree_v1(
    ctx: FormatContext,
    node_type: int,
    items: list[tuple[bytes, int]],
    right_key: bytes,
    capacity: int,
    alloc: Callable[[int], int],
) -> tuple[int, list[tuple[int, bytes]]]:
    """A v1 B-tree over leaf-level ``(left key, child address)`` pairs (in key order) and
    the key right of the last child; returns the root address and ``(address, bytes)``
    blocks.  Every level is split into the fewest nodes of at most ``capacity`` (2K)
    children, shared out evenly; a node's keys are its children's left keys plus the next
    node's first key (``right_key`` for the last); siblings are linked per level."""
    key_size = len(right_key)
    size = _node_size(ctx, key_size, capacity)
    blocks: list[tuple[int, bytes]] = []
    level = 0
    while True:
        n = len(items)
        nnodes = max(1, -(-n // capacity))
        bounds = [i * n // nnodes for i in range(nnodes + 1)]
        addrs = [alloc(size) for _ in range(nnodes)]
        parents = []
        for j in range(nnodes):
            part = items[bounds[j] : bounds[j + 1]]
            last = items[bounds[j + 1]][0] if bounds[j + 1] < n else right_key
            keys = [k for k, _ in part] + [last]
            node = encode_btree_v1_node(
                ctx,
                node_type,
                level,
                keys,
                [c for _, c in part],
                capacity,
                addrs[j - 1] if j else None,
                addrs[j + 1] if j + 1 < nnodes else None,
            )
            blocks.append((addrs[j], node))
            parents.append((keys[0], addrs[j]))
        if nnodes == 1:
            return addrs[0], blocks
        items = parents
        level += 1


def encode_chunk_key(size: int, filter_mask: int, offsets: tuple[int, ...]) -> bytes:
    """A type-1 key: u32 chunk size, u32 filter mask, u64 offsets (element dim included)."""
    return (
        size.to_bytes(4, "little")
        + filter_mask.to_bytes(4, "little")
        + b"".join(int(o).to_bytes(8, "little") for o in offsets)
    )


def build_chunk_btree_v1(
    table: ChunkTable,
    rank: int,
    chunk_shape: tuple[int, ...],
    ctx: FormatContext,
    alloc: Callable[[int], int],
    k: int = 32,
) -> tuple[int, list[tuple[int, bytes]]]:
    """A chunk B-tree (node type 1, ``2k`` children per node) over ``table``'s chunks.

    The key right of the last chunk is the last chunk's origin one chunk further along the
    first dim, size and mask 0: greater in C order than every chunk in the tree, which is
    what libhdf5's lookups (``H5D__btree_cmp3``) need.
    """
    t = table.sorted()
    items = [
        (
            encode_chunk_key(int(s), int(m), (*map(int, off), 0)),
            int(a),
        )
        for off, a, s, m in zip(t.offsets, t.addresses, t.sizes, t.filter_masks)
    ]
    if items:
        last = [int(x) for x in t.offsets[-1]]
        last[0] += chunk_shape[0]
        right = encode_chunk_key(0, 0, (*last, 0))
    else:
        right = encode_chunk_key(0, 0, (0,) * (rank + 1))
    return build_btree_v1(ctx, CHUNK_NODE, items, right, 2 * k, alloc)


def _at_offset(e: SymbolTableEntry, name_offset: int) -> SymbolTableEntry:
    """``e`` with its name at ``name_offset`` of the heap."""
    return SymbolTableEntry(
        name_offset,
        e.object_header_address,
        e.cache_type,
        e.btree_address,
        e.heap_address,
        e.soft_link_offset,
    )


@dataclass(frozen=True)
class SymbolTableLayout:
    """What :func:`build_symbol_table` wrote: the Symbol Table message's two addresses."""

    btree_address: int
    heap_address: int
    blocks: list[tuple[int, bytes]]
    """``(address, bytes)`` to write: B-tree nodes, symbol table nodes, the local heap."""


def build_symbol_table(
    entries: dict[bytes, SymbolTableEntry],
    ctx: FormatContext,
    alloc: Callable[[int], int],
    leaf_k: int = 4,
    internal_k: int = 16,
    heap_free: int = 0,
    soft_targets: dict[bytes, bytes] | None = None,
) -> SymbolTableLayout:
    """An old-style group: v1 B-tree (node type 0, ``2 * internal_k`` children per node),
    symbol table nodes of ``2 * leaf_k`` entries filled in name order, and a local heap
    holding "" at offset 0 then every name (NUL-terminated, 8-byte aligned) in name order.

    Each entry's ``name_offset`` is set here.  ``soft_targets`` maps the names of soft links
    to their target paths: those are stored in the heap after the names, as libhdf5 stores
    them, and their entries become cache type 2 pointing at them.  ``heap_free`` bytes of free space (at least 2 lengths) are left
    at the end of the data segment for later names.  Key ``i`` of a B-tree node is the heap
    offset of the greatest name in child ``i - 1`` (key 0 is "", offset 0).
    """
    names = sorted(entries)
    if 0 < len(names) <= 2 * leaf_k and not soft_targets and not heap_free:
        small = _small_symbol_table(names, entries, ctx, alloc, 2 * leaf_k, 2 * internal_k)
        if small is not None:
            return small
    heap = bytearray(8)  # offset 0: the empty string
    offsets: dict[bytes, int] = {}
    for name in names:
        if b"\0" in name or not name:
            raise ValueError(f"invalid link name {name!r}")
        offsets[name] = len(heap)
        heap += name + b"\0"
        heap += bytes(-len(heap) % 8)
    for name, target in (soft_targets or {}).items():
        entries[name] = replace(entries[name], cache_type=2, soft_link_offset=len(heap))
        heap += target + b"\0"
        heap += bytes(-len(heap) % 8)
    free_head = FREE_NULL
    if heap_free:
        ln = ctx.size_of_lengths
        if heap_free < 2 * ln:
            raise ValueError(f"heap free space must be at least {2 * ln} bytes")
        free_head = len(heap)
        heap += FREE_NULL.to_bytes(ln, "little") + heap_free.to_bytes(ln, "little")
        heap += bytes(heap_free - 2 * ln)
    blocks: list[tuple[int, bytes]] = []
    cap = 2 * leaf_k
    snod_size = symbol_table_node_size(ctx, cap)
    nsnods = -(-len(names) // cap)
    bounds = [i * len(names) // nsnods for i in range(nsnods + 1)] if nsnods else [0]
    items: list[tuple[bytes, int]] = []
    prev = 0
    ln = ctx.size_of_lengths
    for j in range(nsnods):
        part = names[bounds[j] : bounds[j + 1]]
        snod = encode_symbol_table_node(
            [_at_offset(entries[n], offsets[n]) for n in part], ctx, cap
        )
        at = alloc(snod_size)
        blocks.append((at, snod))
        items.append((prev.to_bytes(ln, "little"), at))
        prev = offsets[part[-1]]
    btree, nodes = build_btree_v1(
        ctx, GROUP_NODE, items, prev.to_bytes(ln, "little"), 2 * internal_k, alloc
    )
    heap_address = alloc(HEAP_HEADER.size(ctx) + len(heap))
    local = LocalHeap(
        heap_address, heap_address + HEAP_HEADER.size(ctx), bytes(heap), free_head, ctx.size_of_lengths
    )
    blocks = nodes + blocks
    blocks.append((heap_address, local.encode_header(ctx) + bytes(heap)))
    return SymbolTableLayout(btree, heap_address, blocks)


_NO_SCRATCH = bytes(SCRATCH_SIZE)


def _small_symbol_table(
    names: list[bytes],
    entries: dict[bytes, SymbolTableEntry],
    ctx: FormatContext,
    alloc: Callable[[int], int],
    cap: int,
    node_cap: int,
) -> SymbolTableLayout | None:
    """:func:`build_symbol_table` of a group whose names fit one symbol table node (most
    groups): the same allocations and bytes, packed directly; None (nothing allocated)
    when an entry caches anything or a name is invalid, for the general path."""
    heap = bytearray(8)  # offset 0: the empty string
    body = []
    last = 0  # heap offset of the greatest name: the B-tree node's right key
    try:
        pack_entry = SNOD_ENTRY.compiled(ctx).pack
        for name in names:
            e = entries[name]
            if b"\0" in name or not name or e.cache_type != CACHE_NONE:
                return None
            last = len(heap)
            body.append(pack_entry(last, e.object_header_address, CACHE_NONE, _NO_SCRATCH))
            heap += name + b"\0"
            heap += bytes(-len(heap) % 8)
    except struct.error as err:
        raise ValueError(f"{SNOD_ENTRY.name}: {err}") from None
    n = len(names)
    snod_at = alloc(symbol_table_node_size(ctx, cap))
    snod = (
        SNOD_HEADER.compiled(ctx).pack(SNOD_SIGNATURE, 1, n)
        + b"".join(body)
        + bytes((cap - n) * SNOD_ENTRY.size(ctx))
    )
    ln = ctx.size_of_lengths
    tree_at = alloc(_node_size(ctx, ln, node_cap))
    node = encode_btree_v1_node(
        ctx, GROUP_NODE, 0, [bytes(ln), last.to_bytes(ln, "little")], [snod_at], node_cap
    )
    heap_size = HEAP_HEADER.size(ctx)
    heap_address = alloc(heap_size + len(heap))
    local = LocalHeap(
        heap_address, heap_address + heap_size, bytes(heap), FREE_NULL, ctx.size_of_lengths
    )
    blocks = [
        (tree_at, node),
        (snod_at, snod),
        (heap_address, local.encode_header(ctx) + local.data),
    ]
    return SymbolTableLayout(tree_at, heap_address, blocks)
