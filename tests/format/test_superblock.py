"""Superblock decoding against files written by h5py / libhdf5."""

from __future__ import annotations

import os

import pytest

from h5pure.errors import ChecksumError, FormatError
from h5pure.format.messages import MessageType, decode_message
from h5pure.format.messages.misc import BTreeKValues, DriverInfo, FileSpaceInfo
from h5pure.format.messages.symbols import SymbolTableMessage
from h5pure.format.object_header import read_object_header
from h5pure.format.superblock import (
    SIGNATURE,
    decode_superblock,
    locate_superblock,
    read_superblock_extension,
)

LIBVERS = [("earliest", 0), ("v108", 2), ("v110", 3), ("latest", 3)]


def _write(h5py, path, **kw):
    with h5py.File(path, "w", **kw) as f:
        f.create_dataset("d", data=[1.0, 2.0])
        f.create_group("g")
        root_addr = h5py.h5o.get_info(f.id).addr
    return root_addr


@pytest.mark.parametrize(("libver", "version"), LIBVERS)
def test_superblock_versions(image, h5py, tmp_path, libver, version):
    path = tmp_path / "f.h5"
    root_addr = _write(h5py, path, libver=libver)
    img = image(path)
    sb = img.sb
    assert sb.version == version
    assert (sb.size_of_offsets, sb.size_of_lengths) == (8, 8)
    assert sb.base_address == 0
    assert sb.eof_address == os.path.getsize(path)
    assert sb.context().eof_address == os.path.getsize(path)
    assert sb.root_object_header_address == root_addr
    root = read_object_header(img.source, img.ctx, root_addr)
    if version == 0:
        assert sb.encoded_size == 96
        assert (sb.group_leaf_k, sb.group_internal_k, sb.indexed_storage_k) == (4, 16, 32)
        entry = sb.root_entry
        assert entry is not None and entry.cache_type == 1
        (stab_msg,) = root.find(MessageType.SYMBOL_TABLE)
        stab = decode_message(stab_msg, img.ctx)
        assert isinstance(stab, SymbolTableMessage)
        assert (entry.btree_address, entry.heap_address) == (stab.btree_address, stab.heap_address)
        assert sb.extension_address == img.ctx.undefined_address
        entry_at = sb.encoded_size - entry.size(img.ctx)
        assert entry.encode(img.ctx) == img.data[entry_at : sb.encoded_size]
    else:
        assert sb.encoded_size == 48
        assert sb.root_entry is None
        assert root.version == 2


@pytest.mark.parametrize("userblock", [512, 4096])
@pytest.mark.parametrize("libver", ["earliest", "latest"])
def test_userblock(image, h5py, tmp_path, userblock, libver):
    path = tmp_path / "ub.h5"
    root_addr = _write(h5py, path, userblock_size=userblock, libver=libver)
    data = path.read_bytes()
    at = locate_superblock(lambda off, n: data[off : off + n], len(data))
    assert at == userblock
    sb = decode_superblock(data[at : at + 256], at)
    assert sb.base_address == userblock
    assert sb.eof_address == len(data)  # stored EOF is absolute
    assert sb.context().eof_address == len(data) - userblock
    assert sb.root_object_header_address == root_addr
    img = image(path)
    assert read_object_header(img.source, img.ctx, root_addr).address == root_addr


def test_locate_superblock_missing():
    data = b"\0" * 5000
    with pytest.raises(FormatError, match="no HDF5 superblock"):
        locate_superblock(lambda off, n: data[off : off + n], len(data))


def test_superblock_v1_four_byte_sizes(image, h5py, tmp_path, make_sized_file):
    path = tmp_path / "v1.h5"
    make_sized_file(path, 4, 64, (8, 6), h5py.h5f.LIBVER_EARLIEST)
    img = image(path)
    sb = img.sb
    assert sb.version == 1
    assert (sb.size_of_offsets, sb.size_of_lengths) == (4, 4)
    assert (sb.indexed_storage_k, sb.group_internal_k, sb.group_leaf_k) == (64, 8, 6)
    assert sb.eof_address == len(img.data)
    with h5py.File(path, "r") as f:
        root_addr = h5py.h5o.get_info(f.id).addr
        g_addr = h5py.h5o.get_info(f["g"].id).addr
    assert sb.root_object_header_address == root_addr
    root = read_object_header(img.source, img.ctx, root_addr)
    assert root.version == 1
    stab = decode_message(root.find(MessageType.SYMBOL_TABLE)[0], img.ctx)
    assert sb.root_entry is not None
    assert (stab.btree_address, stab.heap_address) == (
        sb.root_entry.btree_address,
        sb.root_entry.heap_address,
    )
    assert read_object_header(img.source, img.ctx, g_addr).version == 1


