"""Data layout message (IV.A.2.i), v1-v5: decode real libhdf5 bytes, re-encode identically."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from h5pure.errors import FormatError
from h5pure.format.context import FormatContext
from h5pure.format.messages import MessageType, decoder_for
from h5pure.format.messages.layout import (
    DONT_FILTER_PARTIAL_BOUND_CHUNKS,
    SINGLE_INDEX_WITH_FILTER,
    BTreeV2Params,
    ChunkedLayout,
    ChunkIndexType,
    CompactLayout,
    ContiguousLayout,
    ExtensibleArrayParams,
    FixedArrayParams,
    Layout,
    SingleChunkParams,
    VirtualLayout,
)
from h5pure.format.object_header import read_object_header
from h5pure.testing.sources import BytesSource

h5py = pytest.importorskip("h5py")

CTX = FormatContext()


def _make(path: Path, libver: object) -> None:
    with h5py.File(path, "w", libver=libver) as f:
        f.create_dataset("contig", data=np.arange(10, dtype="i8"))
        f.create_dataset("contig_empty", shape=(5,), dtype="i8")
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        did = h5py.h5d.create(
            f.id, b"compact", h5py.h5t.NATIVE_INT16, h5py.h5s.create_simple((4,)), dcpl
        )
        did.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(4, dtype="i2"))
        f.create_dataset("single", data=np.arange(10, dtype="i4"), chunks=(10,))
        f.create_dataset(
            "single_z", data=np.arange(10, dtype="i4"), chunks=(10,), compression="gzip"
        )
        f.create_dataset("fa", data=np.zeros((300, 4), "i4"), chunks=(3, 4))
        f.create_dataset("fa_z", data=np.zeros((300, 4), "i4"), chunks=(3, 4), compression=1)
        f.create_dataset("ea", data=np.arange(10, dtype="f4"), chunks=(3,), maxshape=(None,))
        f.create_dataset("bt2", data=np.zeros((4, 4), "u1"), chunks=(3, 3), maxshape=(None, None))


def _messages(path: Path) -> dict[str, bytes]:
    source = BytesSource.from_path(str(path))
    out = {}
    with h5py.File(path, "r") as f:
        for name in f:
            addr = h5py.h5o.get_info(f[name].id).addr
            msg = read_object_header(source, CTX, addr).first(MessageType.LAYOUT)
            assert msg is not None
            out[name] = msg.data
    return out


@pytest.mark.parametrize("libver", ["earliest", ("v108", "latest"), "v110", "latest"])
def test_real_layouts_roundtrip(tmp_path: Path, libver: object) -> None:
    path = tmp_path / "l.h5"
    _make(path, libver)
    msgs = _messages(path)
    new_indexes = libver in ("v110", "latest")
    with h5py.File(path, "r") as f:
        for name, data in msgs.items():
            lay, used = Layout.decode_with_size(data, CTX)
            assert lay.encode(CTX) == data[:used], name
            assert not any(data[used:]), name  # only zero padding follows
            decoder = decoder_for(MessageType.LAYOUT)
            assert decoder is not None and decoder(data, CTX, 0) == lay
            d = f[name]
            cls = {
                h5py.h5d.COMPACT: "compact",
                h5py.h5d.CONTIGUOUS: "contiguous",
                h5py.h5d.CHUNKED: "chunked",
            }[d.id.get_create_plist().get_layout()]
            assert lay.layout_class == cls
            if cls == "contiguous":
                assert lay.version == 3
                offset = d.id.get_offset()
                assert lay.address == (CTX.undefined_address if offset is None else offset)
                assert lay.size == d.id.get_storage_size() or offset is None
            elif cls == "compact":
                assert lay.compact_data == np.arange(4, dtype="<i2").tobytes()
            else:
                assert lay.chunk_shape == d.chunks
                assert lay.chunk_element_size == d.dtype.itemsize
                assert lay.chunk_bytes == d.dtype.itemsize * int(np.prod(d.chunks))
    kinds = {n: Layout.decode(b, CTX) for n, b in msgs.items()}
    if not new_indexes:
        assert all(
            k.index_type == ChunkIndexType.BTREE_V1
            for k in kinds.values()
            if k.layout_class == "chunked"
        )
        return
    assert kinds["single"].index_type == ChunkIndexType.SINGLE
    assert kinds["single"].single_chunk_filtered_size is None
    z = kinds["single_z"]
    assert z.index_type == ChunkIndexType.SINGLE and z.flags & 0x02
    with h5py.File(path, "r") as f:
        info = f["single_z"].id.get_chunk_info(0)
    assert (z.single_chunk_filtered_size, z.single_chunk_filter_mask) == (
        info.size,
        info.filter_mask,
    )
    assert z.index_address == info.byte_offset
    assert kinds["fa"].index_params == FixedArrayParams(page_bits=10)
    assert kinds["ea"].index_params == ExtensibleArrayParams(32, 4, 4, 16, 10)
    assert kinds["bt2"].index_params == BTreeV2Params(2048, 100, 40)
    # HDF5 2.0 'latest' stamps filtered chunked layouts version 5
    assert kinds["fa_z"].version == (5 if libver == "latest" else 4)


def test_v1_v2_hand_built() -> None:
    """Layout v1/v2 (HDF5 1.4 era), laid out as the spec's first table describes."""
    head = lambda v, nd, cls: struct.pack("<BBB5x", v, nd, cls)  # noqa: E731
    # contiguous, rank 2 + element size dimension, u32 dims
    contig = head(1, 3, 1) + struct.pack("<Q", 0x800) + struct.pack("<III", 6, 7, 4)
    lay = Layout.decode(contig, CTX)
    assert (lay.version, lay.layout_class, lay.address) == (1, "contiguous", 0x800)
    assert lay.legacy_dims == (6, 7, 4) and lay.size is None
    assert lay.encode(CTX) == contig
    # chunked: dimensionality includes the element size
    chunked = head(2, 3, 2) + struct.pack("<Q", 0x1234) + struct.pack("<III", 5, 8, 2)
    lay = Layout.decode(chunked, CTX)
    assert lay.chunk_shape == (5, 8) and lay.chunk_element_size == 2
    assert lay.index_type == ChunkIndexType.BTREE_V1 and lay.index_address == 0x1234
    assert lay.encode(CTX) == chunked
    # compact: no address, dims, then u32 size and the data
    compact = head(2, 2, 0) + struct.pack("<II", 3, 2) + struct.pack("<I", 6) + b"abcdef"
    lay = Layout.decode(compact + bytes(2), CTX)
    assert lay.compact_data == b"abcdef" and lay.encode(CTX) == compact
    # 4-byte offsets follow the context
    ctx4 = FormatContext(size_of_offsets=4, size_of_lengths=4)
    chunked4 = head(1, 2, 2) + struct.pack("<I", 0x99) + struct.pack("<II", 16, 8)
    lay = Layout.decode(chunked4, ctx4)
    assert lay.index_address == 0x99 and lay.encode(ctx4) == chunked4


