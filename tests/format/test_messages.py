"""Header message decoders (and encoders) against messages in h5py-written files.

Encoders are checked as ``encode(decode(b)) == b`` on the real bytes; in version-1 object
headers the stored body is padded to a multiple of 8, so the encoding is padded alike.
"""

from __future__ import annotations

import struct
import time

import numpy as np
import pytest

from h5pure.errors import FormatError, UnsupportedFeatureError
from h5pure.format.context import FormatContext
from h5pure.format.messages import MessageType, SharedMessage, UnknownMessage, decode_message
from h5pure.format.messages.attribute import AttributeInfo, AttributeMessage
from h5pure.format.messages.dataspace import Dataspace, decode_dataspace
from h5pure.format.messages.fill import FillValue, FillValueOld
from h5pure.format.messages.link import GroupInfo, Link, LinkInfo
from h5pure.format.messages.misc import (
    Bogus,
    Comment,
    ExternalFileList,
    ModificationTime,
    RefCount,
    SharedMessageTable,
)
from h5pure.format.messages.shared import decode_shared_message
from h5pure.format.messages.symbols import Continuation, SymbolTableMessage
from h5pure.format.object_header import HeaderMessage, ObjectHeader, read_object_header
from h5pure.format.superblock import read_superblock_extension

LIBVERS = ["earliest", "latest"]


def _header(img, h5py, obj) -> ObjectHeader:
    return read_object_header(img.source, img.ctx, h5py.h5o.get_info(obj.id).addr)


def _decoded(img, oh: ObjectHeader, mtype: int) -> list:
    return [decode_message(m, img.ctx) for m in oh.find(mtype)]


def _assert_roundtrip(encoded: bytes, msg: HeaderMessage, oh: ObjectHeader) -> None:
    if oh.version == 1:
        encoded += b"\0" * (-len(encoded) % 8)
    assert encoded == msg.data


def _open(image, h5py, path, fn, **kw):
    """Write a file with ``fn(f)``, return (image, {name: header}) for the names fn returns."""
    with h5py.File(path, "w", **kw) as f:
        names = fn(f)
        addrs = {n: h5py.h5o.get_info(f[n].id).addr for n in names}
    img = image(path)
    return img, {n: read_object_header(img.source, img.ctx, a) for n, a in addrs.items()}


# --------------------------------------------------------------------------- dataspace


@pytest.mark.parametrize("libver", LIBVERS)
def test_dataspaces(image, h5py, tmp_path, libver):
    def fill(f):
        f.create_dataset("scalar", data=1.5)
        f.create_dataset("simple", shape=(3, 4), dtype="i2")
        f.create_dataset("unlim", shape=(2, 5), maxshape=(None, 7), dtype="i2", chunks=(1, 5))
        f.create_dataset("zero", shape=(0,), maxshape=(None,), dtype="i2")
        f["null"] = h5py.Empty("f4")
        return ["scalar", "simple", "unlim", "zero", "null"]

    img, hdrs = _open(image, h5py, tmp_path / "ds.h5", fill, libver=libver)
    want_version = 1 if libver == "earliest" else 2
    expected = {
        "scalar": ("scalar", (), ()),
        "simple": ("simple", (3, 4), (3, 4)),
        "unlim": ("simple", (2, 5), (None, 7)),
        "zero": ("simple", (0,), (None,)),
        "null": ("null", (), ()),
    }
    for name, (kind, shape, maxshape) in expected.items():
        oh = hdrs[name]
        (msg,) = oh.find(MessageType.DATASPACE)
        ds = decode_message(msg, img.ctx)
        assert isinstance(ds, Dataspace)
        assert (ds.kind, ds.shape, ds.maxshape) == (kind, shape, maxshape), name
        # a null dataspace needs version 2 even in an earliest file
        assert ds.version == (2 if kind == "null" else want_version)
        assert ds.size == (0 if kind == "null" else int(np.prod(shape)))
        _assert_roundtrip(ds.encode(img.ctx), msg, oh)


