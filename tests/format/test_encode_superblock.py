"""Superblock encoding: ``encode(decode(b)) == b`` on libhdf5-written superblocks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from h5pure.format.messages.misc import decode_driver_info_block, encode_driver_info_block
from h5pure.format.superblock import decode_superblock, encode_superblock, locate_superblock


def _superblock_bytes(data: bytes) -> tuple[int, bytes]:
    at = locate_superblock(lambda off, n: data[off : off + n], len(data))
    return at, data[at:]


@pytest.mark.parametrize("libver", ["earliest", "v108", "v110", "v112", "v114", "latest"])
@pytest.mark.parametrize("userblock", [0, 1024])
def test_roundtrip_every_libver(h5py, tmp_path, libver, userblock):
    path = tmp_path / "f.h5"
    kw = {"userblock_size": userblock} if userblock else {}
    with h5py.File(path, "w", libver=libver, **kw) as f:
        f.create_group("g")
        f["d"] = [1, 2, 3]
    at, buf = _superblock_bytes(path.read_bytes())
    assert at == userblock
    sb = decode_superblock(buf, at)
    enc = encode_superblock(sb)
    assert len(enc) == sb.encoded_size
    assert enc == buf[: sb.encoded_size]


def test_roundtrip_v1_four_byte_sizes(h5py, tmp_path, make_sized_file):
    path = tmp_path / "v1.h5"
    make_sized_file(path, 4, 64, (8, 6), h5py.h5f.LIBVER_EARLIEST)
    at, buf = _superblock_bytes(path.read_bytes())
    sb = decode_superblock(buf, at)
    assert sb.version == 1 and sb.indexed_storage_k == 64
    assert encode_superblock(sb) == buf[: sb.encoded_size]


def test_roundtrip_family_driver_info_block(h5py, tmp_path):
    with h5py.File(tmp_path / "fam%d.h5", "w", driver="family", memb_size=1 << 16) as f:
        f["x"] = list(range(10))
    data = (tmp_path / "fam0.h5").read_bytes()
    sb = decode_superblock(data[:4096], 0)
    assert sb.driver_info is not None
    assert encode_superblock(sb) == data[: sb.encoded_size]
    dia = sb.driver_info_address
    block = encode_driver_info_block(sb.driver_info)
    assert block == data[dia : dia + len(block)]
    assert decode_driver_info_block(block, 0, dia) == sb.driver_info


def test_modified_superblock_is_read_by_h5py(h5py, tmp_path):
    """A changed field (v3 EOF grown by 4 KiB, file padded alike) still opens in libhdf5."""
    path = tmp_path / "f.h5"
    with h5py.File(path, "w", libver="latest") as f:
        f["d"] = [1, 2, 3]
    data = bytearray(path.read_bytes())
    sb = decode_superblock(bytes(data), 0)
    new = replace(sb, eof_address=sb.eof_address + 4096)
    enc = encode_superblock(new)
    data[: len(enc)] = enc
    data += b"\0" * 4096
    path.write_bytes(bytes(data))
    assert decode_superblock(bytes(data), 0).eof_address == len(data)
    with h5py.File(path, "r") as f:
        assert f["d"][()].tolist() == [1, 2, 3]


def test_unknown_version_rejected():
    sb = decode_superblock(encode_superblock_v0_minimal(), 0)
    with pytest.raises(ValueError, match="version 7"):
        encode_superblock(replace(sb, version=7))


def encode_superblock_v0_minimal() -> bytes:
    from h5pure.format.superblock import Superblock
    from h5pure.format.symbol_table import SymbolTableEntry

    undef = (1 << 64) - 1
    sb = Superblock(
        version=0,
        size_of_offsets=8,
        size_of_lengths=8,
        base_address=0,
        group_leaf_k=4,
        group_internal_k=16,
        indexed_storage_k=32,
        flags=0,
        free_space_address=undef,
        extension_address=undef,
        eof_address=800,
        driver_info_address=undef,
        root_object_header_address=96,
        root_entry=SymbolTableEntry(0, 96, 1, 136, 680),
        encoded_size=96,
    )
    return encode_superblock(sb)