@pytest.mark.parametrize(
    "data, match",
    [
        (b"\x06\x01", "unsupported version"),
        (b"\x03\x07", "invalid layout class"),
        (b"\x03\x03" + bytes(12), "invalid layout class"),  # virtual needs v4
        (b"\x03\x00\x10\x00abc", "truncated"),  # compact size beyond the message
        (b"\x04\x02\x00\x02\x09\x01\x04\x01" + bytes(8), "width"),
        (b"\x04\x02\x00\x02\x01\x01\x04\x09" + bytes(8), "unknown chunk index type"),
        (b"\x04\x02\x00\x02\x01\x01\x04\x00" + bytes(8), "v1 B-tree index"),
        (b"\x04\x02\x80\x02\x01\x01\x04\x01" + bytes(8), "flags"),
        (b"\x04\x02\x00\x02\x01\x00\x04\x01" + bytes(8), "zero chunk dimension"),
        (b"\x03\x02\x01" + bytes(12), "out of range"),
        (b"\x01\x00\x01" + bytes(5) + bytes(8), "out of range"),
    ],
)
def test_bad_layouts(data: bytes, match: str) -> None:
    with pytest.raises(FormatError, match=match):
        Layout.decode(data, CTX)


# --------------------------------------------------------------------------- one record per class

