"""Fractal heaps (III.G): dense links, dense and huge attributes of h5py files."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from h5pure.errors import ChecksumError, FormatError
from h5pure.format.btree_v2 import BTreeV2
from h5pure.format.context import FormatContext
from h5pure.format.fractal_heap import FractalHeap, decode_heap_pipeline
from h5pure.format.object_header import read_object_header
from h5pure.testing.sources import BytesSource

h5py = pytest.importorskip("h5py")

CTX = FormatContext()


def _v2_messages(data: bytes, addr: int) -> list[tuple[int, bytes]]:
    """(type, body) of every message of the object header at ``addr``, continuations
    followed (h5pure's own decoder, tested on its own in test_object_header.py)."""
    header = read_object_header(BytesSource(data), CTX, addr)
    return [(m.type, bytes(m.data)) for m in header.messages]


def _info(data: bytes, oh: int, msg_type: int) -> tuple[int, int]:
    """(fractal heap, name index) of a Link Info (0x02) / Attribute Info (0x15) message."""
    body = next(b for t, b in _v2_messages(data, oh) if t == msg_type)
    pos = 2 + ((8 if msg_type == 0x02 else 2) if body[1] & 1 else 0)
    heap, name = struct.unpack_from("<QQ", body, pos)
    return heap, name


def _link_name(msg: bytes) -> bytes:
    """Name of an encoded Link message (IV.A.2.g)."""
    assert msg[0] == 1
    flags = msg[1]
    pos = 2 + (1 if flags & 0x08 else 0) + (8 if flags & 0x04 else 0) + (1 if flags & 0x10 else 0)
    width = 1 << (flags & 3)
    n = int.from_bytes(msg[pos : pos + width], "little")
    return msg[pos + width : pos + width + n]


@pytest.fixture(scope="module", params=[(300, 8), (700, 1000)], ids=["small", "long-names"])
def dense_links(request, tmp_path_factory):
    count, pad = request.param
    path = str(tmp_path_factory.mktemp("fh") / "links.h5")
    names = [f"n{i:04d}_" + "x" * pad for i in range(count)]
    with h5py.File(path, "w", libver="latest") as f:
        g = f.create_group("g")
        for i, n in enumerate(names):
            if i % 3 == 0:
                g.create_group(n)
            else:
                g[n] = h5py.SoftLink("/target/" + n[:10])
        oh = h5py.h5o.get_info(g.id).addr
    data = open(path, "rb").read()
    return data, oh, names


def test_dense_link_messages(dense_links):
    data, oh, names = dense_links
    heap_addr, name_bt = _info(data, oh, 0x02)
    src = BytesSource(data)
    heap = FractalHeap.open(src, CTX, heap_addr)
    assert heap.id_length == 7 and heap.flags & 0x02
    got = []
    for rec in BTreeV2.open(src, CTX, name_bt).records():
        assert (rec.heap_id[0] >> 4) & 3 == 0  # managed
        got.append(_link_name(heap.get(rec.heap_id)).decode())
    assert sorted(got) == sorted(names)
    if len(names[0]) > 100:
        assert heap.root_rows > heap.max_direct_rows, "expected child indirect blocks"
    blocks = list(heap.iter_managed())
    assert [o for o, _ in blocks] == sorted(o for o, _ in blocks)
    assert all(b[:4] == b"FHDB" for _, b in blocks)


def test_huge_and_dense_attributes(tmp_path):
    path = str(tmp_path / "attrs.h5")
    big = np.arange(30000, dtype="<i4")  # 120 kB > 64 kB: a huge heap object
    with h5py.File(path, "w", libver="latest") as f:
        d = f.create_dataset("d", data=[1, 2])
        for i in range(12):
            d.attrs[f"small{i:02d}"] = np.full(3, i, dtype="<i8")
        d.attrs["big"] = big
        oh = h5py.h5o.get_info(d.id).addr
    data = open(path, "rb").read()
    heap_addr, name_bt = _info(data, oh, 0x15)
    src = BytesSource(data)
    heap = FractalHeap.open(src, CTX, heap_addr)
    kinds = {}
    for rec in BTreeV2.open(src, CTX, name_bt).records():
        msg = heap.get(rec.heap_id)
        kinds[(rec.heap_id[0] >> 4) & 3] = kinds.get((rec.heap_id[0] >> 4) & 3, 0) + 1
        if b"big\0" in msg[:64]:
            assert (rec.heap_id[0] >> 4) & 3 == 1
            assert msg.endswith(big.tobytes())
        else:
            i = int(msg[msg.index(b"small") + 5 : msg.index(b"small") + 7])
            assert msg.endswith(np.full(3, i, dtype="<i8").tobytes())
    assert kinds == {0: 12, 1: 1}


def test_tiny_ids(dense_links):
    data, oh, _ = dense_links
    heap = FractalHeap.open(BytesSource(data), CTX, _info(data, oh, 0x02)[0])
    assert heap.get(bytes([0x20 | 3]) + b"abcd" + b"\0\0") == b"abcd"
    with pytest.raises(FormatError, match="tiny"):
        heap.get(bytes([0x20 | 9]) + b"abcdef")


def test_pipeline_decoding():
    # pipeline v2 with deflate (level 6) and a v1 pipeline with a named filter
    v2 = bytes([2, 1]) + struct.pack("<HHHI", 1, 0, 1, 6)
    (f,) = decode_heap_pipeline(v2, 0)
    assert (f.filter_id, f.client_data) == (1, (6,))
    v1 = bytes([1, 1]) + b"\0" * 6 + struct.pack("<HHHH", 1, 8, 0, 1) + b"deflate\0"
    v1 += struct.pack("<I", 4) + b"\0" * 4
    (f,) = decode_heap_pipeline(v1, 0)
    assert (f.filter_id, f.client_data) == (1, (4,))


def test_corrupt_heap(dense_links):
    data, oh, _ = dense_links
    heap_addr, name_bt = _info(data, oh, 0x02)
    bad = bytearray(data)
    bad[heap_addr : heap_addr + 4] = b"FRHX"
    with pytest.raises(FormatError, match=f"0x{heap_addr:x}: bad signature"):
        FractalHeap.open(BytesSource(bytes(bad)), CTX, heap_addr)
    bad = bytearray(data)
    bad[heap_addr + 20] ^= 1
    with pytest.raises(ChecksumError, match=f"fractal heap header at 0x{heap_addr:x}"):
        FractalHeap.open(BytesSource(bytes(bad)), CTX, heap_addr)
    heap = FractalHeap.open(BytesSource(data), CTX, heap_addr)
    (off, block), *_ = heap.iter_managed()
    rec = next(iter(BTreeV2.open(BytesSource(data), CTX, name_bt).records()))
    # flip a byte inside the direct block holding the first object
    obj_off = int.from_bytes(rec.heap_id[1:5], "little")
    blocks = dict(heap.iter_managed())
    base = max(o for o in blocks if o <= obj_off)
    addr = data.find(blocks[base])
    bad = bytearray(data)
    bad[addr + obj_off - base] ^= 0xFF
    with pytest.raises(ChecksumError, match=f"direct block at 0x{addr:x}"):
        FractalHeap.open(BytesSource(bytes(bad)), CTX, heap_addr).get(rec.heap_id)
    with pytest.raises(FormatError, match="outside the heap"):
        heap.get(bytes([0]) + (2**32 - 2).to_bytes(4, "little") + (100).to_bytes(2, "little"))
