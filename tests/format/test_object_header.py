"""Object header decoding (v1 and v2, continuation chunks) against h5py-written files."""

from __future__ import annotations

import struct
import time

import numpy as np
import pytest

from h5pure.errors import ChecksumError, FormatError
from h5pure.format.context import FormatContext
from h5pure.format.messages import MessageType, decode_message
from h5pure.format.object_header import read_object_header
from h5pure.testing.sources import BytesSource


def _addr(h5py, obj):
    return h5py.h5o.get_info(obj.id).addr


@pytest.mark.parametrize(("libver", "version"), [("earliest", 1), ("latest", 2)])
def test_header_grows_with_continuations(image, h5py, tmp_path, libver, version):
    path = tmp_path / "grow.h5"
    with h5py.File(path, "w", libver=libver) as f:
        d = f.create_dataset("d", data=np.arange(10, dtype="i4"))
        f.create_dataset("other", data=[1])  # allocated right after, so "d" cannot grow in place
        # at most 8 attributes so that libver=latest keeps them compact
        for i in range(8):
            d.attrs[f"attr{i}"] = np.full(200, i, dtype="f8")
        addr = _addr(h5py, d)
        rc = h5py.h5o.get_info(d.id).rc
    img = image(path)
    oh = read_object_header(img.source, img.ctx, addr)
    assert oh.version == version
    assert oh.address == addr
    assert oh.refcount == rc == 1
    assert len(oh.chunks) > 1  # 8 x 1.6 KB of attributes cannot fit the first chunk
    if version == 2:
        assert all(img.data[c.address : c.address + 4] == b"OCHK" for c in oh.chunks[1:])
    attrs = [decode_message(m, img.ctx) for m in oh.find(MessageType.ATTRIBUTE)]
    assert sorted(a.name for a in attrs) == [f"attr{i}" for i in range(8)]
    for a in attrs:
        i = int(a.name[4:])
        assert np.frombuffer(a.data, "<f8").tolist() == [float(i)] * 200
    assert not oh.find(MessageType.CONTINUATION) and not oh.find(MessageType.NIL)
    # every message body lies inside one of the header's chunks
    for m in oh.messages:
        assert any(
            c.messages_address <= m.address < c.messages_address + c.messages_size
            for c in oh.chunks
        )
        assert img.data[m.address : m.address + len(m.data)] == m.data


def test_v1_root_header(image, h5py, tmp_path):
    path = tmp_path / "root.h5"
    with h5py.File(path, "w") as f:
        f.create_group("g")
        root_info = h5py.h5o.get_info(f.id)
    img = image(path)
    oh = read_object_header(img.source, img.ctx, root_info.addr)
    assert oh.version == 1 and oh.flags == 0
    assert oh.refcount == root_info.rc
    assert [m.type for m in oh.messages] == [MessageType.SYMBOL_TABLE]
    assert oh.chunks[0].address == root_info.addr
    assert oh.chunks[0].messages_address == root_info.addr + 16
    assert oh.access_time is None and oh.max_compact_attributes == 8


@pytest.mark.parametrize("libver", ["earliest", "latest"])
def test_track_order_creation_order_fields(image, h5py, tmp_path, libver):
    path = tmp_path / "to.h5"
    with h5py.File(path, "w", libver=libver) as f:
        g = f.create_group("g", track_order=True)
        for name in ["zeta", "alpha", "mid"]:
            g.attrs[name] = 1
        addr = _addr(h5py, g)
    img = image(path)
    oh = read_object_header(img.source, img.ctx, addr)
    assert oh.version == 2  # track_order forces v2 even in an earliest file
    assert oh.flags & 0x04 and oh.flags & 0x08
    attrs = oh.find(MessageType.ATTRIBUTE)
    names = [decode_message(m, img.ctx).name for m in attrs]
    orders = dict(zip(names, [m.creation_order for m in attrs]))
    assert orders == {"zeta": 0, "alpha": 1, "mid": 2}


def test_timestamps_v2(image, h5py, tmp_path):
    path = tmp_path / "t.h5"
    before = int(time.time()) - 2
    with h5py.File(path, "w", libver="latest") as f:
        d = f.create_dataset("d", data=[1], track_times=True)
        info = h5py.h5o.get_info(d.id)
    img = image(path)
    oh = read_object_header(img.source, img.ctx, info.addr)
    assert oh.flags & 0x20
    assert (oh.access_time, oh.modification_time, oh.change_time, oh.birth_time) == (
        info.atime,
        info.mtime,
        info.ctime,
        info.btime,
    )
    assert oh.modification_time >= before