def test_superblock_v2_extension_k_values(image, h5py, tmp_path, make_sized_file):
    path = tmp_path / "v2.h5"
    make_sized_file(path, 4, 64, (8, 6), h5py.h5f.LIBVER_V18)
    img = image(path)
    sb = img.sb
    assert sb.version == 2 and sb.size_of_offsets == 4
    assert sb.has_extension()
    ext = read_superblock_extension(img.source, img.ctx, sb.extension_address)
    kvals = ext[MessageType.BTREE_K_VALUES]
    assert kvals == BTreeKValues(64, 8, 6)
    sb2 = sb.with_extension(ext)
    assert (sb2.indexed_storage_k, sb2.group_internal_k, sb2.group_leaf_k) == (64, 8, 6)


def test_superblock_extension_file_space_info(image, h5py, tmp_path):
    path = tmp_path / "fs.h5"
    with h5py.File(
        path, "w", libver="latest", fs_strategy="page", fs_persist=True, fs_page_size=4096
    ) as f:
        f["x"] = [1, 2, 3]
    img = image(path)
    ext = read_superblock_extension(img.source, img.ctx, img.sb.extension_address)
    info = ext[MessageType.FILE_SPACE_INFO]
    assert isinstance(info, FileSpaceInfo)
    assert info.version == 1 and info.persist and info.page_size == 4096
    assert info.strategy == 1  # H5F_FSPACE_STRATEGY_PAGE
    assert len(info.manager_addresses) == 12


def test_family_driver_info_block(image, h5py, tmp_path):
    memb = 1 << 16
    with h5py.File(tmp_path / "fam%d.h5", "w", driver="family", memb_size=memb) as f:
        f["x"] = list(range(100))
    img = image(tmp_path / "fam0.h5")
    sb = img.sb
    assert sb.version == 0
    assert sb.driver_info_address != img.ctx.undefined_address
    assert isinstance(sb.driver_info, DriverInfo)
    assert sb.driver_info.driver_id == "NCSAfami"
    assert sb.driver_info.family_member_size == memb


def test_family_driver_info_message(image, h5py, tmp_path):
    memb = 1 << 16
    with h5py.File(
        tmp_path / "fam%d.h5", "w", driver="family", memb_size=memb, libver="latest"
    ) as f:
        f["x"] = [1]
    img = image(tmp_path / "fam0.h5")
    ext = read_superblock_extension(img.source, img.ctx, img.sb.extension_address)
    info = ext[MessageType.DRIVER_INFO]
    assert info.driver_id == "NCSAfami" and info.family_member_size == memb


def test_multi_driver_info_block(image, h5py, tmp_path):
    base = str(tmp_path / "spl.h5")
    with h5py.File(base, "w", driver="split") as f:
        f["x"] = [1]
    img = image(base + "-m.h5")
    info = img.sb.driver_info
    assert info is not None and info.driver_id == "NCSAmult"
    assert info.multi_map is not None and len(info.multi_map) == 6
    names = {m.name for m in info.multi_members or ()}
    assert names == {"%s-m.h5", "%s-r.h5"}


def test_checksum_and_signature_errors(h5py, tmp_path):
    path = tmp_path / "c.h5"
    _write(h5py, path, libver="latest")
    data = bytearray(path.read_bytes())
    bad = bytearray(data)
    bad[20] ^= 0xFF  # inside the EOF address
    with pytest.raises(ChecksumError, match=r"superblock at 0x0"):
        decode_superblock(bytes(bad[:256]), 0)
    bad = bytearray(data)
    bad[1] ^= 0x01
    with pytest.raises(FormatError, match=r"superblock at 0x0: bad signature"):
        decode_superblock(bytes(bad[:256]), 0)
    with pytest.raises(FormatError, match="truncated"):
        decode_superblock(bytes(data[:30]), 0)
    assert data[:8] == SIGNATURE


def test_bad_sizes_rejected(h5py, tmp_path):
    path = tmp_path / "s.h5"
    _write(h5py, path)
    bad = bytearray(path.read_bytes()[:256])
    bad[13] = 3  # size of offsets
    with pytest.raises(FormatError, match="size of offsets 3"):
        decode_superblock(bytes(bad), 0)