CTX4 = FormatContext(size_of_offsets=4, size_of_lengths=4)
_CHUNK = dict(chunk_shape=(5, 8), chunk_element_size=2)

RECORDS = [
    # versions 1 and 2 (the dims as stored)
    CompactLayout(1, b"abcdef", 6, (3, 2)),
    CompactLayout(2, b"", 0, (1,)),
    ContiguousLayout(1, 0x800, None, (6, 7, 4)),
    ContiguousLayout(2, 0x900, None, (5,)),
    ChunkedLayout(1, index_address=0x1234, legacy_dims=(5, 8, 2), **_CHUNK),
    ChunkedLayout(2, index_address=0x1234, legacy_dims=(5, 8, 2), **_CHUNK),
    # version 3
    CompactLayout(3, b"xyz", 3),
    ContiguousLayout(3, 0x400, 80),
    ChunkedLayout(3, index_address=0x2000, **_CHUNK),
    # versions 4 and 5: every chunk index type but the v1 B-tree
    ChunkedLayout(
        4, index_type=ChunkIndexType.SINGLE, index_address=0x40, dim_size_width=1, **_CHUNK
    ),
    ChunkedLayout(
        5,
        index_type=ChunkIndexType.SINGLE,
        index_address=0x40,
        index_params=SingleChunkParams(55, 1),
        flags=SINGLE_INDEX_WITH_FILTER,
        dim_size_width=1,
        **_CHUNK,
    ),
    ChunkedLayout(
        4, index_type=ChunkIndexType.IMPLICIT, index_address=0x80, dim_size_width=2, **_CHUNK
    ),
    ChunkedLayout(
        4,
        index_type=ChunkIndexType.FIXED_ARRAY,
        index_address=0x100,
        index_params=FixedArrayParams(10),
        flags=DONT_FILTER_PARTIAL_BOUND_CHUNKS,
        dim_size_width=1,
        **_CHUNK,
    ),
    ChunkedLayout(
        5,
        index_type=ChunkIndexType.EXTENSIBLE_ARRAY,
        index_address=0x200,
        index_params=ExtensibleArrayParams(32, 4, 4, 16, 10),
        dim_size_width=4,
        **_CHUNK,
    ),
    ChunkedLayout(
        4,
        index_type=ChunkIndexType.BTREE_V2,
        index_address=0x300,
        index_params=BTreeV2Params(2048, 100, 40),
        dim_size_width=1,
        **_CHUNK,
    ),
    VirtualLayout(4, 0x500, 3),
]


@pytest.mark.parametrize("ctx", [CTX, CTX4], ids=["O8", "O4"])
@pytest.mark.parametrize("record", RECORDS, ids=lambda r: f"{r.layout_class}-v{r.version}")
def test_every_class_and_version_roundtrips(record: Layout, ctx: FormatContext) -> None:
    data = record.encode(ctx)
    back, used = Layout.decode_with_size(data + bytes(3), ctx)
    assert back == record and used == len(data)
    assert type(back) is type(record) and back.encode(ctx) == data


def test_index_parameters_are_required_where_the_index_has_them() -> None:
    bad = ChunkedLayout(4, index_type=ChunkIndexType.FIXED_ARRAY, **_CHUNK)
    with pytest.raises(ValueError, match="without its parameters"):
        bad.encode(CTX)
    with pytest.raises(ValueError, match="v1 B-tree index needs layout v3"):
        ChunkedLayout(4, **_CHUNK).encode(CTX)
    with pytest.raises(FormatError, match="layout message v4: fixed array page bits 0"):
        Layout.decode(b"\x04\x02\x00\x02\x01\x05\x02\x03\x00" + bytes(8), CTX)
