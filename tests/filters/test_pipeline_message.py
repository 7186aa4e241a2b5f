"""Filter pipeline message (IV.A.2.l) against libhdf5-written object headers."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from h5pure.errors import FormatError
from h5pure.format.messages.filter_pipeline import (
    FilterInfo,
    FilterPipeline,
    decode_filter_pipeline,
)

PIPELINE = 0x0B


def _messages_v1(buf: bytes, addr: int) -> list[tuple[int, bytes]]:
    nmsgs = struct.unpack_from("<H", buf, addr + 2)[0]
    size = struct.unpack_from("<I", buf, addr + 8)[0]
    out, pos, end = [], addr + 16, addr + 16 + size
    while pos + 8 <= end and len(out) < nmsgs:
        mtype, msize = struct.unpack_from("<HH", buf, pos)
        out.append((mtype, buf[pos + 8 : pos + 8 + msize]))
        pos += 8 + msize
    return out


def _messages_v2(buf: bytes, addr: int) -> list[tuple[int, bytes]]:
    assert buf[addr : addr + 4] == b"OHDR"
    flags = buf[addr + 5]
    pos = addr + 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
    width = 1 << (flags & 3)
    size = int.from_bytes(buf[pos : pos + width], "little")
    pos += width
    end = pos + size
    out = []
    while pos + 4 <= end:
        mtype = buf[pos]
        msize = struct.unpack_from("<H", buf, pos + 1)[0]
        pos += 4 + (2 if flags & 0x04 else 0)
        out.append((mtype, buf[pos : pos + msize]))
        pos += msize
    return out


def _pipeline_message(path: Path, name: str) -> bytes:
    import h5py

    with h5py.File(path, "r") as f:
        addr = h5py.h5o.get_info(f[name].id).addr
    buf = path.read_bytes()
    walk = _messages_v2 if buf[addr : addr + 4] == b"OHDR" else _messages_v1
    found = [data for mtype, data in walk(buf, addr) if mtype == PIPELINE]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("libver", ["earliest", "v108", "v110", "latest"])
@pytest.mark.parametrize(
    "options",
    [
        {"compression": "gzip", "compression_opts": 7},
        {"compression": "gzip", "shuffle": True, "fletcher32": True},
        {"compression": "lzf", "shuffle": True},
        {"scaleoffset": 0},
    ],
    ids=["gzip", "gzip-shuffle-fletcher", "lzf", "scaleoffset"],
)
def test_decode_encode_real_messages(tmp_path: Path, libver: str, options: dict[str, Any]) -> None:
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "f.h5"
    with h5py.File(path, "w", libver=libver) as f:
        f.create_dataset("x", data=np.arange(100, dtype="<i4"), chunks=(10,), **options)
    raw = _pipeline_message(path, "x")
    msg = FilterPipeline.decode(raw)
    assert msg.version == (1 if libver == "earliest" else 2)
    with h5py.File(path, "r") as f:
        dcpl = f["x"].id.get_create_plist()
        expected = [dcpl.get_filter(i) for i in range(dcpl.get_nfilters())]
    assert [(x.filter_id, x.flags, x.client_data) for x in msg.filters] == [
        (fid, flags, tuple(cd)) for fid, flags, cd, _ in expected
    ]
    for info, (fid, _, _, name) in zip(msg.filters, expected):
        if msg.version == 1 or fid >= 256:
            assert info.name == name.decode()
        else:
            assert info.name is None
    assert msg.encode() == bytes(raw)
    assert decode_filter_pipeline(bytes(raw), None, 0) == msg


def test_version1_padding_layout() -> None:
    msg = FilterPipeline(1, [FilterInfo(2, "shuffle", 0, (4,))])
    raw = msg.encode()
    # 8-byte head, 8-byte filter head, name "shuffle\0" (8), one value + 4 bytes padding
    assert len(raw) == 8 + 8 + 8 + 8
    assert FilterPipeline.decode(raw) == msg


def test_version2_plugin_name_unpadded() -> None:
    msg = FilterPipeline(2, [FilterInfo(32000, "lzf", 1, (4, 261, 400))])
    raw = msg.encode()
    assert len(raw) == 2 + 8 + 4 + 12
    assert FilterPipeline.decode(raw) == msg


@pytest.mark.parametrize(
    "raw, match",
    [
        (b"\x03\x01", "bad version"),
        (b"\x02\x21", "33 filters"),
        (b"\x02\x01\x01\x00\x00\x00\x05\x00", "client data"),
        (b"\x01\x01\x00\x00\x00\x00\x00\x00\x00\x01\x03\x00\x00\x00\x00\x00abc", "multiple of 8"),
        (b"\x02\x01\x00\x01\x04\x00\x00\x00\x00\x00abcd", "NUL"),
        (b"\x02\x01\x01", "truncated"),
    ],
)
def test_hostile_messages_raise(raw: bytes, match: str) -> None:
    with pytest.raises(FormatError, match=match):
        FilterPipeline.decode(raw)
