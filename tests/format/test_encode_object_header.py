"""Object header encoding against headers libhdf5 wrote (v1 and v2, with continuations)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from h5pure.format.object_header import (
    FLAG_ATTR_CORDER_TRACKED,
    ChunkPlan,
    MessageSpec,
    encode_continuation_chunk,
    encode_object_header,
    encode_object_header_chunks,
    layout_messages,
    read_object_header,
)
from h5pure.format.superblock import encode_superblock
from h5pure.testing.sources import BytesSource


def _raw_messages(data: bytes, chunk, version: int, flags: int) -> list[MessageSpec]:
    """Every message of a stored chunk, NIL and continuation messages included."""
    start, end = chunk.messages_address, chunk.messages_address + chunk.messages_size
    corder = version == 2 and bool(flags & FLAG_ATTR_CORDER_TRACKED)
    hsize = 8 if version == 1 else 4 + (2 if corder else 0)
    out, pos = [], start
    while end - pos >= hsize:
        if version == 1:
            mtype = int.from_bytes(data[pos : pos + 2], "little")
            size = int.from_bytes(data[pos + 2 : pos + 4], "little")
            mflags = data[pos + 4]
        else:
            mtype, mflags = data[pos], data[pos + 3]
            size = int.from_bytes(data[pos + 1 : pos + 3], "little")
        order = int.from_bytes(data[pos + 4 : pos + 6], "little") if corder else None
        out.append(MessageSpec(mtype, mflags, data[pos + hsize : pos + hsize + size], order))
        pos += hsize + size
    return out


def _grown_header(h5py, path, libver, track_order=False):
    """A dataset header that libhdf5 had to grow with continuation chunks."""
    with h5py.File(path, "w", libver=libver) as f:
        d = f.create_dataset("d", data=np.arange(10, dtype="i4"), track_order=track_order)
        f.create_dataset("other", data=[1])  # so that "d" cannot grow in place
        for i in range(8):
            d.attrs[f"attr{i}"] = np.full(200, i, dtype="f8")
        return h5py.h5o.get_info(d.id).addr


CASES = [("earliest", False), ("latest", False), ("latest", True), ("earliest", True)]


@pytest.mark.parametrize(("libver", "track_order"), CASES)
def test_reencode_stored_chunks_exactly(image, h5py, tmp_path, libver, track_order):
    path = tmp_path / "g.h5"
    addr = _grown_header(h5py, path, libver, track_order)
    img = image(path)
    oh = read_object_header(img.source, img.ctx, addr)
    assert len(oh.chunks) > 1
    raw = [_raw_messages(img.data, c, oh.version, oh.flags) for c in oh.chunks]
    total = sum(len(r) for r in raw)
    c0 = oh.chunks[0]
    times = None
    if oh.access_time is not None:
        times = (oh.access_time, oh.modification_time, oh.change_time, oh.birth_time)
    head = encode_object_header(
        img.ctx,
        oh.version,
        raw[0],
        c0.messages_size,
        refcount=oh.refcount,
        flags=oh.flags,
        total_messages=total,
        times=times,
        max_compact_attributes=oh.max_compact_attributes,
        min_dense_attributes=oh.min_dense_attributes,
    )
    assert head == img.data[c0.address : c0.address + c0.size]
    for c, msgs in zip(oh.chunks[1:], raw[1:]):
        enc = encode_continuation_chunk(img.ctx, oh.version, msgs, c.size, oh.flags)
        assert enc == img.data[c.address : c.address + c.size]


@pytest.mark.parametrize("libver", ["earliest", "latest"])
def test_layout_reproduces_single_chunk_headers(image, h5py, tmp_path, libver):
    path = tmp_path / "s.h5"
    with h5py.File(path, "w", libver=libver) as f:
        d = f.create_dataset("d", data=np.arange(12, dtype="f4").reshape(3, 4), chunks=(2, 2))
        g = f.create_group("g")
        addrs = [h5py.h5o.get_info(o.id).addr for o in (d, g, f)]
    img = image(path)
    for addr in addrs:
        oh = read_object_header(img.source, img.ctx, addr)
        assert len(oh.chunks) == 1
        msgs = [MessageSpec(m.type, m.flags, m.data, m.creation_order) for m in oh.messages]
        plans = layout_messages(msgs, oh.chunks[0].messages_size, oh.version, img.ctx, oh.flags)
        assert len(plans) == 1
        (enc,) = encode_object_header_chunks(
            img.ctx, oh.version, plans, [addr], refcount=oh.refcount, flags=oh.flags
        )
        assert enc == img.data[addr : addr + oh.chunks[0].size]


@pytest.mark.parametrize(("libver", "track_order"), CASES)
def test_rewritten_header_reads_back_in_h5py(image, h5py, tmp_path, libver, track_order):
    """Lay the messages out anew (one continuation chunk at the end of the file), write
    the header in place, grow the EOF in the superblock: libhdf5 reads every attribute."""
    path = tmp_path / "r.h5"
    addr = _grown_header(h5py, path, libver, track_order)
    img = image(path)
    oh = read_object_header(img.source, img.ctx, addr)
    msgs = [MessageSpec(m.type, m.flags, m.data, m.creation_order) for m in oh.messages]
    plans = layout_messages(
        msgs, oh.chunks[0].messages_size, oh.version, img.ctx, oh.flags, slack=40
    )
    assert len(plans) == 2 and plans[0].messages and plans[1].messages
    data = bytearray(img.data)
    cont_addr = len(data)
    chunks = encode_object_header_chunks(
        img.ctx, oh.version, plans, [addr, cont_addr], refcount=oh.refcount, flags=oh.flags
    )
    assert len(chunks[1]) == plans[1].size
    data[addr : addr + len(chunks[0])] = chunks[0]
    data += chunks[1]
    sb = replace(img.sb, eof_address=len(data))
    enc = encode_superblock(sb)
    data[: len(enc)] = enc
    path.write_bytes(bytes(data))

    back = read_object_header(BytesSource(bytes(data)), sb.context(), addr)
    assert [(m.type, m.flags, m.data, m.creation_order) for m in back.messages] == [
        (m.type, m.flags, m.body, m.creation_order) for m in msgs
    ]
    assert [c.address for c in back.chunks] == [addr, cont_addr]
    with h5py.File(path, "r") as f:
        d = f["d"]
        assert d[()].tolist() == list(range(10))
        assert sorted(d.attrs) == [f"attr{i}" for i in range(8)]
        for i in range(8):
            assert d.attrs[f"attr{i}"].tolist() == [float(i)] * 200


@pytest.mark.parametrize("version", [1, 2])
def test_layout_edge_cases(version):
    from h5pure.format.context import FormatContext

    ctx = FormatContext(8, 8)
    small = [MessageSpec(1, 0, bytes(8)) for _ in range(3)]
    # everything fits: one chunk, NIL (or gap) filling the rest
    (plan,) = layout_messages(small, 200, version, ctx)
    area = encode_object_header_chunks(ctx, version, [plan], [0])[0]
    back = read_object_header(BytesSource(area), ctx, 0)
    assert [m.data for m in back.messages] == [bytes(8)] * 3
    # chunk 0 too small for the messages: continuation needed, room for it kept
    plans = layout_messages(small, 40 if version == 1 else 30, version, ctx)
    assert len(plans) == 2
    chunks = encode_object_header_chunks(ctx, version, plans, [0, 1000])
    image = chunks[0] + bytes(1000 - len(chunks[0])) + chunks[1]
    back = read_object_header(BytesSource(image), ctx, 0)
    assert [m.type for m in back.messages] == [1, 1, 1]
    with pytest.raises(ValueError, match="continuation"):
        layout_messages(small, 8, version, ctx)
    with pytest.raises(ValueError, match="exceed"):
        encode_object_header(ctx, version, small, 16)
    with pytest.raises(ValueError, match="65535"):
        encode_object_header(ctx, version, [MessageSpec(1, 0, bytes(70000))], 80000)


def test_v2_gap_and_size_width():
    from h5pure.format.context import FormatContext

    ctx = FormatContext(8, 8)
    msg = MessageSpec(1, 0, bytes(10))
    # 14 bytes used of 17: a 3-byte gap, not a NIL message
    enc = encode_object_header(ctx, 2, [msg], 17)
    assert enc[5] & 0x03 == 0 and enc[6] == 17
    back = read_object_header(BytesSource(enc), ctx, 0)
    assert back.chunks[0].gap == 3 and len(back.messages) == 1
    big = encode_object_header(ctx, 2, [msg], 300)
    assert big[5] & 0x03 == 1 and int.from_bytes(big[6:8], "little") == 300
    assert read_object_header(BytesSource(big), ctx, 0).chunks[0].gap == 0


def test_plan_record():
    assert ChunkPlan([], 22).size == 22