def test_dataspace_v1_permutation_and_errors():
    ctx = FormatContext(4, 4)
    body = struct.pack("<BBBB4x", 1, 2, 3, 0) + struct.pack("<6I", 3, 4, 5, 0xFFFFFFFF, 1, 0)
    ds = decode_dataspace(body, ctx)
    assert (ds.shape, ds.maxshape, ds.permutation) == ((3, 4), (5, None), (1, 0))
    assert ds.encode(ctx) == body
    with pytest.raises(FormatError, match="truncated"):
        decode_dataspace(body[:-3], ctx)
    with pytest.raises(FormatError, match="rank 40"):
        decode_dataspace(struct.pack("<BBBB", 2, 40, 0, 1), ctx)
    with pytest.raises(FormatError, match="unknown version"):
        decode_dataspace(b"\x07\0\0\0", ctx)


# --------------------------------------------------------------------------- fill value


@pytest.mark.parametrize("libver", LIBVERS)
def test_fill_values(image, h5py, tmp_path, libver):
    path = tmp_path / "fill.h5"
    names = ["set", "default", "chunked"]
    with h5py.File(path, "w", libver=libver) as f:
        f.create_dataset("set", shape=(4,), dtype="<i4", fillvalue=7)
        f.create_dataset("default", shape=(4,), dtype="<i4")
        f.create_dataset("chunked", shape=(4,), dtype="<f8", chunks=(2,), fillvalue=-1.5)
        addrs = {n: h5py.h5o.get_info(f[n].id).addr for n in names}
        dcpls = {n: f[n].id.get_create_plist() for n in names}
        times = {n: (p.get_alloc_time(), p.get_fill_time()) for n, p in dcpls.items()}
    img = image(path)
    cases = {"set": np.int32(7).tobytes(), "default": None, "chunked": np.float64(-1.5).tobytes()}
    for name, value in cases.items():
        oh = read_object_header(img.source, img.ctx, addrs[name])
        (msg,) = oh.find(MessageType.FILL_VALUE)
        fv = decode_message(msg, img.ctx)
        assert isinstance(fv, FillValue)
        assert fv.version == (2 if libver == "earliest" else 3)
        assert fv.defined
        assert fv.value == value, name
        assert (fv.alloc_time, fv.fill_time) == times[name]
        _assert_roundtrip(fv.encode(img.ctx), msg, oh)
        old = oh.find(MessageType.FILL_VALUE_OLD)
        if libver == "earliest" and value is not None:
            # libhdf5 adds the old 0x04 message for a user fill value in old-format files
            (old_fv,) = [decode_message(m, img.ctx) for m in old]
            assert old_fv == FillValueOld(value)
            _assert_roundtrip(old_fv.encode(img.ctx), old[0], oh)
        else:
            assert not old


def test_fill_value_v3_undefined_and_flags():
    ctx = FormatContext()
    undefined = FillValue(3, 2, 1, False, None)
    enc = undefined.encode(ctx)
    assert enc == bytes([3, 0x10 | 2 | (1 << 2)])
    msg = HeaderMessage(MessageType.FILL_VALUE, 0, enc, None, 0x40)
    assert decode_message(msg, ctx) == undefined
    bad = HeaderMessage(MessageType.FILL_VALUE, 0, bytes([3, 0x30]), None, 0x40)
    with pytest.raises(FormatError, match="fill value message at 0x40"):
        decode_message(bad, ctx)


# --------------------------------------------------------------------------- links