def test_refcount_two_links(image, h5py, tmp_path):
    for libver in ("earliest", "latest"):
        path = tmp_path / f"rc-{libver}.h5"
        with h5py.File(path, "w", libver=libver) as f:
            d = f.create_dataset("d", data=[1])
            f["again"] = d
            info = h5py.h5o.get_info(d.id)
        img = image(path)
        oh = read_object_header(img.source, img.ctx, info.addr)
        assert oh.refcount == info.rc == 2


def _v2_file(h5py, tmp_path):
    path = tmp_path / "v2.h5"
    with h5py.File(path, "w", libver="latest") as f:
        d = f.create_dataset("d", data=[1, 2, 3])
        addr = _addr(h5py, d)
    return path, addr


def test_bad_checksum(image, h5py, tmp_path):
    path, addr = _v2_file(h5py, tmp_path)
    img = image(path)
    data = bytearray(img.data)
    data[addr + 10] ^= 0x40
    src = BytesSource(bytes(data))
    with pytest.raises(ChecksumError, match=f"object header at 0x{addr:x}"):
        read_object_header(src, img.ctx, addr)


def test_flipped_signature(image, h5py, tmp_path):
    path, addr = _v2_file(h5py, tmp_path)
    img = image(path)
    data = bytearray(img.data)
    data[addr + 3] = ord("X")
    with pytest.raises(FormatError, match=f"object header at 0x{addr:x}: bad signature b'OHDX'"):
        read_object_header(BytesSource(bytes(data)), img.ctx, addr)


@pytest.mark.parametrize("libver", ["earliest", "latest"])
def test_truncated_header(image, h5py, tmp_path, libver):
    path = tmp_path / "tr.h5"
    with h5py.File(path, "w", libver=libver) as f:
        d = f.create_dataset("d", data=[1, 2, 3])
        addr = _addr(h5py, d)
    img = image(path)
    cut = img.data[: addr + 20]
    ctx = FormatContext(8, 8)  # no EOF bound: the source itself must refuse
    with pytest.raises(FormatError, match=f"object header at 0x{addr:x}"):
        read_object_header(BytesSource(cut), ctx, addr)
    with pytest.raises(FormatError, match=f"object header at 0x{addr:x}.*end of file"):
        read_object_header(img.source, FormatContext(8, 8, 0, addr + 20), addr)


def _v1_header(
    messages: list[tuple[int, bytes]], refcount: int = 1, nmesgs: int | None = None
) -> bytes:
    body = b"".join(struct.pack("<HHB3x", t, len(d), 0) + d for t, d in messages)
    n = len(messages) if nmesgs is None else nmesgs
    return struct.pack("<BxHII4x", 1, n, refcount, len(body)) + body


def test_v1_continuation_cycle_detected():
    ctx = FormatContext(8, 8)
    # the continuation points back at chunk 0's message area: a cycle
    cont = struct.pack("<QQ", 16, 16 + 8)
    data = _v1_header([(0x10, cont)])
    with pytest.raises(FormatError, match="cycle"):
        read_object_header(BytesSource(data), ctx, 0)


def test_v1_message_overrun_and_alignment():
    ctx = FormatContext(8, 8)
    good = _v1_header([(0x01, b"\0" * 8)])
    assert read_object_header(BytesSource(good), ctx, 0).messages[0].type == 1
    overrun = bytearray(good)
    overrun[16 + 2] = 64  # message size larger than the chunk
    with pytest.raises(FormatError, match="overruns its chunk"):
        read_object_header(BytesSource(bytes(overrun)), ctx, 0)
    unaligned = bytearray(good)
    unaligned[16 + 2] = 5
    with pytest.raises(FormatError, match="multiple of 8"):
        read_object_header(BytesSource(bytes(unaligned)), ctx, 0)


def test_undefined_address():
    with pytest.raises(FormatError, match="undefined"):
        read_object_header(BytesSource(b""), FormatContext(8, 8), (1 << 64) - 1)
