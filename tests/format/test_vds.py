"""Virtual dataset mapping block (III.F) against h5py's virtual-dataset property list."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np
import pytest

from h5pure.errors import ChecksumError, FormatError
from h5pure.format.checksum import append_checksum
from h5pure.format.context import FormatContext
from h5pure.format.messages import MessageType
from h5pure.format.messages.layout import Layout
from h5pure.format.object_header import read_object_header
from h5pure.format.selection_codec import SelectionType
from h5pure.format.vds import decode_vds_block, read_vds_mappings
from h5pure.testing.sources import BytesSource

h5py = pytest.importorskip("h5py")

CTX = FormatContext()


def _blocks(sel) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:  # type: ignore[no-untyped-def]
    """(start, end inclusive) of each block of a decoded hyperslab selection."""
    if sel.blocks is not None:
        return [(tuple(a), tuple(b)) for a, b in sel.blocks]
    r = sel.regular
    out = []
    for idx in np.ndindex(*r.count):
        start = tuple(s + i * st for s, i, st in zip(r.start, idx, r.stride))
        out.append((start, tuple(s + b - 1 for s, b in zip(start, r.block))))
    return out


@pytest.mark.parametrize("libver", ["earliest", "latest", ("v200", "v200")])
def test_vds_mappings(tmp_path: Path, libver: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with h5py.File("src.h5", "w") as f:
        f["a"] = np.arange(10)
        f["b"] = np.arange(10)
    layout = h5py.VirtualLayout(shape=(4, 10), dtype="i8")
    layout[0] = h5py.VirtualSource("src.h5", "a", shape=(10,))
    layout[1, ::2] = h5py.VirtualSource("src.h5", "b", shape=(10,))[:5]
    layout[2] = h5py.VirtualSource("src.h5", "a", shape=(10,))
    layout[3] = h5py.VirtualSource(".", "x", shape=(10,))
    with h5py.File("v.h5", "w", libver=libver) as f:
        f["x"] = np.arange(10)
        f.create_virtual_dataset("v", layout)
        addr = h5py.h5o.get_info(f["v"].id).addr
    source = BytesSource.from_path(str(tmp_path / "v.h5"))
    msg = read_object_header(source, CTX, addr).first(MessageType.LAYOUT)
    assert msg is not None
    lay = Layout.decode(msg.data, CTX)
    assert lay.layout_class == "virtual" and lay.version >= 4
    assert lay.encode(CTX) == msg.data[: len(lay.encode(CTX))]
    assert lay.virtual_heap_address is not None and lay.virtual_heap_index is not None
    result = read_vds_mappings(source, CTX, lay.virtual_heap_address, lay.virtual_heap_index)

    with h5py.File("v.h5", "r") as f:
        plist = f["v"].id.get_create_plist()
        n = plist.get_virtual_count()
        assert len(result.mappings) == n == 4
        for i, m in enumerate(result.mappings):
            assert m.source_file == plist.get_virtual_filename(i)
            assert m.source_dataset == plist.get_virtual_dsetname(i)
            src_space = plist.get_virtual_srcspace(i)
            v_space = plist.get_virtual_vspace(i)
            expected_src = {
                h5py.h5s.SEL_ALL: SelectionType.ALL,
                h5py.h5s.SEL_HYPERSLABS: SelectionType.HYPERSLABS,
            }
            assert m.source_selection.kind == expected_src[src_space.get_select_type()]
            assert m.virtual_selection.kind == SelectionType.HYPERSLABS
            want = [tuple(map(tuple, b)) for b in v_space.get_select_hyper_blocklist().tolist()]
            assert sorted(_blocks(m.virtual_selection)) == sorted(want)
            if m.source_selection.kind == SelectionType.HYPERSLABS:
                want = [
                    tuple(map(tuple, b)) for b in src_space.get_select_hyper_blocklist().tolist()
                ]
                assert sorted(_blocks(m.source_selection)) == sorted(want)
    os.remove("v.h5")


_ALL_SEL = struct.pack("<IIII", 3, 1, 0, 0)  # H5S_SEL_ALL, version 1, reserved, length 0


def _v1_block() -> bytes:
    """A version-1 block built by hand from the spec: shared names and the same-file flag."""
    body = bytes([1]) + struct.pack("<Q", 3)
    body += bytes([0]) + b"f.h5\0" + b"/a\0" + _ALL_SEL + _ALL_SEL
    body += bytes([0x03]) + struct.pack("<QQ", 0, 0) + _ALL_SEL + _ALL_SEL
    body += bytes([0x04 | 0x02]) + struct.pack("<Q", 1) + _ALL_SEL + _ALL_SEL
    return append_checksum(body)


def test_vds_version1_hand_built() -> None:
    result = decode_vds_block(_v1_block(), CTX)
    assert result.version == 1
    assert [(m.source_file, m.source_dataset, m.flags) for m in result.mappings] == [
        ("f.h5", "/a", 0),
        ("f.h5", "/a", 3),
        (".", "/a", 6),
    ]
    assert all(m.source_selection.kind == SelectionType.ALL for m in result.mappings)


def test_vds_block_corruption() -> None:
    good = _v1_block()
    bad = bytearray(good)
    bad[12] ^= 1
    with pytest.raises(ChecksumError):
        decode_vds_block(bytes(bad), CTX)
    # a shared-name index that points at no earlier mapping
    body = bytes([1]) + struct.pack("<Q", 1) + bytes([0x01]) + struct.pack("<Q", 0)
    body += b"/a\0" + _ALL_SEL + _ALL_SEL
    with pytest.raises(FormatError, match="shared source file"):
        decode_vds_block(append_checksum(body), CTX)
    # an absurd mapping count is rejected before any allocation
    body = bytes([0]) + struct.pack("<Q", 1 << 60)
    with pytest.raises(FormatError, match="cannot fit"):
        decode_vds_block(append_checksum(body), CTX)