def test_link_messages(image, h5py, tmp_path):
    def fill(f):
        d = f.create_dataset("data", data=[1, 2])
        f["soft"] = h5py.SoftLink("/data")
        f["ext"] = h5py.ExternalLink("other.h5", "/some/path")
        f["grp/å-utf8"] = d
        return ["/", "data", "grp"]

    img, hdrs = _open(image, h5py, tmp_path / "links.h5", fill, libver="latest")
    root = hdrs["/"]
    links = {lk.name: lk for lk in _decoded(img, root, MessageType.LINK)}
    data_addr = hdrs["data"].address
    assert links["data"] == Link("data", "hard", data_addr, None, None, None, 0, None, None)
    assert links["soft"].kind == "soft" and links["soft"].target == "/data"
    ext = links["ext"]
    assert (ext.kind, ext.external_file, ext.target) == ("external", "other.h5", "/some/path")
    assert links["grp"].address == hdrs["grp"].address
    (utf8,) = _decoded(img, hdrs["grp"], MessageType.LINK)
    assert utf8.name == "å-utf8" and utf8.cset == 1 and utf8.address == data_addr
    for oh in (root, hdrs["grp"]):
        for msg in oh.find(MessageType.LINK):
            _assert_roundtrip(decode_message(msg, img.ctx).encode(img.ctx), msg, oh)
        (linfo_msg,) = oh.find(MessageType.LINK_INFO)
        linfo = decode_message(linfo_msg, img.ctx)
        assert isinstance(linfo, LinkInfo)
        assert img.ctx.is_undefined(linfo.fractal_heap_address)  # compact links
        _assert_roundtrip(linfo.encode(img.ctx), linfo_msg, oh)
        (ginfo_msg,) = oh.find(MessageType.GROUP_INFO)
        ginfo = decode_message(ginfo_msg, img.ctx)
        assert isinstance(ginfo, GroupInfo)
        _assert_roundtrip(ginfo.encode(img.ctx), ginfo_msg, oh)


@pytest.mark.parametrize("libver", LIBVERS)
def test_track_order_group_links(image, h5py, tmp_path, libver):
    def fill(f):
        g = f.create_group("g", track_order=True)
        for name in ["c", "a", "b"]:
            g.create_group(name)
        return ["g"]

    img, hdrs = _open(image, h5py, tmp_path / "order.h5", fill, libver=libver)
    oh = hdrs["g"]
    links = _decoded(img, oh, MessageType.LINK)
    assert {lk.name: lk.creation_order for lk in links} == {"c": 0, "a": 1, "b": 2}
    (linfo,) = _decoded(img, oh, MessageType.LINK_INFO)
    assert linfo.flags == 3 and linfo.max_creation_index == 3
    assert linfo.creation_order_index_address is not None
    for msg in oh.find(MessageType.LINK):
        _assert_roundtrip(decode_message(msg, img.ctx).encode(img.ctx), msg, oh)
    (msg,) = oh.find(MessageType.LINK_INFO)
    _assert_roundtrip(linfo.encode(img.ctx), msg, oh)


def test_link_user_defined_and_errors():
    ctx = FormatContext()
    lk = Link("u", "user", None, None, None, 5, 0, 70, b"\x01\x02")
    body = lk.encode(ctx)
    assert decode_message(HeaderMessage(MessageType.LINK, 0, body, None, 0), ctx) == lk
    with pytest.raises(FormatError, match="link message at 0x10: truncated"):
        decode_message(HeaderMessage(MessageType.LINK, 0, body[:-1], None, 0x10), ctx)


# --------------------------------------------------------------------------- attributes


@pytest.mark.parametrize(("libver", "version"), [("earliest", 1), ("latest", 3)])
def test_attribute_messages(image, h5py, tmp_path, libver, version):
    pytest.importorskip("h5pure.format.messages.datatype")

    def fill(f):
        g = f.create_group("g")
        g.attrs["ints"] = np.arange(6, dtype="<i4").reshape(2, 3)
        g.attrs["scalar"] = np.float64(2.5)
        g.attrs["fixed"] = np.bytes_(b"hello")
        g.attrs["empty"] = h5py.Empty("<f4")
        return ["g"]

    img, hdrs = _open(image, h5py, tmp_path / "attr.h5", fill, libver=libver)
    oh = hdrs["g"]
    msgs = oh.find(MessageType.ATTRIBUTE)
    attrs = {a.name: (a, m) for a, m in zip(_decoded(img, oh, MessageType.ATTRIBUTE), msgs)}
    ints = attrs["ints"][0]
    assert isinstance(ints, AttributeMessage)
    assert ints.version == version and ints.cset == 0
    assert ints.dataspace.shape == (2, 3) and ints.datatype.size == 4
    assert ints.data == np.arange(6, dtype="<i4").tobytes()
    assert attrs["scalar"][0].dataspace.kind == "scalar"
    assert attrs["scalar"][0].data == np.float64(2.5).tobytes()
    assert attrs["fixed"][0].data == b"hello"
    empty = attrs["empty"][0]
    assert empty.dataspace.kind == "null" and empty.data == b""
    for a, m in attrs.values():
        _assert_roundtrip(a.encode(img.ctx, _datatype_bytes(m.data, version)), m, oh)


def _datatype_bytes(body: bytes, version: int) -> bytes:
    """The datatype bytes of an attribute message body, sliced by its size fields."""
    name_size, dt_size = struct.unpack_from("<HH", body, 2)
    start = 8 + (-name_size % 8 + name_size if version == 1 else name_size)
    if version == 3:
        start = 9 + name_size
    return body[start : start + dt_size]


def test_attribute_utf8_name_and_shared_datatype(image, h5py, tmp_path):
    def fill(f):
        f["t"] = np.dtype("<f4")
        d = f.create_dataset("d", (3,), dtype=f["t"])
        d.attrs.create("bé", data=[1.0, 2.0], dtype=f["t"])
        return ["t", "d"]

    img, hdrs = _open(image, h5py, tmp_path / "shared.h5", fill)
    t_addr = hdrs["t"].address
    oh = hdrs["d"]
    (dt_msg,) = oh.find(MessageType.DATATYPE)
    assert dt_msg.flags & 0x02
    shared = decode_message(dt_msg, img.ctx)
    assert isinstance(shared, SharedMessage)
    assert shared.address == t_addr and shared.message_type == MessageType.DATATYPE
    assert shared.heap_id is None and shared.version in (2, 3)
    _assert_roundtrip(shared.encode(img.ctx), dt_msg, oh)
    (attr_msg,) = oh.find(MessageType.ATTRIBUTE)
    attr = decode_message(attr_msg, img.ctx)
    assert attr.name == "bé"
    assert isinstance(attr.datatype, SharedMessage) and attr.datatype.address == t_addr
    # the element size is unknown until the shared type is resolved: the rest is data
    assert attr.data[:8] == np.array([1.0, 2.0], "<f4").tobytes()
    _assert_roundtrip(attr.encode(img.ctx)[: len(attr_msg.data)], attr_msg, oh)


def test_dense_attribute_info(image, h5py, tmp_path):
    def fill(f):
        g = f.create_group("g", track_order=True)
        h = f.create_group("h")
        for i in range(12):
            g.attrs[f"a{i:02d}"] = i
            h.attrs[f"a{i:02d}"] = i
        return ["g", "h"]

    img, hdrs = _open(image, h5py, tmp_path / "dense.h5", fill, libver="latest")
    for name in ("g", "h"):
        oh = hdrs[name]
        assert not oh.find(MessageType.ATTRIBUTE)  # > 8 attributes: dense storage
        (msg,) = oh.find(MessageType.ATTRIBUTE_INFO)
        info = decode_message(msg, img.ctx)
        assert isinstance(info, AttributeInfo)
        assert not img.ctx.is_undefined(info.fractal_heap_address)
        assert not img.ctx.is_undefined(info.name_index_address)
        if name == "g":
            assert info.flags == 3 and info.max_creation_index == 12
            assert info.creation_order_index_address is not None
        else:
            assert info.flags == 0 and info.creation_order_index_address is None
        _assert_roundtrip(info.encode(img.ctx), msg, oh)


# --------------------------------------------------------------------------- symbol table, continuation


def test_symbol_table_and_continuation(image, h5py, tmp_path):
    path = tmp_path / "stab.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("d", data=[1])
        f.create_dataset("x", data=[2])
        for i in range(6):
            d.attrs[f"a{i}"] = np.zeros(100)
        d_addr = h5py.h5o.get_info(d.id).addr
        root_addr = h5py.h5o.get_info(f.id).addr
    img = image(path)
    root = read_object_header(img.source, img.ctx, root_addr)
    (msg,) = root.find(MessageType.SYMBOL_TABLE)
    stab = decode_message(msg, img.ctx)
    assert isinstance(stab, SymbolTableMessage)
    assert img.data[stab.btree_address : stab.btree_address + 4] == b"TREE"
    assert img.data[stab.heap_address : stab.heap_address + 4] == b"HEAP"
    _assert_roundtrip(stab.encode(img.ctx), msg, root)
    oh = read_object_header(img.source, img.ctx, d_addr)
    assert len(oh.chunks) >= 2
    # the consumed continuation message sits, v1-encoded, in an earlier chunk
    for chunk in oh.chunks[1:]:
        cont = Continuation(chunk.address, chunk.size)
        encoded = struct.pack("<HHB3x", 0x10, 16, 0) + cont.encode(img.ctx)
        assert encoded in img.data[oh.chunks[0].address : oh.chunks[0].address + 4096]
        body = cont.encode(img.ctx)
        decoded = decode_message(HeaderMessage(MessageType.CONTINUATION, 0, body, None, 0), img.ctx)
        assert decoded == cont


# --------------------------------------------------------------------------- misc


def test_modification_time_v1(image, h5py, tmp_path):
    # (h5py's ObjInfo.mtime reads 0 for v1 headers with libhdf5 2.0, so the clock is the oracle)
    path = tmp_path / "mt.h5"
    before = int(time.time())
    with h5py.File(path, "w") as f:
        d = f.create_dataset("d", data=[1], track_times=True)
        addr = h5py.h5o.get_info(d.id).addr
    after = int(time.time()) + 1
    img = image(path)
    oh = read_object_header(img.source, img.ctx, addr)
    assert oh.version == 1
    (msg,) = oh.find(MessageType.MODIFICATION_TIME)
    mt = decode_message(msg, img.ctx)
    assert isinstance(mt, ModificationTime) and mt.version == 1
    assert before <= mt.seconds <= after
    _assert_roundtrip(mt.encode(img.ctx), msg, oh)


def test_old_modification_time_and_bogus():
    ctx = FormatContext()
    old = HeaderMessage(MessageType.MODIFICATION_TIME_OLD, 0, b"20240229123456\0\0", None, 0)
    assert decode_message(old, ctx) == ModificationTime(1709210096, 0)
    bad = HeaderMessage(MessageType.MODIFICATION_TIME_OLD, 0, b"2024xx29123456\0\0", None, 0)
    with pytest.raises(FormatError):
        decode_message(bad, ctx)
    bogus = HeaderMessage(MessageType.BOGUS, 0, struct.pack("<I", 0xDEADBEEF), None, 0)
    assert decode_message(bogus, ctx) == Bogus(0xDEADBEEF)


def test_comment(image, h5py, tmp_path):
    path = tmp_path / "c.h5"
    with h5py.File(path, "w") as f:
        g = f.create_group("g")
        h5py.h5o.set_comment(g.id, b"a comment")
        addr = h5py.h5o.get_info(g.id).addr
    img = image(path)
    oh = read_object_header(img.source, img.ctx, addr)
    assert _decoded(img, oh, MessageType.COMMENT) == [Comment("a comment")]


def test_refcount_message(image, h5py, tmp_path):
    path = tmp_path / "rc.h5"
    with h5py.File(path, "w", libver="latest") as f:
        d = f.create_dataset("d", data=[1])
        f["e"] = d
        f["e2"] = d
        addr = h5py.h5o.get_info(d.id).addr
    img = image(path)
    oh = read_object_header(img.source, img.ctx, addr)
    assert _decoded(img, oh, MessageType.REFCOUNT) == [RefCount(3)]
    assert oh.refcount == 3
    (msg,) = oh.find(MessageType.REFCOUNT)
    _assert_roundtrip(RefCount(3).encode(), msg, oh)


def test_external_file_list(image, h5py, tmp_path):
    path = tmp_path / "efl.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset(
            "d", shape=(10,), dtype="<i4", external=[("a.bin", 0, 16), ("b.bin", 8, 24)]
        )
        addr = h5py.h5o.get_info(d.id).addr
    img = image(path)
    oh = read_object_header(img.source, img.ctx, addr)
    (efl,) = _decoded(img, oh, MessageType.EXTERNAL_FILE_LIST)
    assert isinstance(efl, ExternalFileList)
    assert [(s.offset, s.size) for s in efl.slots] == [(0, 16), (8, 24)]
    assert img.data[efl.heap_address : efl.heap_address + 4] == b"HEAP"
    heap_data_addr = struct.unpack_from("<Q", img.data, efl.heap_address + 24)[0]
    names = [img.data[heap_data_addr + s.name_offset :].split(b"\0", 1)[0] for s in efl.slots]
    assert names == [b"a.bin", b"b.bin"]


def test_sohm_table_and_sohm_shared_messages(image, h5py, tmp_path, libhdf5):
    path = tmp_path / "sohm.h5"
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    all_types = 0x182A  # H5O_SHMESG_ALL_FLAG
    if libhdf5.H5Pset_shared_mesg_nindexes(fcpl.id, 1) < 0:
        raise RuntimeError("H5Pset_shared_mesg_nindexes failed")
    if libhdf5.H5Pset_shared_mesg_index(fcpl.id, 0, all_types, 0) < 0:
        raise RuntimeError("H5Pset_shared_mesg_index failed")
    h5py.h5f.create(bytes(path), fcpl=fcpl).close()
    with h5py.File(path, "a") as f:
        for name in ("a", "b"):
            f.create_dataset(name, shape=(5, 6), dtype="<f8")
        addr = h5py.h5o.get_info(f["b"].id).addr
    img = image(path)
    ext = read_superblock_extension(img.source, img.ctx, img.sb.extension_address)
    table = ext[MessageType.SHARED_MESSAGE_TABLE]
    assert isinstance(table, SharedMessageTable)
    assert table.num_indices == 1
    assert img.data[table.table_address : table.table_address + 4] == b"SMTB"
    oh = read_object_header(img.source, img.ctx, addr)
    (msg,) = oh.find(MessageType.DATASPACE)
    assert msg.flags & 0x02
    shared = decode_message(msg, img.ctx)
    assert isinstance(shared, SharedMessage) and shared.in_sohm_heap
    assert shared.version == 3 and len(shared.heap_id) == 8
    assert shared.encode(img.ctx) == msg.data


def test_sohm_table_message_synthetic():
    ctx = FormatContext()
    body = struct.pack("<BQB", 0, 0x1234, 2)
    msg = HeaderMessage(MessageType.SHARED_MESSAGE_TABLE, 0, body, None, 0)
    assert decode_message(msg, ctx) == SharedMessageTable(0, 0x1234, 2)
    heap_id = bytes(range(8))
    shared = decode_shared_message(bytes([3, 1]) + heap_id, ctx, MessageType.DATASPACE)
    assert shared == SharedMessage(3, MessageType.DATASPACE, None, heap_id)
    assert shared.encode(ctx) == bytes([3, 1]) + heap_id
    # version 1 carries a skipped L-byte field before the address
    v1 = bytes([1, 0]) + b"\0" * 6 + struct.pack("<QQ", 99, 0x800)
    assert decode_shared_message(v1, ctx, 3) == SharedMessage(1, 3, 0x800, None)
    assert SharedMessage(1, 3, 0x800, None).encode(ctx) == bytes([1, 0]) + b"\0" * 6 + struct.pack(
        "<QQ", 0, 0x800
    )


def test_unknown_messages():
    ctx = FormatContext()
    plain = HeaderMessage(0x40, 0, b"xyz", None, 0x100)
    assert decode_message(plain, ctx) == UnknownMessage(0x40, b"xyz")
    for flags in (0x08, 0x80):
        strict = HeaderMessage(0x40, flags, b"xyz", None, 0x100)
        with pytest.raises(UnsupportedFeatureError, match="0x100"):
            decode_message(strict, ctx)


def test_superblock_extension_messages_decode(image, h5py, tmp_path):
    path = tmp_path / "ext.h5"
    with h5py.File(path, "w", libver="latest", fs_strategy="fsm", fs_persist=True) as f:
        f["x"] = [1]
    img = image(path)
    ext = read_superblock_extension(img.source, img.ctx, img.sb.extension_address)
    assert MessageType.FILE_SPACE_INFO in ext
    assert not any(isinstance(v, UnknownMessage) for v in ext.values())
